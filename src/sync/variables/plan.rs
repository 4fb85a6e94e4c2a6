//! A merge as a stage plans it, the same for every owner of variables: the one PUT of the whole
//! set (without its read-only lookup tables) when the merge changes it, the rows as before → after,
//! and the engine's warnings, clean-up entries, unwritten rows and fatal rule.

use super::{Merge, Outcome};
use crate::kind::Kind;
use crate::report::Action;
use crate::snapshot::{strip_fields, Snapshot};
use crate::sync::{OwnedTarget, OwnedWrite, Planned};

/// `p` with `m` added: when `existing_set` (the destination set's id) is given and the merge
/// changes it, the PUT of that set follows `p`'s own write; `owner` names the owner in a fatal
/// rule. Nothing of the set is written when the engine says the run must stop.
pub fn into_planned(mut p: Planned, m: &Merge, names: &Snapshot, existing_set: Option<&str>, owner: &str) -> Planned {
    if let (Some(id), Some(doc)) = (existing_set, m.write()) {
        let mut body = doc.clone();
        // Read-only lookup tables: the server computes them and ignores them on a PUT.
        strip_fields(&mut body, &["ScopeValues"]);
        p = p.then_owned(OwnedWrite {
            kind: Kind::VariableSet,
            target: OwnedTarget::Existing {
                id: id.to_string(),
                body,
            },
        });
    }
    let rows = m.diff(names);
    if !rows.is_empty() {
        p.change.changed_fields.push("Variables".into());
        p.change.diff.extend(rows);
    }
    if !m.fatal.is_empty() {
        p.write = None;
        p.change.action = Action::Skip;
        p.fatal = Some(format!("{owner}: {}", m.fatal.join("; ")));
    }
    p.cleanup.extend(m.cleanup.iter().cloned());
    let unwritten = m
        .decisions
        .iter()
        .filter(|d| matches!(d.outcome, Outcome::Skip | Outcome::Error))
        .map(|d| format!("variable {}: {}", d.label, d.reason));
    p.warnings(m.warnings.iter().cloned()).notes(unwritten)
}
