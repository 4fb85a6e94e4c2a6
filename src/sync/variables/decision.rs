//! What the engine decided, row by row, and how a plan shows it: each row added or changed as
//! before → after, scopes named, values of sensitive rows never shown.

use super::scope::{Scope, ScopeValues};
use crate::report::{CleanupItem, DiffOp, FieldDiff};
use crate::snapshot::Snapshot;
use crate::sync::diff::{self, display::Display};
use serde_json::{json, Map, Value};

/// What happens to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new destination row.
    Add,
    /// A destination row changed (value, description, prompt or scope).
    Update,
    /// Matched; nothing to write.
    Unchanged,
    /// The source row is not synced (its scope or typed value cannot be kept, or it would clash).
    Skip,
    /// A destination row no source row stands for (or one left alone): kept as it is.
    Keep,
    /// The source row's scope-match mode says the run must stop.
    Error,
}

impl Outcome {
    /// True when the decision changes the destination document.
    pub fn writes(self) -> bool {
        matches!(self, Outcome::Add | Outcome::Update)
    }

    /// `add`, `update`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Add => "add",
            Outcome::Update => "update",
            Outcome::Unchanged => "unchanged",
            Outcome::Skip => "skip",
            Outcome::Keep => "keep",
            Outcome::Error => "error",
        }
    }
}

/// One decision about one row: a source row and the destination row it stands for, or a source
/// row alone (added, skipped), or a destination row alone (kept).
#[derive(Debug, Clone, PartialEq)]
pub struct RowDecision {
    /// The variable's name.
    pub name: String,
    /// Name and scope for messages, e.g. `ConnectionString (Role: SQL-Server)`.
    pub label: String,
    /// What happens.
    pub outcome: Outcome,
    /// Why, naming the setting that decided.
    pub reason: String,
    /// The source rows this decision is about (positions in the source `Variables`); more than one
    /// when several source rows become the same new row.
    pub sources: Vec<usize>,
    /// The destination row it is about (position in the destination's `Variables`).
    pub destination: Option<usize>,
    /// That row's `Id`.
    pub destination_id: Option<String>,
    /// The destination row before, when there is one.
    pub before: Option<Value>,
    /// The row as written, for an add or update.
    pub after: Option<Value>,
    /// What a person must not miss (a scope narrowed, widened, a value left out).
    pub warnings: Vec<String>,
    /// Further detail.
    pub notes: Vec<String>,
}

impl RowDecision {
    /// A decision without rows attached.
    pub fn new(name: &str, label: String, outcome: Outcome, reason: impl Into<String>) -> RowDecision {
        RowDecision {
            name: name.to_string(),
            label,
            outcome,
            reason: reason.into(),
            sources: vec![],
            destination: None,
            destination_id: None,
            before: None,
            after: None,
            warnings: vec![],
            notes: vec![],
        }
    }

    /// The row's changes as the plan shows them, under `Variables[<label>]`: an added row as one
    /// entry, an updated row field by field. Scope ids are named from the destination set's
    /// `ScopeValues`, typed values from `names`; a sensitive value shows as `(sensitive)`.
    pub fn diff(&self, values: &ScopeValues<'_>, names: &Snapshot) -> Vec<FieldDiff> {
        let path = format!("Variables[{}]", self.label);
        match (self.outcome, &self.before, &self.after) {
            (Outcome::Add, _, Some(after)) => vec![FieldDiff {
                path,
                op: DiffOp::Added,
                before: None,
                after: Some(Display::new(names).value(&shown(after, values))),
                lines: vec![],
            }],
            (Outcome::Update, Some(before), Some(after)) => {
                diff::diff(&shown(before, values), &shown(after, values), names)
                    .entries
                    .into_iter()
                    .map(|mut e| {
                        e.path = format!("{path}.{}", e.path);
                        e
                    })
                    .collect()
            }
            _ => vec![],
        }
    }
}

/// A row as a reviewer reads it: no id or name (the path says which row), scope ids as names, and
/// a sensitive value as a sensitive-value object, which every renderer masks.
fn shown(row: &Value, values: &ScopeValues<'_>) -> Value {
    let sensitive = row.get("IsSensitive").and_then(Value::as_bool) == Some(true)
        || row
            .get("Type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("Sensitive"));
    let mut out = Map::new();
    out.insert(
        "Value".into(),
        if sensitive {
            json!({"HasValue": true})
        } else {
            row.get("Value").cloned().unwrap_or(Value::Null)
        },
    );
    if let Some(t) = row.get("Type").filter(|t| t.as_str() != Some("String")) {
        out.insert("Type".into(), t.clone());
    }
    for field in ["Description", "Prompt"] {
        if let Some(v) = row.get(field) {
            out.insert(field.into(), v.clone());
        }
    }
    out.insert("Scope".into(), Scope::of(row).named(values));
    Value::Object(out)
}

/// The engine's answer for one variable set.
#[derive(Debug, Clone, PartialEq)]
pub struct Merge {
    /// The destination's own document with rows added or changed (matched rows keep their `Id`;
    /// new rows have none, for the server to assign). PUT it whole, and only when `changed`.
    pub document: Value,
    /// True when `document`'s rows differ from the destination's.
    pub changed: bool,
    /// One decision per source row and per destination row, source rows first, each in its set's
    /// order.
    pub decisions: Vec<RowDecision>,
    /// What a person must finish (placeholders, missing typed values, sensitivity clashes).
    pub cleanup: Vec<CleanupItem>,
    /// Every decision's warnings.
    pub warnings: Vec<String>,
    /// Set when a scope-match mode says the run must stop; nothing may be written then.
    pub fatal: Vec<String>,
}

impl Merge {
    /// The document to PUT: only when it differs from the destination's and nothing is fatal.
    pub fn write(&self) -> Option<&Value> {
        (self.changed && self.fatal.is_empty()).then_some(&self.document)
    }

    /// Every row added or changed as the plan shows it (see [`RowDecision::diff`]); a stage puts
    /// this in place of a whole-document diff, which could only address rows by position.
    pub fn diff(&self, names: &Snapshot) -> Vec<FieldDiff> {
        let values = ScopeValues::of(&self.document);
        self.decisions.iter().flat_map(|d| d.diff(&values, names)).collect()
    }

    /// [`Merge::diff`] as text lines: `+ Variables[X (unscoped)]: {…}`, `~ …: before → after`.
    pub fn lines(&self, names: &Snapshot) -> Vec<String> {
        self.diff(names).iter().map(line).collect()
    }
}

/// One diff entry as a line of text.
pub fn line(e: &FieldDiff) -> String {
    let none = || "(none)".to_string();
    match e.op {
        DiffOp::Added => format!("+ {}: {}", e.path, e.after.clone().unwrap_or_else(none)),
        DiffOp::Removed => format!("- {}: {}", e.path, e.before.clone().unwrap_or_else(none)),
        DiffOp::Changed | DiffOp::Reordered => format!(
            "~ {}: {} → {}",
            e.path,
            e.before.clone().unwrap_or_else(none),
            e.after.clone().unwrap_or_else(none)
        ),
    }
}
