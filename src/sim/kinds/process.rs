//! Deployment and runbook processes (reference §2.7, §2.8): steps and actions, optimistic
//! concurrency on `Version`; both live and die with their owner.

use serde_json::{json, Value};

use super::parts::{packages, PACKAGE_REFERENCES};
use super::{Access, At, NameRule, Spec};
use crate::sim::error::{ApiError, ApiResult, STALE_PROCESS};
use crate::sim::kind::Kind;
use crate::sim::refs::{check_tags, refs_exist};
use crate::sim::schema::{field, m, Field, Ty, OPT_BOOL, PROPERTIES, STRS};
use crate::sim::secrets;
use crate::sim::shape::{array_mut, ensure_guid, fill, get_ci, nested_name};
use crate::sim::store::{now_stamp, slugify, str_of, strs_of, Doc, Store};

/// `DeploymentActionResource` (SW21b; `WorkerPoolVariable`, `Container`, `GitDependencies` are newer).
const ACTIONS: Ty = Ty::List(&Ty::Obj(
    "DeploymentActionResource",
    &[
        m("Id", Ty::Str),
        m("Name", Ty::Str),
        m("Slug", Ty::Str),
        m("ActionType", Ty::Str),
        m("Notes", Ty::Str),
        m("IsDisabled", Ty::Bool),
        m("IsRequired", Ty::Bool),
        m("CanBeUsedForProjectVersioning", OPT_BOOL),
        m("WorkerPoolId", Ty::Str),
        m("WorkerPoolVariable", Ty::Str),
        m(
            "Container",
            Ty::Obj(
                "DeploymentActionContainerResource",
                &[m("Image", Ty::Str), m("FeedId", Ty::Str)],
            ),
        ),
        m("Environments", STRS),
        m("ExcludedEnvironments", STRS),
        m("Channels", STRS),
        m("TenantTags", STRS),
        m("Packages", PACKAGE_REFERENCES),
        m("GitDependencies", Ty::List(&Ty::Any)),
        m(
            "Condition",
            Ty::Enum("DeploymentActionCondition", &["Success", "Variable"]),
        ),
        m("Properties", PROPERTIES),
    ],
));

/// `DeploymentStepResource`.
const STEPS: Ty = Ty::List(&Ty::Obj(
    "DeploymentStepResource",
    &[
        m("Id", Ty::Str),
        m("Name", Ty::Str),
        m("Slug", Ty::Str),
        m(
            "PackageRequirement",
            Ty::Enum(
                "DeploymentStepPackageRequirement",
                &[
                    "LetOctopusDecide",
                    "BeforePackageAcquisition",
                    "AfterPackageAcquisition",
                ],
            ),
        ),
        m("Properties", PROPERTIES),
        m(
            "Condition",
            Ty::Enum("DeploymentStepCondition", &["Success", "Failure", "Always", "Variable"]),
        ),
        m(
            "StartTrigger",
            Ty::Enum(
                "DeploymentStepStartTrigger",
                &["StartAfterPrevious", "StartWithPrevious"],
            ),
        ),
        m("Actions", ACTIONS),
    ],
));

/// A process kind: the deployment process of a project, or the process of a runbook.
pub(crate) struct Process {
    kind: Kind,
}

/// Deployment processes (`deploymentprocess-Projects-N`).
pub(crate) const DEPLOYMENT: Process = Process {
    kind: Kind::DeploymentProcess,
};

/// Runbook processes (`RunbookProcess-Runbooks-N`).
pub(crate) const RUNBOOK: Process = Process {
    kind: Kind::RunbookProcess,
};

impl Spec for Process {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        let mut v = vec![field("ProjectId", Ty::Str, Value::Null).read_only()];
        if self.kind == Kind::RunbookProcess {
            v.push(field("RunbookId", Ty::Str, Value::Null).read_only());
        }
        v.extend([
            field("Steps", STEPS, json!([])),
            field("Version", Ty::Int, json!(0)),
            field("LastSnapshotId", Ty::Str, Value::Null).read_only(),
        ]);
        v
    }

    fn query(&self) -> &'static str {
        "{?skip,take,ids}"
    }

    fn links(&self, at: &At<'_>) -> Value {
        let project = format!("/api/{}/projects/{}", at.space, at.s("ProjectId"));
        match self.kind {
            Kind::DeploymentProcess => json!({
                "Self": at.base,
                "Project": project,
                "Template": format!("{}/template{{?channel,releaseId}}", at.base),
            }),
            _ => json!({
                "Self": at.base,
                "Project": project,
                "Runbook": format!("/api/{}/runbooks/{}", at.space, at.s("RunbookId")),
                "RunbookSnapshotTemplate": format!("{}/runbookSnapshotTemplate", at.base),
            }),
        }
    }

    fn access(&self) -> Access {
        Access::Owned
    }

    // SW21b has no `deploymentprocesses/all` or `runbookProcesses/all`.
    fn has_all(&self) -> bool {
        false
    }

    fn name_rule(&self) -> Option<NameRule> {
        None
    }

    fn has_own_put(&self) -> bool {
        true
    }

    fn replace(&self, store: &mut Store, space: &str, id: &str, body: Value) -> ApiResult<Doc> {
        update(store, space, self.kind, id, body)
    }
}

/// PUT of a deployment or runbook process: `Steps` and `Version` are required, a stale `Version`
/// is refused, and the saved process gets `Version + 1`.
fn update(store: &mut Store, space: &str, kind: Kind, id: &str, body: Value) -> ApiResult<Doc> {
    let stored = store.get(space, kind, id).ok_or_else(ApiError::not_found)?.clone();
    let Value::Object(body) = body else {
        return Err(ApiError::invalid("No request body was supplied."));
    };
    let steps = match get_ci(&body, "Steps") {
        None | Some(Value::Null) => return Err(ApiError::invalid("The Steps field is required.")),
        Some(v) => v.clone(),
    };
    let version = match get_ci(&body, "Version") {
        None | Some(Value::Null) => return Err(ApiError::invalid("The Version field is required.")),
        Some(v) => v
            .as_i64()
            .ok_or_else(|| ApiError::invalid("The Version field must be an integer."))?,
    };
    let current = stored.get("Version").and_then(Value::as_i64).unwrap_or(0);
    if version != current {
        return Err(ApiError::invalid(STALE_PROCESS));
    }
    let project = str_of(&stored, "ProjectId").to_string();
    let mut doc = stored.clone();
    doc.insert("Steps".into(), steps);
    normalize_steps(store, space, kind, &project, &mut doc)?;
    let mut steps = doc.remove("Steps").unwrap_or(Value::Array(vec![]));
    secrets::merge(&mut steps, stored.get("Steps"));
    doc.insert("Steps".into(), steps);
    doc.insert("Version".into(), json!(current + 1));
    doc.insert("LastModifiedOn".into(), json!(now_stamp()));
    doc.insert("LastModifiedBy".into(), json!(store.user_name));
    store.replace(space, kind, doc.clone());
    Ok(doc)
}

fn unique(seen: &mut Vec<String>, name: &str, what: &str, kind: Kind) -> ApiResult<()> {
    if seen.iter().any(|n| n.eq_ignore_ascii_case(name)) {
        // Texts from TFP #276 (server 2021.3); names are unique case-insensitively (ISS#4459).
        let (a, b) = if what == "Action" {
            ("Action", "action")
        } else {
            ("Step", "step")
        };
        // QUESTION: the text is only known for a deployment process; a runbook process is assumed
        // to name itself "runbook process" in the same sentence.
        let process = if kind == Kind::RunbookProcess {
            "runbook process"
        } else {
            "deployment process"
        };
        return Err(ApiError::invalid(format!(
            "{a} name '{name}' is already in use by another {b} in this {process}. {a} names must be unique."
        )));
    }
    seen.push(name.to_string());
    Ok(())
}

fn is_expression(s: &str) -> bool {
    s.contains("#{")
}

/// Defaults, GUIDs, unique names and reference checks for every step and action.
fn normalize_steps(store: &Store, space: &str, kind: Kind, project: &str, doc: &mut Doc) -> ApiResult<()> {
    let slugs = store.version_at() >= (2022, 1);
    let mut step_names = Vec::new();
    let mut action_names = Vec::new();
    for step in array_mut(doc, "Steps")?.iter_mut() {
        let mut s = fill(
            step,
            json!({
                "Id": null, "Name": "", "PackageRequirement": "LetOctopusDecide", "Properties": {},
                "Condition": "Success", "StartTrigger": "StartAfterPrevious", "Actions": []
            }),
        )?;
        ensure_guid(&mut s);
        let name = nested_name(&mut s, "step")?;
        unique(&mut step_names, &name, "Step", kind)?;
        if slugs && !s.contains_key("Slug") {
            s.insert("Slug".into(), json!(slugify(&name)));
        }
        let actions = array_mut(&mut s, "Actions")?;
        if actions.is_empty() {
            // QUESTION: the exact text for a step without actions is assumed.
            return Err(ApiError::invalid(format!(
                "Step '{name}' must contain at least one action."
            )));
        }
        for action in actions.iter_mut() {
            let mut a = fill(
                action,
                json!({
                    "Id": null, "Name": "", "ActionType": null, "Notes": null, "IsDisabled": false,
                    "CanBeUsedForProjectVersioning": null, "IsRequired": false, "WorkerPoolId": null,
                    "WorkerPoolVariable": null, "Container": {"Image": null, "FeedId": null},
                    "Environments": [], "ExcludedEnvironments": [], "Channels": [], "TenantTags": [],
                    "Packages": [], "GitDependencies": [], "Condition": "Success", "Properties": {}, "Links": {}
                }),
            )?;
            ensure_guid(&mut a);
            let aname = nested_name(&mut a, "action")?;
            unique(&mut action_names, &aname, "Action", kind)?;
            if slugs && !a.contains_key("Slug") {
                a.insert("Slug".into(), json!(slugify(&aname)));
            }
            if str_of(&a, "ActionType").is_empty() {
                return Err(ApiError::invalid(format!(
                    "Action '{aname}': the ActionType field is required."
                )));
            }
            check_action_refs(store, space, project, &mut a)?;
            *action = Value::Object(a);
        }
        *step = Value::Object(s);
    }
    Ok(())
}

fn check_action_refs(store: &Store, space: &str, project: &str, a: &mut Doc) -> ApiResult<()> {
    for f in ["Environments", "ExcludedEnvironments"] {
        refs_exist(store, space, Kind::Environment, f, &strs_of(a, f))?;
    }
    let channels = strs_of(a, "Channels");
    // QUESTION: a runbook has no channels (a run picks none), so what the server does with
    // `Channels` on a runbook process action is not shown anywhere; the same check as the
    // deployment process is applied (a channel of the project), which never lets a dangling id in.
    for c in &channels {
        let ok = store
            .get(space, Kind::Channel, c)
            .map(|ch| str_of(ch, "ProjectId").eq_ignore_ascii_case(project))
            .unwrap_or(false);
        if !ok {
            return Err(ApiError::invalid(format!(
                "Channels: the channel '{c}' does not exist in this project."
            )));
        }
    }
    check_tags(store, space, a, "TenantTags")?;
    let pool = str_of(a, "WorkerPoolId").to_string();
    if !pool.is_empty() && !is_expression(&pool) {
        refs_exist(store, space, Kind::WorkerPool, "WorkerPoolId", &[pool])?;
    }
    packages(array_mut(a, "Packages")?)?;
    let mut feeds: Vec<String> = a
        .get("Packages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("FeedId").and_then(Value::as_str).map(str::to_string))
        .collect();
    if let Some(f) = a.get("Container").and_then(|c| c.get("FeedId")).and_then(Value::as_str) {
        feeds.push(f.to_string());
    }
    feeds.retain(|f| !f.is_empty() && !is_expression(f));
    refs_exist(store, space, Kind::Feed, "FeedId", &feeds)?;
    let props = a
        .get("Properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(t) = props.get("Octopus.Action.Template.Id").and_then(Value::as_str) {
        check_template_use(store, space, t, props.get("Octopus.Action.Template.Version"))?;
    }
    if let Some(p) = props
        .get("Octopus.Action.DeployRelease.ProjectId")
        .and_then(Value::as_str)
        .filter(|p| !p.is_empty() && !is_expression(p))
    {
        refs_exist(
            store,
            space,
            Kind::Project,
            "Octopus.Action.DeployRelease.ProjectId",
            &[p.to_string()],
        )?;
    }
    if a.get("CanBeUsedForProjectVersioning")
        .map(Value::is_null)
        .unwrap_or(true)
    {
        let has_packages = a
            .get("Packages")
            .and_then(Value::as_array)
            .map(|p| !p.is_empty())
            .unwrap_or(false);
        a.insert("CanBeUsedForProjectVersioning".into(), json!(has_packages));
    }
    Ok(())
}

/// An action made from a step template: the template exists in the space, and the version the
/// action was made from is one the template has had (its versions count up from 0 on every save,
/// reference §1.9, so any version up to the current one exists).
// QUESTION: the texts of both refusals are not shown anywhere; whether a version below the current
// one is accepted (the step then shows "update available" in the UI) is assumed from the UI.
fn check_template_use(store: &Store, space: &str, template_id: &str, version: Option<&Value>) -> ApiResult<()> {
    const FIELD: &str = "Octopus.Action.Template.Id";
    refs_exist(store, space, Kind::ActionTemplate, FIELD, &[template_id.to_string()])?;
    let template = store
        .get(space, Kind::ActionTemplate, template_id)
        .ok_or_else(ApiError::not_found)?;
    let current = template.get("Version").and_then(Value::as_i64).unwrap_or(0);
    let sent = match version {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::String(v)) => v.trim().parse::<i64>().ok(),
        Some(v) => v.as_i64(),
    };
    match sent {
        Some(v) if (0..=current).contains(&v) => Ok(()),
        _ => Err(ApiError::invalid(format!(
            "Octopus.Action.Template.Version: the step template '{}' has no version {} (its latest is {current}).",
            str_of(template, "Name"),
            version.map(|v| v.to_string()).unwrap_or_default()
        ))),
    }
}

/// The packages a process acquires, as release and snapshot templates list them
/// (SW21b `ReleaseTemplatePackage`): one per package reference of an enabled action.
fn template_packages(store: &Store, space: &str, process: &Doc, project_name: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for step in process.get("Steps").and_then(Value::as_array).into_iter().flatten() {
        let step_name = step.get("Name").and_then(Value::as_str).unwrap_or("");
        for action in step.get("Actions").and_then(Value::as_array).into_iter().flatten() {
            if action.get("IsDisabled") == Some(&Value::Bool(true)) {
                continue;
            }
            let action_name = action.get("Name").and_then(Value::as_str).unwrap_or("");
            for p in action.get("Packages").and_then(Value::as_array).into_iter().flatten() {
                let feed_id = p.get("FeedId").and_then(Value::as_str).unwrap_or("");
                let feed = store.get(space, Kind::Feed, feed_id);
                let package_id = p.get("PackageId").cloned().unwrap_or(Value::Null);
                let feed_name = feed.map(|f| str_of(f, "Name").to_string());
                out.push(json!({
                    "ActionName": action_name,
                    "StepName": step_name,
                    "PackageReferenceName": p.get("Name").cloned().unwrap_or(json!("")),
                    "PackageId": package_id,
                    "FeedId": feed_id,
                    "FeedName": feed_name,
                    "NuGetPackageId": package_id,
                    "NuGetFeedId": feed_id,
                    "NuGetFeedName": feed_name,
                    "ProjectName": project_name,
                    "IsResolvable": feed.is_some() && !is_expression(feed_id),
                    "VersionSelectedLastRelease": null,
                }));
            }
        }
    }
    out
}

/// `/deploymentprocesses/{id}/template` (SW21b `ReleaseTemplateResource`): what a new release of
/// the project needs.
// QUESTION: NextVersionIncrement without releases is assumed to be "0.0.1".
pub(crate) fn release_template(store: &Store, space: &str, process: &Doc) -> Value {
    let project = store
        .get(space, Kind::Project, str_of(process, "ProjectId"))
        .map(|p| str_of(p, "Name").to_string())
        .unwrap_or_default();
    json!({
        "Id": str_of(process, "Id"),
        "DeploymentProcessId": str_of(process, "Id"),
        "LastReleaseVersion": null,
        "NextVersionIncrement": "0.0.1",
        "VersioningPackageStepName": null,
        "VersioningPackageReferenceName": null,
        "Packages": template_packages(store, space, process, &project),
        "Links": {},
    })
}

/// `/runbooks/{id}/runbookSnapshotTemplate` and `/runbookProcesses/{id}/runbookSnapshotTemplate`
/// (SW21b `RunbookSnapshotTemplateResource`): what a new snapshot of the runbook needs.
// QUESTION: the form of NextNameIncrement ("Snapshot N") is assumed.
pub(crate) fn snapshot_template(store: &Store, space: &str, runbook: &Doc) -> Value {
    let process_id = str_of(runbook, "RunbookProcessId");
    let project = store
        .get(space, Kind::Project, str_of(runbook, "ProjectId"))
        .map(|p| str_of(p, "Name").to_string())
        .unwrap_or_default();
    let packages = store
        .get(space, Kind::RunbookProcess, process_id)
        .map(|p| template_packages(store, space, p, &project))
        .unwrap_or_default();
    let taken = store
        .list(space, Kind::RunbookSnapshot)
        .iter()
        .filter(|s| str_of(s, "RunbookId").eq_ignore_ascii_case(str_of(runbook, "Id")))
        .count();
    json!({
        "Id": format!("{}-template", str_of(runbook, "Id")),
        "RunbookId": str_of(runbook, "Id"),
        "RunbookProcessId": process_id,
        "NextNameIncrement": format!("Snapshot {}", taken + 1),
        "Packages": packages,
        "Links": {},
    })
}
