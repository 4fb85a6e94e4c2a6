//! Teams and scoped user roles (reference §2.20; `teams.json`): server-wide documents that carry
//! a `SpaceId` (null for system teams); a space route sees its own and the system ones.

use serde_json::{json, Value};

use super::{At, Change, NameRule, Spec};
use crate::sim::envelope::Query;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::refs::{field_refs, refs_exist, require_ref};
use crate::sim::schema::{field, m, Field, Ty, STRS};
use crate::sim::shape::owned_doc;
use crate::sim::store::{str_of, strs_of, Doc, Store};

const SECURITY_GROUPS: Ty = Ty::List(&Ty::Obj(
    "NamedReferenceItem",
    &[
        m("Id", Ty::Str),
        m("DisplayName", Ty::Str),
        m("DisplayIdAndName", Ty::Bool),
    ],
));

/// The team kind.
pub(crate) struct Team;

impl Spec for Team {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("Name", Ty::Str, json!("")),
            field("MemberUserIds", STRS, json!([])),
            field("ExternalSecurityGroups", SECURITY_GROUPS, json!([])),
            field("CanBeDeleted", Ty::Bool, json!(true)).read_only(),
            field("CanBeRenamed", Ty::Bool, json!(true)).read_only(),
            field("CanChangeRoles", Ty::Bool, json!(true)).read_only(),
            field("CanChangeMembers", Ty::Bool, json!(true)).read_only(),
            field("SpaceId", Ty::Str, Value::Null).on_create(),
            field("Description", Ty::Str, json!("")),
        ]
    }

    fn query(&self) -> &'static str {
        "{?skip,take,ids,partialName,spaces,includeSystem}"
    }

    fn links(&self, at: &At<'_>) -> Value {
        json!({
            "Self": format!("/api/teams/{}", at.id),
            "ScopedUserRoles": format!("/api/teams/{}/scopeduserroles{{?skip,take}}", at.id),
        })
    }

    fn filter(&self, doc: &Doc, q: &Query) -> bool {
        in_spaces(doc, q)
    }

    fn has_slug(&self) -> bool {
        true
    }

    fn normalize(&self, change: &Change<'_>, doc: &mut Doc) -> ApiResult<()> {
        if change.creating() {
            pin_space(change.store, change.space, doc)?;
        }
        refs_exist(
            change.store,
            "",
            Kind::User,
            "MemberUserIds",
            &strs_of(doc, "MemberUserIds"),
        )?;
        if let Some(st) = change
            .stored
            .filter(|s| s.get("CanBeRenamed") == Some(&Value::Bool(false)))
        {
            if !str_of(st, "Name").eq_ignore_ascii_case(str_of(doc, "Name")) {
                return Err(ApiError::invalid("The Team is a built-in Team and cannot be renamed."));
            }
        }
        Ok(())
    }

    fn check_delete(&self, _store: &Store, _space: &str, doc: &Doc) -> ApiResult<()> {
        if doc.get("CanBeDeleted") == Some(&Value::Bool(false)) {
            return Err(ApiError::invalid("The Team is a built-in Team and cannot be deleted."));
        }
        Ok(())
    }

    fn deleted(&self, store: &mut Store, _space: &str, doc: &Doc) {
        let id = str_of(doc, "Id").to_string();
        store
            .list_mut("", Kind::ScopedUserRole)
            .retain(|d| !str_of(d, "TeamId").eq_ignore_ascii_case(&id));
    }
}

/// The scoped user role kind.
pub(crate) struct ScopedUserRole;

impl Spec for ScopedUserRole {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("UserRoleId", Ty::Str, Value::Null),
            field("TeamId", Ty::Str, Value::Null),
            field("ProjectGroupIds", STRS, json!([])),
            field("ProjectIds", STRS, json!([])),
            field("EnvironmentIds", STRS, json!([])),
            field("TenantIds", STRS, json!([])),
            field("SpaceId", Ty::Str, Value::Null).on_create(),
        ]
    }

    fn query(&self) -> &'static str {
        "{?skip,take,ids,partialName,spaces,includeSystem}"
    }

    fn links(&self, at: &At<'_>) -> Value {
        json!({"Self": format!("/api/scopeduserroles/{}", at.id)})
    }

    fn filter(&self, doc: &Doc, q: &Query) -> bool {
        in_spaces(doc, q)
    }

    // SW21b has `teams/all` but no `scopeduserroles/all`.
    fn has_all(&self) -> bool {
        false
    }

    fn name_rule(&self) -> Option<NameRule> {
        None
    }

    fn normalize(&self, change: &Change<'_>, doc: &mut Doc) -> ApiResult<()> {
        if change.creating() {
            pin_space(change.store, change.space, doc)?;
        }
        require_ref(change.store, "", doc, "UserRoleId", Kind::UserRole)?;
        require_ref(change.store, "", doc, "TeamId", Kind::Team)?;
        let in_space = str_of(doc, "SpaceId").to_string();
        scopable(change.store, doc, &in_space)?;
        for (field, k) in [
            ("ProjectGroupIds", Kind::ProjectGroup),
            ("ProjectIds", Kind::Project),
            ("EnvironmentIds", Kind::Environment),
            ("TenantIds", Kind::Tenant),
        ] {
            field_refs(change.store, &in_space, k, doc, field)?;
        }
        Ok(())
    }
}

/// Where a role can be given (Octopus docs, "System and Space Permissions", rules of the road): a
/// space team's roles apply in its own space; a role of system permissions only applies to the
/// whole instance, so it cannot be given in a space (nor, therefore, to a space team). A role with
/// space permissions applies in a space, and any system permissions it also has apply system-wide.
// QUESTION: the real error texts are not documented; these say what the docs say. Also unsettled:
// whether a role without any permission can be given in a space (accepted here), whether a system
// team's role with space permissions must name a space (not required here: the seeds give system
// teams system-only roles), and whether `SupportedRestrictions` limits which scope lists a role
// accepts (not enforced: the docs and the OpenAPI do not say so).
fn scopable(store: &Store, doc: &Doc, in_space: &str) -> ApiResult<()> {
    let team_space = store
        .get("", Kind::Team, str_of(doc, "TeamId"))
        .map(|t| str_of(t, "SpaceId").to_string())
        .unwrap_or_default();
    if !team_space.is_empty() && !team_space.eq_ignore_ascii_case(in_space) {
        return Err(ApiError::invalid(format!(
            "The team belongs to the space '{team_space}'; its roles can only be given in that space."
        )));
    }
    if in_space.is_empty() {
        return Ok(());
    }
    if let Some(role) = store.get("", Kind::UserRole, str_of(doc, "UserRoleId")) {
        if strs_of(role, "GrantedSpacePermissions").is_empty() && !strs_of(role, "GrantedSystemPermissions").is_empty()
        {
            return Err(ApiError::invalid(format!(
                "The user role '{}' contains system permissions only, which apply to the whole system: it can only be given to a system team, not in a space.",
                str_of(role, "Name")
            )));
        }
    }
    Ok(())
}

/// `spaces` and `includeSystem` filters of teams and scoped roles.
fn in_spaces(doc: &Doc, q: &Query) -> bool {
    let owner = str_of(doc, "SpaceId");
    let include_system = q
        .get("includeSystem")
        .map(|v| !v.eq_ignore_ascii_case("false"))
        .unwrap_or(true);
    match q.list("spaces") {
        Some(spaces) => spaces.iter().any(|s| s.eq_ignore_ascii_case(owner)) || (owner.is_empty() && include_system),
        None => include_system || !owner.is_empty(),
    }
}

/// Teams and scoped roles: a space route pins the space; the system route takes the body's.
fn pin_space(store: &Store, route_space: &str, doc: &mut Doc) -> ApiResult<()> {
    if !route_space.is_empty() {
        doc.insert("SpaceId".into(), Value::String(route_space.to_string()));
        return Ok(());
    }
    let sid = str_of(doc, "SpaceId").to_string();
    if sid.is_empty() {
        doc.insert("SpaceId".into(), Value::Null);
    } else if let Some(id) = store.space_by_ident(&sid) {
        doc.insert("SpaceId".into(), Value::String(id));
    } else {
        return Err(ApiError::invalid(format!("SpaceId: the space '{sid}' does not exist.")));
    }
    Ok(())
}

/// The built-in `teams-spacemanagers-<SpaceId>` a new space gets.
pub(crate) fn space_managers(store: &Store, space: &str) -> Doc {
    let mut team = owned_doc(
        store,
        space,
        &format!("teams-spacemanagers-{space}"),
        json!({
            "Name": "Space Managers", "MemberUserIds": [], "ExternalSecurityGroups": [],
            "CanBeDeleted": false, "CanBeRenamed": false, "CanChangeRoles": true, "CanChangeMembers": true,
            "Description": "", "Slug": "space-managers"
        }),
    );
    // SpaceId comes after the flags, as in `teams.json`.
    team.remove("SpaceId");
    team.insert("SpaceId".into(), json!(space));
    team
}
