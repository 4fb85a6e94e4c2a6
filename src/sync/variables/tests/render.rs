//! The plan's view of a merge: each row added or changed, before → after, scopes named, sensitive
//! values never shown.

use super::*;
use crate::kind::Kind;

#[test]
fn the_plan_shows_each_added_or_changed_row_with_its_scope_named() {
    let values = json!({"Environments": [{"Id": "Environments-1", "Name": "Staging"}]});
    let source = set(
        "src",
        vec![
            text("Url", "https://new", json!({"Environment": ["Environments-1"]})),
            text("Conn", "x", json!({"Role": ["sql"]})),
            text("Added", "hello", json!({})),
        ],
        values,
    );
    let destination = set(
        "dst",
        vec![
            text("Url", "https://old", json!({"Environment": ["Environments-11"]})),
            text("Conn", "x", json!({})),
            text("Untouched", "same", json!({})),
        ],
        staging_production(),
    );
    let m = run(&source, &destination, rules(VariableOverwrite::Overwrite));
    assert_eq!(
        m.lines(&Snapshot::default()),
        [
            "~ Variables[Url (Environment: Staging)].Value: \"https://old\" → \"https://new\"",
            "+ Variables[Conn (unscoped)].Scope.Role: [\"sql\"]",
            "+ Variables[Added (unscoped)]: {Value: \"hello\", Scope: {}}",
        ]
    );
    let diff = m.diff(&Snapshot::default());
    assert_eq!(diff[0].before.as_deref(), Some("\"https://old\""));
}

#[test]
fn sensitive_values_never_show_in_the_plan() {
    let values = staging_production();
    // A server that did return a secret must not leak it either.
    let mut leaked = secret("Db.Password", json!({}));
    leaked["Value"] = json!("CANARY-destination");
    leaked["Description"] = json!("old");
    let mut src = secret("Db.Password", json!({}));
    src["Value"] = json!("CANARY-source");
    src["Description"] = json!("new");
    let mut new_secret = secret("Api.Key", json!({}));
    new_secret["Value"] = json!("CANARY-new");
    let source = set("src", vec![src, new_secret], values.clone());
    let destination = set("dst", vec![leaked], values);
    let m = run(&source, &destination, rules(VariableOverwrite::Overwrite));
    let lines = m.lines(&Snapshot::default()).join("\n");
    assert!(!lines.contains("CANARY"), "{lines}");
    assert!(!lines.contains(crate::sync::placeholder::SECRET_PLACEHOLDER), "{lines}");
    assert!(
        lines.contains("~ Variables[Db.Password (unscoped)].Description: \"old\" → \"new\""),
        "{lines}"
    );
    assert!(
        lines.contains("+ Variables[Api.Key (unscoped)]: {Value: (sensitive), Scope: {}, Type: \"Sensitive\"}"),
        "{lines}"
    );
    let everything = format!(
        "{:?}{:?}{:?}",
        m.decisions
            .iter()
            .map(|d| (&d.reason, &d.warnings, &d.notes))
            .collect::<Vec<_>>(),
        m.cleanup,
        m.warnings
    );
    assert!(!everything.contains("CANARY"), "{everything}");
}

#[test]
fn typed_values_show_as_the_destinations_item_names() {
    let src_space = Snapshot::from_docs([(Kind::WorkerPool, vec![json!({"Id": "WorkerPools-1", "Name": "Linux"})])]);
    let dst_space = Snapshot::from_docs([(Kind::WorkerPool, vec![json!({"Id": "WorkerPools-51", "Name": "Linux"})])]);
    let source = set(
        "src",
        vec![json!({"Name": "Pool", "Value": "WorkerPools-1", "Type": "WorkerPool", "Scope": {}})],
        json!({}),
    );
    let m = merge(
        &source,
        &set("dst", vec![], json!({})),
        &Translator::new(&src_space, &dst_space),
        &VariableRules::default(),
        OWNER,
    );
    assert_eq!(
        m.lines(&dst_space),
        ["+ Variables[Pool (unscoped)]: {Value: Linux (WorkerPools-51), Scope: {}, Type: \"WorkerPool\"}"]
    );
}
