//! Runbook processes of the synced runbooks: each merged by the one process merge (`sync/process/`)
//! into the process of the destination's runbook of that name in that project (made by its server
//! when the runbook was created earlier in the run, or its own), and PUT once, only when the merge
//! changes it. A runbook runs its published snapshot, which a person publishes after review; with
//! `OCTOSYNC_RUNBOOK_PUBLISH=True` octosync publishes a new one right after it writes the process.

use super::process::{self, planned::Process};
use super::{document, projects, PlanContext, Planned, Stage, Write};
use crate::kind::Kind;
use crate::snapshot::{id_of, name_of};
use serde_json::Value;

/// The runbook processes stage.
pub struct RunbookProcesses;

const KIND: Kind = Kind::Runbook;

impl Stage for RunbookProcesses {
    fn kind(&self) -> Kind {
        KIND
    }

    fn is_part(&self) -> bool {
        true
    }

    fn label(&self) -> String {
        "Runbook processes".into()
    }

    fn part(&self) -> Option<crate::rules::ProjectPart> {
        Some(crate::rules::ProjectPart::Runbooks)
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        let selected: Vec<&Value> = ctx.selected(KIND).collect();
        super::plan_each(&selected, |src| plan_one(ctx, src))
    }
}

fn plan_one(ctx: &PlanContext<'_>, src: &Value) -> Option<Planned> {
    let project = ctx.source.by_id(Kind::Project, document::str_field(src, "ProjectId"))?;
    // The project and runbook stages said why a project or runbook is not synced.
    let dest_project = ctx.translator().counterpart(Kind::Project, project).found()?;
    if projects::is_version_controlled(project) || projects::is_version_controlled(dest_project) {
        return None;
    }
    let dest = ctx.translator().counterpart(KIND, src).found()?;
    let mut p = process::planned::plan(
        ctx,
        Process {
            owner_kind: KIND,
            owners: (src, dest),
            projects: (project, dest_project),
            name: format!("{} / {} (process)", name_of(dest_project), name_of(dest)),
        },
    );
    if p.write.is_some() {
        if ctx.rules.publish_runbooks {
            p.then = Some(Write::PublishSnapshot {
                project_id: id_of(dest_project).to_string(),
                runbook_id: id_of(dest).to_string(),
            });
            p = p.note("a new snapshot is published once the process is written (OCTOSYNC_RUNBOOK_PUBLISH=True)");
        } else {
            p = p.note("no snapshot is published: publish one on the destination once the change is reviewed (or set OCTOSYNC_RUNBOOK_PUBLISH=True)");
        }
    }
    Some(p)
}
