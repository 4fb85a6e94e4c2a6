//! End-to-end: accounts against two simulated instances, as an administrator would see them.

mod support;

use octosync::report::{Action, Report};
use octosync::sim::Seed;
use serde_json::{json, Value};
use support::*;

const ACCOUNTS: (&str, &str) = ("OCTOSYNC_ACCOUNTS", "all");
const APPLY: (&str, &str) = ("OCTOSYNC_MODE", "apply");
const PLACEHOLDER: &str = "octosync-placeholder-replace-me";

fn account<'a>(name: &str, items: &'a [Value]) -> Option<&'a Value> {
    items.iter().find(|a| a["Name"] == name)
}

fn change<'a>(report: &'a Report, name: &str) -> &'a octosync::report::Change {
    report
        .changes
        .iter()
        .find(|c| c.kind == "Account" && c.name == name)
        .unwrap_or_else(|| panic!("no change for account '{name}': {:?}", report.changes))
}

fn sv(secret: &str) -> Value {
    json!({"HasValue": true, "NewValue": secret})
}

/// A source with an account of each common type; a destination with its own "Cloud" AWS account
/// and a token account named like the source's SSH key pair.
fn seed_accounts(p: &Pair) {
    let (s, d) = (p.source_space(), p.dest_space());
    for doc in [
        json!({"Name": "Deployer", "AccountType": "UsernamePassword", "Username": "deploy", "Password": sv("src-password")}),
        json!({"Name": "GitHub", "AccountType": "Token", "Token": sv("src-token")}),
        json!({"Name": "Azure", "AccountType": "AzureServicePrincipal", "SubscriptionNumber": "sub-1",
               "ClientId": "client-1", "TenantId": "tenant-1", "AzureEnvironment": "AzureCloud", "Password": sv("src-azure")}),
        json!({"Name": "Cloud", "AccountType": "AmazonWebServicesAccount", "AccessKey": "AKIASOURCE", "SecretKey": sv("src-aws")}),
        json!({"Name": "Ssh", "AccountType": "SshKeyPair", "Username": "root", "PrivateKeyFile": sv("src-key"),
               "PrivateKeyPassphrase": sv("src-passphrase")}),
        json!({"Name": "Build", "AccountType": "AmazonWebServicesAccount", "AccessKey": "AKIABUILD", "SecretKey": sv("src-aws-2")}),
    ] {
        p.source.insert(&s, "accounts", doc).unwrap();
    }
    for doc in [
        json!({"Name": "cloud", "AccountType": "AmazonWebServicesAccount", "AccessKey": "AKIADEST", "SecretKey": sv("dest-own")}),
        json!({"Name": "Build", "AccountType": "Token", "Token": sv("dest-token")}),
    ] {
        p.destination.insert(&d, "accounts", doc).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_accounts_are_created_per_type_with_placeholders_and_existing_ones_are_left_alone() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    seed_accounts(&p);
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &[ACCOUNTS, APPLY]);
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);

    let d = p.dest_space();
    let items = p.destination.items(&d, "accounts");
    let deployer = account("Deployer", &items).expect("Deployer created");
    assert_eq!(deployer["AccountType"], "UsernamePassword");
    assert_eq!(deployer["Username"], "deploy");
    assert_eq!(deployer["Password"]["HasValue"], false, "not required: left empty");
    let azure = account("Azure", &items).expect("Azure created");
    assert_eq!(azure["ClientId"], "client-1");
    assert_eq!(azure["TenantId"], "tenant-1");
    assert_eq!(azure["SubscriptionNumber"], "sub-1");
    for (name, field) in [("GitHub", "Token"), ("Azure", "Password"), ("Ssh", "PrivateKeyFile")] {
        let a = account(name, &items).unwrap_or_else(|| panic!("{name} created"));
        assert_eq!(a[field]["HasValue"], true, "{name}.{field} holds the placeholder");
        assert!(
            report.cleanup.iter().any(|c| c.kind == "Account"
                && c.name == name
                && c.action.starts_with(&format!("{field}: created with the placeholder"))),
            "{name}: {:?}",
            report.cleanup
        );
    }
    assert!(p.destination.stores_text(PLACEHOLDER));
    assert!(report
        .cleanup
        .iter()
        .any(|c| c.name == "Ssh" && c.action.starts_with("PrivateKeyPassphrase:")));
    assert!(report
        .cleanup
        .iter()
        .any(|c| c.name == "Deployer" && c.action.starts_with("Password:")));

    // The destination's own AWS account keeps its key; the token account named "Build" is not replaced.
    let cloud = account("cloud", &items).unwrap();
    assert_eq!(cloud["AccessKey"], "AKIADEST");
    assert_eq!(change(&report, "Cloud").action, Action::Unchanged);
    assert!(p.destination.stores_text("dest-own"));
    let build = change(&report, "Build");
    assert_eq!(build.action, Action::Skip);
    assert!(
        build.warnings[0].contains("never changes an account's type"),
        "{build:?}"
    );
    assert_eq!(account("Build", &items).unwrap()["AccountType"], "Token");
    assert_eq!(items.len(), 6, "four created beside the destination's two");
    assert_names_unique(&p);

    assert_rerun_settles(&job).await;
    let before = p.dest_writes();
    run(&job).await.unwrap();
    assert_eq!(p.dest_writes(), before, "a second apply writes nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_selector_that_excludes_an_account_leaves_it_out_and_no_selector_syncs_none() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    seed_accounts(&p);
    let dir = tempfile::tempdir().unwrap();
    run(&p.job(dir.path(), &[APPLY])).await.unwrap();
    assert_eq!(p.dest_names("accounts").len(), 2, "nothing selected, nothing synced");

    let report = run(&p.job(dir.path(), &[("OCTOSYNC_ACCOUNTS", "!GitHub,!Azure"), APPLY]))
        .await
        .unwrap();
    let names = p.dest_names("accounts");
    assert!(!names.contains(&"GitHub".to_string()) && !names.contains(&"Azure".to_string()));
    assert!(names.contains(&"Deployer".to_string()));
    assert!(report.changes.iter().all(|c| c.name != "GitHub"));
}

/// Environments Test and Production, tenants Acme and Globex and a Region tag set on the source;
/// the destination has only Production, Acme and Region/East.
fn seed_scopes(p: &Pair) -> (Vec<String>, Vec<String>) {
    let (s, d) = (p.source_space(), p.dest_space());
    let env = |sim: &octosync::sim::SimServer, space: &str, n: &str| {
        sim.insert(space, "environments", json!({"Name": n})).unwrap()["Id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let envs = vec![env(&p.source, &s, "Test"), env(&p.source, &s, "Production")];
    env(&p.destination, &d, "Production");
    p.source
        .insert(
            &s,
            "tagsets",
            json!({"Name": "Region", "Tags": [{"Name": "East"}, {"Name": "West"}]}),
        )
        .unwrap();
    p.destination
        .insert(&d, "tagsets", json!({"Name": "Region", "Tags": [{"Name": "East"}]}))
        .unwrap();
    let tenant = |sim: &octosync::sim::SimServer, space: &str, n: &str| {
        sim.insert(space, "tenants", json!({"Name": n})).unwrap()["Id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let tenants = vec![tenant(&p.source, &s, "Acme"), tenant(&p.source, &s, "Globex")];
    tenant(&p.destination, &d, "Acme");
    (envs, tenants)
}

#[tokio::test(flavor = "multi_thread")]
async fn account_scoping_is_translated_a_missing_environment_is_warned_and_an_emptied_scope_is_never_widened() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let (envs, tenants) = seed_scopes(&p);
    let s = p.source_space();
    for doc in [
        json!({"Name": "Scoped", "AccountType": "UsernamePassword", "Username": "u",
               "EnvironmentIds": envs, "TenantIds": [tenants[0]], "TenantTags": ["Region/East"],
               "TenantedDeploymentParticipation": "Tenanted"}),
        json!({"Name": "Test only", "AccountType": "UsernamePassword", "Username": "u",
               "EnvironmentIds": [envs[0]]}),
        json!({"Name": "Globex only", "AccountType": "UsernamePassword", "Username": "u",
               "TenantIds": [tenants[1]], "TenantedDeploymentParticipation": "Tenanted"}),
    ] {
        p.source.insert(&s, "accounts", doc).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(dir.path(), &[ACCOUNTS, APPLY]);
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.errors);

    let d = p.dest_space();
    let items = p.destination.items(&d, "accounts");
    let scoped = account("Scoped", &items).expect("Scoped created");
    let dest_env = p.destination.items(&d, "environments")[0]["Id"].clone();
    let dest_tenant = p.destination.items(&d, "tenants")[0]["Id"].clone();
    assert_eq!(scoped["EnvironmentIds"], json!([dest_env]));
    assert_eq!(scoped["TenantIds"], json!([dest_tenant]));
    assert_eq!(scoped["TenantTags"], json!(["Region/East"]));
    assert_eq!(scoped["TenantedDeploymentParticipation"], "Tenanted");
    let warned = &change(&report, "Scoped").warnings;
    assert!(
        warned
            .iter()
            .any(|w| w.contains("environments 'Test' not on the destination")),
        "{warned:?}"
    );

    // Scoping that would become empty: skipped with a warning (SkipUnlessPartialMatch), never
    // created unscoped, which would open it to every environment or make it untenanted.
    for name in ["Test only", "Globex only"] {
        assert!(account(name, &items).is_none(), "{name} must not be created wider");
        let c = change(&report, name);
        assert_eq!(c.action, Action::Skip);
        assert!(c.warnings[0].contains("not created"), "{c:?}");
    }

    // IgnoreMismatch is followed, and said out loud.
    let ignore = p.job(
        dir.path(),
        &[
            ACCOUNTS,
            APPLY,
            ("OCTOSYNC_INFRASTRUCTURE_ENVIRONMENT_MATCH", "IgnoreMismatch"),
        ],
    );
    let report = run(&ignore).await.unwrap();
    let c = change(&report, "Test only");
    assert_eq!(c.action, Action::Create);
    assert!(
        c.warnings
            .iter()
            .any(|w| w.contains("can be used in every environment")),
        "{c:?}"
    );

    // ErrorUnlessExactMatch stops the run before anything is written.
    let before = p.dest_writes();
    let strict = p.job(
        dir.path(),
        &[
            ACCOUNTS,
            APPLY,
            ("OCTOSYNC_INFRASTRUCTURE_TENANT_MATCH", "ErrorUnlessExactMatch"),
        ],
    );
    let stopped = run(&strict).await;
    let text = match stopped {
        Err(e) => format!("{e:#}"),
        Ok(r) => format!("{:?}", r.errors),
    };
    assert!(text.contains("Globex"), "{text}");
    assert_eq!(p.dest_writes(), before);

    assert_rerun_settles(&ignore).await;
}

/// Every secret-bearing field of every account type, each with its canary.
fn canary_accounts() -> Vec<(Value, Vec<String>)> {
    let mut out = Vec::new();
    let mut add = |t: &str, fields: &[&str], extra: Value| {
        let mut doc = json!({"Name": format!("{t} account"), "AccountType": t});
        let mut canaries = Vec::new();
        for f in fields {
            let canary = format!("canary-9c1d-{t}-{f}");
            doc[*f] = sv(&canary);
            canaries.push(canary);
        }
        for (k, v) in extra.as_object().unwrap() {
            doc[k] = v.clone();
        }
        out.push((doc, canaries));
    };
    add("UsernamePassword", &["Password"], json!({"Username": "u"}));
    add(
        "SshKeyPair",
        &["PrivateKeyFile", "PrivateKeyPassphrase"],
        json!({"Username": "u"}),
    );
    add("Token", &["Token"], json!({}));
    add(
        "AmazonWebServicesAccount",
        &["SecretKey"],
        json!({"AccessKey": "AKIACANARY"}),
    );
    add(
        "AzureServicePrincipal",
        &["Password"],
        json!({"ClientId": "c", "TenantId": "t", "SubscriptionNumber": "s"}),
    );
    add(
        "AzureSubscription",
        &["CertificateBytes"],
        json!({"SubscriptionNumber": "s"}),
    );
    add("GoogleCloudAccount", &["JsonKey"], json!({}));
    // OIDC accounts hold no secret; they are here so every type is synced under the canary run.
    add(
        "AzureOidc",
        &[],
        json!({"ClientId": "c", "TenantId": "t", "Audience": "api://AzureADTokenExchange"}),
    );
    add(
        "AmazonWebServicesOidcAccount",
        &[],
        json!({"RoleArn": "arn:aws:iam::1:role/r", "Audience": "sts"}),
    );
    add("GoogleCloudOidcAccount", &[], json!({"Audience": "gcp"}));
    add(
        "GenericOidcAccount",
        &[],
        json!({"Audience": "any", "DeploymentSubjectKeys": ["space"]}),
    );
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn account_secrets_set_on_the_source_appear_in_no_output_report_or_destination() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let s = p.source_space();
    let accounts = canary_accounts();
    for (doc, canaries) in &accounts {
        p.source.insert(&s, "accounts", doc.clone()).unwrap();
        for c in canaries {
            assert!(p.source.stores_text(c), "the canary is set on the source: {doc}");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let mut output = String::new();
    for mode in ["plan", "apply"] {
        let vars = p.vars(
            dir.path(),
            &[ACCOUNTS, ("OCTOSYNC_MODE", mode), ("OCTOSYNC_VERBOSE", "True")],
        );
        let out = run_binary(&[], vars).await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        output.push_str(&text(&out));
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            output.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
    }
    assert_eq!(
        p.dest_names("accounts").len(),
        accounts.len(),
        "every account created: {:?}",
        p.dest_names("accounts")
    );
    assert!(output.contains("Clean-up: Account 'Token account': Token"), "{output}");
    let d = p.dest_space();
    let log = format!("{:?}", p.destination.request_log());
    for canary in accounts.iter().flat_map(|(_, c)| c) {
        assert!(!output.contains(canary.as_str()), "{canary} printed or reported");
        assert!(!p.destination.stores_text(canary), "{canary} reached the destination");
        assert!(!log.contains(canary.as_str()), "{canary} in the request log");
    }
    assert!(!format!("{:?}", p.destination.items(&d, "accounts")).contains("canary-9c1d"));
}
