//! End-to-end: step templates between two simulated instances. Custom templates are created,
//! updated on the destination's own document or left alone; community templates are installed or
//! updated from the destination's own library; every change says the version it ends at; a
//! sensitive default never leaves the source.

mod support;

use octosync::report::{self, Action, Change, Report};
use octosync::sim::{CommunityLibrary, Seed, SimConfig};
use serde_json::{json, Value};
use support::*;

const SELECT: &[(&str, &str)] = &[("OCTOSYNC_STEP_TEMPLATES", "all")];

fn script(lines: &[&str]) -> String {
    lines.join("\n")
}

fn custom(name: &str, body: &str) -> Value {
    json!({
        "Name": name, "Description": format!("{name} template"), "ActionType": "Octopus.Script",
        "Properties": {"Octopus.Action.Script.Syntax": "PowerShell", "Octopus.Action.Script.ScriptBody": body},
        "Parameters": [{"Name": "Greeting", "Label": "Greeting", "DefaultValue": "hello",
                        "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}}]
    })
}

fn change<'a>(report: &'a Report, name: &str) -> &'a octosync::report::Change {
    change_of(report, "Step template", name)
}

fn ends_at(c: &Change, version: i64) -> bool {
    c.notes
        .iter()
        .any(|n| n.starts_with(&format!("ends at version {version}")))
}

fn template(p: &Pair, name: &str) -> Value {
    p.destination
        .items(&p.dest_space(), "actiontemplates")
        .into_iter()
        .find(|t| t["Name"] == name)
        .unwrap_or_else(|| panic!("no '{name}' on the destination"))
}

async fn apply(p: &Pair, dir: &std::path::Path, extra: &[(&str, &str)]) -> (octosync::settings::Job, Report) {
    let job = p.job(dir, &[SELECT, &[("OCTOSYNC_MODE", "apply")], extra].concat());
    let report = run(&job).await.expect("the run is reported");
    (job, report)
}

/// The destination receives no write when the same job runs again.
async fn assert_second_apply_writes_nothing(p: &Pair, job: &octosync::settings::Job) {
    assert_rerun_settles(job).await;
    p.destination.clear_request_log();
    run(job).await.expect("second apply");
    assert_eq!(p.dest_writes(), 0, "{:?}", p.destination.request_log());
}

#[tokio::test(flavor = "multi_thread")]
async fn custom_templates_are_created_updated_or_left_alone_and_a_rerun_writes_nothing() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let (s, d) = (p.source_space(), p.dest_space());
    // The destination has a feed of its own first, so the same feed has another id there.
    p.destination
        .insert(
            &d,
            "feeds",
            json!({"Name": "Artifactory", "FeedType": "NuGet", "FeedUri": "https://a.example"}),
        )
        .unwrap();
    let nuget = json!({"Name": "NuGet.org", "FeedType": "NuGet", "FeedUri": "https://api.nuget.org/v3/index.json"});
    let source_feed = p.source.insert(&s, "feeds", nuget.clone()).unwrap();
    let dest_feed = p.destination.insert(&d, "feeds", nuget).unwrap();
    assert_ne!(source_feed["Id"], dest_feed["Id"]);

    let mut new = custom("Deploy Site", "./deploy.sh");
    new["Packages"] = json!([{"Name": "site", "PackageId": "Site", "FeedId": source_feed["Id"],
                              "AcquisitionLocation": "Server", "Properties": {"Extract": "True"}}]);
    new["Parameters"]
        .as_array_mut()
        .unwrap()
        .push(json!({"Name": "Legacy", "Label": "Saved by an old server", "DefaultValue": "x"}));
    p.source.insert(&s, "actiontemplates", new).unwrap();

    let before = script(&[
        "# Deploys the app",
        "Stop-Service App",
        "Copy-Item app C:/app",
        "Start-Service App",
    ]);
    let after = script(&[
        "# Deploys the app",
        "Stop-Service App",
        "Copy-Item app D:/app",
        "Start-Service App",
    ]);
    p.source
        .insert(&s, "actiontemplates", custom("Deploy App", &after))
        .unwrap();
    let existing = p
        .destination
        .insert(&d, "actiontemplates", custom("Deploy App", &before))
        .unwrap();
    // Saved twice on the destination since it was created: version 2.
    let id = existing["Id"].as_str().unwrap().to_string();
    let once = p.destination.update(&d, "actiontemplates", &id, existing).unwrap();
    let existing = p.destination.update(&d, "actiontemplates", &id, once).unwrap();
    assert_eq!(existing["Version"], 2);

    p.source
        .insert(&s, "actiontemplates", custom("Say Hello", "Write-Host hello"))
        .unwrap();
    let same = p
        .destination
        .insert(&d, "actiontemplates", custom("Say Hello", "Write-Host hello"))
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    p.destination.clear_request_log();
    let (job, report) = apply(&p, dir.path(), &[]).await;
    assert_eq!(report.summary.errors, 0, "{:?}", report.changes);

    // Created, with the destination's feed and a control type for the parameter that had none.
    let created = template(&p, "Deploy Site");
    assert_eq!(created["Packages"][0]["FeedId"], dest_feed["Id"]);
    assert_eq!(
        created["Parameters"][1]["DisplaySettings"]["Octopus.ControlType"],
        "SingleLineText"
    );
    assert_eq!(created["Version"], 0);
    assert!(ends_at(change(&report, "Deploy Site"), 0));

    // Updated in place: its own id, the next version, the source's script.
    let updated = template(&p, "Deploy App");
    assert_eq!(updated["Id"], existing["Id"]);
    assert_eq!(updated["Version"], 3);
    assert_eq!(
        updated["Properties"]["Octopus.Action.Script.ScriptBody"],
        after.as_str()
    );
    assert_eq!(updated["Parameters"][0]["Id"], existing["Parameters"][0]["Id"]);
    let c = change(&report, "Deploy App");
    assert_eq!(c.action, Action::Update);
    assert!(ends_at(c, 3), "{:?}", c.notes);
    let md = std::fs::read_to_string(dir.path().join(report::MARKDOWN_FILE_NAME)).unwrap();
    assert!(md.contains("- Copy-Item app C:/app\n+ Copy-Item app D:/app"), "{md}");

    // Left alone: no write to it at all.
    let unchanged = change(&report, "Say Hello");
    assert_eq!(unchanged.action, Action::Unchanged);
    assert!(ends_at(unchanged, 0));
    let same_id = same["Id"].as_str().unwrap();
    assert!(
        !p.destination
            .request_log()
            .iter()
            .any(|r| r.method != "GET" && r.path.contains(same_id)),
        "{:?}",
        p.destination.request_log()
    );
    assert_eq!(template(&p, "Say Hello")["Version"], 0);

    assert_second_apply_writes_nothing(&p, &job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feed_the_destination_lacks_is_dropped_with_a_warning_and_the_template_still_created() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let s = p.source_space();
    let feed = p
        .source
        .insert(
            &s,
            "feeds",
            json!({"Name": "Private Docker", "FeedType": "Docker", "FeedUri": "https://r.example"}),
        )
        .unwrap();
    let mut t = custom("Run Container", "docker run app");
    t["Packages"] =
        json!([{"Name": "image", "PackageId": "app", "FeedId": feed["Id"], "AcquisitionLocation": "ExecutionTarget"}]);
    p.source.insert(&s, "actiontemplates", t).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (job, report) = apply(&p, dir.path(), &[]).await;
    let c = change(&report, "Run Container");
    assert_eq!(c.action, Action::Create);
    assert!(
        c.warnings
            .iter()
            .any(|w| w.contains("feed 'Private Docker' is not on the destination")),
        "{:?}",
        c.warnings
    );
    assert_eq!(template(&p, "Run Container")["Packages"][0]["FeedId"], Value::Null);
    assert_second_apply_writes_nothing(&p, &job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_selector_that_excludes_a_template_leaves_it_out() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let s = p.source_space();
    for name in ["Keep Me", "Scratch Pad"] {
        p.source
            .insert(&s, "actiontemplates", custom(name, "Write-Host x"))
            .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    apply(&p, dir.path(), &[("OCTOSYNC_STEP_TEMPLATES", "all\n!Scratch*")]).await;
    assert_eq!(p.dest_names("actiontemplates"), ["Keep Me"]);
    // Not selected at all: nothing is read into a decision, nothing written.
    p.destination.clear_request_log();
    let job = p.job(
        dir.path(),
        &[("OCTOSYNC_MODE", "apply"), ("OCTOSYNC_ENVIRONMENTS", "all")],
    );
    let report = run(&job).await.unwrap();
    assert!(report.changes.iter().all(|c| c.kind != "Step template"));
    assert_eq!(p.dest_writes(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sensitive_default_canary_reaches_no_output_report_or_destination() {
    const CANARY: &str = "CANARY-template-default-7f3a9c";
    const PROPERTY_CANARY: &str = "CANARY-template-property-51be02";
    let p = pair(Seed::Empty, Seed::Empty).await;
    let s = p.source_space();
    let mut t = custom("Notify Chat", "Invoke-RestMethod $OctopusParameters['Chat.Webhook']");
    t["Parameters"] = json!([
        {"Name": "Chat.Webhook", "Label": "Webhook", "DefaultValue": {"HasValue": true, "NewValue": CANARY},
         "DisplaySettings": {"Octopus.ControlType": "Sensitive"}}
    ]);
    t["Properties"]["Chat.Token"] = json!({"HasValue": true, "NewValue": PROPERTY_CANARY});
    p.source.insert(&s, "actiontemplates", t).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let vars = p.vars(
        dir.path(),
        &[SELECT, &[("OCTOSYNC_MODE", "apply"), ("OCTOSYNC_VERBOSE", "True")]].concat(),
    );
    let out = run_binary(&[], vars).await;
    let output = text(&out);
    assert_eq!(out.status.code(), Some(0), "{output}");

    let created = template(&p, "Notify Chat");
    assert_eq!(created["Parameters"][0]["DefaultValue"]["HasValue"], false, "{created}");
    assert_eq!(created["Properties"]["Chat.Token"]["HasValue"], false, "{created}");
    let json_report = std::fs::read_to_string(dir.path().join(report::JSON_FILE_NAME)).unwrap();
    let md = std::fs::read_to_string(dir.path().join(report::MARKDOWN_FILE_NAME)).unwrap();
    let requests = format!("{:?}", p.destination.request_log());
    let stored = format!("{:?}", p.destination.items(&p.dest_space(), "actiontemplates"));
    for canary in [CANARY, PROPERTY_CANARY] {
        for (what, text) in [
            ("the output", &output),
            ("the JSON report", &json_report),
            ("the Markdown report", &md),
            ("the destination's request log", &requests),
            ("the destination's templates", &stored),
        ] {
            assert!(!text.contains(canary), "{canary} in {what}");
        }
    }
    // A clean-up entry per secret, in the report and as a task-log warning.
    let report: Report = serde_json::from_str(&json_report).unwrap();
    let entries: Vec<&str> = report.cleanup.iter().map(|c| c.action.as_str()).collect();
    assert!(
        entries
            .iter()
            .any(|a| a.starts_with("parameter 'Chat.Webhook' default value:")),
        "{entries:?}"
    );
    assert!(
        entries.iter().any(|a| a.starts_with("property 'Chat.Token':")),
        "{entries:?}"
    );
    assert!(
        output.contains("Clean-up: Step template 'Notify Chat': parameter 'Chat.Webhook'"),
        "{output}"
    );
}

/// A source whose library is current, with two community templates installed; a destination
/// that installed one of them when its library was older and has synced its library since.
async fn community_pair(destination_library: CommunityLibrary) -> Pair {
    let p = pair_with(
        config(SOURCE_KEY),
        SimConfig {
            community_library: CommunityLibrary::Older,
            ..config(DEST_KEY)
        },
    )
    .await;
    let (s, d) = (p.source_space(), p.dest_space());
    for name in ["HTTP - Test URL", "Slack - Send Simple Notification"] {
        p.source.install_community_template(&s, name).unwrap();
    }
    p.destination
        .install_community_template(&d, "Slack - Send Simple Notification")
        .unwrap();
    p.destination.sync_community_library(destination_library).unwrap();
    p
}

fn version(t: &Value) -> i64 {
    t["Version"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn community_templates_are_installed_or_updated_from_the_destinations_own_library() {
    let p = community_pair(CommunityLibrary::Current).await;
    let source_http = p
        .source
        .items(&p.source_space(), "actiontemplates")
        .into_iter()
        .find(|t| t["Name"] == "HTTP - Test URL")
        .unwrap();
    let old_slack = template(&p, "Slack - Send Simple Notification");
    let dir = tempfile::tempdir().unwrap();

    // The plan shows both and writes nothing.
    let plan = run(&p.job(dir.path(), SELECT)).await.unwrap();
    assert_eq!((plan.summary.planned_create, plan.summary.planned_update), (1, 1));
    assert_eq!(p.dest_writes(), 0);

    p.destination.clear_request_log();
    let (job, report) = apply(&p, dir.path(), &[]).await;
    assert_eq!(report.summary.errors, 0, "{:?}", report.changes);
    let writes: Vec<String> = p
        .destination
        .request_log()
        .iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(writes.len(), 2, "{writes:?}");
    assert!(writes
        .iter()
        .all(|w| w.contains("/api/communityactiontemplates/") && w.contains("/installation/")));

    let http = template(&p, "HTTP - Test URL");
    assert_eq!(version(&http), version(&source_http));
    assert_ne!(
        http["CommunityActionTemplateId"], source_http["CommunityActionTemplateId"],
        "the destination library's own id, not the source's"
    );
    assert!(ends_at(change(&report, "HTTP - Test URL"), version(&source_http)));

    let slack = template(&p, "Slack - Send Simple Notification");
    assert_eq!(slack["Id"], old_slack["Id"]);
    assert!(version(&slack) > version(&old_slack));
    let c = change(&report, "Slack - Send Simple Notification");
    assert_eq!(c.action, Action::Update);
    assert!(ends_at(c, version(&slack)), "{:?}", c.notes);

    assert_second_apply_writes_nothing(&p, &job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_community_template_the_destinations_library_lacks_is_an_error_with_a_clean_up_entry() {
    // The destination's library never synced past the older edition, which lacks this template.
    let p = community_pair(CommunityLibrary::Older).await;
    p.source
        .install_community_template(&p.source_space(), "File System - Clean Directory")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    p.destination.clear_request_log();
    let (_, report) = apply(&p, dir.path(), &[]).await;

    let missing = change(&report, "File System - Clean Directory");
    assert!(missing
        .error
        .as_deref()
        .unwrap()
        .contains("has no 'File System - Clean Directory'"));
    assert!(report
        .cleanup
        .iter()
        .any(|c| c.name == "File System - Clean Directory" && c.action.starts_with("not installed")));
    assert!(!p
        .dest_names("actiontemplates")
        .contains(&"File System - Clean Directory".to_string()));

    // The rest is still done: an older library installs what it has, and says so.
    let http = change(&report, "HTTP - Test URL");
    assert_eq!(http.action, Action::Create);
    assert!(
        http.warnings.iter().any(|w| w.contains("older than the source's")),
        "{:?}",
        http.warnings
    );
    let slack = change(&report, "Slack - Send Simple Notification");
    assert_eq!(slack.action, Action::Skip);
    assert!(report.summary.errors >= 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_installation_whose_answer_is_lost_is_found_and_not_sent_twice() {
    let p = community_pair(CommunityLibrary::Current).await;
    let dir = tempfile::tempdir().unwrap();
    p.destination.clear_request_log();
    p.destination
        .inject("POST", octosync::sim::SimFault::DroppedAfterCommit, 1);
    let (job, report) = apply(&p, dir.path(), &[]).await;
    assert_eq!(report.summary.errors, 0, "{:?}", report.changes);
    let posts = p
        .destination
        .request_log()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1, "{:?}", p.destination.request_log());
    assert!(change(&report, "HTTP - Test URL").destination_id.is_some());
    assert_second_apply_writes_nothing(&p, &job).await;
}

// ---------------------------------------------------------------------------------------------
// Logos

fn logo_of(server: &octosync::sim::SimServer, space: &str, id: &Value) -> Vec<u8> {
    server
        .logo(space, "actiontemplates", id.as_str().unwrap())
        .expect("the template has a logo route")
        .1
}

/// The template's logo on the destination, byte for byte.
fn dest_logo(p: &Pair, name: &str) -> Vec<u8> {
    logo_of(&p.destination, &p.dest_space(), &template(p, name)["Id"])
}

/// Writes the destination received at a logo route.
fn logo_writes(p: &Pair) -> Vec<String> {
    p.dest_write_requests()
        .into_iter()
        .filter(|w| w.ends_with("/logo"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_custom_logo_reaches_the_destination_byte_for_byte_and_a_default_one_writes_nothing() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let (s, d) = (p.source_space(), p.dest_space());
    let red = octosync::sim::solid_png([200, 20, 20, 255]);
    let blue = octosync::sim::solid_png([20, 20, 200, 255]);
    let own = octosync::sim::solid_png([0, 120, 0, 255]);
    let add = |name: &str, logo: Option<&[u8]>| {
        let t = p
            .source
            .insert(&s, "actiontemplates", custom(name, "Write-Host hi"))
            .unwrap();
        if let Some(bytes) = logo {
            p.source
                .set_logo(&s, "actiontemplates", t["Id"].as_str().unwrap(), bytes)
                .unwrap();
        }
        t
    };
    // New on the destination: one with a logo of its own, one on its step type's default.
    add("Deploy Web", Some(&red));
    add("Say Hello", None);
    // On both, the same content: the source's has a logo of its own, the destination's the default.
    add("Notify", Some(&blue));
    let notify = p
        .destination
        .insert(&d, "actiontemplates", custom("Notify", "Write-Host hi"))
        .unwrap();
    let default = logo_of(&p.destination, &d, &notify["Id"]);
    // On both, default logos: nothing to do.
    add("Plain", None);
    p.destination
        .insert(&d, "actiontemplates", custom("Plain", "Write-Host hi"))
        .unwrap();
    // The destination's has a logo of its own and the source's the default: the destination's stays.
    add("Branded", None);
    let branded = p
        .destination
        .insert(&d, "actiontemplates", custom("Branded", "Write-Host hi"))
        .unwrap();
    p.destination
        .set_logo(&d, "actiontemplates", branded["Id"].as_str().unwrap(), &own)
        .unwrap();
    // Not selected: its logo is never read.
    let scratch = add("Scratch Pad", Some(&red));
    let select = [("OCTOSYNC_STEP_TEMPLATES", "all\n!Scratch*")];

    // The plan shows the logo changes, holds no image, and writes nothing.
    let dir = tempfile::tempdir().unwrap();
    p.destination.clear_request_log();
    p.source.clear_request_log();
    let plan = run(&p.job(dir.path(), &select)).await.unwrap();
    assert_eq!(plan.summary.errors, 0, "{:?}", plan.changes);
    assert_eq!((plan.summary.planned_create, plan.summary.planned_update), (2, 1));
    assert_eq!(p.dest_writes(), 0);
    let notify = change(&plan, "Notify");
    assert_eq!(notify.action, Action::Update);
    assert_eq!(notify.changed_fields, ["Logo"]);
    let logo = notify
        .diff
        .iter()
        .find(|d| d.path == "Logo")
        .expect("the logo in the diff");
    assert!(
        logo.before
            .as_deref()
            .unwrap()
            .starts_with(&format!("default (image/png, {} bytes, sha256 ", default.len())),
        "{logo:?}"
    );
    assert!(
        logo.after
            .as_deref()
            .unwrap()
            .starts_with(&format!("custom (image/png, {} bytes, sha256 ", blue.len())),
        "{logo:?}"
    );
    assert!(change(&plan, "Deploy Web").diff.iter().any(|d| d.path == "Logo"));
    for quiet in ["Say Hello", "Plain", "Branded"] {
        assert!(change(&plan, quiet).diff.iter().all(|d| d.path != "Logo"), "{quiet}");
    }
    assert_eq!(change(&plan, "Branded").action, Action::Unchanged);
    assert!(change(&plan, "Branded")
        .notes
        .iter()
        .any(|n| n.contains("which is kept")));
    let md = std::fs::read_to_string(dir.path().join(report::MARKDOWN_FILE_NAME)).unwrap();
    assert!(md.contains("Logo"), "{md}");
    let json_report = std::fs::read_to_string(dir.path().join(report::JSON_FILE_NAME)).unwrap();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    for image in [&red, &blue] {
        assert!(!json_report.contains(&b64.encode(image)), "no image in the report");
    }
    let scratch_logo = format!("{}/logo", scratch["Id"].as_str().unwrap());
    assert!(
        !p.source.request_log().iter().any(|r| r.path.ends_with(&scratch_logo)),
        "the logo of a template that is not selected was read"
    );

    p.destination.clear_request_log();
    let (job, report) = apply(&p, dir.path(), &select).await;
    assert_eq!(report.summary.errors, 0, "{:?}", report.changes);
    assert_eq!(dest_logo(&p, "Deploy Web"), red);
    assert_eq!(dest_logo(&p, "Notify"), blue);
    assert_eq!(dest_logo(&p, "Branded"), own);
    assert_eq!(dest_logo(&p, "Plain"), default);
    assert_eq!(dest_logo(&p, "Say Hello"), default);
    let writes = logo_writes(&p);
    assert_eq!(writes.len(), 2, "{writes:?}");
    for name in ["Deploy Web", "Notify"] {
        let id = template(&p, name)["Id"].as_str().unwrap().to_string();
        assert!(
            writes
                .iter()
                .any(|w| w.starts_with("POST ") && w.contains(&format!("/{id}/logo"))),
            "{writes:?}"
        );
    }
    assert!(!p.dest_names("actiontemplates").contains(&"Scratch Pad".to_string()));

    assert_second_apply_writes_nothing(&p, &job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_logo_upload_answer_is_harmless_the_same_image_is_simply_sent_again() {
    let p = pair(Seed::Empty, Seed::Empty).await;
    let (s, d) = (p.source_space(), p.dest_space());
    let green = octosync::sim::solid_png([10, 180, 60, 255]);
    let t = p
        .source
        .insert(&s, "actiontemplates", custom("Notify", "Write-Host hi"))
        .unwrap();
    p.source
        .set_logo(&s, "actiontemplates", t["Id"].as_str().unwrap(), &green)
        .unwrap();
    let before = p
        .destination
        .insert(&d, "actiontemplates", custom("Notify", "Write-Host hi"))
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    p.destination.clear_request_log();
    // The server stores the upload, then the connection drops before the answer.
    p.destination
        .inject("POST", octosync::sim::SimFault::DroppedAfterCommit, 1);
    let (job, report) = apply(&p, dir.path(), &[]).await;
    assert_eq!(report.summary.errors, 0, "{:?}", report.changes);
    let writes = logo_writes(&p);
    assert_eq!(writes.len(), 2, "sent again after the lost answer: {writes:?}");
    assert_eq!(writes[0], writes[1]);
    assert_eq!(dest_logo(&p, "Notify"), green);
    let after = template(&p, "Notify");
    assert_eq!(after["Id"], before["Id"]);
    assert_eq!(after["Version"], before["Version"], "only the logo was written");
    assert_second_apply_writes_nothing(&p, &job).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_community_templates_logo_stays_the_librarys_and_is_never_read_or_uploaded() {
    let p = community_pair(CommunityLibrary::Current).await;
    let dir = tempfile::tempdir().unwrap();
    p.source.clear_request_log();
    p.destination.clear_request_log();
    let (job, report) = apply(&p, dir.path(), &[]).await;
    assert_eq!(report.summary.errors, 0, "{:?}", report.changes);
    for server in [&p.source, &p.destination] {
        let logos: Vec<_> = server
            .request_log()
            .into_iter()
            .filter(|r| r.path.contains("/logo"))
            .collect();
        assert!(logos.is_empty(), "{logos:?}");
    }
    // The destination's installed templates show its library's logos, which equal the source's.
    let source_http = p
        .source
        .items(&p.source_space(), "actiontemplates")
        .into_iter()
        .find(|t| t["Name"] == "HTTP - Test URL")
        .unwrap();
    assert_eq!(
        dest_logo(&p, "HTTP - Test URL"),
        logo_of(&p.source, &p.source_space(), &source_http["Id"])
    );
    assert_second_apply_writes_nothing(&p, &job).await;
}
