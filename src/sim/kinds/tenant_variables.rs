//! Tenant variables (reference §2.19), stored once as a list of values per tenant and shown two
//! ways: the legacy document of `GET/PUT /tenants/{id}/variables` and `tenantvariables/all`
//! (below), and the 2025.1+ `commonvariables`/`projectvariables` lists (`tenant_scoped_variables`).
//! A value is keyed by its template's GUID; a project value covers some environments.

use serde_json::{json, Map, Value};

use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::secrets;
use crate::sim::store::{str_of, strs_of, Doc, Store, TenantValue, TenantValues};

/// The templates of a project or library variable set.
pub(crate) fn templates_of(doc: &Doc) -> Vec<Value> {
    doc.get("Templates")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// The template with this id, if the owner has it.
pub(crate) fn template<'a>(templates: &'a [Value], id: &str) -> Option<&'a Value> {
    templates.iter().find(|t| {
        t.get("Id")
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case(id))
    })
}

/// Whether a template holds secrets (`Octopus.ControlType: Sensitive`).
pub(crate) fn is_sensitive(template: &Value) -> bool {
    template
        .get("DisplaySettings")
        .and_then(|d| d.get("Octopus.ControlType"))
        .and_then(Value::as_str)
        == Some("Sensitive")
}

/// The tenant's connected projects and their environments.
pub(crate) fn connections(tenant: &Doc) -> Vec<(String, Vec<String>)> {
    tenant
        .get("ProjectEnvironments")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(p, envs)| {
                    let envs = envs
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect();
                    (p.clone(), envs)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Library variable sets that reach a tenant through its connected projects and have templates.
pub(crate) fn tenant_libraries(store: &Store, space: &str, tenant: &Doc) -> Vec<Doc> {
    let mut ids: Vec<String> = Vec::new();
    for (p, _) in connections(tenant) {
        if let Some(pd) = store.get(space, Kind::Project, &p) {
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

/// The tenant document, or 404.
pub(crate) fn tenant(store: &Store, space: &str, tenant_id: &str) -> ApiResult<Doc> {
    store
        .get(space, Kind::Tenant, tenant_id)
        .cloned()
        .ok_or_else(ApiError::not_found)
}

/// The stored values of a tenant (none yet: empty).
pub(crate) fn values(store: &Store, space: &str, tenant: &str) -> TenantValues {
    store
        .tenant_vars
        .get(&(space.to_string(), tenant.to_string()))
        .cloned()
        .unwrap_or_default()
}

/// Store a tenant's values; the concurrency token moves on.
pub(crate) fn save(store: &mut Store, space: &str, tenant: &str, mut values: TenantValues) {
    values.token += 1;
    store
        .tenant_vars
        .insert((space.to_string(), tenant.to_string()), values);
}

/// A new value id from a server counter.
// QUESTION: the Id format of tenant variable values is not shown in any real payload.
pub(crate) fn new_value_id(store: &mut Store) -> String {
    store.next_id("TenantVariables")
}

/// One value as sent: strings for plain templates, SensitiveValues (or strings) for sensitive
/// ones; a SensitiveValue that keeps its secret takes it from `stored`. Null: no value.
pub(crate) fn sent_value(sent: &Value, stored: Option<&Value>, sensitive: bool) -> Option<Value> {
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

/// The legacy tenant variables document (`tenantvariables-legacy.json`, plus SpaceId and
/// ConcurrencyToken of newer servers). Secrets are still inside; the route redacts them.
/// Common values scoped to environments have no place in it and are left out.
pub(crate) fn get_tenant_vars(store: &Store, space: &str, tenant_id: &str) -> ApiResult<Value> {
    let tenant = tenant(store, space, tenant_id)?;
    let tid = str_of(&tenant, "Id").to_string();
    let values = values(store, space, &tid);
    let mut pv = Map::new();
    for (pid, envs) in connections(&tenant) {
        let Some(project) = store.get(space, Kind::Project, &pid) else {
            continue;
        };
        let mut vars = Map::new();
        for env in &envs {
            let per_env: Map<String, Value> = values
                .project
                .iter()
                .filter(|v| {
                    v.owner.eq_ignore_ascii_case(&pid) && v.environments.iter().any(|e| e.eq_ignore_ascii_case(env))
                })
                .map(|v| (v.template.clone(), v.value.clone()))
                .collect();
            vars.insert(env.clone(), Value::Object(per_env));
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
    let mut lv = Map::new();
    for lib in tenant_libraries(store, space, &tenant) {
        let lid = str_of(&lib, "Id").to_string();
        let vars: Map<String, Value> = values
            .common
            .iter()
            .filter(|v| v.owner.eq_ignore_ascii_case(&lid) && v.environments.is_empty())
            .map(|v| (v.template.clone(), v.value.clone()))
            .collect();
        lv.insert(
            lid.clone(),
            json!({
                "LibraryVariableSetId": lid, "LibraryVariableSetName": str_of(&lib, "Name"),
                "Templates": templates_of(&lib), "Variables": vars,
                "Links": {"LibraryVariableSet": format!("/api/{space}/libraryvariablesets/{lid}")}
            }),
        );
    }
    Ok(json!({
        "TenantId": tid, "TenantName": str_of(&tenant, "Name"), "SpaceId": space,
        "ConcurrencyToken": values.token.to_string(),
        "ProjectVariables": pv, "LibraryVariables": lv,
        "Links": {"Self": format!("/api/{space}/tenants/{tid}/variables"), "Tenant": format!("/api/{space}/tenants/{tid}")}
    }))
}

/// PUT of the legacy document. Sections sent replace what is stored for them (one value per
/// template and environment; a value keeps its id when it stays where it was); a stale
/// ConcurrencyToken is refused (TFP #907).
// QUESTION: whether omitted projects/library sets keep their values, and the full text of the
// out-of-date error, are not verified.
pub(crate) fn put_tenant_vars(store: &mut Store, space: &str, tenant_id: &str, body: Value) -> ApiResult<Value> {
    let tenant = tenant(store, space, tenant_id)?;
    let tid = str_of(&tenant, "Id").to_string();
    let mut values = values(store, space, &tid);
    if let Some(token) = body.get("ConcurrencyToken").and_then(Value::as_str) {
        if token != values.token.to_string() {
            return Err(ApiError::invalid(format!(
                "Modification failed for 'TenantVariable' document '{tid}' because the submitted data was out of date. Please reload and try again."
            )));
        }
    }
    let connected = connections(&tenant);
    for (pid, section) in body
        .get("ProjectVariables")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let Some((pid, envs)) = connected.iter().find(|(p, _)| p.eq_ignore_ascii_case(pid)) else {
            continue;
        };
        let templates = store
            .get(space, Kind::Project, pid)
            .map(templates_of)
            .unwrap_or_default();
        let old: Vec<TenantValue> = values
            .project
            .iter()
            .filter(|v| v.owner.eq_ignore_ascii_case(pid))
            .cloned()
            .collect();
        let mut fresh = Vec::new();
        for (env, vals) in section
            .get("Variables")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if !envs.iter().any(|e| e.eq_ignore_ascii_case(env)) {
                continue;
            }
            for (t, v) in vals.as_object().into_iter().flatten() {
                let Some(tpl) = template(&templates, t) else {
                    continue;
                };
                let previous = old.iter().find(|o| {
                    o.template.eq_ignore_ascii_case(t) && o.environments.iter().any(|e| e.eq_ignore_ascii_case(env))
                });
                let Some(value) = sent_value(v, previous.map(|p| &p.value), is_sensitive(tpl)) else {
                    continue;
                };
                let id = match previous.filter(|p| p.environments.len() == 1) {
                    Some(p) => p.id.clone(),
                    None => new_value_id(store),
                };
                fresh.push(TenantValue {
                    id,
                    owner: pid.clone(),
                    template: t.clone(),
                    value,
                    environments: vec![env.clone()],
                });
            }
        }
        values.project.retain(|v| !v.owner.eq_ignore_ascii_case(pid));
        values.project.extend(fresh);
    }
    let libraries = tenant_libraries(store, space, &tenant);
    for (lid, section) in body
        .get("LibraryVariables")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let Some(lib) = libraries.iter().find(|l| str_of(l, "Id").eq_ignore_ascii_case(lid)) else {
            continue;
        };
        let templates = templates_of(lib);
        let unscoped = |v: &TenantValue| v.owner.eq_ignore_ascii_case(lid) && v.environments.is_empty();
        let old: Vec<TenantValue> = values.common.iter().filter(|v| unscoped(v)).cloned().collect();
        let mut fresh = Vec::new();
        for (t, v) in section
            .get("Variables")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let Some(tpl) = template(&templates, t) else {
                continue;
            };
            let previous = old.iter().find(|o| o.template.eq_ignore_ascii_case(t));
            let Some(value) = sent_value(v, previous.map(|p| &p.value), is_sensitive(tpl)) else {
                continue;
            };
            let id = match previous {
                Some(p) => p.id.clone(),
                None => new_value_id(store),
            };
            fresh.push(TenantValue {
                id,
                owner: str_of(lib, "Id").to_string(),
                template: t.clone(),
                value,
                environments: Vec::new(),
            });
        }
        values.common.retain(|v| !unscoped(v));
        values.common.extend(fresh);
    }
    save(store, space, &tid, values);
    get_tenant_vars(store, space, &tid)
}

/// Disconnecting a project from a tenant deletes the tenant's values for it (DOCS-API tenants.md);
/// an environment no longer connected takes its values along.
// QUESTION: that values of a disconnected environment are dropped (and not kept dormant) is inferred.
pub(crate) fn prune_tenant_values(store: &mut Store, space: &str, tenant: &Doc) {
    let key = (space.to_string(), str_of(tenant, "Id").to_string());
    let connected = connections(tenant);
    let Some(values) = store.tenant_vars.get_mut(&key) else {
        return;
    };
    for v in values.project.iter_mut() {
        let envs = connected
            .iter()
            .find(|(p, _)| p.eq_ignore_ascii_case(&v.owner))
            .map(|(_, e)| e.clone())
            .unwrap_or_default();
        v.environments
            .retain(|e| envs.iter().any(|c| c.eq_ignore_ascii_case(e)));
    }
    values.project.retain(|v| !v.environments.is_empty());
}
