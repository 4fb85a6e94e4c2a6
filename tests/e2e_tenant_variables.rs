//! End-to-end: tenant variables between two simulated instances, through the legacy
//! `tenants/{id}/variables` document (before 2025.1), through the 2025.1 `projectvariables` and
//! `commonvariables` lists, and from a legacy source to a 2025.1 destination. Tenant *Internal* is
//! connected to project *Api* (templates Url, DbPassword) in Test and Production on the source,
//! which includes library variable set *Shared* (template Region); the destination has Production.

mod support;

use octosync::sim::{Seed, SimConfig, SimServer};
use serde_json::{json, Value};
use support::*;

const CANARY: &str = "canary-7e41-tenant-db-password";
const LEGACY: &str = "2024.3.10989";
const SCOPED: &str = "2025.2.9741";

fn id(v: &Value) -> String {
    v["Id"].as_str().unwrap().to_string()
}

fn by_name(sim: &SimServer, space: &str, collection: &str, name: &str) -> Value {
    sim.items(space, collection)
        .into_iter()
        .find(|x| x["Name"] == name)
        .unwrap_or_else(|| panic!("{collection} '{name}' exists"))
}

/// A request as an administrator would make it by hand, answered as JSON.
async fn call(sim: &SimServer, method: &str, path: &str, body: Option<Value>) -> Value {
    let (status, text) = by_hand(sim, method, path, body).await;
    assert!((200..300).contains(&status), "{path}: {status} {text}");
    serde_json::from_str(&text).unwrap()
}

fn template(name: &str, control: &str) -> Value {
    json!({"Name": name, "Label": name, "DisplaySettings": {"Octopus.ControlType": control}})
}

/// Group, lifecycle and environments on both sides; on the source, project Api with its templates
/// including Shared, and tenant Internal connected to Api in Test and Production. Returns the
/// source's tenant id.
fn scaffold(p: &Pair) -> String {
    let (s, d) = (p.source_space(), p.dest_space());
    for (sim, space, envs) in [
        (&p.source, &s, &["Test", "Production"][..]),
        (&p.destination, &d, &["Production"][..]),
    ] {
        sim.insert(space, "projectgroups", json!({"Name": "Payments"})).unwrap();
        sim.insert(space, "lifecycles", json!({"Name": "Release"})).unwrap();
        for e in envs {
            sim.insert(space, "environments", json!({"Name": e})).unwrap();
        }
    }
    let shared = p
        .source
        .insert(
            &s,
            "libraryvariablesets",
            json!({"Name": "Shared", "ContentType": "Variables", "Templates": [template("Region", "SingleLineText")]}),
        )
        .unwrap();
    let api = p
        .source
        .insert(
            &s,
            "projects",
            json!({"Name": "Api", "ProjectGroupId": id(&by_name(&p.source, &s, "projectgroups", "Payments")),
                   "LifecycleId": id(&by_name(&p.source, &s, "lifecycles", "Release")),
                   "IncludedLibraryVariableSetIds": [id(&shared)],
                   "Templates": [template("Url", "SingleLineText"), template("DbPassword", "Sensitive")]}),
        )
        .unwrap();
    let envs: Vec<String> = ["Test", "Production"]
        .iter()
        .map(|e| id(&by_name(&p.source, &s, "environments", e)))
        .collect();
    let tenant = p
        .source
        .insert(
            &s,
            "tenants",
            json!({"Name": "Internal", "ProjectEnvironments": {id(&api): envs}}),
        )
        .unwrap();
    id(&tenant)
}

/// The template ids of the owner `doc`, by name.
fn template_id(doc: &Value, name: &str) -> String {
    let t = doc["Templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["Name"] == name)
        .unwrap();
    id(t)
}

/// The source tenant's values through the legacy document (every version serves it): Url in both
/// environments, the canary password in Production, Region.
async fn set_source_values(p: &Pair, tenant: &str) {
    let s = p.source_space();
    let api = by_name(&p.source, &s, "projects", "Api");
    let shared = by_name(&p.source, &s, "libraryvariablesets", "Shared");
    let env = |n: &str| id(&by_name(&p.source, &s, "environments", n));
    let body = json!({
        "ProjectVariables": {id(&api): {"Variables": {
            env("Test"): {template_id(&api, "Url"): "https://test.example.com"},
            env("Production"): {template_id(&api, "Url"): "https://example.com",
                                template_id(&api, "DbPassword"): {"HasValue": true, "NewValue": CANARY}},
        }}},
        "LibraryVariables": {id(&shared): {"Variables": {template_id(&shared, "Region"): "eu"}}},
    });
    call(
        &p.source,
        "PUT",
        &format!("/api/{s}/tenants/{tenant}/variables"),
        Some(body),
    )
    .await;
}

fn settings<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v = vec![
        ("OCTOSYNC_PROJECTS", "all"),
        ("OCTOSYNC_LIBRARY_VARIABLE_SETS", "all"),
        ("OCTOSYNC_TENANTS", "all"),
        ("OCTOSYNC_TENANT_VARIABLES", "Copy"),
        ("OCTOSYNC_IGNORE_VERSION_MISMATCH", "True"),
    ];
    v.extend_from_slice(extra);
    v
}

async fn versions(source: &str, destination: &str) -> Pair {
    pair_with(
        SimConfig {
            seed: Seed::Empty,
            version: source.into(),
            ..config("API-TVARSOURCE00000000000000000001")
        },
        SimConfig {
            seed: Seed::Empty,
            version: destination.into(),
            ..config("API-TVARDESTINATION000000000000002")
        },
    )
    .await
}

/// The destination's Internal, Api, Shared and Production.
fn destination_ids(p: &Pair) -> (String, Value, Value, String) {
    let d = p.dest_space();
    (
        id(&by_name(&p.destination, &d, "tenants", "Internal")),
        by_name(&p.destination, &d, "projects", "Api"),
        by_name(&p.destination, &d, "libraryvariablesets", "Shared"),
        id(&by_name(&p.destination, &d, "environments", "Production")),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn through_the_legacy_document_values_are_copied_the_secret_becomes_a_cleanup_item_and_never_appears() {
    let p = versions(LEGACY, LEGACY).await;
    let tenant = scaffold(&p);
    set_source_values(&p, &tenant).await;
    assert!(p.source.stores_text(CANARY));
    let dir = tempfile::tempdir().unwrap();
    let mut output = String::new();
    for mode in ["plan", "apply"] {
        let vars = p.vars(
            dir.path(),
            &settings(&[("OCTOSYNC_MODE", mode), ("OCTOSYNC_VERBOSE", "True")]),
        );
        let out = run_binary(&[], vars).await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        output.push_str(&text(&out));
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            output.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
    }
    assert!(
        output.contains("Clean-up: Tenant 'Internal': variable Api / Production / DbPassword"),
        "{output}"
    );
    assert!(
        output.contains("https://example.com"),
        "the plan shows the value: {output}"
    );
    let log = format!("{:?}", p.destination.request_log());
    assert!(!output.contains(CANARY), "the secret printed or reported");
    assert!(!log.contains(CANARY), "the secret in the request log");
    assert!(!p.destination.stores_text(CANARY), "the secret reached the destination");

    let d = p.dest_space();
    let (tenant, api, shared, production) = destination_ids(&p);
    let doc = call(
        &p.destination,
        "GET",
        &format!("/api/{d}/tenants/{tenant}/variables"),
        None,
    )
    .await;
    let values = &doc["ProjectVariables"][id(&api)]["Variables"][&production];
    assert_eq!(values[template_id(&api, "Url")], "https://example.com");
    assert_eq!(
        values[template_id(&api, "DbPassword")]["HasValue"],
        true,
        "the placeholder"
    );
    assert_eq!(
        doc["LibraryVariables"][id(&shared)]["Variables"][template_id(&shared, "Region")],
        "eu"
    );
    assert!(p.destination.stores_text("octosync-placeholder-replace-me"));

    // Settled: nothing left to write.
    let job = p.job(dir.path(), &settings(&[("OCTOSYNC_MODE", "apply")]));
    p.destination.clear_request_log();
    let again = run(&job).await.unwrap();
    assert_eq!(again.summary.errors, 0, "{:?}", again.errors);
    assert_eq!(p.dest_writes(), 0, "{:?}", again.changes);

    // A changed source value, with True: the document read goes back with its ConcurrencyToken.
    let s = p.source_space();
    let src_api = by_name(&p.source, &s, "projects", "Api");
    let src_production = id(&by_name(&p.source, &s, "environments", "Production"));
    let src_tenant = id(&by_name(&p.source, &s, "tenants", "Internal"));
    let path = format!("/api/{s}/tenants/{src_tenant}/variables");
    let mut doc = call(&p.source, "GET", &path, None).await;
    doc["ProjectVariables"][id(&src_api)]["Variables"][&src_production][template_id(&src_api, "Url")] =
        json!("https://new.example.com");
    call(&p.source, "PUT", &path, Some(doc)).await;
    let overwrite = p.job(
        dir.path(),
        &settings(&[("OCTOSYNC_MODE", "apply"), ("OCTOSYNC_VARIABLE_OVERWRITE", "True")]),
    );
    p.destination.clear_request_log();
    let report = run(&overwrite).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    assert_eq!(p.dest_writes(), 1, "one write for the tenant");
    let doc = call(
        &p.destination,
        "GET",
        &format!("/api/{d}/tenants/{tenant}/variables"),
        None,
    )
    .await;
    let values = &doc["ProjectVariables"][id(&api)]["Variables"][&production];
    assert_eq!(values[template_id(&api, "Url")], "https://new.example.com");
    assert_eq!(
        values[template_id(&api, "DbPassword")]["HasValue"],
        true,
        "the secret kept"
    );
    assert!(p.destination.stores_text("octosync-placeholder-replace-me"));
}

#[tokio::test(flavor = "multi_thread")]
async fn through_the_2025_1_lists_values_and_an_environment_scoped_common_value_are_copied() {
    let p = versions(SCOPED, SCOPED).await;
    let tenant = scaffold(&p);
    set_source_values(&p, &tenant).await;
    let s = p.source_space();
    let shared = by_name(&p.source, &s, "libraryvariablesets", "Shared");
    let production = id(&by_name(&p.source, &s, "environments", "Production"));
    // Region: "eu" everywhere, "eu-prod" in Production (2025.1's environment-scoped common values).
    let path = format!("/api/{s}/tenants/{tenant}/commonvariables");
    let mut common = call(&p.source, "GET", &path, None).await;
    let list = common["Variables"].as_array_mut().unwrap();
    list.push(
        json!({"LibraryVariableSetId": id(&shared), "TemplateId": template_id(&shared, "Region"),
                     "Value": "eu-prod", "Scope": {"EnvironmentIds": [production]}}),
    );
    call(&p.source, "PUT", &path, Some(common)).await;

    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &settings(&[("OCTOSYNC_MODE", "apply")]));
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    let routes: Vec<String> = p
        .destination
        .request_log()
        .iter()
        .filter(|r| r.method == "PUT" && r.path.contains("variables"))
        .map(|r| r.path.rsplit('/').next().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        routes,
        ["projectvariables", "commonvariables"],
        "one write per list, never the legacy document"
    );

    let d = p.dest_space();
    let (tenant, api, shared, production) = destination_ids(&p);
    let base = format!("/api/{d}/tenants/{tenant}");
    let project = call(&p.destination, "GET", &format!("{base}/projectvariables"), None).await;
    let url = project["Variables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["TemplateId"] == template_id(&api, "Url"))
        .unwrap();
    assert_eq!(url["Value"], "https://example.com");
    assert_eq!(url["Scope"]["EnvironmentIds"], json!([production]));
    let common = call(&p.destination, "GET", &format!("{base}/commonvariables"), None).await;
    let mut region: Vec<(Value, Value)> = common["Variables"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["TemplateId"] == template_id(&shared, "Region"))
        .map(|v| (v["Value"].clone(), v["Scope"]["EnvironmentIds"].clone()))
        .collect();
    region.sort_by_key(|(v, _)| v.to_string());
    assert_eq!(
        region,
        [(json!("eu"), json!([])), (json!("eu-prod"), json!([production]))]
    );
    assert_eq!(report.cleanup.len(), 1, "the password: {:?}", report.cleanup);

    p.destination.clear_request_log();
    let again = run(&job).await.unwrap();
    assert_eq!(again.summary.errors, 0, "{:?}", again.errors);
    assert_eq!(p.dest_writes(), 0, "{:?}", again.changes);
}

#[tokio::test(flavor = "multi_thread")]
async fn from_a_legacy_source_to_a_2025_1_destination_values_go_through_the_lists_and_an_existing_value_is_kept() {
    let p = versions(LEGACY, SCOPED).await;
    let tenant = scaffold(&p);
    set_source_values(&p, &tenant).await;
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &settings(&[("OCTOSYNC_MODE", "apply")]));
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);

    let d = p.dest_space();
    let (tenant, api, shared, production) = destination_ids(&p);
    let base = format!("/api/{d}/tenants/{tenant}");
    let project = call(&p.destination, "GET", &format!("{base}/projectvariables"), None).await;
    let mut values: Vec<(Value, Value)> = project["Variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["TemplateId"].clone(), v["Value"].clone()))
        .collect();
    values.sort_by_key(|(t, _)| t.to_string());
    let mut expected = vec![
        (json!(template_id(&api, "Url")), json!("https://example.com")),
        (
            json!(template_id(&api, "DbPassword")),
            json!({"HasValue": true, "NewValue": null}),
        ),
    ];
    expected.sort_by_key(|(t, _)| t.to_string());
    assert_eq!(values, expected);
    assert!(project["Variables"]
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["Scope"]["EnvironmentIds"] == json!([production])));

    // The destination's own value is kept under the default overwrite setting (False), and
    // becomes the source's with True.
    let common_path = format!("{base}/commonvariables");
    let mut common = call(&p.destination, "GET", &common_path, None).await;
    common["Variables"][0]["Value"] = json!("us");
    call(&p.destination, "PUT", &common_path, Some(common)).await;
    p.destination.clear_request_log();
    let again = run(&job).await.unwrap();
    assert_eq!(again.summary.errors, 0, "{:?}", again.errors);
    assert_eq!(p.dest_writes(), 0, "{:?}", again.changes);

    let overwrite = p.job(
        dir.path(),
        &settings(&[("OCTOSYNC_MODE", "apply"), ("OCTOSYNC_VARIABLE_OVERWRITE", "True")]),
    );
    let report = run(&overwrite).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    let region = change_of(&report, "Tenant", "Internal (variables)");
    assert_eq!(region.diff.len(), 1, "{:?}", region.diff);
    assert_eq!(
        (region.diff[0].before.as_deref(), region.diff[0].after.as_deref()),
        (Some("us"), Some("eu"))
    );
    let common = call(&p.destination, "GET", &common_path, None).await;
    assert_eq!(common["Variables"][0]["Value"], "eu");
    assert_eq!(
        common["Variables"][0]["TemplateId"],
        json!(template_id(&shared, "Region"))
    );
    // The password's placeholder is the destination's own now: never touched again.
    let project = call(&p.destination, "GET", &format!("{base}/projectvariables"), None).await;
    assert_eq!(project["Variables"].as_array().unwrap().len(), 2);
    p.destination.clear_request_log();
    run(&overwrite).await.unwrap();
    assert_eq!(p.dest_writes(), 0);
}
