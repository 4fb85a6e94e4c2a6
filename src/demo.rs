//! The demo: two simulated instances (a Dev/Test source, a Staging/Production destination), then a
//! plan, an apply and a second apply that must change nothing.

use crate::engine;
use crate::octolog::TaskLog;
use crate::report::Report;
use crate::settings;
use crate::sim::{Seed, SimConfig, SimServer};
use anyhow::{bail, Result};
use std::path::Path;

/// The settings of the demo, as an administrator would set them in the step template.
pub const DEMO_SELECTORS: &[(&str, &str)] = &[
    // Each instance keeps its own environments; only the shared ones are synced.
    ("OCTOSYNC_ENVIRONMENTS", "all\n!Development\n!Test"),
    ("OCTOSYNC_PROJECT_GROUPS", "all"),
    ("OCTOSYNC_TENANT_TAG_SETS", "all"),
    ("OCTOSYNC_FEEDS", "all"),
    ("OCTOSYNC_TEAMS", "all"),
    ("OCTOSYNC_TEAM_PERMISSIONS", "True"),
    ("OCTOSYNC_MACHINE_POLICIES", "all"),
    ("OCTOSYNC_WORKER_POOLS", "all"),
    ("OCTOSYNC_ACCOUNTS", "all"),
    ("OCTOSYNC_CERTIFICATES", "all"),
    ("OCTOSYNC_STEP_TEMPLATES", "all"),
    ("OCTOSYNC_SCRIPT_MODULES", "all"),
    ("OCTOSYNC_LIFECYCLES", "all"),
    ("OCTOSYNC_LIBRARY_VARIABLE_SETS", "all"),
    // "Web Frontend" uses the "Dev only" lifecycle: it is deployed on the Dev/Test instance only.
    ("OCTOSYNC_PROJECTS", "all\n!Web Frontend"),
    ("OCTOSYNC_TENANTS", "all"),
    // Seed 003's question, answered: the values the destination's tenants lack, secrets as clean-up.
    ("OCTOSYNC_TENANT_VARIABLES", "Copy"),
];

/// The settings that connect the `Default` spaces of two simulated instances, source → destination.
pub fn connection_settings(source: &SimServer, destination: &SimServer) -> Vec<(String, String)> {
    vec![
        ("OCTOSYNC_SOURCE_URL".into(), source.url()),
        ("OCTOSYNC_SOURCE_API_KEY".into(), source.api_key().into()),
        ("OCTOSYNC_SOURCE_SPACE".into(), "Default".into()),
        ("OCTOSYNC_DESTINATION_URL".into(), destination.url()),
        ("OCTOSYNC_DESTINATION_API_KEY".into(), destination.api_key().into()),
        ("OCTOSYNC_DESTINATION_SPACE".into(), "Default".into()),
    ]
}

/// Runs the demo, writing each run's reports under `report_root`.
pub async fn run(report_root: &Path, log: &TaskLog) -> Result<Vec<Report>> {
    let source = SimServer::start(SimConfig {
        api_key: "API-DEMOSOURCE00000000000000000001".into(),
        version: "2024.3.10989".into(),
        seed: Seed::DemoSource,
        ..SimConfig::default()
    })
    .await?;
    let destination = SimServer::start(SimConfig {
        api_key: "API-DEMODESTINATION000000000000002".into(),
        version: "2024.3.11145".into(),
        seed: Seed::DemoDestination,
        ..SimConfig::default()
    })
    .await?;
    log.highlight(&format!(
        "Demo: syncing the Dev/Test instance at {} into the Staging/Production instance at {}",
        source.url(),
        destination.url()
    ));

    let mut reports = Vec::new();
    for (step, mode, title) in [(1, "plan", "Plan"), (2, "apply", "Apply"), (3, "apply", "Apply again")] {
        let dir = report_root.join(format!("{step}-{}", title.to_lowercase().replace(' ', "-")));
        let mut vars = connection_settings(&source, &destination);
        vars.push(("OCTOSYNC_MODE".into(), mode.into()));
        vars.push(("OCTOSYNC_REPORT_DIR".into(), dir.display().to_string()));
        vars.extend(DEMO_SELECTORS.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let job = settings::from_vars(vars)?;
        log.highlight(&format!("Run {step} of 3: {title}"));
        let mut report = engine::run(&job, log).await?;
        engine::publish(&mut report, &job, log)?;
        if report.summary.errors > 0 {
            bail!(
                "demo run {step} had {} error(s): {}",
                report.summary.errors,
                report.errors.join("; ")
            );
        }
        reports.push(report);
    }

    let last = reports
        .last()
        .map(|r| r.requests.get("destination").map(|c| c.writes()).unwrap_or(0))
        .unwrap_or(0);
    if last != 0 {
        bail!("the second apply wrote {last} time(s) to the destination; it should have written nothing");
    }
    log.highlight(&format!(
        "The second apply found the spaces in sync and sent 0 POST/PUT/DELETE requests. Reports: {}",
        report_root.display()
    ));
    source.shutdown().await;
    destination.shutdown().await;
    Ok(reports)
}
