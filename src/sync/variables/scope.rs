//! Scopes: what a variable row is scoped to, and its translation to the destination through the two
//! sets' own `ScopeValues` (reference §2.9), one dimension at a time under its scope-match mode.

use crate::rules::VariableRules;
use crate::scope::{translate_by, ListOutcome, MatchPolicy};
use crate::snapshot::name_key;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// A scope dimension octosync knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    /// `Environment`: environment ids.
    Environment,
    /// `Channel`: channel ids.
    Channel,
    /// `ProcessOwner`: the deployment process (the project's id) or a runbook's id.
    ProcessOwner,
    /// `Action`: step (action) ids.
    Action,
    /// `Machine`: deployment target ids.
    Machine,
    /// `TenantTag`: canonical tag names (`Set/Tag`).
    TenantTag,
    /// `Role`: target roles, free text, kept as written.
    Role,
}

impl Dimension {
    /// Every dimension, in the order messages list them.
    pub const ALL: [Dimension; 7] = [
        Dimension::Environment,
        Dimension::Channel,
        Dimension::ProcessOwner,
        Dimension::Action,
        Dimension::Machine,
        Dimension::TenantTag,
        Dimension::Role,
    ];

    /// The key in a variable's `Scope`.
    pub fn field(self) -> &'static str {
        match self {
            Dimension::Environment => "Environment",
            Dimension::Channel => "Channel",
            Dimension::ProcessOwner => "ProcessOwner",
            Dimension::Action => "Action",
            Dimension::Machine => "Machine",
            Dimension::TenantTag => "TenantTag",
            Dimension::Role => "Role",
        }
    }

    /// The dimension a `Scope` key names, if octosync knows it.
    pub fn from_field(field: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.field() == field)
    }

    /// Its lookup table in `ScopeValues`.
    fn table(self) -> &'static str {
        match self {
            Dimension::Environment => "Environments",
            Dimension::Channel => "Channels",
            Dimension::ProcessOwner => "Processes",
            Dimension::Action => "Actions",
            Dimension::Machine => "Machines",
            Dimension::TenantTag => "TenantTags",
            Dimension::Role => "Roles",
        }
    }

    /// What a person calls its values, plural.
    pub fn noun(self) -> &'static str {
        match self {
            Dimension::Environment => "environments",
            Dimension::Channel => "channels",
            Dimension::ProcessOwner => "processes",
            Dimension::Action => "steps",
            Dimension::Machine => "deployment targets",
            Dimension::TenantTag => "tenant tags",
            Dimension::Role => "roles",
        }
    }

    /// The setting that rules it; roles have none (free text, kept as written).
    pub fn setting(self) -> Option<&'static str> {
        Some(match self {
            Dimension::Environment => "OCTOSYNC_VARIABLE_ENVIRONMENT_MATCH",
            Dimension::Channel => "OCTOSYNC_VARIABLE_CHANNEL_MATCH",
            Dimension::ProcessOwner => "OCTOSYNC_VARIABLE_PROCESS_OWNER_MATCH",
            Dimension::Action => "OCTOSYNC_VARIABLE_ACTION_MATCH",
            Dimension::Machine => "OCTOSYNC_VARIABLE_MACHINE_MATCH",
            Dimension::TenantTag => "OCTOSYNC_VARIABLE_TENANT_TAG_MATCH",
            Dimension::Role => return None,
        })
    }

    /// Its scope-match mode; `None` for roles.
    pub fn policy(self, rules: &VariableRules) -> Option<MatchPolicy> {
        Some(match self {
            Dimension::Environment => rules.environments,
            Dimension::Channel => rules.channels,
            Dimension::ProcessOwner => rules.process_owners,
            Dimension::Action => rules.actions,
            Dimension::Machine => rules.machines,
            Dimension::TenantTag => rules.tenant_tags,
            Dimension::Role => return None,
        })
    }

    /// `OCTOSYNC_VARIABLE_ENVIRONMENT_MATCH=SkipUnlessPartialMatch`, for reasons.
    pub fn rule(self, rules: &VariableRules) -> String {
        match (self.setting(), self.policy(rules)) {
            (Some(s), Some(p)) => format!("{s}={}", p.name()),
            _ => "roles are kept as written".to_string(),
        }
    }

    /// True when values compare as names (case-insensitive), not as ids.
    fn by_name(self) -> bool {
        matches!(self, Dimension::Role | Dimension::TenantTag)
    }
}

/// True when a `Scope` key's values compare as names.
fn field_by_name(field: &str) -> bool {
    Dimension::from_field(field).is_some_and(Dimension::by_name)
}

/// One variable's scope: each `Scope` key with a non-empty list, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope(BTreeMap<String, Vec<String>>);

/// A scope in comparable form: values as sets, names lower-cased.
pub type ScopeKey = BTreeMap<String, BTreeSet<String>>;

impl Scope {
    /// The scope of a variable row (`{}` and empty lists mean unscoped).
    pub fn of(row: &Value) -> Scope {
        let mut lists = BTreeMap::new();
        for (field, values) in row.get("Scope").and_then(Value::as_object).into_iter().flatten() {
            let values: Vec<String> = values
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            if !values.is_empty() {
                lists.insert(field.clone(), values);
            }
        }
        Scope(lists)
    }

    /// The values of one `Scope` key (empty when unscoped there).
    pub fn get(&self, field: &str) -> &[String] {
        self.0.get(field).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Sets the values of one key; an empty list removes it.
    pub fn set(&mut self, field: &str, values: Vec<String>) {
        if values.is_empty() {
            self.0.remove(field);
        } else {
            self.0.insert(field.to_string(), values);
        }
    }

    /// The keys with values.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// True when unscoped.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The `Scope` object as the API takes it.
    pub fn to_json(&self) -> Value {
        let map: Map<String, Value> = self
            .0
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.clone())))
            .collect();
        Value::Object(map)
    }

    /// The comparable form, leaving out the keys `skip` names.
    pub fn key(&self, skip: impl Fn(&str) -> bool) -> ScopeKey {
        self.0
            .iter()
            .filter(|(field, _)| !skip(field))
            .map(|(field, values)| {
                let set = values
                    .iter()
                    .map(|v| if field_by_name(field) { name_key(v) } else { v.clone() })
                    .collect();
                (field.clone(), set)
            })
            .collect()
    }

    /// True when a value with this scope applies nowhere a value with `other` does not: on every
    /// key `other` restricts, this one restricts to a subset of it (an empty key means "all").
    pub fn within(&self, other: &Scope) -> bool {
        let (mine, theirs) = (self.key(|_| false), other.key(|_| false));
        theirs
            .iter()
            .all(|(field, allowed)| mine.get(field).is_some_and(|m| m.is_subset(allowed)))
    }

    /// `Environment: Production, Staging; Role: web`, or `unscoped`, naming ids from `values`.
    pub fn describe(&self, values: &ScopeValues<'_>) -> String {
        if self.is_empty() {
            return "unscoped".to_string();
        }
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(field, ids)| format!("{field}: {}", values.names(field, ids).join(", ")))
            .collect();
        parts.join("; ")
    }

    /// The scope with ids replaced by names, for a reviewer.
    pub fn named(&self, values: &ScopeValues<'_>) -> Value {
        let map: Map<String, Value> = self
            .0
            .iter()
            .map(|(field, ids)| (field.clone(), Value::from(values.names(field, ids))))
            .collect();
        Value::Object(map)
    }
}

/// A variable set's `ScopeValues`: the names behind the ids its scopes hold.
#[derive(Debug, Clone, Copy)]
pub struct ScopeValues<'a>(Option<&'a Value>);

impl<'a> ScopeValues<'a> {
    /// The lookup tables of a variable set document (none when the server sent `null`).
    pub fn of(set: &'a Value) -> ScopeValues<'a> {
        ScopeValues(set.get("ScopeValues").filter(|v| v.is_object()))
    }

    fn entries(&self, d: Dimension) -> &'a [Value] {
        self.0
            .and_then(|v| v.get(d.table()))
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    fn entry(&self, d: Dimension, id: &str) -> Option<&'a Value> {
        self.entries(d)
            .iter()
            .find(|e| e.get("Id").and_then(Value::as_str) == Some(id))
    }

    /// The name behind one id of a `Scope` key, when the set lists it.
    pub fn name(&self, field: &str, id: &str) -> Option<&'a str> {
        let d = Dimension::from_field(field)?;
        self.entry(d, id).and_then(|e| e.get("Name")).and_then(Value::as_str)
    }

    /// Names for ids, an id the set does not list shown as it is; roles and tags are names already.
    pub fn names(&self, field: &str, ids: &[String]) -> Vec<String> {
        ids.iter()
            .map(|id| match Dimension::from_field(field) {
                Some(d) if d.by_name() => id.clone(),
                _ => self.name(field, id).unwrap_or(id).to_string(),
            })
            .collect()
    }

    /// The destination id for a source entry of `d` named `name` (a process also by its type):
    /// `Err` with the name to report when there is none, or more than one.
    fn find(&self, d: Dimension, name: &str, process_type: Option<&str>) -> Result<String, String> {
        let key = name_key(name);
        let matches: Vec<&str> = self
            .entries(d)
            .iter()
            .filter(|e| {
                let named = |f: &str| e.get(f).and_then(Value::as_str).is_some_and(|n| name_key(n) == key);
                // Tags are listed by canonical name, in `Id` or `Name` depending on the server.
                let same_name = named("Name") || (d == Dimension::TenantTag && named("Id"));
                let same_type = match (process_type, e.get("ProcessType").and_then(Value::as_str)) {
                    (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                    _ => true,
                };
                same_name && same_type
            })
            .filter_map(|e| e.get("Id").and_then(Value::as_str))
            .collect();
        match matches.as_slice() {
            [one] => Ok(one.to_string()),
            [] => Err(name.to_string()),
            many => Err(format!("{name} ({} on the destination share that name)", many.len())),
        }
    }
}

/// A source scope as the destination will hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translated {
    /// The destination scope.
    pub scope: Scope,
    /// Per dimension, the source names the destination lacks (left out).
    pub dropped: Vec<(Dimension, Vec<String>)>,
    /// Dimensions the source restricted and the destination scope no longer does: the value
    /// would apply more widely than on the source.
    pub emptied: Vec<Dimension>,
}

/// What became of a source row's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeOutcome {
    /// Use this scope.
    Keep(Translated),
    /// Leave the row out, as the dimension's mode says.
    Skip {
        /// The dimension that refused it.
        dimension: Dimension,
        /// Which values were missing.
        reason: String,
    },
    /// The dimension's mode says the run must stop.
    Error {
        /// The dimension that refused it.
        dimension: Dimension,
        /// Which values were missing.
        reason: String,
    },
    /// Scoped on keys octosync does not translate (`Tenant`, `User`, `Trigger`…): copying their
    /// source ids across would point at other items, so the row is left out.
    Unsupported(Vec<String>),
}

/// Translates a source row's scope, dimension by dimension, from the source set's `ScopeValues` to
/// the destination set's by name.
pub fn translate(
    scope: &Scope,
    source: &ScopeValues<'_>,
    destination: &ScopeValues<'_>,
    rules: &VariableRules,
) -> ScopeOutcome {
    let unsupported: Vec<String> = scope
        .fields()
        .filter(|f| Dimension::from_field(f).is_none())
        .map(str::to_string)
        .collect();
    if !unsupported.is_empty() {
        return ScopeOutcome::Unsupported(unsupported);
    }
    let mut out = Translated {
        scope: Scope::default(),
        dropped: vec![],
        emptied: vec![],
    };
    for d in Dimension::ALL {
        let ids = scope.get(d.field());
        if ids.is_empty() {
            continue;
        }
        let Some(policy) = d.policy(rules) else {
            // Roles are free text: the same role on every instance.
            out.scope.set(d.field(), ids.to_vec());
            continue;
        };
        let outcome = translate_by(ids, policy, |id| {
            if d == Dimension::TenantTag {
                return destination.find(d, id, None);
            }
            let entry = source.entry(d, id).ok_or_else(|| id.to_string())?;
            let name = entry.get("Name").and_then(Value::as_str).unwrap_or(id);
            destination.find(d, name, entry.get("ProcessType").and_then(Value::as_str))
        });
        match outcome {
            ListOutcome::Keep { ids, dropped } => {
                if ids.is_empty() {
                    out.emptied.push(d);
                }
                if !dropped.is_empty() {
                    out.dropped.push((d, dropped));
                }
                out.scope.set(d.field(), ids);
            }
            ListOutcome::Skip { reason } => return ScopeOutcome::Skip { dimension: d, reason },
            ListOutcome::Error { reason } => return ScopeOutcome::Error { dimension: d, reason },
        }
    }
    ScopeOutcome::Keep(out)
}
