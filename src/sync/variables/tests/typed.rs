//! Account, certificate and worker-pool values: ids translated by name under their own modes.

use super::*;
use crate::kind::Kind;

fn spaces() -> (Snapshot, Snapshot) {
    let source = Snapshot::from_docs([
        (
            Kind::Account,
            vec![
                json!({"Id": "Accounts-1", "Name": "Prod Azure", "AccountType": "AzureServicePrincipal"}),
                json!({"Id": "Accounts-2", "Name": "Legacy", "AccountType": "AzureServicePrincipal"}),
            ],
        ),
        (
            Kind::Certificate,
            vec![json!({"Id": "Certificates-1", "Name": "Wildcard"})],
        ),
        (
            Kind::WorkerPool,
            vec![
                json!({"Id": "WorkerPools-1", "Name": "Linux"}),
                json!({"Id": "WorkerPools-2", "Name": "Windows"}),
            ],
        ),
    ]);
    let destination = Snapshot::from_docs([
        (
            Kind::Account,
            vec![
                json!({"Id": "Accounts-71", "Name": "Prod Azure", "AccountType": "AzureServicePrincipal"}),
                json!({"Id": "Accounts-72", "Name": "Other", "AccountType": "AzureServicePrincipal"}),
            ],
        ),
        (
            Kind::Certificate,
            vec![json!({"Id": "Certificates-31", "Name": "Wildcard"})],
        ),
        (Kind::WorkerPool, vec![json!({"Id": "WorkerPools-51", "Name": "Linux"})]),
    ]);
    (source, destination)
}

fn typed(name: &str, type_name: &str, value: &str) -> Value {
    json!({"Name": name, "Value": value, "Type": type_name, "IsSensitive": false, "Scope": {}})
}

fn run_typed(source: &Value, destination: &Value, rules: VariableRules) -> Merge {
    let (s, d) = spaces();
    merge(source, destination, &Translator::new(&s, &d), &rules, OWNER)
}

#[test]
fn typed_values_name_the_destinations_item_of_the_same_name() {
    let source = set(
        "src",
        vec![
            typed("Azure", "AzureAccount", "Accounts-1"),
            typed("Cert", "Certificate", "Certificates-1"),
            typed("Pool", "WorkerPool", "WorkerPools-1"),
        ],
        json!({}),
    );
    let m = run_typed(&source, &set("dst", vec![], json!({})), VariableRules::default());
    assert_eq!(
        table(&m),
        [
            "Azure = Accounts-71 (unscoped)",
            "Cert = Certificates-31 (unscoped)",
            "Pool = WorkerPools-51 (unscoped)"
        ]
    );
    // Matched against the destination's own id, the next run has nothing to do.
    let again = run_typed(&source, &stored(&m), rules(VariableOverwrite::Overwrite));
    assert!(!again.changed);
}

#[test]
fn a_missing_item_skips_the_value_stops_the_run_or_adds_it_empty_as_its_mode_says() {
    let source = set("src", vec![typed("Azure", "AzureAccount", "Accounts-2")], json!({}));
    let empty = set("dst", vec![], json!({}));
    // SpaceCloner's default for accounts: skip.
    let m = run_typed(&source, &empty, VariableRules::default());
    let d = about_source(&m, 0);
    assert_eq!(d.outcome, Outcome::Skip);
    assert_eq!(
        d.reason,
        "account 'Legacy' not found on the destination (OCTOSYNC_VARIABLE_ACCOUNT_MATCH=SkipUnlessExactMatch)"
    );
    assert!(!m.changed);
    // For one value a partial match is an exact one.
    for mode in [MatchPolicy::ErrorUnlessExactMatch, MatchPolicy::ErrorUnlessPartialMatch] {
        let m = run_typed(
            &source,
            &empty,
            VariableRules {
                accounts: mode,
                ..VariableRules::default()
            },
        );
        assert_eq!(m.fatal.len(), 1, "{mode:?}");
        assert!(m.write().is_none());
    }
    for mode in [
        MatchPolicy::IgnoreMismatch,
        MatchPolicy::IgnoreMismatchOnNewLeaveExistingAlone,
    ] {
        let m = run_typed(
            &source,
            &empty,
            VariableRules {
                accounts: mode,
                ..VariableRules::default()
            },
        );
        assert_eq!(table(&m), ["Azure =  (unscoped)"], "{mode:?}");
        assert_eq!(
            m.cleanup[0].action,
            "variable Azure (unscoped): added without a value: its account 'Legacy' is not on the destination; choose this instance's account"
        );
    }
}

#[test]
fn a_missing_worker_pool_is_skipped_by_default_unlike_spacecloner() {
    let source = set("src", vec![typed("Pool", "WorkerPool", "WorkerPools-2")], json!({}));
    let m = run_typed(&source, &set("dst", vec![], json!({})), VariableRules::default());
    let d = about_source(&m, 0);
    assert_eq!(d.outcome, Outcome::Skip);
    assert!(d
        .reason
        .ends_with("(OCTOSYNC_VARIABLE_WORKER_POOL_MATCH=SkipUnlessPartialMatch)"));
    let source = set("src", vec![typed("Cert", "Certificate", "Certificates-9")], json!({}));
    let m = run_typed(&source, &set("dst", vec![], json!({})), VariableRules::default());
    assert_eq!(
        about_source(&m, 0).outcome,
        Outcome::Skip,
        "an id not in the source space"
    );
}

#[test]
fn overwriting_never_empties_a_typed_value_the_source_cannot_name_here() {
    let source = set("src", vec![typed("Azure", "AzureAccount", "Accounts-2")], json!({}));
    let destination = set("dst", vec![typed("Azure", "AzureAccount", "Accounts-72")], json!({}));
    let rules = VariableRules {
        overwrite: VariableOverwrite::Overwrite,
        accounts: MatchPolicy::IgnoreMismatch,
        ..VariableRules::default()
    };
    let m = run_typed(&source, &destination, rules);
    assert!(!m.changed);
    assert_eq!(
        m.warnings,
        ["variable Azure (unscoped) keeps its own value: the source's account 'Legacy' is not on the destination"]
    );
}

#[test]
fn leave_existing_alone_keeps_an_existing_typed_value_even_when_overwriting() {
    let source = set("src", vec![typed("Azure", "AzureAccount", "Accounts-1")], json!({}));
    let destination = set("dst", vec![typed("Azure", "AzureAccount", "Accounts-72")], json!({}));
    let overwrite = VariableRules {
        overwrite: VariableOverwrite::Overwrite,
        ..VariableRules::default()
    };
    let m = run_typed(&source, &destination, overwrite);
    assert_eq!(table(&m), ["Azure = Accounts-71 (unscoped)"]);
    let m = run_typed(
        &source,
        &destination,
        VariableRules {
            accounts: MatchPolicy::IgnoreMismatchOnNewLeaveExistingAlone,
            ..overwrite
        },
    );
    assert!(!m.changed);
    assert!(about_source(&m, 0).notes[0].contains("keeps its own account"));
}

#[test]
fn add_new_with_default_value_adds_typed_values_empty_for_a_person_to_choose() {
    let source = set("src", vec![typed("Cert", "Certificate", "Certificates-1")], json!({}));
    let m = run_typed(
        &source,
        &set("dst", vec![], json!({})),
        rules(VariableOverwrite::AddNewWithDefaultValue),
    );
    assert_eq!(table(&m), ["Cert =  (unscoped)"]);
    assert!(m.cleanup[0].action.ends_with("choose this instance's certificate"));
}
