//! The body of a tenant's variables write, from the destination's values as read and the changes.

use super::Op;
use crate::snapshot::tenant_variables::scoped::{environment_ids, owner_field, owner_id};
use crate::snapshot::tenant_variables::{Owner, Raw, TenantVariables};
use crate::sync::TenantVariablesBody;
use serde_json::{json, Map, Value};

/// What is PUT for the tenant `tenant_id` whose values are `current`.
pub(super) fn of(tenant_id: &str, current: &TenantVariables, ops: &[Op]) -> TenantVariablesBody {
    match &current.raw {
        Raw::Legacy(doc) => TenantVariablesBody::Legacy(legacy(tenant_id, doc, ops)),
        Raw::Scoped { project, common } => {
            let list = |owner: Owner, entries: &[Value]| {
                let mine: Vec<&Op> = ops.iter().filter(|o| o.key.owner == owner).collect();
                (!mine.is_empty()).then(|| scoped(tenant_id, owner, entries, &mine))
            };
            TenantVariablesBody::Scoped {
                project: list(Owner::Project, project),
                common: list(Owner::Library, common),
            }
        }
    }
}

/// The legacy document as read with each value set or removed in place: everything else (other
/// projects, the destination's secrets as read, the `ConcurrencyToken`) goes back as it came.
fn legacy(tenant_id: &str, doc: &Value, ops: &[Op]) -> Value {
    let mut doc = doc.clone();
    if doc.get("TenantId").is_none() {
        doc["TenantId"] = json!(tenant_id);
    }
    for op in ops {
        let values = match op.key.owner {
            Owner::Project => {
                let section = section(&mut doc, "ProjectVariables", &op.at.owner_id, "ProjectId");
                let env = op.at.environment_ids.first().cloned().unwrap_or_default();
                object(object(section, "Variables"), &env)
            }
            Owner::Library => {
                let section = section(&mut doc, "LibraryVariables", &op.at.owner_id, "LibraryVariableSetId");
                object(section, "Variables")
            }
        };
        match &op.value {
            Some(v) => {
                values.insert(op.at.template_id.clone(), v.clone());
            }
            None => {
                values.remove(&op.at.template_id);
            }
        }
    }
    doc
}

/// The section of `owner_id` under `field`, made when the document lacks it (a project the
/// tenant was connected to after the document was read).
fn section<'a>(doc: &'a mut Value, field: &str, owner_id: &str, id_field: &str) -> &'a mut Map<String, Value> {
    let section = object(ensure_object(doc), field)
        .entry(owner_id.to_string())
        .or_insert_with(|| json!({ id_field: owner_id }));
    ensure_object(section)
}

fn ensure_object(v: &mut Value) -> &mut Map<String, Value> {
    if !v.is_object() {
        *v = json!({});
    }
    v.as_object_mut().expect("made an object")
}

fn object<'a>(map: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    ensure_object(map.entry(key.to_string()).or_insert_with(|| json!({})))
}

/// One 2025.1 list, complete: every entry the destination has (its secrets as read, which keeps
/// them), changed as the ops say. A project value covers one environment here; an entry of the
/// destination covering several is split when one of them changes.
fn scoped(tenant_id: &str, owner: Owner, entries: &[Value], ops: &[&Op]) -> Value {
    let field = owner_field(owner);
    let mut list: Vec<Value> = entries
        .iter()
        .map(|e| {
            json!({
                "Id": e.get("Id").cloned().unwrap_or(Value::Null),
                field: owner_id(e, owner),
                "TemplateId": e.get("TemplateId").cloned().unwrap_or(Value::Null),
                "Value": e.get("Value").cloned().unwrap_or(Value::Null),
                "Scope": {"EnvironmentIds": environment_ids(e)},
            })
        })
        .collect();
    let same = |e: &Value, op: &Op| {
        owner_id(e, owner).eq_ignore_ascii_case(&op.at.owner_id)
            && e.get("TemplateId")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case(&op.at.template_id))
    };
    for op in ops {
        let wanted = &op.at.environment_ids;
        let found = list.iter().position(|e| {
            let envs = environment_ids(e);
            same(e, op)
                && match owner {
                    Owner::Project => wanted.iter().all(|w| envs.contains(w)),
                    Owner::Library => same_set(&envs, wanted),
                }
        });
        let new_entry = |value: &Value| {
            json!({field: op.at.owner_id, "TemplateId": op.at.template_id, "Value": value,
                   "Scope": {"EnvironmentIds": wanted}})
        };
        match (found, &op.value) {
            (Some(i), value) => {
                let rest: Vec<String> = environment_ids(&list[i])
                    .into_iter()
                    .filter(|e| !wanted.contains(e))
                    .collect();
                if rest.is_empty() {
                    match value {
                        Some(v) => list[i]["Value"] = v.clone(),
                        None => {
                            list.remove(i);
                        }
                    }
                } else {
                    // The entry keeps its other environments; this one gets an entry of its own.
                    list[i]["Scope"]["EnvironmentIds"] = json!(rest);
                    if let Some(v) = value {
                        list.push(new_entry(v));
                    }
                }
            }
            (None, Some(v)) => list.push(new_entry(v)),
            (None, None) => {}
        }
    }
    json!({"TenantId": tenant_id, "Variables": list})
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}
