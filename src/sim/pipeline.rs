//! The write pipeline shared by HTTP, `SimServer::insert` and the seeds: canonicalise the body,
//! keep only known fields, fill defaults, validate, apply secrets, assign ids, run side effects;
//! and the read side: which documents a route sees, in which order, as GET renders them.
//!
//! Decision: unknown top-level properties are ignored and not persisted, like the real server
//! (reference §1.8, OC `[Writeable]`); nested structures (steps, properties, phases) keep what the
//! client sent plus server defaults.

use serde_json::{json, Map, Value};

use super::binding;
use super::envelope::Query;
use super::error::{ApiError, ApiResult};
use super::kind::Kind;
use super::kinds::{self, space, Access, At, Change, FollowUp, Listing, NameScope};
use super::schema::Writable;
use super::secrets;
use super::store::{id_eq, now_stamp, str_of, strs_of, Doc, Store};

/// Fields every resource has, which the client cannot set.
const BASE_READ_ONLY: &[&str] = &["Id", "Links", "LastModifiedOn", "LastModifiedBy", "Slug"];

/// The body as an object with known property names in canonical case (input matching is
/// case-insensitive on the real server).
fn body_object(body: Value, kind: Kind, sub: Option<&str>) -> ApiResult<Doc> {
    let Value::Object(m) = body else {
        return Err(ApiError::invalid("No request body was supplied."));
    };
    let spec = kinds::spec(kind);
    let mut known: Vec<&str> = spec.fields(sub).iter().map(|f| f.name).collect();
    known.extend(BASE_READ_ONLY);
    known.push("SpaceId");
    known.extend(spec.discriminator().map(|d| d.field));
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

/// Model binding: 400 `Model validation failed.` when a known field has the wrong type.
fn bind(kind: Kind, sub: Option<&str>, raw: &mut Doc) -> ApiResult<()> {
    let errors = binding::bind(raw, &kinds::spec(kind).fields(sub));
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::model_validation(errors))
    }
}

/// The discriminator value: the stored one on PUT, else the body's (canonical case) or the default.
fn discriminator_value(kind: Kind, body: &Doc, stored: Option<&Doc>) -> ApiResult<Option<String>> {
    let Some(d) = kinds::spec(kind).discriminator() else {
        return Ok(None);
    };
    if let Some(st) = stored {
        return Ok(Some(str_of(st, d.field).to_string()));
    }
    match body.get(d.field).and_then(Value::as_str) {
        None => d
            .default
            .map(|v| Some(v.to_string()))
            .ok_or_else(|| ApiError::invalid(format!("The {} field is required.", d.field))),
        Some(v) => match d.values.iter().find(|a| a.eq_ignore_ascii_case(v)) {
            Some(a) => Ok(Some(a.to_string())),
            None => Err(ApiError::invalid(format!(
                "The value '{v}' is not valid for {}.",
                d.field
            ))),
        },
    }
}

/// Build the stored form from a body: known fields only, defaults for the missing ones, read-only
/// and write-on-create fields from the stored document on PUT.
fn assemble(store: &Store, kind: Kind, sub: Option<&str>, body: &Doc, stored: Option<&Doc>) -> ApiResult<Doc> {
    let spec = kinds::spec(kind);
    let fields = spec.fields(sub);
    if fields
        .iter()
        .any(|f| f.is_collection() && body.get(f.name) == Some(&Value::Null))
    {
        return Err(ApiError::null_source());
    }
    let discriminator = spec.discriminator().map(|d| d.field);
    let mut doc = Map::new();
    for f in fields {
        if f.since > store.version_at() {
            continue;
        }
        let from_stored = f.writable == Writable::Never || (stored.is_some() && f.writable == Writable::OnCreate);
        let value = if from_stored {
            stored.and_then(|s| s.get(f.name)).cloned().or(f.default)
        } else if f.is_secret() {
            Some(secret_input(body.get(f.name), stored.is_some()))
        } else if discriminator == Some(f.name) {
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
        _ => secrets::sv_empty(),
    }
}

/// A trimmed, non-empty name that no other document in its scope has (case-insensitively).
fn check_name(store: &Store, space: &str, kind: Kind, doc: &mut Doc, self_id: &str) -> ApiResult<()> {
    let Some(rule) = kinds::spec(kind).name_rule() else {
        return Ok(());
    };
    let field = rule.field;
    let name = doc.get(field).and_then(Value::as_str).unwrap_or("").trim().to_string();
    if name.is_empty() {
        let msg = match kind {
            Kind::ActionTemplate => "Please provide a name for the template.".to_string(),
            _ => format!("The {field} field is required."),
        };
        return Err(ApiError::invalid(msg));
    }
    doc.insert(field.into(), Value::String(name.clone()));
    let team_space = doc.get("SpaceId").cloned();
    // A replaced certificate's archived backup keeps its name (reference §2.15).
    let holds_name = |d: &Doc| !(kind == Kind::Certificate && kinds::certificate::is_archived(d));
    let clash = store.with_field(space, kind, field, &name).any(|d| {
        !id_eq(d, self_id)
            && holds_name(d)
            && match rule.scope {
                NameScope::Within(owner) => str_of(d, owner).eq_ignore_ascii_case(str_of(doc, owner)),
                _ if kind == Kind::Team => d.get("SpaceId") == team_space.as_ref(),
                NameScope::Space => true,
            }
    });
    if clash {
        // QUESTION: the real duplicate-name text was not found publicly (reference §1.7).
        let scope = match rule.scope {
            NameScope::Within("RunbookId") => "for this runbook",
            NameScope::Within(_) => "in this project",
            NameScope::Space => "in this space",
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
    if !kind.is_system() {
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
    if kind != Kind::Space && kinds::spec(kind).access() != Access::Full {
        return Err(ApiError::method_not_allowed("POST"));
    }
    create_inner(store, space, kind, body, None)
}

/// Create without HTTP: also targets and workers, which the HTTP surface keeps read-only.
pub(crate) fn create_any(store: &mut Store, space: &str, kind: Kind, body: Value) -> ApiResult<Doc> {
    if matches!(kinds::spec(kind).access(), Access::Owned | Access::Embedded) {
        return Err(ApiError::method_not_allowed("POST"));
    }
    create_inner(store, space, kind, body, None)
}

/// Create a built-in with its fixed lower-case id (`userroles-projectviewer`, `teams-everyone`).
pub(crate) fn create_builtin(store: &mut Store, space: &str, kind: Kind, body: Value, id: &str) -> ApiResult<Doc> {
    create_inner(store, space, kind, body, Some(id))
}

fn create_inner(store: &mut Store, space: &str, kind: Kind, body: Value, fixed_id: Option<&str>) -> ApiResult<Doc> {
    let spec = kinds::spec(kind);
    if kind == Kind::Space {
        let mut raw = body_object(body, kind, None)?;
        bind(kind, None, &mut raw)?;
        let (doc, follow_ups) = space::create(store, &raw)?;
        run(store, follow_ups)?;
        return Ok(doc);
    }
    let raw = body_object(body, kind, None)?;
    let sub = discriminator_value(kind, &raw, None)?;
    let mut raw = body_object(Value::Object(raw), kind, sub.as_deref())?;
    bind(kind, sub.as_deref(), &mut raw)?;
    let mut doc = assemble(store, kind, sub.as_deref(), &raw, None)?;
    check_name(store, space, kind, &mut doc, "")?;
    let change = Change {
        store,
        space,
        raw: &raw,
        stored: None,
    };
    spec.normalize(&change, &mut doc)?;
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
    let slug = spec.has_slug().then(|| {
        let rule = spec.name_rule();
        let name = rule.map(|r| str_of(&doc, r.field)).unwrap_or("");
        let owner = match rule.map(|r| r.scope) {
            Some(NameScope::Within(field)) => Some((field, str_of(&doc, field))),
            _ => None,
        };
        store.unique_slug(space, kind, name, &id, owner)
    });
    let mut doc = finish(store, space, kind, &id, doc, slug);
    let follow_ups = spec.created(store, space, &mut doc)?;
    store.push(space, kind, doc.clone());
    run(store, follow_ups)?;
    Ok(doc)
}

/// Create what a create asked for, in order.
fn run(store: &mut Store, follow_ups: Vec<FollowUp>) -> ApiResult<()> {
    for f in follow_ups {
        create(store, &f.space, f.kind, f.body)?;
    }
    Ok(())
}

/// PUT: whole-object replace of the writeable fields of an existing resource.
pub(crate) fn update(store: &mut Store, space: &str, kind: Kind, id: &str, body: Value) -> ApiResult<Doc> {
    let spec = kinds::spec(kind);
    if kind == Kind::Space {
        let mut raw = body_object(body, kind, None)?;
        bind(kind, None, &mut raw)?;
        return space::update(store, id, &raw);
    }
    if spec.access() == Access::ReadOnly {
        return Err(ApiError::method_not_allowed("PUT"));
    }
    if spec.has_own_put() {
        let mut raw = body_object(body, kind, None)?;
        bind(kind, None, &mut raw)?;
        return spec.replace(store, space, id, Value::Object(raw));
    }
    let stored = visible(store, space, kind, id)?.clone();
    let id = str_of(&stored, "Id").to_string();
    let sub = spec.discriminator().map(|d| str_of(&stored, d.field).to_string());
    let mut raw = body_object(body, kind, sub.as_deref())?;
    bind(kind, sub.as_deref(), &mut raw)?;
    let mut doc = assemble(store, kind, sub.as_deref(), &raw, Some(&stored))?;
    check_name(store, space, kind, &mut doc, &id)?;
    let change = Change {
        store,
        space,
        raw: &raw,
        stored: Some(&stored),
    };
    spec.normalize(&change, &mut doc)?;
    let mut value = Value::Object(doc);
    secrets::merge(&mut value, Some(&Value::Object(stored.clone())));
    let Value::Object(doc) = value else {
        return Err(ApiError::invalid("No request body was supplied."));
    };
    let slug = stored.get("Slug").and_then(Value::as_str).map(str::to_string);
    let owner_space = if kind.is_system() { "" } else { space };
    let mut doc = finish(store, owner_space, kind, &id, doc, slug);
    spec.updated(store, space, &mut doc, &stored)?;
    store.replace(space, kind, doc.clone());
    Ok(doc)
}

/// DELETE with the dependency checks and cascades of the real server.
pub(crate) fn delete(store: &mut Store, space: &str, kind: Kind, id: &str) -> ApiResult<()> {
    if kind == Kind::Space {
        return space::delete(store, id);
    }
    let spec = kinds::spec(kind);
    if spec.access() != Access::Full {
        return Err(ApiError::method_not_allowed("DELETE"));
    }
    let stored = visible(store, space, kind, id)?.clone();
    let id = str_of(&stored, "Id").to_string();
    spec.check_delete(store, space, &stored)?;
    store.remove(space, kind, &id);
    spec.deleted(store, space, &stored);
    Ok(())
}

/// A document the route's space can see (system kinds: any; teams of other spaces are hidden from
/// a space route).
pub(crate) fn visible<'a>(store: &'a Store, space: &str, kind: Kind, id: &str) -> ApiResult<&'a Doc> {
    let doc = match kind {
        Kind::Space => store.space_doc(id),
        // Newer servers also find a project by its slug.
        Kind::Project => store.get(space, kind, id).or_else(|| {
            store
                .list(space, kind)
                .iter()
                .find(|d| str_of(d, "Slug").eq_ignore_ascii_case(id))
        }),
        _ => store.get(space, kind, id),
    };
    let doc = doc.ok_or_else(ApiError::not_found)?;
    if kind.is_system() && kind != Kind::Space && !space.is_empty() {
        let owner = str_of(doc, "SpaceId");
        if !owner.is_empty() && !owner.eq_ignore_ascii_case(space) {
            return Err(ApiError::not_found());
        }
    }
    Ok(doc)
}

/// The document as GET returns it: computed parts added, links, secrets hidden.
pub(crate) fn render(store: &Store, space: &str, kind: Kind, doc: &Doc) -> Value {
    let spec = kinds::spec(kind);
    let mut d = doc.clone();
    let space = if kind.is_system() {
        str_of(doc, "SpaceId").to_string()
    } else {
        space.to_string()
    };
    spec.render(store, &space, &mut d);
    let id = str_of(doc, "Id");
    let at = At {
        base: format!("/api/{space}/{}/{id}", kind.segment()),
        space: &space,
        id,
        doc: &d,
        version: &store.version,
        logo_cb: super::logos::cache_buster(store, &space, kind, id),
    };
    let links = spec.links(&at);
    d.insert("Links".into(), links);
    let mut v = Value::Object(d);
    secrets::redact(&mut v);
    v
}

/// The documents a listing route shows: narrowed to an owner (`field` = id), filtered by the
/// query, in the kind's order.
pub(crate) fn list(store: &Store, space: &str, kind: Kind, q: &Query, scope: Option<(&str, &str)>) -> Vec<Doc> {
    list_refs(store, space, kind, q, scope).into_iter().cloned().collect()
}

/// The documents a listing shows, in its order, borrowed from the store: filtered and sorted
/// before anything is copied.
pub(crate) fn list_refs<'a>(
    store: &'a Store,
    space: &str,
    kind: Kind,
    q: &Query,
    scope: Option<(&str, &str)>,
) -> Vec<&'a Doc> {
    let spec = kinds::spec(kind);
    let mut docs: Vec<&Doc> = if kind == Kind::Space {
        store.spaces.iter().collect()
    } else {
        store.list(space, kind).iter().collect()
    };
    // QUESTION: a space route lists that space's teams/roles plus the system ones (includeSystem
    // defaulting to true); the real default of `includeSystem` is not documented.
    if matches!(kind, Kind::Team | Kind::ScopedUserRole) && !space.is_empty() && q.get("spaces").is_none() {
        docs.retain(|d| {
            let owner = str_of(d, "SpaceId");
            owner.is_empty() || owner.eq_ignore_ascii_case(space)
        });
    }
    // The owner field holds the owner's id, or a list of ids that includes it.
    if let Some((field, id)) = scope {
        docs.retain(|d| {
            str_of(d, field).eq_ignore_ascii_case(id) || strs_of(d, field).iter().any(|x| x.eq_ignore_ascii_case(id))
        });
    }
    let name_field = spec.name_rule().map(|r| r.field).unwrap_or("Name");
    let filters = q.filters(spec.query());
    docs.retain(|d| filters.matches(d, name_field) && spec.filter(d, q));
    match spec.order() {
        Listing::Created => {}
        Listing::BySortOrder => docs.sort_by_key(|d| d.get("SortOrder").and_then(Value::as_i64).unwrap_or(0)),
        Listing::ByName => docs.sort_by_key(|d| str_of(d, "Name").to_lowercase()),
    }
    docs
}
