//! Logos (reference §2.1, §2.5, §2.11, §2.12, §2.19): a space, project, tenant or step template
//! shows the image uploaded for it, or a default one; a community library entry shows the
//! library's logo, and a template installed from it takes that logo with it.

use super::error::{ApiError, ApiResult};
use super::image;
use super::kind::Kind;
use super::store::Store;
use sha2::{Digest, Sha256};

/// A logo as the server serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Logo {
    /// Told from its bytes when it was uploaded.
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// A 1×1 transparent PNG: the logo of everything no logo was uploaded for.
// QUESTION: a real server draws a default per kind (a project's initials on a colour, a step
// type's icon); one image stands for all of them here, which is enough to tell "default" from
// "uploaded" by the bytes.
pub(crate) const DEFAULT_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// The default logo.
pub(crate) fn default_logo() -> Logo {
    Logo {
        content_type: "image/png",
        bytes: DEFAULT_PNG.to_vec(),
    }
}

/// Where a document's logo is kept: server-wide kinds (spaces, the library) belong to no space.
fn key(space: &str, kind: Kind, id: &str) -> (String, Kind, String) {
    let space = if kind.is_system() { "" } else { space };
    (space.to_string(), kind, id.to_ascii_lowercase())
}

/// The logo of a document: the one uploaded for it, or the default.
pub(crate) fn get(store: &Store, space: &str, kind: Kind, id: &str) -> Logo {
    store
        .logos
        .get(&key(space, kind, id))
        .cloned()
        .unwrap_or_else(default_logo)
}

/// The `?cb=` of a document's `Links.Logo`: the server's version while it shows the default, and
/// something else once a logo is uploaded (SpaceCloner's LogoCloner.ps1 tells a custom logo by a
/// cache buster other than the version, which a server must give it for browsers to fetch the new
/// image). Here: the first 16 hex digits of the uploaded image's SHA-256.
// QUESTION: what a real server puts there for an uploaded logo is not shown anywhere; 2024.3
// prefixes a default one with the icon and colour it draws (project.json), which the project
// kind adds.
pub(crate) fn cache_buster(store: &Store, space: &str, kind: Kind, id: &str) -> String {
    match store.logos.get(&key(space, kind, id)) {
        Some(logo) => Sha256::digest(&logo.bytes)
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect(),
        None => store.version.clone(),
    }
}

/// Keeps `bytes` as a document's logo; anything but an image is refused, as the server does.
pub(crate) fn set(store: &mut Store, space: &str, kind: Kind, id: &str, bytes: Vec<u8>) -> ApiResult<()> {
    let content_type = image::content_type_of(&bytes).ok_or_else(|| ApiError::invalid("Invalid image provided."))?;
    store.logos.insert(key(space, kind, id), Logo { content_type, bytes });
    Ok(())
}

/// A step template installed from library entry `entry` shows the entry's logo.
pub(crate) fn install_from_library(store: &mut Store, space: &str, template: &str, entry: &str) {
    let logo = get(store, "", Kind::CommunityActionTemplate, entry);
    store.logos.insert(key(space, Kind::ActionTemplate, template), logo);
}

/// The logo the library gives an entry: its own image, the same in every edition and on every
/// instance (library.octopus.com serves one per template).
pub(crate) fn catalogue_logo(name: &str) -> Vec<u8> {
    // A colour of the name's own, so two entries never share a logo.
    let h = name
        .bytes()
        .fold(0x811C_9DC5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    let [r, g, b, _] = h.to_be_bytes();
    image::solid_png([r, g, b, 255])
}

/// Keeps `name`'s library logo for the entry `entry`.
pub(crate) fn set_catalogue_logo(store: &mut Store, entry: &str, name: &str) {
    let logo = Logo {
        content_type: "image/png",
        bytes: catalogue_logo(name),
    };
    store.logos.insert(key("", Kind::CommunityActionTemplate, entry), logo);
}
