//! Releases and deployments (reference §2; SW21b `ReleaseResource`, `DeploymentResource`;
//! `release.json`, `deployment.json`). octosync never copies them, so over HTTP they are read-only:
//! the listings the official clients read answer, empty unless a test inserts some.

use serde_json::{json, Value};

use super::{Access, At, Change, NameRule, Spec};
use crate::sim::envelope::Query;
use crate::sim::error::ApiResult;
use crate::sim::kind::Kind;
use crate::sim::refs::{optional_ref, require_ref};
use crate::sim::schema::{field, m, optional, Field, Ty, STRS, STR_MAP};
use crate::sim::store::{str_of, Doc};

/// `SelectedPackage` of releases and runbook snapshots.
pub(crate) const SELECTED_PACKAGES: Ty = Ty::List(&Ty::Obj(
    "SelectedPackage",
    &[
        m("ActionName", Ty::Str),
        m("StepName", Ty::Str),
        m("PackageReferenceName", Ty::Str),
        m("Version", Ty::Str),
    ],
));

/// The release kind.
pub(crate) struct Release;

impl Spec for Release {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("Version", Ty::Str, Value::Null),
            field("ProjectId", Ty::Str, Value::Null).on_create(),
            field("ChannelId", Ty::Str, Value::Null),
            field("ReleaseNotes", Ty::Str, Value::Null),
            field("IgnoreChannelRules", Ty::Bool, json!(false)),
            field("SelectedPackages", SELECTED_PACKAGES, json!([])),
            field("Assembled", Ty::Date, Value::Null).read_only(),
            field("ProjectDeploymentProcessSnapshotId", Ty::Str, Value::Null).read_only(),
            field("ProjectVariableSetSnapshotId", Ty::Str, Value::Null).read_only(),
            field("LibraryVariableSetSnapshotIds", STRS, json!([])).read_only(),
            field("BuildInformation", Ty::List(&Ty::Any), json!([])).read_only(),
            optional("VersionControlReference", Ty::Any),
        ]
    }

    fn query(&self) -> &'static str {
        "{?skip,ignoreChannelRules,take,ids}"
    }

    fn links(&self, at: &At<'_>) -> Value {
        json!({"Self": at.base, "Project": format!("/api/{}/projects/{}", at.space, at.s("ProjectId"))})
    }

    fn access(&self) -> Access {
        Access::ReadOnly
    }

    fn has_all(&self) -> bool {
        false
    }

    fn name_rule(&self) -> Option<NameRule> {
        None
    }

    fn normalize(&self, change: &Change<'_>, doc: &mut Doc) -> ApiResult<()> {
        require_ref(change.store, change.space, doc, "ProjectId", Kind::Project)?;
        optional_ref(change.store, change.space, doc, "ChannelId", Kind::Channel)
    }
}

/// The deployment kind.
pub(crate) struct Deployment;

impl Spec for Deployment {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("ReleaseId", Ty::Str, Value::Null),
            field("EnvironmentId", Ty::Str, Value::Null),
            field("TenantId", Ty::Str, Value::Null),
            field("ProjectId", Ty::Str, Value::Null),
            field("ChannelId", Ty::Str, Value::Null),
            field("Name", Ty::Str, Value::Null),
            field("Comments", Ty::Str, Value::Null),
            field("ForcePackageDownload", Ty::Bool, json!(false)),
            field("ForcePackageRedeployment", Ty::Bool, json!(false)),
            field("UseGuidedFailure", Ty::Bool, json!(false)),
            field("SkipActions", STRS, json!([])),
            field("SpecificMachineIds", STRS, json!([])),
            field("ExcludedMachineIds", STRS, json!([])),
            field("FormValues", STR_MAP, json!({})),
            field("QueueTime", Ty::Date, Value::Null),
            field("QueueTimeExpiry", Ty::Date, Value::Null),
            field("TaskId", Ty::Str, Value::Null).read_only(),
            field("DeploymentProcessId", Ty::Str, Value::Null).read_only(),
            field("Created", Ty::Date, Value::Null).read_only(),
        ]
    }

    fn query(&self) -> &'static str {
        "{?skip,take,ids,projects,environments,tenants,channels,taskState,partialName}"
    }

    fn links(&self, at: &At<'_>) -> Value {
        json!({
            "Self": at.base,
            "Release": format!("/api/{}/releases/{}", at.space, at.s("ReleaseId")),
            "Environment": format!("/api/{}/environments/{}", at.space, at.s("EnvironmentId")),
            "Project": format!("/api/{}/projects/{}", at.space, at.s("ProjectId")),
        })
    }

    fn access(&self) -> Access {
        Access::ReadOnly
    }

    fn has_all(&self) -> bool {
        false
    }

    fn filter(&self, doc: &Doc, q: &Query) -> bool {
        [
            ("projects", "ProjectId"),
            ("environments", "EnvironmentId"),
            ("tenants", "TenantId"),
            ("channels", "ChannelId"),
        ]
        .iter()
        .all(|(param, field)| {
            q.list(param)
                .map(|ids| ids.iter().any(|i| i.eq_ignore_ascii_case(str_of(doc, field))))
                .unwrap_or(true)
        })
    }

    fn name_rule(&self) -> Option<NameRule> {
        None
    }

    fn normalize(&self, change: &Change<'_>, doc: &mut Doc) -> ApiResult<()> {
        let (store, space) = (change.store, change.space);
        require_ref(store, space, doc, "ReleaseId", Kind::Release)?;
        require_ref(store, space, doc, "EnvironmentId", Kind::Environment)?;
        let release = store.get(space, Kind::Release, str_of(doc, "ReleaseId")).cloned();
        if let Some(r) = release {
            for f in ["ProjectId", "ChannelId"] {
                doc.insert(f.into(), r.get(f).cloned().unwrap_or(Value::Null));
            }
        }
        Ok(())
    }
}
