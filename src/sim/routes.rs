//! HTTP mapping: the three route forms, case-insensitive segments, verbs and status codes
//! (reference §1.2, §1.6). Auth: every route except `GET /api` needs the API key.

use serde_json::{json, Map, Value};

use super::envelope::{self, percent_decode, Query};
use super::error::{ApiError, ApiResult};
use super::kinds::{Access, Kind};
use super::ops;
use super::rules;
use super::secrets;
use super::store::{str_of, Doc, Store};
use super::variables;

/// What the handler answers: status and an optional JSON body.
pub(crate) struct Reply {
    pub status: u16,
    pub body: Option<Value>,
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: Some(body),
        }
    }
}

impl From<ApiError> for Reply {
    fn from(e: ApiError) -> Reply {
        Reply::json(e.status, e.body)
    }
}

/// One request as the router sees it.
pub(crate) struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub api_key: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
}

fn is_space_id(seg: &str) -> bool {
    let s = seg.to_ascii_lowercase();
    s.strip_prefix("spaces-")
        .map(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        .unwrap_or(false)
}

/// Handle one request against the store (the caller holds the lock and checks nothing else).
pub(crate) fn handle(store: &mut Store, valid_key: &str, req: &Request) -> Reply {
    match route(store, valid_key, req) {
        Ok(r) => r,
        Err(e) => e.into(),
    }
}

fn route(store: &mut Store, valid_key: &str, req: &Request) -> ApiResult<Reply> {
    let lower = req.path.to_ascii_lowercase();
    let rest = if lower == "/api" || lower == "/api/" {
        ""
    } else if lower.starts_with("/api/") {
        &req.path[5..]
    } else {
        return Err(ApiError::not_found());
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let segs: Vec<String> = if rest.is_empty() {
        vec![]
    } else {
        rest.split('/').map(percent_decode).collect()
    };
    if segs.iter().any(String::is_empty) {
        // A double slash is a malformed route: the real server answers 405 (ISS#6964).
        return Err(ApiError::method_not_allowed(req.method));
    }
    // QUESTION: anonymous `GET /api` is assumed (the UI reads it before sign-in); not verified.
    if segs.is_empty() {
        return match req.method {
            "GET" => Ok(Reply::json(200, root(store))),
            m => Err(ApiError::method_not_allowed(m)),
        };
    }
    if req.api_key != Some(valid_key) {
        return Err(ApiError::unauthorized());
    }
    let q = Query::parse(req.query);
    let body = parse_body(req)?;
    let first = segs[0].to_ascii_lowercase();
    if first == "spaces" {
        return match segs.len() {
            1 => collection(store, "", Kind::Space, req.method, &q, body, None),
            2 if segs[1].eq_ignore_ascii_case("all") => all(store, "", Kind::Space, req.method, &q, None),
            2 => item(store, "", Kind::Space, &segs[1], req.method, body),
            _ => {
                let space = store.space_by_ident(&segs[1]).ok_or_else(ApiError::not_found)?;
                in_space(store, &space, &segs[2..], req.method, &q, body)
            }
        };
    }
    if is_space_id(&first) {
        let space = store.space_by_ident(&segs[0]).ok_or_else(ApiError::not_found)?;
        if segs.len() == 1 {
            return match req.method {
                "GET" => Ok(Reply::json(200, space_home(&space))),
                m => Err(ApiError::method_not_allowed(m)),
            };
        }
        return in_space(store, &space, &segs[1..], req.method, &q, body);
    }
    match Kind::from_coll(&first) {
        Some(k) if k.is_system() => in_space(store, "", &segs, req.method, &q, body),
        _ => {
            // Legacy form: /api/<collection> is the default space.
            let space = store.default_space.clone();
            in_space(store, &space, &segs, req.method, &q, body)
        }
    }
}

fn parse_body(req: &Request) -> ApiResult<Option<Value>> {
    if req.method != "POST" && req.method != "PUT" {
        return Ok(None);
    }
    let json_type = req
        .content_type
        .map(|c| {
            let c = c.to_ascii_lowercase();
            c.starts_with("application/json") || c.contains("+json")
        })
        .unwrap_or(false);
    if !json_type {
        return Err(ApiError::new(
            415,
            "No resource provided: the request body must be JSON (Content-Type: application/json).",
        ));
    }
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid("No request body was supplied."));
    }
    serde_json::from_slice(req.body)
        .map(Some)
        .map_err(|e| ApiError::invalid(format!("The request body is not valid JSON: {e}")))
}

fn need_body(body: Option<Value>) -> ApiResult<Value> {
    body.ok_or_else(|| ApiError::invalid("No request body was supplied."))
}

/// Routes below a space (or the system routes when `space` is "").
fn in_space(
    store: &mut Store,
    space: &str,
    segs: &[String],
    method: &str,
    q: &Query,
    body: Option<Value>,
) -> ApiResult<Reply> {
    let first = segs[0].to_ascii_lowercase();
    if first == "tenantvariables" && segs.len() == 2 && segs[1].eq_ignore_ascii_case("all") {
        return tenant_variables_all(store, space, method, q);
    }
    let kind = match Kind::from_coll(&first) {
        Some(Kind::Space) | None => return Err(ApiError::not_found()),
        Some(k) => k,
    };
    if !kind.is_system() && space.is_empty() {
        return Err(ApiError::not_found());
    }
    match segs.len() {
        1 => collection(store, space, kind, method, q, body, None),
        2 if segs[1].eq_ignore_ascii_case("all") => all(store, space, kind, method, q, None),
        2 if kind == Kind::User && segs[1].eq_ignore_ascii_case("me") => match method {
            "GET" => {
                let me = store
                    .list("", Kind::User)
                    .first()
                    .cloned()
                    .ok_or_else(ApiError::not_found)?;
                Ok(Reply::json(200, ops::render(store, "", Kind::User, &me)))
            }
            m => Err(ApiError::method_not_allowed(m)),
        },
        2 => item(store, space, kind, &segs[1], method, body),
        _ => sub_route(store, space, kind, &segs[1], &segs[2..], method, q, body),
    }
}

#[allow(clippy::too_many_arguments)]
fn sub_route(
    store: &mut Store,
    space: &str,
    kind: Kind,
    id: &str,
    rest: &[String],
    method: &str,
    q: &Query,
    body: Option<Value>,
) -> ApiResult<Reply> {
    let sub = rest[0].to_ascii_lowercase();
    let owner = ops::visible(store, space, kind, id)?.clone();
    let oid = str_of(&owner, "Id").to_string();
    let scoped = |field: &'static str| Some((field, oid.clone()));
    match (kind, sub.as_str(), rest.len()) {
        (Kind::Project, "channels", 1) => collection(store, space, Kind::Channel, method, q, body, scoped("ProjectId")),
        (Kind::Project, "channels", 2) if rest[1].eq_ignore_ascii_case("all") => {
            all(store, space, Kind::Channel, method, q, scoped("ProjectId"))
        }
        (Kind::Project, "runbooks", 1) => collection(store, space, Kind::Runbook, method, q, body, scoped("ProjectId")),
        (Kind::Project, "runbooks", 2) if rest[1].eq_ignore_ascii_case("all") => {
            all(store, space, Kind::Runbook, method, q, scoped("ProjectId"))
        }
        (Kind::Project, "deploymentprocesses", 1) => {
            let pid = str_of(&owner, "DeploymentProcessId").to_string();
            item(store, space, Kind::DeploymentProcess, &pid, method, body)
        }
        (Kind::Project, "variables", 1) => {
            let vid = str_of(&owner, "VariableSetId").to_string();
            item(store, space, Kind::VariableSet, &vid, method, body)
        }
        (Kind::Project, "runbookprocesses", 2) => {
            let rp = store
                .get(space, Kind::RunbookProcess, &rest[1])
                .ok_or_else(ApiError::not_found)?;
            if !str_of(rp, "ProjectId").eq_ignore_ascii_case(&oid) {
                return Err(ApiError::not_found());
            }
            item(store, space, Kind::RunbookProcess, &rest[1].clone(), method, body)
        }
        (Kind::Project, "deploymentsettings", 1) => match method {
            "GET" => {
                let d = rules::get_deployment_settings(store, space, &oid)?;
                Ok(Reply::json(
                    200,
                    ops::render(store, space, Kind::DeploymentSettings, &d),
                ))
            }
            "PUT" => {
                let d = rules::put_deployment_settings(store, space, &oid, need_body(body)?)?;
                Ok(Reply::json(
                    200,
                    ops::render(store, space, Kind::DeploymentSettings, &d),
                ))
            }
            m => Err(ApiError::method_not_allowed(m)),
        },
        (Kind::ProjectGroup, "projects", 1) => {
            all_as_page(store, space, Kind::Project, method, q, scoped("ProjectGroupId"))
        }
        (Kind::Lifecycle, "projects", 1) => match method {
            "GET" => {
                let docs = scoped_docs(store, space, Kind::Project, &Query::default(), scoped("LifecycleId"));
                Ok(Reply::json(
                    200,
                    Value::Array(
                        docs.iter()
                            .map(|d| ops::render(store, space, Kind::Project, d))
                            .collect(),
                    ),
                ))
            }
            m => Err(ApiError::method_not_allowed(m)),
        },
        (Kind::Team, "scopeduserroles", 1) => {
            all_as_page(store, space, Kind::ScopedUserRole, method, q, scoped("TeamId"))
        }
        (Kind::Tenant, "variables", 1) => {
            let mut v = match method {
                "GET" => variables::get_tenant_vars(store, space, &oid)?,
                "PUT" | "POST" => variables::put_tenant_vars(store, space, &oid, need_body(body)?)?,
                m => return Err(ApiError::method_not_allowed(m)),
            };
            secrets::redact(&mut v);
            Ok(Reply::json(200, v))
        }
        _ => Err(ApiError::not_found()),
    }
}

fn tenant_variables_all(store: &mut Store, space: &str, method: &str, q: &Query) -> ApiResult<Reply> {
    if method != "GET" {
        return Err(ApiError::method_not_allowed(method));
    }
    let docs = envelope::filter(Kind::Tenant, store.list(space, Kind::Tenant).to_vec(), q);
    let mut out = Vec::new();
    for t in docs {
        let mut v = variables::get_tenant_vars(store, space, str_of(&t, "Id"))?;
        secrets::redact(&mut v);
        out.push(v);
    }
    Ok(Reply::json(200, Value::Array(out)))
}

/// Documents of a kind visible from the route, optionally narrowed to one owner (field = id).
fn scoped_docs(store: &Store, space: &str, kind: Kind, q: &Query, scope: Option<(&str, String)>) -> Vec<Doc> {
    let mut docs: Vec<Doc> = if kind == Kind::Space {
        store.spaces.clone()
    } else {
        store.list(space, kind).to_vec()
    };
    // QUESTION: a space route lists that space's teams/roles plus the system ones (includeSystem
    // defaulting to true); the real default of `includeSystem` is not documented.
    if kind.is_system()
        && !space.is_empty()
        && matches!(kind, Kind::Team | Kind::ScopedUserRole)
        && q.get("spaces").is_none()
    {
        docs.retain(|d| {
            let owner = str_of(d, "SpaceId");
            owner.is_empty() || owner.eq_ignore_ascii_case(space)
        });
    }
    if let Some((field, id)) = scope {
        docs.retain(|d| str_of(d, field).eq_ignore_ascii_case(&id));
    }
    let mut docs = envelope::filter(kind, docs, q);
    envelope::sort(kind, &mut docs);
    docs
}

fn collection_base(space: &str, kind: Kind, scope: &Option<(&str, String)>) -> String {
    match (kind, scope) {
        (Kind::Space, _) => "/api/spaces".to_string(),
        (k, _) if k.is_system() => format!("/api/{}", k.coll()),
        (k, Some(("ProjectId", pid))) => format!("/api/{space}/projects/{pid}/{}", k.link_seg()),
        (k, _) => format!("/api/{space}/{}", k.link_seg()),
    }
}

fn collection(
    store: &mut Store,
    space: &str,
    kind: Kind,
    method: &str,
    q: &Query,
    body: Option<Value>,
    scope: Option<(&str, String)>,
) -> ApiResult<Reply> {
    match method {
        "GET" => {
            let docs = scoped_docs(store, space, kind, q, scope.clone());
            let items = docs.iter().map(|d| ops::render(store, space, kind, d)).collect();
            let base = collection_base(space, kind, &scope);
            Ok(Reply::json(
                200,
                envelope::envelope(kind, items, q, &base, store.default_take)?,
            ))
        }
        "POST" if kind == Kind::Space || kind.access() == Access::Full => {
            let mut body = need_body(body)?;
            if let (Some((field, id)), Value::Object(m)) = (&scope, &mut body) {
                m.insert(field.to_string(), json!(id));
            }
            let doc = ops::create(store, space, kind, body)?;
            let view_space = if kind.is_system() {
                str_of(&doc, "SpaceId").to_string()
            } else {
                space.to_string()
            };
            Ok(Reply::json(201, ops::render(store, &view_space, kind, &doc)))
        }
        m => Err(ApiError::method_not_allowed(m)),
    }
}

fn all(
    store: &mut Store,
    space: &str,
    kind: Kind,
    method: &str,
    q: &Query,
    scope: Option<(&str, String)>,
) -> ApiResult<Reply> {
    if method != "GET" {
        return Err(ApiError::method_not_allowed(method));
    }
    let docs = scoped_docs(store, space, kind, q, scope);
    Ok(Reply::json(
        200,
        Value::Array(docs.iter().map(|d| ops::render(store, space, kind, d)).collect()),
    ))
}

fn all_as_page(
    store: &mut Store,
    space: &str,
    kind: Kind,
    method: &str,
    q: &Query,
    scope: Option<(&str, String)>,
) -> ApiResult<Reply> {
    if method != "GET" {
        return Err(ApiError::method_not_allowed(method));
    }
    collection(store, space, kind, method, q, None, scope)
}

fn item(store: &mut Store, space: &str, kind: Kind, id: &str, method: &str, body: Option<Value>) -> ApiResult<Reply> {
    let full = kind == Kind::Space || kind.access() == Access::Full;
    match method {
        "GET" => {
            let doc = if kind == Kind::Space {
                store.space_doc(id).ok_or_else(ApiError::not_found)?.clone()
            } else {
                ops::visible(store, space, kind, id)?.clone()
            };
            Ok(Reply::json(200, ops::render(store, space, kind, &doc)))
        }
        "PUT" if full || kind.access() == Access::Owned => {
            if kind != Kind::Space && kind != Kind::DeploymentSettings {
                ops::visible(store, space, kind, id)?;
            }
            let doc = ops::update(store, space, kind, id, need_body(body)?)?;
            // PUT /api/spaces/{id} answers 201 (SW20, SW21b); everything else 200.
            let status = if kind == Kind::Space { 201 } else { 200 };
            Ok(Reply::json(status, ops::render(store, space, kind, &doc)))
        }
        "DELETE" if full => {
            ops::delete(store, space, kind, id)?;
            Ok(Reply {
                status: 200,
                body: None,
            })
        }
        m => Err(ApiError::method_not_allowed(m)),
    }
}

const ROOT_LINKS: &[(&str, Kind)] = &[
    ("Accounts", Kind::Account),
    ("ActionTemplates", Kind::ActionTemplate),
    ("Certificates", Kind::Certificate),
    ("Channels", Kind::Channel),
    ("DeploymentProcesses", Kind::DeploymentProcess),
    ("Environments", Kind::Environment),
    ("LibraryVariables", Kind::LibraryVariableSet),
    ("Lifecycles", Kind::Lifecycle),
    ("MachinePolicies", Kind::MachinePolicy),
    ("Machines", Kind::Machine),
    ("Packages", Kind::Package),
    ("ProjectGroups", Kind::ProjectGroup),
    ("Projects", Kind::Project),
    ("RunbookProcesses", Kind::RunbookProcess),
    ("Runbooks", Kind::Runbook),
    ("TagSets", Kind::TagSet),
    ("Tenants", Kind::Tenant),
    ("Variables", Kind::VariableSet),
    ("WorkerPools", Kind::WorkerPool),
    ("Workers", Kind::Worker),
];

fn space_links(space: &str) -> Map<String, Value> {
    let mut links = Map::new();
    for (name, kind) in ROOT_LINKS {
        links.insert(
            name.to_string(),
            json!(format!(
                "/api/{space}/{}{{/id}}{}",
                kind.link_seg(),
                kind.template_query()
            )),
        );
    }
    links.insert(
        "TenantVariables".into(),
        json!(format!("/api/{space}/tenantvariables/all{{?projectId}}")),
    );
    links.insert(
        "EnvironmentSortOrder".into(),
        json!(format!("/api/{space}/environments/sortorder")),
    );
    links
}

/// `GET /api`: links point at the default space (root-2020.4.json), Feeds without a space prefix
/// as in both real root documents.
fn root(store: &Store) -> Value {
    let space = store.default_space.clone();
    let mut links = Map::new();
    links.insert("Self".into(), json!("/api"));
    links.extend(space_links(&space));
    links.insert(
        "Feeds".into(),
        json!(format!("/api/feeds{{/id}}{}", Kind::Feed.template_query())),
    );
    for kind in [
        Kind::Team,
        Kind::ScopedUserRole,
        Kind::UserRole,
        Kind::User,
        Kind::Space,
    ] {
        let name = match kind {
            Kind::Team => "Teams",
            Kind::ScopedUserRole => "ScopedUserRoles",
            Kind::UserRole => "UserRoles",
            Kind::User => "Users",
            _ => "Spaces",
        };
        links.insert(
            name.into(),
            json!(format!("/api/{}{{/id}}{}", kind.coll(), kind.template_query())),
        );
    }
    links.insert("SpaceHome".into(), json!("/api/{spaceId}"));
    links.insert("CurrentUser".into(), json!("/api/users/me"));
    links.insert("Web".into(), json!("/app"));
    let mut sorted: Vec<(String, Value)> = links.into_iter().collect();
    sorted.sort_by(|a, b| (a.0 != "Self").cmp(&(b.0 != "Self")).then(a.0.cmp(&b.0)));
    json!({
        "Application": "Octopus Deploy",
        "Version": store.version,
        "ApiVersion": "3.0.0",
        "InstallationId": store.installation_id,
        "HasLongTermSupport": false,
        "IsEarlyAccessProgram": false,
        "Links": Map::from_iter(sorted),
    })
}

/// `GET /api/{spaceId}`: the space root with space-scoped links.
fn space_home(space: &str) -> Value {
    let mut links = Map::new();
    links.insert("Self".into(), json!(format!("/api/{space}")));
    links.extend(space_links(space));
    links.insert(
        "Feeds".into(),
        json!(format!("/api/{space}/feeds{{/id}}{}", Kind::Feed.template_query())),
    );
    links.insert(
        "Teams".into(),
        json!(format!("/api/{space}/teams{{/id}}{}", Kind::Team.template_query())),
    );
    links.insert(
        "ScopedUserRoles".into(),
        json!(format!(
            "/api/{space}/scopeduserroles{{/id}}{}",
            Kind::ScopedUserRole.template_query()
        )),
    );
    json!({ "Links": links })
}
