//! Library variable sets and script modules (reference §2.10; `libraryvariableset.json`): each owns
//! a variable set created and deleted with it.

use serde_json::{json, Value};

use super::parts::{dependent, templates, PARAMETERS};
use super::{At, Change, FollowUp, Spec};
use crate::sim::envelope::Query;
use crate::sim::error::ApiResult;
use crate::sim::kind::Kind;
use crate::sim::schema::{field, Field, Ty};
use crate::sim::shape::owned_doc;
use crate::sim::store::{str_of, strs_of, Doc, Store};

const CONTENT_TYPES: &[&str] = &["Variables", "ScriptModule"];

/// The library variable set kind.
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

    fn filter(&self, doc: &Doc, q: &Query) -> bool {
        q.get("contentType")
            .map(|c| str_of(doc, "ContentType").eq_ignore_ascii_case(c))
            .unwrap_or(true)
    }

    fn normalize(&self, _change: &Change<'_>, doc: &mut Doc) -> ApiResult<()> {
        templates(doc, "Templates")
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
