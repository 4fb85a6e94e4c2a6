//! Parts several kinds share: variable templates (ActionTemplateParameter), package references,
//! connectivity policies, tenanted modes, `SortOrder` assignment and the single default.

use serde_json::{json, Value};

use super::Change;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::schema::{m, Ty, STRS, STR_MAP};
use crate::sim::shape::{array_mut, ensure_guid, fill, nested_name};
use crate::sim::store::{id_eq, str_of, Doc, Store};

/// `TenantedDeploymentMode` values.
pub(crate) const TENANTED_MODES: &[&str] = &["Untenanted", "TenantedOrUntenanted", "Tenanted"];
/// `TenantedDeploymentMode` (projects, accounts, certificates, targets, runbooks).
pub(crate) const TENANTED: Ty = Ty::Enum("TenantedDeploymentMode", TENANTED_MODES);
/// `GuidedFailureMode` (projects, runbooks, deployment settings).
pub(crate) const GUIDED_FAILURE: Ty = Ty::Enum("GuidedFailureMode", &["EnvironmentDefault", "Off", "On"]);

/// `DeploymentConnectivityPolicy` (SW21b).
pub(crate) const CONNECTIVITY: Ty = Ty::Obj(
    "DeploymentConnectivityPolicy",
    &[
        m(
            "SkipMachineBehavior",
            Ty::Enum("SkipMachineBehavior", &["None", "SkipUnavailableMachines"]),
        ),
        m("TargetRoles", STRS),
        m("AllowDeploymentsToNoTargets", Ty::Bool),
        m("ExcludeUnhealthyTargets", Ty::Bool),
    ],
);

/// `ActionTemplateParameterResource`: project and library variable templates, step template parameters.
pub(crate) const PARAMETERS: Ty = Ty::List(&Ty::Obj(
    "ActionTemplateParameterResource",
    &[
        m("Id", Ty::Str),
        m("Name", Ty::Str),
        m("Label", Ty::Str),
        m("HelpText", Ty::Str),
        m("DefaultValue", Ty::Property),
        m("DisplaySettings", STR_MAP),
    ],
));

/// `PackageReference` of actions and step templates.
pub(crate) const PACKAGE_REFERENCES: Ty = Ty::List(&Ty::Obj(
    "PackageReference",
    &[
        m("Id", Ty::Str),
        m("Name", Ty::Str),
        m("PackageId", Ty::Str),
        m("FeedId", Ty::Str),
        // A variable expression is allowed, so this is a string, not an enum (SW21b).
        m("AcquisitionLocation", Ty::Str),
        m("Properties", STR_MAP),
    ],
));

/// `ExtensionSettingsValues` (Jira, ServiceNow…): the values are free-form.
pub(crate) const EXTENSION_SETTINGS: Ty = Ty::List(&Ty::Obj(
    "ExtensionSettingsValues",
    &[m("ExtensionId", Ty::Str), m("Values", Ty::Any)],
));

/// `DeploymentActionPackageResource`: an action name and a package reference name.
pub(crate) const ACTION_PACKAGE: Ty = Ty::Obj(
    "DeploymentActionPackageResource",
    &[m("DeploymentAction", Ty::Str), m("PackageReference", Ty::Str)],
);

/// Project/library variable templates and step template parameters: defaults, GUIDs, unique names.
pub(crate) fn templates(doc: &mut Doc, field: &str) -> ApiResult<()> {
    let arr = array_mut(doc, field)?;
    let mut names: Vec<String> = Vec::new();
    for t in arr.iter_mut() {
        let mut m = fill(
            t,
            json!({"Id": null, "Name": "", "Label": "", "HelpText": null, "DefaultValue": null, "DisplaySettings": {}}),
        )?;
        ensure_guid(&mut m);
        let name = nested_name(&mut m, "template")?;
        if names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            return Err(ApiError::invalid(format!(
                "A template with the name '{name}' already exists. Template names must be unique."
            )));
        }
        names.push(name);
        *t = Value::Object(m);
    }
    Ok(())
}

/// Package references of actions and step templates: defaults, GUIDs, unique names.
pub(crate) fn packages(arr: &mut [Value]) -> ApiResult<()> {
    let mut names: Vec<String> = Vec::new();
    for p in arr.iter_mut() {
        let mut m = fill(
            p,
            json!({"Id": null, "Name": "", "PackageId": null, "FeedId": null, "AcquisitionLocation": "Server", "Properties": {}}),
        )?;
        ensure_guid(&mut m);
        let name = m.get("Name").and_then(Value::as_str).unwrap_or("").to_string();
        if names.contains(&name) {
            return Err(ApiError::invalid(format!(
                "A package reference with the name '{name}' already exists"
            )));
        }
        names.push(name);
        *p = Value::Object(m);
    }
    Ok(())
}

/// The `projectIds` (or `projectId`) filter of a per-project collection: true when unfiltered or
/// when the document belongs to one of the projects named.
pub(crate) fn in_projects(doc: &Doc, q: &crate::sim::envelope::Query) -> bool {
    let ids = q.list("projectIds").or_else(|| q.list("projectId"));
    ids.map(|ids| ids.iter().any(|i| i.eq_ignore_ascii_case(str_of(doc, "ProjectId"))))
        .unwrap_or(true)
}

/// A `SortOrder` for a document that was sent without one: the stored one on PUT, else after the
/// last one (a POST appends).
pub(crate) fn sort_order(change: &Change<'_>, kind: Kind, doc: &mut Doc) {
    if doc.get("SortOrder").map(Value::is_i64).unwrap_or(false) {
        return;
    }
    let keep = change.stored.and_then(|s| s.get("SortOrder")).cloned();
    let next = change
        .store
        .list(change.space, kind)
        .iter()
        .filter_map(|d| d.get("SortOrder").and_then(Value::as_i64))
        .max()
        .map(|m| m + 1)
        .unwrap_or(0);
    doc.insert("SortOrder".into(), keep.unwrap_or(json!(next)));
}

/// Exactly one default among `kind`'s documents: a document saved as the default takes the flag
/// from the others that `same_group` says share its group (the space's worker pools, a project's channels).
pub(crate) fn single_default(store: &mut Store, space: &str, kind: Kind, doc: &Doc, same_group: impl Fn(&Doc) -> bool) {
    if doc.get("IsDefault") != Some(&Value::Bool(true)) {
        return;
    }
    let id = str_of(doc, "Id").to_string();
    for other in store.list_mut(space, kind).iter_mut() {
        if !id_eq(other, &id) && same_group(other) {
            other.insert("IsDefault".into(), Value::Bool(false));
        }
    }
}

/// The 400 for deleting something others still use.
pub(crate) fn dependent(type_name: &str) -> ApiError {
    ApiError::invalid(format!(
        "The {type_name} has dependent resources and cannot be deleted."
    ))
}

/// `PUT /{kind}/sortorder` (SW21b: "Takes an array of … IDs as the request body, uses the order of
/// items in the array to sort … on the server. The ID of every … must be specified."): every id
/// of the space exactly once; `SortOrder` becomes the position.
// QUESTION: the texts for an unknown, a missing and a repeated id are not documented.
pub(crate) fn reorder(store: &mut Store, space: &str, kind: Kind, ids: &[String]) -> ApiResult<()> {
    let existing: Vec<String> = store
        .list(space, kind)
        .iter()
        .map(|d| str_of(d, "Id").to_string())
        .collect();
    let label = kind.label();
    let mut errors = Vec::new();
    let mut seen: Vec<&String> = Vec::new();
    for id in ids {
        if !existing.iter().any(|e| e.eq_ignore_ascii_case(id)) {
            errors.push(format!("The {label} '{id}' does not exist in this space."));
        } else if seen.iter().any(|s| s.eq_ignore_ascii_case(id)) {
            errors.push(format!("The {label} '{id}' is listed more than once."));
        }
        seen.push(id);
    }
    let missing: Vec<&String> = existing
        .iter()
        .filter(|e| !ids.iter().any(|i| i.eq_ignore_ascii_case(e)))
        .collect();
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|m| format!("'{m}'")).collect();
        errors.push(format!(
            "The ID of every {label} must be specified; missing: {}.",
            list.join(", ")
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let (stamp, user) = (crate::sim::store::now_stamp(), store.user_name.clone());
    for doc in store.list_mut(space, kind).iter_mut() {
        let position = ids
            .iter()
            .position(|i| i.eq_ignore_ascii_case(str_of(doc, "Id")))
            .unwrap_or(0);
        if doc.get("SortOrder").and_then(Value::as_i64) != Some(position as i64) {
            doc.insert("SortOrder".into(), json!(position));
            doc.insert("LastModifiedOn".into(), json!(stamp));
            doc.insert("LastModifiedBy".into(), json!(user));
        }
    }
    Ok(())
}
