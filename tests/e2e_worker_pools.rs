//! End-to-end: worker pools against two simulated instances. Static pools are created when
//! missing and placed after the destination's own, existing pools are never touched, dynamic pools
//! are skipped with a note, and the source's default pool is the destination's default whatever
//! its name; which pool is the default never changes.

mod support;

use octosync::report::{Action, Report};
use octosync::sim::Seed;
use serde_json::{json, Value};
use support::*;

const KIND: &str = "Worker pool";

/// Source: Windows, Ubuntu, Alpha (static) and Hosted Ubuntu (dynamic); the destination has its
/// own Ubuntu (with its own description) and Zeta.
async fn spaces() -> Pair {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let (s, d) = (p.source_space(), p.dest_space());
    for (name, description) in [("Windows", "Windows builds"), ("Ubuntu", "Dev's Linux"), ("Alpha", "")] {
        p.source
            .insert(&s, "workerpools", json!({"Name": name, "Description": description}))
            .unwrap();
    }
    p.source
        .insert(
            &s,
            "workerpools",
            json!({"Name": "Hosted Ubuntu", "WorkerPoolType": "DynamicWorkerPool", "WorkerType": "UbuntuDefault"}),
        )
        .unwrap();
    for (name, description) in [("ubuntu", "Production Linux"), ("Zeta", "")] {
        p.destination
            .insert(&d, "workerpools", json!({"Name": name, "Description": description}))
            .unwrap();
    }
    p
}

fn dest_pools(p: &Pair) -> Vec<Value> {
    p.destination.items(&p.dest_space(), "workerpools")
}

fn defaults(p: &Pair) -> Vec<String> {
    names(
        &dest_pools(p)
            .into_iter()
            .filter(|d| d["IsDefault"] == true)
            .collect::<Vec<_>>(),
    )
}

fn change<'a>(report: &'a Report, name: &str) -> &'a octosync::report::Change {
    change_of(report, KIND, name)
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_static_pools_are_created_after_the_destinations_own_and_existing_ones_are_left_alone() {
    let p = spaces().await;
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[("OCTOSYNC_WORKER_POOLS", "all"), ("OCTOSYNC_MODE", "apply")],
    );
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);

    // The listing follows SortOrder: the destination's own pools where they were, then the new
    // ones in the source's order.
    assert_eq!(
        p.dest_names("workerpools"),
        ["Default Worker Pool", "ubuntu", "Zeta", "Windows", "Alpha"]
    );
    let pools = dest_pools(&p);
    let windows = pools.iter().find(|d| d["Name"] == "Windows").unwrap();
    assert_eq!(windows["IsDefault"], false);
    assert_eq!(windows["WorkerPoolType"], "StaticWorkerPool");
    assert_eq!(windows["Description"], "Windows builds");
    let ubuntu = pools.iter().find(|d| d["Name"] == "ubuntu").unwrap();
    assert_eq!(
        ubuntu["Description"], "Production Linux",
        "an existing pool is never updated"
    );
    assert_eq!(change(&report, "Ubuntu").action, Action::Unchanged);
    assert_eq!(defaults(&p), ["Default Worker Pool"]);
    let order = change(&report, octosync::sync::ORDER_CHANGE_NAME);
    assert_eq!(order.action, Action::Reorder);
    assert!(order.error.is_none(), "{order:?}");
    assert_names_unique(&p);

    p.destination.clear_request_log();
    assert_rerun_settles(&job).await;
    assert_eq!(p.dest_writes(), 0, "{:?}", p.destination.request_log());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dynamic_pool_is_skipped_with_a_note_that_it_exists_only_on_octopus_cloud() {
    let p = spaces().await;
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[("OCTOSYNC_WORKER_POOLS", "Hosted*"), ("OCTOSYNC_MODE", "apply")],
    );
    let report = run(&job).await.unwrap();
    assert_eq!(p.dest_writes(), 0);
    let skipped = change(&report, "Hosted Ubuntu");
    assert_eq!(skipped.action, Action::Skip);
    assert!(skipped.reason.contains("only on Octopus Cloud"), "{skipped:?}");
    assert!(
        skipped
            .notes
            .iter()
            .any(|n| n.contains("UbuntuDefault") && n.contains("by hand")),
        "{skipped:?}"
    );
    assert_eq!(report.summary.skipped, 1);
    assert!(!p.dest_names("workerpools").contains(&"Hosted Ubuntu".to_string()));
    // A skip is not a change to make: the spaces count as in sync.
    assert!(report.summary.in_sync, "{}", report.summary_line());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sources_default_pool_is_the_destinations_default_whatever_its_name() {
    let p = spaces().await;
    let d = p.dest_space();
    let mut default = dest_pools(&p).into_iter().find(|d| d["IsDefault"] == true).unwrap();
    default["Name"] = json!("Production Pool");
    let id = default["Id"].as_str().unwrap().to_string();
    p.destination.update(&d, "workerpools", &id, default).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[("OCTOSYNC_WORKER_POOLS", "Default*"), ("OCTOSYNC_MODE", "apply")],
    );
    let report = run(&job).await.unwrap();
    assert_eq!(p.dest_writes(), 0, "{:?}", report.changes);
    let mapped = change(&report, "Default Worker Pool");
    assert_eq!(mapped.action, Action::Unchanged);
    assert_eq!(mapped.destination_id.as_deref(), Some(id.as_str()));
    assert!(
        mapped.notes.iter().any(|n| n.contains("'Production Pool'")),
        "{mapped:?}"
    );
    assert_eq!(defaults(&p), ["Production Pool"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pool_the_selector_excludes_is_neither_created_nor_reported() {
    let p = spaces().await;
    let dir = tempfile::tempdir().unwrap();
    let report = run(&p.job(
        dir.path(),
        &[
            ("OCTOSYNC_WORKER_POOLS", "!Windows\n!Hosted*"),
            ("OCTOSYNC_MODE", "apply"),
        ],
    ))
    .await
    .unwrap();
    assert_eq!(
        p.dest_names("workerpools"),
        ["Default Worker Pool", "ubuntu", "Zeta", "Alpha"]
    );
    assert!(
        report
            .changes
            .iter()
            .all(|c| c.name != "Windows" && c.name != "Hosted Ubuntu"),
        "{:?}",
        report.changes
    );
}
