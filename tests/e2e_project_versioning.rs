//! End-to-end: channel version rules and release versioning / automatic release creation between
//! two simulated instances, after the deployment process (here already equal on both sides, with
//! other action ids). Rules and strategies are written named as the destination's process names
//! its actions; what the destination's process lacks is left out with a warning, never copied
//! across; a re-run writes nothing.

mod support;

use octosync::report::Action;
use octosync::sim::{Seed, SimServer};
use serde_json::{json, Value};
use support::*;

/// A project "Api" whose process has the step "Deploy" with the action "Web" (a primary package
/// and the package reference "Tools"); returns the project and the action's id.
fn project_with_process(sim: &SimServer, space: &str) -> (Value, String) {
    let group = sim.insert(space, "projectgroups", json!({"Name": "Payments"})).unwrap();
    let lifecycle = sim.insert(space, "lifecycles", json!({"Name": "Release"})).unwrap();
    let project = sim
        .insert(
            space,
            "projects",
            json!({"Name": "Api", "ProjectGroupId": group["Id"], "LifecycleId": lifecycle["Id"]}),
        )
        .unwrap();
    let dp = project["DeploymentProcessId"].as_str().unwrap();
    let mut process = sim
        .items(space, "deploymentprocesses")
        .into_iter()
        .find(|p| p["Id"] == dp)
        .unwrap();
    process["Steps"] = json!([{"Name": "Deploy", "Properties": {}, "Actions": [{
        "Name": "Web", "ActionType": "Octopus.TentaclePackage", "Properties": {},
        "Packages": [{"Name": "", "PackageId": "Web", "FeedId": "feeds-builtin"},
                     {"Name": "Tools", "PackageId": "Tools", "FeedId": "feeds-builtin"}]}]}]);
    let saved = sim.update(space, "deploymentprocesses", dp, process).unwrap();
    let action = saved["Steps"][0]["Actions"][0]["Id"].as_str().unwrap().to_string();
    (project, action)
}

fn channel(sim: &SimServer, space: &str, project: &Value, name: &str) -> Value {
    sim.items(space, "channels")
        .into_iter()
        .find(|c| c["ProjectId"] == project["Id"] && c["Name"] == name)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn rules_and_release_versioning_follow_the_source_named_by_the_destinations_actions_and_a_rerun_writes_nothing() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let (s, d) = (p.source_space(), p.dest_space());
    let (api, web) = project_with_process(&p.source, &s);
    let (dest_api, dest_web) = project_with_process(&p.destination, &d);
    assert_ne!(web, dest_web, "the two servers gave the action ids of their own");
    let hotfix = p
        .source
        .insert(
            &s,
            "channels",
            json!({"Name": "Hotfix", "ProjectId": api["Id"], "Rules": [
                {"VersionRange": "[1.0,2.0)", "Tag": "^hotfix", "ActionPackages": [
                    {"DeploymentAction": "Web", "PackageReference": ""},
                    {"DeploymentAction": "Gone", "PackageReference": ""}]},
                {"VersionRange": "[3.0,)", "Tag": "", "ActionPackages": [{"DeploymentAction": "Gone", "PackageReference": ""}]}]}),
        )
        .unwrap();
    let mut settings = api.clone();
    settings["VersioningStrategy"] = json!({"Template": null, "DonorPackageStepId": web,
        "DonorPackage": {"DeploymentAction": "Web", "PackageReference": "Tools"}});
    settings["ReleaseCreationStrategy"] = json!({"ChannelId": hotfix["Id"], "ReleaseCreationPackageStepId": web,
        "ReleaseCreationPackage": {"DeploymentAction": "Web", "PackageReference": ""}});
    settings["AutoCreateRelease"] = json!(true);
    p.source
        .update(&s, "projects", api["Id"].as_str().unwrap(), settings)
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[
            ("OCTOSYNC_PROJECTS", "Api"),
            ("OCTOSYNC_CHANNELS", "all"),
            ("OCTOSYNC_MODE", "apply"),
        ],
    );
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    // The channel is created by the channels stage, then given its rules once the process exists.
    assert_eq!(change_of(&report, "Channel", "Api / Hotfix").action, Action::Create);
    let rules = change_of(&report, "Channel", "Api / Hotfix (version rules)");
    assert_eq!(rules.action, Action::Update);
    assert!(
        rules.warnings.iter().any(|w| w.contains("'Gone'")),
        "{:?}",
        rules.warnings
    );
    let dest_hotfix = channel(&p.destination, &d, &dest_api, "Hotfix");
    assert_eq!(
        dest_hotfix["Rules"].as_array().unwrap().len(),
        1,
        "the rule naming only a step the destination lacks is not written: {}",
        dest_hotfix["Rules"]
    );
    assert_eq!(
        dest_hotfix["Rules"][0]["ActionPackages"],
        json!([{"DeploymentAction": "Web", "PackageReference": ""}])
    );
    assert!(dest_hotfix["Rules"][0]["Id"].as_str().is_some_and(|id| !id.is_empty()));

    let versioning = change_of(&report, "Project", "Api (versioning)");
    assert_eq!(versioning.action, Action::Update, "{versioning:?}");
    let project = p
        .destination
        .items(&d, "projects")
        .into_iter()
        .find(|x| x["Id"] == dest_api["Id"])
        .unwrap();
    // A server that returns no `DonorPackageStepId` (2024.3's `project.json`) is not sent one.
    let donor_id = project["VersioningStrategy"].get("DonorPackageStepId");
    assert!(donor_id.is_none_or(|id| *id == json!(dest_web)), "{donor_id:?}");
    assert_eq!(
        project["VersioningStrategy"]["DonorPackage"],
        json!({"DeploymentAction": "Web", "PackageReference": "Tools"})
    );
    assert_eq!(project["ReleaseCreationStrategy"]["ChannelId"], dest_hotfix["Id"]);
    assert_eq!(
        project["ReleaseCreationStrategy"]["ReleaseCreationPackageStepId"],
        json!(dest_web)
    );
    assert_eq!(project["AutoCreateRelease"], true);
    let stored = p.destination.items(&d, "projects").to_vec();
    assert!(
        !serde_json::to_string(&stored).unwrap().contains(&web),
        "the source's action id never crosses"
    );
    assert_rerun_settles(&job).await;
}
