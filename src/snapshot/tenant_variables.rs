//! Tenant variables, read into one model whichever API a server serves (reference §2.19): the
//! legacy `tenants/{id}/variables` document (every version), or, from 2025.1, the
//! `commonvariables` and `projectvariables` lists, whose common values can be scoped to
//! environments. A value is keyed by names (project or library variable set, template,
//! environments), so two servers that serve different APIs compare value by value; each
//! destination value also remembers where it lives (ids), for the write that goes back.

mod legacy;
pub(crate) mod scoped;

use super::{id_of, name_key, name_of, Snapshot};
use crate::kind::Kind;
use crate::octopus::Client;
use crate::settings::selector::Selector;
use crate::sync::variables::value::Typed;
use crate::translate::Translator;
use anyhow::{Context, Result};
use futures::future::try_join_all;
use serde_json::Value;
use std::collections::HashMap;

/// Which tenant variable API a server's values are read through and written back through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// `tenants/{id}/variables`: one document, project values per environment, common values unscoped.
    Legacy,
    /// `tenants/{id}/commonvariables` and `…/projectvariables` (2025.1+): lists of values, each
    /// with its environments; a PUT replaces the whole list.
    Scoped,
}

/// The first version that serves the 2025.1 lists (reference §6 "Version gates").
const SCOPED_SINCE: (u32, u32) = (2025, 1);

impl Api {
    /// The API to use with the server `client` is connected to: chosen by the version it reported
    /// (no probe: a 404 can also come from a proxy, and the version is already known). A server
    /// whose version is unknown gets the legacy document, which every version serves.
    pub fn of(client: &Client) -> Api {
        match client.version() {
            Some(v) if (v.major, v.minor) >= SCOPED_SINCE => Api::Scoped,
            _ => Api::Legacy,
        }
    }
}

/// What owns a template: a project (values per environment) or a library variable set (common values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Owner {
    /// A project template.
    Project,
    /// A library variable set template.
    Library,
}

/// Which value: by names, as two instances can compare them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueKey {
    /// Project or library variable set.
    pub owner: Owner,
    /// The project's or library variable set's name.
    pub owner_name: String,
    /// The template's name.
    pub template: String,
    /// Environment names: exactly one for a project value; none (unscoped) or some for a common one.
    pub environments: Vec<String>,
}

impl ValueKey {
    /// The key names compare by (trimmed, case-insensitive; environments as a set).
    pub fn norm(&self) -> String {
        let mut envs: Vec<String> = self.environments.iter().map(|e| name_key(e)).collect();
        envs.sort();
        envs.dedup();
        format!(
            "{:?}\u{1f}{}\u{1f}{}\u{1f}{}",
            self.owner,
            name_key(&self.owner_name),
            name_key(&self.template),
            envs.join("\u{1e}")
        )
    }
}

/// A value as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// Plain text.
    Text(String),
    /// A secret: the API says only whether one is there.
    Sensitive {
        /// A secret is stored.
        has_value: bool,
    },
    /// The id of an account, certificate or worker pool (the template's control type says which).
    Reference(Typed, String),
}

/// Where a value lives on its server, by ids: what a write back needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The project's or library variable set's id.
    pub owner_id: String,
    /// The template's id.
    pub template_id: String,
    /// The environments' ids, as `ValueKey::environments`.
    pub environment_ids: Vec<String>,
}

/// One value.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Which value.
    pub key: ValueKey,
    /// The value.
    pub value: Stored,
    /// Where it lives.
    pub at: Location,
}

/// One tenant's values, and what was read, for the write back.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantVariables {
    /// The API they were read through.
    pub api: Api,
    /// The values.
    pub entries: Vec<Entry>,
    /// What the server sent: the legacy document (with its `ConcurrencyToken`), or the two lists.
    pub raw: Raw,
}

/// The documents as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    /// The legacy document.
    Legacy(Value),
    /// The `Variables` of `projectvariables` and `commonvariables`.
    Scoped {
        /// Project values.
        project: Vec<Value>,
        /// Common values.
        common: Vec<Value>,
    },
}

impl TenantVariables {
    /// No values yet (a tenant the run creates): what a write through `api` starts from.
    pub fn empty(api: Api) -> TenantVariables {
        let raw = match api {
            Api::Legacy => Raw::Legacy(serde_json::json!({})),
            Api::Scoped => Raw::Scoped {
                project: vec![],
                common: vec![],
            },
        };
        TenantVariables {
            api,
            entries: vec![],
            raw,
        }
    }

    /// The values of a legacy `tenants/{id}/variables` document; `snapshot` names the environments.
    pub fn from_legacy(snapshot: &Snapshot, doc: Value) -> TenantVariables {
        legacy::read(snapshot, doc)
    }

    /// The values of the 2025.1 `projectvariables` and `commonvariables` answers.
    pub fn from_scoped(snapshot: &Snapshot, project: &Value, common: &Value) -> TenantVariables {
        scoped::read(snapshot, project, common)
    }

    /// The value of `key`, if set.
    pub fn get(&self, key: &ValueKey) -> Option<&Entry> {
        let k = key.norm();
        self.entries.iter().find(|e| e.key.norm() == k)
    }
}

/// The tenant variables a snapshot holds, when they were read.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The API the server serves; `None` when nothing was read.
    pub api: Option<Api>,
    /// Per tenant id.
    pub by_tenant: HashMap<String, TenantVariables>,
}

/// A template as the documents show it: its id, name and what its values hold.
pub(super) struct Template<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub control: &'a str,
}

impl<'a> Template<'a> {
    pub(super) fn of(doc: &'a Value) -> Template<'a> {
        Template {
            id: id_of(doc),
            name: name_of(doc),
            control: doc
                .get("DisplaySettings")
                .and_then(|d| d.get("Octopus.ControlType"))
                .and_then(Value::as_str)
                .unwrap_or(""),
        }
    }
}

/// A value as the API sends it, read for a template of `control` type; `None` for no value.
pub(super) fn stored(value: &Value, control: &str) -> Option<Stored> {
    if crate::sync::placeholder::is_sensitive(value) {
        return Some(Stored::Sensitive {
            has_value: crate::sync::placeholder::has_value(value),
        });
    }
    if control.eq_ignore_ascii_case("Sensitive") {
        // A secret is never shown; whatever came back, one is there.
        return (!value.is_null()).then_some(Stored::Sensitive { has_value: true });
    }
    let text = match value {
        Value::Null => return None,
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Some(match Typed::of(control) {
        Some(t) if !text.is_empty() => Stored::Reference(t, text),
        _ => Stored::Text(text),
    })
}

/// The name of the environment `id` in `snapshot`.
pub(super) fn environment_name<'a>(snapshot: &'a Snapshot, id: &str) -> Option<&'a str> {
    snapshot.by_id(Kind::Environment, id).map(name_of)
}

/// Tenant variable values read for each side, to be recorded into the snapshots they were read
/// for ([`TenantValueReads::record`]).
#[derive(Debug)]
pub struct TenantValueReads {
    source: Loaded,
    destination: Loaded,
}

impl TenantValueReads {
    /// Records what was read into the source and destination snapshots.
    pub fn record(self, source: &mut Snapshot, destination: &mut Snapshot) {
        source.tenant_variables = self.source;
        destination.tenant_variables = self.destination;
    }
}

/// Reads the values of the selected source tenants and of their destination counterparts, both
/// sides concurrently, each through the API its server serves. A read that fails stops the run: a
/// write planned against values it could not see could delete them.
pub async fn read(
    source_client: &Client,
    dest_client: &Client,
    source: &Snapshot,
    destination: &Snapshot,
    selector: &Selector,
    names: &crate::rules::NameMap,
) -> Result<TenantValueReads> {
    let translator = Translator::new(source, destination).with_names(names);
    let selected: Vec<&Value> = source
        .items(Kind::Tenant)
        .iter()
        .filter(|t| selector.matches_any(crate::sync::selection_keys(Kind::Tenant, t)))
        .collect();
    let source_ids: Vec<String> = selected.iter().map(|t| id_of(t).to_string()).collect();
    let dest_ids: Vec<String> = selected
        .iter()
        .filter_map(|t| translator.counterpart(Kind::Tenant, t).found())
        .map(|d| id_of(d).to_string())
        .collect();
    let (source_api, dest_api) = (Api::of(source_client), Api::of(dest_client));
    let (read_source, read_dest) = tokio::join!(
        read_all(source_client, source, source_api, &source_ids),
        read_all(dest_client, destination, dest_api, &dest_ids),
    );
    let (read_source, read_dest) = (read_source?, read_dest?);
    tracing::debug!(
        "tenant variables read: {} source tenant(s) ({source_api:?} API), {} destination tenant(s) ({dest_api:?} API)",
        read_source.len(),
        read_dest.len()
    );
    Ok(TenantValueReads {
        source: Loaded {
            api: Some(source_api),
            by_tenant: read_source,
        },
        destination: Loaded {
            api: Some(dest_api),
            by_tenant: read_dest,
        },
    })
}

/// Tenants from which the legacy values are read in one `tenantvariables/all` rather than one
/// request each: more than one window of requests in flight, where the one bulk answer (every
/// tenant's document, however few are selected) is the cheaper read.
const BULK_FROM: usize = 8;

/// The values of the tenants `ids`: through the legacy API many at once in one bulk read, else
/// concurrently one tenant each (the client bounds how many are in flight).
async fn read_all(
    client: &Client,
    snapshot: &Snapshot,
    api: Api,
    ids: &[String],
) -> Result<HashMap<String, TenantVariables>> {
    let mut read = HashMap::new();
    let mut left: Vec<&String> = ids.iter().collect();
    if api == Api::Legacy && ids.len() > BULK_FROM {
        let path = client.space_path("tenantvariables/all");
        let all = client.get(&path).await.with_context(|| {
            format!(
                "could not read the {} space's tenant variables ({path}); nothing was written. Check that the API key may view tenant variables (VariableView, TenantView)",
                client.role()
            )
        })?;
        let docs = match all {
            Value::Array(docs) => docs,
            _ => anyhow::bail!("{path}: expected a list of tenant variable documents"),
        };
        let mut by_tenant: HashMap<String, Value> = docs
            .into_iter()
            .filter_map(|d| Some((d.get("TenantId")?.as_str()?.to_string(), d)))
            .collect();
        left.retain(|id| match by_tenant.remove(id.as_str()) {
            Some(doc) => {
                read.insert((*id).clone(), legacy::read(snapshot, doc));
                false
            }
            // Made since the bulk read, or left out of it: read on its own below.
            None => true,
        });
    }
    let each = try_join_all(left.into_iter().map(|id| async move {
        let base = client.space_path(&format!("{}/{id}", Kind::Tenant.collection()));
        let vars = match api {
            Api::Legacy => {
                let doc = client.get(&format!("{base}/variables")).await;
                legacy::read(snapshot, doc.with_context(|| what(client, snapshot, id))?)
            }
            Api::Scoped => {
                let (project_path, common_path) =
                    (format!("{base}/projectvariables"), format!("{base}/commonvariables"));
                let (project, common) = tokio::try_join!(client.get(&project_path), client.get(&common_path))
                    .with_context(|| what(client, snapshot, id))?;
                scoped::read(snapshot, &project, &common)
            }
        };
        Ok::<_, anyhow::Error>((id.clone(), vars))
    }))
    .await?;
    read.extend(each);
    Ok(read)
}

fn what(client: &Client, snapshot: &Snapshot, id: &str) -> String {
    let name = snapshot.by_id(Kind::Tenant, id).map_or(id, name_of);
    format!(
        "could not read the variables of the {} tenant '{name}'; nothing was written. Check that the API key may view tenant variables (VariableView, TenantView)",
        client.role()
    )
}
