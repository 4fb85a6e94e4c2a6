//! Values as a reviewer reads them: ids as the destination's names, secrets masked, long text
//! shortened, objects compact (the display form documented on `report::FieldDiff`).

use super::{secret, text};
use crate::apply::{is_placeholder, PLACEHOLDER_MARK};
use crate::snapshot::{name_of, Snapshot};
use crate::sync::document::is_blank;
use serde_json::{Map, Value};

/// Shown for a sensitive value.
pub const SENSITIVE: &str = "(sensitive)";
/// Shown for a sensitive value that is replaced.
pub const SENSITIVE_CHANGED: &str = "(sensitive value changed)";

/// Fields left out of compact objects: server links say nothing a reviewer decides on.
const HIDDEN: &[&str] = &["Links"];

/// Renders values, naming ids from the destination snapshot.
#[derive(Clone, Copy)]
pub struct Display<'a> {
    names: &'a Snapshot,
}

impl<'a> Display<'a> {
    /// A renderer that names ids from `names` (the destination, with the plan's creates).
    pub fn new(names: &'a Snapshot) -> Display<'a> {
        Display { names }
    }

    /// Any value in display form; a `SensitiveValue` is always masked.
    pub fn value(&self, value: &Value) -> String {
        if secret::is_sensitive_value(value) {
            return SENSITIVE.to_string();
        }
        match value {
            Value::String(s) => self.string(s),
            Value::Array(items) => self.list(items.iter().map(|i| self.value(i))),
            Value::Object(map) => self.object(map),
            other => other.to_string(),
        }
    }

    /// A string: an id as its name, long text as a preview, anything else quoted.
    pub fn string(&self, s: &str) -> String {
        if let Some(named) = self.id(s) {
            return named;
        }
        if text::is_long(s) {
            return text::preview(s);
        }
        Value::String(s.to_string()).to_string()
    }

    /// An Octopus id as `Name (Id)`, a planned create's placeholder as `(new) Name`; `None` when `s`
    /// is not an id the destination knows.
    pub fn id(&self, s: &str) -> Option<String> {
        if is_placeholder(s) {
            let name = self
                .names
                .find_by_id(s)
                .map(|(_, d)| name_of(d))
                .or_else(|| s.split_once(PLACEHOLDER_MARK).map(|(_, n)| n))?;
            return Some(format!("(new) {name}"));
        }
        self.names.name_by_id(s).map(|name| format!("{name} ({s})"))
    }

    /// `[a, b]`.
    pub fn list(&self, items: impl Iterator<Item = String>) -> String {
        format!("[{}]", items.collect::<Vec<_>>().join(", "))
    }

    /// `{Name: "x", Value: v, Key: value}`: what identifies an item first (its name, then a variable's
    /// value), the rest in key order; empty and hidden fields left out, secrets masked.
    fn object(&self, map: &Map<String, Value>) -> String {
        let lead = LEAD.iter().filter_map(|k| map.get_key_value(*k));
        let rest = map.iter().filter(|(k, _)| !LEAD.contains(&k.as_str()));
        let parts: Vec<String> = lead
            .chain(rest)
            .filter(|(k, v)| !is_blank(v) && !HIDDEN.contains(&k.as_str()))
            .map(|(k, v)| {
                let shown = if secret::is_secret_field(map, k) {
                    SENSITIVE.to_string()
                } else {
                    self.value(v)
                };
                format!("{k}: {shown}")
            })
            .collect();
        format!("{{{}}}", parts.join(", "))
    }
}

/// Fields shown first in an object and in a diff, in this order.
pub(super) const LEAD: &[&str] = &["Name", "Value"];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::Kind;
    use serde_json::json;

    fn destination() -> Snapshot {
        Snapshot::from_docs([
            (
                Kind::Environment,
                vec![
                    json!({"Id": "Environments-12", "Name": "Production"}),
                    json!({"Id": "Environments-planned-Staging", "Name": "Staging"}),
                ],
            ),
            (
                Kind::TagSet,
                vec![json!({"Id": "TagSets-2", "Name": "Region", "Tags": [{"Id": "TagSets-2/Tags-4", "Name": "EU"}]})],
            ),
        ])
    }

    #[test]
    fn ids_are_shown_as_destination_names_and_planned_ids_as_new() {
        let d = destination();
        let show = Display::new(&d);
        assert_eq!(show.value(&json!("Environments-12")), "Production (Environments-12)");
        assert_eq!(show.value(&json!("TagSets-2/Tags-4")), "Region/EU (TagSets-2/Tags-4)");
        assert_eq!(show.value(&json!("Environments-planned-Staging")), "(new) Staging");
        assert_eq!(show.value(&json!("Lifecycles-planned-Release")), "(new) Release");
        assert_eq!(
            show.value(&json!("Environments-99")),
            "\"Environments-99\"",
            "unknown ids stay as text"
        );
        assert_eq!(
            show.value(&json!(["Environments-12", "Environments-planned-Staging"])),
            "[Production (Environments-12), (new) Staging]"
        );
    }

    #[test]
    fn objects_are_compact_with_the_name_first_and_nothing_empty_or_secret() {
        let d = destination();
        let show = Display::new(&d);
        let phase = json!({"Id": "p1", "AutomaticDeploymentTargets": ["Environments-12"], "Name": "Prod",
                           "OptionalDeploymentTargets": [], "Description": null, "IsOptionalPhase": false,
                           "Links": {"Self": "/x"}, "Password": "CANARY", "Key": {"HasValue": true, "NewValue": "CANARY"}});
        assert_eq!(
            show.value(&phase),
            "{Name: \"Prod\", AutomaticDeploymentTargets: [Production (Environments-12)], Id: \"p1\", IsOptionalPhase: false, Key: (sensitive), Password: (sensitive)}"
        );
        let variable = json!({"Name": "Db", "Value": "CANARY", "IsSensitive": true});
        assert_eq!(
            show.value(&variable),
            "{Name: \"Db\", Value: (sensitive), IsSensitive: true}"
        );
    }

    #[test]
    fn strings_are_quoted_and_long_text_is_previewed() {
        let d = Snapshot::default();
        let show = Display::new(&d);
        assert_eq!(show.value(&json!("a \"b\"\nc")), "\"a \\\"b\\\"\\nc\"");
        assert_eq!(show.value(&json!(3)), "3");
        assert_eq!(show.value(&json!(true)), "true");
        assert_eq!(show.value(&json!("1\n2\n3\n4")), "\"1…\" (4 lines)");
    }
}
