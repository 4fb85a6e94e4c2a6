//! `cargo bench --bench sync`: plan, apply and no-op re-run of issue 11's large space (the generator
//! `octosync sim --seed large` uses) between two simulated instances with network latency, printing times, request counts and peak memory against the targets.
//!
//! Figures, never assertions: these machines are shared and noisy. Under `cargo test --all-targets`
//! (no `--bench` argument) it only checks that it still builds.

use octosync::octolog::{Flavor, TaskLog};
use octosync::sim::{LargeScale, Seed, SimConfig, SimServer};
use std::time::{Duration, Instant};

/// The space (1x), built by the generator `octosync sim --seed large` uses too.
const SCALE: LargeScale = LargeScale::ONE;
const LATENCY: Duration = Duration::from_millis(20);

/// Targets of the earlier, smaller space at 5 ms per request (kept until the lead sets the large
/// space's own).
const TARGET_PLAN: Duration = Duration::from_secs(3);
const TARGET_APPLY: Duration = Duration::from_secs(15);
const TARGET_NOOP: Duration = Duration::from_secs(3);
const TARGET_PEAK_MIB: u64 = 200;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("sync benchmark: run with `cargo bench --bench sync`");
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(bench());
}

async fn bench() {
    let cfg = |key: &str, seed| SimConfig {
        api_key: key.into(),
        seed,
        // Seeding goes straight into the store; only HTTP requests pay the latency.
        latency: LATENCY,
        ..SimConfig::default()
    };
    let source = SimServer::start(cfg(
        "API-BENCHSOURCE000000000000000001",
        Seed::LargeSource { scale: SCALE },
    ))
    .await
    .expect("source");
    let dest = SimServer::start(cfg(
        "API-BENCHDESTINATION0000000000002",
        Seed::LargeDestination { scale: SCALE },
    ))
    .await
    .expect("dest");
    println!(
        "space ({}x): {}, {} ms latency per request",
        SCALE.factor(),
        SCALE.counts(),
        LATENCY.as_millis()
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let mut figures = Vec::new();
    for (label, mode, target) in [
        ("plan", "plan", TARGET_PLAN),
        ("apply", "apply", TARGET_APPLY),
        ("no-op re-run", "apply", TARGET_NOOP),
    ] {
        let mut vars = octosync::demo::connection_settings(&source, &dest);
        vars.extend(
            [
                ("OCTOSYNC_MODE", mode),
                ("OCTOSYNC_REPORT_DIR", &dir.path().display().to_string()),
                // Each instance keeps its own Development and Test: their references are dropped.
                ("OCTOSYNC_ENVIRONMENTS", "all\n!Development\n!Test"),
                ("OCTOSYNC_PROJECT_GROUPS", "all"),
                ("OCTOSYNC_TENANT_TAG_SETS", "all"),
                ("OCTOSYNC_FEEDS", "all"),
                ("OCTOSYNC_MACHINE_POLICIES", "all"),
                ("OCTOSYNC_WORKER_POOLS", "all"),
                ("OCTOSYNC_ACCOUNTS", "all"),
                ("OCTOSYNC_CERTIFICATES", "all"),
                ("OCTOSYNC_STEP_TEMPLATES", "all"),
                ("OCTOSYNC_SCRIPT_MODULES", "all"),
                ("OCTOSYNC_LIBRARY_VARIABLE_SETS", "all"),
                ("OCTOSYNC_TEAMS", "all"),
                ("OCTOSYNC_CREATE_USER_ROLES", "True"),
                ("OCTOSYNC_LIFECYCLES", "all"),
                ("OCTOSYNC_PROJECTS", "all"),
                ("OCTOSYNC_TENANTS", "all"),
                ("OCTOSYNC_TEAM_PERMISSIONS", "True"),
                ("OCTOSYNC_TENANT_VARIABLES", "Copy"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        let job = octosync::settings::from_vars(vars).expect("settings");
        let log = TaskLog::with_writers(
            Flavor::Plain,
            false,
            Box::new(std::io::sink()),
            Box::new(std::io::sink()),
        );
        let started = Instant::now();
        let report = octosync::engine::run(&job, &log).await.expect("run");
        octosync::engine::publish(&report, &job, &log).expect("publish");
        let took = started.elapsed();
        let dest_req = &report.requests["destination"];
        let src_req = &report.requests["source"];
        println!(
            "{label:>13}: {:>7.2} s (target {:>5.1} s) {}  {}  | requests: source {} GET, destination {} GET / {} POST / {} PUT",
            took.as_secs_f64(),
            target.as_secs_f64(),
            if took <= target { "ok  " } else { "SLOW" },
            report.summary_line(),
            src_req.count("GET"),
            dest_req.count("GET"),
            dest_req.count("POST"),
            dest_req.count("PUT"),
        );
        figures.push(took);
    }
    let peak = peak_rss_mib();
    println!(
        "  peak memory: {} (target {TARGET_PEAK_MIB} MiB, includes both simulators) {}",
        peak.map(|m| format!("{m} MiB")).unwrap_or_else(|| "unknown".into()),
        match peak {
            Some(m) if m <= TARGET_PEAK_MIB => "ok",
            Some(_) => "OVER",
            None => "",
        }
    );
}

/// Peak resident set size of this process (Linux `VmHWM`).
fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}
