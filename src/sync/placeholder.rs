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
}
