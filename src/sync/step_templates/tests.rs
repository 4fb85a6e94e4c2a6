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
        "{\"FeedId\":\"Feeds-30\",\"PackageId\":\"App\"}"
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

// ---------------------------------------------------------------------------------------------
// Logos

use crate::octopus::Download;
use crate::snapshot::logos::{Logo, LogoDigest};

fn image(bytes: &str) -> LogoDigest {
    LogoDigest::of(&Download {
        content_type: "image/png".into(),
        bytes: bytes.as_bytes().to_vec(),
    })
}

/// The step type's default logo, the same on both instances.
const DEFAULT: &str = "the script step's icon";

/// A source template and, unless `dest_logo` is `None`, the destination's of the same name with
/// the same content; `dest_script` changes the destination's script.
fn with_logos(src_logo: Logo, dest: Option<(Logo, &str)>) -> Planned {
    let mut source = Snapshot::from_docs(vec![(
        Kind::ActionTemplate,
        vec![template("ActionTemplates-1", "Notify", SCRIPT)],
    )]);
    source.set_logo("ActionTemplates-1", src_logo);
    source.set_step_type_logo("Octopus.Script", Logo::Read(image(DEFAULT)));
    let mut destination = Snapshot::from_docs(vec![(
        Kind::ActionTemplate,
        dest.iter()
            .map(|(_, script)| template("ActionTemplates-7", "Notify", script))
            .collect(),
    )]);
    destination.set_step_type_logo("octopus.script", Logo::Read(image(DEFAULT)));
    if let Some((logo, _)) = dest {
        destination.set_logo("ActionTemplates-7", logo);
    }
    let planned = plan_all(&source, &destination);
    assert_eq!(planned.len(), 1, "{planned:?}");
    planned.into_iter().next().unwrap()
}

fn logo_diff(p: &Planned) -> &crate::report::FieldDiff {
    p.change
        .diff
        .iter()
        .find(|d| d.path == "Logo")
        .unwrap_or_else(|| panic!("no logo in the diff: {:?}", p.change.diff))
}

#[test]
fn a_logo_with_the_same_bytes_on_both_sides_is_not_written() {
    for logo in ["a custom image", DEFAULT] {
        let p = with_logos(Logo::Read(image(logo)), Some((Logo::Read(image(logo)), SCRIPT)));
        assert_eq!(p.change.action, Action::Unchanged, "{:?}", p.change);
        assert!(p.write.is_none() && p.then.is_none());
        assert!(p.change.diff.is_empty());
    }
}

#[test]
fn a_custom_logo_that_differs_is_uploaded_alone_when_the_template_matches() {
    let p = with_logos(
        Logo::Read(image("a custom image")),
        Some((Logo::Read(image(DEFAULT)), SCRIPT)),
    );
    assert_eq!(p.change.action, Action::Update);
    assert_eq!(p.change.reason, "matches the source but for its logo");
    assert_eq!(p.change.changed_fields, ["Logo"]);
    let Some(Write::UploadLogo { id, source_id, logo }) = &p.write else {
        panic!("expected a logo upload, got {:?}", p.write)
    };
    assert_eq!(id.as_deref(), Some("ActionTemplates-7"));
    assert_eq!(source_id, "ActionTemplates-1");
    assert!(logo.same_image(&image("a custom image")));
    assert!(p.then.is_none());
    let d = logo_diff(&p);
    assert_eq!(
        d.before.as_deref(),
        Some(format!("default ({})", image(DEFAULT).describe()).as_str())
    );
    assert_eq!(
        d.after.as_deref(),
        Some(format!("custom ({})", image("a custom image").describe()).as_str())
    );
    assert!(d.after.as_deref().unwrap().contains("image/png, 14 bytes, sha256 "));

    // The destination's own other logo is replaced the same way, and says it was custom.
    let p = with_logos(
        Logo::Read(image("a custom image")),
        Some((Logo::Read(image("an older image")), SCRIPT)),
    );
    assert!(matches!(p.write, Some(Write::UploadLogo { .. })));
    assert!(logo_diff(&p).before.as_deref().unwrap().starts_with("custom ("));
}

#[test]
fn a_new_template_with_a_custom_logo_gets_it_right_after_it_is_created() {
    let p = with_logos(Logo::Read(image("a custom image")), None);
    assert_eq!(p.change.action, Action::Create);
    assert!(matches!(p.write, Some(Write::Create { .. })));
    let Some(Write::UploadLogo { id, .. }) = &p.then else {
        panic!("expected a logo upload after the create, got {:?}", p.then)
    };
    assert_eq!(id, &None, "the create gives the id");
    assert!(p.change.changed_fields.contains(&"Logo".to_string()));
    let d = logo_diff(&p);
    assert_eq!((d.op, d.before.as_deref()), (crate::report::DiffOp::Added, None));
    assert!(has_note(&p, "logo is uploaded once the template is created"));
}

#[test]
fn a_changed_template_gets_its_logo_after_the_update() {
    let p = with_logos(
        Logo::Read(image("a custom image")),
        Some((Logo::Read(image(DEFAULT)), "Write-Host 'older'")),
    );
    assert!(matches!(p.write, Some(Write::Update { .. })));
    let Some(Write::UploadLogo { id, .. }) = &p.then else {
        panic!("expected a logo upload after the update, got {:?}", p.then)
    };
    assert_eq!(id.as_deref(), Some("ActionTemplates-7"));
    assert!(p.change.diff.iter().any(|d| d.path.contains("ScriptBody")));
    assert!(p.change.diff.iter().any(|d| d.path == "Logo"));
}

#[test]
fn a_template_on_its_step_types_default_logo_uploads_nothing() {
    // New on the destination: it shows the default there too.
    let p = with_logos(Logo::Read(image(DEFAULT)), None);
    assert_eq!(p.change.action, Action::Create);
    assert!(p.then.is_none());
    assert!(p.change.diff.iter().all(|d| d.path != "Logo"));

    // The destination's template has a logo of its own: it is kept, and the plan says so.
    let p = with_logos(
        Logo::Read(image(DEFAULT)),
        Some((Logo::Read(image("the destination's own")), SCRIPT)),
    );
    assert_eq!(p.change.action, Action::Unchanged);
    assert!(p.write.is_none());
    assert!(has_note(&p, "the destination's has one of its own, which is kept"));
}

#[test]
fn a_logo_that_cannot_be_read_or_told_from_the_default_is_a_warning_not_a_write() {
    let p = with_logos(
        Logo::Unreadable("the source answered 500".into()),
        Some((Logo::Read(image(DEFAULT)), SCRIPT)),
    );
    assert!(p.write.is_none());
    assert!(p.change.warnings[0]
        .contains("logo not compared: the source's logo could not be read (the source answered 500)"));

    let p = with_logos(
        Logo::Read(image("a custom image")),
        Some((Logo::Unreadable("timed out".into()), SCRIPT)),
    );
    assert!(p.write.is_none());
    assert!(p.change.warnings[0].contains("the destination's logo could not be read (timed out)"));

    // No default to tell the source's own logo from: nothing is uploaded on a guess.
    let mut source = Snapshot::from_docs(vec![(
        Kind::ActionTemplate,
        vec![template("ActionTemplates-1", "Notify", SCRIPT)],
    )]);
    source.set_logo("ActionTemplates-1", Logo::Read(image("a custom image")));
    source.set_step_type_logo("Octopus.Script", Logo::Unreadable("404".into()));
    let planned = plan_all(&source, &Snapshot::default());
    assert!(planned[0].then.is_none());
    assert!(planned[0].change.warnings[0].contains("default logo of 'Octopus.Script' steps could be read"));
}

#[test]
fn a_community_template_never_gets_a_logo_write() {
    let mut source = Snapshot::from_docs(community_source(12));
    source.set_logo("ActionTemplates-3", Logo::Read(image("the library's logo")));
    source.set_step_type_logo("Octopus.Script", Logo::Read(image(DEFAULT)));
    let mut destination = Snapshot::from_docs(vec![
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
    ]);
    destination.set_logo("ActionTemplates-5", Logo::Read(image("an older library logo")));
    for dest in [destination, Snapshot::from_docs(vec![])] {
        let planned = plan_all(&source, &dest);
        assert!(planned.iter().all(|p| p.then.is_none()
            && !matches!(p.write, Some(Write::UploadLogo { .. }))
            && p.change.diff.iter().all(|d| d.path != "Logo")));
    }
}
