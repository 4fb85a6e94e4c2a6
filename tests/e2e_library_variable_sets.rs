//! End-to-end: library variable sets between two simulated instances. A missing set is created
//! and its variables written into the variable set the server makes; an existing one has its
//! variables merged by the variable engine (destination-only rows kept, existing values left alone
//! unless overwriting, sensitive values never travel) and its tenant templates merged by name; a
//! set can be synced into a differently named one; a re-run writes nothing.

mod support;

use octosync::report::{Action, Report};
use octosync::settings::Job;
use octosync::sim::{Seed, SimServer};
use serde_json::{json, Value};
use support::*;

const SELECT: (&str, &str) = ("OCTOSYNC_LIBRARY_VARIABLE_SETS", "all");
const APPLY: (&str, &str) = ("OCTOSYNC_MODE", "apply");
const SECRET_CANARY: &str = "canary-lvs-sensitive-7c1f";
const TEMPLATE_CANARY: &str = "canary-lvs-template-default-7c1f";

/// Adds a library variable set with `rows` and `templates`; returns the set.
fn add_set(sim: &SimServer, space: &str, name: &str, rows: Value, templates: Value) -> Value {
    let set = sim
        .insert(
            space,
            "libraryvariablesets",
            json!({"Name": name, "Description": format!("{name} on this instance"), "ContentType": "Variables",
                   "Templates": templates}),
        )
        .unwrap();
    let vs = set["VariableSetId"].as_str().unwrap();
    sim.update(space, "variables", vs, json!({"Version": 0, "Variables": rows}))
        .unwrap();
    set
}

/// Environments Development, Test, Production on the source; Staging, Production on the
/// destination. Returns the source's ids by name.
fn environments(p: &Pair) -> std::collections::HashMap<String, String> {
    let (s, d) = (p.source_space(), p.dest_space());
    let mut ids = std::collections::HashMap::new();
    for name in ["Development", "Test", "Production"] {
        let e = p.source.insert(&s, "environments", json!({"Name": name})).unwrap();
        ids.insert(name.to_string(), e["Id"].as_str().unwrap().to_string());
    }
    for name in ["Staging", "Production"] {
        p.destination.insert(&d, "environments", json!({"Name": name})).unwrap();
    }
    ids
}

fn dest_set(p: &Pair, name: &str) -> (Value, Vec<Value>) {
    let d = p.dest_space();
    let sets: Vec<Value> = p
        .destination
        .items(&d, "libraryvariablesets")
        .into_iter()
        .filter(|s| s["Name"] == name)
        .collect();
    assert_eq!(sets.len(), 1, "exactly one '{name}' on the destination: {sets:?}");
    let set = sets[0].clone();
    let vs = p
        .destination
        .items(&d, "variables")
        .into_iter()
        .find(|v| v["Id"] == set["VariableSetId"])
        .expect("the set's variables");
    (set, vs["Variables"].as_array().unwrap().clone())
}

fn rows_named<'a>(rows: &'a [Value], name: &str) -> Vec<&'a Value> {
    rows.iter().filter(|r| r["Name"] == name).collect()
}

async fn apply(p: &Pair, dir: &std::path::Path, extra: &[(&str, &str)]) -> (Job, Report) {
    let job = p.job(dir, &[&[SELECT, APPLY], extra].concat());
    let report = run(&job).await.expect("the run is reported");
    (job, report)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_set_is_created_with_its_variables_and_templates_and_a_rerun_writes_nothing() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let env = environments(&p);
    add_set(
        &p.source,
        &p.source_space(),
        "Common",
        json!([
            {"Name": "Api.Url", "Value": "https://api.example.com"},
            {"Name": "Api.Timeout", "Value": "30", "Scope": {"Environment": [env["Production"]]}},
            {"Name": "Api.Timeout", "Value": "5", "Scope": {"Environment": [env["Development"]]}},
            {"Name": "Api.Key", "Value": SECRET_CANARY, "Type": "Sensitive", "IsSensitive": true}
        ]),
        json!([
            {"Name": "Tenant.Code", "Label": "Tenant code", "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}},
            {"Name": "Tenant.Secret", "Label": "Secret", "DefaultValue": {"HasValue": true, "NewValue": TEMPLATE_CANARY},
             "DisplaySettings": {"Octopus.ControlType": "Sensitive"}}
        ]),
    );
    let dir = tempfile::tempdir().unwrap();
    let (job, report) = apply(&p, dir.path(), &[]).await;
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    let change = change_of(&report, "Library variable set", "Common");
    assert_eq!(change.action, Action::Create);

    let (set, rows) = dest_set(&p, "Common");
    assert_eq!(rows_named(&rows, "Api.Url")[0]["Value"], "https://api.example.com");
    let timeouts = rows_named(&rows, "Api.Timeout");
    assert_eq!(
        timeouts.len(),
        1,
        "the Development value has no environment here: {timeouts:?}"
    );
    assert_eq!(timeouts[0]["Value"], "30");
    let prod = p
        .destination
        .items(&p.dest_space(), "environments")
        .into_iter()
        .find(|e| e["Name"] == "Production")
        .unwrap();
    assert_eq!(timeouts[0]["Scope"]["Environment"], json!([prod["Id"]]));
    assert!(rows_named(&rows, "Api.Key")[0]["IsSensitive"] == true);
    let names: Vec<&str> = set["Templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Tenant.Code", "Tenant.Secret"]);
    assert!(
        !p.destination.stores_text(SECRET_CANARY),
        "a sensitive value never travels"
    );
    assert!(!p.destination.stores_text(TEMPLATE_CANARY));
    let cleanup: Vec<&str> = report
        .cleanup
        .iter()
        .filter(|c| c.name == "Common")
        .map(|c| c.action.as_str())
        .collect();
    assert!(cleanup.iter().any(|c| c.contains("Api.Key")), "{cleanup:?}");
    assert!(cleanup.iter().any(|c| c.contains("Tenant.Secret")), "{cleanup:?}");

    assert_rerun_settles(&job).await;
    assert_names_unique(&p);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_set_keeps_its_own_rows_and_values_unless_overwriting_and_gains_the_sources_new_ones() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    environments(&p);
    add_set(
        &p.source,
        &p.source_space(),
        "Common",
        json!([
            {"Name": "Api.Url", "Value": "https://api.example.com/v2"},
            {"Name": "Feature.Flag", "Value": "on"},
            {"Name": "Db.Password", "Value": SECRET_CANARY, "Type": "Sensitive", "IsSensitive": true}
        ]),
        json!([{"Name": "Tenant.Code", "Label": "Tenant code (3 letters)", "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}}]),
    );
    add_set(
        &p.destination,
        &p.dest_space(),
        "Common",
        json!([
            {"Name": "Api.Url", "Value": "https://api.example.com/v1"},
            {"Name": "Local.Only", "Value": "kept"},
            {"Name": "Db.Password", "Value": "destination-own-secret", "Type": "Sensitive", "IsSensitive": true}
        ]),
        json!([
            {"Name": "Tenant.Code", "Label": "Code", "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}},
            {"Name": "Tenant.Local", "Label": "Kept", "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}}
        ]),
    );
    p.destination.clear_request_log();
    let dir = tempfile::tempdir().unwrap();
    let (job, report) = apply(&p, dir.path(), &[]).await;
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    let (set, rows) = dest_set(&p, "Common");
    assert_eq!(
        rows_named(&rows, "Api.Url")[0]["Value"],
        "https://api.example.com/v1",
        "left alone by default"
    );
    assert_eq!(
        rows_named(&rows, "Feature.Flag")[0]["Value"],
        "on",
        "a new row is added"
    );
    assert_eq!(rows_named(&rows, "Local.Only")[0]["Value"], "kept");
    assert_eq!(
        set["Description"], "Common on this instance",
        "the destination's own description"
    );
    let templates = set["Templates"].as_array().unwrap();
    assert_eq!(templates.len(), 2);
    assert_eq!(templates[0]["Label"], "Tenant code (3 letters)");
    assert_eq!(templates[1]["Name"], "Tenant.Local");
    let change = change_of(&report, "Library variable set", "Common");
    assert!(
        change.diff.iter().any(|d| d.path.contains("Feature.Flag")),
        "the plan shows the added row: {:?}",
        change.diff
    );
    assert_rerun_settles(&job).await;

    let (job, report) = apply(&p, dir.path(), &[("OCTOSYNC_VARIABLE_OVERWRITE", "True")]).await;
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    let (_, rows) = dest_set(&p, "Common");
    assert_eq!(rows_named(&rows, "Api.Url")[0]["Value"], "https://api.example.com/v2");
    let secret = rows_named(&rows, "Db.Password")[0];
    let vs = dest_set(&p, "Common").0["VariableSetId"].as_str().unwrap().to_string();
    assert_eq!(
        p.destination
            .sensitive_variable_has_value(&p.dest_space(), &vs, secret["Id"].as_str().unwrap()),
        Some(true)
    );
    assert!(p.destination.stores_text("destination-own-secret"), "never overwritten");
    assert!(!p.destination.stores_text(SECRET_CANARY));
    let change = change_of(&report, "Library variable set", "Common");
    let url = change
        .diff
        .iter()
        .find(|d| d.path.contains("Api.Url"))
        .expect("before → after");
    assert!(
        url.before.as_deref().unwrap_or("").contains("v1") && url.after.as_deref().unwrap_or("").contains("v2"),
        "{url:?}"
    );
    assert_rerun_settles(&job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_set_can_be_synced_into_a_differently_named_destination_set() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    add_set(
        &p.source,
        &p.source_space(),
        "Common",
        json!([{"Name": "Region", "Value": "eu"}]),
        json!([]),
    );
    add_set(
        &p.destination,
        &p.dest_space(),
        "Shared Settings",
        json!([{"Name": "Own", "Value": "x"}]),
        json!([]),
    );
    let dir = tempfile::tempdir().unwrap();
    let names = ("OCTOSYNC_LIBRARY_VARIABLE_SET_NAMES", "Common => Shared Settings");
    let (job, report) = apply(&p, dir.path(), &[names]).await;
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    let (_, rows) = dest_set(&p, "Shared Settings");
    assert_eq!(rows_named(&rows, "Region")[0]["Value"], "eu");
    assert_eq!(rows_named(&rows, "Own")[0]["Value"], "x");
    assert!(!p.dest_names("libraryvariablesets").contains(&"Common".to_string()));
    let change = change_of(&report, "Library variable set", "Shared Settings");
    assert!(
        change.notes.iter().any(|n| n.contains("'Common'")),
        "{:?}",
        change.notes
    );
    assert_rerun_settles(&job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_set_the_selector_excludes_is_neither_created_nor_changed() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    add_set(
        &p.source,
        &p.source_space(),
        "Common",
        json!([{"Name": "A", "Value": "1"}]),
        json!([]),
    );
    add_set(
        &p.source,
        &p.source_space(),
        "Payments",
        json!([{"Name": "B", "Value": "2"}]),
        json!([]),
    );
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &[("OCTOSYNC_LIBRARY_VARIABLE_SETS", "!Payments"), APPLY]);
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    let names = p.dest_names("libraryvariablesets");
    assert!(
        names.contains(&"Common".to_string()) && !names.contains(&"Payments".to_string()),
        "{names:?}"
    );
    let report = run(&p.job(dir.path(), &[APPLY])).await.unwrap();
    assert!(
        !report.changes.iter().any(|c| c.kind == "Library variable set"),
        "nothing by default"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sensitive_value_never_appears_in_any_output() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    add_set(
        &p.source,
        &p.source_space(),
        "Common",
        json!([{"Name": "Api.Key", "Value": SECRET_CANARY, "Type": "Sensitive", "IsSensitive": true}]),
        json!([{"Name": "Tenant.Secret", "Label": "Secret", "DefaultValue": {"HasValue": true, "NewValue": TEMPLATE_CANARY},
                "DisplaySettings": {"Octopus.ControlType": "Sensitive"}}]),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut output = String::new();
    for mode in ["plan", "apply"] {
        let vars = p.vars(
            dir.path(),
            &[SELECT, ("OCTOSYNC_MODE", mode), ("OCTOSYNC_VERBOSE", "True")],
        );
        let out = run_binary(&[], vars).await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        output.push_str(&text(&out));
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            output.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
    }
    assert!(output.contains("Api.Key"), "the run reported the set: {output}");
    let log = format!("{:?}", p.destination.request_log());
    for canary in [SECRET_CANARY, TEMPLATE_CANARY] {
        assert!(!output.contains(canary), "{canary} printed or reported");
        assert!(!p.destination.stores_text(canary), "{canary} reached the destination");
        assert!(!log.contains(canary));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_variable_scoped_to_an_environment_created_in_the_same_run_keeps_its_scope_and_a_rerun_writes_nothing() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let staging = p
        .source
        .insert(&p.source_space(), "environments", json!({"Name": "Staging"}))
        .unwrap();
    add_set(
        &p.destination,
        &p.dest_space(),
        "Common",
        json!([{"Name": "Own", "Value": "x"}]),
        json!([]),
    );
    add_set(
        &p.source,
        &p.source_space(),
        "Common",
        json!([{"Name": "Db.Host", "Value": "stg-sql", "Scope": {"Environment": [staging["Id"]]}}]),
        json!([]),
    );
    let dir = tempfile::tempdir().unwrap();
    let (job, report) = apply(&p, dir.path(), &[("OCTOSYNC_ENVIRONMENTS", "all")]).await;
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    let new_env = p
        .destination
        .items(&p.dest_space(), "environments")
        .into_iter()
        .find(|e| e["Name"] == "Staging")
        .expect("created by the environments stage");
    let (_, rows) = dest_set(&p, "Common");
    let host = rows_named(&rows, "Db.Host");
    assert_eq!(host.len(), 1, "kept in the first run: {rows:?}");
    assert_eq!(host[0]["Scope"]["Environment"], json!([new_env["Id"]]));
    assert_rerun_settles(&job).await;
}
