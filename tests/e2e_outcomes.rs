//! End-to-end: what a run reports about itself. Refused and stopped runs still leave a report, the
//! output variables say what happened (not what was planned), warnings are not buried, secrets never
//! reach an artifact, and the fingerprint covers every decision.

mod support;

use octosync::report::{self, Action};
use octosync::sim::Seed;
use serde_json::json;
use std::time::Duration;
use support::*;

/// The demo's selection: the destination keeps its own Development and Test out.
const DEMO: &[(&str, &str)] = &[
    ("OCTOSYNC_ENVIRONMENTS", "all\n!Development\n!Test"),
    ("OCTOSYNC_PROJECT_GROUPS", "all"),
    ("OCTOSYNC_TENANT_TAG_SETS", "all"),
    ("OCTOSYNC_LIFECYCLES", "all"),
];

fn output(log: &str, name: &str) -> String {
    let prefix = format!("output: {name} = ");
    log.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no output variable {name} in:\n{log}"))
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_apply_refused_by_the_rules_reports_that_nothing_was_written() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[
            DEMO,
            &[
                ("OCTOSYNC_MODE", "apply"),
                ("OCTOSYNC_LIFECYCLE_PHASE_ENVIRONMENT_MATCH", "ErrorUnlessExactMatch"),
            ],
        ]
        .concat(),
    );
    let (report, log) = run_logged(&job).await;
    assert_eq!(p.dest_writes(), 0);
    assert!(!report.applied);
    assert!(report.summary.errors > 0);
    // What happened, then what was planned, each under its own name.
    assert_eq!(output(&log, "Applied"), "False");
    assert_eq!(output(&log, "Created"), "0");
    assert_eq!(output(&log, "Updated"), "0");
    assert!(output(&log, "PlannedCreates").parse::<usize>().unwrap() > 0, "{log}");
    assert!(log.contains("Apply refused: nothing was written"), "{log}");
    // The refusal leaves its report, saying why.
    let md = std::fs::read_to_string(dir.path().join(report::MARKDOWN_FILE_NAME)).unwrap();
    assert!(md.contains("Apply refused: nothing was written"), "{md}");
    assert!(md.contains("OCTOSYNC_LIFECYCLE_PHASE_ENVIRONMENT_MATCH"), "{md}");
    let json = std::fs::read_to_string(dir.path().join(report::JSON_FILE_NAME)).unwrap();
    let saved = report::from_json(&json).unwrap();
    assert!(!saved.applied && saved.summary.created == 0 && saved.summary.planned_create > 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_apply_with_nothing_to_do_says_it_wrote_nothing() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &[DEMO, &[("OCTOSYNC_MODE", "apply")]].concat());
    let (first, log) = run_logged(&job).await;
    assert_eq!(output(&log, "Applied"), "True");
    assert_eq!(output(&log, "Created"), first.summary.created.to_string());
    assert!(first.summary.created > 0);

    let (_, log) = run_logged(&job).await;
    assert_eq!(output(&log, "Applied"), "False");
    assert_eq!(output(&log, "Created"), "0");
    assert_eq!(output(&log, "PlannedCreates"), "0");
    assert_eq!(output(&log, "InSync"), "True");
    assert!(
        log.contains("Apply complete: nothing to change, nothing was written"),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_that_runs_out_of_time_before_planning_still_writes_its_report() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let dir = tempfile::tempdir().unwrap();
    let mut job = p.job(dir.path(), &[DEMO, &[("OCTOSYNC_MODE", "apply")]].concat());
    job.deadline = Duration::ZERO;
    let (report, log) = run_logged(&job).await;
    assert_eq!(p.dest_writes(), 0);
    assert!(
        report.errors.iter().any(|e| e.contains("OCTOSYNC_TIMEOUT_MINUTES")),
        "{:?}",
        report.errors
    );
    assert!(log.contains("failed before planning: nothing was written"), "{log}");
    let md = std::fs::read_to_string(dir.path().join(report::MARKDOWN_FILE_NAME)).unwrap();
    assert!(md.contains("run time limit"), "{md}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unusable_report_folder_stops_an_apply_before_any_request() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    let mut vars = p.vars(&file.join("reports"), &[DEMO, &[("OCTOSYNC_MODE", "apply")]].concat());
    vars.push(("OCTOSYNC_SERVICE_MESSAGES".into(), "False".into()));
    let out = run_binary(&[], vars).await;
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    assert!(t.contains("OCTOSYNC_REPORT_DIR"), "{t}");
    assert!(t.contains("nothing was read or written"), "{t}");
    assert!(p.destination.request_log().is_empty(), "the destination was contacted");
    assert!(p.source.request_log().is_empty(), "the source was contacted");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_plan_and_apply_commands_reject_a_mode_typo() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let dir = tempfile::tempdir().unwrap();
    for command in ["plan", "apply", "run"] {
        let out = run_binary(
            &[command],
            p.vars(dir.path(), &[DEMO, &[("OCTOSYNC_MODE", "sync")]].concat()),
        )
        .await;
        assert_eq!(out.status.code(), Some(1), "{command}: {}", text(&out));
        assert!(
            text(&out).contains("OCTOSYNC_MODE: expected one of plan, apply, got 'sync'"),
            "{command}: {}",
            text(&out)
        );
    }
    assert!(p.destination.request_log().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_message_quoting_the_api_key_is_masked_in_both_reports() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), DEMO);
    let (log, _) = captured_log();
    let mut report = octosync::engine::run(&job, &log).await.unwrap();
    // What a destination that quotes the key it was sent, or an unknown key, would put in a report.
    let quoted = format!("HTTP 400: bad key {}", DEST_KEY);
    let unknown = "HTTP 400: key API-ZZZZZZZZZZZZZZZZZZZZZZZZ9 is revoked";
    report.errors.push(quoted.clone());
    report.errors.push(unknown.into());
    report.changes[0].error = Some(quoted.clone());
    report.changes[0].notes.push(format!("server said: {}", SOURCE_KEY));
    report.changes[0].reason = format!("see https://me:{}@dest.example/?apikey={}", SOURCE_KEY, DEST_KEY);
    report.stopped = Some(quoted);
    octosync::engine::publish(&mut report, &job, &log).unwrap();
    for file in [report::JSON_FILE_NAME, report::MARKDOWN_FILE_NAME] {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        for secret in [SOURCE_KEY, DEST_KEY, "API-ZZZZZZZZZZZZZZZZZZZZZZZZ9"] {
            assert!(!text.contains(secret), "{file} holds a key:\n{text}");
        }
        assert!(
            text.contains("bad key ********"),
            "{file} keeps the message around the key:\n{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_phase_is_a_warning_in_the_task_log_and_the_report() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let dir = tempfile::tempdir().unwrap();
    let (report, log) = run_logged(&p.job(dir.path(), DEMO)).await;
    let platform = report
        .changes
        .iter()
        .find(|c| c.name == "Platform")
        .expect("the Platform lifecycle is planned");
    assert_eq!(platform.action, Action::Create);
    assert!(
        platform.warnings.iter().any(|w| w.contains("phase 'Test' left out")),
        "{platform:?}"
    );
    assert!(
        log.lines()
            .any(|l| l.starts_with("warning: Lifecycle 'Platform': phase 'Test' left out")),
        "the task log shows it as a warning:\n{log}"
    );
    assert!(report.summary.warnings > 0);
    let md = std::fs::read_to_string(dir.path().join(report::MARKDOWN_FILE_NAME)).unwrap();
    assert!(md.contains("## Warnings"), "{md}");
    assert!(
        md.contains("Lifecycle Platform (create): phase 'Test' left out"),
        "{md}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn strict_scope_modes_that_plan_differently_have_different_fingerprints() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let (s, d) = (p.source_space(), p.dest_space());
    let test = p.source.insert(&s, "environments", json!({"Name": "Test"})).unwrap();
    let staging = p.source.insert(&s, "environments", json!({"Name": "Staging"})).unwrap();
    p.destination
        .insert(&d, "environments", json!({"Name": "Staging"}))
        .unwrap();
    let phase = |name: &str, envs: &[&serde_json::Value]| json!({"Name": name, "AutomaticDeploymentTargets": [], "OptionalDeploymentTargets": envs.iter().map(|e| e["Id"].clone()).collect::<Vec<_>>()});
    p.source
        .insert(
            &s,
            "lifecycles",
            json!({"Name": "Mixed", "Phases": [phase("Both", &[&test, &staging])]}),
        )
        .unwrap();
    p.source
        .insert(
            &s,
            "lifecycles",
            json!({"Name": "Test only", "Phases": [phase("Test", &[&test])]}),
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let plan = |mode: &'static str| {
        p.job(
            dir.path(),
            &[
                ("OCTOSYNC_LIFECYCLES", "all"),
                ("OCTOSYNC_LIFECYCLE_PHASE_ENVIRONMENT_MATCH", mode),
            ],
        )
    };
    let exact = run(&plan("ErrorUnlessExactMatch")).await.unwrap();
    let partial = run(&plan("ErrorUnlessPartialMatch")).await.unwrap();
    assert!(exact.summary.errors > 0 && partial.summary.errors > 0);
    assert_ne!(
        exact.summary.planned_create, partial.summary.planned_create,
        "the two plans differ"
    );
    assert_ne!(exact.plan_fingerprint, partial.plan_fingerprint);
    // And the same plan twice is the same fingerprint.
    let again = run(&plan("ErrorUnlessExactMatch")).await.unwrap();
    assert_eq!(exact.plan_fingerprint, again.plan_fingerprint);
}

/// Names of the destination's `collection` in the order Octopus shows them (by `SortOrder`).
fn shown_order(p: &Pair, collection: &str) -> Vec<String> {
    let mut items = p.destination.items(&p.dest_space(), collection);
    items.sort_by_key(|i| i["SortOrder"].as_i64().unwrap_or(i64::MAX));
    names(&items)
}

#[tokio::test(flavor = "multi_thread")]
async fn new_environments_and_tag_sets_follow_the_source_order_after_the_destinations_own() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let (s, d) = (p.source_space(), p.dest_space());
    let source_order = [
        "juliet", "india", "hotel", "golf", "foxtrot", "echo", "delta", "charlie",
    ];
    for name in source_order {
        p.source.insert(&s, "environments", json!({"Name": name})).unwrap();
        p.source
            .insert(&s, "tagsets", json!({"Name": name, "Tags": []}))
            .unwrap();
    }
    for name in ["Production", "Alpha"] {
        p.destination.insert(&d, "environments", json!({"Name": name})).unwrap();
        p.destination
            .insert(&d, "tagsets", json!({"Name": name, "Tags": []}))
            .unwrap();
    }
    let own = shown_order(&p, "environments");
    // The order is put once per kind, and a lost answer to it is simply sent again.
    p.destination
        .inject("PUT", octosync::sim::SimFault::DroppedAfterCommit, 1);
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[
            ("OCTOSYNC_MODE", "apply"),
            ("OCTOSYNC_ENVIRONMENTS", "all"),
            ("OCTOSYNC_TENANT_TAG_SETS", "all"),
            ("OCTOSYNC_CONCURRENCY", "8"),
        ],
    );
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.changes);
    let expected: Vec<String> = own.iter().cloned().chain(source_order.map(String::from)).collect();
    assert_eq!(shown_order(&p, "environments"), expected);
    assert_eq!(shown_order(&p, "tagsets"), expected);
    let order = report
        .changes
        .iter()
        .find(|c| c.kind == "Environment" && c.name == "(sort order)")
        .expect("the order is a change of its own");
    assert_eq!(order.action, Action::Reorder);
    assert_eq!((report.summary.reordered, report.summary.updated), (2, 0));

    // Nothing left to create: the destination's order is never touched again.
    p.destination.clear_request_log();
    assert_rerun_settles(&job).await;
    assert_eq!(p.dest_writes(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_that_keeps_failing_is_not_retried_past_the_run_time_limit() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    // Every create is refused as unavailable; 20 attempts with backoff would take minutes.
    p.destination.inject("POST", octosync::sim::SimFault::Unavailable, 1000);
    let dir = tempfile::tempdir().unwrap();
    let mut job = p.job(
        dir.path(),
        &[
            ("OCTOSYNC_MODE", "apply"),
            ("OCTOSYNC_ENVIRONMENTS", "all"),
            ("OCTOSYNC_MAX_ATTEMPTS", "20"),
        ],
    );
    job.deadline = Duration::from_secs(5);
    let (report, _) = run_logged(&job).await;
    let failed: Vec<&str> = report.changes.iter().filter_map(|c| c.error.as_deref()).collect();
    assert!(!failed.is_empty(), "{:?}", report.changes);
    assert!(
        failed
            .iter()
            .any(|e| e.contains("the run time limit (OCTOSYNC_TIMEOUT_MINUTES) leaves no time for another attempt")),
        "{failed:?}"
    );
    let posts = p
        .destination
        .request_log()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert!(posts < 20 * 2, "the creates were retried to the end: {posts} POSTs");
    assert!(dir.path().join(report::JSON_FILE_NAME).exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_waiting_their_turn_do_not_start_after_the_run_time_limit() {
    let slow = |key: &str, seed| octosync::sim::SimConfig {
        seed,
        latency: Duration::from_millis(200),
        ..config(key)
    };
    let p = pair_with(slow(SOURCE_KEY, Seed::Empty), slow(DEST_KEY, Seed::Empty)).await;
    let s = p.source_space();
    for i in 0..40 {
        p.source
            .insert(&s, "environments", json!({"Name": format!("Env {i:02}")}))
            .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let mut job = p.job(
        dir.path(),
        &[
            ("OCTOSYNC_MODE", "apply"),
            ("OCTOSYNC_ENVIRONMENTS", "all"),
            ("OCTOSYNC_CONCURRENCY", "1"),
        ],
    );
    // Loading reads one collection per kind at 200 ms each (one request at a time), after the root
    // and the space; the limit leaves time for a few of the 40 creates, whatever kinds are loaded.
    let requests_before_writes = octosync::kind::Kind::ALL.len() as u32 + 2;
    job.deadline = Duration::from_millis(200) * (requests_before_writes + 3);
    let (report, _) = run_logged(&job).await;
    let posts = p
        .destination
        .request_log()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert!(
        posts < 40,
        "every queued create went out after the limit: {posts} POSTs"
    );
    let not_attempted = report
        .changes
        .iter()
        .filter(|c| c.error.as_deref().is_some_and(|e| e.starts_with("not attempted")))
        .count();
    assert!(not_attempted > 0, "{:?}", report.changes);
    assert!(report
        .stopped
        .as_deref()
        .unwrap_or_default()
        .contains("OCTOSYNC_TIMEOUT_MINUTES"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_collision_is_never_reported_as_in_sync() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let s = p.source_space();
    for name in ["Émission", "émission "] {
        p.source.insert(&s, "environments", json!({"Name": name})).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let (report, log) = run_logged(&p.job(dir.path(), &[("OCTOSYNC_ENVIRONMENTS", "all")])).await;
    assert_eq!(report.summary.errors, 2, "{:?}", report.changes);
    assert_eq!(output(&log, "InSync"), "False");
    let md = std::fs::read_to_string(dir.path().join(report::MARKDOWN_FILE_NAME)).unwrap();
    assert!(!md.contains("is in sync"), "{md}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_apply_whose_every_write_failed_says_it_applied_nothing() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    p.destination.inject("POST", octosync::sim::SimFault::Unavailable, 1000);
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[
            ("OCTOSYNC_MODE", "apply"),
            ("OCTOSYNC_ENVIRONMENTS", "all"),
            ("OCTOSYNC_MAX_ATTEMPTS", "1"),
        ],
    );
    let (report, log) = run_logged(&job).await;
    assert!(report.summary.errors > 0);
    assert_eq!(report.summary.written(), 0, "nothing went through");
    assert_eq!(output(&log, "Applied"), "False");
    assert_eq!(output(&log, "Created"), "0");
}
