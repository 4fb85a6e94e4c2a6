//! Model binding: wrongly typed fields are `400 Model validation failed` (issue item 19).

use super::*;

fn assert_model_validation(r: &Resp, field_path: &str, what: &str) {
    assert_eq!(r.status, 400, "{what}: {}", r.raw);
    assert_eq!(r.body["ErrorMessage"], "Model validation failed.", "{what}");
    let errors = r.body["Errors"].as_array().cloned().unwrap_or_default();
    assert!(
        errors
            .iter()
            .any(|e| e.as_str().unwrap_or("").contains(&format!("Path '{field_path}'"))),
        "{what}: no error names {field_path}: {}",
        r.raw
    );
}

#[tokio::test]
async fn an_environment_with_a_string_guided_failure_flag_is_rejected_as_model_validation() {
    let api = Api::empty().await;
    let r = api
        .post(
            "/api/Spaces-1/environments",
            json!({"Name": "Test", "UseGuidedFailure": "yes"}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({
            "ErrorMessage": "Model validation failed.",
            "Errors": ["Error converting value \"yes\" to type 'System.Boolean'. Path 'UseGuidedFailure'."]
        })
    );
    assert_eq!(
        api.get("/api/Spaces-1/environments").await.body["TotalResults"],
        0,
        "nothing stored"
    );
}

#[tokio::test]
async fn wrongly_typed_fields_of_every_kind_are_rejected_and_nothing_is_stored() {
    let api = Api::empty().await;
    let env = api.create("environments", json!({"Name": "Dev"})).await;
    let p = api.project("P").await;
    let pid = id(&p);
    let cases = [
        ("environments", json!({"Name": "E", "SortOrder": "abc"}), "SortOrder"),
        (
            "lifecycles",
            json!({"Name": "L", "ReleaseRetentionPolicy": {"Unit": "Weeks", "QuantityToKeep": 1}}),
            "ReleaseRetentionPolicy.Unit",
        ),
        (
            "lifecycles",
            json!({"Name": "L", "Phases": [{"Name": "A", "MinimumEnvironmentsBeforePromotion": "1"}]}),
            "Phases[0].MinimumEnvironmentsBeforePromotion",
        ),
        (
            "projectgroups",
            json!({"Name": "G", "EnvironmentIds": id(&env)}),
            "EnvironmentIds",
        ),
        (
            "tagsets",
            json!({"Name": "T", "Tags": [{"Name": "a", "SortOrder": "first"}]}),
            "Tags[0].SortOrder",
        ),
        (
            "accounts",
            json!({"Name": "A", "AccountType": "None", "TenantedDeploymentParticipation": "Sometimes"}),
            "TenantedDeploymentParticipation",
        ),
        (
            "feeds",
            json!({"Name": "F", "FeedType": "NuGet", "DownloadAttempts": "5"}),
            "DownloadAttempts",
        ),
        (
            "machinepolicies",
            json!({"Name": "M", "MachineHealthCheckPolicy": {"HealthCheckInterval": "an hour"}}),
            "MachineHealthCheckPolicy.HealthCheckInterval",
        ),
        (
            "tenants",
            json!({"Name": "T", "ProjectEnvironments": {pid.clone(): id(&env)}}),
            &format!("ProjectEnvironments.{pid}"),
        ),
        (
            "runbooks",
            json!({"Name": "R", "ProjectId": pid, "RunRetentionPolicy": {"QuantityToKeep": "ten"}}),
            "RunRetentionPolicy.QuantityToKeep",
        ),
        (
            "channels",
            json!({"Name": "C", "ProjectId": pid, "IsDefault": "true"}),
            "IsDefault",
        ),
        (
            "libraryvariablesets",
            json!({"Name": "V", "ContentType": "Scripts"}),
            "ContentType",
        ),
    ];
    for (coll, body, path) in cases {
        let before = api.sim.items("Spaces-1", coll).len();
        let r = api.post(&format!("/api/Spaces-1/{coll}"), body).await;
        assert_model_validation(&r, path, coll);
        assert_eq!(api.sim.items("Spaces-1", coll).len(), before, "{coll}: nothing stored");
    }
    let mut edited = env.clone();
    edited["SortOrder"] = json!("abc");
    let put = api
        .put(&format!("/api/Spaces-1/environments/{}", id(&env)), edited)
        .await;
    assert_model_validation(&put, "SortOrder", "environment PUT");
    let mut project = p.clone();
    project["TenantedDeploymentMode"] = json!("Sometimes");
    let put = api.put(&format!("/api/Spaces-1/projects/{pid}"), project).await;
    assert_model_validation(&put, "TenantedDeploymentMode", "project PUT");
    let process = format!("/api/Spaces-1/projects/{pid}/deploymentprocesses");
    let step = json!({"Name": "S", "Condition": "Never", "Actions": [{"Name": "S", "ActionType": "Octopus.Script"}]});
    let put = api.put(&process, json!({"Version": 0, "Steps": [step]})).await;
    assert_model_validation(&put, "Steps[0].Condition", "process PUT");
    assert_eq!(api.get(&process).await.body["Version"], 0, "the process was not saved");
    let vars = format!("/api/Spaces-1/variables/variableset-{pid}");
    let put = api
        .put(
            &vars,
            json!({"Version": 0, "Variables": [{"Name": "A", "Value": "1", "IsSensitive": "no"}]}),
        )
        .await;
    assert_model_validation(&put, "Variables[0].IsSensitive", "variable set PUT");
}

#[tokio::test]
async fn every_badly_typed_field_of_a_body_is_reported_at_once() {
    let api = Api::empty().await;
    let r = api
        .post(
            "/api/Spaces-1/environments",
            json!({"Name": 7, "SortOrder": "abc", "UseGuidedFailure": null, "AllowDynamicInfrastructure": "no"}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["Errors"].as_array().map(Vec::len), Some(4), "{}", r.raw);
}

#[tokio::test]
async fn enum_values_are_read_in_any_case_and_stored_in_the_servers_case() {
    let api = Api::empty().await;
    let p = api
        .create(
            "projects",
            json!({"Name": "P", "ProjectGroupId": "ProjectGroups-1", "LifecycleId": "Lifecycles-1",
                   "TenantedDeploymentMode": "tenantedoruntenanted", "DefaultGuidedFailureMode": "on"}),
        )
        .await;
    assert_eq!(p["TenantedDeploymentMode"], "TenantedOrUntenanted");
    assert_eq!(p["DefaultGuidedFailureMode"], "On");
    let lc = api
        .create(
            "lifecycles",
            json!({"Name": "L", "ReleaseRetentionPolicy": {"Unit": "days", "QuantityToKeep": 3}}),
        )
        .await;
    assert_eq!(lc["ReleaseRetentionPolicy"]["Unit"], "Days");
}
