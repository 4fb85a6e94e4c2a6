//! Accounts: created when missing with the source's type and non-secret fields, never updated, so
//! each instance keeps its own credentials. Secrets never travel: one the server requires gets the
//! placeholder, any other is left empty, each with a clean-up entry. Environment, tenant and
//! tenant-tag scoping is translated under the three infrastructure scope-match rules, and scoping
//! that would become empty never widens the account without a warning.

use super::infra_scope::Scope;
use super::{document, placeholder, PlanContext, Planned, Stage};
use crate::kind::Kind;
use crate::report::{Action, CleanupItem};
use crate::snapshot::{id_of, name_of};
use serde_json::{json, Value};

/// The accounts stage.
pub struct Accounts;

/// Fields that hold an account's secret (reference §2.14). A field shaped as a sensitive value is
/// a secret whatever its name; these are secrets whatever their shape.
const SECRET_FIELDS: &[&str] = &[
    "Password",
    "Token",
    "SecretKey",
    "PrivateKeyFile",
    "PrivateKeyPassphrase",
    "CertificateBytes",
    "JsonKey",
];

/// Account types that sign in with OpenID Connect: their identity provider trusts the instance
/// that issues the tokens, so the destination needs its own federated credential.
const OIDC_TYPES: &[&str] = &[
    "AzureOidc",
    "AmazonWebServicesOidcAccount",
    "GoogleCloudOidcAccount",
    "GenericOidcAccount",
];

impl Stage for Accounts {
    fn kind(&self) -> Kind {
        Kind::Account
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        ctx.selected(Kind::Account).map(|src| plan_one(ctx, src)).collect()
    }
}

fn plan_one(ctx: &PlanContext<'_>, src: &Value) -> Planned {
    let name = name_of(src);
    let Some(dest) = ctx.destination.by_name(Kind::Account, name) else {
        return create(ctx, src, name);
    };
    let (ours, theirs) = (account_type(src), account_type(dest));
    if !ours.eq_ignore_ascii_case(theirs) {
        return Planned::no_write(
            Kind::Account,
            name,
            Action::Skip,
            format!("exists on the destination as a {theirs} account; the source's is {ours}"),
        )
        .warnings([format!(
            "account '{name}' not synced: it is a {ours} account on the source and a {theirs} account on the destination. octosync never changes an account's type, and references to this account are not translated; rename one of them, or replace the destination's by hand"
        )])
        .at(id_of(dest));
    }
    Planned::no_write(
        Kind::Account,
        name,
        Action::Unchanged,
        "exists on the destination; accounts are created, never updated (each instance keeps its own credentials and scoping)",
    )
    .at(id_of(dest))
}

/// A new account: the source's document without what the server owns, scoping translated, every
/// secret replaced.
fn create(ctx: &PlanContext<'_>, src: &Value, name: &str) -> Planned {
    let scope = match Scope::translate(ctx, Kind::Account, src, name) {
        Ok(scope) => scope,
        Err(refused) => return *refused,
    };
    let mut body = document::for_create(src);
    body["EnvironmentIds"] = json!(scope.environments);
    body["TenantIds"] = json!(scope.tenants);
    body["TenantTags"] = json!(scope.tags);
    body["TenantedDeploymentParticipation"] = json!(scope.participation);
    let mut cleanup = secrets(&mut body, src, name);
    cleanup.extend(oidc_trust(src, name));
    let mut p = Planned::create(ctx, Kind::Account, name, "missing on the destination", body).warnings(scope.warnings);
    p.cleanup = cleanup;
    p
}

/// Replaces every secret of `body` and says what a person must enter: a secret the server requires
/// gets the placeholder; any other is left empty, with a clean-up entry when the source has one.
fn secrets(body: &mut Value, src: &Value, name: &str) -> Vec<CleanupItem> {
    let required = required_secret(account_type(src));
    placeholder::replace_secrets(Kind::Account, name, body, SECRET_FIELDS, required.as_slice())
}

/// The secret the server will not create an account of this type without (reference §2.14; the
/// simulator's rule, from PYCLIENT's placeholder comment).
fn required_secret(account_type: &str) -> Option<&'static str> {
    match account_type {
        "Token" => Some("Token"),
        "AmazonWebServicesAccount" => Some("SecretKey"),
        "AzureServicePrincipal" => Some("Password"),
        "GoogleCloudAccount" => Some("JsonKey"),
        "SshKeyPair" => Some("PrivateKeyFile"),
        _ => None,
    }
}

/// An OpenID Connect account works only once its identity provider trusts the destination
/// instance, which issues its tokens under another URL.
fn oidc_trust(src: &Value, name: &str) -> Option<CleanupItem> {
    OIDC_TYPES.contains(&account_type(src)).then(|| {
        placeholder::cleanup(
            Kind::Account,
            name,
            "OpenID Connect: the audience and subject keys were copied from the source, but the identity provider trusts the source instance's tokens; add a federated credential for this instance (its server URL as issuer) before the account can sign in",
        )
    })
}

fn account_type(account: &Value) -> &str {
    document::str_field(account, "AccountType")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;
    use crate::scope::MatchPolicy;
    use crate::settings::selector::Selector;
    use crate::snapshot::Snapshot;
    use crate::sync::Write;
    use serde_json::json;

    fn spaces(src_accounts: Vec<Value>, dest_accounts: Vec<Value>) -> (Snapshot, Snapshot) {
        let s = Snapshot::from_docs([
            (Kind::Account, src_accounts),
            (
                Kind::Environment,
                vec![
                    json!({"Id": "Environments-1", "Name": "Test"}),
                    json!({"Id": "Environments-2", "Name": "Production"}),
                ],
            ),
            (
                Kind::Tenant,
                vec![
                    json!({"Id": "Tenants-1", "Name": "Acme"}),
                    json!({"Id": "Tenants-2", "Name": "Globex"}),
                ],
            ),
            (
                Kind::TagSet,
                vec![json!({"Id": "TagSets-1", "Name": "Region", "Tags": [
                    {"Id": "TagSets-1/Tags-1", "Name": "East"}, {"Id": "TagSets-1/Tags-2", "Name": "West"}]})],
            ),
        ]);
        let d = Snapshot::from_docs([
            (Kind::Account, dest_accounts),
            (
                Kind::Environment,
                vec![json!({"Id": "Environments-7", "Name": "production"})],
            ),
            (Kind::Tenant, vec![json!({"Id": "Tenants-9", "Name": "Acme"})]),
            (
                Kind::TagSet,
                vec![
                    json!({"Id": "TagSets-5", "Name": "region", "Tags": [{"Id": "TagSets-5/Tags-8", "Name": "east"}]}),
                ],
            ),
        ]);
        (s, d)
    }

    fn plan_with(rules: Rules, src: Value, dest: Vec<Value>) -> Planned {
        let (s, d) = spaces(vec![src], dest);
        let sel = Selector::all();
        Accounts
            .plan(&PlanContext {
                source: &s,
                destination: &d,
                rules: &rules,
                selector: &sel,
            })
            .remove(0)
    }

    fn plan(src: Value, dest: Vec<Value>) -> Planned {
        plan_with(Rules::default(), src, dest)
    }

    fn created(p: &Planned) -> &Value {
        match &p.write {
            Some(Write::Create { body }) => body,
            other => panic!("expected a create, got {other:?}"),
        }
    }

    fn ignore_all() -> Rules {
        Rules {
            infrastructure_environments: MatchPolicy::IgnoreMismatch,
            infrastructure_tenants: MatchPolicy::IgnoreMismatch,
            infrastructure_tenant_tags: MatchPolicy::IgnoreMismatch,
            ..Rules::default()
        }
    }

    #[test]
    fn a_new_username_password_account_keeps_its_username_but_never_its_password() {
        let src = json!({"Id": "Accounts-1", "Name": "Deployer", "AccountType": "UsernamePassword", "SpaceId": "Spaces-1",
            "Username": "deploy", "Password": {"HasValue": true, "NewValue": null}, "EnvironmentIds": [],
            "TenantIds": [], "TenantTags": [], "TenantedDeploymentParticipation": "Untenanted", "Links": {}});
        let p = plan(src, vec![]);
        let body = created(&p);
        assert_eq!(body["Username"], "deploy");
        assert_eq!(body["Password"], placeholder::none());
        assert!(body.get("Id").is_none() && body.get("SpaceId").is_none());
        assert_eq!(p.cleanup.len(), 1);
        assert!(p.cleanup[0].action.starts_with("Password: the source account has one"));
    }

    #[test]
    fn secrets_the_server_requires_get_the_placeholder_and_a_clean_up_entry() {
        for (t, field) in [
            ("Token", "Token"),
            ("AmazonWebServicesAccount", "SecretKey"),
            ("AzureServicePrincipal", "Password"),
            ("GoogleCloudAccount", "JsonKey"),
            ("SshKeyPair", "PrivateKeyFile"),
        ] {
            let src = json!({"Id": "Accounts-2", "Name": "A", "AccountType": t, "ClientId": "c1", "TenantId": "t1",
                "AccessKey": "AKIAEXAMPLE", field: {"HasValue": true}});
            let p = plan(src, vec![]);
            let body = created(&p);
            assert_eq!(body[field]["NewValue"], placeholder::SECRET_PLACEHOLDER, "{t}");
            assert_eq!(p.cleanup.len(), 1, "{t}: {:?}", p.cleanup);
            assert!(p.cleanup[0]
                .action
                .starts_with(&format!("{field}: created with the placeholder")));
        }
    }

    #[test]
    fn an_ssh_key_pair_gets_a_placeholder_key_and_no_passphrase() {
        let src = json!({"Id": "Accounts-3", "Name": "Ssh", "AccountType": "SshKeyPair", "Username": "root",
            "PrivateKeyFile": {"HasValue": true}, "PrivateKeyPassphrase": {"HasValue": true}});
        let p = plan(src, vec![]);
        let body = created(&p);
        assert_eq!(body["PrivateKeyPassphrase"], placeholder::none());
        assert_eq!(body["Username"], "root");
        assert_eq!(p.cleanup.len(), 2, "{:?}", p.cleanup);
    }

    #[test]
    fn oidc_accounts_keep_their_non_secret_fields_and_ask_for_a_federated_credential() {
        let src = json!({"Id": "Accounts-4", "Name": "Azure OIDC", "AccountType": "AzureOidc", "SubscriptionNumber": "s",
            "ClientId": "client", "TenantId": "tenant", "Audience": "api://AzureADTokenExchange",
            "DeploymentSubjectKeys": ["space", "environment"]});
        let p = plan(src, vec![]);
        let body = created(&p);
        assert_eq!(body["ClientId"], "client");
        assert_eq!(body["Audience"], "api://AzureADTokenExchange");
        assert_eq!(body["DeploymentSubjectKeys"], json!(["space", "environment"]));
        assert_eq!(p.cleanup.len(), 1);
        assert!(p.cleanup[0].action.starts_with("OpenID Connect"));
    }

    #[test]
    fn an_existing_account_of_the_same_type_is_left_alone_and_another_type_is_skipped_with_a_warning() {
        let src =
            json!({"Id": "Accounts-1", "Name": "Cloud", "AccountType": "AmazonWebServicesAccount", "AccessKey": "A"});
        let same =
            json!({"Id": "Accounts-9", "Name": "cloud", "AccountType": "AmazonWebServicesAccount", "AccessKey": "B"});
        let p = plan(src.clone(), vec![same]);
        assert!(p.write.is_none());
        assert_eq!(p.change.action, Action::Unchanged);
        assert_eq!(p.change.destination_id.as_deref(), Some("Accounts-9"));

        let other = json!({"Id": "Accounts-9", "Name": "Cloud", "AccountType": "Token"});
        let p = plan(src, vec![other]);
        assert!(p.write.is_none());
        assert_eq!(p.change.action, Action::Skip);
        assert!(p.change.warnings[0].contains("never changes an account's type"));
    }

    #[test]
    fn scoping_is_translated_by_name_and_a_missing_environment_is_dropped_with_a_warning() {
        let src = json!({"Id": "Accounts-1", "Name": "Scoped", "AccountType": "UsernamePassword",
            "EnvironmentIds": ["Environments-1", "Environments-2"], "TenantIds": ["Tenants-1"],
            "TenantTags": ["Region/East"], "TenantedDeploymentParticipation": "Tenanted"});
        let p = plan(src, vec![]);
        let body = created(&p);
        assert_eq!(body["EnvironmentIds"], json!(["Environments-7"]));
        assert_eq!(body["TenantIds"], json!(["Tenants-9"]));
        assert_eq!(body["TenantTags"], json!(["region/east"]));
        assert_eq!(body["TenantedDeploymentParticipation"], "Tenanted");
        assert_eq!(p.change.warnings.len(), 1, "{:?}", p.change.warnings);
        assert!(p.change.warnings[0].contains("environments 'Test' not on the destination"));
    }

    #[test]
    fn an_account_whose_scoping_would_become_empty_is_skipped_by_default_never_widened() {
        let src = json!({"Id": "Accounts-1", "Name": "Test only", "AccountType": "Token", "Token": {"HasValue": true},
            "EnvironmentIds": ["Environments-1"]});
        let p = plan(src.clone(), vec![]);
        assert!(p.write.is_none());
        assert_eq!(p.change.action, Action::Skip);
        assert!(
            p.change.reason.contains("'Test' not found on the destination"),
            "{}",
            p.change.reason
        );
        assert!(
            p.change.warnings[0].contains("never widened"),
            "{:?}",
            p.change.warnings
        );

        let strict = Rules {
            infrastructure_environments: MatchPolicy::ErrorUnlessPartialMatch,
            ..Rules::default()
        };
        let p = plan_with(strict, src.clone(), vec![]);
        assert!(p.write.is_none());
        assert!(p
            .fatal
            .as_deref()
            .unwrap()
            .contains("OCTOSYNC_INFRASTRUCTURE_ENVIRONMENT_MATCH"));

        // IgnoreMismatch is followed, and said out loud.
        let p = plan_with(ignore_all(), src, vec![]);
        assert_eq!(created(&p)["EnvironmentIds"], json!([]));
        assert!(p
            .change
            .warnings
            .iter()
            .any(|w| w.contains("can be used in every environment")));
    }

    #[test]
    fn a_tenant_missing_on_the_destination_skips_the_account_unless_something_matches() {
        let src = json!({"Id": "Accounts-1", "Name": "Globex only", "AccountType": "UsernamePassword",
            "TenantIds": ["Tenants-2"], "TenantedDeploymentParticipation": "Tenanted"});
        let p = plan(src.clone(), vec![]);
        assert_eq!(p.change.action, Action::Skip);
        assert!(p.change.reason.contains("'Globex'"));

        // Nothing left and no tags on the source: Untenanted, with a warning.
        let p = plan_with(ignore_all(), src, vec![]);
        let body = created(&p);
        assert_eq!(body["TenantIds"], json!([]));
        assert_eq!(body["TenantedDeploymentParticipation"], "Untenanted");
        assert!(p.change.warnings.iter().any(|w| w.contains("created Untenanted")));
    }

    #[test]
    fn an_account_with_no_tenants_left_stays_tenanted_when_its_tags_remain() {
        let src = json!({"Id": "Accounts-1", "Name": "Tags", "AccountType": "UsernamePassword",
            "TenantIds": ["Tenants-2"], "TenantTags": ["Region/East", "Region/West"],
            "TenantedDeploymentParticipation": "Tenanted"});
        let p = plan_with(ignore_all(), src.clone(), vec![]);
        let body = created(&p);
        assert_eq!(body["TenantIds"], json!([]));
        assert_eq!(body["TenantTags"], json!(["region/east"]));
        assert_eq!(body["TenantedDeploymentParticipation"], "Tenanted");
        assert_eq!(p.change.warnings.len(), 2, "{:?}", p.change.warnings);
        assert!(p.change.warnings[1].contains("'Region/West'"));
    }
}
