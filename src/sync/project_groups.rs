//! Project groups: created when missing, never updated; only the group has to exist (seed 003).

use super::{document, PlanContext, Planned, Stage};
use crate::kind::Kind;
use crate::report::Action;
use crate::scope::{translate_list, ListOutcome};
use crate::snapshot::name_of;
use serde_json::{json, Value};

/// The project groups stage.
pub struct ProjectGroups;

impl Stage for ProjectGroups {
    fn kind(&self) -> Kind {
        Kind::ProjectGroup
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        ctx.selected(Kind::ProjectGroup)
            .map(|src| {
                let name = name_of(src);
                if let Some(dest) = ctx.destination.by_name(Kind::ProjectGroup, name) {
                    return Planned::no_write(
                        Kind::ProjectGroup,
                        name,
                        Action::Unchanged,
                        "exists on the destination; project groups are created, never updated",
                    )
                    .at(document::str_field(dest, "Id"));
                }
                let mut body = document::for_create(src);
                let mut warnings = Vec::new();
                // Legacy fields: environment ids must be translated, the retention policy is the destination's own.
                if body.get("EnvironmentIds").is_some() {
                    let ids = document::id_list(src, "EnvironmentIds");
                    let kept = match translate_list(&ctx.translator(), &ids, ctx.rules.project_group_environments) {
                        ListOutcome::Keep { ids, dropped } => {
                            warnings.extend(
                                dropped
                                    .iter()
                                    .map(|d| format!("legacy environment link '{d}' dropped: not on the destination")),
                            );
                            ids
                        }
                        _ => vec![],
                    };
                    body["EnvironmentIds"] = json!(kept);
                }
                if body.get("RetentionPolicyId").is_some() {
                    body["RetentionPolicyId"] = Value::Null;
                }
                Planned::create(ctx, Kind::ProjectGroup, name, "missing on the destination", body).warnings(warnings)
            })
            .collect()
    }
}
