//! Script modules must match exactly (issue 8, seed 003): a script module is a library variable
//! set with `ContentType: ScriptModule` whose body and syntax are two variables of its variable set,
//! `Octopus.Script.Module[Name]` and `Octopus.Script.Module.Language[Name]` (reference §2.10). A
//! missing module is created (the set's POST, then its variable set's PUT, one decision); an
//! existing one keeps its description, body and syntax equal to the source's, written only where
//! they differ, on the destination's own documents (the variable set's `Version` is the one it
//! read). Any other variable of a destination module's set is kept.

use super::{document, library_sets, OwnedTarget, OwnedWrite, PlanContext, Planned, Stage};
use crate::kind::Kind;
use crate::report::Action;
use crate::snapshot::{id_of, name_key, name_of};
use serde_json::{json, Value};

/// The script modules stage.
pub struct ScriptModules;

/// The variable holding a module's body, `Octopus.Script.Module[<module name>]`.
const BODY: &str = "Octopus.Script.Module";
/// The variable holding a module's syntax, `Octopus.Script.Module.Language[<module name>]`.
const LANGUAGE: &str = "Octopus.Script.Module.Language";
/// The syntax of a module without a language variable: Calamari's default (it reads the variable
/// only when present) and go-octopusdeploy's.
const DEFAULT_SYNTAX: &str = "PowerShell";

impl Stage for ScriptModules {
    fn kind(&self) -> Kind {
        Kind::ScriptModule
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        ctx.selected(Kind::ScriptModule).map(|src| plan_one(ctx, src)).collect()
    }
}

/// The name of a module's variable: `Octopus.Script.Module[Helpers]`.
fn variable_name(prefix: &str, module: &str) -> String {
    format!("{prefix}[{module}]")
}

/// The variables of a variable set.
fn variables(set: &Value) -> &[Value] {
    set.get("Variables")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The rows of `set` named `name` (trimmed, case-insensitive, as Octopus compares names).
fn rows_named<'a>(set: &'a Value, name: &str) -> Vec<&'a Value> {
    variables(set)
        .iter()
        .filter(|v| name_key(name_of(v)) == name_key(name))
        .collect()
}

fn is_sensitive(row: &Value) -> bool {
    row.get("IsSensitive").and_then(Value::as_bool) == Some(true)
        || document::str_field(row, "Type").eq_ignore_ascii_case("Sensitive")
}

/// What a script module is, as the source has it.
struct Module {
    description: Value,
    body: String,
    syntax: String,
    /// What octosync assumed on the way (a missing language variable).
    notes: Vec<String>,
}

impl Module {
    /// Reads the module `src` from its variable set; `Err` says why it cannot be synced.
    fn read(src: &Value, set: &Value) -> Result<Module, String> {
        let name = name_of(src);
        let mut notes = Vec::new();
        let mut value_of = |prefix: &str, what: &str| -> Result<Option<String>, String> {
            let rows = rows_named(set, &variable_name(prefix, name));
            let Some(row) = rows.first() else {
                return Ok(None);
            };
            if is_sensitive(row) {
                return Err(format!(
                    "the source's {what} variable '{}' is sensitive, so its value cannot be read; make it a plain text variable on the source",
                    name_of(row)
                ));
            }
            if rows.len() > 1 {
                notes.push(format!(
                    "the source has {} variables named '{}'; the first one is the module's {what}",
                    rows.len(),
                    name_of(row)
                ));
            }
            Ok(Some(document::str_field(row, "Value").to_string()))
        };
        let body = value_of(BODY, "script body")?.unwrap_or_default();
        let syntax = match value_of(LANGUAGE, "syntax")? {
            Some(s) if !s.trim().is_empty() => s,
            _ => {
                notes.push(format!(
                    "the source has no syntax variable for this module, so it runs as {DEFAULT_SYNTAX} (Calamari's default); the destination's is set to {DEFAULT_SYNTAX}"
                ));
                DEFAULT_SYNTAX.to_string()
            }
        };
        let others = variables(set).len()
            - rows_named(set, &variable_name(BODY, name)).len()
            - rows_named(set, &variable_name(LANGUAGE, name)).len();
        if others > 0 {
            notes.push(format!(
                "the source's module holds {others} other variable(s); a script module is its body and syntax, so they are not copied"
            ));
        }
        Ok(Module {
            description: src.get("Description").cloned().unwrap_or(Value::Null),
            body,
            syntax,
            notes,
        })
    }

    /// The rows the module's variable set must hold on the destination, where the module is
    /// called `module`: (name, value).
    fn rows(&self, module: &str) -> [(String, &str); 2] {
        [
            (variable_name(BODY, module), self.body.as_str()),
            (variable_name(LANGUAGE, module), self.syntax.as_str()),
        ]
    }
}

/// A new row: a plain, unscoped text variable. No `Id`: the server gives it one (and a body
/// without one reads back as saved after a lost answer, since only what was sent is compared).
fn new_row(name: &str, value: &str) -> Value {
    json!({"Name": name, "Value": value, "Type": "String", "IsSensitive": false, "Scope": {}})
}

/// How the plan shows a module (`item`, the library set, with its variable set `set`): its
/// description, body, syntax and the names of the variables holding them (Calamari pairs a body
/// with its syntax by exact name, so a name that differs only in case is a difference too).
fn view_of(item: &Value, set: &Value) -> Value {
    let module = name_of(item);
    let value = |prefix: &str| {
        rows_named(set, &variable_name(prefix, module))
            .first()
            .map(|r| r.get("Value").cloned().unwrap_or(Value::Null))
            .unwrap_or(Value::Null)
    };
    let names: Vec<&str> = [BODY, LANGUAGE]
        .iter()
        .flat_map(|prefix| rows_named(set, &variable_name(prefix, module)))
        .map(name_of)
        .collect();
    json!({"Description": item.get("Description").cloned().unwrap_or(Value::Null),
           "ScriptBody": value(BODY), "Syntax": value(LANGUAGE), "Variables": names})
}

fn skip(name: &str, reason: &str, warning: String) -> Planned {
    Planned::no_write(Kind::ScriptModule, name, Action::Skip, reason).warnings([warning])
}

fn plan_one(ctx: &PlanContext<'_>, src: &Value) -> Planned {
    let name = name_of(src);
    if let Some(held) = library_sets::name_held_by_other_kind(ctx, Kind::ScriptModule, name, "Rename one of them") {
        return held;
    }
    let src_set = match library_sets::owned_variables(ctx.source, "source", Kind::ScriptModule, src, name) {
        Ok(set) => set,
        Err(skipped) => return *skipped,
    };
    let module = match Module::read(src, &src_set) {
        Ok(m) => m,
        Err(why) => return skip(name, "its body or syntax cannot be read", format!("not synced: {why}")),
    };
    match ctx.destination.by_name(Kind::ScriptModule, name) {
        None => create(ctx, src, &module),
        Some(dest) => existing(ctx, dest, &module),
    }
}

fn create(ctx: &PlanContext<'_>, src: &Value, module: &Module) -> Planned {
    let name = name_of(src);
    let mut body = document::for_create(src);
    if let Value::Object(map) = &mut body {
        // The server makes the new module's variable set; the source's is not the destination's.
        map.remove("VariableSetId");
        map.insert("ContentType".into(), json!("ScriptModule"));
    }
    let rows: Vec<Value> = module.rows(name).iter().map(|(n, v)| new_row(n, v)).collect();
    let mut after = json!({"Name": name, "ContentType": "ScriptModule"});
    if let (Value::Object(a), Value::Object(v)) = (&mut after, view_of(&body, &json!({"Variables": rows}))) {
        a.extend(v);
    }
    Planned::create(ctx, Kind::ScriptModule, name, "missing on the destination", body)
        .shown_as(ctx, &json!({}), &after)
        .then_owned(OwnedWrite {
            kind: Kind::VariableSet,
            target: OwnedTarget::New {
                link: "VariableSetId",
                fields: json!({ "Variables": rows }),
            },
        })
        .notes(module.notes.iter().cloned())
}

fn existing(ctx: &PlanContext<'_>, dest: &Value, module: &Module) -> Planned {
    let name = name_of(dest);
    let id = id_of(dest);
    let dest_set = match library_sets::owned_variables(ctx.destination, "destination", Kind::ScriptModule, dest, name) {
        Ok(set) => set,
        Err(skipped) => return *skipped,
    };
    let (set_after, warnings) = with_rows(&dest_set, &module.rows(name));
    let (item_after, item_changed) = document::overlay(dest, &[("Description", module.description.clone())]);
    let set_changed = !document::equivalent(&dest_set, &set_after);
    let shown = (view_of(dest, &dest_set), view_of(&item_after, &set_after));
    let mut p = if item_changed.is_empty() {
        Planned::no_write(Kind::ScriptModule, name, Action::Unchanged, "matches the source").at(id)
    } else {
        Planned::update(
            ctx,
            Kind::ScriptModule,
            name,
            "differs from the source",
            dest,
            item_after,
        )
    };
    if set_changed {
        p = p.then_owned(OwnedWrite {
            kind: Kind::VariableSet,
            target: OwnedTarget::Existing {
                id: id_of(&dest_set).to_string(),
                body: set_after,
            },
        });
        p.change.reason = "differs from the source".into();
    }
    if p.write.is_some() {
        p = p.shown_as(ctx, &shown.0, &shown.1);
    }
    p.warnings(warnings).notes(module.notes.iter().cloned())
}

/// `set` holding `rows` (name, value): the first row of each name takes the name's exact spelling
/// and the value (keeping its id, scope and everything else); a name it lacks is appended. Every
/// other row is kept. Warnings say what could not be made equal.
fn with_rows(set: &Value, rows: &[(String, &str)]) -> (Value, Vec<String>) {
    let mut doc = set.clone();
    let mut warnings = Vec::new();
    let mut list: Vec<Value> = variables(set).to_vec();
    for (name, value) in rows {
        let positions: Vec<usize> = list
            .iter()
            .enumerate()
            .filter(|(_, v)| name_key(name_of(v)) == name_key(name))
            .map(|(i, _)| i)
            .collect();
        match positions.first() {
            None => list.push(new_row(name, value)),
            Some(&i) if is_sensitive(&list[i]) => warnings.push(format!(
                "the destination's variable '{}' is sensitive, so its value cannot be compared or kept equal to the source's; make it a plain text variable on the destination",
                name_of(&list[i])
            )),
            Some(&i) => {
                if positions.len() > 1 {
                    warnings.push(format!(
                        "the destination has {} variables named '{name}'; only the first is kept equal to the source, the others are left as they are",
                        positions.len()
                    ));
                }
                if let Value::Object(row) = &mut list[i] {
                    row.insert("Name".into(), json!(name));
                    row.insert("Value".into(), json!(value));
                }
            }
        }
    }
    if let Value::Object(map) = &mut doc {
        map.insert("Variables".into(), Value::Array(list));
    }
    (doc, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::DiffOp;
    use crate::rules::Rules;
    use crate::settings::selector::Selector;
    use crate::snapshot::Snapshot;
    use crate::sync::Write;

    fn module(id: &str, name: &str, description: &str) -> Value {
        json!({"Id": id, "Name": name, "Description": description, "ContentType": "ScriptModule",
               "VariableSetId": format!("variableset-{id}"), "Templates": [], "SpaceId": "Spaces-1", "Links": {}})
    }

    fn row(id: &str, name: &str, value: &str) -> Value {
        json!({"Id": id, "Name": name, "Value": value, "Description": null, "Scope": {}, "IsEditable": true,
               "Prompt": null, "Type": "String", "IsSensitive": false})
    }

    fn set(owner: &str, version: i64, rows: Vec<Value>) -> Value {
        json!({"Id": format!("variableset-{owner}"), "OwnerId": owner, "Version": version, "Variables": rows,
               "ScopeValues": {"Environments": []}, "SpaceId": "Spaces-1", "Links": {}})
    }

    /// A module with its two rows.
    fn with_body(id: &str, name: &str, description: &str, body: &str, syntax: &str) -> (Value, Value) {
        let rows = vec![
            row(&format!("{id}-body"), &format!("Octopus.Script.Module[{name}]"), body),
            row(
                &format!("{id}-lang"),
                &format!("Octopus.Script.Module.Language[{name}]"),
                syntax,
            ),
        ];
        (module(id, name, description), set(id, 3, rows))
    }

    fn snapshot(modules: Vec<(Value, Value)>, sets_of_variables: Vec<Value>) -> Snapshot {
        let (items, sets): (Vec<Value>, Vec<Value>) = modules.into_iter().unzip();
        Snapshot::from_docs([
            (Kind::ScriptModule, items),
            (Kind::VariableSet, sets),
            (Kind::LibraryVariableSet, sets_of_variables),
        ])
    }

    fn plan(source: &Snapshot, destination: &Snapshot) -> Vec<Planned> {
        let rules = Rules::default();
        let selector = Selector::all();
        let ctx = PlanContext {
            source,
            destination,
            rules: &rules,
            selector: &selector,
        };
        ScriptModules.plan(&ctx)
    }

    const OLD: &str =
        "function Write-Log($m) {\n  Write-Host $m\n}\n\nfunction Write-Warn($m) {\n  Write-Warning $m\n}";
    const NEW: &str =
        "function Write-Log($m) {\n  Write-Host \"[log] $m\"\n}\n\nfunction Write-Warn($m) {\n  Write-Warning $m\n}";

    fn owned_of(p: &Planned) -> (&Option<Box<Write>>, &OwnedWrite) {
        match &p.write {
            Some(Write::Owning { item, owned }) => (item, owned),
            other => panic!("expected an owning write: {other:?}"),
        }
    }

    #[test]
    fn a_missing_module_is_created_then_its_body_and_syntax_are_written_into_the_set_the_server_makes() {
        let source = snapshot(
            vec![with_body(
                "LibraryVariableSets-1",
                "Logging",
                "Log helpers",
                NEW,
                "Bash",
            )],
            vec![],
        );
        let planned = plan(&source, &Snapshot::default());
        assert_eq!(planned.len(), 1);
        let p = &planned[0];
        assert_eq!(p.change.action, Action::Create);
        let (item, owned) = owned_of(p);
        let Some(Write::Create { body }) = item.as_deref() else {
            panic!("expected the module's create first: {item:?}")
        };
        assert_eq!(body["ContentType"], "ScriptModule");
        assert_eq!(body["Description"], "Log helpers");
        for field in ["Id", "VariableSetId", "SpaceId", "Links"] {
            assert!(body.get(field).is_none(), "{field} is the server's: {body}");
        }
        assert_eq!(owned.kind, Kind::VariableSet);
        let OwnedTarget::New { link, fields } = &owned.target else {
            panic!("a new module's set is the one the server makes: {owned:?}")
        };
        assert_eq!(*link, "VariableSetId");
        assert_eq!(
            fields["Variables"],
            json!([
                {"Name": "Octopus.Script.Module[Logging]", "Value": NEW, "Type": "String", "IsSensitive": false, "Scope": {}},
                {"Name": "Octopus.Script.Module.Language[Logging]", "Value": "Bash", "Type": "String", "IsSensitive": false, "Scope": {}}
            ])
        );
        // The plan shows the module as a person knows it: its body as added lines, its syntax.
        let body_diff = p
            .change
            .diff
            .iter()
            .find(|d| d.path == "ScriptBody")
            .expect("the body is shown");
        assert_eq!(body_diff.op, DiffOp::Added);
        assert!(
            body_diff.lines.iter().any(|l| l == "+   Write-Host \"[log] $m\""),
            "{body_diff:?}"
        );
        assert!(p.change.changed_fields.contains(&"Syntax".to_string()));
    }

    #[test]
    fn a_module_equal_to_the_source_writes_nothing_whatever_its_row_ids_and_extra_rows() {
        let source = snapshot(
            vec![with_body(
                "LibraryVariableSets-1",
                "Logging",
                "Log helpers",
                NEW,
                "PowerShell",
            )],
            vec![],
        );
        let (dest, mut dest_set) = with_body("LibraryVariableSets-40", "Logging", "Log helpers", NEW, "PowerShell");
        dest_set["Variables"]
            .as_array_mut()
            .unwrap()
            .push(row("extra", "Logging.Level", "Debug"));
        let planned = plan(&source, &snapshot(vec![(dest, dest_set)], vec![]));
        assert_eq!(planned[0].change.action, Action::Unchanged, "{planned:?}");
        assert!(planned[0].write.is_none());
        assert_eq!(
            planned[0].change.destination_id.as_deref(),
            Some("LibraryVariableSets-40")
        );
    }

    #[test]
    fn a_changed_body_puts_the_destinations_own_set_back_at_its_version_keeping_its_other_rows() {
        let source = snapshot(
            vec![with_body(
                "LibraryVariableSets-1",
                "Logging",
                "Log helpers",
                NEW,
                "PowerShell",
            )],
            vec![],
        );
        let (dest, mut dest_set) = with_body("LibraryVariableSets-40", "Logging", "Log helpers", OLD, "PowerShell");
        dest_set["Variables"]
            .as_array_mut()
            .unwrap()
            .push(row("extra", "Logging.Level", "Debug"));
        let planned = plan(&source, &snapshot(vec![(dest, dest_set)], vec![]));
        let p = &planned[0];
        assert_eq!(p.change.action, Action::Update);
        assert_eq!(p.change.changed_fields, ["ScriptBody"]);
        let (item, owned) = owned_of(p);
        assert!(item.is_none(), "the module itself is unchanged: {item:?}");
        let OwnedTarget::Existing { id, body } = &owned.target else {
            panic!("an existing module's own set: {owned:?}")
        };
        assert_eq!(id, "variableset-LibraryVariableSets-40");
        assert_eq!(body["Version"], 3, "the version the destination read");
        let rows = body["Variables"].as_array().unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0]["Id"], "LibraryVariableSets-40-body");
        assert_eq!(rows[0]["Value"], NEW);
        assert_eq!(rows[2]["Name"], "Logging.Level", "a destination-only row is kept");
        let diff = &p.change.diff[0];
        assert_eq!(diff.op, DiffOp::Changed);
        assert!(diff.lines.contains(&"-   Write-Host $m".to_string()), "{diff:?}");
        assert!(
            diff.lines.contains(&"+   Write-Host \"[log] $m\"".to_string()),
            "{diff:?}"
        );
    }

    #[test]
    fn a_changed_description_updates_only_the_module() {
        let source = snapshot(
            vec![with_body(
                "LibraryVariableSets-1",
                "Logging",
                "Writes logs",
                NEW,
                "PowerShell",
            )],
            vec![],
        );
        let destination = snapshot(
            vec![with_body(
                "LibraryVariableSets-40",
                "Logging",
                "Log helpers",
                NEW,
                "PowerShell",
            )],
            vec![],
        );
        let p = &plan(&source, &destination)[0];
        let Some(Write::Update { id, body }) = &p.write else {
            panic!("expected the module's own update: {:?}", p.write)
        };
        assert_eq!(id, "LibraryVariableSets-40");
        assert_eq!(body["Description"], "Writes logs");
        assert_eq!(body["VariableSetId"], "variableset-LibraryVariableSets-40");
        assert_eq!(p.change.changed_fields, ["Description"]);
    }

    #[test]
    fn description_body_and_syntax_that_all_differ_are_one_decision_writing_the_module_then_its_set() {
        let source = snapshot(
            vec![with_body(
                "LibraryVariableSets-1",
                "Logging",
                "Writes logs",
                NEW,
                "Python",
            )],
            vec![],
        );
        let destination = snapshot(
            vec![with_body(
                "LibraryVariableSets-40",
                "Logging",
                "Log helpers",
                OLD,
                "PowerShell",
            )],
            vec![],
        );
        let planned = plan(&source, &destination);
        assert_eq!(planned.len(), 1);
        let (item, owned) = owned_of(&planned[0]);
        assert!(matches!(item.as_deref(), Some(Write::Update { .. })));
        let OwnedTarget::Existing { body, .. } = &owned.target else {
            panic!("{owned:?}")
        };
        assert_eq!(body["Variables"][1]["Value"], "Python");
        assert_eq!(
            planned[0].change.changed_fields,
            ["Description", "ScriptBody", "Syntax"]
        );
    }

    #[test]
    fn a_source_module_without_a_syntax_variable_gives_the_destination_powershell() {
        let (src, mut src_set) = with_body("LibraryVariableSets-1", "Logging", "", NEW, "");
        src_set["Variables"].as_array_mut().unwrap().pop();
        let destination = snapshot(
            vec![with_body("LibraryVariableSets-40", "Logging", "", NEW, "Bash")],
            vec![],
        );
        let p = &plan(&snapshot(vec![(src, src_set)], vec![]), &destination)[0];
        let (_, owned) = owned_of(p);
        let OwnedTarget::Existing { body, .. } = &owned.target else {
            panic!("{owned:?}")
        };
        assert_eq!(body["Variables"][1]["Value"], "PowerShell");
        assert!(p.change.notes.iter().any(|n| n.contains("Calamari's default")), "{p:?}");
    }

    #[test]
    fn variables_named_in_another_case_take_the_modules_exact_name() {
        let source = snapshot(
            vec![with_body("LibraryVariableSets-1", "Logging", "", NEW, "Bash")],
            vec![],
        );
        let (dest, mut dest_set) = with_body("LibraryVariableSets-40", "Logging", "", NEW, "Bash");
        dest_set["Variables"][1]["Name"] = json!("octopus.script.module.language[logging]");
        let p = &plan(&source, &snapshot(vec![(dest, dest_set)], vec![]))[0];
        let (_, owned) = owned_of(p);
        let OwnedTarget::Existing { body, .. } = &owned.target else {
            panic!("{owned:?}")
        };
        assert_eq!(body["Variables"][1]["Name"], "Octopus.Script.Module.Language[Logging]");
        assert_eq!(body["Variables"].as_array().unwrap().len(), 2, "renamed, not added");
        assert_eq!(p.change.changed_fields, ["Variables"]);
    }

    #[test]
    fn a_name_a_library_variable_set_holds_on_the_destination_is_skipped_with_a_warning() {
        let source = snapshot(
            vec![with_body("LibraryVariableSets-1", "Common", "", NEW, "Bash")],
            vec![],
        );
        let destination = snapshot(
            vec![],
            vec![json!({"Id": "LibraryVariableSets-9", "Name": "common", "ContentType": "Variables"})],
        );
        let p = &plan(&source, &destination)[0];
        assert_eq!(p.change.action, Action::Skip);
        assert!(p.write.is_none());
        assert!(p.change.warnings[0].contains("Rename one of them"), "{p:?}");
        assert_eq!(p.change.destination_id.as_deref(), Some("LibraryVariableSets-9"));
    }

    #[test]
    fn a_sensitive_source_body_cannot_be_read_so_the_module_is_skipped_with_a_warning() {
        let (src, mut src_set) = with_body("LibraryVariableSets-1", "Logging", "", NEW, "Bash");
        src_set["Variables"][0]["Type"] = json!("Sensitive");
        src_set["Variables"][0]["IsSensitive"] = json!(true);
        src_set["Variables"][0]["Value"] = Value::Null;
        let p = &plan(&snapshot(vec![(src, src_set)], vec![]), &Snapshot::default())[0];
        assert_eq!(p.change.action, Action::Skip);
        assert!(p.write.is_none());
        assert!(p.change.warnings[0].contains("is sensitive"), "{p:?}");
    }

    #[test]
    fn a_sensitive_destination_row_is_left_alone_with_a_warning_and_never_rewritten() {
        let source = snapshot(
            vec![with_body("LibraryVariableSets-1", "Logging", "", NEW, "Bash")],
            vec![],
        );
        let (dest, mut dest_set) = with_body("LibraryVariableSets-40", "Logging", "", NEW, "Bash");
        dest_set["Variables"][1]["Type"] = json!("Sensitive");
        dest_set["Variables"][1]["IsSensitive"] = json!(true);
        dest_set["Variables"][1]["Value"] = Value::Null;
        let p = &plan(&source, &snapshot(vec![(dest, dest_set)], vec![]))[0];
        assert!(p.write.is_none(), "a row it cannot compare is never written: {p:?}");
        assert!(p.change.warnings[0].contains("is sensitive"), "{p:?}");
    }
}
