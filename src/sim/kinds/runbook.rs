//! Runbooks (reference §2.8; SW21b `RunbookResource`): named uniquely per project; a new runbook
//! gets its process `RunbookProcess-<RunbookId>`.

use serde_json::{json, Value};

use super::parts::{in_projects, CONNECTIVITY, GUIDED_FAILURE, TENANTED};
use super::{At, Change, FollowUp, NameRule, NameScope, Spec};
use crate::sim::envelope::Query;
use crate::sim::error::ApiResult;
use crate::sim::kind::Kind;
use crate::sim::refs::{field_refs, require_ref};
use crate::sim::schema::{field, m, Field, Ty, STRS};
use crate::sim::shape::owned_doc;
use crate::sim::store::{str_of, Doc, Store};

/// `RunbookRetentionPeriod` (`Unit` and `Strategy` are newer).
const RUN_RETENTION: Ty = Ty::Obj(
    "RunbookRetentionPeriod",
    &[
        m("QuantityToKeep", Ty::Int),
        m("ShouldKeepForever", Ty::Bool),
        m("Unit", Ty::Opt(&Ty::Enum("RetentionUnit", &["Days", "Items"]))),
    ],
);

/// The runbook kind.
pub(crate) struct Runbook;

impl Spec for Runbook {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("Name", Ty::Str, json!("")),
            field("Description", Ty::Str, Value::Null),
            field("ProjectId", Ty::Str, Value::Null).on_create(),
            field("RunbookProcessId", Ty::Str, Value::Null),
            field("PublishedRunbookSnapshotId", Ty::Str, Value::Null),
            field("MultiTenancyMode", TENANTED, json!("Untenanted")),
            field(
                "ConnectivityPolicy",
                CONNECTIVITY,
                json!({"SkipMachineBehavior": "None", "TargetRoles": [], "AllowDeploymentsToNoTargets": true, "ExcludeUnhealthyTargets": false}),
            ),
            field(
                "EnvironmentScope",
                Ty::Enum(
                    "RunbookEnvironmentScope",
                    &["All", "Specified", "FromProjectLifecycles"],
                ),
                json!("All"),
            ),
            field("Environments", STRS, json!([])),
            field("DefaultGuidedFailureMode", GUIDED_FAILURE, json!("EnvironmentDefault")),
            field(
                "RunRetentionPolicy",
                RUN_RETENTION,
                json!({"QuantityToKeep": 100, "ShouldKeepForever": false}),
            ),
            field("ForcePackageDownload", Ty::Bool, json!(false)),
            field("RunbookTags", STRS, json!([])).since(2026, 1),
        ]
    }

    fn query(&self) -> &'static str {
        "{?skip,take,ids,partialName,clone,projectIds}"
    }

    fn links(&self, at: &At<'_>) -> Value {
        let base = &at.base;
        json!({
            "Self": base,
            "Project": format!("/api/{}/projects/{}", at.space, at.s("ProjectId")),
            "RunbookProcesses": format!("/api/{}/runbookProcesses/{}", at.space, at.s("RunbookProcessId")),
            "RunbookSnapshots": format!("{base}/runbookSnapshots{{/name}}{{?skip,take,searchByName}}"),
            "RunbookSnapshotTemplate": format!("{base}/runbookSnapshotTemplate"),
        })
    }

    fn filter(&self, doc: &Doc, q: &Query) -> bool {
        in_projects(doc, q)
    }

    fn name_rule(&self) -> Option<NameRule> {
        Some(NameRule {
            field: "Name",
            scope: NameScope::Within("ProjectId"),
        })
    }

    fn has_slug(&self) -> bool {
        true
    }

    fn normalize(&self, change: &Change<'_>, doc: &mut Doc) -> ApiResult<()> {
        let (store, space) = (change.store, change.space);
        if change.creating() {
            require_ref(store, space, doc, "ProjectId", Kind::Project)?;
        } else {
            // The real server persists the RunbookProcessId it is sent: a PUT with null loses
            // the link to the process (PYCLIENT: "bug in Octopus", reference §2.8).
            let sent = change.raw.get("RunbookProcessId").cloned().unwrap_or(Value::Null);
            doc.insert("RunbookProcessId".into(), sent);
        }
        field_refs(store, space, Kind::Environment, doc, "Environments")?;
        Ok(())
    }

    fn created(&self, store: &mut Store, space: &str, doc: &mut Doc) -> ApiResult<Vec<FollowUp>> {
        let id = str_of(doc, "Id").to_string();
        let rp = format!("RunbookProcess-{id}");
        let project = str_of(doc, "ProjectId").to_string();
        let process = owned_doc(
            store,
            space,
            &rp,
            json!({"ProjectId": project, "RunbookId": id, "Steps": [], "Version": 0, "LastSnapshotId": null}),
        );
        store.push(space, Kind::RunbookProcess, process);
        doc.insert("RunbookProcessId".into(), json!(rp));
        Ok(Vec::new())
    }

    fn deleted(&self, store: &mut Store, space: &str, doc: &Doc) {
        let id = str_of(doc, "Id").to_string();
        for k in [Kind::RunbookProcess, Kind::RunbookSnapshot] {
            store
                .list_mut(space, k)
                .retain(|d| !str_of(d, "RunbookId").eq_ignore_ascii_case(&id));
        }
    }
}
