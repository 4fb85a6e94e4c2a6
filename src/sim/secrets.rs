//! Sensitive values (reference §3): stored, never returned. A SensitiveValue is
//! `{HasValue, NewValue, Hint?}`; GET shows only `HasValue` (and `Hint`).

use serde_json::{json, Map, Value};

/// True for an object shaped like a SensitiveValue.
pub(crate) fn is_sv(v: &Value) -> bool {
    v.as_object().is_some_and(is_sv_object)
}

/// True for an object's fields shaped like a SensitiveValue.
fn is_sv_object(m: &Map<String, Value>) -> bool {
    matches!(m.get("HasValue"), Some(Value::Bool(_)))
        && m.keys().all(|k| k == "HasValue" || k == "NewValue" || k == "Hint")
}

/// A SensitiveValue holding `secret`.
pub(crate) fn sv_set(secret: &str) -> Value {
    json!({"HasValue": true, "NewValue": secret})
}

/// Hide every stored secret in a document about to leave the server.
pub(crate) fn redact(v: &mut Value) {
    match v {
        Value::Object(m) if is_sv_object(m) => {
            let has = m.get("NewValue").map(|n| !n.is_null()).unwrap_or(false);
            m.insert("HasValue".into(), Value::Bool(has));
            m.insert("NewValue".into(), Value::Null);
        }
        Value::Object(m) => m.values_mut().for_each(redact),
        Value::Array(a) => a.iter_mut().for_each(redact),
        _ => {}
    }
}

/// Apply the keep / set / clear table to every SensitiveValue in `incoming`, using the stored
/// document at the same place (objects by key, arrays by element `Id`, else by position).
pub(crate) fn merge(incoming: &mut Value, stored: Option<&Value>) {
    if is_sv(incoming) {
        let resolved = resolve(incoming, stored);
        *incoming = resolved;
        return;
    }
    match incoming {
        Value::Object(m) => {
            let st = stored.and_then(Value::as_object);
            for (k, v) in m.iter_mut() {
                merge(v, st.and_then(|s| s.get(k)));
            }
        }
        Value::Array(a) => {
            let st = stored.and_then(Value::as_array);
            for (i, v) in a.iter_mut().enumerate() {
                let matched = match element_id(v) {
                    Some(id) => st.and_then(|s| s.iter().find(|e| element_id(e) == Some(id.clone()))),
                    None => st.and_then(|s| s.get(i)).filter(|e| element_id(e).is_none()),
                };
                merge(v, matched);
            }
        }
        _ => {}
    }
}

fn element_id(v: &Value) -> Option<String> {
    v.get("Id").and_then(Value::as_str).map(str::to_string)
}

/// One SensitiveValue: a non-null NewValue sets; HasValue true with no NewValue keeps what is
/// stored; HasValue false clears.
fn resolve(incoming: &Value, stored: Option<&Value>) -> Value {
    let hint = incoming.get("Hint").cloned();
    let new_value = incoming.get("NewValue").filter(|v| !v.is_null());
    let mut out = Map::new();
    match new_value {
        Some(v) => {
            out.insert("HasValue".into(), Value::Bool(true));
            out.insert("NewValue".into(), v.clone());
        }
        None if incoming.get("HasValue") == Some(&Value::Bool(true)) => {
            let kept = stored
                .filter(|s| is_sv(s))
                .and_then(|s| s.get("NewValue"))
                .filter(|v| !v.is_null())
                .cloned();
            out.insert("HasValue".into(), Value::Bool(kept.is_some()));
            out.insert("NewValue".into(), kept.unwrap_or(Value::Null));
        }
        None => {
            out.insert("HasValue".into(), Value::Bool(false));
            out.insert("NewValue".into(), Value::Null);
        }
    }
    let hint = hint.or_else(|| stored.and_then(|s| s.get("Hint")).cloned());
    if let Some(h) = hint {
        out.insert("Hint".into(), h);
    }
    Value::Object(out)
}

/// The "unset" SensitiveValue a GET shows for a secret field that holds nothing.
pub(crate) fn sv_empty() -> Value {
    json!({"HasValue": false, "NewValue": null})
}
