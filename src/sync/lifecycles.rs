//! Lifecycles: created with their phases translated to destination environments; the phases of
//! existing lifecycles follow the lifecycle phase option; retention policies are each instance's own.

use super::{document, PlanContext, Planned, Stage};
use crate::kind::Kind;
use crate::report::{Action, CleanupItem};
use crate::rules::PhaseOption;
use crate::scope::quoted;
use crate::scope::{translate_list, ListOutcome};
use crate::snapshot::{name_key, name_of};
use serde_json::{json, Value};

/// The lifecycles stage.
pub struct Lifecycles;

/// Phase fields that hold environment ids.
const PHASE_ENVIRONMENTS: &[&str] = &["AutomaticDeploymentTargets", "OptionalDeploymentTargets"];
/// Phase fields that follow the source; everything else in a phase is the destination's own
/// (its id, its retention policies, and any field a newer server added).
const PHASE_OWNED: &[&str] = &[
    "AutomaticDeploymentTargets",
    "OptionalDeploymentTargets",
    "MinimumEnvironmentsBeforePromotion",
    "IsOptionalPhase",
    "IsPriorityPhase",
];
/// Phase retention fields; a phase new to an existing lifecycle inherits the destination lifecycle's.
const PHASE_RETENTION: &[&str] = &["ReleaseRetentionPolicy", "TentacleRetentionPolicy"];

impl Stage for Lifecycles {
    fn kind(&self) -> Kind {
        Kind::Lifecycle
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        ctx.selected(Kind::Lifecycle).map(|src| plan_one(ctx, src)).collect()
    }
}

/// The source phases translated for the destination.
struct TranslatedPhases {
    /// The phases that survive translation, in source order.
    phases: Vec<Value>,
    /// References dropped on the way (a phase left out, environments missing on the destination).
    warnings: Vec<String>,
    /// Set when the policy says the run must stop.
    fatal: Option<String>,
    /// Every source phase name in order, kept or not (so Overwrite can keep the destination's order).
    order: Vec<String>,
}

fn translate_phases(ctx: &PlanContext<'_>, src: &Value) -> TranslatedPhases {
    let translator = ctx.translator();
    let mut out = TranslatedPhases {
        phases: vec![],
        warnings: vec![],
        fatal: None,
        order: vec![],
    };
    for phase in src.get("Phases").and_then(Value::as_array).into_iter().flatten() {
        let phase_name = name_of(phase);
        out.order.push(phase_name.to_string());
        // The policy judges the phase's environments as one list, as a person reads the phase.
        let all: Vec<String> = PHASE_ENVIRONMENTS
            .iter()
            .flat_map(|f| document::id_list(phase, f))
            .collect();
        match translate_list(&translator, &all, ctx.rules.lifecycle_phase_environments) {
            ListOutcome::Error { reason } => {
                out.fatal = Some(format!(
                    "phase '{phase_name}': {reason} (OCTOSYNC_LIFECYCLE_PHASE_ENVIRONMENT_MATCH)"
                ));
                return out;
            }
            ListOutcome::Skip { reason } => {
                out.warnings.push(format!("phase '{phase_name}' left out: {reason}"));
            }
            ListOutcome::Keep { dropped, .. } => {
                let mut p = phase.clone();
                for f in PHASE_ENVIRONMENTS {
                    let ids = document::id_list(phase, f);
                    if let ListOutcome::Keep { ids, .. } =
                        translate_list(&translator, &ids, crate::scope::MatchPolicy::IgnoreMismatch)
                    {
                        p[*f] = json!(ids);
                    }
                }
                if !dropped.is_empty() {
                    out.warnings.push(format!(
                        "phase '{phase_name}': {} not on the destination, left out of the phase",
                        quoted(&dropped)
                    ));
                }
                out.phases.push(p);
            }
        }
    }
    out
}

fn plan_one(ctx: &PlanContext<'_>, src: &Value) -> Planned {
    let name = name_of(src);
    let had_phases = has_phases(src);
    let existing = ctx.destination.by_name(Kind::Lifecycle, name);

    if let Some(dest) = existing {
        let id = document::str_field(dest, "Id");
        if ctx.rules.lifecycle_phases != PhaseOption::Overwrite {
            return Planned::no_write(
                Kind::Lifecycle,
                name,
                Action::Unchanged,
                "exists on the destination; its phases are left alone (OCTOSYNC_LIFECYCLE_PHASES)",
            )
            .at(id);
        }
        if !had_phases && has_phases(dest) {
            return Planned::no_write(
                Kind::Lifecycle,
                name,
                Action::Skip,
                "the source lifecycle has no phases (it allows every environment); octosync does not remove the destination's phases",
            )
            .at(id);
        }
        let t = translate_phases(ctx, src);
        if let Some(f) = t.fatal {
            return fatal(name, f);
        }
        if had_phases && t.phases.is_empty() {
            return refuse_empty(name, t.warnings, Action::Skip);
        }
        let keep_environments = ctx.rules.lifecycle_phase_environments.leaves_existing_alone();
        let (phases, kept_notes, removed) = overlay_phases(&t, dest, keep_environments);
        let (body, changed) = document::overlay(dest, &[("Phases", Value::Array(phases.clone()))]);
        if changed.is_empty() {
            return Planned::no_write(
                Kind::Lifecycle,
                name,
                Action::Unchanged,
                "phases already match the source",
            )
            .notes(kept_notes)
            .warnings(t.warnings)
            .at(id);
        }
        return Planned::update(
            ctx,
            Kind::Lifecycle,
            name,
            "phases differ from the source (OCTOSYNC_LIFECYCLE_PHASES=Overwrite)",
            dest,
            body,
        )
        .warnings(t.warnings)
        .warnings(removed)
        .notes(kept_notes)
        .notes(describe_phases(ctx, &phases));
    }

    let mut body = document::for_create(src);
    if ctx.rules.lifecycle_phases == PhaseOption::Never {
        body["Phases"] = json!([]);
        let mut p = Planned::create(
            ctx,
            Kind::Lifecycle,
            name,
            "missing on the destination; created without phases (OCTOSYNC_LIFECYCLE_PHASES=Never)",
            body,
        );
        if had_phases {
            p.cleanup.push(CleanupItem {
                kind: Kind::Lifecycle.label().into(),
                name: name.into(),
                action: "created without phases, so it allows every environment: add this instance's phases".into(),
            });
        }
        return p;
    }
    let t = translate_phases(ctx, src);
    if let Some(f) = t.fatal {
        return fatal(name, f);
    }
    if had_phases && t.phases.is_empty() {
        return refuse_empty(name, t.warnings, Action::Skip);
    }
    let described = describe_phases(ctx, &t.phases);
    body["Phases"] = Value::Array(t.phases);
    Planned::create(ctx, Kind::Lifecycle, name, "missing on the destination", body)
        .warnings(t.warnings)
        .notes(described)
}

/// The phases to write under Overwrite, in source order, notes on the destination's own phases
/// that are kept, and a warning for each destination phase removed.
///
/// A phase the destination already has (matched by name) is its own document with only the owned
/// fields taken from the source; a new phase is the source's, inheriting the destination
/// lifecycle's retention; a source phase left out (none of its environments here) leaves the
/// destination's phase of that name as it is; a destination phase the source lacks is removed,
/// and said so. With `keep_environments` (`IgnoreMismatchOnNewLeaveExistingAlone`) a phase the
/// destination already has keeps its own environments.
fn overlay_phases(
    t: &TranslatedPhases,
    dest: &Value,
    keep_environments: bool,
) -> (Vec<Value>, Vec<String>, Vec<String>) {
    let dest_phases = dest
        .get("Phases")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let find = |name: &str| dest_phases.iter().find(|d| name_key(name_of(d)) == name_key(name));
    let mut out = Vec::new();
    let mut notes = Vec::new();
    let mut removed = Vec::new();
    for name in &t.order {
        if let Some(src) = t.phases.iter().find(|p| name_key(name_of(p)) == name_key(name)) {
            out.push(match find(name) {
                Some(existing) => {
                    let owned: Vec<(&str, Value)> = PHASE_OWNED
                        .iter()
                        .filter(|f| !(keep_environments && PHASE_ENVIRONMENTS.contains(f)))
                        .filter_map(|f| src.get(*f).map(|v| (*f, v.clone())))
                        .collect();
                    document::overlay(existing, &owned).0
                }
                None => {
                    let mut p = src.clone();
                    for f in PHASE_RETENTION {
                        if p.get(*f).is_some() {
                            p[*f] = Value::Null;
                        }
                    }
                    p
                }
            });
        } else if let Some(existing) = find(name) {
            notes.push(format!(
                "destination phase '{}' kept as it is: the source's has none of its environments here",
                name_of(existing)
            ));
            out.push(existing.clone());
        }
    }
    for d in &dest_phases {
        if !t.order.iter().any(|n| name_key(n) == name_key(name_of(d))) {
            removed.push(format!(
                "destination phase '{}' removed: the source lifecycle has no such phase",
                name_of(d)
            ));
        }
    }
    (out, notes, removed)
}

/// One note per phase with its destination environments, so a reviewer sees what will be written.
fn describe_phases(ctx: &PlanContext<'_>, phases: &[Value]) -> Vec<String> {
    let env_names = |phase: &Value, field: &str| -> String {
        let names: Vec<String> = document::id_list(phase, field)
            .iter()
            .map(|id| {
                ctx.destination
                    .by_id(Kind::Environment, id)
                    .map(name_of)
                    .unwrap_or(id.as_str())
                    .to_string()
            })
            .collect();
        if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        }
    };
    phases
        .iter()
        .map(|p| {
            format!(
                "phase '{}': automatic {}; optional {}",
                name_of(p),
                env_names(p, "AutomaticDeploymentTargets"),
                env_names(p, "OptionalDeploymentTargets")
            )
        })
        .collect()
}

/// True when a lifecycle has at least one phase (none means every environment may be deployed to).
fn has_phases(lifecycle: &Value) -> bool {
    lifecycle
        .get("Phases")
        .and_then(Value::as_array)
        .is_some_and(|p| !p.is_empty())
}

/// A lifecycle whose phases all vanish would allow every environment: never write that silently.
fn refuse_empty(name: &str, warnings: Vec<String>, action: Action) -> Planned {
    Planned::no_write(
        Kind::Lifecycle,
        name,
        action,
        "none of its phases' environments exist on the destination; without phases it would allow every environment",
    )
    .warnings(warnings)
}

fn fatal(name: &str, reason: String) -> Planned {
    let mut p = Planned::no_write(Kind::Lifecycle, name, Action::Skip, reason.clone());
    p.fatal = Some(format!("lifecycle '{name}': {reason}"));
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;
    use crate::scope::MatchPolicy;
    use crate::settings::selector::Selector;
    use crate::snapshot::Snapshot;
    use crate::sync::Write;

    fn envs(list: &[(&str, &str)]) -> Vec<Value> {
        list.iter().map(|(id, n)| json!({"Id": id, "Name": n})).collect()
    }

    fn lifecycle(id: &str, name: &str, phases: Value) -> Value {
        json!({"Id": id, "Name": name, "Phases": phases,
               "ReleaseRetentionPolicy": {"Unit": "Days", "QuantityToKeep": 30, "ShouldKeepForever": false},
               "TentacleRetentionPolicy": {"Unit": "Items", "QuantityToKeep": 0, "ShouldKeepForever": true}})
    }

    fn phase(id: &str, name: &str, auto: &[&str], optional: &[&str]) -> Value {
        json!({"Id": id, "Name": name, "AutomaticDeploymentTargets": auto, "OptionalDeploymentTargets": optional,
               "MinimumEnvironmentsBeforePromotion": 0, "IsOptionalPhase": false,
               "ReleaseRetentionPolicy": null, "TentacleRetentionPolicy": null})
    }

    fn plan(src: Value, dest: Option<Value>, rules: Rules) -> Planned {
        let s = Snapshot::from_docs([
            (
                Kind::Environment,
                envs(&[
                    ("Environments-1", "Development"),
                    ("Environments-2", "Test"),
                    ("Environments-3", "Staging"),
                ]),
            ),
            (Kind::Lifecycle, vec![src]),
        ]);
        let d = Snapshot::from_docs([
            (
                Kind::Environment,
                envs(&[("Environments-31", "Staging"), ("Environments-32", "Production")]),
            ),
            (Kind::Lifecycle, dest.into_iter().collect()),
        ]);
        let sel = Selector::all();
        Lifecycles
            .plan(&PlanContext {
                source: &s,
                destination: &d,
                rules: &rules,
                selector: &sel,
            })
            .remove(0)
    }

    #[test]
    fn a_new_lifecycle_gets_its_phases_translated_and_unmatched_phases_reported() {
        let src = lifecycle(
            "Lifecycles-1",
            "Release",
            json!([
                phase("p1", "Dev", &["Environments-1"], &[]),
                phase("p2", "Pre-prod", &["Environments-2"], &["Environments-3"]),
            ]),
        );
        let p = plan(src, None, Rules::default());
        let Some(Write::Create { body }) = p.write else {
            panic!("expected a create")
        };
        let phases = body["Phases"].as_array().unwrap();
        assert_eq!(phases.len(), 1);
        assert_eq!(phases[0]["Name"], "Pre-prod");
        assert_eq!(phases[0]["AutomaticDeploymentTargets"], json!([]));
        assert_eq!(phases[0]["OptionalDeploymentTargets"], json!(["Environments-31"]));
        assert!(
            p.change.warnings.iter().any(|n| n.contains("phase 'Dev' left out")),
            "{:?}",
            p.change.warnings
        );
        assert!(
            p.change
                .warnings
                .iter()
                .any(|n| n.contains("'Test' not on the destination")),
            "{:?}",
            p.change.warnings
        );
    }

    #[test]
    fn a_lifecycle_whose_phases_all_vanish_is_not_created() {
        let src = lifecycle(
            "Lifecycles-1",
            "Dev only",
            json!([phase("p1", "Dev", &["Environments-1"], &[])]),
        );
        let p = plan(src, None, Rules::default());
        assert!(p.write.is_none());
        assert_eq!(p.change.action, Action::Skip);
        assert!(p.change.reason.contains("allow every environment"));
    }

    #[test]
    fn existing_lifecycles_are_left_alone_by_default() {
        let src = lifecycle(
            "Lifecycles-1",
            "Release",
            json!([phase("p1", "Stage", &["Environments-3"], &[])]),
        );
        let dest = lifecycle("Lifecycles-9", "Release", json!([]));
        let p = plan(src, Some(dest), Rules::default());
        assert_eq!(p.change.action, Action::Unchanged);
        assert!(p.write.is_none());
    }

    #[test]
    fn overwrite_replaces_phases_but_keeps_destination_phase_ids_and_retention() {
        let src = lifecycle(
            "Lifecycles-1",
            "Release",
            json!([phase("p1", "Stage", &["Environments-3"], &[])]),
        );
        let mut dest_phase = phase("dest-guid", "stage", &["Environments-32"], &[]);
        dest_phase["ReleaseRetentionPolicy"] = json!({"Unit": "Days", "QuantityToKeep": 5, "ShouldKeepForever": false});
        let dest = lifecycle("Lifecycles-9", "Release", json!([dest_phase]));
        let rules = Rules {
            lifecycle_phases: PhaseOption::Overwrite,
            ..Rules::default()
        };
        let p = plan(src, Some(dest), rules);
        let Some(Write::Update { id, body }) = p.write else {
            panic!("expected an update")
        };
        assert_eq!(id, "Lifecycles-9");
        assert_eq!(p.change.changed_fields, vec!["Phases"]);
        let ph = &body["Phases"][0];
        assert_eq!(ph["Id"], "dest-guid");
        assert_eq!(ph["AutomaticDeploymentTargets"], json!(["Environments-31"]));
        assert_eq!(ph["ReleaseRetentionPolicy"]["QuantityToKeep"], 5);
        assert_eq!(body["ReleaseRetentionPolicy"]["QuantityToKeep"], 30);
    }

    #[test]
    fn leave_existing_alone_keeps_an_existing_phases_environments_and_translates_a_new_phases() {
        let src = lifecycle(
            "Lifecycles-1",
            "Release",
            json!([
                phase("p1", "Stage", &["Environments-3"], &[]),
                phase("p2", "Later", &["Environments-3"], &[])
            ]),
        );
        let mut dest_phase = phase("dest-guid", "Stage", &["Environments-32"], &[]);
        dest_phase["MinimumEnvironmentsBeforePromotion"] = json!(1);
        let dest = lifecycle("Lifecycles-9", "Release", json!([dest_phase]));
        let rules = Rules {
            lifecycle_phases: PhaseOption::Overwrite,
            lifecycle_phase_environments: MatchPolicy::IgnoreMismatchOnNewLeaveExistingAlone,
            ..Rules::default()
        };
        let p = plan(src, Some(dest), rules);
        let Some(Write::Update { body, .. }) = p.write else {
            panic!("expected an update")
        };
        assert_eq!(
            body["Phases"][0]["AutomaticDeploymentTargets"],
            json!(["Environments-32"])
        );
        assert_eq!(
            body["Phases"][0]["MinimumEnvironmentsBeforePromotion"], 0,
            "other fields follow"
        );
        assert_eq!(
            body["Phases"][1]["AutomaticDeploymentTargets"],
            json!(["Environments-31"])
        );
    }

    #[test]
    fn overwrite_keeps_fields_only_the_destination_phase_has_and_then_settles() {
        let src = lifecycle(
            "Lifecycles-1",
            "Release",
            json!([phase("p1", "Stage", &["Environments-3"], &[])]),
        );
        let mut dest_phase = phase("dest-guid", "Stage", &[], &[]);
        dest_phase["IsPriorityPhase"] = json!(true);
        let dest = lifecycle("Lifecycles-9", "Release", json!([dest_phase]));
        let rules = Rules {
            lifecycle_phases: PhaseOption::Overwrite,
            ..Rules::default()
        };
        let p = plan(src.clone(), Some(dest), rules.clone());
        let Some(Write::Update { body, .. }) = p.write else {
            panic!("expected an update")
        };
        assert_eq!(
            body["Phases"][0]["IsPriorityPhase"], true,
            "the destination's own field survives"
        );
        assert!(
            p.change
                .notes
                .iter()
                .any(|n| n == "phase 'Stage': automatic Staging; optional none"),
            "{:?}",
            p.change.notes
        );
        // Once written, the same plan changes nothing.
        let again = plan(src, Some(body), rules);
        assert_eq!(again.change.action, Action::Unchanged);
    }

    /// `path: before → after` per diff entry.
    fn shown(p: &Planned) -> Vec<String> {
        p.change
            .diff
            .iter()
            .map(|e| {
                format!(
                    "{}: {} → {}",
                    e.path,
                    e.before.as_deref().unwrap_or("(none)"),
                    e.after.as_deref().unwrap_or("(none)")
                )
            })
            .collect()
    }

    #[test]
    fn a_lifecycle_update_shows_each_phase_change_by_name_before_and_after() {
        let src = lifecycle(
            "Lifecycles-1",
            "Release",
            json!([phase("p1", "Stage", &["Environments-3"], &[])]),
        );
        let dest = lifecycle(
            "Lifecycles-9",
            "Release",
            json!([
                phase("d1", "Stage", &[], &["Environments-32"]),
                phase("d2", "Hotfix", &["Environments-32"], &[])
            ]),
        );
        let rules = Rules {
            lifecycle_phases: PhaseOption::Overwrite,
            ..Rules::default()
        };
        let p = plan(src, Some(dest), rules);
        assert_eq!(p.change.action, Action::Update);
        assert_eq!(
            shown(&p),
            [
                "Phases[Stage].AutomaticDeploymentTargets: (none) → [Staging (Environments-31)]",
                "Phases[Stage].OptionalDeploymentTargets: [Production (Environments-32)] → (none)",
                "Phases[Hotfix]: {Name: \"Hotfix\", AutomaticDeploymentTargets: [Production (Environments-32)], Id: \"d2\", IsOptionalPhase: false, MinimumEnvironmentsBeforePromotion: 0} → (none)",
            ]
        );
        assert_eq!(p.change.changed_fields, ["Phases"]);
    }

    #[test]
    fn a_new_lifecycle_shows_its_phases_with_environment_names() {
        let src = lifecycle(
            "Lifecycles-1",
            "Release",
            json!([phase("p1", "Stage", &["Environments-3"], &[])]),
        );
        let p = plan(src, None, Rules::default());
        assert_eq!(p.change.action, Action::Create);
        let shown = shown(&p);
        assert!(shown.contains(&"Name: (none) → \"Release\"".to_string()), "{shown:#?}");
        assert!(
            shown.iter().any(|l| l.starts_with("Phases[Stage]: (none) → {Name: \"Stage\", AutomaticDeploymentTargets: [Staging (Environments-31)], Id: \"p1\"")),
            "{shown:#?}"
        );
    }

    #[test]
    fn overwrite_never_wipes_destination_phases_for_a_source_without_phases() {
        let src = lifecycle("Lifecycles-1", "Default Lifecycle", json!([]));
        let dest = lifecycle(
            "Lifecycles-9",
            "Default Lifecycle",
            json!([phase("d1", "Prod", &["Environments-32"], &[])]),
        );
        let rules = Rules {
            lifecycle_phases: PhaseOption::Overwrite,
            ..Rules::default()
        };
        let p = plan(src, Some(dest), rules);
        assert!(p.write.is_none());
        assert_eq!(p.change.action, Action::Skip);
        assert!(p.change.reason.contains("does not remove the destination's phases"));
    }

    #[test]
    fn overwrite_keeps_a_destination_phase_whose_source_phase_was_left_out_and_names_removals() {
        let src = lifecycle(
            "Lifecycles-1",
            "Release",
            json!([
                phase("p1", "Dev", &["Environments-1"], &[]),
                phase("p2", "Stage", &["Environments-3"], &[])
            ]),
        );
        let dest = lifecycle(
            "Lifecycles-9",
            "Release",
            json!([
                phase("d1", "Dev", &["Environments-31"], &[]),
                phase("d2", "Stage", &[], &[]),
                phase("d3", "Hotfix", &["Environments-32"], &[])
            ]),
        );
        let rules = Rules {
            lifecycle_phases: PhaseOption::Overwrite,
            ..Rules::default()
        };
        let p = plan(src, Some(dest), rules);
        let Some(Write::Update { body, .. }) = p.write else {
            panic!("expected an update")
        };
        assert_eq!(names_of(&body["Phases"]), ["Dev", "Stage"]);
        assert_eq!(body["Phases"][0]["Id"], "d1");
        assert_eq!(
            body["Phases"][0]["AutomaticDeploymentTargets"],
            json!(["Environments-31"]),
            "kept as it is"
        );
        assert!(
            p.change
                .notes
                .iter()
                .any(|n| n.starts_with("destination phase 'Dev' kept as it is")),
            "{:?}",
            p.change.notes
        );
        assert!(
            p.change
                .warnings
                .iter()
                .any(|n| n.starts_with("destination phase 'Hotfix' removed")),
            "{:?}",
            p.change.warnings
        );
    }

    fn names_of(phases: &Value) -> Vec<&str> {
        phases
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["Name"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn a_new_phase_of_an_existing_lifecycle_inherits_its_retention() {
        let mut src_phase = phase("p1", "Stage", &["Environments-3"], &[]);
        src_phase["ReleaseRetentionPolicy"] = json!({"Unit": "Days", "QuantityToKeep": 1});
        let src = lifecycle("Lifecycles-1", "Release", json!([src_phase]));
        let dest = lifecycle("Lifecycles-9", "Release", json!([]));
        let rules = Rules {
            lifecycle_phases: PhaseOption::Overwrite,
            ..Rules::default()
        };
        let Some(Write::Update { body, .. }) = plan(src, Some(dest), rules).write else {
            panic!("expected an update")
        };
        assert_eq!(body["Phases"][0]["ReleaseRetentionPolicy"], Value::Null);
    }

    #[test]
    fn never_creates_lifecycles_without_phases_and_asks_for_clean_up() {
        let src = lifecycle(
            "Lifecycles-1",
            "Release",
            json!([phase("p1", "Stage", &["Environments-3"], &[])]),
        );
        let rules = Rules {
            lifecycle_phases: PhaseOption::Never,
            ..Rules::default()
        };
        let p = plan(src, None, rules);
        let Some(Write::Create { body }) = p.write else {
            panic!("expected a create")
        };
        assert_eq!(body["Phases"], json!([]));
        assert_eq!(p.cleanup.len(), 1);
    }

    #[test]
    fn error_unless_exact_match_stops_the_run() {
        let src = lifecycle(
            "Lifecycles-1",
            "Release",
            json!([phase("p1", "Dev", &["Environments-1", "Environments-3"], &[])]),
        );
        let rules = Rules {
            lifecycle_phase_environments: MatchPolicy::ErrorUnlessExactMatch,
            ..Rules::default()
        };
        let p = plan(src, None, rules);
        assert!(p.fatal.as_deref().unwrap().contains("'Development' not found"));
        assert!(p.write.is_none());
    }
}
