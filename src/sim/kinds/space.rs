//! Spaces (reference §2.1; `space.json`): the first is the default; a new space gets its
//! built-ins; deleting one needs its task queue stopped first.

use serde_json::{json, Map, Value};

use super::{feed, team, At, FollowUp, Spec};
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::{Kind, ALL};
use crate::sim::schema::{field, Field, Ty, STRS};
use crate::sim::shape::get_ci;
use crate::sim::store::{id_eq, now_stamp, str_of, Doc, Store};

/// The space kind.
pub(crate) struct Space;

impl Spec for Space {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("Name", Ty::Str, json!("")),
            field("Description", Ty::Str, Value::Null),
            field("IsDefault", Ty::Bool, json!(false)).read_only(),
            field("IsPrivate", Ty::Bool, json!(false)).read_only(),
            field("TaskQueueStopped", Ty::Bool, json!(false)),
            field("SpaceManagersTeams", STRS, json!([])),
            field("SpaceManagersTeamMembers", STRS, json!([])),
            field("Icon", Ty::Any, Value::Null),
            field("ExtensionSettings", Ty::List(&Ty::Any), json!([])),
        ]
    }

    fn query(&self) -> &'static str {
        "{?name,skip,ids,take,partialName}"
    }

    fn links(&self, at: &At<'_>) -> Value {
        let id = at.id;
        json!({
            "Self": format!("/api/spaces/{id}"),
            "SpaceHome": format!("/api/{id}"),
            "Web": format!("/app#/spaces/{id}"),
            "Logo": format!("/api/spaces/{id}/logo?cb={}", at.version),
            "Search": format!("/api/spaces/{id}/search"),
        })
    }

    fn has_slug(&self) -> bool {
        true
    }
}

/// POST /api/spaces: the space, then the built-ins to create in it.
pub(crate) fn create(store: &mut Store, raw: &Doc) -> ApiResult<(Doc, Vec<FollowUp>)> {
    if matches!(raw.get("SpaceManagersTeams"), None | Some(Value::Null)) {
        // GO always sends `SpaceManagersTeams: []` "to ensure required field is always present".
        return Err(ApiError::invalid("The SpaceManagersTeams field is required."));
    }
    let mut doc = space_doc(store, raw, None, "")?;
    let id = store.next_id("Spaces");
    doc.insert("Id".into(), json!(id));
    let slug = store.unique_slug("", Kind::Space, str_of(&doc, "Name"), &id, None);
    doc.insert("Slug".into(), json!(slug));
    if let Some(t) = doc.get_mut("SpaceManagersTeams").and_then(Value::as_array_mut) {
        let own = format!("teams-spacemanagers-{id}");
        if !t.iter().any(|x| x.as_str() == Some(&own)) {
            t.push(json!(own));
        }
    }
    let first = store.spaces.is_empty();
    doc.insert("IsDefault".into(), json!(first));
    if first {
        store.default_space = id.clone();
    }
    store.spaces.push(doc.clone());
    Ok((doc, builtins(store, &id)))
}

/// Built-ins of a new space: the feeds and the space managers team are stored here; the Default
/// Lifecycle, project group, machine policy and worker pool go through the pipeline.
fn builtins(store: &mut Store, space: &str) -> Vec<FollowUp> {
    for doc in feed::builtins(space) {
        store.push(space, Kind::Feed, doc);
    }
    let team = team::space_managers(store, space);
    store.push("", Kind::Team, team);
    let follow = |kind, body| FollowUp {
        space: space.to_string(),
        kind,
        body,
    };
    vec![
        follow(Kind::Lifecycle, json!({"Name": "Default Lifecycle"})),
        follow(Kind::ProjectGroup, json!({"Name": "Default Project Group"})),
        follow(
            Kind::MachinePolicy,
            json!({
                "Name": "Default Machine Policy",
                "Description": "This policy is automatically applied to machines that are created when no policy is specified.  Any other machine policies will inherit this policy's custom health check scripts unless they specify their own.",
                "IsDefault": true,
                "MachineHealthCheckPolicy": {
                    "PowerShellHealthCheckPolicy": {"RunType": "Inline", "ScriptBody": "$freeDiskSpaceThreshold = 5GB\r\n"},
                    "BashHealthCheckPolicy": {"RunType": "Inline", "ScriptBody": ""},
                    "HealthCheckInterval": "01:00:00", "HealthCheckCron": null,
                    "HealthCheckCronTimezone": "UTC", "HealthCheckType": "RunScript"
                }
            }),
        ),
        follow(
            Kind::WorkerPool,
            json!({"Name": "Default Worker Pool", "IsDefault": true}),
        ),
    ]
}

fn space_doc(store: &Store, raw: &Doc, stored: Option<&Doc>, id: &str) -> ApiResult<Doc> {
    for f in ["SpaceManagersTeams", "SpaceManagersTeamMembers", "ExtensionSettings"] {
        if raw.get(f) == Some(&Value::Null) {
            return Err(ApiError::null_source());
        }
    }
    let mut doc = Map::new();
    doc.insert("Id".into(), json!(id));
    for f in Space.fields(None) {
        let v = match f.name {
            "IsDefault" | "IsPrivate" => stored.and_then(|s| s.get(f.name)).cloned(),
            _ => raw.get(f.name).cloned(),
        };
        if let Some(v) = v.or(f.default) {
            doc.insert(f.name.into(), v);
        }
    }
    let name = str_of(&doc, "Name").trim().to_string();
    if name.is_empty() {
        return Err(ApiError::invalid("The Name field is required."));
    }
    if store
        .spaces
        .iter()
        .any(|s| !id_eq(s, id) && str_of(s, "Name").eq_ignore_ascii_case(&name))
    {
        return Err(ApiError::invalid(format!(
            "A space with the name '{name}' already exists. Please choose a different name."
        )));
    }
    doc.insert("Name".into(), json!(name));
    if let Some(st) = stored {
        doc.insert("Slug".into(), st.get("Slug").cloned().unwrap_or(Value::Null));
    }
    doc.insert("LastModifiedOn".into(), json!(now_stamp()));
    doc.insert("LastModifiedBy".into(), json!(store.user_name));
    Ok(doc)
}

/// PUT /api/spaces/{id} (the route answers 201, like SW20/SW21b).
pub(crate) fn update(store: &mut Store, id: &str, raw: &Doc) -> ApiResult<Doc> {
    let stored = store.space_doc(id).ok_or_else(ApiError::not_found)?.clone();
    let id = str_of(&stored, "Id").to_string();
    let doc = space_doc(store, raw, Some(&stored), &id)?;
    if let Some(slot) = store.spaces.iter_mut().find(|s| id_eq(s, &id)) {
        *slot = doc.clone();
    }
    Ok(doc)
}

/// DELETE /api/spaces/{id}: the task queue must be stopped first (TFP `resource_space.go`).
// QUESTION: the error texts for deleting a running or the default space are assumed.
pub(crate) fn delete(store: &mut Store, id: &str) -> ApiResult<()> {
    let stored = store.space_doc(id).ok_or_else(ApiError::not_found)?.clone();
    let id = str_of(&stored, "Id").to_string();
    if stored.get("IsDefault") == Some(&Value::Bool(true)) {
        return Err(ApiError::invalid("The default space cannot be deleted."));
    }
    if get_ci(&stored, "TaskQueueStopped") != Some(&Value::Bool(true)) {
        return Err(ApiError::invalid(
            "The task queue of the space must be stopped before the space can be deleted.",
        ));
    }
    store.spaces.retain(|s| !id_eq(s, &id));
    for k in ALL.iter().filter(|k| !k.is_system()) {
        store.list_mut(&id, *k).clear();
    }
    for k in [Kind::Team, Kind::ScopedUserRole] {
        store
            .list_mut("", k)
            .retain(|d| !str_of(d, "SpaceId").eq_ignore_ascii_case(&id));
    }
    store.tenant_vars.retain(|(s, _), _| !s.eq_ignore_ascii_case(&id));
    Ok(())
}

/// `/spaces/{id}/search?keyword=`: named documents of the space whose name contains the keyword
/// (OC `SpaceSearchResult`: Id, Name, Type).
// QUESTION: the kinds searched, the `Type` values and the answer without a keyword are not
// documented; every named kind of the space, its ItemType, and no results are assumed.
pub(crate) fn search(store: &Store, space: &str, keyword: &str) -> Value {
    let keyword = keyword.trim().to_lowercase();
    if keyword.is_empty() {
        return json!([]);
    }
    let mut out = Vec::new();
    for kind in ALL.iter().filter(|k| !k.is_system()) {
        for d in store.list(space, *kind) {
            let name = str_of(d, "Name");
            if !name.is_empty() && name.to_lowercase().contains(&keyword) {
                out.push(json!({"Id": str_of(d, "Id"), "Name": name, "Type": kind.item_type()}));
            }
        }
    }
    Value::Array(out)
}
