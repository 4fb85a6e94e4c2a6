//! A space loaded into memory: every document of every kind, indexed by id and by name, and the
//! documents those items own (a script module's variable set), indexed by id and held as compact
//! JSON text, and the digests of the logos a run compares.

pub mod logos;
mod packed;
pub mod tenant_variables;

use crate::kind::{Kind, ReadByIds};
use crate::octopus::Client;
use crate::octopus::RawItem;
use anyhow::{Context, Result};
use futures::future::try_join_all;
use logos::Logo;
use packed::{Packed, PackedDoc};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The documents of one kind.
#[derive(Debug, Clone, Default)]
pub struct Collection {
    items: Vec<Value>,
    by_id: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
    /// For a kind whose items belong to another (a project's channels): the field naming the
    /// owner, and the items per owner id (lower case), in server order. A project's channels are
    /// looked up once per process and variable set; a scan each time grows with the square of
    /// the space.
    owner_field: Option<&'static str>,
    by_owner: HashMap<String, Vec<usize>>,
}

impl Collection {
    /// Builds the indexes over `items`.
    pub fn new(items: Vec<Value>) -> Collection {
        Collection::with_owner(None, items)
    }

    /// Builds the indexes over `items` of `kind`, with the owner index when its items belong to another.
    pub fn of_kind(kind: Kind, items: Vec<Value>) -> Collection {
        Collection::with_owner(kind.owner().map(|(field, _)| field), items)
    }

    fn with_owner(owner_field: Option<&'static str>, items: Vec<Value>) -> Collection {
        let mut c = Collection {
            owner_field,
            ..Collection::default()
        };
        for item in items {
            c.upsert(item);
        }
        c
    }

    /// The items that belong to the owner `owner_id`, in server order (none for a kind without owners).
    pub fn owned_by<'a>(&'a self, owner_id: &str) -> impl Iterator<Item = &'a Value> + 'a {
        self.by_owner
            .get(&owner_id.to_ascii_lowercase())
            .into_iter()
            .flatten()
            .map(|&i| &self.items[i])
    }

    fn owner_key(&self, doc: &Value) -> Option<String> {
        let field = self.owner_field?;
        Some(
            doc.get(field)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_ascii_lowercase(),
        )
    }

    /// All documents in server order.
    pub fn items(&self) -> &[Value] {
        &self.items
    }

    /// The document with this id.
    pub fn by_id(&self, id: &str) -> Option<&Value> {
        self.by_id.get(id).map(|&i| &self.items[i])
    }

    /// The document with this name (trimmed, case-insensitive, as Octopus compares names).
    pub fn by_name(&self, name: &str) -> Option<&Value> {
        self.by_name.get(&name_key(name)).map(|&i| &self.items[i])
    }

    /// Replaces the document with the same id, or appends it; of its `Links`, only `Logo` is kept.
    pub fn upsert(&mut self, mut doc: Value) {
        drop_unused_links(&mut doc);
        let id = doc.get("Id").and_then(Value::as_str).map(str::to_string);
        let name = doc.get("Name").and_then(Value::as_str).map(name_key);
        let index = match id.as_ref().and_then(|id| self.by_id.get(id)).copied() {
            Some(i) => {
                if let Some(old) = self.items[i].get("Name").and_then(Value::as_str).map(name_key) {
                    // Only forget the old name if it pointed at this document.
                    if self.by_name.get(&old) == Some(&i) {
                        self.by_name.remove(&old);
                    }
                }
                if let Some(old) = self.owner_key(&self.items[i]) {
                    if let Some(list) = self.by_owner.get_mut(&old) {
                        list.retain(|&j| j != i);
                    }
                }
                self.items[i] = doc;
                i
            }
            None => {
                self.items.push(doc);
                self.items.len() - 1
            }
        };
        if let Some(owner) = self.owner_key(&self.items[index]) {
            let list = self.by_owner.entry(owner).or_default();
            if let Err(at) = list.binary_search(&index) {
                list.insert(at, index);
            }
        }
        if let Some(id) = id {
            self.by_id.insert(id, index);
        }
        if let Some(name) = name {
            // An archived document (a replaced certificate's backup keeps its name) never hides
            // the one in use; otherwise the first of a name is the one found.
            let slot = self.by_name.entry(name).or_insert(index);
            if is_archived(&self.items[*slot]) && !is_archived(&self.items[index]) {
                *slot = index;
            }
        }
    }
}

/// Drops a document's `Links` but `Logo`, the one link a sync follows: about a tenth of what a
/// space's documents weigh (projects, runbooks and channels a third), held for the whole run.
fn drop_unused_links(doc: &mut Value) {
    if let Some(Value::Object(links)) = doc.get_mut("Links") {
        links.retain(|name, _| name == "Logo");
    }
}

/// Removes `fields` from `doc`; a dotted path (`ScopeValues.Environments`) removes a nested field.
pub fn strip_fields(doc: &mut Value, fields: &[&str]) {
    for field in fields {
        let mut parts: Vec<&str> = field.split('.').collect();
        let Some(last) = parts.pop() else { continue };
        let mut at = Some(&mut *doc);
        for part in parts {
            at = at.and_then(|v| v.get_mut(part));
        }
        if let Some(Value::Object(map)) = at {
            map.remove(last);
        }
    }
}

/// True for a document the server marks archived (certificates).
pub fn is_archived(doc: &Value) -> bool {
    doc.get("Archived").is_some_and(|a| !a.is_null())
}

/// Normalised name used for matching.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// The name of a document, trimmed.
pub fn name_of(doc: &Value) -> &str {
    doc.get("Name").and_then(Value::as_str).map(str::trim).unwrap_or("")
}

/// The id of a document.
pub fn id_of(doc: &Value) -> &str {
    doc.get("Id").and_then(Value::as_str).unwrap_or("")
}

/// One space, all kinds.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Shared, so the plan's copy of the destination costs nothing until a kind is changed in it
    /// (a no-op plan changes none; a first sync's destination is small).
    kinds: BTreeMap<Kind, Arc<Collection>>,
    /// The documents items own ([`Kind::is_owned`]), packed; shared as `kinds` is.
    packed: BTreeMap<Kind, Arc<Packed>>,
    /// Logos read, by the id of their document (see [`logos::read_step_templates`],
    /// [`logos::load_projects`]).
    logos: HashMap<String, Logo>,
    /// Logos step types show by default, by lower-case step type.
    step_type_logos: HashMap<String, Logo>,
    /// Whether a document shows the server's default logo, by its id, where its logo link says so
    /// (see [`logos::shows_default`]).
    default_logos: HashMap<String, bool>,
    /// Tenant variables, when read (see [`tenant_variables::read`]).
    tenant_variables: tenant_variables::Loaded,
}

impl Snapshot {
    /// A snapshot from documents already in memory (tests, planning without HTTP).
    pub fn from_docs(docs: impl IntoIterator<Item = (Kind, Vec<Value>)>) -> Snapshot {
        let mut snapshot = Snapshot::default();
        for (kind, items) in docs {
            if kind.is_owned() {
                for doc in items {
                    snapshot.absorb(kind, doc);
                }
            } else {
                snapshot.kinds.insert(kind, Arc::new(Collection::of_kind(kind, items)));
            }
        }
        snapshot
    }

    /// Loads every kind of the client's space, all collections concurrently, each followed at once
    /// by the documents its items own (a pipeline: a project's processes are read while other
    /// collections are still being listed).
    pub async fn load(client: &Client, kinds: &[Kind]) -> Result<Snapshot> {
        let loaded = try_join_all(kinds.iter().map(|&kind| async move {
            let items = list_kind(client, kind).await?;
            let owned = try_join_all(kind.owned_documents().iter().map(|&(field, owned)| {
                let ids: Vec<String> = items
                    .iter()
                    .filter_map(|d| d.get(field).and_then(Value::as_str))
                    .filter(|id| !id.is_empty())
                    .map(str::to_string)
                    .collect();
                async move {
                    // Packed as each response arrives: the parsed documents of a whole space
                    // never sit in memory at once.
                    let docs = load_by_ids(client, owned, &ids, |item| {
                        PackedDoc::from_text(item, kind.owned_fields_unused())
                    })
                    .await
                    .with_context(|| {
                        format!(
                            "could not load the {}s of the {} space's {}",
                            owned.label().to_lowercase(),
                            client.role(),
                            kind.plural().to_lowercase()
                        )
                    })?;
                    Ok::<_, anyhow::Error>((owned, docs))
                }
            }))
            .await?;
            Ok::<_, anyhow::Error>(((kind, items), owned))
        }))
        .await?;
        let (lists, owned): (Vec<_>, Vec<_>) = loaded.into_iter().unzip();
        let mut snapshot = Snapshot::from_docs(lists);
        for (kind, docs) in owned.into_iter().flatten() {
            let packed = Arc::make_mut(snapshot.packed.entry(kind).or_default());
            for doc in docs {
                packed.upsert(doc);
            }
        }
        Ok(snapshot)
    }

    /// The collection of `kind` (empty when not loaded). An owned kind's documents are packed:
    /// read them with [`Snapshot::document`].
    pub fn collection(&self, kind: Kind) -> &Collection {
        debug_assert!(
            !kind.is_owned(),
            "{kind:?} documents are packed: use Snapshot::document"
        );
        static EMPTY: std::sync::OnceLock<Collection> = std::sync::OnceLock::new();
        self.kinds
            .get(&kind)
            .map_or_else(|| EMPTY.get_or_init(Collection::default), |c| c.as_ref())
    }

    /// All documents of `kind`.
    pub fn items(&self, kind: Kind) -> &[Value] {
        self.collection(kind).items()
    }

    /// The documents of `kind` that belong to the item `owner_id` (a project's channels or
    /// runbooks, [`Kind::owner`]), in server order.
    pub fn owned_by<'a>(&'a self, kind: Kind, owner_id: &str) -> impl Iterator<Item = &'a Value> + 'a {
        debug_assert!(kind.owner().is_some(), "{kind:?} items belong to no other item");
        self.collection(kind).owned_by(owner_id)
    }

    /// The document of `kind` with this id.
    pub fn by_id(&self, kind: Kind, id: &str) -> Option<&Value> {
        self.collection(kind).by_id(id)
    }

    /// The document of `kind` with this id, of any kind: an owned kind's is parsed from its
    /// packed text (a copy each time: keep it while it is needed, ask again in a later stage).
    pub fn document(&self, kind: Kind, id: &str) -> Option<Cow<'_, Value>> {
        if kind.is_owned() {
            self.packed.get(&kind)?.by_id(id).map(Cow::Owned)
        } else {
            self.by_id(kind, id).map(Cow::Borrowed)
        }
    }

    /// The fields `T` names of the owned document of `kind` with this id, read from its packed text
    /// without building the rest (a stage that needs a few fields of every project's process).
    /// `None` when there is no such document or it does not have `T`'s shape.
    pub fn outline<T: serde::de::DeserializeOwned>(&self, kind: Kind, id: &str) -> Option<T> {
        debug_assert!(
            kind.is_owned(),
            "{kind:?} documents are read in place: use Snapshot::document"
        );
        let text = self.packed.get(&kind)?.text(id)?;
        serde_json::from_str(text).ok()
    }

    /// Every document of `kind`, parsed when packed, in the order they were taken in.
    pub fn documents(&self, kind: Kind) -> Vec<Cow<'_, Value>> {
        if kind.is_owned() {
            self.packed
                .get(&kind)
                .into_iter()
                .flat_map(|p| p.all())
                .map(Cow::Owned)
                .collect()
        } else {
            self.items(kind).iter().map(Cow::Borrowed).collect()
        }
    }

    /// The document of `kind` with this name.
    pub fn by_name(&self, kind: Kind, name: &str) -> Option<&Value> {
        self.collection(kind).by_name(name)
    }

    /// The item an id of any known kind points at, with its kind (kinds that share an id prefix,
    /// script modules and library variable sets, are each looked in).
    pub fn find_by_id(&self, id: &str) -> Option<(Kind, &Value)> {
        Kind::candidates_for_id(id)
            .filter(|k| !k.is_owned())
            .find_map(|k| self.by_id(k, id).map(|d| (k, d)))
    }

    /// The name of the item an id of any known kind points at; a tag id (`TagSets-1/Tags-2`) names
    /// its tag as `Set/Tag`.
    pub fn name_by_id(&self, id: &str) -> Option<String> {
        if let Some((_, doc)) = self.find_by_id(id) {
            return Some(name_of(doc).to_string());
        }
        let (set_id, _) = id.split_once('/')?;
        let set = self.by_id(Kind::TagSet, set_id)?;
        let tag = set.get("Tags")?.as_array()?.iter().find(|t| id_of(t) == id)?;
        Some(format!("{}/{}", name_of(set), name_of(tag)))
    }

    /// Takes a saved (or planned) document into the snapshot so later stages can refer to it.
    pub fn absorb(&mut self, kind: Kind, doc: Value) {
        if kind.is_owned() {
            Arc::make_mut(self.packed.entry(kind).or_default()).upsert(PackedDoc::of(doc));
            return;
        }
        let collection = self
            .kinds
            .entry(kind)
            .or_insert_with(|| Arc::new(Collection::of_kind(kind, Vec::new())));
        Arc::make_mut(collection).upsert(doc);
    }

    /// The logo of the document `id`, when it was read (or tried).
    pub fn logo(&self, id: &str) -> Option<&Logo> {
        self.logos.get(id)
    }

    /// Records the logo of the document `id` (tests; a run reads them with [`logos::read_step_templates`]).
    pub fn set_logo(&mut self, id: &str, logo: Logo) {
        self.logos.insert(id.to_string(), logo);
    }

    /// The logo a step type shows by default (what a template shows until one is uploaded), when read.
    pub fn step_type_logo(&self, step_type: &str) -> Option<&Logo> {
        self.step_type_logos.get(&step_type.to_ascii_lowercase())
    }

    /// Records the logo a step type shows by default.
    pub fn set_step_type_logo(&mut self, step_type: &str, logo: Logo) {
        self.step_type_logos.insert(step_type.to_ascii_lowercase(), logo);
    }

    /// Whether the document `id` showed the server's default logo when it was read: `None` when
    /// not known (not read, or its logo link does not say).
    pub fn shows_default_logo(&self, id: &str) -> Option<bool> {
        self.default_logos.get(id).copied()
    }

    /// Records whether the document `id` shows the server's default logo.
    pub fn set_shows_default_logo(&mut self, id: &str, is_default: bool) {
        self.default_logos.insert(id.to_string(), is_default);
    }

    /// The tenant variables read, per tenant id, and the API they came through.
    pub fn tenant_variables(&self) -> &tenant_variables::Loaded {
        &self.tenant_variables
    }

    /// Records tenant variables (tests; a run reads them with [`tenant_variables::read`]).
    pub fn set_tenant_variables(&mut self, loaded: tenant_variables::Loaded) {
        self.tenant_variables = loaded;
    }

    /// Counts per kind, for logs.
    pub fn counts(&self) -> Vec<(Kind, usize)> {
        let listed = self.kinds.iter().map(|(k, c)| (*k, c.items().len()));
        let packed = self.packed.iter().map(|(k, p)| (*k, p.len()));
        listed.chain(packed).collect()
    }
}

/// Every item of `kind` in the client's space (or server-wide), its list filter applied.
async fn list_kind(client: &Client, kind: Kind) -> Result<Vec<Value>> {
    let mut path = if kind.is_server_wide() {
        format!("/api/{}", kind.collection())
    } else {
        client.space_path(kind.collection())
    };
    if let Some(filter) = kind.list_filter() {
        path = format!("{path}?{filter}");
    }
    let items = match client.list_all(&path).await {
        Ok(items) => items,
        // An administrator can switch the community library off; only community step
        // templates need it, and each of them reports it as missing.
        Err(e) if kind.optional_on_load() => {
            tracing::warn!(
                "the {} instance's {}s could not be read, so none are known: {e:#}",
                client.role(),
                kind.label().to_lowercase()
            );
            Vec::new()
        }
        Err(e) => {
            return Err(e.context(format!(
                "could not load the {} of the {} space",
                kind.plural().to_lowercase(),
                client.role()
            )))
        }
    };
    tracing::debug!(
        "{}: loaded {} {}(s)",
        client.role(),
        items.len(),
        kind.label().to_lowercase()
    );
    Ok(items)
}

/// Ids per request of a look-up by ids: short enough for any proxy's URL limit.
const IDS_PER_REQUEST: usize = 40;

/// The documents of `kind` with these ids, through `GET {collection}/all?ids=…` (a bare array;
/// SW21b lists `ids` on `variables/all`) or `{collection}?ids=…`, a few ids per request, the
/// requests concurrent; or the whole collection paged, for a route without `ids`. An id the
/// server does not return is simply absent. Each document is handed to `keep` as the text the
/// server sent, as its response arrives: these are the bulk of a space, and are kept as text.
async fn load_by_ids<T>(
    client: &Client,
    kind: Kind,
    ids: &[String],
    keep: impl Fn(RawItem) -> T + Copy,
) -> Result<Vec<T>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let collection = client.space_path(kind.collection());
    if kind.read_by_ids() == ReadByIds::Listed {
        let wanted: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
        let mut all = client.list_all_raw(&collection).await?;
        all.retain(|d| wanted.contains(d.id.as_str()));
        return Ok(all.into_iter().map(keep).collect());
    }
    let pages = try_join_all(ids.chunks(IDS_PER_REQUEST).map(|chunk| {
        let ids = chunk.join(",");
        let collection = &collection;
        async move {
            if kind.read_by_ids() == ReadByIds::Paged {
                let items = client.list_all_raw(&format!("{collection}?ids={ids}")).await?;
                return Ok::<_, anyhow::Error>(items.into_iter().map(keep).collect::<Vec<T>>());
            }
            let path = format!("{collection}/all?ids={ids}");
            let text = client.get_text(&path).await?;
            let items = RawItem::list(&text, &path)
                .with_context(|| format!("expected a list of {}s", kind.label().to_lowercase()))?;
            Ok(items.into_iter().map(keep).collect())
        }
    }))
    .await?;
    Ok(pages.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_match_trimmed_and_case_insensitively() {
        let c = Collection::new(vec![json!({"Id": "Environments-1", "Name": " Production"})]);
        assert!(c.by_name("production ").is_some());
        assert!(c.by_id("Environments-1").is_some());
    }

    #[test]
    fn a_held_document_keeps_its_logo_link_and_no_other() {
        let c = Collection::new(vec![json!({"Id": "Projects-1", "Name": "Web", "Links": {
            "Self": "/api/Spaces-1/projects/Projects-1", "Logo": "/api/Spaces-1/projects/Projects-1/logo?cb=1",
            "DeploymentProcess": "/api/Spaces-1/projects/Projects-1/deploymentprocesses"}})]);
        assert_eq!(
            c.by_id("Projects-1").unwrap()["Links"],
            json!({"Logo": "/api/Spaces-1/projects/Projects-1/logo?cb=1"})
        );
    }

    #[test]
    fn ids_of_any_known_kind_and_tag_ids_name_their_item() {
        let s = Snapshot::from_docs([
            (
                Kind::Environment,
                vec![json!({"Id": "Environments-12", "Name": "Production"})],
            ),
            (
                Kind::TagSet,
                vec![json!({"Id": "TagSets-2", "Name": "Region", "Tags": [{"Id": "TagSets-2/Tags-4", "Name": "EU"}]})],
            ),
        ]);
        assert_eq!(s.name_by_id("Environments-12").as_deref(), Some("Production"));
        assert_eq!(s.name_by_id("TagSets-2").as_deref(), Some("Region"));
        assert_eq!(s.name_by_id("TagSets-2/Tags-4").as_deref(), Some("Region/EU"));
        assert_eq!(s.name_by_id("TagSets-2/Tags-5"), None);
        assert_eq!(s.name_by_id("Environments-13"), None);
        assert_eq!(s.name_by_id("Accounts-1"), None);
        assert_eq!(s.name_by_id("Production"), None);
    }

    #[test]
    fn a_certificate_in_use_is_found_by_name_before_an_archived_one_of_the_same_name() {
        for order in [[0, 1], [1, 0]] {
            let docs = [
                json!({"Id": "Certificates-5", "Name": "Web TLS", "Archived": "2026-01-01T00:00:00Z"}),
                json!({"Id": "Certificates-1", "Name": "Web TLS", "Archived": null}),
            ];
            let c = Collection::new(order.iter().map(|&i| docs[i].clone()).collect());
            assert_eq!(id_of(c.by_name("web tls").unwrap()), "Certificates-1");
        }
    }

    #[test]
    fn an_id_two_kinds_share_finds_the_item_in_whichever_kind_holds_it() {
        let s = Snapshot::from_docs([
            (
                Kind::ScriptModule,
                vec![json!({"Id": "LibraryVariableSets-2", "Name": "Helpers", "ContentType": "ScriptModule"})],
            ),
            (
                Kind::LibraryVariableSet,
                vec![json!({"Id": "LibraryVariableSets-3", "Name": "Common", "ContentType": "Variables"})],
            ),
        ]);
        let found = |id: &str| s.find_by_id(id).map(|(k, d)| (k, name_of(d).to_string()));
        assert_eq!(
            found("LibraryVariableSets-2"),
            Some((Kind::ScriptModule, "Helpers".into()))
        );
        assert_eq!(
            found("LibraryVariableSets-3"),
            Some((Kind::LibraryVariableSet, "Common".into()))
        );
        assert_eq!(s.name_by_id("LibraryVariableSets-3").as_deref(), Some("Common"));
        assert_eq!(found("LibraryVariableSets-4"), None);
    }

    #[test]
    fn unused_fields_are_stripped_at_any_depth_and_a_missing_path_touches_nothing() {
        let mut doc = json!({"Environments": 1, "ScopeValues": {"Environments": [], "Machines": []}});
        strip_fields(&mut doc, &["ScopeValues.Environments", "Nothing.Environments"]);
        assert_eq!(doc, json!({"Environments": 1, "ScopeValues": {"Machines": []}}));
    }

    #[test]
    fn a_projects_channels_are_found_by_owner_in_order_and_follow_what_is_absorbed() {
        let mut s = Snapshot::from_docs([(
            Kind::Channel,
            vec![
                json!({"Id": "Channels-1", "Name": "Default", "ProjectId": "Projects-1"}),
                json!({"Id": "Channels-2", "Name": "Default", "ProjectId": "Projects-2"}),
                json!({"Id": "Channels-3", "Name": "Hotfix", "ProjectId": "projects-1"}),
            ],
        )]);
        let names = |s: &Snapshot, owner: &str| -> Vec<String> {
            s.owned_by(Kind::Channel, owner).map(|d| id_of(d).to_string()).collect()
        };
        assert_eq!(names(&s, "Projects-1"), ["Channels-1", "Channels-3"]);
        // A saved channel of another project moves; a new one joins at the end.
        s.absorb(
            Kind::Channel,
            json!({"Id": "Channels-1", "Name": "Default", "ProjectId": "Projects-2"}),
        );
        s.absorb(
            Kind::Channel,
            json!({"Id": "Channels-4", "Name": "Beta", "ProjectId": "Projects-1"}),
        );
        assert_eq!(names(&s, "Projects-1"), ["Channels-3", "Channels-4"]);
        assert_eq!(names(&s, "Projects-2"), ["Channels-1", "Channels-2"]);
        assert!(names(&s, "Projects-9").is_empty());
    }

    #[test]
    fn an_owned_document_reads_back_as_it_was_taken_in_and_a_saved_one_replaces_it() {
        let process = json!({"Id": "deploymentprocess-Projects-1", "ProjectId": "Projects-1", "Version": 3,
            "Steps": [{"Name": "Deploy", "Actions": [{"Id": "a-1", "Name": "Deploy", "Properties": {"Octopus.Action.Script.ScriptBody": "echo \"hi\""}}]}],
            "Links": {"Self": "/api/Spaces-1/deploymentprocesses/deploymentprocess-Projects-1"}});
        let mut s = Snapshot::from_docs([(Kind::DeploymentProcess, vec![process.clone()])]);
        let mut expected = process.clone();
        expected["Links"] = json!({});
        assert_eq!(
            *s.document(Kind::DeploymentProcess, "deploymentprocess-Projects-1")
                .unwrap(),
            expected
        );
        assert!(s
            .document(Kind::DeploymentProcess, "deploymentprocess-Projects-2")
            .is_none());
        assert!(s.document(Kind::VariableSet, "deploymentprocess-Projects-1").is_none());

        let mut saved = process;
        saved["Version"] = json!(4);
        saved["Links"] = json!({});
        s.absorb(Kind::DeploymentProcess, saved.clone());
        assert_eq!(
            *s.document(Kind::DeploymentProcess, "deploymentprocess-Projects-1")
                .unwrap(),
            saved
        );
        assert_eq!(s.documents(Kind::DeploymentProcess).len(), 1);
        assert!(s.counts().contains(&(Kind::DeploymentProcess, 1)));
    }

    #[test]
    fn an_environment_is_read_in_place_through_the_same_call() {
        let s = Snapshot::from_docs([(Kind::Environment, vec![json!({"Id": "Environments-1", "Name": "Dev"})])]);
        let doc = s.document(Kind::Environment, "Environments-1").unwrap();
        assert!(matches!(doc, Cow::Borrowed(_)));
        assert_eq!(name_of(&doc), "Dev");
    }

    #[test]
    fn absorbing_a_saved_document_replaces_it_by_id() {
        let mut s = Snapshot::from_docs([(Kind::Environment, vec![json!({"Id": "Environments-1", "Name": "Dev"})])]);
        s.absorb(
            Kind::Environment,
            json!({"Id": "Environments-1", "Name": "Development"}),
        );
        s.absorb(Kind::Environment, json!({"Id": "Environments-2", "Name": "Test"}));
        assert_eq!(s.items(Kind::Environment).len(), 2);
        assert!(s.by_name(Kind::Environment, "Dev").is_none());
        assert!(s.by_name(Kind::Environment, "development").is_some());
    }
}
