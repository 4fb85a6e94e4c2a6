//! End-to-end: the large space of issue 11 (`octosync sim --seed large` and the benchmark's), at
//! a tenth of its size: the generator builds what its counts say, and octosync syncs it with
//! everything selected without an error, then finds nothing left to write.

mod support;

use octosync::sim::{LargeScale, Seed, SimConfig, SimServer, SELECT_EVERYTHING};
use serde_json::Value;
use support::*;

/// Everything the benchmark selects, applied.
fn everything() -> Vec<(&'static str, &'static str)> {
    let mut settings = vec![("OCTOSYNC_MODE", "apply")];
    settings.extend_from_slice(SELECT_EVERYTHING);
    settings
}

fn count(sim: &SimServer, space: &str, collection: &str, keep: impl Fn(&Value) -> bool) -> usize {
    sim.items(space, collection).iter().filter(|d| keep(d)).count()
}

fn named(prefix: &'static str) -> impl Fn(&Value) -> bool {
    move |d| d["Name"].as_str().is_some_and(|n| n.starts_with(prefix))
}

fn any(_: &Value) -> bool {
    true
}

async fn large_pair(scale: LargeScale) -> Pair {
    pair_with(
        SimConfig {
            seed: Seed::LargeSource { scale },
            ..config(SOURCE_KEY)
        },
        SimConfig {
            seed: Seed::LargeDestination { scale },
            ..config(DEST_KEY)
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_large_space_at_a_tenth_has_the_counts_of_its_formula() {
    let scale = LargeScale::from_factor(0.1);
    let c = scale.counts();
    assert_eq!(
        (c.projects, c.tenants, c.library_variable_sets, c.project_groups),
        (30, 10, 4, 2)
    );
    let p = large_pair(scale).await;
    let (src, s) = (&p.source, p.source_space());
    let not_default = |d: &Value| d["IsDefault"] != Value::Bool(true);
    let external = |d: &Value| d["FeedType"] != "BuiltIn" && d["FeedType"] != "OctopusProject";
    let variables_set = |d: &Value| d["ContentType"] == "Variables";
    let found = [
        ("environments", count(src, &s, "environments", any), c.environments),
        (
            "project groups",
            count(src, &s, "projectgroups", named("Group ")),
            c.project_groups,
        ),
        ("tag sets", count(src, &s, "tagsets", any), c.tag_sets),
        ("feeds", count(src, &s, "feeds", external), c.feeds),
        ("accounts", count(src, &s, "accounts", any), c.accounts),
        ("certificates", count(src, &s, "certificates", any), c.certificates),
        (
            "machine policies",
            count(src, &s, "machinepolicies", not_default),
            c.machine_policies,
        ),
        (
            "worker pools",
            count(src, &s, "workerpools", not_default),
            c.worker_pools,
        ),
        ("teams", count(src, &s, "teams", named("Team ")), c.teams),
        (
            "users",
            count(src, "", "users", |u| {
                u["Username"].as_str().is_some_and(|n| n.starts_with("user"))
            }),
            c.users,
        ),
        ("lifecycles", count(src, &s, "lifecycles", any), c.lifecycles),
        (
            "step templates",
            count(src, &s, "actiontemplates", any),
            c.step_templates,
        ),
        (
            "script modules",
            count(src, &s, "libraryvariablesets", named("Module ")),
            c.script_modules,
        ),
        (
            "library sets",
            count(src, &s, "libraryvariablesets", variables_set),
            c.library_variable_sets,
        ),
        ("projects", count(src, &s, "projects", any), c.projects),
        (
            "channels",
            count(src, &s, "channels", any),
            c.projects * c.channels_per_project,
        ),
        (
            "runbooks",
            count(src, &s, "runbooks", any),
            c.projects * c.runbooks_per_project,
        ),
        ("tenants", count(src, &s, "tenants", any), c.tenants),
    ];
    for (what, got, want) in found {
        assert_eq!(got, want, "{what} on the source");
    }
    for process in src.items(&s, "deploymentprocesses") {
        assert_eq!(process["Steps"].as_array().map(Vec::len), Some(c.steps_per_process));
    }
    let project_sets: Vec<Value> = src
        .items(&s, "variables")
        .into_iter()
        .filter(|v| v["OwnerId"].as_str().is_some_and(|o| o.starts_with("Projects-")))
        .collect();
    assert_eq!(project_sets.len(), c.projects);
    for set in &project_sets {
        assert_eq!(set["Variables"].as_array().map(Vec::len), Some(c.variables_per_project));
    }
    // The destination: Staging and Production only, a tenth of the projects and tenants plus its own.
    let (dst, d) = (&p.destination, p.dest_space());
    assert_eq!(p.dest_names("environments"), ["Staging", "Production"]);
    assert_eq!(count(dst, &d, "projects", named("Project ")), 3);
    assert_eq!(count(dst, &d, "projects", named("Ops Tool ")), 1);
    assert_eq!(count(dst, &d, "tenants", named("Tenant ")), 1);
    assert_eq!(count(dst, &d, "tenants", named("Partner ")), 1);
    // Same names, other ids.
    let id_of = |sim: &SimServer, space: &str, name: &str| {
        sim.items(space, "projects")
            .into_iter()
            .find(|x| x["Name"] == name)
            .map(|x| x["Id"].clone())
    };
    assert_ne!(id_of(src, &s, "Project 010"), id_of(dst, &d, "Project 010"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_scale_builds_the_same_space() {
    let scale = LargeScale::from_factor(0.1);
    let (a, b) = (large_pair(scale).await, large_pair(scale).await);
    for collection in [
        "projects",
        "deploymentprocesses",
        "variables",
        "tenants",
        "channels",
        "libraryvariablesets",
    ] {
        let docs = |sim: &SimServer, space: &str| -> Vec<Value> {
            sim.items(space, collection)
                .into_iter()
                .map(without_generated)
                .collect()
        };
        assert_eq!(
            docs(&a.source, &a.source_space()),
            docs(&b.source, &b.source_space()),
            "{collection} differ between two builds of the same scale"
        );
    }
}

/// A document without what the server generates anew each time: GUIDs and time stamps.
fn without_generated(doc: Value) -> Value {
    match doc {
        Value::String(s) if uuid::Uuid::parse_str(&s).is_ok() => Value::String("<guid>".into()),
        Value::Object(o) => Value::Object(
            o.into_iter()
                .filter(|(k, _)| !k.ends_with("On"))
                .map(|(k, v)| (k, without_generated(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(without_generated).collect()),
        other => other,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_large_space_syncs_without_errors_and_a_rerun_writes_nothing() {
    let p = large_pair(LargeScale::from_factor(0.1)).await;
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &everything());
    let report = run(&job).await.expect("the sync runs");
    let failed: Vec<String> = report
        .errors
        .iter()
        .cloned()
        .chain(
            report
                .changes
                .iter()
                .filter_map(|c| c.error.as_ref().map(|e| format!("{} '{}': {e}", c.kind, c.name))),
        )
        .collect();
    assert_eq!(report.summary.errors, 0, "{failed:#?}");
    assert!(p.dest_writes() > 0, "the first sync writes");
    assert_eq!(
        count(&p.destination, &p.dest_space(), "projects", named("Project ")),
        30
    );
    assert_eq!(count(&p.destination, &p.dest_space(), "tenants", named("Tenant ")), 10);
    p.destination.clear_request_log();
    p.source.clear_request_log();
    let again = run(&job).await.expect("the re-run runs");
    assert_eq!(again.summary.errors, 0);
    assert_eq!(
        p.dest_writes(),
        0,
        "the re-run writes: {:?}",
        again
            .changes
            .iter()
            .filter(|c| c.action != octosync::report::Action::Skip)
            .collect::<Vec<_>>()
    );
    // The reads do not grow one request per document: runbook processes come in pages of their
    // collection, the tenants' values in one bulk read.
    for (side, log) in [
        ("source", p.source.request_log()),
        ("destination", p.destination.request_log()),
    ] {
        let per_document: Vec<&str> = log
            .iter()
            .map(|r| r.path.as_str())
            .filter(|path| {
                let path = path.split('?').next().unwrap_or(path).to_ascii_lowercase();
                (path.contains("/runbookprocesses/") && !path.ends_with("/runbookprocesses"))
                    || (path.contains("/tenants/") && path.ends_with("/variables"))
            })
            .collect();
        assert!(per_document.is_empty(), "{side}: {per_document:?}");
        assert!(
            log.iter().any(|r| r.path.contains("tenantvariables/all")),
            "{side} read its tenants' values in bulk"
        );
    }
}

/// The hardening issue's fault run, at the large space's size: a third of the requests to either
/// instance fail (503, 429, a dropped connection, a write committed whose answer is lost), and the
/// run still ends with no error, no duplicate, no reference to anything the destination lacks,
/// and nothing left to write once the faults stop.
async fn converges_through_a_third_of_requests_failing(scale: LargeScale) {
    let faulty = |key: &str, seed: Seed, fault_seed: u64| SimConfig {
        seed,
        fault_rate: 0.33,
        fault_seed,
        ..config(key)
    };
    let p = pair_with(
        faulty(SOURCE_KEY, Seed::LargeSource { scale }, 17),
        faulty(DEST_KEY, Seed::LargeDestination { scale }, 23),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let settings = [everything(), vec![("OCTOSYNC_MAX_ATTEMPTS", "12")]].concat();
    let job = p.job(dir.path(), &settings);
    let report = run(&job).await.expect("the sync runs");
    let failed: Vec<String> = report
        .changes
        .iter()
        .filter_map(|c| c.error.as_ref().map(|e| format!("{} '{}': {e}", c.kind, c.name)))
        .chain(report.errors.iter().cloned())
        .collect();
    assert_eq!(report.summary.errors, 0, "{failed:#?}");
    let faults = p.destination.request_log().iter().filter(|r| r.fault.is_some()).count();
    assert!(faults > 100, "only {faults} faults were injected");

    assert_names_unique(&p);
    let space = p.dest_space();
    // Names unique within their project, too.
    for collection in [
        "projects",
        "tenants",
        "actiontemplates",
        "certificates",
        "channels",
        "runbooks",
    ] {
        let mut keys: Vec<String> = p
            .destination
            .items(&space, collection)
            .iter()
            .map(|d| {
                format!(
                    "{}/{}",
                    d["ProjectId"].as_str().unwrap_or(""),
                    d["Name"].as_str().unwrap_or("")
                )
                .to_lowercase()
            })
            .collect();
        let total = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), total, "duplicate {collection} on the destination");
    }
    assert_no_dangling_references(&p.destination, &space);

    p.destination.set_fault_rate(0.0);
    p.source.set_fault_rate(0.0);
    assert_rerun_settles(&job).await;
}

/// Every id-shaped value in the destination's documents names an item the destination has: a
/// source id copied raw, or a reference to a create that was lost, would not.
fn assert_no_dangling_references(sim: &SimServer, space: &str) {
    const COLLECTIONS: &[&str] = &[
        "environments",
        "projectgroups",
        "tagsets",
        "feeds",
        "accounts",
        "certificates",
        "machinepolicies",
        "workerpools",
        "lifecycles",
        "actiontemplates",
        "libraryvariablesets",
        "projects",
        "channels",
        "runbooks",
        "tenants",
        "teams",
        "deploymentprocesses",
        "runbookProcesses",
        "variables",
    ];
    const PREFIXES: &[&str] = &[
        "Environments",
        "ProjectGroups",
        "TagSets",
        "Feeds",
        "Accounts",
        "Certificates",
        "MachinePolicies",
        "WorkerPools",
        "Lifecycles",
        "ActionTemplates",
        "LibraryVariableSets",
        "Projects",
        "Channels",
        "Runbooks",
        "Tenants",
    ];
    let mut known = std::collections::HashSet::new();
    for c in COLLECTIONS {
        for d in sim.items(space, c) {
            if let Some(id) = d["Id"].as_str() {
                known.insert(id.to_lowercase());
            }
        }
    }
    fn walk(v: &Value, at: &str, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(format!("{at}={s}")),
            Value::Array(a) => a.iter().for_each(|x| walk(x, at, out)),
            Value::Object(m) => m
                .iter()
                .filter(|(k, _)| k.as_str() != "Links")
                .for_each(|(k, x)| walk(x, k, out)),
            _ => {}
        }
    }
    let mut dangling = Vec::new();
    for c in COLLECTIONS {
        for d in sim.items(space, c) {
            let mut strings = Vec::new();
            walk(&d, "", &mut strings);
            for s in strings {
                let (field, value) = s.split_once('=').unwrap_or(("", ""));
                let Some((prefix, number)) = value.split_once('-') else {
                    continue;
                };
                let id_shaped = PREFIXES.iter().any(|p| p.eq_ignore_ascii_case(prefix))
                    && !number.is_empty()
                    && number.chars().all(|ch| ch.is_ascii_digit());
                if id_shaped && field != "Id" && !known.contains(&value.to_lowercase()) {
                    dangling.push(format!("{c} {}: {field} = {value}", d["Id"]));
                }
            }
        }
    }
    assert!(
        dangling.is_empty(),
        "references to items the destination lacks: {dangling:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_large_space_at_a_tenth_converges_through_a_third_of_requests_failing() {
    converges_through_a_third_of_requests_failing(LargeScale::from_factor(0.1)).await;
}

/// The same at the full size (10 to 15 minutes in a release build: thousands of backoffs, the
/// limit on requests in flight halved by the 429s and 503s):
/// `cargo test --release --test e2e_large_space -- --ignored`.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "the full large space; run by hand in a release build"]
async fn the_full_large_space_converges_through_a_third_of_requests_failing() {
    converges_through_a_third_of_requests_failing(LargeScale::from_factor(1.0)).await;
}
