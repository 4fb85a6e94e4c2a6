//! The run: connect, check versions, load both spaces, plan every stage, apply, report.

mod pass;

use crate::apply::{Applier, Live};
use crate::kind::Kind;
use crate::octolog::TaskLog;
use crate::octopus::{same_space, skew, Client, ClientOptions, Skew};
use crate::report::{self, Action, Change, Endpoint, Mode, Report, Summary, REPORT_FORMAT_VERSION};
use crate::settings::{InstanceSettings, Job};
use crate::snapshot::logos::{self, LogoReads};
use crate::snapshot::{tenant_variables, Snapshot};
use anyhow::{bail, Context, Result};
use futures::future::join_all;
use pass::Pass;
use std::collections::BTreeMap;
use std::future::Future;
use std::time::Instant;

/// Runs a job and returns its report; nothing is published (see [`publish`]).
///
/// Every run that can be reported is: a connection failure, a version gap, a changed plan or a run
/// time limit all end in a report that says what happened and that nothing (or what) was written.
/// An `Err` means the report itself could not be written (the report folder is unusable); that is
/// checked before the first request, so such a run has written nothing.
pub async fn run(job: &Job, log: &TaskLog) -> Result<Report> {
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    log.add_redaction(job.source.api_key.expose());
    log.add_redaction(job.destination.api_key.expose());
    if let Some(password) = &job.certificate_password {
        log.add_redaction(password.expose());
    }
    report::check_dir(&job.report_dir).with_context(|| {
        format!(
            "OCTOSYNC_REPORT_DIR ({}) cannot hold the reports; nothing was read or written. Choose a folder this worker can create and write to",
            job.report_dir.display()
        )
    })?;
    let deadline = tokio::time::Instant::now() + job.deadline;
    let mut record = Record {
        job,
        started,
        started_at,
        clients: None,
    };

    log.progress(0, "Connecting to both instances");
    let options = ClientOptions {
        deadline: Some(deadline),
        ..ClientOptions::from(job.http)
    };
    let connected = within(job, deadline, "connecting to the instances", async {
        tokio::try_join!(
            Client::connect(&job.source, options),
            Client::connect(&job.destination, options)
        )
    })
    .await;
    let (source_client, dest_client) = match connected {
        Ok(c) => c,
        Err(e) => return Ok(record.failed(e)),
    };
    record.clients = Some((&source_client, &dest_client));
    if let Err(e) = check_versions(job, &source_client, &dest_client) {
        return Ok(record.failed(e));
    }

    log.progress(10, "Loading both spaces");
    let loaded = within(job, deadline, "loading the spaces", async {
        tokio::try_join!(
            Snapshot::load(&source_client, Kind::ALL),
            Snapshot::load(&dest_client, Kind::ALL)
        )
    })
    .await;
    let (mut source, mut destination) = match loaded {
        Ok(s) => s,
        Err(e) => return Ok(record.failed(e)),
    };
    // What the documents do not hold, read side by side (each read has a round trip or more of its
    // own): the logos, as digests, of the step templates, tenants and projects selected; the
    // tenants' variable values, only when they are to be copied.
    let templates = job.selector(Kind::ActionTemplate);
    let tenants = job.selector(Kind::Tenant);
    let read = within(job, deadline, "reading the logos and the tenants' variables", async {
        let (source, destination) = (&source, &destination);
        let (source_client, dest_client) = (&source_client, &dest_client);
        let template_logos = async {
            if templates.is_none() {
                return LogoReads::default();
            }
            logos::read_step_templates(source_client, dest_client, source, destination, &templates).await
        };
        let item_logos = join_all([Kind::Tenant, Kind::Project].map(|kind| async move {
            let selected = job.selector(kind);
            if selected.is_none() {
                return LogoReads::default();
            }
            let names = &job.rules.names;
            logos::read_item_logos(kind, source_client, dest_client, source, destination, &selected, names).await
        }));
        let tenant_values = async {
            if !job.rules.copy_tenant_variables || tenants.is_none() {
                return Ok(None);
            }
            let names = &job.rules.names;
            tenant_variables::read(source_client, dest_client, source, destination, &tenants, names)
                .await
                .map(Some)
        };
        let (template_logos, item_logos, tenant_values) = tokio::join!(template_logos, item_logos, tenant_values);
        Ok((template_logos, item_logos, tenant_values?))
    })
    .await;
    match read {
        Ok((template_logos, item_logos, tenant_values)) => {
            for logos in std::iter::once(template_logos).chain(item_logos) {
                logos.record(&mut source, &mut destination);
            }
            if let Some(values) = tenant_values {
                values.record(&mut source, &mut destination);
            }
        }
        Err(e) => return Ok(record.failed(e)),
    }
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
    let mut plan = pass::run(job, &source, destination.clone(), Applier::DryRun, None, None).await;
    let counts = PlanCounts::of(&plan);
    let fingerprint = plan.fingerprint.take().map(|f| f.finish()).unwrap_or_default();
    tracing::debug!("plan fingerprint {fingerprint}");
    if let Some(expected) = &job.expected_plan {
        if *expected != fingerprint {
            let refusal = format!(
                "the plan changed since it was reviewed (approved {expected}, now {fingerprint}); nothing was written. If an earlier apply of the approved plan stopped part-way, the writes it made are the likely reason: the plan now lists only what is left. Either way, run the plan step again, review its report, and approve the new fingerprint"
            );
            return Ok(record.finish(counts, plan, false, fingerprint, Some(refusal)));
        }
        log.info("The plan matches the approved fingerprint.");
    }

    // An apply goes ahead only with a plan the rules accept that has something to write.
    let live = job.mode == Mode::Apply && counts.writes > 0 && !counts.rule_errors;
    let outcome = if live {
        // The apply's report replaces the plan's, which only lends its counts: dropping it first
        // keeps a large first sync from holding every change (and its diff) twice.
        drop(plan);
        log.progress(50, "Applying");
        pass::run(
            job,
            &source,
            destination,
            Applier::Live(Live {
                destination: &dest_client,
                source: &source_client,
                certificate_password: job.certificate_password.as_ref(),
            }),
            Some(log),
            Some(deadline),
        )
        .await
    } else {
        free_in_background(destination);
        plan
    };
    free_in_background(source);
    // Decisions are logged once, from the pass whose outcome is reported.
    for change in &outcome.changes {
        log_decision(log, change, live);
    }
    Ok(record.finish(counts, outcome, live, fingerprint, None))
}

/// Frees `value` on a thread of its own: a large space's snapshot takes tens of milliseconds to
/// free, which the report does not wait for (when the process ends first, its memory goes with it).
fn free_in_background<T: Send + 'static>(value: T) {
    std::thread::spawn(move || drop(value));
}

/// The plan's figures the report keeps once an apply has replaced the plan's changes.
struct PlanCounts {
    create: usize,
    update: usize,
    reorder: usize,
    /// Writes planned, successful or not.
    writes: usize,
    /// Whether the rules raised an error.
    rule_errors: bool,
    cleanup: usize,
}

impl PlanCounts {
    fn of(plan: &Pass) -> PlanCounts {
        let count = |a: Action| plan.changes.iter().filter(|c| c.action == a).count();
        PlanCounts {
            create: count(Action::Create),
            update: count(Action::Update),
            reorder: count(Action::Reorder),
            writes: plan.planned_writes(),
            rule_errors: !plan.errors.is_empty(),
            cleanup: plan.cleanup.len(),
        }
    }
}

/// Runs `work` unless the run time limit passes first.
async fn within<T>(
    job: &Job,
    deadline: tokio::time::Instant,
    what: &str,
    work: impl Future<Output = Result<T>>,
) -> Result<T> {
    match tokio::time::timeout_at(deadline, work).await {
        Ok(result) => result,
        Err(_) => bail!(
            "the run time limit of {} minute(s) (OCTOSYNC_TIMEOUT_MINUTES) ran out while {what}; nothing was written. Check that both instances answer, or raise the limit",
            job.deadline.as_secs() / 60
        ),
    }
}

/// What a report is built from, gathered as the run goes.
struct Record<'a> {
    job: &'a Job,
    started: Instant,
    started_at: String,
    clients: Option<(&'a Client, &'a Client)>,
}

impl Record<'_> {
    /// The report of a run that stopped before it could plan: nothing was written.
    fn failed(self, error: anyhow::Error) -> Report {
        let mut report = self.report(Vec::new(), String::new());
        report.errors.push(format!("{error:#}"));
        report.stopped = Some("The run stopped before it could plan; nothing was written".into());
        report.summary = summary(None, None, &report.errors, &report.changes);
        report
    }

    /// The report of a run that planned, with the pass whose outcome is reported: the apply's when
    /// `is_applied`, else the plan's; `refusal` says why a plan was not applied although the mode
    /// asked for it.
    fn finish(
        self,
        plan: PlanCounts,
        outcome: Pass,
        is_applied: bool,
        fingerprint: String,
        refusal: Option<String>,
    ) -> Report {
        let mut errors = outcome.errors.clone();
        errors.extend(refusal.clone());
        let summary = summary(Some(&plan), is_applied.then_some(&outcome), &errors, &outcome.changes);
        let mut report = self.report(outcome.changes, fingerprint);
        report.cleanup = outcome.cleanup;
        report.errors = errors;
        report.summary = summary;
        report.applied = is_applied;
        report.stopped = refusal
            .map(|_| "The apply was refused; nothing was written".to_string())
            .or(outcome.stopped);
        report
    }

    fn report(&self, changes: Vec<Change>, fingerprint: String) -> Report {
        let mut requests = BTreeMap::new();
        if let Some((s, d)) = self.clients {
            requests.insert("source".to_string(), s.metrics());
            requests.insert("destination".to_string(), d.metrics());
        }
        let (source, destination) = match self.clients {
            Some((s, d)) => (
                endpoint(&self.job.source, Some(s)),
                endpoint(&self.job.destination, Some(d)),
            ),
            None => (endpoint(&self.job.source, None), endpoint(&self.job.destination, None)),
        };
        Report {
            format_version: REPORT_FORMAT_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            mode: self.job.mode,
            started_at: self.started_at.clone(),
            duration_ms: self.started.elapsed().as_millis() as u64,
            source,
            destination,
            summary: Summary::default(),
            plan_fingerprint: fingerprint,
            changes,
            cleanup: vec![],
            errors: vec![],
            requests,
            applied: false,
            stopped: None,
        }
    }
}

/// The counts: planned figures from the plan, what happened from the live pass (none without one).
fn summary(plan: Option<&PlanCounts>, applied: Option<&Pass>, errors: &[String], changes: &[Change]) -> Summary {
    let count = |changes: &[Change], a: Action| changes.iter().filter(|c| c.action == a).count();
    // A failed write is an error, not an add or a change.
    let done = |a: Action| {
        applied.map_or(0, |p| {
            p.changes.iter().filter(|c| c.action == a && c.error.is_none()).count()
        })
    };
    Summary {
        planned_create: plan.map_or(0, |p| p.create),
        planned_update: plan.map_or(0, |p| p.update),
        planned_reorder: plan.map_or(0, |p| p.reorder),
        created: done(Action::Create),
        updated: done(Action::Update),
        reordered: done(Action::Reorder),
        unchanged: count(changes, Action::Unchanged),
        skipped: count(changes, Action::Skip),
        cleanup: applied.map_or(plan.map_or(0, |p| p.cleanup), |p| p.cleanup.len()),
        warnings: changes.iter().map(|c| c.warnings.len()).sum(),
        errors: errors.len() + changes.iter().filter(|c| c.error.is_some()).count(),
        // Out of sync while anything is left to write or any error stands, a change's own included
        // (two source names colliding is a difference the run could not resolve).
        in_sync: plan.is_some_and(|p| {
            p.writes == 0 && !p.rule_errors && errors.is_empty() && changes.iter().all(|c| c.error.is_none())
        }),
    }
}

/// Writes the reports, attaches them as artifacts, sets the output variables and prints the summary.
///
/// The report passes through the task log's redaction first, in place: artifacts are uploaded as
/// they are, so a server message quoting a key must be masked here, not only in the log.
pub fn publish(report: &mut Report, job: &Job, log: &TaskLog) -> Result<report::WrittenReport> {
    report.redact(&log.redactor())?;
    let report = &*report;
    let written = report::write_reports(report, &job.report_dir).with_context(|| {
        format!(
            "could not write the reports; check OCTOSYNC_REPORT_DIR ({})",
            job.report_dir.display()
        )
    })?;
    log.artifact(&written.json_path)?;
    log.artifact(&written.markdown_path)?;
    for variable in report::output_variables(report) {
        log.set_output(variable.name, &variable.value);
    }
    for item in &report.cleanup {
        log.warning(&format!("Clean-up: {} '{}': {}", item.kind, item.name, item.action));
    }
    if let Some(stopped) = &report.stopped {
        log.warning(stopped);
    }
    for (side, counts) in &report.requests {
        if let Some(c) = &counts.concurrency {
            log.info(&format!("{side}: {}", c.describe()));
        }
    }
    log.highlight(&report.summary_line());
    if report.mode == Mode::Plan && !report.plan_fingerprint.is_empty() {
        log.highlight(&format!("Plan fingerprint: {}", report.plan_fingerprint));
    }
    log.progress(100, "Done");
    Ok(written)
}

fn endpoint(settings: &InstanceSettings, client: Option<&Client>) -> Endpoint {
    Endpoint {
        url: settings.url.clone(),
        space: settings.space.clone(),
        space_id: client.and_then(|c| c.space_id().map(str::to_string)),
        version: client.and_then(|c| c.version().map(|v| v.text.clone())),
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

/// One decision in the task log; written to the log itself (not through `tracing`) because it is
/// the run's output, which a person reads, rather than a diagnostic.
fn log_decision(log: &TaskLog, change: &Change, live: bool) {
    let verb = match (change.action, live) {
        (Action::Create, true) => "created",
        (Action::Create, false) => "to create",
        (Action::Update, true) => "updated",
        (Action::Update, false) => "to update",
        (Action::Unchanged, _) => "unchanged",
        (Action::Skip, _) => "skipped",
        (Action::Reorder, true) => "put in order",
        (Action::Reorder, false) => "to put in order",
    };
    let fields = if change.changed_fields.is_empty() || change.action == Action::Create {
        String::new()
    } else {
        format!(" [{}]", change.changed_fields.join(", "))
    };
    let line = format!("{} '{}': {verb}{fields} ({})", change.kind, change.name, change.reason);
    match (&change.error, change.action) {
        (Some(e), _) => log.error(&format!("{} '{}': failed: {e}", change.kind, change.name)),
        (None, Action::Skip) => log.warning(&line),
        (None, Action::Create | Action::Update | Action::Reorder) => log.info(&line),
        _ => log.verbose(&line),
    }
    // A dropped reference must not hide behind "created": it is a warning of its own.
    for warning in &change.warnings {
        log.warning(&format!("{} '{}': {warning}", change.kind, change.name));
    }
    // The before → after of each field, for whoever reads the verbose log instead of the report.
    for d in &change.diff {
        let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
        log.verbose(&format!(
            "  {} '{}': {} {}: {} → {}",
            change.kind,
            change.name,
            d.op.sign(),
            d.path,
            shown(&d.before),
            shown(&d.after)
        ));
    }
    for note in &change.notes {
        log.verbose(&format!("  {} '{}': {note}", change.kind, change.name));
    }
}
