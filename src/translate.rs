//! The one translator: source id → name → destination id, for every kind, wherever an id appears.

use crate::kind::Kind;
use crate::snapshot::{id_of, name_of, Snapshot};

/// What became of one source id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Translation {
    /// The destination item with the same name.
    Mapped(String),
    /// The source item exists but the destination has nothing of that name.
    Missing {
        /// Kind of the item.
        kind: Kind,
        /// Its source name.
        name: String,
    },
    /// Not an id of a kind we know, or not in the source space.
    Unknown,
}

/// Maps ids between two snapshots by name.
#[derive(Debug, Clone, Copy)]
pub struct Translator<'a> {
    source: &'a Snapshot,
    destination: &'a Snapshot,
}

impl<'a> Translator<'a> {
    /// A translator from `source` to `destination`.
    pub fn new(source: &'a Snapshot, destination: &'a Snapshot) -> Translator<'a> {
        Translator { source, destination }
    }

    /// Translates one source id.
    pub fn translate(&self, id: &str) -> Translation {
        let Some(kind) = Kind::from_id(id) else {
            return Translation::Unknown;
        };
        let Some(src) = self.source.by_id(kind, id) else {
            return Translation::Unknown;
        };
        let name = name_of(src);
        match self.destination.by_name(kind, name) {
            Some(dest) => Translation::Mapped(id_of(dest).to_string()),
            None => Translation::Missing {
                kind,
                name: name.to_string(),
            },
        }
    }

    /// The source name behind a source id, for reports.
    pub fn source_name(&self, id: &str) -> Option<&'a str> {
        let kind = Kind::from_id(id)?;
        self.source.by_id(kind, id).map(name_of)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_map_by_name_across_instances() {
        let src = Snapshot::from_docs([(
            Kind::Environment,
            vec![
                json!({"Id": "Environments-3", "Name": "Production"}),
                json!({"Id": "Environments-4", "Name": "Test"}),
            ],
        )]);
        let dst = Snapshot::from_docs([(
            Kind::Environment,
            vec![json!({"Id": "Environments-700", "Name": "production"})],
        )]);
        let t = Translator::new(&src, &dst);
        assert_eq!(
            t.translate("Environments-3"),
            Translation::Mapped("Environments-700".into())
        );
        assert_eq!(
            t.translate("Environments-4"),
            Translation::Missing {
                kind: Kind::Environment,
                name: "Test".into()
            }
        );
        assert_eq!(t.translate("Environments-99"), Translation::Unknown);
        assert_eq!(t.translate("Machines-1"), Translation::Unknown);
    }
}
