use super::*;
use crate::kind::Kind;
use crate::report::{to_json, to_markdown, Action, Change};
use serde_json::json;

fn destination() -> Snapshot {
    Snapshot::from_docs([(
        Kind::Environment,
        vec![
            json!({"Id": "Environments-31", "Name": "Staging"}),
            json!({"Id": "Environments-32", "Name": "Production"}),
            json!({"Id": "Environments-planned-Test", "Name": "Test"}),
        ],
    )])
}

/// `path op before → after` per entry, for compact assertions.
fn lines(d: &DocumentDiff) -> Vec<String> {
    d.entries
        .iter()
        .map(|e| {
            format!(
                "{} {:?} {} → {}",
                e.path,
                e.op,
                e.before.as_deref().unwrap_or("∅"),
                e.after.as_deref().unwrap_or("∅")
            )
        })
        .collect()
}

#[test]
fn phases_are_compared_by_name_with_their_environments_named() {
    let before = json!({"Id": "Lifecycles-9", "Name": "Release", "Phases": [
        {"Id": "d1", "Name": "Stage", "AutomaticDeploymentTargets": ["Environments-31"], "OptionalDeploymentTargets": [], "IsOptionalPhase": false},
        {"Id": "d2", "Name": "Hotfix", "AutomaticDeploymentTargets": ["Environments-32"], "OptionalDeploymentTargets": null}]});
    let after = json!({"Id": "Lifecycles-9", "Name": "Release", "Phases": [
        {"Id": "d1", "Name": "Stage", "AutomaticDeploymentTargets": ["Environments-31", "Environments-32"], "OptionalDeploymentTargets": null, "IsOptionalPhase": true},
        {"Name": "Prod", "AutomaticDeploymentTargets": ["Environments-planned-Test"]}]});
    let d = diff(&before, &after, &destination());
    assert_eq!(
        lines(&d),
        [
            "Phases[Stage].AutomaticDeploymentTargets Changed [Staging (Environments-31)] → [Staging (Environments-31), Production (Environments-32)]",
            "Phases[Stage].IsOptionalPhase Changed false → true",
            "Phases[Prod] Added ∅ → {Name: \"Prod\", AutomaticDeploymentTargets: [(new) Test]}",
            "Phases[Hotfix] Removed {Name: \"Hotfix\", AutomaticDeploymentTargets: [Production (Environments-32)], Id: \"d2\"} → ∅",
        ]
    );
    assert_eq!(d.fields, ["Phases"]);
}

#[test]
fn a_tag_set_update_shows_tags_by_name_and_their_new_order() {
    let before = json!({"Name": "Region", "Description": "", "Tags": [
        {"Id": "TagSets-9/Tags-40", "Name": "APAC", "Color": "#999999", "SortOrder": 0},
        {"Id": "TagSets-9/Tags-41", "Name": "EU", "Color": "#000000", "SortOrder": 1}]});
    let after = json!({"Name": "Region", "Description": "Where tenants run", "Tags": [
        {"Id": "TagSets-9/Tags-41", "Name": "EU", "Color": "#111111", "SortOrder": 0},
        {"Name": "US", "Color": "#222222", "SortOrder": 1},
        {"Id": "TagSets-9/Tags-40", "Name": "APAC", "Color": "#999999", "SortOrder": 2}]});
    let d = diff(&before, &after, &Snapshot::default());
    assert_eq!(
        lines(&d),
        [
            "Description Added ∅ → \"Where tenants run\"",
            "Tags[EU].Color Changed \"#000000\" → \"#111111\"",
            "Tags[EU].SortOrder Changed 1 → 0",
            "Tags[US] Added ∅ → {Name: \"US\", Color: \"#222222\", SortOrder: 1}",
            "Tags[APAC].SortOrder Changed 0 → 2",
            "Tags Reordered [APAC, EU] → [EU, US, APAC]",
        ]
    );
    assert_eq!(d.fields, ["Description", "Tags"]);
}

#[test]
fn ids_in_a_diff_are_shown_as_destination_names() {
    let d = diff(
        &json!({"LifecycleId": "Environments-31", "EnvironmentIds": ["Environments-31"]}),
        &json!({"LifecycleId": "Environments-32", "EnvironmentIds": ["Environments-31", "Environments-planned-Test"]}),
        &destination(),
    );
    assert_eq!(
        lines(&d),
        [
            "EnvironmentIds Changed [Staging (Environments-31)] → [Staging (Environments-31), (new) Test]",
            "LifecycleId Changed Staging (Environments-31) → Production (Environments-32)",
        ]
    );
}

#[test]
fn empty_null_and_missing_never_show_as_a_change() {
    let before = json!({"Description": null, "Scopes": [], "Tags": [{"Name": "EU", "Description": ""}]});
    let after = json!({"Description": "", "Tags": [{"Name": "EU", "Description": null, "Color": null}], "Extra": []});
    assert!(diff(&before, &after, &Snapshot::default()).entries.is_empty());
}

#[test]
fn a_diff_is_empty_exactly_when_the_documents_are_equivalent() {
    let values = [
        json!(null),
        json!(""),
        json!([]),
        json!("a"),
        json!(1),
        json!({}),
        json!({"A": null}),
        json!({"A": 1}),
        json!(["a", "b"]),
        json!(["b", "a"]),
        json!([{"Name": "x", "V": 1}, {"Name": "y"}]),
        json!([{"Name": "y"}, {"Name": "x", "V": 1}]),
        json!([{"Name": "x", "V": 2}]),
        json!([{"V": 1}, {"V": 2}]),
        json!([{"V": 2}, {"V": 1}]),
        json!([{"Name": "x"}, {"Name": "X"}]),
        json!([{"Name": "X"}, {"Name": "x"}]),
        json!({"HasValue": true, "NewValue": null}),
        json!({"HasValue": false, "NewValue": null}),
        json!("1\n2\n3\n4"),
        json!("1\n2\n3\n5"),
    ];
    for b in &values {
        for a in &values {
            let (before, after) = (json!({"F": b}), json!({"F": a}));
            let d = diff(&before, &after, &Snapshot::default());
            assert_eq!(
                d.entries.is_empty(),
                equivalent(&before, &after),
                "{before} → {after}: {:?}",
                d.entries
            );
            assert_eq!(d.fields.is_empty(), d.entries.is_empty());
        }
    }
}

#[test]
fn elements_without_distinct_names_are_addressed_by_index() {
    let d = diff(
        &json!({"Rules": [{"Kind": "a"}, {"Kind": "b"}]}),
        &json!({"Rules": [{"Kind": "a"}, {"Kind": "c"}, {"Kind": "d"}]}),
        &Snapshot::default(),
    );
    assert_eq!(
        lines(&d),
        [
            "Rules[1].Kind Changed \"b\" → \"c\"",
            "Rules[2] Added ∅ → {Kind: \"d\"}"
        ]
    );
}

#[test]
fn keys_that_are_not_plain_words_are_quoted_in_paths() {
    let d = diff(
        &json!({"Properties": {"Octopus.Action.RunOnServer": "false"}}),
        &json!({"Properties": {"Octopus.Action.RunOnServer": "true"}}),
        &Snapshot::default(),
    );
    assert_eq!(
        lines(&d),
        ["Properties[\"Octopus.Action.RunOnServer\"] Changed \"false\" → \"true\""]
    );
}

#[test]
fn long_text_shows_as_a_short_line_diff() {
    let before = "#!/bin/bash\nset -e\necho deploying\nrestart web\nexit 0";
    let after = "#!/bin/bash\nset -e\necho deploying\nrestart web api\nexit 0";
    let d = diff(
        &json!({"ScriptBody": before}),
        &json!({"ScriptBody": after}),
        &Snapshot::default(),
    );
    let entry = &d.entries[0];
    assert_eq!(entry.path, "ScriptBody");
    assert_eq!(entry.before.as_deref(), Some("\"#!/bin/bash…\" (5 lines)"));
    assert_eq!(entry.after.as_deref(), Some("\"#!/bin/bash…\" (5 lines)"));
    assert_eq!(
        entry.lines,
        ["  echo deploying", "- restart web", "+ restart web api", "  exit 0"]
    );
}

#[test]
fn a_create_lists_its_non_empty_fields_as_added() {
    let body = json!({"Name": "Release", "Description": "", "Phases": [
        {"Name": "Stage", "AutomaticDeploymentTargets": ["Environments-31"], "OptionalDeploymentTargets": []}]});
    let d = diff(&json!({}), &body, &destination());
    assert_eq!(
        lines(&d),
        [
            "Name Added ∅ → \"Release\"",
            "Phases[Stage] Added ∅ → {Name: \"Stage\", AutomaticDeploymentTargets: [Staging (Environments-31)]}",
        ]
    );
}

/// Documents holding every form of secret, each value a canary that must never be shown.
fn canary_documents() -> (Value, Value) {
    let before = json!({
        "Name": "Nexus",
        "Password": {"HasValue": true, "NewValue": null},
        "Token": "CANARY-TOKEN-BEFORE",
        "SecretKey": "CANARY-SECRETKEY-BEFORE",
        "Authentication": {"ClientSecret": "CANARY-CLIENTSECRET-BEFORE", "ApiKey": "CANARY-APIKEY"},
        "Variables": [{"Name": "Db", "Value": "CANARY-VARIABLE-BEFORE", "IsSensitive": true}],
        "Properties": {"Octopus.Action.Azure.Password": "CANARY-PROPERTY-BEFORE"},
        "Parameters": [{"DefaultValue": {"HasValue": true, "NewValue": "CANARY-PARAM-BEFORE"}}],
        "PrivateKeyFile": "CANARY-LONG-BEFORE\nline\nline\nline\nline",
    });
    let after = json!({
        "Name": "Nexus",
        "Password": {"HasValue": true, "NewValue": "CANARY-PASSWORD-AFTER"},
        "Token": "CANARY-TOKEN-AFTER",
        "SecretKey": null,
        "Authentication": {"ClientSecret": "CANARY-CLIENTSECRET-AFTER"},
        "Variables": [
            {"Name": "Db", "Value": "CANARY-VARIABLE-AFTER", "IsSensitive": true},
            {"Name": "Key", "Value": "CANARY-NEW-VARIABLE", "Type": "Sensitive"}],
        "Properties": {"Octopus.Action.Azure.Password": "CANARY-PROPERTY-AFTER"},
        "Parameters": [{"DefaultValue": {"HasValue": true, "NewValue": "CANARY-PARAM-AFTER"}},
                       {"DefaultValue": {"HasValue": true, "NewValue": "CANARY-PARAM-NEW"}, "Label": "new"}],
        "PrivateKeyFile": "CANARY-LONG-AFTER\nline\nline\nline\nline",
        "Accounts": [{"Name": "Azure", "Password": "CANARY-ADDED-ELEMENT", "Token": {"HasValue": true}}],
    });
    (before, after)
}

#[test]
fn a_sensitive_value_never_appears_in_a_diff() {
    let (before, after) = canary_documents();
    let update = diff(&before, &after, &Snapshot::default());
    let create = diff(&json!({}), &after, &Snapshot::default());
    // Every secret that changed is said to change, without its value.
    let shown = lines(&update);
    for expected in [
        "Password Changed (sensitive) → (sensitive value changed)",
        "Token Changed (sensitive) → (sensitive value changed)",
        "SecretKey Removed (sensitive) → ∅",
        "Authentication.ClientSecret Changed (sensitive) → (sensitive value changed)",
        "Authentication.ApiKey Removed (sensitive) → ∅",
        "Variables[Db].Value Changed (sensitive) → (sensitive value changed)",
        "Properties[\"Octopus.Action.Azure.Password\"] Changed (sensitive) → (sensitive value changed)",
        "Parameters[0].DefaultValue Changed (sensitive) → (sensitive value changed)",
        "PrivateKeyFile Changed (sensitive) → (sensitive value changed)",
    ] {
        assert!(shown.iter().any(|l| l == expected), "missing {expected}: {shown:#?}");
    }

    let mut report = crate::report::tests::sample_report();
    for (action, d) in [(Action::Update, update), (Action::Create, create)] {
        report.changes.push(Change {
            kind: "Feed".into(),
            name: "Nexus".into(),
            action,
            reason: "test".into(),
            changed_fields: d.fields,
            warnings: vec![],
            diff: d.entries,
            notes: vec![],
            destination_id: None,
            error: None,
        });
    }
    let json = to_json(&report).unwrap();
    let markdown = to_markdown(&report);
    assert!(json.contains("(sensitive value changed)") && markdown.contains("(sensitive value changed)"));
    assert!(!json.contains("CANARY"), "{json}");
    assert!(!markdown.contains("CANARY"), "{markdown}");
}
