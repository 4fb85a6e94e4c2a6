//! HTTP mapping: the three route forms, case-insensitive segments, verbs and status codes
//! (reference §1.2, §1.6). Auth: every route except `GET /api` needs the API key.

mod collection;
mod community;
mod extras;
mod logo;
mod ordering;
mod root;
mod sub;

use serde_json::Value;

use super::envelope::{percent_decode, Query};
use super::error::{ApiError, ApiResult};
use super::kind::Kind;
use super::kinds::{self, Listing};
use super::pipeline;
use super::store::Store;

/// The body of an answer.
pub(crate) enum Content {
    /// No body at all (DELETE, the sortorder routes).
    Empty,
    Json(Value),
    /// An image with its content type (logos).
    Image(&'static str, Vec<u8>),
    /// A file (a certificate export), `application/octet-stream`.
    File(Vec<u8>),
}

/// What the handler answers: a status and a body.
pub(crate) struct Reply {
    pub status: u16,
    pub body: Content,
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: Content::Json(body),
        }
    }

    fn empty(status: u16) -> Reply {
        Reply {
            status,
            body: Content::Empty,
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

/// A request below a space (or below `/api` for system routes: `space` is "").
pub(crate) struct Call<'a> {
    pub store: &'a mut Store,
    pub space: String,
    pub method: &'a str,
    pub q: Query,
    /// The JSON body of a POST or PUT (none for the routes that take a file or nothing).
    pub body: Option<Value>,
    /// The request's `Content-Type` and bytes as sent: what a file upload is read from.
    pub content_type: Option<&'a str>,
    pub raw: &'a [u8],
}

impl Call<'_> {
    /// The body of a POST or PUT.
    fn need_body(&mut self) -> ApiResult<Value> {
        self.body
            .take()
            .ok_or_else(|| ApiError::invalid("No request body was supplied."))
    }

    /// 405 unless the verb is `method`.
    fn only(&self, method: &str) -> ApiResult<()> {
        if self.method == method {
            Ok(())
        } else {
            Err(ApiError::method_not_allowed(self.method))
        }
    }
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
            "GET" => Ok(Reply::json(200, root::root(store))),
            m => Err(ApiError::method_not_allowed(m)),
        };
    }
    if req.api_key != Some(valid_key) {
        return Err(ApiError::unauthorized());
    }
    let first = segs[0].to_ascii_lowercase();
    // The community library is read-only; its only writes are installations, which take no body.
    // A logo is uploaded as a form, not JSON.
    let takes_json = first != Kind::CommunityActionTemplate.segment()
        && !segs.last().is_some_and(|s| s.eq_ignore_ascii_case("logo"));
    let body = if takes_json { parse_body(req)? } else { None };
    let mut call = Call {
        store,
        space: String::new(),
        method: req.method,
        q: Query::parse(req.query),
        body,
        content_type: req.content_type,
        raw: req.body,
    };
    if first == "capabilities" && segs.len() == 1 {
        return extras::capabilities(&mut call);
    }
    if first == "spaces" {
        return match segs.len() {
            1 => collection::collection(&mut call, Kind::Space, None),
            2 if segs[1].eq_ignore_ascii_case("all") => collection::all(&mut call, Kind::Space, None),
            2 => collection::item(&mut call, Kind::Space, &segs[1]),
            _ => {
                call.space = call.store.space_by_ident(&segs[1]).ok_or_else(ApiError::not_found)?;
                match segs[2].to_ascii_lowercase().as_str() {
                    "logo" if segs.len() == 3 => {
                        let space = call.space.clone();
                        logo::logo(&mut call, Kind::Space, &space)
                    }
                    "search" if segs.len() == 3 => extras::space_search(&mut call),
                    _ => in_space(&mut call, &segs[2..]),
                }
            }
        };
    }
    if is_space_id(&first) {
        call.space = call.store.space_by_ident(&segs[0]).ok_or_else(ApiError::not_found)?;
        if segs.len() == 1 {
            call.only("GET")?;
            return Ok(Reply::json(200, root::space_home(&call.space)));
        }
        return in_space(&mut call, &segs[1..]);
    }
    match Kind::from_segment(&first) {
        Some(k) if k.is_system() => in_space(&mut call, &segs),
        _ => {
            // Legacy form: /api/<collection> is the default space.
            call.space = call.store.default_space.clone();
            in_space(&mut call, &segs)
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

/// Routes below a space (or the system routes when `call.space` is "").
fn in_space(call: &mut Call, segs: &[String]) -> ApiResult<Reply> {
    let first = segs[0].to_ascii_lowercase();
    if first == "tenantvariables" && segs.len() == 2 && segs[1].eq_ignore_ascii_case("all") {
        return sub::tenant_variables_all(call);
    }
    let kind = match Kind::from_segment(&first) {
        Some(Kind::Space) | None => return Err(ApiError::not_found()),
        Some(k) => k,
    };
    let reachable = if call.space.is_empty() {
        kind.is_system()
    } else {
        kind.in_space_routes()
    };
    if !reachable {
        return Err(ApiError::not_found());
    }
    let second = segs.get(1).map(|s| s.to_ascii_lowercase()).unwrap_or_default();
    match (kind, second.as_str(), segs.len()) {
        (k, "sortorder", 2) if call.method == "PUT" && kinds::spec(k).order() == Listing::BySortOrder => {
            return ordering::sortorder(call, k);
        }
        (Kind::Environment, "summary", 2) => return extras::environments_summary(call),
        (Kind::ActionTemplate, _, 3) if segs[2].eq_ignore_ascii_case("logo") => {
            return logo::action_template(call, &segs[1]);
        }
        (Kind::Environment, "v2", 2) => return extras::environments_v2(call),
        _ => {}
    }
    match segs.len() {
        1 => collection::collection(call, kind, None),
        2 if second == "all" => collection::all(call, kind, None),
        2 if kind == Kind::User && segs[1].eq_ignore_ascii_case("me") => collection::me(call),
        2 => collection::item(call, kind, &segs[1]),
        _ if kind == Kind::CommunityActionTemplate => {
            let entry = pipeline::visible(call.store, "", kind, &segs[1])?.clone();
            community::route(call, crate::sim::store::str_of(&entry, "Id"), &segs[2..])
        }
        _ => sub::sub_route(call, kind, &segs[1], &segs[2..]),
    }
}
