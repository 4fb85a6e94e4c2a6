//! Shared test helpers: simulated instance pairs, settings, in-process runs and binary runs.
#![allow(dead_code)]

use octosync::octolog::{Flavor, TaskLog};
use octosync::report::Report;
use octosync::settings::{self, Job};
use octosync::sim::{Seed, SimConfig, SimServer};
use std::io::Write;
use std::path::Path;
use std::process::Output;
use std::sync::{Arc, Mutex};

pub const SOURCE_KEY: &str = "API-TESTSOURCE0000000000000000001";
pub const DEST_KEY: &str = "API-TESTDESTINATION00000000000002";

/// A source and a destination instance.
pub struct Pair {
    pub source: SimServer,
    pub destination: SimServer,
}

pub async fn pair(source_seed: Seed, dest_seed: Seed) -> Pair {
    pair_with(
        SimConfig {
            seed: source_seed,
            ..config(SOURCE_KEY)
        },
        SimConfig {
            seed: dest_seed,
            ..config(DEST_KEY)
        },
    )
    .await
}

pub async fn pair_with(source: SimConfig, destination: SimConfig) -> Pair {
    Pair {
        source: SimServer::start(source).await.expect("source simulator starts"),
        destination: SimServer::start(destination)
            .await
            .expect("destination simulator starts"),
    }
}

pub fn config(key: &str) -> SimConfig {
    SimConfig {
        api_key: key.into(),
        version: "2024.3.10989".into(),
        ..SimConfig::default()
    }
}

impl Pair {
    /// Settings for syncing source → destination, plus `extra`.
    pub fn vars(&self, report_dir: &Path, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut v = octosync::demo::connection_settings(&self.source, &self.destination);
        v.push(("OCTOSYNC_REPORT_DIR".into(), report_dir.display().to_string()));
        for (k, val) in extra {
            v.retain(|(name, _)| name != k);
            v.push((k.to_string(), val.to_string()));
        }
        v
    }

    pub fn job(&self, report_dir: &Path, extra: &[(&str, &str)]) -> Job {
        settings::from_vars(self.vars(report_dir, extra)).expect("valid test settings")
    }

    pub fn dest_space(&self) -> String {
        self.destination
            .space_id("Default")
            .expect("destination has a Default space")
    }

    pub fn source_space(&self) -> String {
        self.source.space_id("Default").expect("source has a Default space")
    }

    /// Names of the destination's items in `collection`.
    pub fn dest_names(&self, collection: &str) -> Vec<String> {
        names(&self.destination.items(&self.dest_space(), collection))
    }

    /// The POST/PUT/DELETE requests the destination received, as `METHOD path`.
    pub fn dest_write_requests(&self) -> Vec<String> {
        self.destination
            .request_log()
            .iter()
            .filter(|r| matches!(r.method.as_str(), "POST" | "PUT" | "DELETE"))
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }

    /// POST/PUT/DELETE requests the destination received.
    pub fn dest_writes(&self) -> usize {
        self.destination
            .request_log()
            .iter()
            .filter(|r| matches!(r.method.as_str(), "POST" | "PUT" | "DELETE"))
            .count()
    }
}

/// No two items of a synced kind share a name on the destination (the sign of a duplicated create).
pub fn assert_names_unique(p: &Pair) {
    for collection in [
        "environments",
        "projectgroups",
        "tagsets",
        "feeds",
        "machinepolicies",
        "workerpools",
        "teams",
        "accounts",
        "libraryvariablesets",
        "lifecycles",
    ] {
        let mut names: Vec<String> = p.dest_names(collection).iter().map(|n| n.to_lowercase()).collect();
        let total = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), total, "duplicate {collection} on the destination");
    }
}

/// Runs `job` again and checks it finds nothing left to write.
pub async fn assert_rerun_settles(job: &Job) {
    let again = run(job).await.expect("re-run");
    assert_eq!(
        (again.summary.planned_create, again.summary.planned_update),
        (0, 0),
        "{:?}",
        again.changes
    );
}

pub fn names(items: &[serde_json::Value]) -> Vec<String> {
    items
        .iter()
        .filter_map(|i| i["Name"].as_str().map(str::to_string))
        .collect()
}

/// Everything selected.
pub const ALL: &[(&str, &str)] = &[
    ("OCTOSYNC_ENVIRONMENTS", "all"),
    ("OCTOSYNC_PROJECT_GROUPS", "all"),
    ("OCTOSYNC_TENANT_TAG_SETS", "all"),
    ("OCTOSYNC_MACHINE_POLICIES", "all"),
    ("OCTOSYNC_WORKER_POOLS", "all"),
    ("OCTOSYNC_LIFECYCLES", "all"),
];

/// A writer the test can read back.
#[derive(Clone, Default)]
pub struct Captured(pub Arc<Mutex<Vec<u8>>>);

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A plain task log captured in memory.
pub fn captured_log() -> (TaskLog, Captured) {
    let buf = Captured::default();
    let log = TaskLog::with_writers(Flavor::Plain, true, Box::new(buf.clone()), Box::new(buf.clone()));
    (log, buf)
}

/// The report's decision about the item `name` of the kind labelled `kind` (e.g. "Worker pool").
pub fn change_of<'a>(report: &'a Report, kind: &str, name: &str) -> &'a octosync::report::Change {
    report
        .changes
        .iter()
        .find(|c| c.kind == kind && c.name == name)
        .unwrap_or_else(|| panic!("no change for {kind} '{name}': {:?}", report.changes))
}

/// Runs in-process and publishes, returning the report and the plain task log.
pub async fn run_logged(job: &Job) -> (Report, String) {
    let (log, text) = captured_log();
    let mut report = octosync::engine::run(job, &log).await.expect("the run is reported");
    octosync::engine::publish(&mut report, job, &log).expect("the report is published");
    (report, text.text())
}

/// Runs the engine in-process and publishes the reports.
pub async fn run(job: &Job) -> anyhow::Result<Report> {
    let (log, _) = captured_log();
    let mut report = octosync::engine::run(job, &log).await?;
    octosync::engine::publish(&mut report, job, &log)?;
    Ok(report)
}

/// Runs a job that must stop before it plans (no connection, a refused check), and returns its
/// errors as one text; the run still leaves its report.
pub async fn run_stopped(job: &Job) -> String {
    let report = run(job).await.expect("the run is reported");
    assert!(
        report.plan_fingerprint.is_empty() && !report.errors.is_empty(),
        "expected a run that stopped before planning: {}",
        report.summary_line()
    );
    assert!(job.report_dir.join(octosync::report::JSON_FILE_NAME).exists());
    report.errors.join("\n")
}

/// Runs the real binary with exactly `vars` (plus PATH) and `args`.
pub async fn run_binary(args: &[&str], vars: Vec<(String, String)>) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_octosync"))
            .args(&args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(vars)
            .output()
            .expect("octosync binary runs")
    })
    .await
    .expect("binary task joins")
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// POSTs `body` to `path` on `sim` as an administrator would by hand (a route octosync never
/// calls, such as converting a project to Git), and returns the answer's status and body.
pub async fn post_by_hand(sim: &SimServer, path: &str, body: serde_json::Value) -> (u16, String) {
    by_hand(sim, "POST", path, Some(body)).await
}

/// Sends `method` to `path` on `sim` as an administrator would by hand, with `body` as JSON when
/// given, and returns the answer's status and body.
pub async fn by_hand(sim: &SimServer, method: &str, path: &str, body: Option<serde_json::Value>) -> (u16, String) {
    // reqwest is built without a default crypto provider; octosync installs ring the same way.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("an HTTP method");
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", sim.url()))
        .header("X-Octopus-ApiKey", sim.api_key());
    if let Some(body) = body {
        request = request.json(&body);
    }
    let answer = request.send().await.expect("the simulator answers");
    let status = answer.status().as_u16();
    (status, answer.text().await.unwrap_or_default())
}
