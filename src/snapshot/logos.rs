//! Logos, known by their digest: what a plan compares without holding any image. Only the custom
//! step templates a run selects (and their destination counterparts) are read, and the logos
//! their step types show by default only where a template's logo could differ; of the projects a
//! run selects, only those whose logo is their own (and their counterparts).

use super::{id_of, name_of, Snapshot};
use crate::kind::Kind;
use crate::octopus::{Client, Download};
use crate::rules::NameMap;
use crate::settings::selector::Selector;
use crate::sync::projects::is_version_controlled;
use crate::sync::selection_keys;
use crate::translate::Translator;
use futures::future::join_all;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// A logo image, known by its content type, size and SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoDigest {
    /// As the server sent it.
    pub content_type: String,
    /// In bytes.
    pub size: usize,
    /// Lower-case hex.
    pub sha256: String,
}

impl LogoDigest {
    /// The digest of a downloaded image.
    pub fn of(file: &Download) -> LogoDigest {
        let hash = Sha256::digest(&file.bytes);
        LogoDigest {
            content_type: file.content_type.split(';').next().unwrap_or("").trim().to_string(),
            size: file.bytes.len(),
            sha256: hash.iter().map(|b| format!("{b:02x}")).collect(),
        }
    }

    /// True when both are the same image, byte for byte (whatever content type was announced).
    pub fn same_image(&self, other: &LogoDigest) -> bool {
        self.size == other.size && self.sha256 == other.sha256
    }

    /// `image/png, 68 bytes, sha256 1a2b3c4d5e6f`: enough for a person to tell two images apart.
    pub fn describe(&self) -> String {
        let kind = if self.content_type.is_empty() {
            "no content type"
        } else {
            &self.content_type
        };
        format!(
            "{kind}, {} bytes, sha256 {}",
            self.size,
            &self.sha256[..self.sha256.len().min(12)]
        )
    }
}

/// What a run knows of one logo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Logo {
    /// Read: its digest.
    Read(LogoDigest),
    /// Could not be read, and why.
    Unreadable(String),
}

impl Logo {
    /// The digest, when the logo was read.
    pub fn digest(&self) -> Option<&LogoDigest> {
        match self {
            Logo::Read(d) => Some(d),
            Logo::Unreadable(_) => None,
        }
    }
}

/// Logos read for one side and the other, to be recorded into the snapshots they were read for
/// ([`LogoReads::record`]): reads take the snapshots shared, so they run alongside other reads.
#[derive(Debug, Default)]
pub struct LogoReads {
    /// (document id, its logo) on each side.
    logos: [Vec<(String, Logo)>; 2],
    /// (step type, the logo it shows) on each side.
    step_types: [Vec<(String, Logo)>; 2],
    /// (document id, whether it shows the server's default logo) on each side, where its link says.
    defaults: [Vec<(String, bool)>; 2],
}

impl LogoReads {
    /// Records what was read into the source and destination snapshots.
    pub fn record(self, source: &mut Snapshot, destination: &mut Snapshot) {
        let [source_logos, dest_logos] = self.logos;
        let [source_types, dest_types] = self.step_types;
        let [source_defaults, dest_defaults] = self.defaults;
        for (snapshot, logos, types, defaults) in [
            (&mut *source, source_logos, source_types, source_defaults),
            (&mut *destination, dest_logos, dest_types, dest_defaults),
        ] {
            for (id, is_default) in defaults {
                snapshot.set_shows_default_logo(&id, is_default);
            }
            snapshot.logos.extend(logos);
            for (t, logo) in types {
                snapshot.step_type_logos.insert(t.to_ascii_lowercase(), logo);
            }
        }
    }
}

/// Reads the logos the step templates stage compares: each selected custom source template's,
/// its destination counterpart's (a custom template of the same name and step type), and, for
/// the step types of templates whose logos are not already equal, the logo each instance shows
/// for the step type itself (what a template shows until one is uploaded). A logo that cannot be
/// read is recorded as such; it never stops the run.
pub async fn read_step_templates(
    source_client: &Client,
    dest_client: &Client,
    source: &Snapshot,
    destination: &Snapshot,
    selector: &Selector,
) -> LogoReads {
    let pairs: Vec<(&Value, Option<&Value>)> = source
        .items(Kind::ActionTemplate)
        .iter()
        .filter(|t| is_custom(t) && selector.matches(name_of(t)))
        .map(|t| {
            let counterpart = destination
                .by_name(Kind::ActionTemplate, name_of(t))
                .filter(|d| is_custom(d) && same_step_type(t, d));
            (t, counterpart)
        })
        .collect();
    let source_ids: Vec<String> = pairs.iter().map(|(s, _)| id_of(s).to_string()).collect();
    let dest_ids: Vec<String> = pairs
        .iter()
        .filter_map(|(_, d)| d.map(|d| id_of(d).to_string()))
        .collect();
    let (source_logos, dest_logos) = tokio::join!(
        read_all(source_client, Kind::ActionTemplate, &source_ids, "step template"),
        read_all(dest_client, Kind::ActionTemplate, &dest_ids, "step template"),
    );
    // A step type's own logo only matters where a template's could differ from the other side's.
    let differs = |(s, d): &(&Value, Option<&Value>)| {
        let ours = source_logos
            .iter()
            .find(|(id, _)| id == id_of(s))
            .and_then(|(_, l)| l.digest());
        let theirs = d.and_then(|d| {
            dest_logos
                .iter()
                .find(|(id, _)| id == id_of(d))
                .and_then(|(_, l)| l.digest())
        });
        match (ours, theirs, d) {
            (Some(_), _, None) => true,
            (Some(a), Some(b), Some(_)) => !a.same_image(b),
            _ => false,
        }
    };
    let types: Vec<String> = pairs
        .iter()
        .filter(|p| differs(p))
        .map(|(s, _)| step_type(s).to_string())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let (source_types, dest_types) = tokio::join!(
        read_all(source_client, Kind::ActionTemplate, &types, "step type"),
        read_all(dest_client, Kind::ActionTemplate, &types, "step type"),
    );
    tracing::debug!(
        "logos read: {} of the source's step templates, {} of the destination's, {} step type(s) on each side",
        source_ids.len(),
        dest_ids.len(),
        types.len()
    );
    LogoReads {
        logos: [source_logos, dest_logos],
        step_types: [source_types, dest_types],
        defaults: Default::default(),
    }
}

/// Reads what the logos stage of projects or tenants (`kind`) compares: for each selected source item and its destination counterpart (config-as-code projects aside:
/// nothing is written to them), whether it shows the server's default logo, and the logos of the
/// source items whose logo is not known to be the default, with their counterparts'. A default logo is never
/// uploaded, so it is not read. A logo that cannot be read is recorded as such; it never stops
/// the run.
pub async fn read_item_logos(
    kind: Kind,
    source_client: &Client,
    dest_client: &Client,
    source: &Snapshot,
    destination: &Snapshot,
    selector: &Selector,
    names: &NameMap,
) -> LogoReads {
    let what = kind.label().to_lowercase();
    let what = what.as_str();
    let source_version = source_client.version().map(|v| v.text.as_str());
    let dest_version = dest_client.version().map(|v| v.text.as_str());
    // (id, shows the default) on each side, where the link says.
    let mut source_defaults: Vec<(String, bool)> = Vec::new();
    let mut dest_defaults: Vec<(String, bool)> = Vec::new();
    let (mut source_ids, mut dest_ids) = (Vec::new(), Vec::new());
    {
        // Matched and selected as the stages match and select them, renamed items included.
        let translator = Translator::new(source, destination).with_names(names);
        let writable = |d: &Value| kind != Kind::Project || !is_version_controlled(d);
        for p in source.items(kind) {
            if !selector.matches_any(selection_keys(kind, p)) || !writable(p) {
                continue;
            }
            let counterpart = translator.counterpart(kind, p).found().filter(|d| writable(d));
            let ours = shows_default(p, source_version);
            if let Some(d) = ours {
                source_defaults.push((id_of(p).to_string(), d));
            }
            if let Some(c) = counterpart {
                if let Some(theirs) = shows_default(c, dest_version) {
                    dest_defaults.push((id_of(c).to_string(), theirs));
                }
            }
            if ours != Some(true) {
                source_ids.push(id_of(p).to_string());
                dest_ids.extend(counterpart.map(|c| id_of(c).to_string()));
            }
        }
    }
    let (source_logos, dest_logos) = tokio::join!(
        read_all(source_client, kind, &source_ids, what),
        read_all(dest_client, kind, &dest_ids, what),
    );
    tracing::debug!(
        "{what} logos read: {} of the source's, {} of the destination's",
        source_ids.len(),
        dest_ids.len()
    );
    LogoReads {
        logos: [source_logos, dest_logos],
        step_types: Default::default(),
        defaults: [source_defaults, dest_defaults],
    }
}

/// Whether `doc` shows the server's default logo, as the cache buster of its `Links.Logo` says:
/// a default logo's is the server's version (2018.11: `?cb=2018.11.2`), which 2024.3 prefixes
/// with the icon and colour it draws (`?cb=map-signs-%235E2EA2-2024.3.10989`); an uploaded logo's
/// is something else (what SpaceCloner's LogoCloner.ps1 relies on). `None` when the link has no
/// cache buster or the server's version is not known.
// Only default-or-own is read from the link: whether two logos differ is decided by their bytes.
pub fn shows_default(doc: &Value, version: Option<&str>) -> Option<bool> {
    let version = version.filter(|v| !v.is_empty())?;
    let link = doc.get("Links")?.get("Logo")?.as_str()?;
    let (_, query) = link.split_once('?')?;
    let cb = query.split('&').find_map(|kv| kv.strip_prefix("cb="))?;
    Some(cb == version || cb.ends_with(&format!("-{version}")))
}

/// The logos at `{collection}/{key}/logo` of `kind` for each of `keys` (ids, or step types),
/// concurrently (the client bounds how many are in flight).
async fn read_all(client: &Client, kind: Kind, keys: &[String], what: &str) -> Vec<(String, Logo)> {
    let base = client.space_path(kind.collection());
    join_all(keys.iter().map(|key| {
        let path = format!("{base}/{}/logo", path_segment(key));
        async move {
            let logo = match client.get_file(&path).await {
                Ok(file) => Logo::Read(LogoDigest::of(&file)),
                Err(e) => {
                    tracing::debug!("{}: the logo of {what} {key} could not be read: {e:#}", client.role());
                    Logo::Unreadable(format!("{e:#}"))
                }
            };
            (key.clone(), logo)
        }
    }))
    .await
}

/// A template installed from a community library keeps the library's logo: never compared.
fn is_custom(template: &Value) -> bool {
    template
        .get("CommunityActionTemplateId")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
}

fn step_type(template: &Value) -> &str {
    template.get("ActionType").and_then(Value::as_str).unwrap_or("")
}

fn same_step_type(a: &Value, b: &Value) -> bool {
    step_type(a).eq_ignore_ascii_case(step_type(b))
}

/// A path segment with everything but unreserved characters percent-encoded (step types are
/// `Octopus.Script`, `Octopus.TentaclePackage`, or a step package's id).
fn path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn file(content_type: &str, bytes: &[u8]) -> Download {
        Download {
            content_type: content_type.into(),
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn the_same_bytes_are_the_same_image_whatever_content_type_was_announced() {
        let a = LogoDigest::of(&file("image/png", b"\x89PNG one"));
        let b = LogoDigest::of(&file("application/octet-stream", b"\x89PNG one"));
        let c = LogoDigest::of(&file("image/png", b"\x89PNG two"));
        assert!(a.same_image(&b));
        assert!(!a.same_image(&c));
        assert_eq!(
            LogoDigest::of(&file("image/png; charset=binary", b"abc")).describe(),
            "image/png, 3 bytes, sha256 ba7816bf8f01"
        );
    }

    #[test]
    fn a_logo_link_whose_cache_buster_is_the_server_version_shows_the_default() {
        let with = |link: &str| json!({"Links": {"Logo": link}});
        let v = Some("2024.3.10989");
        assert_eq!(
            shows_default(&with("/api/Spaces-1/projects/Projects-1/logo?cb=2024.3.10989"), v),
            Some(true)
        );
        assert_eq!(
            shows_default(
                &with("/api/Spaces-1/projects/Projects-1/logo?cb=map-signs-%235E2EA2-2024.3.10989"),
                v
            ),
            Some(true)
        );
        assert_eq!(
            shows_default(&with("/api/Spaces-1/projects/Projects-1/logo?cb=9f86d081884c7d65"), v),
            Some(false)
        );
        // A version that merely ends the same is another server's.
        assert_eq!(shows_default(&with("/x/logo?cb=12024.3.10989"), v), Some(false));
        // Nothing to tell by: no cache buster (a 2018.11 project document as an export tool saved it),
        // no link, no version.
        assert_eq!(shows_default(&with("/api/projects/Projects-22/logo"), v), None);
        assert_eq!(shows_default(&json!({"Links": {}}), v), None);
        assert_eq!(shows_default(&with("/x/logo?cb=2024.3.10989"), None), None);
    }

    #[test]
    fn a_step_type_is_one_path_segment() {
        assert_eq!(path_segment("Octopus.Script"), "Octopus.Script");
        assert_eq!(path_segment("a b/c"), "a%20b%2Fc");
    }
}
