//! Project variables: each synced project's variable set merged by the one variable engine
//! (`sync/variables/`) into the destination project's, after the project's channels, process and
//! runbooks, so scopes to channels, steps and process owners resolve against what the destination
//! now has. The set is PUT whole, once, only when the merge changes it.

use super::{projects, variables, PlanContext, Planned, Stage};
use crate::kind::Kind;
use crate::report::Action;
use crate::snapshot::{id_of, name_of, Snapshot};
use serde_json::Value;
use variables::space::with_project_scopes;

/// The project variables stage.
pub struct ProjectVariables;

impl Stage for ProjectVariables {
    fn kind(&self) -> Kind {
        Kind::Project
    }

    fn is_part(&self) -> bool {
        true
    }

    fn label(&self) -> String {
        "Project variables".into()
    }

    fn part(&self) -> Option<crate::rules::ProjectPart> {
        Some(crate::rules::ProjectPart::Variables)
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        let selected: Vec<&Value> = ctx.selected(Kind::Project).collect();
        super::plan_each(&selected, |src| plan_one(ctx, src))
    }
}

/// The variable set `project` owns in `snapshot`.
fn set_of(snapshot: &Snapshot, project: &Value) -> Option<Value> {
    snapshot
        .document(
            Kind::VariableSet,
            project.get("VariableSetId").and_then(Value::as_str).unwrap_or(""),
        )
        .map(std::borrow::Cow::into_owned)
}

fn plan_one(ctx: &PlanContext<'_>, src: &Value) -> Option<Planned> {
    // The project stage said why a project is not synced; its variables say nothing more.
    let dest = ctx.translator().counterpart(Kind::Project, src).found()?;
    if projects::is_version_controlled(src) || projects::is_version_controlled(dest) {
        return None;
    }
    let name = format!("{} (variables)", name_of(dest));
    let (Some(src_set), Some(dest_set)) = (set_of(ctx.source, src), set_of(ctx.destination, dest)) else {
        return Some(
            Planned::no_write(Kind::Project, &name, Action::Skip, "its variables could not be read")
                .warnings([
                    "not synced: a variable set of this project was not returned; check both keys may read variables"
                        .to_string(),
                ])
                .at(id_of(dest)),
        );
    };
    let dest_set_id = id_of(&dest_set).to_string();
    let m = variables::merge(
        &with_project_scopes(src_set, ctx.source, src),
        &with_project_scopes(dest_set, ctx.destination, dest),
        &ctx.translator(),
        &ctx.rules.variables,
        variables::Owner {
            kind: "Project",
            name: name_of(dest),
        },
    );
    let mut p = Planned::no_write(
        Kind::Project,
        &name,
        Action::Unchanged,
        "its variables match the source's",
    )
    .at(id_of(dest));
    if m.write().is_some() {
        p.change.reason = "its variables differ from the source's".into();
    }
    let owner = format!("project '{}'", name_of(dest));
    Some(variables::plan::into_planned(
        p,
        &m,
        ctx.destination,
        Some(&dest_set_id),
        &owner,
    ))
}
