//! Step templates (ActionTemplate; reference §2.11; SW21b `ActionTemplateResource`, required
//! `ActionType` and `Name`): `Version` increments on every save, and a PUT that carries another
//! `Version` than the stored one is refused as stale (reference §5), so a client must send back
//! the document it read. Templates installed from the community library take the library's
//! version instead (see `community_action_template`).

use serde_json::{json, Value};

use super::parts::{packages, templates, PACKAGE_REFERENCES, PARAMETERS};
use super::{At, Change, Spec};
use crate::sim::error::{ApiError, ApiResult, STALE_TEMPLATE};
use crate::sim::schema::{field, optional, Field, Ty, PROPERTIES};
use crate::sim::shape::array_mut;
use crate::sim::store::{str_of, Doc, Store};

/// The step template kind.
pub(crate) struct ActionTemplate;

impl Spec for ActionTemplate {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("Name", Ty::Str, json!("")),
            field("Description", Ty::Str, Value::Null),
            field("ActionType", Ty::Str, Value::Null).on_create(),
            field("Version", Ty::Int, json!(0)).read_only(),
            field("CommunityActionTemplateId", Ty::Str, Value::Null),
            field("Packages", PACKAGE_REFERENCES, json!([])),
            field("GitDependencies", Ty::List(&Ty::Any), json!([])),
            field("Properties", PROPERTIES, json!({})),
            field("Parameters", PARAMETERS, json!([])),
            optional("StepPackageVersion", Ty::Str),
            optional("Inputs", Ty::Any),
        ]
    }

    fn query(&self) -> &'static str {
        "{?skip,take,ids,partialName}"
    }

    fn links(&self, at: &At<'_>) -> Value {
        let base = &at.base;
        // Usage and Versions of a real step template are not advertised: the simulator keeps no history.
        // The cache buster says whether a logo was uploaded (see `logos::cache_buster`).
        json!({"Self": base, "Logo": format!("{base}/logo?cb={}", at.logo_cb)})
    }

    fn normalize(&self, change: &Change<'_>, doc: &mut Doc) -> ApiResult<()> {
        if let Some(stored) = change.stored {
            // QUESTION: a PUT without `Version` is accepted (the field is read-only); unverified.
            let current = stored.get("Version").and_then(Value::as_i64).unwrap_or(0);
            match change.raw.get("Version") {
                None | Some(Value::Null) => {}
                Some(v) if v.as_i64() == Some(current) => {}
                Some(_) => return Err(ApiError::invalid(STALE_TEMPLATE)),
            }
        }
        if str_of(doc, "ActionType").is_empty() {
            return Err(ApiError::invalid("Please provide an action type."));
        }
        templates(doc, "Parameters")?;
        packages(array_mut(doc, "Packages")?)?;
        if !doc.get("Properties").map(Value::is_object).unwrap_or(false) {
            return Err(ApiError::null_source());
        }
        Ok(())
    }

    fn updated(&self, _store: &mut Store, _space: &str, doc: &mut Doc, stored: &Doc) -> ApiResult<()> {
        let v = stored.get("Version").and_then(Value::as_i64).unwrap_or(0);
        doc.insert("Version".into(), json!(v + 1));
        Ok(())
    }
}
