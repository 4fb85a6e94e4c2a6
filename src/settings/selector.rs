//! Selectors: which items of a kind to sync, in the style of SpaceCloner's `…ToClone` parameters.
//!
//! Empty selects nothing, `all` selects everything, otherwise a list of names and wildcard patterns
//! (`*`, `?`, `[a-z]`) matched case-insensitively against the trimmed name; a `!` prefix excludes.

use globset::{Glob, GlobBuilder, GlobMatcher};

/// A compiled selector.
#[derive(Debug, Clone)]
pub struct Selector {
    include_all: bool,
    includes: Vec<GlobMatcher>,
    excludes: Vec<GlobMatcher>,
    text: String,
    /// For kinds whose items belong to another item (a project's channels): which owners.
    owner: Option<Box<Selector>>,
}

impl Selector {
    /// Selects nothing.
    pub fn none() -> Selector {
        Selector {
            include_all: false,
            includes: vec![],
            excludes: vec![],
            text: String::new(),
            owner: None,
        }
    }

    /// Selects everything.
    pub fn all() -> Selector {
        Selector {
            include_all: true,
            includes: vec![],
            excludes: vec![],
            text: "all".into(),
            owner: None,
        }
    }

    /// Compiles the items of a selector setting; an error names the bad pattern.
    pub fn parse(items: &[String]) -> Result<Selector, String> {
        let mut sel = Selector::none();
        sel.text = items.join(", ");
        for item in items {
            let (exclude, pattern) = match item.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, item.trim()),
            };
            if pattern.eq_ignore_ascii_case("all") {
                if exclude {
                    return Err("'!all' excludes everything; leave the setting empty instead".into());
                }
                sel.include_all = true;
                continue;
            }
            if pattern.is_empty() {
                return Err(format!("'{item}' has no name after '!'"));
            }
            let glob = compile(pattern)?;
            if exclude {
                sel.excludes.push(glob);
            } else {
                sel.includes.push(glob);
            }
        }
        // Only exclusions given: "everything except these" is what a person means.
        if sel.includes.is_empty() && !sel.excludes.is_empty() {
            sel.include_all = true;
        }
        Ok(sel)
    }

    /// True when the item with this name is selected.
    pub fn matches(&self, name: &str) -> bool {
        let name = name.trim();
        let included = self.include_all || self.includes.iter().any(|g| g.is_match(name));
        included && !self.excludes.iter().any(|g| g.is_match(name))
    }

    /// True when an item known by any of `keys` is selected: included when one key matches an
    /// include, excluded when one matches an exclusion (a tenant is known by its name and by
    /// each of its tags, so `Region/EU` selects the tenants tagged with it).
    pub fn matches_any<'k>(&self, keys: impl IntoIterator<Item = &'k str> + Clone) -> bool {
        let hit = |globs: &[GlobMatcher]| {
            keys.clone()
                .into_iter()
                .any(|k| globs.iter().any(|g| g.is_match(k.trim())))
        };
        (self.include_all || hit(&self.includes)) && !hit(&self.excludes)
    }

    /// This selector for items of the owners `owner` selects (a project's channels: the projects).
    pub fn within(mut self, owner: Selector) -> Selector {
        self.owner = Some(Box::new(owner));
        self
    }

    /// True when an item owned by `owner_name` is in scope as far as its owner goes.
    pub fn matches_owner(&self, owner_name: &str) -> bool {
        self.owner.as_ref().is_none_or(|o| o.matches(owner_name))
    }

    /// True when nothing can ever match (the kind is switched off).
    pub fn is_none(&self) -> bool {
        (!self.include_all && self.includes.is_empty()) || self.owner.as_ref().is_some_and(|o| o.is_none())
    }

    /// The selector as the user wrote it, for logs and reports.
    pub fn describe(&self) -> &str {
        if self.text.is_empty() {
            "(none)"
        } else {
            &self.text
        }
    }
}

fn compile(pattern: &str) -> Result<GlobMatcher, String> {
    GlobBuilder::new(pattern)
        .case_insensitive(true)
        .literal_separator(false)
        .backslash_escape(false)
        .build()
        .map(|g: Glob| g.compile_matcher())
        .map_err(|e| format!("'{pattern}' is not a valid name pattern: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(items: &[&str]) -> Selector {
        Selector::parse(&items.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn empty_selects_nothing() {
        let s = sel(&[]);
        assert!(s.is_none());
        assert!(!s.matches("Production"));
    }

    #[test]
    fn all_selects_everything_case_insensitively() {
        let s = sel(&["ALL"]);
        assert!(s.matches("anything"));
    }

    #[test]
    fn names_and_wildcards_match_case_insensitively() {
        let s = sel(&["AWS*", "?", "Global"]);
        assert!(s.matches("aws-prod"));
        assert!(s.matches("X"));
        assert!(s.matches("global"));
        assert!(!s.matches("Globals"));
        assert!(s.matches(" Global "));
    }

    #[test]
    fn names_with_slashes_still_match_a_star() {
        assert!(sel(&["Team*"]).matches("Team A/B"));
    }

    #[test]
    fn bang_excludes_and_exclusions_alone_mean_all_but() {
        let s = sel(&["all", "!Dev*"]);
        assert!(s.matches("Production"));
        assert!(!s.matches("Development"));
        let only_excl = sel(&["!Test"]);
        assert!(only_excl.matches("Production"));
        assert!(!only_excl.matches("test"));
    }

    #[test]
    fn bad_patterns_are_reported() {
        let err = Selector::parse(&["[abc".to_string()]).unwrap_err();
        assert!(err.contains("[abc"));
    }
}
