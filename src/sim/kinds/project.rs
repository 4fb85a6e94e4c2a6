//! Projects (reference §2.5; `project.json`, `project-2018.json`; SW21b `ProjectResource`): a new
//! project gets its variable set, its empty deployment process and its default channel.

use serde_json::{json, Value};

use super::parts::{templates, ACTION_PACKAGE, CONNECTIVITY, EXTENSION_SETTINGS, GUIDED_FAILURE, PARAMETERS, TENANTED};
use super::{At, Change, FollowUp, Spec};
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::refs::{check_tags, field_refs, require_ref};
use crate::sim::schema::{field, m, Field, Ty, OPT_BOOL, STRS};
use crate::sim::secrets;
use crate::sim::shape::{get_ci, owned_doc};
use crate::sim::store::{now_stamp, str_of, Doc, Store};

const VERSIONING: Ty = Ty::Obj(
    "VersioningStrategyResource",
    &[
        m("Template", Ty::Str),
        m("DonorPackage", ACTION_PACKAGE),
        m("DonorPackageStepId", Ty::Str),
    ],
);

const RELEASE_CREATION: Ty = Ty::Obj(
    "ReleaseCreationStrategyResource",
    &[
        m("ChannelId", Ty::Str),
        m("ReleaseCreationPackage", ACTION_PACKAGE),
        m("ReleaseCreationPackageStepId", Ty::Str),
    ],
);

const AUTO_DEPLOY_OVERRIDES: Ty = Ty::List(&Ty::Obj(
    "AutoDeployReleaseOverrideResource",
    &[
        m("EnvironmentId", Ty::Str),
        m("TenantId", Ty::Str),
        m("ReleaseId", Ty::Str),
    ],
));

/// `PersistenceSettings` is polymorphic on `Type` (Database or VersionControlled).
const PERSISTENCE: Ty = Ty::Obj(
    "PersistenceSettingsResource",
    &[m(
        "Type",
        Ty::Enum("PersistenceSettingsType", &["Database", "VersionControlled"]),
    )],
);

/// The project kind.
pub(crate) struct Project;

impl Spec for Project {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("VariableSetId", Ty::Str, Value::Null).read_only(),
            field("DeploymentProcessId", Ty::Str, Value::Null).read_only(),
            field("ClonedFromProjectId", Ty::Str, Value::Null).read_only(),
            field("DiscreteChannelRelease", Ty::Bool, json!(false)),
            field("IncludedLibraryVariableSetIds", STRS, json!([])),
            field("DefaultToSkipIfAlreadyInstalled", Ty::Bool, json!(false)),
            field("TenantedDeploymentMode", TENANTED, json!("Untenanted")),
            field("DefaultGuidedFailureMode", GUIDED_FAILURE, json!("EnvironmentDefault")),
            field(
                "VersioningStrategy",
                VERSIONING,
                json!({"Template": null, "DonorPackage": null}),
            ),
            field(
                "ReleaseCreationStrategy",
                RELEASE_CREATION,
                json!({"ChannelId": null, "ReleaseCreationPackage": null, "ReleaseCreationPackageStepId": null}),
            ),
            field("Templates", PARAMETERS, json!([])),
            field("AutoDeployReleaseOverrides", AUTO_DEPLOY_OVERRIDES, json!([])),
            field("ReleaseNotesTemplate", Ty::Str, Value::Null),
            field("DeploymentChangesTemplate", Ty::Str, Value::Null),
            field("ForcePackageDownload", Ty::Bool, json!(false)),
            field("Icon", Ty::Any, Value::Null),
            field("AllowIgnoreChannelRules", OPT_BOOL, json!(true)),
            field("ExecuteDeploymentsOnResilientPipeline", OPT_BOOL, Value::Null),
            field("ExtensionSettings", EXTENSION_SETTINGS, json!([])),
            field("Name", Ty::Str, json!("")),
            field("Description", Ty::Str, Value::Null),
            field("IsDisabled", Ty::Bool, json!(false)),
            field("ProjectGroupId", Ty::Str, Value::Null),
            field("LifecycleId", Ty::Str, Value::Null),
            field("AutoCreateRelease", Ty::Bool, json!(false)),
            field("IsVersionControlled", Ty::Bool, json!(false)).read_only(),
            // QUESTION: a project is created in the database and made version-controlled by
            // `POST /projects/{id}/git/convert` (the `ConvertToVcs` link of `project.json`; the
            // docs' "New Project" flow configures Git after the save), so the settings are kept
            // from the stored project here. The real server lets a PUT change a version-controlled
            // project's URL and credentials ("Please re-enter the password when changing the
            // repository URL or username.", SW21b); the simulator does not model that.
            field("PersistenceSettings", PERSISTENCE, json!({"Type": "Database"})).read_only(),
            field(
                "ProjectConnectivityPolicy",
                CONNECTIVITY,
                json!({"SkipMachineBehavior": "None", "TargetRoles": [], "AllowDeploymentsToNoTargets": false, "ExcludeUnhealthyTargets": false}),
            ),
            field("ProjectTags", STRS, json!([])).since(2025, 4),
        ]
    }

    fn query(&self) -> &'static str {
        "{?name,skip,ids,clone,take,partialName,clonedFromProjectId}"
    }

    // Triggers and channel ordering of a real project are not advertised: the simulator has neither.
    fn links(&self, at: &At<'_>) -> Value {
        let base = &at.base;
        let mut links = json!({
            "Self": base,
            "Variables": format!("{base}/variables"),
            "Releases": format!("{base}/releases{{/version}}{{?skip,take,searchByVersion}}"),
            "Channels": format!("{base}/channels{{/id}}{{?skip,take,partialName}}"),
            "DeploymentProcess": format!("{base}/deploymentprocesses"),
            "DeploymentSettings": format!("{base}/deploymentsettings"),
            "Web": format!("/app#/{}/projects/{}", at.space, at.id),
            "Logo": format!("{base}/logo?cb={}", logo_cache_buster(at)),
            "Metadata": format!("{base}/metadata"),
            "Runbooks": format!("{base}/runbooks{{?skip,take,partialName}}"),
            "RunbookSnapshots": format!("{base}/runbookSnapshots{{/name}}{{?skip,take,searchByName}}"),
            "Summary": format!("{base}/summary"),
        });
        let at_version = crate::sim::store::version_tuple(at.version);
        if at_version < super::deployment_settings::SINCE {
            links.as_object_mut().map(|l| l.remove("DeploymentSettings"));
        }
        if at_version >= GIT_SINCE {
            links["ConvertToGit"] = json!(format!("{base}/git/convert"));
        }
        links
    }

    fn has_slug(&self) -> bool {
        true
    }

    fn normalize(&self, change: &Change<'_>, doc: &mut Doc) -> ApiResult<()> {
        let (store, space) = (change.store, change.space);
        require_ref(store, space, doc, "ProjectGroupId", Kind::ProjectGroup)?;
        require_ref(store, space, doc, "LifecycleId", Kind::Lifecycle)?;
        field_refs(
            store,
            space,
            Kind::LibraryVariableSet,
            doc,
            "IncludedLibraryVariableSetIds",
        )?;
        templates(doc, "Templates")?;
        if doc.contains_key("ProjectTags") {
            check_tags(store, space, doc, "ProjectTags")?;
        }
        Ok(())
    }

    fn created(&self, store: &mut Store, space: &str, doc: &mut Doc) -> ApiResult<Vec<FollowUp>> {
        let id = str_of(doc, "Id").to_string();
        let vs = format!("variableset-{id}");
        let dp = format!("deploymentprocess-{id}");
        let set = owned_doc(store, space, &vs, json!({"OwnerId": id, "Version": 0, "Variables": []}));
        let process = owned_doc(
            store,
            space,
            &dp,
            json!({"ProjectId": id, "Steps": [], "Version": 0, "LastSnapshotId": null}),
        );
        store.push(space, Kind::VariableSet, set);
        store.push(space, Kind::DeploymentProcess, process);
        doc.insert("VariableSetId".into(), json!(vs));
        doc.insert("DeploymentProcessId".into(), json!(dp));
        Ok(vec![FollowUp {
            space: space.to_string(),
            kind: Kind::Channel,
            body: json!({"Name": "Default", "ProjectId": id, "LifecycleId": null, "IsDefault": true}),
        }])
    }

    fn deleted(&self, store: &mut Store, space: &str, doc: &Doc) {
        let id = str_of(doc, "Id").to_string();
        let owned_by = |d: &Doc, field: &str| str_of(d, field).eq_ignore_ascii_case(&id);
        for k in [
            Kind::Channel,
            Kind::Runbook,
            Kind::RunbookProcess,
            Kind::RunbookSnapshot,
            Kind::DeploymentProcess,
            Kind::Release,
            Kind::Deployment,
        ] {
            store.list_mut(space, k).retain(|d| !owned_by(d, "ProjectId"));
        }
        store
            .list_mut(space, Kind::VariableSet)
            .retain(|d| !owned_by(d, "OwnerId"));
        for t in store.list_mut(space, Kind::Tenant).iter_mut() {
            if let Some(Value::Object(pe)) = t.get_mut("ProjectEnvironments") {
                pe.retain(|k, _| !k.eq_ignore_ascii_case(&id));
            }
        }
        store.forget_tenant_values_of(space, &id);
    }
}

/// `/projects/{id}/summary` (SW21b `ProjectSummary`).
pub(crate) fn summary(store: &Store, space: &str, project: &Doc) -> Value {
    let id = str_of(project, "Id");
    let has_steps = store
        .get(space, Kind::DeploymentProcess, str_of(project, "DeploymentProcessId"))
        .and_then(|p| p.get("Steps"))
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    let has_runbooks = store
        .list(space, Kind::Runbook)
        .iter()
        .any(|r| str_of(r, "ProjectId").eq_ignore_ascii_case(id));
    json!({"HasDeploymentProcess": has_steps, "HasRunbooks": has_runbooks})
}

/// Whether a project is config-as-code (`IsVersionControlled`, `PersistenceSettings.Type =
/// VersionControlled`): its deployment process and deployment settings live in Git (reference §4).
pub(crate) fn is_version_controlled(project: &Doc) -> bool {
    project.get("IsVersionControlled") == Some(&Value::Bool(true))
        || project
            .get("PersistenceSettings")
            .and_then(|p| p.get("Type"))
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("VersionControlled"))
}

/// Whether a version-controlled project keeps its non-sensitive variables in Git
/// (`ConversionState.VariablesAreInGit`, 2022.3+); its sensitive ones stay in the database.
pub(crate) fn variables_in_git(project: &Doc) -> bool {
    is_version_controlled(project)
        && project
            .get("PersistenceSettings")
            .and_then(|p| p.get("ConversionState"))
            .and_then(|c| c.get("VariablesAreInGit"))
            == Some(&Value::Bool(true))
}

/// The first version whose projects can be converted to Git with `PersistenceSettings` (2021.1;
/// 2020.5 had the earlier `VersionControlSettings`, reference §4).
pub(crate) const GIT_SINCE: (u32, u32) = (2021, 1);

/// The first version that keeps a converted project's variables in Git (reference §4, 2022.3).
const VARIABLES_IN_GIT_SINCE: (u32, u32) = (2022, 3);

/// `POST /projects/{id}/git/convert` (OC `ConvertProjectToVersionControlledCommand`, GO
/// `ConvertToVcs`: `CommitMessage`, `VersionControlSettings`, `InitialCommitBranchName`): the
/// project becomes version-controlled. Its deployment process (and, from 2022.3, its non-sensitive
/// variables) leave the database: the simulator has no Git, so they are gone from every database
/// route. Runbooks stay in the database (`RunbooksAreInGit: false`, a later, separate migration).
// QUESTION: the answer's body is assumed to be OC's `ConvertProjectToVersionControlledResponse`
// (`{"Messages": []}`); the texts of the three refusals are assumed.
pub(crate) fn convert(store: &mut Store, space: &str, project_id: &str, body: &Value) -> ApiResult<Value> {
    let mut project = store
        .get(space, Kind::Project, project_id)
        .ok_or_else(ApiError::not_found)?
        .clone();
    if is_version_controlled(&project) {
        return Err(ApiError::invalid("This project is already version controlled."));
    }
    let Value::Object(body) = body else {
        return Err(ApiError::invalid("No request body was supplied."));
    };
    let message = get_ci(body, "CommitMessage").and_then(Value::as_str).unwrap_or("");
    if message.trim().is_empty() {
        return Err(ApiError::invalid("The CommitMessage field is required."));
    }
    let settings = match get_ci(body, "VersionControlSettings") {
        Some(Value::Object(m)) => m.clone(),
        _ => return Err(ApiError::invalid("The VersionControlSettings field is required.")),
    };
    let url = get_ci(&settings, "Url")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string();
    if url.is_empty() {
        return Err(ApiError::invalid("The Url field is required."));
    }
    let text = |f: &str, default: &str| -> Value {
        let v = get_ci(&settings, f).and_then(Value::as_str).unwrap_or("").trim();
        json!(if v.is_empty() { default } else { v })
    };
    let slug = str_of(&project, "Slug").to_string();
    let mut credentials = get_ci(&settings, "Credentials")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({"Type": "Anonymous"}));
    if let Some(Value::Object(c)) = Some(&mut credentials) {
        if let Some(pw) = c.get("Password").cloned() {
            let sv = match pw {
                Value::String(s) => secrets::sv_set(&s),
                v => v,
            };
            c.insert("Password".into(), sv);
        }
    }
    let variables_in_git = store.version_at() >= VARIABLES_IN_GIT_SINCE;
    let persistence = json!({
        "Type": "VersionControlled",
        "Url": url,
        "Credentials": credentials,
        "DefaultBranch": text("DefaultBranch", "main"),
        "BasePath": text("BasePath", &format!(".octopus/{slug}")),
        "ProtectedDefaultBranch": get_ci(&settings, "ProtectedDefaultBranch").and_then(Value::as_bool).unwrap_or(false),
        "ProtectedBranchNamePatterns": get_ci(&settings, "ProtectedBranchNamePatterns").cloned().filter(Value::is_array).unwrap_or(json!([])),
        "ConversionState": {"VariablesAreInGit": variables_in_git, "RunbooksAreInGit": false},
    });
    project.insert("PersistenceSettings".into(), persistence);
    project.insert("IsVersionControlled".into(), json!(true));
    project.insert("LastModifiedOn".into(), json!(now_stamp()));
    let process = str_of(&project, "DeploymentProcessId").to_string();
    store
        .list_mut(space, Kind::DeploymentProcess)
        .retain(|d| !str_of(d, "Id").eq_ignore_ascii_case(&process));
    if variables_in_git {
        let set_id = str_of(&project, "VariableSetId").to_string();
        if let Some(set) = store.get_mut(space, Kind::VariableSet, &set_id) {
            if let Some(Value::Array(vars)) = set.get_mut("Variables") {
                vars.retain(|v| v.get("Type").and_then(Value::as_str) == Some("Sensitive"));
            }
            let version = set.get("Version").and_then(Value::as_i64).unwrap_or(0);
            set.insert("Version".into(), json!(version + 1));
        }
    }
    store.replace(space, Kind::Project, project);
    Ok(json!({"Messages": []}))
}

/// A project's logo cache buster: 2024.3 prefixes the default one with the icon and colour it
/// draws (`map-signs-%235E2EA2-2024.3.10989`, project.json); an uploaded logo's is its own.
fn logo_cache_buster(at: &At<'_>) -> String {
    let icon = at.doc.get("Icon");
    let part = |f: &str| icon.and_then(|i| i.get(f)).and_then(Value::as_str).unwrap_or("");
    if at.logo_cb != at.version || part("Id").is_empty() {
        return at.logo_cb.clone();
    }
    format!("{}-{}-{}", part("Id"), part("Color").replace('#', "%23"), at.version)
}
