//! Routes that are not a collection of stored documents: capabilities, space search, the
//! environments summary and `environments/v2`.

use serde_json::{json, Value};

use super::{Call, Reply};
use crate::sim::envelope;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::kinds::{environment, space};
use crate::sim::pipeline;
use crate::sim::store::{str_of, strs_of, Doc, Store};

/// The first version with `GET /api/capabilities` (api-client.ts: "upgrade it at least 2022.3").
const CAPABILITIES_SINCE: (u32, u32) = (2022, 3);

/// `GET /api/capabilities` (2022.3+): the requests the server handles, by name.
// QUESTION: a real server lists every request and command it handles; only names whose routes
// the simulator serves are listed (it has no executions API, so `CreateReleaseCommandV1` and the
// like are absent and a client sees them as unsupported).
pub(super) fn capabilities(call: &mut Call) -> ApiResult<Reply> {
    if call.store.version_at() < CAPABILITIES_SINCE {
        return Err(ApiError::not_found());
    }
    call.only("GET")?;
    Ok(Reply::json(200, json!({"Capabilities": ["GetAllSpacesRequest"]})))
}

/// `GET /api/spaces/{id}/search?keyword=`.
pub(super) fn space_search(call: &mut Call) -> ApiResult<Reply> {
    call.only("GET")?;
    let keyword = call.q.get("keyword").unwrap_or("").to_string();
    Ok(Reply::json(200, space::search(call.store, &call.space, &keyword)))
}

fn machines_in<'a>(store: &'a Store, space: &str, environment: &str) -> Vec<&'a Doc> {
    store
        .list(space, Kind::Machine)
        .iter()
        .filter(|m| {
            strs_of(m, "EnvironmentIds")
                .iter()
                .any(|e| e.eq_ignore_ascii_case(environment))
        })
        .collect()
}

/// `GET /environments/summary{?ids,partialName,hideEmptyEnvironments}` (SW21b
/// `EnvironmentsSummaryResource`): machine counts per environment and over all of them.
pub(super) fn environments_summary(call: &mut Call) -> ApiResult<Reply> {
    call.only("GET")?;
    let (store, space) = (&*call.store, call.space.as_str());
    let hide_empty = call
        .q
        .get("hideEmptyEnvironments")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let mut summaries = Vec::new();
    let mut all: Vec<&Doc> = Vec::new();
    for env in pipeline::list(store, space, Kind::Environment, &call.q, None) {
        let machines = machines_in(store, space, str_of(&env, "Id"));
        if hide_empty && machines.is_empty() {
            continue;
        }
        let mut summary = serde_json::Map::new();
        summary.insert(
            "Environment".into(),
            pipeline::render(store, space, Kind::Environment, &env),
        );
        summary.extend(environment::machine_summary(&machines));
        summaries.push(Value::Object(summary));
        all.extend(machines);
    }
    let mut body = environment::machine_summary(&all);
    body.insert("EnvironmentSummaries".into(), Value::Array(summaries));
    Ok(Reply::json(200, Value::Object(body)))
}

/// `GET /environments/v2{?name,skip,ids,take,partialName,type}` (2025.4+).
// QUESTION: the ItemType of the v2 listing is not shown anywhere; "Environment" is assumed.
pub(super) fn environments_v2(call: &mut Call) -> ApiResult<Reply> {
    if call.store.version_at() < environment::V2_SINCE {
        return Err(ApiError::not_found());
    }
    call.only("GET")?;
    let (store, space) = (&*call.store, call.space.as_str());
    let wanted = call.q.get("type").unwrap_or("");
    let static_wanted = wanted.is_empty() || wanted.eq_ignore_ascii_case("Static");
    let items: Vec<Value> = pipeline::list(store, space, Kind::Environment, &call.q, None)
        .iter()
        .filter(|_| static_wanted)
        .map(|d| environment::as_v2(&pipeline::render(store, space, Kind::Environment, d)))
        .collect();
    let base = format!("/api/{space}/environments/v2");
    let template = "{?name,skip,ids,take,partialName,type}";
    Ok(Reply::json(
        200,
        envelope::envelope("Environment", template, items, &call.q, &base, store.default_take)?,
    ))
}
