//! The stages: one file per kind, each planning its changes from two snapshots and the rules.
//!
//! Planning is pure (no I/O, deterministic); the engine hands the planned writes to an applier.

pub mod diff;
pub mod document;
pub mod environments;
pub mod lifecycles;
pub mod project_groups;
pub mod tenant_tag_sets;

use crate::kind::Kind;
use crate::report::{Action, Change, CleanupItem};
use crate::rules::Rules;
use crate::settings::selector::Selector;
use crate::snapshot::Snapshot;
use crate::translate::Translator;
use serde_json::{json, Value};

/// What a stage sees.
pub struct PlanContext<'a> {
    /// The source space.
    pub source: &'a Snapshot,
    /// The destination space, including what earlier stages created.
    pub destination: &'a Snapshot,
    /// The delta policy.
    pub rules: &'a Rules,
    /// Which source items of this stage's kind are in scope.
    pub selector: &'a Selector,
}

impl<'a> PlanContext<'a> {
    /// The translator between the two snapshots.
    pub fn translator(&self) -> Translator<'a> {
        Translator::new(self.source, self.destination)
    }

    /// Selected source items of `kind`, in source order.
    pub fn selected(&self, kind: Kind) -> impl Iterator<Item = &'a Value> + '_ {
        self.source
            .items(kind)
            .iter()
            .filter(move |d| self.selector.matches(crate::snapshot::name_of(d)))
    }
}

/// A write to make.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// POST a new item.
    Create {
        /// The body.
        body: Value,
    },
    /// PUT the destination's own document back with our fields overlaid.
    Update {
        /// Destination id.
        id: String,
        /// The whole document.
        body: Value,
    },
}

/// One planned decision.
#[derive(Debug, Clone)]
pub struct Planned {
    /// Kind of the item.
    pub kind: Kind,
    /// What the report says.
    pub change: Change,
    /// The write, when the action writes.
    pub write: Option<Write>,
    /// Follow-ups for a person.
    pub cleanup: Vec<CleanupItem>,
    /// Set when the rules say the run must stop.
    pub fatal: Option<String>,
}

impl Planned {
    /// A decision without a write.
    pub fn no_write(kind: Kind, name: &str, action: Action, reason: impl Into<String>) -> Planned {
        Planned {
            kind,
            change: Change {
                kind: kind.label().to_string(),
                name: name.to_string(),
                action,
                reason: reason.into(),
                changed_fields: vec![],
                diff: vec![],
                notes: vec![],
                destination_id: None,
                error: None,
            },
            write: None,
            cleanup: vec![],
            fatal: None,
        }
    }

    /// A create of `body`; the report shows its fields as added, ids named from the destination.
    pub fn create(ctx: &PlanContext<'_>, kind: Kind, name: &str, reason: impl Into<String>, body: Value) -> Planned {
        let mut p = Planned::no_write(kind, name, Action::Create, reason);
        p.change.changed_fields = body
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        p.change.diff = diff::diff(&json!({}), &body, ctx.destination).entries;
        p.write = Some(Write::Create { body });
        p
    }

    /// An update of the destination's document `before` to `after` (the same document with our fields
    /// overlaid); the report shows every field that differs, before → after.
    pub fn update(
        ctx: &PlanContext<'_>,
        kind: Kind,
        name: &str,
        reason: impl Into<String>,
        before: &Value,
        after: Value,
    ) -> Planned {
        let id = crate::snapshot::id_of(before).to_string();
        let d = diff::diff(before, &after, ctx.destination);
        let mut p = Planned::no_write(kind, name, Action::Update, reason);
        p.change.changed_fields = d.fields;
        p.change.diff = d.entries;
        p.change.destination_id = Some(id.clone());
        p.write = Some(Write::Update { id, body: after });
        p
    }

    /// Records the destination item this decision is about.
    pub fn at(mut self, destination_id: &str) -> Planned {
        self.change.destination_id = Some(destination_id.to_string());
        self
    }

    /// Adds a note.
    pub fn note(mut self, note: impl Into<String>) -> Planned {
        self.change.notes.push(note.into());
        self
    }

    /// Adds notes.
    pub fn notes(mut self, notes: impl IntoIterator<Item = String>) -> Planned {
        self.change.notes.extend(notes);
        self
    }
}

/// A stage of the sync.
pub trait Stage: Send + Sync {
    /// The kind it syncs.
    fn kind(&self) -> Kind;
    /// Plans the changes; pure.
    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned>;
}

/// The stages in dependency order (reference §6, seed 003 "Syncing Order").
pub fn stages() -> Vec<Box<dyn Stage>> {
    vec![
        Box::new(environments::Environments),
        Box::new(project_groups::ProjectGroups),
        Box::new(tenant_tag_sets::TenantTagSets),
        Box::new(lifecycles::Lifecycles),
    ]
}
