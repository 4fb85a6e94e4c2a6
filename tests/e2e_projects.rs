//! End-to-end: projects' settings between two simulated instances (the first part of a project's
//! sync; channels, processes, runbooks and variables are later parts). A missing project is created
//! in the translated group and lifecycle with the library sets synced before it; an existing one
//! gains the source's library sets after its own; config-as-code projects are never written.

mod support;

use octosync::report::Action;
use octosync::sim::{Seed, SimServer};
use serde_json::{json, Value};
use support::*;

const APPLY: (&str, &str) = ("OCTOSYNC_MODE", "apply");
const ALL: &[(&str, &str)] = &[
    ("OCTOSYNC_PROJECTS", "all"),
    ("OCTOSYNC_LIBRARY_VARIABLE_SETS", "all"),
    APPLY,
];

/// A project group "Payments", a lifecycle "Release" and a library set "Common" on `sim`.
fn scaffolding(sim: &SimServer, space: &str, with_set: bool) -> (String, String, Option<String>) {
    let group = sim.insert(space, "projectgroups", json!({"Name": "Payments"})).unwrap();
    let lifecycle = sim.insert(space, "lifecycles", json!({"Name": "Release"})).unwrap();
    let set = with_set.then(|| {
        sim.insert(
            space,
            "libraryvariablesets",
            json!({"Name": "Common", "ContentType": "Variables"}),
        )
        .unwrap()["Id"]
            .as_str()
            .unwrap()
            .to_string()
    });
    (
        group["Id"].as_str().unwrap().to_string(),
        lifecycle["Id"].as_str().unwrap().to_string(),
        set,
    )
}

fn project(sim: &SimServer, space: &str, name: &str, ids: &(String, String, Option<String>), extra: Value) -> Value {
    let mut body = json!({"Name": name, "Description": format!("{name} service"), "ProjectGroupId": ids.0,
                          "LifecycleId": ids.1, "IncludedLibraryVariableSetIds": ids.2.iter().collect::<Vec<_>>()});
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    sim.insert(space, "projects", body).unwrap()
}

fn dest_project(p: &Pair, name: &str) -> Value {
    let found: Vec<Value> = p
        .destination
        .items(&p.dest_space(), "projects")
        .into_iter()
        .filter(|x| x["Name"] == name)
        .collect();
    assert_eq!(found.len(), 1, "exactly one '{name}': {found:?}");
    found[0].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_project_is_created_with_the_library_sets_synced_before_it_and_a_rerun_writes_nothing() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let src = scaffolding(&p.source, &p.source_space(), true);
    let dst = scaffolding(&p.destination, &p.dest_space(), false);
    project(
        &p.source,
        &p.source_space(),
        "Api",
        &src,
        json!({"TenantedDeploymentMode": "TenantedOrUntenanted"}),
    );
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), ALL);
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    assert_eq!(change_of(&report, "Project", "Api").action, Action::Create);

    let api = dest_project(&p, "Api");
    assert_eq!(api["ProjectGroupId"], dst.0.as_str());
    assert_eq!(api["LifecycleId"], dst.1.as_str());
    assert_eq!(api["TenantedDeploymentMode"], "TenantedOrUntenanted");
    let common = p
        .destination
        .items(&p.dest_space(), "libraryvariablesets")
        .into_iter()
        .find(|s| s["Name"] == "Common")
        .expect("synced in the stage before");
    assert_eq!(api["IncludedLibraryVariableSetIds"], json!([common["Id"]]));
    assert!(
        api["DeploymentProcessId"].as_str().is_some_and(|d| !d.is_empty()),
        "the server made its process"
    );

    assert_rerun_settles(&job).await;
    assert_names_unique(&p);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_project_gains_the_sources_library_sets_after_its_own_and_keeps_its_lifecycle() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let src = scaffolding(&p.source, &p.source_space(), true);
    let mut dst = scaffolding(&p.destination, &p.dest_space(), false);
    let local = p
        .destination
        .insert(
            &p.dest_space(),
            "libraryvariablesets",
            json!({"Name": "Local", "ContentType": "Variables"}),
        )
        .unwrap();
    let own_lifecycle = p
        .destination
        .insert(&p.dest_space(), "lifecycles", json!({"Name": "Hotfix"}))
        .unwrap();
    dst.1 = own_lifecycle["Id"].as_str().unwrap().to_string();
    dst.2 = Some(local["Id"].as_str().unwrap().to_string());
    project(&p.source, &p.source_space(), "Api", &src, json!({}));
    project(
        &p.destination,
        &p.dest_space(),
        "Api",
        &dst,
        json!({"Description": "old"}),
    );
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), ALL);
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    let api = dest_project(&p, "Api");
    let sets = api["IncludedLibraryVariableSetIds"].as_array().unwrap();
    assert_eq!(sets.len(), 2);
    assert_eq!(sets[0], local["Id"], "the destination's own first: order is precedence");
    assert_eq!(api["LifecycleId"], own_lifecycle["Id"]);
    assert_eq!(api["Description"], "Api service");
    let change = change_of(&report, "Project", "Api");
    assert!(change.diff.iter().any(|d| d.path == "Description"), "{:?}", change.diff);
    assert_rerun_settles(&job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_project_whose_library_set_is_not_synced_is_an_error_and_nothing_of_it_is_written() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let src = scaffolding(&p.source, &p.source_space(), true);
    scaffolding(&p.destination, &p.dest_space(), false);
    project(&p.source, &p.source_space(), "Api", &src, json!({}));
    let dir = tempfile::tempdir().unwrap();
    let report = run(&p.job(dir.path(), &[("OCTOSYNC_PROJECTS", "all"), APPLY]))
        .await
        .unwrap();
    let change = change_of(&report, "Project", "Api");
    assert!(
        change
            .error
            .as_deref()
            .is_some_and(|e| e.contains("OCTOSYNC_LIBRARY_VARIABLE_SETS")),
        "{change:?}"
    );
    assert!(p.dest_names("projects").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_config_as_code_project_is_skipped_with_a_warning_and_a_selector_excludes_the_rest() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let src = scaffolding(&p.source, &p.source_space(), false);
    scaffolding(&p.destination, &p.dest_space(), false);
    // As on a real server, a project becomes version-controlled through its `git/convert` route,
    // never by a POST or PUT of its persistence settings.
    let git = project(&p.source, &p.source_space(), "Git Api", &src, json!({}));
    let convert = format!(
        "/api/{}/projects/{}/git/convert",
        p.source_space(),
        git["Id"].as_str().unwrap()
    );
    let settings = json!({"Url": "https://git.example.com/api.git", "BasePath": ".octopus/git-api",
                          "DefaultBranch": "main", "Credentials": {"Type": "Anonymous"}});
    let (status, body) = post_by_hand(
        &p.source,
        &convert,
        json!({"CommitMessage": "Move to Git", "VersionControlSettings": settings}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    project(&p.source, &p.source_space(), "Web", &src, json!({}));
    project(&p.source, &p.source_space(), "Batch", &src, json!({}));
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &[("OCTOSYNC_PROJECTS", "all\n!Batch"), APPLY]);
    let report = run(&job).await.unwrap();
    let git = change_of(&report, "Project", "Git Api");
    assert_eq!(git.action, Action::Skip);
    assert!(git.warnings.iter().any(|w| w.contains("Git")), "{git:?}");
    assert_eq!(p.dest_names("projects"), ["Web"]);
    assert_rerun_settles(&job).await;
}

fn channels_of(sim: &SimServer, space: &str, project: &Value) -> Vec<Value> {
    sim.items(space, "channels")
        .into_iter()
        .filter(|c| c["ProjectId"] == project["Id"])
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_projects_channels_join_the_default_its_server_makes_and_a_rerun_writes_nothing() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let (s, d) = (p.source_space(), p.dest_space());
    let src = scaffolding(&p.source, &s, false);
    scaffolding(&p.destination, &d, false);
    let fast = p.source.insert(&s, "lifecycles", json!({"Name": "Fast"})).unwrap();
    p.destination.insert(&d, "lifecycles", json!({"Name": "Fast"})).unwrap();
    for name in ["Api", "Web"] {
        let project = project(&p.source, &s, name, &src, json!({}));
        for (channel, lifecycle) in [("Hotfix", Some(&fast["Id"])), ("Beta", None)] {
            p.source
                .insert(
                    &s,
                    "channels",
                    json!({"Name": channel, "ProjectId": project["Id"], "LifecycleId": lifecycle}),
                )
                .unwrap();
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[("OCTOSYNC_PROJECTS", "all"), ("OCTOSYNC_CHANNELS", "all\n!Beta"), APPLY],
    );
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    for name in ["Api", "Web"] {
        let project = dest_project(&p, name);
        let mut names: Vec<String> = channels_of(&p.destination, &d, &project)
            .iter()
            .map(|c| c["Name"].as_str().unwrap().to_string())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["Default", "Hotfix"],
            "{name}: the server's default, and Beta excluded"
        );
        let hotfix = channels_of(&p.destination, &d, &project)
            .into_iter()
            .find(|c| c["Name"] == "Hotfix")
            .unwrap();
        let dest_fast = p
            .destination
            .items(&d, "lifecycles")
            .into_iter()
            .find(|l| l["Name"] == "Fast")
            .unwrap();
        assert_eq!(hotfix["LifecycleId"], dest_fast["Id"]);
    }
    assert_eq!(change_of(&report, "Channel", "Api / Hotfix").action, Action::Create);
    assert_rerun_settles(&job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_runbook_is_synced_beyond_the_first_page_and_a_rerun_writes_nothing() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let (s, d) = (p.source_space(), p.dest_space());
    let src = scaffolding(&p.source, &s, false);
    scaffolding(&p.destination, &d, false);
    let prod = p
        .source
        .insert(&s, "environments", json!({"Name": "Production"}))
        .unwrap();
    let dev = p
        .source
        .insert(&s, "environments", json!({"Name": "Development"}))
        .unwrap();
    let dest_prod = p
        .destination
        .insert(&d, "environments", json!({"Name": "Production"}))
        .unwrap();
    let api = project(&p.source, &s, "Api", &src, json!({}));
    // SpaceCloner reads the first 30 runbooks of a project only.
    for i in 0..35 {
        p.source
            .insert(
                &s,
                "runbooks",
                json!({"Name": format!("Runbook {i:02}"), "ProjectId": api["Id"]}),
            )
            .unwrap();
    }
    p.source
        .insert(
            &s,
            "runbooks",
            json!({"Name": "Restart", "ProjectId": api["Id"], "EnvironmentScope": "Specified",
                   "Environments": [prod["Id"], dev["Id"]]}),
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[("OCTOSYNC_PROJECTS", "all"), ("OCTOSYNC_RUNBOOKS", "all"), APPLY],
    );
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    let dest_api = dest_project(&p, "Api");
    let runbooks: Vec<Value> = p
        .destination
        .items(&d, "runbooks")
        .into_iter()
        .filter(|r| r["ProjectId"] == dest_api["Id"])
        .collect();
    assert_eq!(runbooks.len(), 36);
    let restart = runbooks.iter().find(|r| r["Name"] == "Restart").unwrap();
    assert_eq!(
        restart["Environments"],
        json!([dest_prod["Id"]]),
        "scope translated, Development left out"
    );
    assert!(change_of(&report, "Runbook", "Api / Restart").warnings[0].contains("Development"));
    assert_rerun_settles(&job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_projects_variables_scope_to_the_channels_and_runbooks_synced_before_them_and_a_rerun_writes_nothing() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let (s, d) = (p.source_space(), p.dest_space());
    let src = scaffolding(&p.source, &s, false);
    scaffolding(&p.destination, &d, false);
    let prod = p
        .source
        .insert(&s, "environments", json!({"Name": "Production"}))
        .unwrap();
    p.destination
        .insert(&d, "environments", json!({"Name": "Production"}))
        .unwrap();
    let api = project(&p.source, &s, "Api", &src, json!({}));
    let hotfix = p
        .source
        .insert(&s, "channels", json!({"Name": "Hotfix", "ProjectId": api["Id"]}))
        .unwrap();
    let restart = p
        .source
        .insert(&s, "runbooks", json!({"Name": "Restart", "ProjectId": api["Id"]}))
        .unwrap();
    p.source
        .update(
            &s,
            "variables",
            api["VariableSetId"].as_str().unwrap(),
            json!({"Version": 0, "Variables": [
                {"Name": "Url", "Value": "https://api.example.com", "Scope": {"Environment": [prod["Id"]]}},
                {"Name": "Release.Kind", "Value": "hotfix", "Scope": {"Channel": [hotfix["Id"]]}},
                {"Name": "Restart.Wait", "Value": "30", "Scope": {"ProcessOwner": [restart["Id"]]}},
                {"Name": "Api.Key", "Value": "canary-project-secret-5d2e", "Type": "Sensitive", "IsSensitive": true}
            ]}),
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &[("OCTOSYNC_PROJECTS", "all"), APPLY]);
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    let dest_api = dest_project(&p, "Api");
    let set = p
        .destination
        .items(&d, "variables")
        .into_iter()
        .find(|v| v["Id"] == dest_api["VariableSetId"])
        .unwrap();
    let rows = set["Variables"].as_array().unwrap();
    let row = |name: &str| {
        rows.iter()
            .find(|r| r["Name"] == name)
            .unwrap_or_else(|| panic!("{name}: {rows:?}"))
    };
    let dest_hotfix = p
        .destination
        .items(&d, "channels")
        .into_iter()
        .find(|c| c["Name"] == "Hotfix" && c["ProjectId"] == dest_api["Id"])
        .unwrap();
    let dest_restart = p
        .destination
        .items(&d, "runbooks")
        .into_iter()
        .find(|r| r["Name"] == "Restart" && r["ProjectId"] == dest_api["Id"])
        .unwrap();
    assert_eq!(row("Release.Kind")["Scope"]["Channel"], json!([dest_hotfix["Id"]]));
    assert_eq!(
        row("Restart.Wait")["Scope"]["ProcessOwner"],
        json!([dest_restart["Id"]])
    );
    assert_eq!(row("Url")["Value"], "https://api.example.com");
    assert!(!p.destination.stores_text("canary-project-secret-5d2e"));
    assert!(report.cleanup.iter().any(|c| c.action.contains("Api.Key")));
    assert_rerun_settles(&job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_channel_whose_create_answer_is_lost_is_found_in_its_own_project_not_in_another_with_that_name() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let (s, d) = (p.source_space(), p.dest_space());
    let src = scaffolding(&p.source, &s, false);
    let dst = scaffolding(&p.destination, &d, false);
    // Web comes first on both sides, so its Hotfix is the first one a look-up by name finds.
    for name in ["Web", "Api"] {
        let source_project = project(&p.source, &s, name, &src, json!({}));
        p.source
            .insert(
                &s,
                "channels",
                json!({"Name": "Hotfix", "ProjectId": source_project["Id"]}),
            )
            .unwrap();
        let dest = project(&p.destination, &d, name, &dst, json!({}));
        if name == "Web" {
            p.destination
                .insert(&d, "channels", json!({"Name": "Hotfix", "ProjectId": dest["Id"]}))
                .unwrap();
        }
    }
    // The channel is made, but its answer never arrives.
    p.destination
        .inject("POST", octosync::sim::SimFault::DroppedAfterCommit, 1);
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &[("OCTOSYNC_PROJECTS", "all"), APPLY]);
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.changes);
    let api = dest_project(&p, "Api");
    let hotfixes: Vec<Value> = channels_of(&p.destination, &d, &api)
        .into_iter()
        .filter(|c| c["Name"] == "Hotfix")
        .collect();
    assert_eq!(hotfixes.len(), 1, "one Hotfix in Api: {hotfixes:?}");
    assert_eq!(
        change_of(&report, "Channel", "Api / Hotfix").destination_id.as_deref(),
        hotfixes[0]["Id"].as_str(),
        "the lost create is recognised as Api's own channel, not Web's"
    );
    assert_rerun_settles(&job).await;
}
