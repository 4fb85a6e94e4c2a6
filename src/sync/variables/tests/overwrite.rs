//! `OCTOSYNC_VARIABLE_OVERWRITE`: `False`, `True`, `AddNewWithDefaultValue`; prompts and
//! descriptions travel with values.

use super::*;
use crate::sync::placeholder::SECRET_PLACEHOLDER;

fn prompted(value: &str, label: &str, description: &str) -> Value {
    let mut row = text("Release.Notes", value, json!({}));
    row["Description"] = json!(description);
    row["Prompt"] = json!({"Label": label, "Description": "Shown at deploy time", "Required": true,
                           "DisplaySettings": {"Octopus.ControlType": "MultiLineText"}});
    row
}

fn pair_of_sets() -> (Value, Value) {
    let values = staging_production();
    (
        set(
            "src",
            vec![prompted("new notes", "Notes", "what changed")],
            values.clone(),
        ),
        set("dst", vec![prompted("old notes", "Old label", "")], values),
    )
}

#[test]
fn by_default_a_matched_value_keeps_the_destinations_value_description_and_prompt() {
    let (source, destination) = pair_of_sets();
    for overwrite in [
        VariableOverwrite::LeaveExisting,
        VariableOverwrite::AddNewWithDefaultValue,
    ] {
        let m = run(&source, &destination, rules(overwrite));
        assert!(!m.changed);
        assert_eq!(m.document, destination);
        let d = about_source(&m, 0);
        assert_eq!(d.outcome, Outcome::Unchanged);
        assert_eq!(
            d.reason,
            format!(
                "exists on the destination with another value, description, prompt; left alone (OCTOSYNC_VARIABLE_OVERWRITE={})",
                overwrite.name()
            )
        );
    }
}

#[test]
fn overwrite_gives_a_matched_value_the_sources_value_description_and_prompt_and_keeps_its_id() {
    let (source, destination) = pair_of_sets();
    let m = run(&source, &destination, rules(VariableOverwrite::Overwrite));
    assert!(m.changed);
    let row = &m.document["Variables"][0];
    assert_eq!(row["Id"], "dst-0");
    assert_eq!(row["Value"], "new notes");
    assert_eq!(row["Description"], "what changed");
    assert_eq!(row["Prompt"]["Label"], "Notes");
    let d = about_source(&m, 0);
    assert_eq!(d.outcome, Outcome::Update);
    assert!(
        d.reason
            .ends_with("takes the source's (OCTOSYNC_VARIABLE_OVERWRITE=True)"),
        "{}",
        d.reason
    );
    assert_settles(&source, &m, rules(VariableOverwrite::Overwrite));
    // A source value without a prompt takes the destination's away: the source decides.
    let mut plain = source.clone();
    plain["Variables"][0]["Prompt"] = Value::Null;
    let m = run(&plain, &destination, rules(VariableOverwrite::Overwrite));
    assert_eq!(m.document["Variables"][0]["Prompt"], Value::Null);
}

#[test]
fn a_new_prompted_value_keeps_its_prompt_and_description() {
    let (source, _) = pair_of_sets();
    let m = run(
        &source,
        &set("dst", vec![], staging_production()),
        VariableRules::default(),
    );
    let row = &m.document["Variables"][0];
    assert_eq!(row["Prompt"], source["Variables"][0]["Prompt"]);
    assert_eq!(row["Description"], "what changed");
    assert!(row.get("Id").is_none(), "a new row's id is the server's to give");
}

#[test]
fn add_new_with_default_value_gives_only_new_values_the_placeholder() {
    let values = staging_production();
    let source = set(
        "src",
        vec![text("Existing", "source", json!({})), text("New", "source", json!({}))],
        values.clone(),
    );
    let destination = set("dst", vec![text("Existing", "mine", json!({}))], values);
    let rules = rules(VariableOverwrite::AddNewWithDefaultValue);
    let m = run(&source, &destination, rules);
    assert_eq!(
        table(&m),
        [
            "Existing = mine (unscoped)".to_string(),
            format!("New = {SECRET_PLACEHOLDER} (unscoped)")
        ]
    );
    assert_eq!(m.cleanup.len(), 1);
    assert!(m.cleanup[0]
        .action
        .starts_with("variable New (unscoped): added with the placeholder"));
    // The placeholder is the destination's value now: the next run leaves it alone.
    assert_settles(&source, &m, rules);
}

#[test]
fn duplicates_pair_by_value_so_the_changed_one_is_the_one_updated() {
    let values = staging_production();
    // Two unscoped values of one name (as seed 003's option one leaves them); the source changed one.
    let source = set(
        "src",
        vec![text("Db", "b-changed", json!({})), text("Db", "a", json!({}))],
        values.clone(),
    );
    let destination = set(
        "dst",
        vec![text("Db", "a", json!({})), text("Db", "b", json!({}))],
        values,
    );
    let m = run(&source, &destination, rules(VariableOverwrite::Overwrite));
    assert_eq!(table(&m), ["Db = a (unscoped)", "Db = b-changed (unscoped)"]);
    assert_eq!(about_source(&m, 0).destination_id.as_deref(), Some("dst-1"));
    assert_eq!(about_source(&m, 1).outcome, Outcome::Unchanged);
    // Two changed at once cannot be told apart: both destination values stay, with a warning.
    let source = set(
        "src",
        vec![text("Db", "x", json!({})), text("Db", "y", json!({}))],
        staging_production(),
    );
    let m = run(&source, &destination, rules(VariableOverwrite::Overwrite));
    assert!(!m.changed);
    assert_eq!(m.warnings.len(), 2, "{:?}", m.warnings);
    assert!(m.warnings[0].contains("(ids dst-0, dst-1)"), "{}", m.warnings[0]);
}
