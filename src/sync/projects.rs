//! Projects, their settings (seed 003's first project step): a missing project is created in the
//! translated project group and lifecycle with the source's settings (the server makes its
//! deployment process, variable set and default channel); an existing one has only the fields
//! octosync owns overlaid (description, included library variable sets as a union, variable
//! templates merged by name) and keeps its own name, group, lifecycle and tenanted mode.
//! Config-as-code projects are never written: their process and variables live in Git.
//! Channels, processes, runbooks, variables, versioning and logos are later parts.

use super::{document, variable_templates, PlanContext, Planned, Stage};
use crate::kind::Kind;
use crate::report::Action;
use crate::snapshot::{id_of, name_of};
use crate::translate::Translation;
use serde_json::{json, Value};

/// The projects stage (settings).
pub struct Projects;

const KIND: Kind = Kind::Project;

impl Stage for Projects {
    fn kind(&self) -> Kind {
        KIND
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        ctx.selected(KIND).map(|src| plan_one(ctx, src)).collect()
    }
}

/// True for a config-as-code project (its process and variables are in a Git repository).
pub fn is_version_controlled(project: &Value) -> bool {
    project.get("IsVersionControlled").and_then(Value::as_bool) == Some(true)
        || project
            .get("PersistenceSettings")
            .and_then(|p| p.get("Type"))
            .and_then(Value::as_str)
            == Some("VersionControlled")
}

fn plan_one(ctx: &PlanContext<'_>, src: &Value) -> Planned {
    let name = name_of(src);
    let dest = ctx.destination.by_name(KIND, name);
    for (side, project) in [("source", Some(src)), ("destination", dest)] {
        if project.is_some_and(is_version_controlled) {
            let mut p = Planned::no_write(
                KIND,
                name,
                Action::Skip,
                format!("version-controlled (config as code) on the {side}"),
            )
            .warnings([format!(
                "project '{name}' keeps its deployment process, runbooks and variables in Git on the {side}, so octosync does not write it: syncing through its Git branches is not supported yet. Sync it with Git (a branch or a pull request between the two repositories), or convert it to a database project"
            )]);
            if let Some(d) = dest {
                p = p.at(id_of(d));
            }
            return p;
        }
    }
    match dest {
        None => create(ctx, src, name),
        Some(dest) => existing(ctx, src, dest),
    }
}

/// What translating a project's references found.
#[derive(Default)]
struct Refs {
    warnings: Vec<String>,
    errors: Vec<String>,
}

impl Refs {
    /// The destination id of a reference the project cannot be created without.
    fn required(&mut self, ctx: &PlanContext<'_>, src: &Value, field: &str, what: &str) -> Option<String> {
        let id = document::str_field(src, field);
        match ctx.translator().translate(id) {
            Translation::Mapped(dest) => Some(dest),
            Translation::Missing { name, .. } => {
                self.errors.push(format!(
                    "its {what} '{name}' is not on the destination; sync the {what} (OCTOSYNC_{}S) or create it, then run again",
                    what.to_uppercase().replace(' ', "_")
                ));
                None
            }
            Translation::Unknown => {
                self.errors
                    .push(format!("its {what} ({id}) is not in the source space"));
                None
            }
        }
    }

    /// Included library variable sets and script modules, each of which the project needs.
    fn library_sets(&mut self, ctx: &PlanContext<'_>, ids: &[String]) -> Vec<String> {
        let t = ctx.translator();
        let mut out = Vec::new();
        for id in ids {
            match t.translate(id) {
                Translation::Mapped(dest) => out.push(dest),
                Translation::Missing { kind, name } => self.errors.push(format!(
                    "it includes the {} '{name}', which is not on the destination; sync it ({}) and run again",
                    kind.label().to_lowercase(),
                    match kind {
                        Kind::ScriptModule => "OCTOSYNC_SCRIPT_MODULES",
                        _ => "OCTOSYNC_LIBRARY_VARIABLE_SETS",
                    }
                )),
                Translation::Unknown => self.errors.push(format!(
                    "it includes '{id}', which is not a library variable set or script module of the source"
                )),
            }
        }
        out
    }

    /// Every string inside extension settings that is an id of a kind octosync knows, translated;
    /// one it cannot translate is an error, never copied across.
    fn translate_ids(&mut self, ctx: &PlanContext<'_>, value: &Value, what: &str) -> Value {
        match value {
            Value::String(s) if Kind::from_id(s).is_some() => match ctx.translator().translate(s) {
                Translation::Mapped(dest) => json!(dest),
                Translation::Missing { kind, name } => {
                    self.errors.push(format!(
                        "its {what} name the {} '{name}', which is not on the destination",
                        kind.label().to_lowercase()
                    ));
                    value.clone()
                }
                Translation::Unknown => value.clone(),
            },
            Value::Array(a) => Value::Array(a.iter().map(|v| self.translate_ids(ctx, v, what)).collect()),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), self.translate_ids(ctx, v, what)))
                    .collect(),
            ),
            _ => value.clone(),
        }
    }

    /// Project tags (2025.4+) by canonical name; one the destination lacks is left out with a warning.
    fn tags(&mut self, ctx: &PlanContext<'_>, tags: &[String]) -> Vec<String> {
        let t = ctx.translator();
        let mut out = Vec::new();
        for tag in tags {
            match t.translate_tag(tag) {
                Translation::Mapped(dest) => out.push(dest),
                _ => self.warnings.push(format!(
                    "project tag '{tag}' is not on the destination and was left out; sync its tag set and run again"
                )),
            }
        }
        out
    }

    /// The decision that refuses the project when a reference it needs is missing.
    fn refused(self, name: &str) -> Option<Planned> {
        if self.errors.is_empty() {
            return None;
        }
        let mut p = Planned::no_write(
            KIND,
            name,
            Action::Skip,
            "a setting names an item the destination lacks",
        )
        .warnings(self.warnings);
        p.change.error = Some(self.errors.join("; "));
        Some(p)
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

/// Fields the server owns or that later parts of the sync set (versioning and automatic release
/// creation name steps of the process, which is synced after the project exists).
const NOT_ON_CREATE: &[&str] = &[
    "VariableSetId",
    "DeploymentProcessId",
    "ClonedFromProjectId",
    "IsVersionControlled",
    "AutoDeployReleaseOverrides",
    "ReleaseCreationStrategy",
    "AutoCreateRelease",
];

fn create(ctx: &PlanContext<'_>, src: &Value, name: &str) -> Planned {
    let mut refs = Refs::default();
    let group = refs.required(ctx, src, "ProjectGroupId", "project group");
    let lifecycle = refs.required(ctx, src, "LifecycleId", "lifecycle");
    let sets = refs.library_sets(ctx, &strings(src.get("IncludedLibraryVariableSetIds")));
    let extensions = refs.translate_ids(
        ctx,
        src.get("ExtensionSettings").unwrap_or(&json!([])),
        "extension settings",
    );
    let tags = src.get("ProjectTags").map(|t| refs.tags(ctx, &strings(Some(t))));
    let templates = variable_templates::merge(src.get("Templates"), None);
    let warnings = std::mem::take(&mut refs.warnings);
    if let Some(refused) = refs.refused(name) {
        return refused.warnings(warnings);
    }
    let mut body = document::for_create(src);
    if let Value::Object(map) = &mut body {
        for field in NOT_ON_CREATE {
            map.remove(*field);
        }
        map.insert("ProjectGroupId".into(), json!(group));
        map.insert("LifecycleId".into(), json!(lifecycle));
        map.insert("IncludedLibraryVariableSetIds".into(), json!(sets));
        map.insert("ExtensionSettings".into(), extensions);
        map.insert("Templates".into(), json!(templates.templates));
        map.insert("PersistenceSettings".into(), json!({"Type": "Database"}));
        if let Some(tags) = tags {
            map.insert("ProjectTags".into(), json!(tags));
        }
        // The donor package names a step of the process, which does not exist yet.
        if let Some(Value::Object(versioning)) = map.get_mut("VersioningStrategy") {
            versioning.insert("DonorPackage".into(), Value::Null);
            versioning.insert("DonorPackageStepId".into(), Value::Null);
        }
    }
    let mut p = Planned::create(ctx, KIND, name, "missing on the destination", body)
        .warnings(warnings)
        .notes(templates.notes.clone());
    p.cleanup.extend(templates.cleanup(KIND, name));
    p
}

fn existing(ctx: &PlanContext<'_>, src: &Value, dest: &Value) -> Planned {
    let name = name_of(dest);
    let mut refs = Refs::default();
    let wanted = refs.library_sets(ctx, &strings(src.get("IncludedLibraryVariableSetIds")));
    if let Some(refused) = refs.refused(name) {
        return refused.at(id_of(dest));
    }
    // A union: the destination's own sets first, in their order (order is precedence), then the
    // source's it lacks, in the source's order.
    let mut sets = strings(dest.get("IncludedLibraryVariableSetIds"));
    for id in wanted {
        if !sets.iter().any(|s| s.eq_ignore_ascii_case(&id)) {
            sets.push(id);
        }
    }
    let templates = variable_templates::merge(src.get("Templates"), dest.get("Templates"));
    let (after, changed) = document::overlay(
        dest,
        &[
            ("Description", src.get("Description").cloned().unwrap_or(Value::Null)),
            ("IncludedLibraryVariableSetIds", json!(sets)),
            ("Templates", json!(templates.templates)),
        ],
    );
    let mut p = if changed.is_empty() {
        Planned::no_write(
            KIND,
            name,
            Action::Unchanged,
            "its settings match the source's where octosync owns them",
        )
        .at(id_of(dest))
    } else {
        Planned::update(
            ctx,
            KIND,
            name,
            "its description, library sets or templates differ from the source's",
            dest,
            after,
        )
    };
    p = p.notes(templates.notes.clone());
    p.cleanup.extend(templates.cleanup(KIND, name));
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;
    use crate::settings::selector::Selector;
    use crate::snapshot::Snapshot;
    use crate::sync::Write;

    fn project(id: &str, name: &str, sets: &[&str]) -> Value {
        json!({"Id": id, "Name": name, "Description": format!("{name} service"), "ProjectGroupId": "ProjectGroups-1",
               "LifecycleId": "Lifecycles-1", "IncludedLibraryVariableSetIds": sets, "TenantedDeploymentMode": "Untenanted",
               "VariableSetId": format!("variableset-{id}"), "DeploymentProcessId": format!("deploymentprocess-{id}"),
               "Templates": [], "ExtensionSettings": [], "AutoCreateRelease": true,
               "ReleaseCreationStrategy": {"ChannelId": "Channels-1"},
               "VersioningStrategy": {"Template": "1.0.#{Octopus.Version.NextPatch}", "DonorPackage": null},
               "PersistenceSettings": {"Type": "Database"}, "IsVersionControlled": false})
    }

    fn space(group: (&str, &str), lifecycle: (&str, &str), sets: Vec<Value>, projects: Vec<Value>) -> Snapshot {
        Snapshot::from_docs([
            (Kind::ProjectGroup, vec![json!({"Id": group.0, "Name": group.1})]),
            (Kind::Lifecycle, vec![json!({"Id": lifecycle.0, "Name": lifecycle.1})]),
            (Kind::LibraryVariableSet, sets),
            (KIND, projects),
        ])
    }

    fn plan(source: &Snapshot, destination: &Snapshot) -> Vec<Planned> {
        let (rules, selector) = (Rules::default(), Selector::all());
        Projects.plan(&PlanContext {
            source,
            destination,
            rules: &rules,
            selector: &selector,
        })
    }

    fn set(id: &str, name: &str) -> Value {
        json!({"Id": id, "Name": name, "ContentType": "Variables"})
    }

    #[test]
    fn a_missing_project_is_created_in_the_translated_group_and_lifecycle_without_server_or_later_fields() {
        let src = space(
            ("ProjectGroups-1", "Payments"),
            ("Lifecycles-1", "Release"),
            vec![set("LibraryVariableSets-1", "Common")],
            vec![project("Projects-1", "Api", &["LibraryVariableSets-1"])],
        );
        let dest = space(
            ("ProjectGroups-7", "Payments"),
            ("Lifecycles-7", "Release"),
            vec![set("LibraryVariableSets-9", "Common")],
            vec![],
        );
        let p = plan(&src, &dest);
        let Some(Write::Create { body }) = &p[0].write else {
            panic!("{:?}", p[0].write);
        };
        assert_eq!(body["ProjectGroupId"], "ProjectGroups-7");
        assert_eq!(body["LifecycleId"], "Lifecycles-7");
        assert_eq!(body["IncludedLibraryVariableSetIds"], json!(["LibraryVariableSets-9"]));
        for field in [
            "VariableSetId",
            "DeploymentProcessId",
            "ReleaseCreationStrategy",
            "AutoCreateRelease",
            "Id",
        ] {
            assert!(body.get(field).is_none(), "{field} is not sent");
        }
        assert_eq!(
            body["VersioningStrategy"]["Template"],
            "1.0.#{Octopus.Version.NextPatch}"
        );
    }

    #[test]
    fn a_missing_required_library_set_or_lifecycle_is_an_error_for_that_project_only() {
        let src = space(
            ("ProjectGroups-1", "Payments"),
            ("Lifecycles-1", "Release"),
            vec![set("LibraryVariableSets-1", "Common")],
            vec![project("Projects-1", "Api", &["LibraryVariableSets-1"])],
        );
        let dest = space(
            ("ProjectGroups-7", "Payments"),
            ("Lifecycles-7", "Other"),
            vec![],
            vec![],
        );
        let p = plan(&src, &dest);
        assert!(p[0].write.is_none());
        let error = p[0].change.error.as_deref().unwrap();
        assert!(
            error.contains("lifecycle 'Release'") && error.contains("'Common'"),
            "{error}"
        );
    }

    #[test]
    fn an_existing_project_gains_the_sources_library_sets_after_its_own_and_keeps_its_group_and_lifecycle() {
        let src = space(
            ("ProjectGroups-1", "Payments"),
            ("Lifecycles-1", "Release"),
            vec![set("LibraryVariableSets-1", "Common")],
            vec![project("Projects-1", "Api", &["LibraryVariableSets-1"])],
        );
        let mut own = project("Projects-5", "Api", &["LibraryVariableSets-8"]);
        own["ProjectGroupId"] = json!("ProjectGroups-7");
        own["LifecycleId"] = json!("Lifecycles-6");
        let dest = space(
            ("ProjectGroups-7", "Payments"),
            ("Lifecycles-7", "Release"),
            vec![
                set("LibraryVariableSets-9", "Common"),
                set("LibraryVariableSets-8", "Local"),
            ],
            vec![own],
        );
        let p = plan(&src, &dest);
        let Some(Write::Update { body, .. }) = &p[0].write else {
            panic!("{:?}", p[0].write);
        };
        assert_eq!(
            body["IncludedLibraryVariableSetIds"],
            json!(["LibraryVariableSets-8", "LibraryVariableSets-9"])
        );
        assert_eq!(body["LifecycleId"], "Lifecycles-6", "the destination's own lifecycle");
        assert_eq!(p[0].change.changed_fields, ["IncludedLibraryVariableSetIds"]);
    }

    #[test]
    fn a_version_controlled_project_on_either_side_is_skipped_with_a_warning_and_never_written() {
        let mut cac = project("Projects-1", "Api", &[]);
        cac["IsVersionControlled"] = json!(true);
        let src = space(
            ("ProjectGroups-1", "Payments"),
            ("Lifecycles-1", "Release"),
            vec![],
            vec![cac],
        );
        let dest = space(
            ("ProjectGroups-7", "Payments"),
            ("Lifecycles-7", "Release"),
            vec![],
            vec![],
        );
        let p = plan(&src, &dest);
        assert!(p[0].write.is_none());
        assert!(p[0].change.warnings[0].contains("Git"));

        let src = space(
            ("ProjectGroups-1", "Payments"),
            ("Lifecycles-1", "Release"),
            vec![],
            vec![project("Projects-1", "Api", &[])],
        );
        let mut theirs = project("Projects-4", "Api", &[]);
        theirs["PersistenceSettings"] = json!({"Type": "VersionControlled", "Url": "https://git.example.com/api.git"});
        let dest = space(
            ("ProjectGroups-7", "Payments"),
            ("Lifecycles-7", "Release"),
            vec![],
            vec![theirs],
        );
        let p = plan(&src, &dest);
        assert!(p[0].write.is_none());
        assert_eq!(p[0].change.destination_id.as_deref(), Some("Projects-4"));
    }
}
