//! Certificate uploads: the one write that reads the source at apply time. The file comes from the
//! source's export (as it was uploaded, password included) and goes to the destination with the
//! certificate password; neither is ever held in the plan, logged or reported.

use super::{collection_path, confirmed, Live};
use crate::kind::Kind;
use crate::sync::Write;
use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

/// Performs an [`Write::UploadCertificate`] or [`Write::ReplaceCertificate`].
pub(super) async fn upload(live: &Live<'_>, name: &str, write: &Write) -> Result<Value> {
    let (source_id, thumbprint) = match write {
        Write::UploadCertificate {
            source_id, thumbprint, ..
        }
        | Write::ReplaceCertificate {
            source_id, thumbprint, ..
        } => (source_id, thumbprint),
        _ => bail!("not a certificate upload"),
    };
    let data = export(live, name, source_id).await?;
    let password = live.certificate_password.map(|p| p.expose().to_string());
    let dest = live.destination;
    let saved = match write {
        Write::ReplaceCertificate { id, .. } => {
            let item = format!("{}/{id}", collection_path(dest, Kind::Certificate));
            let body = json!({"certificateData": data, "password": password});
            // The route answers with the archived copy of the old certificate; the one in use keeps
            // `id`, so that is what is read back. A lost answer is recognised by the new thumbprint.
            dest.post_checked(
                &format!("{item}/replace"),
                &body,
                &item,
                &json!({"Thumbprint": thumbprint}),
            )
            .await
            .with_context(|| format!("could not replace certificate '{name}' ({id}) on the destination"))?;
            dest.get(&item)
                .await
                .with_context(|| format!("certificate '{name}' was replaced, but reading it back failed"))?
        }
        _ => {
            let Write::UploadCertificate { body, .. } = write else {
                bail!("not a certificate upload");
            };
            let mut body = body.clone();
            body["CertificateData"] = json!({"HasValue": true, "NewValue": data});
            body["Password"] = json!({"HasValue": password.is_some(), "NewValue": password});
            let path = collection_path(dest, Kind::Certificate);
            dest.create(&path, &body, name, None)
                .await
                .with_context(|| format!("could not create certificate '{name}' on the destination"))?
        }
    };
    let saved = confirmed(Kind::Certificate, name, saved)?;
    let read = saved.get("Thumbprint").and_then(Value::as_str).unwrap_or("");
    if !read.eq_ignore_ascii_case(thumbprint) {
        bail!(
            "certificate '{name}' was uploaded, but the destination reads thumbprint {read} from the file where the source shows {thumbprint}; check the certificate on both instances before running again"
        );
    }
    Ok(saved)
}

/// The source's certificate file as base64, exactly as it was uploaded there.
async fn export(live: &Live<'_>, name: &str, source_id: &str) -> Result<String> {
    let source = live.source;
    let path = format!(
        "{}/{source_id}/export",
        source.space_path(Kind::Certificate.collection())
    );
    let data = source.get_base64(&path).await.with_context(|| {
        format!(
            "could not export certificate '{name}' from the source; the source API key's user needs the permission to export certificates with their private keys (CertificateExportPrivateKey)"
        )
    })?;
    if data.is_empty() {
        bail!("the source exported certificate '{name}' as an empty file; check the certificate on the source");
    }
    Ok(data)
}
