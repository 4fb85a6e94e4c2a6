//! Team permissions, the last stage (`OCTOSYNC_TEAM_PERMISSIONS`): the scoped user roles of the
//! teams `OCTOSYNC_TEAMS` selects, added to their destination teams. The role is matched by name
//! (built-in and custom, see the user roles stage); its project group, project, environment and
//! tenant scope is translated by name, and what the destination lacks is dropped and reported. A
//! scope that would become empty on a dimension the source restricts is never created: an empty
//! list means "unrestricted", so that would widen the permission. The destination team's own
//! scoped roles are never changed or deleted; a source role it already has is not added again.

use super::{document, teams, PlanContext, Planned, Stage};
use crate::kind::Kind;
use crate::report::Action;
use crate::scope::quoted;
use crate::scope::{translate_list, ListOutcome, MatchPolicy};
use crate::snapshot::{id_of, name_of, Snapshot};
use crate::translate::{Translation, Translator};
use serde_json::{json, Value};

/// The team permissions stage.
pub struct TeamPermissions;

/// The scope dimensions of a scoped user role: its field, the kind it names, what a person calls it.
const DIMENSIONS: [(&str, Kind, &str); 4] = [
    ("ProjectGroupIds", Kind::ProjectGroup, "Project groups"),
    ("ProjectIds", Kind::Project, "Projects"),
    ("EnvironmentIds", Kind::Environment, "Environments"),
    ("TenantIds", Kind::Tenant, "Tenants"),
];

impl Stage for TeamPermissions {
    fn kind(&self) -> Kind {
        Kind::ScopedUserRole
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        if !ctx.rules.team_permissions {
            return vec![];
        }
        let mut planned = Vec::new();
        for team in teams::synced(ctx) {
            plan_team(ctx, team, &mut planned);
        }
        planned
    }

    /// Scoped roles have no names of their own: they belong to the teams, whose name collisions
    /// the teams stage reports.
    fn is_part(&self) -> bool {
        true
    }
}

/// A scoped user role as the destination would hold it: the destination role and the scope, each
/// dimension's destination ids in the source's order.
struct Translated {
    role_id: String,
    scope: [Vec<String>; 4],
}

impl Translated {
    /// True when `existing` grants the same role with the same scope (as sets; ids compare as
    /// Octopus compares them, case-insensitively).
    fn same_as(&self, existing: &Value) -> bool {
        document::str_field(existing, "UserRoleId").eq_ignore_ascii_case(&self.role_id)
            && DIMENSIONS
                .iter()
                .zip(&self.scope)
                .all(|((field, _, _), ids)| same_set(&document::id_list(existing, field), ids))
    }
}

fn same_set(a: &[String], b: &[String]) -> bool {
    let contains = |list: &[String], id: &String| list.iter().any(|x| x.eq_ignore_ascii_case(id));
    a.iter().all(|id| contains(b, id)) && b.iter().all(|id| contains(a, id))
}

fn plan_team(ctx: &PlanContext<'_>, src_team: &Value, planned: &mut Vec<Planned>) {
    let team_name = name_of(src_team);
    let roles: Vec<&Value> = teams::scoped_roles(ctx.source, src_team).collect();
    if roles.is_empty() {
        return;
    }
    let Some(dest_team) = teams::destination_team(ctx.destination, src_team) else {
        planned.push(
            Planned::no_write(
                Kind::ScopedUserRole,
                team_name,
                Action::Skip,
                "the team does not exist on the destination",
            )
            .warnings([format!(
                "team '{team_name}': its {} scoped user role(s) were not added because the team was not created on the destination (see its Team change)",
                roles.len()
            )]),
        );
        return;
    };
    let team_id = id_of(dest_team);
    let translator = ctx.translator();
    // The roles this stage adds to the team, so that two source roles that translate alike are
    // added once (the team's own roles are looked up in the destination).
    let mut held: Vec<Translated> = Vec::new();
    for src in roles {
        let p = plan_role(ctx, &translator, team_name, team_id, src, &mut held);
        planned.push(p);
    }
}

fn plan_role(
    ctx: &PlanContext<'_>,
    translator: &Translator<'_>,
    team_name: &str,
    team_id: &str,
    src: &Value,
    held: &mut Vec<Translated>,
) -> Planned {
    let role_id = document::str_field(src, "UserRoleId");
    let Some(src_role) = ctx.source.by_id(Kind::UserRole, role_id) else {
        return Planned::no_write(
            Kind::ScopedUserRole,
            &format!("{team_name} / {role_id}"),
            Action::Skip,
            "its user role is not among the source's user roles",
        )
        .warnings([format!(
            "team '{team_name}' has user role {role_id}, which the source's user roles do not list (the source key may lack the UserRoleView permission); it cannot be matched on the destination"
        )]);
    };
    let role_name = name_of(src_role);
    let source_label = label(team_name, role_name, &source_scope(ctx.source, src));
    let dest_role = match translator.translate(id_of(src_role)) {
        Translation::Mapped(id) => id,
        _ => {
            return Planned::no_write(
                Kind::ScopedUserRole,
                &source_label,
                Action::Skip,
                format!("the destination has no user role '{role_name}'"),
            )
            .warnings([format!(
                "team '{team_name}' was not given '{role_name}': the destination lacks that user role (see its User role change and clean-up entry); run again once it exists"
            )]);
        }
    };
    if let Some(reason) = ctx.destination.by_id(Kind::UserRole, &dest_role).and_then(system_only) {
        return Planned::no_write(Kind::ScopedUserRole, &source_label, Action::Skip, reason.clone())
            .warnings([format!("team '{team_name}' was not given '{role_name}': {reason}")]);
    }

    let mut scope: [Vec<String>; 4] = Default::default();
    let mut warnings = Vec::new();
    for (i, (field, _, what)) in DIMENSIONS.iter().enumerate() {
        let ids = document::id_list(src, field);
        // Partial matches are kept; a restricted dimension that keeps nothing is never created.
        match translate_list(translator, &ids, MatchPolicy::SkipUnlessPartialMatch) {
            ListOutcome::Keep { ids: kept, dropped } => {
                if !dropped.is_empty() {
                    warnings.push(format!(
                        "{what} {} dropped from the scope: the destination lacks them; the role applies to the rest",
                        quoted(&dropped)
                    ));
                }
                scope[i] = dedup(kept);
            }
            ListOutcome::Skip { reason } | ListOutcome::Error { reason } => {
                let why = format!(
                    "none of its {} exist on the destination ({reason}); an empty list there means every one of them, which would widen the permission",
                    what.to_lowercase()
                );
                return Planned::no_write(Kind::ScopedUserRole, &source_label, Action::Skip, "its scope would become unrestricted")
                    .warnings([format!("team '{team_name}' was not given '{role_name}' (never created with a wider scope than the source's): {why}")])
                    .note(format!("give the team this role on the destination by hand once its {} exist there, or run again then", what.to_lowercase()));
            }
        }
    }
    let translated = Translated {
        role_id: dest_role,
        scope,
    };
    let name = label(team_name, role_name, &named(ctx.destination, &translated.scope));
    // What was dropped is a warning when it shapes a write; for a role already in place it is a
    // note, so that a settled team does not warn on every run.
    if let Some(existing) = ctx
        .destination
        .items(Kind::ScopedUserRole)
        .iter()
        .filter(|r| document::str_field(r, "TeamId").eq_ignore_ascii_case(team_id))
        .find(|r| translated.same_as(r))
    {
        return Planned::no_write(
            Kind::ScopedUserRole,
            &name,
            Action::Unchanged,
            "the destination team already has this role with this scope",
        )
        .at(id_of(existing))
        .notes(warnings);
    }
    if held
        .iter()
        .any(|h| h.role_id.eq_ignore_ascii_case(&translated.role_id) && h.scope == translated.scope)
    {
        return Planned::no_write(
            Kind::ScopedUserRole,
            &name,
            Action::Unchanged,
            "another of the source team's scoped roles becomes this same role once translated; it is added once",
        )
        .notes(warnings);
    }
    let mut body = json!({"UserRoleId": translated.role_id, "TeamId": team_id});
    for ((field, _, _), ids) in DIMENSIONS.iter().zip(&translated.scope) {
        body[*field] = json!(ids);
    }
    held.push(translated);
    Planned::create(
        ctx,
        Kind::ScopedUserRole,
        &name,
        "the destination team lacks this role with this scope; its own scoped roles are kept",
        body,
    )
    .warnings(warnings)
}

/// Why a role cannot be given in a space: one with system permissions only applies to the whole
/// instance, which only a system team can hold (Octopus docs, "System and Space Permissions").
fn system_only(role: &Value) -> Option<String> {
    let granted = |f| document::id_list(role, f);
    (granted("GrantedSpacePermissions").is_empty() && !granted("GrantedSystemPermissions").is_empty()).then(|| {
        format!(
            "the destination's '{}' grants system permissions only, which Octopus applies to the whole instance, not to a space team",
            name_of(role)
        )
    })
}

/// The source role's scope as source names, for roles that are not created.
fn source_scope(source: &Snapshot, src: &Value) -> [Vec<String>; 4] {
    let mut scope: [Vec<String>; 4] = Default::default();
    for (i, (field, kind, _)) in DIMENSIONS.iter().enumerate() {
        scope[i] = names(source, *kind, &document::id_list(src, field));
    }
    scope
}

/// Destination ids as the destination's names.
fn named(destination: &Snapshot, scope: &[Vec<String>; 4]) -> [Vec<String>; 4] {
    let mut names_of: [Vec<String>; 4] = Default::default();
    for (i, (_, kind, _)) in DIMENSIONS.iter().enumerate() {
        names_of[i] = names(destination, *kind, &scope[i]);
    }
    names_of
}

/// Ids of `kind` as names; an id the snapshot lacks stays as it is.
fn names(snapshot: &Snapshot, kind: Kind, ids: &[String]) -> Vec<String> {
    ids.iter()
        .map(|id| {
            snapshot
                .by_id(kind, id)
                .map_or_else(|| id.clone(), |d| name_of(d).to_string())
        })
        .collect()
}

/// `Team / Role (Projects: Api; Environments: Production)`: what a reviewer reads, and the name
/// that tells a team's roles apart.
fn label(team: &str, role: &str, scope: &[Vec<String>; 4]) -> String {
    let parts: Vec<String> = DIMENSIONS
        .iter()
        .zip(scope)
        .filter(|(_, names)| !names.is_empty())
        .map(|((_, _, what), names)| format!("{what}: {}", names.join(", ")))
        .collect();
    match parts.is_empty() {
        true => format!("{team} / {role} (unrestricted)"),
        false => format!("{team} / {role} ({})", parts.join("; ")),
    }
}

fn dedup(ids: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&id)) {
            out.push(id);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;
    use crate::settings::selector::Selector;
    use crate::sync::Write;

    fn team(id: &str, name: &str) -> Value {
        json!({"Id": id, "Name": name, "SpaceId": "Spaces-1", "CanBeDeleted": true})
    }

    fn scoped(id: &str, team: &str, role: &str, scope: Value) -> Value {
        let mut r = json!({"Id": id, "TeamId": team, "UserRoleId": role, "SpaceId": "Spaces-1",
            "ProjectGroupIds": [], "ProjectIds": [], "EnvironmentIds": [], "TenantIds": []});
        for (k, v) in scope.as_object().unwrap() {
            r[k] = v.clone();
        }
        r
    }

    fn deployer() -> Value {
        json!({"Id": "userroles-projectdeployer", "Name": "Project deployer", "CanBeDeleted": false,
            "GrantedSpacePermissions": ["DeploymentCreate"], "GrantedSystemPermissions": []})
    }

    /// Source: team "Payments Developers" with "Project deployer" on project Api in Production for
    /// tenants Internal and Acme, and the custom "Release Approver" in Production.
    fn source(roles: Vec<Value>) -> Snapshot {
        Snapshot::from_docs([
            (Kind::Team, vec![team("Teams-1", "Payments Developers")]),
            (
                Kind::UserRole,
                vec![
                    deployer(),
                    json!({"Id": "UserRoles-5", "Name": "Release Approver", "GrantedSpacePermissions": ["InterruptionSubmit"]}),
                ],
            ),
            (Kind::ScopedUserRole, roles),
            (
                Kind::Project,
                vec![
                    json!({"Id": "Projects-1", "Name": "Api"}),
                    json!({"Id": "Projects-2", "Name": "Web"}),
                ],
            ),
            (
                Kind::ProjectGroup,
                vec![json!({"Id": "ProjectGroups-1", "Name": "Payments"})],
            ),
            (
                Kind::Environment,
                vec![
                    json!({"Id": "Environments-1", "Name": "Dev"}),
                    json!({"Id": "Environments-4", "Name": "Production"}),
                ],
            ),
            (
                Kind::Tenant,
                vec![
                    json!({"Id": "Tenants-1", "Name": "Internal"}),
                    json!({"Id": "Tenants-2", "Name": "Acme"}),
                ],
            ),
        ])
    }

    /// Destination: the team, both roles, project Api, environment Production, tenant Internal.
    fn destination(roles: Vec<Value>) -> Snapshot {
        Snapshot::from_docs([
            (Kind::Team, vec![team("Teams-40", "Payments Developers")]),
            (
                Kind::UserRole,
                vec![
                    deployer(),
                    json!({"Id": "UserRoles-90", "Name": "release approver", "GrantedSpacePermissions": ["InterruptionSubmit"]}),
                ],
            ),
            (Kind::ScopedUserRole, roles),
            (Kind::Project, vec![json!({"Id": "Projects-70", "Name": "Api"})]),
            (
                Kind::Environment,
                vec![json!({"Id": "Environments-70", "Name": "Production"})],
            ),
            (Kind::Tenant, vec![json!({"Id": "Tenants-70", "Name": "Internal"})]),
        ])
    }

    fn plan_with(source: &Snapshot, destination: &Snapshot, rules: Rules) -> Vec<Planned> {
        TeamPermissions.plan(&PlanContext {
            source,
            destination,
            rules: &rules,
            selector: &Selector::all(),
        })
    }

    fn plan(source: &Snapshot, destination: &Snapshot) -> Vec<Planned> {
        plan_with(
            source,
            destination,
            Rules {
                team_permissions: true,
                ..Rules::default()
            },
        )
    }

    fn created(p: &Planned) -> &Value {
        match &p.write {
            Some(Write::Create { body }) => body,
            other => panic!("expected a create, got {other:?}: {p:?}"),
        }
    }

    fn api_in_production(tenants: &[&str]) -> Value {
        scoped(
            "ScopedUserRoles-1",
            "Teams-1",
            "userroles-projectdeployer",
            json!({"ProjectIds": ["Projects-1"], "EnvironmentIds": ["Environments-4"], "TenantIds": tenants}),
        )
    }

    #[test]
    fn a_scoped_role_losing_a_tenant_the_destination_lacks_keeps_the_rest_and_says_so() {
        let source = source(vec![api_in_production(&["Tenants-1", "Tenants-2"])]);
        let planned = plan(&source, &destination(vec![]));
        assert_eq!(planned.len(), 1, "{planned:?}");
        let p = &planned[0];
        assert_eq!(p.change.action, Action::Create);
        assert_eq!(
            p.change.name,
            "Payments Developers / Project deployer (Projects: Api; Environments: Production; Tenants: Internal)"
        );
        assert_eq!(
            created(p),
            &json!({"UserRoleId": "userroles-projectdeployer", "TeamId": "Teams-40", "ProjectGroupIds": [],
                "ProjectIds": ["Projects-70"], "EnvironmentIds": ["Environments-70"], "TenantIds": ["Tenants-70"]})
        );
        assert_eq!(p.change.warnings.len(), 1, "{:?}", p.change.warnings);
        assert!(
            p.change.warnings[0].starts_with("Tenants 'Acme' dropped"),
            "{:?}",
            p.change.warnings
        );
        // The reviewer reads names, not ids.
        let shown = format!("{:?}", p.change.diff);
        assert!(
            shown.contains("Internal") && shown.contains("Project deployer"),
            "{shown}"
        );
    }

    #[test]
    fn a_scope_that_would_become_unrestricted_is_never_created() {
        // Only Acme, which the destination lacks: an empty TenantIds would mean every tenant.
        let only_acme = api_in_production(&["Tenants-2"]);
        // Only Dev, which the destination lacks; and a project group the destination lacks.
        let dev = scoped(
            "ScopedUserRoles-2",
            "Teams-1",
            "UserRoles-5",
            json!({"EnvironmentIds": ["Environments-1"]}),
        );
        let group = scoped(
            "ScopedUserRoles-3",
            "Teams-1",
            "UserRoles-5",
            json!({"ProjectGroupIds": ["ProjectGroups-1"]}),
        );
        let source = source(vec![only_acme, dev, group]);
        let planned = plan(&source, &destination(vec![]));
        assert_eq!(planned.len(), 3);
        for (p, what) in planned.iter().zip(["tenants", "environments", "project groups"]) {
            assert_eq!(p.change.action, Action::Skip, "{p:?}");
            assert!(p.write.is_none());
            assert_eq!(p.change.reason, "its scope would become unrestricted");
            let warning = &p.change.warnings[0];
            assert!(
                warning.contains(&format!("none of its {what} exist on the destination")) && warning.contains("widen"),
                "{warning}"
            );
        }
        assert_eq!(
            planned[0].change.name,
            "Payments Developers / Project deployer (Projects: Api; Environments: Production; Tenants: Acme)"
        );
        assert_eq!(
            planned[1].change.name,
            "Payments Developers / Release Approver (Environments: Dev)"
        );
    }

    #[test]
    fn an_unrestricted_source_role_stays_unrestricted() {
        let source = source(vec![scoped("ScopedUserRoles-1", "Teams-1", "UserRoles-5", json!({}))]);
        let planned = plan(&source, &destination(vec![]));
        assert_eq!(
            planned[0].change.name,
            "Payments Developers / Release Approver (unrestricted)"
        );
        let body = created(&planned[0]);
        assert_eq!(body["UserRoleId"], "UserRoles-90", "a custom role maps by name");
        assert_eq!(body["EnvironmentIds"], json!([]));
        assert!(planned[0].change.warnings.is_empty());
    }

    #[test]
    fn a_role_the_destination_team_already_has_is_not_duplicated() {
        let source = source(vec![api_in_production(&["Tenants-1", "Tenants-2"])]);
        // The same role and scope, ids in another order and case; and a role of its own.
        let existing = scoped(
            "ScopedUserRoles-80",
            "teams-40",
            "userroles-projectdeployer",
            json!({"ProjectIds": ["projects-70"], "EnvironmentIds": ["Environments-70"], "TenantIds": ["Tenants-70"]}),
        );
        let own = scoped("ScopedUserRoles-81", "Teams-40", "UserRoles-90", json!({}));
        let planned = plan(&source, &destination(vec![existing, own]));
        assert_eq!(planned.len(), 1);
        assert_eq!(planned[0].change.action, Action::Unchanged);
        assert!(planned[0].write.is_none());
        assert_eq!(planned[0].change.destination_id.as_deref(), Some("ScopedUserRoles-80"));
        // Settled: what was dropped is a note, not a warning on every run.
        assert!(planned[0].change.warnings.is_empty());
        assert!(planned[0].change.notes[0].contains("'Acme'"));
    }

    #[test]
    fn a_role_with_another_scope_on_the_destination_team_is_added_beside_it() {
        let source = source(vec![api_in_production(&["Tenants-1"])]);
        let wider = scoped(
            "ScopedUserRoles-80",
            "Teams-40",
            "userroles-projectdeployer",
            json!({"ProjectIds": ["Projects-70"]}),
        );
        let planned = plan(&source, &destination(vec![wider]));
        assert_eq!(planned[0].change.action, Action::Create);
        assert_eq!(created(&planned[0])["TenantIds"], json!(["Tenants-70"]));
    }

    #[test]
    fn two_source_roles_that_translate_alike_are_added_once() {
        let both = scoped(
            "ScopedUserRoles-2",
            "Teams-1",
            "userroles-projectdeployer",
            json!({"ProjectIds": ["Projects-1", "Projects-2"], "EnvironmentIds": ["Environments-4"], "TenantIds": ["Tenants-1"]}),
        );
        let source = source(vec![api_in_production(&["Tenants-1"]), both]);
        let planned = plan(&source, &destination(vec![]));
        assert_eq!(planned[0].change.action, Action::Create);
        assert_eq!(planned[1].change.action, Action::Unchanged);
        assert!(planned[1].change.reason.contains("added once"));
        assert!(planned[1].change.notes[0].contains("'Web'"));
    }

    #[test]
    fn a_role_the_destination_lacks_is_not_added_and_is_reported() {
        let source = source(vec![scoped("ScopedUserRoles-1", "Teams-1", "UserRoles-5", json!({}))]);
        let mut destination = destination(vec![]);
        destination = Snapshot::from_docs([
            (Kind::Team, destination.items(Kind::Team).to_vec()),
            (Kind::UserRole, vec![deployer()]),
        ]);
        let planned = plan(&source, &destination);
        assert_eq!(planned[0].change.action, Action::Skip);
        assert!(planned[0].write.is_none());
        assert!(planned[0].change.warnings[0].contains("lacks that user role"));
    }

    #[test]
    fn a_role_of_system_permissions_only_is_never_given_to_a_space_team() {
        let admin = json!({"Id": "userroles-systemadministrator", "Name": "System administrator",
            "GrantedSpacePermissions": [], "GrantedSystemPermissions": ["AdministerSystem"]});
        let source = Snapshot::from_docs([
            (Kind::Team, vec![team("Teams-1", "Payments Developers")]),
            (Kind::UserRole, vec![admin.clone()]),
            (
                Kind::ScopedUserRole,
                vec![scoped(
                    "ScopedUserRoles-1",
                    "Teams-1",
                    "userroles-systemadministrator",
                    json!({}),
                )],
            ),
        ]);
        let destination = Snapshot::from_docs([
            (Kind::Team, vec![team("Teams-40", "Payments Developers")]),
            (Kind::UserRole, vec![admin]),
        ]);
        let planned = plan(&source, &destination);
        assert_eq!(planned[0].change.action, Action::Skip);
        assert!(planned[0].change.reason.contains("system permissions only"));
    }

    #[test]
    fn nothing_is_planned_when_the_setting_is_off_or_the_team_is_missing() {
        let source = source(vec![api_in_production(&["Tenants-1"])]);
        assert!(plan_with(&source, &destination(vec![]), Rules::default()).is_empty());

        let planned = plan(&source, &Snapshot::default());
        assert_eq!(planned.len(), 1);
        assert_eq!(planned[0].change.action, Action::Skip);
        assert!(planned[0].change.warnings[0].contains("was not created on the destination"));
    }

    #[test]
    fn a_team_the_plan_creates_gets_its_roles_in_the_same_plan() {
        let source = source(vec![api_in_production(&["Tenants-1"])]);
        let planned_team = crate::apply::placeholder_id(Kind::Team, "Payments Developers");
        // As a dry run hands it over: the body sent, with a placeholder id and no SpaceId.
        let destination = Snapshot::from_docs([
            (
                Kind::Team,
                vec![json!({"Id": planned_team, "Name": "Payments Developers"})],
            ),
            (Kind::UserRole, vec![deployer()]),
            (Kind::Project, vec![json!({"Id": "Projects-70", "Name": "Api"})]),
            (
                Kind::Environment,
                vec![json!({"Id": "Environments-70", "Name": "Production"})],
            ),
            (Kind::Tenant, vec![json!({"Id": "Tenants-70", "Name": "Internal"})]),
        ]);
        let planned = plan(&source, &destination);
        assert_eq!(created(&planned[0])["TeamId"], json!(planned_team));
    }

    #[test]
    fn system_teams_and_a_same_named_system_team_are_never_used() {
        let mut system = team("Teams-2", "Auditors");
        system["SpaceId"] = Value::Null;
        let source = Snapshot::from_docs([
            (Kind::Team, vec![system.clone(), team("Teams-1", "Payments Developers")]),
            (Kind::UserRole, vec![deployer()]),
            (
                Kind::ScopedUserRole,
                vec![
                    scoped("ScopedUserRoles-1", "Teams-2", "userroles-projectdeployer", json!({})),
                    scoped("ScopedUserRoles-2", "Teams-1", "userroles-projectdeployer", json!({})),
                ],
            ),
        ]);
        // The destination has a system team of the space team's name, and no space team of it.
        let mut dest_system = team("Teams-41", "Payments Developers");
        dest_system["SpaceId"] = Value::Null;
        let destination = Snapshot::from_docs([
            (Kind::Team, vec![system, dest_system]),
            (Kind::UserRole, vec![deployer()]),
        ]);
        let planned = plan(&source, &destination);
        assert_eq!(planned.len(), 1, "the system team's role is not planned: {planned:?}");
        assert_eq!(planned[0].change.action, Action::Skip);
    }
}
