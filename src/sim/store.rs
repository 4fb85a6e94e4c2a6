//! In-memory state of one simulated server: spaces, documents per (space, kind), id counters.

use std::collections::HashMap;

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
    colls: HashMap<(String, Kind), Vec<Doc>>,
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

    fn key(space: &str, kind: Kind) -> (String, Kind) {
        if kind.is_system() {
            (String::new(), kind)
        } else {
            (space.to_string(), kind)
        }
    }

    pub fn list(&self, space: &str, kind: Kind) -> &[Doc] {
        self.colls
            .get(&Self::key(space, kind))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn list_mut(&mut self, space: &str, kind: Kind) -> &mut Vec<Doc> {
        self.colls.entry(Self::key(space, kind)).or_default()
    }

    pub fn get(&self, space: &str, kind: Kind, id: &str) -> Option<&Doc> {
        self.list(space, kind).iter().find(|d| id_eq(d, id))
    }

    pub fn get_mut(&mut self, space: &str, kind: Kind, id: &str) -> Option<&mut Doc> {
        self.list_mut(space, kind).iter_mut().find(|d| id_eq(d, id))
    }

    pub fn exists(&self, space: &str, kind: Kind, id: &str) -> bool {
        self.get(space, kind, id).is_some()
    }

    pub fn push(&mut self, space: &str, kind: Kind, doc: Doc) {
        self.list_mut(space, kind).push(doc);
    }

    /// Replace the stored document with the same Id.
    pub fn replace(&mut self, space: &str, kind: Kind, doc: Doc) {
        let id = str_of(&doc, "Id").to_string();
        if let Some(slot) = self.get_mut(space, kind, &id) {
            *slot = doc;
        }
    }

    /// Every stored document of every space and kind, secrets as stored (never for rendering).
    pub fn all_docs(&self) -> impl Iterator<Item = &Doc> {
        self.spaces.iter().chain(self.colls.values().flatten())
    }

    pub fn remove(&mut self, space: &str, kind: Kind, id: &str) -> Option<Doc> {
        let list = self.list_mut(space, kind);
        let pos = list.iter().position(|d| id_eq(d, id))?;
        Some(list.remove(pos))
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
        let taken: std::collections::HashSet<String> = docs
            .iter()
            .filter(|d| !id_eq(d, self_id))
            .filter(|d| owner.is_none_or(|(field, id)| str_of(d, field).eq_ignore_ascii_case(id)))
            .map(|d| str_of(d, "Slug").to_ascii_lowercase())
            .collect();
        let base = slugify(name);
        if !taken.contains(&base.to_ascii_lowercase()) {
            return base;
        }
        (1..)
            .map(|i| format!("{base}-{i}"))
            .find(|s| !taken.contains(&s.to_ascii_lowercase()))
            .unwrap_or(base)
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
