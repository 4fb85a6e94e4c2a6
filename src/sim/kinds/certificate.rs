//! Certificates (reference §2.15; SW21b `CertificateResource`): the data is write-on-create and
//! the X.509 metadata is the server's.
//! Links: only `Self`; export, archive, replace and usages are not served, so not advertised.

use serde_json::{json, Value};
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

/// Canned X.509 metadata derived from the uploaded bytes (the simulator does not parse PFX).
// QUESTION: real metadata comes from parsing the certificate; thumbprint here is a hash prefix.
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
    let digest = Sha256::digest(data.as_bytes());
    let hex: String = digest.iter().take(20).map(|b| format!("{b:02X}")).collect();
    let cn = str_of(doc, "Name").to_string();
    let pem = data.starts_with("-----BEGIN");
    doc.insert(
        "CertificateDataFormat".into(),
        json!(if pem { "Pem" } else { "Pkcs12" }),
    );
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
