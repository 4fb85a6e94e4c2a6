//! End-to-end: tenants between two simulated instances, with seed 003's scenario ("Handling
//! different Tenants"): the source has Development, Test, Staging and Production, tenant
//! *Internal* on all four and *Development Team A* on Development and Test; the destination has
//! Staging and Production only.

mod support;

use octosync::report::Action;
use octosync::sim::{Seed, SimServer};
use serde_json::{json, Value};
use support::*;

const APPLY: (&str, &str) = ("OCTOSYNC_MODE", "apply");

fn id(v: &Value) -> String {
    v["Id"].as_str().unwrap().to_string()
}

/// Environments by name, and project "Api" in a group and lifecycle both sides share by name.
fn space(sim: &SimServer, space: &str, envs: &[&str], with_project: bool) -> Vec<(String, String)> {
    let group = sim.insert(space, "projectgroups", json!({"Name": "Payments"})).unwrap();
    let lifecycle = sim.insert(space, "lifecycles", json!({"Name": "Release"})).unwrap();
    sim.insert(
        space,
        "tagsets",
        json!({"Name": "Region", "Tags": [{"Name": "EU", "Color": "#333333"}, {"Name": "US", "Color": "#333333"}]}),
    )
    .unwrap();
    if with_project {
        sim.insert(
            space,
            "projects",
            json!({"Name": "Api", "ProjectGroupId": group["Id"], "LifecycleId": lifecycle["Id"]}),
        )
        .unwrap();
    }
    envs.iter()
        .map(|e| {
            let env = sim.insert(space, "environments", json!({"Name": e})).unwrap();
            (e.to_string(), id(&env))
        })
        .collect()
}

fn env<'a>(envs: &'a [(String, String)], name: &str) -> &'a str {
    &envs.iter().find(|(n, _)| n == name).unwrap().1
}

fn by_name(sim: &SimServer, space: &str, collection: &str, name: &str) -> Option<Value> {
    sim.items(space, collection).into_iter().find(|x| x["Name"] == name)
}

/// Seed 003's two tenants on the source, and the destination's environments.
async fn seed_pair() -> (Pair, Vec<(String, String)>) {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let (s, d) = (p.source_space(), p.dest_space());
    let src_envs = space(&p.source, &s, &["Development", "Test", "Staging", "Production"], true);
    let dest_envs = space(&p.destination, &d, &["Staging", "Production"], false);
    let api = id(&by_name(&p.source, &s, "projects", "Api").unwrap());
    let all: Vec<&str> = src_envs.iter().map(|(_, i)| i.as_str()).collect();
    p.source
        .insert(
            &s,
            "tenants",
            json!({"Name": "Internal", "Description": "Our own tenant", "TenantTags": ["Region/EU"],
                   "ProjectEnvironments": {api.clone(): all}}),
        )
        .unwrap();
    p.source
        .insert(
            &s,
            "tenants",
            json!({"Name": "Development Team A", "TenantTags": ["Region/US"],
                   "ProjectEnvironments": {api: [env(&src_envs, "Development"), env(&src_envs, "Test")]}}),
        )
        .unwrap();
    (p, dest_envs)
}

#[tokio::test(flavor = "multi_thread")]
async fn seed_003s_tenants_internal_is_connected_to_staging_and_production_and_team_a_to_nothing() {
    let (p, dest_envs) = seed_pair().await;
    let d = p.dest_space();
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[("OCTOSYNC_PROJECTS", "all"), ("OCTOSYNC_TENANTS", "all"), APPLY],
    );
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);

    let api = id(&by_name(&p.destination, &d, "projects", "Api").unwrap());
    let internal = by_name(&p.destination, &d, "tenants", "Internal").unwrap();
    assert_eq!(internal["Description"], "Our own tenant");
    assert_eq!(internal["TenantTags"], json!(["Region/EU"]));
    assert_eq!(
        internal["ProjectEnvironments"],
        json!({api: [env(&dest_envs, "Staging"), env(&dest_envs, "Production")]})
    );
    let team_a = by_name(&p.destination, &d, "tenants", "Development Team A").unwrap();
    assert_eq!(team_a["ProjectEnvironments"], json!({}));
    let reported = change_of(&report, "Tenant", "Development Team A (project connections)");
    assert!(
        reported.warnings.iter().any(|w| w.contains("connected to no project")),
        "{reported:?}"
    );
    assert!(
        change_of(&report, "Tenant", "Development Team A")
            .warnings
            .iter()
            .any(|w| w.contains("'Development', 'Test'")),
        "reported when it is created too"
    );

    p.destination.clear_request_log();
    let again = run(&job).await.unwrap();
    assert_eq!(again.summary.errors, 0);
    assert_eq!(p.dest_writes(), 0, "{:?}", again.changes);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tenant_without_a_destination_environment_is_not_created_when_the_setting_says_so() {
    let (p, _) = seed_pair().await;
    let dir = tempfile::tempdir().unwrap();
    let report = run(&p.job(
        dir.path(),
        &[
            ("OCTOSYNC_PROJECTS", "all"),
            ("OCTOSYNC_TENANTS", "all"),
            ("OCTOSYNC_TENANT_WITHOUT_ENVIRONMENTS", "Skip"),
            APPLY,
        ],
    ))
    .await
    .unwrap();
    assert_eq!(change_of(&report, "Tenant", "Development Team A").action, Action::Skip);
    assert_eq!(p.dest_names("tenants"), ["Internal"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn tenants_are_selected_by_tag_and_existing_ones_keep_their_connections_and_details() {
    let (p, dest_envs) = seed_pair().await;
    let d = p.dest_space();
    // The destination already has Internal, connected to its own project, with its own description.
    let group = by_name(&p.destination, &d, "projectgroups", "Payments").unwrap();
    let lifecycle = by_name(&p.destination, &d, "lifecycles", "Release").unwrap();
    let ops = p
        .destination
        .insert(
            &d,
            "projects",
            json!({"Name": "Ops", "ProjectGroupId": group["Id"], "LifecycleId": lifecycle["Id"]}),
        )
        .unwrap();
    p.destination
        .insert(
            &d,
            "tenants",
            json!({"Name": "Internal", "Description": "Theirs", "TenantTags": [],
                   "ProjectEnvironments": {id(&ops): [env(&dest_envs, "Production")]}}),
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[("OCTOSYNC_PROJECTS", "all"), ("OCTOSYNC_TENANTS", "Region/EU"), APPLY],
    );
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    assert_eq!(p.dest_names("tenants"), ["Internal"], "Team A is tagged Region/US");
    let internal = by_name(&p.destination, &d, "tenants", "Internal").unwrap();
    assert_eq!(internal["Description"], "Theirs");
    assert_eq!(
        internal["TenantTags"],
        json!([]),
        "tags are added only when a setting says so"
    );
    let api = id(&by_name(&p.destination, &d, "projects", "Api").unwrap());
    assert_eq!(
        internal["ProjectEnvironments"],
        json!({id(&ops): [env(&dest_envs, "Production")], api: [env(&dest_envs, "Staging"), env(&dest_envs, "Production")]})
    );
    assert_rerun_settles(&job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tenants_own_logo_follows_it_and_a_default_one_uploads_nothing() {
    let (p, _) = seed_pair().await;
    let (s, d) = (p.source_space(), p.dest_space());
    let internal = by_name(&p.source, &s, "tenants", "Internal").unwrap();
    let png = octosync::sim::solid_png([200, 30, 30, 255]);
    p.source.set_logo(&s, "tenants", &id(&internal), &png).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[("OCTOSYNC_PROJECTS", "all"), ("OCTOSYNC_TENANTS", "all"), APPLY],
    );
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    let dest_internal = by_name(&p.destination, &d, "tenants", "Internal").unwrap();
    let (_, bytes) = p.destination.logo(&d, "tenants", &id(&dest_internal)).unwrap();
    assert_eq!(bytes, png);
    assert!(
        report.changes.iter().all(|c| c.name != "Development Team A (logo)"),
        "a tenant on the default logo uploads nothing"
    );
    p.destination.clear_request_log();
    run(&job).await.unwrap();
    assert_eq!(p.dest_writes(), 0);
}
