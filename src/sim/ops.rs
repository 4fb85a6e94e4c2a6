//! The write pipeline shared by HTTP, `SimServer::insert` and the seeds: canonicalise the body,
//! keep only known fields, fill defaults, validate, apply secrets, assign ids, run side effects.
//!
//! Decision: unknown top-level properties are ignored and not persisted, like the real server
//! (reference §1.8, OC `[Writeable]`); nested structures (steps, properties, phases) keep what the
//! client sent plus server defaults.

use serde_json::{json, Map, Value};

use super::error::{ApiError, ApiResult};
use super::kinds::{self, Kind};
use super::rules;
use super::secrets;
use super::store::{id_eq, now_stamp, str_of, strs_of, Doc, Store};
use super::variables;

/// Fields every resource has, which the client cannot set.
const BASE_READ_ONLY: &[&str] = &["Id", "Links", "LastModifiedOn", "LastModifiedBy", "Slug"];

pub(crate) fn version_tuple(v: &str) -> (u32, u32) {
    let mut it = v.split(['.', '-', '+']);
    let major = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let minor = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    (major, minor)
}

/// The body as an object with known property names in canonical case (input matching is
/// case-insensitive on the real server).
pub(crate) fn body_object(body: Value, kind: Kind, sub: Option<&str>) -> ApiResult<Doc> {
    let Value::Object(m) = body else {
        return Err(ApiError::invalid("No request body was supplied."));
    };
    let mut known: Vec<&str> = kinds::fields(kind, sub).iter().map(|f| f.name).collect();
    known.extend(BASE_READ_ONLY);
    known.push("SpaceId");
    known.extend(kinds::discriminator(kind));
    if kind == Kind::Runbook || kind == Kind::Project {
        known.push("RunbookProcessId");
    }
    let mut out = Map::new();
    for (k, v) in m {
        let canon = known
            .iter()
            .find(|n| n.eq_ignore_ascii_case(&k))
            .map(|n| n.to_string())
            .unwrap_or(k);
        out.insert(canon, v);
    }
    Ok(out)
}

fn discriminator_value(kind: Kind, body: &Doc, stored: Option<&Doc>) -> ApiResult<Option<String>> {
    let Some(field) = kinds::discriminator(kind) else {
        return Ok(None);
    };
    if let Some(st) = stored {
        return Ok(Some(str_of(st, field).to_string()));
    }
    let value = body.get(field).and_then(Value::as_str).map(str::to_string);
    let allowed: &[&str] = match kind {
        Kind::Feed => kinds::FEED_TYPES,
        Kind::Account => kinds::ACCOUNT_TYPES,
        _ => &["StaticWorkerPool", "DynamicWorkerPool"],
    };
    match value {
        None if kind == Kind::WorkerPool => Ok(Some("StaticWorkerPool".into())),
        None => Err(ApiError::invalid(format!("The {field} field is required."))),
        Some(v) => match allowed.iter().find(|a| a.eq_ignore_ascii_case(&v)) {
            Some(a) => Ok(Some(a.to_string())),
            None => Err(ApiError::invalid(format!("The value '{v}' is not valid for {field}."))),
        },
    }
}

/// Build the stored form from a body: known fields only, defaults for the missing ones, read-only
/// and write-on-create fields from the stored document on PUT.
fn assemble(store: &Store, kind: Kind, sub: Option<&str>, body: &Doc, stored: Option<&Doc>) -> ApiResult<Doc> {
    let version = version_tuple(&store.version);
    for field in kinds::collection_fields(kind, sub) {
        if body.get(field) == Some(&Value::Null) {
            return Err(ApiError::null_source());
        }
    }
    let ro = kinds::read_only(kind);
    let woc = kinds::write_on_create(kind);
    let secret = kinds::secret_fields(kind, sub);
    let mut doc = Map::new();
    for f in kinds::fields(kind, sub) {
        if f.since > version {
            continue;
        }
        let from_stored = ro.contains(&f.name) || (stored.is_some() && woc.contains(&f.name));
        let value = if from_stored {
            stored.and_then(|s| s.get(f.name)).cloned().or(f.default)
        } else if secret.contains(&f.name) {
            Some(secret_input(body.get(f.name), stored.is_some()))
        } else if kinds::discriminator(kind) == Some(f.name) {
            sub.map(|s| Value::String(s.to_string()))
        } else {
            body.get(f.name).cloned().or(f.default)
        };
        if let Some(v) = value {
            doc.insert(f.name.to_string(), v);
        }
    }
    Ok(doc)
}

/// A top-level secret field as sent: a plain string sets it, a SensitiveValue applies the table,
/// absent or null keeps it on PUT (empty on POST).
// QUESTION: whether a plain string is accepted for a SensitiveValue field, and whether omitting it
// on PUT keeps the secret, is not verified (reference §7); lenient "set" / "keep" are used.
fn secret_input(v: Option<&Value>, is_update: bool) -> Value {
    match v {
        Some(Value::String(s)) => secrets::sv_set(s),
        Some(v) if secrets::is_sv(v) => v.clone(),
        _ if is_update => json!({"HasValue": true, "NewValue": null}),
        _ => kinds::sv_empty(),
    }
}

fn check_name(store: &Store, space: &str, kind: Kind, doc: &mut Doc, self_id: &str) -> ApiResult<()> {
    let Some(field) = kind.name_field() else {
        return Ok(());
    };
    let name = doc.get(field).and_then(Value::as_str).unwrap_or("").trim().to_string();
    if name.is_empty() {
        let msg = match kind {
            Kind::ActionTemplate => "Please provide a name for the template.".to_string(),
            _ => format!("The {field} field is required."),
        };
        return Err(ApiError::invalid(msg));
    }
    doc.insert(field.into(), Value::String(name.clone()));
    let project = str_of(doc, "ProjectId").to_string();
    let team_space = doc.get("SpaceId").cloned();
    let clash = store.list(space, kind).iter().any(|d| {
        !id_eq(d, self_id)
            && str_of(d, field).eq_ignore_ascii_case(&name)
            && match kind.name_scope() {
                kinds::NameScope::Project => str_of(d, "ProjectId").eq_ignore_ascii_case(&project),
                _ if kind == Kind::Team => d.get("SpaceId") == team_space.as_ref(),
                kinds::NameScope::None => false,
                kinds::NameScope::Space => true,
            }
    });
    if clash {
        // QUESTION: the real duplicate-name text was not found publicly (reference §1.7).
        let scope = match kind.name_scope() {
            kinds::NameScope::Project => "in this project",
            _ => "in this space",
        };
        return Err(ApiError::invalid(format!(
            "A {} with the name '{name}' already exists {scope}. Please choose a different name.",
            kind.label()
        )));
    }
    Ok(())
}

/// Put the base fields around the kind's fields in the order the server emits them.
fn finish(store: &Store, space: &str, kind: Kind, id: &str, fields: Doc, slug: Option<String>) -> Doc {
    let mut doc = Map::new();
    doc.insert("Id".into(), Value::String(id.to_string()));
    if !kind.is_system() && kind != Kind::Space {
        doc.insert("SpaceId".into(), Value::String(space.to_string()));
    }
    for (k, v) in fields {
        doc.insert(k, v);
    }
    if let Some(slug) = slug {
        doc.insert("Slug".into(), Value::String(slug));
    }
    doc.insert("LastModifiedOn".into(), Value::String(now_stamp()));
    doc.insert("LastModifiedBy".into(), Value::String(store.user_name.clone()));
    doc
}

/// POST: create a resource in `space` (for system kinds `space` is the route's space or "").
pub(crate) fn create(store: &mut Store, space: &str, kind: Kind, body: Value) -> ApiResult<Doc> {
    if kind != Kind::Space && kind.access() != kinds::Access::Full {
        return Err(ApiError::method_not_allowed("POST"));
    }
    create_inner(store, space, kind, body, None)
}

/// Create without HTTP: also targets and workers, which the HTTP surface keeps read-only.
pub(crate) fn create_any(store: &mut Store, space: &str, kind: Kind, body: Value) -> ApiResult<Doc> {
    if kind.access() == kinds::Access::Owned {
        return Err(ApiError::method_not_allowed("POST"));
    }
    create_inner(store, space, kind, body, None)
}

/// Create a built-in with its fixed lower-case id (`userroles-projectviewer`, `teams-everyone`).
pub(crate) fn create_builtin(store: &mut Store, space: &str, kind: Kind, body: Value, id: &str) -> ApiResult<Doc> {
    create_inner(store, space, kind, body, Some(id))
}

fn create_inner(store: &mut Store, space: &str, kind: Kind, body: Value, fixed_id: Option<&str>) -> ApiResult<Doc> {
    if kind == Kind::Space {
        return rules::create_space(store, body);
    }
    let raw = body_object(body, kind, None)?;
    let sub = discriminator_value(kind, &raw, None)?;
    let raw = body_object(Value::Object(raw), kind, sub.as_deref())?;
    let mut doc = assemble(store, kind, sub.as_deref(), &raw, None)?;
    check_name(store, space, kind, &mut doc, "")?;
    rules::normalize(store, space, kind, &mut doc, &raw, None)?;
    check_name(store, space, kind, &mut doc, "")?;
    let mut value = Value::Object(doc);
    secrets::merge(&mut value, None);
    let Value::Object(doc) = value else {
        return Err(ApiError::invalid("No request body was supplied."));
    };
    let id = match fixed_id {
        Some(id) => id.to_string(),
        None => store.next_id(kind.id_prefix()),
    };
    let slug = kind.has_slug().then(|| {
        let name = kind.name_field().map(|f| str_of(&doc, f)).unwrap_or("");
        store.unique_slug(space, kind, name, &id)
    });
    let mut doc = finish(store, space, kind, &id, doc, slug);
    rules::assign_nested_ids(store, kind, &mut doc);
    rules::after_create(store, space, kind, &mut doc)?;
    store.push(space, kind, doc.clone());
    rules::after_push(store, space, kind, &doc)?;
    Ok(doc)
}

/// PUT: whole-object replace of the writeable fields of an existing resource.
pub(crate) fn update(store: &mut Store, space: &str, kind: Kind, id: &str, body: Value) -> ApiResult<Doc> {
    match kind {
        Kind::Space => return rules::update_space(store, id, body),
        Kind::VariableSet => return variables::update_set(store, space, id, body),
        Kind::DeploymentProcess | Kind::RunbookProcess => return super::process::update(store, space, kind, id, body),
        Kind::DeploymentSettings => return rules::put_deployment_settings(store, space, id, body),
        k if k.access() == kinds::Access::ReadOnly => return Err(ApiError::method_not_allowed("PUT")),
        _ => {}
    }
    let stored = visible(store, space, kind, id)?.clone();
    let id = str_of(&stored, "Id").to_string();
    let sub = kinds::discriminator(kind).map(|d| str_of(&stored, d).to_string());
    let raw = body_object(body, kind, sub.as_deref())?;
    let mut doc = assemble(store, kind, sub.as_deref(), &raw, Some(&stored))?;
    check_name(store, space, kind, &mut doc, &id)?;
    rules::normalize(store, space, kind, &mut doc, &raw, Some(&stored))?;
    let mut value = Value::Object(doc);
    secrets::merge(&mut value, Some(&Value::Object(stored.clone())));
    let Value::Object(doc) = value else {
        return Err(ApiError::invalid("No request body was supplied."));
    };
    let slug = stored.get("Slug").and_then(Value::as_str).map(str::to_string);
    let owner_space = if kind.is_system() { "" } else { space };
    let mut doc = finish(store, owner_space, kind, &id, doc, slug);
    rules::assign_nested_ids(store, kind, &mut doc);
    rules::after_update(store, space, kind, &mut doc, &stored)?;
    store.replace(space, kind, doc.clone());
    Ok(doc)
}

/// DELETE with the dependency checks and cascades of the real server.
pub(crate) fn delete(store: &mut Store, space: &str, kind: Kind, id: &str) -> ApiResult<()> {
    if kind == Kind::Space {
        return rules::delete_space(store, id);
    }
    if kind.access() != kinds::Access::Full {
        return Err(ApiError::method_not_allowed("DELETE"));
    }
    let stored = visible(store, space, kind, id)?.clone();
    let id = str_of(&stored, "Id").to_string();
    rules::check_delete(store, space, kind, &stored)?;
    store.remove(space, kind, &id);
    rules::cascade_delete(store, space, kind, &stored);
    Ok(())
}

/// A document the route's space can see (system kinds: any; teams of other spaces are hidden from
/// a space route).
pub(crate) fn visible<'a>(store: &'a Store, space: &str, kind: Kind, id: &str) -> ApiResult<&'a Doc> {
    let doc = store.get(space, kind, id).ok_or_else(ApiError::not_found)?;
    if kind.is_system() && !space.is_empty() {
        let owner = str_of(doc, "SpaceId");
        if !owner.is_empty() && !owner.eq_ignore_ascii_case(space) {
            return Err(ApiError::not_found());
        }
    }
    Ok(doc)
}

/// The document as GET returns it: computed parts added, secrets hidden.
pub(crate) fn render(store: &Store, space: &str, kind: Kind, doc: &Doc) -> Value {
    let mut d = doc.clone();
    let space = if kind.is_system() || kind == Kind::Space {
        str_of(doc, "SpaceId").to_string()
    } else {
        space.to_string()
    };
    if kind == Kind::VariableSet {
        variables::hide_sensitive(&mut d);
        d.insert("ScopeValues".into(), variables::scope_values(store, &space, doc));
    }
    let links = kinds::links(kind, &space, &d, &store.version);
    d.insert("Links".into(), links);
    let mut v = Value::Object(d);
    secrets::redact(&mut v);
    v
}

/// Check that every id exists in the space; the error names the field.
pub(crate) fn refs_exist(store: &Store, space: &str, kind: Kind, field: &str, ids: &[String]) -> ApiResult<()> {
    for id in ids {
        if !store.exists(space, kind, id) {
            // QUESTION: exact text of the dangling-reference error is not documented.
            return Err(ApiError::invalid(format!(
                "{field}: the {} '{id}' does not exist in this space.",
                kind.label()
            )));
        }
    }
    Ok(())
}

pub(crate) fn field_refs(store: &Store, space: &str, kind: Kind, doc: &Doc, field: &str) -> ApiResult<()> {
    refs_exist(store, space, kind, field, &strs_of(doc, field))
}
