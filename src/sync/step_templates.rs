//! Step templates must match exactly (seed 003). Custom templates are created when missing and
//! updated when they differ, on the destination's own document: its `Id`, and its `Version`, which
//! the server checks on a PUT and raises on every save (reference §2.11, §1.9), so an unchanged
//! template is never written. A custom template's own logo follows the source's (see `logo`). Community templates are installed from the destination's own
//! library and brought up to the source's version. Steps refer to a template by id and version, so
//! every decision says which version the template ends at.

use super::{document, placeholder, PlanContext, Planned, Stage, Write};
use crate::kind::Kind;
use crate::report::{Action, CleanupItem};
use crate::snapshot::{name_key, name_of};
use crate::translate::{Translation, Translator};
use serde_json::{json, Map, Value};

/// The step templates stage.
pub struct StepTemplates;

/// Fields of a custom template that follow the source (the name is the match key; the action
/// type is fixed when a template is created; `Version` is the destination server's).
const OWNED: &[&str] = &[
    "Description",
    "Properties",
    "Packages",
    "Parameters",
    "GitDependencies",
    "StepPackageVersion",
    "Inputs",
];
/// What a parameter shows as when the source says nothing (newer servers refuse a parameter
/// without a control type; SpaceCloner issue #23).
const DEFAULT_CONTROL: &str = "SingleLineText";
/// The display setting that holds a parameter's control type.
const CONTROL_TYPE: &str = "Octopus.ControlType";
/// Fields of the installed template the server copies from its community library entry:
/// (field of the installed template, field of the library entry).
const FROM_LIBRARY: &[(&str, &str)] = &[
    ("Name", "Name"),
    ("Description", "Description"),
    ("ActionType", "Type"),
    ("Version", "Version"),
    ("Properties", "Properties"),
    ("Packages", "Packages"),
    ("Parameters", "Parameters"),
    ("StepPackageVersion", "StepPackageVersion"),
    ("Inputs", "Inputs"),
];

impl Stage for StepTemplates {
    fn kind(&self) -> Kind {
        Kind::ActionTemplate
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        ctx.selected(Kind::ActionTemplate)
            .map(|src| {
                if is_community(src) {
                    community(ctx, src)
                } else {
                    custom(ctx, src)
                }
            })
            .collect()
    }
}

/// True for a template installed from a community library.
fn is_community(template: &Value) -> bool {
    !document::str_field(template, "CommunityActionTemplateId").is_empty()
}

/// A template's (or library entry's) version; the server starts a new custom template at 0.
fn version_of(doc: &Value) -> i64 {
    doc.get("Version").and_then(Value::as_i64).unwrap_or(0)
}

fn ends_at(version: i64) -> String {
    format!("ends at version {version}")
}

fn error(name: &str, reason: &str, error: String) -> Planned {
    let mut p = Planned::no_write(Kind::ActionTemplate, name, Action::Skip, reason);
    p.change.error = Some(error);
    p
}

// ---------------------------------------------------------------------------------------------
// Custom templates

fn custom(ctx: &PlanContext<'_>, src: &Value) -> Planned {
    let name = name_of(src);
    let dest = ctx.destination.by_name(Kind::ActionTemplate, name);
    if let Some(d) = dest.filter(|d| is_community(d)) {
        return error(
            name,
            "a community template of this name is installed on the destination",
            "the source's template is a custom one, but the destination's of the same name is installed from the community library; octosync does not overwrite a library template. Rename one of them, or remove the destination's if the source's should replace it".into(),
        )
        .at(document::str_field(d, "Id"));
    }
    if let Some(d) = dest {
        let (theirs, ours) = (
            document::str_field(d, "ActionType"),
            document::str_field(src, "ActionType"),
        );
        if !theirs.eq_ignore_ascii_case(ours) {
            return error(
                name,
                "its step type differs on the destination",
                format!("the source's template runs '{ours}' steps and the destination's '{theirs}'; Octopus fixes a template's step type when it is created, so it cannot be updated. Rename or remove the destination's template so octosync can create it anew"),
            )
            .at(document::str_field(d, "Id"));
        }
    }

    let content = Content::of(ctx, src, dest);
    let logo_plan = logo::plan(ctx, src, dest);
    let cleanup: Vec<CleanupItem> = content
        .secrets
        .iter()
        .map(|what| {
            placeholder::cleanup(
                Kind::ActionTemplate,
                name,
                &format!("{what}: the source's sensitive default value cannot be read and never travels, so it was left empty; enter it on the destination if steps rely on it"),
            )
        })
        .collect();

    let Some(dest) = dest else {
        let mut body = document::for_create(src);
        if let Value::Object(map) = &mut body {
            // The server numbers versions; a new template starts at its first.
            map.remove("Version");
            for (field, value) in &content.fields {
                if map.contains_key(*field) || !document::is_blank(value) {
                    map.insert((*field).to_string(), value.clone());
                }
            }
        }
        let mut p = Planned::create(ctx, Kind::ActionTemplate, name, "missing on the destination", body)
            .warnings(content.warnings)
            .notes(content.notes)
            .note(format!("{} (a new template's first version)", ends_at(0)));
        p.cleanup = cleanup;
        return logo_plan.attach(p, None, logo::TEMPLATE);
    };

    let id = document::str_field(dest, "Id");
    let (body, changed) = document::overlay(dest, &content.fields);
    let version = version_of(dest);
    if changed.is_empty() {
        let p = Planned::no_write(Kind::ActionTemplate, name, Action::Unchanged, "matches the source")
            .at(id)
            .warnings(content.warnings)
            .note(ends_at(version));
        return logo_plan.attach(p, Some(id), logo::TEMPLATE);
    }
    let mut p = Planned::update(
        ctx,
        Kind::ActionTemplate,
        name,
        "differs from the source",
        dest,
        body,
    )
    .warnings(content.warnings)
    .notes(content.notes)
    .note(format!(
        "{} (the destination raises a template's version on every save; steps using it stay on version {version} until updated)",
        ends_at(version + 1)
    ));
    p.cleanup = cleanup;
    logo_plan.attach(p, Some(id), logo::TEMPLATE)
}

/// The owned fields of a source template as the destination must hold them.
struct Content {
    /// Each owned field the source has, with the value to write.
    fields: Vec<(&'static str, Value)>,
    /// References dropped, destination-only parts removed.
    warnings: Vec<String>,
    /// What octosync changed on the way (a control type filled in).
    notes: Vec<String>,
    /// Sensitive values the source holds that the destination gets empty (clean-up).
    secrets: Vec<String>,
}

impl Content {
    /// Builds the content of `src` for the destination, on `dest`'s own parts where it has them
    /// (parameter and package ids, sensitive values it already holds).
    fn of(ctx: &PlanContext<'_>, src: &Value, dest: Option<&Value>) -> Content {
        let mut c = Content {
            fields: vec![],
            warnings: vec![],
            notes: vec![],
            secrets: vec![],
        };
        let t = ctx.translator();
        let part = |field: &str| dest.and_then(|d| d.get(field));
        for field in OWNED {
            let Some(value) = src.get(*field) else { continue };
            let value = match *field {
                "Properties" => c.properties(&t, value, part(field)),
                "Packages" => c.packages(&t, value, part(field)),
                "Parameters" => c.parameters(&t, value, part(field)),
                "GitDependencies" => c.git_dependencies(value),
                "Inputs" => c.references(&t, value, "inputs"),
                _ => value.clone(),
            };
            c.fields.push((field, value));
        }
        c
    }

    /// Step properties: ids translated, sensitive values never copied.
    fn properties(&mut self, t: &Translator<'_>, src: &Value, dest: Option<&Value>) -> Value {
        let Some(props) = src.as_object() else {
            return src.clone();
        };
        let mut out = Map::new();
        for (key, value) in props {
            let what = format!("property '{key}'");
            let v = if is_secret(value) {
                self.secret(&what, value, dest.and_then(|d| d.get(key)))
            } else {
                self.references(t, value, &what)
            };
            out.insert(key.clone(), v);
        }
        Value::Object(out)
    }

    /// Package references: matched by name to the destination's (which keep their ids), feeds
    /// translated; destination-only references removed.
    fn packages(&mut self, t: &Translator<'_>, src: &Value, dest: Option<&Value>) -> Value {
        let dest_items = items(dest);
        let mut out = Vec::new();
        for package in items(Some(src)) {
            let name = name_of(&package).to_string();
            let what = if name.is_empty() {
                "the primary package".to_string()
            } else {
                format!("package '{name}'")
            };
            let mut p = with_id_of(&package, find(&dest_items, &name));
            if let Some(obj) = p.as_object_mut() {
                let feed = document::str_field(&package, "FeedId");
                if !feed.is_empty() {
                    let mapped = self.reference(t, feed, &what);
                    obj.insert(
                        "FeedId".into(),
                        if mapped.is_empty() { Value::Null } else { json!(mapped) },
                    );
                }
                if let Some(props) = package.get("Properties") {
                    obj.insert("Properties".into(), self.references(t, props, &what));
                }
            }
            out.push(p);
        }
        self.removed(&dest_items, &out, "package reference");
        Value::Array(out)
    }

    /// Parameters: matched by name to the destination's (which keep their ids and sensitive
    /// defaults), a control type where the source has none; destination-only parameters removed.
    fn parameters(&mut self, t: &Translator<'_>, src: &Value, dest: Option<&Value>) -> Value {
        let dest_items = items(dest);
        let mut out = Vec::new();
        for param in items(Some(src)) {
            let name = name_of(&param).to_string();
            let existing = find(&dest_items, &name);
            let mut p = with_id_of(&param, existing);
            let what = format!("parameter '{name}'");
            if let Some(obj) = p.as_object_mut() {
                let settings = obj.entry("DisplaySettings").or_insert_with(|| json!({}));
                if settings.is_null() {
                    *settings = json!({});
                }
                if let Some(s) = settings.as_object_mut() {
                    if document::is_blank(s.get(CONTROL_TYPE).unwrap_or(&Value::Null)) {
                        s.insert(CONTROL_TYPE.into(), json!(DEFAULT_CONTROL));
                        self.notes.push(format!(
                            "{what} has no control type on the source: shown as {DEFAULT_CONTROL}"
                        ));
                    }
                }
                let control = obj
                    .get("DisplaySettings")
                    .map(|d| document::str_field(d, CONTROL_TYPE).to_string())
                    .unwrap_or_default();
                if control.eq_ignore_ascii_case("Package") {
                    if let Some(Value::String(default)) = obj.get("DefaultValue") {
                        let translated = self.package_default(t, default, &what);
                        obj.insert("DefaultValue".into(), Value::String(translated));
                    }
                }
                if let Some(default) = param.get("DefaultValue").filter(|v| is_secret(v)) {
                    let kept = self.secret(
                        &format!("{what} default value"),
                        default,
                        existing.and_then(|e| e.get("DefaultValue")),
                    );
                    obj.insert("DefaultValue".into(), kept);
                }
            }
            out.push(p);
        }
        self.removed(&dest_items, &out, "parameter");
        Value::Array(out)
    }

    /// The default of a package parameter: JSON text (`{"PackageId": …, "FeedId": …}`) whose feed
    /// is translated; the text is kept as it is when nothing in it changes.
    fn package_default(&mut self, t: &Translator<'_>, text: &str, what: &str) -> String {
        let Ok(Value::Object(mut package)) = serde_json::from_str::<Value>(text) else {
            return text.to_string();
        };
        let feed = package.get("FeedId").and_then(Value::as_str).unwrap_or("").to_string();
        if feed.is_empty() {
            return text.to_string();
        }
        let mapped = self.reference(t, &feed, &format!("{what} default package"));
        if mapped == feed {
            return text.to_string();
        }
        package.insert(
            "FeedId".into(),
            if mapped.is_empty() { Value::Null } else { json!(mapped) },
        );
        Value::Object(package).to_string()
    }

    /// Git dependencies (2024+): a Git credential is an item octosync does not map, so a
    /// reference to one is left out rather than pointing at the source's id.
    fn git_dependencies(&mut self, src: &Value) -> Value {
        let mut out = Vec::new();
        for dep in items(Some(src)) {
            let mut d = dep.clone();
            let credential = document::str_field(&dep, "GitCredentialId");
            if !credential.is_empty() {
                self.warnings.push(format!(
                    "git dependency '{}': its Git credential '{credential}' is not mapped by octosync and was left out; choose the credential on the destination",
                    name_of(&dep)
                ));
                d["GitCredentialId"] = Value::Null;
            }
            out.push(d);
        }
        Value::Array(out)
    }

    /// A sensitive value: the destination's own when it has one at that place (never touched),
    /// else an empty one, with a clean-up entry when the source holds a value.
    fn secret(&mut self, what: &str, src: &Value, dest: Option<&Value>) -> Value {
        match dest {
            Some(existing) if is_secret(existing) => existing.clone(),
            _ => {
                if holds_value(src) {
                    self.secrets.push(what.to_string());
                }
                json!({"HasValue": false, "NewValue": null})
            }
        }
    }

    /// Every string inside `value` that is an id of a kind octosync knows, translated.
    fn references(&mut self, t: &Translator<'_>, value: &Value, what: &str) -> Value {
        match value {
            Value::String(s) => Value::String(self.reference(t, s, what)),
            Value::Array(a) => Value::Array(a.iter().map(|v| self.references(t, v, what)).collect()),
            Value::Object(m) if !is_secret(value) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), self.references(t, v, what)))
                    .collect(),
            ),
            _ => value.clone(),
        }
    }

    /// One string: a source id becomes the destination's; an item the destination lacks is a
    /// dropped reference (empty, with a warning); anything else stays as it is.
    fn reference(&mut self, t: &Translator<'_>, value: &str, what: &str) -> String {
        if Kind::from_id(value).is_none() {
            return value.to_string();
        }
        match t.translate(value) {
            Translation::Mapped(id) => id,
            Translation::Missing { kind, name } => {
                self.warnings.push(format!(
                    "{what}: {} '{name}' is not on the destination, so the reference was left empty; sync the {} and run again",
                    kind.label().to_lowercase(),
                    kind.label().to_lowercase()
                ));
                String::new()
            }
            // Not an item of the source space: text that merely looks like an id.
            Translation::Unknown => value.to_string(),
        }
    }

    /// A warning for each of the destination's items that the source lacks (they are removed).
    fn removed(&mut self, dest_items: &[Value], kept: &[Value], what: &str) {
        for d in dest_items {
            if find(kept, name_of(d)).is_none() {
                self.warnings.push(format!(
                    "destination-only {what} '{}' removed: the source's template has none",
                    name_of(d)
                ));
            }
        }
    }
}

/// True for a sensitive value (`{"HasValue": …}`), which a GET never fills in.
fn is_secret(value: &Value) -> bool {
    super::diff::secret::is_sensitive_value(value)
}

fn holds_value(value: &Value) -> bool {
    super::diff::secret::holds_value(value)
}

/// The elements of an array field's value.
fn items(value: Option<&Value>) -> Vec<Value> {
    value.and_then(Value::as_array).cloned().unwrap_or_default()
}

/// The element named `name` (names compare as Octopus compares variable names).
fn find<'a>(list: &'a [Value], name: &str) -> Option<&'a Value> {
    list.iter().find(|v| name_key(name_of(v)) == name_key(name))
}

/// A source element with the destination's id for it, or none (the server gives a new one).
fn with_id_of(src: &Value, existing: Option<&Value>) -> Value {
    let mut obj = document::object(src);
    match existing.and_then(|e| e.get("Id")) {
        Some(id) => {
            obj.insert("Id".into(), id.clone());
        }
        None => {
            obj.remove("Id");
        }
    }
    Value::Object(obj)
}

// ---------------------------------------------------------------------------------------------
// Community templates

fn community(ctx: &PlanContext<'_>, src: &Value) -> Planned {
    let name = name_of(src);
    let wanted = version_of(src);
    let library = library_entry(ctx, src);
    let dest = ctx.destination.by_name(Kind::ActionTemplate, name);

    if let Some(d) = dest.filter(|d| !is_community(d)) {
        return error(
            name,
            "a custom template of this name exists on the destination",
            "the source's template is installed from the community library, but the destination has a custom template of the same name, so the library's cannot be installed; rename or remove the destination's template and run again".into(),
        )
        .at(document::str_field(d, "Id"));
    }
    let Some(entry) = library else {
        if let Some(d) = dest.filter(|d| version_of(d) >= wanted) {
            // Nothing to install: the destination already runs the source's version.
            return installed_unchanged(name, d, wanted);
        }
        let mut p = error(
            name,
            "missing from the destination's community library",
            format!("the destination's community step template library has no '{name}' (or could not be read: the task log says so), so it cannot be installed there; refresh the destination's library from library.octopus.com (Library > Step Templates > Community Step Templates) and run again"),
        );
        p.cleanup.push(placeholder::cleanup(
            Kind::ActionTemplate,
            name,
            &format!("not installed: the destination's community library has no such template; refresh the library or install version {wanted} by hand, then run again"),
        ));
        return match dest {
            Some(d) => p.at(document::str_field(d, "Id")).note(ends_at(version_of(d))),
            None => p,
        };
    };
    let offered = version_of(entry);
    let community_id = document::str_field(entry, "Id").to_string();
    let behind = |p: Planned| -> Planned {
        if offered < wanted {
            p.warnings([format!(
                "the destination's community library offers version {offered}, older than the source's {wanted}; refresh the destination's library from library.octopus.com and run again"
            )])
        } else if offered > wanted {
            p.note(format!(
                "the library installs its latest, version {offered}; the source's is at {wanted}"
            ))
        } else {
            p
        }
    };

    match dest {
        None => {
            let expected = installed_from(entry, &json!({}));
            let mut p = Planned::create(
                ctx,
                Kind::ActionTemplate,
                name,
                "missing on the destination; installed from its community library",
                expected.clone(),
            );
            p.write = Some(Write::Install {
                community_id,
                update: false,
                expected,
            });
            behind(p.note(ends_at(offered)))
        }
        Some(d) if version_of(d) >= wanted => installed_unchanged(name, d, wanted),
        Some(d) if offered > version_of(d) => {
            let expected = installed_from(entry, d);
            let mut p = Planned::update(
                ctx,
                Kind::ActionTemplate,
                name,
                format!(
                    "installed at version {}, older than the source's {wanted}; updated from the destination's community library",
                    version_of(d)
                ),
                d,
                expected.clone(),
            );
            p.write = Some(Write::Install {
                community_id,
                update: true,
                expected,
            });
            behind(p.note(ends_at(offered)))
        }
        Some(d) => Planned::no_write(
            Kind::ActionTemplate,
            name,
            Action::Skip,
            format!(
                "installed at version {}, older than the source's {wanted}, and the destination's library has nothing newer",
                version_of(d)
            ),
        )
        .at(document::str_field(d, "Id"))
        .warnings([format!(
            "the destination's community library offers version {offered} only; refresh it from library.octopus.com and run again to reach version {wanted}"
        )])
        .note(ends_at(version_of(d))),
    }
}

fn installed_unchanged(name: &str, dest: &Value, wanted: i64) -> Planned {
    let v = version_of(dest);
    let p = Planned::no_write(
        Kind::ActionTemplate,
        name,
        Action::Unchanged,
        "installed from the community library at the source's version or later",
    )
    .at(document::str_field(dest, "Id"))
    .note(ends_at(v));
    if v > wanted {
        p.note(format!("newer than the source's version {wanted}"))
    } else {
        p
    }
}

/// The destination library's entry for a source community template: the source's library entry
/// translated by name; failing that (the source's library no longer lists it), the template's own name.
fn library_entry<'a>(ctx: &PlanContext<'a>, src: &Value) -> Option<&'a Value> {
    let id = document::str_field(src, "CommunityActionTemplateId");
    match ctx.translator().translate(id) {
        Translation::Mapped(dest_id) => ctx.destination.by_id(Kind::CommunityActionTemplate, &dest_id),
        Translation::Missing { .. } => None,
        Translation::Unknown => ctx.destination.by_name(Kind::CommunityActionTemplate, name_of(src)),
    }
}

/// The template the destination holds after installing (or updating to) `entry`: `base` (the
/// installed template, or `{}`) with what the server copies from its library.
fn installed_from(entry: &Value, base: &Value) -> Value {
    let mut doc = document::object(base);
    for (field, from) in FROM_LIBRARY {
        if let Some(v) = entry.get(*from) {
            doc.insert((*field).to_string(), v.clone());
        }
    }
    doc.insert("CommunityActionTemplateId".into(), entry["Id"].clone());
    Value::Object(doc)
}

mod logo;

#[cfg(test)]
mod tests;
