//! One action as the destination must hold it: the source's content with every id translated, on
//! the destination action's own ids (its `Id`, its packages' `Id`s) when it has one.

use super::references::{same_text, References};
use super::scope::{scope, Channels, Scoped};
use crate::kind::Kind;
use crate::rules::ProcessRules;
use crate::snapshot::{name_key, name_of};
use crate::sync::diff::secret::{holds_value, is_sensitive_value};
use crate::sync::{document, placeholder};
use crate::translate::Translator;
use serde_json::{json, Map, Value};

/// Fields the destination's server owns on an action (never the source's).
const SERVER_OWNED: &[&str] = &["Id", "Slug", "Links"];
/// The property naming an action's step template.
pub const TEMPLATE_ID: &str = "Octopus.Action.Template.Id";
/// The property naming the template version the action was last updated to.
pub const TEMPLATE_VERSION: &str = "Octopus.Action.Template.Version";
/// The action type of a Deploy-a-Release step, whose package names a project.
const DEPLOY_RELEASE: &str = "Octopus.DeployRelease";

/// What became of one source action.
#[derive(Debug, Clone, PartialEq)]
pub enum Built {
    /// The action to write.
    Ready(Value),
    /// Not synced: its scope cannot be kept (the reason names the setting).
    Skip(String),
    /// Not writable: ids without a translation, or a scope setting that stops the run.
    Error(Vec<String>),
}

/// The result for one action, with what the plan must say about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionBuild {
    /// The action, or why there is none.
    pub built: Built,
    /// Dropped scope references, credentials left out.
    pub warnings: Vec<String>,
    /// Sensitive properties that got the placeholder (clean-up entries).
    pub placeholders: Vec<String>,
}

/// Builds the destination's version of `src`, on `dest` (the destination's action of its name).
pub fn build(
    src: &Value,
    dest: Option<&Value>,
    t: &Translator<'_>,
    rules: &ProcessRules,
    channels: &Channels<'_>,
) -> ActionBuild {
    let mut out = ActionBuild {
        built: Built::Skip(String::new()),
        warnings: vec![],
        placeholders: vec![],
    };
    let scope_fields = match scope(src, dest, t, rules, channels) {
        Scoped::Keep { fields, warnings } => {
            out.warnings = warnings;
            fields
        }
        Scoped::Skip(reason) => {
            out.built = Built::Skip(reason);
            return out;
        }
        Scoped::Error(reason) => {
            out.built = Built::Error(vec![reason]);
            return out;
        }
    };
    let mut refs = References::new(t);
    // The source's fields but those the server owns and those rebuilt below (not copied twice).
    let rebuilt = |field: &str| {
        SERVER_OWNED.contains(&field) || matches!(field, "Properties" | "Packages" | "GitDependencies" | "Inputs")
    };
    let mut body: Map<String, Value> = src
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(field, _)| !rebuilt(field))
        .map(|(field, value)| (field.clone(), value.clone()))
        .collect();
    for (field, value) in scope_fields {
        body.insert(field.to_string(), value);
    }
    if let Some(Value::String(pool)) = src.get("WorkerPoolId") {
        body.insert("WorkerPoolId".into(), json!(refs.id(pool, "worker pool")));
    }
    if let Some(Value::String(feed)) = src.get("Container").and_then(|c| c.get("FeedId")) {
        let feed = refs.id(feed, "execution container feed");
        body["Container"]["FeedId"] = json!(feed);
    }
    let dest_part = |field: &str| dest.and_then(|d| d.get(field));
    if let Some(props) = src.get("Properties") {
        let value = properties(props, dest_part("Properties"), t, &mut refs, &mut out.placeholders);
        body.insert("Properties".into(), value);
    }
    if let Some(packages) = src.get("Packages") {
        let deploy_release = document::str_field(src, "ActionType") == DEPLOY_RELEASE;
        body.insert(
            "Packages".into(),
            self::packages(packages, dest_part("Packages"), deploy_release, &mut refs),
        );
    }
    if let Some(deps) = src.get("GitDependencies") {
        body.insert("GitDependencies".into(), git_dependencies(deps, &mut out.warnings));
    }
    if let Some(inputs) = src.get("Inputs") {
        body.insert("Inputs".into(), refs.value(inputs, "step package inputs"));
    }
    if !refs.errors.is_empty() {
        out.built = Built::Error(refs.errors);
        return out;
    }
    out.built = Built::Ready(match dest {
        Some(d) => on_destination(d, body),
        None => Value::Object(body),
    });
    out
}

/// The destination's action with the source's fields laid over it. A field the destination's
/// action lacks is left out: its server does not know it and would drop it, and the next run
/// would see a difference again (as `document::overlay`).
fn on_destination(dest: &Value, mut body: Map<String, Value>) -> Value {
    let fields = dest.as_object().into_iter().flatten();
    Value::Object(
        fields
            .map(|(field, value)| (field.clone(), body.remove(field).unwrap_or_else(|| value.clone())))
            .collect(),
    )
}

/// An action's properties: ids translated, the destination template's version, sensitive values
/// never copied.
fn properties(
    src: &Value,
    dest: Option<&Value>,
    t: &Translator<'_>,
    refs: &mut References<'_, '_>,
    placeholders: &mut Vec<String>,
) -> Value {
    let Some(props) = src.as_object() else {
        return src.clone();
    };
    let theirs = |key: &str| dest.and_then(|d| d.get(key));
    let mut out = Map::new();
    for (key, value) in props {
        let what = format!("property '{key}'");
        let v = match value {
            _ if is_sensitive_value(value) => secret(key, value, theirs(key), placeholders),
            Value::String(s) if key == TEMPLATE_VERSION => Value::String(s.clone()),
            Value::String(s) => {
                let translated = refs.text(s, &what);
                // The destination's spelling of the same JSON is kept: nothing to write.
                match theirs(key).and_then(Value::as_str) {
                    Some(d) if same_text(d, &translated) => Value::String(d.to_string()),
                    _ => Value::String(translated),
                }
            }
            other => refs.value(other, &what),
        };
        out.insert(key.clone(), v);
    }
    if let Some(version) = template_version(&out, t) {
        let v = match props.get(TEMPLATE_VERSION) {
            Some(Value::Number(_)) => json!(version),
            _ => json!(version.to_string()),
        };
        out.insert(TEMPLATE_VERSION.into(), v);
    }
    Value::Object(out)
}

/// The version of the destination template the (translated) `Octopus.Action.Template.Id` names:
/// steps are checked against the destination's template, whatever version the source's is at.
fn template_version(props: &Map<String, Value>, t: &Translator<'_>) -> Option<i64> {
    let id = props.get(TEMPLATE_ID)?.as_str()?;
    let template = t.destination().by_id(Kind::ActionTemplate, id)?;
    Some(template.get("Version").and_then(Value::as_i64).unwrap_or(0))
}

/// A sensitive property (a step template's sensitive parameter): the destination's own value when
/// it has one (never touched); else the placeholder, with a clean-up entry, when the source holds
/// one; else empty.
fn secret(key: &str, src: &Value, dest: Option<&Value>, placeholders: &mut Vec<String>) -> Value {
    match dest {
        Some(existing) if is_sensitive_value(existing) && holds_value(existing) => existing.clone(),
        _ if holds_value(src) => {
            placeholders.push(key.to_string());
            json!({"HasValue": true, "NewValue": placeholder::SECRET_PLACEHOLDER})
        }
        _ => placeholder::none(),
    }
}

/// Package references: the destination's `Id` for the reference of the same name (`""` is the
/// primary package), none for a new one; feeds translated, deferred feeds (`#{…}`) and references
/// without a feed kept; a Deploy-a-Release step's package is a project, translated.
fn packages(src: &Value, dest: Option<&Value>, deploy_release: bool, refs: &mut References<'_, '_>) -> Value {
    let theirs: Vec<Value> = dest.and_then(Value::as_array).cloned().unwrap_or_default();
    let mut out = Vec::new();
    for package in src.as_array().into_iter().flatten() {
        let name = name_of(package);
        let what = if name.is_empty() {
            "the primary package".to_string()
        } else {
            format!("package '{name}'")
        };
        let mut p = document::object(package);
        match theirs
            .iter()
            .find(|d| name_key(name_of(d)) == name_key(name))
            .and_then(|d| d.get("Id"))
        {
            Some(id) => {
                p.insert("Id".into(), id.clone());
            }
            None => {
                p.remove("Id");
            }
        }
        if let Some(Value::String(feed)) = package.get("FeedId") {
            p.insert("FeedId".into(), json!(refs.id(feed, &format!("{what} feed"))));
        }
        if deploy_release {
            if let Some(Value::String(project)) = package.get("PackageId") {
                if !project.starts_with("#{") {
                    p.insert("PackageId".into(), json!(refs.id(project, "Deploy a Release project")));
                }
            }
        }
        if let Some(props) = package.get("Properties") {
            p.insert("Properties".into(), refs.value(props, &what));
        }
        out.push(Value::Object(p));
    }
    Value::Array(out)
}

/// Git dependencies: a Git credential is an item octosync does not map, so a reference to one is
/// left out (with a warning) rather than pointing at the source's id, as for step templates.
fn git_dependencies(src: &Value, warnings: &mut Vec<String>) -> Value {
    let mut out = Vec::new();
    for dep in src.as_array().into_iter().flatten() {
        let mut d = dep.clone();
        let credential = document::str_field(dep, "GitCredentialId");
        if !credential.is_empty() {
            warnings.push(format!(
                "git dependency '{}': its Git credential '{credential}' is not mapped by octosync and was left out; choose the credential on the destination",
                name_of(dep)
            ));
            d["GitCredentialId"] = Value::Null;
        }
        out.push(d);
    }
    Value::Array(out)
}
