//! Every scope-match mode on every translated dimension, in every situation where the outcome
//! differs: all values on the destination, some, none, and a destination value of the same name
//! scoped otherwise.

use super::super::scope::Dimension;
use super::*;

const MODES: [MatchPolicy; 6] = [
    MatchPolicy::ErrorUnlessExactMatch,
    MatchPolicy::SkipUnlessExactMatch,
    MatchPolicy::ErrorUnlessPartialMatch,
    MatchPolicy::SkipUnlessPartialMatch,
    MatchPolicy::IgnoreMismatch,
    MatchPolicy::IgnoreMismatchOnNewLeaveExistingAlone,
];

const TRANSLATED: [Dimension; 6] = [
    Dimension::Environment,
    Dimension::Channel,
    Dimension::ProcessOwner,
    Dimension::Action,
    Dimension::Machine,
    Dimension::TenantTag,
];

fn with_mode(d: Dimension, mode: MatchPolicy) -> VariableRules {
    let mut r = VariableRules::default();
    let slot = match d {
        Dimension::Environment => &mut r.environments,
        Dimension::Channel => &mut r.channels,
        Dimension::ProcessOwner => &mut r.process_owners,
        Dimension::Action => &mut r.actions,
        Dimension::Machine => &mut r.machines,
        Dimension::TenantTag => &mut r.tenant_tags,
        Dimension::Role => unreachable!("roles have no mode"),
    };
    *slot = mode;
    r
}

fn table_key(d: Dimension) -> &'static str {
    match d {
        Dimension::Environment => "Environments",
        Dimension::Channel => "Channels",
        Dimension::ProcessOwner => "Processes",
        Dimension::Action => "Actions",
        Dimension::Machine => "Machines",
        Dimension::TenantTag => "TenantTags",
        Dimension::Role => "Roles",
    }
}

/// The id `side` uses for the item called `name` on dimension `d` (tags are canonical names).
fn id(d: Dimension, side: &str, name: &str) -> String {
    match d {
        Dimension::TenantTag => format!("Tier/{name}"),
        _ => format!("{side}-{}-{name}", d.field()),
    }
}

/// A `ScopeValues` listing `names` for `d` (a destination lists them lower-cased: names match
/// case-insensitively).
fn values(d: Dimension, side: &str, names: &[&str]) -> Value {
    let entries: Vec<Value> = names
        .iter()
        .map(|n| {
            let shown = if side == "dst" { n.to_lowercase() } else { n.to_string() };
            let mut e = json!({"Id": id(d, side, n), "Name": shown});
            if d == Dimension::TenantTag {
                e["Name"] = json!(format!("Tier/{shown}"));
            }
            if d == Dimension::ProcessOwner {
                e["ProcessType"] = json!("Runbook");
            }
            e
        })
        .collect();
    json!({ table_key(d): entries })
}

fn source(d: Dimension, names: &[&str]) -> Value {
    let ids: Vec<String> = names.iter().map(|n| id(d, "src", n)).collect();
    set(
        "src",
        vec![text("X", "v", json!({ d.field(): ids }))],
        values(d, "src", &["Alpha", "Beta"]),
    )
}

#[derive(Debug, PartialEq)]
enum Expect {
    Added(&'static [&'static str]),
    Unscoped,
    Skipped,
    Fatal,
}

fn outcome(d: Dimension, mode: MatchPolicy, on_destination: &[&str]) -> Expect {
    let destination = set("dst", vec![], values(d, "dst", on_destination));
    let m = run(&source(d, &["Alpha", "Beta"]), &destination, with_mode(d, mode));
    let decision = about_source(&m, 0);
    match decision.outcome {
        Outcome::Error => {
            assert!(m.write().is_none() && m.fatal.len() == 1);
            assert!(m.fatal[0].contains(&mode_rule(d, mode)), "{:?}", m.fatal);
            Expect::Fatal
        }
        Outcome::Skip => {
            assert!(!m.changed);
            assert!(decision.reason.contains(&mode_rule(d, mode)), "{}", decision.reason);
            Expect::Skipped
        }
        Outcome::Add => {
            let written = &m.document["Variables"][0]["Scope"];
            match written.get(d.field()).and_then(Value::as_array) {
                None => {
                    assert!(
                        m.warnings.iter().any(|w| w.contains("applies to every one of them")),
                        "an emptied scope is never silent: {:?}",
                        m.warnings
                    );
                    Expect::Unscoped
                }
                Some(ids) if ids.len() == 2 => {
                    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
                    Expect::Added(&["Alpha", "Beta"])
                }
                Some(ids) => {
                    assert_eq!(ids, &[json!(id(d, "dst", "Alpha"))]);
                    assert!(
                        m.warnings.iter().any(|w| w.contains("Beta' not on the destination")),
                        "a dropped value is reported: {:?}",
                        m.warnings
                    );
                    Expect::Added(&["Alpha"])
                }
            }
        }
        other => panic!("unexpected {other:?}: {decision:?}"),
    }
}

fn mode_rule(d: Dimension, mode: MatchPolicy) -> String {
    format!("{}={}", d.setting().unwrap(), mode.name())
}

#[test]
fn every_mode_keeps_a_scope_the_destination_has_whole() {
    for d in TRANSLATED {
        for mode in MODES {
            assert_eq!(
                outcome(d, mode, &["Alpha", "Beta"]),
                Expect::Added(&["Alpha", "Beta"]),
                "{d:?} {mode:?}"
            );
        }
    }
}

#[test]
fn a_scope_the_destination_has_in_part_is_refused_by_exact_modes_and_narrowed_by_the_others() {
    for d in TRANSLATED {
        for (mode, expected) in [
            (MatchPolicy::ErrorUnlessExactMatch, Expect::Fatal),
            (MatchPolicy::SkipUnlessExactMatch, Expect::Skipped),
            (MatchPolicy::ErrorUnlessPartialMatch, Expect::Added(&["Alpha"])),
            (MatchPolicy::SkipUnlessPartialMatch, Expect::Added(&["Alpha"])),
            (MatchPolicy::IgnoreMismatch, Expect::Added(&["Alpha"])),
            (
                MatchPolicy::IgnoreMismatchOnNewLeaveExistingAlone,
                Expect::Added(&["Alpha"]),
            ),
        ] {
            assert_eq!(outcome(d, mode, &["Alpha"]), expected, "{d:?} {mode:?}");
        }
    }
}

#[test]
fn a_scope_the_destination_has_none_of_widens_only_under_the_ignore_modes_and_then_with_a_warning() {
    for d in TRANSLATED {
        for (mode, expected) in [
            (MatchPolicy::ErrorUnlessExactMatch, Expect::Fatal),
            (MatchPolicy::SkipUnlessExactMatch, Expect::Skipped),
            (MatchPolicy::ErrorUnlessPartialMatch, Expect::Fatal),
            (MatchPolicy::SkipUnlessPartialMatch, Expect::Skipped),
            (MatchPolicy::IgnoreMismatch, Expect::Unscoped),
            (MatchPolicy::IgnoreMismatchOnNewLeaveExistingAlone, Expect::Unscoped),
        ] {
            assert_eq!(outcome(d, mode, &[]), expected, "{d:?} {mode:?}");
        }
    }
}

#[test]
fn leave_existing_alone_keeps_a_destination_value_scoped_otherwise_where_every_other_mode_adds_beside_it() {
    for d in TRANSLATED {
        for mode in MODES {
            let destination = set(
                "dst",
                vec![text("X", "theirs", json!({ d.field(): [id(d, "dst", "Alpha")] }))],
                values(d, "dst", &["Alpha", "Beta"]),
            );
            for overwrite in [VariableOverwrite::LeaveExisting, VariableOverwrite::Overwrite] {
                let rules = VariableRules {
                    overwrite,
                    ..with_mode(d, mode)
                };
                let m = run(&source(d, &["Beta"]), &destination, rules);
                let decision = about_source(&m, 0);
                if mode.leaves_existing_alone() {
                    assert_eq!(decision.outcome, Outcome::Unchanged, "{d:?} {overwrite:?}");
                    assert!(!m.changed);
                    assert!(
                        decision.reason.contains("the destination has its own X"),
                        "{}",
                        decision.reason
                    );
                } else {
                    assert_eq!(decision.outcome, Outcome::Add, "{d:?} {mode:?} {overwrite:?}");
                    assert_eq!(m.document["Variables"].as_array().unwrap().len(), 2);
                }
            }
        }
    }
}

#[test]
fn roles_are_free_text_kept_as_written() {
    let source = set(
        "src",
        vec![text(
            "X",
            "v",
            json!({"Role": ["web-server"], "Environment": ["Environments-1"]}),
        )],
        json!({"Environments": [{"Id": "Environments-1", "Name": "Staging"}], "Roles": [{"Id": "web-server", "Name": "web-server"}]}),
    );
    let destination = set("dst", vec![], staging_production());
    let m = run(&source, &destination, VariableRules::default());
    assert_eq!(table(&m), ["X = v (Environment: Staging; Role: web-server)"]);
    // A role differing only in case is the same role: the row is matched, not added.
    let destination = set(
        "dst",
        vec![text(
            "X",
            "v",
            json!({"Role": ["Web-Server"], "Environment": ["Environments-11"]}),
        )],
        staging_production(),
    );
    assert!(!run(&source, &destination, VariableRules::default()).changed);
}

#[test]
fn a_scope_octosync_does_not_translate_is_never_copied_across() {
    let source = set("src", vec![text("X", "v", json!({"Tenant": ["Tenants-1"]}))], json!({}));
    let m = run(&source, &set("dst", vec![], json!({})), VariableRules::default());
    assert!(!m.changed);
    let d = about_source(&m, 0);
    assert_eq!(d.outcome, Outcome::Skip);
    assert!(d.reason.starts_with("scoped to Tenant"), "{}", d.reason);
}

#[test]
fn a_runbook_and_a_step_match_by_name_only_within_their_own_kind() {
    let source = set(
        "src",
        vec![
            text("A", "1", json!({"ProcessOwner": ["Runbooks-1"]})),
            text("B", "2", json!({"Action": ["act-1"]})),
        ],
        json!({"Processes": [{"Id": "Runbooks-1", "Name": "Deploy", "ProcessType": "Runbook"}],
               "Actions": [{"Id": "act-1", "Name": "Run script"}]}),
    );
    let destination = set(
        "dst",
        vec![],
        json!({"Processes": [{"Id": "Projects-9", "Name": "Deploy", "ProcessType": "Deployment"}],
               "Actions": [{"Id": "act-7", "Name": "Run script"}, {"Id": "act-8", "Name": "run script"}]}),
    );
    let m = run(&source, &destination, VariableRules::default());
    assert!(!m.changed, "{:?}", table(&m));
    assert!(about_source(&m, 0).reason.contains("'Deploy' not found"));
    assert!(
        about_source(&m, 1)
            .reason
            .contains("'Run script (2 on the destination share that name)' not found"),
        "{}",
        about_source(&m, 1).reason
    );
}
