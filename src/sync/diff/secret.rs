//! The one rule for what a diff must never show: sensitive values, whatever kind they belong to.
//!
//! A value is sensitive when it is an Octopus `SensitiveValue` (`{"HasValue": …, "NewValue": …}`),
//! when its field's name says it holds a secret, or when it is the `Value` of an item flagged
//! `IsSensitive: true` (or of `Type` `Sensitive`), as variables are. Accounts, feeds, certificates and
//! step templates rely on this rule, so it errs on the side of hiding.

use serde_json::{Map, Value};

/// Lower-case fragments of field names that hold secrets (`Password`, `SecretKey`, `ClientSecret`,
/// `Token`, `ApiKey`, `PrivateKey…`, `Passphrase`).
const SECRET_NAME_PARTS: &[&str] = &["password", "passphrase", "secret", "token", "apikey", "privatekey"];

/// True when a field of this name holds a secret, whatever its value looks like.
pub fn is_secret_name(field: &str) -> bool {
    let key: String = field
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    SECRET_NAME_PARTS.iter().any(|part| key.contains(part))
}

/// True for an Octopus `SensitiveValue` object.
pub fn is_sensitive_value(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|o| o.contains_key("HasValue") || o.contains_key("NewValue"))
}

/// True when an item says its `Value` field is sensitive (a sensitive variable).
pub fn flags_value_as_secret(item: &Map<String, Value>) -> bool {
    item.get("IsSensitive").and_then(Value::as_bool) == Some(true)
        || item
            .get("Type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("Sensitive"))
}

/// True when `field` of `item` is sensitive by its name or by the item's flag.
pub fn is_secret_field(item: &Map<String, Value>, field: &str) -> bool {
    is_secret_name(field) || (field == "Value" && flags_value_as_secret(item))
}

/// True when a value holds a secret at all (an empty `SensitiveValue` holds none).
pub fn holds_value(value: &Value) -> bool {
    if is_sensitive_value(value) {
        return value.get("HasValue").and_then(Value::as_bool) == Some(true)
            || value
                .get("NewValue")
                .is_some_and(|v| !crate::sync::document::is_blank(v));
    }
    !crate::sync::document::is_blank(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_field_names_are_recognised_whatever_their_case_or_separators() {
        for name in [
            "Password",
            "SecretKey",
            "ClientSecret",
            "Token",
            "ApiKey",
            "API_KEY",
            "PrivateKeyFile",
            "privateKeyPassphrase",
            "Octopus.Action.Azure.Password",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in ["Name", "Description", "Username", "FeedUri", "Phases", "Color"] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn sensitive_values_and_flagged_variables_are_recognised() {
        assert!(is_sensitive_value(&json!({"HasValue": true, "NewValue": null})));
        assert!(is_sensitive_value(&json!({"NewValue": "x"})));
        assert!(!is_sensitive_value(&json!({"Name": "x"})));
        assert!(!is_sensitive_value(&json!("x")));
        let item = |v: Value| v.as_object().cloned().unwrap();
        let variable = item(json!({"Name": "Db", "Value": null, "IsSensitive": true}));
        assert!(is_secret_field(&variable, "Value"));
        assert!(!is_secret_field(&variable, "Name"));
        assert!(is_secret_field(&item(json!({"Type": "Sensitive"})), "Value"));
        assert!(!is_secret_field(&item(json!({"Type": "String"})), "Value"));
        assert!(!holds_value(&json!({"HasValue": false, "NewValue": null})));
        assert!(holds_value(&json!({"HasValue": true})));
        assert!(holds_value(&json!({"HasValue": false, "NewValue": "x"})));
    }
}
