//! Environments (reference §2.2; `environment.json`; SW21b `EnvironmentResource`).

use serde_json::{json, Value};

use super::parts::{dependent, sort_order, EXTENSION_SETTINGS};
use super::{At, Change, Listing, Spec};
use crate::sim::error::ApiResult;
use crate::sim::kind::Kind;
use crate::sim::schema::{field, Field, Ty, STRS};
use crate::sim::store::{str_of, strs_of, Doc, Store};

/// The environment kind.
pub(crate) struct Environment;

impl Spec for Environment {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("Name", Ty::Str, json!("")),
            field("Description", Ty::Str, Value::Null),
            // Assigned in `normalize` when not sent.
            field("SortOrder", Ty::Int, Value::Null),
            field("UseGuidedFailure", Ty::Bool, json!(false)),
            field("AllowDynamicInfrastructure", Ty::Bool, json!(false)),
            field("ExtensionSettings", EXTENSION_SETTINGS, json!([])),
            field("EnvironmentTags", STRS, json!([])).since(2025, 4),
        ]
    }

    fn query(&self) -> &'static str {
        "{?name,skip,ids,take,partialName}"
    }

    fn links(&self, at: &At<'_>) -> Value {
        let base = &at.base;
        json!({
            "Self": base,
            "Machines": format!("{base}/machines{{?skip,take,partialName,roles,isDisabled,healthStatuses,commStyles,tenantIds,tenantTags,shellNames}}"),
            "SinglyScopedVariableDetails": format!("{base}/singlyScopedVariableDetails"),
            "Metadata": format!("{base}/metadata"),
        })
    }

    fn order(&self) -> Listing {
        Listing::BySortOrder
    }

    fn has_slug(&self) -> bool {
        true
    }

    fn normalize(&self, change: &Change<'_>, doc: &mut Doc) -> ApiResult<()> {
        sort_order(change, Kind::Environment, doc);
        Ok(())
    }

    fn check_delete(&self, store: &Store, space: &str, doc: &Doc) -> ApiResult<()> {
        let id = str_of(doc, "Id");
        let holds = |v: &Value| v.as_array().into_iter().flatten().any(|e| e.as_str() == Some(id));
        let in_phase = store.list(space, Kind::Lifecycle).iter().any(|l| {
            l.get("Phases")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|p| {
                    ["AutomaticDeploymentTargets", "OptionalDeploymentTargets"]
                        .iter()
                        .any(|f| p.get(*f).map(holds).unwrap_or(false))
                })
        });
        let tenant = store.list(space, Kind::Tenant).iter().any(|t| {
            t.get("ProjectEnvironments")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .any(|(_, envs)| holds(envs))
        });
        let target = store
            .list(space, Kind::Machine)
            .iter()
            .any(|m| strs_of(m, "EnvironmentIds").iter().any(|e| e.eq_ignore_ascii_case(id)));
        if in_phase || tenant || target {
            return Err(dependent("Environment"));
        }
        Ok(())
    }
}
