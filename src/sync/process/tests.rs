//! The process merge's rules, each named for what a user notices.

use super::*;
use crate::kind::Kind;
use crate::report::DiffOp;
use crate::rules::{ProcessRules, ProcessSteps, StepFields};
use crate::scope::MatchPolicy;
use crate::snapshot::Snapshot;
use crate::sync::placeholder::SECRET_PLACEHOLDER;
use crate::translate::Translator;
use serde_json::{json, Value};

fn source_space() -> Snapshot {
    Snapshot::from_docs([
        (
            Kind::Environment,
            vec![
                json!({"Id": "Environments-1", "Name": "Dev"}),
                json!({"Id": "Environments-2", "Name": "Prod"}),
                json!({"Id": "Environments-3", "Name": "QA"}),
            ],
        ),
        (Kind::WorkerPool, vec![json!({"Id": "WorkerPools-1", "Name": "Linux"})]),
        (
            Kind::Feed,
            vec![
                json!({"Id": "feeds-builtin", "Name": "Octopus Server (built-in)", "FeedType": "BuiltIn"}),
                json!({"Id": "Feeds-1", "Name": "Docker Hub", "FeedType": "Docker"}),
            ],
        ),
        (Kind::Team, vec![json!({"Id": "Teams-1", "Name": "Ops"})]),
        (
            Kind::Account,
            vec![json!({"Id": "Accounts-1", "Name": "Azure", "AccountType": "AzureServicePrincipal"})],
        ),
        (
            Kind::ActionTemplate,
            vec![json!({"Id": "ActionTemplates-1", "Name": "Notify", "Version": 3})],
        ),
        (
            Kind::TagSet,
            vec![
                json!({"Id": "TagSets-1", "Name": "Region", "Tags": [{"Id": "TagSets-1/Tags-1", "Name": "EU"}, {"Id": "TagSets-1/Tags-2", "Name": "US"}]}),
            ],
        ),
    ])
}

/// The destination lacks QA and the US tag; every other item has another id.
fn destination_space() -> Snapshot {
    Snapshot::from_docs([
        (
            Kind::Environment,
            vec![
                json!({"Id": "Environments-11", "Name": "Dev"}),
                json!({"Id": "Environments-12", "Name": "Prod"}),
            ],
        ),
        (Kind::WorkerPool, vec![json!({"Id": "WorkerPools-5", "Name": "Linux"})]),
        (
            Kind::Feed,
            vec![
                json!({"Id": "Feeds-100", "Name": "Packages", "FeedType": "BuiltIn"}),
                json!({"Id": "Feeds-7", "Name": "Docker Hub", "FeedType": "Docker"}),
            ],
        ),
        (Kind::Team, vec![json!({"Id": "Teams-10", "Name": "Ops"})]),
        (
            Kind::Account,
            vec![json!({"Id": "Accounts-4", "Name": "Azure", "AccountType": "AzureServicePrincipal"})],
        ),
        (
            Kind::ActionTemplate,
            vec![json!({"Id": "ActionTemplates-9", "Name": "Notify", "Version": 5})],
        ),
        (
            Kind::TagSet,
            vec![json!({"Id": "TagSets-4", "Name": "Region", "Tags": [{"Id": "TagSets-4/Tags-9", "Name": "EU"}]})],
        ),
    ])
}

fn script(name: &str, body: &str) -> Value {
    json!({
        "Id": format!("src-{name}"), "Name": name, "ActionType": "Octopus.Script",
        "Environments": [], "ExcludedEnvironments": [], "Channels": [], "TenantTags": [],
        "WorkerPoolId": null, "Packages": [], "Links": {},
        "Properties": {"Octopus.Action.Script.ScriptBody": body}
    })
}

fn step(name: &str, actions: Vec<Value>) -> Value {
    json!({
        "Id": format!("src-step-{name}"), "Name": name, "PackageRequirement": "LetOctopusDecide",
        "Condition": "Success", "StartTrigger": "StartAfterPrevious",
        "Properties": {"Octopus.Action.TargetRoles": "web"}, "Actions": actions
    })
}

fn process(steps: Vec<Value>) -> Value {
    json!({"Id": "deploymentprocess-Projects-1", "ProjectId": "Projects-1", "Version": 4, "Steps": steps})
}

/// The same document as the destination holds it: its own ids for steps and actions.
fn on_destination(mut doc: Value, project: &str) -> Value {
    doc["Id"] = json!(format!("deploymentprocess-{project}"));
    doc["ProjectId"] = json!(project);
    doc["Version"] = json!(9);
    for s in doc["Steps"].as_array_mut().unwrap() {
        s["Id"] = json!(format!("dest-step-{}", s["Name"].as_str().unwrap()));
        for a in s["Actions"].as_array_mut().unwrap() {
            a["Id"] = json!(format!("dest-{}", a["Name"].as_str().unwrap()));
        }
    }
    doc
}

fn run(src: &Value, dest: Option<&Value>, rules: &ProcessRules) -> ProcessMerge {
    run_with(src, dest, rules, Channels::default())
}

fn run_with(src: &Value, dest: Option<&Value>, rules: &ProcessRules, channels: Channels<'_>) -> ProcessMerge {
    let (s, d) = (source_space(), destination_space());
    let t = Translator::new(&s, &d);
    let owner = Owner {
        project: "Shop",
        runbook: None,
        channels,
    };
    merge(src, dest, &t, rules, &owner)
}

fn step_names(m: &ProcessMerge) -> Vec<&str> {
    m.document["Steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Name"].as_str().unwrap())
        .collect()
}

fn action<'a>(m: &'a ProcessMerge, step: &str, name: &str) -> &'a Value {
    m.document["Steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Name"] == step)
        .and_then(|s| s["Actions"].as_array().unwrap().iter().find(|a| a["Name"] == name))
        .unwrap_or_else(|| panic!("no action {step}/{name}"))
}

fn decision<'a>(m: &'a ProcessMerge, step: &str) -> &'a StepDecision {
    m.steps.iter().find(|s| s.name == step).unwrap()
}

#[test]
fn destination_only_steps_stay_where_they_stood_and_the_rest_follows_the_source_order() {
    let src = process(vec![
        step("Build", vec![script("Build", "b")]),
        step("Deploy", vec![script("Deploy", "d")]),
    ]);
    let dest = on_destination(
        process(vec![
            step("Deploy", vec![script("Deploy", "d")]),
            step("Approve", vec![script("Approve", "a")]),
            step("Build", vec![script("Build", "b")]),
            step("Notify", vec![script("Notify", "n")]),
        ]),
        "Projects-50",
    );
    let m = run(&src, Some(&dest), &ProcessRules::default());
    // Approve followed Deploy and Notify followed Build on the destination: they still do.
    assert_eq!(step_names(&m), ["Build", "Notify", "Deploy", "Approve"]);
    assert_eq!(decision(&m, "Approve").outcome, Outcome::Keep);
    assert!(m.changed, "the order changed");
    assert!(m
        .diff(&destination_space())
        .iter()
        .any(|e| e.path == "Steps" && e.op == DiffOp::Reordered));
    // The destination's own document is what is written.
    assert_eq!(m.document["Id"], "deploymentprocess-Projects-50");
    assert_eq!(m.document["Version"], 9);
    assert_eq!(m.document["ProjectId"], "Projects-50");
}

#[test]
fn source_only_removes_destination_only_steps_and_actions_and_the_plan_marks_them_removed() {
    let src = process(vec![step("Deploy", vec![script("Deploy", "d")])]);
    let dest = on_destination(
        process(vec![
            step("Deploy", vec![script("Deploy", "d"), script("Extra", "x")]),
            step("Approve", vec![script("Approve", "a")]),
        ]),
        "Projects-50",
    );
    let rules = ProcessRules {
        steps: ProcessSteps::SourceOnly,
        ..ProcessRules::default()
    };
    let m = run(&src, Some(&dest), &rules);
    assert_eq!(step_names(&m), ["Deploy"]);
    assert_eq!(m.document["Steps"][0]["Actions"].as_array().unwrap().len(), 1);
    assert_eq!(decision(&m, "Approve").outcome, Outcome::Remove);
    assert_eq!(decision(&m, "Deploy").actions[1].outcome, Outcome::Remove);
    let lines = m.lines(&destination_space());
    assert!(lines.iter().any(|l| l.starts_with("- Steps[Approve]:")), "{lines:?}");
    assert!(
        lines.iter().any(|l| l.starts_with("- Steps[Deploy].Actions[Extra]:")),
        "{lines:?}"
    );
    // The default keeps both.
    let kept = run(&src, Some(&dest), &ProcessRules::default());
    assert_eq!(step_names(&kept), ["Deploy", "Approve"]);
    assert_eq!(action(&kept, "Deploy", "Extra")["Id"], "dest-Extra");
}

#[test]
fn an_action_skipped_for_its_scope_never_deletes_the_destinations_action_of_that_name() {
    let mut qa_only = script("Smoke test", "new body");
    qa_only["Environments"] = json!(["Environments-3"]);
    let src = process(vec![step("Test", vec![qa_only])]);
    let dest = on_destination(
        process(vec![step("Test", vec![script("Smoke test", "old body")])]),
        "Projects-50",
    );
    for steps in [ProcessSteps::KeepAdditionalDestinationSteps, ProcessSteps::SourceOnly] {
        let rules = ProcessRules {
            steps,
            ..ProcessRules::default()
        };
        let m = run(&src, Some(&dest), &rules);
        let kept = action(&m, "Test", "Smoke test");
        assert_eq!(kept, &dest["Steps"][0]["Actions"][0], "left exactly as it is");
        let d = &decision(&m, "Test").actions[0];
        assert_eq!(d.outcome, Outcome::Keep);
        assert!(d.reason.contains("'QA' not found on the destination"), "{}", d.reason);
        assert!(d
            .reason
            .contains("OCTOSYNC_PROCESS_ENVIRONMENT_MATCH=SkipUnlessPartialMatch"));
        assert!(m.warnings.iter().any(|w| w.contains("left as it is")));
        assert!(!m.changed);
        assert!(m.write().is_none());
    }
}

#[test]
fn a_step_whose_actions_are_all_skipped_is_not_added() {
    let mut qa_only = script("Smoke test", "x");
    qa_only["Environments"] = json!(["Environments-3"]);
    let src = process(vec![
        step("Test", vec![qa_only]),
        step("Deploy", vec![script("Deploy", "d")]),
    ]);
    let m = run(&src, None, &ProcessRules::default());
    assert_eq!(step_names(&m), ["Deploy"]);
    assert_eq!(decision(&m, "Test").outcome, Outcome::Skip);
    assert_eq!(decision(&m, "Test").actions[0].outcome, Outcome::Skip);
    assert!(m.changed);
}

#[test]
fn partial_scopes_keep_what_matches_and_exact_or_error_modes_skip_or_stop() {
    let mut scoped = script("Deploy", "d");
    scoped["Environments"] = json!(["Environments-1", "Environments-3"]);
    scoped["ExcludedEnvironments"] = json!(["Environments-2"]);
    scoped["TenantTags"] = json!(["Region/EU", "Region/US"]);
    let src = process(vec![step("Deploy", vec![scoped])]);
    let m = run(&src, None, &ProcessRules::default());
    let a = action(&m, "Deploy", "Deploy");
    assert_eq!(a["Environments"], json!(["Environments-11"]));
    assert_eq!(a["ExcludedEnvironments"], json!(["Environments-12"]));
    assert_eq!(a["TenantTags"], json!(["Region/EU"]));
    assert!(m.warnings.iter().any(|w| w.contains("'QA'") && w.contains("dropped")));
    assert!(m.warnings.iter().any(|w| w.contains("'Region/US'")));

    let exact = ProcessRules {
        tenant_tags: MatchPolicy::SkipUnlessExactMatch,
        ..ProcessRules::default()
    };
    assert_eq!(run(&src, None, &exact).steps[0].actions[0].outcome, Outcome::Skip);
    let error = ProcessRules {
        environments: MatchPolicy::ErrorUnlessExactMatch,
        ..ProcessRules::default()
    };
    let m = run(&src, None, &error);
    assert!(
        m.errors[0].contains("OCTOSYNC_PROCESS_ENVIRONMENT_MATCH=ErrorUnlessExactMatch"),
        "{:?}",
        m.errors
    );
    assert!(m.write().is_none());
}

#[test]
fn leave_existing_alone_keeps_the_destination_actions_own_scope() {
    let mut src_action = script("Deploy", "d");
    src_action["Environments"] = json!(["Environments-3"]);
    let mut dest_action = script("Deploy", "d");
    dest_action["Environments"] = json!(["Environments-12"]);
    let src = process(vec![step("Deploy", vec![src_action])]);
    let dest = on_destination(process(vec![step("Deploy", vec![dest_action])]), "Projects-50");
    let rules = ProcessRules {
        environments: MatchPolicy::IgnoreMismatchOnNewLeaveExistingAlone,
        ..ProcessRules::default()
    };
    let m = run(&src, Some(&dest), &rules);
    assert_eq!(
        action(&m, "Deploy", "Deploy")["Environments"],
        json!(["Environments-12"])
    );
    assert!(!m.changed);
    // A new action under it drops what the destination lacks, as IgnoreMismatch does.
    let fresh = run(&src, None, &rules);
    assert_eq!(action(&fresh, "Deploy", "Deploy")["Environments"], json!([]));
    assert!(fresh.warnings.iter().any(|w| w.contains("no longer limited")));
}

#[test]
fn step_fields_follow_the_source_unless_the_destinations_are_kept() {
    let mut src_step = step("Deploy", vec![script("Deploy", "d")]);
    src_step["Properties"] = json!({"Octopus.Action.TargetRoles": "web,api", "Octopus.Action.MaxParallelism": "2"});
    src_step["Condition"] = json!("Always");
    src_step["StartTrigger"] = json!("StartWithPrevious");
    src_step["PackageRequirement"] = json!("BeforePackageAcquisition");
    let src = process(vec![src_step]);
    let dest = on_destination(
        process(vec![step("Deploy", vec![script("Deploy", "d")])]),
        "Projects-50",
    );
    let m = run(&src, Some(&dest), &ProcessRules::default());
    let s = &m.document["Steps"][0];
    assert_eq!(s["Id"], "dest-step-Deploy");
    assert_eq!(s["Properties"]["Octopus.Action.TargetRoles"], "web,api");
    assert_eq!(s["Properties"]["Octopus.Action.MaxParallelism"], "2");
    assert_eq!(s["Condition"], "Always");
    assert_eq!(s["StartTrigger"], "StartWithPrevious");
    assert_eq!(s["PackageRequirement"], "BeforePackageAcquisition");
    assert_eq!(decision(&m, "Deploy").outcome, Outcome::Update);
    let lines = m.lines(&destination_space());
    assert!(
        lines.contains(&"~ Steps[Deploy].Condition: \"Success\" → \"Always\"".to_string()),
        "{lines:?}"
    );

    let keep = ProcessRules {
        step_fields: StepFields::KeepDestination,
        ..ProcessRules::default()
    };
    let m = run(&src, Some(&dest), &keep);
    assert_eq!(m.document["Steps"][0], dest["Steps"][0]);
    assert!(!m.changed);
}

#[test]
fn every_id_an_action_holds_is_translated() {
    let a = json!({
        "Id": "src-a", "Name": "Release", "ActionType": "Octopus.AzurePowerShell",
        "WorkerPoolId": "WorkerPools-1", "WorkerPoolVariable": null,
        "Container": {"Image": "octopusdeploy/worker-tools", "FeedId": "Feeds-1"},
        "Environments": ["Environments-2"], "ExcludedEnvironments": [], "Channels": [], "TenantTags": [],
        "Packages": [
            {"Id": "p1", "Name": "", "PackageId": "Shop.Web", "FeedId": "feeds-builtin", "AcquisitionLocation": "Server", "Properties": {}},
            {"Id": "p2", "Name": "tools", "PackageId": "Tools", "FeedId": "#{ToolsFeed}", "AcquisitionLocation": "Server", "Properties": {}}
        ],
        "Properties": {
            "Octopus.Action.Azure.AccountId": "Accounts-1",
            "Octopus.Action.Template.Id": "ActionTemplates-1",
            "Octopus.Action.Template.Version": "3",
            "Octopus.Action.Manual.ResponsibleTeamIds": "Teams-1",
            "Octopus.Action.Email.ToTeamIds": "Teams-1,Teams-1",
            "Octopus.Action.Package.FeedId": "feeds-builtin",
            "Octopus.Action.KubernetesContainers.Containers": "[{\"Name\":\"web\",\"FeedId\":\"Feeds-1\"}]",
            "Octopus.Action.Script.ScriptBody": "Write-Host 'Accounts-1 stays text in a script'"
        }
    });
    let src = process(vec![step("Release", vec![a])]);
    let m = run(&src, None, &ProcessRules::default());
    assert!(m.errors.is_empty(), "{:?}", m.errors);
    let a = action(&m, "Release", "Release");
    assert_eq!(a["WorkerPoolId"], "WorkerPools-5");
    assert_eq!(a["Container"]["FeedId"], "Feeds-7");
    assert_eq!(a["Environments"], json!(["Environments-12"]));
    assert_eq!(a["Packages"][0]["FeedId"], "Feeds-100");
    assert_eq!(a["Packages"][1]["FeedId"], "#{ToolsFeed}", "a deferred feed is kept");
    let p = &a["Properties"];
    assert_eq!(p["Octopus.Action.Azure.AccountId"], "Accounts-4");
    assert_eq!(p["Octopus.Action.Template.Id"], "ActionTemplates-9");
    assert_eq!(
        p["Octopus.Action.Template.Version"], "5",
        "the destination template's version"
    );
    assert_eq!(p["Octopus.Action.Manual.ResponsibleTeamIds"], "Teams-10");
    assert_eq!(p["Octopus.Action.Email.ToTeamIds"], "Teams-10,Teams-10");
    assert_eq!(p["Octopus.Action.Package.FeedId"], "Feeds-100");
    assert_eq!(
        p["Octopus.Action.KubernetesContainers.Containers"],
        "[{\"FeedId\":\"Feeds-7\",\"Name\":\"web\"}]"
    );
    assert_eq!(
        p["Octopus.Action.Script.ScriptBody"],
        "Write-Host 'Accounts-1 stays text in a script'"
    );
    // New actions and packages carry no id: the server gives them one.
    assert!(a.get("Id").is_none());
    assert!(a["Packages"][0].get("Id").is_none());
    assert!(a.get("Links").is_none());
}

#[test]
fn an_id_without_a_translation_is_an_error_and_nothing_is_written() {
    let release = json!({
        "Name": "Deploy child", "ActionType": "Octopus.DeployRelease", "Environments": [],
        "Packages": [{"Name": "", "PackageId": "Projects-7", "FeedId": "feeds-builtin", "Properties": {}}],
        "Properties": {"Octopus.Action.DeployRelease.ProjectId": "Projects-7"}
    });
    let mut missing_account = script("Azure", "x");
    missing_account["Properties"]["Octopus.Action.Azure.AccountId"] = json!("Accounts-77");
    let src = process(vec![step("Child", vec![release]), step("Azure", vec![missing_account])]);
    let m = run(&src, None, &ProcessRules::default());
    assert!(m.write().is_none(), "never written with a source id in it");
    assert_eq!(decision(&m, "Child").outcome, Outcome::Error);
    assert_eq!(m.errors.len(), 3, "{:?}", m.errors);
    assert!(m
        .errors
        .iter()
        .any(|e| e.starts_with("step 'Child', action 'Deploy child': Deploy a Release project: 'Projects-7'")));
    assert!(m.errors.iter().any(|e| e.contains("'Accounts-77'")));
    assert_eq!(decision(&m, "Child").actions[0].outcome, Outcome::Error);
}

#[test]
fn a_missing_worker_pool_or_template_names_the_item_to_sync() {
    let src_space = Snapshot::from_docs([(
        Kind::WorkerPool,
        vec![json!({"Id": "WorkerPools-2", "Name": "Windows"})],
    )]);
    let t_space = destination_space();
    let t = Translator::new(&src_space, &t_space);
    let mut a = script("Build", "b");
    a["WorkerPoolId"] = json!("WorkerPools-2");
    let owner = Owner {
        project: "Shop",
        runbook: Some("Restart"),
        channels: Channels::default(),
    };
    let m = merge(
        &process(vec![step("Build", vec![a])]),
        None,
        &t,
        &ProcessRules::default(),
        &owner,
    );
    assert_eq!(
        m.errors,
        ["step 'Build', action 'Build': worker pool: worker pool 'Windows' is not on the destination; sync the worker pool (or select it) and run again"]
    );
}

#[test]
fn a_process_equal_after_translation_is_unchanged_and_not_written() {
    let mut a = script("Deploy", "echo hi");
    a["WorkerPoolId"] = json!("WorkerPools-1");
    a["Packages"] = json!([{"Id": "src-p", "Name": "", "PackageId": "Shop", "FeedId": "Feeds-1", "Properties": {}}]);
    a["Properties"]["Octopus.Action.KubernetesContainers.Containers"] =
        json!("[{\"Name\":\"web\",\"FeedId\":\"Feeds-1\"}]");
    let src = process(vec![step("Deploy", vec![a])]);
    let mut dest = on_destination(src.clone(), "Projects-50");
    let d = &mut dest["Steps"][0]["Actions"][0];
    d["WorkerPoolId"] = json!("WorkerPools-5");
    d["Packages"] = json!([{"Id": "dest-p", "Name": "", "PackageId": "Shop", "FeedId": "Feeds-7", "Properties": {}}]);
    // The destination spells the same JSON with spaces: still the same.
    d["Properties"]["Octopus.Action.KubernetesContainers.Containers"] =
        json!("[{\"Name\": \"web\", \"FeedId\": \"Feeds-7\"}]");
    let m = run(&src, Some(&dest), &ProcessRules::default());
    assert!(!m.changed, "{:?}", m.lines(&destination_space()));
    assert!(m.write().is_none());
    assert_eq!(m.document, dest);
    assert_eq!(decision(&m, "Deploy").outcome, Outcome::Unchanged);
    assert_eq!(decision(&m, "Deploy").actions[0].outcome, Outcome::Unchanged);
    assert!(m.diff(&destination_space()).is_empty());
}

#[test]
fn a_changed_action_keeps_its_ids_and_the_plan_shows_the_script_as_a_line_diff() {
    let body = |last: &str| format!("$a = 1\n$b = 2\n$c = 3\nWrite-Host {last}\n$d = 4");
    let mut a = script("Deploy", &body("new"));
    a["Packages"] = json!([{"Id": "src-p", "Name": "", "PackageId": "Shop", "FeedId": "Feeds-1", "Properties": {}}]);
    let src = process(vec![step("Deploy", vec![a.clone()])]);
    let mut dest = on_destination(
        process(vec![step("Deploy", vec![script("Deploy", &body("old"))])]),
        "Projects-50",
    );
    dest["Steps"][0]["Actions"][0]["Packages"] =
        json!([{"Id": "dest-p", "Name": "", "PackageId": "Shop", "FeedId": "Feeds-7", "Properties": {}}]);
    let m = run(&src, Some(&dest), &ProcessRules::default());
    let merged = action(&m, "Deploy", "Deploy");
    assert_eq!(merged["Id"], "dest-Deploy");
    assert_eq!(merged["Packages"][0]["Id"], "dest-p");
    assert_eq!(decision(&m, "Deploy").actions[0].outcome, Outcome::Update);
    let diff = m.diff(&destination_space());
    let script = diff
        .iter()
        .find(|e| e.path == "Steps[Deploy].Actions[Deploy].Properties[\"Octopus.Action.Script.ScriptBody\"]")
        .unwrap_or_else(|| panic!("{diff:?}"));
    assert!(
        script.lines.contains(&"- Write-Host old".to_string()),
        "{:?}",
        script.lines
    );
    assert!(script.lines.contains(&"+ Write-Host new".to_string()));
    assert_eq!(diff.len(), 1, "only the script changed: {diff:?}");
    assert!(m.write().is_some());
}

#[test]
fn sensitive_template_parameters_keep_the_destinations_value_or_get_the_placeholder() {
    let mut a = script("Notify", "x");
    a["Properties"]["Octopus.Action.Template.Id"] = json!("ActionTemplates-1");
    a["Properties"]["Octopus.Action.Template.Version"] = json!("3");
    a["Properties"]["Notify.ApiKey"] = json!({"HasValue": true, "NewValue": null});
    a["Properties"]["Notify.Secret"] = json!({"HasValue": true, "NewValue": null});
    let src = process(vec![step("Notify", vec![a.clone()])]);
    let mut d = a.clone();
    d["Properties"]["Octopus.Action.Template.Id"] = json!("ActionTemplates-9");
    d["Properties"]["Octopus.Action.Template.Version"] = json!("5");
    d["Properties"]["Notify.Secret"] = json!({"HasValue": false, "NewValue": null});
    let dest = on_destination(process(vec![step("Notify", vec![d])]), "Projects-50");
    let m = run(&src, Some(&dest), &ProcessRules::default());
    let p = &action(&m, "Notify", "Notify")["Properties"];
    assert_eq!(
        p["Notify.ApiKey"],
        json!({"HasValue": true, "NewValue": null}),
        "the destination's own"
    );
    assert_eq!(p["Notify.Secret"]["NewValue"], SECRET_PLACEHOLDER);
    assert_eq!(m.cleanup.len(), 1);
    assert!(
        m.cleanup[0].action.contains("sensitive property 'Notify.Secret'"),
        "{:?}",
        m.cleanup
    );
    assert_eq!(m.cleanup[0].name, "Shop");
    let shown = m.lines(&destination_space()).join("\n");
    assert!(!shown.contains(SECRET_PLACEHOLDER), "{shown}");
    assert!(shown.contains("(sensitive)"), "{shown}");
}

#[test]
fn channels_translate_within_the_project_and_the_default_stands_for_the_default() {
    let src_channels = [
        json!({"Id": "Channels-1", "Name": "Default", "IsDefault": true}),
        json!({"Id": "Channels-2", "Name": "Hotfix", "IsDefault": false}),
        json!({"Id": "Channels-3", "Name": "Beta", "IsDefault": false}),
    ];
    let dest_channels = [
        json!({"Id": "Channels-40", "Name": "Main", "IsDefault": true}),
        json!({"Id": "Channels-41", "Name": "hotfix", "IsDefault": false}),
    ];
    let channels = Channels {
        source: &src_channels,
        destination: &dest_channels,
    };
    let mut a = script("Deploy", "d");
    a["Channels"] = json!(["Channels-1", "Channels-2", "Channels-3"]);
    let src = process(vec![step("Deploy", vec![a])]);
    let m = run_with(&src, None, &ProcessRules::default(), channels);
    assert_eq!(
        action(&m, "Deploy", "Deploy")["Channels"],
        json!(["Channels-40", "Channels-41"])
    );
    assert!(m.warnings.iter().any(|w| w.contains("'Beta'")));
    // Without the project's channels nothing can be matched: skipped, never copied.
    let m = run(&src, None, &ProcessRules::default());
    assert_eq!(m.steps[0].actions[0].outcome, Outcome::Skip);
}

#[test]
fn an_action_moved_to_another_step_that_the_destination_keeps_is_an_error_not_a_duplicate() {
    let src = process(vec![
        step("A", vec![script("One", "1")]),
        step("B", vec![script("Two", "2"), script("Moved", "m")]),
    ]);
    let dest = on_destination(
        process(vec![
            step("A", vec![script("One", "1"), script("Moved", "m")]),
            step("B", vec![script("Two", "2")]),
        ]),
        "Projects-50",
    );
    let m = run(&src, Some(&dest), &ProcessRules::default());
    assert_eq!(m.errors.len(), 1, "{:?}", m.errors);
    assert!(m.errors[0].contains("action 'Moved' would be in the process twice (in steps 'A' and 'B')"));
    let rules = ProcessRules {
        steps: ProcessSteps::SourceOnly,
        ..ProcessRules::default()
    };
    let m = run(&src, Some(&dest), &rules);
    assert!(m.errors.is_empty(), "{:?}", m.errors);
    assert!(
        action(&m, "B", "Moved").get("Id").is_none(),
        "a new action in its new step"
    );
}

#[test]
fn a_new_process_is_the_sources_steps_without_server_owned_fields() {
    let src = process(vec![step("Deploy", vec![script("Deploy", "d")])]);
    let m = run(&src, None, &ProcessRules::default());
    for field in ["Id", "Version", "ProjectId"] {
        assert!(m.document.get(field).is_none(), "{field}");
    }
    assert!(m.document["Steps"][0].get("Id").is_none());
    assert_eq!(decision(&m, "Deploy").outcome, Outcome::Add);
    let lines = m.lines(&destination_space());
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("+ Steps[Deploy]: step with 1 action(s)")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l == "+ Steps[Deploy].Actions[Deploy]: Octopus.Script action"),
        "{lines:?}"
    );
}

#[test]
fn a_real_deployment_process_merged_into_its_own_copy_writes_nothing() {
    let text = include_str!("../../../tests/fixtures/octopus-api-examples/deploymentprocess.json");
    let src: Value = serde_json::from_str(text).unwrap();
    // The destination's copy: its own ids, and its built-in feed under its own id.
    let mut dest = src.clone();
    dest["Id"] = json!("deploymentprocess-Projects-3");
    let a = &mut dest["Steps"][0]["Actions"][0];
    a["Id"] = json!("7d1c1c4e-0000-4000-8000-000000000001");
    a["Packages"][0]["Id"] = json!("7d1c1c4e-0000-4000-8000-000000000002");
    a["Packages"][0]["FeedId"] = json!("Feeds-100");
    a["Properties"]["Octopus.Action.Package.FeedId"] = json!("Feeds-100");
    let m = run(&src, Some(&dest), &ProcessRules::default());
    assert!(m.errors.is_empty(), "{:?}", m.errors);
    assert!(!m.changed, "{:?}", m.lines(&destination_space()));
    // A changed service name on the source is exactly one changed property.
    let mut changed = src.clone();
    changed["Steps"][0]["Actions"][0]["Properties"]["Octopus.Action.WindowsService.ServiceName"] = json!("Shop");
    let m = run(&changed, Some(&dest), &ProcessRules::default());
    assert_eq!(
        m.lines(&destination_space()),
        ["~ Steps[Deploy Service].Actions[Deploy Service].Properties[\"Octopus.Action.WindowsService.ServiceName\"]: \"TestService\" → \"Shop\""]
    );
    assert_eq!(
        m.write().unwrap()["Steps"][0]["Actions"][0]["Packages"][0]["Id"],
        "7d1c1c4e-0000-4000-8000-000000000002"
    );
}
