//! External feeds: created when missing with the source's type, URL and settings; never updated, so
//! each instance keeps its own URL and credentials. A username may travel, a secret never does.
//! Built-in feeds are never created: the source's stand for the destination's (see
//! [`crate::translate::Translator::counterpart`], which later stages translate step feeds through).

use super::{document, placeholder, PlanContext, Planned, Stage};
use crate::kind::Kind;
use crate::report::{Action, CleanupItem};
use crate::snapshot::{id_of, name_of};
use crate::translate::built_in_role;
use serde_json::Value;

/// The external feeds stage.
pub struct Feeds;

/// Fields that hold a feed's secret (reference §2.13, §3). A field shaped as a sensitive value is
/// a secret whatever its name; these are secrets whatever their shape.
const SECRET_FIELDS: &[&str] = &["Password", "SecretKey", "ServiceAccountJsonKey"];
/// Fields the server computes from the feed type; never sent.
const SERVER_COMPUTED: &[&str] = &["PackageAcquisitionLocationOptions"];

impl Stage for Feeds {
    fn kind(&self) -> Kind {
        Kind::Feed
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        ctx.selected(Kind::Feed).map(|src| plan_one(ctx, src)).collect()
    }
}

fn plan_one(ctx: &PlanContext<'_>, src: &Value) -> Planned {
    let name = name_of(src);
    if let Some(role) = built_in_role(Kind::Feed, src) {
        return built_in(ctx, src, name, role);
    }
    let Some(dest) = ctx.destination.by_name(Kind::Feed, name) else {
        return create(ctx, src, name);
    };
    let id = id_of(dest);
    if built_in_role(Kind::Feed, dest).is_some() {
        return Planned::no_write(
            Kind::Feed,
            name,
            Action::Skip,
            "the destination's feed of this name is its built-in feed",
        )
        .warnings([format!(
            "feed '{name}' not synced: on the destination that name belongs to the built-in feed, which it cannot stand for. Rename the source feed to sync it"
        )])
        .at(id);
    }
    let (ours, theirs) = (feed_type(src), feed_type(dest));
    if !ours.eq_ignore_ascii_case(theirs) {
        return Planned::no_write(
            Kind::Feed,
            name,
            Action::Skip,
            format!("exists on the destination with feed type {theirs}; the source's is {ours}"),
        )
        .warnings([format!(
            "feed '{name}' not synced: its type is {ours} on the source and {theirs} on the destination. octosync never changes a feed's type, and references to this feed are not translated; rename one of them, or replace the destination's by hand"
        )])
        .at(id);
    }
    let p = Planned::no_write(
        Kind::Feed,
        name,
        Action::Unchanged,
        "exists on the destination; feeds are created, never updated (each instance keeps its own URL and credentials)",
    )
    .at(id);
    // The URLs are not shown: a feed URL may carry credentials.
    if document::equivalent(
        src.get("FeedUri").unwrap_or(&Value::Null),
        dest.get("FeedUri").unwrap_or(&Value::Null),
    ) {
        p
    } else {
        p.note("its URL differs from the source's; the destination's own is kept")
    }
}

/// A source built-in feed: never created; it stands for the destination's built-in of its role.
fn built_in(ctx: &PlanContext<'_>, src: &Value, name: &str, role: &str) -> Planned {
    match ctx.translator().counterpart(Kind::Feed, src).found() {
        Some(dest) => Planned::no_write(
            Kind::Feed,
            name,
            Action::Unchanged,
            format!(
                "built-in feed, never created; stands for the destination's built-in feed '{}'",
                name_of(dest)
            ),
        )
        .at(id_of(dest)),
        None => Planned::no_write(Kind::Feed, name, Action::Skip, "built-in feed, never created").warnings([format!(
            "the destination has no built-in {role} feed (its server may be older than the source's), so references to '{name}' cannot be translated"
        )]),
    }
}

/// A new feed: the source's document without what the server owns, every secret replaced.
fn create(ctx: &PlanContext<'_>, src: &Value, name: &str) -> Planned {
    let mut body = document::for_create(src);
    if let Value::Object(map) = &mut body {
        for f in SERVER_COMPUTED {
            map.remove(*f);
        }
    }
    let mut cleanup = secrets(&mut body, src, name);
    cleanup.extend(oidc_trust(src, name));
    let mut p = Planned::create(ctx, Kind::Feed, name, "missing on the destination", body);
    p.cleanup = cleanup;
    p
}

/// Replaces every secret of `body` and says what a person must enter: a secret the server requires
/// gets the placeholder; any other is left empty, with a clean-up entry when the source has one.
fn secrets(body: &mut Value, src: &Value, name: &str) -> Vec<CleanupItem> {
    let required = required_secrets(src);
    placeholder::replace_secrets(Kind::Feed, name, body, SECRET_FIELDS, &required)
}

/// The secrets the server will not create a feed without (reference §2.13: an AWS feed
/// authenticates with its keys unless it uses the worker's credentials or OpenID Connect; a
/// Google Cloud Storage feed set to use a service account key needs the key).
fn required_secrets(src: &Value) -> Vec<&'static str> {
    let flag = |f: &str| src.get(f).and_then(Value::as_bool).unwrap_or(false);
    match feed_type(src) {
        "AwsElasticContainerRegistry" if !flag("UseMachineCredentials") && !uses_oidc(src) => vec!["SecretKey"],
        "S3" if !flag("UseMachineCredentials") => vec!["SecretKey"],
        "GcsStorage" if flag("UseServiceAccountKey") && !uses_oidc(src) => vec!["ServiceAccountJsonKey"],
        _ => vec![],
    }
}

/// True when the feed authenticates with OpenID Connect.
fn uses_oidc(feed: &Value) -> bool {
    feed.get("OidcAuthentication")
        .and_then(Value::as_object)
        .is_some_and(|m| m.values().any(|v| !document::is_blank(v)))
}

/// A feed that authenticates with OpenID Connect works only once its cloud provider trusts the
/// destination instance, which issues its tokens under another URL.
fn oidc_trust(src: &Value, name: &str) -> Option<CleanupItem> {
    uses_oidc(src).then(|| {
        placeholder::cleanup(
            Kind::Feed,
            name,
            "OidcAuthentication: copied from the source, but the identity provider trusts the source instance's tokens; add a federated credential for this instance (its server URL as issuer, this feed's subject) before the feed can authenticate",
        )
    })
}

fn feed_type(feed: &Value) -> &str {
    document::str_field(feed, "FeedType")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;
    use crate::settings::selector::Selector;
    use crate::snapshot::Snapshot;
    use crate::sync::Write;
    use serde_json::json;

    fn built_ins(ids: [&str; 2]) -> Vec<Value> {
        vec![
            json!({"Id": ids[0], "Name": "Octopus Server (built-in)", "FeedType": "BuiltIn"}),
            json!({"Id": ids[1], "Name": "Octopus Server Releases (built-in)", "FeedType": "OctopusProject"}),
        ]
    }

    fn plan_all(source: Vec<Value>, destination: Vec<Value>) -> Vec<Planned> {
        let s = Snapshot::from_docs([(Kind::Feed, source)]);
        let d = Snapshot::from_docs([(Kind::Feed, destination)]);
        let rules = Rules::default();
        let sel = Selector::all();
        Feeds.plan(&PlanContext {
            source: &s,
            destination: &d,
            rules: &rules,
            selector: &sel,
        })
    }

    fn plan(src: Value, destination: Vec<Value>) -> Planned {
        plan_all(vec![src], destination).remove(0)
    }

    fn created(p: &Planned) -> &Value {
        match &p.write {
            Some(Write::Create { body }) => body,
            other => panic!("expected a create, got {other:?}"),
        }
    }

    fn cleanup_texts(p: &Planned) -> Vec<&str> {
        p.cleanup.iter().map(|c| c.action.as_str()).collect()
    }

    #[test]
    fn a_new_feed_gets_its_type_url_settings_and_username_but_never_its_password() {
        let src = json!({"Id": "Feeds-3", "Name": "Nexus", "FeedType": "NuGet", "SpaceId": "Spaces-1",
            "FeedUri": "https://nexus.example.com/nuget", "DownloadAttempts": 3, "EnhancedMode": true,
            "Username": "deployer", "Password": {"HasValue": true, "NewValue": null},
            "PackageAcquisitionLocationOptions": ["Server", "ExecutionTarget"], "Links": {}});
        let p = plan(src, vec![]);
        let body = created(&p);
        assert_eq!(
            body,
            &json!({"Name": "Nexus", "FeedType": "NuGet", "FeedUri": "https://nexus.example.com/nuget",
                "DownloadAttempts": 3, "EnhancedMode": true, "Username": "deployer",
                "Password": {"HasValue": false, "NewValue": null}})
        );
        assert_eq!(p.cleanup.len(), 1);
        assert_eq!(p.cleanup[0].name, "Nexus");
        assert!(p.cleanup[0].action.starts_with("Password: the source feed has one"));
        assert!(
            !body.to_string().contains(placeholder::SECRET_PLACEHOLDER),
            "not required: no placeholder"
        );
    }

    #[test]
    fn a_feed_without_credentials_needs_no_clean_up() {
        let src = json!({"Id": "Feeds-1", "Name": "NuGet.org", "FeedType": "NuGet",
            "FeedUri": "https://api.nuget.org/v3/index.json", "Username": null,
            "Password": {"HasValue": false, "NewValue": null}});
        let p = plan(src, vec![]);
        assert_eq!(p.change.action, Action::Create);
        assert!(p.cleanup.is_empty(), "{:?}", p.cleanup);
    }

    #[test]
    fn a_secret_key_the_server_requires_gets_the_placeholder_and_a_clean_up_entry() {
        for feed_type in ["AwsElasticContainerRegistry", "S3"] {
            let src = json!({"Id": "Feeds-4", "Name": "Registry", "FeedType": feed_type, "AccessKey": "AKIAEXAMPLE",
                "SecretKey": {"HasValue": true}, "Region": "eu-west-1", "UseMachineCredentials": false});
            let p = plan(src, vec![]);
            let body = created(&p);
            assert_eq!(body["AccessKey"], "AKIAEXAMPLE", "an access key id is not a secret");
            assert_eq!(
                body["SecretKey"],
                json!({"HasValue": true, "NewValue": placeholder::SECRET_PLACEHOLDER})
            );
            assert_eq!(cleanup_texts(&p).len(), 1);
            assert!(cleanup_texts(&p)[0].starts_with("SecretKey: created with the placeholder"));
        }
    }

    #[test]
    fn feeds_that_need_no_secret_key_get_none() {
        let machine = json!({"Id": "Feeds-5", "Name": "Buckets", "FeedType": "S3", "AccessKey": null,
            "SecretKey": {"HasValue": false}, "UseMachineCredentials": true});
        let p = plan(machine, vec![]);
        assert_eq!(created(&p)["SecretKey"], json!({"HasValue": false, "NewValue": null}));
        assert!(p.cleanup.is_empty(), "{:?}", p.cleanup);

        let oidc = json!({"Id": "Feeds-6", "Name": "ECR", "FeedType": "AwsElasticContainerRegistry",
            "Region": "us-east-1", "AccessKey": null, "SecretKey": {"HasValue": false},
            "OidcAuthentication": {"RoleArn": "arn:aws:iam::1:role/octopus", "SessionDuration": "3600", "SubjectKeys": ["space", "feed"]}});
        let p = plan(oidc, vec![]);
        let body = created(&p);
        assert_eq!(body["SecretKey"], json!({"HasValue": false, "NewValue": null}));
        assert_eq!(body["OidcAuthentication"]["RoleArn"], "arn:aws:iam::1:role/octopus");
        assert_eq!(cleanup_texts(&p).len(), 1);
        assert!(
            cleanup_texts(&p)[0].starts_with("OidcAuthentication:"),
            "{:?}",
            p.cleanup
        );
    }

    #[test]
    fn a_google_storage_feed_using_a_key_gets_a_placeholder_key() {
        let src = json!({"Id": "Feeds-7", "Name": "GCS", "FeedType": "GcsStorage", "Project": "p",
            "UseServiceAccountKey": true, "ServiceAccountJsonKey": {"HasValue": true}, "OidcAuthentication": null});
        let p = plan(src, vec![]);
        assert_eq!(
            created(&p)["ServiceAccountJsonKey"]["NewValue"],
            placeholder::SECRET_PLACEHOLDER
        );
        assert_eq!(p.cleanup.len(), 1);
    }

    #[test]
    fn an_existing_feed_keeps_its_own_url_and_credentials() {
        let src = json!({"Id": "Feeds-1", "Name": "Docker Hub", "FeedType": "Docker", "FeedUri": "https://index.docker.io",
            "Username": "source-user", "Password": {"HasValue": true}});
        let dest = json!({"Id": "Feeds-9", "Name": "docker hub", "FeedType": "Docker", "FeedUri": "https://mirror.example.com",
            "Username": null, "Password": {"HasValue": false}});
        let p = plan(src, vec![dest]);
        assert!(p.write.is_none());
        assert!(p.cleanup.is_empty());
        assert_eq!(p.change.action, Action::Unchanged);
        assert_eq!(p.change.destination_id.as_deref(), Some("Feeds-9"));
        assert_eq!(
            p.change.notes,
            ["its URL differs from the source's; the destination's own is kept"]
        );
    }

    #[test]
    fn a_feed_of_another_type_on_the_destination_is_skipped_with_a_warning() {
        let src =
            json!({"Id": "Feeds-1", "Name": "Artifacts", "FeedType": "Maven", "FeedUri": "https://repo.example.com"});
        let dest =
            json!({"Id": "Feeds-9", "Name": "Artifacts", "FeedType": "Helm", "FeedUri": "https://charts.example.com"});
        let p = plan(src, vec![dest]);
        assert!(p.write.is_none());
        assert_eq!(p.change.action, Action::Skip);
        assert_eq!(
            p.change.reason,
            "exists on the destination with feed type Helm; the source's is Maven"
        );
        assert_eq!(p.change.warnings.len(), 1);
        assert!(p.change.warnings[0].contains("never changes a feed's type"));
    }

    #[test]
    fn built_in_feeds_are_never_created_and_stand_for_the_destinations_whatever_their_names() {
        let mut dest = built_ins(["Feeds-21", "Feeds-22"]);
        dest[0]["Name"] = json!("Packages");
        let planned = plan_all(built_ins(["feeds-builtin", "feeds-builtin-releases"]), dest);
        assert_eq!(planned.len(), 2);
        assert!(planned
            .iter()
            .all(|p| p.write.is_none() && p.change.action == Action::Unchanged));
        assert_eq!(planned[0].change.destination_id.as_deref(), Some("Feeds-21"));
        assert!(planned[0].change.reason.ends_with("built-in feed 'Packages'"));
        assert_eq!(planned[1].change.destination_id.as_deref(), Some("Feeds-22"));

        // A destination without a releases feed: reported, still never created.
        let planned = plan_all(
            built_ins(["feeds-builtin", "feeds-builtin-releases"]),
            built_ins(["feeds-builtin", "x"])[..1].to_vec(),
        );
        assert_eq!(planned[1].change.action, Action::Skip);
        assert!(planned[1].write.is_none());
        assert!(planned[1].change.warnings[0].contains("no built-in OctopusProject feed"));
    }

    #[test]
    fn a_source_feed_named_like_the_destinations_built_in_feed_is_not_merged_into_it() {
        let src =
            json!({"Id": "Feeds-2", "Name": "Octopus Server (built-in)", "FeedType": "NuGet", "FeedUri": "https://x"});
        let p = plan(src, built_ins(["feeds-builtin", "feeds-builtin-releases"]));
        assert_eq!(p.change.action, Action::Skip);
        assert!(p.write.is_none());
        assert!(p.change.warnings[0].contains("belongs to the built-in feed"));
    }
}
