//! A process merge as a stage plans it, the same for a deployment process and a runbook process:
//! one PUT of the whole document when the merge changes it, the steps and actions as before →
//! after, a count of what happened to them, and the merge's warnings, clean-up and errors.

use super::{Channels, Outcome, Owner, ProcessMerge};
use crate::kind::Kind;
use crate::report::Action;
use crate::snapshot::{id_of, name_of, Snapshot};
use crate::sync::{document, OwnedTarget, OwnedWrite, PlanContext, Planned};
use serde_json::Value;

/// One process to plan: the items that own it on both sides (a project, or a runbook) and the
/// projects they belong to (whose channels its actions may name).
pub struct Process<'a> {
    /// `Kind::Project` or `Kind::Runbook`.
    pub owner_kind: Kind,
    /// The source's owner and the destination's.
    pub owners: (&'a Value, &'a Value),
    /// The source's project and the destination's.
    pub projects: (&'a Value, &'a Value),
    /// How the report names the decision.
    pub name: String,
}

/// The process `owner` (of `owner_kind`) owns in `snapshot`, found through its link field.
pub fn process_of(snapshot: &Snapshot, owner_kind: Kind, owner: &Value) -> Option<Value> {
    let (field, kind) = owner_kind
        .owned_documents()
        .iter()
        .find(|(_, k)| matches!(k, Kind::DeploymentProcess | Kind::RunbookProcess))?;
    snapshot
        .document(*kind, document::str_field(owner, field))
        .map(std::borrow::Cow::into_owned)
}

/// The channels of `project` in `snapshot`.
fn channels_of(snapshot: &Snapshot, project: &Value) -> Vec<Value> {
    snapshot.owned_by(Kind::Channel, id_of(project)).cloned().collect()
}

/// Merges the source's process into the destination's and plans the result (see [`into_planned`]);
/// a process either side did not return is a skip with a warning, never a guess.
pub fn plan(ctx: &PlanContext<'_>, p: Process<'_>) -> Planned {
    let (src_owner, dest_owner) = p.owners;
    let runbook = (p.owner_kind == Kind::Runbook).then(|| name_of(dest_owner));
    let processes = (
        process_of(ctx.source, p.owner_kind, src_owner),
        process_of(ctx.destination, p.owner_kind, dest_owner),
    );
    let (Some(src_process), Some(dest_process)) = processes else {
        let whose = p.owner_kind.label().to_lowercase();
        return Planned::no_write(p.owner_kind, &p.name, Action::Skip, "its process could not be read")
            .warnings([format!(
                "not synced: a process of this {whose} was not returned; check that both API keys may read {whose}s and their processes"
            )])
            .at(id_of(dest_owner));
    };
    let (src_channels, dest_channels) = (
        channels_of(ctx.source, p.projects.0),
        channels_of(ctx.destination, p.projects.1),
    );
    let owner = Owner {
        project: name_of(p.projects.1),
        runbook,
        channels: Channels {
            source: &src_channels,
            destination: &dest_channels,
        },
    };
    let m = super::merge(
        &src_process,
        Some(&dest_process),
        &ctx.translator(),
        &ctx.rules.process,
        &owner,
    );
    let owned = match p.owner_kind {
        Kind::Runbook => Kind::RunbookProcess,
        _ => Kind::DeploymentProcess,
    };
    into_planned(p.owner_kind, owned, &p.name, &dest_process, &m, ctx.destination)
}

/// The decision about one process owned by an item of `owner_kind` (a project or a runbook) named
/// `name` in the report, whose destination process is `dest_process` (an `owned` document).
pub fn into_planned(
    owner_kind: Kind,
    owned: Kind,
    name: &str,
    dest_process: &serde_json::Value,
    m: &ProcessMerge,
    names: &Snapshot,
) -> Planned {
    let mut p = Planned::no_write(owner_kind, name, Action::Unchanged, "its steps match the source's")
        .at(id_of(dest_process))
        .notes(summary(m));
    p.cleanup.extend(m.cleanup.iter().cloned());
    p = p.warnings(m.warnings.iter().cloned());
    if !m.errors.is_empty() {
        p.change.action = Action::Skip;
        p.change.reason = "it cannot be written: nothing of it is".into();
        p.change.error = Some(m.errors.join("; "));
        return p;
    }
    let Some(document) = m.write() else {
        return p;
    };
    p.change.reason = "its steps differ from the source's".into();
    p.change.changed_fields.push("Steps".into());
    p.change.diff = m.diff(names);
    p.then_owned(OwnedWrite {
        kind: owned,
        target: OwnedTarget::Existing {
            id: id_of(dest_process).to_string(),
            body: document.clone(),
        },
    })
}

/// `steps: 2 added, 1 changed, 9 unchanged; actions: …`, leaving out outcomes that did not occur.
fn summary(m: &ProcessMerge) -> Option<String> {
    let count = |outcomes: &mut dyn Iterator<Item = Outcome>| {
        let mut counts: Vec<(Outcome, usize)> = Vec::new();
        for o in outcomes {
            match counts.iter_mut().find(|(k, _)| *k == o) {
                Some((_, n)) => *n += 1,
                None => counts.push((o, 1)),
            }
        }
        counts
            .iter()
            .map(|(o, n)| format!("{n} {}", word(*o)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if m.steps.is_empty() {
        return None;
    }
    let steps = count(&mut m.steps.iter().map(|s| s.outcome));
    let actions = count(&mut m.steps.iter().flat_map(|s| s.actions.iter().map(|a| a.outcome)));
    Some(if actions.is_empty() {
        format!("steps: {steps}")
    } else {
        format!("steps: {steps}; actions: {actions}")
    })
}

fn word(o: Outcome) -> &'static str {
    match o {
        Outcome::Add => "added",
        Outcome::Update => "changed",
        Outcome::Unchanged => "unchanged",
        Outcome::Keep => "kept as the destination has it",
        Outcome::Remove => "removed",
        Outcome::Skip => "skipped",
        Outcome::Error => "in error",
    }
}
