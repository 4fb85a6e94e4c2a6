//! Certificates (reference §2.15; SW21b `CertificateResource`): the data is write-on-create and
//! the X.509 metadata is the server's.
//! Links: only `Self`; `archive` and `unarchive` are served (POST), export, replace and usages
//! are not.

use base64::Engine;
use serde_json::{json, Value};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::parts::TENANTED;
use super::{Change, Spec};
use crate::sim::envelope::Query;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::refs::{check_tags, field_refs};
use crate::sim::schema::{field, Field, Ty, STRS};
use crate::sim::secrets::sv_empty;
use crate::sim::store::{str_of, Doc};

/// The certificate kind.
pub(crate) struct Certificate;

impl Spec for Certificate {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        let meta = |name, ty, default| field(name, ty, default).read_only();
        vec![
            field("Name", Ty::Str, json!("")),
            field("Notes", Ty::Str, Value::Null),
            field("CertificateData", Ty::Sensitive, sv_empty()).on_create(),
            field("Password", Ty::Sensitive, sv_empty()).on_create(),
            field("EnvironmentIds", STRS, json!([])),
            field("TenantIds", STRS, json!([])),
            field("TenantTags", STRS, json!([])),
            field("TenantedDeploymentParticipation", TENANTED, json!("Untenanted")),
            meta(
                "CertificateDataFormat",
                Ty::Enum("CertificateFormat", &["Pkcs12", "Der", "Pem", "Unknown"]),
                json!("Pkcs12"),
            ),
            meta("Archived", Ty::Date, Value::Null),
            meta("ReplacedBy", Ty::Str, Value::Null),
            meta("SubjectDistinguishedName", Ty::Str, Value::Null),
            meta("SubjectCommonName", Ty::Str, Value::Null),
            meta("SubjectOrganization", Ty::Str, Value::Null),
            meta("IssuerDistinguishedName", Ty::Str, Value::Null),
            meta("IssuerCommonName", Ty::Str, Value::Null),
            meta("IssuerOrganization", Ty::Str, Value::Null),
            meta("SelfSigned", Ty::Bool, json!(true)),
            meta("Thumbprint", Ty::Str, Value::Null),
            meta("NotAfter", Ty::Date, Value::Null),
            meta("NotBefore", Ty::Date, Value::Null),
            meta("IsExpired", Ty::Bool, json!(false)),
            meta("HasPrivateKey", Ty::Bool, json!(true)),
            meta("Version", Ty::Int, json!(3)),
            meta("SerialNumber", Ty::Str, Value::Null),
            meta("SignatureAlgorithmName", Ty::Str, json!("sha256RSA")),
            meta("SubjectAlternativeNames", STRS, json!([])),
            meta("CertificateChain", Ty::List(&Ty::Any), json!([])),
        ]
    }

    fn query(&self) -> &'static str {
        "{?skip,take,search,archived,tenant,firstResult,orderBy,ids,partialName}"
    }

    fn filter(&self, doc: &Doc, q: &Query) -> bool {
        let archived = !doc.get("Archived").map(Value::is_null).unwrap_or(true);
        match q.get("archived") {
            Some(a) if a.eq_ignore_ascii_case("true") => archived,
            Some(a) if a.eq_ignore_ascii_case("false") => !archived,
            _ => true,
        }
    }

    fn normalize(&self, change: &Change<'_>, doc: &mut Doc) -> ApiResult<()> {
        let (store, space) = (change.store, change.space);
        field_refs(store, space, Kind::Environment, doc, "EnvironmentIds")?;
        field_refs(store, space, Kind::Tenant, doc, "TenantIds")?;
        check_tags(store, space, doc, "TenantTags")?;
        if change.creating() {
            metadata(doc)?;
        }
        Ok(())
    }
}

/// X.509 metadata from the uploaded data, as the server computes it: `NewValue` is base64 of a
/// PEM or DER certificate (or PEM text as is); the thumbprint is the SHA-1 of the DER in upper-case
/// hex, as Octopus shows it.
fn metadata(doc: &mut Doc) -> ApiResult<()> {
    let data = doc
        .get("CertificateData")
        .and_then(|v| v.get("NewValue"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if data.is_empty() {
        return Err(ApiError::invalid("The CertificateData field is required."));
    }
    match parse(&data) {
        Some((format, der)) => from_x509(doc, format, &der),
        None => canned(doc, &data),
    }
}

/// The certificate's DER and the format it was uploaded in, when the data is a PEM or DER
/// certificate.
fn parse(data: &str) -> Option<(&'static str, Vec<u8>)> {
    let bytes = if data.trim_start().starts_with("-----BEGIN") {
        data.as_bytes().to_vec()
    } else {
        base64::engine::general_purpose::STANDARD.decode(data.trim()).ok()?
    };
    if bytes.starts_with(b"-----BEGIN") {
        let mut pems = x509_parser::pem::Pem::iter_from_buffer(&bytes);
        let pem = pems.find_map(|p| p.ok().filter(|p| p.label == "CERTIFICATE"))?;
        x509_parser::parse_x509_certificate(&pem.contents).ok()?;
        return Some(("Pem", pem.contents));
    }
    x509_parser::parse_x509_certificate(&bytes).ok()?;
    Some(("Der", bytes))
}

fn from_x509(doc: &mut Doc, format: &str, der: &[u8]) -> ApiResult<()> {
    let (_, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|e| ApiError::invalid(format!("The certificate could not be read: {e}")))?;
    let thumbprint: String = Sha1::digest(der).iter().map(|b| format!("{b:02X}")).collect();
    let cn = |name: &x509_parser::x509::X509Name<'_>| {
        name.iter_common_name()
            .next()
            .and_then(|c| c.as_str().ok())
            .map(str::to_string)
    };
    let org = |name: &x509_parser::x509::X509Name<'_>| {
        name.iter_organization()
            .next()
            .and_then(|c| c.as_str().ok())
            .map(str::to_string)
    };
    let date = |t: &x509_parser::time::ASN1Time| {
        let t = t.to_datetime();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000+00:00",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    };
    let validity = cert.validity();
    doc.insert("CertificateDataFormat".into(), json!(format));
    doc.insert("Thumbprint".into(), json!(thumbprint));
    doc.insert(
        "SerialNumber".into(),
        json!(cert.raw_serial_as_string().replace(':', "").to_uppercase()),
    );
    doc.insert("SubjectDistinguishedName".into(), json!(cert.subject().to_string()));
    doc.insert("SubjectCommonName".into(), json!(cn(cert.subject())));
    doc.insert("SubjectOrganization".into(), json!(org(cert.subject())));
    doc.insert("IssuerDistinguishedName".into(), json!(cert.issuer().to_string()));
    doc.insert("IssuerCommonName".into(), json!(cn(cert.issuer())));
    doc.insert("IssuerOrganization".into(), json!(org(cert.issuer())));
    doc.insert("SelfSigned".into(), json!(cert.subject() == cert.issuer()));
    doc.insert("NotBefore".into(), json!(date(&validity.not_before)));
    doc.insert("NotAfter".into(), json!(date(&validity.not_after)));
    doc.insert("IsExpired".into(), json!(!validity.is_valid()));
    // A PEM or DER upload carries no private key in what is parsed here.
    doc.insert("HasPrivateKey".into(), json!(false));
    Ok(())
}

/// Canned metadata for data that is not a PEM or DER certificate (a PFX, or test data).
// QUESTION: the real server rejects data it cannot read; PFX is not parsed here, so such data
// gets a hash-derived thumbprint instead of an error.
fn canned(doc: &mut Doc, data: &str) -> ApiResult<()> {
    let digest = Sha256::digest(data.as_bytes());
    let hex: String = digest.iter().take(20).map(|b| format!("{b:02X}")).collect();
    let cn = str_of(doc, "Name").to_string();
    doc.insert("CertificateDataFormat".into(), json!("Pkcs12"));
    doc.insert("Thumbprint".into(), json!(hex));
    doc.insert("SerialNumber".into(), json!(hex[..16].to_string()));
    doc.insert("SubjectDistinguishedName".into(), json!(format!("CN={cn}")));
    doc.insert("SubjectCommonName".into(), json!(cn));
    doc.insert("IssuerDistinguishedName".into(), json!(format!("CN={cn}")));
    doc.insert("IssuerCommonName".into(), json!(cn));
    doc.insert("NotBefore".into(), json!("2024-01-01T00:00:00.000+00:00"));
    doc.insert("NotAfter".into(), json!("2034-01-01T00:00:00.000+00:00"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEM: &str = include_str!("../../../tests/fixtures/certificates/octosync-test.pem");

    fn uploaded(data: String) -> Doc {
        let mut doc = Doc::new();
        doc.insert("Name".into(), json!("Test"));
        doc.insert("CertificateData".into(), json!({"HasValue": true, "NewValue": data}));
        metadata(&mut doc).unwrap();
        doc
    }

    #[test]
    fn an_uploaded_pem_gives_the_sha1_thumbprint_subject_and_expiry() {
        let b64 = base64::engine::general_purpose::STANDARD.encode(PEM);
        for doc in [uploaded(b64), uploaded(PEM.to_string())] {
            assert_eq!(doc["Thumbprint"], "4A7C1E7DE804B797AC334D1E3E9385007E6A7EB7");
            assert_eq!(doc["SubjectCommonName"], "octosync test");
            assert_eq!(doc["SubjectOrganization"], "Octosync");
            assert!(doc["SubjectDistinguishedName"]
                .as_str()
                .unwrap()
                .contains("CN=octosync test"));
            assert_eq!(doc["NotAfter"], "2036-11-27T22:07:03.000+00:00");
            assert_eq!(doc["CertificateDataFormat"], "Pem");
            assert_eq!(doc["SelfSigned"], true);
        }
    }

    #[test]
    fn data_that_is_not_a_certificate_gets_canned_metadata() {
        let doc = uploaded("not-a-certificate".into());
        assert_eq!(doc["CertificateDataFormat"], "Pkcs12");
        assert_eq!(doc["Thumbprint"].as_str().unwrap().len(), 40);
    }
}
