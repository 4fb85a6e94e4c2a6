//! Seed 003, "Variable Scoping": its worked examples, table for table. The source has Development
//! and Test, the destination Staging and Production.

use super::*;
use crate::sync::placeholder::SECRET_PLACEHOLDER;

const DB_NAME: &str = "Application.Database.Name";
const CONN: &str = "ConnectionString";
const CONN_SQL: &str = "Database=#{Application.Database.Name}";
const CONN_ORACLE: &str = "Data Source=#{Application.Database.Name}";

fn development_test() -> Value {
    json!({"Environments": [{"Id": "Environments-1", "Name": "Development"}, {"Id": "Environments-2", "Name": "Test"}],
           "Roles": [{"Id": "SQL-Server", "Name": "SQL-Server"}, {"Id": "Oracle", "Name": "Oracle"}],
           "Machines": [], "Channels": [], "Actions": [], "TenantTags": [], "Processes": []})
}

/// The source before the change: a database name per environment, one connection string.
fn source_before() -> Value {
    set(
        "src",
        vec![
            text(DB_NAME, "OctoFx-Dev", json!({"Environment": ["Environments-1"]})),
            text(DB_NAME, "OctoFX-Test", json!({"Environment": ["Environments-2"]})),
            text(CONN, CONN_SQL, json!({})),
        ],
        development_test(),
    )
}

/// The source after the change: one database name for every environment, a connection string per
/// database role.
fn source_after() -> Value {
    set(
        "src",
        vec![
            text(DB_NAME, "OctoFx-#{Octopus.Environment.Name}", json!({})),
            text(CONN, CONN_SQL, json!({"Role": ["SQL-Server"]})),
            text(CONN, CONN_ORACLE, json!({"Role": ["Oracle"]})),
        ],
        development_test(),
    )
}

fn empty_destination() -> Value {
    set("dst", vec![], staging_production())
}

/// Option one: "clone the variable values as-is with no environment scoping".
/// Needs `OCTOSYNC_VARIABLE_ENVIRONMENT_MATCH=IgnoreMismatch`.
fn option_one() -> VariableRules {
    VariableRules {
        environments: MatchPolicy::IgnoreMismatch,
        ..VariableRules::default()
    }
}

#[test]
fn seed_003_initial_sync_option_one_copies_the_values_without_their_environments() {
    let m = run(&source_before(), &empty_destination(), option_one());
    assert_eq!(
        table(&m),
        [
            "Application.Database.Name = OctoFx-Dev (unscoped)",
            "Application.Database.Name = OctoFX-Test (unscoped)",
            "ConnectionString = Database=#{Application.Database.Name} (unscoped)",
        ]
    );
    // Widened, but never silently.
    assert_eq!(m.warnings.len(), 2, "{:?}", m.warnings);
    assert!(m.warnings[0].contains("none of its environments exist on the destination"));
    assert!(m.warnings[0].contains("OCTOSYNC_VARIABLE_ENVIRONMENT_MATCH=IgnoreMismatch"));
    assert_settles(&source_before(), &m, option_one());
}

#[test]
fn seed_003_initial_sync_under_the_default_modes_skips_values_tied_to_missing_environments() {
    let m = run(&source_before(), &empty_destination(), VariableRules::default());
    assert_eq!(
        table(&m),
        ["ConnectionString = Database=#{Application.Database.Name} (unscoped)"]
    );
    for i in [0, 1] {
        let d = about_source(&m, i);
        assert_eq!(d.outcome, Outcome::Skip);
        assert!(d.reason.contains("SkipUnlessPartialMatch"), "{}", d.reason);
    }
}

/// Option two: "copy the variable name with text indicating that it needed replacing and exclude
/// any scoping". Needs `OCTOSYNC_VARIABLE_ENVIRONMENT_MATCH=IgnoreMismatch` and
/// `OCTOSYNC_VARIABLE_OVERWRITE=AddNewWithDefaultValue`; the text is octosync's one placeholder.
#[test]
fn seed_003_initial_sync_option_two_adds_one_placeholder_value_without_scope() {
    let rules = VariableRules {
        overwrite: VariableOverwrite::AddNewWithDefaultValue,
        ..option_one()
    };
    let m = run(&source_before(), &empty_destination(), rules);
    // The seed's table keeps ConnectionString's value; the issue defines AddNewWithDefaultValue as
    // "new rows get a placeholder" (SpaceCloner's behaviour), so every new row gets it.
    assert_eq!(
        table(&m),
        [
            format!("Application.Database.Name = {SECRET_PLACEHOLDER} (unscoped)"),
            format!("ConnectionString = {SECRET_PLACEHOLDER} (unscoped)"),
        ]
    );
    let first = about_source(&m, 0);
    assert_eq!(first.sources, [0, 1], "both source values become the one row");
    assert_eq!(first.outcome, Outcome::Add);
    let actions: Vec<&str> = m.cleanup.iter().map(|c| c.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            format!("variable Application.Database.Name (unscoped): added with the placeholder '{SECRET_PLACEHOLDER}' (OCTOSYNC_VARIABLE_OVERWRITE=AddNewWithDefaultValue); enter this instance's value"),
            format!("variable ConnectionString (unscoped): added with the placeholder '{SECRET_PLACEHOLDER}' (OCTOSYNC_VARIABLE_OVERWRITE=AddNewWithDefaultValue); enter this instance's value"),
        ]
    );
    assert!(m
        .cleanup
        .iter()
        .all(|c| c.kind == "Library variable set" && c.name == "OctoFX"));
    assert_settles(&source_before(), &m, rules);
}

/// The recurring sync after the source changed, from the destination option one left. Needs
/// `OCTOSYNC_VARIABLE_OVERWRITE=True`: moving the connection string's scope changes a row the
/// destination has. The database name is left alone because two destination values share its
/// scope and neither is the source's: which one it stands for cannot be told.
#[test]
fn seed_003_recurring_sync_scopes_the_connection_string_to_sql_server_adds_oracle_and_leaves_the_name_alone() {
    let first = run(&source_before(), &empty_destination(), option_one());
    let destination = stored(&first);
    let rules = VariableRules {
        overwrite: VariableOverwrite::Overwrite,
        ..option_one()
    };
    let m = run(&source_after(), &destination, rules);
    assert_eq!(
        table(&m),
        [
            "Application.Database.Name = OctoFx-Dev (unscoped)",
            "Application.Database.Name = OctoFX-Test (unscoped)",
            "ConnectionString = Database=#{Application.Database.Name} (Role: SQL-Server)",
            "ConnectionString = Data Source=#{Application.Database.Name} (Role: Oracle)",
        ]
    );
    let name = about_source(&m, 0);
    assert_eq!(name.outcome, Outcome::Skip);
    assert!(name.reason.contains("cannot be told"), "{}", name.reason);
    let sql = about_source(&m, 1);
    assert_eq!(sql.outcome, Outcome::Update);
    assert_eq!(
        sql.destination_id.as_deref(),
        Some("stored-2"),
        "the same row, its id kept"
    );
    assert!(
        sql.reason.contains("moves from unscoped to Role: SQL-Server"),
        "{}",
        sql.reason
    );
    assert_eq!(about_source(&m, 2).outcome, Outcome::Add);
    assert_settles(&source_after(), &m, rules);
}

/// The recurring sync once the destination has its own database name per environment (option
/// two's placeholder replaced). Needs `OCTOSYNC_VARIABLE_OVERWRITE=True` and
/// `OCTOSYNC_VARIABLE_ENVIRONMENT_MATCH=IgnoreMismatchOnNewLeaveExistingAlone`: the destination's
/// environment scoping is its own, so the unscoped source name is not added next to it.
#[test]
fn seed_003_recurring_sync_leaves_the_destinations_own_per_environment_names_alone() {
    let destination = set(
        "dst",
        vec![
            text(DB_NAME, "OctoFx-Staging", json!({"Environment": ["Environments-11"]})),
            text(
                DB_NAME,
                "OctoFx-Production",
                json!({"Environment": ["Environments-12"]}),
            ),
            text(CONN, CONN_SQL, json!({})),
        ],
        staging_production(),
    );
    let rules = VariableRules {
        overwrite: VariableOverwrite::Overwrite,
        environments: MatchPolicy::IgnoreMismatchOnNewLeaveExistingAlone,
        ..VariableRules::default()
    };
    let m = run(&source_after(), &destination, rules);
    assert_eq!(
        table(&m),
        [
            "Application.Database.Name = OctoFx-Staging (Environment: Staging)",
            "Application.Database.Name = OctoFx-Production (Environment: Production)",
            "ConnectionString = Database=#{Application.Database.Name} (Role: SQL-Server)",
            "ConnectionString = Data Source=#{Application.Database.Name} (Role: Oracle)",
        ]
    );
    let name = about_source(&m, 0);
    assert_eq!(name.outcome, Outcome::Unchanged);
    assert!(
        name.reason
            .contains("OCTOSYNC_VARIABLE_ENVIRONMENT_MATCH=IgnoreMismatchOnNewLeaveExistingAlone"),
        "{}",
        name.reason
    );
    assert_settles(&source_after(), &m, rules);

    // Without that mode the environment scoping is the source's: the unscoped name is added.
    let plain = VariableRules {
        environments: MatchPolicy::IgnoreMismatch,
        ..rules
    };
    let m = run(&source_after(), &destination, plain);
    assert_eq!(about_source(&m, 0).outcome, Outcome::Add);
}

/// Under the default `OCTOSYNC_VARIABLE_OVERWRITE=False` no existing row changes: the unscoped
/// connection string stays and both role values are added, with a note on how to move it.
#[test]
fn seed_003_recurring_sync_without_overwrite_adds_both_role_values_and_keeps_the_unscoped_one() {
    let first = run(&source_before(), &empty_destination(), option_one());
    let m = run(&source_after(), &stored(&first), option_one());
    assert_eq!(
        table(&m),
        [
            "Application.Database.Name = OctoFx-Dev (unscoped)",
            "Application.Database.Name = OctoFX-Test (unscoped)",
            "ConnectionString = Database=#{Application.Database.Name} (unscoped)",
            "ConnectionString = Database=#{Application.Database.Name} (Role: SQL-Server)",
            "ConnectionString = Data Source=#{Application.Database.Name} (Role: Oracle)",
        ]
    );
    assert_eq!(about_source(&m, 0).outcome, Outcome::Unchanged);
    let sql = about_source(&m, 1);
    assert_eq!(sql.outcome, Outcome::Add);
    assert!(
        sql.notes
            .iter()
            .any(|n| n.contains("True would move its scope instead")),
        "{:?}",
        sql.notes
    );
}
