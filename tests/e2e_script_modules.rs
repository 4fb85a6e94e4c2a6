//! End-to-end: script modules between two simulated instances. A missing module is created with
//! its body and syntax (the library set's POST, then its variable set's PUT); an existing one is
//! made equal to the source's, keeping the destination's other variables; a lost answer never
//! duplicates a module nor resends a write; a re-run writes nothing.

mod support;

use octosync::report::{Action, Report};
use octosync::settings::Job;
use octosync::sim::{Seed, SimFault, SimServer};
use serde_json::{json, Value};
use support::*;

const SELECT: &[(&str, &str)] = &[("OCTOSYNC_SCRIPT_MODULES", "all")];

const LOGGING_V1: &str =
    "function Write-Log($m) {\n  Write-Host $m\n}\n\nfunction Write-Warn($m) {\n  Write-Warning $m\n}";
const LOGGING_V2: &str =
    "function Write-Log($m) {\n  Write-Host \"[$(Get-Date -Format o)] $m\"\n}\n\nfunction Write-Warn($m) {\n  Write-Warning $m\n}";
const RETRY: &str = "retry() {\n  for i in 1 2 3; do \"$@\" && return 0; sleep $i; done\n  return 1\n}";

/// Adds a script module with its body and syntax to `space` of `sim`; returns the module.
fn add_module(sim: &SimServer, space: &str, name: &str, description: &str, body: &str, syntax: &str) -> Value {
    let module = sim
        .insert(
            space,
            "libraryvariablesets",
            json!({"Name": name, "Description": description, "ContentType": "ScriptModule"}),
        )
        .unwrap();
    let set = module["VariableSetId"].as_str().unwrap();
    sim.update(
        space,
        "variables",
        set,
        json!({"Version": 0, "Variables": [
            {"Name": format!("Octopus.Script.Module[{name}]"), "Value": body},
            {"Name": format!("Octopus.Script.Module.Language[{name}]"), "Value": syntax}
        ]}),
    )
    .unwrap();
    module
}

/// The destination's module `name` and its variable set.
fn dest_module(p: &Pair, name: &str) -> (Value, Value) {
    let d = p.dest_space();
    let modules: Vec<Value> = p
        .destination
        .items(&d, "libraryvariablesets")
        .into_iter()
        .filter(|m| m["Name"] == name)
        .collect();
    assert_eq!(modules.len(), 1, "exactly one '{name}' on the destination: {modules:?}");
    let module = modules[0].clone();
    let set = p
        .destination
        .items(&d, "variables")
        .into_iter()
        .find(|s| s["Id"] == module["VariableSetId"])
        .expect("the module's variable set");
    (module, set)
}

/// The value of the variable `name` in `set`.
fn value_of<'a>(set: &'a Value, name: &str) -> &'a Value {
    set["Variables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["Name"] == name)
        .map(|v| &v["Value"])
        .unwrap_or_else(|| panic!("no variable '{name}' in {set}"))
}

async fn apply(p: &Pair, dir: &std::path::Path, extra: &[(&str, &str)]) -> (Job, Report) {
    let job = p.job(dir, &[SELECT, &[("OCTOSYNC_MODE", "apply")], extra].concat());
    let report = run(&job).await.expect("the run is reported");
    (job, report)
}

/// A second apply of the same job finds nothing to do and sends no write at all.
async fn assert_second_apply_writes_nothing(p: &Pair, job: &Job) {
    assert_rerun_settles(job).await;
    p.destination.clear_request_log();
    run(job).await.expect("second apply");
    assert_eq!(p.dest_writes(), 0, "{:?}", p.destination.request_log());
}

fn writes(p: &Pair) -> Vec<(String, String)> {
    p.destination
        .request_log()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| (r.method, r.path))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_module_is_created_with_its_body_and_syntax_and_a_second_apply_writes_nothing() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    add_module(
        &p.source,
        &p.source_space(),
        "Retry Helpers",
        "Retries a command",
        RETRY,
        "Bash",
    );
    let dir = tempfile::tempdir().unwrap();
    p.destination.clear_request_log();
    let (job, report) = apply(&p, dir.path(), &[]).await;
    assert_eq!(report.summary.errors, 0, "{:?}", report.changes);
    let change = change_of(&report, "Script module", "Retry Helpers");
    assert_eq!(change.action, Action::Create);
    assert!(change.destination_id.is_some());
    let body = change
        .diff
        .iter()
        .find(|d| d.path == "ScriptBody")
        .expect("the body is shown");
    assert!(body.lines.iter().any(|l| l.contains("sleep $i")), "{body:?}");

    // The module's POST, then its variable set's PUT: one decision, two writes, in that order.
    let sent = writes(&p);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0].0, "POST");
    assert!(sent[0].1.ends_with("/libraryvariablesets"), "{sent:?}");
    assert_eq!(sent[1].0, "PUT");
    assert!(sent[1].1.contains("/variables/variableset-"), "{sent:?}");

    let (module, set) = dest_module(&p, "Retry Helpers");
    assert_eq!(module["ContentType"], "ScriptModule");
    assert_eq!(module["Description"], "Retries a command");
    assert_eq!(value_of(&set, "Octopus.Script.Module[Retry Helpers]"), RETRY);
    assert_eq!(value_of(&set, "Octopus.Script.Module.Language[Retry Helpers]"), "Bash");
    assert_eq!(set["Variables"].as_array().unwrap().len(), 2);
    assert_second_apply_writes_nothing(&p, &job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_module_is_made_equal_to_the_source_and_keeps_the_destinations_other_variables() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let d = p.dest_space();
    add_module(
        &p.source,
        &p.source_space(),
        "Logging",
        "Timestamped logging",
        LOGGING_V2,
        "PowerShell",
    );
    let existing = add_module(&p.destination, &d, "Logging", "Logging", LOGGING_V1, "Bash");
    // The destination's own additions to the module's set: a plain and a sensitive variable.
    let set_id = existing["VariableSetId"].as_str().unwrap().to_string();
    let mut set = p
        .destination
        .items(&d, "variables")
        .into_iter()
        .find(|s| s["Id"] == set_id)
        .unwrap();
    set["Variables"].as_array_mut().unwrap().extend([
        json!({"Name": "Logging.Level", "Value": "Verbose"}),
        json!({"Name": "Logging.Token", "Value": "destination-token", "Type": "Sensitive"}),
    ]);
    let set = p.destination.update(&d, "variables", &set_id, set).unwrap();
    let token_id = set["Variables"][3]["Id"].as_str().unwrap().to_string();
    let version_before = set["Version"].as_i64().unwrap();

    let dir = tempfile::tempdir().unwrap();
    let plan = run(&p.job(dir.path(), SELECT)).await.unwrap();
    let change = change_of(&plan, "Script module", "Logging");
    assert_eq!(change.action, Action::Update);
    assert_eq!(change.changed_fields, ["Description", "ScriptBody", "Syntax"]);
    let body = change.diff.iter().find(|d| d.path == "ScriptBody").unwrap();
    assert!(body.lines.contains(&"-   Write-Host $m".to_string()), "{body:?}");
    assert!(
        body.lines.iter().any(|l| l.starts_with("+ ") && l.contains("Get-Date")),
        "{body:?}"
    );
    let syntax = change.diff.iter().find(|d| d.path == "Syntax").unwrap();
    assert_eq!(
        (syntax.before.as_deref(), syntax.after.as_deref()),
        (Some("\"Bash\""), Some("\"PowerShell\""))
    );

    p.destination.clear_request_log();
    let (job, report) = apply(&p, dir.path(), &[]).await;
    assert_eq!(report.summary.errors, 0, "{:?}", report.changes);
    assert_eq!(report.summary.updated, 1);
    let (module, set) = dest_module(&p, "Logging");
    assert_eq!(module["Id"], existing["Id"], "updated in place");
    assert_eq!(module["Description"], "Timestamped logging");
    assert_eq!(value_of(&set, "Octopus.Script.Module[Logging]"), LOGGING_V2);
    assert_eq!(value_of(&set, "Octopus.Script.Module.Language[Logging]"), "PowerShell");
    assert_eq!(value_of(&set, "Logging.Level"), "Verbose");
    assert_eq!(
        set["Version"].as_i64().unwrap(),
        version_before + 1,
        "one PUT of the set"
    );
    assert_eq!(
        p.destination.sensitive_variable_has_value(&d, &set_id, &token_id),
        Some(true),
        "the destination's own secret is kept"
    );
    assert_second_apply_writes_nothing(&p, &job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_module_the_selector_excludes_is_neither_created_nor_updated() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let s = p.source_space();
    add_module(&p.source, &s, "Retry Helpers", "", RETRY, "Bash");
    add_module(&p.source, &s, "Logging", "", LOGGING_V2, "PowerShell");
    add_module(&p.destination, &p.dest_space(), "Logging", "", LOGGING_V1, "PowerShell");
    let dir = tempfile::tempdir().unwrap();
    p.destination.clear_request_log();
    let (_, report) = apply(&p, dir.path(), &[("OCTOSYNC_SCRIPT_MODULES", "all\n!Logging")]).await;
    assert_eq!(report.summary.created, 1);
    assert!(
        !report.changes.iter().any(|c| c.name == "Logging"),
        "{:?}",
        report.changes
    );
    let (_, set) = dest_module(&p, "Logging");
    assert_eq!(value_of(&set, "Octopus.Script.Module[Logging]"), LOGGING_V1);

    // Unselected, no module is even looked at.
    p.destination.clear_request_log();
    let report = run(&p.job(
        dir.path(),
        &[("OCTOSYNC_MODE", "apply"), ("OCTOSYNC_SCRIPT_MODULES", "")],
    ))
    .await
    .unwrap();
    assert!(
        report.changes.iter().all(|c| c.kind != "Script module"),
        "{:?}",
        report.changes
    );
    assert_eq!(p.dest_writes(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_module_named_like_a_destination_library_variable_set_is_skipped_not_sent() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    add_module(&p.source, &p.source_space(), "Common", "", RETRY, "Bash");
    p.destination
        .insert(&p.dest_space(), "libraryvariablesets", json!({"Name": "Common"}))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    p.destination.clear_request_log();
    let (_, report) = apply(&p, dir.path(), &[]).await;
    let change = change_of(&report, "Script module", "Common");
    assert_eq!(change.action, Action::Skip);
    assert!(change.warnings[0].contains("Rename one of them"), "{change:?}");
    assert_eq!(p.dest_writes(), 0);
    assert_eq!(report.summary.errors, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_create_whose_answer_is_lost_is_found_by_name_and_filled_in_never_created_twice() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    add_module(&p.source, &p.source_space(), "Retry Helpers", "", RETRY, "Bash");
    p.destination.inject("POST", SimFault::DroppedAfterCommit, 1);
    let dir = tempfile::tempdir().unwrap();
    p.destination.clear_request_log();
    let (job, report) = apply(&p, dir.path(), &[]).await;
    assert_eq!(report.summary.errors, 0, "{:?}", report.changes);
    let log = p.destination.request_log();
    let posts: Vec<_> = log.iter().filter(|r| r.method == "POST").collect();
    assert_eq!(posts.len(), 1, "{log:?}");
    assert_eq!(posts[0].fault.as_deref(), Some("dropped_after_commit"));
    assert!(log.iter().any(|r| r.method == "GET" && r.path.contains("partialName=")));
    assert_names_unique(&p);
    let (_, set) = dest_module(&p, "Retry Helpers");
    assert_eq!(value_of(&set, "Octopus.Script.Module[Retry Helpers]"), RETRY);
    assert_second_apply_writes_nothing(&p, &job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_variable_set_write_whose_answer_is_lost_is_read_back_not_sent_again() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    add_module(&p.source, &p.source_space(), "Logging", "", LOGGING_V2, "PowerShell");
    add_module(&p.destination, &p.dest_space(), "Logging", "", LOGGING_V1, "PowerShell");
    p.destination.inject("PUT", SimFault::DroppedAfterCommit, 1);
    let dir = tempfile::tempdir().unwrap();
    p.destination.clear_request_log();
    let (job, report) = apply(&p, dir.path(), &[]).await;
    assert_eq!(report.summary.errors, 0, "{:?}", report.changes);
    let puts: Vec<_> = p
        .destination
        .request_log()
        .into_iter()
        .filter(|r| r.method == "PUT")
        .collect();
    assert_eq!(puts.len(), 1, "a resent PUT would be refused as stale: {puts:?}");
    assert_eq!(puts[0].fault.as_deref(), Some("dropped_after_commit"));
    let (_, set) = dest_module(&p, "Logging");
    assert_eq!(value_of(&set, "Octopus.Script.Module[Logging]"), LOGGING_V2);
    assert_second_apply_writes_nothing(&p, &job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_module_created_without_its_body_because_the_set_could_not_be_saved_is_filled_in_by_the_next_run() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    add_module(&p.source, &p.source_space(), "Retry Helpers", "", RETRY, "Bash");
    // Every attempt at the variable set's PUT fails before it is processed.
    p.destination.inject("PUT", SimFault::Unavailable, 2);
    let dir = tempfile::tempdir().unwrap();
    let (job, report) = apply(&p, dir.path(), &[("OCTOSYNC_MAX_ATTEMPTS", "2")]).await;
    let change = change_of(&report, "Script module", "Retry Helpers");
    let error = change.error.as_deref().expect("the failed PUT is reported");
    assert!(error.contains("was created, but"), "{error}");
    assert!(error.contains("the next run writes what is missing"), "{error}");
    let (_, set) = dest_module(&p, "Retry Helpers");
    assert_eq!(set["Variables"], json!([]));

    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.changes);
    let change = change_of(&report, "Script module", "Retry Helpers");
    assert_eq!(change.action, Action::Update);
    let (_, set) = dest_module(&p, "Retry Helpers");
    assert_eq!(value_of(&set, "Octopus.Script.Module[Retry Helpers]"), RETRY);
    assert_second_apply_writes_nothing(&p, &job).await;
}
