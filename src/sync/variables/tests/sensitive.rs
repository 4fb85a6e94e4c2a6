//! Sensitive values: never copied, never overwritten, never shown.

use super::*;
use crate::sync::placeholder::SECRET_PLACEHOLDER;

#[test]
fn a_new_sensitive_value_gets_the_placeholder_and_a_clean_up_entry() {
    let values = staging_production();
    let source = set(
        "src",
        vec![secret("Db.Password", json!({"Environment": ["Environments-11"]}))],
        values.clone(),
    );
    for overwrite in [
        VariableOverwrite::LeaveExisting,
        VariableOverwrite::Overwrite,
        VariableOverwrite::AddNewWithDefaultValue,
    ] {
        let m = run(&source, &set("dst", vec![], values.clone()), rules(overwrite));
        assert_eq!(
            table(&m),
            [format!("Db.Password = {SECRET_PLACEHOLDER} (Environment: Staging)")]
        );
        assert_eq!(m.document["Variables"][0]["IsSensitive"], true);
        assert_eq!(m.cleanup.len(), 1);
        assert_eq!(
            m.cleanup[0].action,
            format!("variable Db.Password (Environment: Staging): is sensitive and secrets never travel: added with the placeholder '{SECRET_PLACEHOLDER}'; enter the real value on the destination")
        );
        assert_settles(&source, &m, rules(overwrite));
    }
}

#[test]
fn a_destination_sensitive_value_is_never_overwritten_even_when_overwriting() {
    let values = staging_production();
    let mut src_row = secret("Db.Password", json!({}));
    src_row["Description"] = json!("rotated monthly");
    let source = set("src", vec![src_row], values.clone());
    let destination = set("dst", vec![secret("Db.Password", json!({}))], values);
    let m = run(&source, &destination, rules(VariableOverwrite::LeaveExisting));
    assert!(!m.changed);
    let m = run(&source, &destination, rules(VariableOverwrite::Overwrite));
    let row = &m.document["Variables"][0];
    // Its id and a null value: the server keeps the stored secret (reference §3).
    assert_eq!(row["Id"], "dst-0");
    assert_eq!(row["Value"], Value::Null);
    assert_eq!(row["Description"], "rotated monthly");
    assert!(m.cleanup.is_empty());
    let d = about_source(&m, 0);
    assert_eq!(d.outcome, Outcome::Update);
    assert!(d.notes.iter().any(|n| n.contains("never overwritten")), "{:?}", d.notes);
}

#[test]
fn sensitive_values_whose_scopes_translate_alike_become_one_placeholder_row_and_settle() {
    let source = set(
        "src",
        vec![
            secret("Api.Key", json!({"Environment": ["Environments-1"]})),
            secret("Api.Key", json!({"Environment": ["Environments-2"]})),
        ],
        json!({"Environments": [{"Id": "Environments-1", "Name": "Development"}, {"Id": "Environments-2", "Name": "Test"}]}),
    );
    let rules = VariableRules {
        environments: MatchPolicy::IgnoreMismatch,
        ..VariableRules::default()
    };
    let m = run(&source, &set("dst", vec![], staging_production()), rules);
    assert_eq!(table(&m), [format!("Api.Key = {SECRET_PLACEHOLDER} (unscoped)")]);
    assert_eq!(about_source(&m, 0).sources, [0, 1]);
    assert_eq!(m.cleanup.len(), 1);
    assert_settles(&source, &m, rules);
}
