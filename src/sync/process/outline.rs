//! The few fields of a process that stages other than the process merge read from every
//! project's: its actions' ids and names (a variable's step scope) and the projects its "Deploy a
//! release" actions deploy (the order processes are synced in). Read straight from the packed
//! text into these types, the rest of the document skipped unbuilt.

use serde::Deserialize;
use serde_json::Value;

/// A process, as far as its steps' actions go.
#[derive(Debug, Default, Deserialize)]
pub struct Outline {
    #[serde(rename = "Steps", default)]
    steps: Option<Vec<StepOutline>>,
}

#[derive(Debug, Default, Deserialize)]
struct StepOutline {
    #[serde(rename = "Actions", default)]
    actions: Option<Vec<ActionOutline>>,
}

/// One action: its id, name and the one property read here.
#[derive(Debug, Default, Deserialize)]
pub struct ActionOutline {
    /// `Id`, as the document has it (null when missing).
    #[serde(rename = "Id", default)]
    pub id: Value,
    /// `Name`, as the document has it (null when missing).
    #[serde(rename = "Name", default)]
    pub name: Value,
    #[serde(rename = "Properties", default)]
    properties: Option<Properties>,
}

#[derive(Debug, Default, Deserialize)]
struct Properties {
    // The name of `DEPLOY_RELEASE_PROJECT` (an attribute takes a literal; a test holds them equal).
    #[serde(rename = "Octopus.Action.DeployRelease.ProjectId", default)]
    deploy_release_project: Value,
}

impl Outline {
    /// Every action of every step, in order.
    pub fn actions(&self) -> impl Iterator<Item = &ActionOutline> {
        self.steps.iter().flatten().flat_map(|s| s.actions.iter().flatten())
    }
}

impl ActionOutline {
    /// The project a "Deploy a release" action deploys
    /// ([`DEPLOY_RELEASE_PROJECT`](super::dependencies::DEPLOY_RELEASE_PROJECT)), if any.
    pub fn deployed_project(&self) -> Option<&str> {
        self.properties
            .as_ref()
            .and_then(|p| p.deploy_release_project.as_str())
            .filter(|p| !p.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::super::dependencies::DEPLOY_RELEASE_PROJECT;
    use super::*;
    use serde_json::json;

    #[test]
    fn an_outline_reads_actions_and_deployed_projects_and_tolerates_nulls() {
        let process = json!({"Id": "deploymentprocess-Projects-1", "Steps": [
            {"Name": "Deploy", "Actions": [{"Id": "a-1", "Name": "Deploy", "Properties": {
                DEPLOY_RELEASE_PROJECT: "Projects-2", "Octopus.Action.Script.ScriptBody": "echo"}}]},
            {"Name": "Empty", "Actions": null},
            {"Name": "Bare", "Actions": [{"Name": "No id", "Properties": null}]}
        ]});
        let o: Outline = serde_json::from_value(process).unwrap();
        let seen: Vec<(Value, Value, Option<&str>)> = o
            .actions()
            .map(|a| (a.id.clone(), a.name.clone(), a.deployed_project()))
            .collect();
        assert_eq!(
            seen,
            [
                (json!("a-1"), json!("Deploy"), Some("Projects-2")),
                (Value::Null, json!("No id"), None)
            ]
        );
        let none: Outline = serde_json::from_value(json!({"Steps": null})).unwrap();
        assert_eq!(none.actions().count(), 0);
    }
}
