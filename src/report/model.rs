//! The report model: what a run decided and did, independent of how it is rendered.
//!
//! The JSON form of [`Report`] is a stable, versioned contract (`format_version`); add fields, never
//! rename or remove them without bumping [`REPORT_FORMAT_VERSION`]. Nothing in here may hold a secret:
//! values reach the report only through [`FieldDiff`]s, which `sync::diff` builds with every sensitive
//! value masked.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the JSON report format; bump on any incompatible change.
///
/// 2: every change carries `diff`, its field-level before → after.
pub const REPORT_FORMAT_VERSION: u32 = 2;

/// Whether the run only planned or also applied its changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Nothing is written to the destination.
    Plan,
    /// Changes are written to the destination.
    Apply,
}

impl Mode {
    /// Lower-case name as used in settings and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Plan => "plan",
            Mode::Apply => "apply",
        }
    }
}

/// What happens (or would happen) to one destination item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// The item is missing on the destination and is created.
    Create,
    /// The item exists and some fields we own differ.
    Update,
    /// The item exists and already matches; nothing is written.
    Unchanged,
    /// The rules say to leave this item alone (reason given).
    Skip,
}

impl Action {
    /// Lower-case name as used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Unchanged => "unchanged",
            Action::Skip => "skip",
        }
    }

    /// True for actions that write to the destination.
    pub fn writes(self) -> bool {
        matches!(self, Action::Create | Action::Update)
    }
}

/// One decision about one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Resource kind in Octopus terms, e.g. `Environment`, `Lifecycle`.
    pub kind: String,
    /// Name of the item (the matching key).
    pub name: String,
    /// What happens to it.
    pub action: Action,
    /// Why, in words an administrator understands.
    pub reason: String,
    /// Names of the fields that are (or would be) written; empty unless `action` writes. For an update,
    /// the top-level fields of `diff`; for a create, every field of the new item.
    #[serde(default)]
    pub changed_fields: Vec<String>,
    /// What is written, field by field: an update's before → after, a create's fields as added.
    /// Empty unless `action` writes.
    #[serde(default)]
    pub diff: Vec<FieldDiff>,
    /// Finer-grained notes: a tag added, a phase dropped, a reference that could not be satisfied.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Destination id after the run, when known (placeholder ids are never reported).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_id: Option<String>,
    /// Set when applying this change failed; the message says what to fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// How one field differs between the destination's document and the one written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiffOp {
    /// The destination has no value here (or an empty one); `before` is absent.
    Added,
    /// The written document has no value here; `after` is absent.
    Removed,
    /// Both have a value and they differ.
    Changed,
    /// The same named elements in another order; `before` and `after` list their names.
    Reordered,
}

impl DiffOp {
    /// The sign a plan shows for it, as Terraform does: `+`, `-`, `~`.
    pub fn sign(self) -> &'static str {
        match self {
            DiffOp::Added => "+",
            DiffOp::Removed => "-",
            DiffOp::Changed | DiffOp::Reordered => "~",
        }
    }
}

/// One field that differs, with its values in display form: strings quoted as JSON, numbers and
/// booleans as JSON, Octopus ids as `Name (Id)` (a planned item as `(new) Name`), lists as `[a, b]`,
/// objects as `{Key: value, …}` without empty fields, long text as `"first line…" (N lines)`, and
/// every sensitive value as `(sensitive)` or `(sensitive value changed)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDiff {
    /// Where the field is, e.g. `Phases[Production].AutomaticDeploymentTargets`: array elements that
    /// have a `Name` by name, others by index; keys that are not plain words as `["Octopus.Action.X"]`.
    pub path: String,
    /// Added, removed, changed or reordered.
    pub op: DiffOp,
    /// The destination's value; `null` when added.
    pub before: Option<String>,
    /// The value written; `null` when removed.
    pub after: Option<String>,
    /// For long text, a short line diff: lines start with `-`, `+` or a space, `…` between hunks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<String>,
}

/// Something a person has to finish by hand after the sync (a placeholder secret, a dropped binding).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleanupItem {
    /// Resource kind, e.g. `Account`.
    pub kind: String,
    /// Name of the item.
    pub name: String,
    /// What to do.
    pub action: String,
}

/// One side of the sync as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    /// Base URL of the instance (never carries credentials).
    pub url: String,
    /// Space name.
    pub space: String,
    /// Space id on that instance, when resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space_id: Option<String>,
    /// Octopus Server version from `GET /api`, when read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// Counts over all changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Items created (or to create).
    pub create: usize,
    /// Items updated (or to update).
    pub update: usize,
    /// Items already in sync.
    pub unchanged: usize,
    /// Items left alone by the rules.
    pub skipped: usize,
    /// Clean-up items for a person.
    pub cleanup: usize,
    /// Failed changes and run errors.
    pub errors: usize,
    /// True when nothing needs to be written and nothing failed.
    pub in_sync: bool,
}

/// Request counts of one instance: method → status → count, plus retries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestCounts {
    /// Requests by HTTP method, then by status code (or `error` for transport failures).
    pub by_method: BTreeMap<String, BTreeMap<String, u64>>,
    /// Attempts that were retried after a transient failure.
    pub retries: u64,
    /// All attempts.
    pub total: u64,
}

impl RequestCounts {
    /// Number of attempts made with `method` (any status).
    pub fn count(&self, method: &str) -> u64 {
        self.by_method.get(method).map(|s| s.values().sum()).unwrap_or(0)
    }

    /// Number of POST, PUT and DELETE attempts.
    pub fn writes(&self) -> u64 {
        ["POST", "PUT", "DELETE"].iter().map(|m| self.count(m)).sum()
    }
}

/// Everything a run reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`REPORT_FORMAT_VERSION`].
    pub format_version: u32,
    /// octosync's own version.
    pub tool_version: String,
    /// Plan or apply.
    pub mode: Mode,
    /// RFC 3339 start time (UTC).
    pub started_at: String,
    /// Wall-clock duration in milliseconds.
    pub duration_ms: u64,
    /// The source side.
    pub source: Endpoint,
    /// The destination side.
    pub destination: Endpoint,
    /// Counts.
    pub summary: Summary,
    /// Fingerprint of the plan (SHA-256 hex); equal fingerprints mean the same writes.
    pub plan_fingerprint: String,
    /// Every decision, in sync order.
    pub changes: Vec<Change>,
    /// Follow-ups for a person.
    pub cleanup: Vec<CleanupItem>,
    /// Run-level errors (a change's own error is on the change).
    pub errors: Vec<String>,
    /// Request counts per side: `source`, `destination`.
    pub requests: BTreeMap<String, RequestCounts>,
    /// True when this run went on to write (apply mode with a clean plan that had changes); the
    /// counts say which writes succeeded.
    #[serde(default)]
    pub applied: bool,
    /// Why the run stopped before its last stage, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
}

impl Report {
    /// Terraform-style one-line summary, e.g. `Plan: 2 to add, 1 to change, 5 unchanged, 1 skipped.`
    pub fn summary_line(&self) -> String {
        let s = &self.summary;
        match self.mode {
            Mode::Plan => format!(
                "Plan: {} to add, {} to change, {} unchanged, {} skipped, {} clean-up item(s).",
                s.create, s.update, s.unchanged, s.skipped, s.cleanup
            ),
            Mode::Apply if self.applied && self.stopped.is_some() => format!(
                "Apply stopped: {} added, {} changed before a write failed; {} error(s).",
                s.create, s.update, s.errors
            ),
            Mode::Apply if !self.applied && s.errors > 0 => {
                format!(
                    "Apply refused: nothing was written ({} error(s) in the plan).",
                    s.errors
                )
            }
            Mode::Apply => format!(
                "Apply complete: {} added, {} changed, {} unchanged, {} skipped, {} clean-up item(s){}.",
                s.create,
                s.update,
                s.unchanged,
                s.skipped,
                s.cleanup,
                if s.errors > 0 {
                    format!(", {} error(s)", s.errors)
                } else {
                    String::new()
                }
            ),
        }
    }
}
