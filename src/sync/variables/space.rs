//! The lookup tables of a variable set that are the space's own: `ScopeValues.Environments` and
//! `ScopeValues.TenantTags` list every environment and tenant tag of the space, for every set, so
//! the snapshot keeps them once (its environments and tag sets) and they are rebuilt here when a set
//! is merged. Built from the snapshot, they also hold what earlier stages of the same run created:
//! a variable scoped to an environment made a moment ago is kept, not dropped until the next run.

use crate::kind::Kind;
use crate::snapshot::{id_of, name_of, Snapshot};
use crate::sync::process::outline::Outline;
use serde_json::{json, Value};

/// `set` with its environment and tenant-tag lookup tables taken from `space`.
pub fn with_space_scopes(mut set: Value, space: &Snapshot) -> Value {
    if !set.get("ScopeValues").is_some_and(Value::is_object) {
        set["ScopeValues"] = json!({});
    }
    let environments: Vec<Value> = space
        .items(Kind::Environment)
        .iter()
        .map(|e| json!({"Id": id_of(e), "Name": name_of(e)}))
        .collect();
    // Variables scope tenant tags by canonical name (`Set/Tag`), which is both their id and name here.
    let tags: Vec<Value> = space
        .items(Kind::TagSet)
        .iter()
        .flat_map(|set| {
            let set_name = name_of(set).to_string();
            set.get("Tags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(move |t| {
                    let canonical = format!("{set_name}/{}", name_of(t));
                    json!({"Id": canonical, "Name": canonical})
                })
        })
        .collect();
    set["ScopeValues"]["Environments"] = json!(environments);
    set["ScopeValues"]["TenantTags"] = json!(tags);
    set
}

/// A project's variable `set` with its channel, step and process lookup tables taken from
/// `space` as well: the project's channels, the actions of its deployment process and runbook
/// processes, and the project and its runbooks as process owners (as the server computes them).
/// Built from the snapshot, they hold what earlier stages of the run created or changed.
pub fn with_project_scopes(set: Value, space: &Snapshot, project: &Value) -> Value {
    let mut set = with_space_scopes(set, space);
    let project_id = id_of(project);
    let channels: Vec<Value> = space
        .owned_by(Kind::Channel, project_id)
        .map(|c| json!({"Id": id_of(c), "Name": name_of(c)}))
        .collect();
    let runbooks: Vec<&Value> = space.owned_by(Kind::Runbook, project_id).collect();
    let mut processes = vec![json!({"ProcessType": "Deployment", "Id": project_id, "Name": name_of(project)})];
    // Only the actions' ids and names are read: the processes stay packed.
    let mut process_docs: Vec<Outline> = space
        .outline(
            Kind::DeploymentProcess,
            project.get("DeploymentProcessId").and_then(Value::as_str).unwrap_or(""),
        )
        .into_iter()
        .collect();
    for runbook in &runbooks {
        processes.push(json!({"ProcessType": "Runbook", "Id": id_of(runbook), "Name": name_of(runbook)}));
        let process = runbook.get("RunbookProcessId").and_then(Value::as_str).unwrap_or("");
        process_docs.extend(space.outline::<Outline>(Kind::RunbookProcess, process));
    }
    let actions: Vec<Value> = process_docs
        .iter()
        .flat_map(Outline::actions)
        .map(|a| json!({"Id": a.id, "Name": a.name}))
        .collect();
    set["ScopeValues"]["Channels"] = json!(channels);
    set["ScopeValues"]["Processes"] = json!(processes);
    set["ScopeValues"]["Actions"] = json!(actions);
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_projects_channels_steps_and_processes_come_from_the_space() {
        let project = json!({"Id": "Projects-1", "Name": "Api", "DeploymentProcessId": "deploymentprocess-Projects-1"});
        let space = Snapshot::from_docs([
            (Kind::Project, vec![project.clone()]),
            (
                Kind::Channel,
                vec![
                    json!({"Id": "Channels-1", "Name": "Hotfix", "ProjectId": "Projects-1"}),
                    json!({"Id": "Channels-2", "Name": "Other", "ProjectId": "Projects-2"}),
                ],
            ),
            (
                Kind::Runbook,
                vec![json!({"Id": "Runbooks-1", "Name": "Restart", "ProjectId": "Projects-1",
                            "RunbookProcessId": "RunbookProcess-Runbooks-1"})],
            ),
            (
                Kind::DeploymentProcess,
                vec![
                    json!({"Id": "deploymentprocess-Projects-1", "Steps": [{"Name": "Deploy", "Actions": [{"Id": "a-1", "Name": "Deploy"}]}]}),
                ],
            ),
            (
                Kind::RunbookProcess,
                vec![
                    json!({"Id": "RunbookProcess-Runbooks-1", "Steps": [{"Name": "Go", "Actions": [{"Id": "a-2", "Name": "Go"}]}]}),
                ],
            ),
        ]);
        let out = with_project_scopes(json!({"Variables": []}), &space, &project);
        let values = &out["ScopeValues"];
        assert_eq!(values["Channels"], json!([{"Id": "Channels-1", "Name": "Hotfix"}]));
        assert_eq!(values["Actions"].as_array().unwrap().len(), 2);
        assert_eq!(values["Processes"][0]["Id"], "Projects-1");
        assert_eq!(values["Processes"][1]["ProcessType"], "Runbook");
    }

    #[test]
    fn environments_and_tags_come_from_the_space_and_the_rest_is_kept() {
        let space = Snapshot::from_docs([
            (
                Kind::Environment,
                vec![json!({"Id": "Environments-3", "Name": "Staging"})],
            ),
            (
                Kind::TagSet,
                vec![json!({"Id": "TagSets-1", "Name": "Region", "Tags": [{"Id": "TagSets-1/Tags-1", "Name": "EU"}]})],
            ),
        ]);
        let set = json!({"Variables": [], "ScopeValues": {"Machines": [{"Id": "Machines-1", "Name": "web"}]}});
        let out = with_space_scopes(set.clone(), &space);
        assert_eq!(
            out["ScopeValues"]["Environments"],
            json!([{"Id": "Environments-3", "Name": "Staging"}])
        );
        assert_eq!(out["ScopeValues"]["TenantTags"][0]["Id"], "Region/EU");
        assert_eq!(out["ScopeValues"]["Machines"][0]["Name"], "web");
        let bare = with_space_scopes(json!({"Variables": []}), &space);
        assert_eq!(bare["ScopeValues"]["Environments"][0]["Name"], "Staging");
    }
}
