//! The merge of a source process into the destination's: steps by name, actions by name within
//! their step, in the source's order with the destination's own kept where they stood.

use super::action::{self, Built};
use super::decision::{ActionDecision, Outcome, ProcessMerge, StepDecision};
use super::order::{interleave, Slot};
use super::references::References;
use super::scope::Channels;
use super::step;
use crate::report::CleanupItem;
use crate::rules::{ProcessRules, ProcessSteps};
use crate::snapshot::{name_key, name_of};
use crate::sync::{document, placeholder};
use crate::translate::Translator;
use serde_json::Value;

/// Fields of a process the destination's server owns; a process the destination does not have
/// yet is merged without them (the stage PUTs into the process its server made with the owner).
const SERVER_OWNED: &[&str] = &[
    "Id",
    "Version",
    "ProjectId",
    "RunbookId",
    "LastSnapshotId",
    "SpaceId",
    "Links",
];

/// Whose process this is: names for messages and clean-up entries, and the project's channels.
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    /// The project's name.
    pub project: &'a str,
    /// The runbook's name, for a runbook process.
    pub runbook: Option<&'a str>,
    /// The project's channels on both sides.
    pub channels: Channels<'a>,
}

impl Owner<'_> {
    /// `deployment process` or `runbook 'Restart' process`.
    pub fn label(&self) -> String {
        match self.runbook {
            Some(r) => format!("runbook '{r}' process"),
            None => "deployment process".to_string(),
        }
    }
}

/// Merges `source` into `destination` (the destination's process document; `None` when it has
/// none yet) under `rules`, translating every id with `translator`.
pub fn merge(
    source: &Value,
    destination: Option<&Value>,
    translator: &Translator<'_>,
    rules: &ProcessRules,
    owner: &Owner<'_>,
) -> ProcessMerge {
    let src_steps = steps(Some(source));
    let dest_steps = steps(destination);
    let mut m = ProcessMerge {
        document: Value::Null,
        changed: false,
        steps: vec![],
        warnings: vec![],
        cleanup: vec![],
        errors: vec![],
        destination_order: dest_steps.iter().map(|s| name_of(s).to_string()).collect(),
    };
    let mut merged = Vec::new();
    for slot in interleave(&names(src_steps), &names(dest_steps)) {
        let decision = match slot {
            Slot::DestinationOnly(j) => only_on_destination(&dest_steps[j], rules),
            Slot::Source(i, j) => merge_step(
                &src_steps[i],
                j.map(|j| &dest_steps[j]),
                translator,
                rules,
                owner,
                &mut m,
            ),
        };
        if let Some(step) = &decision.after {
            merged.push(step.clone());
        }
        m.steps.push(decision);
    }
    m.errors.extend(duplicates(&merged));
    m.changed = !document::equivalent_lists(dest_steps, &merged);
    let mut doc = match destination {
        Some(d) => document::object(d),
        None => {
            let mut d = document::object(source);
            for field in SERVER_OWNED {
                d.remove(*field);
            }
            d
        }
    };
    doc.insert("Steps".into(), Value::Array(merged));
    m.document = Value::Object(doc);
    m
}

/// A step only the destination has: kept where it stands, or removed under `SourceOnly`.
fn only_on_destination(dest: &Value, rules: &ProcessRules) -> StepDecision {
    let (outcome, reason, after) = match rules.steps {
        ProcessSteps::KeepAdditionalDestinationSteps => (
            Outcome::Keep,
            "only on the destination: kept where it stands (OCTOSYNC_PROCESS_CLONING_OPTION=KeepAdditionalDestinationSteps)",
            Some(dest.clone()),
        ),
        ProcessSteps::SourceOnly => (
            Outcome::Remove,
            "only on the destination: removed (OCTOSYNC_PROCESS_CLONING_OPTION=SourceOnly)",
            None,
        ),
    };
    StepDecision {
        name: name_of(dest).to_string(),
        outcome,
        reason: reason.to_string(),
        before: Some(dest.clone()),
        after,
        actions: vec![],
    }
}

fn merge_step(
    src: &Value,
    dest: Option<&Value>,
    t: &Translator<'_>,
    rules: &ProcessRules,
    owner: &Owner<'_>,
    m: &mut ProcessMerge,
) -> StepDecision {
    let name = name_of(src).to_string();
    let src_actions = actions(Some(src));
    let dest_actions = actions(dest);
    let mut decisions = Vec::new();
    let mut merged = Vec::new();
    for slot in interleave(&names(src_actions), &names(dest_actions)) {
        let d = match slot {
            Slot::DestinationOnly(k) => action_only_on_destination(&dest_actions[k], rules),
            Slot::Source(a, k) => merge_action(&name, &src_actions[a], k.map(|k| &dest_actions[k]), t, rules, owner, m),
        };
        let written = match d.outcome {
            Outcome::Add | Outcome::Update => d.after.clone(),
            Outcome::Unchanged | Outcome::Keep | Outcome::Error => d.before.clone(),
            Outcome::Remove | Outcome::Skip => None,
        };
        merged.extend(written);
        decisions.push(d);
    }

    let mut refs = References::new(t);
    let mut doc = step::fields(src, dest, rules.step_fields, &mut refs);
    m.errors
        .extend(refs.errors.iter().map(|e| format!("step '{name}': {e}")));
    let mut decision = StepDecision {
        name: name.clone(),
        outcome: Outcome::Add,
        reason: "new on the destination".into(),
        before: dest.cloned(),
        after: None,
        actions: decisions,
    };
    if decision.actions.iter().any(|a| a.outcome == Outcome::Error) {
        // The process is not written; the step stays as the destination has it in the document.
        decision.outcome = Outcome::Error;
        decision.reason = "an action of the step cannot be written (see the errors)".into();
        decision.after = dest.cloned();
        return decision;
    }
    if merged.is_empty() {
        // Octopus refuses a step without actions; a destination step is never emptied.
        let reason = "every action of the source's step is skipped";
        m.warnings.push(format!("step '{name}': {reason}"));
        (decision.outcome, decision.reason, decision.after) = match dest {
            Some(d) => (
                Outcome::Keep,
                format!("{reason}: the destination's step is left as it is"),
                Some(d.clone()),
            ),
            None => (Outcome::Skip, format!("{reason}: not added"), None),
        };
        return decision;
    }
    doc.insert("Actions".into(), Value::Array(merged));
    let doc = Value::Object(doc);
    match dest {
        Some(d) if document::equivalent(d, &doc) => {
            decision.outcome = Outcome::Unchanged;
            decision.reason = "equals the source's after translation".into();
            decision.after = Some(d.clone());
        }
        Some(_) => {
            decision.outcome = Outcome::Update;
            decision.reason = "differs from the source's".into();
            decision.after = Some(doc);
        }
        None => decision.after = Some(doc),
    }
    decision
}

/// An action only the destination's step has: kept where it stands, or removed under `SourceOnly`.
fn action_only_on_destination(dest: &Value, rules: &ProcessRules) -> ActionDecision {
    let (outcome, reason) = match rules.steps {
        ProcessSteps::KeepAdditionalDestinationSteps => (
            Outcome::Keep,
            "only on the destination: kept where it stands (OCTOSYNC_PROCESS_CLONING_OPTION=KeepAdditionalDestinationSteps)",
        ),
        ProcessSteps::SourceOnly => (
            Outcome::Remove,
            "only on the destination: removed (OCTOSYNC_PROCESS_CLONING_OPTION=SourceOnly)",
        ),
    };
    ActionDecision {
        name: name_of(dest).to_string(),
        outcome,
        reason: reason.into(),
        before: Some(dest.clone()),
        after: None,
        warnings: vec![],
    }
}

fn merge_action(
    step: &str,
    src: &Value,
    dest: Option<&Value>,
    t: &Translator<'_>,
    rules: &ProcessRules,
    owner: &Owner<'_>,
    m: &mut ProcessMerge,
) -> ActionDecision {
    let name = name_of(src).to_string();
    let at = format!("step '{step}', action '{name}'");
    let built = action::build(src, dest, t, rules, &owner.channels);
    let mut d = ActionDecision {
        name: name.clone(),
        outcome: Outcome::Add,
        reason: "new on the destination".into(),
        before: dest.cloned(),
        after: None,
        warnings: built.warnings.iter().map(|w| format!("{at}: {w}")).collect(),
    };
    match built.built {
        Built::Ready(after) => {
            m.cleanup
                .extend(built.placeholders.iter().map(|key| placeholder_entry(owner, &at, key)));
            (d.outcome, d.reason) = match dest {
                None => (Outcome::Add, "new on the destination".into()),
                Some(before) if document::equivalent(before, &after) => {
                    (Outcome::Unchanged, "equals the source's after translation".into())
                }
                Some(_) => (Outcome::Update, "differs from the source's".into()),
            };
            d.after = Some(after);
        }
        Built::Skip(reason) => {
            // SpaceCloner deletes the destination's action here (§4.1); it is left alone instead.
            (d.outcome, d.reason) = match dest {
                Some(_) => (
                    Outcome::Keep,
                    format!("the source's action is skipped ({reason}); the destination's action of that name is left as it is"),
                ),
                None => (Outcome::Skip, format!("skipped: {reason}")),
            };
            d.warnings.push(format!("{at}: {}", d.reason));
        }
        Built::Error(errors) => {
            m.errors.extend(errors.iter().map(|e| format!("{at}: {e}")));
            d.outcome = Outcome::Error;
            d.reason = errors.join("; ");
        }
    }
    m.warnings.extend(d.warnings.iter().cloned());
    d
}

fn placeholder_entry(owner: &Owner<'_>, at: &str, key: &str) -> CleanupItem {
    CleanupItem {
        kind: "Project".into(),
        name: owner.project.to_string(),
        action: format!(
            "{}, {at}, sensitive property '{key}': set to the placeholder '{}' (secrets never travel); enter the real value on the destination",
            owner.label(),
            placeholder::SECRET_PLACEHOLDER
        ),
    }
}

/// Step and action names the merged process would hold twice (Octopus refuses it): an action
/// moved to another step on the source while the destination keeps it in its old step, say.
fn duplicates(steps: &[Value]) -> Vec<String> {
    let mut errors = Vec::new();
    let mut seen_steps: Vec<String> = Vec::new();
    let mut seen_actions: Vec<(String, String)> = Vec::new();
    for s in steps {
        let step = name_of(s);
        if seen_steps.contains(&name_key(step)) {
            errors.push(format!(
                "step '{step}' would be in the process twice; rename one of them"
            ));
        }
        seen_steps.push(name_key(step));
        for a in actions(Some(s)) {
            let action = name_of(a);
            match seen_actions.iter().find(|(k, _)| *k == name_key(action)) {
                Some((_, other)) => errors.push(format!(
                    "action '{action}' would be in the process twice (in steps '{other}' and '{step}'): action names are unique in a process. Move or rename it on the destination, or use OCTOSYNC_PROCESS_CLONING_OPTION=SourceOnly"
                )),
                None => seen_actions.push((name_key(action), step.to_string())),
            }
        }
    }
    errors
}

/// A process's steps, borrowed (none when it has no process).
fn steps(process: Option<&Value>) -> &[Value] {
    process
        .and_then(|p| p.get("Steps"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A step's actions, borrowed.
fn actions(step: Option<&Value>) -> &[Value] {
    step.and_then(|s| s.get("Actions"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn names(items: &[Value]) -> Vec<&str> {
    items.iter().map(name_of).collect()
}
