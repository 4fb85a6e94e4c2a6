//! What the merge decided, step by step and action by action, and how a plan shows it: steps and
//! actions added, changed (before → after of the changed fields, scripts as a short line diff),
//! removed; sensitive values never shown.

use crate::report::{CleanupItem, DiffOp, FieldDiff};
use crate::snapshot::{name_key, name_of, Snapshot};
use crate::sync::diff;
use serde_json::{json, Value};

/// What happens to one step or action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// New on the destination.
    Add,
    /// The destination's, changed to follow the source.
    Update,
    /// The destination's already equals the source's after translation.
    Unchanged,
    /// The destination's, left as it is (destination-only, or the source's was skipped).
    Keep,
    /// The destination's, removed (`OCTOSYNC_PROCESS_CLONING_OPTION=SourceOnly`).
    Remove,
    /// The source's is not synced and the destination has none of its name.
    Skip,
    /// Cannot be written (an id without a translation, a scope setting that stops the run).
    Error,
}

impl Outcome {
    /// `add`, `update`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Add => "add",
            Outcome::Update => "update",
            Outcome::Unchanged => "unchanged",
            Outcome::Keep => "keep",
            Outcome::Remove => "remove",
            Outcome::Skip => "skip",
            Outcome::Error => "error",
        }
    }
}

/// One decision about one action.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionDecision {
    /// The action's name.
    pub name: String,
    /// What happens.
    pub outcome: Outcome,
    /// Why, naming the setting that decided.
    pub reason: String,
    /// The destination's action, when it has one.
    pub before: Option<Value>,
    /// The action as written, for an add or update.
    pub after: Option<Value>,
    /// What a person must not miss (dropped scope references).
    pub warnings: Vec<String>,
}

/// One decision about one step, with its actions' decisions in the merged order.
#[derive(Debug, Clone, PartialEq)]
pub struct StepDecision {
    /// The step's name.
    pub name: String,
    /// What happens to the step as a whole.
    pub outcome: Outcome,
    /// Why.
    pub reason: String,
    /// The destination's step, when it has one.
    pub before: Option<Value>,
    /// The step as written (absent when removed or skipped).
    pub after: Option<Value>,
    /// Its actions.
    pub actions: Vec<ActionDecision>,
}

/// The merge's answer for one process.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessMerge {
    /// The destination's own process document (`Id`, `Version`, `ProjectId`/`RunbookId`) with the
    /// merged `Steps`. PUT it whole, and only through [`ProcessMerge::write`].
    pub document: Value,
    /// True when the merged steps differ from the destination's (content or order).
    pub changed: bool,
    /// One decision per step, in the merged order (removed steps where they stood).
    pub steps: Vec<StepDecision>,
    /// Every decision's warnings, each naming its step and action.
    pub warnings: Vec<String>,
    /// What a person must finish (sensitive parameters given the placeholder).
    pub cleanup: Vec<CleanupItem>,
    /// Why the process cannot be written; nothing may be written when there is one.
    pub errors: Vec<String>,
    /// The destination's step names in its own order (the plan says when the order changes).
    pub destination_order: Vec<String>,
}

impl ProcessMerge {
    /// The document to PUT: only when it differs from the destination's and nothing is in error.
    pub fn write(&self) -> Option<&Value> {
        (self.changed && self.errors.is_empty()).then_some(&self.document)
    }

    /// Every step and action added, changed or removed, as the plan shows it: paths
    /// `Steps[<step>]…` and `Steps[<step>].Actions[<action>]…`, ids named from `names` (the
    /// destination snapshot), long text as a line diff, sensitive values masked.
    pub fn diff(&self, names: &Snapshot) -> Vec<FieldDiff> {
        let mut out = Vec::new();
        let merged: Vec<String> = self
            .steps
            .iter()
            .filter(|s| s.after.is_some())
            .map(|s| s.name.clone())
            .collect();
        reordered(&mut out, "Steps", &self.destination_order, &merged);
        for step in &self.steps {
            let path = format!("Steps[{}]", step.name);
            match step.outcome {
                Outcome::Remove => out.push(entry(&path, DiffOp::Removed, Some(summary(step.before.as_ref())), None)),
                Outcome::Skip | Outcome::Error => {}
                _ => {
                    if step.before.is_none() {
                        out.push(entry(&path, DiffOp::Added, None, Some(summary(step.after.as_ref()))));
                    }
                    fields(&mut out, &path, step.before.as_ref(), step.after.as_ref(), names);
                    step_actions(&mut out, &path, step, names);
                }
            }
        }
        out
    }

    /// [`ProcessMerge::diff`] as text lines: `+ Steps[X]: …`, `~ …: before → after`.
    pub fn lines(&self, names: &Snapshot) -> Vec<String> {
        self.diff(names)
            .iter()
            .map(crate::sync::variables::decision::line)
            .collect()
    }
}

fn step_actions(out: &mut Vec<FieldDiff>, step_path: &str, step: &StepDecision, names: &Snapshot) {
    let of = |doc: Option<&Value>| -> Vec<String> {
        doc.and_then(|d| d.get("Actions"))
            .and_then(Value::as_array)
            .map(|a| a.iter().map(|x| name_of(x).to_string()).collect())
            .unwrap_or_default()
    };
    let (dest_order, merged) = (of(step.before.as_ref()), of(step.after.as_ref()));
    reordered(out, &format!("{step_path}.Actions"), &dest_order, &merged);
    for action in &step.actions {
        let path = format!("{step_path}.Actions[{}]", action.name);
        match action.outcome {
            Outcome::Add => {
                out.push(entry(
                    &path,
                    DiffOp::Added,
                    None,
                    Some(action_type(action.after.as_ref())),
                ));
                fields(out, &path, None, action.after.as_ref(), names);
            }
            Outcome::Update => fields(out, &path, action.before.as_ref(), action.after.as_ref(), names),
            Outcome::Remove => out.push(entry(
                &path,
                DiffOp::Removed,
                Some(action_type(action.before.as_ref())),
                None,
            )),
            _ => {}
        }
    }
}

/// A `Reordered` entry when the items both the destination and the merged list have are in
/// another order.
fn reordered(out: &mut Vec<FieldDiff>, path: &str, dest_order: &[String], merged: &[String]) {
    let within = |list: &[String], other: &[String]| -> Vec<String> {
        list.iter()
            .filter(|n| other.iter().any(|o| name_key(o) == name_key(n)))
            .cloned()
            .collect()
    };
    let (before, after) = (within(dest_order, merged), within(merged, dest_order));
    let keys = |v: &[String]| v.iter().map(|n| name_key(n)).collect::<Vec<_>>();
    if keys(&before) != keys(&after) {
        let list = |v: &[String]| format!("[{}]", v.join(", "));
        out.push(entry(path, DiffOp::Reordered, Some(list(&before)), Some(list(&after))));
    }
}

/// The fields of one step (without its actions) or action that differ, under `path`.
fn fields(out: &mut Vec<FieldDiff>, path: &str, before: Option<&Value>, after: Option<&Value>, names: &Snapshot) {
    let (b, a) = (shown(before), shown(after));
    out.extend(diff::diff(&b, &a, names).entries.into_iter().map(|mut e| {
        e.path = format!("{path}.{}", e.path);
        e
    }));
}

/// A step or action as a reviewer reads it: without its name (the path says it), its ids, links
/// and (for a step) its actions, which are shown one by one.
fn shown(doc: Option<&Value>) -> Value {
    let mut map = doc.and_then(Value::as_object).cloned().unwrap_or_default();
    for field in ["Id", "Name", "Slug", "Links", "Actions"] {
        map.remove(field);
    }
    for package in map
        .get_mut("Packages")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        if let Some(p) = package.as_object_mut() {
            p.remove("Id");
        }
    }
    Value::Object(map)
}

fn summary(step: Option<&Value>) -> String {
    let actions: Vec<String> = step
        .and_then(|s| s.get("Actions"))
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|x| json!(name_of(x)).to_string()).collect())
        .unwrap_or_default();
    format!("step with {} action(s): {}", actions.len(), actions.join(", "))
}

fn action_type(action: Option<&Value>) -> String {
    let t = action
        .and_then(|a| a.get("ActionType"))
        .and_then(Value::as_str)
        .unwrap_or("?");
    format!("{t} action")
}

fn entry(path: &str, op: DiffOp, before: Option<String>, after: Option<String>) -> FieldDiff {
    FieldDiff {
        path: path.to_string(),
        op,
        before,
        after,
        lines: vec![],
    }
}
