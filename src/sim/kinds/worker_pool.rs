//! Worker pools, static or dynamic (reference §2.16; SW21b `WorkerPoolResource`).

use serde_json::{json, Value};

use super::parts::{single_default, sort_order};
use super::{At, Change, Discriminator, FollowUp, Listing, Spec};
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::schema::{field, Field, Ty};
use crate::sim::store::{Doc, Store};

/// The worker pool kind.
// QUESTION: whether a self-hosted server refuses a POST of a `DynamicWorkerPool` (dynamic pools
// exist only on Octopus Cloud), and with what text, is not documented; the simulator stores it, as
// a Cloud source would hold one.
pub(crate) struct WorkerPool;

impl Spec for WorkerPool {
    fn fields(&self, sub: Option<&str>) -> Vec<Field> {
        let mut v = vec![
            field("Name", Ty::Str, json!("")),
            field("Description", Ty::Str, Value::Null),
            field("IsDefault", Ty::Bool, json!(false)),
            field("SortOrder", Ty::Int, Value::Null),
            field("WorkerPoolType", Ty::Str, json!("StaticWorkerPool")).on_create(),
            field("CanAddWorkers", Ty::Bool, json!(true)).read_only(),
        ];
        if sub == Some("DynamicWorkerPool") {
            v.push(field("WorkerType", Ty::Str, json!("UbuntuDefault")));
        }
        v
    }

    fn query(&self) -> &'static str {
        "{?name,skip,ids,take,partialName}"
    }

    fn links(&self, at: &At<'_>) -> Value {
        json!({"Self": at.base, "Workers": format!("{}/workers{{?skip,take}}", at.base)})
    }

    fn discriminator(&self) -> Option<Discriminator> {
        Some(Discriminator {
            field: "WorkerPoolType",
            values: &["StaticWorkerPool", "DynamicWorkerPool"],
            default: Some("StaticWorkerPool"),
        })
    }

    fn order(&self) -> Listing {
        Listing::BySortOrder
    }

    fn has_slug(&self) -> bool {
        true
    }

    fn normalize(&self, change: &Change<'_>, doc: &mut Doc) -> ApiResult<()> {
        sort_order(change, Kind::WorkerPool, doc);
        Ok(())
    }

    fn created(&self, store: &mut Store, space: &str, doc: &mut Doc) -> ApiResult<Vec<FollowUp>> {
        single_default(store, space, Kind::WorkerPool, doc, |_| true);
        Ok(Vec::new())
    }

    fn updated(&self, store: &mut Store, space: &str, doc: &mut Doc, _stored: &Doc) -> ApiResult<()> {
        single_default(store, space, Kind::WorkerPool, doc, |_| true);
        Ok(())
    }

    fn check_delete(&self, _store: &Store, _space: &str, doc: &Doc) -> ApiResult<()> {
        if doc.get("IsDefault") == Some(&Value::Bool(true)) {
            return Err(ApiError::invalid("The default worker pool cannot be deleted."));
        }
        Ok(())
    }
}
