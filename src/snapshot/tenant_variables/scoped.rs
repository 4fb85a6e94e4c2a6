//! The 2025.1 lists: `projectvariables` and `commonvariables`, each `{TenantId, Variables: [{Id,
//! ProjectId | LibraryVariableSetId, …Name, TemplateId, Template, Value, Scope: {EnvironmentIds}}]}`.
//! A project entry may cover several environments: it is one value per environment here.

use super::{environment_name, stored, Entry, Location, Owner, Raw, Template, TenantVariables, ValueKey};
use crate::kind::Kind;
use crate::snapshot::{name_of, Snapshot};
use serde_json::Value;

/// The values of the two lists; `snapshot` names the environments.
pub(super) fn read(snapshot: &Snapshot, project: &Value, common: &Value) -> TenantVariables {
    let project = variables(project);
    let common = variables(common);
    let mut entries = Vec::new();
    for v in &project {
        for env in environment_ids(v) {
            entries.extend(entry(snapshot, v, Owner::Project, std::slice::from_ref(&env)));
        }
    }
    for v in &common {
        entries.extend(entry(snapshot, v, Owner::Library, &environment_ids(v)));
    }
    TenantVariables {
        api: super::Api::Scoped,
        entries,
        raw: Raw::Scoped { project, common },
    }
}

fn variables(list: &Value) -> Vec<Value> {
    list.get("Variables")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// The environments an entry is scoped to.
pub(crate) fn environment_ids(v: &Value) -> Vec<String> {
    v.get("Scope")
        .and_then(|s| s.get("EnvironmentIds"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// The owner field of an entry in the list of `owner`'s values.
pub(crate) fn owner_field(owner: Owner) -> &'static str {
    match owner {
        Owner::Project => "ProjectId",
        Owner::Library => "LibraryVariableSetId",
    }
}

/// An entry's owner id (DOCS-API calls it `OwnerId`).
pub(crate) fn owner_id(v: &Value, owner: Owner) -> &str {
    [owner_field(owner), "OwnerId"]
        .iter()
        .filter_map(|f| v.get(*f).and_then(Value::as_str))
        .find(|s| !s.is_empty())
        .unwrap_or("")
}

/// The value of one entry in `envs`; an entry naming an environment the snapshot lacks is left out.
fn entry(snapshot: &Snapshot, v: &Value, owner: Owner, envs: &[String]) -> Option<Entry> {
    let oid = owner_id(v, owner);
    let (kind, name_field) = match owner {
        Owner::Project => (Kind::Project, "ProjectName"),
        Owner::Library => (Kind::LibraryVariableSet, "LibraryVariableSetName"),
    };
    let owner_name = match v.get(name_field).and_then(Value::as_str) {
        Some(n) if !n.trim().is_empty() => n.trim().to_string(),
        _ => snapshot.by_id(kind, oid).map(name_of)?.to_string(),
    };
    let template = v.get("Template").map(Template::of)?;
    let environments = envs
        .iter()
        .map(|e| environment_name(snapshot, e).map(str::to_string))
        .collect::<Option<Vec<_>>>()?;
    let template_id = match v.get("TemplateId").and_then(Value::as_str) {
        Some(t) if !t.is_empty() => t.to_string(),
        _ => template.id.to_string(),
    };
    Some(Entry {
        key: ValueKey {
            owner,
            owner_name,
            template: template.name.to_string(),
            environments,
        },
        value: stored(v.get("Value").unwrap_or(&Value::Null), template.control)?,
        at: Location {
            owner_id: oid.to_string(),
            template_id,
            environment_ids: envs.to_vec(),
        },
    })
}
