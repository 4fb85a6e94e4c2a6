//! One pass over every stage: plan each stage against the destination as it stands, hand the writes
//! to the applier, absorb what was saved, and stop where the rules, a failed write or the run time
//! limit say so. The plan and the apply are the same pass with different appliers.

use crate::apply::{is_placeholder, Applied, Applier};
use crate::octolog::TaskLog;
use crate::report::{Action, Change, CleanupItem, Fingerprint};
use crate::settings::Job;
use crate::snapshot::{id_of, Snapshot};
use crate::sync::{order_after_creates, stages, OwnedTarget, PlanContext, Planned, TenantVariablesBody, Write};
use futures::stream::{self, StreamExt};
use serde_json::{json, Value};
use tokio::time::Instant;

/// What one pass over the stages produced.
pub(super) struct Pass {
    pub changes: Vec<Change>,
    pub cleanup: Vec<CleanupItem>,
    /// Errors the rules raised (a failed write's error is on its change).
    pub errors: Vec<String>,
    /// Why the pass stopped before the last stage.
    pub stopped: Option<String>,
    /// Writes that succeeded (live pass only).
    pub written: usize,
    /// The fingerprint of every decision that shapes what is written, in order: the writes with
    /// their bodies, the skips, the errors, and where the pass stopped. Only the plan (dry-run) pass
    /// computes one: it is what an approved apply is checked against.
    pub fingerprint: Option<Fingerprint>,
}

impl Pass {
    /// Writes the pass planned (or made), successful or not.
    pub fn planned_writes(&self) -> usize {
        self.changes.iter().filter(|c| c.action.writes()).count()
    }

    /// Adds a decision to the fingerprint, if this pass computes one.
    fn decide(&mut self, p: &Planned) {
        if let Some(f) = &mut self.fingerprint {
            if let Some(d) = decision(p) {
                f.add(&d);
            }
        }
    }
}

/// What became of one planned write.
enum Outcome {
    Done(Applied),
    /// The write was made, but the one that follows it (`Planned::then`) failed.
    Partly(Applied, anyhow::Error),
    Failed(anyhow::Error),
    /// The run time limit ran out before it started.
    NotAttempted,
}

/// Records what became of one planned decision: the change for the report, the saved document
/// for the stages after it, the counts.
#[allow(clippy::too_many_arguments)]
fn record(
    out: &mut Pass,
    destination: &mut Snapshot,
    kind: crate::kind::Kind,
    live: bool,
    mut p: Planned,
    result: Option<Outcome>,
    failed: &mut bool,
    not_attempted: &mut usize,
) {
    let result = match result {
        Some(Outcome::Partly(applied, e)) => {
            // What was made stays made (a created template is in the destination), and the
            // failure of what followed it is this change's error.
            p.change.error = Some(format!("{e:#}"));
            *failed = true;
            Some(Outcome::Done(applied))
        }
        other => other,
    };
    match result {
        Some(Outcome::Done(Applied::Saved(saved))) => {
            let id = id_of(&saved).to_string();
            if live && !id.is_empty() && !is_placeholder(&id) {
                p.change.destination_id = Some(id);
            }
            destination.absorb(kind, saved);
            out.written += 1;
        }
        Some(Outcome::Done(Applied::SavedWithOwned { item, owned })) => {
            if let Some(saved) = item {
                let id = id_of(&saved).to_string();
                if live && !id.is_empty() && !is_placeholder(&id) {
                    p.change.destination_id = Some(id);
                }
                destination.absorb(kind, saved);
            }
            for (owned_kind, doc) in owned {
                destination.absorb(owned_kind, doc);
            }
            out.written += 1;
        }
        Some(Outcome::Done(Applied::Ordered | Applied::Uploaded | Applied::Sent)) => out.written += 1,
        Some(Outcome::Done(Applied::NothingToOrder)) => {
            // Not a failure of its own: the failed creates are already reported.
            p.change.action = Action::Skip;
            p.change.reason = "none of the items it would place were created".into();
        }
        Some(Outcome::Failed(e)) => {
            p.change.error = Some(format!("{e:#}"));
            *failed = true;
        }
        Some(Outcome::NotAttempted) => {
            p.change.error = Some(NOT_ATTEMPTED.into());
            *not_attempted += 1;
        }
        Some(Outcome::Partly(..)) | None => {}
    }
    out.cleanup.extend(p.cleanup);
    out.changes.push(p.change);
}

/// One pass over every stage; `log` is given for the live pass so its progress reaches the task log.
/// `deadline` stops new writes from starting (writes in flight finish).
pub(super) async fn run(
    job: &Job,
    source: &Snapshot,
    mut destination: Snapshot,
    applier: Applier<'_>,
    log: Option<&TaskLog>,
    deadline: Option<Instant>,
) -> Pass {
    let mut out = Pass {
        changes: vec![],
        cleanup: vec![],
        errors: vec![],
        stopped: None,
        written: 0,
        fingerprint: None,
    };
    let all = stages();
    let total = all.len().max(1);
    let live = applier.is_live();
    if !live {
        out.fingerprint = Some(Fingerprint::default());
    }
    let expired = || deadline.is_some_and(|d| Instant::now() >= d);
    for (index, stage) in all.iter().enumerate() {
        let kind = stage.kind();
        if let Some(part) = stage.part().filter(|&p| !job.rules.project_parts.has(p)) {
            tracing::debug!("{}: left out by OCTOSYNC_PROJECT_PARTS", part.name());
            continue;
        }
        let selector = job.selector(kind);
        if selector.is_none() {
            tracing::debug!("{}: not selected", kind.plural());
            continue;
        }
        tracing::debug!("{}: selecting {}", kind.plural(), selector.describe());
        let ctx = PlanContext {
            source,
            destination: &destination,
            rules: &job.rules,
            selector: &selector,
        };
        let mut planned = if stage.is_part() {
            vec![]
        } else {
            ctx.name_collisions(kind)
        };
        let planning = Instant::now();
        planned.extend(stage.plan(&ctx));
        planned.extend(order_after_creates(&ctx, kind, &planned));
        tracing::debug!("{}: planned in {} ms", stage.label(), planning.elapsed().as_millis());

        let fatal: Vec<String> = planned.iter().filter_map(|p| p.fatal.clone()).collect();
        if !fatal.is_empty() {
            // The rules say stop: write nothing of this stage and nothing after it.
            for p in planned {
                out.decide(&p);
                out.changes.push(p.change);
            }
            out.errors.extend(fatal);
            let written = match (live, out.written) {
                (false, _) | (true, 0) => "nothing was written".to_string(),
                (true, n) => format!("{n} write(s) of earlier stages were applied"),
            };
            stop(
                &mut out,
                format!(
                    "The rules stopped the run at the {} stage; {written}. Fix the reported problem or change the matching option, then run again",
                    kind.label().to_lowercase()
                ),
            );
            return out;
        }

        // Items first, concurrently; the order of the collection after them, once they have ids.
        // Writes start lazily, at most the ceiling (`concurrency`) at a time, so the run time limit
        // is checked when each one is about to start, not once for all of them at the stage's
        // start; the client's adaptive limit bounds what is really in flight. Each outcome is
        // recorded as it comes (in plan order), so a stage of large documents never holds every
        // body and every saved copy at once.
        let mut outcomes = stream::iter(planned.into_iter().map(|p| async {
            let result = match p.write.as_ref().filter(|w| !matches!(w, Write::Reorder { .. })) {
                None => None,
                Some(_) if expired() => Some(Outcome::NotAttempted),
                Some(w) => Some(match (applier.apply(p.kind, &p.change.name, w).await, &p.then) {
                    // What follows a write goes to the item it saved, right after it.
                    (Ok(Applied::Saved(saved)), Some(then)) => {
                        match applier.apply_then(p.kind, &p.change.name, then, &saved).await {
                            Ok(_) => Outcome::Done(Applied::Saved(saved)),
                            Err(e) => Outcome::Partly(Applied::Saved(saved), e),
                        }
                    }
                    // A write that follows the one of a document the item owns (a runbook's
                    // snapshot, once its process is written) names its own target.
                    (Ok(applied @ Applied::SavedWithOwned { .. }), Some(then)) => {
                        match applier.apply(p.kind, &p.change.name, then).await {
                            Ok(_) => Outcome::Done(applied),
                            Err(e) => Outcome::Partly(applied, e),
                        }
                    }
                    (Ok(applied), _) => Outcome::Done(applied),
                    (Err(e), _) => Outcome::Failed(e),
                }),
            };
            (p, result)
        }))
        .buffered(job.http.concurrency.max(1));

        let mut stage_failed = false;
        let mut not_attempted = 0;
        let mut orders = Vec::new();
        while let Some((p, result)) = outcomes.next().await {
            out.decide(&p);
            if matches!(p.write, Some(Write::Reorder { .. })) {
                orders.push(p);
                continue;
            }
            record(
                &mut out,
                &mut destination,
                kind,
                live,
                p,
                result,
                &mut stage_failed,
                &mut not_attempted,
            );
        }
        for p in orders {
            let result = match &p.write {
                _ if not_attempted > 0 || expired() => Outcome::NotAttempted,
                Some(w) => match applier.apply(kind, &p.change.name, w).await {
                    Ok(applied) => Outcome::Done(applied),
                    Err(e) => Outcome::Failed(e),
                },
                None => continue,
            };
            // A failed order is reported, but stops nothing: no later stage depends on it.
            let mut ignored = false;
            record(
                &mut out,
                &mut destination,
                kind,
                live,
                p,
                Some(result),
                &mut ignored,
                &mut not_attempted,
            );
        }
        if let Some(l) = log {
            let pct = 50 + (45 * (index + 1) / total) as u8;
            l.progress(pct, &format!("{} done", stage.label()));
        }
        if not_attempted > 0 {
            let why = format!(
                    "The run time limit (OCTOSYNC_TIMEOUT_MINUTES={}) ran out in the {} stage: {} write(s) were made and {not_attempted} planned write(s) of this stage were not attempted, nor anything of the later stages. Run again to finish (the next plan lists only what is left), or raise the limit",
                    job.deadline.as_secs() / 60,
                    kind.label().to_lowercase(),
                    out.written
                );
            stop(&mut out, why);
            return out;
        }
        if stage_failed {
            // Later stages may reference what failed here; planning them would drop those references.
            let earlier = match out.written {
                0 => "nothing else was written".to_string(),
                n => format!("{n} other write(s) were applied"),
            };
            stop(
                &mut out,
                format!(
                    "A write failed in the {} stage, so the later stages were not run; {earlier}. Fix the reported problem and run again",
                    kind.label().to_lowercase()
                ),
            );
            return out;
        }
    }
    out
}

/// The error of a planned write the run did not start.
const NOT_ATTEMPTED: &str = "not attempted: the run time limit ran out first";

fn stop(out: &mut Pass, why: String) {
    if let Some(f) = &mut out.fingerprint {
        f.add(&json!({"stopped": why}));
    }
    out.stopped = Some(why);
}

/// The canonical form of a decision for the fingerprint; `None` for an item left as it is.
///
/// Everything that changes what is written is in it: each write and its body, each skip (an item
/// not written), each error and each rule that stops the run. Two plans with the same fingerprint
/// write the same things.
fn decision(p: &Planned) -> Option<Value> {
    let c = &p.change;
    if c.action == Action::Unchanged && c.error.is_none() && p.fatal.is_none() {
        return None;
    }
    let write = p.write.as_ref().map_or(Value::Null, canonical);
    let mut decision = json!({
        "kind": c.kind,
        "name": c.name,
        "action": c.action,
        "write": write,
        "error": c.error,
        "fatal": p.fatal,
    });
    if let Some(then) = &p.then {
        decision["then"] = canonical(then);
    }
    Some(decision)
}

/// The canonical form of a write for the fingerprint: what it sends, where; never a file or a secret.
fn canonical(write: &Write) -> Value {
    match write {
        Write::Create { body } => json!({"create": body}),
        Write::Update { id, body } => json!({"update": id, "body": body}),
        Write::Install {
            community_id,
            update,
            expected,
        } => json!({"install": community_id, "update": update, "version": expected.get("Version")}),
        Write::Reorder { own, created } => json!({"reorder": own, "then": created}),
        Write::UploadCertificate {
            source_id,
            thumbprint,
            body,
        } => json!({"upload": source_id, "thumbprint": thumbprint, "body": body}),
        Write::ReplaceCertificate {
            id,
            source_id,
            thumbprint,
            ..
        } => json!({"replace": id, "with": source_id, "thumbprint": thumbprint}),
        Write::Owning { item, owned } => {
            let target = match &owned.target {
                OwnedTarget::Existing { id, body } => json!({"update": id, "body": body}),
                OwnedTarget::New { link, fields } => json!({"fill": link, "fields": fields}),
            };
            json!({"item": item.as_deref().map(canonical), "owned": owned.kind, "target": target})
        }
        Write::TenantVariables { tenant_id, body } => match body {
            TenantVariablesBody::Legacy(doc) => json!({"tenant variables": tenant_id, "document": doc}),
            TenantVariablesBody::Scoped { project, common } => {
                json!({"tenant variables": tenant_id, "project": project, "common": common})
            }
        },
        Write::PublishSnapshot { runbook_id, .. } => json!({"publish snapshot": runbook_id}),
        Write::UploadLogo { id, source_id, logo } => {
            json!({"logo": id, "from": source_id, "sha256": logo.sha256, "size": logo.size})
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::Live;
    use crate::kind::Kind;
    use crate::octopus::{Client, ClientOptions};
    use crate::sim::{Seed, SimConfig, SimServer};

    #[tokio::test(flavor = "multi_thread")]
    async fn once_the_run_time_limit_passes_no_write_starts_and_the_pass_says_so() {
        let source = SimServer::start(SimConfig {
            seed: Seed::DemoSource,
            api_key: "API-DEADLINESOURCE00000000000001".into(),
            ..SimConfig::default()
        })
        .await
        .unwrap();
        let dest = SimServer::start(SimConfig {
            seed: Seed::DemoDestination,
            api_key: "API-DEADLINEDESTINATION000000002".into(),
            ..SimConfig::default()
        })
        .await
        .unwrap();
        let mut vars = crate::demo::connection_settings(&source, &dest);
        vars.push(("OCTOSYNC_ENVIRONMENTS".into(), "all".into()));
        vars.push(("OCTOSYNC_LIFECYCLES".into(), "all".into()));
        vars.push(("OCTOSYNC_MODE".into(), "apply".into()));
        let job = crate::settings::from_vars(vars).unwrap();
        let options = ClientOptions::from(job.http);
        let s = Client::connect(&job.source, options).await.unwrap();
        let d = Client::connect(&job.destination, options).await.unwrap();
        let source_snap = Snapshot::load(&s, Kind::ALL).await.unwrap();
        let dest_snap = Snapshot::load(&d, Kind::ALL).await.unwrap();
        dest.clear_request_log();

        let out = run(
            &job,
            &source_snap,
            dest_snap,
            Applier::Live(Live {
                destination: &d,
                source: &s,
                certificate_password: None,
            }),
            None,
            Some(Instant::now()),
        )
        .await;
        let writes: Vec<&Change> = out.changes.iter().filter(|c| c.action.writes()).collect();
        assert!(!writes.is_empty(), "the demo has writes to make");
        assert!(
            writes.iter().all(|c| c.error.as_deref() == Some(NOT_ATTEMPTED)),
            "{writes:?}"
        );
        assert_eq!(out.written, 0);
        let stopped = out.stopped.expect("the pass says why it stopped");
        assert!(stopped.contains("OCTOSYNC_TIMEOUT_MINUTES"), "{stopped}");
        assert!(stopped.contains("Run again to finish"), "{stopped}");
        assert!(
            dest.request_log().iter().all(|r| r.method == "GET"),
            "a write started after the limit: {:?}",
            dest.request_log()
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_logo_that_fails_after_its_template_was_created_leaves_the_template_reported_and_stops_the_run() {
        let start = |seed, key: &str| {
            SimServer::start(SimConfig {
                seed,
                api_key: key.into(),
                ..SimConfig::default()
            })
        };
        let source = start(Seed::Empty, "API-LOGOFOLLOWUPSOURCE00000000001").await.unwrap();
        let dest = start(Seed::Empty, "API-LOGOFOLLOWUPDESTINATION000002").await.unwrap();
        let space = source.space_id("Default").unwrap();
        let t = source
            .insert(
                &space,
                "actiontemplates",
                json!({"Name": "Notify", "ActionType": "Octopus.Script", "Properties": {}}),
            )
            .unwrap();
        let id = t["Id"].as_str().unwrap();
        source
            .set_logo(&space, "actiontemplates", id, &crate::sim::solid_png([9, 9, 200, 255]))
            .unwrap();
        let mut vars = crate::demo::connection_settings(&source, &dest);
        vars.push(("OCTOSYNC_STEP_TEMPLATES".into(), "all".into()));
        vars.push(("OCTOSYNC_MODE".into(), "apply".into()));
        let job = crate::settings::from_vars(vars).unwrap();
        let options = ClientOptions::from(job.http);
        let s = Client::connect(&job.source, options).await.unwrap();
        let d = Client::connect(&job.destination, options).await.unwrap();
        let mut source_snap = Snapshot::load(&s, Kind::ALL).await.unwrap();
        let mut dest_snap = Snapshot::load(&d, Kind::ALL).await.unwrap();
        let selector = job.selector(Kind::ActionTemplate);
        crate::snapshot::logos::read_step_templates(&s, &d, &source_snap, &dest_snap, &selector)
            .await
            .record(&mut source_snap, &mut dest_snap);
        // The source's logo is replaced after the plan read it.
        source
            .set_logo(&space, "actiontemplates", id, &crate::sim::solid_png([200, 9, 9, 255]))
            .unwrap();
        dest.clear_request_log();

        let out = run(
            &job,
            &source_snap,
            dest_snap,
            Applier::Live(Live {
                destination: &d,
                source: &s,
                certificate_password: None,
            }),
            None,
            None,
        )
        .await;
        let c = out
            .changes
            .iter()
            .find(|c| c.name == "Notify")
            .expect("the template's change");
        assert_eq!(c.action, Action::Create);
        let error = c.error.as_deref().expect("the logo's failure is the change's error");
        assert!(error.contains("changed since it was planned"), "{error}");
        let created = dest.items(&dest.space_id("Default").unwrap(), "actiontemplates");
        assert_eq!(created.len(), 1, "the template itself was created");
        assert_eq!(c.destination_id.as_deref(), created[0]["Id"].as_str());
        assert_eq!(out.written, 1);
        assert!(
            out.stopped.as_deref().unwrap_or("").contains("A write failed"),
            "{:?}",
            out.stopped
        );
        assert!(
            !dest
                .request_log()
                .iter()
                .any(|r| r.path.ends_with("/logo") && r.method != "GET"),
            "{:?}",
            dest.request_log()
        );
    }
}
