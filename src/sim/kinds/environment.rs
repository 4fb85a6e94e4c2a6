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

/// The first version with `/environments/v2` (GO `pkg/environments/v2`, October 2025).
pub(crate) const V2_SINCE: (u32, u32) = (2025, 4);

/// An environment as `/environments/v2` shows it: every classic environment is `Static`
/// (OC `StaticEnvironmentV2Resource`; GO `pkg/environments/v2`).
pub(crate) fn as_v2(rendered: &Value) -> Value {
    let mut v = serde_json::Map::new();
    for key in ["Id", "Name", "SpaceId", "Slug", "Description"] {
        v.insert(key.into(), rendered.get(key).cloned().unwrap_or(Value::Null));
    }
    v.insert("Type".into(), json!("Static"));
    for key in [
        "SortOrder",
        "UseGuidedFailure",
        "EnvironmentTags",
        "AllowDynamicInfrastructure",
        "ExtensionSettings",
        "Links",
    ] {
        if let Some(x) = rendered.get(key) {
            v.insert(key.into(), x.clone());
        }
    }
    Value::Object(v)
}

/// Counts of some machines as `EnvironmentsSummaryResource` gives them (SW21b): by health status,
/// by communication style, by tenant and tenant tag, totals.
// QUESTION: whether the count maps list every enum value (with zeros) or only those present is
// not shown anywhere; only those present are listed.
pub(crate) fn machine_summary(machines: &[&Doc]) -> serde_json::Map<String, Value> {
    fn count(into: &mut serde_json::Map<String, Value>, key: &str) {
        let n = into.get(key).and_then(Value::as_i64).unwrap_or(0);
        into.insert(key.to_string(), json!(n + 1));
    }
    let (mut health, mut endpoints, mut tenants, mut tags) = Default::default();
    for m in machines {
        count(&mut health, str_of(m, "HealthStatus"));
        let style = m
            .get("Endpoint")
            .and_then(|e| e.get("CommunicationStyle"))
            .and_then(Value::as_str)
            .unwrap_or("None");
        count(&mut endpoints, style);
        for t in strs_of(m, "TenantIds") {
            count(&mut tenants, &t);
        }
        for t in strs_of(m, "TenantTags") {
            count(&mut tags, &t);
        }
    }
    let disabled = machines
        .iter()
        .filter(|m| m.get("IsDisabled") == Some(&Value::Bool(true)))
        .count();
    let mut out = serde_json::Map::new();
    out.insert("MachineHealthStatusSummaries".into(), Value::Object(health));
    out.insert("MachineEndpointSummaries".into(), Value::Object(endpoints));
    out.insert("MachineTenantSummaries".into(), Value::Object(tenants));
    out.insert("MachineTenantTagSummaries".into(), Value::Object(tags));
    out.insert("MachineIdsForCalamariUpgrade".into(), json!([]));
    out.insert("MachineIdsForTentacleUpgrade".into(), json!([]));
    out.insert("TentacleUpgradesRequired".into(), json!(false));
    out.insert("TotalMachines".into(), json!(machines.len()));
    out.insert("TotalDisabledMachines".into(), json!(disabled));
    out
}

/// `/environments/{id}/singlyScopedVariableDetails` (`VariablesScopedToEnvironmentResponse`): per
/// variable set owner, how many variables of each name are scoped to this environment alone, so
/// the UI can warn before the environment is deleted.
// QUESTION: the keys of VariableMap (owner id, then variable name) are inferred from the type.
pub(crate) fn singly_scoped_variables(store: &Store, space: &str, environment: &str) -> Value {
    let mut map = serde_json::Map::new();
    for set in store.list(space, Kind::VariableSet) {
        let mut names = serde_json::Map::new();
        for v in set.get("Variables").and_then(Value::as_array).into_iter().flatten() {
            let envs = v
                .get("Scope")
                .and_then(|s| s.get("Environment"))
                .and_then(Value::as_array);
            let only_this = envs.is_some_and(|e| e.len() == 1 && e[0].as_str() == Some(environment));
            if only_this {
                let name = v.get("Name").and_then(Value::as_str).unwrap_or("");
                let n = names.get(name).and_then(Value::as_i64).unwrap_or(0);
                names.insert(name.to_string(), json!(n + 1));
            }
        }
        if !names.is_empty() {
            map.insert(str_of(set, "OwnerId").to_string(), Value::Object(names));
        }
    }
    json!({
        "HasUnauthorizedProjectVariables": false,
        "HasUnauthorizedLibraryVariableSetVariables": false,
        "VariableMap": map,
    })
}
