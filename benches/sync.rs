//! `cargo bench --bench sync`: plan, apply and no-op re-run of a large space between two simulated
//! instances with network latency, printing times, request counts and peak memory against the targets.
//!
//! Figures, never assertions: these machines are shared and noisy. Under `cargo test --all-targets`
//! (no `--bench` argument) it only checks that it still builds.

use base64::Engine;
use octosync::octolog::{Flavor, TaskLog};
use octosync::sim::{Seed, SimConfig, SimServer};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const ENVIRONMENTS: usize = 400;
const PROJECT_GROUPS: usize = 300;
const TAG_SETS: usize = 150;
const TAGS_PER_SET: usize = 8;
const LIFECYCLES: usize = 300;
const FEEDS: usize = 20;
const MACHINE_POLICIES: usize = 5;
const WORKER_POOLS: usize = 10;
const STEP_TEMPLATES: usize = 30;
const SCRIPT_MODULES: usize = 10;
const LIBRARY_VARIABLE_SETS: usize = 40;
const VARIABLES_PER_SET: usize = 30;
const TEAMS: usize = 15;
const ACCOUNTS: usize = 40;
const CERTIFICATES: usize = 10;
const PROJECTS: usize = 20;
const STEPS_PER_PROCESS: usize = 12;
const RUNBOOKS_PER_PROJECT: usize = 3;
const VARIABLES_PER_PROJECT: usize = 20;
const TENANTS: usize = 100;
const LATENCY: Duration = Duration::from_millis(5);

/// Targets for the space above at 5 ms per request.
const TARGET_PLAN: Duration = Duration::from_secs(3);
const TARGET_APPLY: Duration = Duration::from_secs(15);
const TARGET_NOOP: Duration = Duration::from_secs(3);
const TARGET_PEAK_MIB: u64 = 200;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("sync benchmark: run with `cargo bench --bench sync`");
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(bench());
}

async fn bench() {
    let cfg = |key: &str, seed| SimConfig {
        api_key: key.into(),
        seed,
        // Seeding goes straight into the store; only HTTP requests pay the latency.
        latency: LATENCY,
        ..SimConfig::default()
    };
    let source = SimServer::start(cfg("API-BENCHSOURCE000000000000000001", Seed::Empty))
        .await
        .expect("source");
    let dest = SimServer::start(cfg("API-BENCHDESTINATION0000000000002", Seed::Empty))
        .await
        .expect("dest");
    let s = source.space_id("Default").expect("space");
    let d = dest.space_id("Default").expect("space");
    let mut env_ids = Vec::new();
    for i in 0..ENVIRONMENTS {
        let e = source
            .insert(&s, "environments", json!({"Name": format!("Env {i:04}")}))
            .expect("env");
        env_ids.push(e["Id"].as_str().unwrap_or_default().to_string());
        // Half the environments already exist on the destination.
        if i % 2 == 0 {
            dest.insert(&d, "environments", json!({"Name": format!("Env {i:04}")}))
                .expect("env");
        }
    }
    let mut group_ids = Vec::new();
    for i in 0..PROJECT_GROUPS {
        let g = source
            .insert(&s, "projectgroups", json!({"Name": format!("Group {i:04}")}))
            .expect("group");
        group_ids.push(g["Id"].clone());
    }
    for i in 0..TAG_SETS {
        let tags: Vec<_> = (0..TAGS_PER_SET)
            .map(|t| json!({"Name": format!("Tag {t}"), "Color": "#123456"}))
            .collect();
        source
            .insert(&s, "tagsets", json!({"Name": format!("Set {i:04}"), "Tags": tags}))
            .expect("tagset");
    }
    // Feeds of several types, a quarter with credentials (their passwords become clean-up entries),
    // a quarter already on the destination.
    let feed_types = ["NuGet", "Docker", "Maven", "Helm", "GitHub"];
    for i in 0..FEEDS {
        let mut feed = json!({"Name": format!("Feed {i:04}"), "FeedType": feed_types[i % feed_types.len()],
                              "FeedUri": format!("https://feeds.example.com/{i}")});
        if i % 4 == 1 {
            feed["Username"] = json!("deployer");
            feed["Password"] = json!({"HasValue": true, "NewValue": "bench-feed-password"});
        }
        source.insert(&s, "feeds", feed.clone()).expect("feed");
        if i % 4 == 0 {
            dest.insert(&d, "feeds", feed).expect("feed");
        }
    }
    let mut lifecycle_ids = Vec::new();
    for i in 0..LIFECYCLES {
        let phases: Vec<_> = (0..3)
            .map(|p| {
                let env = &env_ids[(i * 3 + p) % ENVIRONMENTS];
                json!({"Name": format!("Phase {p}"), "AutomaticDeploymentTargets": [env], "OptionalDeploymentTargets": []})
            })
            .collect();
        let lc = source
            .insert(
                &s,
                "lifecycles",
                json!({"Name": format!("Lifecycle {i:04}"), "Phases": phases}),
            )
            .expect("lc");
        lifecycle_ids.push(lc["Id"].clone());
    }
    for i in 0..MACHINE_POLICIES {
        let policy = json!({"Name": format!("Policy {i:02}"), "MachineHealthCheckPolicy": {"HealthCheckInterval": "00:15:00", "HealthCheckType": "RunScript"}});
        source.insert(&s, "machinepolicies", policy.clone()).expect("policy");
        // One already exists on the destination, with its own details.
        if i == 0 {
            dest.insert(&d, "machinepolicies", policy).expect("policy");
        }
    }
    for i in 0..WORKER_POOLS {
        let pool = json!({"Name": format!("Pool {i:02}")});
        source.insert(&s, "workerpools", pool.clone()).expect("pool");
        if i < 2 {
            dest.insert(&d, "workerpools", pool).expect("pool");
        }
    }
    // Accounts of five types scoped to two environments, every secret a placeholder or a clean-up
    // entry, a quarter already on the destination.
    let secret = json!({"HasValue": true, "NewValue": "bench-account-secret"});
    for i in 0..ACCOUNTS {
        let mut account = match i % 5 {
            0 => json!({"AccountType": "UsernamePassword", "Username": "deploy", "Password": secret}),
            1 => json!({"AccountType": "Token", "Token": secret}),
            2 => json!({"AccountType": "AmazonWebServicesAccount", "AccessKey": "AKIABENCH", "SecretKey": secret}),
            3 => {
                json!({"AccountType": "AzureServicePrincipal", "ClientId": "c", "TenantId": "t", "SubscriptionNumber": "s", "Password": secret})
            }
            _ => json!({"AccountType": "SshKeyPair", "Username": "root", "PrivateKeyFile": secret}),
        };
        account["Name"] = json!(format!("Account {i:04}"));
        account["EnvironmentIds"] = json!([env_ids[i % ENVIRONMENTS], env_ids[(i + 1) % ENVIRONMENTS]]);
        source.insert(&s, "accounts", account.clone()).expect("account");
        if i % 4 == 0 {
            account["EnvironmentIds"] = json!([]);
            dest.insert(&d, "accounts", account).expect("account");
        }
    }
    // Certificates scoped to two environments, half already on the destination with the same data
    // (the same thumbprint); the rest are uploaded from the source's export.
    for i in 0..CERTIFICATES {
        let data = base64::engine::general_purpose::STANDARD.encode(format!("bench-certificate-{i}"));
        let mut cert = json!({"Name": format!("Certificate {i:02}"),
            "CertificateData": {"HasValue": true, "NewValue": data}});
        cert["EnvironmentIds"] = json!([env_ids[i % ENVIRONMENTS], env_ids[(i + 1) % ENVIRONMENTS]]);
        source.insert(&s, "certificates", cert.clone()).expect("certificate");
        if i % 2 == 0 {
            cert["EnvironmentIds"] = json!([]);
            dest.insert(&d, "certificates", cert).expect("certificate");
        }
    }
    let mut templates = Vec::new();
    for i in 0..STEP_TEMPLATES {
        let template = |script: &str| {
            json!({
                "Name": format!("Template {i:04}"), "ActionType": "Octopus.Script",
                "Description": "Deploys one service",
                "Packages": [{"Name": "app", "PackageId": format!("Service{i}"), "FeedId": "feeds-builtin", "AcquisitionLocation": "Server"}],
                "Properties": {"Octopus.Action.Script.Syntax": "PowerShell", "Octopus.Action.Script.ScriptBody": script},
                "Parameters": [
                    {"Name": "Service.Name", "Label": "Service", "DefaultValue": format!("service-{i}"), "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}},
                    {"Name": "Service.Password", "Label": "Password", "DefaultValue": {"HasValue": true, "NewValue": "bench-secret"}, "DisplaySettings": {"Octopus.ControlType": "Sensitive"}}
                ]
            })
        };
        let script = format!(
            "Stop-Service service-{i}\nCopy-Item app C:/services/{i}\nStart-Service service-{i}\nWrite-Host done"
        );
        let created = source
            .insert(&s, "actiontemplates", template(&script))
            .expect("step template");
        templates.push((created["Id"].clone(), created["Version"].to_string()));
        // Half have a logo of their own (a PNG of their own colour); the rest show the default.
        if i % 2 == 0 {
            let logo = octosync::sim::solid_png([i as u8 * 8, 100, 255 - i as u8 * 8, 255]);
            source
                .set_logo(&s, "actiontemplates", created["Id"].as_str().unwrap_or_default(), &logo)
                .expect("logo");
        }
        // A third already exist on the destination, with an older script.
        if i % 3 == 0 {
            dest.insert(&d, "actiontemplates", template(&script.replace("C:/", "D:/")))
                .expect("step template");
        }
    }
    // Script modules in four syntaxes; a third already exist on the destination, with an older body.
    let syntaxes = ["PowerShell", "Bash", "Python", "CSharp"];
    for i in 0..SCRIPT_MODULES {
        let name = format!("Module {i:02}");
        let body = format!("# helpers of service {i}\n{}\n", "log('step')\n".repeat(20));
        let module = |sim: &SimServer, space: &str, body: &str| {
            let m = sim
                .insert(
                    space,
                    "libraryvariablesets",
                    json!({"Name": name, "ContentType": "ScriptModule", "Description": "Shared helpers"}),
                )
                .expect("script module");
            let vars = json!({"Version": 0, "Variables": [
                {"Name": format!("Octopus.Script.Module[{name}]"), "Value": body},
                {"Name": format!("Octopus.Script.Module.Language[{name}]"), "Value": syntaxes[i % syntaxes.len()]}
            ]});
            sim.update(
                space,
                "variables",
                m["VariableSetId"].as_str().unwrap_or_default(),
                vars,
            )
            .expect("script module body");
        };
        module(&source, &s, &body);
        if i % 3 == 0 {
            module(&dest, &d, &body.replace("step", "old step"));
        }
    }
    // Library variable sets of 30 variables (a fifth scoped to an environment, a tenth sensitive),
    // half already on the destination with some of the same rows and one other value.
    for i in 0..LIBRARY_VARIABLE_SETS {
        let name = format!("Library Set {i:02}");
        let row = |j: usize| {
            let mut r = json!({"Name": format!("Setting.{j:02}"), "Value": format!("value {i}.{j}")});
            if j % 5 == 0 {
                r["Scope"] = json!({"Environment": [env_ids[(i + j) % ENVIRONMENTS]]});
            }
            if j % 10 == 3 {
                r["Type"] = json!("Sensitive");
                r["IsSensitive"] = json!(true);
            }
            r
        };
        let add = |sim: &SimServer, space: &str, rows: Vec<Value>| {
            let set = sim
                .insert(
                    space,
                    "libraryvariablesets",
                    json!({"Name": name, "ContentType": "Variables"}),
                )
                .expect("library variable set");
            let vs = set["VariableSetId"].as_str().unwrap_or_default();
            sim.update(space, "variables", vs, json!({"Version": 0, "Variables": rows}))
                .expect("library variables");
        };
        add(&source, &s, (0..VARIABLES_PER_SET).map(row).collect());
        if i % 2 == 0 {
            let own: Vec<Value> = (0..10)
                .filter(|j| j % 5 != 0 && j % 10 != 3)
                .map(|j| {
                    let mut r = row(j);
                    if j == 1 {
                        r["Value"] = json!("the destination's own");
                    }
                    r
                })
                .collect();
            add(&dest, &d, own);
        }
    }
    // Teams of four members each (users 0..40, the destination has the even ones), each with a
    // built-in role and one of three custom roles; a fifth of the teams already exist.
    let mut src_users = Vec::new();
    for i in 0..40 {
        let user = json!({"Username": format!("user{i:02}")});
        src_users.push(source.insert("", "users", user.clone()).expect("user")["Id"].clone());
        if i % 2 == 0 {
            dest.insert("", "users", user).expect("user");
        }
    }
    let roles: Vec<_> = (0..3)
        .map(|i| {
            source
                .insert(
                    "",
                    "userroles",
                    json!({"Name": format!("Custom role {i}"), "GrantedSpacePermissions": ["ProjectView"]}),
                )
                .expect("role")["Id"]
                .clone()
        })
        .collect();
    for i in 0..TEAMS {
        let members: Vec<_> = (0..4).map(|m| src_users[(i * 4 + m) % 40].clone()).collect();
        let team = source
            .insert(
                &s,
                "teams",
                json!({"Name": format!("Team {i:02}"), "MemberUserIds": members}),
            )
            .expect("team");
        for role in [json!("userroles-projectdeployer"), roles[i % 3].clone()] {
            source
                .insert(&s, "scopeduserroles", json!({"TeamId": team["Id"], "UserRoleId": role}))
                .expect("scoped role");
        }
        if i % 5 == 0 {
            dest.insert(&d, "teams", json!({"Name": format!("Team {i:02}")}))
                .expect("team");
        }
    }
    projects(&source, &s, &dest, &d, &group_ids, &lifecycle_ids, &templates, &env_ids);
    tenants(&source, &s, &dest, &d, &env_ids).await;
    let items = ENVIRONMENTS
        + PROJECT_GROUPS
        + TAG_SETS
        + FEEDS
        + MACHINE_POLICIES
        + WORKER_POOLS
        + ACCOUNTS
        + CERTIFICATES
        + STEP_TEMPLATES
        + SCRIPT_MODULES
        + LIBRARY_VARIABLE_SETS
        + TEAMS
        + LIFECYCLES
        + PROJECTS * (1 + 3 + RUNBOOKS_PER_PROJECT)
        + TENANTS;
    println!(
        "space: {items} items ({ENVIRONMENTS} environments, {PROJECT_GROUPS} project groups, {TAG_SETS} tag sets x {TAGS_PER_SET} tags, {FEEDS} external feeds, {MACHINE_POLICIES} machine policies, {WORKER_POOLS} worker pools, {ACCOUNTS} accounts, {CERTIFICATES} certificates, {STEP_TEMPLATES} step templates (half with a logo of their own), {SCRIPT_MODULES} script modules, {LIBRARY_VARIABLE_SETS} library variable sets x {VARIABLES_PER_SET} variables, {TEAMS} teams using 3 custom user roles, {LIFECYCLES} lifecycles x 3 phases, {PROJECTS} projects each with a {STEPS_PER_PROCESS}-step process, 3 channels, {RUNBOOKS_PER_PROJECT} runbooks with processes and {VARIABLES_PER_PROJECT} variables, {TENANTS} tenants each connected to 2 projects in 3 environments with 8 variable values), {} ms latency per request",
        LATENCY.as_millis()
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let mut figures = Vec::new();
    for (label, mode, target) in [
        ("plan", "plan", TARGET_PLAN),
        ("apply", "apply", TARGET_APPLY),
        ("no-op re-run", "apply", TARGET_NOOP),
    ] {
        let mut vars = octosync::demo::connection_settings(&source, &dest);
        vars.extend(
            [
                ("OCTOSYNC_MODE", mode),
                ("OCTOSYNC_REPORT_DIR", &dir.path().display().to_string()),
                ("OCTOSYNC_ENVIRONMENTS", "all"),
                ("OCTOSYNC_PROJECT_GROUPS", "all"),
                ("OCTOSYNC_TENANT_TAG_SETS", "all"),
                ("OCTOSYNC_FEEDS", "all"),
                ("OCTOSYNC_MACHINE_POLICIES", "all"),
                ("OCTOSYNC_WORKER_POOLS", "all"),
                ("OCTOSYNC_ACCOUNTS", "all"),
                ("OCTOSYNC_CERTIFICATES", "all"),
                ("OCTOSYNC_STEP_TEMPLATES", "all"),
                ("OCTOSYNC_SCRIPT_MODULES", "all"),
                ("OCTOSYNC_LIBRARY_VARIABLE_SETS", "all"),
                ("OCTOSYNC_TEAMS", "all"),
                ("OCTOSYNC_CREATE_USER_ROLES", "True"),
                ("OCTOSYNC_LIFECYCLES", "all"),
                ("OCTOSYNC_PROJECTS", "all"),
                ("OCTOSYNC_TENANTS", "all"),
                ("OCTOSYNC_TEAM_PERMISSIONS", "True"),
                ("OCTOSYNC_TENANT_VARIABLES", "Copy"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        let job = octosync::settings::from_vars(vars).expect("settings");
        let log = TaskLog::with_writers(
            Flavor::Plain,
            false,
            Box::new(std::io::sink()),
            Box::new(std::io::sink()),
        );
        let started = Instant::now();
        let report = octosync::engine::run(&job, &log).await.expect("run");
        octosync::engine::publish(&report, &job, &log).expect("publish");
        let took = started.elapsed();
        let dest_req = &report.requests["destination"];
        let src_req = &report.requests["source"];
        println!(
            "{label:>13}: {:>7.2} s (target {:>5.1} s) {}  {}  | requests: source {} GET, destination {} GET / {} POST / {} PUT",
            took.as_secs_f64(),
            target.as_secs_f64(),
            if took <= target { "ok  " } else { "SLOW" },
            report.summary_line(),
            src_req.count("GET"),
            dest_req.count("GET"),
            dest_req.count("POST"),
            dest_req.count("PUT"),
        );
        figures.push(took);
    }
    let peak = peak_rss_mib();
    println!(
        "  peak memory: {} (target {TARGET_PEAK_MIB} MiB, includes both simulators) {}",
        peak.map(|m| format!("{m} MiB")).unwrap_or_else(|| "unknown".into()),
        match peak {
            Some(m) if m <= TARGET_PEAK_MIB => "ok",
            Some(_) => "OVER",
            None => "",
        }
    );
}

/// Tenants on the source, each connected to two projects in three environments (one of which the
/// destination lacks), with a URL per environment and a password (through the legacy document, by
/// HTTP like an administrator); a fifth already exist on the destination, connected to nothing.
async fn tenants(source: &SimServer, s: &str, dest: &SimServer, d: &str, envs: &[String]) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let projects = source.items(s, "projects");
    for i in 0..TENANTS {
        let name = format!("Tenant {i:03}");
        let connected: Vec<&Value> = [i % PROJECTS, (i + 7) % PROJECTS]
            .iter()
            .map(|&p| &projects[p])
            .collect();
        // Even environments exist on both sides, odd ones on the source only.
        let tenant_envs = [&envs[0], &envs[2], &envs[1]];
        let links: serde_json::Map<String, Value> = connected
            .iter()
            .map(|p| (p["Id"].as_str().unwrap_or_default().to_string(), json!(tenant_envs)))
            .collect();
        let tenant = source
            .insert(s, "tenants", json!({"Name": name, "ProjectEnvironments": links}))
            .expect("tenant");
        if i % 5 == 0 {
            dest.insert(d, "tenants", json!({"Name": name})).expect("tenant");
        }
        let template = |p: &Value, n: &str| {
            p["Templates"]
                .as_array()
                .and_then(|ts| ts.iter().find(|t| t["Name"] == n))
                .map(|t| t["Id"].as_str().unwrap_or_default().to_string())
                .unwrap_or_default()
        };
        let mut sections = serde_json::Map::new();
        for p in &connected {
            let mut per_env = serde_json::Map::new();
            for (e, env) in tenant_envs.iter().enumerate() {
                let mut values = json!({template(p, "Url"): format!("https://tenant-{i}-{e}.example.com")});
                if e == 0 {
                    values[template(p, "Password")] = json!({"HasValue": true, "NewValue": "bench-tenant-secret"});
                }
                per_env.insert(env.to_string(), values);
            }
            sections.insert(
                p["Id"].as_str().unwrap_or_default().to_string(),
                json!({"Variables": per_env}),
            );
        }
        let url = format!(
            "{}/api/{s}/tenants/{}/variables",
            source.url(),
            tenant["Id"].as_str().unwrap_or_default()
        );
        let answer = http
            .put(url)
            .header("X-Octopus-ApiKey", source.api_key())
            .json(&json!({"ProjectVariables": sections}))
            .send()
            .await
            .expect("tenant variables");
        assert!(answer.status().is_success(), "tenant variables: {}", answer.status());
    }
}

/// Projects on the source, each with a process of scripts, a package step, a step template and a
/// manual intervention (some steps scoped to an environment or a channel), 3 channels, runbooks
/// with processes and variables; a fifth already exist on the destination with an older script
/// and a step of their own.
#[allow(clippy::too_many_arguments)]
fn projects(
    source: &SimServer,
    s: &str,
    dest: &SimServer,
    d: &str,
    groups: &[Value],
    lifecycles: &[Value],
    templates: &[(Value, String)],
    envs: &[String],
) -> Vec<Value> {
    let mut ids = Vec::new();
    let script = |name: &str, body: &str| {
        json!({"Name": name, "Properties": {"Octopus.Action.TargetRoles": "web"}, "Actions": [{
            "Name": name, "ActionType": "Octopus.Script",
            "Properties": {"Octopus.Action.Script.ScriptSource": "Inline", "Octopus.Action.Script.Syntax": "PowerShell",
                           "Octopus.Action.Script.ScriptBody": body, "Octopus.Action.RunOnServer": "true"}}]})
    };
    let set_steps = |sim: &SimServer, space: &str, collection: &str, id: &str, steps: Vec<Value>| {
        let mut process = sim
            .items(space, collection)
            .into_iter()
            .find(|x| x["Id"] == id)
            .expect("process");
        process["Steps"] = json!(steps);
        sim.update(space, collection, id, process).expect("process");
    };
    for i in 0..PROJECTS {
        let name = format!("Project {i:03}");
        let project = source
            .insert(
                s,
                "projects",
                json!({"Name": name, "ProjectGroupId": groups[i % groups.len()], "LifecycleId": lifecycles[i % lifecycles.len()],
                       "Templates": [{"Name": "Url", "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}},
                                     {"Name": "Password", "DisplaySettings": {"Octopus.ControlType": "Sensitive"}}]}),
            )
            .expect("project");
        let pid = project["Id"].clone();
        ids.push(pid.clone());
        let channels: Vec<Value> = ["Hotfix", "Beta"]
            .iter()
            .map(|c| {
                source
                    .insert(s, "channels", json!({"Name": c, "ProjectId": pid}))
                    .expect("channel")["Id"]
                    .clone()
            })
            .collect();
        let (template, version) = &templates[i % templates.len()];
        let mut steps: Vec<Value> = Vec::new();
        for k in 0..STEPS_PER_PROCESS {
            let step_name = format!("Step {k:02}");
            let mut step = match k {
                2 => json!({"Name": step_name, "Properties": {"Octopus.Action.TargetRoles": "web"}, "Actions": [{
                    "Name": step_name, "ActionType": "Octopus.TentaclePackage",
                    "Packages": [{"Name": "", "PackageId": format!("Service{i}"), "FeedId": "feeds-builtin", "AcquisitionLocation": "Server", "Properties": {}}],
                    "Properties": {"Octopus.Action.Package.PackageId": format!("Service{i}"), "Octopus.Action.Package.FeedId": "feeds-builtin"}}]}),
                3 => json!({"Name": step_name, "Actions": [{"Name": step_name, "ActionType": "Octopus.Script",
                    "Properties": {"Octopus.Action.Template.Id": template, "Octopus.Action.Template.Version": version,
                        "Octopus.Action.Script.Syntax": "PowerShell", "Octopus.Action.Script.ScriptBody": "Start-Service app",
                        "Service.Name": format!("service-{i}"), "Octopus.Action.RunOnServer": "true"}}]}),
                4 => json!({"Name": step_name, "Actions": [{"Name": step_name, "ActionType": "Octopus.Manual",
                    "Properties": {"Octopus.Action.Manual.Instructions": "Approve", "Octopus.Action.RunOnServer": "false"}}]}),
                _ => script(
                    &step_name,
                    &format!("Write-Host 'step {k} of project {i}'\nInvoke-Task {k}"),
                ),
            };
            if k == 5 {
                step["Actions"][0]["Environments"] = json!([envs[i % envs.len()]]);
            }
            if k == 6 {
                step["Actions"][0]["Channels"] = json!([channels[0]]);
            }
            steps.push(step);
        }
        set_steps(
            source,
            s,
            "deploymentprocesses",
            project["DeploymentProcessId"].as_str().unwrap_or_default(),
            steps.clone(),
        );
        for r in 0..RUNBOOKS_PER_PROJECT {
            let runbook = source
                .insert(s, "runbooks", json!({"Name": format!("Runbook {r}"), "ProjectId": pid}))
                .expect("runbook");
            set_steps(
                source,
                s,
                "runbookProcesses",
                runbook["RunbookProcessId"].as_str().unwrap_or_default(),
                vec![
                    script("Run", &format!("Invoke-Runbook {r}")),
                    script("Report", "Write-Host ok"),
                ],
            );
        }
        let rows: Vec<Value> = (0..VARIABLES_PER_PROJECT)
            .map(|j| {
                let mut r = json!({"Name": format!("Project.Setting.{j:02}"), "Value": format!("value {i}.{j}")});
                if j % 4 == 0 {
                    r["Scope"] = json!({"Environment": [envs[(i + j) % envs.len()]]});
                }
                if j % 7 == 1 {
                    r["Scope"] = json!({"Channel": [channels[1]]});
                }
                r
            })
            .collect();
        let vs = project["VariableSetId"].as_str().unwrap_or_default();
        source
            .update(s, "variables", vs, json!({"Version": 0, "Variables": rows}))
            .expect("project variables");
        // A fifth exist on the destination: an older script and a step of the destination's own.
        if i % 5 == 0 {
            let group = dest
                .insert(
                    d,
                    "projectgroups",
                    json!({"Name": format!("Group {:04}", i % groups.len())}),
                )
                .expect("group");
            let lifecycle = dest
                .insert(
                    d,
                    "lifecycles",
                    json!({"Name": format!("Lifecycle {:04}", i % lifecycles.len())}),
                )
                .expect("lifecycle");
            let own = dest
                .insert(
                    d,
                    "projects",
                    json!({"Name": name, "ProjectGroupId": group["Id"], "LifecycleId": lifecycle["Id"]}),
                )
                .expect("project");
            let mut own_steps = vec![
                script("Step 00", "Write-Host 'older'"),
                script("Local check", "Test-Path C:/app"),
            ];
            own_steps.extend(steps.iter().skip(7).map(|st| {
                let mut st = st.clone();
                st["Actions"][0]["Properties"]["Octopus.Action.Script.ScriptBody"] = json!("Write-Host 'older'");
                st
            }));
            set_steps(
                dest,
                d,
                "deploymentprocesses",
                own["DeploymentProcessId"].as_str().unwrap_or_default(),
                own_steps,
            );
        }
    }
    ids
}

/// Peak resident set size of this process (Linux `VmHWM`).
fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}
