//! Runbook snapshots (reference §2.8; SW21b `RunbookSnapshotResource`): made below their project
//! (`POST /projects/{id}/runbookSnapshots`) or at the space route; `?publish=true` makes the
//! snapshot the runbook's published one.

use serde_json::{json, Value};

use super::release::SELECTED_PACKAGES;
use super::{At, Change, FollowUp, NameRule, NameScope, Spec};
use crate::sim::envelope::Query;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::refs::require_ref;
use crate::sim::schema::{field, optional, Field, Ty, STRS};
use crate::sim::store::{now_stamp, str_of, Doc, Store};

/// The runbook snapshot kind.
pub(crate) struct RunbookSnapshot;

impl Spec for RunbookSnapshot {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("Name", Ty::Str, json!("")),
            field("Notes", Ty::Str, Value::Null),
            field("ProjectId", Ty::Str, Value::Null).on_create(),
            field("RunbookId", Ty::Str, Value::Null).on_create(),
            // QUESTION: the simulator does not freeze copies of the process and variables; these stay null.
            field("FrozenRunbookProcessId", Ty::Str, Value::Null).read_only(),
            field("FrozenProjectVariableSetId", Ty::Str, Value::Null).read_only(),
            field("LibraryVariableSetSnapshotIds", STRS, json!([])).read_only(),
            field("SelectedPackages", SELECTED_PACKAGES, json!([])),
            field("Assembled", Ty::Date, Value::Null).read_only(),
            optional("GitReference", Ty::Any),
            optional("SelectedGitResources", Ty::List(&Ty::Any)),
        ]
    }

    fn query(&self) -> &'static str {
        "{?skip,take,ids,publish}"
    }

    fn links(&self, at: &At<'_>) -> Value {
        json!({
            "Self": at.base,
            "Project": format!("/api/{}/projects/{}", at.space, at.s("ProjectId")),
            "Runbook": format!("/api/{}/runbooks/{}", at.space, at.s("RunbookId")),
        })
    }

    fn has_all(&self) -> bool {
        false
    }

    /// `searchByName` of the project and runbook links: a case-insensitive contains.
    fn filter(&self, doc: &Doc, q: &Query) -> bool {
        q.get("searchByName")
            .map(|s| str_of(doc, "Name").to_lowercase().contains(&s.to_lowercase()))
            .unwrap_or(true)
    }

    // QUESTION: that snapshot names are unique per runbook is inferred (the UI numbers them).
    fn name_rule(&self) -> Option<NameRule> {
        Some(NameRule {
            field: "Name",
            scope: NameScope::Within("RunbookId"),
        })
    }

    fn normalize(&self, change: &Change<'_>, doc: &mut Doc) -> ApiResult<()> {
        if !change.creating() {
            return Ok(());
        }
        require_ref(change.store, change.space, doc, "RunbookId", Kind::Runbook)?;
        let runbook = change
            .store
            .get(change.space, Kind::Runbook, str_of(doc, "RunbookId"))
            .ok_or_else(ApiError::not_found)?;
        let owner = str_of(runbook, "ProjectId").to_string();
        let sent = str_of(doc, "ProjectId").to_string();
        if !sent.is_empty() && !sent.eq_ignore_ascii_case(&owner) {
            // QUESTION: the text for a runbook of another project is assumed.
            return Err(ApiError::invalid(format!(
                "RunbookId: the runbook '{}' does not belong to the project '{sent}'.",
                str_of(doc, "RunbookId")
            )));
        }
        doc.insert("ProjectId".into(), json!(owner));
        doc.insert("RunbookId".into(), json!(str_of(runbook, "Id")));
        Ok(())
    }

    fn created(&self, _store: &mut Store, _space: &str, doc: &mut Doc) -> ApiResult<Vec<FollowUp>> {
        doc.insert("Assembled".into(), json!(now_stamp()));
        Ok(Vec::new())
    }

    fn posted(&self, store: &mut Store, space: &str, doc: &Doc, q: &Query) {
        if q.get("publish").is_some_and(|p| p.eq_ignore_ascii_case("true")) {
            publish(store, space, doc);
        }
    }
}

/// The snapshot becomes its runbook's published snapshot.
fn publish(store: &mut Store, space: &str, snapshot: &Doc) {
    let user = store.user_name.clone();
    if let Some(runbook) = store.get_mut(space, Kind::Runbook, str_of(snapshot, "RunbookId")) {
        runbook.insert("PublishedRunbookSnapshotId".into(), json!(str_of(snapshot, "Id")));
        runbook.insert("LastModifiedOn".into(), json!(now_stamp()));
        runbook.insert("LastModifiedBy".into(), json!(user));
    }
}
