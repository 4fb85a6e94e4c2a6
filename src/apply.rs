//! The appliers: Live performs planned writes, DryRun records them and hands out placeholder ids so
//! the stages after it can still plan. `plan` is exactly `apply` with the DryRun applier.

use crate::kind::Kind;
use crate::octopus::Client;
use crate::settings::Secret;
use crate::snapshot::{id_of, name_key, name_of};
use crate::sync::Write;
use anyhow::{bail, Context, Result};

mod certificate;
mod logo;
use serde_json::{json, Value};

/// Prefix of the placeholder ids a plan hands out; such ids never reach a server or a report.
pub const PLACEHOLDER_MARK: &str = "-planned-";

/// Performs or records writes.
#[derive(Clone, Copy)]
pub enum Applier<'a> {
    /// Writes nothing.
    DryRun,
    /// Writes to the destination.
    Live(Live<'a>),
}

/// What a live apply writes with.
#[derive(Clone, Copy)]
pub struct Live<'a> {
    /// The destination, written to.
    pub destination: &'a Client,
    /// The source, read from where a write needs more than the plan holds (a certificate's file).
    pub source: &'a Client,
    /// Sent with each certificate upload.
    pub certificate_password: Option<&'a Secret>,
}

/// What a write did.
#[derive(Debug)]
pub enum Applied {
    /// The item as the destination now has it (a planned one, for the dry run).
    Saved(Value),
    /// The collection was put in order.
    Ordered,
    /// An order had nothing to place (none of the items it would place were created); nothing was sent.
    NothingToOrder,
    /// A file (a logo) was uploaded to an item; the item's document is as it was.
    Uploaded,
}

impl Applier<'_> {
    /// Applies one write. An order must come after the stage's other writes, when the items it
    /// places have been created.
    pub async fn apply(&self, kind: Kind, name: &str, write: &Write) -> Result<Applied> {
        match write {
            Write::Reorder { created, .. } => self.reorder(kind, created).await,
            Write::UploadLogo { .. } => self.upload_logo(kind, name, write, None).await,
            _ => self.save(kind, name, write).await.map(Applied::Saved),
        }
    }

    /// Applies `then`, the write that follows one that saved `saved`: an upload without an item
    /// of its own goes to the item `saved` is (the one a create just made).
    pub async fn apply_then(&self, kind: Kind, name: &str, then: &Write, saved: &Value) -> Result<Applied> {
        match then {
            Write::UploadLogo { .. } => self.upload_logo(kind, name, then, Some(id_of(saved))).await,
            other => self.apply(kind, name, other).await,
        }
    }

    async fn upload_logo(&self, kind: Kind, name: &str, write: &Write, saved_id: Option<&str>) -> Result<Applied> {
        match self {
            Applier::DryRun => Ok(Applied::Uploaded),
            Applier::Live(live) => logo::upload(live, kind, name, write, saved_id).await,
        }
    }

    async fn save(&self, kind: Kind, name: &str, write: &Write) -> Result<Value> {
        match (self, write) {
            (Applier::DryRun, Write::Create { body }) => {
                let mut doc = body.clone();
                // Deterministic, so two plans of the same spaces are byte-for-byte the same.
                doc["Id"] = json!(placeholder_id(kind, name));
                Ok(doc)
            }
            (Applier::DryRun, Write::Update { body, .. }) => Ok(body.clone()),
            (Applier::DryRun, Write::UploadCertificate { body, thumbprint, .. }) => {
                let mut doc = body.clone();
                doc["Id"] = json!(placeholder_id(kind, name));
                doc["Thumbprint"] = json!(thumbprint);
                Ok(doc)
            }
            (Applier::DryRun, Write::ReplaceCertificate { expected, .. }) => Ok(expected.clone()),
            (Applier::Live(live), Write::UploadCertificate { .. } | Write::ReplaceCertificate { .. }) => {
                certificate::upload(live, name, write).await
            }
            (Applier::DryRun, Write::Install { expected, .. }) => {
                let mut doc = expected.clone();
                if id_of(&doc).is_empty() {
                    doc["Id"] = json!(placeholder_id(kind, name));
                }
                Ok(doc)
            }
            (
                Applier::Live(Live {
                    destination: client, ..
                }),
                Write::Install {
                    community_id, update, ..
                },
            ) => {
                // Servers without spaces install into their only one through the route without a space.
                let path = match client.space_id() {
                    Some(space) => format!("/api/communityactiontemplates/{community_id}/installation/{space}"),
                    None => format!("/api/communityactiontemplates/{community_id}/installation"),
                };
                let saved = if *update {
                    client.put_idempotent_empty(&path).await
                } else {
                    client
                        .create_at(&path, &client.space_path(kind.collection()), name)
                        .await
                };
                let verb = if *update { "update" } else { "install" };
                let saved = saved.with_context(|| {
                    format!(
                        "could not {verb} the community step template '{name}' ({community_id}) from the destination's library"
                    )
                })?;
                confirmed(kind, name, saved)
            }
            (
                Applier::Live(Live {
                    destination: client, ..
                }),
                Write::Create { body },
            ) => {
                let path = collection_path(client, kind);
                let saved = client.create(&path, body, name).await.with_context(|| {
                    format!(
                        "could not create {} '{name}' on the destination",
                        kind.label().to_lowercase()
                    )
                })?;
                confirmed(kind, name, saved)
            }
            (_, Write::Reorder { .. }) => bail!("an order is applied by Applier::reorder"),
            (_, Write::UploadLogo { .. }) => bail!("a logo is uploaded by Applier::upload_logo"),
            (
                Applier::Live(Live {
                    destination: client, ..
                }),
                Write::Update { id, body },
            ) => {
                let path = format!("{}/{id}", collection_path(client, kind));
                let saved = client.update(&path, body).await.with_context(|| {
                    format!(
                        "could not update {} '{name}' ({id}) on the destination",
                        kind.label().to_lowercase()
                    )
                })?;
                confirmed(kind, name, saved)
            }
        }
    }

    /// Puts the destination's items of `kind` in order: every item the server has, in its own
    /// order, then those of `created` that exist, in the order given.
    async fn reorder(&self, kind: Kind, created: &[String]) -> Result<Applied> {
        let (
            Applier::Live(Live {
                destination: client, ..
            }),
            Some(route),
        ) = (self, kind.sort_order_path())
        else {
            return Ok(Applied::Ordered);
        };
        let what = kind.label().to_lowercase();
        // A fresh listing, not the snapshot: a create whose response was lost may have made an item
        // the snapshot lacks, and the route wants every id exactly once.
        let current = client
            .list_all(&client.space_path(kind.collection()))
            .await
            .with_context(|| format!("could not read the destination's {what}s to put the new ones in order"))?;
        // The destination's own order is its `SortOrder`, whatever order the listing came in.
        let mut current = current;
        current.sort_by_key(|d| d.get("SortOrder").and_then(Value::as_i64).unwrap_or(i64::MAX));
        let is_new = |d: &Value| created.iter().any(|c| name_key(c) == name_key(name_of(d)));
        let mut ids: Vec<&str> = current.iter().filter(|d| !is_new(d)).map(id_of).collect();
        let before = ids.len();
        ids.extend(
            created
                .iter()
                .filter_map(|c| current.iter().find(|d| name_key(name_of(d)) == name_key(c)))
                .map(id_of),
        );
        if ids.len() == before {
            return Ok(Applied::NothingToOrder);
        }
        // Sending the same order twice leaves the same order: a retry after a lost response is safe.
        client
            .put_idempotent(&client.space_path(route), &json!(ids))
            .await
            .with_context(|| {
                format!(
                    "could not put the destination's {what}s in order; the items themselves were saved, and their order can be set by hand (drag to reorder in the Octopus web portal)"
                )
            })?;
        Ok(Applied::Ordered)
    }

    /// True for the live applier.
    pub fn is_live(&self) -> bool {
        matches!(self, Applier::Live(_))
    }
}

/// Where items of `kind` are created: the space's collection, or `/api/{collection}` for
/// server-wide kinds (user roles belong to no space).
fn collection_path(client: &Client, kind: Kind) -> String {
    if kind.is_server_wide() {
        format!("/api/{}", kind.collection())
    } else {
        client.space_path(kind.collection())
    }
}

/// A write's answer must be the saved item; anything else means the write cannot be confirmed.
fn confirmed(kind: Kind, name: &str, saved: Value) -> Result<Value> {
    match saved.get("Id").and_then(Value::as_str) {
        Some(id) if !id.is_empty() => Ok(saved),
        _ => bail!(
            "the destination answered the write of {} '{name}' without the saved item, so it cannot be confirmed; check the destination URL points at the Octopus Server itself, not a proxy page",
            kind.label().to_lowercase()
        ),
    }
}

/// The placeholder id of a planned create.
pub fn placeholder_id(kind: Kind, name: &str) -> String {
    format!("{}{PLACEHOLDER_MARK}{}", kind.id_prefix(), name.trim())
}

/// True for placeholder ids.
pub fn is_placeholder(id: &str) -> bool {
    id.contains(PLACEHOLDER_MARK)
}
