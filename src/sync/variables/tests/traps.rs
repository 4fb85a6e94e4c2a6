//! SpaceCloner's variable traps (`spacecloner.md` §3.2, §7.3), each shown fixed.

use super::*;

fn envs() -> Value {
    json!({"Environments": [{"Id": "Environments-1", "Name": "Staging"}, {"Id": "Environments-2", "Name": "Production"}]})
}

fn dest_envs() -> Value {
    staging_production()
}

/// SpaceCloner's `ValueMatch`: the second row "matches" the first by value and overwrites its
/// scope, leaving one row with the last scope.
#[test]
fn one_value_under_two_scopes_stays_two_rows() {
    let source = set(
        "src",
        vec![
            text("FeatureFlag", "on", json!({"Environment": ["Environments-1"]})),
            text("FeatureFlag", "on", json!({"Environment": ["Environments-2"]})),
        ],
        envs(),
    );
    for overwrite in [VariableOverwrite::LeaveExisting, VariableOverwrite::Overwrite] {
        // Into an empty set: both rows.
        let m = run(&source, &set("dst", vec![], dest_envs()), rules(overwrite));
        assert_eq!(
            table(&m),
            [
                "FeatureFlag = on (Environment: Staging)",
                "FeatureFlag = on (Environment: Production)"
            ],
            "{overwrite:?}"
        );
        // Into a set that has the Staging row: it stays as it is, Production is added.
        let destination = set(
            "dst",
            vec![text("FeatureFlag", "on", json!({"Environment": ["Environments-11"]}))],
            dest_envs(),
        );
        let m = run(&source, &destination, rules(overwrite));
        assert_eq!(
            table(&m),
            [
                "FeatureFlag = on (Environment: Staging)",
                "FeatureFlag = on (Environment: Production)"
            ],
            "{overwrite:?}"
        );
        assert_eq!(about_source(&m, 0).outcome, Outcome::Unchanged);
        assert_eq!(about_source(&m, 1).outcome, Outcome::Add);
    }
    // Into a set with the value unscoped: neither source row can claim it alone, so even under
    // True it keeps its scope and both scoped rows are added.
    let destination = set("dst", vec![text("FeatureFlag", "on", json!({}))], dest_envs());
    let m = run(&source, &destination, rules(VariableOverwrite::Overwrite));
    assert_eq!(
        table(&m),
        [
            "FeatureFlag = on (unscoped)",
            "FeatureFlag = on (Environment: Staging)",
            "FeatureFlag = on (Environment: Production)"
        ]
    );
}

fn tagged_source(tags: &[&str]) -> Value {
    set(
        "src",
        vec![text("Region.Endpoint", "https://eu", json!({"TenantTag": tags}))],
        json!({"TenantTags": [{"Id": "Region/EU", "Name": "Region/EU"}, {"Id": "Region/US", "Name": "Region/US"}]}),
    )
}

fn tag_destination(tags: &[&str]) -> Value {
    let listed: Vec<Value> = tags.iter().map(|t| json!({"Id": t, "Name": t})).collect();
    set("dst", vec![], json!({"TenantTags": listed}))
}

/// SpaceCloner checks the wrong variable after translating tenant tags, so a value whose tags all
/// vanish is added with no tag scope: every tenant gets it.
#[test]
fn a_tenant_tag_scope_the_destination_lacks_is_never_widened_silently() {
    // By default the value is not added at all.
    let m = run(
        &tagged_source(&["Region/EU"]),
        &tag_destination(&[]),
        VariableRules::default(),
    );
    assert!(!m.changed);
    let d = about_source(&m, 0);
    assert_eq!(d.outcome, Outcome::Skip);
    assert_eq!(
        d.reason,
        "its tenant tags: 'Region/EU' not found on the destination (OCTOSYNC_VARIABLE_TENANT_TAG_MATCH=SkipUnlessPartialMatch)"
    );
    assert!(
        m.warnings[0].contains("rather than synced with another scope"),
        "{:?}",
        m.warnings
    );

    // A partial match keeps the tags the destination has, and says which were dropped.
    let m = run(
        &tagged_source(&["Region/EU", "Region/US"]),
        &tag_destination(&["region/eu"]),
        VariableRules::default(),
    );
    assert_eq!(table(&m), ["Region.Endpoint = https://eu (TenantTag: region/eu)"]);
    assert_eq!(
        m.warnings,
        ["variable Region.Endpoint (TenantTag: Region/EU, Region/US): tenant tags 'Region/US' not on the destination, left out of its scope (OCTOSYNC_VARIABLE_TENANT_TAG_MATCH=SkipUnlessPartialMatch)"]
    );

    // Only IgnoreMismatch widens it, and then with a warning naming the setting.
    let ignore = VariableRules {
        tenant_tags: MatchPolicy::IgnoreMismatch,
        ..VariableRules::default()
    };
    let m = run(&tagged_source(&["Region/EU"]), &tag_destination(&[]), ignore);
    assert_eq!(table(&m), ["Region.Endpoint = https://eu (unscoped)"]);
    assert_eq!(
        m.warnings,
        ["variable Region.Endpoint (TenantTag: Region/EU): none of its tenant tags exist on the destination, so it has no TenantTag scope there and applies to every one of them (OCTOSYNC_VARIABLE_TENANT_TAG_MATCH=IgnoreMismatch)"]
    );
}

/// SpaceCloner's stale `$NewMachineIds`: a row skipped for its machines could skip the next row.
#[test]
fn a_row_skipped_for_its_targets_never_affects_another_row() {
    let values = json!({"Machines": [{"Id": "Machines-1", "Name": "web-01"}],
                        "TenantTags": [{"Id": "Region/EU", "Name": "Region/EU"}]});
    let skipped = text("Pool", "a", json!({"Machine": ["Machines-1"]}));
    let kept = text("Endpoint", "b", json!({"TenantTag": ["Region/EU"]}));
    let destination = set(
        "dst",
        vec![],
        json!({"Machines": [], "TenantTags": [{"Id": "Region/EU", "Name": "Region/EU"}]}),
    );
    for rows in [vec![skipped.clone(), kept.clone()], vec![kept, skipped]] {
        let m = run(
            &set("src", rows, values.clone()),
            &destination,
            VariableRules::default(),
        );
        assert_eq!(table(&m), ["Endpoint = b (TenantTag: Region/EU)"]);
    }
}

/// SpaceCloner matches by sensitivity too, so a value made sensitive is added next to the old one:
/// two values for one scope, and a deployment picks either.
#[test]
fn a_value_whose_sensitivity_changed_is_not_added_next_to_the_old_one() {
    let values = dest_envs();
    let cases = [
        (
            secret("Api.Key", json!({})),
            text("Api.Key", "plain", json!({})),
            "sensitive",
            "a String value",
        ),
        (
            text("Api.Key", "plain", json!({})),
            secret("Api.Key", json!({})),
            "a String value",
            "sensitive",
        ),
    ];
    for (src_row, dst_row, ours, theirs) in cases {
        for overwrite in [VariableOverwrite::LeaveExisting, VariableOverwrite::Overwrite] {
            let destination = set("dst", vec![dst_row.clone()], values.clone());
            let m = run(
                &set("src", vec![src_row.clone()], values.clone()),
                &destination,
                rules(overwrite),
            );
            assert!(!m.changed, "{overwrite:?}: {:?}", m.decisions);
            assert_eq!(m.document, destination);
            let d = about_source(&m, 0);
            assert_eq!(d.outcome, Outcome::Skip);
            assert!(
                d.reason.contains(&format!("as {theirs} and the source's is {ours}")),
                "{}",
                d.reason
            );
            assert_eq!(m.cleanup.len(), 1);
            assert!(m.cleanup[0].action.contains("change the destination's to match"));
        }
    }
    // A type change is the same clash.
    let account =
        json!({"Name": "Cloud", "Value": "Accounts-1", "Type": "AzureAccount", "IsSensitive": false, "Scope": {}});
    let m = run(
        &set("src", vec![account], values.clone()),
        &set("dst", vec![text("Cloud", "name", json!({}))], values),
        VariableRules {
            accounts: MatchPolicy::IgnoreMismatch,
            ..VariableRules::default()
        },
    );
    assert_eq!(about_source(&m, 0).outcome, Outcome::Skip);
    assert!(!m.changed);
}

/// SpaceCloner adds a source row whose scope changed as a new row and keeps the old one (unless the
/// values are equal, when it overwrites the scope whatever the overwrite option says).
#[test]
fn a_source_row_whose_scope_changed_moves_the_destination_row_only_when_overwriting() {
    let source = set(
        "src",
        vec![text(
            "Feature",
            "on",
            json!({"Environment": ["Environments-1", "Environments-2"]}),
        )],
        envs(),
    );
    let destination = set(
        "dst",
        vec![text("Feature", "on", json!({"Environment": ["Environments-11"]}))],
        dest_envs(),
    );
    // True: the row follows, keeps its id, and the widening is said.
    let m = run(&source, &destination, rules(VariableOverwrite::Overwrite));
    assert_eq!(table(&m), ["Feature = on (Environment: Staging, Production)"]);
    let d = about_source(&m, 0);
    assert_eq!(
        (d.outcome, d.destination_id.as_deref()),
        (Outcome::Update, Some("dst-0"))
    );
    assert!(
        d.warnings[0].contains("applies where it did not before"),
        "{:?}",
        d.warnings
    );
    assert_settles(&source, &m, rules(VariableOverwrite::Overwrite));

    // False: nothing the destination has changes; the new scope is a new row.
    let m = run(&source, &destination, rules(VariableOverwrite::LeaveExisting));
    assert_eq!(
        table(&m),
        [
            "Feature = on (Environment: Staging)",
            "Feature = on (Environment: Staging, Production)"
        ]
    );

    // A move between scopes neither of which lies within the other is no scope change octosync
    // can tell from another value: the destination's row stays, the source's is added.
    let source = set(
        "src",
        vec![text("Feature", "on", json!({"Environment": ["Environments-2"]}))],
        envs(),
    );
    let m = run(&source, &destination, rules(VariableOverwrite::Overwrite));
    assert_eq!(
        table(&m),
        [
            "Feature = on (Environment: Staging)",
            "Feature = on (Environment: Production)"
        ]
    );
    assert!(about_source(&m, 0).notes[0].contains("neither scope lies within the other"));
}
