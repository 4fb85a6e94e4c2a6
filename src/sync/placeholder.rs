//! Secrets never travel: the Octopus API never returns one, and octosync never copies one. A new
//! destination item that needs a secret is created with this placeholder and a clean-up entry that
//! names the item, the field and what a person must do; an existing item's secret is never touched.

use crate::kind::Kind;
use crate::report::CleanupItem;
use serde_json::{json, Value};

/// The text every placeholder secret holds: obviously fake, never shaped like a real credential,
/// the same everywhere so an administrator can search for it.
pub const SECRET_PLACEHOLDER: &str = "octosync-placeholder-replace-me";

/// A placeholder secret for `field` of the new item `name`, as Octopus takes a sensitive value
/// (`{"HasValue": true, "NewValue": …}`), and the clean-up entry that asks for the real one.
pub fn secret(kind: Kind, name: &str, field: &str) -> (Value, CleanupItem) {
    (
        json!({"HasValue": true, "NewValue": SECRET_PLACEHOLDER}),
        cleanup(
            kind,
            name,
            &format!(
                "{field}: created with the placeholder '{SECRET_PLACEHOLDER}'; enter the real value on the destination"
            ),
        ),
    )
}

/// A sensitive value that holds nothing: what a new item gets for a secret its server does not
/// require. Sent explicitly, never the source's `{"HasValue": true}`, which could read as "keep".
pub fn none() -> Value {
    json!({"HasValue": false, "NewValue": null})
}

/// True for a value shaped as the API returns a secret field: `{"HasValue": …}` with nothing but
/// `HasValue`, `NewValue` and `Hint`.
pub fn is_sensitive(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        m.get("HasValue").is_some_and(Value::is_boolean)
            && m.keys().all(|k| matches!(k.as_str(), "HasValue" | "NewValue" | "Hint"))
    })
}

/// True when a sensitive value read from a server says a secret is stored there.
pub fn has_value(v: &Value) -> bool {
    v.get("HasValue").and_then(Value::as_bool).unwrap_or(false)
}

/// Replaces every secret in the body of the new item `name`: each field in `required` (the server
/// will not create the item without it) gets the placeholder and a clean-up entry; every other
/// secret-bearing field (a sensitive value, or one named in `secret_fields`) is sent empty, with a
/// clean-up entry when the source had a value.
pub fn replace_secrets(
    kind: Kind,
    name: &str,
    body: &mut Value,
    secret_fields: &[&str],
    required: &[&str],
) -> Vec<CleanupItem> {
    let Value::Object(map) = body else {
        return vec![];
    };
    let what = kind.label().to_lowercase();
    let mut cleanup = Vec::new();
    let optional: Vec<String> = map
        .iter()
        .filter(|(k, v)| is_sensitive(v) || (secret_fields.contains(&k.as_str()) && !v.is_null()))
        .map(|(k, _)| k.clone())
        .filter(|k| !required.contains(&k.as_str()))
        .collect();
    for field in optional {
        let source_has_one = map.get(&field).is_some_and(|v| match v {
            Value::String(s) => !s.is_empty(),
            v => has_value(v),
        });
        map.insert(field.clone(), none());
        if source_has_one {
            cleanup.push(self::cleanup(
                kind,
                name,
                &format!(
                    "{field}: the source {what} has one, and secrets never travel, so the {what} was created without it; enter it on the destination"
                ),
            ));
        }
    }
    for field in required {
        let (value, item) = secret(kind, name, field);
        map.insert(field.to_string(), value);
        cleanup.push(item);
    }
    cleanup
}

/// A clean-up entry for the item `name` of `kind`.
pub fn cleanup(kind: Kind, name: &str, action: &str) -> CleanupItem {
    CleanupItem {
        kind: kind.label().to_string(),
        name: name.to_string(),
        action: action.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_placeholder_secret_is_a_sensitive_value_with_a_cleanup_entry_naming_the_field() {
        let (value, item) = secret(Kind::Environment, "Nexus", "Password");
        assert_eq!(value["HasValue"], true);
        assert_eq!(value["NewValue"], SECRET_PLACEHOLDER);
        assert_eq!(item.name, "Nexus");
        assert!(item.action.starts_with("Password: created with the placeholder"));
        assert!(!SECRET_PLACEHOLDER.starts_with("API-"), "never shaped like a real key");
    }

    #[test]
    fn sensitive_values_are_recognised_by_shape_only() {
        assert!(is_sensitive(&json!({"HasValue": true, "NewValue": null})));
        assert!(is_sensitive(&json!({"HasValue": false, "Hint": "ends in 7"})));
        assert!(is_sensitive(&none()));
        assert!(!has_value(&none()));
        assert!(has_value(&json!({"HasValue": true})));
        assert!(!is_sensitive(&json!({"HasValue": true, "Region": "eu-west-1"})));
        assert!(!is_sensitive(&json!("plain")));
        assert!(!is_sensitive(&json!(null)));
    }
}
