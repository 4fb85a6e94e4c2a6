//! Helpers for nested parts of documents (phases, tags, steps, variables): defaults, GUIDs, names.

use serde_json::{json, Map, Value};

use super::error::{ApiError, ApiResult};
use super::store::{new_guid, now_stamp, Doc, Store};

/// Fill `defaults` (an object, in emission order) from `given`; extra keys the client sent are
/// kept after them. A null where the default is an array is the .NET null-source error.
pub(crate) fn fill(given: &Value, defaults: Value) -> ApiResult<Map<String, Value>> {
    let Value::Object(g) = given else {
        return Err(ApiError::invalid("Invalid value: an object was expected."));
    };
    let Value::Object(d) = defaults else {
        return Ok(g.clone());
    };
    let mut out = Map::new();
    for (k, def) in d {
        let value = match g.iter().find(|(gk, _)| gk.eq_ignore_ascii_case(&k)) {
            Some((_, Value::Null)) if def.is_array() => return Err(ApiError::null_source()),
            Some((_, v)) => v.clone(),
            None => def,
        };
        out.insert(k, value);
    }
    for (k, v) in g {
        if !out.keys().any(|o| o.eq_ignore_ascii_case(k)) {
            out.insert(k.clone(), v.clone());
        }
    }
    Ok(out)
}

/// Ensure a non-empty, trimmed `Name` on a nested object.
pub(crate) fn nested_name(obj: &mut Map<String, Value>, what: &str) -> ApiResult<String> {
    let name = obj.get("Name").and_then(Value::as_str).unwrap_or("").trim().to_string();
    if name.is_empty() {
        return Err(ApiError::invalid(format!("The {what} Name field is required.")));
    }
    obj.insert("Name".into(), Value::String(name.clone()));
    Ok(name)
}

/// A nested Id: keep the client's, else a new GUID.
pub(crate) fn ensure_guid(obj: &mut Map<String, Value>) {
    let missing = obj.get("Id").and_then(Value::as_str).map(str::is_empty).unwrap_or(true);
    if missing {
        obj.insert("Id".into(), Value::String(new_guid()));
    }
}

/// The array held by `field`: null is the .NET null-source error.
pub(crate) fn array_mut<'a>(doc: &'a mut Doc, field: &str) -> ApiResult<&'a mut Vec<Value>> {
    match doc.get_mut(field) {
        Some(Value::Array(a)) => Ok(a),
        Some(Value::Null) => Err(ApiError::null_source()),
        _ => Err(ApiError::invalid(format!("The {field} field must be an array."))),
    }
}

/// A member of a JSON object, its name compared case-insensitively (as the model binder does).
pub(crate) fn get_ci<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    body.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)
}

/// A document owned by another one (variable set, process), created with its owner.
pub(crate) fn owned_doc(store: &Store, space: &str, id: &str, fields: Value) -> Doc {
    let mut doc = Map::new();
    doc.insert("Id".into(), json!(id));
    doc.insert("SpaceId".into(), json!(space));
    if let Value::Object(f) = fields {
        doc.extend(f);
    }
    doc.insert("LastModifiedOn".into(), json!(now_stamp()));
    doc.insert("LastModifiedBy".into(), json!(store.user_name));
    doc
}
