//! The one translator: source id → name → destination id, for every kind, wherever an id appears.
//!
//! Names match, with two exceptions every stage and every later reference must agree on, so they
//! live here: an item every space has built in (the built-in feeds) stands for the destination's
//! built-in of the same role whatever either is called, and an item stands only for a destination
//! item it can replace (a feed only for a feed of the same type).

use crate::kind::Kind;
use crate::rules::NameMap;
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

/// True when `dest` is of the type `src` is, for kinds whose type decides what refers to them
/// (a step's Docker image cannot come from a NuGet feed).
fn same_type(kind: Kind, src: &Value, dest: &Value) -> bool {
    let field = match kind {
        Kind::Feed => "FeedType",
        Kind::Account => "AccountType",
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
    /// cannot stand for, see [`Translator::counterpart`]).
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
    names: Option<&'a NameMap>,
}

impl<'a> Translator<'a> {
    /// A translator from `source` to `destination`.
    pub fn new(source: &'a Snapshot, destination: &'a Snapshot) -> Translator<'a> {
        Translator {
            source,
            destination,
            names: None,
        }
    }

    /// This translator matching the items `names` maps by their destination names.
    pub fn with_names(mut self, names: &'a NameMap) -> Translator<'a> {
        self.names = Some(names);
        self
    }

    /// The name the destination item standing for the source item `name` of `kind` has.
    pub fn destination_name<'n>(&self, kind: Kind, name: &'n str) -> &'n str
    where
        'a: 'n,
    {
        match self.names {
            Some(names) => names.destination_name(kind, name),
            None => name,
        }
    }

    /// Translates one source id.
    pub fn translate(&self, id: &str) -> Translation {
        let Some((kind, src)) = self.source.find_by_id(id) else {
            return Translation::Unknown;
        };
        match self.counterpart(kind, src) {
            Counterpart::Found(dest) => Translation::Mapped(id_of(dest).to_string()),
            Counterpart::Missing | Counterpart::ClaimedDefault(_) => Translation::Missing {
                kind,
                name: name_of(src).to_string(),
            },
        }
    }

    /// The destination item that stands for the source item `src` of `kind`: the item of the same
    /// name, except for kinds with a space default ([`Kind::has_space_default`]), where the
    /// source's default is the destination's default whatever either is called. A destination
    /// without a default (never seen on a real server) falls back to the name.
    pub fn counterpart(&self, kind: Kind, src: &Value) -> Counterpart<'a> {
        // A built-in (a feed every space has) stands for the destination's built-in of its role.
        if let Some(role) = built_in_role(kind, src) {
            return match self
                .destination
                .items(kind)
                .iter()
                .find(|d| built_in_role(kind, d) == Some(role))
            {
                Some(dest) => Counterpart::Found(dest),
                None => Counterpart::Missing,
            };
        }
        if let Some((field, owner_kind)) = kind.owner() {
            return self.owned_counterpart(kind, src, field, owner_kind);
        }
        if kind.has_space_default() && is_default(src) {
            if let Some(dest) = default_of(self.destination, kind) {
                return Counterpart::Found(dest);
            }
        }
        match self
            .destination
            .by_name(kind, self.destination_name(kind, name_of(src)))
        {
            None => Counterpart::Missing,
            // A same-named built-in is the destination's own; an item of another type (a Docker
            // feed for a NuGet one) cannot stand for the source's either.
            Some(dest) if built_in_role(kind, dest).is_some() => Counterpart::ClaimedDefault(dest),
            Some(dest) if !same_type(kind, src, dest) => Counterpart::Missing,
            // The destination's default already stands for the source's own default; matching a
            // second source item to it by name would merge two items into one.
            Some(dest)
                if kind.has_space_default()
                    && is_default(dest)
                    && !is_default(src)
                    && default_of(self.source, kind).is_some() =>
            {
                Counterpart::ClaimedDefault(dest)
            }
            Some(dest) => Counterpart::Found(dest),
        }
    }

    /// The counterpart of an item that belongs to another (a project's channel): among the items
    /// of the owner's counterpart, the default for the default (whatever either is called), else
    /// the one of the same name.
    fn owned_counterpart(&self, kind: Kind, src: &Value, field: &str, owner_kind: Kind) -> Counterpart<'a> {
        let owner = self
            .source
            .by_id(owner_kind, crate::sync::document::str_field(src, field))
            .and_then(|o| self.counterpart(owner_kind, o).found());
        let Some(owner) = owner else {
            return Counterpart::Missing;
        };
        let mut theirs = self.destination.owned_by(kind, id_of(owner));
        let found = if is_default(src) {
            theirs.find(|d| is_default(d))
        } else {
            let name = crate::snapshot::name_key(name_of(src));
            theirs.find(|d| crate::snapshot::name_key(name_of(d)) == name && !is_default(d))
        };
        found.map_or(Counterpart::Missing, Counterpart::Found)
    }

    /// Translates a tenant tag's canonical name (`Set/Tag`, as accounts, targets and steps hold
    /// tags) to the destination's spelling of it, when the destination has a tag set of that name
    /// holding a tag of that name.
    pub fn translate_tag(&self, canonical: &str) -> Translation {
        let Some((set_name, tag_name)) = canonical.split_once('/') else {
            return Translation::Unknown;
        };
        let missing = || Translation::Missing {
            kind: Kind::TagSet,
            name: canonical.to_string(),
        };
        let Some(set) = self.destination.by_name(Kind::TagSet, set_name) else {
            return missing();
        };
        let key = crate::snapshot::name_key(tag_name);
        set.get("Tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|t| crate::snapshot::name_key(name_of(t)) == key)
            .map(|t| Translation::Mapped(format!("{}/{}", name_of(set), name_of(t))))
            .unwrap_or_else(missing)
    }

    /// The destination snapshot it translates into (a step template's version, a channel list).
    pub fn destination(&self) -> &'a Snapshot {
        self.destination
    }

    /// The source name behind a source id, for reports.
    pub fn source_name(&self, id: &str) -> Option<&'a str> {
        self.source.find_by_id(id).map(|(_, d)| name_of(d))
    }
}

/// What stands for a source item on the destination.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Counterpart<'a> {
    /// This destination item.
    Found(&'a Value),
    /// Nothing: the item is new to the destination.
    Missing,
    /// The same-named destination item is the destination's default (which the source's own
    /// default already stands for) or one of its built-ins; the source item has no counterpart and
    /// cannot be created under its name either.
    ClaimedDefault(&'a Value),
}

impl<'a> Counterpart<'a> {
    /// The destination item, when there is one to match.
    pub fn found(self) -> Option<&'a Value> {
        match self {
            Counterpart::Found(d) => Some(d),
            _ => None,
        }
    }
}

/// True for the space's default item (`IsDefault`).
pub fn is_default(doc: &Value) -> bool {
    doc.get("IsDefault").and_then(Value::as_bool) == Some(true)
}

/// The space's default item of `kind`, if it has one.
pub fn default_of(snapshot: &Snapshot, kind: Kind) -> Option<&Value> {
    snapshot.items(kind).iter().find(|d| is_default(d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_sources_default_policy_and_pool_map_to_the_destinations_default_whatever_their_names() {
        let src = Snapshot::from_docs([
            (
                Kind::MachinePolicy,
                vec![
                    json!({"Id": "MachinePolicies-1", "Name": "Default Machine Policy", "IsDefault": true}),
                    json!({"Id": "MachinePolicies-2", "Name": "Fast", "IsDefault": false}),
                ],
            ),
            (
                Kind::WorkerPool,
                vec![json!({"Id": "WorkerPools-1", "Name": "Hosted Ubuntu", "IsDefault": true})],
            ),
        ]);
        let dst = Snapshot::from_docs([
            (
                Kind::MachinePolicy,
                vec![
                    json!({"Id": "MachinePolicies-40", "Name": "Fast", "IsDefault": false}),
                    json!({"Id": "MachinePolicies-41", "Name": "Production default", "IsDefault": true}),
                ],
            ),
            (
                Kind::WorkerPool,
                vec![
                    json!({"Id": "WorkerPools-7", "Name": "Hosted Ubuntu", "IsDefault": false}),
                    json!({"Id": "WorkerPools-8", "Name": "Default Worker Pool", "IsDefault": true}),
                ],
            ),
        ]);
        let t = Translator::new(&src, &dst);
        assert_eq!(
            t.translate("MachinePolicies-1"),
            Translation::Mapped("MachinePolicies-41".into())
        );
        assert_eq!(
            t.translate("MachinePolicies-2"),
            Translation::Mapped("MachinePolicies-40".into())
        );
        // The default wins over a same-named destination pool that is not the default.
        assert_eq!(
            t.translate("WorkerPools-1"),
            Translation::Mapped("WorkerPools-8".into())
        );
    }

    #[test]
    fn a_source_item_named_like_the_destinations_default_does_not_merge_into_it() {
        let src = Snapshot::from_docs([(
            Kind::MachinePolicy,
            vec![
                json!({"Id": "MachinePolicies-1", "Name": "Standard", "IsDefault": true}),
                json!({"Id": "MachinePolicies-2", "Name": "Default Machine Policy", "IsDefault": false}),
            ],
        )]);
        let dst = Snapshot::from_docs([(
            Kind::MachinePolicy,
            vec![json!({"Id": "MachinePolicies-9", "Name": "Default Machine Policy", "IsDefault": true})],
        )]);
        let t = Translator::new(&src, &dst);
        assert_eq!(
            t.translate("MachinePolicies-1"),
            Translation::Mapped("MachinePolicies-9".into())
        );
        assert_eq!(
            t.translate("MachinePolicies-2"),
            Translation::Missing {
                kind: Kind::MachinePolicy,
                name: "Default Machine Policy".into()
            }
        );
        let second = src.by_id(Kind::MachinePolicy, "MachinePolicies-2").unwrap();
        assert!(matches!(
            t.counterpart(Kind::MachinePolicy, second),
            Counterpart::ClaimedDefault(_)
        ));
    }

    #[test]
    fn kinds_without_a_space_default_match_by_name_only() {
        let src = Snapshot::from_docs([(
            Kind::Environment,
            vec![json!({"Id": "Environments-1", "Name": "Dev", "IsDefault": true})],
        )]);
        let dst = Snapshot::from_docs([(
            Kind::Environment,
            vec![json!({"Id": "Environments-2", "Name": "Prod", "IsDefault": true})],
        )]);
        let t = Translator::new(&src, &dst);
        assert!(matches!(t.translate("Environments-1"), Translation::Missing { .. }));
    }

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
