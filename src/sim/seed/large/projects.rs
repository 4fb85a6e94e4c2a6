//! The large space's projects: on the source each with three channels with version rules, a
//! 12-step deployment process, three runbooks with processes and 60 variables; on the destination
//! a tenth of them, older and with steps and variables of their own, and projects of its own.

use serde_json::{json, Value};

use super::*;

/// The action of the package step, which the channels' version rules name.
const PACKAGE_STEP: &str = "Deploy package";

/// Runbooks of every project: name and whether it runs only in Staging and Production.
const RUNBOOKS: &[(&str, bool)] = &[
    ("Restart Service", true),
    ("Rotate Keys", false),
    ("Clear Cache", false),
];

/// Creates the projects; returns their ids in order.
pub(super) fn source(s: &mut Seeder<'_>, c: &LargeCounts, refs: &Refs) -> ApiResult<Vec<String>> {
    let mut ids = Vec::new();
    for i in 0..c.projects {
        ids.push(project(s, c, refs, i)?);
    }
    Ok(ids)
}

fn project(s: &mut Seeder<'_>, c: &LargeCounts, refs: &Refs, i: usize) -> ApiResult<String> {
    let libs = &refs.library_sets;
    let mut included = vec![libs[i % libs.len()].clone()];
    let second = &libs[(i + 7) % libs.len()];
    if !included.contains(second) {
        included.push(second.clone());
    }
    included.push(refs.script_modules[i % refs.script_modules.len()].clone());
    let id = s.add(
        Kind::Project,
        json!({
            "Name": project_name(i), "Description": format!("Service {i} of group {}", i % refs.groups.len()),
            "ProjectGroupId": refs.groups[i % refs.groups.len()],
            "LifecycleId": refs.lifecycles[i % refs.lifecycles.len()],
            "IncludedLibraryVariableSetIds": included,
            "TenantedDeploymentMode": "TenantedOrUntenanted",
            "Templates": project_templates()
        }),
    )?;
    let hotfix = s.add(
        Kind::Channel,
        json!({"Name": "Hotfix", "ProjectId": id, "LifecycleId": refs.lifecycles[1],
               "Rules": [rule("[1.0,2.0)", "^hotfix")]}),
    )?;
    s.add(
        Kind::Channel,
        json!({"Name": "Preview", "ProjectId": id, "Description": "Pre-releases",
               "Rules": [rule("", "^(preview|beta)")]}),
    )?;
    let process = s.project_part(&id, "DeploymentProcessId");
    let steps: Vec<Value> = (0..c.steps_per_process).map(|k| step(refs, i, k, &hotfix)).collect();
    s.set_process(Kind::DeploymentProcess, &process, json!(steps))?;
    for (r, (name, limited)) in RUNBOOKS.iter().enumerate().take(c.runbooks_per_project) {
        let mut runbook = json!({"Name": name, "ProjectId": id, "Description": format!("{name} of service {i}")});
        if *limited {
            runbook["EnvironmentScope"] = json!("Specified");
            runbook["Environments"] = json!([refs.environment("Staging"), refs.environment("Production")]);
        }
        let runbook = s.add(Kind::Runbook, runbook)?;
        s.set_process(
            Kind::RunbookProcess,
            &format!("RunbookProcess-{runbook}"),
            json!([
                script(
                    &format!("{name}: run"),
                    &format!("Invoke-Runbook {r} -Service {i}"),
                    Some("web")
                ),
                script(&format!("{name}: report"), "Write-Host ok", None),
            ]),
        )?;
    }
    let vars: Vec<Value> = (0..c.variables_per_project)
        .map(|j| variable(refs, i, j, &hotfix))
        .collect();
    let set = s.project_part(&id, "VariableSetId");
    s.set_variables(&set, json!(vars))?;
    Ok(id)
}

/// The project's tenant variable templates: a URL, a secret and a tier.
fn project_templates() -> Value {
    json!([
        {"Name": "Tenant.Url", "Label": "Tenant URL", "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}},
        {"Name": "Tenant.ApiKey", "Label": "Tenant API key", "DisplaySettings": {"Octopus.ControlType": "Sensitive"}},
        {"Name": "Tenant.Tier", "Label": "Service tier", "DefaultValue": "standard",
         "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}}
    ])
}

fn rule(range: &str, tag: &str) -> Value {
    json!({"VersionRange": range, "Tag": tag,
           "ActionPackages": [{"DeploymentAction": PACKAGE_STEP, "PackageReference": ""}]})
}

/// A script step; `role` targets deployment targets, none runs on the server.
fn script(name: &str, body: &str, role: Option<&str>) -> Value {
    let mut step = json!({"Name": name, "Properties": {}, "Actions": [{
        "Name": name, "ActionType": "Octopus.Script",
        "Properties": {"Octopus.Action.Script.ScriptSource": "Inline", "Octopus.Action.Script.Syntax": "PowerShell",
                       "Octopus.Action.Script.ScriptBody": body,
                       "Octopus.Action.RunOnServer": if role.is_some() { "false" } else { "true" }}}]});
    if let Some(role) = role {
        step["Properties"] = json!({"Octopus.Action.TargetRoles": role});
    }
    step
}

/// Step `k` of project `i`'s deployment process: scripts, a package, a step template, a manual
/// intervention, a worker pool, a container, and steps scoped to environments and a channel.
fn step(refs: &Refs, i: usize, k: usize, hotfix: &str) -> Value {
    let body = |what: &str| format!("Write-Host '{what} service {i}'\nInvoke-Task {k}");
    match k {
        0 => script("Check prerequisites", &body("checking"), None),
        1 => script("Stop service", &body("stopping"), Some("web")),
        2 => json!({"Name": PACKAGE_STEP, "Properties": {"Octopus.Action.TargetRoles": "web"}, "Actions": [{
            "Name": PACKAGE_STEP, "ActionType": "Octopus.TentaclePackage",
            "Packages": [{"Name": "", "PackageId": format!("Service{i}"), "FeedId": "feeds-builtin",
                          "AcquisitionLocation": "Server", "Properties": {}}],
            "Properties": {"Octopus.Action.Package.PackageId": format!("Service{i}"),
                           "Octopus.Action.Package.FeedId": "feeds-builtin",
                           "Octopus.Action.EnabledFeatures": "Octopus.Features.ConfigurationVariables"}}]}),
        3 => {
            let (template, version) = &refs.step_templates[i % refs.step_templates.len()];
            json!({"Name": "Configure service", "Actions": [{"Name": "Configure service", "ActionType": "Octopus.Script",
                "Properties": {"Octopus.Action.Template.Id": template, "Octopus.Action.Template.Version": version,
                    "Octopus.Action.Script.Syntax": "PowerShell", "Octopus.Action.Script.ScriptBody": "Start-Service app",
                    "Octopus.Action.RunOnServer": "true", "Service.Name": format!("service-{i}"),
                    "Service.Password": {"HasValue": true, "NewValue": format!("service-password-{i}")}}}]})
        }
        4 => {
            json!({"Name": "Approve production", "Actions": [{"Name": "Approve production", "ActionType": "Octopus.Manual",
            "Environments": [refs.environment("Production")],
            "Properties": {"Octopus.Action.Manual.Instructions": "Check the staging results",
                           "Octopus.Action.Manual.ResponsibleTeamIds": "teams-managers",
                           "Octopus.Action.RunOnServer": "false"}}]})
        }
        5 => {
            let mut s = script("Run migrations", &body("migrating"), None);
            s["Actions"][0]["WorkerPoolId"] = json!(refs.worker_pools[i % refs.worker_pools.len()]);
            s
        }
        6 => script("Start service", &body("starting"), Some("web")),
        7 => {
            let mut s = script("Smoke test", &body("testing"), None);
            s["Actions"][0]["Environments"] = json!([refs.environment("Test"), refs.environment("Staging")]);
            s
        }
        8 => {
            let mut s = script("Hotfix notice", &body("announcing the hotfix of"), None);
            s["Actions"][0]["Channels"] = json!([hotfix]);
            s
        }
        9 => {
            let mut s = script("Deploy container", &body("deploying the container of"), None);
            s["Actions"][0]["Container"] = json!({"Image": "octopusdeploy/worker-tools:ubuntu.22.04",
                                                  "FeedId": refs.feed("Docker Hub")});
            s
        }
        10 => script("Warm cache", &body("warming"), Some("web")),
        _ => script(&format!("Notify {k:02}"), &body("announcing"), None),
    }
}

/// Variable `j` of project `i`: three typed (an account, a certificate, a worker pool), two
/// prompted, a tenth sensitive, others scoped to an environment, the hotfix channel, a role or a
/// tenant tag.
fn variable(refs: &Refs, i: usize, j: usize, hotfix: &str) -> Value {
    let name = format!("App.Setting.{j:02}");
    let value = format!("value {i}.{j}");
    let main = ["Development", "Test", "Staging", "Production"];
    match j {
        0 => {
            let aws = refs
                .accounts
                .iter()
                .filter(|(_, ty)| *ty == "AmazonWebServicesAccount")
                .nth(i % 4)
                .or_else(|| refs.accounts.iter().find(|(_, ty)| *ty == "AmazonWebServicesAccount"));
            json!({"Name": "AWS.Account", "Type": "AmazonWebServicesAccount", "Value": aws.map(|a| a.0.clone())})
        }
        1 => json!({"Name": "Tls.Certificate", "Type": "Certificate",
                    "Value": refs.certificates[i % refs.certificates.len()]}),
        2 => json!({"Name": "Build.Pool", "Type": "WorkerPool",
                    "Value": refs.worker_pools[i % refs.worker_pools.len()]}),
        3 => json!({"Name": "Release.Reason", "Value": "",
                    "Prompt": {"Label": "Why this release?", "Required": true}}),
        4 => json!({"Name": "Maintenance.Window", "Value": "none",
                    "Prompt": {"Label": "Maintenance window", "Description": "When users are told", "Required": false},
                    "Scope": {"Environment": [refs.environment("Production")]}}),
        _ if j % 10 == 5 => json!({"Name": name, "Type": "Sensitive", "Value": format!("project-secret-{i}-{j}")}),
        _ if j % 6 == 0 => json!({"Name": name, "Value": value,
                                  "Scope": {"Environment": [refs.environment(main[(i + j) % main.len()])]}}),
        _ if j % 9 == 7 => json!({"Name": name, "Value": value, "Scope": {"Channel": [hotfix]}}),
        _ if j % 11 == 8 => json!({"Name": name, "Value": value, "Scope": {"Role": ["web"]}}),
        _ if j % 13 == 9 => json!({"Name": name, "Value": value, "Scope": {"TenantTag": ["Tier/Gold"]}}),
        _ => json!({"Name": name, "Value": value}),
    }
}

/// A tenth of the source's projects, older and with a step and a variable of their own, and
/// destination-only projects in the Operations group.
pub(super) fn destination(s: &mut Seeder<'_>, c: &LargeCounts, refs: &Refs) -> ApiResult<()> {
    let lifecycle = refs.lifecycles[0].clone();
    for i in (0..c.projects).step_by(10) {
        let group_name = group_name(i % c.project_groups);
        let mut group = s.id_of(Kind::ProjectGroup, &group_name);
        if group.is_empty() {
            group = s.add(Kind::ProjectGroup, json!({"Name": group_name}))?;
        }
        let id = s.add(
            Kind::Project,
            json!({"Name": project_name(i), "ProjectGroupId": group, "LifecycleId": lifecycle,
                   "Description": "Deployed by hand until now"}),
        )?;
        let process = s.project_part(&id, "DeploymentProcessId");
        s.set_process(
            Kind::DeploymentProcess,
            &process,
            json!([
                script("Check prerequisites", "Write-Host 'older'", None),
                script("Local check", "Test-Path D:/services", Some("web")),
                script("Stop service", "Write-Host 'older'", Some("web")),
            ]),
        )?;
        let set = s.project_part(&id, "VariableSetId");
        s.set_variables(
            &set,
            json!([
                {"Name": "App.Setting.01", "Value": "the destination's own"},
                {"Name": "Local.Only", "Value": "kept", "Scope": {"Environment": [refs.environment("Production")]}}
            ]),
        )?;
    }
    for k in 0..destination_only_projects(c) {
        let id = s.add(
            Kind::Project,
            json!({"Name": format!("Ops Tool {k:02}"), "ProjectGroupId": refs.groups[0], "LifecycleId": lifecycle}),
        )?;
        let process = s.project_part(&id, "DeploymentProcessId");
        s.set_process(
            Kind::DeploymentProcess,
            &process,
            json!([script("Publish", "./publish.sh", Some("web"))]),
        )?;
    }
    Ok(())
}

/// Projects only the destination has: one for every 60 of the source's.
pub(super) fn destination_only_projects(c: &LargeCounts) -> usize {
    c.projects.div_ceil(60)
}
