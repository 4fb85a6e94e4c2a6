//! The scope policy: what happens when a list of references (environments of a phase, later the scopes
//! of steps and variables) names items the destination does not have.
//!
//! The options are SpaceCloner's, which users already know (`spacecloner.md` §1.4).

use crate::translate::{Translation, Translator};

/// How to treat references the destination cannot satisfy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchPolicy {
    /// Stop the run unless every reference exists.
    ErrorUnlessExactMatch,
    /// Skip the item unless every reference exists.
    SkipUnlessExactMatch,
    /// Keep what matches; stop the run when nothing matches.
    ErrorUnlessPartialMatch,
    /// Keep what matches; skip the item when nothing matches.
    SkipUnlessPartialMatch,
    /// Keep what matches, even when that leaves nothing.
    IgnoreMismatch,
}

impl MatchPolicy {
    /// Names as settings spell them.
    pub const NAMES: &'static [&'static str] = &[
        "ErrorUnlessExactMatch",
        "SkipUnlessExactMatch",
        "ErrorUnlessPartialMatch",
        "SkipUnlessPartialMatch",
        "IgnoreMismatch",
    ];

    /// Parses a canonical name from [`MatchPolicy::NAMES`].
    pub fn from_name(name: &str) -> Option<MatchPolicy> {
        Some(match name {
            "ErrorUnlessExactMatch" => MatchPolicy::ErrorUnlessExactMatch,
            "SkipUnlessExactMatch" => MatchPolicy::SkipUnlessExactMatch,
            "ErrorUnlessPartialMatch" => MatchPolicy::ErrorUnlessPartialMatch,
            "SkipUnlessPartialMatch" => MatchPolicy::SkipUnlessPartialMatch,
            "IgnoreMismatch" => MatchPolicy::IgnoreMismatch,
            _ => return None,
        })
    }
}

/// The result of translating a reference list under a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListOutcome {
    /// Use these destination ids; `dropped` names the source references that had no match.
    Keep { ids: Vec<String>, dropped: Vec<String> },
    /// Leave the item out; the reason says which references were missing.
    Skip { reason: String },
    /// The policy says the run must stop.
    Error { reason: String },
}

/// Translates source ids to destination ids and applies `policy` to whatever is missing.
///
/// An empty source list stays empty (unscoped stays unscoped).
pub fn translate_list(translator: &Translator<'_>, ids: &[String], policy: MatchPolicy) -> ListOutcome {
    translate_with(ids, policy, |id| translator.translate(id))
}

/// Like [`translate_list`] for tenant tags held by canonical name (`Set/Tag`).
pub fn translate_tag_list(translator: &Translator<'_>, tags: &[String], policy: MatchPolicy) -> ListOutcome {
    translate_with(tags, policy, |tag| translator.translate_tag(tag))
}

fn translate_with(ids: &[String], policy: MatchPolicy, translate: impl Fn(&str) -> Translation) -> ListOutcome {
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for id in ids {
        match translate(id) {
            Translation::Mapped(dest) => kept.push(dest),
            Translation::Missing { name, .. } => dropped.push(name),
            Translation::Unknown => dropped.push(id.clone()),
        }
    }
    if dropped.is_empty() {
        return ListOutcome::Keep { ids: kept, dropped };
    }
    let missing = dropped.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ");
    let what = format!("{missing} not found on the destination");
    match policy {
        MatchPolicy::ErrorUnlessExactMatch => ListOutcome::Error { reason: what },
        MatchPolicy::SkipUnlessExactMatch => ListOutcome::Skip { reason: what },
        MatchPolicy::ErrorUnlessPartialMatch if kept.is_empty() => ListOutcome::Error { reason: what },
        MatchPolicy::SkipUnlessPartialMatch if kept.is_empty() => ListOutcome::Skip { reason: what },
        _ => ListOutcome::Keep { ids: kept, dropped },
    }
}
