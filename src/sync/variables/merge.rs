//! The merge: translate every source row, match it, and decide under the overwrite option what the
//! destination's document becomes.

use super::decision::{Merge, Outcome, RowDecision};
use super::matching::{pair, rescope_candidates, Claim, Entry, Identity, SourceMatch};
use super::row::{rows, Row};
use super::scope::{translate, Dimension, Scope, ScopeKey, ScopeOutcome, ScopeValues, Translated};
use super::value::{self, Typed, ValueOutcome};
use crate::report::CleanupItem;
use crate::rules::{VariableOverwrite, VariableRules};
use crate::scope::quoted;
use crate::sync::document::equivalent;
use crate::translate::Translator;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The variable set the rows belong to, as clean-up entries and fatal messages name it.
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    /// What it is, e.g. `Library variable set`.
    pub kind: &'a str,
    /// Its name.
    pub name: &'a str,
}

/// A source row that survived translation.
struct Candidate<'a> {
    row: Row<'a>,
    /// Name and source scope, for messages about what translation did.
    source_label: String,
    translated: Translated,
    value: ValueOutcome,
}

/// The key under which two rows would be the same row written twice.
type RowKey = (Identity, ScopeKey, String);

/// Merges the source variable set `source` into the destination's `destination` (both as
/// `GET /variables/{id}` returns them, with their `ScopeValues`). Pure: the same inputs give the
/// same answer, whatever order either set lists its rows in.
pub fn merge(
    source: &Value,
    destination: &Value,
    translator: &Translator<'_>,
    rules: &VariableRules,
    owner: Owner<'_>,
) -> Merge {
    let src_values = ScopeValues::of(source);
    let dst_values = ScopeValues::of(destination);
    let dst_rows = rows(destination);
    // Dimensions whose scoping on the destination is the destination's own.
    let leave_alone: BTreeSet<&str> = Dimension::ALL
        .into_iter()
        .filter(|d| d.policy(rules).is_some_and(|p| p.leaves_existing_alone()))
        .map(Dimension::field)
        .collect();
    let owned = |scope: &Scope| scope.key(|f| leave_alone.contains(f));

    let mut m = Merger {
        owner,
        rules,
        dst_values,
        decisions: vec![],
        cleanup: vec![],
        fatal: vec![],
    };

    // 1. Translate: a row whose scope or typed value the rules refuse is decided here.
    let mut candidates: Vec<Option<Candidate<'_>>> = Vec::new();
    let mut refused: Vec<Option<RowDecision>> = Vec::new();
    for row in rows(source) {
        match m.prepare(row, &src_values, translator) {
            Ok(c) => {
                candidates.push(Some(c));
                refused.push(None);
            }
            Err(d) => {
                candidates.push(None);
                refused.push(Some(*d));
            }
        }
    }

    // 2. Match.
    let entries: Vec<Option<Entry>> = candidates
        .iter()
        .map(|c| {
            c.as_ref().map(|c| Entry {
                identity: identity(&c.row),
                full: c.translated.scope.key(|_| false),
                owned: owned(&c.translated.scope),
                value: match &c.value {
                    ValueOutcome::Resolved(Some(v)) => Some(v.clone()),
                    ValueOutcome::Resolved(None) if !c.row.sensitive => Some(String::new()),
                    _ => None,
                },
                doc: c.row.doc,
            })
        })
        .collect();
    let dst_entries: Vec<Entry> = dst_rows
        .iter()
        .map(|r| Entry {
            identity: identity(r),
            full: r.scope.key(|_| false),
            owned: owned(&r.scope),
            value: (!r.sensitive).then(|| r.value().unwrap_or("").to_string()),
            doc: r.doc,
        })
        .collect();
    let matching = pair(&entries, &dst_entries);
    let rescopes = rescope_candidates(&matching, &entries, &dst_entries);

    // 3. Decide, in source order.
    let mut variables: Vec<Value> = dst_rows.iter().map(|r| r.doc.clone()).collect();
    let mut written: BTreeMap<RowKey, Written> = dst_rows
        .iter()
        .enumerate()
        .map(|(j, r)| (row_key(r.doc), Written::Destination(j)))
        .collect();
    for (i, candidate) in candidates.iter().enumerate() {
        if let Some(d) = refused[i].take() {
            m.push(d);
            continue;
        }
        let Some(c) = candidate else { continue };
        let Some(found) = &matching.sources[i] else { continue };
        match found {
            SourceMatch::Paired(j) => {
                let d = m.paired(c, &dst_rows[*j]);
                if let Some(after) = &d.after {
                    variables[*j] = after.clone();
                }
                m.push(d);
            }
            SourceMatch::Contested(js) => m.contested(c, js, &dst_rows),
            SourceMatch::Existing(js) => m.existing(c, js, &dst_rows),
            SourceMatch::New => {
                let rescope = rescopes.get(&i).map(|j| &dst_rows[*j]);
                if let Some(d) = rescope.and_then(|dst| m.rescoped(c, dst)) {
                    if let (Some(j), Some(after)) = (d.destination, &d.after) {
                        variables[j] = after.clone();
                    }
                    m.push(d);
                    continue;
                }
                if let Some(d) = m.clash(c, &dst_rows, &dst_entries, &entries[i]) {
                    m.push(d);
                    continue;
                }
                m.add(c, rescope, &mut variables, &mut written);
            }
        }
    }

    // 4. Every destination row no decision is about: kept.
    let about: BTreeSet<usize> = m.decisions.iter().filter_map(|d| d.destination).collect();
    for r in &dst_rows {
        if about.contains(&r.index) {
            continue;
        }
        let reason = match matching.claims[r.index] {
            Some(Claim::Contested) => {
                "left alone: one of several values with the same name and scope, which the source's value cannot be told apart from".to_string()
            }
            Some(Claim::Existing) => format!(
                "left alone: the destination's own value of a name the source has, scoped here as the destination decides ({})",
                m.leave_alone_rules()
            ),
            _ => "not on the source; kept (octosync never removes a destination value)".to_string(),
        };
        let mut d = RowDecision::new(r.name, m.label(r.name, &r.scope), Outcome::Keep, reason);
        d.destination = Some(r.index);
        d.destination_id = r.id().map(str::to_string);
        d.before = Some(r.doc.clone());
        m.push(d);
    }

    // The set's other fields copied, its variables compared where they stand (not copied first).
    let before = destination.get("Variables").unwrap_or(&Value::Null);
    let after = Value::Array(variables);
    let changed = !equivalent(before, &after);
    let mut document: serde_json::Map<String, Value> = destination
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(field, _)| *field != "Variables")
        .map(|(field, value)| (field.clone(), value.clone()))
        .collect();
    document.insert("Variables".into(), after);
    let document = Value::Object(document);
    let warnings = m.decisions.iter().flat_map(|d| d.warnings.clone()).collect();
    Merge {
        document,
        changed,
        decisions: m.decisions,
        cleanup: m.cleanup,
        warnings,
        fatal: m.fatal,
    }
}

/// What already holds a row of some key in the merged document.
#[derive(Debug, Clone, Copy)]
enum Written {
    /// A destination row.
    Destination(usize),
    /// A row added by this decision (its position in the decisions).
    Added(usize),
}

fn identity(row: &Row<'_>) -> Identity {
    Identity {
        name: row.name_key.clone(),
        sensitive: row.sensitive,
        type_key: row.type_key(),
    }
}

/// The key of a row as written: identity, whole scope, value (`null` and `""` alike).
fn row_key(doc: &Value) -> RowKey {
    let r = Row::read(0, doc);
    let value = doc.get("Value").and_then(Value::as_str).unwrap_or("").to_string();
    (identity(&r), r.scope.key(|_| false), value)
}

struct Merger<'a, 'r> {
    owner: Owner<'a>,
    rules: &'r VariableRules,
    dst_values: ScopeValues<'r>,
    decisions: Vec<RowDecision>,
    cleanup: Vec<CleanupItem>,
    fatal: Vec<String>,
}

impl<'r> Merger<'_, 'r> {
    fn push(&mut self, d: RowDecision) {
        self.decisions.push(d);
    }

    fn label(&self, name: &str, scope: &Scope) -> String {
        format!("{name} ({})", scope.describe(&self.dst_values))
    }

    /// The rules of the dimensions whose destination scoping is the destination's own.
    fn leave_alone_rules(&self) -> String {
        Dimension::ALL
            .into_iter()
            .filter(|d| d.policy(self.rules).is_some_and(|p| p.leaves_existing_alone()))
            .map(|d| d.rule(self.rules))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn overwrite(&self) -> String {
        format!("OCTOSYNC_VARIABLE_OVERWRITE={}", self.rules.overwrite.name())
    }

    fn clean_up(&mut self, label: &str, action: &str) {
        let item = CleanupItem {
            kind: self.owner.kind.to_string(),
            name: self.owner.name.to_string(),
            action: format!("variable {label}: {action}"),
        };
        if !self.cleanup.contains(&item) {
            self.cleanup.push(item);
        }
    }

    /// Translates a source row's scope and value, or decides it: skipped or fatal.
    fn prepare<'s>(
        &mut self,
        row: Row<'s>,
        src_values: &ScopeValues<'_>,
        translator: &Translator<'_>,
    ) -> Result<Candidate<'s>, Box<RowDecision>> {
        let label = format!("{} ({})", row.name, row.scope.describe(src_values));
        let refuse = |outcome: Outcome, reason: String| {
            let mut d = RowDecision::new(row.name, label.clone(), outcome, reason);
            d.sources = vec![row.index];
            d
        };
        let translated = match translate(&row.scope, src_values, &self.dst_values, self.rules) {
            ScopeOutcome::Keep(t) => t,
            ScopeOutcome::Unsupported(fields) => {
                let mut d = refuse(
                    Outcome::Skip,
                    format!(
                        "scoped to {}, which octosync does not translate; not synced",
                        fields.join(", ")
                    ),
                );
                d.warnings.push(format!(
                    "variable {label} not synced: its {} scope names items octosync does not translate; add it on the destination by hand",
                    fields.join(", ")
                ));
                return Err(Box::new(d));
            }
            ScopeOutcome::Skip { dimension, reason } => {
                let rule = dimension.rule(self.rules);
                let mut d = refuse(Outcome::Skip, format!("its {}: {reason} ({rule})", dimension.noun()));
                d.warnings.push(format!(
                    "variable {label} not synced rather than synced with another scope than the source's: create the missing {} on the destination, or change {}",
                    dimension.noun(),
                    dimension.setting().unwrap_or("the setting")
                ));
                return Err(Box::new(d));
            }
            ScopeOutcome::Error { dimension, reason } => {
                let rule = dimension.rule(self.rules);
                let message = format!("its {}: {reason} ({rule})", dimension.noun());
                self.fatal.push(format!(
                    "{} '{}': variable {label}: {message}",
                    self.owner.kind.to_lowercase(),
                    self.owner.name
                ));
                return Err(Box::new(refuse(Outcome::Error, message)));
            }
        };
        let value = value::translate(&row, translator, self.rules);
        match value {
            ValueOutcome::Skip { reason } => {
                let mut d = refuse(Outcome::Skip, reason);
                d.warnings.push(format!("variable {label} not synced: {}", d.reason));
                Err(Box::new(d))
            }
            ValueOutcome::Error { reason } => {
                self.fatal.push(format!(
                    "{} '{}': variable {label}: {reason}",
                    self.owner.kind.to_lowercase(),
                    self.owner.name
                ));
                Err(Box::new(refuse(Outcome::Error, reason)))
            }
            value => Ok(Candidate {
                row,
                source_label: label,
                translated,
                value,
            }),
        }
    }

    /// What translation dropped or widened, as lines for a decision.
    fn translation_notes(&self, c: &Candidate<'_>) -> Vec<String> {
        let label = &c.source_label;
        let mut out = Vec::new();
        for (d, names) in &c.translated.dropped {
            if c.translated.emptied.contains(d) {
                continue;
            }
            out.push(format!(
                "variable {label}: {} {} not on the destination, left out of its scope ({})",
                d.noun(),
                quoted(names),
                d.rule(self.rules)
            ));
        }
        for d in &c.translated.emptied {
            out.push(format!(
                "variable {label}: none of its {} exist on the destination, so it has no {} scope there and applies to every one of them ({})",
                d.noun(),
                d.field(),
                d.rule(self.rules)
            ));
        }
        out
    }

    /// A source row and the destination row with its identity and scope.
    fn paired(&mut self, c: &Candidate<'_>, dst: &Row<'_>) -> RowDecision {
        let label = self.label(dst.name, &dst.scope);
        let src = c.row.doc;
        let mut d = RowDecision::new(dst.name, label.clone(), Outcome::Unchanged, "");
        d.sources = vec![c.row.index];
        d.destination = Some(dst.index);
        d.destination_id = dst.id().map(str::to_string);
        d.before = Some(dst.doc.clone());
        d.notes = self.translation_notes(c);

        let same = |field: &str| {
            equivalent(
                src.get(field).unwrap_or(&Value::Null),
                dst.doc.get(field).unwrap_or(&Value::Null),
            )
        };
        let value_differs = match &c.value {
            ValueOutcome::Resolved(Some(v)) => !dst.sensitive && dst.value().unwrap_or("") != v,
            ValueOutcome::Resolved(None) => !dst.sensitive && !dst.value().unwrap_or("").is_empty(),
            _ => !dst.sensitive,
        };
        let mut differs: Vec<&str> = Vec::new();
        if value_differs {
            differs.push("value");
        }
        if !same("Description") {
            differs.push("description");
        }
        if !same("Prompt") {
            differs.push("prompt");
        }

        if self.rules.overwrite != VariableOverwrite::Overwrite {
            d.reason = if differs.is_empty() {
                "matches the destination".to_string()
            } else {
                format!(
                    "exists on the destination with another {}; left alone ({})",
                    differs.join(", "),
                    self.overwrite()
                )
            };
            if dst.sensitive {
                d.notes.push("sensitive: its value is never overwritten".into());
            }
            return d;
        }

        let mut after = dst.doc.clone();
        let typed = Typed::of(&c.row.type_name);
        if dst.sensitive {
            d.notes.push(format!(
                "variable {label} is sensitive on the destination: its value is never overwritten"
            ));
        } else if let Some(t) = typed.filter(|t| t.policy(self.rules).leaves_existing_alone()) {
            d.notes.push(format!(
                "variable {label} keeps its own {} ({})",
                t.noun(),
                t.rule(self.rules)
            ));
        } else {
            match &c.value {
                ValueOutcome::Unresolved { missing } => d.warnings.push(format!(
                    "variable {label} keeps its own value: the source's {missing} is not on the destination"
                )),
                ValueOutcome::Resolved(v) => {
                    after["Value"] = v.clone().map(Value::String).unwrap_or(Value::Null);
                }
                _ => {}
            }
        }
        for field in ["Description", "Prompt"] {
            after[field] = src.get(field).cloned().unwrap_or(Value::Null);
        }
        if equivalent(&after, dst.doc) {
            d.reason = if differs.is_empty() {
                "matches the destination".to_string()
            } else {
                format!("exists on the destination; its {} is kept", differs.join(", "))
            };
            return d;
        }
        d.outcome = Outcome::Update;
        d.reason = format!(
            "exists on the destination with another {}; takes the source's ({})",
            differs.join(", "),
            self.overwrite()
        );
        d.after = Some(after);
        d
    }

    /// A source row whose identity and scope several destination rows share.
    fn contested(&mut self, c: &Candidate<'_>, js: &[usize], dst_rows: &[Row<'_>]) {
        let label = self.label(c.row.name, &c.translated.scope);
        let mut d = RowDecision::new(c.row.name, label.clone(), Outcome::Unchanged, "");
        d.sources = vec![c.row.index];
        d.notes = self.translation_notes(c);
        let ids: Vec<String> = js
            .iter()
            .map(|j| dst_rows[*j].id().unwrap_or("?").to_string())
            .collect();
        let count = js.len();
        if self.rules.overwrite == VariableOverwrite::Overwrite {
            d.outcome = Outcome::Skip;
            d.reason = format!(
                "the destination has {count} values with this name and scope and none has the source's value, so which one it stands for cannot be told; all are left alone"
            );
            d.warnings.push(format!(
                "variable {label}: not overwritten: the destination has {count} values with this scope (ids {}) and which one the source's stands for cannot be told; make them one on the destination",
                ids.join(", ")
            ));
        } else {
            d.reason = format!(
                "the destination has {count} values with this name and scope; left alone ({})",
                self.overwrite()
            );
        }
        self.push(d);
    }

    /// A source row the destination has its own values of, scoped differently only where its
    /// scoping is its own.
    fn existing(&mut self, c: &Candidate<'_>, js: &[usize], dst_rows: &[Row<'_>]) {
        let label = self.label(c.row.name, &c.translated.scope);
        let mut d = RowDecision::new(c.row.name, label.clone(), Outcome::Unchanged, "");
        d.sources = vec![c.row.index];
        d.notes = self.translation_notes(c);
        let theirs: Vec<String> = js
            .iter()
            .map(|j| self.label(dst_rows[*j].name, &dst_rows[*j].scope))
            .collect();
        let rules: Vec<String> = Dimension::ALL
            .into_iter()
            .filter(|dim| dim.policy(self.rules).is_some_and(|p| p.leaves_existing_alone()))
            .filter(|dim| {
                js.iter()
                    .any(|j| dst_rows[*j].scope.get(dim.field()) != c.translated.scope.get(dim.field()))
            })
            .map(|dim| dim.rule(self.rules))
            .collect();
        d.reason = format!(
            "the destination has its own {}; left alone ({})",
            theirs.join(", "),
            rules.join(", ")
        );
        self.push(d);
    }

    /// The source row's scope changed: the destination row with its value follows, when the
    /// overwrite option allows and the one scope lies within the other.
    fn rescoped(&mut self, c: &Candidate<'_>, dst: &Row<'_>) -> Option<RowDecision> {
        if self.rules.overwrite != VariableOverwrite::Overwrite {
            return None;
        }
        // The destination's own scoping (left-alone dimensions, keys octosync does not translate)
        // stays; the rest follows the source.
        let mut scope = dst.scope.clone();
        for dim in Dimension::ALL {
            if !dim.policy(self.rules).is_some_and(|p| p.leaves_existing_alone()) {
                scope.set(dim.field(), c.translated.scope.get(dim.field()).to_vec());
            }
        }
        let narrower = scope.within(&dst.scope);
        let wider = dst.scope.within(&scope);
        if !narrower && !wider {
            return None;
        }
        let label = self.label(dst.name, &dst.scope);
        let mut after = dst.doc.clone();
        after["Scope"] = scope.to_json();
        for field in ["Description", "Prompt"] {
            after[field] = c.row.doc.get(field).cloned().unwrap_or(Value::Null);
        }
        let mut d = RowDecision::new(
            dst.name,
            label.clone(),
            Outcome::Update,
            format!(
                "its scope changed on the source: the destination's value with the same value moves from {} to {} ({})",
                dst.scope.describe(&self.dst_values),
                scope.describe(&self.dst_values),
                self.overwrite()
            ),
        );
        d.sources = vec![c.row.index];
        d.destination = Some(dst.index);
        d.destination_id = dst.id().map(str::to_string);
        d.before = Some(dst.doc.clone());
        d.after = Some(after);
        d.notes = self.translation_notes(c);
        if !narrower {
            d.warnings.push(format!(
                "variable {label}: its scope widens to {} as on the source, so it applies where it did not before",
                scope.describe(&self.dst_values)
            ));
        }
        Some(d)
    }

    /// A new source row that would sit next to a destination row of the same name and scope but of
    /// another sensitivity or type: two values for one scope make a deployment pick one at random.
    fn clash(
        &mut self,
        c: &Candidate<'_>,
        dst_rows: &[Row<'_>],
        dst_entries: &[Entry<'_>],
        e: &Option<Entry<'_>>,
    ) -> Option<RowDecision> {
        let e = e.as_ref()?;
        let j = dst_entries
            .iter()
            .position(|d| d.identity.name == e.identity.name && d.owned == e.owned && d.identity != e.identity)?;
        let dst = &dst_rows[j];
        let label = self.label(c.row.name, &c.translated.scope);
        let what = |sensitive: bool, t: &str| {
            if sensitive {
                "sensitive".to_string()
            } else {
                format!("a {t} value")
            }
        };
        let (ours, theirs) = (
            what(c.row.sensitive, &c.row.type_name),
            what(dst.sensitive, &dst.type_name),
        );
        let mut d = RowDecision::new(
            c.row.name,
            label.clone(),
            Outcome::Skip,
            format!(
                "the destination has it with this scope as {theirs} and the source's is {ours}; not added next to it, since two values for one scope make a deployment pick either"
            ),
        );
        d.sources = vec![c.row.index];
        d.warnings.push(format!(
            "variable {label} not synced: it is {ours} on the source and {theirs} on the destination"
        ));
        self.clean_up(
            &label,
            &format!("is {ours} on the source and {theirs} on the destination; change the destination's to match (octosync never changes a value's sensitivity or type)"),
        );
        Some(d)
    }

    /// A new row, written once however many source rows become it.
    fn add(
        &mut self,
        c: &Candidate<'_>,
        rescope: Option<&Row<'_>>,
        variables: &mut Vec<Value>,
        written: &mut BTreeMap<RowKey, Written>,
    ) {
        let (value, cleanup) = value::for_new_row(&c.row, &c.value, self.rules.overwrite);
        let mut row = c.row.doc.clone();
        if let Some(map) = row.as_object_mut() {
            map.remove("Id");
        }
        row["Scope"] = c.translated.scope.to_json();
        row["Value"] = value;
        let label = self.label(c.row.name, &c.translated.scope);
        match written.get(&row_key(&row)).copied() {
            Some(Written::Added(k)) => {
                let d = &mut self.decisions[k];
                d.sources.push(c.row.index);
                d.notes.push(format!(
                    "{} source values become this one row: the same name, scope and value after translation",
                    d.sources.len()
                ));
                return;
            }
            Some(Written::Destination(j)) => {
                let mut d = RowDecision::new(
                    c.row.name,
                    label,
                    Outcome::Unchanged,
                    "the destination already has this value with this scope",
                );
                d.sources = vec![c.row.index];
                d.destination = Some(j);
                d.before = variables.get(j).cloned();
                self.push(d);
                return;
            }
            None => {}
        }
        let mut d = RowDecision::new(c.row.name, label.clone(), Outcome::Add, "missing on the destination");
        d.sources = vec![c.row.index];
        d.warnings = self.translation_notes(c);
        if let Some(dst) = rescope {
            let (theirs, overwrite) = (self.label(dst.name, &dst.scope), self.overwrite());
            d.notes.push(if self.rules.overwrite == VariableOverwrite::Overwrite {
                format!("the destination's {theirs} has the same value, but neither scope lies within the other, so it is kept and this one is added")
            } else {
                format!("the destination's {theirs} has the same value and may be this one before its scope changed; it is kept ({overwrite}; True would move its scope instead)")
            });
        }
        if let Some(action) = cleanup {
            self.clean_up(&label, &action);
        }
        d.after = Some(row.clone());
        written.insert(row_key(&row), Written::Added(self.decisions.len()));
        variables.push(row);
        self.push(d);
    }
}
