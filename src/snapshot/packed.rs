//! The documents items own, held as compact JSON text (see [`Packed`]).

use super::{drop_unused_links, id_of};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// The documents of an owned kind (variable sets, deployment and runbook processes), each held as
/// its compact JSON text and parsed when a stage asks for it. They are three quarters of a space's
/// JSON, and a parsed document takes five to seven times its text in memory (every object is a map
/// node however few keys it has); a stage needs one project's at a time. Texts are shared, so the
/// plan's copy of the destination copies pointers, not documents, when it first absorbs one.
#[derive(Debug, Clone, Default)]
pub struct Packed {
    texts: Vec<Arc<str>>,
    by_id: HashMap<String, usize>,
}

/// One document as [`Packed`] holds it: its id and its compact text.
pub struct PackedDoc {
    id: String,
    text: Arc<str>,
}

impl PackedDoc {
    /// Packs `doc`; of its `Links`, only `Logo` is kept, as a [`Collection`](super::Collection) keeps them.
    pub(super) fn of(mut doc: Value) -> PackedDoc {
        drop_unused_links(&mut doc);
        PackedDoc {
            id: id_of(&doc).to_string(),
            text: Arc::from(doc.to_string()),
        }
    }
}

impl Packed {
    /// Replaces the document with the same id, or appends it.
    pub(super) fn upsert(&mut self, doc: PackedDoc) {
        match self.by_id.get(&doc.id) {
            Some(&i) => self.texts[i] = doc.text,
            None => {
                self.by_id.insert(doc.id, self.texts.len());
                self.texts.push(doc.text);
            }
        }
    }

    /// How many documents it holds.
    pub(super) fn len(&self) -> usize {
        self.texts.len()
    }

    /// The document with this id, parsed.
    pub(super) fn by_id(&self, id: &str) -> Option<Value> {
        self.text(id).map(parse)
    }

    /// The text of the document with this id.
    pub(super) fn text(&self, id: &str) -> Option<&str> {
        self.by_id.get(id).map(|&i| &*self.texts[i])
    }

    /// Every document, parsed, in the order they were taken in.
    pub(super) fn all(&self) -> impl Iterator<Item = Value> + '_ {
        self.texts.iter().map(|t| parse(t))
    }
}

/// A packed document's text back as a document: it was written by `Value::to_string`, so it parses.
fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("a packed document is JSON written by serde_json")
}
