//! The run: connect, check versions, load both spaces, plan every stage, apply, report.

use crate::apply::{is_placeholder, Applier};
use crate::kind::Kind;
use crate::octolog::TaskLog;
use crate::octopus::{same_space, skew, Client, ClientOptions, Skew};
use crate::report::{self, Action, Change, CleanupItem, Endpoint, Mode, Report, Summary, REPORT_FORMAT_VERSION};
use crate::settings::Job;
use crate::snapshot::{id_of, Snapshot};
use crate::sync::{stages, PlanContext, Write};
use anyhow::{bail, Context, Result};
use futures::future::join_all;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Instant;

/// What one pass over the stages produced.
struct Pass {
    changes: Vec<Change>,
    cleanup: Vec<CleanupItem>,
    /// Errors the rules raised (a failed write's error is on its change).
    errors: Vec<String>,
    /// Why the pass stopped before the last stage.
    stopped: Option<String>,
    /// Writes that succeeded (live pass only).
    written: usize,
    /// Canonical description of every planned write, in order, for the fingerprint.
    writes: Vec<Value>,
}

/// Runs a job and returns its report; nothing is published (see [`publish`]).
///
/// An `Err` means the run stopped before it could plan (bad connection, version gap, changed plan):
/// nothing was written. Failed writes are reported inside the `Report` instead.
pub async fn run(job: &Job, log: &TaskLog) -> Result<Report> {
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    log.add_redaction(job.source.api_key.expose());
    log.add_redaction(job.destination.api_key.expose());
    log.progress(0, "Connecting to both instances");

    let options = ClientOptions::from(job.http);
    let (source_client, dest_client) = tokio::try_join!(
        Client::connect(&job.source, options),
        Client::connect(&job.destination, options)
    )?;
    check_versions(job, &source_client, &dest_client)?;

    log.progress(10, "Loading both spaces");
    let (source, destination) = tokio::try_join!(
        Snapshot::load(&source_client, Kind::ALL),
        Snapshot::load(&dest_client, Kind::ALL)
    )?;
    for (side, snap) in [("source", &source), ("destination", &destination)] {
        let counts: Vec<String> = snap
            .counts()
            .iter()
            .map(|(k, n)| format!("{n} {}", k.label().to_lowercase()))
            .collect();
        tracing::debug!("{side} space loaded: {}", counts.join(", "));
    }

    log.progress(30, "Planning");
    // The plan is always computed with the dry-run applier: it is what plan mode shows, what the
    // fingerprint covers, and what an approved apply is checked against before any write.
    let plan = pass(job, &source, destination.clone(), Applier::DryRun, None).await;
    let fingerprint = report::fingerprint(&plan.writes);
    tracing::debug!("plan fingerprint {fingerprint}");
    if let Some(expected) = &job.expected_plan {
        if *expected != fingerprint {
            bail!(
                "the plan changed since it was reviewed (approved {expected}, now {fingerprint}); nothing was written. Run the plan step again, review it, and approve the new plan"
            );
        }
        log.info("The plan matches the approved fingerprint.");
    }
    let plan_in_sync = plan.writes.is_empty() && plan.errors.is_empty();

    // An apply goes ahead only with a clean plan that has something to write.
    let applied = job.mode == Mode::Apply && !plan.writes.is_empty() && plan.errors.is_empty();
    let outcome = if applied {
        log.progress(50, "Applying");
        pass(job, &source, destination, Applier::Live(&dest_client), Some(log)).await
    } else {
        plan
    };
    // Decisions are logged once, from the pass whose outcome is reported.
    for change in &outcome.changes {
        log_decision(change, applied);
    }

    let mut requests = BTreeMap::new();
    requests.insert("source".to_string(), source_client.metrics());
    requests.insert("destination".to_string(), dest_client.metrics());
    // A failed write is an error, not an add or a change.
    let count = |a: Action| {
        outcome
            .changes
            .iter()
            .filter(|c| c.action == a && c.error.is_none())
            .count()
    };
    let summary = Summary {
        create: count(Action::Create),
        update: count(Action::Update),
        unchanged: count(Action::Unchanged),
        skipped: count(Action::Skip),
        cleanup: outcome.cleanup.len(),
        errors: outcome.errors.len() + outcome.changes.iter().filter(|c| c.error.is_some()).count(),
        in_sync: plan_in_sync,
    };
    Ok(Report {
        format_version: REPORT_FORMAT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        mode: job.mode,
        started_at,
        duration_ms: started.elapsed().as_millis() as u64,
        source: endpoint(&job.source.url, &source_client),
        destination: endpoint(&job.destination.url, &dest_client),
        summary,
        plan_fingerprint: fingerprint,
        changes: outcome.changes,
        cleanup: outcome.cleanup,
        errors: outcome.errors,
        requests,
        applied,
        stopped: outcome.stopped,
    })
}

/// Writes the reports, attaches them as artifacts, sets the output variables and prints the summary.
pub fn publish(report: &Report, job: &Job, log: &TaskLog) -> Result<report::WrittenReport> {
    let written = report::write_reports(report, &job.report_dir).with_context(|| {
        format!(
            "could not write the reports; check OCTOSYNC_REPORT_DIR ({})",
            job.report_dir.display()
        )
    })?;
    log.artifact(&written.json_path)?;
    log.artifact(&written.markdown_path)?;
    let s = &report.summary;
    for (name, value) in [
        ("Creates", s.create.to_string()),
        ("Updates", s.update.to_string()),
        ("Unchanged", s.unchanged.to_string()),
        ("Skipped", s.skipped.to_string()),
        ("CleanupItems", s.cleanup.to_string()),
        ("Errors", s.errors.to_string()),
        ("InSync", if s.in_sync { "True" } else { "False" }.to_string()),
        ("PlanFingerprint", report.plan_fingerprint.clone()),
    ] {
        log.set_output(name, &value);
    }
    for item in &report.cleanup {
        log.warning(&format!("Clean-up: {} '{}': {}", item.kind, item.name, item.action));
    }
    log.highlight(&report.summary_line());
    if report.mode == Mode::Plan {
        log.highlight(&format!("Plan fingerprint: {}", report.plan_fingerprint));
    }
    log.progress(100, "Done");
    Ok(written)
}

fn endpoint(url: &str, client: &Client) -> Endpoint {
    Endpoint {
        url: url.to_string(),
        space: client.space_name().to_string(),
        space_id: client.space_id().map(str::to_string),
        version: client.version().map(|v| v.text.clone()),
    }
}

fn check_versions(job: &Job, source: &Client, destination: &Client) -> Result<()> {
    // The settings compared the URL text; what the servers say about themselves also catches the
    // same server under another name (localhost and 127.0.0.1, a node and its load balancer).
    if same_space(source, destination) {
        bail!(
            "the source and the destination are the same space: {} and {} reach the same Octopus Server (the same InstallationId) and space '{}'. Set OCTOSYNC_DESTINATION_URL or OCTOSYNC_DESTINATION_SPACE to the space to sync into. Nothing was written",
            source.base_url(),
            destination.base_url(),
            destination.space_name()
        );
    }
    let (Some(s), Some(d)) = (source.version(), destination.version()) else {
        return Ok(());
    };
    match skew(s, d) {
        Skew::Same => tracing::debug!("versions match: source {s}, destination {d}"),
        Skew::OneMinor => tracing::warn!(
            "the source runs Octopus {s} and the destination {d}: one minor version apart is tolerated, but a payload may be rejected; upgrade one side when you can"
        ),
        Skew::TooFar if job.ignore_version_mismatch => tracing::warn!(
            "the source runs Octopus {s} and the destination {d}, more than one minor version apart; continuing because OCTOSYNC_IGNORE_VERSION_MISMATCH is set"
        ),
        Skew::TooFar => bail!(
            "the source runs Octopus {s} and the destination {d}, more than one minor version apart; payloads from one may be rejected by the other. Upgrade so both are within one minor version, or set OCTOSYNC_IGNORE_VERSION_MISMATCH=True to run anyway. Nothing was written"
        ),
    }
    Ok(())
}

/// One pass over every stage; `log` is given for the live pass so its progress reaches the task log.
async fn pass(
    job: &Job,
    source: &Snapshot,
    mut destination: Snapshot,
    applier: Applier<'_>,
    log: Option<&TaskLog>,
) -> Pass {
    let mut out = Pass {
        changes: vec![],
        cleanup: vec![],
        errors: vec![],
        stopped: None,
        written: 0,
        writes: vec![],
    };
    let all = stages();
    let total = all.len().max(1);
    let live = applier.is_live();
    for (index, stage) in all.iter().enumerate() {
        let kind = stage.kind();
        let selector = job.selector(kind);
        if selector.is_none() {
            tracing::debug!("{}s: not selected", kind.label());
            continue;
        }
        tracing::debug!("{}s: selecting {}", kind.label(), selector.describe());
        let planned = stage.plan(&PlanContext {
            source,
            destination: &destination,
            rules: &job.rules,
            selector: &selector,
        });

        let fatal: Vec<String> = planned.iter().filter_map(|p| p.fatal.clone()).collect();
        if !fatal.is_empty() {
            // The rules say stop: write nothing of this stage and nothing after it.
            for p in planned {
                out.changes.push(p.change);
            }
            out.errors.extend(fatal);
            // Rule errors arise while planning, before any write: the run writes nothing at all.
            let written = match (live, out.written) {
                (false, _) | (true, 0) => "nothing was written".to_string(),
                (true, n) => format!("{n} write(s) of earlier stages were applied"),
            };
            out.stopped = Some(format!(
                "The rules stopped the run at the {} stage; {written}. Fix the reported problem or change the matching option, then run again",
                kind.label().to_lowercase()
            ));
            return out;
        }

        let results = join_all(planned.iter().map(|p| async move {
            match &p.write {
                Some(w) => Some(applier.apply(p.kind, &p.change.name, w).await),
                None => None,
            }
        }))
        .await;

        let mut stage_failed = false;
        let mut written_here = 0;
        for (mut p, result) in planned.into_iter().zip(results) {
            if let Some(w) = &p.write {
                out.writes.push(canonical_write(&p.change, w));
            }
            match result {
                Some(Ok(saved)) => {
                    let id = id_of(&saved).to_string();
                    if live && !id.is_empty() && !is_placeholder(&id) {
                        p.change.destination_id = Some(id);
                    }
                    destination.absorb(kind, saved);
                    written_here += 1;
                }
                Some(Err(e)) => {
                    p.change.error = Some(format!("{e:#}"));
                    stage_failed = true;
                }
                None => {}
            }
            out.cleanup.extend(p.cleanup);
            out.changes.push(p.change);
        }
        out.written += written_here;
        if let Some(l) = log {
            let pct = 50 + (45 * (index + 1) / total) as u8;
            l.progress(pct, &format!("{}s done", kind.label()));
        }
        if stage_failed {
            // Later stages may reference what failed here; planning them would drop those references.
            let earlier = match out.written {
                0 => "nothing else was written".to_string(),
                n => format!("{n} other write(s) were applied"),
            };
            out.stopped = Some(format!(
                "A write failed in the {} stage, so the later stages were not run; {earlier}. Fix the reported problem and run again",
                kind.label().to_lowercase()
            ));
            return out;
        }
    }
    out
}

fn canonical_write(change: &Change, write: &Write) -> Value {
    match write {
        Write::Create { body } => json!({"kind": change.kind, "name": change.name, "action": "create", "body": body}),
        Write::Update { id, body } => {
            json!({"kind": change.kind, "name": change.name, "action": "update", "id": id, "body": body})
        }
    }
}

fn log_decision(change: &Change, live: bool) {
    let verb = match (change.action, live) {
        (Action::Create, true) => "created",
        (Action::Create, false) => "to create",
        (Action::Update, true) => "updated",
        (Action::Update, false) => "to update",
        (Action::Unchanged, _) => "unchanged",
        (Action::Skip, _) => "skipped",
    };
    let fields = if change.changed_fields.is_empty() || change.action == Action::Create {
        String::new()
    } else {
        format!(" [{}]", change.changed_fields.join(", "))
    };
    let line = format!("{} '{}': {verb}{fields} ({})", change.kind, change.name, change.reason);
    match (&change.error, change.action) {
        (Some(e), _) => tracing::error!("{} '{}': failed: {e}", change.kind, change.name),
        (None, Action::Skip) => tracing::warn!("{line}"),
        (None, Action::Create | Action::Update) => tracing::info!("{line}"),
        _ => tracing::debug!("{line}"),
    }
    for note in &change.notes {
        tracing::debug!("  {} '{}': {note}", change.kind, change.name);
    }
}
