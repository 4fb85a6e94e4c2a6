//! Release versioning and automatic release creation (seed 003: after the process and the channel
//! version rules), on the project document, where database projects keep them
//! (`VersioningStrategy`, `ReleaseCreationStrategy`, `AutoCreateRelease`; reference §2.5).
//!
//! Both name an action of the deployment process twice: by name (`DonorPackage`,
//! `ReleaseCreationPackage`: action and package reference names) and by id (`DonorPackageStepId`,
//! `ReleaseCreationPackageStepId`, which hold an action id). The source's action is found in the
//! source's process and stands for the destination's action of the same step name and action
//! name, as the process merge matches them; both references are then written from that action.
//! The release creation channel is the destination project's channel standing for the source's
//! (the default for the default). A reference that cannot be translated keeps the destination's
//! strategy as it is, with a warning and a clean-up entry: a strategy never points at nothing and a
//! source id never crosses. Only these three fields are overlaid on the destination's own project,
//! and the project is PUT only when they change.

use super::action_refs::{self, ActionAt};
use super::process::planned::process_of;
use super::{document, placeholder, projects, PlanContext, Planned, Stage};
use crate::apply::{is_placeholder, placeholder_id};
use crate::kind::Kind;
use crate::report::{Action, CleanupItem};
use crate::snapshot::{id_of, name_of};
use crate::translate::{is_default, Counterpart};
use serde_json::{json, Value};
use std::cell::OnceCell;

/// The versioning and automatic release creation stage.
pub struct ProjectVersioning;

const KIND: Kind = Kind::Project;

impl Stage for ProjectVersioning {
    fn kind(&self) -> Kind {
        KIND
    }

    fn is_part(&self) -> bool {
        true
    }

    fn label(&self) -> String {
        "Release versioning".into()
    }

    fn part(&self) -> Option<crate::rules::ProjectPart> {
        Some(crate::rules::ProjectPart::Versioning)
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        let selected: Vec<&Value> = ctx.selected(KIND).collect();
        super::plan_each(&selected, |src| plan_one(ctx, src))
    }
}

/// The three fields as a server holds them on a project it has just made (`project.json`): what a
/// project planned for creation in this run (a dry run holds only the body sent) will have.
fn server_defaults() -> [(&'static str, Value); 3] {
    [
        ("VersioningStrategy", json!({"Template": null, "DonorPackage": null})),
        (
            "ReleaseCreationStrategy",
            json!({"ChannelId": null, "ReleaseCreationPackage": null, "ReleaseCreationPackageStepId": null}),
        ),
        ("AutoCreateRelease", json!(false)),
    ]
}

/// The destination's action a source reference names, as the destination's strategy names it.
struct Resolved {
    /// The destination action's name.
    action: String,
    /// Its package reference's name ("" for the primary package).
    package: String,
    /// Its id, or, for an action the process stage adds in this dry run (it has no id until the
    /// server gives it one), a placeholder stable across plans. The live pass plans again against
    /// the process the server saved, with real ids.
    id: String,
}

impl Resolved {
    /// `{DeploymentAction, PackageReference}`.
    fn package_ref(&self) -> Value {
        json!({"DeploymentAction": self.action, "PackageReference": self.package})
    }
}

/// Resolves a project's references against both processes.
struct Resolver<'a> {
    ctx: &'a PlanContext<'a>,
    source_project: &'a Value,
    dest_project: &'a Value,
    /// Both processes, read when a reference first needs them: most projects name no action.
    source_process: OnceCell<Option<Value>>,
    dest_process: OnceCell<Option<Value>>,
}

impl Resolver<'_> {
    fn source_process(&self) -> Option<&Value> {
        self.source_process
            .get_or_init(|| process_of(self.ctx.source, Kind::Project, self.source_project))
            .as_ref()
    }

    fn dest_process(&self) -> Option<&Value> {
        self.dest_process
            .get_or_init(|| process_of(self.ctx.destination, Kind::Project, self.dest_project))
            .as_ref()
    }

    /// The destination action and package standing for the source's reference `package`
    /// (`{DeploymentAction, PackageReference}`, preferred: newer servers hold only that) or action
    /// id `action_id`; `Ok(None)` when the source names none.
    fn action(&self, package: Option<&Value>, action_id: &str) -> Result<Option<Resolved>, String> {
        let by_name = package
            .map(|p| document::str_field(p, "DeploymentAction"))
            .filter(|n| !n.is_empty());
        if by_name.is_none() && action_id.is_empty() {
            return Ok(None);
        }
        let reference = package.map_or("", |p| document::str_field(p, "PackageReference"));
        let source = self
            .source_process()
            .ok_or("the source's deployment process was not read")?;
        let found: Option<ActionAt<'_>> = match by_name {
            Some(name) => action_refs::by_name(source, name),
            None => action_refs::by_id(source, action_id),
        };
        let src = found.ok_or_else(|| {
            format!(
                "it names the action '{}', which the source's deployment process does not have",
                by_name.unwrap_or(action_id)
            )
        })?;
        let dest = self
            .dest_process()
            .ok_or("the destination's deployment process was not read")?;
        let what = format!("step '{}', action '{}'", name_of(src.step), src.name());
        let action = action_refs::counterpart(dest, src)
            .ok_or_else(|| format!("its {what} is not in the destination's deployment process"))?;
        let package = action.package(reference).ok_or_else(|| match reference {
            "" => format!("the destination's {what} has no primary package"),
            r => format!("the destination's {what} has no package reference '{r}'"),
        })?;
        let id = match id_of(action.action) {
            "" => placeholder_id(Kind::DeploymentProcess, action.name()),
            id => id.to_string(),
        };
        Ok(Some(Resolved {
            action: action.name().to_string(),
            package: package.to_string(),
            id,
        }))
    }

    /// The destination project's channel standing for the source's channel `id`.
    fn channel(&self, id: &str) -> Result<Value, String> {
        if id.is_empty() {
            return Ok(Value::Null);
        }
        let src = self
            .ctx
            .source
            .by_id(Kind::Channel, id)
            .ok_or_else(|| format!("its channel ({id}) is not in the source space"))?;
        match self.ctx.translator().counterpart(Kind::Channel, src) {
            Counterpart::Found(dest) => Ok(json!(id_of(dest))),
            _ if is_default(src) && self.new_project() => Err(
                "its channel is the default channel the destination's server makes with the new project, which is read on the next run".into(),
            ),
            _ => Err(format!(
                "its channel '{}' is not in the destination's project; sync the channel (OCTOSYNC_CHANNELS)",
                name_of(src)
            )),
        }
    }

    /// True when the destination project has no channel in the snapshot: one made in this run.
    fn new_project(&self) -> bool {
        let id = id_of(self.dest_project);
        self.ctx.destination.owned_by(Kind::Channel, id).next().is_none()
    }

    /// The source's versioning strategy as the destination should hold it.
    fn versioning(&self, src: &Value) -> Result<Option<Value>, String> {
        let Some(Value::Object(strategy)) = src.get("VersioningStrategy") else {
            return Ok(None);
        };
        let donor = self.action(
            strategy.get("DonorPackage").filter(|v| v.is_object()),
            document::str_field(&src["VersioningStrategy"], "DonorPackageStepId"),
        )?;
        let mut out = strategy.clone();
        out.insert(
            "DonorPackage".into(),
            donor.as_ref().map_or(Value::Null, Resolved::package_ref),
        );
        out.insert("DonorPackageStepId".into(), donor.map_or(Value::Null, |d| json!(d.id)));
        Ok(Some(Value::Object(out)))
    }

    /// The source's release creation strategy as the destination should hold it.
    fn release_creation(&self, src: &Value) -> Result<Value, String> {
        let strategy = src.get("ReleaseCreationStrategy").cloned().unwrap_or(Value::Null);
        let channel = self.channel(document::str_field(&strategy, "ChannelId"))?;
        let package = self.action(
            strategy.get("ReleaseCreationPackage").filter(|v| v.is_object()),
            document::str_field(&strategy, "ReleaseCreationPackageStepId"),
        )?;
        let mut out = document::object(&strategy);
        out.insert("ChannelId".into(), channel);
        out.insert(
            "ReleaseCreationPackage".into(),
            package.as_ref().map_or(Value::Null, Resolved::package_ref),
        );
        out.insert(
            "ReleaseCreationPackageStepId".into(),
            package.map_or(Value::Null, |p| json!(p.id)),
        );
        Ok(Value::Object(out))
    }
}

fn plan_one(ctx: &PlanContext<'_>, src: &Value) -> Option<Planned> {
    // The project stage said why a project is not synced; its versioning says nothing more.
    let dest = ctx.translator().counterpart(KIND, src).found()?;
    if projects::is_version_controlled(src) || projects::is_version_controlled(dest) {
        return None;
    }
    let project = name_of(dest);
    let name = format!("{project} (versioning)");
    let r = Resolver {
        ctx,
        source_project: src,
        dest_project: dest,
        source_process: OnceCell::new(),
        dest_process: OnceCell::new(),
    };
    // A dry run's project planned for creation holds only the body sent, without what the server
    // adds to it; the live pass sees the server's, which these stand for.
    let mut base = dest.clone();
    if is_placeholder(id_of(dest)) {
        if let Value::Object(map) = &mut base {
            for (field, value) in server_defaults() {
                map.entry(field).or_insert(value);
            }
        }
    }
    let mut fields = Vec::new();
    let mut warnings = Vec::new();
    let mut cleanup: Vec<CleanupItem> = Vec::new();
    let mut kept = |what: &str, why: String| {
        warnings.push(format!("{what} not synced, the destination's is kept: {why}"));
        cleanup.push(placeholder::cleanup(
            KIND,
            project,
            &format!(
                "{what}: {why}; set it on the destination, or make the source's reference resolvable and run again"
            ),
        ));
    };
    match r.versioning(src) {
        Ok(Some(v)) => fields.push((
            "VersioningStrategy",
            document::merge_known(base.get("VersioningStrategy").unwrap_or(&Value::Null), &v),
        )),
        Ok(None) => {}
        Err(why) => kept("release versioning", why),
    }
    match r.release_creation(src) {
        Ok(v) => {
            fields.push((
                "ReleaseCreationStrategy",
                document::merge_known(base.get("ReleaseCreationStrategy").unwrap_or(&Value::Null), &v),
            ));
            fields.push((
                "AutoCreateRelease",
                json!(src.get("AutoCreateRelease").and_then(Value::as_bool).unwrap_or(false)),
            ));
        }
        Err(why) => kept("automatic release creation", why),
    }
    let (after, changed) = document::overlay(&base, &fields);
    let mut p = if changed.is_empty() {
        Planned::no_write(
            KIND,
            &name,
            Action::Unchanged,
            "its release versioning and automatic release creation match the source's",
        )
        .at(id_of(dest))
    } else {
        Planned::update(
            ctx,
            KIND,
            &name,
            "its release versioning or automatic release creation differ from the source's",
            dest,
            after,
        )
    };
    p = p.warnings(warnings);
    p.cleanup.extend(cleanup);
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;
    use crate::settings::selector::Selector;
    use crate::snapshot::Snapshot;
    use crate::sync::Write;

    /// A process with the step `Build` (action `Build`, no package) then the step `Deploy` whose
    /// action `Web` has a primary package and the package reference `Tools`; `ids` false leaves
    /// the actions without ids, as a dry run's process holds the actions it adds.
    fn process(id: &str, prefix: &str, ids: bool) -> Value {
        let id_of = |a: &str| {
            if ids {
                json!(format!("{prefix}-{a}"))
            } else {
                Value::Null
            }
        };
        json!({"Id": id, "Version": 2, "Steps": [
            {"Id": format!("{prefix}-s1"), "Name": "Build", "Actions": [{"Id": id_of("build"), "Name": "Build", "Packages": []}]},
            {"Id": format!("{prefix}-s2"), "Name": "Deploy", "Actions": [
                {"Id": id_of("web"), "Name": "Web", "Packages": [{"Name": ""}, {"Name": "Tools"}]}
            ]}
        ]})
    }

    fn project(id: &str, versioning: Value, arc: Value, auto: bool) -> Value {
        json!({"Id": id, "Name": "Api", "Description": "kept", "DeploymentProcessId": format!("deploymentprocess-{id}"),
               "VersioningStrategy": versioning, "ReleaseCreationStrategy": arc, "AutoCreateRelease": auto,
               "PersistenceSettings": {"Type": "Database"}})
    }

    fn untouched() -> (Value, Value) {
        (
            json!({"Template": "1.0.#{Octopus.Version.NextPatch}", "DonorPackage": null, "DonorPackageStepId": null}),
            json!({"ChannelId": null, "ReleaseCreationPackage": null, "ReleaseCreationPackageStepId": null}),
        )
    }

    fn channels(project: &str, prefix: &str) -> Vec<Value> {
        vec![
            json!({"Id": format!("{prefix}-default"), "Name": "Default", "ProjectId": project, "IsDefault": true}),
            json!({"Id": format!("{prefix}-hotfix"), "Name": "Hotfix", "ProjectId": project, "IsDefault": false}),
        ]
    }

    fn space(project: Value, process: Value, channels: Vec<Value>) -> Snapshot {
        Snapshot::from_docs([
            (KIND, vec![project]),
            (Kind::DeploymentProcess, vec![process]),
            (Kind::Channel, channels),
        ])
    }

    /// The source: versioning from `Web`'s `Tools` package (by name and by action id), automatic
    /// release creation in `Hotfix` from `Web`'s primary package.
    fn source() -> Snapshot {
        let p = project(
            "Projects-1",
            json!({"Template": null, "DonorPackage": {"DeploymentAction": "Web", "PackageReference": "Tools"}, "DonorPackageStepId": "src-web"}),
            json!({"ChannelId": "src-hotfix", "ReleaseCreationPackage": {"DeploymentAction": "Web", "PackageReference": ""}, "ReleaseCreationPackageStepId": "src-web"}),
            true,
        );
        space(
            p,
            process("deploymentprocess-Projects-1", "src", true),
            channels("Projects-1", "src"),
        )
    }

    fn destination(process_ids: bool) -> Snapshot {
        let (v, a) = untouched();
        space(
            project("Projects-7", v, a, false),
            process("deploymentprocess-Projects-7", "dst", process_ids),
            channels("Projects-7", "dst"),
        )
    }

    fn plan(source: &Snapshot, destination: &Snapshot) -> Vec<Planned> {
        let (rules, selector) = (Rules::default(), Selector::all());
        ProjectVersioning.plan(&PlanContext {
            source,
            destination,
            rules: &rules,
            selector: &selector,
        })
    }

    fn body(p: &Planned) -> &Value {
        let Some(Write::Update { body, .. }) = &p.write else {
            panic!("expected an update: {p:?}")
        };
        body
    }

    #[test]
    fn the_donor_package_is_translated_by_step_and_action_name() {
        let p = plan(&source(), &destination(true));
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].change.name, "Api (versioning)");
        let b = body(&p[0]);
        assert_eq!(
            b["VersioningStrategy"],
            json!({"Template": null, "DonorPackage": {"DeploymentAction": "Web", "PackageReference": "Tools"}, "DonorPackageStepId": "dst-web"})
        );
        assert_eq!(b["Description"], "kept", "only the three fields are overlaid");
        assert!(!b.to_string().contains("src-"), "no source id crosses: {b}");
    }

    #[test]
    fn automatic_release_creation_gets_the_destination_projects_channel_and_action() {
        let p = plan(&source(), &destination(true));
        let b = body(&p[0]);
        assert_eq!(
            b["ReleaseCreationStrategy"],
            json!({"ChannelId": "dst-hotfix", "ReleaseCreationPackage": {"DeploymentAction": "Web", "PackageReference": ""}, "ReleaseCreationPackageStepId": "dst-web"})
        );
        assert_eq!(b["AutoCreateRelease"], true);
        let mut fields = p[0].change.changed_fields.clone();
        fields.sort();
        assert_eq!(
            fields,
            ["AutoCreateRelease", "ReleaseCreationStrategy", "VersioningStrategy"]
        );
    }

    #[test]
    fn a_source_naming_the_action_only_by_id_is_translated_through_the_sources_process() {
        let src = space(
            project(
                "Projects-1",
                json!({"Template": null, "DonorPackage": null, "DonorPackageStepId": "src-web"}),
                untouched().1,
                false,
            ),
            process("deploymentprocess-Projects-1", "src", true),
            channels("Projects-1", "src"),
        );
        let b = body(&plan(&src, &destination(true))[0]).clone();
        assert_eq!(b["VersioningStrategy"]["DonorPackageStepId"], "dst-web");
        assert_eq!(
            b["VersioningStrategy"]["DonorPackage"],
            json!({"DeploymentAction": "Web", "PackageReference": ""})
        );
    }

    #[test]
    fn a_donor_step_the_destination_lacks_keeps_the_destinations_strategy_with_a_warning_and_cleanup() {
        let (v, a) = untouched();
        let mut lacking = process("deploymentprocess-Projects-7", "dst", true);
        // `Web` exists, but in another step: the step's name decides.
        lacking["Steps"][1]["Name"] = json!("Release");
        let dest = space(
            project("Projects-7", v, a, false),
            lacking,
            channels("Projects-7", "dst"),
        );
        let p = plan(&source(), &dest);
        assert!(
            p[0].write.is_none(),
            "never a strategy pointing at nothing: versioning and release creation both kept"
        );
        assert!(p[0].change.warnings[0].starts_with("release versioning not synced"));
        assert!(p[0].change.warnings[0].contains("step 'Deploy', action 'Web'"));
        assert_eq!(p[0].cleanup.len(), 2, "{:?}", p[0].cleanup);
        assert!(p[0].cleanup[1].action.starts_with("automatic release creation"));
    }

    #[test]
    fn a_release_creation_channel_the_destination_lacks_keeps_the_destinations_and_never_copies_the_source_id() {
        let (v, a) = untouched();
        let dest = space(
            project("Projects-7", v, a.clone(), false),
            process("deploymentprocess-Projects-7", "dst", true),
            channels("Projects-7", "dst")[..1].to_vec(),
        );
        let p = plan(&source(), &dest);
        let b = body(&p[0]);
        assert_eq!(b["ReleaseCreationStrategy"], a);
        assert_eq!(b["AutoCreateRelease"], false);
        assert_eq!(
            b["VersioningStrategy"]["DonorPackageStepId"], "dst-web",
            "versioning still syncs"
        );
        let w = &p[0].change.warnings;
        assert!(w.len() == 1 && w[0].contains("channel 'Hotfix'"), "{w:?}");
        assert!(p[0].cleanup[0].action.starts_with("automatic release creation"));
    }

    #[test]
    fn a_package_reference_the_destination_action_lacks_is_not_written() {
        let mut dest = destination(true);
        let mut process = dest.documents(Kind::DeploymentProcess)[0].clone().into_owned();
        process["Steps"][1]["Actions"][0]["Packages"] = json!([{"Name": ""}]);
        dest = space(dest.items(KIND)[0].clone(), process, dest.items(Kind::Channel).to_vec());
        let p = plan(&source(), &dest);
        assert_eq!(body(&p[0])["VersioningStrategy"], untouched().0);
        assert!(p[0].change.warnings[0].contains("no package reference 'Tools'"));
    }

    #[test]
    fn an_action_the_process_adds_in_this_dry_run_is_named_by_a_stable_placeholder_shown_as_new() {
        let first = plan(&source(), &destination(false));
        let again = plan(&source(), &destination(false));
        let b = body(&first[0]);
        let id = b["VersioningStrategy"]["DonorPackageStepId"].as_str().unwrap();
        assert!(is_placeholder(id), "{id}");
        assert_eq!(b, body(&again[0]), "two plans of the same spaces are the same");
        let shown: Vec<String> = first[0].change.diff.iter().filter_map(|d| d.after.clone()).collect();
        assert!(shown.iter().any(|s| s.contains("(new) Web")), "{shown:?}");
        assert!(
            !shown.iter().any(|s| s.contains(id)),
            "never the raw placeholder: {shown:?}"
        );
    }

    #[test]
    fn a_project_created_in_this_run_gets_its_release_creation_once_the_process_exists() {
        // A dry run's project planned for creation holds only the body the projects stage sent.
        let mut created = project("Projects-planned-Api", untouched().0, Value::Null, false);
        let map = created.as_object_mut().unwrap();
        map.remove("ReleaseCreationStrategy");
        map.remove("AutoCreateRelease");
        let dest = space(
            created,
            process("deploymentprocess-Projects-planned-Api", "dst", false),
            vec![
                json!({"Id": "Channels-planned-Api / Hotfix", "Name": "Hotfix", "ProjectId": "Projects-planned-Api", "IsDefault": false}),
            ],
        );
        let p = plan(&source(), &dest);
        let b = body(&p[0]);
        assert_eq!(b["AutoCreateRelease"], true);
        assert_eq!(
            b["ReleaseCreationStrategy"]["ChannelId"],
            "Channels-planned-Api / Hotfix"
        );
        assert_eq!(p[0].change.destination_id, None, "a placeholder id is never reported");
    }

    #[test]
    fn a_rerun_after_versioning_is_synced_writes_nothing() {
        let first = plan(&source(), &destination(true));
        let dest = space(
            body(&first[0]).clone(),
            process("deploymentprocess-Projects-7", "dst", true),
            channels("Projects-7", "dst"),
        );
        let p = plan(&source(), &dest);
        assert!(p[0].write.is_none(), "{:?}", p[0].change.diff);
        assert_eq!(p[0].change.action, Action::Unchanged);
    }

    #[test]
    fn a_field_the_destinations_server_does_not_return_is_not_added() {
        // 2024.3 returns the versioning strategy without `DonorPackageStepId` (`project.json`).
        let (_, a) = untouched();
        let dest = space(
            project(
                "Projects-7",
                json!({"Template": "1.#{Octopus.Version.NextPatch}", "DonorPackage": null}),
                a,
                false,
            ),
            process("deploymentprocess-Projects-7", "dst", true),
            channels("Projects-7", "dst"),
        );
        let p = plan(&source(), &dest);
        let v = &body(&p[0])["VersioningStrategy"];
        assert!(v.get("DonorPackageStepId").is_none(), "{v}");
        assert_eq!(v["DonorPackage"]["PackageReference"], "Tools");
    }

    #[test]
    fn a_version_controlled_project_is_left_to_the_projects_stage() {
        let (v, a) = untouched();
        let mut theirs = project("Projects-7", v, a, false);
        theirs["PersistenceSettings"] = json!({"Type": "VersionControlled"});
        let dest = space(
            theirs,
            process("deploymentprocess-Projects-7", "dst", true),
            channels("Projects-7", "dst"),
        );
        assert!(plan(&source(), &dest).is_empty());
    }
}
