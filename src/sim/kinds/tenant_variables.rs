//! Tenant variables (reference §2.19): the legacy document of `GET/PUT /tenants/{id}/variables`
//! and `tenantvariables/all`. Values are keyed by template GUIDs; missing ones fall back to defaults.

use serde_json::{json, Map, Value};

use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::secrets;
use crate::sim::store::{str_of, strs_of, Doc, Store};

fn templates_of(doc: &Doc) -> Vec<Value> {
    doc.get("Templates")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn template_is_sensitive(templates: &[Value], id: &str) -> Option<bool> {
    templates
        .iter()
        .find(|t| t.get("Id").and_then(Value::as_str) == Some(id))
        .map(|t| {
            t.get("DisplaySettings")
                .and_then(|d| d.get("Octopus.ControlType"))
                .and_then(Value::as_str)
                == Some("Sensitive")
        })
}

/// Library variable sets that reach a tenant through its connected projects and have templates.
fn tenant_libraries(store: &Store, space: &str, tenant: &Doc) -> Vec<Doc> {
    let projects: Vec<String> = tenant
        .get("ProjectEnvironments")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut ids: Vec<String> = Vec::new();
    for p in &projects {
        if let Some(pd) = store.get(space, Kind::Project, p) {
            for l in strs_of(pd, "IncludedLibraryVariableSetIds") {
                if !ids.contains(&l) {
                    ids.push(l);
                }
            }
        }
    }
    ids.iter()
        .filter_map(|l| store.get(space, Kind::LibraryVariableSet, l).cloned())
        .filter(|l| !templates_of(l).is_empty())
        .collect()
}

fn stored_values(store: &Store, space: &str, tenant: &str) -> Value {
    store
        .tenant_vars
        .get(&(space.to_string(), tenant.to_string()))
        .cloned()
        .unwrap_or_else(|| json!({"ProjectVariables": {}, "LibraryVariables": {}, "ConcurrencyToken": "0"}))
}

/// The legacy tenant variables document (`tenantvariables-legacy.json`, plus SpaceId and
/// ConcurrencyToken of newer servers). Secrets are still inside; the route redacts them.
pub(crate) fn get_tenant_vars(store: &Store, space: &str, tenant_id: &str) -> ApiResult<Value> {
    let tenant = store
        .get(space, Kind::Tenant, tenant_id)
        .ok_or_else(ApiError::not_found)?;
    let tid = str_of(tenant, "Id").to_string();
    let values = stored_values(store, space, &tid);
    let mut pv = Map::new();
    if let Some(pe) = tenant.get("ProjectEnvironments").and_then(Value::as_object) {
        for (pid, envs) in pe {
            let Some(project) = store.get(space, Kind::Project, pid) else {
                continue;
            };
            let mut vars = Map::new();
            for env in envs.as_array().into_iter().flatten().filter_map(Value::as_str) {
                let v = values["ProjectVariables"][pid][env].clone();
                vars.insert(env.to_string(), if v.is_object() { v } else { json!({}) });
            }
            pv.insert(
                pid.clone(),
                json!({
                    "ProjectId": pid, "ProjectName": str_of(project, "Name"),
                    "Templates": templates_of(project), "Variables": vars,
                    "Links": {"Project": format!("/api/{space}/projects/{pid}"), "Logo": format!("/api/{space}/projects/{pid}/logo")}
                }),
            );
        }
    }
    let mut lv = Map::new();
    for lib in tenant_libraries(store, space, tenant) {
        let lid = str_of(&lib, "Id").to_string();
        let v = values["LibraryVariables"][&lid].clone();
        lv.insert(
            lid.clone(),
            json!({
                "LibraryVariableSetId": lid, "LibraryVariableSetName": str_of(&lib, "Name"),
                "Templates": templates_of(&lib), "Variables": if v.is_object() { v } else { json!({}) },
                "Links": {"LibraryVariableSet": format!("/api/{space}/libraryvariablesets/{lid}")}
            }),
        );
    }
    Ok(json!({
        "TenantId": tid, "TenantName": str_of(tenant, "Name"), "SpaceId": space,
        "ConcurrencyToken": values["ConcurrencyToken"],
        "ProjectVariables": pv, "LibraryVariables": lv,
        "Links": {"Self": format!("/api/{space}/tenants/{tid}/variables"), "Tenant": format!("/api/{space}/tenants/{tid}")}
    }))
}

/// One value as sent: strings for plain templates, SensitiveValues (or strings) for sensitive ones.
fn tenant_value(sent: &Value, stored: Option<&Value>, sensitive: bool) -> Option<Value> {
    match sent {
        Value::Null => None,
        Value::String(s) if sensitive => Some(secrets::sv_set(s)),
        v if secrets::is_sv(v) => {
            let mut v = v.clone();
            secrets::merge(&mut v, stored);
            Some(v)
        }
        v => Some(v.clone()),
    }
}

/// PUT of the legacy document. Sections sent replace what is stored for them; a stale
/// ConcurrencyToken is refused (TFP #907).
// QUESTION: whether omitted projects/library sets keep their values, and the full text of the
// out-of-date error, are not verified.
pub(crate) fn put_tenant_vars(store: &mut Store, space: &str, tenant_id: &str, body: Value) -> ApiResult<Value> {
    let tenant = store
        .get(space, Kind::Tenant, tenant_id)
        .ok_or_else(ApiError::not_found)?
        .clone();
    let tid = str_of(&tenant, "Id").to_string();
    let current = get_tenant_vars(store, space, &tid)?;
    let mut values = stored_values(store, space, &tid);
    if let Some(token) = body.get("ConcurrencyToken").and_then(Value::as_str) {
        if Some(token) != values["ConcurrencyToken"].as_str() {
            return Err(ApiError::invalid(format!(
                "Modification failed for 'TenantVariable' document '{tid}' because the submitted data was out of date. Please reload and try again."
            )));
        }
    }
    if let Some(pv) = body.get("ProjectVariables").and_then(Value::as_object) {
        for (pid, section) in pv {
            let Some(cur) = current["ProjectVariables"].get(pid) else {
                continue;
            };
            let templates = cur["Templates"].as_array().cloned().unwrap_or_default();
            let mut envs = Map::new();
            for (env, vals) in section
                .get("Variables")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if cur["Variables"].get(env).is_none() {
                    continue;
                }
                let mut out = Map::new();
                for (t, v) in vals.as_object().into_iter().flatten() {
                    let Some(sens) = template_is_sensitive(&templates, t) else {
                        continue;
                    };
                    let old = values["ProjectVariables"][pid][env].get(t).cloned();
                    if let Some(v) = tenant_value(v, old.as_ref(), sens) {
                        out.insert(t.clone(), v);
                    }
                }
                envs.insert(env.clone(), Value::Object(out));
            }
            values["ProjectVariables"][pid] = Value::Object(envs);
        }
    }
    if let Some(lv) = body.get("LibraryVariables").and_then(Value::as_object) {
        for (lid, section) in lv {
            let Some(cur) = current["LibraryVariables"].get(lid) else {
                continue;
            };
            let templates = cur["Templates"].as_array().cloned().unwrap_or_default();
            let mut out = Map::new();
            for (t, v) in section
                .get("Variables")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let Some(sens) = template_is_sensitive(&templates, t) else {
                    continue;
                };
                let old = values["LibraryVariables"][lid].get(t).cloned();
                if let Some(v) = tenant_value(v, old.as_ref(), sens) {
                    out.insert(t.clone(), v);
                }
            }
            values["LibraryVariables"][lid] = Value::Object(out);
        }
    }
    let next = values["ConcurrencyToken"]
        .as_str()
        .and_then(|t| t.parse::<u64>().ok())
        .unwrap_or(0)
        + 1;
    values["ConcurrencyToken"] = json!(next.to_string());
    store.tenant_vars.insert((space.to_string(), tid.clone()), values);
    get_tenant_vars(store, space, &tid)
}

/// Disconnecting a project from a tenant deletes the tenant's values for it (DOCS-API tenants.md).
pub(crate) fn prune_tenant_values(store: &mut Store, space: &str, tenant: &Doc) {
    let key = (space.to_string(), str_of(tenant, "Id").to_string());
    let connected: Vec<String> = tenant
        .get("ProjectEnvironments")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    if let Some(Value::Object(pv)) = store
        .tenant_vars
        .get_mut(&key)
        .and_then(|v| v.get_mut("ProjectVariables"))
    {
        pv.retain(|p, _| connected.contains(p));
    }
}
