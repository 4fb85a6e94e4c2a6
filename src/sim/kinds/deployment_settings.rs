//! A project's deployment settings (`/projects/{id}/deploymentsettings`, 2021.1+; OC
//! `DeploymentSettingsResource`). The values live on the project (its obsolete fields), so both
//! routes stay consistent.

use serde_json::{json, Map, Value};

use super::parts::{CONNECTIVITY, GUIDED_FAILURE};
use super::project::Project;
use super::{Access, At, NameRule, Spec};
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::schema::{field, Field, Ty};
use crate::sim::shape::get_ci;
use crate::sim::store::{now_stamp, str_of, Doc, Store};

/// The first version with `/projects/{id}/deploymentsettings` (OC 664bd9d6, reference §4).
pub(crate) const SINCE: (u32, u32) = (2021, 1);

/// Deployment settings field → the project field holding its value.
const SETTINGS_MAP: &[(&str, &str)] = &[
    ("ConnectivityPolicy", "ProjectConnectivityPolicy"),
    ("DefaultGuidedFailureMode", "DefaultGuidedFailureMode"),
    ("VersioningStrategy", "VersioningStrategy"),
    ("ReleaseNotesTemplate", "ReleaseNotesTemplate"),
    ("DefaultToSkipIfAlreadyInstalled", "DefaultToSkipIfAlreadyInstalled"),
    ("DeploymentChangesTemplate", "DeploymentChangesTemplate"),
    ("ForcePackageDownload", "ForcePackageDownload"),
];

/// The deployment settings kind.
pub(crate) struct DeploymentSettings;

impl Spec for DeploymentSettings {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("ProjectId", Ty::Str, Value::Null).read_only(),
            field("ConnectivityPolicy", CONNECTIVITY, Value::Null),
            field("DefaultGuidedFailureMode", GUIDED_FAILURE, Value::Null),
            field("VersioningStrategy", Ty::Any, Value::Null),
            field("ReleaseNotesTemplate", Ty::Str, Value::Null),
            field("DefaultToSkipIfAlreadyInstalled", Ty::Bool, Value::Null),
            field("DeploymentChangesTemplate", Ty::Str, Value::Null),
            field("ForcePackageDownload", Ty::Bool, Value::Null),
        ]
    }

    fn query(&self) -> &'static str {
        ""
    }

    fn links(&self, at: &At<'_>) -> Value {
        let project = format!("/api/{}/projects/{}", at.space, at.s("ProjectId"));
        json!({"Self": format!("{project}/deploymentsettings"), "Project": project})
    }

    fn access(&self) -> Access {
        Access::Embedded
    }

    fn has_all(&self) -> bool {
        false
    }

    fn name_rule(&self) -> Option<NameRule> {
        None
    }

    fn has_own_put(&self) -> bool {
        true
    }

    fn replace(&self, store: &mut Store, space: &str, project_id: &str, body: Value) -> ApiResult<Doc> {
        put(store, space, project_id, body)
    }
}

/// `GET /projects/{id}/deploymentsettings`.
// QUESTION: the Id of a DeploymentSettings resource is not shown anywhere;
// `deploymentsettings-<ProjectId>` is assumed.
pub(crate) fn get(store: &Store, space: &str, project_id: &str) -> ApiResult<Doc> {
    let p = store
        .get(space, Kind::Project, project_id)
        .ok_or_else(ApiError::not_found)?;
    let pid = str_of(p, "Id");
    let mut d = Map::new();
    d.insert("Id".into(), json!(format!("deploymentsettings-{pid}")));
    d.insert("SpaceId".into(), json!(space));
    d.insert("ProjectId".into(), json!(pid));
    for (settings, project) in SETTINGS_MAP {
        d.insert(settings.to_string(), p.get(*project).cloned().unwrap_or(Value::Null));
    }
    for stamp in ["LastModifiedOn", "LastModifiedBy"] {
        d.insert(stamp.into(), p.get(stamp).cloned().unwrap_or(Value::Null));
    }
    Ok(d)
}

/// `PUT /projects/{id}/deploymentsettings`: settings not sent return to the project defaults.
fn put(store: &mut Store, space: &str, project_id: &str, body: Value) -> ApiResult<Doc> {
    let Value::Object(body) = body else {
        return Err(ApiError::invalid("No request body was supplied."));
    };
    let mut project = store
        .get(space, Kind::Project, project_id)
        .ok_or_else(ApiError::not_found)?
        .clone();
    let defaults: Map<String, Value> = Project
        .fields(None)
        .into_iter()
        .filter_map(|f| Some((f.name.to_string(), f.default?)))
        .collect();
    for (settings, field) in SETTINGS_MAP {
        let v = get_ci(&body, settings)
            .cloned()
            .or_else(|| defaults.get(*field).cloned())
            .unwrap_or(Value::Null);
        project.insert(field.to_string(), v);
    }
    project.insert("LastModifiedOn".into(), json!(now_stamp()));
    store.replace(space, Kind::Project, project);
    get(store, space, project_id)
}
