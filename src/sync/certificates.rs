//! Certificates: matched by name and compared by thumbprint. A certificate the destination lacks
//! is uploaded from the source's export (the file exactly as it was uploaded there) with the
//! certificate password; one with another thumbprint is replaced in place only when
//! `OCTOSYNC_CERTIFICATE_REPLACE` says so, otherwise it is a warning and a clean-up entry.
//! Archived certificates are skipped. The file never enters the plan: the write fetches it.

use super::infra_scope::Scope;
use super::{document, placeholder, PlanContext, Planned, Stage, Write};
use crate::kind::Kind;
use crate::report::{Action, DiffOp, FieldDiff};
use crate::snapshot::{id_of, name_of};
use serde_json::{json, Value};

/// The certificates stage.
pub struct Certificates;

impl Stage for Certificates {
    fn kind(&self) -> Kind {
        Kind::Certificate
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        ctx.selected(Kind::Certificate).map(|src| plan_one(ctx, src)).collect()
    }
}

fn plan_one(ctx: &PlanContext<'_>, src: &Value) -> Planned {
    let name = name_of(src);
    if is_archived(src) {
        return Planned::no_write(
            Kind::Certificate,
            name,
            Action::Skip,
            "archived on the source; archived certificates are not synced",
        )
        .notes([format!(
            "certificate '{name}' is archived on the source (replaced or retired), so it is not synced"
        )]);
    }
    let Some(dest) = ctx.destination.by_name(Kind::Certificate, name) else {
        return missing(ctx, src, name);
    };
    let (ours, theirs) = (thumbprint(src), thumbprint(dest));
    if !ours.eq_ignore_ascii_case(theirs) {
        return differs(ctx, src, dest, name);
    }
    if is_archived(dest) {
        return Planned::no_write(
            Kind::Certificate,
            name,
            Action::Skip,
            "exists on the destination with the same thumbprint, but archived",
        )
        .warnings([format!(
            "certificate '{name}' is archived on the destination while the source's is in use: unarchive it on the destination if deployments there need it"
        )])
        .at(id_of(dest));
    }
    Planned::no_write(
        Kind::Certificate,
        name,
        Action::Unchanged,
        "exists on the destination with the same thumbprint; its notes and scoping are the destination's own",
    )
    .at(id_of(dest))
}

/// A certificate the destination lacks: uploaded from the source's file, with the scoping
/// translated under the same rules an account's is.
fn missing(ctx: &PlanContext<'_>, src: &Value, name: &str) -> Planned {
    let scope = match Scope::translate(ctx, Kind::Certificate, src, name) {
        Ok(scope) => scope,
        Err(refused) => return *refused,
    };
    if let Some(refused) = needs_password(ctx, src, name, "upload it") {
        return refused.warnings(scope.warnings);
    }
    let body = json!({
        "Name": name,
        "Notes": src.get("Notes").cloned().unwrap_or(Value::Null),
        "EnvironmentIds": scope.environments,
        "TenantIds": scope.tenants,
        "TenantTags": scope.tags,
        "TenantedDeploymentParticipation": scope.participation,
    });
    let mut p = Planned::create(
        ctx,
        Kind::Certificate,
        name,
        "missing on the destination; uploaded from the source's file",
        body.clone(),
    )
    .warnings(scope.warnings)
    .notes([format!("uploads the source's file: {}", describe(src))]);
    p.change.diff.extend(file_diff(None, src));
    p.write = Some(Write::UploadCertificate {
        source_id: id_of(src).to_string(),
        thumbprint: thumbprint(src).to_string(),
        body,
    });
    p
}

/// A destination certificate whose thumbprint differs: replaced in place when the rules say so,
/// otherwise left alone with a warning and a clean-up entry.
fn differs(ctx: &PlanContext<'_>, src: &Value, dest: &Value, name: &str) -> Planned {
    let (ours, theirs) = (thumbprint(src), thumbprint(dest));
    if !ctx.rules.replace_certificates {
        let mut p = Planned::no_write(
            Kind::Certificate,
            name,
            Action::Skip,
            format!("exists on the destination with thumbprint {theirs}; the source's is {ours}"),
        )
        .warnings([format!(
            "certificate '{name}' differs: the destination holds thumbprint {theirs}, the source {ours}. It is left as it is; set OCTOSYNC_CERTIFICATE_REPLACE=True to replace it with the source's"
        )])
        .at(id_of(dest));
        p.cleanup.push(placeholder::cleanup(
            Kind::Certificate,
            name,
            &format!(
                "the destination's certificate has thumbprint {theirs}; if it should be the source's, replace it (Certificates > {name} > Replace) with the source's file ({}), or run with OCTOSYNC_CERTIFICATE_REPLACE=True",
                describe(src)
            ),
        ));
        return p;
    }
    if let Some(refused) = needs_password(ctx, src, name, "replace the destination's with it") {
        return refused.at(id_of(dest));
    }
    let mut expected = dest.clone();
    for field in ["Thumbprint", "SubjectDistinguishedName", "NotAfter"] {
        expected[field] = src.get(field).cloned().unwrap_or(Value::Null);
    }
    expected["Archived"] = Value::Null;
    let mut p = Planned::no_write(
        Kind::Certificate,
        name,
        Action::Update,
        format!("the destination holds thumbprint {theirs}; replaced in place with the source's file (OCTOSYNC_CERTIFICATE_REPLACE)"),
    )
    .at(id_of(dest))
    .notes([format!(
        "the destination keeps the certificate's id, name, notes and scoping, and Octopus keeps the replaced one archived: {}",
        describe(src)
    )]);
    p.change.changed_fields = vec!["CertificateData".into()];
    p.change.diff = file_diff(Some(dest), src);
    p.write = Some(Write::ReplaceCertificate {
        id: id_of(dest).to_string(),
        source_id: id_of(src).to_string(),
        thumbprint: ours.to_string(),
        expected,
    });
    p
}

/// A source file protected by a password cannot be uploaded without one: refused with a clean-up
/// entry rather than sent to fail on the destination.
fn needs_password(ctx: &PlanContext<'_>, src: &Value, name: &str, to: &str) -> Option<Planned> {
    if ctx.rules.certificate_password || !placeholder::has_value(src.get("Password").unwrap_or(&Value::Null)) {
        return None;
    }
    let mut p = Planned::no_write(
        Kind::Certificate,
        name,
        Action::Skip,
        "the source's file is protected by a password and OCTOSYNC_CERTIFICATE_PASSWORD is empty",
    )
    .warnings([format!(
        "certificate '{name}' was not uploaded: its file on the source has a password; set OCTOSYNC_CERTIFICATE_PASSWORD (a sensitive variable) to it and run again"
    )]);
    p.cleanup.push(placeholder::cleanup(
        Kind::Certificate,
        name,
        &format!(
            "set OCTOSYNC_CERTIFICATE_PASSWORD to the password of the source's file ({}) so octosync can {to}, or do it by hand",
            describe(src)
        ),
    ));
    Some(p)
}

/// The file's identity, before → after: what a reviewer checks (the file itself is never shown).
fn file_diff(dest: Option<&Value>, src: &Value) -> Vec<FieldDiff> {
    ["Thumbprint", "SubjectDistinguishedName", "NotAfter"]
        .into_iter()
        .map(|field| FieldDiff {
            path: field.to_string(),
            op: if dest.is_some() { DiffOp::Changed } else { DiffOp::Added },
            before: dest.map(|d| document::str_field(d, field).to_string()),
            after: Some(document::str_field(src, field).to_string()),
            lines: vec![],
        })
        .filter(|d| d.before != d.after)
        .collect()
}

/// Thumbprint, subject and expiry: enough for a person to find the right file.
fn describe(cert: &Value) -> String {
    let or_unknown = |field| match document::str_field(cert, field) {
        "" => "unknown".to_string(),
        v => v.to_string(),
    };
    format!(
        "thumbprint {}, subject {}, expires {}",
        or_unknown("Thumbprint"),
        or_unknown("SubjectDistinguishedName"),
        or_unknown("NotAfter")
    )
}

fn thumbprint(cert: &Value) -> &str {
    document::str_field(cert, "Thumbprint")
}

fn is_archived(cert: &Value) -> bool {
    crate::snapshot::is_archived(cert)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;
    use crate::settings::selector::Selector;
    use crate::snapshot::Snapshot;
    use serde_json::json;

    fn cert(id: &str, name: &str, thumb: &str) -> Value {
        json!({"Id": id, "Name": name, "Thumbprint": thumb, "SubjectDistinguishedName": format!("CN={name}"),
            "NotAfter": "2030-01-01T00:00:00.000+00:00", "Archived": null,
            "EnvironmentIds": [], "TenantIds": [], "TenantTags": [], "TenantedDeploymentParticipation": "Untenanted",
            "CertificateData": {"HasValue": true, "NewValue": null}, "Password": {"HasValue": true, "NewValue": null}})
    }

    fn plan(src: Vec<Value>, dest: Vec<Value>, rules: Rules) -> Vec<Planned> {
        let s = Snapshot::from_docs([
            (Kind::Certificate, src),
            (
                Kind::Environment,
                vec![
                    json!({"Id": "Environments-1", "Name": "Test"}),
                    json!({"Id": "Environments-2", "Name": "Production"}),
                ],
            ),
        ]);
        let d = Snapshot::from_docs([
            (Kind::Certificate, dest),
            (
                Kind::Environment,
                vec![json!({"Id": "Environments-7", "Name": "Production"})],
            ),
        ]);
        let sel = Selector::all();
        Certificates.plan(&PlanContext {
            source: &s,
            destination: &d,
            rules: &rules,
            selector: &sel,
        })
    }

    #[test]
    fn a_missing_certificate_is_uploaded_from_the_source_with_its_scoping_translated() {
        let mut c = cert("Certificates-1", "Web TLS", "AB12");
        c["EnvironmentIds"] = json!(["Environments-1", "Environments-2"]);
        c["Password"] = json!({"HasValue": false, "NewValue": null});
        let p = plan(vec![c], vec![], Rules::default());
        let Some(Write::UploadCertificate {
            source_id,
            thumbprint,
            body,
        }) = &p[0].write
        else {
            panic!("expected an upload: {:?}", p[0].write);
        };
        assert_eq!((source_id.as_str(), thumbprint.as_str()), ("Certificates-1", "AB12"));
        assert_eq!(body["EnvironmentIds"], json!(["Environments-7"]));
        assert!(body.get("CertificateData").is_none() && body.get("Thumbprint").is_none());
        assert_eq!(p[0].change.action, Action::Create);
        assert!(p[0]
            .change
            .diff
            .iter()
            .any(|d| d.path == "Thumbprint" && d.after.as_deref() == Some("AB12")));
        assert!(
            p[0].change.warnings.iter().any(|w| w.contains("'Test'")),
            "{:?}",
            p[0].change.warnings
        );
    }

    #[test]
    fn a_password_protected_file_without_the_password_setting_is_a_cleanup_entry_not_a_write() {
        let p = plan(
            vec![cert("Certificates-1", "Web TLS", "AB12")],
            vec![],
            Rules::default(),
        );
        assert!(p[0].write.is_none());
        assert_eq!(p[0].change.action, Action::Skip);
        let action = &p[0].cleanup[0].action;
        assert!(
            action.contains("OCTOSYNC_CERTIFICATE_PASSWORD") && action.contains("thumbprint AB12"),
            "{action}"
        );
        let rules = Rules {
            certificate_password: true,
            ..Rules::default()
        };
        let p = plan(vec![cert("Certificates-1", "Web TLS", "AB12")], vec![], rules);
        assert!(matches!(p[0].write, Some(Write::UploadCertificate { .. })));
    }

    #[test]
    fn a_certificate_with_the_same_thumbprint_is_left_alone() {
        let p = plan(
            vec![cert("Certificates-1", "Web TLS", "AB12")],
            vec![cert("Certificates-9", "Web TLS", "ab12")],
            Rules::default(),
        );
        assert_eq!(p[0].change.action, Action::Unchanged);
        assert!(p[0].write.is_none() && p[0].cleanup.is_empty());
    }

    #[test]
    fn a_different_thumbprint_is_a_warning_and_a_cleanup_entry_unless_replacing_is_on() {
        let p = plan(
            vec![cert("Certificates-1", "Web TLS", "AB12")],
            vec![cert("Certificates-9", "Web TLS", "CD34")],
            Rules::default(),
        );
        assert!(p[0].write.is_none());
        assert!(p[0].change.warnings[0].contains("CD34") && p[0].change.warnings[0].contains("AB12"));
        assert!(p[0].change.warnings[0].contains("OCTOSYNC_CERTIFICATE_REPLACE"));
        assert!(p[0].cleanup[0].action.contains("Replace"));
    }

    #[test]
    fn with_replacing_on_a_different_thumbprint_is_replaced_in_place_showing_before_and_after() {
        let rules = Rules {
            replace_certificates: true,
            certificate_password: true,
            ..Rules::default()
        };
        let p = plan(
            vec![cert("Certificates-1", "Web TLS", "AB12")],
            vec![cert("Certificates-9", "Web TLS", "CD34")],
            rules,
        );
        let Some(Write::ReplaceCertificate {
            id,
            source_id,
            thumbprint,
            expected,
        }) = &p[0].write
        else {
            panic!("expected a replace: {:?}", p[0].write);
        };
        assert_eq!(
            (id.as_str(), source_id.as_str(), thumbprint.as_str()),
            ("Certificates-9", "Certificates-1", "AB12")
        );
        assert_eq!(expected["Thumbprint"], "AB12");
        assert_eq!(p[0].change.action, Action::Update);
        let thumb = p[0].change.diff.iter().find(|d| d.path == "Thumbprint").unwrap();
        assert_eq!(
            (thumb.before.as_deref(), thumb.after.as_deref()),
            (Some("CD34"), Some("AB12"))
        );
        assert!(p[0].cleanup.is_empty());
    }

    #[test]
    fn an_archived_source_certificate_is_skipped_with_a_note() {
        let mut c = cert("Certificates-1", "Old TLS", "AB12");
        c["Archived"] = json!("2025-01-01T00:00:00.000+00:00");
        let p = plan(vec![c], vec![], Rules::default());
        assert_eq!(p[0].change.action, Action::Skip);
        assert!(p[0].cleanup.is_empty());
        assert!(p[0].change.notes[0].contains("archived"));
    }

    #[test]
    fn a_replaced_source_certificates_archived_backup_is_neither_synced_nor_a_name_collision() {
        let live = cert("Certificates-1", "Web TLS", "AB12");
        let mut backup = cert("Certificates-4", "Web TLS", "OLD1");
        backup["Archived"] = json!("2025-01-01T00:00:00.000+00:00");
        backup["ReplacedBy"] = json!("Certificates-1");
        let dest = cert("Certificates-9", "Web TLS", "AB12");
        let p = plan(vec![backup, live], vec![dest], Rules::default());
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].change.action, Action::Unchanged);
        assert!(p[0].change.error.is_none());
    }

    #[test]
    fn a_certificate_whose_scoping_would_vanish_is_refused_under_the_default_rule() {
        let mut c = cert("Certificates-1", "Web TLS", "AB12");
        c["EnvironmentIds"] = json!(["Environments-1"]);
        let p = plan(vec![c], vec![], Rules::default());
        assert_eq!(p[0].change.action, Action::Skip);
        assert!(p[0].change.reason.contains("environments"), "{}", p[0].change.reason);
        assert!(p[0].cleanup.is_empty());
    }
}
