//! Certificates: matched by name and compared by thumbprint, never written. The API returns a
//! certificate's metadata but never its data or password, and this stage does not yet read the
//! source's export route, so a certificate the destination lacks, or holds with another
//! thumbprint, becomes a clean-up entry that names what a person must upload (thumbprint, subject,
//! expiry, and the scoping the destination would give it). Archived certificates are skipped.

use super::infra_scope::Scope;
use super::{document, placeholder, PlanContext, Planned, Stage};
use crate::kind::Kind;
use crate::report::Action;
use crate::snapshot::{id_of, name_of};
use serde_json::Value;

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
        let mut p = Planned::no_write(
            Kind::Certificate,
            name,
            Action::Skip,
            format!("exists on the destination with thumbprint {theirs}; the source's is {ours}"),
        )
        .warnings([format!(
            "certificate '{name}' differs: the destination holds thumbprint {theirs}, the source {ours}. octosync cannot read a certificate's data through the API, so it is left as it is"
        )])
        .at(id_of(dest));
        p.cleanup.push(placeholder::cleanup(
            Kind::Certificate,
            name,
            &format!(
                "the destination's certificate has thumbprint {theirs}; if it should be the source's, replace it (Certificates > {name} > Replace) with the source's file: {}",
                describe(src)
            ),
        ));
        return p;
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
        "exists on the destination with the same thumbprint; certificates are never updated (each instance keeps its own scoping)",
    )
    .at(id_of(dest))
}

/// A certificate the destination lacks: nothing can be created without its data, so the clean-up
/// entry says what to upload and how to scope it, with the scoping translated under the same
/// rules an account's is (a certificate the rules refuse is refused the same way).
fn missing(ctx: &PlanContext<'_>, src: &Value, name: &str) -> Planned {
    let scope = match Scope::translate(ctx, Kind::Certificate, src, name) {
        Ok(scope) => scope,
        Err(refused) => return *refused,
    };
    let mut p = Planned::no_write(
        Kind::Certificate,
        name,
        Action::Skip,
        "missing on the destination; the API never returns a certificate's data, so a person must upload it",
    )
    .warnings(scope.warnings.clone());
    p.cleanup.push(placeholder::cleanup(
        Kind::Certificate,
        name,
        &format!(
            "missing on the destination: upload the source's certificate file with its private key (PFX or PEM, and its password) as '{name}': {}; scope it to {}",
            describe(src),
            scoping(ctx, &scope)
        ),
    ));
    p
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

/// The destination's scoping in words, by name.
fn scoping(ctx: &PlanContext<'_>, scope: &Scope) -> String {
    let names = |ids: &[String]| {
        ids.iter()
            .map(|id| ctx.destination.name_by_id(id).unwrap_or_else(|| id.clone()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let envs = match scope.environments.as_slice() {
        [] => "all environments".to_string(),
        ids => format!("environments {}", names(ids)),
    };
    let mut tenancy = scope.participation.clone();
    if !scope.tenants.is_empty() {
        tenancy.push_str(&format!(", tenants {}", names(&scope.tenants)));
    }
    if !scope.tags.is_empty() {
        tenancy.push_str(&format!(", tenant tags {}", scope.tags.join(", ")));
    }
    format!("{envs}; {tenancy}")
}

fn thumbprint(cert: &Value) -> &str {
    document::str_field(cert, "Thumbprint")
}

fn is_archived(cert: &Value) -> bool {
    cert.get("Archived").is_some_and(|a| !a.is_null())
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
    fn a_missing_certificate_is_a_cleanup_entry_naming_thumbprint_subject_expiry_and_scoping() {
        let mut c = cert("Certificates-1", "Web TLS", "AB12");
        c["EnvironmentIds"] = json!(["Environments-1", "Environments-2"]);
        let p = plan(vec![c], vec![], Rules::default());
        assert_eq!(p.len(), 1);
        assert!(p[0].write.is_none(), "a certificate cannot be created without its data");
        assert_eq!(p[0].change.action, Action::Skip);
        let action = &p[0].cleanup[0].action;
        for part in [
            "thumbprint AB12",
            "subject CN=Web TLS",
            "expires 2030-01-01",
            "environments Production",
            "upload",
        ] {
            assert!(action.contains(part), "{part} missing from: {action}");
        }
        assert!(
            p[0].change.warnings.iter().any(|w| w.contains("'Test'")),
            "{:?}",
            p[0].change.warnings
        );
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
    fn a_different_thumbprint_is_a_warning_and_a_cleanup_entry_never_a_write() {
        let p = plan(
            vec![cert("Certificates-1", "Web TLS", "AB12")],
            vec![cert("Certificates-9", "Web TLS", "CD34")],
            Rules::default(),
        );
        assert!(p[0].write.is_none());
        assert!(p[0].change.warnings[0].contains("CD34") && p[0].change.warnings[0].contains("AB12"));
        assert!(p[0].cleanup[0].action.contains("Replace"));
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
    fn a_certificate_whose_scoping_would_vanish_is_refused_under_the_default_rule() {
        let mut c = cert("Certificates-1", "Web TLS", "AB12");
        c["EnvironmentIds"] = json!(["Environments-1"]);
        let p = plan(vec![c], vec![], Rules::default());
        assert_eq!(p[0].change.action, Action::Skip);
        assert!(p[0].change.reason.contains("environments"), "{}", p[0].change.reason);
        assert!(p[0].cleanup.is_empty());
    }
}
