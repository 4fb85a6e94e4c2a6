//! End-to-end: teams and the user roles they use, against two simulated instances. Space teams are
//! created with the members the destination has, system and built-in teams never are, external
//! groups never travel, existing teams are left alone; custom roles are a clean-up entry unless
//! OCTOSYNC_CREATE_USER_ROLES allows creating them, built-in roles map by name.

mod support;

use octosync::report::{Action, Change, Report};
use octosync::sim::Seed;
use serde_json::{json, Value};
use support::*;

/// Source: users alice and bob; a custom role "Release Approver"; space teams "Payments" (alice,
/// bob, an external group, a built-in and the custom role), "Ops" and "Web" (the custom role).
/// Destination: user "Alice" only, and its own team "ops" with nobody in it.
async fn spaces() -> Pair {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let (s, d) = (p.source_space(), p.dest_space());
    let alice = p
        .source
        .insert("", "users", json!({"Username": "alice", "DisplayName": "Alice"}))
        .unwrap();
    let bob = p
        .source
        .insert("", "users", json!({"Username": "bob", "DisplayName": "Bob"}))
        .unwrap();
    let approver = p
        .source
        .insert(
            "",
            "userroles",
            json!({"Name": "Release Approver", "Description": "Approves releases",
                "SupportedRestrictions": ["Environments"],
                "GrantedSpacePermissions": ["InterruptionSubmit", "ProjectView"]}),
        )
        .unwrap();
    let payments = p
        .source
        .insert(
            &s,
            "teams",
            json!({"Name": "Payments", "Description": "Builds the payment services",
                "MemberUserIds": [alice["Id"], bob["Id"]],
                "ExternalSecurityGroups": [{"Id": "S-1-5-21-1111-2222-3333-1044", "DisplayName": "CORP\\Payments Engineers", "DisplayIdAndName": false}]}),
        )
        .unwrap();
    let web = p
        .source
        .insert(&s, "teams", json!({"Name": "Web", "MemberUserIds": [bob["Id"]]}))
        .unwrap();
    p.source
        .insert(&s, "teams", json!({"Name": "Ops", "MemberUserIds": [alice["Id"]]}))
        .unwrap();
    for (team, role) in [
        (&payments, json!("userroles-projectdeployer")),
        (&payments, approver["Id"].clone()),
        (&web, approver["Id"].clone()),
    ] {
        p.source
            .insert(&s, "scopeduserroles", json!({"TeamId": team["Id"], "UserRoleId": role}))
            .unwrap();
    }
    p.destination
        .insert("", "users", json!({"Username": "Alice", "DisplayName": "Alice"}))
        .unwrap();
    p.destination
        .insert(
            &d,
            "teams",
            json!({"Name": "ops", "Description": "Production's on-call"}),
        )
        .unwrap();
    p
}

fn dest_team(p: &Pair, name: &str) -> Option<Value> {
    p.destination
        .items(&p.dest_space(), "teams")
        .into_iter()
        .find(|t| t["Name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
}

fn dest_user_id(p: &Pair, username: &str) -> String {
    p.destination
        .items("", "users")
        .into_iter()
        .find(|u| u["Username"] == username)
        .and_then(|u| u["Id"].as_str().map(str::to_string))
        .unwrap()
}

fn change<'a>(report: &'a Report, kind: &str, name: &str) -> &'a Change {
    report
        .changes
        .iter()
        .find(|c| c.kind == kind && c.name == name)
        .unwrap_or_else(|| panic!("no change for {kind} '{name}': {:#?}", report.changes))
}

fn team_names(p: &Pair) -> Vec<String> {
    let mut n = p.dest_names("teams");
    n.sort();
    n
}

#[tokio::test(flavor = "multi_thread")]
async fn a_team_is_created_with_the_destinations_users_and_the_rest_are_left_out_with_a_warning() {
    let p = spaces().await;
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &[("OCTOSYNC_TEAMS", "all"), ("OCTOSYNC_MODE", "apply")]);
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);

    let payments = dest_team(&p, "Payments").expect("Payments created");
    assert_eq!(payments["Description"], "Builds the payment services");
    assert_eq!(payments["MemberUserIds"], json!([dest_user_id(&p, "Alice")]));
    assert_eq!(payments["ExternalSecurityGroups"], json!([]));
    assert_eq!(payments["SpaceId"], json!(p.dest_space()));
    let created = change(&report, "Team", "Payments");
    assert_eq!(created.action, Action::Create);
    assert!(
        created.warnings.iter().any(|w| w.starts_with("member 'bob' left out")),
        "{:?}",
        created.warnings
    );
    assert!(
        created.notes.iter().any(|n| n.contains("are not added on creation")),
        "{:?}",
        created.notes
    );
    // No scoped user role was added to the new team.
    let id = payments["Id"].as_str().unwrap();
    assert!(p
        .destination
        .items(&p.dest_space(), "scopeduserroles")
        .iter()
        .all(|r| r["TeamId"] != id));

    // External groups: a clean-up entry by display name, never the group's id anywhere.
    let groups = report
        .cleanup
        .iter()
        .find(|c| c.name == "Payments" && c.action.starts_with("ExternalSecurityGroups"))
        .expect("a clean-up entry for the external groups");
    assert!(groups.action.contains("'CORP\\Payments Engineers'"));
    assert!(!p.destination.stores_text("S-1-5-21-1111-2222-3333-1044"));
    assert!(!serde_json::to_string(&report).unwrap().contains("S-1-5-21"));

    // The existing team is left alone: its own members and description.
    let ops = dest_team(&p, "ops").unwrap();
    assert_eq!(ops["Name"], "ops");
    assert_eq!(ops["MemberUserIds"], json!([]));
    assert_eq!(ops["Description"], "Production's on-call");
    assert_eq!(change(&report, "Team", "Ops").action, Action::Unchanged);

    // System and built-in teams: reported, never created.
    assert_eq!(
        team_names(&p),
        [
            "Everyone",
            "Octopus Administrators",
            "Octopus Managers",
            "Payments",
            "Space Managers",
            "Web",
            "ops"
        ]
    );
    for system in ["Everyone", "Octopus Administrators", "Space Managers"] {
        let c = change(&report, "Team", system);
        assert_eq!(c.action, Action::Unchanged, "{c:?}");
        assert!(c.reason.contains("never"), "{c:?}");
    }

    // User roles: the built-in one maps by name, the missing custom one is a clean-up entry.
    assert_eq!(
        change(&report, "User role", "Project deployer").action,
        Action::Unchanged
    );
    let approver = change(&report, "User role", "Release Approver");
    assert_eq!(approver.action, Action::Skip);
    assert!(report
        .cleanup
        .iter()
        .any(|c| c.name == "Release Approver" && c.action.contains("OCTOSYNC_CREATE_USER_ROLES=True")));
    assert!(p
        .destination
        .items("", "userroles")
        .iter()
        .all(|r| r["Name"] != "Release Approver"));

    p.destination.clear_request_log();
    assert_rerun_settles(&job).await;
    assert_eq!(p.dest_writes(), 0, "{:?}", p.destination.request_log());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_custom_role_is_created_when_the_setting_allows_it() {
    let p = spaces().await;
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[
            ("OCTOSYNC_TEAMS", "Web"),
            ("OCTOSYNC_CREATE_USER_ROLES", "True"),
            ("OCTOSYNC_MODE", "apply"),
        ],
    );
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    assert_eq!(change(&report, "User role", "Release Approver").action, Action::Create);
    let role = p
        .destination
        .items("", "userroles")
        .into_iter()
        .find(|r| r["Name"] == "Release Approver")
        .expect("the role was created");
    assert_eq!(
        role["GrantedSpacePermissions"],
        json!(["InterruptionSubmit", "ProjectView"])
    );
    assert_eq!(role["SupportedRestrictions"], json!(["Environments"]));
    assert!(report.cleanup.iter().all(|c| c.name != "Release Approver"));

    p.destination.clear_request_log();
    assert_rerun_settles(&job).await;
    assert_eq!(p.dest_writes(), 0, "{:?}", p.destination.request_log());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_selector_that_excludes_a_team_creates_neither_it_nor_asks_for_its_roles() {
    let p = spaces().await;
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[("OCTOSYNC_TEAMS", "!Payments, !Web"), ("OCTOSYNC_MODE", "apply")],
    );
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    assert!(dest_team(&p, "Payments").is_none());
    assert!(dest_team(&p, "Web").is_none());
    assert!(
        report.changes.iter().all(|c| c.kind != "User role"),
        "{:?}",
        report.changes
    );
    assert!(report.cleanup.is_empty(), "{:?}", report.cleanup);
    assert_eq!(p.dest_writes(), 0, "{:?}", p.destination.request_log());
}
