//! Deployment targets and workers (reference §2.21; `machine.json`): read-only over HTTP in this
//! simulator, seeded through `SimServer::insert`; variables can be scoped to targets.
//! Links: only `Self`; connection status and tasks are not served, so not advertised.

use serde_json::{json, Value};

use super::parts::TENANTED;
use super::{Access, Change, Spec};
use crate::sim::envelope::Query;
use crate::sim::error::ApiResult;
use crate::sim::kind::Kind;
use crate::sim::refs::{field_refs, optional_ref};
use crate::sim::schema::{field, Field, Ty, STRS};
use crate::sim::store::{str_of, strs_of, Doc};

/// A machine kind: deployment targets or workers.
pub(crate) struct Machine {
    kind: Kind,
}

/// Deployment targets (`Machines-N`).
pub(crate) const MACHINE: Machine = Machine { kind: Kind::Machine };

/// Workers (`Workers-N`).
pub(crate) const WORKER: Machine = Machine { kind: Kind::Worker };

fn any_in(have: Vec<String>, wanted: &[String]) -> bool {
    have.iter().any(|h| wanted.iter().any(|w| w.eq_ignore_ascii_case(h)))
}

impl Spec for Machine {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        let mut v = vec![field("Name", Ty::Str, json!(""))];
        if self.kind == Kind::Machine {
            v.extend([
                field("EnvironmentIds", STRS, json!([])),
                field("Roles", STRS, json!([])),
                field("TenantedDeploymentParticipation", TENANTED, json!("Untenanted")),
                field("TenantIds", STRS, json!([])),
                field("TenantTags", STRS, json!([])),
            ]);
        } else {
            v.push(field("WorkerPoolIds", STRS, json!([])));
        }
        v.extend([
            field("MachinePolicyId", Ty::Str, Value::Null),
            field("Thumbprint", Ty::Str, Value::Null),
            field("Uri", Ty::Str, Value::Null),
            field("IsDisabled", Ty::Bool, json!(false)),
            field("HealthStatus", Ty::Str, json!("Healthy")),
            field("HasLatestCalamari", Ty::Bool, json!(true)),
            field(
                "StatusSummary",
                Ty::Str,
                json!("Octopus was able to successfully establish a connection with this machine"),
            ),
            field("IsInProcess", Ty::Bool, json!(false)),
            field("OperatingSystem", Ty::Str, json!("Unknown")),
            field("ShellName", Ty::Str, json!("Unknown")),
            field("ShellVersion", Ty::Str, json!("Unknown")),
            field("Architecture", Ty::Str, json!("Unknown")),
            field("Endpoint", Ty::Any, json!({"CommunicationStyle": "None"})),
        ]);
        v
    }

    fn query(&self) -> &'static str {
        match self.kind {
            Kind::Machine => "{?skip,take,name,ids,partialName,roles,isDisabled,healthStatuses,commStyles,tenantIds,tenantTags,environmentIds,thumbprint,deploymentId,shellNames}",
            _ => "{?skip,take,name,ids,partialName,isDisabled,healthStatuses,commStyles,workerPoolIds,thumbprint,shellNames}",
        }
    }

    fn access(&self) -> Access {
        // QUESTION: the real server accepts POST/PUT/DELETE of machines and workers; the simulator
        // serves them read-only (seeded via `SimServer::insert`) because octosync never writes them.
        Access::ReadOnly
    }

    fn filter(&self, doc: &Doc, q: &Query) -> bool {
        let env_ok = q
            .list("environmentIds")
            .map(|ids| any_in(strs_of(doc, "EnvironmentIds"), &ids))
            .unwrap_or(true);
        let role_ok = q
            .list("roles")
            .map(|r| any_in(strs_of(doc, "Roles"), &r))
            .unwrap_or(true);
        let pool_ok = q
            .list("workerPoolIds")
            .map(|ids| any_in(strs_of(doc, "WorkerPoolIds"), &ids))
            .unwrap_or(true);
        match self.kind {
            Kind::Machine => env_ok && role_ok,
            _ => pool_ok,
        }
    }

    fn has_slug(&self) -> bool {
        false
    }

    fn normalize(&self, change: &Change<'_>, doc: &mut Doc) -> ApiResult<()> {
        let (store, space) = (change.store, change.space);
        if str_of(doc, "MachinePolicyId").is_empty() {
            let default = store
                .list(space, Kind::MachinePolicy)
                .iter()
                .find(|p| p.get("IsDefault") == Some(&Value::Bool(true)))
                .map(|p| str_of(p, "Id").to_string());
            doc.insert("MachinePolicyId".into(), json!(default));
        }
        optional_ref(store, space, doc, "MachinePolicyId", Kind::MachinePolicy)?;
        if self.kind == Kind::Machine {
            field_refs(store, space, Kind::Environment, doc, "EnvironmentIds")?;
            field_refs(store, space, Kind::Tenant, doc, "TenantIds")
        } else {
            field_refs(store, space, Kind::WorkerPool, doc, "WorkerPoolIds")
        }
    }
}
