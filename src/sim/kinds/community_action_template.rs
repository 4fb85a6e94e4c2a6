//! The community step template library (CommunityActionTemplate; reference §2.12; SW21b
//! `CommunityActionTemplateResource`): server-wide and read-only, filled from library.octopus.com,
//! so two instances hold it at different times, with their own ids, and one that cannot reach the
//! internet may hold nothing. The simulator carries a small built-in catalogue of well-known
//! Library templates in two editions (a current one and an older one) so tests can tell "older".
//!
//! Installing an entry makes a step template in a space that carries the entry's id in
//! `CommunityActionTemplateId` and the entry's `Version` (the Octopus API samples compare the two
//! to decide whether an update is due); updating brings it to the library's version.

use serde_json::{json, Value};

use super::parts::{PACKAGE_REFERENCES, PARAMETERS};
use super::{Access, At, Spec};
use crate::sim::schema::{field, optional, Field, Ty, PROPERTIES};
use crate::sim::store::{now_stamp, str_of, Doc};

/// The community library kind.
pub(crate) struct CommunityActionTemplate;

impl Spec for CommunityActionTemplate {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("Type", Ty::Str, Value::Null),
            field("Name", Ty::Str, json!("")),
            field("Author", Ty::Str, Value::Null),
            field("Description", Ty::Str, Value::Null),
            field("Version", Ty::Int, json!(0)),
            field("Website", Ty::Str, Value::Null),
            field("HistoryUrl", Ty::Str, Value::Null),
            field("Properties", PROPERTIES, json!({})),
            field("Packages", PACKAGE_REFERENCES, json!([])),
            field("Parameters", PARAMETERS, json!([])),
            optional("StepPackageVersion", Ty::Str),
            optional("Inputs", Ty::Any),
        ]
    }

    /// As the root document advertises it (root.json): no name filter.
    fn query(&self) -> &'static str {
        "{?skip,take,ids}"
    }

    fn links(&self, at: &At<'_>) -> Value {
        let base = format!("/api/communityactiontemplates/{}", at.id);
        // QUESTION: the link names of a real entry (an installation link?) are not shown anywhere;
        // only the routes SW21b lists are advertised.
        json!({"Self": base, "Logo": format!("{base}/logo?cb={}", at.version)})
    }

    fn access(&self) -> Access {
        Access::ReadOnly
    }

    /// SW21b lists no `/communityactiontemplates/all`.
    fn has_all(&self) -> bool {
        false
    }
}

/// Which edition of the built-in catalogue an instance holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommunityLibrary {
    /// The latest versions of every built-in entry.
    #[default]
    Current,
    /// An instance that last synced its library a while ago: lower versions, one entry missing,
    /// and its entries in another order (so their ids differ from a current library's).
    Older,
    /// An instance that cannot reach library.octopus.com.
    Empty,
}

/// One built-in Library template: its name and description, its version in each edition (None:
/// not in the older edition) and its parameters. Names are the Library's; the versions, scripts
/// and parameter ids are the simulator's own.
struct Entry {
    name: &'static str,
    description: &'static str,
    current: i64,
    older: Option<i64>,
    parameters: fn() -> Value,
}

const ENTRIES: &[Entry] = &[
    Entry {
        name: "HTTP - Test URL",
        description: "Makes a GET request to a HTTP(S) end point and verifies that a particular status code and response (optional) is returned",
        current: 12,
        older: Some(10),
        parameters: || {
            json!([
                {"Id": "1d0a1e6a-5c3c-4d0e-9b7a-0c4a5f4c1a01", "Name": "Uri", "Label": "URI", "HelpText": "The URI of the endpoint", "DefaultValue": "", "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}},
                {"Id": "1d0a1e6a-5c3c-4d0e-9b7a-0c4a5f4c1a02", "Name": "ExpectedCode", "Label": "Expected code", "HelpText": null, "DefaultValue": "200", "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}},
                {"Id": "1d0a1e6a-5c3c-4d0e-9b7a-0c4a5f4c1a03", "Name": "TimeoutSeconds", "Label": "Timeout (seconds)", "HelpText": null, "DefaultValue": "60", "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}}
            ])
        },
    },
    Entry {
        name: "Slack - Send Simple Notification",
        description: "Send a message notification to Slack",
        current: 15,
        older: Some(13),
        parameters: || {
            json!([
                {"Id": "2e1b2f7b-6d4d-4e1f-8c8b-1d5b6a5d2b01", "Name": "ssn_HookUrl", "Label": "Hook URL", "HelpText": "The webhook URL provided by Slack", "DefaultValue": "", "DisplaySettings": {"Octopus.ControlType": "Sensitive"}},
                {"Id": "2e1b2f7b-6d4d-4e1f-8c8b-1d5b6a5d2b02", "Name": "ssn_Channel", "Label": "Channel handle", "HelpText": null, "DefaultValue": "", "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}},
                {"Id": "2e1b2f7b-6d4d-4e1f-8c8b-1d5b6a5d2b03", "Name": "ssn_Message", "Label": "Message", "HelpText": null, "DefaultValue": "#{Octopus.Project.Name} deployed", "DisplaySettings": {"Octopus.ControlType": "MultiLineText"}}
            ])
        },
    },
    Entry {
        name: "File System - Clean Directory",
        description: "Cleans up files in a directory, keeping the newest",
        current: 8,
        older: None,
        parameters: || {
            json!([
                {"Id": "3f2c3a8c-7e5e-4f2a-9d9c-2e6c7b6e3c01", "Name": "CleanupDirectory", "Label": "Directory", "HelpText": null, "DefaultValue": "", "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}},
                {"Id": "3f2c3a8c-7e5e-4f2a-9d9c-2e6c7b6e3c02", "Name": "CleanupItemsToKeep", "Label": "Items to keep", "HelpText": null, "DefaultValue": "5", "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}}
            ])
        },
    },
];

/// The catalogue entries of an edition, in the order the instance learned them, as POST bodies.
pub(crate) fn catalogue(library: CommunityLibrary) -> Vec<Value> {
    let chosen: Vec<(&Entry, i64)> = match library {
        CommunityLibrary::Current => ENTRIES.iter().map(|e| (e, e.current)).collect(),
        // Another order than the current edition's, so the ids of the same entry differ.
        CommunityLibrary::Older => ENTRIES.iter().rev().filter_map(|e| e.older.map(|v| (e, v))).collect(),
        CommunityLibrary::Empty => vec![],
    };
    chosen.into_iter().map(|(e, v)| entry_body(e, v)).collect()
}

fn entry_body(e: &Entry, version: i64) -> Value {
    // Each version has its own script, as the Library's history does.
    let script = format!(
        "# {} (community step template), version {version}\n$ErrorActionPreference = 'Stop'\nWrite-Host \"Running {} version {version}\"\n# step {version} of the template's history",
        e.name, e.name
    );
    json!({
        "Type": "Octopus.Script",
        "Name": e.name,
        "Author": "OctopusDeploy",
        "Description": e.description,
        "Version": version,
        "Website": "https://library.octopus.com",
        "HistoryUrl": null,
        "Properties": {
            "Octopus.Action.Script.ScriptSource": "Inline",
            "Octopus.Action.Script.Syntax": "PowerShell",
            "Octopus.Action.Script.ScriptBody": script
        },
        "Packages": [],
        "Parameters": (e.parameters)()
    })
}

/// Fields an installed step template takes from its library entry:
/// (step template field, library entry field).
const INSTALLED_FROM: &[(&str, &str)] = &[
    ("Name", "Name"),
    ("Description", "Description"),
    ("ActionType", "Type"),
    ("Properties", "Properties"),
    ("Packages", "Packages"),
    ("Parameters", "Parameters"),
    ("StepPackageVersion", "StepPackageVersion"),
    ("Inputs", "Inputs"),
];

/// The POST body of the step template an installation of `entry` makes.
pub(crate) fn installation_body(entry: &Doc) -> Value {
    let mut body = serde_json::Map::new();
    for (to, from) in INSTALLED_FROM {
        if let Some(v) = entry.get(*from).filter(|v| !v.is_null()) {
            body.insert((*to).to_string(), v.clone());
        }
    }
    body.insert("CommunityActionTemplateId".into(), json!(str_of(entry, "Id")));
    Value::Object(body)
}

/// Brings an installed step template to `entry`'s content and version, as the installation's PUT
/// does (the template keeps its id; its version becomes the library's, not one more than before).
pub(crate) fn bring_to(installed: &mut Doc, entry: &Doc, user: &str) {
    for (to, from) in INSTALLED_FROM {
        if let Some(v) = entry.get(*from).filter(|v| !v.is_null()) {
            installed.insert((*to).to_string(), v.clone());
        }
    }
    installed.insert("Version".into(), entry.get("Version").cloned().unwrap_or(json!(0)));
    installed.insert("LastModifiedOn".into(), json!(now_stamp()));
    installed.insert("LastModifiedBy".into(), json!(user));
}

/// The step template of `space` installed from the library entry `entry_id`, if any.
pub(crate) fn installed_in<'a>(templates: &'a [Doc], entry_id: &str) -> Option<&'a Doc> {
    templates
        .iter()
        .find(|t| str_of(t, "CommunityActionTemplateId").eq_ignore_ascii_case(entry_id))
}
