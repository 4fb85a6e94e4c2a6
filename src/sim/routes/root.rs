//! The root document (`GET /api`) and the space root (`GET /api/{spaceId}`) with their links.

use serde_json::{json, Map, Value};

use crate::sim::kind::Kind;
use crate::sim::kinds;
use crate::sim::store::Store;

fn template(kind: Kind) -> &'static str {
    kinds::spec(kind).query()
}

const ROOT_LINKS: &[(&str, Kind)] = &[
    ("Accounts", Kind::Account),
    ("ActionTemplates", Kind::ActionTemplate),
    ("Certificates", Kind::Certificate),
    ("Channels", Kind::Channel),
    ("DeploymentProcesses", Kind::DeploymentProcess),
    ("Deployments", Kind::Deployment),
    ("Environments", Kind::Environment),
    ("LibraryVariables", Kind::LibraryVariableSet),
    ("Lifecycles", Kind::Lifecycle),
    ("MachinePolicies", Kind::MachinePolicy),
    ("Machines", Kind::Machine),
    ("Packages", Kind::Package),
    ("ProjectGroups", Kind::ProjectGroup),
    ("Projects", Kind::Project),
    ("Releases", Kind::Release),
    ("RunbookProcesses", Kind::RunbookProcess),
    ("Runbooks", Kind::Runbook),
    ("RunbookSnapshots", Kind::RunbookSnapshot),
    ("TagSets", Kind::TagSet),
    ("Tenants", Kind::Tenant),
    ("Variables", Kind::VariableSet),
    ("WorkerPools", Kind::WorkerPool),
    ("Workers", Kind::Worker),
];

fn space_links(space: &str) -> Map<String, Value> {
    let mut links = Map::new();
    for (name, kind) in ROOT_LINKS {
        links.insert(
            name.to_string(),
            json!(format!("/api/{space}/{}{{/id}}{}", kind.segment(), template(*kind))),
        );
    }
    links.insert(
        "TenantVariables".into(),
        json!(format!("/api/{space}/tenantvariables/all{{?projectId}}")),
    );
    // Names as in the real root documents (root.json, root-2020.4.json).
    for (name, segment) in [
        ("EnvironmentSortOrder", "environments"),
        ("TagSetSortOrder", "tagsets"),
        ("WorkerPoolsSortOrder", "workerpools"),
    ] {
        links.insert(name.into(), json!(format!("/api/{space}/{segment}/sortorder")));
    }
    // The real template has more filters; only those the simulator applies are advertised.
    links.insert(
        "EnvironmentsSummary".into(),
        json!(format!(
            "/api/{space}/environments/summary{{?ids,partialName,hideEmptyEnvironments}}"
        )),
    );
    links
}

/// `GET /api`: links point at the default space (root-2020.4.json), Feeds without a space prefix
/// as in both real root documents.
pub(super) fn root(store: &Store) -> Value {
    let space = store.default_space.clone();
    let mut links = Map::new();
    links.insert("Self".into(), json!("/api"));
    links.extend(space_links(&space));
    links.insert(
        "Feeds".into(),
        json!(format!("/api/feeds{{/id}}{}", template(Kind::Feed))),
    );
    for kind in [
        Kind::Team,
        Kind::ScopedUserRole,
        Kind::UserRole,
        Kind::User,
        Kind::CommunityActionTemplate,
        Kind::Space,
    ] {
        let name = match kind {
            Kind::CommunityActionTemplate => "CommunityActionTemplates",
            Kind::Team => "Teams",
            Kind::ScopedUserRole => "ScopedUserRoles",
            Kind::UserRole => "UserRoles",
            Kind::User => "Users",
            _ => "Spaces",
        };
        links.insert(
            name.into(),
            json!(format!("/api/{}{{/id}}{}", kind.segment(), template(kind))),
        );
    }
    links.insert("SpaceHome".into(), json!("/api/{spaceId}"));
    links.insert("CurrentUser".into(), json!("/api/users/me"));
    links.insert("Web".into(), json!("/app"));
    let mut sorted: Vec<(String, Value)> = links.into_iter().collect();
    sorted.sort_by(|a, b| (a.0 != "Self").cmp(&(b.0 != "Self")).then(a.0.cmp(&b.0)));
    json!({
        "Application": "Octopus Deploy",
        "Version": store.version,
        "ApiVersion": "3.0.0",
        "InstallationId": store.installation_id,
        "HasLongTermSupport": false,
        "IsEarlyAccessProgram": false,
        "Links": Map::from_iter(sorted),
    })
}

/// `GET /api/{spaceId}`: the space root with space-scoped links.
pub(super) fn space_home(space: &str) -> Value {
    let mut links = Map::new();
    links.insert("Self".into(), json!(format!("/api/{space}")));
    links.extend(space_links(space));
    links.insert(
        "Feeds".into(),
        json!(format!("/api/{space}/feeds{{/id}}{}", template(Kind::Feed))),
    );
    links.insert(
        "Teams".into(),
        json!(format!("/api/{space}/teams{{/id}}{}", template(Kind::Team))),
    );
    links.insert(
        "ScopedUserRoles".into(),
        json!(format!(
            "/api/{space}/scopeduserroles{{/id}}{}",
            template(Kind::ScopedUserRole)
        )),
    );
    json!({ "Links": links })
}
