//! What script modules and library variable sets share: Octopus names both from one list (so a
//! name the other kind holds on the destination cannot be created), and each keeps its content in
//! the variable set it owns, which must have been read for either side to be planned.

use super::{document, PlanContext, Planned};
use crate::kind::Kind;
use crate::report::Action;
use crate::snapshot::{id_of, name_of, Snapshot};
use serde_json::Value;

/// The skip for an item of `kind` named `name` when the destination's item of that name is of
/// the other kind; `fix` says what a person can do.
pub fn name_held_by_other_kind(ctx: &PlanContext<'_>, kind: Kind, name: &str, fix: &str) -> Option<Planned> {
    let other = match kind {
        Kind::ScriptModule => Kind::LibraryVariableSet,
        _ => Kind::ScriptModule,
    };
    let held = ctx.destination.by_name(other, name)?;
    let noun = other.label().to_lowercase();
    Some(
        Planned::no_write(kind, name, Action::Skip, format!("a {noun} of this name exists on the destination"))
            .warnings([format!(
                "not synced: the destination's '{}' is a {noun}, and Octopus names script modules and library variable sets from one list. {fix}",
                name_of(held)
            )])
            .at(id_of(held)),
    )
}

/// The variable set `item` owns in `side`'s snapshot, or the skip that says it could not be read
/// (`side` is `source` or `destination`).
pub fn owned_variables(
    snapshot: &Snapshot,
    side: &str,
    kind: Kind,
    item: &Value,
    name: &str,
) -> Result<Value, Box<Planned>> {
    match snapshot.document(Kind::VariableSet, document::str_field(item, "VariableSetId")) {
        Some(set) => Ok(set.into_owned()),
        None => {
            let mut p = Planned::no_write(
                kind,
                name,
                Action::Skip,
                format!("its variable set could not be read from the {side}"),
            )
            .warnings([format!(
                "not synced: the {side} did not return the variable set this {} keeps its content in; check the {side} key may read variables",
                kind.label().to_lowercase()
            )]);
            if side == "destination" {
                p = p.at(id_of(item));
            }
            Err(Box::new(p))
        }
    }
}
