//! Deployment and runbook processes: steps, actions, optimistic concurrency (reference §2.7, §2.8).

use serde_json::{json, Map, Value};

use super::error::{ApiError, ApiResult, STALE_PROCESS};
use super::kinds::Kind;
use super::ops::{refs_exist, version_tuple};
use super::rules::{array_mut, check_tags, ensure_guid, fill, nested_name, packages};
use super::secrets;
use super::store::{now_stamp, slugify, str_of, strs_of, Doc, Store};

fn get_ci<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    body.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)
}

/// PUT of a deployment or runbook process: `Steps` and `Version` are required, a stale `Version`
/// is refused, and the saved process gets `Version + 1`.
pub(crate) fn update(store: &mut Store, space: &str, kind: Kind, id: &str, body: Value) -> ApiResult<Doc> {
    let stored = store.get(space, kind, id).ok_or_else(ApiError::not_found)?.clone();
    let Value::Object(body) = body else {
        return Err(ApiError::invalid("No request body was supplied."));
    };
    let steps = match get_ci(&body, "Steps") {
        None | Some(Value::Null) => return Err(ApiError::invalid("The Steps field is required.")),
        Some(v) => v.clone(),
    };
    let version = match get_ci(&body, "Version") {
        None | Some(Value::Null) => return Err(ApiError::invalid("The Version field is required.")),
        Some(v) => v
            .as_i64()
            .ok_or_else(|| ApiError::invalid("The Version field must be an integer."))?,
    };
    let current = stored.get("Version").and_then(Value::as_i64).unwrap_or(0);
    if version != current {
        return Err(ApiError::invalid(STALE_PROCESS));
    }
    let project = str_of(&stored, "ProjectId").to_string();
    let mut doc = stored.clone();
    doc.insert("Steps".into(), steps);
    normalize_steps(store, space, kind, &project, &mut doc)?;
    let mut steps = doc.remove("Steps").unwrap_or(Value::Array(vec![]));
    secrets::merge(&mut steps, stored.get("Steps"));
    doc.insert("Steps".into(), steps);
    doc.insert("Version".into(), json!(current + 1));
    doc.insert("LastModifiedOn".into(), json!(now_stamp()));
    doc.insert("LastModifiedBy".into(), json!(store.user_name));
    store.replace(space, kind, doc.clone());
    Ok(doc)
}

fn unique(seen: &mut Vec<String>, name: &str, what: &str) -> ApiResult<()> {
    if seen.iter().any(|n| n.eq_ignore_ascii_case(name)) {
        // Texts from TFP #276 (server 2021.3); names are unique case-insensitively (ISS#4459).
        let (a, b) = if what == "Action" {
            ("Action", "action")
        } else {
            ("Step", "step")
        };
        return Err(ApiError::invalid(format!(
            "{a} name '{name}' is already in use by another {b} in this deployment process. {a} names must be unique."
        )));
    }
    seen.push(name.to_string());
    Ok(())
}

fn is_expression(s: &str) -> bool {
    s.contains("#{")
}

/// Defaults, GUIDs, unique names and reference checks for every step and action.
fn normalize_steps(store: &Store, space: &str, kind: Kind, project: &str, doc: &mut Doc) -> ApiResult<()> {
    let slugs = version_tuple(&store.version) >= (2022, 1);
    let mut step_names = Vec::new();
    let mut action_names = Vec::new();
    for step in array_mut(doc, "Steps")?.iter_mut() {
        let mut s = fill(
            step,
            json!({
                "Id": null, "Name": "", "PackageRequirement": "LetOctopusDecide", "Properties": {},
                "Condition": "Success", "StartTrigger": "StartAfterPrevious", "Actions": []
            }),
        )?;
        ensure_guid(&mut s);
        let name = nested_name(&mut s, "step")?;
        unique(&mut step_names, &name, "Step")?;
        if slugs && !s.contains_key("Slug") {
            s.insert("Slug".into(), json!(slugify(&name)));
        }
        let actions = array_mut(&mut s, "Actions")?;
        if actions.is_empty() {
            // QUESTION: the exact text for a step without actions is assumed.
            return Err(ApiError::invalid(format!(
                "Step '{name}' must contain at least one action."
            )));
        }
        for action in actions.iter_mut() {
            let mut a = fill(
                action,
                json!({
                    "Id": null, "Name": "", "ActionType": null, "Notes": null, "IsDisabled": false,
                    "CanBeUsedForProjectVersioning": null, "IsRequired": false, "WorkerPoolId": null,
                    "WorkerPoolVariable": null, "Container": {"Image": null, "FeedId": null},
                    "Environments": [], "ExcludedEnvironments": [], "Channels": [], "TenantTags": [],
                    "Packages": [], "GitDependencies": [], "Condition": "Success", "Properties": {}, "Links": {}
                }),
            )?;
            ensure_guid(&mut a);
            let aname = nested_name(&mut a, "action")?;
            unique(&mut action_names, &aname, "Action")?;
            if slugs && !a.contains_key("Slug") {
                a.insert("Slug".into(), json!(slugify(&aname)));
            }
            if str_of(&a, "ActionType").is_empty() {
                return Err(ApiError::invalid(format!(
                    "Action '{aname}': the ActionType field is required."
                )));
            }
            check_action_refs(store, space, kind, project, &mut a)?;
            *action = Value::Object(a);
        }
        *step = Value::Object(s);
    }
    Ok(())
}

fn check_action_refs(store: &Store, space: &str, kind: Kind, project: &str, a: &mut Doc) -> ApiResult<()> {
    for f in ["Environments", "ExcludedEnvironments"] {
        refs_exist(store, space, Kind::Environment, f, &strs_of(a, f))?;
    }
    let channels = strs_of(a, "Channels");
    if kind == Kind::DeploymentProcess {
        for c in &channels {
            let ok = store
                .get(space, Kind::Channel, c)
                .map(|ch| str_of(ch, "ProjectId").eq_ignore_ascii_case(project))
                .unwrap_or(false);
            if !ok {
                return Err(ApiError::invalid(format!(
                    "Channels: the channel '{c}' does not exist in this project."
                )));
            }
        }
    }
    check_tags(store, space, a, "TenantTags")?;
    let pool = str_of(a, "WorkerPoolId").to_string();
    if !pool.is_empty() && !is_expression(&pool) {
        refs_exist(store, space, Kind::WorkerPool, "WorkerPoolId", &[pool])?;
    }
    packages(array_mut(a, "Packages")?)?;
    let mut feeds: Vec<String> = a
        .get("Packages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("FeedId").and_then(Value::as_str).map(str::to_string))
        .collect();
    if let Some(f) = a.get("Container").and_then(|c| c.get("FeedId")).and_then(Value::as_str) {
        feeds.push(f.to_string());
    }
    feeds.retain(|f| !f.is_empty() && !is_expression(f));
    refs_exist(store, space, Kind::Feed, "FeedId", &feeds)?;
    let props = a
        .get("Properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(t) = props.get("Octopus.Action.Template.Id").and_then(Value::as_str) {
        refs_exist(
            store,
            space,
            Kind::ActionTemplate,
            "Octopus.Action.Template.Id",
            &[t.to_string()],
        )?;
    }
    if a.get("CanBeUsedForProjectVersioning")
        .map(Value::is_null)
        .unwrap_or(true)
    {
        let has_packages = a
            .get("Packages")
            .and_then(Value::as_array)
            .map(|p| !p.is_empty())
            .unwrap_or(false);
        a.insert("CanBeUsedForProjectVersioning".into(), json!(has_packages));
    }
    Ok(())
}
