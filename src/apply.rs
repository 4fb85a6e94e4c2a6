//! The appliers: Live performs planned writes, DryRun records them and hands out placeholder ids so
//! the stages after it can still plan. `plan` is exactly `apply` with the DryRun applier.

use crate::kind::Kind;
use crate::octopus::Client;
use crate::settings::Secret;
use crate::snapshot::{id_of, name_key, name_of};
use crate::sync::document::is_blank;
use crate::sync::{OwnedTarget, OwnedWrite, Write};
use anyhow::{bail, Context, Result};

mod certificate;
mod logo;
mod tenant_variables;
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
    /// The item (when it had a write of its own) and the document it owns, as the destination now
    /// has them.
    SavedWithOwned {
        /// The item, when it was written.
        item: Option<Value>,
        /// The documents it owns, each with its kind.
        owned: Vec<(Kind, Value)>,
    },
    /// The collection was put in order.
    Ordered,
    /// An order had nothing to place (none of the items it would place were created); nothing was sent.
    NothingToOrder,
    /// A file (a logo) was uploaded to an item; the item's document is as it was.
    Uploaded,
    /// Values an item holds outside its document were written (a tenant's variables); the item's
    /// document is as it was.
    Sent,
}

impl Applier<'_> {
    /// Applies one write. An order must come after the stage's other writes, when the items it
    /// places have been created.
    pub async fn apply(&self, kind: Kind, name: &str, write: &Write) -> Result<Applied> {
        match write {
            Write::Reorder { created, .. } => self.reorder(kind, created).await,
            Write::Owning { item, owned } => self.owning(kind, name, item.as_deref(), owned).await,
            Write::UploadLogo { .. } => self.upload_logo(kind, name, write, None).await,
            Write::PublishSnapshot { project_id, runbook_id } => match self {
                Applier::DryRun => Ok(Applied::Sent),
                Applier::Live(Live {
                    destination: client, ..
                }) => publish_snapshot(client, name, project_id, runbook_id).await,
            },
            Write::TenantVariables { tenant_id, body } => match self {
                Applier::DryRun => Ok(Applied::Sent),
                Applier::Live(live) => tenant_variables::put(live, name, tenant_id, body).await,
            },
            Write::Create { .. } if !kind.owned_documents().is_empty() => {
                let mut saved = self.save(kind, name, write).await?;
                let owned = self.owned_of_new(kind, name, &mut saved).await?;
                Ok(Applied::SavedWithOwned {
                    item: Some(saved),
                    owned,
                })
            }
            _ => self.save(kind, name, write).await.map(Applied::Saved),
        }
    }

    /// The documents the server made with a new item (a project's deployment process and variable
    /// set), so later stages plan against them: read back, or, in a dry run, empty ones under the
    /// ids the server would give them (`variableset-{ItemId}`, reference §2.9).
    async fn owned_of_new(&self, kind: Kind, name: &str, saved: &mut Value) -> Result<Vec<(Kind, Value)>> {
        let mut out = Vec::new();
        let item_id = id_of(saved).to_string();
        for &(field, owned) in kind.owned_documents() {
            let doc = match self {
                Applier::DryRun => {
                    let id = format!("{}-{item_id}", owned.id_prefix());
                    saved[field] = json!(id);
                    let mut doc = json!({"Id": id, "Version": 0});
                    match owned {
                        Kind::VariableSet => {
                            doc["OwnerId"] = json!(item_id);
                            doc["Variables"] = json!([]);
                        }
                        _ => {
                            doc[kind.owner_link_field()] = json!(item_id);
                            doc["Steps"] = json!([]);
                        }
                    }
                    doc
                }
                Applier::Live(Live {
                    destination: client, ..
                }) => {
                    let Some(id) = saved.get(field).and_then(Value::as_str).filter(|id| !id.is_empty()) else {
                        continue;
                    };
                    let path = format!("{}/{id}", collection_path(client, owned));
                    let mut doc = client.get(&path).await.with_context(|| {
                        format!(
                            "{} '{name}' was created, but reading the {} its server made failed; the next run completes it",
                            kind.label(),
                            owned.label().to_lowercase()
                        )
                    })?;
                    strip(&mut doc, kind.owned_fields_unused());
                    doc
                }
            };
            out.push((owned, doc));
        }
        if let Some((segment, made)) = kind.made_with() {
            match self {
                Applier::DryRun => out.push((
                    made,
                    // As `channel.json` shows the one a new project gets.
                    json!({"Id": placeholder_id(made, &format!("{name}/Default")), "Name": "Default",
                           "ProjectId": item_id, "IsDefault": true, "LifecycleId": null,
                           "Description": "", "Rules": [], "TenantTags": []}),
                )),
                Applier::Live(Live {
                    destination: client, ..
                }) => {
                    let path = format!("{}/{item_id}/{segment}", collection_path(client, kind));
                    let items = client.list_all(&path).await.with_context(|| {
                        format!(
                            "{} '{name}' was created, but reading the {}s its server made failed; the next run completes it",
                            kind.label(),
                            made.label().to_lowercase()
                        )
                    })?;
                    out.extend(items.into_iter().map(|doc| (made, doc)));
                }
            }
        }
        Ok(out)
    }

    /// The item's own write, then the owned document's. The item's write recovers as any create or
    /// update does (a create whose answer was lost is looked up by name, never sent twice), so the
    /// owned document is written into the one item there is; that write recovers as any update
    /// does (read back before it is sent again).
    async fn owning(&self, kind: Kind, name: &str, item: Option<&Write>, owned: &OwnedWrite) -> Result<Applied> {
        let saved = match item {
            Some(w @ (Write::Create { .. } | Write::Update { .. })) => Some(self.save(kind, name, w).await?),
            Some(_) => bail!("only a create or an update can precede the write of an owned document"),
            None => None,
        };
        let what = format!(
            "the {} of {} '{name}'",
            owned.kind.label().to_lowercase(),
            kind.label().to_lowercase()
        );
        let written = match (item, &saved) {
            (Some(Write::Create { .. }), _) => "was created, but ",
            (Some(_), _) => "was updated, but ",
            _ => "",
        };
        let unused = kind.owned_fields_unused();
        let mut doc = self
            .save_owned(saved.as_ref(), owned, unused, name, &what)
            .await
            .with_context(|| {
                let next = if written.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; {} '{name}' {written}the next run writes what is missing",
                        kind.label()
                    )
                };
                format!("could not save {what} on the destination{next}")
            })?;
        // Kept as the snapshot keeps such documents.
        strip(&mut doc, unused);
        Ok(Applied::SavedWithOwned {
            item: saved,
            owned: vec![(owned.kind, doc)],
        })
    }

    /// Writes the owned document of the item `name`; `what` names it in messages. Fields in
    /// `unused` (read-only, see `Kind::owned_fields_unused`) are not sent back.
    async fn save_owned(
        &self,
        item: Option<&Value>,
        owned: &OwnedWrite,
        unused: &[&str],
        name: &str,
        what: &str,
    ) -> Result<Value> {
        let client = match self {
            Applier::DryRun => {
                return Ok(match &owned.target {
                    OwnedTarget::Existing { body, .. } => {
                        let mut doc = body.clone();
                        name_new_steps(&mut doc, owned.kind, name);
                        doc
                    }
                    OwnedTarget::New { fields, .. } => {
                        let mut doc = fields.clone();
                        doc["Id"] = json!(placeholder_id(owned.kind, name));
                        doc
                    }
                })
            }
            Applier::Live(Live {
                destination: client, ..
            }) => client,
        };
        let (id, body) = match &owned.target {
            OwnedTarget::Existing { id, body } => (id.clone(), body.clone()),
            OwnedTarget::New { link, fields } => {
                let id = item
                    .and_then(|i| i.get(*link))
                    .and_then(Value::as_str)
                    .filter(|id| !id.is_empty())
                    .with_context(|| format!("the destination's answer does not name {what} ({link})"))?
                    .to_string();
                let path = format!("{}/{id}", collection_path(client, owned.kind));
                let mut current = client.get(&path).await?;
                let filled = fields
                    .as_object()
                    .into_iter()
                    .flatten()
                    .find(|(k, _)| current.get(k.as_str()).is_some_and(|v| !is_blank(v)));
                if let Some((field, _)) = filled {
                    bail!(
                        "{what} already holds {field}, so it is not the empty one the server makes with a new item; nothing was written into it"
                    );
                }
                for (k, v) in fields.as_object().into_iter().flatten() {
                    current[k.as_str()] = v.clone();
                }
                strip(&mut current, unused);
                (id, current)
            }
        };
        let path = format!("{}/{id}", collection_path(client, owned.kind));
        let saved = client.update(&path, &body).await?;
        // A variable set has no name: its id is what confirms it.
        confirmed(owned.kind, what, saved)
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
                let owner = kind
                    .owner()
                    .and_then(|(field, _)| Some((field, body.get(field)?.as_str()?)));
                let saved = client.create(&path, body, name, owner).await.with_context(|| {
                    format!(
                        "could not create {} '{name}' on the destination",
                        kind.label().to_lowercase()
                    )
                })?;
                confirmed(kind, name, saved)
            }
            (_, Write::Reorder { .. }) => bail!("an order is applied by Applier::reorder"),
            (_, Write::Owning { .. }) => bail!("an owning write is applied by Applier::owning"),
            (_, Write::UploadLogo { .. }) => bail!("a logo is uploaded by Applier::upload_logo"),
            (_, Write::TenantVariables { .. }) => bail!("tenant variables are written by Applier::apply"),
            (_, Write::PublishSnapshot { .. }) => bail!("a snapshot is published by Applier::apply"),
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

/// `doc` without `fields`.
fn strip(doc: &mut Value, fields: &[&str]) {
    crate::snapshot::strip_fields(doc, fields);
}

/// Makes and publishes a snapshot of the runbook `runbook_id` (reference §2.8: POST with
/// `?publish=true`). Its name is unique per runbook, so a lost answer is recognised by looking the
/// name up among the project's snapshots, never by making a second one.
async fn publish_snapshot(client: &Client, name: &str, project_id: &str, runbook_id: &str) -> Result<Applied> {
    let snapshot = format!("octosync {}", chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC"));
    let body = json!({"ProjectId": project_id, "RunbookId": runbook_id, "Name": snapshot,
                      "Notes": "Published by octosync right after it wrote the runbook's process."});
    let path = format!("{}?publish=true", client.space_path("runbookSnapshots"));
    let lookup = format!("{}/{project_id}/runbookSnapshots", client.space_path("projects"));
    client
        .create_with_lookup(&path, &body, &lookup, &snapshot)
        .await
        .with_context(|| {
            format!("the process of runbook '{name}' was written, but publishing a snapshot of it failed; publish one on the destination")
        })?;
    Ok(Applied::Sent)
}

/// In a dry run, the steps and actions a process write adds get placeholder ids, as the server
/// would give them ids: later stages (variables scoped to a step) then plan against them exactly
/// as the apply will against the real ones.
fn name_new_steps(doc: &mut Value, kind: Kind, owner: &str) {
    if !matches!(kind, Kind::DeploymentProcess | Kind::RunbookProcess) {
        return;
    }
    for step in doc.get_mut("Steps").and_then(Value::as_array_mut).into_iter().flatten() {
        let step_name = name_of(step).to_string();
        if is_blank(step.get("Id").unwrap_or(&Value::Null)) {
            step["Id"] = json!(placeholder_id(kind, &format!("{owner}/{step_name}")));
        }
        for action in step
            .get_mut("Actions")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if is_blank(action.get("Id").unwrap_or(&Value::Null)) {
                let id = placeholder_id(kind, &format!("{owner}/{step_name}/{}", name_of(action)));
                action["Id"] = json!(id);
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::octopus::ClientOptions;
    use crate::sim::{Seed, SimConfig, SimFault, SimServer};

    async fn sim(key: &str) -> SimServer {
        SimServer::start(SimConfig {
            seed: Seed::Empty,
            api_key: key.into(),
            ..SimConfig::default()
        })
        .await
        .unwrap()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_lost_create_that_finds_a_module_someone_else_filled_never_overwrites_its_body() {
        let source = sim("API-OWNINGSOURCE0000000000000001").await;
        let dest = sim("API-OWNINGDESTINATION00000000002").await;
        let space = dest.space_id("Default").unwrap();
        // Made by someone else between octosync's read and its create, with a body of their own.
        let theirs = dest
            .insert(
                &space,
                "libraryvariablesets",
                json!({"Name": "Helpers", "ContentType": "ScriptModule"}),
            )
            .unwrap();
        let set = theirs["VariableSetId"].as_str().unwrap().to_string();
        dest.update(
            &space,
            "variables",
            &set,
            json!({"Version": 0, "Variables": [{"Name": "Octopus.Script.Module[Helpers]", "Value": "theirs"}]}),
        )
        .unwrap();
        let job = crate::settings::from_vars(crate::demo::connection_settings(&source, &dest)).unwrap();
        let client = Client::connect(&job.destination, ClientOptions::from(job.http))
            .await
            .unwrap();
        // The create is lost before the server sees it: the look-up by name finds theirs.
        dest.inject("POST", SimFault::DroppedBefore, 1);
        dest.clear_request_log();
        let write = Write::Owning {
            item: Some(Box::new(Write::Create {
                body: json!({"Name": "Helpers", "ContentType": "ScriptModule"}),
            })),
            owned: OwnedWrite {
                kind: Kind::VariableSet,
                target: OwnedTarget::New {
                    link: "VariableSetId",
                    fields: json!({"Variables": [{"Name": "Octopus.Script.Module[Helpers]", "Value": "ours"}]}),
                },
            },
        };
        let live = Live {
            destination: &client,
            source: &client,
            certificate_password: None,
        };
        let error = Applier::Live(live)
            .apply(Kind::ScriptModule, "Helpers", &write)
            .await
            .unwrap_err();
        let text = format!("{error:#}");
        assert!(text.contains("not the empty one the server makes"), "{text}");
        assert!(text.contains("the next run writes what is missing"), "{text}");
        assert!(
            dest.request_log().iter().all(|r| r.method != "PUT"),
            "{:?}",
            dest.request_log()
        );
        let stored = dest.items(&space, "variables");
        assert_eq!(stored[0]["Variables"][0]["Value"], "theirs");
        assert_eq!(dest.items(&space, "libraryvariablesets").len(), 1, "no duplicate");
    }
}
