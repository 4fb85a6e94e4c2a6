//! The field-level diff every stage's writes get for free: the destination's document before, the
//! document written after, compared field by field for the reviewer of a plan.
//!
//! It follows `document::equivalent` (null, "", [] and missing are the same), so nothing that would
//! not be written shows; addresses array elements that have a `Name` by name (`Tags[EU].Color`);
//! names ids from the destination snapshot; shows long text as a line diff; and never shows a
//! sensitive value ([`secret`]).

pub mod display;
pub mod secret;
pub mod text;

use crate::report::{DiffOp, FieldDiff};
use crate::snapshot::{name_key, name_of, Snapshot};
use crate::sync::document::{equivalent, is_blank};
use display::{Display, SENSITIVE, SENSITIVE_CHANGED};
use serde_json::{Map, Value};

/// The differences between two documents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentDiff {
    /// The top-level fields that differ, in document order.
    pub fields: Vec<String>,
    /// Every difference, outermost first, in document order.
    pub entries: Vec<FieldDiff>,
}

/// Compares `before` (the destination's document, or `{}` for a create) with `after`, naming ids
/// from `names` (the destination snapshot, including the plan's creates).
pub fn diff(before: &Value, after: &Value, names: &Snapshot) -> DocumentDiff {
    let mut walker = Walker {
        show: Display::new(names),
        out: DocumentDiff::default(),
    };
    walker.fields("", before, after);
    walker.out
}

static NULL: Value = Value::Null;

struct Walker<'a> {
    show: Display<'a>,
    out: DocumentDiff,
}

impl Walker<'_> {
    /// The fields of two objects: `after`'s order first, then the fields only `before` has.
    fn fields(&mut self, path: &str, before: &Value, after: &Value) {
        let empty = Map::new();
        let b = before.as_object().unwrap_or(&empty);
        let a = after.as_object().unwrap_or(&empty);
        let mut keys: Vec<&String> = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))).collect();
        // What identifies an item first (stable: the rest keep their order).
        keys.sort_by_key(|k| display::LEAD.iter().position(|l| l == k).unwrap_or(display::LEAD.len()));
        for key in keys {
            let secret = secret::is_secret_field(b, key) || secret::is_secret_field(a, key);
            let emitted = self.out.entries.len();
            self.node(
                &field_path(path, key),
                secret,
                b.get(key).unwrap_or(&NULL),
                a.get(key).unwrap_or(&NULL),
            );
            if path.is_empty() && self.out.entries.len() > emitted {
                self.out.fields.push(key.clone());
            }
        }
    }

    fn node(&mut self, path: &str, secret: bool, before: &Value, after: &Value) {
        if equivalent(before, after) {
            return;
        }
        // Checked before anything looks inside: nothing below a secret is ever rendered.
        if secret || secret::is_sensitive_value(before) || secret::is_sensitive_value(after) {
            return self.secret(path, before, after);
        }
        match (before, after) {
            (Value::Object(_), Value::Object(_)) => self.fields(path, before, after),
            _ if has_structured_elements(before, after) => self.elements(path, before, after),
            (Value::String(_) | Value::Null, Value::String(_) | Value::Null) if is_long_text(before, after) => {
                self.text(path, before, after)
            }
            _ => self.leaf(path, before, after),
        }
    }

    /// Arrays of objects: by name when every element has a distinct one, otherwise by index.
    fn elements(&mut self, path: &str, before: &Value, after: &Value) {
        let b = elements_of(before).unwrap_or_default();
        let a = elements_of(after).unwrap_or_default();
        let (Some(b_names), Some(a_names)) = (distinct_names(b), distinct_names(a)) else {
            for i in 0..b.len().max(a.len()) {
                let path = format!("{path}[{i}]");
                self.node(&path, false, b.get(i).unwrap_or(&NULL), a.get(i).unwrap_or(&NULL));
            }
            return;
        };
        let position = |names: &[String], key: &String| names.iter().position(|n| n == key);
        for (element, key) in a.iter().zip(&a_names) {
            let path = format!("{path}[{}]", name_of(element));
            let matched = position(&b_names, key).map(|j| &b[j]).unwrap_or(&NULL);
            self.node(&path, false, matched, element);
        }
        for (element, key) in b.iter().zip(&b_names) {
            if position(&a_names, key).is_none() {
                self.node(&format!("{path}[{}]", name_of(element)), false, element, &NULL);
            }
        }
        let kept_before: Vec<&String> = b_names.iter().filter(|n| a_names.contains(n)).collect();
        let kept_after: Vec<&String> = a_names.iter().filter(|n| b_names.contains(n)).collect();
        if kept_before != kept_after {
            let show = self.show;
            let names = |items: &[Value]| show.list(items.iter().map(|i| name_of(i).to_string()));
            self.push(path, DiffOp::Reordered, Some(names(b)), Some(names(a)), vec![]);
        }
    }

    fn text(&mut self, path: &str, before: &Value, after: &Value) {
        let (b, a) = (before.as_str().unwrap_or(""), after.as_str().unwrap_or(""));
        let lines = text::line_diff(b, a);
        let shown = |s: &str| (!s.is_empty()).then(|| text::preview(s));
        self.push(path, op(before, after), shown(b), shown(a), lines);
    }

    fn leaf(&mut self, path: &str, before: &Value, after: &Value) {
        let shown = |v: &Value| (!is_blank(v)).then(|| self.show.value(v));
        let (b, a) = (shown(before), shown(after));
        self.push(path, op(before, after), b, a, vec![]);
    }

    fn secret(&mut self, path: &str, before: &Value, after: &Value) {
        let (had, has) = (secret::holds_value(before), secret::holds_value(after));
        let (op, b, a) = match (had, has) {
            (false, true) => (DiffOp::Added, None, Some(SENSITIVE)),
            (true, false) => (DiffOp::Removed, Some(SENSITIVE), None),
            _ => (DiffOp::Changed, Some(SENSITIVE), Some(SENSITIVE_CHANGED)),
        };
        self.push(path, op, b.map(str::to_string), a.map(str::to_string), vec![]);
    }

    fn push(&mut self, path: &str, op: DiffOp, before: Option<String>, after: Option<String>, lines: Vec<String>) {
        self.out.entries.push(FieldDiff {
            path: path.to_string(),
            op,
            before,
            after,
            lines,
        });
    }
}

fn op(before: &Value, after: &Value) -> DiffOp {
    match (is_blank(before), is_blank(after)) {
        (true, _) => DiffOp::Added,
        (_, true) => DiffOp::Removed,
        _ => DiffOp::Changed,
    }
}

/// `Phases`, `Phases[Prod].Name`, or `Properties["Octopus.Action.Script.ScriptBody"]` for a key that is
/// not a plain word.
fn field_path(parent: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || c == '_');
    match (parent.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{parent}.{key}"),
        (_, false) => format!("{parent}[{}]", Value::String(key.to_string())),
    }
}

/// True when both sides are arrays (or empty) and some element is an object or an array: such
/// arrays are compared element by element, arrays of plain values as one value.
fn has_structured_elements(before: &Value, after: &Value) -> bool {
    match (elements_of(before), elements_of(after)) {
        (Some(b), Some(a)) => b.iter().chain(a).any(|e| e.is_object() || e.is_array()),
        _ => false,
    }
}

/// The elements of an array, none of an empty value, `None` for anything else.
fn elements_of(value: &Value) -> Option<&[Value]> {
    match value {
        Value::Array(items) => Some(items),
        _ if is_blank(value) => Some(&[]),
        _ => None,
    }
}

fn is_long_text(before: &Value, after: &Value) -> bool {
    [before, after].iter().any(|v| v.as_str().is_some_and(text::is_long))
}

/// The matching keys of the elements' names, when every element is an object with a distinct name.
fn distinct_names(elements: &[Value]) -> Option<Vec<String>> {
    let mut keys: Vec<String> = Vec::with_capacity(elements.len());
    for element in elements {
        let key = name_key(element.get("Name")?.as_str()?);
        if key.is_empty() || keys.contains(&key) {
            return None;
        }
        keys.push(key);
    }
    Some(keys)
}

#[cfg(test)]
mod tests;
