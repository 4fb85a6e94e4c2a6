//! Logo uploads: like a certificate's file, the image is read from the source at apply time, never
//! held in the plan. It must still be the image planned, and the destination must serve it back
//! byte for byte, which is what the next run compares.

use super::{collection_path, Applied, Live};
use crate::kind::Kind;
use crate::snapshot::logos::LogoDigest;
use crate::sync::Write;
use anyhow::{anyhow, bail, Context, Result};

/// Performs a [`Write::UploadLogo`]; `saved_id` is the item the write before it saved.
pub(super) async fn upload(
    live: &Live<'_>,
    kind: Kind,
    name: &str,
    write: &Write,
    saved_id: Option<&str>,
) -> Result<Applied> {
    let Write::UploadLogo { id, source_id, logo } = write else {
        bail!("not a logo upload");
    };
    let what = format!("{} '{name}'", kind.label().to_lowercase());
    let id = id
        .as_deref()
        .or(saved_id)
        .filter(|i| !i.is_empty())
        .ok_or_else(|| anyhow!("the logo of {what} has no destination item to go to"))?;
    let source_path = format!("{}/{source_id}/logo", collection_path(live.source, kind));
    let file = live
        .source
        .get_file(&source_path)
        .await
        .with_context(|| format!("could not read the logo of {what} from the source; nothing was uploaded"))?;
    let read = LogoDigest::of(&file);
    if !read.same_image(logo) {
        bail!(
            "the source's logo of {what} changed since it was planned (planned {}, now {}); nothing was uploaded. Run the plan again",
            logo.describe(),
            read.describe()
        );
    }
    let dest_path = format!("{}/{id}/logo", collection_path(live.destination, kind));
    // Uploading the same image again leaves the same logo, so a lost answer is simply retried.
    live.destination
        .upload_file(&dest_path, "file", file_name(&read.content_type), &file.bytes)
        .await
        .with_context(|| format!("could not upload the logo of {what} ({id}) to the destination"))?;
    let back = live.destination.get_file(&dest_path).await.with_context(|| {
        format!("the logo of {what} ({id}) was uploaded, but reading it back from the destination failed")
    })?;
    let stored = LogoDigest::of(&back);
    if !stored.same_image(logo) {
        bail!(
            "the logo of {what} ({id}) was uploaded, but the destination serves another image back ({}; the source's is {}): it may convert uploaded images. octosync compares logos byte for byte, so it would upload this one on every run; compare the two in the web portal and upload the logo by hand if it differs",
            stored.describe(),
            logo.describe()
        );
    }
    Ok(Applied::Uploaded)
}

/// A file name with the extension of the image's type (the server reads the type from the bytes;
/// the name only helps a person reading its logs).
fn file_name(content_type: &str) -> &'static str {
    match content_type {
        "image/png" => "logo.png",
        "image/jpeg" => "logo.jpg",
        "image/gif" => "logo.gif",
        "image/svg+xml" => "logo.svg",
        "image/webp" => "logo.webp",
        _ => "logo",
    }
}
