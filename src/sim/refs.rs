//! Reference checks: an id or canonical tag name a document holds must exist in its space.

use serde_json::Value;

use super::error::{ApiError, ApiResult};
use super::kind::Kind;
use super::store::{str_of, strs_of, Doc, Store};

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

/// Every id in the array `field` exists.
pub(crate) fn field_refs(store: &Store, space: &str, kind: Kind, doc: &Doc, field: &str) -> ApiResult<()> {
    refs_exist(store, space, kind, field, &strs_of(doc, field))
}

/// `field` holds an id, and it exists.
pub(crate) fn require_ref(store: &Store, space: &str, doc: &Doc, field: &str, kind: Kind) -> ApiResult<()> {
    let id = str_of(doc, field);
    if id.is_empty() {
        return Err(ApiError::invalid(format!("The {field} field is required.")));
    }
    refs_exist(store, space, kind, field, &[id.to_string()])
}

/// `field` is empty, or holds an id that exists.
pub(crate) fn optional_ref(store: &Store, space: &str, doc: &Doc, field: &str, kind: Kind) -> ApiResult<()> {
    let id = str_of(doc, field);
    if id.is_empty() {
        return Ok(());
    }
    refs_exist(store, space, kind, field, &[id.to_string()])
}

/// Every tag of the space as (id, canonical name).
pub(crate) fn all_tags(store: &Store, space: &str) -> Vec<(String, String)> {
    store
        .list(space, Kind::TagSet)
        .iter()
        .flat_map(|ts| ts.get("Tags").and_then(Value::as_array).cloned().unwrap_or_default())
        .map(|t| {
            let id = t.get("Id").and_then(Value::as_str).unwrap_or("").to_string();
            let c = t
                .get("CanonicalTagName")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            (id, c)
        })
        .collect()
}

/// Tags are referenced by canonical name ("Set/Tag"; newer servers also take the tag id).
// QUESTION: that unknown tags are rejected (rather than dropped) is inferred.
pub(crate) fn check_tags(store: &Store, space: &str, doc: &Doc, field: &str) -> ApiResult<()> {
    let tags = all_tags(store, space);
    for t in strs_of(doc, field) {
        if !tags
            .iter()
            .any(|(id, c)| c.eq_ignore_ascii_case(&t) || id.eq_ignore_ascii_case(&t))
        {
            return Err(ApiError::invalid(format!(
                "{field}: the tag '{t}' does not exist in this space."
            )));
        }
    }
    Ok(())
}
