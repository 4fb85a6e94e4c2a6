//! One variable row as the engine reads it: the parts of its identity, its value and its scope.

use super::scope::Scope;
use crate::snapshot::name_key;
use serde_json::Value;

/// A row of a variable set's `Variables`.
#[derive(Debug, Clone)]
pub struct Row<'a> {
    /// Its position in the set's `Variables`.
    pub index: usize,
    /// The row as the server sent it.
    pub doc: &'a Value,
    /// Its name, trimmed, for messages.
    pub name: &'a str,
    /// Its name as names compare: trimmed, case-insensitive.
    pub name_key: String,
    /// `IsSensitive` (or `Type: Sensitive`).
    pub sensitive: bool,
    /// `Type` as written; `String` or `Sensitive` when an old server leaves it out.
    pub type_name: String,
    /// Its scope as written.
    pub scope: Scope,
}

impl<'a> Row<'a> {
    /// Reads one row.
    pub fn read(index: usize, doc: &'a Value) -> Row<'a> {
        let name = doc.get("Name").and_then(Value::as_str).unwrap_or("").trim();
        let declared = doc.get("Type").and_then(Value::as_str).filter(|t| !t.is_empty());
        let sensitive = doc.get("IsSensitive").and_then(Value::as_bool) == Some(true)
            || declared.is_some_and(|t| t.eq_ignore_ascii_case("Sensitive"));
        let type_name = match declared {
            Some(t) => t.to_string(),
            None if sensitive => "Sensitive".to_string(),
            None => "String".to_string(),
        };
        Row {
            index,
            doc,
            name,
            name_key: name_key(name),
            sensitive,
            type_name,
            scope: Scope::of(doc),
        }
    }

    /// The value as written (`None` for a sensitive row: the API never returns one).
    pub fn value(&self) -> Option<&'a str> {
        if self.sensitive {
            return None;
        }
        self.doc.get("Value").and_then(Value::as_str)
    }

    /// `Type` as types compare.
    pub fn type_key(&self) -> String {
        self.type_name.to_ascii_lowercase()
    }

    /// The server's `Id` of the row.
    pub fn id(&self) -> Option<&'a str> {
        self.doc.get("Id").and_then(Value::as_str)
    }
}

/// Every row of a variable set document, in its order.
pub fn rows(set: &Value) -> Vec<Row<'_>> {
    set.get("Variables")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, doc)| Row::read(i, doc))
        .collect()
}
