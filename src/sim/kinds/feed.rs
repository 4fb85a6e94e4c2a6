//! Feeds, polymorphic on `FeedType` (reference §2.13; `feed-builtin*.json`), and the two built-in
//! feeds every space has.

use serde_json::{json, Map, Value};

use super::{At, Change, Discriminator, Spec};
use crate::sim::envelope::Query;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::schema::{field, Field, Ty};
use crate::sim::secrets::sv_empty;
use crate::sim::store::{str_of, Doc, Store};

/// `FeedType` values (OC `Model/FeedType.cs`; SW21b has a 2021.2 subset).
pub(crate) const FEED_TYPES: &[&str] = &[
    "None",
    "NuGet",
    "Docker",
    "Maven",
    "OctopusProject",
    "GitHub",
    "BuiltIn",
    "Helm",
    "OciRegistry",
    "AwsElasticContainerRegistry",
    "S3",
    "AzureContainerRegistry",
    "GoogleContainerRegistry",
    "ArtifactoryGeneric",
    "Npm",
    "GcsStorage",
    "PyPi",
];

const ACQUISITION: Ty = Ty::List(&Ty::Enum(
    "PackageAcquisitionLocation",
    &["Server", "ExecutionTarget", "NotAcquired"],
));

/// OIDC settings of cloud registry feeds (OC `*FeedResource`): their members vary by feed type.
const OIDC: Ty = Ty::Any;

/// The feed kind.
pub(crate) struct Feed;

impl Spec for Feed {
    fn fields(&self, sub: Option<&str>) -> Vec<Field> {
        let mut v = vec![field("FeedType", Ty::Str, Value::Null).on_create()];
        let creds = || {
            vec![
                field("Username", Ty::Str, Value::Null),
                field("Password", Ty::Sensitive, sv_empty()),
            ]
        };
        let retries = || {
            vec![
                field("DownloadAttempts", Ty::Int, json!(5)),
                field("DownloadRetryBackoffSeconds", Ty::Int, json!(10)),
            ]
        };
        let uri = || field("FeedUri", Ty::Str, Value::Null);
        match sub.unwrap_or("") {
            "NuGet" => {
                v.extend(retries());
                v.push(field("EnhancedMode", Ty::Bool, json!(false)));
                v.push(uri());
                v.extend(creds());
            }
            "Docker" | "AzureContainerRegistry" | "GoogleContainerRegistry" => {
                v.push(uri());
                v.push(field("ApiVersion", Ty::Str, Value::Null));
                v.push(field("RegistryPath", Ty::Str, Value::Null));
                v.extend(creds());
                v.extend(retries());
                if sub != Some("Docker") {
                    v.push(field("OidcAuthentication", OIDC, Value::Null));
                }
            }
            "OciRegistry" | "Helm" => {
                v.push(uri());
                v.extend(creds());
            }
            "Maven" | "GitHub" | "Npm" | "PyPi" => {
                v.push(uri());
                v.extend(creds());
                v.extend(retries());
            }
            "ArtifactoryGeneric" => {
                v.push(uri());
                v.extend(creds());
                v.push(field("Repository", Ty::Str, Value::Null));
                v.push(field("LayoutRegex", Ty::Str, Value::Null));
            }
            "AwsElasticContainerRegistry" | "S3" => {
                v.push(field("AccessKey", Ty::Str, Value::Null));
                v.push(field("SecretKey", Ty::Sensitive, sv_empty()));
                v.push(field("Region", Ty::Str, Value::Null));
                v.push(field("UseMachineCredentials", Ty::Bool, json!(false)));
                if sub == Some("AwsElasticContainerRegistry") {
                    v.push(field("OidcAuthentication", OIDC, Value::Null));
                }
            }
            "GcsStorage" => {
                v.extend(retries());
                v.push(field("UseServiceAccountKey", Ty::Bool, json!(false)));
                v.push(field("ServiceAccountJsonKey", Ty::Sensitive, sv_empty()));
                v.push(field("Project", Ty::Str, Value::Null));
                v.push(field("OidcAuthentication", OIDC, Value::Null));
            }
            "BuiltIn" => {
                v.push(field("DeleteUnreleasedPackagesAfterDays", Ty::Int, json!(30)));
                v.push(field("IsBuiltInRepoSyncEnabled", Ty::Bool, json!(false)));
            }
            _ => {}
        }
        v.push(field("Name", Ty::Str, json!("")));
        v.push(field("PackageAcquisitionLocationOptions", ACQUISITION, json!([])).read_only());
        v
    }

    fn query(&self) -> &'static str {
        "{?skip,take,ids,partialName,feedType,name}"
    }

    // The package search links of a real feed are not advertised: the simulator has no package search.
    fn links(&self, at: &At<'_>) -> Value {
        json!({"Self": at.base})
    }

    fn discriminator(&self) -> Option<Discriminator> {
        Some(Discriminator {
            field: "FeedType",
            values: FEED_TYPES,
            default: None,
        })
    }

    fn filter(&self, doc: &Doc, q: &Query) -> bool {
        q.get("feedType")
            .map(|f| str_of(doc, "FeedType").eq_ignore_ascii_case(f))
            .unwrap_or(true)
    }

    fn has_slug(&self) -> bool {
        true
    }

    fn normalize(&self, change: &Change<'_>, doc: &mut Doc) -> ApiResult<()> {
        let ft = str_of(doc, "FeedType").to_string();
        if change.creating() && (ft == "BuiltIn" || ft == "OctopusProject") {
            // QUESTION: the text for creating a built-in feed type is not documented.
            return Err(ApiError::invalid(format!("A feed of type '{ft}' cannot be created.")));
        }
        if change.creating() {
            for field in required_credentials(&ft, doc) {
                if !holds_value(doc.get(field)) {
                    return Err(ApiError::invalid(format!("The {field} field is required.")));
                }
            }
        }
        doc.insert("PackageAcquisitionLocationOptions".into(), acquisition_options(&ft));
        Ok(())
    }

    fn check_delete(&self, _store: &Store, _space: &str, doc: &Doc) -> ApiResult<()> {
        if str_of(doc, "Id").starts_with("feeds-builtin") {
            return Err(ApiError::invalid("The built-in feeds cannot be deleted."));
        }
        Ok(())
    }
}

/// The credentials a feed cannot be created without: an AWS feed signs in with its keys unless it
/// uses the worker's own credentials or OpenID Connect; a Google Cloud Storage feed set to use a
/// service account key needs the key (GO `feeds.NewS3Feed`, `NewAwsElasticContainerRegistry`;
/// OC `*FeedResource`). Other feeds may be anonymous.
// QUESTION: the server's own rule is inferred from the clients; whether it also signs in to AWS
// to check an ECR feed's keys on save (SpaceCloner refuses ECR feeds for that reason) is not known.
fn required_credentials(feed_type: &str, doc: &Doc) -> Vec<&'static str> {
    let flag = |f: &str| doc.get(f).and_then(Value::as_bool).unwrap_or(false);
    let oidc = doc
        .get("OidcAuthentication")
        .and_then(Value::as_object)
        .is_some_and(|m| m.values().any(|v| !v.is_null() && v != "" && v != &json!([])));
    match feed_type {
        "AwsElasticContainerRegistry" if !flag("UseMachineCredentials") && !oidc => {
            vec!["Region", "AccessKey", "SecretKey"]
        }
        "AwsElasticContainerRegistry" => vec!["Region"],
        "S3" if !flag("UseMachineCredentials") => vec!["AccessKey", "SecretKey"],
        "GcsStorage" if flag("UseServiceAccountKey") && !oidc => vec!["ServiceAccountJsonKey"],
        _ => vec![],
    }
}

/// True for a non-empty string, or a sensitive value being given a value.
fn holds_value(v: Option<&Value>) -> bool {
    match v {
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Object(m)) => m
            .get("NewValue")
            .is_some_and(|n| n.as_str().is_some_and(|s| !s.is_empty())),
        _ => false,
    }
}

fn acquisition_options(feed_type: &str) -> Value {
    match feed_type {
        "OctopusProject" => json!(["NotAcquired"]),
        "Docker"
        | "AzureContainerRegistry"
        | "GoogleContainerRegistry"
        | "AwsElasticContainerRegistry"
        | "OciRegistry"
        | "Helm" => json!(["ExecutionTarget", "NotAcquired"]),
        _ => json!(["Server", "ExecutionTarget"]),
    }
}

/// The built-in feeds of a new space: `feeds-builtin` and `feeds-builtin-releases`, never modified
/// by anyone (`LastModifiedOn: null`, as in `feed-builtin.json`).
pub(crate) fn builtins(space: &str) -> Vec<Doc> {
    [
        ("feeds-builtin", "BuiltIn", "Octopus Server (built-in)"),
        (
            "feeds-builtin-releases",
            "OctopusProject",
            "Octopus Server Releases (built-in)",
        ),
    ]
    .into_iter()
    .map(|(id, ft, name)| {
        let mut doc = Map::new();
        doc.insert("Id".into(), json!(id));
        doc.insert("SpaceId".into(), json!(space));
        for f in Feed.fields(Some(ft)) {
            if let Some(d) = f.default {
                doc.insert(f.name.into(), d);
            }
        }
        doc.insert("FeedType".into(), json!(ft));
        doc.insert("Name".into(), json!(name));
        doc.insert("PackageAcquisitionLocationOptions".into(), acquisition_options(ft));
        doc.insert("Slug".into(), json!(id));
        doc.insert("LastModifiedOn".into(), Value::Null);
        doc.insert("LastModifiedBy".into(), Value::Null);
        doc
    })
    .collect()
}
