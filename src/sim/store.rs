//! In-memory state of one simulated server: spaces, documents per (space, kind), id counters.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use serde_json::{Map, Value};

use super::kind::Kind;
use super::logos::Logo;

/// A stored resource document (secrets included; they are hidden on the way out).
pub(crate) type Doc = Map<String, Value>;

/// One tenant variable value: of a project template for some environments, or of a library
/// variable set template ("common"), unscoped (no environments) or for some environments.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TenantValue {
    /// `TenantVariables-N`.
    pub id: String,
    /// The project or library variable set whose template this fills.
    pub owner: String,
    /// The template's GUID.
    pub template: String,
    /// A string, or a SensitiveValue holding the secret.
    pub value: Value,
    pub environments: Vec<String>,
}

/// The variable values of one tenant.
#[derive(Debug, Clone, Default)]
pub(crate) struct TenantValues {
    /// Changes on every write (`ConcurrencyToken`).
    pub token: u64,
    pub project: Vec<TenantValue>,
    pub common: Vec<TenantValue>,
}

/// Whole-server state. Guarded by one mutex; no operation awaits while holding it.
pub(crate) struct Store {
    pub version: String,
    pub installation_id: String,
    /// The user the API key belongs to; written into `LastModifiedBy`.
    pub user_name: String,
    pub default_take: usize,
    pub default_space: String,
    pub spaces: Vec<Doc>,
    /// Documents per kind, then per space ("" for system kinds): looked up without allocating a key.
    colls: HashMap<Kind, HashMap<String, Coll>>,
    counters: HashMap<String, u64>,
    /// Tenant variable values: (space, tenant id) -> its values.
    pub tenant_vars: HashMap<(String, String), TenantValues>,
    /// Uploaded logos: (space, kind, lower-case id) -> the logo (see `logos`).
    pub logos: HashMap<(String, Kind, String), Logo>,
}

impl Store {
    pub fn new(version: &str, default_take: usize) -> Store {
        Store {
            version: version.to_string(),
            installation_id: uuid::Uuid::new_v4().to_string(),
            user_name: "admin".to_string(),
            default_take,
            default_space: String::new(),
            spaces: Vec::new(),
            colls: HashMap::new(),
            counters: HashMap::new(),
            tenant_vars: HashMap::new(),
            logos: HashMap::new(),
        }
    }

    /// The reported version as (major, minor); `2024.3.10989` is (2024, 3).
    pub fn version_at(&self) -> (u32, u32) {
        version_tuple(&self.version)
    }

    /// Next value of a server-global counter (ids are per server, not per space).
    pub fn next_counter(&mut self, prefix: &str) -> u64 {
        let c = self.counters.entry(prefix.to_string()).or_insert(0);
        *c += 1;
        *c
    }

    pub fn next_id(&mut self, prefix: &str) -> String {
        let n = self.next_counter(prefix);
        format!("{prefix}-{n}")
    }

    fn space_key(space: &str, kind: Kind) -> &str {
        if kind.is_system() {
            ""
        } else {
            space
        }
    }

    fn coll(&self, space: &str, kind: Kind) -> Option<&Coll> {
        self.colls.get(&kind)?.get(Self::space_key(space, kind))
    }

    fn coll_mut(&mut self, space: &str, kind: Kind) -> &mut Coll {
        let space = Self::space_key(space, kind);
        let by_space = self.colls.entry(kind).or_default();
        if !by_space.contains_key(space) {
            by_space.insert(space.to_string(), Coll::default());
        }
        by_space.get_mut(space).expect("inserted above")
    }

    pub fn list(&self, space: &str, kind: Kind) -> &[Doc] {
        self.coll(space, kind).map(|c| c.docs.as_slice()).unwrap_or(&[])
    }

    /// The kind's documents to change in place; the id index is rebuilt on the next lookup, as
    /// the caller may remove, reorder or add documents.
    pub fn list_mut(&mut self, space: &str, kind: Kind) -> &mut Vec<Doc> {
        let coll = self.coll_mut(space, kind);
        coll.forget_indexes();
        &mut coll.docs
    }

    pub fn get(&self, space: &str, kind: Kind, id: &str) -> Option<&Doc> {
        let coll = self.coll(space, kind)?;
        coll.docs.get(coll.position(id)?)
    }

    /// The document to change in place; the caller must not change its `Id`. The field indexes
    /// are rebuilt on their next lookup, as the caller may change any other field.
    pub fn get_mut(&mut self, space: &str, kind: Kind, id: &str) -> Option<&mut Doc> {
        let coll = self.coll_mut(space, kind);
        let pos = coll.position(id)?;
        coll.fields.get_mut().unwrap_or_else(PoisonError::into_inner).clear();
        coll.docs.get_mut(pos)
    }

    /// The kind's documents whose `ProjectId` is `project` (any case), in stored order.
    pub fn of_project<'a>(&'a self, space: &str, kind: Kind, project: &str) -> impl Iterator<Item = &'a Doc> + 'a {
        self.with_field(space, kind, "ProjectId", project)
    }

    /// The kind's documents whose string `field` is `value` (ASCII case aside), in stored order.
    pub fn with_field<'a>(
        &'a self,
        space: &str,
        kind: Kind,
        field: &'static str,
        value: &str,
    ) -> impl Iterator<Item = &'a Doc> + 'a {
        let coll = self.coll(space, kind);
        let at = coll.map(|c| c.with_field(field, value)).unwrap_or_default();
        at.into_iter().filter_map(move |i| coll.and_then(|c| c.docs.get(i)))
    }

    pub fn exists(&self, space: &str, kind: Kind, id: &str) -> bool {
        self.get(space, kind, id).is_some()
    }

    pub fn push(&mut self, space: &str, kind: Kind, doc: Doc) {
        let coll = self.coll_mut(space, kind);
        if let Some(ids) = coll.ids.get_mut() {
            ids.entry(str_of(&doc, "Id").to_ascii_lowercase())
                .or_insert(coll.docs.len());
        }
        let at = coll.docs.len();
        for (field, index) in coll.fields.get_mut().unwrap_or_else(PoisonError::into_inner).iter_mut() {
            Arc::make_mut(index)
                .entry(str_of(&doc, field).to_ascii_lowercase())
                .or_default()
                .push(at);
        }
        coll.docs.push(doc);
    }

    /// Replace the stored document with the same Id.
    pub fn replace(&mut self, space: &str, kind: Kind, doc: Doc) {
        let id = str_of(&doc, "Id").to_string();
        let coll = self.coll_mut(space, kind);
        let Some(pos) = coll.position(&id) else {
            return;
        };
        let old = &coll.docs[pos];
        // An index of a field the write changed (a rename) is rebuilt on its next lookup.
        coll.fields
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|field, _| str_of(old, field).eq_ignore_ascii_case(str_of(&doc, field)));
        coll.docs[pos] = doc;
    }

    /// Every stored document of every space and kind, secrets as stored (never for rendering).
    pub fn all_docs(&self) -> impl Iterator<Item = &Doc> {
        let stored = self.colls.values().flat_map(HashMap::values).flat_map(|c| &c.docs);
        self.spaces.iter().chain(stored)
    }

    pub fn remove(&mut self, space: &str, kind: Kind, id: &str) -> Option<Doc> {
        let coll = self.coll_mut(space, kind);
        let pos = coll.position(id)?;
        coll.forget_indexes();
        Some(coll.docs.remove(pos))
    }

    /// A space by Id or (newer servers) by slug, case-insensitively.
    pub fn space_by_ident(&self, ident: &str) -> Option<String> {
        self.spaces
            .iter()
            .find(|s| str_of(s, "Id").eq_ignore_ascii_case(ident) || str_of(s, "Slug").eq_ignore_ascii_case(ident))
            .map(|s| str_of(s, "Id").to_string())
    }

    /// A deleted project or library variable set takes its tenant variable values with it.
    pub fn forget_tenant_values_of(&mut self, space: &str, owner: &str) {
        for ((s, _), values) in self.tenant_vars.iter_mut() {
            if s == space {
                values.project.retain(|v| !v.owner.eq_ignore_ascii_case(owner));
                values.common.retain(|v| !v.owner.eq_ignore_ascii_case(owner));
            }
        }
    }

    pub fn space_doc(&self, id: &str) -> Option<&Doc> {
        self.spaces.iter().find(|s| str_of(s, "Id").eq_ignore_ascii_case(id))
    }

    /// A slug unique among the kind's documents in the space (`name`, `name-1`, ...).
    /// A slug for `name` no other document of `kind` holds: within the space, or within the
    /// owner (`ProjectId`, …) for a kind whose names are unique per owner.
    // QUESTION: a channel's or runbook's slug is taken to be unique within its project, as its name
    // is (their routes are under the project); not confirmed against a server.
    pub fn unique_slug(
        &self,
        space: &str,
        kind: Kind,
        name: &str,
        self_id: &str,
        owner: Option<(&str, &str)>,
    ) -> String {
        let docs: &[Doc] = if kind == Kind::Space {
            &self.spaces
        } else {
            self.list(space, kind)
        };
        // Each candidate looked up (through the slug index, but for spaces), not a set of every
        // slug built per write: the first candidate is almost always free.
        let holds =
            |d: &Doc| !id_eq(d, self_id) && owner.is_none_or(|(field, id)| str_of(d, field).eq_ignore_ascii_case(id));
        let taken = |slug: &str| {
            if kind == Kind::Space {
                docs.iter()
                    .any(|d| str_of(d, "Slug").eq_ignore_ascii_case(slug) && holds(d))
            } else {
                self.with_field(space, kind, "Slug", slug).any(holds)
            }
        };
        let base = slugify(name);
        if !taken(&base) {
            return base;
        }
        (1..).map(|i| format!("{base}-{i}")).find(|s| !taken(s)).unwrap_or(base)
    }
}

/// One kind's documents in one space, in stored order, with indexes built on the first lookup
/// that needs them: by id, and by the value of a field (`ProjectId`, `Name`, `Slug`). A large space
/// is read by id thousands of times per sync, a variable set's scope tables name its project's
/// channels and runbooks, and every write checks its name and slug against the others': a scan
/// per lookup made each of these quadratic in the size of the space.
#[derive(Default)]
struct Coll {
    docs: Vec<Doc>,
    /// Lower-case `Id` -> position in `docs`; empty until a lookup needs it.
    ids: OnceLock<HashMap<String, usize>>,
    /// Field -> its lower-case value -> positions in `docs`, in order; a field's index is built by
    /// its first lookup (lookups take the store shared, hence the lock; the store's own lock
    /// already keeps them one at a time).
    fields: Mutex<HashMap<&'static str, Arc<FieldIndex>>>,
}

/// Lower-case value of one field -> positions of the documents holding it, in stored order.
type FieldIndex = HashMap<String, Vec<usize>>;

impl Coll {
    /// Drops the indexes: the documents are about to change in ways a caller does not say.
    fn forget_indexes(&mut self) {
        self.ids.take();
        self.fields.get_mut().unwrap_or_else(PoisonError::into_inner).clear();
    }

    /// Positions of the documents whose `field` is `value` (ASCII case aside). Each is checked
    /// again, as a scan would: an index never answers for a document that changed under it.
    fn with_field(&self, field: &'static str, value: &str) -> Vec<usize> {
        let index = {
            let mut fields = self.fields.lock().unwrap_or_else(PoisonError::into_inner);
            let index = fields.entry(field).or_insert_with(|| {
                let mut index = FieldIndex::new();
                for (i, d) in self.docs.iter().enumerate() {
                    index.entry(str_of(d, field).to_ascii_lowercase()).or_default().push(i);
                }
                Arc::new(index)
            });
            Arc::clone(index)
        };
        let at = index.get(value.to_ascii_lowercase().as_str());
        at.into_iter()
            .flatten()
            .copied()
            .filter(|&i| {
                self.docs
                    .get(i)
                    .is_some_and(|d| str_of(d, field).eq_ignore_ascii_case(value))
            })
            .collect()
    }

    /// Where the document with this id (any case) is.
    fn position(&self, id: &str) -> Option<usize> {
        let ids = self.ids.get_or_init(|| {
            let mut ids = HashMap::with_capacity(self.docs.len());
            for (i, d) in self.docs.iter().enumerate() {
                // The first of two documents with one id wins, as a scan from the front would.
                ids.entry(str_of(d, "Id").to_ascii_lowercase()).or_insert(i);
            }
            ids
        });
        let pos = if id.bytes().any(|b| b.is_ascii_uppercase()) {
            *ids.get(id.to_ascii_lowercase().as_str())?
        } else {
            *ids.get(id)?
        };
        if self.docs.get(pos).is_some_and(|d| id_eq(d, id)) {
            Some(pos)
        } else {
            // An entry that no longer matches is not trusted: scan, as before the index.
            self.docs.iter().position(|d| id_eq(d, id))
        }
    }
}

/// (major, minor) of a version string such as `2024.3.10989` or `2020.5.0-rc.4+Branch…`.
pub(crate) fn version_tuple(v: &str) -> (u32, u32) {
    let mut it = v.split(['.', '-', '+']);
    let major = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let minor = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    (major, minor)
}

pub(crate) fn id_eq(doc: &Doc, id: &str) -> bool {
    str_of(doc, "Id").eq_ignore_ascii_case(id)
}

/// A string field of a document, "" when absent or not a string.
pub(crate) fn str_of<'a>(doc: &'a Doc, key: &str) -> &'a str {
    doc.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Strings of an array field.
pub(crate) fn strs_of(doc: &Doc, key: &str) -> Vec<String> {
    doc.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

/// `yyyy-MM-ddTHH:mm:ss.fffK` as the server writes DateTimeOffsets.
pub(crate) fn now_stamp() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string()
}

/// Lower-case words joined by '-', as Octopus slugs look (`sample-project`).
pub(crate) fn slugify(name: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

pub(crate) fn new_guid() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(id: &str, project: &str) -> Doc {
        json!({"Id": id, "ProjectId": project}).as_object().cloned().unwrap()
    }

    #[test]
    fn documents_are_found_by_id_and_project_whatever_changed_the_collection() {
        let mut store = Store::new("2024.3.1", 30);
        for (id, project) in [
            ("Channels-1", "Projects-1"),
            ("Channels-2", "Projects-2"),
            ("Channels-3", "Projects-1"),
        ] {
            store.push("Spaces-1", Kind::Channel, doc(id, project));
        }
        let ids = |store: &Store, project: &str| -> Vec<String> {
            store
                .of_project("Spaces-1", Kind::Channel, project)
                .map(|d| str_of(d, "Id").to_string())
                .collect()
        };
        assert!(store.exists("Spaces-1", Kind::Channel, "channels-2"));
        assert_eq!(ids(&store, "projects-1"), ["Channels-1", "Channels-3"]);

        // Added after the indexes were built, removed, moved by a caller, replaced into another project.
        store.push("Spaces-1", Kind::Channel, doc("Channels-4", "Projects-1"));
        store.remove("Spaces-1", Kind::Channel, "Channels-1");
        store.list_mut("Spaces-1", Kind::Channel).reverse();
        store.replace("Spaces-1", Kind::Channel, doc("Channels-2", "Projects-1"));

        assert!(store.get("Spaces-1", Kind::Channel, "Channels-1").is_none());
        assert_eq!(
            str_of(store.get("Spaces-1", Kind::Channel, "CHANNELS-4").unwrap(), "Id"),
            "Channels-4"
        );
        assert_eq!(ids(&store, "Projects-1"), ["Channels-4", "Channels-3", "Channels-2"]);
        assert!(ids(&store, "Projects-2").is_empty());
        assert!(store.get("Spaces-2", Kind::Channel, "Channels-3").is_none());
    }

    #[test]
    fn a_renamed_document_is_found_by_its_new_name_only() {
        let mut store = Store::new("2024.3.1", 30);
        let named = |id: &str, name: &str| json!({"Id": id, "Name": name}).as_object().cloned().unwrap();
        store.push("Spaces-1", Kind::Environment, named("Environments-1", "Dev"));
        store.push("Spaces-1", Kind::Environment, named("Environments-2", "Test"));
        let found = |store: &Store, name: &str| store.with_field("Spaces-1", Kind::Environment, "Name", name).count();
        assert_eq!(found(&store, "dev"), 1);

        store.replace("Spaces-1", Kind::Environment, named("Environments-1", "Development"));
        store.push("Spaces-1", Kind::Environment, named("Environments-3", "DEV"));

        assert_eq!(found(&store, "Development"), 1);
        assert_eq!(found(&store, "dev"), 1);
        assert_eq!(found(&store, "test"), 1);

        // Changed in place by a caller.
        let doc = store.get_mut("Spaces-1", Kind::Environment, "Environments-2").unwrap();
        doc.insert("Name".into(), json!("Staging"));
        assert_eq!(found(&store, "staging"), 1);
        assert_eq!(found(&store, "test"), 0);
    }
}
