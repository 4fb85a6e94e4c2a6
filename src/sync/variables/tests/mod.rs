//! Tests of the variable engine, on variable-set documents as the API returns them.

use super::scope::{Scope, ScopeValues};
use super::*;
use crate::rules::{VariableOverwrite, VariableRules};
use crate::scope::MatchPolicy;
use crate::snapshot::Snapshot;
use crate::translate::Translator;
use serde_json::{json, Value};

mod modes;
mod order;
mod overwrite;
mod render;
mod seed003;
mod sensitive;
mod traps;
mod typed;

/// The set every test merges into.
pub(super) const OWNER: Owner<'static> = Owner {
    kind: "Library variable set",
    name: "OctoFX",
};

/// A text variable.
pub(super) fn text(name: &str, value: &str, scope: Value) -> Value {
    json!({"Name": name, "Value": value, "Type": "String", "IsSensitive": false, "Scope": scope,
           "Description": null, "Prompt": null, "IsEditable": true})
}

/// A sensitive variable as the API returns it: no value.
pub(super) fn secret(name: &str, scope: Value) -> Value {
    json!({"Name": name, "Value": null, "Type": "Sensitive", "IsSensitive": true, "Scope": scope,
           "Description": null, "Prompt": null, "IsEditable": true})
}

/// A variable set of `rows` (each given an `Id` unless it has one) with `scope_values`.
pub(super) fn set(owner: &str, rows: Vec<Value>, scope_values: Value) -> Value {
    let rows: Vec<Value> = rows
        .into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            if r.get("Id").is_none() {
                r["Id"] = json!(format!("{owner}-{i}"));
            }
            r
        })
        .collect();
    json!({"Id": format!("variableset-{owner}"), "OwnerId": owner, "Version": 7,
           "Variables": rows, "ScopeValues": scope_values, "SpaceId": "Spaces-1"})
}

/// Rules with `overwrite` and SpaceCloner's default modes.
pub(super) fn rules(overwrite: VariableOverwrite) -> VariableRules {
    VariableRules {
        overwrite,
        ..VariableRules::default()
    }
}

/// Merges with a translator over empty spaces (no typed values).
pub(super) fn run(source: &Value, destination: &Value, rules: VariableRules) -> Merge {
    let empty = Snapshot::default();
    merge(source, destination, &Translator::new(&empty, &empty), &rules, OWNER)
}

/// The merged rows as a reviewer reads them: `Name = value (scope)`, scope ids named from the
/// destination's `ScopeValues`.
pub(super) fn table(m: &Merge) -> Vec<String> {
    rows_of(&m.document)
}

/// The rows of a set as [`table`] shows them.
pub(super) fn rows_of(set: &Value) -> Vec<String> {
    let values = ScopeValues::of(set);
    set["Variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let value = match &r["Value"] {
                Value::String(s) => s.clone(),
                Value::Null => "null".into(),
                other => other.to_string(),
            };
            format!(
                "{} = {value} ({})",
                r["Name"].as_str().unwrap(),
                Scope::of(r).describe(&values)
            )
        })
        .collect()
}

/// The destination after the server stored `m`'s document: new rows get ids, sensitive values are
/// never returned. What the next run reads.
pub(super) fn stored(m: &Merge) -> Value {
    let mut doc = m.document.clone();
    for (i, row) in doc["Variables"].as_array_mut().unwrap().iter_mut().enumerate() {
        if row.get("Id").is_none_or(Value::is_null) {
            row["Id"] = json!(format!("stored-{i}"));
        }
        if row["IsSensitive"] == json!(true) {
            row["Value"] = Value::Null;
        }
    }
    doc
}

/// The decisions about source row `i`.
pub(super) fn about_source(m: &Merge, i: usize) -> &RowDecision {
    m.decisions
        .iter()
        .find(|d| d.sources.contains(&i))
        .unwrap_or_else(|| panic!("no decision about source row {i}: {:#?}", m.decisions))
}

/// Asserts that running again against what was stored writes nothing.
pub(super) fn assert_settles(source: &Value, m: &Merge, rules: VariableRules) {
    let again = run(source, &stored(m), rules);
    assert!(
        !again.changed,
        "a second run still changes {:?}",
        again.lines(&Snapshot::default())
    );
    assert!(again.write().is_none());
}

/// The seed's destination lookup tables: Staging and Production, no roles yet.
pub(super) fn staging_production() -> Value {
    json!({"Environments": [{"Id": "Environments-11", "Name": "Staging"}, {"Id": "Environments-12", "Name": "Production"}],
           "Roles": [], "Machines": [], "Channels": [], "Actions": [], "TenantTags": [], "Processes": []})
}

#[test]
fn a_set_that_already_matches_writes_nothing() {
    let values = staging_production();
    let rows = vec![
        text("Url", "https://a", json!({"Environment": ["Environments-11"]})),
        text("Url", "https://b", json!({"Environment": ["Environments-12"]})),
        secret("Password", json!({})),
    ];
    let source = set("src", rows.clone(), values.clone());
    let destination = set("dst", rows, values);
    for overwrite in [
        VariableOverwrite::LeaveExisting,
        VariableOverwrite::Overwrite,
        VariableOverwrite::AddNewWithDefaultValue,
    ] {
        let m = run(&source, &destination, rules(overwrite));
        assert!(!m.changed, "{overwrite:?}: {:?}", m.decisions);
        assert!(m.write().is_none());
        assert_eq!(m.document, destination, "the destination's own document, untouched");
        assert!(m.cleanup.is_empty() && m.warnings.is_empty() && m.fatal.is_empty());
        assert!(m
            .decisions
            .iter()
            .all(|d| d.outcome == Outcome::Unchanged && d.destination.is_some()));
    }
}

#[test]
fn destination_only_values_are_kept_and_said_so() {
    let values = staging_production();
    let source = set("src", vec![text("A", "1", json!({}))], values.clone());
    let destination = set(
        "dst",
        vec![
            text("Local", "mine", json!({})),
            text("A", "1", json!({"Environment": ["Environments-12"]})),
        ],
        values,
    );
    let m = run(&source, &destination, rules(VariableOverwrite::LeaveExisting));
    assert_eq!(
        table(&m),
        [
            "Local = mine (unscoped)",
            "A = 1 (Environment: Production)",
            "A = 1 (unscoped)"
        ]
    );
    let kept: Vec<&str> = m
        .decisions
        .iter()
        .filter(|d| d.outcome == Outcome::Keep)
        .map(|d| d.label.as_str())
        .collect();
    assert_eq!(kept, ["Local (unscoped)", "A (Environment: Production)"]);
    // Matched rows keep their ids; the new row has none for the server to assign.
    let vars = m.document["Variables"].as_array().unwrap();
    assert_eq!(vars[0]["Id"], "dst-0");
    assert_eq!(vars[1]["Id"], "dst-1");
    assert!(vars[2].get("Id").is_none());
}

#[test]
fn a_fatal_mode_leaves_nothing_to_write() {
    let source = set(
        "src",
        vec![
            text("New", "x", json!({})),
            text("Db", "y", json!({"Environment": ["Environments-1"]})),
        ],
        json!({"Environments": [{"Id": "Environments-1", "Name": "Development"}]}),
    );
    let destination = set("dst", vec![], staging_production());
    let strict = VariableRules {
        environments: MatchPolicy::ErrorUnlessExactMatch,
        ..VariableRules::default()
    };
    let m = run(&source, &destination, strict);
    assert!(m.changed, "the new row is planned");
    assert!(m.write().is_none(), "but nothing is written while a mode says stop");
    assert_eq!(
        m.fatal,
        ["library variable set 'OctoFX': variable Db (Environment: Development): its environments: 'Development' not found on the destination (OCTOSYNC_VARIABLE_ENVIRONMENT_MATCH=ErrorUnlessExactMatch)"]
    );
    assert_eq!(about_source(&m, 1).outcome, Outcome::Error);
}
