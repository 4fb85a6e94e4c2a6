//! Which destination row each source row stands for: identity first, then duplicates told apart by
//! value, then (as a candidate only) a row whose scope changed on the source. Everything here is
//! computed from sets and sorted keys, never from the order of the rows, and only against the
//! destination as it was read: nothing added in this run is matched.

use super::scope::ScopeKey;
use serde_json::Value;
use std::collections::BTreeMap;

/// The identity of a row apart from its scope: name (trimmed, case-insensitive), sensitivity, type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Identity {
    /// Name as names compare.
    pub name: String,
    /// Sensitive or not.
    pub sensitive: bool,
    /// `Type`, lower-cased.
    pub type_key: String,
}

/// A row as matching sees it.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// Name, sensitivity, type.
    pub identity: Identity,
    /// The whole scope (translated, for a source row).
    pub full: ScopeKey,
    /// The scope on the dimensions the source decides: every key but those whose mode is
    /// `IgnoreMismatchOnNewLeaveExistingAlone` (the destination's own there).
    pub owned: ScopeKey,
    /// The value as values compare (a typed value as a destination id); `None` when it cannot be
    /// known (sensitive) or has no destination counterpart.
    pub value: Option<String>,
    /// The row's whole document: its text orders duplicates the same way whatever order they come
    /// in (written out only for a group of duplicates; most rows have none).
    pub doc: &'a Value,
}

/// What a source row stands for on the destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceMatch {
    /// This destination row: same identity and scope (and, among duplicates, same value).
    Paired(usize),
    /// Several destination rows share its identity and scope and none is told apart by value.
    Contested(Vec<usize>),
    /// No row with its scope, but these share its identity and its scope on every dimension the
    /// source decides: the destination's own values, left alone.
    Existing(Vec<usize>),
    /// Nothing on the destination stands for it.
    New,
}

/// Why a destination row is spoken for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// A source row pairs with it.
    Paired,
    /// It is one of several rows a source row cannot be told apart from.
    Contested,
    /// A source row differs from it only where the destination's scoping is its own.
    Existing,
}

/// The outcome of matching a source set against a destination set.
#[derive(Debug, Clone)]
pub struct Matching {
    /// Per source row (`None` for rows left out before matching).
    pub sources: Vec<Option<SourceMatch>>,
    /// Per destination row: spoken for by a source row, or free.
    pub claims: Vec<Option<Claim>>,
}

/// Pairs source rows with destination rows.
///
/// Rows pair when their identity and whole scope are equal. Where several rows on one side share
/// these, equal values pair first (duplicates such as one name with two values left unscoped);
/// one row left on each side then pairs too (its value changed); more than one left on both sides
/// is contested, never guessed at.
pub fn pair(sources: &[Option<Entry<'_>>], destinations: &[Entry<'_>]) -> Matching {
    let mut out = Matching {
        sources: vec![None; sources.len()],
        claims: vec![None; destinations.len()],
    };
    type Group = (Vec<usize>, Vec<usize>);
    let mut groups: BTreeMap<(&Identity, &ScopeKey), Group> = BTreeMap::new();
    for (i, e) in sources.iter().enumerate() {
        if let Some(e) = e {
            groups.entry((&e.identity, &e.full)).or_default().0.push(i);
        }
    }
    for (j, e) in destinations.iter().enumerate() {
        groups.entry((&e.identity, &e.full)).or_default().1.push(j);
    }
    let source = |i: usize| sources[i].as_ref().expect("grouped rows are entries");
    for (mut s, mut d) in groups.into_values() {
        if s.len() > 1 {
            s.sort_by_cached_key(|i| source(*i).doc.to_string());
        }
        if d.len() > 1 {
            d.sort_by_cached_key(|j| destinations[*j].doc.to_string());
        }
        let mut left = Vec::new();
        for i in s {
            let same_value = source(i)
                .value
                .as_ref()
                .and_then(|v| d.iter().position(|j| destinations[*j].value.as_ref() == Some(v)));
            match same_value {
                Some(pos) => {
                    let j = d.remove(pos);
                    out.sources[i] = Some(SourceMatch::Paired(j));
                    out.claims[j] = Some(Claim::Paired);
                }
                None => left.push(i),
            }
        }
        match (left.as_slice(), d.as_slice()) {
            ([i], [j]) => {
                out.sources[*i] = Some(SourceMatch::Paired(*j));
                out.claims[*j] = Some(Claim::Paired);
            }
            (_, []) => {
                for i in left {
                    out.sources[i] = Some(SourceMatch::New);
                }
            }
            ([], _) => {}
            (_, _) => {
                d.sort_unstable();
                for j in &d {
                    out.claims[*j] = Some(Claim::Contested);
                }
                for i in left {
                    out.sources[i] = Some(SourceMatch::Contested(d.clone()));
                }
            }
        }
    }
    // A new row whose scope differs from destination rows only where the destination's own
    // scoping is left alone is not new: the destination has its own values of it.
    for (i, e) in sources.iter().enumerate() {
        let Some(e) = e else { continue };
        if out.sources[i] != Some(SourceMatch::New) {
            continue;
        }
        let existing: Vec<usize> = destinations
            .iter()
            .enumerate()
            .filter(|(_, d)| d.identity == e.identity && d.owned == e.owned && d.full != e.full)
            .map(|(j, _)| j)
            .collect();
        if !existing.is_empty() {
            for j in &existing {
                out.claims[*j].get_or_insert(Claim::Existing);
            }
            out.sources[i] = Some(SourceMatch::Existing(existing));
        }
    }
    out
}

/// Source rows left new that have exactly one free destination row with the same name, type and
/// (non-empty, non-sensitive) value, and are the only such source row: the same row, whose scope
/// changed on the source. Whether it follows is the overwrite option's decision.
pub fn rescope_candidates(
    m: &Matching,
    sources: &[Option<Entry<'_>>],
    destinations: &[Entry<'_>],
) -> BTreeMap<usize, usize> {
    type Group = (Vec<usize>, Vec<usize>);
    let mut groups: BTreeMap<(&Identity, &str), Group> = BTreeMap::new();
    fn key<'e>(e: &'e Entry<'_>) -> Option<&'e str> {
        (!e.identity.sensitive)
            .then_some(e.value.as_deref())
            .flatten()
            .filter(|v| !v.is_empty())
    }
    for (i, e) in sources.iter().enumerate() {
        let Some(e) = e else { continue };
        if m.sources[i] != Some(SourceMatch::New) {
            continue;
        }
        if let Some(v) = key(e) {
            groups.entry((&e.identity, v)).or_default().0.push(i);
        }
    }
    for (j, e) in destinations.iter().enumerate() {
        if m.claims[j].is_some() {
            continue;
        }
        if let Some(v) = key(e) {
            groups.entry((&e.identity, v)).or_default().1.push(j);
        }
    }
    groups
        .into_values()
        .filter_map(|(s, d)| match (s.as_slice(), d.as_slice()) {
            ([i], [j]) => Some((*i, *j)),
            _ => None,
        })
        .collect()
}
