//! Runbooks of the synced projects (every one, read to the last page; `OCTOSYNC_RUNBOOKS` within
//! the projects): matched within their project by name. A missing runbook is created with its
//! settings and its environment scope translated (the server makes its empty process); existing
//! runbooks keep their own settings. Processes are merged in their own part; snapshots are never
//! published here.

use super::{document, projects, PlanContext, Planned, Stage};
use crate::kind::Kind;
use crate::report::Action;
use crate::scope::{translate_list, ListOutcome, MatchPolicy};
use crate::snapshot::{id_of, name_of};
use crate::translate::Counterpart;
use serde_json::{json, Value};

/// The runbooks stage (the runbooks themselves).
pub struct Runbooks;

const KIND: Kind = Kind::Runbook;

/// Fields the server owns, or that name documents of the source instance.
const NOT_ON_CREATE: &[&str] = &[
    "RunbookProcessId",
    "PublishedRunbookSnapshotId",
    "ProjectId",
    "Environments",
];

impl Stage for Runbooks {
    fn kind(&self) -> Kind {
        KIND
    }

    fn part(&self) -> Option<crate::rules::ProjectPart> {
        Some(crate::rules::ProjectPart::Runbooks)
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        ctx.selected(KIND).filter_map(|src| plan_one(ctx, src)).collect()
    }
}

fn plan_one(ctx: &PlanContext<'_>, src: &Value) -> Option<Planned> {
    let project = ctx.source.by_id(Kind::Project, document::str_field(src, "ProjectId"))?;
    let name = format!("{} / {}", name_of(project), name_of(src));
    // The project stage said why a project is not synced; its runbooks say nothing more.
    let dest_project = ctx.translator().counterpart(Kind::Project, project).found()?;
    if projects::is_version_controlled(project) || projects::is_version_controlled(dest_project) {
        return None;
    }
    Some(match ctx.translator().counterpart(KIND, src) {
        Counterpart::Found(dest) => Planned::no_write(
            KIND,
            &name,
            Action::Unchanged,
            "exists in the destination's project; existing runbooks keep their own settings",
        )
        .at(id_of(dest)),
        _ => create(ctx, src, dest_project, &name),
    })
}

fn create(ctx: &PlanContext<'_>, src: &Value, dest_project: &Value, name: &str) -> Planned {
    let mut warnings = Vec::new();
    let environments: Vec<String> = src
        .get("Environments")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    // A runbook scoped to some environments must never become runnable in all of them.
    let environments = match translate_list(&ctx.translator(), &environments, MatchPolicy::SkipUnlessPartialMatch) {
        ListOutcome::Keep { ids, dropped } => {
            if !dropped.is_empty() {
                warnings.push(format!(
                    "environments {} are not on the destination and were left out of its scope",
                    dropped.join(", ")
                ));
            }
            ids
        }
        ListOutcome::Skip { reason } | ListOutcome::Error { reason } => {
            return Planned::no_write(KIND, name, Action::Skip, format!("its environments: {reason}")).warnings([
                format!(
                    "not created, so where it may run is never widened: its environments {reason}; sync the environments and run again"
                ),
            ])
        }
    };
    let mut body = document::for_create(src);
    if let Value::Object(map) = &mut body {
        for field in NOT_ON_CREATE {
            map.remove(*field);
        }
        map.insert("ProjectId".into(), json!(id_of(dest_project)));
        map.insert("Environments".into(), json!(environments));
    }
    Planned::create(ctx, KIND, name, "missing in the destination's project", body)
        .warnings(warnings)
        .note("its process is merged with the deployment processes; no snapshot is published")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;
    use crate::settings::selector::Selector;
    use crate::snapshot::Snapshot;
    use crate::sync::Write;

    fn runbook(id: &str, project: &str, name: &str, environments: &[&str]) -> Value {
        json!({"Id": id, "Name": name, "ProjectId": project, "RunbookProcessId": format!("RunbookProcess-{id}"),
               "PublishedRunbookSnapshotId": "RunbookSnapshots-4", "EnvironmentScope": "Specified",
               "Environments": environments, "MultiTenancyMode": "Untenanted"})
    }

    fn space(project: (&str, &str), envs: Vec<Value>, runbooks: Vec<Value>) -> Snapshot {
        Snapshot::from_docs([
            (Kind::Project, vec![json!({"Id": project.0, "Name": project.1})]),
            (Kind::Environment, envs),
            (KIND, runbooks),
        ])
    }

    fn plan(source: &Snapshot, destination: &Snapshot) -> Vec<Planned> {
        let (rules, selector) = (Rules::default(), Selector::all().within(Selector::all()));
        Runbooks.plan(&PlanContext {
            source,
            destination,
            rules: &rules,
            selector: &selector,
        })
    }

    #[test]
    fn a_missing_runbook_is_created_in_the_destination_project_with_its_environments_translated() {
        let src = space(
            ("Projects-1", "Api"),
            vec![
                json!({"Id": "Environments-1", "Name": "Production"}),
                json!({"Id": "Environments-2", "Name": "Development"}),
            ],
            vec![runbook(
                "Runbooks-1",
                "Projects-1",
                "Restart",
                &["Environments-1", "Environments-2"],
            )],
        );
        let dest = space(
            ("Projects-7", "Api"),
            vec![json!({"Id": "Environments-9", "Name": "Production"})],
            vec![],
        );
        let p = plan(&src, &dest);
        let Some(Write::Create { body }) = &p[0].write else {
            panic!("{:?}", p[0].write);
        };
        assert_eq!(body["ProjectId"], "Projects-7");
        assert_eq!(body["Environments"], json!(["Environments-9"]));
        assert!(body.get("RunbookProcessId").is_none() && body.get("PublishedRunbookSnapshotId").is_none());
        assert!(p[0].change.warnings[0].contains("Development"));
    }

    #[test]
    fn a_runbook_whose_environments_are_all_missing_is_not_created_unscoped() {
        let src = space(
            ("Projects-1", "Api"),
            vec![json!({"Id": "Environments-2", "Name": "Development"})],
            vec![runbook("Runbooks-1", "Projects-1", "Restart", &["Environments-2"])],
        );
        let dest = space(("Projects-7", "Api"), vec![], vec![]);
        let p = plan(&src, &dest);
        assert!(p[0].write.is_none() && p[0].change.action == Action::Skip);
    }

    #[test]
    fn runbooks_of_the_same_name_in_two_projects_match_within_their_own() {
        let mut src = space(
            ("Projects-1", "Api"),
            vec![],
            vec![runbook("Runbooks-1", "Projects-1", "Restart", &[])],
        );
        src.absorb(Kind::Project, json!({"Id": "Projects-2", "Name": "Web"}));
        src.absorb(KIND, runbook("Runbooks-2", "Projects-2", "Restart", &[]));
        let mut dest = space(
            ("Projects-7", "Api"),
            vec![],
            vec![runbook("Runbooks-70", "Projects-7", "Restart", &[])],
        );
        dest.absorb(Kind::Project, json!({"Id": "Projects-8", "Name": "Web"}));
        let p = plan(&src, &dest);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].change.destination_id.as_deref(), Some("Runbooks-70"));
        assert!(matches!(&p[1].write, Some(Write::Create { body }) if body["ProjectId"] == "Projects-8"));
    }
}
