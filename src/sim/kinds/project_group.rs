//! Project groups (reference §2.3; `projectgroup.json`).

use serde_json::{json, Value};

use super::parts::dependent;
use super::{At, Spec};
use crate::sim::error::ApiResult;
use crate::sim::kind::Kind;
use crate::sim::schema::{field, Field, Ty, STRS};
use crate::sim::store::{str_of, Doc, Store};

/// The project group kind.
pub(crate) struct ProjectGroup;

impl Spec for ProjectGroup {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("Name", Ty::Str, json!("")),
            field("Description", Ty::Str, Value::Null),
            field("EnvironmentIds", STRS, json!([])),
            field("RetentionPolicyId", Ty::Str, Value::Null),
        ]
    }

    fn query(&self) -> &'static str {
        "{?skip,take,ids,partialName}"
    }

    fn links(&self, at: &At<'_>) -> Value {
        json!({"Self": at.base, "Projects": format!("{}/projects", at.base)})
    }

    fn has_slug(&self) -> bool {
        true
    }

    fn check_delete(&self, store: &Store, space: &str, doc: &Doc) -> ApiResult<()> {
        let id = str_of(doc, "Id");
        if store
            .list(space, Kind::Project)
            .iter()
            .any(|p| str_of(p, "ProjectGroupId").eq_ignore_ascii_case(id))
        {
            return Err(dependent("Project Group"));
        }
        Ok(())
    }
}
