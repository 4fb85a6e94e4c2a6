//! Certificates (reference §2.15; SW21b `CertificateResource`): the data is write-on-create and
//! the X.509 metadata is the server's, read from PEM, DER or PKCS#12 (with its password).
//! Routes below a certificate (`routes/sub.rs`): `archive`, `unarchive`, `export` (the file as
//! uploaded, or its certificate as PEM or DER) and `replace` (in place, keeping the id, with an
//! archived backup of the old one). Usages are not served.

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
use crate::sim::store::{now_stamp, str_of, Doc, Store};

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
    let password = doc
        .get("Password")
        .and_then(|v| v.get("NewValue"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if let Some((format, der)) = parse(&data) {
        return from_x509(doc, format, &der);
    }
    match pkcs12(&data, &password)? {
        Some((der, has_key)) => {
            from_x509(doc, "Pkcs12", &der)?;
            doc.insert("HasPrivateKey".into(), json!(has_key));
            Ok(())
        }
        None => canned(doc, &data),
    }
}

/// The bytes of uploaded data: PEM text as is, anything else base64.
fn bytes_of(data: &str) -> Vec<u8> {
    if data.trim_start().starts_with("-----BEGIN") {
        return data.as_bytes().to_vec();
    }
    base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .unwrap_or_else(|_| data.as_bytes().to_vec())
}

/// A PKCS#12 file opened with `password`: the first certificate's DER and whether a private key
/// is in it. `Ok(None)` for data that is not PKCS#12, or one protected by algorithms this
/// simulator cannot open (a SHA-256 MAC and AES, OpenSSL 3's default).
// QUESTION: the real server (.NET) opens modern PKCS#12 files too; here they get canned metadata,
// and the wording of the real "wrong password" error was not found publicly.
fn pkcs12(data: &str, password: &str) -> ApiResult<Option<(Vec<u8>, bool)>> {
    let Ok(pfx) = p12::PFX::parse(&bytes_of(data)) else {
        return Ok(None);
    };
    // The p12 crate only knows a SHA-1 MAC (it asserts on others), so look before asking it.
    let sha1_mac = pfx
        .mac_data
        .as_ref()
        .is_some_and(|m| matches!(m.mac.digest_algorithm, p12::AlgorithmIdentifier::Sha1));
    if !sha1_mac {
        return Ok(None);
    }
    let unreadable =
        || ApiError::invalid("Certificate Invalid: the certificate file could not be opened with the password given.");
    if !pfx.verify_mac(password) {
        return Err(unreadable());
    }
    let certs = pfx.cert_x509_bags(password).map_err(|_| unreadable())?;
    let Some(der) = certs.into_iter().next() else {
        return Err(ApiError::invalid("Certificate Invalid: the file holds no certificate."));
    };
    let has_key = pfx.key_bags(password).is_ok_and(|k| !k.is_empty());
    Ok(Some((der, has_key)))
}

/// `GET certificates/{id}/export{?format}`: with no format the file exactly as uploaded (a PKCS#12
/// keeps its own password, OC `CertificateRepository.Export`); `Pem` or `Der` give the certificate
/// itself, without a private key.
// QUESTION: `Pkcs12` (re-encrypted with a new `password`) and `includePrivateKey` for PEM are not
// served: the simulator does not hold the private key apart from the uploaded file.
pub(crate) fn export(doc: &Doc, format: Option<&str>) -> ApiResult<Vec<u8>> {
    let data = doc
        .get("CertificateData")
        .and_then(|v| v.get("NewValue"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let password = doc
        .get("Password")
        .and_then(|v| v.get("NewValue"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let Some(format) = format.filter(|f| !f.is_empty()) else {
        return Ok(bytes_of(data));
    };
    let der = match parse(data) {
        Some((_, der)) => Some(der),
        None => pkcs12(data, password).ok().flatten().map(|(der, _)| der),
    };
    match (format.to_ascii_lowercase().as_str(), der) {
        ("der", Some(der)) => Ok(der),
        ("pem", Some(der)) => Ok(pem_of(&der).into_bytes()),
        _ => Err(ApiError::invalid("Invalid format option.")),
    }
}

/// A certificate's DER as PEM text.
fn pem_of(der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// `POST certificates/{id}/replace` with `{certificateData, password}`: the certificate keeps its
/// id, name, notes and scoping and takes the new data; a copy of the old one is stored under a new
/// id, archived, with `ReplacedBy` naming the kept id, and is what the route answers (OC
/// `CertificateRepository.Replace`).
pub(crate) fn replace(store: &mut Store, space: &str, id: &str, body: &Value) -> ApiResult<Doc> {
    let field = |name: &str| {
        body.as_object()
            .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
            .and_then(|(_, v)| v.as_str())
            .map(str::to_string)
    };
    let data = field("certificateData").filter(|d| !d.is_empty());
    let Some(data) = data else {
        return Err(ApiError::invalid("No Certificate Data was provided."));
    };
    let password = field("password");
    let old = store
        .get(space, Kind::Certificate, id)
        .cloned()
        .ok_or_else(ApiError::not_found)?;
    let mut new = old.clone();
    new.insert("CertificateData".into(), json!({"HasValue": true, "NewValue": data}));
    new.insert(
        "Password".into(),
        json!({"HasValue": password.is_some(), "NewValue": password}),
    );
    metadata(&mut new)?;
    new.insert("Archived".into(), Value::Null);
    new.insert("ReplacedBy".into(), Value::Null);
    new.insert("LastModifiedOn".into(), json!(now_stamp()));
    let mut backup = old;
    let backup_id = store.next_id(Kind::Certificate.id_prefix());
    backup.insert("Id".into(), json!(backup_id));
    backup.insert("Archived".into(), json!(now_stamp()));
    backup.insert("ReplacedBy".into(), json!(id));
    store.replace(space, Kind::Certificate, new);
    store.push(space, Kind::Certificate, backup.clone());
    Ok(backup)
}

/// True for an archived certificate (a replaced one's backup among them): archived certificates
/// may share a name with the one in use.
pub(crate) fn is_archived(doc: &Doc) -> bool {
    doc.get("Archived").is_some_and(|a| !a.is_null())
}

/// The certificate's DER and the format it was uploaded in, when the data is a PEM or DER
/// certificate.
fn parse(data: &str) -> Option<(&'static str, Vec<u8>)> {
    let bytes = bytes_of(data);
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
    // A PEM or DER upload carries no private key in what is parsed here (PKCS#12 says below).
    doc.insert("HasPrivateKey".into(), json!(false));
    Ok(())
}

/// Canned metadata for data that is not a certificate this simulator can read (test data, or a
/// PKCS#12 file under algorithms it cannot open).
// QUESTION: the real server rejects data it cannot read; here such data gets a hash-derived
// thumbprint instead of an error, so tests can upload small stand-ins.
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

    const PFX: &[u8] = include_bytes!("../../../tests/fixtures/certificates/octosync-test-legacy.pfx");
    const PFX_PASSWORD: &str = "octosync-pfx-canary-Zq81";

    fn pfx_upload(password: Option<&str>) -> ApiResult<Doc> {
        let mut doc = Doc::new();
        doc.insert("Name".into(), json!("Test"));
        let b64 = base64::engine::general_purpose::STANDARD.encode(PFX);
        doc.insert("CertificateData".into(), json!({"HasValue": true, "NewValue": b64}));
        doc.insert(
            "Password".into(),
            json!({"HasValue": password.is_some(), "NewValue": password}),
        );
        metadata(&mut doc).map(|_| doc)
    }

    #[test]
    fn a_pkcs12_upload_is_opened_with_its_password_and_shows_its_private_key() {
        let doc = pfx_upload(Some(PFX_PASSWORD)).unwrap();
        assert_eq!(doc["CertificateDataFormat"], "Pkcs12");
        assert_eq!(doc["Thumbprint"], "5E574D716724CC55FBA0C689DE4401DFD9D748CB");
        assert_eq!(doc["SubjectCommonName"], "octosync pfx test");
        assert_eq!(doc["HasPrivateKey"], true);
    }

    #[test]
    fn a_pkcs12_upload_with_a_wrong_or_missing_password_is_refused() {
        for password in [Some("wrong password"), None] {
            let err = pfx_upload(password).unwrap_err();
            assert_eq!(err.status, 400);
            assert!(err.body.to_string().contains("Certificate Invalid"), "{}", err.body);
        }
    }

    #[test]
    fn a_pkcs12_file_under_modern_algorithms_gets_canned_metadata_not_a_crash() {
        let aes = include_bytes!("../../../tests/fixtures/certificates/octosync-test-aes.pfx");
        let mut doc = Doc::new();
        doc.insert("Name".into(), json!("Modern"));
        let b64 = base64::engine::general_purpose::STANDARD.encode(aes);
        doc.insert("CertificateData".into(), json!({"HasValue": true, "NewValue": b64}));
        doc.insert("Password".into(), json!({"HasValue": true, "NewValue": "x"}));
        metadata(&mut doc).unwrap();
        assert_eq!(doc["CertificateDataFormat"], "Pkcs12");
    }

    #[test]
    fn export_without_a_format_gives_the_file_as_uploaded_and_pem_gives_the_certificate() {
        let doc = pfx_upload(Some(PFX_PASSWORD)).unwrap();
        assert_eq!(export(&doc, None).unwrap(), PFX);
        let pem = String::from_utf8(export(&doc, Some("Pem")).unwrap()).unwrap();
        let reparsed = uploaded(pem);
        assert_eq!(reparsed["Thumbprint"], doc["Thumbprint"]);
        assert_eq!(export(&doc, Some("Bogus")).unwrap_err().status, 400);
        let text = uploaded(PEM.to_string());
        assert_eq!(export(&text, None).unwrap(), PEM.as_bytes());
    }

    #[test]
    fn replacing_keeps_the_id_and_archives_a_backup_that_names_it() {
        let mut store = Store::new("2024.3.10989", 30);
        let mut doc = uploaded(PEM.to_string());
        doc.insert("Id".into(), json!("Certificates-1"));
        doc.insert("Archived".into(), Value::Null);
        doc.insert("EnvironmentIds".into(), json!(["Environments-1"]));
        store.push("Spaces-1", Kind::Certificate, doc);
        let b64 = base64::engine::general_purpose::STANDARD.encode(PFX);
        let body = json!({"certificateData": b64, "password": PFX_PASSWORD});
        let backup = replace(&mut store, "Spaces-1", "Certificates-1", &body).unwrap();
        assert_eq!(backup["ReplacedBy"], "Certificates-1");
        assert!(is_archived(&backup));
        assert_eq!(backup["Thumbprint"], "4A7C1E7DE804B797AC334D1E3E9385007E6A7EB7");
        let kept = store.get("Spaces-1", Kind::Certificate, "Certificates-1").unwrap();
        assert_eq!(kept["Thumbprint"], "5E574D716724CC55FBA0C689DE4401DFD9D748CB");
        assert_eq!(kept["EnvironmentIds"], json!(["Environments-1"]));
        assert!(!is_archived(kept));
        let missing = replace(&mut store, "Spaces-1", "Certificates-1", &json!({"password": "x"}));
        assert_eq!(missing.unwrap_err().status, 400);
    }

    #[test]
    fn data_that_is_not_a_certificate_gets_canned_metadata() {
        let doc = uploaded("not-a-certificate".into());
        assert_eq!(doc["CertificateDataFormat"], "Pkcs12");
        assert_eq!(doc["Thumbprint"].as_str().unwrap().len(), 40);
    }
}
