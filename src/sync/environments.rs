//! Environments: created when missing, never updated (each instance rightly has its own details).

use super::{document, PlanContext, Planned, Stage};
use crate::kind::Kind;
use crate::report::Action;
use crate::snapshot::name_of;

/// The environments stage.
pub struct Environments;

impl Stage for Environments {
    fn kind(&self) -> Kind {
        Kind::Environment
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        ctx.selected(Kind::Environment)
            .map(|src| {
                let name = name_of(src);
                match ctx.destination.by_name(Kind::Environment, name) {
                    Some(dest) => Planned::no_write(
                        Kind::Environment,
                        name,
                        Action::Unchanged,
                        "exists on the destination; environments are created, never updated",
                    )
                    .at(document::str_field(dest, "Id")),
                    None => Planned::create(
                        ctx,
                        Kind::Environment,
                        name,
                        "missing on the destination",
                        document::for_create(src),
                    ),
                }
            })
            .collect()
    }
}
