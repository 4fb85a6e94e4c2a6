//! The legacy document (`tenantvariables-legacy.json`): `ProjectVariables` keyed by project id, each
//! with its `Templates` and `Variables` by environment id then template id; `LibraryVariables`
//! keyed by library variable set id, its `Variables` by template id (unscoped).

use super::{environment_name, stored, Entry, Location, Owner, Raw, Template, TenantVariables, ValueKey};
use crate::kind::Kind;
use crate::snapshot::{name_of, Snapshot};
use serde_json::{Map, Value};

/// The values of one legacy document; `snapshot` names the environments.
pub(super) fn read(snapshot: &Snapshot, doc: Value) -> TenantVariables {
    let mut entries = Vec::new();
    for (pid, section) in sections(&doc, "ProjectVariables") {
        let owner_name = owner_name(snapshot, Kind::Project, pid, section, "ProjectName");
        let templates = templates(section);
        for (env_id, values) in sections(section, "Variables") {
            let Some(env) = environment_name(snapshot, env_id) else {
                continue;
            };
            for (tid, value) in values.as_object().into_iter().flatten() {
                entries.extend(
                    entry(&templates, tid, value, || ValueKey {
                        owner: Owner::Project,
                        owner_name: owner_name.clone(),
                        template: String::new(),
                        environments: vec![env.to_string()],
                    })
                    .map(|mut e| {
                        e.at.owner_id = pid.clone();
                        e.at.environment_ids = vec![env_id.clone()];
                        e
                    }),
                );
            }
        }
    }
    for (lid, section) in sections(&doc, "LibraryVariables") {
        let owner_name = owner_name(
            snapshot,
            Kind::LibraryVariableSet,
            lid,
            section,
            "LibraryVariableSetName",
        );
        let templates = templates(section);
        for (tid, value) in section
            .get("Variables")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            entries.extend(
                entry(&templates, tid, value, || ValueKey {
                    owner: Owner::Library,
                    owner_name: owner_name.clone(),
                    template: String::new(),
                    environments: vec![],
                })
                .map(|mut e| {
                    e.at.owner_id = lid.clone();
                    e
                }),
            );
        }
    }
    TenantVariables {
        api: super::Api::Legacy,
        entries,
        raw: Raw::Legacy(doc),
    }
}

fn sections<'a>(doc: &'a Value, field: &str) -> impl Iterator<Item = (&'a String, &'a Value)> {
    doc.get(field)
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(Map::iter)
}

fn templates(section: &Value) -> Vec<&Value> {
    section
        .get("Templates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect()
}

/// The owner's name as the section gives it, or as the snapshot knows it.
fn owner_name(snapshot: &Snapshot, kind: Kind, id: &str, section: &Value, field: &str) -> String {
    match section.get(field).and_then(Value::as_str) {
        Some(n) if !n.trim().is_empty() => n.trim().to_string(),
        _ => snapshot.by_id(kind, id).map_or(id, name_of).to_string(),
    }
}

/// The value of the template `tid` (a value of a template the section does not list is left out).
fn entry(templates: &[&Value], tid: &str, value: &Value, key: impl Fn() -> ValueKey) -> Option<Entry> {
    let template = templates
        .iter()
        .map(|t| Template::of(t))
        .find(|t| t.id.eq_ignore_ascii_case(tid))?;
    let value = stored(value, template.control)?;
    let mut key = key();
    key.template = template.name.to_string();
    Some(Entry {
        key,
        value,
        at: Location {
            owner_id: String::new(),
            template_id: template.id.to_string(),
            environment_ids: vec![],
        },
    })
}
