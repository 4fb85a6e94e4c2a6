//! Library variable sets (`ContentType: Variables`): matched by name (or by the destination name
//! `OCTOSYNC_LIBRARY_VARIABLE_SET_NAMES` gives), created when missing, their tenant variable
//! templates merged by name (`sync/variable_templates.rs`) and their variables merged by the one
//! variable engine (`sync/variables/`). An existing set keeps its own name and description; its
//! set is PUT whole, once, only when the merge changes it.

use super::{
    document, library_sets, variable_templates, variables, OwnedTarget, OwnedWrite, PlanContext, Planned, Stage,
};
use crate::kind::Kind;
use crate::report::Action;
use crate::snapshot::{id_of, name_key, name_of};
use serde_json::{json, Value};
use variables::space::with_space_scopes;

/// The library variable sets stage.
pub struct LibraryVariableSets;

impl Stage for LibraryVariableSets {
    fn kind(&self) -> Kind {
        Kind::LibraryVariableSet
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        let selected: Vec<&Value> = ctx.selected(Kind::LibraryVariableSet).collect();
        selected
            .iter()
            .map(|src| match merged_into(ctx, &selected, src) {
                Some(other) => collision(ctx, src, other),
                None => plan_one(ctx, src),
            })
            .collect()
    }
}

const KIND: Kind = Kind::LibraryVariableSet;

/// The destination name of the source set `src`.
fn destination_name<'a>(ctx: &'a PlanContext<'_>, src: &'a Value) -> &'a str {
    ctx.rules.names.destination_name(KIND, name_of(src))
}

/// Another selected source set that would be merged into the same destination set (a name map
/// pointing one set at another's name).
fn merged_into<'a>(ctx: &PlanContext<'_>, selected: &[&'a Value], src: &Value) -> Option<&'a Value> {
    let target = name_key(destination_name(ctx, src));
    selected
        .iter()
        .copied()
        .find(|other| id_of(other) != id_of(src) && name_key(destination_name(ctx, other)) == target)
}

fn collision(ctx: &PlanContext<'_>, src: &Value, other: &Value) -> Planned {
    let mut p = Planned::no_write(
        KIND,
        name_of(src),
        Action::Skip,
        "two source sets map to one destination set",
    );
    p.change.error = Some(format!(
        "it and '{}' would both be merged into the destination set '{}'; change OCTOSYNC_LIBRARY_VARIABLE_SET_NAMES or the selector so each destination set has one source",
        name_of(other),
        destination_name(ctx, src)
    ));
    p
}

fn plan_one(ctx: &PlanContext<'_>, src: &Value) -> Planned {
    let name = destination_name(ctx, src);
    let renamed = name_key(name) != name_key(name_of(src));
    let fix = "Rename one of them, or map the set to another name with OCTOSYNC_LIBRARY_VARIABLE_SET_NAMES";
    if let Some(held) = library_sets::name_held_by_other_kind(ctx, KIND, name, fix) {
        return held;
    }
    let src_set = match library_sets::owned_variables(ctx.source, "source", KIND, src, name) {
        Ok(set) => set,
        Err(skipped) => return *skipped,
    };
    let planned = match ctx.destination.by_name(KIND, name) {
        None => create(ctx, src, src_set, name),
        Some(dest) => existing(ctx, src, src_set, dest),
    };
    if renamed {
        planned.note(format!(
            "synced from the source set '{}' (OCTOSYNC_LIBRARY_VARIABLE_SET_NAMES)",
            name_of(src)
        ))
    } else {
        planned
    }
}

/// The variable engine's merge of the two sets, each with the lookup tables of its own space.
fn merge(ctx: &PlanContext<'_>, src_set: Value, dest_set: Value, name: &str) -> variables::Merge {
    let owner = variables::Owner {
        kind: KIND.label(),
        name,
    };
    variables::merge(
        &with_space_scopes(src_set, ctx.source),
        &with_space_scopes(dest_set, ctx.destination),
        &ctx.translator(),
        &ctx.rules.variables,
        owner,
    )
}

/// A new set: the set itself, then its variables written into the variable set the server makes
/// for it (one decision, two writes).
fn create(ctx: &PlanContext<'_>, src: &Value, src_set: Value, name: &str) -> Planned {
    let templates = variable_templates::merge(src.get("Templates"), None);
    let mut body = document::for_create(src);
    if let Value::Object(map) = &mut body {
        // The server makes the new set's variable set; the source's is not the destination's.
        map.remove("VariableSetId");
        map.insert("Name".into(), json!(name));
        map.insert("ContentType".into(), json!("Variables"));
        map.insert("Templates".into(), json!(templates.templates));
    }
    let empty = json!({"Variables": [], "ScopeValues": borrowed_scope_values(ctx)});
    let m = merge(ctx, src_set, empty, name);
    let mut p = Planned::create(ctx, KIND, name, "missing on the destination", body);
    let rows = m.document.get("Variables").cloned().unwrap_or_else(|| json!([]));
    if rows.as_array().is_some_and(|r| !r.is_empty()) && m.fatal.is_empty() {
        p = p.then_owned(OwnedWrite {
            kind: Kind::VariableSet,
            target: OwnedTarget::New {
                link: "VariableSetId",
                fields: json!({ "Variables": rows }),
            },
        });
    }
    finish(ctx, p, name, &m, None, templates)
}

/// An existing set: its templates merged (a PUT of the set when they change) and its variables
/// merged (a PUT of its variable set when they change), as one decision.
fn existing(ctx: &PlanContext<'_>, src: &Value, src_set: Value, dest: &Value) -> Planned {
    let name = name_of(dest);
    let dest_set = match library_sets::owned_variables(ctx.destination, "destination", KIND, dest, name) {
        Ok(set) => set,
        Err(skipped) => return *skipped,
    };
    let templates = variable_templates::merge(src.get("Templates"), dest.get("Templates"));
    let (item_after, item_changed) = document::overlay(dest, &[("Templates", json!(templates.templates))]);
    let dest_set_id = id_of(&dest_set).to_string();
    let m = merge(ctx, src_set, dest_set, name);
    let mut p = if item_changed.is_empty() {
        Planned::no_write(KIND, name, Action::Unchanged, "matches the source").at(id_of(dest))
    } else {
        Planned::update(
            ctx,
            KIND,
            name,
            "its variable templates differ from the source's",
            dest,
            item_after,
        )
    };
    if m.write().is_some() {
        p.change.reason = if item_changed.is_empty() {
            "its variables differ from the source's".into()
        } else {
            "its variable templates and variables differ from the source's".into()
        };
    }
    finish(ctx, p, name, &m, Some(&dest_set_id), templates)
}

/// What every decision carries from the merges: the variable engine's part (rows, warnings,
/// clean-up, its fatal rule), and the templates' clean-up and notes.
fn finish(
    ctx: &PlanContext<'_>,
    p: Planned,
    name: &str,
    m: &variables::Merge,
    set: Option<&str>,
    templates: variable_templates::Merged,
) -> Planned {
    let mut p = variables::plan::into_planned(p, m, ctx.destination, set, &format!("library variable set '{name}'"));
    p.cleanup.extend(templates.cleanup(KIND, name));
    p.notes(templates.notes)
}

/// The lookup tables a new set's variables are scoped from, as the server will compute them:
/// every library set of a space has the same targets and roles, so any destination set's serve
/// (environments and tenant tags come from the space, see [`with_space_scopes`]); with none,
/// target scopes count as missing.
fn borrowed_scope_values(ctx: &PlanContext<'_>) -> Value {
    ctx.destination
        .items(KIND)
        .iter()
        .find_map(|set| {
            ctx.destination
                .document(Kind::VariableSet, document::str_field(set, "VariableSetId"))
                .and_then(|vs| vs.get("ScopeValues").filter(|v| v.is_object()).cloned())
        })
        .unwrap_or_else(|| json!({"Machines": [], "Roles": [], "Channels": [], "Actions": [], "Processes": []}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{NameMap, Rules};
    use crate::scope::MatchPolicy;
    use crate::settings::selector::Selector;
    use crate::snapshot::Snapshot;
    use crate::sync::Write;

    fn set(id: &str, name: &str, templates: Value) -> Value {
        json!({"Id": id, "Name": name, "ContentType": "Variables", "Description": format!("{name} here"),
               "VariableSetId": format!("variableset-{id}"), "Templates": templates})
    }

    fn variables(owner: &str, env: (&str, &str), rows: Value) -> Value {
        json!({"Id": format!("variableset-{owner}"), "OwnerId": owner, "Version": 1, "Variables": rows,
               "ScopeValues": {"Environments": [{"Id": env.0, "Name": env.1}], "Machines": [], "Roles": [],
                               "TenantTags": [], "Channels": [], "Actions": [], "Processes": []}})
    }

    fn snapshot(sets: Vec<Value>, variable_sets: Vec<Value>, env: (&str, &str)) -> Snapshot {
        Snapshot::from_docs([
            (KIND, sets),
            (Kind::VariableSet, variable_sets),
            (Kind::Environment, vec![json!({"Id": env.0, "Name": env.1})]),
        ])
    }

    fn plan(source: &Snapshot, destination: &Snapshot, rules: Rules) -> Vec<Planned> {
        let selector = Selector::all();
        LibraryVariableSets.plan(&PlanContext {
            source,
            destination,
            rules: &rules,
            selector: &selector,
        })
    }

    const SRC_ENV: (&str, &str) = ("Environments-1", "Production");
    const DST_ENV: (&str, &str) = ("Environments-9", "Production");

    fn source() -> Snapshot {
        snapshot(
            vec![set(
                "LibraryVariableSets-1",
                "Common",
                json!([{"Name": "Tenant.Code", "Label": "Code",
                "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}}]),
            )],
            vec![variables(
                "LibraryVariableSets-1",
                SRC_ENV,
                json!([
                    {"Id": "v-1", "Name": "Url", "Value": "https://example.com", "Type": "String", "IsSensitive": false, "Scope": {}},
                    {"Id": "v-2", "Name": "Timeout", "Value": "30", "Type": "String", "IsSensitive": false,
                     "Scope": {"Environment": ["Environments-1"]}},
                    {"Id": "v-3", "Name": "Key", "Value": null, "Type": "Sensitive", "IsSensitive": true, "Scope": {}}
                ]),
            )],
            SRC_ENV,
        )
    }

    #[test]
    fn a_missing_set_is_created_then_its_merged_variables_fill_the_set_the_server_makes() {
        let dest = snapshot(vec![], vec![], DST_ENV);
        let p = plan(&source(), &dest, Rules::default());
        assert_eq!(p[0].change.action, Action::Create);
        let Some(Write::Owning { item, owned }) = &p[0].write else {
            panic!("{:?}", p[0].write);
        };
        assert!(matches!(item.as_deref(), Some(Write::Create { body }) if body.get("VariableSetId").is_none()));
        let OwnedTarget::New { link, fields } = &owned.target else {
            panic!("a new set is filled in");
        };
        assert_eq!(*link, "VariableSetId");
        let rows = fields["Variables"].as_array().unwrap();
        let timeout = rows.iter().find(|r| r["Name"] == "Timeout").unwrap();
        assert_eq!(
            timeout["Scope"]["Environment"],
            json!(["Environments-9"]),
            "translated by name"
        );
        assert!(
            rows.iter().all(|r| r.get("Id").is_none() || r["Id"].is_null()),
            "the server gives ids"
        );
        assert!(
            p[0].cleanup.iter().any(|c| c.action.contains("Key")),
            "{:?}",
            p[0].cleanup
        );
        assert!(p[0].change.diff.iter().any(|d| d.path.contains("Timeout")));
    }

    #[test]
    fn an_existing_set_equal_to_the_source_writes_nothing() {
        let source = source();
        let mut dest_rows = source.documents(Kind::VariableSet)[0]["Variables"].clone();
        dest_rows[1]["Scope"]["Environment"] = json!(["Environments-9"]);
        dest_rows[2]["Id"] = json!("d-3");
        let dest = snapshot(
            vec![set(
                "LibraryVariableSets-7",
                "Common",
                source.items(KIND)[0]["Templates"].clone(),
            )],
            vec![variables("LibraryVariableSets-7", DST_ENV, dest_rows)],
            DST_ENV,
        );
        let p = plan(&source, &dest, Rules::default());
        assert_eq!(p[0].change.action, Action::Unchanged, "{:?}", p[0].change);
        assert!(p[0].write.is_none());
    }

    #[test]
    fn a_mapped_set_merges_into_the_destination_set_of_the_other_name() {
        let dest = snapshot(
            vec![set("LibraryVariableSets-7", "Shared", json!([]))],
            vec![variables("LibraryVariableSets-7", DST_ENV, json!([]))],
            DST_ENV,
        );
        let rules = Rules {
            names: NameMap(vec![(KIND, "common".into(), "Shared".into())]),
            ..Rules::default()
        };
        let p = plan(&source(), &dest, rules);
        assert_eq!(p[0].change.name, "Shared");
        assert!(matches!(&p[0].write, Some(Write::Owning { owned, .. })
            if matches!(&owned.target, OwnedTarget::Existing { id, .. } if id == "variableset-LibraryVariableSets-7")));
        assert!(p[0].change.notes.iter().any(|n| n.contains("'Common'")));
    }

    #[test]
    fn two_source_sets_mapped_to_one_destination_set_are_errors_not_a_merge() {
        let mut source = source();
        source.absorb(KIND, set("LibraryVariableSets-2", "Shared", json!([])));
        let rules = Rules {
            names: NameMap(vec![(KIND, "Common".into(), "Shared".into())]),
            ..Rules::default()
        };
        let p = plan(&source, &snapshot(vec![], vec![], DST_ENV), rules);
        assert_eq!(p.len(), 2);
        assert!(p.iter().all(|p| p.write.is_none() && p.change.error.is_some()), "{p:?}");
    }

    #[test]
    fn a_name_a_destination_script_module_holds_is_skipped_with_a_warning() {
        let mut dest = snapshot(vec![], vec![], DST_ENV);
        dest.absorb(
            Kind::ScriptModule,
            json!({"Id": "LibraryVariableSets-3", "Name": "Common", "ContentType": "ScriptModule"}),
        );
        let p = plan(&source(), &dest, Rules::default());
        assert_eq!(p[0].change.action, Action::Skip);
        assert!(p[0].change.warnings[0].contains("script module"));
    }

    #[test]
    fn an_error_mode_stops_the_run_and_nothing_of_the_set_is_written() {
        let dest = snapshot(vec![], vec![], ("Environments-9", "Staging"));
        let mut rules = Rules::default();
        rules.variables.environments = MatchPolicy::ErrorUnlessExactMatch;
        let p = plan(&source(), &dest, rules);
        assert!(p[0].write.is_none());
        assert!(
            p[0].fatal.as_deref().is_some_and(|f| f.contains("Common")),
            "{:?}",
            p[0].fatal
        );
    }
}
