//! Planning tests of the step templates stage: no HTTP, two snapshots in memory.

use super::*;
use crate::rules::Rules;
use crate::settings::selector::Selector;
use crate::snapshot::Snapshot;
use crate::sync::Write;

const SCRIPT: &str = "Write-Host 'one'\nWrite-Host 'two'\nWrite-Host 'three'\nWrite-Host 'four'";

fn template(id: &str, name: &str, script: &str) -> Value {
    json!({
        "Id": id, "SpaceId": "Spaces-1", "Name": name, "Description": "Posts a message",
        "ActionType": "Octopus.Script", "Version": 3, "CommunityActionTemplateId": null,
        "Packages": [], "GitDependencies": [],
        "Properties": {"Octopus.Action.Script.ScriptBody": script, "Octopus.Action.Script.Syntax": "PowerShell"},
        "Parameters": [
            {"Id": format!("{id}-p1"), "Name": "Slack.Message", "Label": "Message", "HelpText": null,
             "DefaultValue": "Deployed", "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}}
        ],
        "Links": {"Self": format!("/api/Spaces-1/actiontemplates/{id}")}
    })
}

fn library(id: &str, name: &str, version: i64) -> Value {
    json!({"Id": id, "Name": name, "Type": "Octopus.Script", "Version": version, "Author": "octopus",
           "Description": format!("{name}, library version {version}"),
           "Properties": {"Octopus.Action.Script.ScriptBody": format!("# version {version}")},
           "Parameters": [], "Packages": []})
}

fn installed(id: &str, name: &str, library_id: &str, version: i64) -> Value {
    json!({"Id": id, "Name": name, "ActionType": "Octopus.Script", "Version": version,
           "CommunityActionTemplateId": library_id, "Description": format!("{name}, library version {version}"),
           "Properties": {"Octopus.Action.Script.ScriptBody": format!("# version {version}")},
           "Parameters": [], "Packages": []})
}

fn plan_all(source: &Snapshot, destination: &Snapshot) -> Vec<Planned> {
    let rules = Rules::default();
    let selector = Selector::all();
    let ctx = PlanContext {
        source,
        destination,
        rules: &rules,
        selector: &selector,
    };
    StepTemplates.plan(&ctx)
}

fn plan_one(source: Vec<(Kind, Vec<Value>)>, destination: Vec<(Kind, Vec<Value>)>) -> Planned {
    let planned = plan_all(&Snapshot::from_docs(source), &Snapshot::from_docs(destination));
    assert_eq!(planned.len(), 1, "{planned:?}");
    planned.into_iter().next().unwrap()
}

fn body(p: &Planned) -> &Value {
    match &p.write {
        Some(Write::Create { body }) | Some(Write::Update { body, .. }) => body,
        other => panic!("expected a create or an update, got {other:?}"),
    }
}

fn has_note(p: &Planned, text: &str) -> bool {
    p.change.notes.iter().any(|n| n.contains(text))
}

#[test]
fn a_missing_custom_template_is_created_without_source_ids_or_version() {
    let p = plan_one(
        vec![(
            Kind::ActionTemplate,
            vec![template("ActionTemplates-1", "Notify", SCRIPT)],
        )],
        vec![],
    );
    assert_eq!(p.change.action, Action::Create);
    let b = body(&p);
    for field in ["Id", "SpaceId", "Links", "Version"] {
        assert!(b.get(field).is_none(), "{field} must not travel: {b}");
    }
    assert!(b["Parameters"][0].get("Id").is_none(), "parameter ids are the server's");
    assert_eq!(b["Properties"]["Octopus.Action.Script.ScriptBody"], SCRIPT);
    assert!(has_note(&p, "ends at version 0"), "{:?}", p.change.notes);
}

#[test]
fn package_feeds_are_translated_and_a_feed_the_destination_lacks_is_dropped_with_a_warning() {
    let mut src = template("ActionTemplates-1", "Deploy", SCRIPT);
    src["Packages"] = json!([
        {"Id": "g1", "Name": "app", "PackageId": "App", "FeedId": "Feeds-1", "AcquisitionLocation": "Server", "Properties": {}},
        {"Id": "g2", "Name": "tools", "PackageId": "Tools", "FeedId": "Feeds-2", "AcquisitionLocation": "Server", "Properties": {}}
    ]);
    src["Properties"]["Octopus.Action.Package.FeedId"] = json!("Feeds-1");
    let p = plan_one(
        vec![
            (Kind::ActionTemplate, vec![src]),
            (
                Kind::Feed,
                vec![
                    json!({"Id": "Feeds-1", "Name": "NuGet.org"}),
                    json!({"Id": "Feeds-2", "Name": "Docker Hub"}),
                ],
            ),
        ],
        vec![(Kind::Feed, vec![json!({"Id": "Feeds-41", "Name": "nuget.org"})])],
    );
    let b = body(&p);
    assert_eq!(b["Packages"][0]["FeedId"], "Feeds-41");
    assert!(b["Packages"][0].get("Id").is_none());
    assert_eq!(b["Packages"][1]["FeedId"], Value::Null);
    assert_eq!(b["Properties"]["Octopus.Action.Package.FeedId"], "Feeds-41");
    assert_eq!(p.change.warnings.len(), 1, "{:?}", p.change.warnings);
    assert!(p.change.warnings[0].contains("package 'tools': feed 'Docker Hub' is not on the destination"));
}

#[test]
fn a_deferred_package_keeps_its_feed_placeholder_and_a_package_parameter_default_its_translated_feed() {
    let mut src = template("ActionTemplates-1", "Deploy", SCRIPT);
    src["Packages"] = json!([
        {"Name": "later", "PackageId": null, "FeedId": null, "Properties": {"SelectionMode": "deferred"}},
        {"Name": "sentinel", "PackageId": null, "FeedId": "feeds-NonExisting", "Properties": {"SelectionMode": "deferred"}}
    ]);
    src["Parameters"] = json!([
        {"Name": "App.Package", "DefaultValue": "{\"PackageId\":\"App\",\"FeedId\":\"Feeds-1\"}",
         "DisplaySettings": {"Octopus.ControlType": "Package"}},
        {"Name": "Other.Package", "DefaultValue": "{\"PackageId\":\"Other\",\"FeedId\":\"feeds-builtin\"}",
         "DisplaySettings": {"Octopus.ControlType": "Package"}}
    ]);
    let p = plan_one(
        vec![
            (Kind::ActionTemplate, vec![src]),
            (
                Kind::Feed,
                vec![
                    json!({"Id": "Feeds-1", "Name": "NuGet.org"}),
                    json!({"Id": "feeds-builtin", "Name": "Octopus Server (built-in)"}),
                ],
            ),
        ],
        vec![(
            Kind::Feed,
            vec![
                json!({"Id": "feeds-builtin", "Name": "Octopus Server (built-in)"}),
                json!({"Id": "Feeds-30", "Name": "NuGet.org"}),
            ],
        )],
    );
    let b = body(&p);
    assert_eq!(b["Packages"][0]["FeedId"], Value::Null);
    assert_eq!(b["Packages"][1]["FeedId"], "feeds-NonExisting");
    assert_eq!(
        b["Parameters"][0]["DefaultValue"],
        "{\"PackageId\":\"App\",\"FeedId\":\"Feeds-30\"}"
    );
    assert_eq!(
        b["Parameters"][1]["DefaultValue"],
        "{\"PackageId\":\"Other\",\"FeedId\":\"feeds-builtin\"}"
    );
    assert!(p.change.warnings.is_empty(), "{:?}", p.change.warnings);
}

#[test]
fn a_sensitive_default_never_travels_and_asks_for_a_clean_up() {
    let mut src = template("ActionTemplates-1", "Notify", SCRIPT);
    src["Parameters"] = json!([
        {"Id": "p1", "Name": "Slack.Webhook", "Label": "Webhook", "DefaultValue": {"HasValue": true, "NewValue": null},
         "DisplaySettings": {"Octopus.ControlType": "Sensitive"}}
    ]);
    let p = plan_one(vec![(Kind::ActionTemplate, vec![src.clone()])], vec![]);
    assert_eq!(
        body(&p)["Parameters"][0]["DefaultValue"],
        json!({"HasValue": false, "NewValue": null})
    );
    assert_eq!(p.cleanup.len(), 1);
    assert!(p.cleanup[0]
        .action
        .starts_with("parameter 'Slack.Webhook' default value: "));

    // The destination's own sensitive default is never touched, and does not make a difference.
    let mut dest = src.clone();
    dest["Id"] = json!("ActionTemplates-9");
    dest["Parameters"][0]["Id"] = json!("dest-guid");
    let p = plan_one(
        vec![(Kind::ActionTemplate, vec![src])],
        vec![(Kind::ActionTemplate, vec![dest])],
    );
    assert_eq!(p.change.action, Action::Unchanged, "{:?}", p.change);
    assert!(p.cleanup.is_empty());
}

#[test]
fn a_parameter_without_a_control_type_is_shown_as_single_line_text() {
    let mut src = template("ActionTemplates-1", "Notify", SCRIPT);
    src["Parameters"][0]["DisplaySettings"] = json!({});
    src["Parameters"]
        .as_array_mut()
        .unwrap()
        .push(json!({"Name": "Legacy", "DefaultValue": "x"}));
    let p = plan_one(vec![(Kind::ActionTemplate, vec![src])], vec![]);
    let b = body(&p);
    assert_eq!(
        b["Parameters"][0]["DisplaySettings"]["Octopus.ControlType"],
        "SingleLineText"
    );
    assert_eq!(
        b["Parameters"][1]["DisplaySettings"]["Octopus.ControlType"],
        "SingleLineText"
    );
    assert!(has_note(&p, "parameter 'Legacy' has no control type"));
}

#[test]
fn a_changed_template_is_updated_on_the_destinations_own_document_and_says_its_next_version() {
    let src = template("ActionTemplates-1", "Notify", &SCRIPT.replace("'three'", "'THREE'"));
    let mut dest = template("ActionTemplates-7", "Notify", SCRIPT);
    dest["Version"] = json!(11);
    dest["Parameters"]
        .as_array_mut()
        .unwrap()
        .push(json!({"Id": "d2", "Name": "Old.Param", "DefaultValue": "", "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}}));
    let p = plan_one(
        vec![(Kind::ActionTemplate, vec![src])],
        vec![(Kind::ActionTemplate, vec![dest])],
    );
    assert_eq!(p.change.action, Action::Update);
    let Some(Write::Update { id, body }) = &p.write else {
        panic!("expected an update")
    };
    assert_eq!(id, "ActionTemplates-7");
    // The PUT carries the destination's own Id and Version; the server raises the version.
    assert_eq!(body["Id"], "ActionTemplates-7");
    assert_eq!(body["Version"], 11);
    assert_eq!(body["Parameters"][0]["Id"], "ActionTemplates-7-p1");
    assert_eq!(body["Parameters"].as_array().unwrap().len(), 1);
    assert!(has_note(&p, "ends at version 12"), "{:?}", p.change.notes);
    assert!(p
        .change
        .warnings
        .iter()
        .any(|w| w.contains("destination-only parameter 'Old.Param' removed")));
    let script = p
        .change
        .diff
        .iter()
        .find(|d| d.path.contains("ScriptBody"))
        .unwrap_or_else(|| panic!("the script body is in the diff: {:?}", p.change.diff));
    assert!(
        script.lines.contains(&"- Write-Host 'three'".to_string()),
        "{:?}",
        script.lines
    );
    assert!(
        script.lines.contains(&"+ Write-Host 'THREE'".to_string()),
        "{:?}",
        script.lines
    );
}

#[test]
fn an_unchanged_template_is_not_written_and_says_its_version() {
    let src = template("ActionTemplates-1", "Notify", SCRIPT);
    let mut dest = template("ActionTemplates-7", "Notify", SCRIPT);
    dest["Version"] = json!(4);
    dest["Parameters"][0]["Id"] = json!("other-guid");
    let p = plan_one(
        vec![(Kind::ActionTemplate, vec![src])],
        vec![(Kind::ActionTemplate, vec![dest])],
    );
    assert_eq!(p.change.action, Action::Unchanged, "{:?}", p.change.diff);
    assert!(p.write.is_none());
    assert!(has_note(&p, "ends at version 4"));
}

#[test]
fn a_template_whose_step_type_differs_is_an_error_not_a_write() {
    let src = template("ActionTemplates-1", "Notify", SCRIPT);
    let mut dest = template("ActionTemplates-7", "Notify", SCRIPT);
    dest["ActionType"] = json!("Octopus.Email");
    let p = plan_one(
        vec![(Kind::ActionTemplate, vec![src])],
        vec![(Kind::ActionTemplate, vec![dest])],
    );
    assert!(p.write.is_none());
    assert!(p.change.error.as_deref().unwrap().contains("step type"));
}

fn community_source(version: i64) -> Vec<(Kind, Vec<Value>)> {
    vec![
        (
            Kind::ActionTemplate,
            vec![installed(
                "ActionTemplates-3",
                "HTTP - Test URL",
                "CommunityActionTemplates-1",
                version,
            )],
        ),
        (
            Kind::CommunityActionTemplate,
            vec![library("CommunityActionTemplates-1", "HTTP - Test URL", version)],
        ),
    ]
}

#[test]
fn a_community_template_is_installed_from_the_destinations_own_library() {
    let p = plan_one(
        community_source(12),
        vec![(
            Kind::CommunityActionTemplate,
            vec![
                library("CommunityActionTemplates-8", "Other", 1),
                library("CommunityActionTemplates-9", "HTTP - Test URL", 12),
            ],
        )],
    );
    assert_eq!(p.change.action, Action::Create);
    let Some(Write::Install {
        community_id,
        update,
        expected,
    }) = &p.write
    else {
        panic!("expected an installation, got {:?}", p.write)
    };
    assert_eq!(community_id, "CommunityActionTemplates-9");
    assert!(!update);
    assert_eq!(expected["Version"], 12);
    assert_eq!(expected["CommunityActionTemplateId"], "CommunityActionTemplates-9");
    assert!(has_note(&p, "ends at version 12"));
}

#[test]
fn an_installed_community_template_older_than_the_sources_is_updated_from_the_library() {
    let p = plan_one(
        community_source(12),
        vec![
            (
                Kind::ActionTemplate,
                vec![installed(
                    "ActionTemplates-5",
                    "HTTP - Test URL",
                    "CommunityActionTemplates-9",
                    10,
                )],
            ),
            (
                Kind::CommunityActionTemplate,
                vec![library("CommunityActionTemplates-9", "HTTP - Test URL", 12)],
            ),
        ],
    );
    assert_eq!(p.change.action, Action::Update);
    let Some(Write::Install { update, expected, .. }) = &p.write else {
        panic!("expected an installation update")
    };
    assert!(update);
    assert_eq!(expected["Id"], "ActionTemplates-5");
    assert!(p
        .change
        .diff
        .iter()
        .any(|d| d.path == "Version" && d.before.as_deref() == Some("10") && d.after.as_deref() == Some("12")));
    assert!(has_note(&p, "ends at version 12"));
}

#[test]
fn an_installed_community_template_at_the_sources_version_is_left_alone() {
    let p = plan_one(
        community_source(12),
        vec![
            (
                Kind::ActionTemplate,
                vec![installed(
                    "ActionTemplates-5",
                    "HTTP - Test URL",
                    "CommunityActionTemplates-9",
                    12,
                )],
            ),
            (
                Kind::CommunityActionTemplate,
                vec![library("CommunityActionTemplates-9", "HTTP - Test URL", 14)],
            ),
        ],
    );
    assert_eq!(p.change.action, Action::Unchanged);
    assert!(has_note(&p, "ends at version 12"));
}

#[test]
fn a_library_older_than_the_source_installs_what_it_has_and_says_so() {
    let p = plan_one(
        community_source(12),
        vec![(
            Kind::CommunityActionTemplate,
            vec![library("CommunityActionTemplates-9", "HTTP - Test URL", 9)],
        )],
    );
    assert!(matches!(p.write, Some(Write::Install { update: false, .. })));
    assert!(has_note(&p, "ends at version 9"));
    assert!(p.change.warnings[0].contains("offers version 9, older than the source's 12"));

    // Installed at the library's version already: nothing newer to update to.
    let p = plan_one(
        community_source(12),
        vec![
            (
                Kind::ActionTemplate,
                vec![installed(
                    "ActionTemplates-5",
                    "HTTP - Test URL",
                    "CommunityActionTemplates-9",
                    9,
                )],
            ),
            (
                Kind::CommunityActionTemplate,
                vec![library("CommunityActionTemplates-9", "HTTP - Test URL", 9)],
            ),
        ],
    );
    assert_eq!(p.change.action, Action::Skip);
    assert!(p.write.is_none());
    assert!(p.change.error.is_none());
    assert!(has_note(&p, "ends at version 9"));
}

#[test]
fn a_community_template_the_destinations_library_lacks_is_an_error_with_a_clean_up_entry() {
    let p = plan_one(
        community_source(12),
        vec![(
            Kind::CommunityActionTemplate,
            vec![library("CommunityActionTemplates-9", "Other", 3)],
        )],
    );
    assert!(p.write.is_none());
    assert!(p
        .change
        .error
        .as_deref()
        .unwrap()
        .contains("community step template library has no 'HTTP - Test URL'"));
    assert_eq!(p.cleanup.len(), 1);
    assert!(p.cleanup[0].action.contains("refresh the library"));
}

#[test]
fn a_custom_and_a_community_template_of_one_name_never_overwrite_each_other() {
    let p = plan_one(
        community_source(12),
        vec![
            (
                Kind::ActionTemplate,
                vec![template("ActionTemplates-5", "HTTP - Test URL", SCRIPT)],
            ),
            (
                Kind::CommunityActionTemplate,
                vec![library("CommunityActionTemplates-9", "HTTP - Test URL", 12)],
            ),
        ],
    );
    assert!(p.write.is_none());
    assert!(p.change.error.as_deref().unwrap().contains("custom template"));

    let p = plan_one(
        vec![(
            Kind::ActionTemplate,
            vec![template("ActionTemplates-1", "Notify", SCRIPT)],
        )],
        vec![(
            Kind::ActionTemplate,
            vec![installed(
                "ActionTemplates-5",
                "Notify",
                "CommunityActionTemplates-2",
                3,
            )],
        )],
    );
    assert!(p.write.is_none());
    assert!(p.change.error.as_deref().unwrap().contains("community library"));
}
