//! Machine policies (reference §2.17; `machinepolicy.json`; SW21b `MachinePolicyResource` and its
//! policy objects; `MachineRpcCallRetryPolicy` and the Kubernetes agent behaviour are newer, from OC).

use serde_json::{json, Value};

use super::{At, Change, Spec};
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::refs::refs_exist;
use crate::sim::schema::{field, m, Field, Ty};
use crate::sim::store::{Doc, Store};

const SCRIPT_POLICY: Ty = Ty::Obj(
    "MachineScriptPolicy",
    &[
        m(
            "RunType",
            Ty::Enum(
                "MachineScriptPolicyRunType",
                &["InheritFromDefault", "Inline", "OnlyConnectivity"],
            ),
        ),
        m("ScriptBody", Ty::Str),
    ],
);

const HEALTH_CHECK: Ty = Ty::Obj(
    "MachineHealthCheckPolicy",
    &[
        m("PowerShellHealthCheckPolicy", SCRIPT_POLICY),
        m("BashHealthCheckPolicy", SCRIPT_POLICY),
        m("HealthCheckInterval", Ty::TimeSpan),
        m("HealthCheckCron", Ty::Str),
        m("HealthCheckCronTimezone", Ty::Str),
        m(
            "HealthCheckType",
            Ty::Enum("HealthCheckType", &["RunScript", "OnlyConnectivity"]),
        ),
    ],
);

const CONNECTIVITY: Ty = Ty::Obj(
    "MachineConnectivityPolicy",
    &[m(
        "MachineConnectivityBehavior",
        Ty::Enum(
            "MachineConnectivityBehavior",
            &["ExpectedToBeOnline", "MayBeOfflineAndCanBeSkipped"],
        ),
    )],
);

const CLEANUP: Ty = Ty::Obj(
    "MachineCleanupPolicy",
    &[
        m(
            "DeleteMachinesBehavior",
            Ty::Enum("DeleteMachinesBehavior", &["DoNotDelete", "DeleteUnavailableMachines"]),
        ),
        m("DeleteMachinesElapsedTimeSpan", Ty::TimeSpan),
    ],
);

const UPDATE: Ty = Ty::Obj(
    "MachineUpdatePolicy",
    &[
        m(
            "CalamariUpdateBehavior",
            Ty::Enum(
                "CalamariUpdateBehavior",
                &["UpdateOnDeployment", "UpdateOnNewMachine", "UpdateAlways"],
            ),
        ),
        m(
            "TentacleUpdateBehavior",
            Ty::Enum("TentacleUpdateBehavior", &["NeverUpdate", "Update"]),
        ),
        m(
            "KubernetesAgentUpdateBehavior",
            Ty::Enum("KubernetesAgentUpdateBehavior", &["NeverUpdate", "Update", "Block"]),
        ),
        m("TentacleUpdateAccountId", Ty::Str),
    ],
);

const RPC_RETRY: Ty = Ty::Obj(
    "MachineRpcCallRetryPolicy",
    &[
        m("Enabled", Ty::Bool),
        m("RetryDuration", Ty::TimeSpan),
        m("HealthCheckRetryDuration", Ty::TimeSpan),
    ],
);

/// The machine policy kind.
pub(crate) struct MachinePolicy;

impl Spec for MachinePolicy {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("Name", Ty::Str, json!("")),
            field("Description", Ty::Str, Value::Null),
            field("IsDefault", Ty::Bool, json!(false)),
            field(
                "MachineHealthCheckPolicy",
                HEALTH_CHECK,
                json!({
                    "PowerShellHealthCheckPolicy": {"RunType": "InheritFromDefault", "ScriptBody": null},
                    "BashHealthCheckPolicy": {"RunType": "InheritFromDefault", "ScriptBody": null},
                    "HealthCheckInterval": "01:00:00",
                    "HealthCheckCron": null,
                    "HealthCheckCronTimezone": "UTC",
                    "HealthCheckType": "RunScript"
                }),
            ),
            field(
                "MachineConnectivityPolicy",
                CONNECTIVITY,
                json!({"MachineConnectivityBehavior": "ExpectedToBeOnline"}),
            ),
            field(
                "MachineCleanupPolicy",
                CLEANUP,
                json!({"DeleteMachinesBehavior": "DoNotDelete", "DeleteMachinesElapsedTimeSpan": "00:00:00"}),
            ),
            field(
                "MachineUpdatePolicy",
                UPDATE,
                json!({
                    "CalamariUpdateBehavior": "UpdateOnDeployment",
                    "TentacleUpdateBehavior": "NeverUpdate",
                    "KubernetesAgentUpdateBehavior": "Update",
                    "TentacleUpdateAccountId": null
                }),
            ),
            field(
                "MachineRpcCallRetryPolicy",
                RPC_RETRY,
                json!({"Enabled": true, "RetryDuration": "00:02:30", "HealthCheckRetryDuration": "00:02:30"}),
            ),
            field("PollingRequestQueueTimeout", Ty::TimeSpan, json!("00:02:00")),
            field(
                "PollingRequestMaximumMessageProcessingTimeout",
                Ty::TimeSpan,
                json!("00:10:00"),
            ),
            field("ConnectionRetrySleepInterval", Ty::TimeSpan, json!("00:00:01")),
            field("ConnectionRetryCountLimit", Ty::Int, json!(5)),
            field("ConnectionRetryTimeLimit", Ty::TimeSpan, json!("00:05:00")),
            field("ConnectionConnectTimeout", Ty::TimeSpan, json!("00:01:00")),
        ]
    }

    fn query(&self) -> &'static str {
        "{?skip,take,ids,partialName}"
    }

    fn links(&self, at: &At<'_>) -> Value {
        json!({
            "Self": at.base, "Machines": format!("{}/machines", at.base), "Workers": format!("{}/workers", at.base)
        })
    }

    fn has_slug(&self) -> bool {
        true
    }

    // QUESTION: that the server refuses a Tentacle update account missing from the space (rather
    // than storing the dangling id) is inferred from how it treats other references.
    // QUESTION: what a POST or PUT with `IsDefault: true` does to the space's other default policy
    // (refused, moved as for worker pools, or two defaults) is not documented; it is stored as sent.
    fn normalize(&self, change: &Change<'_>, doc: &mut Doc) -> ApiResult<()> {
        let account = doc
            .get("MachineUpdatePolicy")
            .and_then(|u| u.get("TentacleUpdateAccountId"))
            .and_then(Value::as_str)
            .unwrap_or("");
        if !account.is_empty() {
            refs_exist(
                change.store,
                change.space,
                Kind::Account,
                "MachineUpdatePolicy.TentacleUpdateAccountId",
                &[account.to_string()],
            )?;
        }
        Ok(())
    }

    fn check_delete(&self, _store: &Store, _space: &str, doc: &Doc) -> ApiResult<()> {
        if doc.get("IsDefault") == Some(&Value::Bool(true)) {
            return Err(ApiError::invalid("The default machine policy cannot be deleted."));
        }
        Ok(())
    }
}
