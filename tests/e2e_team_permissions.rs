//! End-to-end: team permissions (`OCTOSYNC_TEAM_PERMISSIONS`), the last stage, against two
//! simulated instances. A synced team's scoped user roles are added with their role matched by name
//! (built-in and custom) and their scope translated; a tenant the destination lacks is dropped and
//! reported; a scope that would become unrestricted is never created; the destination team's own
//! roles are kept and a role it already has is not added again; a re-run writes nothing.

mod support;

use octosync::report::{Action, Change, Report};
use octosync::sim::{Seed, SimServer};
use serde_json::{json, Value};
use support::*;

const TEAM: &str = "Payments Developers";
const API_ROLE: &str =
    "Payments Developers / Project deployer (Projects: Api; Environments: Production; Tenants: Internal)";
const APPROVER_ROLE: &str = "Payments Developers / Release Approver (Environments: Production)";
const ACME_ONLY: &str = "Payments Developers / Project viewer (Tenants: Acme)";
const OPS_VIEWER: &str = "Ops / Project viewer (unrestricted)";

fn insert(sim: &SimServer, space: &str, collection: &str, body: Value) -> String {
    sim.insert(space, collection, body).unwrap()["Id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Both: project group "Payments", lifecycle "Release", environment "Production", tenant "Internal",
/// team "Ops" with "Project viewer". The source also has project "Api", tenant "Acme", the custom
/// role "Release Approver" and the team "Payments Developers" with four scoped roles; the
/// destination's "Ops" has a role of its own ("Environment viewer").
async fn spaces() -> Pair {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let (s, d) = (p.source_space(), p.dest_space());
    let mut ids = Vec::new();
    for (sim, space) in [(&p.source, &s), (&p.destination, &d)] {
        let group = insert(sim, space, "projectgroups", json!({"Name": "Payments"}));
        insert(sim, space, "lifecycles", json!({"Name": "Release"}));
        let production = insert(sim, space, "environments", json!({"Name": "Production"}));
        let internal = insert(sim, space, "tenants", json!({"Name": "Internal"}));
        let ops = insert(sim, space, "teams", json!({"Name": "Ops"}));
        insert(
            sim,
            space,
            "scopeduserroles",
            json!({"TeamId": ops, "UserRoleId": "userroles-projectviewer"}),
        );
        ids.push((group, production, internal, ops));
    }
    let (group, production, internal, _) = ids[0].clone();
    let lifecycle = p.source.items(&s, "lifecycles")[0]["Id"].clone();
    let api = insert(
        &p.source,
        &s,
        "projects",
        json!({"Name": "Api", "ProjectGroupId": group, "LifecycleId": lifecycle}),
    );
    let acme = insert(&p.source, &s, "tenants", json!({"Name": "Acme"}));
    let approver = insert(
        &p.source,
        "",
        "userroles",
        json!({"Name": "Release Approver", "SupportedRestrictions": ["Environments"],
            "GrantedSpacePermissions": ["InterruptionSubmit", "ProjectView"]}),
    );
    let team = insert(&p.source, &s, "teams", json!({"Name": TEAM}));
    for (role, scope) in [
        (
            json!("userroles-projectdeployer"),
            json!({"ProjectIds": [api], "EnvironmentIds": [production], "TenantIds": [internal, acme]}),
        ),
        (json!(approver), json!({"EnvironmentIds": [production]})),
        // Only a tenant the destination lacks: it would become every tenant there.
        (json!("userroles-projectviewer"), json!({"TenantIds": [acme]})),
    ] {
        let mut body = json!({"TeamId": team, "UserRoleId": role});
        body.as_object_mut().unwrap().extend(scope.as_object().unwrap().clone());
        insert(&p.source, &s, "scopeduserroles", body);
    }
    let (_, _, _, dest_ops) = ids[1].clone();
    insert(
        &p.destination,
        &d,
        "scopeduserroles",
        json!({"TeamId": dest_ops, "UserRoleId": "userroles-environmentviewer"}),
    );
    p
}

fn settings(mode: &str) -> Vec<(&'static str, String)> {
    vec![
        ("OCTOSYNC_TEAMS", "all".into()),
        ("OCTOSYNC_PROJECTS", "all".into()),
        ("OCTOSYNC_TEAM_PERMISSIONS", "True".into()),
        ("OCTOSYNC_CREATE_USER_ROLES", "True".into()),
        ("OCTOSYNC_MODE", mode.into()),
    ]
}

fn job_of(p: &Pair, dir: &std::path::Path, vars: &[(&'static str, String)]) -> octosync::settings::Job {
    let extra: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    p.job(dir, &extra)
}

fn change<'a>(report: &'a Report, name: &str) -> &'a Change {
    report
        .changes
        .iter()
        .find(|c| c.kind == "Scoped user role" && c.name == name)
        .unwrap_or_else(|| panic!("no scoped user role change '{name}': {:#?}", report.changes))
}

fn id_named(p: &Pair, space: &str, collection: &str, name: &str) -> String {
    p.destination
        .items(space, collection)
        .into_iter()
        .find(|x| x["Name"] == name)
        .and_then(|x| x["Id"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("no {collection} '{name}' on the destination"))
}

/// The destination team's scoped roles as (role id, the rest of the scope).
fn roles_of(p: &Pair, team: &str) -> Vec<Value> {
    let team = id_named(p, &p.dest_space(), "teams", team);
    p.destination
        .items(&p.dest_space(), "scopeduserroles")
        .into_iter()
        .filter(|r| r["TeamId"] == team.as_str())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_synced_teams_scoped_roles_are_added_translated_without_widening_and_a_rerun_writes_nothing() {
    let p = spaces().await;
    let d = p.dest_space();

    // The plan (the team and the custom role are created in the same run) and its approval.
    let dir = tempfile::tempdir().unwrap();
    let plan = run(&job_of(&p, dir.path(), &settings("plan"))).await.unwrap();
    assert_eq!(plan.summary.errors, 0, "{:?}", plan.errors);
    assert_eq!(change(&plan, API_ROLE).action, Action::Create);
    assert_eq!(change(&plan, APPROVER_ROLE).action, Action::Create);
    assert_eq!(p.dest_writes(), 0, "a plan writes nothing");

    let mut vars = settings("apply");
    vars.push(("OCTOSYNC_EXPECTED_PLAN", plan.plan_fingerprint.clone()));
    let job = job_of(&p, dir.path(), &vars);
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);

    let roles = roles_of(&p, TEAM);
    assert_eq!(roles.len(), 2, "{roles:#?}");

    // Built-in role; Acme dropped from the scope and reported, Internal kept.
    let deployer = roles
        .iter()
        .find(|r| r["UserRoleId"] == "userroles-projectdeployer")
        .expect("the deployer role");
    assert_eq!(deployer["ProjectIds"], json!([id_named(&p, &d, "projects", "Api")]));
    assert_eq!(
        deployer["EnvironmentIds"],
        json!([id_named(&p, &d, "environments", "Production")])
    );
    assert_eq!(deployer["TenantIds"], json!([id_named(&p, &d, "tenants", "Internal")]));
    assert_eq!(deployer["ProjectGroupIds"], json!([]));
    let created = change(&report, API_ROLE);
    assert_eq!(created.action, Action::Create);
    assert!(
        created.warnings.iter().any(|w| w.contains("Tenants 'Acme' dropped")),
        "{:?}",
        created.warnings
    );

    // Custom role: created by the user roles stage, then given by its destination id.
    let approver = id_named(&p, "", "userroles", "Release Approver");
    let given = roles
        .iter()
        .find(|r| r["UserRoleId"] == approver.as_str())
        .expect("the custom role");
    assert_eq!(
        given["EnvironmentIds"],
        json!([id_named(&p, &d, "environments", "Production")])
    );

    // A widening scope: never created, said why.
    let refused = change(&report, ACME_ONLY);
    assert_eq!(refused.action, Action::Skip);
    assert!(
        refused.warnings.iter().any(|w| w.contains("widen")),
        "{:?}",
        refused.warnings
    );
    assert!(roles.iter().all(|r| r["UserRoleId"] != "userroles-projectviewer"));

    // The existing team: its own role kept, the source's role it already has not added again.
    let ops = roles_of(&p, "Ops");
    assert_eq!(ops.len(), 2, "{ops:#?}");
    assert_eq!(change(&report, OPS_VIEWER).action, Action::Unchanged);

    p.destination.clear_request_log();
    assert_rerun_settles(&job_of(&p, dir.path(), &settings("apply"))).await;
    assert_eq!(p.dest_writes(), 0, "{:?}", p.destination.request_log());
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_setting_no_scoped_role_is_added() {
    let p = spaces().await;
    let dir = tempfile::tempdir().unwrap();
    let mut vars = settings("apply");
    vars.retain(|(k, _)| *k != "OCTOSYNC_TEAM_PERMISSIONS");
    let report = run(&job_of(&p, dir.path(), &vars)).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    assert!(roles_of(&p, TEAM).is_empty());
    assert!(report.changes.iter().all(|c| c.kind != "Scoped user role"));
    let team = report
        .changes
        .iter()
        .find(|c| c.kind == "Team" && c.name == TEAM)
        .unwrap();
    assert!(
        team.notes
            .iter()
            .any(|n| n.contains("OCTOSYNC_TEAM_PERMISSIONS is off")),
        "{:?}",
        team.notes
    );
}
