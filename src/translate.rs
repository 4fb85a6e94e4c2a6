//! The one translator: source id → name → destination id, for every kind, wherever an id appears.
//!
//! Names match, with two exceptions every stage and every later reference must agree on, so they
//! live here: an item every space has built in (the built-in feeds) stands for the destination's
//! built-in of the same role whatever either is called, and an item stands only for a destination
//! item it can replace (a feed only for a feed of the same type).

use crate::kind::Kind;
use crate::snapshot::{id_of, name_of, Snapshot};
use serde_json::Value;

/// The role of an item every space has built in, whatever its name: for feeds `BuiltIn` (the
/// package repository, `feeds-builtin`) and `OctopusProject` (releases, `feeds-builtin-releases`).
/// `None` for an item a person made.
pub fn built_in_role(kind: Kind, doc: &Value) -> Option<&'static str> {
    match kind {
        Kind::Feed => {
            let feed_type = doc.get("FeedType").and_then(Value::as_str).unwrap_or("");
            // Servers before 2019 call the built-in repository a NuGet feed (`octopus://`); its
            // fixed id still says what it is.
            match (feed_type, id_of(doc)) {
                ("BuiltIn", _) | (_, "feeds-builtin") => Some("BuiltIn"),
                ("OctopusProject", _) | (_, "feeds-builtin-releases") => Some("OctopusProject"),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The destination item the source item `src` of `kind` stands for: the destination's built-in
/// of the same role for a built-in, otherwise the item of the same name, unless that one is a
/// built-in or cannot replace it (a feed of another type).
pub fn counterpart<'d>(kind: Kind, src: &Value, destination: &'d Snapshot) -> Option<&'d Value> {
    if let Some(role) = built_in_role(kind, src) {
        return destination
            .items(kind)
            .iter()
            .find(|d| built_in_role(kind, d) == Some(role));
    }
    destination
        .by_name(kind, name_of(src))
        .filter(|d| built_in_role(kind, d).is_none() && same_type(kind, src, d))
}

/// True when `dest` is of the type `src` is, for kinds whose type decides what refers to them
/// (a step's Docker image cannot come from a NuGet feed).
fn same_type(kind: Kind, src: &Value, dest: &Value) -> bool {
    let field = match kind {
        Kind::Feed => "FeedType",
        _ => return true,
    };
    let of = |d: &Value| d.get(field).and_then(Value::as_str).unwrap_or("").to_ascii_lowercase();
    of(src) == of(dest)
}

/// What became of one source id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Translation {
    /// The destination item with the same name.
    Mapped(String),
    /// The source item exists but the destination has nothing of that name (or only an item it
    /// cannot stand for, see [`counterpart`]).
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
        match counterpart(kind, src, self.destination) {
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

    #[test]
    fn a_source_built_in_feed_maps_to_the_destinations_built_in_feed_of_its_type_whatever_its_name() {
        let src = Snapshot::from_docs([(
            Kind::Feed,
            vec![
                json!({"Id": "feeds-builtin", "Name": "Octopus Server (built-in)", "FeedType": "BuiltIn"}),
                json!({"Id": "feeds-builtin-releases", "Name": "Octopus Server Releases (built-in)", "FeedType": "OctopusProject"}),
            ],
        )]);
        // The destination's built-ins have other ids and names, and one external feed is called
        // what the source's built-in is called: the role decides, never the name.
        let dst = Snapshot::from_docs([(
            Kind::Feed,
            vec![
                json!({"Id": "Feeds-4", "Name": "Octopus Server (built-in)", "FeedType": "NuGet"}),
                json!({"Id": "Feeds-1", "Name": "Packages", "FeedType": "BuiltIn"}),
                json!({"Id": "Feeds-2", "Name": "Releases", "FeedType": "OctopusProject"}),
            ],
        )]);
        let t = Translator::new(&src, &dst);
        assert_eq!(t.translate("feeds-builtin"), Translation::Mapped("Feeds-1".into()));
        assert_eq!(
            t.translate("feeds-builtin-releases"),
            Translation::Mapped("Feeds-2".into())
        );
        // Without a built-in of that role on the destination, the reference cannot be satisfied.
        let bare = Snapshot::from_docs([(
            Kind::Feed,
            vec![json!({"Id": "Feeds-1", "Name": "Packages", "FeedType": "BuiltIn"})],
        )]);
        assert_eq!(
            Translator::new(&src, &bare).translate("feeds-builtin-releases"),
            Translation::Missing {
                kind: Kind::Feed,
                name: "Octopus Server Releases (built-in)".into()
            }
        );
    }

    #[test]
    fn a_feed_maps_only_to_a_namesake_of_its_own_type_and_never_to_a_built_in() {
        let src = Snapshot::from_docs([(
            Kind::Feed,
            vec![
                json!({"Id": "Feeds-1", "Name": "Images", "FeedType": "Docker"}),
                json!({"Id": "Feeds-2", "Name": "Packages", "FeedType": "NuGet"}),
                json!({"Id": "Feeds-3", "Name": "Charts", "FeedType": "Helm"}),
            ],
        )]);
        let dst = Snapshot::from_docs([(
            Kind::Feed,
            vec![
                json!({"Id": "Feeds-7", "Name": "images", "FeedType": "Docker"}),
                json!({"Id": "Feeds-8", "Name": "Packages", "FeedType": "BuiltIn"}),
                json!({"Id": "Feeds-9", "Name": "Charts", "FeedType": "NuGet"}),
            ],
        )]);
        let t = Translator::new(&src, &dst);
        assert_eq!(t.translate("Feeds-1"), Translation::Mapped("Feeds-7".into()));
        for (id, name) in [("Feeds-2", "Packages"), ("Feeds-3", "Charts")] {
            assert_eq!(
                t.translate(id),
                Translation::Missing {
                    kind: Kind::Feed,
                    name: name.into()
                }
            );
        }
    }
}
