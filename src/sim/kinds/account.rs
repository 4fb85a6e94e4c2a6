//! Accounts, polymorphic on `AccountType` (reference §2.14; SW21b `AccountResource`; OC `Model/Accounts`).
//! Links: only `Self`; the `Usages` of a real account are not served, so not advertised.

use serde_json::{json, Value};

use super::parts::TENANTED;
use super::{Change, Discriminator, Spec};
use crate::sim::envelope::Query;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::refs::{check_tags, field_refs};
use crate::sim::schema::{field, optional, Field, Ty, STRS};
use crate::sim::secrets::sv_empty;
use crate::sim::store::{str_of, Doc};

/// `AccountType` values (OC `Model/Accounts/AccountType.cs`).
pub(crate) const ACCOUNT_TYPES: &[&str] = &[
    "None",
    "UsernamePassword",
    "SshKeyPair",
    "AzureSubscription",
    "AzureServicePrincipal",
    "AmazonWebServicesAccount",
    "AmazonWebServicesRoleAccount",
    "Token",
    "GoogleCloudAccount",
    "AzureOidc",
    "GenericOidcAccount",
    "GoogleCloudOidcAccount",
    "AmazonWebServicesOidcAccount",
];

/// The account secret that must be supplied when the account is created.
// QUESTION: which account secrets are mandatory on create is inferred (PYCLIENT inserts a "-"
// placeholder when a secret is null, which implies the server rejects a null one).
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

/// The account kind.
pub(crate) struct Account;

impl Spec for Account {
    fn fields(&self, sub: Option<&str>) -> Vec<Field> {
        let mut v = vec![
            field("AccountType", Ty::Str, Value::Null).on_create(),
            field("Name", Ty::Str, json!("")),
            field("Description", Ty::Str, Value::Null),
            field("EnvironmentIds", STRS, json!([])),
            field("TenantIds", STRS, json!([])),
            field("TenantTags", STRS, json!([])),
            field("TenantedDeploymentParticipation", TENANTED, json!("Untenanted")),
        ];
        let s = |name| field(name, Ty::Str, Value::Null);
        let secret = |name| field(name, Ty::Sensitive, sv_empty());
        let oidc = || {
            vec![
                field("Audience", Ty::Str, Value::Null),
                field("DeploymentSubjectKeys", STRS, json!([])),
                field("HealthCheckSubjectKeys", STRS, json!([])),
                field("AccountTestSubjectKeys", STRS, json!([])),
            ]
        };
        let azure = || {
            vec![
                field("SubscriptionNumber", Ty::Str, Value::Null),
                field("ClientId", Ty::Str, Value::Null),
                field("TenantId", Ty::Str, Value::Null),
                field("AzureEnvironment", Ty::Str, json!("")),
                field("ActiveDirectoryEndpointBaseUri", Ty::Str, json!("")),
                field("ResourceManagementEndpointBaseUri", Ty::Str, json!("")),
            ]
        };
        match sub.unwrap_or("") {
            "UsernamePassword" => v.extend([s("Username"), secret("Password")]),
            "SshKeyPair" => v.extend([s("Username"), secret("PrivateKeyFile"), secret("PrivateKeyPassphrase")]),
            "Token" => v.push(secret("Token")),
            "AmazonWebServicesAccount" => v.extend([s("AccessKey"), secret("SecretKey")]),
            "AmazonWebServicesOidcAccount" => {
                v.extend([s("RoleArn"), s("SessionDuration"), s("Region")]);
                v.extend(oidc());
                v.push(optional("CustomClaims", Ty::Any));
            }
            "AzureServicePrincipal" => {
                v.extend(azure());
                v.push(secret("Password"));
            }
            "AzureOidc" => {
                v.extend(azure());
                v.extend(oidc());
            }
            "AzureSubscription" => v.extend([
                s("SubscriptionNumber"),
                s("CertificateThumbprint"),
                field("AzureEnvironment", Ty::Str, json!("")),
                field("ServiceManagementEndpointBaseUri", Ty::Str, json!("")),
                field("ServiceManagementEndpointSuffix", Ty::Str, json!("")),
                secret("CertificateBytes"),
            ]),
            "GoogleCloudAccount" => v.push(secret("JsonKey")),
            "GoogleCloudOidcAccount" => v.extend(oidc()),
            "GenericOidcAccount" => {
                v.extend(oidc());
                v.push(optional("CustomClaims", Ty::Any));
            }
            _ => {}
        }
        v
    }

    fn query(&self) -> &'static str {
        "{?skip,take,ids,partialName,accountType}"
    }

    fn discriminator(&self) -> Option<Discriminator> {
        Some(Discriminator {
            field: "AccountType",
            values: ACCOUNT_TYPES,
            default: None,
        })
    }

    fn filter(&self, doc: &Doc, q: &Query) -> bool {
        q.get("accountType")
            .map(|a| str_of(doc, "AccountType").eq_ignore_ascii_case(a))
            .unwrap_or(true)
    }

    fn has_slug(&self) -> bool {
        true
    }

    fn normalize(&self, change: &Change<'_>, doc: &mut Doc) -> ApiResult<()> {
        let (store, space) = (change.store, change.space);
        field_refs(store, space, Kind::Environment, doc, "EnvironmentIds")?;
        field_refs(store, space, Kind::Tenant, doc, "TenantIds")?;
        check_tags(store, space, doc, "TenantTags")?;
        let account_type = str_of(doc, "AccountType").to_string();
        if let Some(field) = required_secret(&account_type).filter(|_| change.creating()) {
            let has = doc
                .get(field)
                .and_then(|v| v.get("NewValue"))
                .map(|v| !v.is_null())
                .unwrap_or(false);
            if !has {
                return Err(ApiError::invalid(format!("The {field} field is required.")));
            }
        }
        Ok(())
    }
}
