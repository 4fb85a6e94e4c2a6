//! Routes below one document: a project's channels, runbooks, process, variables and deployment
//! settings; a tenant's variables; the projects of a group or lifecycle; a team's scoped roles.

use serde_json::Value;

use super::collection::{all, collection, item, page};
use super::{Call, Reply};
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::kinds::{deployment_settings, tenant_variables};
use crate::sim::pipeline;
use crate::sim::secrets;
use crate::sim::store::str_of;

/// `/{kind}/{id}/{rest…}`.
pub(super) fn sub_route(call: &mut Call, kind: Kind, id: &str, rest: &[String]) -> ApiResult<Reply> {
    let sub = rest[0].to_ascii_lowercase();
    let owner = pipeline::visible(call.store, &call.space, kind, id)?.clone();
    let oid = str_of(&owner, "Id").to_string();
    let is_all = |i: usize| rest.get(i).is_some_and(|s| s.eq_ignore_ascii_case("all"));
    match (kind, sub.as_str(), rest.len()) {
        (Kind::Project, "channels", 1) => collection(call, Kind::Channel, Some(("ProjectId", &oid))),
        (Kind::Project, "runbooks", 1) => collection(call, Kind::Runbook, Some(("ProjectId", &oid))),
        (Kind::Project, "runbooks", 2) if is_all(1) => all(call, Kind::Runbook, Some(("ProjectId", &oid))),
        (Kind::Project, "deploymentprocesses", 1) => {
            let pid = str_of(&owner, "DeploymentProcessId").to_string();
            item(call, Kind::DeploymentProcess, &pid)
        }
        (Kind::Project, "variables", 1) => {
            let vid = str_of(&owner, "VariableSetId").to_string();
            item(call, Kind::VariableSet, &vid)
        }
        (Kind::Project, "runbookprocesses", 2) => {
            let rp = call
                .store
                .get(&call.space, Kind::RunbookProcess, &rest[1])
                .ok_or_else(ApiError::not_found)?;
            if !str_of(rp, "ProjectId").eq_ignore_ascii_case(&oid) {
                return Err(ApiError::not_found());
            }
            item(call, Kind::RunbookProcess, &rest[1])
        }
        (Kind::Project, "deploymentsettings", 1) => deployment_settings_route(call, &oid),
        (Kind::ProjectGroup, "projects", 1) => page(call, Kind::Project, Some(("ProjectGroupId", &oid))),
        (Kind::Lifecycle, "projects", 1) => {
            call.only("GET")?;
            let q = Default::default();
            let docs = pipeline::list(call.store, &call.space, Kind::Project, &q, Some(("LifecycleId", &oid)));
            let items = docs
                .iter()
                .map(|d| pipeline::render(call.store, &call.space, Kind::Project, d))
                .collect();
            Ok(Reply::json(200, Value::Array(items)))
        }
        (Kind::Team, "scopeduserroles", 1) => page(call, Kind::ScopedUserRole, Some(("TeamId", &oid))),
        (Kind::Tenant, "variables", 1) => {
            let mut v = match call.method {
                "GET" => tenant_variables::get_tenant_vars(call.store, &call.space, &oid)?,
                "PUT" | "POST" => {
                    let body = call.need_body()?;
                    tenant_variables::put_tenant_vars(call.store, &call.space, &oid, body)?
                }
                m => return Err(ApiError::method_not_allowed(m)),
            };
            secrets::redact(&mut v);
            Ok(Reply::json(200, v))
        }
        _ => Err(ApiError::not_found()),
    }
}

/// `GET/PUT /projects/{id}/deploymentsettings`.
fn deployment_settings_route(call: &mut Call, project: &str) -> ApiResult<Reply> {
    let doc = match call.method {
        "GET" => deployment_settings::get(call.store, &call.space, project)?,
        "PUT" => {
            let body = call.need_body()?;
            pipeline::update(call.store, &call.space, Kind::DeploymentSettings, project, body)?
        }
        m => return Err(ApiError::method_not_allowed(m)),
    };
    Ok(Reply::json(
        200,
        pipeline::render(call.store, &call.space, Kind::DeploymentSettings, &doc),
    ))
}

/// `GET /tenantvariables/all`: the legacy variables document of every tenant.
pub(super) fn tenant_variables_all(call: &mut Call) -> ApiResult<Reply> {
    call.only("GET")?;
    let tenants = pipeline::list(call.store, &call.space, Kind::Tenant, &call.q, None);
    let mut out = Vec::new();
    for t in tenants {
        let mut v = tenant_variables::get_tenant_vars(call.store, &call.space, str_of(&t, "Id"))?;
        secrets::redact(&mut v);
        out.push(v);
    }
    Ok(Reply::json(200, Value::Array(out)))
}
