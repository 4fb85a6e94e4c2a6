//! Teams: space teams created when missing, with their name, description and the members the
//! destination has (matched by username); never updated, because members are each instance's own.
//! System teams (no `SpaceId`) and built-in teams are never created (seed 003, "Data to avoid
//! syncing"); external security groups never travel; scoped user roles are added by the team
//! permissions stage, the last one, when `OCTOSYNC_TEAM_PERMISSIONS` says so.

use super::{document, placeholder, PlanContext, Planned, Stage};
use crate::kind::Kind;
use crate::report::{Action, CleanupItem};
use crate::snapshot::{id_of, name_key, name_of, Snapshot};
use serde_json::{json, Value};
use std::collections::HashMap;

/// The teams stage.
pub struct Teams;

impl Stage for Teams {
    fn kind(&self) -> Kind {
        Kind::Team
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        let users = Users::of(ctx.destination);
        ctx.selected(Kind::Team).map(|src| plan_one(ctx, &users, src)).collect()
    }
}

/// True for a system team: it has no `SpaceId` and spans every space of its instance. A team a
/// plan creates (a placeholder id; the server would pin its space) is a space team: this stage
/// creates no other.
pub fn is_system(team: &Value) -> bool {
    document::str_field(team, "SpaceId").is_empty() && !crate::apply::is_placeholder(id_of(team))
}

/// True for a team the server made and will not delete: "Everyone", "Octopus Administrators",
/// a space's "Space Managers". Their ids are fixed lower-case slugs (`teams-everyone`,
/// `teams-spacemanagers-Spaces-1`), where a person's teams are `Teams-N`.
pub fn is_built_in(team: &Value) -> bool {
    let fixed_id = id_of(team)
        .strip_prefix("teams-")
        .is_some_and(|rest| !rest.is_empty() && !rest.chars().all(|c| c.is_ascii_digit()));
    team.get("CanBeDeleted") == Some(&Value::Bool(false)) || fixed_id
}

/// The source teams this stage creates or matches: selected space teams a person made.
pub fn synced<'a>(ctx: &'a PlanContext<'a>) -> impl Iterator<Item = &'a Value> + 'a {
    ctx.selected(Kind::Team).filter(|t| !is_system(t) && !is_built_in(t))
}

/// The destination's team of `name`, among its system teams or its space teams: a space team
/// stands only for a space team, whichever of two same-named teams a name look-up would find.
fn same_name<'a>(destination: &'a Snapshot, name: &str, system: bool) -> Option<&'a Value> {
    destination
        .items(Kind::Team)
        .iter()
        .find(|d| is_system(d) == system && name_key(name_of(d)) == name_key(name))
}

/// The destination team a synced source team (see [`synced`]) stands for: the space team of its
/// name, created by this stage when it was missing.
pub fn destination_team<'a>(destination: &'a Snapshot, src: &Value) -> Option<&'a Value> {
    same_name(destination, name_of(src), false)
}

/// The destination's users by username (trimmed, case-insensitive): teams reference users by id,
/// and ids differ per instance.
struct Users<'a>(HashMap<String, &'a str>);

impl<'a> Users<'a> {
    fn of(snapshot: &'a Snapshot) -> Users<'a> {
        Users(
            snapshot
                .items(Kind::User)
                .iter()
                .map(|u| (name_key(username(u)), id_of(u)))
                .collect(),
        )
    }
}

fn username(user: &Value) -> &str {
    document::str_field(user, "Username")
}

fn plan_one(ctx: &PlanContext<'_>, users: &Users<'_>, src: &Value) -> Planned {
    let name = name_of(src);
    let same_name = |system: bool| same_name(ctx.destination, name, system);
    if is_system(src) {
        return match same_name(true) {
            Some(dest) => Planned::no_write(
                Kind::Team,
                name,
                Action::Unchanged,
                "a system team (it spans every space): never synced; the destination's own system team of this name stands for it",
            )
            .at(id_of(dest)),
            None => Planned::no_write(
                Kind::Team,
                name,
                Action::Skip,
                "a system team (it spans every space): system teams are never synced",
            )
            .note("create it on the destination by hand if that instance needs it, or leave it out of OCTOSYNC_TEAMS (e.g. '!Name') to stop this skip being reported"),
        };
    }
    if is_built_in(src) {
        return match same_name(false) {
            Some(dest) => Planned::no_write(
                Kind::Team,
                name,
                Action::Unchanged,
                "a built-in team every space has: never created; the destination space's own stands for it",
            )
            .at(id_of(dest)),
            None => Planned::no_write(
                Kind::Team,
                name,
                Action::Skip,
                "a built-in team every space has: never created",
            )
            .warnings([format!(
                "the destination space has no built-in team '{name}' (its server may be older or newer than the source's)"
            )]),
        };
    }
    match same_name(false) {
        Some(dest) => existing(src, dest),
        None => create(ctx, users, src),
    }
}

fn existing(src: &Value, dest: &Value) -> Planned {
    let p = Planned::no_write(
        Kind::Team,
        name_of(src),
        Action::Unchanged,
        "exists on the destination; teams are created, never updated (members, groups and roles are each instance's own)",
    )
    .at(id_of(dest));
    if document::equivalent(
        src.get("Description").unwrap_or(&Value::Null),
        dest.get("Description").unwrap_or(&Value::Null),
    ) {
        p
    } else {
        p.note("its description differs from the source's; the destination's own is kept")
    }
}

fn create(ctx: &PlanContext<'_>, users: &Users<'_>, src: &Value) -> Planned {
    let name = name_of(src);
    let (members, warnings) = members(ctx, users, src);
    let body = json!({
        "Name": name,
        "Description": src.get("Description").cloned().unwrap_or(Value::Null),
        "MemberUserIds": members,
        "ExternalSecurityGroups": [],
    });
    let mut p = Planned::create(ctx, Kind::Team, name, "missing on the destination", body)
        .warnings(warnings)
        .notes(roles_note(ctx, src));
    p.cleanup.extend(security_groups(src, name));
    p
}

/// The source members as destination user ids, and a warning for each one left out.
fn members(ctx: &PlanContext<'_>, users: &Users<'_>, src: &Value) -> (Vec<String>, Vec<String>) {
    let mut ids = Vec::new();
    let mut warnings = Vec::new();
    for id in src
        .get("MemberUserIds")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let Some(user) = ctx.source.by_id(Kind::User, id) else {
            warnings.push(format!(
                "member (source id {id}) left out: the source's users could not be read to find their username"
            ));
            continue;
        };
        match users.0.get(&name_key(username(user))) {
            Some(dest_id) if !ids.iter().any(|i| i == dest_id) => ids.push(dest_id.to_string()),
            Some(_) => {}
            None => warnings.push(format!(
                "member '{}' left out: no user of that username exists on the destination; add them to the team once they have an account there",
                username(user)
            )),
        }
    }
    (ids, warnings)
}

/// The roles the source team has, which this stage does not add: the team permissions stage does,
/// last, once the projects and tenants they are scoped to exist.
fn roles_note(ctx: &PlanContext<'_>, team: &Value) -> Option<String> {
    let source = ctx.source;
    let roles: Vec<String> = scoped_roles(source, team)
        .map(|r| {
            let id = document::str_field(r, "UserRoleId");
            source
                .by_id(Kind::UserRole, id)
                .map(|role| format!("'{}'", name_of(role)))
                .unwrap_or_else(|| id.to_string())
        })
        .collect();
    (!roles.is_empty()).then(|| match ctx.rules.team_permissions {
        true => format!(
            "its scoped user roles ({}) are added by the team permissions stage, after projects",
            roles.join(", ")
        ),
        false => format!(
            "its scoped user roles ({}) are not added on creation: OCTOSYNC_TEAM_PERMISSIONS is off, so the team grants no permissions until they are given on the destination",
            roles.join(", ")
        ),
    })
}

/// The source's scoped user roles of `team`.
pub fn scoped_roles<'a>(source: &'a Snapshot, team: &'a Value) -> impl Iterator<Item = &'a Value> + 'a {
    let team_id = id_of(team);
    source
        .items(Kind::ScopedUserRole)
        .iter()
        .filter(move |r| document::str_field(r, "TeamId").eq_ignore_ascii_case(team_id))
}

/// External security groups never travel: their ids come from the source's directory set-up (and
/// may reveal it), and the destination may authenticate against another one. The entry names the
/// groups by display name only.
fn security_groups(src: &Value, name: &str) -> Option<CleanupItem> {
    let groups: Vec<String> = src
        .get("ExternalSecurityGroups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|g| match document::str_field(g, "DisplayName") {
            "" => "(a group without a display name)".to_string(),
            n => format!("'{n}'"),
        })
        .collect();
    (!groups.is_empty()).then(|| {
        placeholder::cleanup(
            Kind::Team,
            name,
            &format!(
                "ExternalSecurityGroups: the source team's external groups {} were not copied; add the groups of this instance's directory that should belong to the team",
                groups.join(", ")
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;
    use crate::settings::selector::Selector;
    use crate::sync::Write;

    fn team(id: &str, name: &str, space: Option<&str>, members: &[&str]) -> Value {
        json!({"Id": id, "Name": name, "SpaceId": space, "Description": format!("{name} team"),
            "MemberUserIds": members, "ExternalSecurityGroups": [], "CanBeDeleted": true})
    }

    fn user(id: &str, username: &str) -> Value {
        json!({"Id": id, "Username": username, "DisplayName": username})
    }

    fn plan_with(source: Snapshot, destination: Snapshot, selector: Selector) -> Vec<Planned> {
        let rules = Rules::default();
        Teams.plan(&PlanContext {
            source: &source,
            destination: &destination,
            rules: &rules,
            selector: &selector,
        })
    }

    fn dest_with_users() -> Vec<Value> {
        vec![user("Users-70", "Alice"), user("Users-71", "carol")]
    }

    #[test]
    fn a_new_team_gets_the_destinations_users_by_username_and_drops_the_others_with_a_warning() {
        let source = Snapshot::from_docs([
            (
                Kind::Team,
                vec![team("Teams-1", "Payments", Some("Spaces-1"), &["Users-1", "Users-2"])],
            ),
            (Kind::User, vec![user("Users-1", "alice"), user("Users-2", "bob")]),
        ]);
        let destination = Snapshot::from_docs([(Kind::User, dest_with_users())]);
        let planned = plan_with(source, destination, Selector::all());
        let Some(Write::Create { body }) = &planned[0].write else {
            panic!("expected a create: {planned:?}")
        };
        assert_eq!(
            body,
            &json!({"Name": "Payments", "Description": "Payments team", "MemberUserIds": ["Users-70"], "ExternalSecurityGroups": []})
        );
        assert_eq!(planned[0].change.warnings.len(), 1);
        assert!(planned[0].change.warnings[0].starts_with("member 'bob' left out"));
        assert!(planned[0].cleanup.is_empty());
    }

    #[test]
    fn system_and_built_in_teams_are_never_created() {
        let mut space_managers = team("teams-spacemanagers-Spaces-1", "Space Managers", Some("Spaces-1"), &[]);
        space_managers["CanBeDeleted"] = json!(false);
        let source = Snapshot::from_docs([(
            Kind::Team,
            vec![
                team("teams-everyone", "Everyone", None, &[]),
                team("Teams-4", "Auditors", None, &[]),
                space_managers,
            ],
        )]);
        let destination = Snapshot::from_docs([(
            Kind::Team,
            vec![
                team("teams-everyone", "Everyone", None, &[]),
                team("teams-spacemanagers-Spaces-2", "Space Managers", Some("Spaces-2"), &[]),
            ],
        )]);
        let planned = plan_with(source, destination, Selector::all());
        assert!(planned.iter().all(|p| p.write.is_none()), "{planned:?}");
        assert_eq!(planned[0].change.action, Action::Unchanged);
        assert_eq!(planned[1].change.action, Action::Skip);
        assert!(planned[1].change.reason.contains("system team"));
        assert_eq!(planned[2].change.action, Action::Unchanged);
        assert_eq!(
            planned[2].change.destination_id.as_deref(),
            Some("teams-spacemanagers-Spaces-2")
        );
    }

    #[test]
    fn external_groups_are_never_copied_and_the_clean_up_names_them_without_ids() {
        let mut src = team("Teams-1", "Ops", Some("Spaces-1"), &[]);
        src["ExternalSecurityGroups"] = json!([
            {"Id": "S-1-5-21-1111-2222-3333-1044", "DisplayName": "CORP\\Ops Engineers", "DisplayIdAndName": false}
        ]);
        let source = Snapshot::from_docs([(Kind::Team, vec![src])]);
        let planned = plan_with(source, Snapshot::default(), Selector::all());
        let Some(Write::Create { body }) = &planned[0].write else {
            panic!("expected a create")
        };
        assert_eq!(body["ExternalSecurityGroups"], json!([]));
        assert_eq!(planned[0].cleanup.len(), 1);
        let action = &planned[0].cleanup[0].action;
        assert!(action.contains("'CORP\\Ops Engineers'"), "{action}");
        assert!(!action.contains("S-1-5-21"), "{action}");
    }

    #[test]
    fn an_existing_team_is_left_alone_even_with_other_members() {
        let source = Snapshot::from_docs([
            (
                Kind::Team,
                vec![team("Teams-1", "Payments", Some("Spaces-1"), &["Users-1"])],
            ),
            (Kind::User, vec![user("Users-1", "alice")]),
        ]);
        let mut dest = team("Teams-9", "payments", Some("Spaces-2"), &[]);
        dest["Description"] = json!("Production's own");
        let destination = Snapshot::from_docs([
            (Kind::Team, vec![team("Teams-8", "Payments", None, &[]), dest]),
            (Kind::User, dest_with_users()),
        ]);
        let planned = plan_with(source, destination, Selector::all());
        assert_eq!(planned[0].change.action, Action::Unchanged);
        assert!(planned[0].write.is_none());
        assert_eq!(planned[0].change.destination_id.as_deref(), Some("Teams-9"));
        assert!(planned[0].change.notes[0].contains("description differs"));
    }

    #[test]
    fn a_new_team_says_whether_its_scoped_roles_are_added() {
        let source = Snapshot::from_docs([
            (Kind::Team, vec![team("Teams-1", "Payments", Some("Spaces-1"), &[])]),
            (
                Kind::UserRole,
                vec![json!({"Id": "userroles-projectdeployer", "Name": "Project deployer"})],
            ),
            (
                Kind::ScopedUserRole,
                vec![
                    json!({"Id": "ScopedUserRoles-1", "TeamId": "Teams-1", "UserRoleId": "userroles-projectdeployer"}),
                ],
            ),
        ]);
        let rules = Rules {
            team_permissions: true,
            ..Rules::default()
        };
        let on = Teams.plan(&PlanContext {
            source: &source,
            destination: &Snapshot::default(),
            rules: &rules,
            selector: &Selector::all(),
        });
        assert!(
            on[0].change.notes[0].contains("('Project deployer') are added by the team permissions stage"),
            "{:?}",
            on[0].change.notes
        );
        let planned = plan_with(source, Snapshot::default(), Selector::all());
        assert_eq!(planned[0].change.action, Action::Create);
        assert!(
            planned[0].change.notes[0]
                .contains("('Project deployer') are not added on creation: OCTOSYNC_TEAM_PERMISSIONS is off"),
            "{:?}",
            planned[0].change.notes
        );
    }

    #[test]
    fn built_in_ids_are_told_from_a_persons_teams() {
        assert!(is_built_in(&json!({"Id": "teams-everyone"})));
        assert!(is_built_in(&json!({"Id": "Teams-3", "CanBeDeleted": false})));
        assert!(!is_built_in(&json!({"Id": "Teams-3", "CanBeDeleted": true})));
        assert!(!is_built_in(&json!({"Id": "teams-12"})));
    }
}
