//! End-to-end: certificates against two simulated instances. The API never returns a
//! certificate's data, so octosync never writes one: it compares thumbprints and says what a
//! person must upload.

mod support;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use octosync::sim::Seed;
use serde_json::{json, Value};
use support::*;

const CERTIFICATES: (&str, &str) = ("OCTOSYNC_CERTIFICATES", "all");
const APPLY: (&str, &str) = ("OCTOSYNC_MODE", "apply");
const DATA_CANARY: &str = "canary-cert-data-5e7a";
const PASSWORD_CANARY: &str = "canary-cert-password-5e7a";
/// A self-signed certificate (CN=octosync test, O=Octosync), without its key.
const TEST_PEM: &str = include_str!("fixtures/certificates/octosync-test.pem");

fn sv(secret: &str) -> Value {
    json!({"HasValue": true, "NewValue": secret})
}

/// Source: "Web TLS" (scoped to Production), "Api TLS", "Internal CA". Destination: "Production",
/// "Api TLS" with the same data (same thumbprint), "Internal CA" with other data.
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
        json!({"Name": "Web TLS", "CertificateData": sv(&STANDARD.encode(TEST_PEM)), "Password": sv(PASSWORD_CANARY),
               "EnvironmentIds": [prod["Id"]]}),
        json!({"Name": "Api TLS", "CertificateData": sv("api-data"), "Password": sv(PASSWORD_CANARY)}),
        json!({"Name": "Internal CA", "CertificateData": sv(&format!("ca-{DATA_CANARY}")), "Password": sv(PASSWORD_CANARY)}),
    ] {
        p.source.insert(&s, "certificates", doc).unwrap();
    }
    for doc in [
        json!({"Name": "Api TLS", "CertificateData": sv("api-data")}),
        json!({"Name": "Internal CA", "CertificateData": sv("ca-destination-own")}),
    ] {
        p.destination.insert(&d, "certificates", doc).unwrap();
    }
    p.destination.clear_request_log();
    s
}

fn thumbprint(items: &[Value], name: &str) -> String {
    items.iter().find(|c| c["Name"] == name).unwrap()["Thumbprint"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_certificate_is_a_cleanup_entry_naming_what_to_upload_and_nothing_is_written() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let s = seed_certificates(&p);
    let src = p.source.items(&s, "certificates");
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &[CERTIFICATES, APPLY]);
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);
    assert_eq!(p.dest_writes(), 0, "a certificate is never written");

    let web = report
        .cleanup
        .iter()
        .find(|c| c.kind == "Certificate" && c.name == "Web TLS")
        .expect("clean-up entry for the missing certificate");
    assert_eq!(thumbprint(&src, "Web TLS"), "4A7C1E7DE804B797AC334D1E3E9385007E6A7EB7");
    assert!(
        web.action
            .contains("thumbprint 4A7C1E7DE804B797AC334D1E3E9385007E6A7EB7"),
        "{}",
        web.action
    );
    assert!(web.action.contains("CN=octosync test"), "{}", web.action);
    assert!(web.action.contains("expires 2036-11-27"), "{}", web.action);
    assert!(
        web.action.contains("environments Production"),
        "scoping translated: {}",
        web.action
    );

    let api = change_of(&report, "Certificate", "Api TLS");
    assert_eq!(
        api.action,
        octosync::report::Action::Unchanged,
        "same thumbprint: left alone"
    );
    assert!(!report.cleanup.iter().any(|c| c.name == "Api TLS"));

    let ca = change_of(&report, "Certificate", "Internal CA");
    assert!(
        ca.warnings.iter().any(|w| w.contains(&thumbprint(&src, "Internal CA"))),
        "another thumbprint is a warning: {:?}",
        ca.warnings
    );
    assert!(report
        .cleanup
        .iter()
        .any(|c| c.name == "Internal CA" && c.action.contains("Replace")));

    assert_rerun_settles(&job).await;
    assert_eq!(p.dest_writes(), 0);
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
    assert!(!report.cleanup.iter().any(|c| c.kind == "Certificate"));

    let report = run(&p.job(dir.path(), &[APPLY])).await.unwrap();
    assert!(
        !report.changes.iter().any(|c| c.kind == "Certificate"),
        "nothing by default"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn certificate_data_and_password_never_appear_in_any_output() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    seed_certificates(&p);
    let dir = tempfile::tempdir().unwrap();
    let mut output = String::new();
    for mode in ["plan", "apply"] {
        let vars = p.vars(
            dir.path(),
            &[CERTIFICATES, ("OCTOSYNC_MODE", mode), ("OCTOSYNC_VERBOSE", "True")],
        );
        let out = run_binary(&[], vars).await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        output.push_str(&text(&out));
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            output.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
    }
    assert!(
        output.contains("Web TLS"),
        "the run reported the certificates: {output}"
    );
    let log = format!("{:?}", p.destination.request_log());
    for canary in [DATA_CANARY, PASSWORD_CANARY] {
        assert!(!output.contains(canary), "{canary} printed or reported");
        assert!(!p.destination.stores_text(canary), "{canary} reached the destination");
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
            json!({"Name": "Retired TLS", "CertificateData": sv("retired")}),
        )
        .unwrap();
    let url = format!(
        "{}/api/{s}/certificates/{}/archive",
        p.source.url(),
        old["Id"].as_str().unwrap()
    );
    // reqwest is built without a default crypto provider; octosync installs ring the same way.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let archived = reqwest::Client::new()
        .post(url)
        .header("X-Octopus-ApiKey", p.source.api_key())
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(archived.status(), 200);
    let dir = tempfile::tempdir().unwrap();
    let report = run(&p.job(dir.path(), &[CERTIFICATES, APPLY])).await.unwrap();
    let retired = change_of(&report, "Certificate", "Retired TLS");
    assert_eq!(retired.action, octosync::report::Action::Skip);
    assert!(retired.notes.iter().any(|n| n.contains("archived")), "{retired:?}");
    assert!(
        !report.cleanup.iter().any(|c| c.name == "Retired TLS"),
        "nothing to upload"
    );
}
