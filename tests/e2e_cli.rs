//! End-to-end through the real binary: bad input, exit codes, and what never appears in the output.

mod support;

use octosync::sim::{Seed, SimConfig};
use support::*;

fn assert_untouched(p: &Pair) {
    assert_eq!(
        p.dest_writes(),
        0,
        "the destination was written to: {:?}",
        p.destination.request_log()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_setting_stops_before_any_request_and_names_the_variable() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let dir = tempfile::tempdir().unwrap();
    let out = run_binary(
        &[],
        p.vars(
            dir.path(),
            &[("OCTOSYNC_MODE", "sync-now"), ("OCTOSYNC_CONCURRENCY", "lots")],
        ),
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    assert!(
        t.contains("OCTOSYNC_MODE: expected one of plan, apply, got 'sync-now'"),
        "{t}"
    );
    assert!(
        t.contains("OCTOSYNC_CONCURRENCY: expected a whole number from 1 to 64"),
        "{t}"
    );
    assert!(p.source.request_log().is_empty() && p.destination.request_log().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_api_key_stops_the_run_with_a_clear_message_and_no_write() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let dir = tempfile::tempdir().unwrap();
    let wrong = "API-WRONGKEY0000000000000000000";
    let vars = p.vars(
        dir.path(),
        &[
            ALL,
            &[("OCTOSYNC_MODE", "apply"), ("OCTOSYNC_DESTINATION_API_KEY", wrong)],
        ]
        .concat(),
    );
    let out = run_binary(&[], vars).await;
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    assert!(
        t.contains("rejected the API key; check OCTOSYNC_DESTINATION_API_KEY"),
        "{t}"
    );
    assert!(!t.contains(wrong), "the key was printed: {t}");
    assert_untouched(&p);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_space_stops_the_run_and_is_never_created() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let dir = tempfile::tempdir().unwrap();
    let vars = p.vars(
        dir.path(),
        &[
            ALL,
            &[
                ("OCTOSYNC_MODE", "apply"),
                ("OCTOSYNC_DESTINATION_SPACE", "Regulated Tenants"),
            ],
        ]
        .concat(),
    );
    let out = run_binary(&[], vars).await;
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    assert!(
        t.contains("the space 'Regulated Tenants' does not exist on the destination instance"),
        "{t}"
    );
    assert!(t.contains("OCTOSYNC_DESTINATION_SPACE"), "{t}");
    assert_untouched(&p);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_version_gap_stops_the_run_unless_overridden() {
    let p = pair_with(
        SimConfig {
            seed: Seed::DemoSource,
            version: "2024.3.10989".into(),
            ..config(SOURCE_KEY)
        },
        SimConfig {
            seed: Seed::DemoDestination,
            version: "2024.1.6000".into(),
            ..config(DEST_KEY)
        },
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let apply = [ALL, &[("OCTOSYNC_MODE", "apply")]].concat();
    let out = run_binary(&[], p.vars(dir.path(), &apply)).await;
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    assert!(t.contains("more than one minor version apart"), "{t}");
    assert!(t.contains("OCTOSYNC_IGNORE_VERSION_MISMATCH"), "{t}");
    assert_untouched(&p);

    let forced = [apply.as_slice(), &[("OCTOSYNC_IGNORE_VERSION_MISMATCH", "True")]].concat();
    let out = run_binary(&[], p.vars(dir.path(), &forced)).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn fail_on_changes_exits_2_only_while_out_of_sync() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let dir = tempfile::tempdir().unwrap();
    let drift = [ALL, &[("OCTOSYNC_FAIL_ON_CHANGES", "True")]].concat();
    let out = run_binary(&["plan"], p.vars(dir.path(), &drift)).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("out of sync"));

    let out = run_binary(&["apply"], p.vars(dir.path(), ALL)).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = run_binary(&["plan"], p.vars(dir.path(), &drift)).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn no_api_key_appears_in_the_output_or_the_reports() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    for flavour in ["True", "False"] {
        let dir = tempfile::tempdir().unwrap();
        let vars = p.vars(
            dir.path(),
            &[
                ALL,
                &[
                    ("OCTOSYNC_MODE", "apply"),
                    ("OCTOSYNC_SERVICE_MESSAGES", flavour),
                    ("OCTOSYNC_VERBOSE", "True"),
                ],
            ]
            .concat(),
        );
        let out = run_binary(&[], vars).await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let mut everything = text(&out);
        for file in std::fs::read_dir(dir.path()).unwrap() {
            everything.push_str(&std::fs::read_to_string(file.unwrap().path()).unwrap());
        }
        // Service-message attributes are base64: look for the encoded keys too.
        use base64::Engine as _;
        for key in [SOURCE_KEY, DEST_KEY] {
            let encoded = base64::engine::general_purpose::STANDARD.encode(key);
            assert!(!everything.contains(key), "{key} leaked ({flavour})");
            assert!(
                !everything.contains(&encoded),
                "{key} leaked base64-encoded ({flavour})"
            );
        }
    }
}

/// A server that answers every request with a redirect to `location`, and one that records whether
/// anything connected to it.
async fn redirector(location_port: u16) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buf = vec![0u8; 65536];
            let _ = stream.read(&mut buf).await;
            let reply = format!(
                "HTTP/1.1 301 Moved Permanently\r\nLocation: http://127.0.0.1:{location_port}/api\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(reply.as_bytes()).await;
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirecting_destination_is_refused_and_the_key_never_follows_the_redirect() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let elsewhere = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let elsewhere_port = elsewhere.local_addr().unwrap().port();
    let port = redirector(elsewhere_port).await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let vars = p.vars(
        dir.path(),
        &[
            ALL,
            &[("OCTOSYNC_MODE", "apply"), ("OCTOSYNC_DESTINATION_URL", url.as_str())],
        ]
        .concat(),
    );
    let out = run_binary(&[], vars).await;
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    assert!(t.contains("with a redirect (301)"), "{t}");
    assert!(
        t.contains("set OCTOSYNC_DESTINATION_URL to the address it redirects to"),
        "{t}"
    );
    // Nothing connected to the redirect target, so the API key was never sent there.
    let probe = tokio::time::timeout(std::time::Duration::from_millis(200), elsewhere.accept()).await;
    assert!(probe.is_err(), "octosync followed the redirect");
    assert_untouched(&p);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_apply_stopped_by_a_rule_says_nothing_was_written() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let dir = tempfile::tempdir().unwrap();
    let vars = p.vars(
        dir.path(),
        &[
            ("OCTOSYNC_MODE", "apply"),
            ("OCTOSYNC_PROJECT_GROUPS", "all"),
            ("OCTOSYNC_LIFECYCLES", "all"),
            ("OCTOSYNC_LIFECYCLE_PHASE_ENVIRONMENT_MATCH", "ErrorUnlessExactMatch"),
        ],
    );
    let out = run_binary(&[], vars).await;
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    assert!(t.contains("Apply refused: nothing was written"), "{t}");
    assert!(
        t.contains("The rules stopped the run at the lifecycle stage; nothing was written"),
        "{t}"
    );
    assert!(!t.contains("': created"), "the log claims a write: {t}");
    assert_untouched(&p);
    let report =
        octosync::report::from_json(&std::fs::read_to_string(dir.path().join("octosync-report.json")).unwrap())
            .unwrap();
    assert!(!report.applied);
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.contains("'Development' not found on the destination")),
        "{:?}",
        report.errors
    );
}
