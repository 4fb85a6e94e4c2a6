//! User roles and users (reference §2.20; SW21b `UserRoleResource`, `UserResource`): server-wide.

use serde_json::{json, Value};

use super::{At, Change, NameRule, NameScope, Spec};
use crate::sim::envelope::Query;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::schema::{field, optional, Field, Ty, STRS};
use crate::sim::store::{str_of, Doc, Store};

/// The user role kind.
pub(crate) struct UserRole;

impl Spec for UserRole {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("Name", Ty::Str, json!("")),
            field("Description", Ty::Str, Value::Null),
            field("SupportedRestrictions", STRS, json!([])),
            field("SpacePermissionDescriptions", STRS, json!([])).read_only(),
            field("SystemPermissionDescriptions", STRS, json!([])).read_only(),
            field("GrantedSpacePermissions", STRS, json!([])),
            field("GrantedSystemPermissions", STRS, json!([])),
            field("CanBeDeleted", Ty::Bool, json!(true)).read_only(),
        ]
    }

    fn query(&self) -> &'static str {
        "{?skip,take,ids,partialName}"
    }

    fn links(&self, at: &At<'_>) -> Value {
        json!({"Self": format!("/api/userroles/{}", at.id)})
    }

    fn normalize(&self, change: &Change<'_>, _doc: &mut Doc) -> ApiResult<()> {
        // QUESTION: whether built-in user roles can be edited is not verified.
        let built_in = change
            .stored
            .map(|s| s.get("CanBeDeleted") == Some(&Value::Bool(false)))
            .unwrap_or(false);
        if built_in {
            return Err(ApiError::invalid("This resource is read-only and cannot be modified."));
        }
        Ok(())
    }

    fn check_delete(&self, _store: &Store, _space: &str, doc: &Doc) -> ApiResult<()> {
        if doc.get("CanBeDeleted") == Some(&Value::Bool(false)) {
            return Err(ApiError::invalid(
                "The User Role is a built-in User Role and cannot be deleted.",
            ));
        }
        Ok(())
    }
}

/// The user kind.
pub(crate) struct User;

impl Spec for User {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("Username", Ty::Str, json!("")),
            field("DisplayName", Ty::Str, Value::Null),
            field("EmailAddress", Ty::Str, Value::Null),
            field("IsActive", Ty::Bool, json!(true)),
            field("IsService", Ty::Bool, json!(false)),
            field("IsRequestor", Ty::Bool, json!(false)).read_only(),
            field("CanPasswordBeEdited", Ty::Bool, json!(true)),
            field("Identities", Ty::List(&Ty::Any), json!([])),
            // Write-only: accepted and dropped (never stored, never returned).
            optional("Password", Ty::Str),
        ]
    }

    fn query(&self) -> &'static str {
        "{?skip,take,ids,filter}"
    }

    fn links(&self, at: &At<'_>) -> Value {
        let id = at.id;
        // Permissions and ApiKeys of a real user are not advertised: the simulator serves neither.
        json!({
            "Self": format!("/api/users/{id}"),
            "Avatar": "https://www.gravatar.com/avatar/00000000000000000000000000000000?d=blank",
        })
    }

    fn filter(&self, doc: &Doc, q: &Query) -> bool {
        q.get("filter")
            .map(|f| {
                let f = f.to_lowercase();
                ["Username", "DisplayName", "EmailAddress"]
                    .iter()
                    .any(|k| str_of(doc, k).to_lowercase().contains(&f))
            })
            .unwrap_or(true)
    }

    fn name_rule(&self) -> Option<NameRule> {
        Some(NameRule {
            field: "Username",
            scope: NameScope::Space,
        })
    }

    fn normalize(&self, _change: &Change<'_>, doc: &mut Doc) -> ApiResult<()> {
        doc.remove("Password");
        if doc.get("DisplayName").map(Value::is_null).unwrap_or(true) {
            let u = str_of(doc, "Username").to_string();
            doc.insert("DisplayName".into(), Value::String(u));
        }
        Ok(())
    }
}
