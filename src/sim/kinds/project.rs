//! Projects (reference §2.5; `project.json`, `project-2018.json`; SW21b `ProjectResource`): a new
//! project gets its variable set, its empty deployment process and its default channel.

use serde_json::{json, Value};

use super::parts::{templates, ACTION_PACKAGE, CONNECTIVITY, EXTENSION_SETTINGS, GUIDED_FAILURE, PARAMETERS, TENANTED};
use super::{At, Change, FollowUp, Spec};
use crate::sim::error::ApiResult;
use crate::sim::kind::Kind;
use crate::sim::refs::{check_tags, field_refs, require_ref};
use crate::sim::schema::{field, m, Field, Ty, OPT_BOOL, STRS};
use crate::sim::shape::owned_doc;
use crate::sim::store::{str_of, Doc, Store};

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
            field("PersistenceSettings", PERSISTENCE, json!({"Type": "Database"})),
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
        json!({
            "Self": base,
            "Variables": format!("{base}/variables"),
            "Releases": format!("{base}/releases{{/version}}{{?skip,take,searchByVersion}}"),
            "Channels": format!("{base}/channels{{/id}}{{?skip,take,partialName}}"),
            "DeploymentProcess": format!("{base}/deploymentprocesses"),
            "DeploymentSettings": format!("{base}/deploymentsettings"),
            "Web": format!("/app#/{}/projects/{}", at.space, at.id),
            "Logo": format!("{base}/logo?cb={}", at.version),
            "Metadata": format!("{base}/metadata"),
            "Runbooks": format!("{base}/runbooks{{?skip,take,partialName}}"),
            "RunbookSnapshots": format!("{base}/runbookSnapshots{{/name}}{{?skip,take,searchByName}}"),
            "Summary": format!("{base}/summary"),
        })
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
