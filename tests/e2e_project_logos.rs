//! End-to-end: project logos between two simulated instances, the last part of a project's sync.
//! A source project's own logo reaches its destination counterpart byte for byte (a project
//! created by the same run included); a project on the server's default uploads nothing, and a
//! destination's own logo is not replaced by a default; a re-run writes nothing.

mod support;

use octosync::report::Action;
use octosync::sim::{Seed, SimServer};
use serde_json::{json, Value};
use support::*;

const SELECT: (&str, &str) = ("OCTOSYNC_PROJECTS", "all\n!Scratch*");
const APPLY: (&str, &str) = ("OCTOSYNC_MODE", "apply");

/// A project group and a lifecycle every project of `space` is put in.
fn scaffolding(sim: &SimServer, space: &str) -> (String, String) {
    let group = sim.insert(space, "projectgroups", json!({"Name": "Payments"})).unwrap();
    let lifecycle = sim.insert(space, "lifecycles", json!({"Name": "Release"})).unwrap();
    (
        group["Id"].as_str().unwrap().to_string(),
        lifecycle["Id"].as_str().unwrap().to_string(),
    )
}

/// Project `name` on `sim`, with `logo` uploaded for it (`None`: the server's default).
fn project(sim: &SimServer, space: &str, ids: &(String, String), name: &str, logo: Option<&[u8]>) -> Value {
    let p = sim
        .insert(
            space,
            "projects",
            json!({"Name": name, "ProjectGroupId": ids.0, "LifecycleId": ids.1}),
        )
        .unwrap();
    if let Some(bytes) = logo {
        sim.set_logo(space, "projects", p["Id"].as_str().unwrap(), bytes)
            .unwrap();
    }
    p
}

/// The logo the destination serves for its project `name`.
fn dest_logo(p: &Pair, name: &str) -> Vec<u8> {
    let space = p.dest_space();
    let found = p.destination.items(&space, "projects");
    let project = found
        .iter()
        .find(|x| x["Name"] == name)
        .unwrap_or_else(|| panic!("no project '{name}' on the destination"));
    p.destination
        .logo(&space, "projects", project["Id"].as_str().unwrap())
        .expect("a project has a logo route")
        .1
}

/// Writes the destination received at a logo route.
fn logo_writes(p: &Pair) -> Vec<String> {
    p.dest_write_requests()
        .into_iter()
        .filter(|w| w.ends_with("/logo"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_custom_project_logo_reaches_the_destination_byte_for_byte_and_a_default_one_writes_nothing() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let (s, d) = (p.source_space(), p.dest_space());
    let (src, dst) = (scaffolding(&p.source, &s), scaffolding(&p.destination, &d));
    let red = octosync::sim::solid_png([200, 20, 20, 255]);
    let blue = octosync::sim::solid_png([20, 20, 200, 255]);
    let green = octosync::sim::solid_png([0, 120, 0, 255]);

    // On both: the source's has a logo of its own, the destination's the default.
    project(&p.source, &s, &src, "Web", Some(&red));
    let web = project(&p.destination, &d, &dst, "Web", None);
    let default = p
        .destination
        .logo(&d, "projects", web["Id"].as_str().unwrap())
        .unwrap()
        .1;
    // New on the destination: one with a logo of its own, one on the default.
    project(&p.source, &s, &src, "Api", Some(&blue));
    project(&p.source, &s, &src, "Plain", None);
    // The destination's has a logo of its own, the source's the default: the destination's stays.
    project(&p.source, &s, &src, "Branded", None);
    project(&p.destination, &d, &dst, "Branded", Some(&green));
    // Not selected: its logo is never read.
    let scratch = project(&p.source, &s, &src, "Scratch Pad", Some(&red));

    // The plan shows the logo changes as before → after, and writes nothing.
    let dir = tempfile::tempdir().unwrap();
    p.source.clear_request_log();
    p.destination.clear_request_log();
    let plan = run(&p.job(dir.path(), &[SELECT])).await.unwrap();
    assert_eq!(plan.summary.errors, 0, "{:?}", plan.errors);
    assert_eq!(p.dest_writes(), 0);
    let web_logo = change_of(&plan, "Project", "Web (logo)");
    assert_eq!(web_logo.action, Action::Update);
    assert_eq!(web_logo.changed_fields, ["Logo"]);
    let diff = &web_logo.diff[0];
    assert!(
        diff.before
            .as_deref()
            .unwrap()
            .starts_with(&format!("default (image/png, {} bytes, sha256 ", default.len())),
        "{diff:?}"
    );
    assert!(
        diff.after
            .as_deref()
            .unwrap()
            .starts_with(&format!("custom (image/png, {} bytes, sha256 ", red.len())),
        "{diff:?}"
    );
    let api_logo = change_of(&plan, "Project", "Api (logo)");
    assert_eq!(api_logo.action, Action::Update);
    assert_eq!(
        api_logo.diff[0].before.as_deref(),
        Some("default (a new project shows it until a logo is uploaded)")
    );
    let branded = change_of(&plan, "Project", "Branded (logo)");
    assert_eq!(branded.action, Action::Unchanged);
    assert!(branded.notes.iter().any(|n| n.contains("which is kept")), "{branded:?}");
    assert!(
        !plan.changes.iter().any(|c| c.name == "Plain (logo)"),
        "a default logo is not a decision: {:?}",
        plan.changes
    );
    // Only logos that could be uploaded are read: Web's and Api's on the source, Web's on the destination.
    let logo_reads = |sim: &SimServer| {
        sim.request_log()
            .iter()
            .filter(|r| r.method == "GET" && r.path.ends_with("/logo"))
            .count()
    };
    assert_eq!((logo_reads(&p.source), logo_reads(&p.destination)), (2, 1));
    let scratch_logo = format!("{}/logo", scratch["Id"].as_str().unwrap());
    assert!(
        !p.source.request_log().iter().any(|r| r.path.ends_with(&scratch_logo)),
        "the logo of a project that is not selected was read"
    );

    p.destination.clear_request_log();
    let job = p.job(dir.path(), &[SELECT, APPLY]);
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?} {:?}", report.errors, report.changes);
    assert_eq!(dest_logo(&p, "Web"), red);
    assert_eq!(dest_logo(&p, "Api"), blue);
    assert_eq!(dest_logo(&p, "Plain"), default, "a new project keeps the default");
    assert_eq!(dest_logo(&p, "Branded"), green);
    // One upload each for Web and Api, and none for the others.
    assert_eq!(logo_writes(&p).len(), 2, "{:?}", logo_writes(&p));

    p.destination.clear_request_log();
    assert_rerun_settles(&job).await;
    assert_eq!(p.dest_writes(), 0, "{:?}", p.destination.request_log());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_source_logo_replaces_the_one_synced_before() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let (s, d) = (p.source_space(), p.dest_space());
    let (src, dst) = (scaffolding(&p.source, &s), scaffolding(&p.destination, &d));
    let web = project(
        &p.source,
        &s,
        &src,
        "Web",
        Some(&octosync::sim::solid_png([200, 20, 20, 255])),
    );
    project(
        &p.destination,
        &d,
        &dst,
        "Web",
        Some(&octosync::sim::solid_png([1, 2, 3, 255])),
    );
    let newer = octosync::sim::solid_png([20, 200, 20, 255]);
    p.source
        .set_logo(&s, "projects", web["Id"].as_str().unwrap(), &newer)
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &[SELECT, APPLY]);
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    let logo = change_of(&report, "Project", "Web (logo)");
    assert!(
        logo.diff[0].before.as_deref().unwrap().starts_with("custom ("),
        "{logo:?}"
    );
    assert_eq!(dest_logo(&p, "Web"), newer);
    assert_rerun_settles(&job).await;
}
