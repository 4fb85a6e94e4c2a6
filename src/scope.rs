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
    /// As [`MatchPolicy::IgnoreMismatch`] for what is new; what the destination already has keeps
    /// its own references (a variable value with the same name is left alone whatever its scope on
    /// this dimension). Items octosync never updates treat it exactly as `IgnoreMismatch`.
    IgnoreMismatchOnNewLeaveExistingAlone,
}

impl MatchPolicy {
    /// Names as settings spell them.
    pub const NAMES: &'static [&'static str] = &[
        "ErrorUnlessExactMatch",
        "SkipUnlessExactMatch",
        "ErrorUnlessPartialMatch",
        "SkipUnlessPartialMatch",
        "IgnoreMismatch",
        "IgnoreMismatchOnNewLeaveExistingAlone",
    ];

    /// Parses a canonical name from [`MatchPolicy::NAMES`].
    pub fn from_name(name: &str) -> Option<MatchPolicy> {
        Some(match name {
            "ErrorUnlessExactMatch" => MatchPolicy::ErrorUnlessExactMatch,
            "SkipUnlessExactMatch" => MatchPolicy::SkipUnlessExactMatch,
            "ErrorUnlessPartialMatch" => MatchPolicy::ErrorUnlessPartialMatch,
            "SkipUnlessPartialMatch" => MatchPolicy::SkipUnlessPartialMatch,
            "IgnoreMismatch" => MatchPolicy::IgnoreMismatch,
            "IgnoreMismatchOnNewLeaveExistingAlone" => MatchPolicy::IgnoreMismatchOnNewLeaveExistingAlone,
            _ => return None,
        })
    }

    /// The canonical name, as settings spell it and messages quote it.
    pub fn name(self) -> &'static str {
        match self {
            MatchPolicy::ErrorUnlessExactMatch => "ErrorUnlessExactMatch",
            MatchPolicy::SkipUnlessExactMatch => "SkipUnlessExactMatch",
            MatchPolicy::ErrorUnlessPartialMatch => "ErrorUnlessPartialMatch",
            MatchPolicy::SkipUnlessPartialMatch => "SkipUnlessPartialMatch",
            MatchPolicy::IgnoreMismatch => "IgnoreMismatch",
            MatchPolicy::IgnoreMismatchOnNewLeaveExistingAlone => "IgnoreMismatchOnNewLeaveExistingAlone",
        }
    }

    /// True for the mode that leaves what the destination already has alone.
    pub fn leaves_existing_alone(self) -> bool {
        self == MatchPolicy::IgnoreMismatchOnNewLeaveExistingAlone
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
    translate_by(ids, policy, |id| match translate(id) {
        Translation::Mapped(dest) => Ok(dest),
        Translation::Missing { name, .. } => Err(name),
        Translation::Unknown => Err(id.to_string()),
    })
}

/// Like [`translate_list`] for references looked up elsewhere than in the space snapshots (a
/// variable set's own `ScopeValues`): `lookup` gives the destination reference, or the name to
/// report as missing.
pub fn translate_by(
    ids: &[String],
    policy: MatchPolicy,
    lookup: impl Fn(&str) -> Result<String, String>,
) -> ListOutcome {
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for id in ids {
        match lookup(id) {
            Ok(dest) => kept.push(dest),
            Err(name) => dropped.push(name),
        }
    }
    if dropped.is_empty() {
        return ListOutcome::Keep { ids: kept, dropped };
    }
    let what = format!("{} not found on the destination", quoted(&dropped));
    match policy {
        MatchPolicy::ErrorUnlessExactMatch => ListOutcome::Error { reason: what },
        MatchPolicy::SkipUnlessExactMatch => ListOutcome::Skip { reason: what },
        MatchPolicy::ErrorUnlessPartialMatch if kept.is_empty() => ListOutcome::Error { reason: what },
        MatchPolicy::SkipUnlessPartialMatch if kept.is_empty() => ListOutcome::Skip { reason: what },
        _ => ListOutcome::Keep { ids: kept, dropped },
    }
}

/// Names as messages list them: `'Development', 'Test'`.
pub fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mode_parses_from_its_own_name() {
        for name in MatchPolicy::NAMES {
            assert_eq!(MatchPolicy::from_name(name).map(MatchPolicy::name), Some(*name));
        }
        assert_eq!(MatchPolicy::NAMES.len(), 6);
        assert_eq!(
            MatchPolicy::from_name("ignoremismatch"),
            None,
            "settings canonicalise first"
        );
    }

    #[test]
    fn leave_existing_alone_translates_a_list_as_ignore_mismatch_does() {
        let lookup = |id: &str| {
            if id == "a" {
                Ok("A".to_string())
            } else {
                Err(id.to_uppercase())
            }
        };
        let ids = vec!["a".to_string(), "b".to_string()];
        let none = vec!["b".to_string()];
        for list in [&ids, &none] {
            assert_eq!(
                translate_by(list, MatchPolicy::IgnoreMismatchOnNewLeaveExistingAlone, lookup),
                translate_by(list, MatchPolicy::IgnoreMismatch, lookup)
            );
        }
        assert_eq!(
            translate_by(&none, MatchPolicy::IgnoreMismatch, lookup),
            ListOutcome::Keep {
                ids: vec![],
                dropped: vec!["B".into()]
            }
        );
        assert!(matches!(
            translate_by(&none, MatchPolicy::SkipUnlessPartialMatch, lookup),
            ListOutcome::Skip { .. }
        ));
    }
}
