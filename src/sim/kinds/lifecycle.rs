//! Lifecycles, phases and retention periods (reference §2.4; `lifecycle.json`,
//! `lifecycle-with-phases.json`; SW21b `LifecycleResource`, `PhaseResource`, `RetentionPeriod`).

use serde_json::{json, Value};

use super::parts::dependent;
use super::{At, Change, Spec};
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::refs::refs_exist;
use crate::sim::schema::{field, m, Field, Ty, STRS};
use crate::sim::shape::{array_mut, ensure_guid, fill, nested_name};
use crate::sim::store::{str_of, strs_of, Doc, Store};

/// `RetentionPeriod`; `Strategy` is newer (GO `pkg/core/retention_period.go`).
const RETENTION: Ty = Ty::Obj(
    "RetentionPeriod",
    &[
        m("Unit", Ty::Enum("RetentionUnit", &["Days", "Items"])),
        m("QuantityToKeep", Ty::Int),
        m("ShouldKeepForever", Ty::Bool),
        m(
            "Strategy",
            Ty::Opt(&Ty::Enum("RetentionPeriodStrategy", &["Default", "Forever", "Count"])),
        ),
    ],
);

/// `PhaseResource`; `IsPriorityPhase` is newer.
const PHASES: Ty = Ty::List(&Ty::Obj(
    "PhaseResource",
    &[
        m("Id", Ty::Str),
        m("Name", Ty::Str),
        m("AutomaticDeploymentTargets", STRS),
        m("OptionalDeploymentTargets", STRS),
        m("MinimumEnvironmentsBeforePromotion", Ty::Int),
        m("IsOptionalPhase", Ty::Bool),
        m("IsPriorityPhase", Ty::Bool),
        m("ReleaseRetentionPolicy", RETENTION),
        m("TentacleRetentionPolicy", RETENTION),
    ],
));

fn retain_forever() -> Value {
    json!({"Unit": "Items", "QuantityToKeep": 0, "ShouldKeepForever": true})
}

/// The lifecycle kind.
pub(crate) struct Lifecycle;

impl Spec for Lifecycle {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("Phases", PHASES, json!([])),
            field("Name", Ty::Str, json!("")),
            field("ReleaseRetentionPolicy", RETENTION, retain_forever()),
            field("TentacleRetentionPolicy", RETENTION, retain_forever()),
            field("Description", Ty::Str, Value::Null),
        ]
    }

    fn query(&self) -> &'static str {
        "{?skip,take,ids,partialName}"
    }

    fn links(&self, at: &At<'_>) -> Value {
        json!({
            "Self": at.base, "Preview": format!("{}/preview", at.base), "Projects": format!("{}/projects", at.base)
        })
    }

    fn has_slug(&self) -> bool {
        true
    }

    fn normalize(&self, change: &Change<'_>, doc: &mut Doc) -> ApiResult<()> {
        for field in ["ReleaseRetentionPolicy", "TentacleRetentionPolicy"] {
            let v = doc.get(field).cloned().unwrap_or(Value::Null);
            if v.is_null() {
                return Err(ApiError::invalid(format!("The {field} field is required.")));
            }
            doc.insert(field.into(), retention(&v)?);
        }
        let mut names: Vec<String> = Vec::new();
        for p in array_mut(doc, "Phases")?.iter_mut() {
            let mut m = fill(
                p,
                json!({
                    "Id": null, "Name": "", "AutomaticDeploymentTargets": [], "OptionalDeploymentTargets": [],
                    "MinimumEnvironmentsBeforePromotion": 0, "IsOptionalPhase": false, "IsPriorityPhase": false,
                    "ReleaseRetentionPolicy": null, "TentacleRetentionPolicy": null
                }),
            )?;
            ensure_guid(&mut m);
            let name = nested_name(&mut m, "phase")?;
            if names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                return Err(ApiError::invalid(format!(
                    "A phase with the name '{name}' already exists. Phase names must be unique."
                )));
            }
            names.push(name);
            for f in ["AutomaticDeploymentTargets", "OptionalDeploymentTargets"] {
                refs_exist(change.store, change.space, Kind::Environment, f, &strs_of(&m, f))?;
            }
            for f in ["ReleaseRetentionPolicy", "TentacleRetentionPolicy"] {
                let v = m.get(f).cloned().unwrap_or(Value::Null);
                m.insert(f.into(), retention(&v)?);
            }
            *p = Value::Object(m);
        }
        Ok(())
    }

    fn check_delete(&self, store: &Store, space: &str, doc: &Doc) -> ApiResult<()> {
        let id = str_of(doc, "Id");
        let uses = |k: Kind| {
            store
                .list(space, k)
                .iter()
                .any(|d| str_of(d, "LifecycleId").eq_ignore_ascii_case(id))
        };
        if uses(Kind::Project) || uses(Kind::Channel) {
            return Err(dependent("Lifecycle"));
        }
        Ok(())
    }
}

/// Unit / QuantityToKeep / ShouldKeepForever, with ShouldKeepForever computed (read-only in
/// SW21b); null stays null (a phase inherits the lifecycle's).
fn retention(v: &Value) -> ApiResult<Value> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let mut m = fill(
        v,
        json!({"Unit": "Days", "QuantityToKeep": 0, "ShouldKeepForever": false}),
    )?;
    let q = m.get("QuantityToKeep").and_then(Value::as_i64).unwrap_or(0);
    m.insert("ShouldKeepForever".into(), Value::Bool(q == 0));
    Ok(Value::Object(m))
}

/// `/lifecycles/{id}/preview`: the lifecycle as deployments see it. A lifecycle without phases
/// has one implicit phase per environment, in the environments' order.
// QUESTION: the names and targets of implicit phases (one optional-target phase per environment,
// named after it) are inferred from the UI.
pub(crate) fn preview(store: &Store, space: &str, doc: &Doc) -> Doc {
    let mut preview = doc.clone();
    let empty = doc.get("Phases").and_then(Value::as_array).is_none_or(Vec::is_empty);
    if empty {
        let mut envs: Vec<&Doc> = store.list(space, Kind::Environment).iter().collect();
        envs.sort_by_key(|e| e.get("SortOrder").and_then(Value::as_i64).unwrap_or(0));
        let phases: Vec<Value> = envs
            .iter()
            .map(|e| {
                json!({
                    "Id": format!("{}-{}", str_of(doc, "Id"), str_of(e, "Id")),
                    "Name": str_of(e, "Name"),
                    "AutomaticDeploymentTargets": [],
                    "OptionalDeploymentTargets": [str_of(e, "Id")],
                    "MinimumEnvironmentsBeforePromotion": 0,
                    "IsOptionalPhase": false,
                    "IsPriorityPhase": false,
                    "ReleaseRetentionPolicy": null,
                    "TentacleRetentionPolicy": null
                })
            })
            .collect();
        preview.insert("Phases".into(), Value::Array(phases));
    }
    preview
}
