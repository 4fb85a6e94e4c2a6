//! End-to-end: external feeds against two simulated instances, as an administrator would see them.

mod support;

use octosync::report::{Action, Report};
use octosync::sim::Seed;
use serde_json::{json, Value};
use support::*;

const FEEDS: (&str, &str) = ("OCTOSYNC_FEEDS", "all");
const APPLY: (&str, &str) = ("OCTOSYNC_MODE", "apply");

fn feed<'a>(name: &str, items: &'a [Value]) -> Option<&'a Value> {
    items.iter().find(|f| f["Name"] == name)
}

fn change<'a>(report: &'a Report, name: &str) -> &'a octosync::report::Change {
    change_of(report, "Feed", name)
}

/// A source with a private NuGet feed, a Docker registry and a Maven repository; a destination
/// with its own Docker registry of the same name and a Helm repository named like the Maven one.
fn seed_feeds(p: &Pair) {
    let (s, d) = (p.source_space(), p.dest_space());
    for doc in [
        json!({"Name": "Nexus", "FeedType": "NuGet", "FeedUri": "https://nexus.example.com/nuget",
               "DownloadAttempts": 3, "EnhancedMode": true, "Username": "deployer",
               "Password": {"HasValue": true, "NewValue": "nexus-source-password"}}),
        json!({"Name": "Images", "FeedType": "Docker", "FeedUri": "https://registry.example.com"}),
        json!({"Name": "Artifacts", "FeedType": "Maven", "FeedUri": "https://maven.example.com"}),
    ] {
        p.source.insert(&s, "feeds", doc).unwrap();
    }
    for doc in [
        json!({"Name": "images", "FeedType": "Docker", "FeedUri": "https://mirror.example.com",
               "Username": "dest-user", "Password": {"HasValue": true, "NewValue": "destination-own-password"}}),
        json!({"Name": "Artifacts", "FeedType": "Helm", "FeedUri": "https://charts.example.com"}),
    ] {
        p.destination.insert(&d, "feeds", doc).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_feeds_are_created_without_secrets_and_existing_ones_keep_their_own_details() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    seed_feeds(&p);
    // The destination calls its built-in repository something else: it is still the one.
    let d = p.dest_space();
    let mut builtin = feed("Octopus Server (built-in)", &p.destination.items(&d, "feeds"))
        .unwrap()
        .clone();
    builtin["Name"] = json!("Packages");
    p.destination.update(&d, "feeds", "feeds-builtin", builtin).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &[FEEDS, APPLY]);
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);

    let items = p.destination.items(&d, "feeds");
    let nexus = feed("Nexus", &items).expect("Nexus created");
    assert_eq!(nexus["FeedType"], "NuGet");
    assert_eq!(nexus["FeedUri"], "https://nexus.example.com/nuget");
    assert_eq!(nexus["DownloadAttempts"], 3);
    assert_eq!(nexus["EnhancedMode"], true);
    assert_eq!(nexus["Username"], "deployer", "a username may travel");
    assert_eq!(nexus["Password"]["HasValue"], false, "a password never does");
    assert!(!p.destination.stores_text("nexus-source-password"));
    assert!(
        report
            .cleanup
            .iter()
            .any(|c| c.kind == "Feed" && c.name == "Nexus" && c.action.starts_with("Password:")),
        "{:?}",
        report.cleanup
    );

    // Create-only: the destination's registry keeps its URL and its own credentials.
    let images = feed("images", &items).unwrap();
    assert_eq!(images["FeedUri"], "https://mirror.example.com");
    assert_eq!(images["Username"], "dest-user");
    assert_eq!(images["Password"]["HasValue"], true);
    assert!(p.destination.stores_text("destination-own-password"));
    assert_eq!(change(&report, "Images").action, Action::Unchanged);

    // Another type of the same name: reported, never merged, never retyped.
    let artifacts = change(&report, "Artifacts");
    assert_eq!(artifacts.action, Action::Skip);
    assert_eq!(artifacts.warnings.len(), 1, "{artifacts:?}");
    assert_eq!(feed("Artifacts", &items).unwrap()["FeedType"], "Helm");
    assert_eq!(
        p.dest_names("feeds")
            .iter()
            .filter(|n| n.as_str() == "Artifacts")
            .count(),
        1
    );

    // Built-in feeds are never created; the source's stand for the destination's.
    let built_in = change(&report, "Octopus Server (built-in)");
    assert_eq!(built_in.action, Action::Unchanged);
    assert_eq!(built_in.destination_id.as_deref(), Some("feeds-builtin"));
    assert!(built_in.reason.contains("'Packages'"), "{}", built_in.reason);
    assert_eq!(
        change(&report, "Octopus Server Releases (built-in)")
            .destination_id
            .as_deref(),
        Some("feeds-builtin-releases")
    );
    assert_eq!(items.len(), 5, "{:?}", p.dest_names("feeds"));
    assert_names_unique(&p);

    p.destination.clear_request_log();
    assert_rerun_settles(&job).await;
    assert_eq!(p.dest_writes(), 0, "{:?}", p.destination.request_log());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_selector_that_excludes_a_feed_leaves_it_out_and_no_selector_syncs_none() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    seed_feeds(&p);
    let dir = tempfile::tempdir().unwrap();

    let report = run(&p.job(dir.path(), &[APPLY])).await.unwrap();
    assert!(report.changes.iter().all(|c| c.kind != "Feed"), "{:?}", report.changes);
    assert!(!p.dest_names("feeds").contains(&"Nexus".to_string()));

    let report = run(&p.job(dir.path(), &[("OCTOSYNC_FEEDS", "all\n!nex*"), APPLY]))
        .await
        .unwrap();
    assert!(report.changes.iter().all(|c| c.name != "Nexus"));
    assert!(!p.dest_names("feeds").contains(&"Nexus".to_string()));
    assert_eq!(change(&report, "Images").action, Action::Unchanged);
    assert!(report.cleanup.is_empty(), "{:?}", report.cleanup);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_aws_registry_is_created_with_a_placeholder_secret_key_where_spacecloner_stops() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let s = p.source_space();
    p.source
        .insert(
            &s,
            "feeds",
            json!({"Name": "ECR", "FeedType": "AwsElasticContainerRegistry", "Region": "eu-west-1",
                   "AccessKey": "AKIAEXAMPLEFEED", "SecretKey": {"HasValue": true, "NewValue": "ecr-source-secret"}}),
        )
        .unwrap();
    p.source
        .insert(
            &s,
            "feeds",
            json!({"Name": "ECR via OIDC", "FeedType": "AwsElasticContainerRegistry", "Region": "us-east-1",
                   "OidcAuthentication": {"RoleArn": "arn:aws:iam::123456789012:role/octopus", "SessionDuration": "3600",
                   "Audience": "api://default", "SubjectKeys": ["space", "feed"]}}),
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &[FEEDS, APPLY]);
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?} {:?}", report.errors, report.changes);

    let d = p.dest_space();
    let items = p.destination.items(&d, "feeds");
    let ecr = feed("ECR", &items).expect("ECR created");
    assert_eq!(ecr["AccessKey"], "AKIAEXAMPLEFEED");
    assert_eq!(ecr["Region"], "eu-west-1");
    assert_eq!(ecr["SecretKey"]["HasValue"], true);
    assert!(p
        .destination
        .stores_text(octosync::sync::placeholder::SECRET_PLACEHOLDER));
    assert!(!p.destination.stores_text("ecr-source-secret"));
    let oidc = feed("ECR via OIDC", &items).expect("OIDC feed created");
    assert_eq!(oidc["SecretKey"]["HasValue"], false);
    assert_eq!(
        oidc["OidcAuthentication"]["RoleArn"],
        "arn:aws:iam::123456789012:role/octopus"
    );
    let cleanup: Vec<(&str, &str)> = report
        .cleanup
        .iter()
        .map(|c| (c.name.as_str(), c.action.split(':').next().unwrap()))
        .collect();
    assert_eq!(cleanup, [("ECR", "SecretKey"), ("ECR via OIDC", "OidcAuthentication")]);
    assert_rerun_settles(&job).await;
}

/// Every secret-bearing field of every feed type the simulator knows, each with its canary.
fn canary_feeds() -> Vec<(Value, String)> {
    let password_types = [
        "NuGet",
        "Docker",
        "AzureContainerRegistry",
        "GoogleContainerRegistry",
        "OciRegistry",
        "Helm",
        "Maven",
        "GitHub",
        "Npm",
        "PyPi",
        "ArtifactoryGeneric",
    ];
    let mut out = Vec::new();
    let sv = |c: &str| json!({"HasValue": true, "NewValue": c});
    for t in password_types {
        let canary = format!("canary-7f3e-{t}-password");
        out.push((
            json!({"Name": format!("{t} feed"), "FeedType": t, "FeedUri": "https://feeds.example.com",
                   "Username": "someone", "Password": sv(&canary)}),
            canary,
        ));
    }
    for t in ["AwsElasticContainerRegistry", "S3"] {
        let canary = format!("canary-7f3e-{t}-secretkey");
        out.push((
            json!({"Name": format!("{t} feed"), "FeedType": t, "Region": "eu-west-1", "AccessKey": "AKIACANARY",
                   "SecretKey": sv(&canary)}),
            canary,
        ));
    }
    let canary = "canary-7f3e-GcsStorage-jsonkey".to_string();
    out.push((
        json!({"Name": "GCS feed", "FeedType": "GcsStorage", "Project": "p", "UseServiceAccountKey": true,
               "ServiceAccountJsonKey": sv(&canary)}),
        canary,
    ));
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn feed_passwords_and_secret_keys_set_on_the_source_appear_in_no_output_report_or_destination() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let s = p.source_space();
    let feeds = canary_feeds();
    for (doc, canary) in &feeds {
        p.source.insert(&s, "feeds", doc.clone()).unwrap();
        assert!(p.source.stores_text(canary), "the canary is set on the source: {doc}");
    }
    let dir = tempfile::tempdir().unwrap();
    let mut output = String::new();
    for mode in ["plan", "apply"] {
        let vars = p.vars(
            dir.path(),
            &[FEEDS, ("OCTOSYNC_MODE", mode), ("OCTOSYNC_VERBOSE", "True")],
        );
        let out = run_binary(&[], vars).await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        output.push_str(&text(&out));
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            output.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
    }
    let d = p.dest_space();
    assert_eq!(
        p.dest_names("feeds").len(),
        feeds.len() + 2,
        "every feed created: {:?}",
        p.dest_names("feeds")
    );
    assert!(output.contains("Clean-up: Feed 'NuGet feed': Password"), "{output}");
    let log = format!("{:?}", p.destination.request_log());
    for (_, canary) in &feeds {
        assert!(!output.contains(canary.as_str()), "{canary} printed or reported");
        assert!(!p.destination.stores_text(canary), "{canary} reached the destination");
        assert!(!log.contains(canary.as_str()), "{canary} in the request log");
    }
    assert!(!format!("{:?}", p.destination.items(&d, "feeds")).contains("canary-7f3e"));
}
