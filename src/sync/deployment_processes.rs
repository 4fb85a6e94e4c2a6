//! Deployment processes of the synced projects: each merged by the one process merge
//! (`sync/process/`) into the process the destination project has (the one its server made when
//! the project was created earlier in the run, or its own), and PUT once, only when the merge
//! changes it. Projects are taken children first: a project whose "Deploy a release" steps deploy
//! another comes after it; projects that deploy each other in a circle are an error naming them.

use super::process::planned::Process;
use super::process::{self, dependencies};
use super::{projects, PlanContext, Planned, Stage};
use crate::kind::Kind;
use crate::report::Action;
use crate::snapshot::name_of;
use serde_json::Value;

/// The deployment processes stage.
pub struct DeploymentProcesses;

impl Stage for DeploymentProcesses {
    fn kind(&self) -> Kind {
        Kind::Project
    }

    fn is_part(&self) -> bool {
        true
    }

    fn label(&self) -> String {
        "Deployment processes".into()
    }

    fn part(&self) -> Option<crate::rules::ProjectPart> {
        Some(crate::rules::ProjectPart::Process)
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        let selected: Vec<&Value> = ctx.selected(Kind::Project).collect();
        let deploys: Vec<Vec<String>> = selected
            .iter()
            .map(|p| {
                ctx.source
                    .outline(
                        Kind::DeploymentProcess,
                        super::document::str_field(p, "DeploymentProcessId"),
                    )
                    .map(|process| dependencies::deployed_projects(&process))
                    .unwrap_or_default()
            })
            .collect();
        let (ordered, circles) = dependencies::order(&selected, &deploys);
        let mut planned = super::plan_each(&ordered, |&i| plan_one(ctx, selected[i]));
        for circle in &circles {
            let names: Vec<&str> = circle.iter().map(|&i| name_of(selected[i])).collect();
            for &i in &circle[..circle.len() - 1] {
                let mut p = Planned::no_write(
                    Kind::Project,
                    &label(name_of(selected[i])),
                    Action::Skip,
                    "its Deploy a release steps deploy projects in a circle",
                );
                p.change.error = Some(format!(
                    "the projects' \"Deploy a release\" steps deploy each other in a circle ({}), so no project of it can be synced before the one it deploys; break the circle on the source",
                    names.join(" → ")
                ));
                planned.push(p);
            }
        }
        planned
    }
}

/// `Api (deployment process)`: how the report names a project's process.
fn label(project: &str) -> String {
    format!("{project} (deployment process)")
}

fn plan_one(ctx: &PlanContext<'_>, src: &Value) -> Option<Planned> {
    // The project stage said why a project is not synced; its process says nothing more.
    let dest = ctx.translator().counterpart(Kind::Project, src).found()?;
    if projects::is_version_controlled(src) || projects::is_version_controlled(dest) {
        return None;
    }
    Some(process::planned::plan(
        ctx,
        Process {
            owner_kind: Kind::Project,
            owners: (src, dest),
            projects: (src, dest),
            name: label(name_of(dest)),
        },
    ))
}
