//! End-to-end: deployment and runbook processes between two simulated instances. A new project
//! arrives with its 12-step process (scripts, a package, a step template, a manual intervention,
//! a Deploy-a-Release of another project, channel- and environment-scoped steps), three runbooks
//! with processes, three channels and variables; a re-run sends nothing; one changed step is one
//! PUT of one process, shown before → after; and SpaceCloner's traps are not ours.

mod support;

use octosync::report::{Action, Report};
use octosync::sim::{Seed, SimServer};
use serde_json::{json, Value};
use support::*;

const APPLY: (&str, &str) = ("OCTOSYNC_MODE", "apply");
const SETTINGS: &[(&str, &str)] = &[
    ("OCTOSYNC_PROJECTS", "all"),
    ("OCTOSYNC_FEEDS", "all"),
    ("OCTOSYNC_TEAMS", "all"),
    ("OCTOSYNC_STEP_TEMPLATES", "all"),
    APPLY,
];

/// Ids by name of what both spaces share before the run (or only the source has).
struct Space {
    id: String,
    group: String,
    lifecycle: String,
    envs: Vec<(String, String)>,
}

impl Space {
    fn env(&self, name: &str) -> &str {
        &self.envs.iter().find(|(n, _)| n == name).unwrap().1
    }
}

fn id(v: &Value) -> String {
    v["Id"].as_str().unwrap().to_string()
}

/// Environments, a project group and a lifecycle on `sim`; the source has Development too.
fn space(sim: &SimServer, space: String, envs: &[&str]) -> Space {
    let group = id(&sim
        .insert(&space, "projectgroups", json!({"Name": "Payments"}))
        .unwrap());
    let lifecycle = id(&sim.insert(&space, "lifecycles", json!({"Name": "Release"})).unwrap());
    let envs = envs
        .iter()
        .map(|e| {
            let env = sim.insert(&space, "environments", json!({"Name": e})).unwrap();
            (e.to_string(), id(&env))
        })
        .collect();
    Space {
        id: space,
        group,
        lifecycle,
        envs,
    }
}

fn new_project(sim: &SimServer, s: &Space, name: &str) -> Value {
    sim.insert(
        &s.id,
        "projects",
        json!({"Name": name, "ProjectGroupId": s.group, "LifecycleId": s.lifecycle}),
    )
    .unwrap()
}

fn script(name: &str, body: &str) -> Value {
    json!({"Name": name, "Properties": {"Octopus.Action.TargetRoles": "web"}, "Actions": [{
        "Name": name, "ActionType": "Octopus.Script",
        "Properties": {"Octopus.Action.Script.ScriptSource": "Inline", "Octopus.Action.Script.Syntax": "Bash",
                       "Octopus.Action.Script.ScriptBody": body, "Octopus.Action.RunOnServer": "true"}}]})
}

/// Puts `steps` into the process `id` in `collection` (`deploymentprocesses`, `runbookProcesses`).
fn set_steps(sim: &SimServer, space: &str, collection: &str, id: &str, steps: Vec<Value>) {
    let mut process = sim
        .items(space, collection)
        .into_iter()
        .find(|d| d["Id"] == id)
        .unwrap();
    process["Steps"] = json!(steps);
    sim.update(space, collection, id, process).unwrap();
}

/// Puts `steps` into the deployment process of `project` on `sim`.
fn set_process(sim: &SimServer, space: &str, project: &Value, steps: Vec<Value>) {
    let id = project["DeploymentProcessId"].as_str().unwrap();
    set_steps(sim, space, "deploymentprocesses", id, steps);
}

/// Puts `steps` into the process of `runbook` on `sim`.
fn set_runbook_process(sim: &SimServer, space: &str, runbook: &Value, steps: Vec<Value>) {
    let id = runbook["RunbookProcessId"].as_str().unwrap();
    set_steps(sim, space, "runbookProcesses", id, steps);
}

fn process_of(sim: &SimServer, space: &str, project: &Value) -> Value {
    sim.items(space, "deploymentprocesses")
        .into_iter()
        .find(|d| d["Id"] == project["DeploymentProcessId"])
        .unwrap()
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

fn step<'a>(process: &'a Value, name: &str) -> &'a Value {
    process["Steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Name"] == name)
        .unwrap_or_else(|| panic!("step '{name}' in {process}"))
}

fn step_names(process: &Value) -> Vec<String> {
    names(process["Steps"].as_array().unwrap())
}

fn writes(p: &Pair) -> Vec<String> {
    p.dest_write_requests()
}

fn assert_clean(report: &Report) {
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
}

/// The source of the must-show scenario: project "Api" with a 12-step process, 3 channels,
/// 3 runbooks and variables, project "Database" it deploys; the destination has the shared
/// scaffolding under other ids and only Staging and Production.
async fn twelve_step_pair() -> (Pair, Space, Space) {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let s = space(&p.source, p.source_space(), &["Development", "Staging", "Production"]);
    let d = space(&p.destination, p.dest_space(), &["Staging", "Production"]);
    let src = &p.source;
    let feed = src
        .insert(
            &s.id,
            "feeds",
            json!({"Name": "Artifacts", "FeedType": "NuGet", "FeedUri": "https://nuget.example.com/v3/index.json"}),
        )
        .unwrap();
    let team = src.insert(&s.id, "teams", json!({"Name": "Approvers"})).unwrap();
    let template = src
        .insert(
            &s.id,
            "actiontemplates",
            json!({"Name": "Notify Slack", "ActionType": "Octopus.Script", "Properties": {
                "Octopus.Action.Script.ScriptBody": "curl -d \"$Message\" $Hook", "Octopus.Action.Script.Syntax": "Bash",
                "Octopus.Action.Script.ScriptSource": "Inline"},
                "Parameters": [{"Name": "Message", "Label": "Message", "DefaultValue": "deployed",
                                "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}}]}),
        )
        .unwrap();
    let database = new_project(src, &s, "Database");
    set_process(src, &s.id, &database, vec![script("Migrate", "dbup")]);
    let api = new_project(src, &s, "Api");
    let mut channels = vec![];
    for name in ["Hotfix", "Beta"] {
        channels.push(
            src.insert(&s.id, "channels", json!({"Name": name, "ProjectId": api["Id"]}))
                .unwrap(),
        );
    }
    let mut notify = script("Notify", "");
    notify["Actions"][0]["ActionType"] = json!("Octopus.Script");
    notify["Actions"][0]["Properties"] = json!({
        "Octopus.Action.Template.Id": template["Id"], "Octopus.Action.Template.Version": template["Version"].to_string(),
        "Octopus.Action.Script.ScriptBody": "curl -d \"$Message\" $Hook", "Octopus.Action.Script.Syntax": "Bash",
        "Octopus.Action.Script.ScriptSource": "Inline", "Message": "Api is out", "Octopus.Action.RunOnServer": "true"});
    let mut hotfix_only = script("Hotfix banner", "echo hotfix");
    hotfix_only["Actions"][0]["Channels"] = json!([channels[0]["Id"]]);
    let mut production_only = script("Production smoke test", "curl https://api.example.com/health");
    production_only["Actions"][0]["Environments"] = json!([s.env("Production")]);
    let mut not_in_dev = script("Warm cache", "curl https://api.example.com/warm");
    not_in_dev["Actions"][0]["ExcludedEnvironments"] = json!([s.env("Development")]);
    let steps = vec![
        json!({"Name": "Deploy the database", "Actions": [{"Name": "Deploy the database", "ActionType": "Octopus.DeployRelease",
            "Properties": {"Octopus.Action.DeployRelease.ProjectId": database["Id"],
                           "Octopus.Action.DeployRelease.DeploymentCondition": "Always"}}]}),
        script("Build info", "echo build"),
        json!({"Name": "Deploy Api", "Properties": {"Octopus.Action.TargetRoles": "web"}, "Actions": [{
            "Name": "Deploy Api", "ActionType": "Octopus.TentaclePackage",
            "Packages": [{"Name": "", "PackageId": "Api", "FeedId": feed["Id"], "AcquisitionLocation": "Server", "Properties": {}}],
            "Properties": {"Octopus.Action.Package.PackageId": "Api", "Octopus.Action.Package.FeedId": feed["Id"],
                           "Octopus.Action.Package.DownloadOnTentacle": "False"}}]}),
        notify,
        json!({"Name": "Approve", "Actions": [{"Name": "Approve", "ActionType": "Octopus.Manual",
            "Environments": [s.env("Production")],
            "Properties": {"Octopus.Action.Manual.Instructions": "Check the dashboards",
                           "Octopus.Action.Manual.ResponsibleTeamIds": team["Id"],
                           "Octopus.Action.RunOnServer": "false"}}]}),
        hotfix_only,
        production_only,
        not_in_dev,
        script("Purge CDN", "purge"),
        script("Tag release", "git tag"),
        script("Announce", "echo done"),
        script("Clean up", "rm -rf tmp"),
    ];
    assert_eq!(steps.len(), 12);
    set_process(src, &s.id, &api, steps);
    for name in ["Restart", "Backup", "Rotate logs"] {
        let runbook = src
            .insert(&s.id, "runbooks", json!({"Name": name, "ProjectId": api["Id"]}))
            .unwrap();
        set_runbook_process(
            src,
            &s.id,
            &runbook,
            vec![script(&format!("{name} now"), &format!("echo {name}"))],
        );
    }
    let mut vars = src
        .items(&s.id, "variables")
        .into_iter()
        .find(|v| v["Id"] == api["VariableSetId"])
        .unwrap();
    vars["Variables"] = json!([
        {"Name": "Api.Url", "Value": "https://api.example.com", "Scope": {"Environment": [s.env("Production")]}},
        {"Name": "Api.Hotfix", "Value": "true", "Scope": {"Channel": [channels[0]["Id"]]}},
        {"Name": "Api.LogLevel", "Value": "Info"},
    ]);
    src.update(&s.id, "variables", api["VariableSetId"].as_str().unwrap(), vars)
        .unwrap();
    // The destination shares the scaffolding by name, not by id.
    p.destination
        .insert(
            &d.id,
            "feeds",
            json!({"Name": "Artifacts", "FeedType": "NuGet", "FeedUri": "https://nuget.example.com/v3/index.json"}),
        )
        .unwrap();
    (p, s, d)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_project_arrives_with_its_twelve_step_process_runbooks_channels_and_variables_and_a_rerun_sends_nothing()
{
    let (p, s, d) = twelve_step_pair().await;
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), SETTINGS);
    let report = run(&job).await.unwrap();
    assert_clean(&report);

    let api = dest_project(&p, "Api");
    let database = dest_project(&p, "Database");
    let process = process_of(&p.destination, &d.id, &api);
    let source_process = process_of(
        &p.source,
        &s.id,
        &p.source
            .items(&s.id, "projects")
            .into_iter()
            .find(|x| x["Name"] == "Api")
            .unwrap(),
    );
    assert_eq!(step_names(&process), step_names(&source_process), "all 12, in order");
    let action = |name: &str| step(&process, name)["Actions"][0].clone();
    let dest_id = |collection: &str, name: &str| {
        id(&p
            .destination
            .items(&d.id, collection)
            .into_iter()
            .find(|x| x["Name"] == name)
            .unwrap())
    };
    assert_eq!(
        action("Deploy the database")["Properties"]["Octopus.Action.DeployRelease.ProjectId"],
        json!(id(&database))
    );
    let deploy = action("Deploy Api");
    assert_eq!(deploy["Packages"][0]["FeedId"], json!(dest_id("feeds", "Artifacts")));
    assert_eq!(
        deploy["Properties"]["Octopus.Action.Package.FeedId"],
        json!(dest_id("feeds", "Artifacts"))
    );
    assert_eq!(
        action("Notify")["Properties"]["Octopus.Action.Template.Id"],
        json!(dest_id("actiontemplates", "Notify Slack"))
    );
    assert_eq!(
        action("Approve")["Properties"]["Octopus.Action.Manual.ResponsibleTeamIds"],
        json!(dest_id("teams", "Approvers"))
    );
    assert_eq!(action("Approve")["Environments"], json!([d.env("Production")]));
    let hotfix = p
        .destination
        .items(&d.id, "channels")
        .into_iter()
        .find(|c| c["ProjectId"] == api["Id"] && c["Name"] == "Hotfix")
        .unwrap();
    assert_eq!(action("Hotfix banner")["Channels"], json!([id(&hotfix)]));
    assert_eq!(
        action("Production smoke test")["Environments"],
        json!([d.env("Production")])
    );
    assert_eq!(
        action("Warm cache")["ExcludedEnvironments"],
        json!([]),
        "Development is not on the destination: nothing to exclude"
    );
    let channels: Vec<Value> = p
        .destination
        .items(&d.id, "channels")
        .into_iter()
        .filter(|c| c["ProjectId"] == api["Id"])
        .collect();
    assert_eq!(channels.len(), 3);
    let runbooks: Vec<Value> = p
        .destination
        .items(&d.id, "runbooks")
        .into_iter()
        .filter(|r| r["ProjectId"] == api["Id"])
        .collect();
    assert_eq!(runbooks.len(), 3);
    for runbook in &runbooks {
        let rp = p
            .destination
            .items(&d.id, "runbookProcesses")
            .into_iter()
            .find(|x| x["Id"] == runbook["RunbookProcessId"])
            .unwrap();
        assert_eq!(step_names(&rp), [format!("{} now", runbook["Name"].as_str().unwrap())]);
    }
    let vars = p
        .destination
        .items(&d.id, "variables")
        .into_iter()
        .find(|v| v["Id"] == api["VariableSetId"])
        .unwrap();
    let hotfix_var = vars["Variables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["Name"] == "Api.Hotfix")
        .unwrap();
    assert_eq!(hotfix_var["Scope"]["Channel"], json!([id(&hotfix)]));
    assert!(report.cleanup.iter().all(|c| !c.action.contains("Api is out")));

    // The second run sends no POST, PUT or DELETE at all.
    p.destination.clear_request_log();
    let again = run(&job).await.unwrap();
    assert_clean(&again);
    assert_eq!(writes(&p), Vec::<String>::new(), "{:?}", again.changes);
}

#[tokio::test(flavor = "multi_thread")]
async fn one_changed_step_is_one_put_of_its_process_shown_before_and_after() {
    let (p, s, _d) = twelve_step_pair().await;
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), SETTINGS);
    assert_clean(&run(&job).await.unwrap());

    let api = p
        .source
        .items(&s.id, "projects")
        .into_iter()
        .find(|x| x["Name"] == "Api")
        .unwrap();
    let mut process = process_of(&p.source, &s.id, &api);
    let purge = process["Steps"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| s["Name"] == "Purge CDN")
        .unwrap();
    purge["Actions"][0]["Properties"]["Octopus.Action.Script.ScriptBody"] = json!("purge --all");
    let pid = id(&process);
    p.source.update(&s.id, "deploymentprocesses", &pid, process).unwrap();

    p.destination.clear_request_log();
    let report = run(&job).await.unwrap();
    assert_clean(&report);
    let dest_pid = dest_project(&p, "Api")["DeploymentProcessId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        writes(&p),
        [format!("PUT /api/{}/deploymentprocesses/{dest_pid}", p.dest_space())]
    );
    let change = change_of(&report, "Project", "Api (deployment process)");
    assert_eq!(change.action, Action::Update);
    let shown: Vec<String> = change
        .diff
        .iter()
        .map(|d| format!("{} {:?} {:?} {:?}", d.path, d.before, d.after, d.lines))
        .collect();
    assert_eq!(shown.len(), 1, "only the changed property: {shown:#?}");
    assert!(
        shown[0].contains("Steps[Purge CDN].Actions[Purge CDN]")
            && shown[0].contains("purge --all")
            && shown[0].contains("purge"),
        "{shown:#?}"
    );
    assert_eq!(
        change_of(&report, "Project", "Database (deployment process)").action,
        Action::Unchanged
    );
}

/// A source project "Api" and its destination counterpart, with the processes given.
async fn existing_pair(source_steps: Vec<Value>, dest_steps: Vec<Value>) -> (Pair, Space, Space) {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let s = space(&p.source, p.source_space(), &["Development", "Production"]);
    let d = space(&p.destination, p.dest_space(), &["Production"]);
    let api = new_project(&p.source, &s, "Api");
    set_process(&p.source, &s.id, &api, source_steps);
    let dest_api = new_project(&p.destination, &d, "Api");
    set_process(&p.destination, &d.id, &dest_api, dest_steps);
    (p, s, d)
}

fn scoped(mut step: Value, field: &str, ids: &[&str]) -> Value {
    step["Actions"][0][field] = json!(ids);
    step
}

#[tokio::test(flavor = "multi_thread")]
async fn an_action_skipped_for_its_scope_never_deletes_the_destinations_action_of_that_name() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let s = space(&p.source, p.source_space(), &["Development", "Production"]);
    let d = space(&p.destination, p.dest_space(), &["Production"]);
    let api = new_project(&p.source, &s, "Api");
    // On the source the smoke test now runs in Development only, which the destination lacks.
    set_process(
        &p.source,
        &s.id,
        &api,
        vec![
            script("Build info", "echo build"),
            scoped(
                script("Smoke test", "curl dev"),
                "Environments",
                &[s.env("Development")],
            ),
        ],
    );
    let dest_api = new_project(&p.destination, &d, "Api");
    let dest_smoke = scoped(
        script("Smoke test", "curl prod"),
        "Environments",
        &[d.env("Production")],
    );
    set_process(
        &p.destination,
        &d.id,
        &dest_api,
        vec![script("Build info", "echo build"), dest_smoke],
    );
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &[("OCTOSYNC_PROJECTS", "all"), APPLY]);
    let report = run(&job).await.unwrap();
    assert_clean(&report);
    let process = process_of(&p.destination, &d.id, &dest_api);
    assert_eq!(step_names(&process), ["Build info", "Smoke test"]);
    let kept = &step(&process, "Smoke test")["Actions"][0];
    assert_eq!(kept["Properties"]["Octopus.Action.Script.ScriptBody"], "curl prod");
    assert_eq!(kept["Environments"], json!([d.env("Production")]));
    let change = change_of(&report, "Project", "Api (deployment process)");
    assert!(
        change
            .warnings
            .iter()
            .any(|w| w.contains("Smoke test") && w.contains("left as it is")),
        "{change:?}"
    );
    assert_rerun_settles(&job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn destination_only_steps_stay_where_they_stood_and_are_removed_only_under_source_only() {
    let (p, _s, d) = existing_pair(
        vec![
            script("Build info", "echo build"),
            script("Deploy", "deploy"),
            script("Announce", "echo done"),
        ],
        vec![
            script("Build info", "echo build"),
            script("Local audit", "audit --region eu"),
            script("Announce", "echo done"),
        ],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &[("OCTOSYNC_PROJECTS", "all"), APPLY]);
    let report = run(&job).await.unwrap();
    assert_clean(&report);
    let api = dest_project(&p, "Api");
    assert_eq!(
        step_names(&process_of(&p.destination, &d.id, &api)),
        ["Build info", "Local audit", "Deploy", "Announce"],
        "the destination's own step stays after the step it followed, not moved to the end"
    );
    assert_rerun_settles(&job).await;

    let job = p.job(
        dir.path(),
        &[
            ("OCTOSYNC_PROJECTS", "all"),
            ("OCTOSYNC_PROCESS_CLONING_OPTION", "SourceOnly"),
            APPLY,
        ],
    );
    let report = run(&job).await.unwrap();
    let change = change_of(&report, "Project", "Api (deployment process)");
    assert!(
        change
            .diff
            .iter()
            .any(|d| d.path == "Steps[Local audit]" && format!("{:?}", d.op) == "Removed"),
        "the plan marks the deletion: {:?}",
        change.diff
    );
    assert_eq!(
        step_names(&process_of(&p.destination, &d.id, &api)),
        ["Build info", "Deploy", "Announce"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_child_project_is_synced_before_the_parent_that_deploys_it_and_a_circle_is_an_error_naming_both() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let s = space(&p.source, p.source_space(), &["Production"]);
    let d = space(&p.destination, p.dest_space(), &["Production"]);
    let deploy = |name: &str, project: &Value| {
        json!({"Name": name, "Actions": [{"Name": name, "ActionType": "Octopus.DeployRelease",
            "Properties": {"Octopus.Action.DeployRelease.ProjectId": project["Id"]}}]})
    };
    // The parent comes first on the source and deploys the child, which comes after it.
    let parent = new_project(&p.source, &s, "Parent");
    let child = new_project(&p.source, &s, "Child");
    set_process(&p.source, &s.id, &child, vec![script("Migrate", "dbup")]);
    set_process(&p.source, &s.id, &parent, vec![deploy("Deploy child", &child)]);
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &[("OCTOSYNC_PROJECTS", "all"), APPLY]);
    let report = run(&job).await.unwrap();
    assert_clean(&report);
    let position = |name: &str| report.changes.iter().position(|c| c.name == name).unwrap();
    assert!(position("Child (deployment process)") < position("Parent (deployment process)"));
    let dest_parent = dest_project(&p, "Parent");
    assert_eq!(
        step(&process_of(&p.destination, &d.id, &dest_parent), "Deploy child")["Actions"][0]["Properties"]
            ["Octopus.Action.DeployRelease.ProjectId"],
        json!(id(&dest_project(&p, "Child")))
    );
    assert_rerun_settles(&job).await;

    // Now the child deploys its parent too: neither can come first.
    set_process(
        &p.source,
        &s.id,
        &child,
        vec![script("Migrate", "dbup"), deploy("Deploy parent", &parent)],
    );
    p.destination.clear_request_log();
    let report = run(&job).await.unwrap();
    for name in ["Parent (deployment process)", "Child (deployment process)"] {
        let error = change_of(&report, "Project", name).error.clone().unwrap_or_default();
        assert!(
            error.contains("Parent") && error.contains("Child") && error.contains("circle"),
            "{error}"
        );
    }
    assert!(writes(&p).is_empty(), "{:?}", writes(&p));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_id_the_source_does_not_know_is_refused_and_nothing_of_that_process_is_written() {
    let mut broken = script("Notify", "notify");
    broken["Actions"][0]["Properties"]["Octopus.Action.Email.ToTeamIds"] = json!("Teams-999");
    let (p, _s, d) = existing_pair(
        vec![script("Build info", "echo build v2"), broken],
        vec![script("Build info", "echo build")],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    p.destination.clear_request_log();
    let report = run(&p.job(dir.path(), &[("OCTOSYNC_PROJECTS", "all"), APPLY]))
        .await
        .unwrap();
    let change = change_of(&report, "Project", "Api (deployment process)");
    let error = change.error.clone().unwrap_or_default();
    assert!(error.contains("Teams-999"), "{change:?}");
    assert!(
        !writes(&p).iter().any(|w| w.contains("deploymentprocesses")),
        "{:?}",
        writes(&p)
    );
    let api = dest_project(&p, "Api");
    assert_eq!(
        step(&process_of(&p.destination, &d.id, &api), "Build info")["Actions"][0]["Properties"]
            ["Octopus.Action.Script.ScriptBody"],
        "echo build",
        "not even the step that could be written"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_part_left_out_by_the_project_parts_setting_is_not_written() {
    let (p, _s, d) = existing_pair(
        vec![script("Build info", "echo build v2")],
        vec![script("Build info", "echo build")],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    p.destination.clear_request_log();
    let report = run(&p.job(
        dir.path(),
        &[
            ("OCTOSYNC_PROJECTS", "all"),
            ("OCTOSYNC_PROJECT_PARTS", "all\n!Process"),
            APPLY,
        ],
    ))
    .await
    .unwrap();
    assert_clean(&report);
    assert!(report.changes.iter().all(|c| !c.name.contains("deployment process")));
    assert!(writes(&p).is_empty(), "{:?}", writes(&p));
    let api = dest_project(&p, "Api");
    assert_eq!(
        step(&process_of(&p.destination, &d.id, &api), "Build info")["Actions"][0]["Properties"]
            ["Octopus.Action.Script.ScriptBody"],
        "echo build"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_variable_scoped_to_a_step_the_run_adds_is_planned_and_applied_with_that_scope() {
    let (p, s, d) = existing_pair(
        vec![script("Build info", "echo build"), script("Smoke test", "curl")],
        vec![script("Build info", "echo build")],
    )
    .await;
    let api = p
        .source
        .items(&s.id, "projects")
        .into_iter()
        .find(|x| x["Name"] == "Api")
        .unwrap();
    let smoke = step(&process_of(&p.source, &s.id, &api), "Smoke test")["Actions"][0]["Id"].clone();
    let vs = api["VariableSetId"].as_str().unwrap();
    let mut vars = p
        .source
        .items(&s.id, "variables")
        .into_iter()
        .find(|v| v["Id"] == vs)
        .unwrap();
    vars["Variables"] =
        json!([{"Name": "Smoke.Url", "Value": "https://api.example.com", "Scope": {"Action": [smoke]}}]);
    p.source.update(&s.id, "variables", vs, vars).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let plan = run(&p.job(dir.path(), &[("OCTOSYNC_PROJECTS", "all")])).await.unwrap();
    let planned = change_of(&plan, "Project", "Api (variables)");
    assert_eq!(planned.action, Action::Update, "{planned:?}");
    assert!(
        planned.warnings.is_empty(),
        "the plan sees the step the run adds: {planned:?}"
    );

    let report = run(&p.job(dir.path(), &[("OCTOSYNC_PROJECTS", "all"), APPLY]))
        .await
        .unwrap();
    assert_clean(&report);
    let dest_api = dest_project(&p, "Api");
    let dest_smoke = step(&process_of(&p.destination, &d.id, &dest_api), "Smoke test")["Actions"][0]["Id"].clone();
    let dest_vars = p
        .destination
        .items(&d.id, "variables")
        .into_iter()
        .find(|v| v["Id"] == dest_api["VariableSetId"])
        .unwrap();
    assert_eq!(dest_vars["Variables"][0]["Scope"]["Action"], json!([dest_smoke]));
    assert!(!dest_smoke.as_str().unwrap().contains("-planned-"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_projects_default_channel_takes_its_rules_steps_and_variables_in_the_first_run() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let s = space(&p.source, p.source_space(), &["Production"]);
    let d = space(&p.destination, p.dest_space(), &["Production"]);
    let api = new_project(&p.source, &s, "Api");
    let default = p
        .source
        .items(&s.id, "channels")
        .into_iter()
        .find(|c| c["ProjectId"] == api["Id"] && c["IsDefault"] == true)
        .unwrap();
    let package = json!({"Name": "Deploy Api", "Actions": [{"Name": "Deploy Api", "ActionType": "Octopus.TentaclePackage",
        "Packages": [{"Name": "", "PackageId": "Api", "FeedId": "feeds-builtin", "AcquisitionLocation": "Server", "Properties": {}}],
        "Properties": {"Octopus.Action.Package.PackageId": "Api", "Octopus.Action.Package.FeedId": "feeds-builtin"}}]});
    let mut banner = script("Release banner", "echo release");
    banner["Actions"][0]["Channels"] = json!([default["Id"]]);
    set_process(&p.source, &s.id, &api, vec![package, banner]);
    let mut channel = default.clone();
    channel["Rules"] = json!([{"VersionRange": "[1.0,2.0)", "Tag": "", "ActionPackages": [{"DeploymentAction": "Deploy Api", "PackageReference": ""}]}]);
    p.source.update(&s.id, "channels", &id(&default), channel).unwrap();
    let vs = api["VariableSetId"].as_str().unwrap();
    let mut vars = p
        .source
        .items(&s.id, "variables")
        .into_iter()
        .find(|v| v["Id"] == vs)
        .unwrap();
    vars["Variables"] = json!([{"Name": "Release.Kind", "Value": "regular", "Scope": {"Channel": [default["Id"]]}}]);
    p.source.update(&s.id, "variables", vs, vars).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &[("OCTOSYNC_PROJECTS", "all"), APPLY]);
    let report = run(&job).await.unwrap();
    assert_clean(&report);
    let dest_api = dest_project(&p, "Api");
    let dest_default = p
        .destination
        .items(&d.id, "channels")
        .into_iter()
        .find(|c| c["ProjectId"] == dest_api["Id"] && c["IsDefault"] == true)
        .unwrap();
    assert_eq!(dest_default["Rules"][0]["VersionRange"], "[1.0,2.0)");
    let process = process_of(&p.destination, &d.id, &dest_api);
    assert_eq!(
        step(&process, "Release banner")["Actions"][0]["Channels"],
        json!([id(&dest_default)])
    );
    let dest_vars = p
        .destination
        .items(&d.id, "variables")
        .into_iter()
        .find(|v| v["Id"] == dest_api["VariableSetId"])
        .unwrap();
    assert_eq!(
        dest_vars["Variables"][0]["Scope"]["Channel"],
        json!([id(&dest_default)])
    );

    p.destination.clear_request_log();
    let again = run(&job).await.unwrap();
    assert_clean(&again);
    assert_eq!(writes(&p), Vec::<String>::new(), "{:?}", again.changes);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_runbook_is_published_only_when_the_setting_says_so() {
    let (p, s, d) = existing_pair(vec![script("Build info", "echo build")], vec![]).await;
    let api = p
        .source
        .items(&s.id, "projects")
        .into_iter()
        .find(|x| x["Name"] == "Api")
        .unwrap();
    let runbook = p
        .source
        .insert(&s.id, "runbooks", json!({"Name": "Restart", "ProjectId": api["Id"]}))
        .unwrap();
    set_runbook_process(
        &p.source,
        &s.id,
        &runbook,
        vec![script("Restart now", "systemctl restart api")],
    );
    let dir = tempfile::tempdir().unwrap();
    let published = |p: &Pair| {
        p.destination
            .items(&d.id, "runbooks")
            .into_iter()
            .find(|r| r["Name"] == "Restart")
            .unwrap()["PublishedRunbookSnapshotId"]
            .clone()
    };
    let report = run(&p.job(dir.path(), &[("OCTOSYNC_PROJECTS", "all"), APPLY]))
        .await
        .unwrap();
    assert_clean(&report);
    assert!(published(&p).is_null(), "nothing published by default");
    let change = change_of(&report, "Runbook", "Api / Restart (process)");
    assert!(
        change.notes.iter().any(|n| n.contains("no snapshot is published")),
        "{change:?}"
    );

    // The source's process changes; this time the setting publishes the result.
    let mut rb_process = p
        .source
        .items(&s.id, "runbookProcesses")
        .into_iter()
        .find(|x| x["Id"] == runbook["RunbookProcessId"])
        .unwrap();
    rb_process["Steps"][0]["Actions"][0]["Properties"]["Octopus.Action.Script.ScriptBody"] =
        json!("systemctl reload api");
    let pid = id(&rb_process);
    p.source.update(&s.id, "runbookProcesses", &pid, rb_process).unwrap();
    let job = p.job(
        dir.path(),
        &[
            ("OCTOSYNC_PROJECTS", "all"),
            ("OCTOSYNC_RUNBOOK_PUBLISH", "True"),
            APPLY,
        ],
    );
    let report = run(&job).await.unwrap();
    assert_clean(&report);
    let snapshot = published(&p);
    assert!(
        snapshot.as_str().is_some_and(|s| s.starts_with("RunbookSnapshots-")),
        "{snapshot}"
    );
    let change = change_of(&report, "Runbook", "Api / Restart (process)");
    assert!(
        change.notes.iter().any(|n| n.contains("OCTOSYNC_RUNBOOK_PUBLISH=True")),
        "{change:?}"
    );
    // Nothing changed since: nothing is written, nothing published again.
    p.destination.clear_request_log();
    run(&job).await.unwrap();
    assert_eq!(writes(&p), Vec::<String>::new());
    assert_eq!(published(&p), snapshot);
}
