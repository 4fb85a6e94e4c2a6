//! End-to-end: the engine against two simulated instances, as an administrator would see it.

mod support;

use octosync::report::Action;
use octosync::sim::{Seed, SimConfig};
use serde_json::{json, Value};
use support::*;

#[tokio::test(flavor = "multi_thread")]
async fn plan_reports_changes_but_writes_nothing() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let dir = tempfile::tempdir().unwrap();
    let before = p.dest_names("environments");
    let report = run(&p.job(dir.path(), ALL)).await.unwrap();
    assert!(report.summary.planned_create > 0, "{}", report.summary_line());
    assert!(!report.summary.in_sync);
    assert_eq!(p.dest_writes(), 0);
    assert_eq!(report.requests["destination"].writes(), 0);
    assert_eq!(p.dest_names("environments"), before);
    assert!(dir.path().join("octosync-report.json").exists());
    assert!(dir.path().join("octosync-report.md").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_creates_missing_items_and_merges_tag_sets_as_the_rules_say() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let (s, d) = (p.source_space(), p.dest_space());
    for name in ["Development", "Test", "Staging"] {
        p.source.insert(&s, "environments", json!({"Name": name})).unwrap();
    }
    p.destination
        .insert(
            &d,
            "environments",
            json!({"Name": "Staging", "Description": "the destination's own"}),
        )
        .unwrap();
    p.destination
        .insert(&d, "environments", json!({"Name": "Production"}))
        .unwrap();
    p.source
        .insert(
            &s,
            "tagsets",
            json!({"Name": "Region", "Tags": [{"Name": "EU", "Color": "#111111"}, {"Name": "US", "Color": "#222222"}]}),
        )
        .unwrap();
    p.destination.insert(&d, "tagsets", json!({"Name": "Region", "Tags": [{"Name": "APAC", "Color": "#999999"}, {"Name": "EU", "Color": "#000000"}]})).unwrap();
    let dest_eu_id = p.destination.items(&d, "tagsets")[0]["Tags"][1]["Id"].clone();

    let env_ids: Vec<String> = p
        .source
        .items(&s, "environments")
        .iter()
        .map(|e| e["Id"].as_str().unwrap().to_string())
        .collect();
    p.source
        .insert(
            &s,
            "lifecycles",
            json!({"Name": "Release", "Phases": [
            {"Name": "Dev", "AutomaticDeploymentTargets": [env_ids[0]], "OptionalDeploymentTargets": []},
            {"Name": "Stage", "AutomaticDeploymentTargets": [env_ids[2]], "OptionalDeploymentTargets": [env_ids[1]]}]}),
        )
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[
            ("OCTOSYNC_MODE", "apply"),
            ("OCTOSYNC_ENVIRONMENTS", "all\n!Development"),
            ("OCTOSYNC_TENANT_TAG_SETS", "all"),
            ("OCTOSYNC_LIFECYCLES", "all"),
        ],
    );
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);

    // Environments: Test created, Staging left exactly as it was, Development excluded.
    let envs = p.destination.items(&d, "environments");
    assert_eq!(names(&envs), ["Staging", "Production", "Test"]);
    assert_eq!(envs[0]["Description"], "the destination's own");

    // Tag set: US added, EU takes the source colour but keeps its destination id, APAC kept.
    let tags = p.destination.items(&d, "tagsets")[0]["Tags"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(names(&tags), ["EU", "US", "APAC"]);
    assert_eq!(tags[0]["Id"], dest_eu_id);
    assert_eq!(tags[0]["Color"], "#111111");

    // Lifecycle: phase Dev left out (Development is not synced), Stage translated to destination ids.
    let lc = p
        .destination
        .items(&d, "lifecycles")
        .into_iter()
        .find(|l| l["Name"] == "Release")
        .unwrap();
    let dest_envs = p.destination.items(&d, "environments");
    let id_of = |n: &str| dest_envs.iter().find(|e| e["Name"] == n).unwrap()["Id"].clone();
    assert_eq!(names(lc["Phases"].as_array().unwrap()), ["Stage"]);
    assert_eq!(lc["Phases"][0]["AutomaticDeploymentTargets"], json!([id_of("Staging")]));
    assert_eq!(lc["Phases"][0]["OptionalDeploymentTargets"], json!([id_of("Test")]));
    let lc_change = report.changes.iter().find(|c| c.name == "Release").unwrap();
    assert_eq!(lc_change.action, Action::Create);
    assert!(
        lc_change.warnings.iter().any(|n| n.contains("phase 'Dev' left out")),
        "{:?}",
        lc_change.warnings
    );
    assert!(lc_change.destination_id.as_deref().unwrap().starts_with("Lifecycles-"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_apply_is_a_no_op_with_zero_writes() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &[ALL, &[("OCTOSYNC_MODE", "apply")]].concat());
    let first = run(&job).await.unwrap();
    assert_eq!(first.summary.errors, 0, "{:?}", first.errors);
    assert!(first.summary.created + first.summary.updated > 0);
    p.destination.clear_request_log();
    let second = run(&job).await.unwrap();
    assert_eq!(
        (second.summary.created, second.summary.updated, second.summary.errors),
        (0, 0, 0),
        "{:?}",
        second.changes
    );
    assert!(second.summary.in_sync);
    assert_eq!(p.dest_writes(), 0, "{:?}", p.destination.request_log());
    assert_eq!(second.requests["destination"].writes(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_collection_is_read_past_the_servers_default_page() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let s = p.source_space();
    for i in 0..75 {
        let env = p
            .source
            .insert(&s, "environments", json!({"Name": format!("Env {i:03}")}))
            .unwrap();
        p.source
            .insert(&s, "projectgroups", json!({"Name": format!("Group {i:03}")}))
            .unwrap();
        p.source
            .insert(
                &s,
                "tagsets",
                json!({"Name": format!("Set {i:03}"), "Tags": [{"Name": "A"}]}),
            )
            .unwrap();
        p.source
            .insert(
                &s,
                "lifecycles",
                json!({"Name": format!("Lifecycle {i:03}"), "Phases": [
                {"Name": "Only", "AutomaticDeploymentTargets": [env["Id"]], "OptionalDeploymentTargets": []}]}),
            )
            .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    // The server's default page is 30; ask for pages smaller still, so every collection takes many.
    let mut job = p.job(dir.path(), &[ALL, &[("OCTOSYNC_MODE", "apply")]].concat());
    job.http.page_size = 7;
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.changes);
    assert_eq!(report.summary.created, 4 * 75, "{}", report.summary_line());
    for collection in ["environments", "projectgroups", "tagsets", "lifecycles"] {
        let pages = p
            .source
            .request_log()
            .iter()
            .filter(|r| r.path.starts_with(&format!("/api/Spaces-1/{collection}?")))
            .count();
        assert!(pages >= 75 / 7, "{collection} was read in {pages} page(s)");
        assert!(
            p.dest_names(collection).len() >= 75,
            "{collection} incomplete on the destination"
        );
    }
    assert_rerun_settles(&job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn injected_faults_neither_fail_the_run_nor_duplicate_items() {
    let faulty = |key: &str, seed: Seed, fault_seed: u64| SimConfig {
        seed,
        fault_rate: 0.25,
        fault_seed,
        ..config(key)
    };
    let p = pair_with(
        faulty(SOURCE_KEY, Seed::DemoSource, 7),
        faulty(DEST_KEY, Seed::DemoDestination, 11),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[ALL, &[("OCTOSYNC_MODE", "apply"), ("OCTOSYNC_MAX_ATTEMPTS", "12")]].concat(),
    );
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    assert!(
        report.requests["destination"].retries + report.requests["source"].retries > 0,
        "faults were injected and retried"
    );
    assert!(p.destination.request_log().iter().any(|r| r.fault.is_some()));

    assert_names_unique(&p);
    // The faulty run converged: a calm re-run finds nothing to do.
    p.destination.set_fault_rate(0.0);
    p.source.set_fault_rate(0.0);
    assert_rerun_settles(&job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_servers_never_see_more_requests_in_flight_than_the_ceiling() {
    // Latency keeps requests in flight long enough to overlap.
    let slow = |key: &str, seed: Seed| SimConfig {
        seed,
        latency: std::time::Duration::from_millis(5),
        ..config(key)
    };
    let p = pair_with(
        slow(SOURCE_KEY, Seed::DemoSource),
        slow(DEST_KEY, Seed::DemoDestination),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[ALL, &[("OCTOSYNC_MODE", "apply"), ("OCTOSYNC_CONCURRENCY", "4")]].concat(),
    );
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    for (side, sim) in [("source", &p.source), ("destination", &p.destination)] {
        let peak = sim.peak_in_flight();
        assert!(
            peak <= 4,
            "the {side} served {peak} requests at once, above the ceiling of 4"
        );
        assert!(peak >= 2, "the {side} served one request at a time: nothing overlapped");
        let c = report.requests[side]
            .concurrency
            .clone()
            .expect("the limit is reported");
        assert_eq!((c.ceiling, c.start, c.highest), (4, 4, 4), "{side}: {c:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_of_429s_halves_the_limit_once_and_the_run_still_succeeds() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    // The destination's first three reads (its API root, while connecting) are refused with 429.
    p.destination.inject("GET", octosync::sim::SimFault::RateLimited, 3);
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &[ALL, &[("OCTOSYNC_MODE", "apply")]].concat());
    let (report, log) = run_logged(&job).await;
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    let refused = p.destination.request_log().iter().filter(|r| r.status == 429).count();
    assert_eq!(refused, 3);
    let c = report.requests["destination"]
        .concurrency
        .clone()
        .expect("the limit is reported");
    assert_eq!((c.ceiling, c.start), (32, 8));
    assert!(c.decreases >= 1, "{c:?}");
    // One halving for the burst (8 -> 4), not one per 429 (8 -> 1); a later slower window may
    // halve once more on a busy machine.
    assert!((2..=4).contains(&c.lowest), "{c:?}");
    assert!(c.describe().contains("(started at 8; halved "), "{}", c.describe());
    assert!(log.contains(&format!("destination: {}", c.describe())), "{log}");
    let source = report.requests["source"]
        .concurrency
        .clone()
        .expect("the limit is reported");
    assert!(log.contains(&format!("source: {}", source.describe())), "{log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_apply_refuses_a_plan_that_changed_since_review_and_writes_nothing() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let dir = tempfile::tempdir().unwrap();
    let reviewed = run(&p.job(dir.path(), ALL)).await.unwrap();
    assert!(!reviewed.summary.in_sync);

    // Someone changes the source between the review and the apply.
    let s = p.source_space();
    p.source
        .insert(&s, "projectgroups", json!({"Name": "Added after review"}))
        .unwrap();
    let approved = reviewed.plan_fingerprint.clone();
    let apply = p.job(
        dir.path(),
        &[
            ALL,
            &[
                ("OCTOSYNC_MODE", "apply"),
                ("OCTOSYNC_EXPECTED_PLAN", approved.as_str()),
            ],
        ]
        .concat(),
    );
    let refused = run(&apply).await.unwrap();
    assert!(
        refused
            .errors
            .iter()
            .any(|e| e.contains("the plan changed since it was reviewed")),
        "{:?}",
        refused.errors
    );
    assert_eq!(p.dest_writes(), 0);
    assert!(!refused.applied);
    // The refusal is reported like any run: the report says why nothing was written.
    let md = std::fs::read_to_string(dir.path().join("octosync-report.md")).unwrap();
    assert!(md.contains("Apply refused: nothing was written"), "{md}");
    assert!(md.contains("the plan changed since it was reviewed"), "{md}");
    assert!(
        md.contains("stopped part-way"),
        "the likely reason after a partial apply: {md}"
    );

    // Re-reviewed, the same apply goes through.
    let again = run(&p.job(dir.path(), ALL)).await.unwrap();
    let apply = p.job(
        dir.path(),
        &[
            ALL,
            &[
                ("OCTOSYNC_MODE", "apply"),
                ("OCTOSYNC_EXPECTED_PLAN", again.plan_fingerprint.as_str()),
            ],
        ]
        .concat(),
    );
    let applied = run(&apply).await.unwrap();
    assert_eq!(applied.summary.errors, 0);
    assert!(p
        .dest_names("projectgroups")
        .contains(&"Added after review".to_string()));
}

#[tokio::test(flavor = "multi_thread")]
async fn two_plans_of_unchanged_spaces_have_the_same_fingerprint() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let dir = tempfile::tempdir().unwrap();
    let a = run(&p.job(dir.path(), ALL)).await.unwrap();
    let b = run(&p.job(dir.path(), ALL)).await.unwrap();
    assert_eq!(a.plan_fingerprint, b.plan_fingerprint);
    assert_eq!(a.changes, b.changes);
}

fn writes_of<'a>(log: &'a [octosync::sim::LoggedRequest], method: &str) -> Vec<&'a octosync::sim::LoggedRequest> {
    log.iter().filter(|r| r.method == method).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_create_whose_response_is_lost_is_looked_up_not_sent_again() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    p.destination
        .inject("POST", octosync::sim::SimFault::DroppedAfterCommit, 1);
    let dir = tempfile::tempdir().unwrap();
    let report = run(&p.job(dir.path(), &[ALL, &[("OCTOSYNC_MODE", "apply")]].concat()))
        .await
        .unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.changes);
    let log = p.destination.request_log();
    let posts = writes_of(&log, "POST");
    // The log is in completion order and creates of one stage run concurrently: find the faulted one.
    assert_eq!(
        posts
            .iter()
            .filter(|r| r.fault.as_deref() == Some("dropped_after_commit"))
            .count(),
        1
    );
    assert_eq!(
        posts.len(),
        report.summary.created,
        "every create was sent exactly once: {posts:?}"
    );
    assert!(
        log.iter().any(|r| r.method == "GET" && r.path.contains("partialName=")),
        "the lost create was looked up"
    );
    assert_names_unique(&p);
    let created = report.changes.iter().filter(|c| c.action == Action::Create);
    assert!(
        created.clone().all(|c| c.destination_id.is_some()),
        "{:?}",
        created.collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_update_whose_response_is_lost_is_read_back_not_sent_again() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    p.destination
        .inject("PUT", octosync::sim::SimFault::DroppedAfterCommit, 1);
    let dir = tempfile::tempdir().unwrap();
    // Only document updates: no environment or tag set is created, so no order is put (the first
    // PUT, whose response is lost, is the Region tag set's).
    let job = p.job(
        dir.path(),
        &[
            ALL,
            &[
                ("OCTOSYNC_MODE", "apply"),
                ("OCTOSYNC_ENVIRONMENTS", ""),
                ("OCTOSYNC_WORKER_POOLS", ""),
                ("OCTOSYNC_TENANT_TAG_SETS", "Region"),
            ],
        ]
        .concat(),
    );
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.changes);
    let log = p.destination.request_log();
    let puts = writes_of(&log, "PUT");
    assert_eq!(
        puts.len(),
        report.summary.updated,
        "every update was sent exactly once: {puts:?}"
    );
    assert_eq!(
        puts.iter()
            .filter(|r| r.fault.as_deref() == Some("dropped_after_commit"))
            .count(),
        1
    );
    // Resending the tag set would have given its new tags fresh ids; a re-run finds it settled.
    assert_rerun_settles(&job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_create_that_outlives_the_client_timeout_is_not_reported_as_failed_or_made_twice() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    // The server sits on the first create a little longer than the client waits, then makes it: the
    // client's look-up (right after its timeout) misses it, and its retry (after at least 250 ms of
    // backoff) is refused because the name is now taken. That refusal must be recognised as our own
    // earlier write. (On a very slow machine the look-up may already find it: also correct.)
    p.destination.inject(
        "POST",
        octosync::sim::SimFault::Stalled(std::time::Duration::from_millis(1120)),
        1,
    );
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[
            ALL,
            &[("OCTOSYNC_MODE", "apply"), ("OCTOSYNC_REQUEST_TIMEOUT_SECONDS", "1")],
        ]
        .concat(),
    );
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.changes);
    let log = p.destination.request_log();
    let stalled = log
        .iter()
        .find(|r| r.fault.as_deref() == Some("stalled"))
        .expect("the stalled create finished on the server");
    assert_eq!(stalled.status, 201, "{stalled:?}");
    let posts = log.iter().filter(|r| r.method == "POST").count();
    assert!(
        posts <= report.summary.created + 1,
        "at most the one timed-out create was sent again: {log:?}"
    );
    assert!(report
        .changes
        .iter()
        .filter(|c| c.action == Action::Create)
        .all(|c| c.destination_id.is_some()));
    assert_rerun_settles(&job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_that_keeps_failing_is_an_error_not_an_add() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    p.destination
        .inject("POST", octosync::sim::SimFault::DroppedBefore, 1000);
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[ALL, &[("OCTOSYNC_MODE", "apply"), ("OCTOSYNC_MAX_ATTEMPTS", "2")]].concat(),
    );
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.created, 0, "{}", report.summary_line());
    assert!(report.summary.errors > 0);
    assert!(
        report.summary_line().starts_with("Apply stopped: 0 added"),
        "{}",
        report.summary_line()
    );
    let stopped = report.stopped.as_deref().unwrap();
    assert!(stopped.contains("later stages were not run"), "{stopped}");
    let failed = report.changes.iter().find(|c| c.error.is_some()).unwrap();
    assert!(
        failed
            .error
            .as_deref()
            .unwrap()
            .contains("may or may not have been made"),
        "{:?}",
        failed.error
    );
    assert!(
        p.dest_names("projectgroups").iter().all(|n| n != "Web"),
        "nothing was created"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_shows_tag_set_and_lifecycle_updates_before_and_after_with_names() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let (s, d) = (p.source_space(), p.dest_space());
    let mut src_env = std::collections::HashMap::new();
    for name in ["Staging", "Production", "Test"] {
        let env = p.source.insert(&s, "environments", json!({"Name": name})).unwrap();
        src_env.insert(name, env["Id"].as_str().unwrap().to_string());
    }
    let mut dest_env = std::collections::HashMap::new();
    for name in ["Staging", "Production"] {
        let env = p.destination.insert(&d, "environments", json!({"Name": name})).unwrap();
        dest_env.insert(name, env["Id"].as_str().unwrap().to_string());
    }
    p.source
        .insert(
            &s,
            "tagsets",
            json!({"Name": "Region", "Tags": [{"Name": "EU", "Color": "#111111"}, {"Name": "US", "Color": "#222222"}]}),
        )
        .unwrap();
    p.destination
        .insert(
            &d,
            "tagsets",
            json!({"Name": "Region", "Tags": [{"Name": "EU", "Color": "#000000"}]}),
        )
        .unwrap();
    p.source
        .insert(
            &s,
            "lifecycles",
            json!({"Name": "Release", "Phases": [
                {"Name": "Stage", "AutomaticDeploymentTargets": [src_env["Staging"]], "OptionalDeploymentTargets": [src_env["Test"]]},
                {"Name": "Live", "AutomaticDeploymentTargets": [src_env["Production"]], "OptionalDeploymentTargets": []}]}),
        )
        .unwrap();
    p.destination
        .insert(
            &d,
            "lifecycles",
            json!({"Name": "Release", "Phases": [
                {"Name": "Stage", "AutomaticDeploymentTargets": [], "OptionalDeploymentTargets": []},
                {"Name": "Live", "AutomaticDeploymentTargets": [dest_env["Staging"]], "OptionalDeploymentTargets": []}]}),
        )
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[ALL, &[("OCTOSYNC_LIFECYCLE_PHASES", "Overwrite")]].concat(),
    );
    run(&job).await.unwrap();
    assert_eq!(p.dest_writes(), 0);

    let named = |name: &str| format!("{name} ({})", dest_env[name]);
    // The JSON report, read back as a consumer would.
    let text = std::fs::read_to_string(dir.path().join("octosync-report.json")).unwrap();
    let report = octosync::report::from_json(&text).unwrap();
    let diff_of = |name: &str| {
        let change = report.changes.iter().find(|c| c.name == name).unwrap();
        assert_eq!(change.action, Action::Update, "{change:?}");
        change
            .diff
            .iter()
            .map(|e| (e.path.as_str(), e.before.clone(), e.after.clone()))
            .collect::<Vec<_>>()
    };
    let tags = diff_of("Region");
    assert!(
        tags.contains(&("Tags[EU].Color", Some("\"#000000\"".into()), Some("\"#111111\"".into()))),
        "{tags:#?}"
    );
    assert!(tags.iter().any(|(path, before, after)| *path == "Tags[US]"
        && before.is_none()
        && after.as_deref().is_some_and(|a| a.contains("\"#222222\""))));
    let phases = diff_of("Release");
    assert!(
        phases.contains(&(
            "Phases[Stage].AutomaticDeploymentTargets",
            None,
            Some(format!("[{}]", named("Staging")))
        )),
        "{phases:#?}"
    );
    // Test is created by this same plan: the phase names it as a new environment.
    assert!(
        phases.contains(&(
            "Phases[Stage].OptionalDeploymentTargets",
            None,
            Some("[(new) Test]".into())
        )),
        "{phases:#?}"
    );
    assert!(
        phases.contains(&(
            "Phases[Live].AutomaticDeploymentTargets",
            Some(format!("[{}]", named("Staging"))),
            Some(format!("[{}]", named("Production")))
        )),
        "{phases:#?}"
    );

    // The Markdown report a reviewer approves.
    let md = std::fs::read_to_string(dir.path().join("octosync-report.md")).unwrap();
    for expected in [
        "**~ Region**".to_string(),
        "| ~ | Tags[EU].Color | \"#000000\" | \"#111111\" |".to_string(),
        "**~ Release**".to_string(),
        format!(
            "| ~ | Phases[Live].AutomaticDeploymentTargets | [{}] | [{}] |",
            named("Staging"),
            named("Production")
        ),
        "| + | Phases[Stage].OptionalDeploymentTargets |  | [(new) Test] |".to_string(),
        "**+ Test**\n\n| Field | Value |\n|---|---|\n| Name | \"Test\" |".to_string(),
    ] {
        assert!(md.contains(&expected), "missing {expected}:\n{md}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demos_settings_sync_its_projects_and_a_second_apply_writes_nothing() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[octosync::demo::DEMO_SELECTORS, &[("OCTOSYNC_MODE", "apply")]].concat(),
    );
    let first = run(&job).await.unwrap();
    assert_eq!(first.summary.errors, 0, "{:?}", first.errors);
    let api = p
        .destination
        .items(&p.dest_space(), "projects")
        .into_iter()
        .find(|x| x["Name"] == "Payments API")
        .expect("the demo's project is created");
    let process = p
        .destination
        .items(&p.dest_space(), "deploymentprocesses")
        .into_iter()
        .find(|d| d["Id"] == api["DeploymentProcessId"])
        .unwrap();
    assert!(!process["Steps"].as_array().unwrap().is_empty());
    assert!(p
        .destination
        .items(&p.dest_space(), "runbooks")
        .iter()
        .any(|r| r["ProjectId"] == api["Id"] && r["Name"] == "Rotate Keys"));
    // Tenant "Internal" is connected to the project in the one environment both instances have.
    let shared = p
        .destination
        .items(&p.dest_space(), "environments")
        .into_iter()
        .find(|e| e["Name"] == "Shared Services")
        .unwrap();
    let internal = p
        .destination
        .items(&p.dest_space(), "tenants")
        .into_iter()
        .find(|t| t["Name"] == "Internal")
        .expect("the demo's tenant is created");
    assert_eq!(
        internal["ProjectEnvironments"][api["Id"].as_str().unwrap()],
        json!([shared["Id"]])
    );
    // Team permissions: the one scoped role that keeps a scope is given, with both tenants (the
    // run created them); the Development/Test ones would widen and are not.
    let team = p
        .destination
        .items(&p.dest_space(), "teams")
        .into_iter()
        .find(|t| t["Name"] == "Payments Developers")
        .expect("the demo's team is created");
    let roles: Vec<Value> = p
        .destination
        .items(&p.dest_space(), "scopeduserroles")
        .into_iter()
        .filter(|r| r["TeamId"] == team["Id"])
        .collect();
    assert_eq!(roles.len(), 1, "{roles:#?}");
    assert_eq!(roles[0]["ProjectIds"], json!([api["Id"]]));
    let tenants = p.destination.items(&p.dest_space(), "tenants");
    let tenant = |name: &str| tenants.iter().find(|t| t["Name"] == name).unwrap()["Id"].clone();
    let mut granted: Vec<Value> = roles[0]["TenantIds"].as_array().unwrap().clone();
    granted.sort_by_key(|v| v.to_string());
    let mut expected = vec![tenant("Internal"), tenant("Acme Corp")];
    expected.sort_by_key(|v| v.to_string());
    assert_eq!(granted, expected);
    p.destination.clear_request_log();
    let second = run(&job).await.unwrap();
    assert_eq!(
        (second.summary.created, second.summary.updated),
        (0, 0),
        "{:?}",
        second.changes
    );
    assert_eq!(p.dest_writes(), 0);
}
