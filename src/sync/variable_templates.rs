//! Variable templates (the `Templates` of library variable sets and projects, which tenants fill
//! in): merged by name into the destination's. A matched template keeps its id and takes the
//! source's label, help text, default value and display settings; a new one is added without an
//! id (the server gives it one); a destination-only one is kept where it stands. A sensitive
//! default never travels: the destination's own is kept, or a new template gets none and the
//! caller a clean-up entry.

use super::diff::secret::{holds_value, is_sensitive_value};
use super::document;
use crate::snapshot::{name_key, name_of};
use serde_json::{json, Value};

/// Control type a template without one is shown as, as the Octopus web portal does.
const DEFAULT_CONTROL: &str = "SingleLineText";
const CONTROL_TYPE: &str = "Octopus.ControlType";
/// The fields of a template the source owns.
const OWNED: &[&str] = &["Label", "HelpText", "DefaultValue", "DisplaySettings"];

/// The merged templates and what a person must know about them.
#[derive(Debug, Default)]
pub struct Merged {
    /// The destination's templates with the source's merged in, in the destination's order,
    /// new ones after.
    pub templates: Vec<Value>,
    /// Templates whose sensitive default the source holds but the destination will not: each needs
    /// a person to enter it.
    pub secrets: Vec<String>,
    /// Templates the source has no control type for (shown as single-line text).
    pub notes: Vec<String>,
}

impl Merged {
    /// One clean-up entry per template whose sensitive default a person must enter, on the item
    /// `name` of `kind` that holds the templates.
    pub fn cleanup(&self, kind: crate::kind::Kind, name: &str) -> Vec<crate::report::CleanupItem> {
        self.secrets
            .iter()
            .map(|template| {
                super::placeholder::cleanup(
                    kind,
                    name,
                    &format!(
                        "enter the sensitive default value of the variable template '{template}' (the API never returns it)"
                    ),
                )
            })
            .collect()
    }
}

/// Merges `source` templates into `destination`'s (either may be absent or not an array).
pub fn merge(source: Option<&Value>, destination: Option<&Value>) -> Merged {
    let src = items(source);
    let mut out = Merged {
        templates: items(destination),
        ..Merged::default()
    };
    for template in &src {
        let name = name_of(template);
        let control_missing = template
            .get("DisplaySettings")
            .map(|d| document::is_blank(d.get(CONTROL_TYPE).unwrap_or(&Value::Null)))
            .unwrap_or(true);
        if control_missing {
            out.notes.push(format!(
                "template '{name}' has no control type on the source: shown as {DEFAULT_CONTROL}"
            ));
        }
        match out
            .templates
            .iter_mut()
            .find(|t| name_key(name_of(t)) == name_key(name))
        {
            Some(existing) => {
                let kept_default = existing.get("DefaultValue").cloned();
                for field in OWNED {
                    existing[*field] = template.get(*field).cloned().unwrap_or(Value::Null);
                }
                with_control(existing);
                let source_secret = is_sensitive_value(template.get("DefaultValue").unwrap_or(&Value::Null));
                match kept_default {
                    // A destination's sensitive value is never overwritten, whatever the source has.
                    Some(d) if is_sensitive_value(&d) && holds_value(&d) => {
                        if !source_secret {
                            out.notes.push(format!(
                                "template '{name}' keeps the destination's sensitive default value; the source's is not sensitive"
                            ));
                        }
                        existing["DefaultValue"] = d;
                    }
                    _ if source_secret => {
                        existing["DefaultValue"] = secret_default(&mut out.secrets, name, template);
                    }
                    _ => {}
                }
            }
            None => {
                let mut new = document::object(template);
                new.remove("Id");
                let mut new = Value::Object(new);
                with_control(&mut new);
                if is_sensitive_value(template.get("DefaultValue").unwrap_or(&Value::Null)) {
                    new["DefaultValue"] = secret_default(&mut out.secrets, name, template);
                }
                out.templates.push(new);
            }
        }
    }
    out
}

/// An empty sensitive default; a clean-up when the source holds one.
fn secret_default(secrets: &mut Vec<String>, name: &str, template: &Value) -> Value {
    if holds_value(template.get("DefaultValue").unwrap_or(&Value::Null)) {
        secrets.push(name.to_string());
    }
    json!({"HasValue": false, "NewValue": null})
}

/// Gives a template without a control type the default one.
fn with_control(template: &mut Value) {
    if !template.get("DisplaySettings").is_some_and(Value::is_object) {
        template["DisplaySettings"] = json!({});
    }
    let settings = &mut template["DisplaySettings"];
    if document::is_blank(settings.get(CONTROL_TYPE).unwrap_or(&Value::Null)) {
        settings[CONTROL_TYPE] = json!(DEFAULT_CONTROL);
    }
}

fn items(value: Option<&Value>) -> Vec<Value> {
    value.and_then(Value::as_array).cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(id: Option<&str>, name: &str, label: &str, default: Value) -> Value {
        json!({"Id": id, "Name": name, "Label": label, "HelpText": null, "DefaultValue": default,
               "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}})
    }

    #[test]
    fn matched_templates_keep_their_id_and_take_the_sources_label_and_default() {
        let src = json!([template(Some("s-1"), "Region", "Region code", json!("eu"))]);
        let dest = json!([template(Some("d-1"), "region", "Region", json!("us"))]);
        let m = merge(Some(&src), Some(&dest));
        assert_eq!(m.templates.len(), 1);
        assert_eq!(m.templates[0]["Id"], "d-1");
        assert_eq!(m.templates[0]["Label"], "Region code");
        assert_eq!(m.templates[0]["DefaultValue"], "eu");
    }

    #[test]
    fn new_templates_are_added_after_the_destinations_own_which_are_kept() {
        let src = json!([template(Some("s-2"), "Api.Url", "API", json!(null))]);
        let dest = json!([template(Some("d-9"), "Local.Only", "Kept", json!("x"))]);
        let m = merge(Some(&src), Some(&dest));
        let names: Vec<&str> = m.templates.iter().map(name_of).collect();
        assert_eq!(names, ["Local.Only", "Api.Url"]);
        assert!(m.templates[1]["Id"].is_null() || m.templates[1].get("Id").is_none());
    }

    #[test]
    fn a_sensitive_default_never_travels_and_the_destinations_own_is_kept() {
        let secret = json!({"HasValue": true, "NewValue": null});
        let src = json!([
            template(None, "Db.Password", "Password", secret.clone()),
            template(None, "Api.Key", "Key", secret.clone())
        ]);
        let dest = json!([template(Some("d-1"), "Db.Password", "Password", secret.clone())]);
        let m = merge(Some(&src), Some(&dest));
        assert_eq!(m.templates[0]["DefaultValue"], secret, "the destination's own is kept");
        assert_eq!(
            m.templates[1]["DefaultValue"],
            json!({"HasValue": false, "NewValue": null})
        );
        assert_eq!(m.secrets, ["Api.Key"]);
    }

    #[test]
    fn a_destination_sensitive_default_is_never_overwritten_by_a_plain_one() {
        let secret = json!({"HasValue": true, "NewValue": null});
        let src = json!([template(None, "Db.Password", "Password", json!("plain-text"))]);
        let dest = json!([template(Some("d-1"), "Db.Password", "Password", secret.clone())]);
        let m = merge(Some(&src), Some(&dest));
        assert_eq!(m.templates[0]["DefaultValue"], secret);
        assert!(m.notes[0].contains("keeps the destination's sensitive default"));
    }

    #[test]
    fn a_template_without_a_control_type_is_shown_as_single_line_text_with_a_note() {
        let src = json!([{"Name": "Plain", "Label": "Plain", "DisplaySettings": {}}]);
        let m = merge(Some(&src), None);
        assert_eq!(m.templates[0]["DisplaySettings"][CONTROL_TYPE], DEFAULT_CONTROL);
        assert_eq!(m.notes.len(), 1);
    }
}
