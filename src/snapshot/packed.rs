//! The documents items own, held as compact JSON text (see [`Packed`]).

use super::{drop_unused_links, id_of, strip_fields};
use crate::octopus::RawItem;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// The documents of an owned kind (variable sets, deployment and runbook processes), each held as
/// its compact JSON text and parsed when a stage asks for it. They are three quarters of a space's
/// JSON, and a parsed document takes five to seven times its text in memory (every object is a map
/// node however few keys it has); a stage needs one project's at a time. Documents read from a
/// server are taken as the text it sent (never parsed whole at load), so what the snapshot leaves
/// out of them is left out when one is parsed. Texts are shared, so the plan's copy of the
/// destination copies pointers, not documents, when it first absorbs an owned document.
#[derive(Debug, Clone, Default)]
pub struct Packed {
    docs: Vec<Text>,
    by_id: HashMap<String, usize>,
}

/// One packed document's text and the fields it still holds that the snapshot leaves out.
#[derive(Debug, Clone)]
struct Text {
    text: Arc<str>,
    /// Fields to remove when it is parsed (see `Kind::owned_fields_unused`); links but `Logo` always go.
    unused: &'static [&'static str],
}

/// One document as [`Packed`] holds it: its id and its compact text.
pub struct PackedDoc {
    id: String,
    text: Text,
}

impl PackedDoc {
    /// Packs `doc`; of its `Links`, only `Logo` is kept, as a [`Collection`](super::Collection) keeps them.
    pub(super) fn of(mut doc: Value) -> PackedDoc {
        drop_unused_links(&mut doc);
        PackedDoc {
            id: id_of(&doc).to_string(),
            text: Text {
                text: Arc::from(doc.to_string()),
                unused: &[],
            },
        }
    }

    /// Packs a document as a server wrote it, without parsing it: `unused` are removed when it is.
    pub(super) fn from_text(item: RawItem, unused: &'static [&'static str]) -> PackedDoc {
        // A raw line break is never inside a JSON string, so text without one has no indentation
        // worth removing (the common case is found by one fast search, not a walk of every byte).
        let text = if item.text.contains('\n') {
            Arc::from(compact(&item.text))
        } else {
            Arc::from(item.text)
        };
        PackedDoc {
            id: item.id,
            text: Text { text, unused },
        }
    }
}

impl Packed {
    /// Replaces the document with the same id, or appends it.
    pub(super) fn upsert(&mut self, doc: PackedDoc) {
        match self.by_id.get(&doc.id) {
            Some(&i) => self.docs[i] = doc.text,
            None => {
                self.by_id.insert(doc.id, self.docs.len());
                self.docs.push(doc.text);
            }
        }
    }

    /// How many documents it holds.
    pub(super) fn len(&self) -> usize {
        self.docs.len()
    }

    /// The document with this id, parsed.
    pub(super) fn by_id(&self, id: &str) -> Option<Value> {
        self.by_id.get(id).map(|&i| self.docs[i].parse())
    }

    /// The text of the document with this id (for reading a few named fields of it).
    pub(super) fn text(&self, id: &str) -> Option<&str> {
        self.by_id.get(id).map(|&i| &*self.docs[i].text)
    }

    /// Every document, parsed, in the order they were taken in.
    pub(super) fn all(&self) -> impl Iterator<Item = Value> + '_ {
        self.docs.iter().map(Text::parse)
    }
}

impl Text {
    /// The document back as a document, without what the snapshot leaves out. Its text is JSON:
    /// written by `Value::to_string`, or a server's answer that parsed as JSON when it was read.
    fn parse(&self) -> Value {
        let mut doc = serde_json::from_str(&self.text).expect("a packed document is JSON");
        drop_unused_links(&mut doc);
        strip_fields(&mut doc, self.unused);
        doc
    }
}

/// `json` without the whitespace between its tokens (a server may indent its answers); strings
/// are kept byte for byte. Only ASCII bytes are removed, so the result is as valid UTF-8 as `json`.
fn compact(json: &str) -> String {
    let bytes = json.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b' ' | b'\n' | b'\r' | b'\t' => at += 1,
            b'"' => {
                // A string is copied whole: up to the first quote no backslash escapes.
                let mut end = at + 1;
                while let Some(i) = bytes
                    .get(end..)
                    .and_then(|rest| rest.iter().position(|&b| b == b'"' || b == b'\\'))
                {
                    end += i;
                    if bytes[end] == b'"' {
                        break;
                    }
                    end += 2;
                }
                let end = (end + 1).min(bytes.len());
                out.extend_from_slice(&bytes[at..end]);
                at = end;
            }
            _ => {
                let run = bytes[at..]
                    .iter()
                    .position(|&b| matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'"'))
                    .unwrap_or(bytes.len() - at);
                out.extend_from_slice(&bytes[at..at + run]);
                at += run;
            }
        }
    }
    String::from_utf8(out).expect("only ASCII whitespace was removed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_indented_answer_is_held_compact_with_its_strings_untouched() {
        let text = "{\n  \"Id\": \"VariableSets-1\",\n  \"Value\": \"a \\\" b\\\\\",\n  \"Note\": \"tab\\t and  spaces é\",\n  \"Links\": {\"Self\": \"/x\", \"Logo\": \"/l\"}\n}";
        let doc = PackedDoc::from_text(
            RawItem {
                id: "VariableSets-1".into(),
                text: text.into(),
            },
            &["Note"],
        );
        assert_eq!(
            &*doc.text.text,
            r#"{"Id":"VariableSets-1","Value":"a \" b\\","Note":"tab\t and  spaces é","Links":{"Self":"/x","Logo":"/l"}}"#
        );
        let mut packed = Packed::default();
        packed.upsert(doc);
        assert_eq!(
            packed.by_id("VariableSets-1").unwrap(),
            serde_json::json!({"Id": "VariableSets-1", "Value": "a \" b\\", "Links": {"Logo": "/l"}})
        );
    }
}
