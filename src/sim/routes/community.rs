//! Routes below a community library entry (reference §2.12; SW21b): its installation into a space
//! (`POST` installs, `PUT` updates to the library's version), the step template installed from it,
//! and its logo. An installation takes no body: the server copies the template from its library.

use super::{logo, Call, Reply};
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::library;
use crate::sim::pipeline;

/// `/communityactiontemplates/{id}/{rest…}`.
pub(super) fn route(call: &mut Call, entry_id: &str, rest: &[String]) -> ApiResult<Reply> {
    let sub = rest[0].to_ascii_lowercase();
    match (sub.as_str(), rest.len()) {
        ("installation", 1 | 2) => {
            let space = space_of(call, rest.get(1))?;
            let doc = match call.method {
                "POST" => library::install(call.store, &space, entry_id)?,
                "PUT" => library::update(call.store, &space, entry_id)?,
                m => return Err(ApiError::method_not_allowed(m)),
            };
            let status = if call.method == "POST" { 201 } else { 200 };
            Ok(Reply::json(
                status,
                pipeline::render(call.store, &space, Kind::ActionTemplate, &doc),
            ))
        }
        ("actiontemplate", 1 | 2) => {
            call.only("GET")?;
            let space = space_of(call, rest.get(1))?;
            let doc = library::installed(call.store, &space, entry_id)?;
            Ok(Reply::json(
                200,
                pipeline::render(call.store, &space, Kind::ActionTemplate, &doc),
            ))
        }
        ("logo", 1) => logo::logo(call, Kind::CommunityActionTemplate, entry_id),
        _ => Err(ApiError::not_found()),
    }
}

/// The space a route names, or the default space for the route without one.
fn space_of(call: &Call, segment: Option<&String>) -> ApiResult<String> {
    match segment {
        Some(ident) => call.store.space_by_ident(ident).ok_or_else(ApiError::not_found),
        None => Ok(call.store.default_space.clone()),
    }
}
