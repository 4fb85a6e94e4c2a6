//! The large space's scaffolding: environments to library variable sets, on both sides. The
//! destination holds part of it under its own ids (created in another order, around items of its
//! own), with details of its own where an administrator would have changed them.

use base64::Engine;
use serde_json::{json, Value};

use super::library::{library_set, library_templates, library_variable, script_module, step_template};
use super::*;

/// The source's environments, in order.
pub(super) const SOURCE_ENVIRONMENTS: &[&str] = &[
    "Development",
    "Test",
    "Staging",
    "Production",
    "QA",
    "UAT",
    "Performance",
    "Pre-Production",
    "Disaster Recovery",
    "Sandbox",
];

/// Tenant tag sets and their tags.
pub(super) const TAG_SETS: &[(&str, [&str; 4])] = &[
    ("Region", ["EU", "US", "APAC", "LATAM"]),
    ("Tier", ["Gold", "Silver", "Bronze", "Trial"]),
    ("Hosting", ["Cloud", "On-premises", "Hybrid", "Edge"]),
    ("Release Ring", ["Canary", "Early", "Broad", "Late"]),
    ("Compliance", ["SOC2", "HIPAA", "PCI", "Standard"]),
];

/// External feeds: name, type, URI, whether it signs in with a password.
pub(super) const FEEDS: &[(&str, &str, &str, bool)] = &[
    ("NuGet.org", "NuGet", "https://api.nuget.org/v3/index.json", false),
    ("Docker Hub", "Docker", "https://index.docker.io", false),
    ("GitHub Releases", "GitHub", "https://api.github.com", false),
    ("Maven Central", "Maven", "https://repo.maven.apache.org/maven2", false),
    ("Helm Charts", "Helm", "https://charts.example.com", false),
    (
        "Internal NuGet",
        "NuGet",
        "https://nuget.internal.example.com/v3/index.json",
        true,
    ),
    (
        "Internal Docker",
        "Docker",
        "https://registry.internal.example.com",
        true,
    ),
    (
        "Artifactory Maven",
        "Maven",
        "https://artifactory.example.com/maven",
        true,
    ),
];

/// Lifecycles besides the default one: name and the environments of its phases.
pub(super) const LIFECYCLES: &[(&str, &[&str])] = &[
    ("Hotfix", &["Staging", "Production"]),
    ("Fast Track", &["Test", "Production"]),
    ("Production Only", &["Production"]),
    ("QA Gate", &["Development", "QA", "UAT", "Production"]),
    ("Performance", &["Test", "Performance", "Staging"]),
    ("Recovery", &["Pre-Production", "Disaster Recovery"]),
    ("Sandbox", &["Sandbox"]),
];

/// The default lifecycle's phases on the source.
const DEFAULT_PHASES: &[&str] = &["Development", "Test", "Staging", "Production"];

/// Custom user roles (instance-wide) the teams use, with their permissions.
const USER_ROLES: &[(&str, &[&str])] = &[
    (
        "Release Approver",
        &["ProjectView", "InterruptionView", "InterruptionSubmit"],
    ),
    ("Variable Editor", &["ProjectView", "VariableView", "VariableEdit"]),
    (
        "Runbook Operator",
        &["RunbookView", "RunbookRunCreate", "RunbookRunView"],
    ),
];

/// Account types, in turn; the second is what a typed project variable stores.
const ACCOUNT_TYPES: &[&str] = &[
    "UsernamePassword",
    "AmazonWebServicesAccount",
    "Token",
    "AzureServicePrincipal",
    "SshKeyPair",
];

pub(super) fn source(s: &mut Seeder<'_>, c: &LargeCounts) -> ApiResult<Refs> {
    let mut environments = Vec::new();
    for (i, name) in SOURCE_ENVIRONMENTS.iter().enumerate() {
        let id = s.add(
            Kind::Environment,
            json!({"Name": name, "Description": format!("The {name} environment"),
                   "UseGuidedFailure": *name == "Production", "AllowDynamicInfrastructure": i % 2 == 0}),
        )?;
        environments.push((name.to_string(), id));
    }
    let env = |name: &str| lookup(&environments, name);
    let mut groups = Vec::new();
    for i in 0..c.project_groups {
        groups.push(s.add(
            Kind::ProjectGroup,
            json!({"Name": group_name(i), "Description": format!("Services of business unit {i}")}),
        )?);
    }
    for (name, tags) in TAG_SETS {
        s.add(Kind::TagSet, tag_set(name, tags))?;
    }
    let mut feeds = Vec::new();
    for (name, ty, uri, password) in FEEDS {
        let mut feed = json!({"Name": name, "FeedType": ty, "FeedUri": uri});
        if *password {
            feed["Username"] = json!("deployer");
            feed["Password"] = secret("large-feed-password");
        }
        feeds.push((name.to_string(), s.add(Kind::Feed, feed)?));
    }
    let mut accounts = Vec::new();
    for i in 0..c.accounts {
        let ty = ACCOUNT_TYPES[i % ACCOUNT_TYPES.len()];
        let mut account = account(i, ty);
        let scope = [&SOURCE_ENVIRONMENTS[i % 4], &SOURCE_ENVIRONMENTS[(i + 1) % 4]];
        account["EnvironmentIds"] = json!(scope.map(|n| env(n)));
        accounts.push((s.add(Kind::Account, account)?, ty));
    }
    let mut certificates = Vec::new();
    for i in 0..c.certificates {
        let mut cert = certificate(i);
        cert["EnvironmentIds"] = json!([env(SOURCE_ENVIRONMENTS[i % SOURCE_ENVIRONMENTS.len()])]);
        certificates.push(s.add(Kind::Certificate, cert)?);
    }
    for i in 0..c.machine_policies {
        s.add(Kind::MachinePolicy, machine_policy(i, "00:15:00"))?;
    }
    let mut worker_pools = Vec::new();
    for i in 0..c.worker_pools {
        worker_pools.push(s.add(
            Kind::WorkerPool,
            json!({"Name": worker_pool_name(i), "Description": "Build and deployment workers"}),
        )?);
    }
    teams(s, c, &groups, &env)?;
    let mut lifecycles = vec![s.id_of(Kind::Lifecycle, "Default Lifecycle")];
    let default_phases: Vec<Value> = DEFAULT_PHASES.iter().map(|n| phase_of(n, &env(n))).collect();
    s.modify(Kind::Lifecycle, &lifecycles[0], |d| d["Phases"] = json!(default_phases))?;
    for (name, phases) in LIFECYCLES {
        let phases: Vec<Value> = phases.iter().map(|n| phase_of(n, &env(n))).collect();
        lifecycles.push(s.add(Kind::Lifecycle, json!({"Name": name, "Phases": phases}))?);
    }
    let mut step_templates = Vec::new();
    for i in 0..c.step_templates {
        let id = s.add(Kind::ActionTemplate, step_template(i, "C:/services"))?;
        // Half show a logo of their own, the rest the default.
        if i % 2 == 0 {
            let logo = image::solid_png([(i * 8) as u8, 100, 255 - (i * 8) as u8, 255]);
            logos::set(s.store, &s.space, Kind::ActionTemplate, &id, logo)?;
        }
        let version = s
            .store
            .get(&s.space, Kind::ActionTemplate, &id)
            .and_then(|d| d.get("Version"))
            .map(|v| v.to_string())
            .unwrap_or_else(|| "0".into());
        step_templates.push((id, version));
    }
    let mut script_modules = Vec::new();
    for i in 0..c.script_modules {
        script_modules.push(script_module(s, i, "step")?);
    }
    let mut library_sets = Vec::new();
    for i in 0..c.library_variable_sets {
        let rows: Vec<Value> = (0..c.variables_per_library_set)
            .map(|j| library_variable(i, j, &environments))
            .collect();
        library_sets.push(library_set(s, i, &library_templates(i), rows)?);
    }
    Ok(Refs {
        environments,
        groups,
        lifecycles,
        feeds,
        accounts,
        certificates,
        worker_pools,
        step_templates,
        script_modules,
        library_sets,
    })
}

pub(super) fn destination(s: &mut Seeder<'_>, c: &LargeCounts) -> ApiResult<Refs> {
    // Items of its own first, so the shared names get other ids than on the source.
    let ops_group = s.add(Kind::ProjectGroup, json!({"Name": "Operations"}))?;
    let mut environments = Vec::new();
    for name in ["Staging", "Production"] {
        environments.push((name.to_string(), s.add(Kind::Environment, json!({"Name": name}))?));
    }
    let env = |name: &str| lookup(&environments, name);
    // Every other group already exists, described its own way.
    let mut groups = vec![ops_group];
    for i in 0..c.project_groups {
        if i % 2 == 0 {
            groups.push(s.add(
                Kind::ProjectGroup,
                json!({"Name": group_name(i), "Description": "Production services"}),
            )?);
        }
    }
    s.add(Kind::TagSet, tag_set("Region", &["EU", "US", "Middle East"]))?;
    s.add(Kind::TagSet, tag_set("Tier", &["Gold", "Silver"]))?;
    let mut feeds = Vec::new();
    for (i, (name, ty, uri, _)) in FEEDS.iter().enumerate() {
        if i % 3 == 0 {
            // The destination's own mirror, kept as it is.
            let feed = json!({"Name": name, "FeedType": ty, "FeedUri": uri.replace("https://", "https://mirror.")});
            feeds.push((name.to_string(), s.add(Kind::Feed, feed)?));
        }
    }
    for i in (0..c.accounts).step_by(4) {
        let mut account = account(i, ACCOUNT_TYPES[i % ACCOUNT_TYPES.len()]);
        account["EnvironmentIds"] = json!([env("Production")]);
        s.add(Kind::Account, account)?;
    }
    for i in (0..c.certificates).step_by(2) {
        s.add(Kind::Certificate, certificate(i))?;
    }
    s.add(Kind::MachinePolicy, machine_policy(0, "01:00:00"))?;
    for i in 0..c.worker_pools.min(2) {
        s.add(
            Kind::WorkerPool,
            json!({"Name": worker_pool_name(i), "Description": "Production workers"}),
        )?;
    }
    for i in (0..c.users).step_by(2) {
        ops::create(s.store, "", Kind::User, json!({"Username": user_name(i)}))?;
    }
    for i in (0..c.teams).step_by(4) {
        s.add(
            Kind::Team,
            json!({"Name": team_name(i), "Description": "Created by hand"}),
        )?;
    }
    let default_lc = s.id_of(Kind::Lifecycle, "Default Lifecycle");
    let phases = json!([
        phase_of("Staging", &env("Staging")),
        phase_of("Production", &env("Production"))
    ]);
    s.modify(Kind::Lifecycle, &default_lc, |d| d["Phases"] = phases)?;
    s.add(
        Kind::Lifecycle,
        json!({"Name": "Hotfix", "Phases": [phase_of("Production", &env("Production"))]}),
    )?;
    // A third of the step templates and script modules, in an older version.
    for i in (0..c.step_templates).step_by(3) {
        s.add(Kind::ActionTemplate, step_template(i, "D:/services"))?;
    }
    for i in (0..c.script_modules).step_by(3) {
        script_module(s, i, "older step")?;
    }
    // Half the library sets, with a third of the rows, one value of their own and one template.
    for i in (0..c.library_variable_sets).step_by(2) {
        let rows: Vec<Value> = (0..10)
            .filter(|j| j % 5 != 0 && j % 10 != 3)
            .map(|j| {
                let mut r = library_variable(i, j, &environments);
                if j == 1 {
                    r["Value"] = json!("the destination's own");
                }
                r
            })
            .collect();
        library_set(s, i, &library_templates(i)[..1], rows)?;
    }
    Ok(Refs {
        environments,
        groups,
        lifecycles: vec![default_lc],
        feeds,
        accounts: Vec::new(),
        certificates: Vec::new(),
        worker_pools: Vec::new(),
        step_templates: Vec::new(),
        script_modules: Vec::new(),
        library_sets: Vec::new(),
    })
}

/// Users, the custom roles and the teams: four members each, a built-in role scoped to the
/// team's project group in three environments and a custom role in Production.
fn teams(s: &mut Seeder<'_>, c: &LargeCounts, groups: &[String], env: &dyn Fn(&str) -> String) -> ApiResult<()> {
    let mut users = Vec::new();
    for i in 0..c.users {
        let user = ops::create(
            s.store,
            "",
            Kind::User,
            json!({"Username": user_name(i), "DisplayName": format!("User {i:03}")}),
        )?;
        users.push(str_of(&user, "Id").to_string());
    }
    let mut roles = Vec::new();
    for (name, permissions) in USER_ROLES.iter().take(c.user_roles) {
        let role = ops::create(
            s.store,
            "",
            Kind::UserRole,
            json!({"Name": name, "SupportedRestrictions": ["Environments", "Projects"],
                   "GrantedSpacePermissions": permissions}),
        )?;
        roles.push(str_of(&role, "Id").to_string());
    }
    for i in 0..c.teams {
        let members: Vec<&String> = (0..4).map(|m| &users[(i * 2 + m) % users.len()]).collect();
        let team = s.add(
            Kind::Team,
            json!({"Name": team_name(i), "Description": format!("Owns the services of group {i}"), "MemberUserIds": members}),
        )?;
        s.add(
            Kind::ScopedUserRole,
            json!({"TeamId": team, "UserRoleId": "userroles-projectdeployer",
                   "ProjectGroupIds": [groups[i % groups.len()]],
                   "EnvironmentIds": [env("Test"), env("Staging"), env("Production")]}),
        )?;
        s.add(
            Kind::ScopedUserRole,
            json!({"TeamId": team, "UserRoleId": roles[i % roles.len()], "EnvironmentIds": [env("Production")]}),
        )?;
    }
    Ok(())
}

fn tag_set(name: &str, tags: &[&str]) -> Value {
    let colours = ["#1F77B4", "#FF7F0E", "#2CA02C", "#D62728"];
    let tags: Vec<Value> = tags
        .iter()
        .enumerate()
        .map(|(i, t)| json!({"Name": t, "Color": colours[i % colours.len()]}))
        .collect();
    json!({"Name": name, "Tags": tags})
}

pub(super) fn secret(value: &str) -> Value {
    json!({"HasValue": true, "NewValue": value})
}

fn account(i: usize, ty: &str) -> Value {
    let key = secret("large-account-secret");
    let mut a = match ty {
        "UsernamePassword" => json!({"Username": "deploy", "Password": key}),
        "AmazonWebServicesAccount" => json!({"AccessKey": format!("AKIALARGE{i:03}"), "SecretKey": key}),
        "Token" => json!({"Token": key}),
        "AzureServicePrincipal" => {
            json!({"ClientId": "client", "TenantId": "tenant", "SubscriptionNumber": format!("sub-{i}"),
                                          "AzureEnvironment": "AzureCloud", "Password": key})
        }
        _ => json!({"Username": "root", "PrivateKeyFile": key}),
    };
    a["Name"] = json!(format!("Account {i:02}"));
    a["AccountType"] = json!(ty);
    a
}

fn certificate(i: usize) -> Value {
    let data = base64::engine::general_purpose::STANDARD.encode(format!("large-certificate-{i}"));
    json!({"Name": format!("Certificate {i:02}"), "CertificateData": secret(&data)})
}

fn machine_policy(i: usize, interval: &str) -> Value {
    json!({"Name": format!("Policy {i:02}"), "MachineHealthCheckPolicy": {
        "HealthCheckInterval": interval, "HealthCheckType": "RunScript"}})
}

fn worker_pool_name(i: usize) -> String {
    format!("Worker Pool {i:02}")
}

fn user_name(i: usize) -> String {
    format!("user{i:03}")
}

fn team_name(i: usize) -> String {
    format!("Team {i:02}")
}

fn phase_of(name: &str, env: &str) -> Value {
    json!({"Name": name, "AutomaticDeploymentTargets": [], "OptionalDeploymentTargets": [env]})
}
