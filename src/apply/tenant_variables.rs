//! A tenant's variables written through the API the destination serves.

use super::{Applied, Live};
use crate::kind::Kind;
use crate::sync::TenantVariablesBody;
use anyhow::{Context, Result};

/// PUTs the tenant's variables: the legacy document, or the 2025.1 lists that change.
pub(super) async fn put(live: &Live<'_>, name: &str, tenant_id: &str, body: &TenantVariablesBody) -> Result<Applied> {
    let client = live.destination;
    let base = client.space_path(&format!("{}/{tenant_id}", Kind::Tenant.collection()));
    let failed = |route: &str| format!("could not save the variables of tenant '{name}' ({route}) on the destination");
    match body {
        TenantVariablesBody::Legacy(doc) => {
            // Read back before any retry: the document carries the ConcurrencyToken it was read
            // with, so a PUT that went through is never sent again (the server would refuse it).
            client
                .update(&format!("{base}/variables"), doc)
                .await
                .with_context(|| failed("variables"))?;
        }
        TenantVariablesBody::Scoped { project, common } => {
            // Each list is the complete desired state: sending it again leaves the same values.
            for (route, list) in [("projectvariables", project), ("commonvariables", common)] {
                if let Some(list) = list {
                    client
                        .put_idempotent(&format!("{base}/{route}"), list)
                        .await
                        .with_context(|| failed(route))?;
                }
            }
        }
    }
    Ok(Applied::Sent)
}
