//! User roles: the roles the synced teams use, so that their scoped user roles (the team
//! permissions stage) can be translated. Which roles: those the scoped user roles of the teams
//! `OCTOSYNC_TEAMS` selects refer to (there is no selector of its own). Built-in roles map by
//! name; a custom role is matched by name and, when missing, created only with
//! `OCTOSYNC_CREATE_USER_ROLES` (roles are system-wide, so that needs an administrator's key),
//! otherwise it is a clean-up entry. Existing roles are never updated: every space of the
//! destination shares them.

use super::{document, placeholder, teams, PlanContext, Planned, Stage};
use crate::kind::Kind;
use crate::report::Action;
use crate::snapshot::{id_of, name_of};
use serde_json::Value;
use std::collections::BTreeSet;

/// The user roles stage.
pub struct UserRoles;

/// What a created role takes from the source: its definition, nothing the server computes.
const OWNED: &[&str] = &[
    "Name",
    "Description",
    "SupportedRestrictions",
    "GrantedSpacePermissions",
    "GrantedSystemPermissions",
];

impl Stage for UserRoles {
    fn kind(&self) -> Kind {
        Kind::UserRole
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        needed(ctx)
            .into_iter()
            .map(|(role_id, team_names)| plan_one(ctx, &role_id, &team_names))
            .collect()
    }
}

/// Each role id the synced teams' scoped user roles use, with the names of those teams, in the
/// order the teams come.
fn needed(ctx: &PlanContext<'_>) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for team in teams::synced(ctx) {
        for role in teams::scoped_roles(ctx.source, team) {
            let id = document::str_field(role, "UserRoleId");
            if id.is_empty() {
                continue;
            }
            let team_name = name_of(team).to_string();
            match out.iter_mut().find(|(r, _)| r.eq_ignore_ascii_case(id)) {
                Some((_, names)) if !names.contains(&team_name) => names.push(team_name),
                Some(_) => {}
                None => out.push((id.to_string(), vec![team_name])),
            }
        }
    }
    out
}

/// True for a role the server ships: fixed lower-case ids such as `userroles-projectviewer`.
fn is_built_in(role: &Value) -> bool {
    role.get("CanBeDeleted") == Some(&Value::Bool(false)) || id_of(role).starts_with("userroles-")
}

fn plan_one(ctx: &PlanContext<'_>, role_id: &str, team_names: &[String]) -> Planned {
    let used_by = team_names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let Some(src) = ctx.source.by_id(Kind::UserRole, role_id) else {
        return Planned::no_write(Kind::UserRole, role_id, Action::Skip, "not among the source's user roles")
            .warnings([format!(
                "team(s) {used_by} use user role {role_id}, which the source's user roles do not list (the source key may lack the UserRoleView permission); it cannot be matched on the destination"
            )]);
    };
    let name = name_of(src);
    let dest = ctx.destination.by_name(Kind::UserRole, name);
    if is_built_in(src) {
        return match dest {
            Some(dest) => Planned::no_write(
                Kind::UserRole,
                name,
                Action::Unchanged,
                "a built-in user role: maps by name to the destination's",
            )
            .at(id_of(dest)),
            None => Planned::no_write(Kind::UserRole, name, Action::Skip, "a built-in user role the destination lacks")
                .warnings([format!(
                    "the destination has no built-in user role '{name}' (its server may be older than the source's); team(s) {used_by} cannot be given it there"
                )]),
        };
    }
    match dest {
        Some(dest) => existing(src, dest),
        None if ctx.rules.create_user_roles => {
            let body = Value::Object(
                OWNED
                    .iter()
                    .filter_map(|f| src.get(*f).map(|v| (f.to_string(), v.clone())))
                    .collect(),
            );
            Planned::create(
                ctx,
                Kind::UserRole,
                name,
                format!("missing on the destination, used by team(s) {used_by} (OCTOSYNC_CREATE_USER_ROLES=True)"),
                body,
            )
        }
        None => {
            let mut p = Planned::no_write(
                Kind::UserRole,
                name,
                Action::Skip,
                format!("a custom user role missing on the destination, used by team(s) {used_by}; OCTOSYNC_CREATE_USER_ROLES is off"),
            );
            p.cleanup.push(placeholder::cleanup(
                Kind::UserRole,
                name,
                &format!(
                    "create this custom user role on the destination (Configuration → Roles) with the source's permissions ({}), or run again with OCTOSYNC_CREATE_USER_ROLES=True and an administrator's destination key; team(s) {used_by} need it once their scoped user roles are synced",
                    permissions(src).join(", ")
                ),
            ));
            p
        }
    }
}

fn existing(src: &Value, dest: &Value) -> Planned {
    let p = Planned::no_write(
        Kind::UserRole,
        name_of(src),
        Action::Unchanged,
        "exists on the destination; user roles are matched by name, never updated (every space of the instance shares them)",
    )
    .at(id_of(dest));
    if permissions(src) == permissions(dest) {
        p
    } else {
        p.note("its permissions differ from the source's; the destination's own are kept")
    }
}

/// Every permission a role grants, space and system, sorted.
fn permissions(role: &Value) -> Vec<String> {
    let set: BTreeSet<String> = ["GrantedSpacePermissions", "GrantedSystemPermissions"]
        .iter()
        .filter_map(|f| role.get(*f).and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    if set.is_empty() {
        return vec!["none".into()];
    }
    set.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;
    use crate::settings::selector::Selector;
    use crate::snapshot::Snapshot;
    use crate::sync::Write;
    use serde_json::json;

    fn source() -> Snapshot {
        Snapshot::from_docs([
            (
                Kind::Team,
                vec![
                    json!({"Id": "Teams-1", "Name": "Payments", "SpaceId": "Spaces-1", "CanBeDeleted": true}),
                    json!({"Id": "Teams-2", "Name": "Web", "SpaceId": "Spaces-1", "CanBeDeleted": true}),
                    json!({"Id": "teams-administrators", "Name": "Octopus Administrators", "SpaceId": null, "CanBeDeleted": false}),
                ],
            ),
            (
                Kind::UserRole,
                vec![
                    json!({"Id": "userroles-projectdeployer", "Name": "Project deployer", "CanBeDeleted": false, "GrantedSpacePermissions": ["DeploymentCreate"]}),
                    json!({"Id": "userroles-systemadministrator", "Name": "System administrator", "CanBeDeleted": false}),
                    json!({"Id": "UserRoles-5", "Name": "Release Approver", "Description": "Approves releases", "CanBeDeleted": true,
                        "SupportedRestrictions": ["Environments"], "GrantedSpacePermissions": ["InterruptionSubmit", "ProjectView"],
                        "GrantedSystemPermissions": [], "SpacePermissionDescriptions": ["x"], "Links": {}}),
                ],
            ),
            (
                Kind::ScopedUserRole,
                vec![
                    json!({"Id": "ScopedUserRoles-1", "TeamId": "Teams-1", "UserRoleId": "userroles-projectdeployer"}),
                    json!({"Id": "ScopedUserRoles-2", "TeamId": "Teams-1", "UserRoleId": "UserRoles-5"}),
                    json!({"Id": "ScopedUserRoles-3", "TeamId": "Teams-2", "UserRoleId": "UserRoles-5"}),
                    json!({"Id": "ScopedUserRoles-4", "TeamId": "teams-administrators", "UserRoleId": "userroles-systemadministrator"}),
                ],
            ),
        ])
    }

    fn destination(roles: Vec<Value>) -> Snapshot {
        Snapshot::from_docs([(Kind::UserRole, roles)])
    }

    fn plan(destination: Snapshot, create: bool, selector: Selector) -> Vec<Planned> {
        let source = source();
        let rules = Rules {
            create_user_roles: create,
            ..Rules::default()
        };
        UserRoles.plan(&PlanContext {
            source: &source,
            destination: &destination,
            rules: &rules,
            selector: &selector,
        })
    }

    fn built_in_dest() -> Value {
        json!({"Id": "userroles-projectdeployer", "Name": "Project Deployer", "CanBeDeleted": false})
    }

    #[test]
    fn a_missing_custom_role_is_a_clean_up_entry_by_default() {
        let planned = plan(destination(vec![built_in_dest()]), false, Selector::all());
        assert_eq!(planned.len(), 2, "system teams' roles are not needed: {planned:?}");
        let custom = &planned[1];
        assert_eq!(custom.change.name, "Release Approver");
        assert_eq!(custom.change.action, Action::Skip);
        assert!(custom.write.is_none());
        assert_eq!(custom.cleanup.len(), 1);
        let action = &custom.cleanup[0].action;
        assert!(action.contains("InterruptionSubmit, ProjectView"), "{action}");
        assert!(action.contains("OCTOSYNC_CREATE_USER_ROLES=True"), "{action}");
        assert!(action.contains("'Payments', 'Web'"), "{action}");
    }

    #[test]
    fn a_missing_custom_role_is_created_when_the_setting_allows_it() {
        let planned = plan(destination(vec![built_in_dest()]), true, Selector::all());
        let Some(Write::Create { body }) = &planned[1].write else {
            panic!("expected a create: {planned:?}")
        };
        assert_eq!(
            body,
            &json!({"Name": "Release Approver", "Description": "Approves releases", "SupportedRestrictions": ["Environments"],
                "GrantedSpacePermissions": ["InterruptionSubmit", "ProjectView"], "GrantedSystemPermissions": []})
        );
        assert!(planned[1].cleanup.is_empty());
    }

    #[test]
    fn built_in_roles_map_by_name_and_existing_custom_roles_are_left_alone() {
        let custom =
            json!({"Id": "UserRoles-90", "Name": "release approver", "GrantedSpacePermissions": ["ProjectView"]});
        let planned = plan(destination(vec![built_in_dest(), custom]), true, Selector::all());
        assert!(planned.iter().all(|p| p.write.is_none()), "{planned:?}");
        assert_eq!(planned[0].change.action, Action::Unchanged);
        assert_eq!(
            planned[0].change.destination_id.as_deref(),
            Some("userroles-projectdeployer")
        );
        assert_eq!(planned[1].change.destination_id.as_deref(), Some("UserRoles-90"));
        assert!(planned[1].change.notes[0].contains("permissions differ"));
    }

    #[test]
    fn only_the_roles_of_selected_teams_are_considered() {
        let selector = Selector::parse(&["Web".to_string()]).unwrap();
        let planned = plan(destination(vec![]), false, selector);
        assert_eq!(planned.len(), 1);
        assert_eq!(planned[0].change.name, "Release Approver");
        assert!(planned[0].cleanup[0].action.contains("team(s) 'Web' need it"));
    }
}
