//! Initial data: system built-ins, the default space, and the demo instances. Everything goes
//! through the same create/update path as POST/PUT, so seeds obey the same rules.

use serde_json::{json, Value};

use super::error::ApiResult;
use super::kind::Kind;
use super::kinds::community_action_template::CommunityLibrary;
use super::kinds::tenant_variables;
use super::library;
use super::pipeline as ops;
use super::store::{str_of, Store};
use super::Seed;
use super::{image, logos};

mod demo;
pub(crate) mod large;
use demo::{demo_destination, demo_source};
use large::{large_destination, large_source};

/// Built-in user roles: lower-case slug ids (ODU export, `team-2018.json`).
const USER_ROLES: &[(&str, &str, &[&str], &[&str])] = &[
    (
        "userroles-systemadministrator",
        "System administrator",
        &[],
        &["AdministerSystem", "SpaceCreate", "TeamCreate", "UserEdit"],
    ),
    (
        "userroles-systemmanager",
        "System manager",
        &[],
        &["SpaceCreate", "TeamCreate", "UserView", "UserEdit"],
    ),
    (
        "userroles-spacemanager",
        "Space manager",
        &[
            "SpaceEdit",
            "ProjectCreate",
            "ProjectEdit",
            "EnvironmentCreate",
            "TeamEdit",
        ],
        &[],
    ),
    (
        "userroles-projectviewer",
        "Project viewer",
        &[
            "ProjectView",
            "ReleaseView",
            "DeploymentView",
            "EnvironmentView",
            "ProcessView",
        ],
        &[],
    ),
    (
        "userroles-projectdeployer",
        "Project deployer",
        &[
            "ProjectView",
            "ReleaseView",
            "DeploymentCreate",
            "DeploymentView",
            "EnvironmentView",
        ],
        &[],
    ),
    (
        "userroles-projectcontributor",
        "Project contributor",
        &[
            "ProjectView",
            "ProjectEdit",
            "ProcessEdit",
            "VariableEdit",
            "ReleaseCreate",
        ],
        &[],
    ),
    (
        "userroles-projectlead",
        "Project lead",
        &[
            "ProjectView",
            "ProjectEdit",
            "ProcessEdit",
            "VariableEdit",
            "ReleaseCreate",
            "ReleaseDelete",
        ],
        &[],
    ),
    (
        "userroles-projectinitiator",
        "Project initiator",
        &["ProjectCreate", "ProjectView"],
        &[],
    ),
    (
        "userroles-environmentmanager",
        "Environment manager",
        &["EnvironmentView", "EnvironmentEdit", "EnvironmentCreate", "MachineEdit"],
        &[],
    ),
    (
        "userroles-environmentviewer",
        "Environment viewer",
        &["EnvironmentView", "MachineView"],
        &[],
    ),
    (
        "userroles-tenantmanager",
        "Tenant manager",
        &["TenantView", "TenantEdit", "TenantCreate", "TenantDelete"],
        &[],
    ),
    (
        "userroles-certificatemanager",
        "Certificate manager",
        &["CertificateView", "CertificateEdit", "CertificateCreate"],
        &[],
    ),
    (
        "userroles-packagepublisher",
        "Package publisher",
        &["BuiltInFeedPush", "BuildInformationPush"],
        &[],
    ),
    (
        "userroles-releasecreator",
        "Release creator",
        &["ReleaseCreate", "ProjectView"],
        &[],
    ),
    (
        "userroles-runbookconsumer",
        "Runbook consumer",
        &["RunbookView", "RunbookRunCreate", "RunbookRunView"],
        &[],
    ),
    (
        "userroles-runbookproducer",
        "Runbook producer",
        &["RunbookView", "RunbookEdit", "RunbookRunCreate"],
        &[],
    ),
    (
        "userroles-teammanager",
        "Team manager",
        &["TeamEdit", "TeamView"],
        &["UserView"],
    ),
    (
        "userroles-usermanager",
        "User manager",
        &[],
        &["UserView", "UserEdit", "UserInvite"],
    ),
];

/// The system built-ins, the default space, then the chosen demo data; the community library ends
/// at `edition` (the demo destination installed a template from an older one, then synced since).
pub(crate) fn build(store: &mut Store, space_name: &str, seed: Seed, edition: CommunityLibrary) -> ApiResult<()> {
    system_builtins(store)?;
    let first = match seed {
        Seed::DemoDestination => CommunityLibrary::Older,
        _ => edition,
    };
    library::sync_catalogue(store, first)?;
    let space = ops::create(
        store,
        "",
        Kind::Space,
        json!({
            "Name": space_name,
            "Description": "The default space",
            "SpaceManagersTeams": ["teams-administrators", "teams-managers"]
        }),
    )?;
    let space = str_of(&space, "Id").to_string();
    match seed {
        Seed::Empty => {}
        Seed::DemoSource => demo_source(store, &space)?,
        Seed::DemoDestination => demo_destination(store, &space)?,
        Seed::LargeSource { scale } => large_source(store, &space, scale)?,
        Seed::LargeDestination { scale } => large_destination(store, &space, scale)?,
    }
    if first != edition {
        library::sync_catalogue(store, edition)?;
    }
    Ok(())
}

/// Installs the library's template `name` into `space`, as its installation route does.
fn install_community(store: &mut Store, space: &str, name: &str) -> ApiResult<String> {
    let entry = store
        .list("", Kind::CommunityActionTemplate)
        .iter()
        .find(|e| str_of(e, "Name").eq_ignore_ascii_case(name))
        .map(|e| str_of(e, "Id").to_string())
        .unwrap_or_default();
    let doc = library::install(store, space, &entry)?;
    Ok(str_of(&doc, "Id").to_string())
}

fn system_builtins(store: &mut Store) -> ApiResult<()> {
    let admin = ops::create(
        store,
        "",
        Kind::User,
        json!({"Username": "admin", "DisplayName": "Administrator", "EmailAddress": "admin@example.com"}),
    )?;
    let admin_id = str_of(&admin, "Id").to_string();
    for (id, name, space_perms, system_perms) in USER_ROLES {
        ops::create_builtin(
            store,
            "",
            Kind::UserRole,
            json!({
                "Name": name,
                "Description": format!("Built-in role: {name}."),
                "GrantedSpacePermissions": space_perms,
                "GrantedSystemPermissions": system_perms,
            }),
            id,
        )?;
        if let Some(d) = store.get_mut("", Kind::UserRole, id) {
            d.insert("CanBeDeleted".into(), json!(false));
        }
    }
    for (id, name, members) in [
        ("teams-everyone", "Everyone", vec![]),
        ("teams-administrators", "Octopus Administrators", vec![admin_id.clone()]),
        ("teams-managers", "Octopus Managers", vec![]),
    ] {
        ops::create_builtin(
            store,
            "",
            Kind::Team,
            json!({"Name": name, "MemberUserIds": members}),
            id,
        )?;
        if let Some(d) = store.get_mut("", Kind::Team, id) {
            d.insert("CanBeDeleted".into(), json!(false));
            d.insert("CanBeRenamed".into(), json!(false));
            d.insert("CanChangeMembers".into(), json!(id != "teams-everyone"));
        }
    }
    for (team, role) in [
        ("teams-administrators", "userroles-systemadministrator"),
        ("teams-managers", "userroles-systemmanager"),
    ] {
        ops::create(
            store,
            "",
            Kind::ScopedUserRole,
            json!({"TeamId": team, "UserRoleId": role}),
        )?;
    }
    Ok(())
}

/// Small helpers so the demo reads like data.
struct Seeder<'a> {
    store: &'a mut Store,
    space: String,
}

impl Seeder<'_> {
    fn add(&mut self, kind: Kind, body: Value) -> ApiResult<String> {
        let doc = ops::create_any(self.store, &self.space, kind, body)?;
        Ok(str_of(&doc, "Id").to_string())
    }

    fn id_of(&self, kind: Kind, name: &str) -> String {
        self.store
            .list(&self.space, kind)
            .iter()
            .find(|d| str_of(d, "Name").eq_ignore_ascii_case(name))
            .map(|d| str_of(d, "Id").to_string())
            .unwrap_or_default()
    }

    /// GET-modify-PUT, as a client would.
    fn modify(&mut self, kind: Kind, id: &str, change: impl FnOnce(&mut Value)) -> ApiResult<()> {
        let mut doc = match self.store.get(&self.space, kind, id) {
            Some(d) => Value::Object(d.clone()),
            None => return Err(super::error::ApiError::not_found()),
        };
        change(&mut doc);
        ops::update(self.store, &self.space, kind, id, doc)?;
        Ok(())
    }

    fn set_process(&mut self, kind: Kind, id: &str, steps: Value) -> ApiResult<()> {
        ops::update(self.store, &self.space, kind, id, json!({"Steps": steps, "Version": 0}))?;
        Ok(())
    }

    fn set_variables(&mut self, set_id: &str, vars: Value) -> ApiResult<()> {
        ops::update(
            self.store,
            &self.space,
            Kind::VariableSet,
            set_id,
            json!({"Version": 0, "Variables": vars}),
        )?;
        Ok(())
    }

    fn project_part(&self, project: &str, field: &str) -> String {
        self.store
            .get(&self.space, Kind::Project, project)
            .map(|p| str_of(p, field).to_string())
            .unwrap_or_default()
    }
}

/// The "Linux Servers" machine policy with its health check interval and update behaviours.
fn linux_policy(interval: &str, calamari: &str, tentacle: &str) -> Value {
    json!({
        "Name": "Linux Servers", "Description": "SSH targets",
        "MachineHealthCheckPolicy": {
            "PowerShellHealthCheckPolicy": {"RunType": "InheritFromDefault", "ScriptBody": null},
            "BashHealthCheckPolicy": {"RunType": "InheritFromDefault", "ScriptBody": null},
            "HealthCheckInterval": interval, "HealthCheckCron": null, "HealthCheckCronTimezone": "UTC",
            "HealthCheckType": "RunScript"
        },
        "MachineUpdatePolicy": {
            "CalamariUpdateBehavior": calamari, "TentacleUpdateBehavior": tentacle,
            "KubernetesAgentUpdateBehavior": "Update", "TentacleUpdateAccountId": null
        }
    })
}

fn phase(name: &str, envs: &[&String]) -> Value {
    json!({"Name": name, "AutomaticDeploymentTargets": [], "OptionalDeploymentTargets": envs})
}

fn script_step(name: &str, body: &str, roles: Option<&str>) -> Value {
    let mut props = json!({"Octopus.Action.TargetRoles": roles.unwrap_or("")});
    if roles.is_none() {
        props = json!({});
    }
    json!({
        "Name": name,
        "Properties": props,
        "Actions": [{
            "Name": name,
            "ActionType": "Octopus.Script",
            "Properties": {
                "Octopus.Action.RunOnServer": if roles.is_none() { "true" } else { "false" },
                "Octopus.Action.Script.ScriptSource": "Inline",
                "Octopus.Action.Script.Syntax": "PowerShell",
                "Octopus.Action.Script.ScriptBody": body
            }
        }]
    })
}
