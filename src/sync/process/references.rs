//! Ids held anywhere in an action (a property, a comma-separated list, JSON text, a package): each
//! translated by the one translator. An id octosync cannot translate is an error for the process,
//! never copied across, where it would name another item or nothing on the destination.

use crate::kind::Kind;
use crate::translate::{Translation, Translator};
use serde_json::Value;

/// Prefixes of ids a process refers to whose kinds the snapshot may not load (projects of
/// Deploy-a-Release steps, channels): they still look like ids and must never be copied.
const OTHER_PREFIXES: &[&str] = &["Projects", "Channels", "Runbooks"];

/// True for text shaped as a numbered Octopus id of a kind a process can refer to (`Feeds-12`).
pub fn looks_like_id(s: &str) -> bool {
    let Some((prefix, number)) = s.split_once('-') else {
        return false;
    };
    !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit())
        && (Kind::from_id(s).is_some() || OTHER_PREFIXES.iter().any(|p| p.eq_ignore_ascii_case(prefix)))
}

/// Translates the ids of one process, collecting what cannot be translated.
pub struct References<'t, 'a> {
    translator: &'t Translator<'a>,
    /// One message per id that has no translation.
    pub errors: Vec<String>,
}

impl<'t, 'a> References<'t, 'a> {
    /// A collector translating with `translator`.
    pub fn new(translator: &'t Translator<'a>) -> References<'t, 'a> {
        References {
            translator,
            errors: vec![],
        }
    }

    /// True when `s` is an id: of an item the source space has, or shaped as one.
    pub fn is_reference(&self, s: &str) -> bool {
        looks_like_id(s) || !matches!(self.translator.translate(s), Translation::Unknown)
    }

    /// One id, translated; an id without a translation is an error (the value is returned as it
    /// is, and the process is not written).
    pub fn id(&mut self, value: &str, what: &str) -> String {
        match self.translator.translate(value) {
            Translation::Mapped(id) => id,
            Translation::Missing { kind, name } => {
                let label = kind.label().to_lowercase();
                self.errors.push(format!(
                    "{what}: {label} '{name}' is not on the destination; sync the {label} (or select it) and run again"
                ));
                value.to_string()
            }
            Translation::Unknown if looks_like_id(value) => {
                self.errors.push(format!(
                    "{what}: '{value}' is an id octosync cannot translate to the destination's (the source has no such item, or its kind is not synced yet); it is never copied across"
                ));
                value.to_string()
            }
            Translation::Unknown => value.to_string(),
        }
    }

    /// A property's text: an id, a comma-separated list of ids (teams), JSON holding ids (a
    /// container definition, a package parameter), or text, kept as it is. JSON is rewritten only
    /// when an id in it changed.
    pub fn text(&mut self, s: &str, what: &str) -> String {
        if self.is_reference(s) {
            return self.id(s, what);
        }
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        if parts.len() > 1 && parts.iter().all(|p| self.is_reference(p)) {
            return parts.iter().map(|p| self.id(p, what)).collect::<Vec<_>>().join(",");
        }
        let trimmed = s.trim_start();
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            if let Ok(parsed) = serde_json::from_str::<Value>(s) {
                let translated = self.value(&parsed, what);
                if translated != parsed {
                    return translated.to_string();
                }
            }
        }
        s.to_string()
    }

    /// Every id inside a JSON value, translated (strings that are whole ids only: text around an
    /// id is a script or a template, not a reference).
    pub fn value(&mut self, value: &Value, what: &str) -> Value {
        match value {
            Value::String(s) if self.is_reference(s) => Value::String(self.id(s, what)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.value(v, what)).collect()),
            Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), self.value(v, what))).collect()),
            _ => value.clone(),
        }
    }
}

/// True when two property texts say the same: equal, or JSON equal as values (the destination's
/// spelling of an unchanged container definition is kept, so it is not rewritten every run).
pub fn same_text(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let parse = |s: &str| {
        serde_json::from_str::<Value>(s)
            .ok()
            .filter(|v| v.is_object() || v.is_array())
    };
    matches!((parse(a), parse(b)), (Some(x), Some(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::Snapshot;
    use serde_json::json;

    fn spaces() -> (Snapshot, Snapshot) {
        let src = Snapshot::from_docs([
            (
                Kind::Team,
                vec![
                    json!({"Id": "Teams-1", "Name": "Ops"}),
                    json!({"Id": "Teams-2", "Name": "Dev"}),
                ],
            ),
            (
                Kind::Feed,
                vec![json!({"Id": "Feeds-1", "Name": "Docker Hub", "FeedType": "Docker"})],
            ),
        ]);
        let dst = Snapshot::from_docs([
            (
                Kind::Team,
                vec![
                    json!({"Id": "Teams-10", "Name": "Ops"}),
                    json!({"Id": "Teams-20", "Name": "Dev"}),
                ],
            ),
            (
                Kind::Feed,
                vec![json!({"Id": "Feeds-7", "Name": "Docker Hub", "FeedType": "Docker"})],
            ),
        ]);
        (src, dst)
    }

    #[test]
    fn team_lists_and_feeds_inside_json_are_translated_and_text_is_left_alone() {
        let (src, dst) = spaces();
        let t = Translator::new(&src, &dst);
        let mut r = References::new(&t);
        assert_eq!(r.text("Teams-1, Teams-2", "teams"), "Teams-10,Teams-20");
        assert_eq!(
            r.text(r#"[{"Name":"web","Image":{"FeedId":"Feeds-1"}}]"#, "containers"),
            r#"[{"Image":{"FeedId":"Feeds-7"},"Name":"web"}]"#
        );
        let script = "Write-Host 'Feeds-1, Teams-1 are ids in prose'";
        assert_eq!(r.text(script, "script"), script);
        assert_eq!(r.text("#{Project.Feed}", "feed"), "#{Project.Feed}");
        assert!(r.errors.is_empty(), "{:?}", r.errors);
    }

    #[test]
    fn an_id_without_a_translation_is_an_error_and_never_a_guess() {
        let (src, dst) = spaces();
        let t = Translator::new(&src, &dst);
        let mut r = References::new(&t);
        r.text("Projects-4", "Deploy a Release project");
        r.text("Accounts-99", "account");
        assert_eq!(r.errors.len(), 2);
        assert!(r.errors[0].starts_with("Deploy a Release project: 'Projects-4' is an id octosync cannot translate"));
        // Text shaped like an id but not numbered is prose.
        assert_eq!(r.text("Environments-Setup", "x"), "Environments-Setup");
        assert_eq!(r.errors.len(), 2);
    }

    #[test]
    fn json_texts_that_differ_only_in_spelling_are_the_same() {
        assert!(same_text(r#"{"a": 1, "b": [2]}"#, r#"{"b":[2],"a":1}"#));
        assert!(!same_text(r#"{"a": 1}"#, r#"{"a": 2}"#));
        assert!(!same_text("1", "1.0"));
    }
}
