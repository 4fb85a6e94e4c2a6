//! A process merge as a stage plans it, the same for a deployment process and a runbook process:
//! one PUT of the whole document when the merge changes it, the steps and actions as before →
//! after, a count of what happened to them, and the merge's warnings, clean-up and errors.

use super::{Outcome, ProcessMerge};
use crate::kind::Kind;
use crate::report::Action;
use crate::snapshot::{id_of, Snapshot};
use crate::sync::{OwnedTarget, OwnedWrite, Planned};

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
