//! The 2025.1+ tenant variable lists `GET/PUT /tenants/{id}/commonvariables` and
//! `/projectvariables` (reference §2.19; OC `Model/TenantVariables`, GO `pkg/variables`): one entry
//! per value with its template and `Scope.EnvironmentIds`. A PUT sends the complete desired list;
//! entries left out are deleted. The values are those of the legacy document.

use serde_json::{json, Value};

use super::tenant_variables::{
    connections, is_sensitive, new_value_id, save, sent_value, template, templates_of, tenant, tenant_libraries, values,
};
use crate::sim::binding;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::schema::{field, m, Field, Ty, STRS};
use crate::sim::shape::get_ci;
use crate::sim::store::{str_of, Doc, Store, TenantValue};

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum List {
    /// `projectvariables`: values of project templates, per environment.
    Project,
    /// `commonvariables`: values of library variable set templates, unscoped or per environment.
    Common,
}

impl List {
    fn owner_field(self) -> &'static str {
        match self {
            List::Project => "ProjectId",
            List::Common => "LibraryVariableSetId",
        }
    }

    fn owner_name_field(self) -> &'static str {
        match self {
            List::Project => "ProjectName",
            List::Common => "LibraryVariableSetName",
        }
    }
}

/// The body of a PUT (OC `Modify*VariablesByTenantIdCommand`); DOCS-API calls the owner `OwnerId`.
fn body_fields() -> Vec<Field> {
    const ENTRY: Ty = Ty::Obj(
        "TenantVariablePayload",
        &[
            m("Id", Ty::Str),
            m("ProjectId", Ty::Str),
            m("LibraryVariableSetId", Ty::Str),
            m("OwnerId", Ty::Str),
            m("TemplateId", Ty::Str),
            m("Value", Ty::Property),
            m("Scope", Ty::Obj("VariableScope", &[m("EnvironmentIds", STRS)])),
        ],
    );
    vec![
        field("TenantId", Ty::Str, Value::Null),
        field("SpaceId", Ty::Str, Value::Null),
        field("Variables", Ty::List(&ENTRY), json!([])),
    ]
}

/// An owner (project or library variable set) whose templates the tenant fills, with the
/// environments its values may cover.
struct Owner {
    doc: Doc,
    environments: Vec<String>,
}

fn owners(store: &Store, space: &str, tenant: &Doc, list: List) -> Vec<Owner> {
    let connected = connections(tenant);
    match list {
        List::Project => connected
            .into_iter()
            .filter_map(|(pid, envs)| {
                let doc = store.get(space, Kind::Project, &pid)?.clone();
                Some(Owner {
                    doc,
                    environments: envs,
                })
            })
            .collect(),
        List::Common => {
            let mut all_envs: Vec<String> = connected.into_iter().flat_map(|(_, e)| e).collect();
            all_envs.sort();
            all_envs.dedup();
            tenant_libraries(store, space, tenant)
                .into_iter()
                .map(|doc| Owner {
                    doc,
                    environments: all_envs.clone(),
                })
                .collect()
        }
    }
}

fn entry(list: List, owner: &Doc, tpl: &Value, id: &str, value: Value, envs: &[String]) -> Value {
    json!({
        "Id": id,
        list.owner_field(): str_of(owner, "Id"),
        list.owner_name_field(): str_of(owner, "Name"),
        "TemplateId": tpl.get("Id").cloned().unwrap_or(Value::Null),
        "Template": tpl,
        "Value": value,
        "Scope": {"EnvironmentIds": envs},
    })
}

/// `GET …/projectvariables` or `…/commonvariables`. Secrets are still inside; the route redacts.
/// `MissingVariables` (asked for with `includeMissingVariables=true`) lists the templates without a
/// default that have no value for some environment.
// QUESTION: what counts as missing (no value and no default) is inferred from the UI's warnings.
pub(crate) fn get(store: &Store, space: &str, tenant_id: &str, list: List, include_missing: bool) -> ApiResult<Value> {
    let tenant = tenant(store, space, tenant_id)?;
    let tid = str_of(&tenant, "Id").to_string();
    let stored = values(store, space, &tid);
    let entries = match list {
        List::Project => &stored.project,
        List::Common => &stored.common,
    };
    let mut variables = Vec::new();
    let mut missing = Vec::new();
    for owner in owners(store, space, &tenant, list) {
        let oid = str_of(&owner.doc, "Id").to_string();
        for tpl in templates_of(&owner.doc) {
            let tpl_id = tpl.get("Id").and_then(Value::as_str).unwrap_or("").to_string();
            let mine: Vec<&TenantValue> = entries
                .iter()
                .filter(|v| v.owner.eq_ignore_ascii_case(&oid) && v.template.eq_ignore_ascii_case(&tpl_id))
                .collect();
            for v in &mine {
                variables.push(entry(list, &owner.doc, &tpl, &v.id, v.value.clone(), &v.environments));
            }
            let covered = |env: &String| {
                mine.iter()
                    .any(|v| v.environments.is_empty() || v.environments.iter().any(|e| e.eq_ignore_ascii_case(env)))
            };
            let uncovered: Vec<String> = owner.environments.iter().filter(|e| !covered(e)).cloned().collect();
            let no_default = tpl
                .get("DefaultValue")
                .map(|d| d.is_null() || d.as_str() == Some(""))
                .unwrap_or(true);
            let nothing_set = list == List::Common && mine.is_empty();
            if no_default && (nothing_set || (list == List::Project && !uncovered.is_empty())) {
                let scope = if list == List::Project { uncovered } else { Vec::new() };
                missing.push(entry(list, &owner.doc, &tpl, "", Value::Null, &scope));
            }
        }
    }
    Ok(json!({
        "TenantId": tid,
        "Variables": variables,
        "MissingVariables": if include_missing { Value::Array(missing) } else { Value::Null },
    }))
}

/// `PUT …/projectvariables` or `…/commonvariables`: the complete desired list.
pub(crate) fn put(store: &mut Store, space: &str, tenant_id: &str, list: List, body: Value) -> ApiResult<Value> {
    let Value::Object(mut body) = body else {
        return Err(ApiError::invalid("No request body was supplied."));
    };
    let errors = binding::bind(&mut body, &body_fields());
    if !errors.is_empty() {
        return Err(ApiError::model_validation(errors));
    }
    let tenant = tenant(store, space, tenant_id)?;
    let tid = str_of(&tenant, "Id").to_string();
    let sent = match get_ci(&body, "Variables") {
        Some(Value::Array(a)) => a.clone(),
        _ => return Err(ApiError::null_source()),
    };
    let owners = owners(store, space, &tenant, list);
    let mut stored = values(store, space, &tid);
    let old = match list {
        List::Project => stored.project.clone(),
        List::Common => stored.common.clone(),
    };
    let mut fresh: Vec<TenantValue> = Vec::new();
    for (i, v) in sent.iter().enumerate() {
        let Value::Object(v) = v else { continue };
        let text = |k: &str| get_ci(v, k).and_then(Value::as_str).unwrap_or("").to_string();
        let owner_id = match text(list.owner_field()) {
            o if o.is_empty() => text("OwnerId"),
            o => o,
        };
        let at = format!("Variables[{i}]");
        let owner = owners
            .iter()
            .find(|o| str_of(&o.doc, "Id").eq_ignore_ascii_case(&owner_id))
            .ok_or_else(|| {
                ApiError::invalid(format!(
                    "{at}: the {} '{owner_id}' is not connected to this tenant.",
                    match list {
                        List::Project => "project",
                        List::Common => "library variable set",
                    }
                ))
            })?;
        let templates = templates_of(&owner.doc);
        let tpl_id = text("TemplateId");
        let tpl = template(&templates, &tpl_id).ok_or_else(|| {
            ApiError::invalid(format!(
                "{at}: the template '{tpl_id}' does not belong to '{owner_id}'."
            ))
        })?;
        let envs: Vec<String> = get_ci(v, "Scope")
            .and_then(|s| s.as_object())
            .and_then(|s| get_ci(s, "EnvironmentIds"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        if list == List::Project && envs.is_empty() {
            return Err(ApiError::invalid(format!(
                "{at}: a project variable must be scoped to at least one environment."
            )));
        }
        if let Some(e) = envs
            .iter()
            .find(|e| !owner.environments.iter().any(|c| c.eq_ignore_ascii_case(e)))
        {
            return Err(ApiError::invalid(format!(
                "{at}: the environment '{e}' is not connected to this tenant for '{owner_id}'."
            )));
        }
        let overlaps = fresh.iter().any(|f| {
            f.owner.eq_ignore_ascii_case(str_of(&owner.doc, "Id"))
                && f.template.eq_ignore_ascii_case(&tpl_id)
                && (f.environments.is_empty() == envs.is_empty())
                && (envs.is_empty()
                    || f.environments
                        .iter()
                        .any(|e| envs.iter().any(|x| x.eq_ignore_ascii_case(e))))
        });
        if overlaps {
            return Err(ApiError::invalid(format!(
                "{at}: the template '{tpl_id}' already has a value for one of these environments."
            )));
        }
        let sent_id = text("Id");
        // QUESTION: an Id the tenant does not have is refused; whether a real server ignores it is unknown.
        let previous = match sent_id.as_str() {
            "" => None,
            id => Some(
                old.iter()
                    .find(|o| o.id.eq_ignore_ascii_case(id))
                    .ok_or_else(|| ApiError::invalid(format!("{at}: '{id}' is not a variable of this tenant.")))?,
            ),
        };
        let sent_value_json = get_ci(v, "Value").cloned().unwrap_or(Value::Null);
        let Some(value) = sent_value(&sent_value_json, previous.map(|p| &p.value), is_sensitive(tpl)) else {
            continue;
        };
        let id = match previous {
            Some(p) => p.id.clone(),
            None => new_value_id(store),
        };
        fresh.push(TenantValue {
            id,
            owner: str_of(&owner.doc, "Id").to_string(),
            template: tpl.get("Id").and_then(Value::as_str).unwrap_or("").to_string(),
            value,
            environments: envs,
        });
    }
    match list {
        List::Project => stored.project = fresh,
        List::Common => stored.common = fresh,
    }
    save(store, space, &tid, stored);
    let mut out = get(store, space, &tid, list, false)?;
    if let Value::Object(m) = &mut out {
        m.remove("MissingVariables");
    }
    Ok(out)
}
