//! Library variable sets and script modules (reference §2.10; `libraryvariableset.json`): each owns
//! a variable set created (empty) and deleted with it; a script module's body and language are two
//! variables of that set, which clients write after the create (go-octopusdeploy
//! `script_module_service.go`). Listed alphabetically by name (SW21b).

use serde_json::{json, Value};

use super::parts::{dependent, templates, PARAMETERS};
use super::{At, Change, FollowUp, Listing, Spec};
use crate::sim::envelope::Query;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::schema::{field, Field, Ty};
use crate::sim::shape::owned_doc;
use crate::sim::store::{str_of, strs_of, Doc, Store};

const CONTENT_TYPES: &[&str] = &["Variables", "ScriptModule"];

/// The library variable set kind.
// QUESTION: OC's `LibraryVariableSetResource` has a `Version`, SW21b's does not; whether the server
// emits it and checks it on PUT is not known, so the simulator has none. Names are taken as unique
// across both content types (one table; the reference says "unique per space"). Whether renaming a
// script module renames its two variables on the server (or only in the web portal), and whether the
// server refuses a language other than PowerShell, CSharp, Bash, Python or FSharp (Calamari fails
// on one at deployment time), is not known either: the simulator does neither.
pub(crate) struct LibraryVariableSet;

impl Spec for LibraryVariableSet {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("Name", Ty::Str, json!("")),
            field("Description", Ty::Str, Value::Null),
            field("VariableSetId", Ty::Str, Value::Null).read_only(),
            field(
                "ContentType",
                Ty::Enum("VariableSetContentType", CONTENT_TYPES),
                json!("Variables"),
            )
            .on_create(),
            field("Templates", PARAMETERS, json!([])),
        ]
    }

    fn query(&self) -> &'static str {
        "{?skip,contentType,take,ids,partialName}"
    }

    fn links(&self, at: &At<'_>) -> Value {
        json!({
            "Self": at.base, "Variables": format!("/api/{}/variables/{}", at.space, at.s("VariableSetId"))
        })
    }

    // SW21b: "The results will be sorted alphabetically by name" (the listing and `/all`).
    fn order(&self) -> Listing {
        Listing::ByName
    }

    fn filter(&self, doc: &Doc, q: &Query) -> bool {
        q.get("contentType")
            .map(|c| str_of(doc, "ContentType").eq_ignore_ascii_case(c))
            .unwrap_or(true)
    }

    fn normalize(&self, _change: &Change<'_>, doc: &mut Doc) -> ApiResult<()> {
        templates(doc, "Templates")?;
        select_templates_have_options(doc)
    }

    fn created(&self, store: &mut Store, space: &str, doc: &mut Doc) -> ApiResult<Vec<FollowUp>> {
        let id = str_of(doc, "Id").to_string();
        let vs = format!("variableset-{id}");
        let set = owned_doc(store, space, &vs, json!({"OwnerId": id, "Version": 0, "Variables": []}));
        store.push(space, Kind::VariableSet, set);
        doc.insert("VariableSetId".into(), json!(vs));
        Ok(Vec::new())
    }

    fn check_delete(&self, store: &Store, space: &str, doc: &Doc) -> ApiResult<()> {
        let id = str_of(doc, "Id");
        let included = store.list(space, Kind::Project).iter().any(|p| {
            strs_of(p, "IncludedLibraryVariableSetIds")
                .iter()
                .any(|l| l.eq_ignore_ascii_case(id))
        });
        if included {
            return Err(dependent("Library Variable Set"));
        }
        Ok(())
    }

    fn deleted(&self, store: &mut Store, space: &str, doc: &Doc) {
        let id = str_of(doc, "Id").to_string();
        store
            .list_mut(space, Kind::VariableSet)
            .retain(|d| !str_of(d, "OwnerId").eq_ignore_ascii_case(&id));
        store.forget_tenant_values_of(space, &id);
    }
}

/// A template shown as a drop-down needs its options (SW21b, POST and PUT of library variable sets).
fn select_templates_have_options(doc: &Doc) -> ApiResult<()> {
    for t in doc.get("Templates").and_then(Value::as_array).into_iter().flatten() {
        let settings = t.get("DisplaySettings");
        let control = settings
            .and_then(|s| s.get("Octopus.ControlType"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let options = settings
            .and_then(|s| s.get("Octopus.SelectOptions"))
            .and_then(Value::as_str)
            .unwrap_or("");
        if control.eq_ignore_ascii_case("Select") && options.trim().is_empty() {
            let name = t.get("Name").and_then(Value::as_str).unwrap_or("");
            return Err(ApiError::invalid(format!(
                "Variable template '{name}' does not have drop down options set."
            )));
        }
    }
    Ok(())
}

/// `GET /libraryvariablesets/{id}/usages` (`LibraryVariableSetUsageResource`, SW21b and OC): the
/// projects that include the set. The simulator keeps no variable snapshots, so no release or
/// runbook snapshot ever lists it.
pub(crate) fn usages(store: &Store, space: &str, set: &Doc) -> Value {
    let id = str_of(set, "Id");
    let projects: Vec<Value> = store
        .list(space, Kind::Project)
        .iter()
        .filter(|p| {
            strs_of(p, "IncludedLibraryVariableSetIds")
                .iter()
                .any(|l| l.eq_ignore_ascii_case(id))
        })
        .map(|p| {
            json!({
                "ProjectId": str_of(p, "Id"), "ProjectName": str_of(p, "Name"), "ProjectSlug": str_of(p, "Slug"),
                "Releases": [], "RunbookSnapshots": [], "IsCurrentlyBeingUsedInProject": true
            })
        })
        .collect();
    json!({
        "Projects": projects,
        "CountOfProjectsUserCannotSee": 0,
        "CountOfReleasesUserCannotSee": 0,
        "CountOfRunbookSnapshotsUserCannotSee": 0,
        "Links": {"Self": format!("/api/{space}/libraryvariablesets/{id}/usages")}
    })
}
