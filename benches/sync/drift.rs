//! The 5 % drift: one step's script changed in 15 projects (through `SimServer::update`), one
//! library variable (likewise), and one tenant variable value (by a PUT to the source simulator:
//! tenant variables are no kind of the store's).

use octosync::sim::SimServer;
use serde_json::Value;

/// Documents the drift changes: 15 deployment processes, 1 library variable set's variables, 1
/// tenant's variables.
pub const DOCUMENTS: usize = 17;

/// Of those, the ones whose change is a variable value the destination already has: with
/// `OCTOSYNC_VARIABLE_OVERWRITE` `False` (the default, and the bench's) octosync leaves them alone.
pub const VALUE_CHANGES: usize = 2;

/// The writes the drift needs under the settings `vars`.
pub fn expected_writes(vars: &[(String, String)]) -> usize {
    let overwrite = vars
        .iter()
        .any(|(k, v)| k == "OCTOSYNC_VARIABLE_OVERWRITE" && v.eq_ignore_ascii_case("true"));
    if overwrite {
        DOCUMENTS
    } else {
        DOCUMENTS - VALUE_CHANGES
    }
}

pub async fn apply(source: &SimServer, round: usize) {
    let space = source.space_id("Default").expect("space");
    let mut processes = source.items(&space, "deploymentprocesses");
    processes.sort_by_key(|p| s(p, "ProjectId"));
    let mut changed = 0;
    let step = (processes.len() / 15).max(1);
    for mut p in processes.into_iter().step_by(step) {
        if changed == 15 {
            break;
        }
        let id = s(&p, "Id");
        let Some(body) = p
            .pointer_mut("/Steps")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
            .filter_map(|step| step.pointer_mut("/Actions/0/Properties/Octopus.Action.Script.ScriptBody"))
            .next()
        else {
            continue;
        };
        *body = Value::String(format!("{} # drift {round}", body.as_str().unwrap_or_default()));
        source
            .update(&space, "deploymentprocesses", &id, p)
            .expect("drift a process");
        changed += 1;
    }
    assert_eq!(changed, 15, "15 processes with a script step");

    // Values the sync carries: Development and Test are left out of the bench's sync.
    let envs = source.items(&space, "environments");
    let env_id = |name: &str| {
        envs.iter()
            .find(|e| s(e, "Name") == name)
            .map(|e| s(e, "Id"))
            .expect("environment")
    };
    let (staging, production) = (env_id("Staging"), env_id("Production"));
    let synced = |v: &Value| {
        v.pointer("/Scope/Environment")
            .and_then(Value::as_array)
            .is_none_or(|es| {
                es.iter()
                    .all(|e| e.as_str() == Some(&staging) || e.as_str() == Some(&production))
            })
    };
    let library = source
        .items(&space, "libraryvariablesets")
        .into_iter()
        .find(|l| s(l, "ContentType") == "Variables")
        .expect("a library variable set");
    let set_id = s(&library, "VariableSetId");
    let mut set = source
        .items(&space, "variables")
        .into_iter()
        .find(|v| s(v, "Id") == set_id)
        .expect("its variables");
    let var = set
        .pointer_mut("/Variables")
        .and_then(Value::as_array_mut)
        .and_then(|vs| {
            vs.iter_mut().find(|v| {
                v.get("IsSensitive") != Some(&Value::Bool(true))
                    && v.get("Type").and_then(Value::as_str) == Some("String")
                    && synced(v)
            })
        })
        .expect("a plain library variable in Staging or Production");
    var["Value"] = Value::String(format!("drifted {round}"));
    source
        .update(&space, "variables", &set_id, set)
        .expect("drift a library variable");

    let tenant = source.items(&space, "tenants").into_iter().next().expect("a tenant");
    let path = format!("/api/{space}/tenants/{}/variables", s(&tenant, "Id"));
    let client = reqwest::Client::new();
    let url = format!("{}{path}", source.url());
    let mut doc: Value = client
        .get(&url)
        .header("X-Octopus-ApiKey", source.api_key())
        .send()
        .await
        .expect("tenant variables")
        .json()
        .await
        .expect("tenant variables JSON");
    let value = doc
        .pointer_mut("/ProjectVariables")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|m| m.values_mut())
        .filter_map(|p| p.pointer_mut("/Variables").and_then(Value::as_object_mut))
        .filter_map(|envs| envs.get_mut(&production))
        .filter_map(Value::as_object_mut)
        .flat_map(|vals| vals.values_mut())
        .find(|v| v.is_string())
        .expect("a plain tenant value");
    *value = Value::String(format!("drifted tenant value {round}"));
    let status = client
        .put(&url)
        .header("X-Octopus-ApiKey", source.api_key())
        .json(&doc)
        .send()
        .await
        .expect("PUT tenant variables")
        .status();
    assert!(status.is_success(), "PUT tenant variables: {status}");
}

fn s(d: &Value, f: &str) -> String {
    d.get(f).and_then(|v| v.as_str()).unwrap_or_default().to_string()
}
