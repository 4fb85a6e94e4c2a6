//! End-to-end: certificates against two simulated instances. A missing certificate is uploaded
//! from the source's export with the certificate password; one with another thumbprint is replaced
//! in place only when asked; neither the file nor the password is ever printed or reported.

mod support;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use octosync::report::Action;
use octosync::sim::{Seed, SimFault};
use serde_json::{json, Value};
use support::*;

const CERTIFICATES: (&str, &str) = ("OCTOSYNC_CERTIFICATES", "all");
const APPLY: (&str, &str) = ("OCTOSYNC_MODE", "apply");
const REPLACE: (&str, &str) = ("OCTOSYNC_CERTIFICATE_REPLACE", "True");
/// The password of the PKCS#12 fixture, and the canary that must never be printed.
const PFX_PASSWORD: &str = "octosync-pfx-canary-Zq81";
const PASSWORD: (&str, &str) = ("OCTOSYNC_CERTIFICATE_PASSWORD", PFX_PASSWORD);
/// A self-signed certificate (CN=octosync test, O=Octosync), without its key.
const TEST_PEM: &str = include_str!("fixtures/certificates/octosync-test.pem");
/// Another (CN=octosync ca test).
const OTHER_PEM: &str = include_str!("fixtures/certificates/octosync-test-2.pem");
/// A PKCS#12 file with a private key (CN=octosync pfx test), protected by [`PFX_PASSWORD`].
const TEST_PFX: &[u8] = include_bytes!("fixtures/certificates/octosync-test-legacy.pfx");

const WEB_THUMBPRINT: &str = "4A7C1E7DE804B797AC334D1E3E9385007E6A7EB7";
const PFX_THUMBPRINT: &str = "5E574D716724CC55FBA0C689DE4401DFD9D748CB";
const OTHER_THUMBPRINT: &str = "B148B10B97F72F7FEE468C2C05DC0E67E1F5607B";

fn sv(secret: &str) -> Value {
    json!({"HasValue": true, "NewValue": secret})
}

/// Source: "Web TLS" (PEM, scoped to Production), "Signing" (a PFX with a password), "Api TLS",
/// "Internal CA". Destination: "Production", "Api TLS" with the same file, "Internal CA" with
/// another certificate.
fn seed_certificates(p: &Pair) -> String {
    let (s, d) = (p.source_space(), p.dest_space());
    let prod = p
        .source
        .insert(&s, "environments", json!({"Name": "Production"}))
        .unwrap();
    p.destination
        .insert(&d, "environments", json!({"Name": "Production"}))
        .unwrap();
    for doc in [
        json!({"Name": "Web TLS", "Notes": "the public site", "CertificateData": sv(&STANDARD.encode(TEST_PEM)),
               "EnvironmentIds": [prod["Id"]]}),
        json!({"Name": "Signing", "CertificateData": sv(&STANDARD.encode(TEST_PFX)), "Password": sv(PFX_PASSWORD)}),
        json!({"Name": "Api TLS", "CertificateData": sv(OTHER_PEM)}),
        json!({"Name": "Internal CA", "CertificateData": sv(TEST_PEM)}),
    ] {
        p.source.insert(&s, "certificates", doc).unwrap();
    }
    for doc in [
        json!({"Name": "Api TLS", "CertificateData": sv(OTHER_PEM)}),
        json!({"Name": "Internal CA", "CertificateData": sv(OTHER_PEM), "Notes": "destination's own"}),
    ] {
        p.destination.insert(&d, "certificates", doc).unwrap();
    }
    p.destination.clear_request_log();
    s
}

fn cert<'a>(items: &'a [Value], name: &str) -> &'a Value {
    items
        .iter()
        .find(|c| c["Name"] == name && c["Archived"].is_null())
        .unwrap_or_else(|| panic!("no certificate '{name}' in use"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_certificate_is_uploaded_from_the_source_and_a_rerun_writes_nothing() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    seed_certificates(&p);
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &[CERTIFICATES, PASSWORD, APPLY]);
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);

    let dest = p.destination.items(&p.dest_space(), "certificates");
    let web = cert(&dest, "Web TLS");
    assert_eq!(
        web["Thumbprint"], WEB_THUMBPRINT,
        "the same file, read by the destination"
    );
    assert_eq!(web["Notes"], "the public site");
    let prod = p.destination.items(&p.dest_space(), "environments")[0]["Id"].clone();
    assert_eq!(web["EnvironmentIds"], json!([prod]), "scoping translated");
    let signing = cert(&dest, "Signing");
    assert_eq!(signing["Thumbprint"], PFX_THUMBPRINT);
    assert_eq!(
        signing["HasPrivateKey"], true,
        "the private key travelled with the file"
    );
    assert_eq!(change_of(&report, "Certificate", "Web TLS").action, Action::Create);

    let api = change_of(&report, "Certificate", "Api TLS");
    assert_eq!(api.action, Action::Unchanged, "same thumbprint: left alone");
    let ca = change_of(&report, "Certificate", "Internal CA");
    assert_eq!(ca.action, Action::Skip, "another thumbprint is not replaced by default");
    assert!(
        ca.warnings.iter().any(|w| w.contains(WEB_THUMBPRINT)),
        "{:?}",
        ca.warnings
    );
    assert_eq!(cert(&dest, "Internal CA")["Thumbprint"], OTHER_THUMBPRINT);
    assert!(report
        .cleanup
        .iter()
        .any(|c| c.name == "Internal CA" && c.action.contains("OCTOSYNC_CERTIFICATE_REPLACE")));

    assert_rerun_settles(&job).await;
    assert_names_unique(&p);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_protected_file_is_not_uploaded_without_the_password_and_says_so() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    seed_certificates(&p);
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &[CERTIFICATES, APPLY]);
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    let dest = p.destination.items(&p.dest_space(), "certificates");
    assert!(!dest.iter().any(|c| c["Name"] == "Signing"));
    assert_eq!(
        cert(&dest, "Web TLS")["Thumbprint"],
        WEB_THUMBPRINT,
        "files without a password still go"
    );
    let signing = report
        .cleanup
        .iter()
        .find(|c| c.name == "Signing")
        .expect("clean-up entry");
    assert!(
        signing.action.contains("OCTOSYNC_CERTIFICATE_PASSWORD") && signing.action.contains(PFX_THUMBPRINT),
        "{}",
        signing.action
    );
    assert_rerun_settles(&job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_replace_on_a_differing_certificate_is_replaced_in_place_keeping_its_id_and_scoping() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    seed_certificates(&p);
    let d = p.dest_space();
    let before = cert(&p.destination.items(&d, "certificates"), "Internal CA").clone();
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &[("OCTOSYNC_CERTIFICATES", "Internal CA"), REPLACE, APPLY]);
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    let ca = change_of(&report, "Certificate", "Internal CA");
    assert_eq!(ca.action, Action::Update);
    let thumb = ca
        .diff
        .iter()
        .find(|d| d.path == "Thumbprint")
        .expect("thumbprint diff");
    assert_eq!(
        (thumb.before.as_deref(), thumb.after.as_deref()),
        (Some(OTHER_THUMBPRINT), Some(WEB_THUMBPRINT))
    );

    let dest = p.destination.items(&d, "certificates");
    let after = cert(&dest, "Internal CA");
    assert_eq!(after["Id"], before["Id"], "replaced in place");
    assert_eq!(after["Thumbprint"], WEB_THUMBPRINT);
    assert_eq!(after["Notes"], "destination's own");
    let backup = dest
        .iter()
        .find(|c| c["Name"] == "Internal CA" && !c["Archived"].is_null())
        .expect("Octopus keeps the old one archived");
    assert_eq!(backup["ReplacedBy"], before["Id"]);
    assert_eq!(backup["Thumbprint"], OTHER_THUMBPRINT);
    let replaces = p
        .destination
        .request_log()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/replace"))
        .count();
    assert_eq!(replaces, 1);

    assert_rerun_settles(&job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replace_whose_answer_is_lost_is_recognised_and_not_sent_twice() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    seed_certificates(&p);
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &[("OCTOSYNC_CERTIFICATES", "Internal CA"), REPLACE, APPLY]);
    p.destination.inject("POST", SimFault::DroppedAfterCommit, 1);
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    let dest = p.destination.items(&p.dest_space(), "certificates");
    let archived = dest.iter().filter(|c| !c["Archived"].is_null()).count();
    assert_eq!(archived, 1, "one replace, one archived backup: {dest:#?}");
    assert_eq!(cert(&dest, "Internal CA")["Thumbprint"], WEB_THUMBPRINT);
}

#[tokio::test(flavor = "multi_thread")]
async fn certificates_are_not_synced_unless_selected_by_name() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    seed_certificates(&p);
    let dir = tempfile::tempdir().unwrap();
    let report = run(&p.job(dir.path(), &[("OCTOSYNC_CERTIFICATES", "Api TLS"), APPLY]))
        .await
        .unwrap();
    let certs: Vec<_> = report.changes.iter().filter(|c| c.kind == "Certificate").collect();
    assert_eq!(certs.len(), 1, "{certs:?}");
    assert_eq!(certs[0].name, "Api TLS");
    assert_eq!(p.dest_writes(), 0);

    let report = run(&p.job(dir.path(), &[APPLY])).await.unwrap();
    assert!(
        !report.changes.iter().any(|c| c.kind == "Certificate"),
        "nothing by default"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_certificate_file_and_password_never_appear_in_any_output() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    seed_certificates(&p);
    let dir = tempfile::tempdir().unwrap();
    let mut output = String::new();
    for (mode, replace) in [("plan", "False"), ("apply", "True")] {
        let vars = p.vars(
            dir.path(),
            &[
                CERTIFICATES,
                PASSWORD,
                ("OCTOSYNC_CERTIFICATE_REPLACE", replace),
                ("OCTOSYNC_MODE", mode),
                ("OCTOSYNC_VERBOSE", "True"),
            ],
        );
        let out = run_binary(&[], vars).await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        output.push_str(&text(&out));
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            output.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
    }
    assert!(
        output.contains("Signing"),
        "the run reported the certificates: {output}"
    );
    let dest = p.destination.items(&p.dest_space(), "certificates");
    assert_eq!(
        cert(&dest, "Signing")["Thumbprint"],
        PFX_THUMBPRINT,
        "the apply uploaded it"
    );
    let pfx = STANDARD.encode(TEST_PFX);
    let pem_body = TEST_PEM.lines().nth(5).unwrap();
    let log = format!("{:?}", p.destination.request_log());
    for canary in [PFX_PASSWORD, &pfx[100..160], pem_body] {
        assert!(!output.contains(canary), "{canary} printed or reported");
        assert!(!log.contains(canary), "{canary} in the request log");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_archived_certificate_is_skipped_with_a_note() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let s = seed_certificates(&p);
    let old = p
        .source
        .insert(
            &s,
            "certificates",
            json!({"Name": "Retired TLS", "CertificateData": sv(OTHER_PEM)}),
        )
        .unwrap();
    let path = format!("/api/{s}/certificates/{}/archive", old["Id"].as_str().unwrap());
    let (status, body) = post_by_hand(&p.source, &path, json!({})).await;
    assert_eq!(status, 200, "{body}");
    let dir = tempfile::tempdir().unwrap();
    let report = run(&p.job(dir.path(), &[CERTIFICATES, APPLY])).await.unwrap();
    let retired = change_of(&report, "Certificate", "Retired TLS");
    assert_eq!(retired.action, Action::Skip);
    assert!(retired.notes.iter().any(|n| n.contains("archived")), "{retired:?}");
    assert!(!p
        .destination
        .items(&p.dest_space(), "certificates")
        .iter()
        .any(|c| c["Name"] == "Retired TLS"));
}
