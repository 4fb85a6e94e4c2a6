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
/// 2: every change carries `diff` (its field-level before → after) and `warnings`; the summary says
/// what was planned (`planned_create`, `planned_update`, `planned_reorder`) apart from what this run
/// did (`created`, `updated`, `reordered`), replacing version 1's `create` and `update`; the action
/// `reorder`.
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
    /// The collection is put in order: the destination's own items where they are, the new ones
    /// after them in the source's order.
    Reorder,
}

impl Action {
    /// Lower-case name as used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Unchanged => "unchanged",
            Action::Skip => "skip",
            Action::Reorder => "reorder",
        }
    }

    /// True for actions that write to the destination.
    pub fn writes(self) -> bool {
        matches!(self, Action::Create | Action::Update | Action::Reorder)
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
    /// Finer-grained notes: a tag added, the phases a lifecycle will have.
    #[serde(default)]
    pub notes: Vec<String>,
    /// What a person must not miss: a reference dropped from what is written, a phase left out.
    /// Each is also a warning in the task log.
    #[serde(default)]
    pub warnings: Vec<String>,
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

/// Counts over all changes. The planned figures are the plan's; `created` and `updated` are what
/// this run wrote (0 in plan mode and in an apply that was refused or had nothing to do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Items the plan creates.
    pub planned_create: usize,
    /// Items the plan updates.
    pub planned_update: usize,
    /// Collections the plan puts in order (new items placed after the destination's own).
    #[serde(default)]
    pub planned_reorder: usize,
    /// Items this run created.
    pub created: usize,
    /// Items this run updated.
    pub updated: usize,
    /// Collections this run put in order.
    #[serde(default)]
    pub reordered: usize,
    /// Items already in sync.
    pub unchanged: usize,
    /// Items left alone by the rules.
    pub skipped: usize,
    /// Clean-up items for a person.
    pub cleanup: usize,
    /// Warnings on changes: references dropped from what is (or would be) written.
    pub warnings: usize,
    /// Failed changes and run errors.
    pub errors: usize,
    /// True when the plan has nothing to write and nothing failed.
    pub in_sync: bool,
}

impl Summary {
    /// Writes this run made.
    pub fn written(&self) -> usize {
        self.created + self.updated + self.reordered
    }

    /// ", N collection order(s) …" for the summary line; empty without orders.
    fn orders(n: usize, verb: &str) -> String {
        match n {
            0 => String::new(),
            n => format!(", {n} collection order(s) {verb}"),
        }
    }
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
    /// How the limit on requests in flight moved (absent in reports of earlier versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<ConcurrencyHistory>,
}

/// How the adaptive limit on requests in flight to one instance moved during a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConcurrencyHistory {
    /// The ceiling (`OCTOSYNC_CONCURRENCY`).
    pub ceiling: usize,
    /// The limit at the start: 8, or the ceiling if lower.
    pub start: usize,
    /// The highest limit reached.
    pub highest: usize,
    /// The lowest limit reached (the start when it was never halved).
    pub lowest: usize,
    /// How often the limit was halved (after 429/503, timeouts or slower answers).
    pub decreases: u64,
}

impl ConcurrencyHistory {
    /// E.g. `up to 14 requests in flight of at most 32 (started at 8; halved twice after 429/503,
    /// timeouts or slower answers, to 4 at the lowest)`.
    pub fn describe(&self) -> String {
        let halved = match self.decreases {
            0 => "never halved".to_string(),
            n => format!(
                "halved {} after 429/503, timeouts or slower answers, to {} at the lowest",
                times(n),
                self.lowest
            ),
        };
        format!(
            "up to {} request(s) in flight of at most {} (started at {}; {halved})",
            self.highest, self.ceiling, self.start
        )
    }
}

/// `once`, `twice`, `3 times`.
fn times(n: u64) -> String {
    match n {
        1 => "once".to_string(),
        2 => "twice".to_string(),
        n => format!("{n} times"),
    }
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
    /// Terraform-style one-line summary of what this run did, e.g. `Plan: 2 to add, 1 to change, …`.
    pub fn summary_line(&self) -> String {
        let s = &self.summary;
        let rest = |s: &Summary| {
            let mut tail = format!(
                "{} unchanged, {} skipped, {} clean-up item(s)",
                s.unchanged, s.skipped, s.cleanup
            );
            if s.warnings > 0 {
                tail.push_str(&format!(", {} warning(s)", s.warnings));
            }
            if s.errors > 0 {
                tail.push_str(&format!(", {} error(s)", s.errors));
            }
            tail
        };
        if self.plan_fingerprint.is_empty() {
            return format!(
                "{} failed before planning: nothing was written ({} error(s)).",
                if self.mode == Mode::Plan { "Plan" } else { "Apply" },
                s.errors
            );
        }
        match self.mode {
            Mode::Plan => format!(
                "Plan: {} to add, {} to change{}, {}.",
                s.planned_create,
                s.planned_update,
                Summary::orders(s.planned_reorder, "to set"),
                rest(s)
            ),
            Mode::Apply if self.applied && self.stopped.is_some() => format!(
                "Apply stopped: {} added, {} changed{} of {} planned write(s); {}.",
                s.created,
                s.updated,
                Summary::orders(s.reordered, "set"),
                s.planned_create + s.planned_update + s.planned_reorder,
                rest(s)
            ),
            // The rules or a changed plan stopped it before any write.
            Mode::Apply if !self.applied && self.stopped.is_some() => format!(
                "Apply refused: nothing was written ({} error(s); the plan had {} to add, {} to change).",
                s.errors, s.planned_create, s.planned_update
            ),
            Mode::Apply if !self.applied => {
                format!("Apply complete: nothing to change, nothing was written; {}.", rest(s))
            }
            Mode::Apply => format!(
                "Apply complete: {} added, {} changed{}, {}.",
                s.created,
                s.updated,
                Summary::orders(s.reordered, "set"),
                rest(s)
            ),
        }
    }

    /// Passes every string of the report through `redactor`, in place (reports leave octosync as
    /// artifacts, which Octopus uploads as they are). On an error the report must not be written.
    ///
    /// Each change is redacted on its own: a first sync's report holds thousands of changes, and
    /// one JSON tree of all of them would cost several times the report's size at once.
    pub fn redact(&mut self, redactor: &crate::redact::Redactor) -> anyhow::Result<()> {
        let changes = std::mem::take(&mut self.changes);
        *self = redact_all(&*self, redactor)?;
        self.changes = changes
            .into_iter()
            .map(|c| redact_all(&c, redactor))
            .collect::<anyhow::Result<_>>()?;
        Ok(())
    }
}

/// A copy of `item` in which every string has passed through `redactor`. Fails closed: what
/// cannot be redacted is not written at all.
fn redact_all<T>(item: &T, redactor: &crate::redact::Redactor) -> anyhow::Result<T>
where
    T: Serialize + serde::de::DeserializeOwned,
{
    fn walk(v: &mut serde_json::Value, r: &crate::redact::Redactor) {
        match v {
            serde_json::Value::String(s) => *s = r.redact(s),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|i| walk(i, r)),
            serde_json::Value::Object(map) => map.values_mut().for_each(|i| walk(i, r)),
            _ => {}
        }
    }
    use anyhow::Context as _;
    let mut value = serde_json::to_value(item).context("could not prepare the report for redaction")?;
    walk(&mut value, redactor);
    serde_json::from_value(value).context("could not read the report back after redaction")
}

/// An output variable as the step sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputVariable {
    /// Name, as in `Octopus.Action[<step>].Output.<name>`.
    pub name: &'static str,
    /// Value for this run.
    pub value: String,
    /// What it means, for the README and the step template.
    pub meaning: &'static str,
}

/// The output variables' names and meanings, for the README and the step template.
pub fn output_variable_meanings() -> Vec<(&'static str, &'static str)> {
    let endpoint = || Endpoint {
        url: String::new(),
        space: String::new(),
        space_id: None,
        version: None,
    };
    let blank = Report {
        format_version: REPORT_FORMAT_VERSION,
        tool_version: String::new(),
        mode: Mode::Plan,
        started_at: String::new(),
        duration_ms: 0,
        source: endpoint(),
        destination: endpoint(),
        summary: Summary::default(),
        plan_fingerprint: String::new(),
        changes: vec![],
        cleanup: vec![],
        errors: vec![],
        requests: BTreeMap::new(),
        applied: false,
        stopped: None,
    };
    output_variables(&blank)
        .into_iter()
        .map(|v| (v.name, v.meaning))
        .collect()
}

/// The output variables as a Markdown table, as the README shows them.
pub fn output_variables_markdown() -> String {
    let mut out = String::from("| Output variable | Meaning |\n|---|---|\n");
    for (name, meaning) in output_variable_meanings() {
        out.push_str(&format!("| `{name}` | {meaning} |\n"));
    }
    out
}

/// Every output variable a run sets, in order, with its value for `report`.
pub fn output_variables(report: &Report) -> Vec<OutputVariable> {
    let s = &report.summary;
    let flag = |b: bool| if b { "True" } else { "False" }.to_string();
    let v = |name, value: String, meaning| OutputVariable { name, value, meaning };
    vec![
        v("Applied", flag(s.written() > 0), "`True` when this run wrote anything to the destination, else `False` (plan mode, a refused apply, nothing to change, or every write failed)."),
        v("Created", s.created.to_string(), "Items this run created (0 in plan mode and when nothing was written)."),
        v("Updated", s.updated.to_string(), "Items this run updated (0 in plan mode and when nothing was written)."),
        v("PlannedCreates", s.planned_create.to_string(), "Items the plan creates."),
        v("PlannedUpdates", s.planned_update.to_string(), "Items the plan updates (putting a collection in order is not counted here; the summary line names it)."),
        v("Unchanged", s.unchanged.to_string(), "Items already in sync."),
        v("Skipped", s.skipped.to_string(), "Items the rules left alone (each with its reason in the report)."),
        v("CleanupItems", s.cleanup.to_string(), "Things a person must finish by hand (listed in the report and as warnings)."),
        v("Warnings", s.warnings.to_string(), "References dropped from what is written, such as a phase environment the destination lacks."),
        v("Errors", s.errors.to_string(), "Failed writes and run errors; the step fails when it is not 0."),
        v("InSync", flag(s.in_sync), "`True` when the plan had nothing to write and no error was found."),
        v("PlanFingerprint", report.plan_fingerprint.clone(), "SHA-256 of every decision in the plan that shapes what is written; pass it to the apply step's *Approved plan fingerprint*. Empty when the run stopped before planning."),
    ]
}
