//! End-to-end: machine policies against two simulated instances. Missing policies are created,
//! existing ones keep their own details unless OCTOSYNC_MACHINE_POLICY_UPDATES=Overwrite, and the
//! source's default policy is the destination's default whatever its name.

mod support;

use octosync::report::{Action, Report};
use octosync::sim::Seed;
use serde_json::{json, Value};
use support::*;

const KIND: &str = "Machine policy";

/// A policy with a health check interval and Tentacle/Calamari update behaviours.
fn policy(name: &str, interval: &str, calamari: &str, tentacle: &str) -> Value {
    json!({
        "Name": name, "Description": format!("{name} policy"),
        "MachineHealthCheckPolicy": {
            "PowerShellHealthCheckPolicy": {"RunType": "InheritFromDefault", "ScriptBody": null},
            "BashHealthCheckPolicy": {"RunType": "InheritFromDefault", "ScriptBody": null},
            "HealthCheckInterval": interval, "HealthCheckCron": null, "HealthCheckCronTimezone": "UTC",
            "HealthCheckType": "RunScript"
        },
        "MachineUpdatePolicy": {
            "CalamariUpdateBehavior": calamari, "TentacleUpdateBehavior": tentacle,
            "KubernetesAgentUpdateBehavior": "Update", "TentacleUpdateAccountId": null
        }
    })
}

/// Source: "Fast" (new to the destination) and "Linux" (which the destination has with its own
/// health check frequency and update settings).
async fn spaces() -> Pair {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let (s, d) = (p.source_space(), p.dest_space());
    p.source
        .insert(
            &s,
            "machinepolicies",
            policy("Fast", "00:05:00", "UpdateAlways", "Update"),
        )
        .unwrap();
    p.source
        .insert(
            &s,
            "machinepolicies",
            policy("Linux", "00:10:00", "UpdateAlways", "Update"),
        )
        .unwrap();
    p.destination
        .insert(
            &d,
            "machinepolicies",
            policy("linux", "04:00:00", "UpdateOnDeployment", "NeverUpdate"),
        )
        .unwrap();
    p
}

fn dest_policy(p: &Pair, name: &str) -> Value {
    p.destination
        .items(&p.dest_space(), "machinepolicies")
        .into_iter()
        .find(|d| d["Name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
        .unwrap_or_else(|| panic!("no machine policy '{name}' on the destination"))
}

fn defaults(p: &Pair) -> Vec<String> {
    names(
        &p.destination
            .items(&p.dest_space(), "machinepolicies")
            .into_iter()
            .filter(|d| d["IsDefault"] == true)
            .collect::<Vec<_>>(),
    )
}

fn change<'a>(report: &'a Report, name: &str) -> &'a octosync::report::Change {
    change_of(report, KIND, name)
}

/// Renames the destination's default machine policy.
fn rename_dest_default(p: &Pair, name: &str) {
    let d = p.dest_space();
    let mut default = dest_policy(p, "Default Machine Policy");
    default["Name"] = json!(name);
    let id = default["Id"].as_str().unwrap().to_string();
    p.destination.update(&d, "machinepolicies", &id, default).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_policy_is_created_and_an_existing_one_keeps_its_own_health_check_and_updates() {
    let p = spaces().await;
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[("OCTOSYNC_MACHINE_POLICIES", "all"), ("OCTOSYNC_MODE", "apply")],
    );
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);

    let fast = dest_policy(&p, "Fast");
    assert_eq!(fast["MachineHealthCheckPolicy"]["HealthCheckInterval"], "00:05:00");
    assert_eq!(fast["MachineUpdatePolicy"]["CalamariUpdateBehavior"], "UpdateAlways");
    assert_eq!(fast["MachineUpdatePolicy"]["TentacleUpdateBehavior"], "Update");
    assert_eq!(fast["IsDefault"], false);
    assert_eq!(change(&report, "Fast").action, Action::Create);

    let linux = dest_policy(&p, "Linux");
    assert_eq!(linux["Name"], "linux", "the destination's own name is kept");
    assert_eq!(linux["MachineHealthCheckPolicy"]["HealthCheckInterval"], "04:00:00");
    assert_eq!(linux["MachineUpdatePolicy"]["TentacleUpdateBehavior"], "NeverUpdate");
    let kept = change(&report, "Linux");
    assert_eq!(kept.action, Action::Unchanged);
    assert!(
        kept.notes
            .iter()
            .any(|n| n.contains("MachineHealthCheckPolicy") && n.contains("Overwrite")),
        "the plan says what differs and how to take the source's: {:?}",
        kept.notes
    );

    // The source's default is the destination's default: nothing is created for it, and the
    // destination still has exactly one default.
    assert_eq!(change(&report, "Default Machine Policy").action, Action::Unchanged);
    assert_eq!(defaults(&p), ["Default Machine Policy"]);
    assert_names_unique(&p);

    p.destination.clear_request_log();
    assert_rerun_settles(&job).await;
    assert_eq!(p.dest_writes(), 0, "{:?}", p.destination.request_log());
}

#[tokio::test(flavor = "multi_thread")]
async fn with_overwrite_an_existing_policy_takes_the_sources_settings_and_the_plan_shows_before_and_after() {
    let p = spaces().await;
    let dir = tempfile::tempdir().unwrap();
    let overwrite = [
        ("OCTOSYNC_MACHINE_POLICIES", "Linux"),
        ("OCTOSYNC_MACHINE_POLICY_UPDATES", "Overwrite"),
    ];

    let plan = run(&p.job(dir.path(), &overwrite)).await.unwrap();
    assert_eq!(p.dest_writes(), 0, "a plan writes nothing");
    let planned = change(&plan, "Linux");
    assert_eq!(planned.action, Action::Update);
    assert_eq!(
        planned.changed_fields,
        ["Description", "MachineHealthCheckPolicy", "MachineUpdatePolicy"]
    );
    let shown: Vec<(&str, Option<&str>, Option<&str>)> = planned
        .diff
        .iter()
        .map(|d| (d.path.as_str(), d.before.as_deref(), d.after.as_deref()))
        .collect();
    for expected in [
        (
            "MachineHealthCheckPolicy.HealthCheckInterval",
            Some("\"04:00:00\""),
            Some("\"00:10:00\""),
        ),
        (
            "MachineUpdatePolicy.CalamariUpdateBehavior",
            Some("\"UpdateOnDeployment\""),
            Some("\"UpdateAlways\""),
        ),
        (
            "MachineUpdatePolicy.TentacleUpdateBehavior",
            Some("\"NeverUpdate\""),
            Some("\"Update\""),
        ),
    ] {
        assert!(shown.contains(&expected), "{expected:?} not in {shown:#?}");
    }
    assert!(
        !shown.iter().any(|(path, ..)| *path == "Name" || *path == "IsDefault"),
        "{shown:#?}"
    );

    let job = p.job(dir.path(), &[&overwrite[..], &[("OCTOSYNC_MODE", "apply")]].concat());
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.updated, 1, "{:?}", report.changes);
    let linux = dest_policy(&p, "Linux");
    assert_eq!(linux["Name"], "linux");
    assert_eq!(linux["IsDefault"], false);
    assert_eq!(linux["Description"], "Linux policy");
    assert_eq!(linux["MachineHealthCheckPolicy"]["HealthCheckInterval"], "00:10:00");
    assert_eq!(linux["MachineUpdatePolicy"]["TentacleUpdateBehavior"], "Update");
    assert!(
        p.destination
            .items(&p.dest_space(), "machinepolicies")
            .iter()
            .all(|d| d["Name"] != "Fast"),
        "the selector named only Linux"
    );

    p.destination.clear_request_log();
    assert_rerun_settles(&job).await;
    assert_eq!(p.dest_writes(), 0, "{:?}", p.destination.request_log());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sources_default_policy_is_the_destinations_default_whatever_its_name() {
    let p = spaces().await;
    let s = p.source_space();
    rename_dest_default(&p, "Production Machine Policy");
    // Dev checks its machines more often than Production does.
    let mut default = p
        .source
        .items(&s, "machinepolicies")
        .into_iter()
        .find(|d| d["IsDefault"] == true)
        .unwrap();
    default["MachineHealthCheckPolicy"]["HealthCheckInterval"] = json!("00:30:00");
    let id = default["Id"].as_str().unwrap().to_string();
    p.source.update(&s, "machinepolicies", &id, default).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let leave = p.job(
        dir.path(),
        &[("OCTOSYNC_MACHINE_POLICIES", "Default*"), ("OCTOSYNC_MODE", "apply")],
    );
    let report = run(&leave).await.unwrap();
    assert_eq!(p.dest_writes(), 0, "{:?}", report.changes);
    let kept = change(&report, "Default Machine Policy");
    assert_eq!(kept.action, Action::Unchanged);
    assert!(
        kept.notes.iter().any(|n| n.contains("'Production Machine Policy'")),
        "{:?}",
        kept.notes
    );

    let overwrite = p.job(
        dir.path(),
        &[
            ("OCTOSYNC_MACHINE_POLICIES", "Default*"),
            ("OCTOSYNC_MACHINE_POLICY_UPDATES", "Overwrite"),
            ("OCTOSYNC_MODE", "apply"),
        ],
    );
    let report = run(&overwrite).await.unwrap();
    assert_eq!(change(&report, "Default Machine Policy").action, Action::Update);
    let production = dest_policy(&p, "Production Machine Policy");
    assert_eq!(
        production["MachineHealthCheckPolicy"]["HealthCheckInterval"],
        "00:30:00"
    );
    assert_eq!(production["IsDefault"], true);
    assert_eq!(defaults(&p), ["Production Machine Policy"]);
    assert!(
        !p.dest_names("machinepolicies")
            .contains(&"Default Machine Policy".to_string()),
        "no second 'Default Machine Policy' is created"
    );

    p.destination.clear_request_log();
    assert_rerun_settles(&overwrite).await;
    assert_eq!(p.dest_writes(), 0, "{:?}", p.destination.request_log());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_policy_the_selector_excludes_is_neither_created_nor_reported() {
    let p = spaces().await;
    let dir = tempfile::tempdir().unwrap();
    let report = run(&p.job(
        dir.path(),
        &[
            ("OCTOSYNC_MACHINE_POLICIES", "!Fast"),
            ("OCTOSYNC_MACHINE_POLICY_UPDATES", "Overwrite"),
            ("OCTOSYNC_MODE", "apply"),
        ],
    ))
    .await
    .unwrap();
    assert!(!p.dest_names("machinepolicies").contains(&"Fast".to_string()));
    assert!(report.changes.iter().all(|c| c.name != "Fast"), "{:?}", report.changes);
    assert_eq!(change(&report, "Linux").action, Action::Update);
}
