//! Routes below one document: a project's channels, runbooks, snapshots, releases, process,
//! variables, deployment settings and summary; an environment's machines; a tenant's variables;
//! the projects of a group or lifecycle; a team's scoped roles; templates and previews.

use serde_json::{json, Value};

use super::collection::{all, collection, item, page, Scope};
use super::{logo, Call, Content, Reply};
use crate::sim::error::{ApiError, ApiResult, NOT_A_GIT_ROUTE};
use crate::sim::kind::Kind;
use crate::sim::kinds::tenant_scoped_variables::{self as scoped, List};
use crate::sim::kinds::{
    certificate, deployment_settings, environment, library_variable_set, lifecycle, process, project, tenant_variables,
};
use crate::sim::pipeline;
use crate::sim::secrets;
use crate::sim::store::{now_stamp, str_of, Doc};

/// The first version with the tenant `commonvariables`/`projectvariables` routes (OC #884, 2025.1).
const TENANT_LISTS_SINCE: (u32, u32) = (2025, 1);

/// `/{kind}/{id}/{rest…}`.
pub(super) fn sub_route(call: &mut Call, kind: Kind, id: &str, rest: &[String]) -> ApiResult<Reply> {
    let owner = pipeline::visible(call.store, &call.space, kind, id)?.clone();
    let oid = str_of(&owner, "Id").to_string();
    let sub = rest[0].to_ascii_lowercase();
    let next = rest.get(1).map(String::as_str);
    let of = |field: &'static str| -> Scope<'_> { Some((field, oid.as_str())) };
    match (kind, sub.as_str(), rest.len()) {
        (Kind::Project, _, _) => project_route(call, &owner, &sub, rest),
        (Kind::Environment, "machines", 1) => page(call, Kind::Machine, of("EnvironmentIds")),
        (Kind::Environment, "singlyscopedvariabledetails", 1) => {
            call.only("GET")?;
            Ok(Reply::json(
                200,
                environment::singly_scoped_variables(call.store, &call.space, &oid),
            ))
        }
        // No extension settings metadata: the simulator installs no extensions.
        (Kind::Environment, "metadata", 1) => {
            call.only("GET")?;
            Ok(Reply::json(200, json!([])))
        }
        // Reference §2.15: archiving sets `Archived` (read-only everywhere else).
        (Kind::Certificate, "archive" | "unarchive", 1) => {
            call.only("POST")?;
            let archived = if sub == "archive" {
                json!(now_stamp())
            } else {
                Value::Null
            };
            let doc = call
                .store
                .get_mut(&call.space, Kind::Certificate, &oid)
                .ok_or_else(ApiError::not_found)?;
            doc.insert("Archived".into(), archived);
            let doc = doc.clone();
            Ok(Reply::json(
                200,
                pipeline::render(call.store, &call.space, Kind::Certificate, &doc),
            ))
        }
        (Kind::Certificate, "export", 1) => {
            call.only("GET")?;
            let format = call.q.get("format").map(str::to_string);
            let bytes = certificate::export(&owner, format.as_deref())?;
            Ok(Reply {
                status: 200,
                body: Content::File(bytes),
            })
        }
        (Kind::Certificate, "replace", 1) => {
            call.only("POST")?;
            let body = call.need_body()?;
            let backup = certificate::replace(call.store, &call.space, &oid, &body)?;
            Ok(Reply::json(
                200,
                pipeline::render(call.store, &call.space, Kind::Certificate, &backup),
            ))
        }
        (Kind::LibraryVariableSet, "usages", 1) => {
            call.only("GET")?;
            Ok(Reply::json(
                200,
                library_variable_set::usages(call.store, &call.space, &owner),
            ))
        }
        (Kind::WorkerPool, "workers", 1) => page(call, Kind::Worker, of("WorkerPoolIds")),
        (Kind::MachinePolicy, "machines", 1) => page(call, Kind::Machine, of("MachinePolicyId")),
        (Kind::MachinePolicy, "workers", 1) => page(call, Kind::Worker, of("MachinePolicyId")),
        (Kind::ProjectGroup, "projects", 1) => page(call, Kind::Project, of("ProjectGroupId")),
        (Kind::Lifecycle, "projects", 1) => bare_list(call, Kind::Project, of("LifecycleId")),
        (Kind::Lifecycle, "preview", 1) => {
            call.only("GET")?;
            let preview = lifecycle::preview(call.store, &call.space, &owner);
            Ok(Reply::json(
                200,
                pipeline::render(call.store, &call.space, Kind::Lifecycle, &preview),
            ))
        }
        (Kind::Channel, "releases", 1) => page(call, Kind::Release, of("ChannelId")),
        (Kind::Runbook, "runbooksnapshots", 1) => page(call, Kind::RunbookSnapshot, of("RunbookId")),
        (Kind::Runbook, "runbooksnapshots", 2) => snapshot_by_name(call, "RunbookId", &oid, next),
        (Kind::Runbook, "runbooksnapshottemplate", 1) => {
            call.only("GET")?;
            Ok(Reply::json(
                200,
                process::snapshot_template(call.store, &call.space, &owner),
            ))
        }
        (Kind::RunbookProcess, "runbooksnapshottemplate", 1) => {
            call.only("GET")?;
            let runbook = pipeline::visible(call.store, &call.space, Kind::Runbook, str_of(&owner, "RunbookId"))?;
            Ok(Reply::json(
                200,
                process::snapshot_template(call.store, &call.space, runbook),
            ))
        }
        (Kind::DeploymentProcess, "template", 1) => {
            call.only("GET")?;
            Ok(Reply::json(
                200,
                process::release_template(call.store, &call.space, &owner),
            ))
        }
        (Kind::Team, "scopeduserroles", 1) => page(call, Kind::ScopedUserRole, of("TeamId")),
        (Kind::Tenant, "variables", 1) => tenant_document(call, &oid),
        (Kind::Tenant, "projectvariables", 1) => tenant_list(call, &oid, List::Project),
        (Kind::Tenant, "commonvariables", 1) => tenant_list(call, &oid, List::Common),
        (Kind::Tenant, "logo", 1) => logo::logo(call, kind, &oid),
        _ => Err(ApiError::not_found()),
    }
}

/// Routes below a project.
fn project_route(call: &mut Call, project_doc: &Doc, sub: &str, rest: &[String]) -> ApiResult<Reply> {
    let pid = str_of(project_doc, "Id").to_string();
    let of: Scope<'_> = Some(("ProjectId", pid.as_str()));
    let next = rest.get(1).map(String::as_str);
    match (sub, rest.len()) {
        ("channels", 1) => collection(call, Kind::Channel, of),
        ("runbooks", 1) => collection(call, Kind::Runbook, of),
        ("runbooks", 2) if next.is_some_and(|n| n.eq_ignore_ascii_case("all")) => all(call, Kind::Runbook, of),
        ("runbooks", 2) => owned_item(call, Kind::Runbook, &rest[1], &pid),
        ("runbookprocesses", 2) => owned_item(call, Kind::RunbookProcess, &rest[1], &pid),
        ("runbooksnapshots", 1) => collection(call, Kind::RunbookSnapshot, of),
        ("runbooksnapshots", 2) => snapshot_by_name(call, "ProjectId", &pid, next),
        ("releases", 1) => page(call, Kind::Release, of),
        ("releases", 2) => {
            call.only("GET")?;
            let version = next.unwrap_or("");
            let release = call
                .store
                .list(&call.space, Kind::Release)
                .iter()
                .find(|r| {
                    str_of(r, "ProjectId").eq_ignore_ascii_case(&pid)
                        && str_of(r, "Version").eq_ignore_ascii_case(version)
                })
                .cloned()
                .ok_or_else(ApiError::not_found)?;
            Ok(Reply::json(
                200,
                pipeline::render(call.store, &call.space, Kind::Release, &release),
            ))
        }
        // Reference §4: what a version-controlled project keeps in Git is refused at the
        // database routes (the text of ISS#9365, 2025.2).
        // QUESTION: older servers may answer differently (2022.3 answered a 404 naming
        // `deploymentprocess-Projects-N` on another route, ISS#7746); one answer is used.
        ("deploymentprocesses" | "deploymentsettings", 1) if project::is_version_controlled(project_doc) => {
            Err(ApiError::invalid(NOT_A_GIT_ROUTE))
        }
        ("git", 2) if next.is_some_and(|n| n.eq_ignore_ascii_case("convert")) => {
            if call.store.version_at() < project::GIT_SINCE {
                return Err(ApiError::not_found());
            }
            call.only("POST")?;
            let body = call.need_body()?;
            let answer = project::convert(call.store, &call.space, &pid, &body)?;
            Ok(Reply::json(200, answer))
        }
        ("deploymentprocesses", 1) => {
            let process_id = str_of(project_doc, "DeploymentProcessId").to_string();
            item(call, Kind::DeploymentProcess, &process_id)
        }
        ("variables", 1) => {
            let set = str_of(project_doc, "VariableSetId").to_string();
            item(call, Kind::VariableSet, &set)
        }
        ("deploymentsettings", 1) if call.store.version_at() >= deployment_settings::SINCE => {
            deployment_settings_route(call, &pid)
        }
        ("summary", 1) => {
            call.only("GET")?;
            Ok(Reply::json(200, project::summary(call.store, &call.space, project_doc)))
        }
        ("metadata", 1) => {
            call.only("GET")?;
            Ok(Reply::json(200, json!([])))
        }
        ("logo", 1) => logo::logo(call, Kind::Project, &pid),
        _ => Err(ApiError::not_found()),
    }
}

/// A document reached below its project: 404 when it belongs to another project.
fn owned_item(call: &mut Call, kind: Kind, id: &str, project: &str) -> ApiResult<Reply> {
    let doc = pipeline::visible(call.store, &call.space, kind, id)?;
    if !str_of(doc, "ProjectId").eq_ignore_ascii_case(project) {
        return Err(ApiError::not_found());
    }
    item(call, kind, id)
}

/// `…/runbookSnapshots/{idOrName}` below a project or runbook.
fn snapshot_by_name(call: &mut Call, field: &str, owner: &str, id_or_name: Option<&str>) -> ApiResult<Reply> {
    call.only("GET")?;
    let wanted = id_or_name.unwrap_or("");
    let snapshot = call
        .store
        .list(&call.space, Kind::RunbookSnapshot)
        .iter()
        .find(|s| {
            str_of(s, field).eq_ignore_ascii_case(owner)
                && (str_of(s, "Id").eq_ignore_ascii_case(wanted) || str_of(s, "Name").eq_ignore_ascii_case(wanted))
        })
        .cloned()
        .ok_or_else(ApiError::not_found)?;
    Ok(Reply::json(
        200,
        pipeline::render(call.store, &call.space, Kind::RunbookSnapshot, &snapshot),
    ))
}

/// A listing as a bare array (`/lifecycles/{id}/projects`).
fn bare_list(call: &mut Call, kind: Kind, scope: Scope<'_>) -> ApiResult<Reply> {
    call.only("GET")?;
    let q = Default::default();
    let docs = pipeline::list(call.store, &call.space, kind, &q, scope);
    let items = docs
        .iter()
        .map(|d| pipeline::render(call.store, &call.space, kind, d))
        .collect();
    Ok(Reply::json(200, Value::Array(items)))
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

/// `GET/PUT/POST /tenants/{id}/variables`: the legacy document.
fn tenant_document(call: &mut Call, tenant: &str) -> ApiResult<Reply> {
    let mut v = match call.method {
        "GET" => tenant_variables::get_tenant_vars(call.store, &call.space, tenant)?,
        "PUT" | "POST" => {
            let body = call.need_body()?;
            tenant_variables::put_tenant_vars(call.store, &call.space, tenant, body)?
        }
        m => return Err(ApiError::method_not_allowed(m)),
    };
    secrets::redact(&mut v);
    Ok(Reply::json(200, v))
}

/// `GET/PUT/POST /tenants/{id}/projectvariables` and `…/commonvariables` (2025.1+).
fn tenant_list(call: &mut Call, tenant: &str, list: List) -> ApiResult<Reply> {
    if call.store.version_at() < TENANT_LISTS_SINCE {
        return Err(ApiError::not_found());
    }
    let mut v = match call.method {
        "GET" => {
            let missing = call
                .q
                .get("includeMissingVariables")
                .is_some_and(|m| m.eq_ignore_ascii_case("true"));
            scoped::get(call.store, &call.space, tenant, list, missing)?
        }
        "PUT" | "POST" => {
            let body = call.need_body()?;
            scoped::put(call.store, &call.space, tenant, list, body)?
        }
        m => return Err(ApiError::method_not_allowed(m)),
    };
    secrets::redact(&mut v);
    Ok(Reply::json(200, v))
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
