//! Collection and item routes: list (paged envelope), `/all` (bare array), POST, and GET/PUT/DELETE
//! of one document.

use serde_json::{json, Value};

use super::{Call, Reply};
use crate::sim::envelope;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::kinds::{self, Access};
use crate::sim::pipeline;
use crate::sim::store::str_of;

/// Narrows a listing to one owner: (field, owner id), e.g. ("ProjectId", "Projects-1").
pub(super) type Scope<'a> = Option<(&'static str, &'a str)>;

fn collection_base(space: &str, kind: Kind, scope: Scope<'_>) -> String {
    match (kind, scope) {
        (Kind::Space, _) => "/api/spaces".to_string(),
        (k, _) if k.is_system() => format!("/api/{}", k.segment()),
        (k, Some(("ProjectId", pid))) => format!("/api/{space}/projects/{pid}/{}", k.segment()),
        (k, _) => format!("/api/{space}/{}", k.segment()),
    }
}

/// GET: a page of the listing; POST: create (a scoped POST pins the owner field).
pub(super) fn collection(call: &mut Call, kind: Kind, scope: Scope<'_>) -> ApiResult<Reply> {
    let spec = kinds::spec(kind);
    if spec.access() == Access::Embedded {
        return Err(ApiError::not_found());
    }
    match call.method {
        "GET" => {
            let docs = pipeline::list_refs(call.store, &call.space, kind, &call.q, scope);
            let base = collection_base(&call.space, kind, scope);
            Ok(Reply::json(
                200,
                envelope::envelope_of(
                    kind.item_type(),
                    spec.query(),
                    &docs,
                    |d| pipeline::render(call.store, &call.space, kind, d),
                    &call.q,
                    &base,
                    call.store.default_take,
                )?,
            ))
        }
        "POST" if kind == Kind::Space || spec.access() == Access::Full => {
            let mut body = call.need_body()?;
            if let (Some((field, id)), Value::Object(m)) = (scope, &mut body) {
                m.insert(field.to_string(), json!(id));
            }
            let doc = pipeline::create(call.store, &call.space, kind, body)?;
            spec.posted(call.store, &call.space, &doc, &call.q);
            let doc = pipeline::visible(call.store, &call.space, kind, str_of(&doc, "Id"))?.clone();
            let view_space = if kind.is_system() {
                str_of(&doc, "SpaceId").to_string()
            } else {
                call.space.clone()
            };
            Ok(Reply::json(201, pipeline::render(call.store, &view_space, kind, &doc)))
        }
        m => Err(ApiError::method_not_allowed(m)),
    }
}

/// `GET …/all`: the whole listing as a bare array, where the server has such a route (elsewhere
/// `all` is taken as an id, which does not exist).
pub(super) fn all(call: &mut Call, kind: Kind, scope: Scope<'_>) -> ApiResult<Reply> {
    let spec = kinds::spec(kind);
    if spec.access() == Access::Embedded || !spec.has_all() {
        return Err(ApiError::not_found());
    }
    call.only("GET")?;
    let docs = pipeline::list_refs(call.store, &call.space, kind, &call.q, scope);
    Ok(Reply::json(
        200,
        Value::Array(
            docs.iter()
                .map(|d| pipeline::render(call.store, &call.space, kind, d))
                .collect(),
        ),
    ))
}

/// A paged listing that only answers GET.
pub(super) fn page(call: &mut Call, kind: Kind, scope: Scope<'_>) -> ApiResult<Reply> {
    call.only("GET")?;
    collection(call, kind, scope)
}

/// GET, PUT or DELETE of one document.
pub(super) fn item(call: &mut Call, kind: Kind, id: &str) -> ApiResult<Reply> {
    let access = kinds::spec(kind).access();
    if access == Access::Embedded {
        return Err(ApiError::not_found());
    }
    let full = kind == Kind::Space || access == Access::Full;
    match call.method {
        "GET" => {
            let doc = pipeline::visible(call.store, &call.space, kind, id)?.clone();
            Ok(Reply::json(200, pipeline::render(call.store, &call.space, kind, &doc)))
        }
        "PUT" if full || access == Access::Owned => {
            if kind != Kind::Space {
                pipeline::visible(call.store, &call.space, kind, id)?;
            }
            let body = call.need_body()?;
            let doc = pipeline::update(call.store, &call.space, kind, id, body)?;
            // PUT /api/spaces/{id} answers 201 (SW20, SW21b); everything else 200.
            let status = if kind == Kind::Space { 201 } else { 200 };
            Ok(Reply::json(
                status,
                pipeline::render(call.store, &call.space, kind, &doc),
            ))
        }
        "DELETE" if full => {
            pipeline::delete(call.store, &call.space, kind, id)?;
            Ok(Reply::empty(200))
        }
        m => Err(ApiError::method_not_allowed(m)),
    }
}

/// `GET /api/users/me`: the user the API key belongs to.
pub(super) fn me(call: &mut Call) -> ApiResult<Reply> {
    call.only("GET")?;
    let me = call
        .store
        .list("", Kind::User)
        .first()
        .cloned()
        .ok_or_else(ApiError::not_found)?;
    Ok(Reply::json(200, pipeline::render(call.store, "", Kind::User, &me)))
}
