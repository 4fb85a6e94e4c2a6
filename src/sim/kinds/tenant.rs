//! Tenants (reference §2.19; `tenant.json`): listed by name, filtered by project and tags; a PUT
//! replaces `ProjectEnvironments`, and a disconnected project takes its variable values with it.

use serde_json::{json, Value};

use super::tenant_variables::prune_tenant_values;
use super::{At, Change, Listing, Spec};
use crate::sim::envelope::Query;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::refs::{check_tags, refs_exist};
use crate::sim::schema::{field, optional, Field, Ty, STRS};
use crate::sim::store::{str_of, strs_of, Doc, Store};

/// The tenant kind.
pub(crate) struct Tenant;

impl Spec for Tenant {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("Name", Ty::Str, json!("")),
            field("Description", Ty::Str, Value::Null),
            field("TenantTags", STRS, json!([])),
            field("ProjectEnvironments", Ty::Map(&STRS), json!({})),
            field("ClonedFromTenantId", Ty::Str, Value::Null).on_create(),
            field("IsDisabled", Ty::Bool, json!(false)).since(2024, 4),
            optional("Icon", Ty::Any),
            optional("CustomFields", Ty::Any),
        ]
    }

    fn query(&self) -> &'static str {
        "{?skip,projectId,name,tags,take,ids,clone,partialName,clonedFromTenantId}"
    }

    fn links(&self, at: &At<'_>) -> Value {
        let base = &at.base;
        json!({
            "Self": base,
            "Variables": format!("{base}/variables"),
            "Web": format!("/app#/{}/tenants/{}", at.space, at.id),
            "Logo": format!("{base}/logo?cb={}", at.logo_cb),
        })
    }

    fn order(&self) -> Listing {
        Listing::ByName
    }

    fn filter(&self, doc: &Doc, q: &Query) -> bool {
        let project_ok = q
            .get("projectId")
            .filter(|p| !p.is_empty())
            .map(|p| {
                doc.get("ProjectEnvironments")
                    .and_then(Value::as_object)
                    .map(|m| m.keys().any(|k| k.eq_ignore_ascii_case(p)))
                    .unwrap_or(false)
            })
            .unwrap_or(true);
        // Tags: any tag within one tag set, all tag sets (the UI's tag filter semantics).
        let tags_ok = q
            .list("tags")
            .map(|tags| {
                let have = strs_of(doc, "TenantTags");
                let mut sets: Vec<&str> = tags.iter().map(|t| t.split('/').next().unwrap_or("")).collect();
                sets.dedup();
                sets.iter().all(|set| {
                    tags.iter()
                        .filter(|t| t.split('/').next() == Some(set))
                        .any(|t| have.iter().any(|h| h.eq_ignore_ascii_case(t)))
                })
            })
            .unwrap_or(true);
        project_ok && tags_ok
    }

    fn has_slug(&self) -> bool {
        true
    }

    fn normalize(&self, change: &Change<'_>, doc: &mut Doc) -> ApiResult<()> {
        let (store, space) = (change.store, change.space);
        check_tags(store, space, doc, "TenantTags")?;
        let Some(Value::Object(pe)) = doc.get("ProjectEnvironments") else {
            return Err(ApiError::invalid("The ProjectEnvironments field must be an object."));
        };
        for (project, envs) in pe {
            refs_exist(
                store,
                space,
                Kind::Project,
                "ProjectEnvironments",
                std::slice::from_ref(project),
            )?;
            let Value::Array(envs) = envs else {
                return Err(ApiError::null_source());
            };
            let ids: Vec<String> = envs.iter().filter_map(Value::as_str).map(str::to_string).collect();
            refs_exist(store, space, Kind::Environment, "ProjectEnvironments", &ids)?;
        }
        Ok(())
    }

    fn updated(&self, store: &mut Store, space: &str, doc: &mut Doc, _stored: &Doc) -> ApiResult<()> {
        prune_tenant_values(store, space, doc);
        Ok(())
    }

    fn deleted(&self, store: &mut Store, space: &str, doc: &Doc) {
        store
            .tenant_vars
            .remove(&(space.to_string(), str_of(doc, "Id").to_string()));
    }
}
