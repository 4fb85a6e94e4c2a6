//! The demo instances: a Dev/Test source and a Staging/Production destination that already has part of
//! its scaffolding, each with an item of every kind octosync syncs.

use serde_json::json;

use super::*;

pub(super) fn demo_source(store: &mut Store, space: &str) -> ApiResult<()> {
    let mut s = Seeder {
        store,
        space: space.to_string(),
    };
    let dev = s.add(
        Kind::Environment,
        json!({"Name": "Development", "Description": "Developers' playground"}),
    )?;
    let test = s.add(Kind::Environment, json!({"Name": "Test", "UseGuidedFailure": true}))?;
    let shared = s.add(Kind::Environment, json!({"Name": "Shared Services"}))?;
    let payments = s.add(
        Kind::ProjectGroup,
        json!({"Name": "Payments", "Description": "Payment services"}),
    )?;
    let web = s.add(Kind::ProjectGroup, json!({"Name": "Web"}))?;
    s.add(
        Kind::TagSet,
        json!({"Name": "Region", "Tags": [{"Name": "EU", "Color": "#1F77B4"}, {"Name": "US", "Color": "#FF7F0E"}]}),
    )?;
    s.add(
        Kind::TagSet,
        json!({"Name": "Tier", "Tags": [{"Name": "Gold", "Color": "#FFD700"}, {"Name": "Silver", "Color": "#C0C0C0"}]}),
    )?;

    let default_lc = s.id_of(Kind::Lifecycle, "Default Lifecycle");
    s.modify(Kind::Lifecycle, &default_lc, |d| {
        d["Phases"] = json!([phase("Development", &[&dev]), phase("Test", &[&test])]);
    })?;
    let hotfix = s.add(
        Kind::Lifecycle,
        json!({"Name": "Hotfix", "Phases": [phase("Test", &[&test])]}),
    )?;
    let dev_only = s.add(
        Kind::Lifecycle,
        json!({
            "Name": "Dev only", "Phases": [phase("Development", &[&dev])],
            "ReleaseRetentionPolicy": {"Unit": "Days", "QuantityToKeep": 7},
            "TentacleRetentionPolicy": {"Unit": "Items", "QuantityToKeep": 3}
        }),
    )?;
    // Shared with the destination through Shared Services; its Test phase has no counterpart there.
    s.add(
        Kind::Lifecycle,
        json!({"Name": "Platform", "Description": "Shared infrastructure releases",
               "Phases": [phase("Test", &[&test]), phase("Shared Services", &[&shared])]}),
    )?;

    s.add(
        Kind::Feed,
        json!({"Name": "NuGet.org", "FeedType": "NuGet", "FeedUri": "https://api.nuget.org/v3/index.json"}),
    )?;
    let docker = s.add(
        Kind::Feed,
        json!({"Name": "Docker Hub", "FeedType": "Docker", "FeedUri": "https://index.docker.io",
               "Username": "octosync", "Password": {"HasValue": true, "NewValue": "docker-hub-secret"}}),
    )?;
    // Signs in with keys, so the destination's copy needs a placeholder secret key (SpaceCloner
    // refuses ECR feeds altogether).
    s.add(
        Kind::Feed,
        json!({"Name": "Team ECR", "FeedType": "AwsElasticContainerRegistry", "Region": "eu-west-1",
               "AccessKey": "AKIADEMOFEED", "SecretKey": {"HasValue": true, "NewValue": "ecr-demo-secret-key"}}),
    )?;
    // A Helm repository here, an OCI registry of the same name there: never merged, never retyped.
    s.add(
        Kind::Feed,
        json!({"Name": "Charts", "FeedType": "Helm", "FeedUri": "https://charts.example.com"}),
    )?;
    let aws = s.add(
        Kind::Account,
        json!({"Name": "Dev AWS", "AccountType": "AmazonWebServicesAccount", "AccessKey": "AKIADEVDEMO",
               "SecretKey": {"HasValue": true, "NewValue": "dev-aws-secret-key"}, "EnvironmentIds": [dev, test]}),
    )?;
    s.add(Kind::Account, json!({"Name": "Deploy Token", "AccountType": "Token", "Token": {"HasValue": true, "NewValue": "token-secret"}}))?;
    let pool = s.add(
        Kind::WorkerPool,
        json!({"Name": "Ubuntu Workers", "Description": "Linux workers"}),
    )?;
    let fast = s.add(Kind::MachinePolicy, json!({"Name": "Fast Health Check", "MachineHealthCheckPolicy": {
        "PowerShellHealthCheckPolicy": {"RunType": "InheritFromDefault", "ScriptBody": null},
        "BashHealthCheckPolicy": {"RunType": "InheritFromDefault", "ScriptBody": null},
        "HealthCheckInterval": "00:10:00", "HealthCheckCron": null, "HealthCheckCronTimezone": "UTC", "HealthCheckType": "RunScript"}}))?;
    // On both instances, with Dev's own update settings; the destination keeps its own by default.
    s.add(Kind::MachinePolicy, linux_policy("00:15:00", "UpdateAlways", "Update"))?;
    s.add(
        Kind::WorkerPool,
        json!({"Name": "Windows Workers", "Description": "Windows build workers"}),
    )?;
    // As on an Octopus Cloud source: skipped, since only Cloud provides dynamic workers.
    s.add(
        Kind::WorkerPool,
        json!({"Name": "Hosted Ubuntu", "WorkerPoolType": "DynamicWorkerPool", "WorkerType": "UbuntuDefault"}),
    )?;
    // Certificates: one both instances hold (same data, so the same thumbprint), one only the
    // source has (uploaded from its export), one whose file has a password the demo does not give
    // (a clean-up entry) and one scoped only to environments the destination lacks (refused).
    s.add(
        Kind::Certificate,
        json!({"Name": "Shared Services TLS", "CertificateData": {"HasValue": true, "NewValue": "U2hhcmVkU2VydmljZXNUTFM="},
               "EnvironmentIds": [shared]}),
    )?;
    s.add(
        Kind::Certificate,
        json!({"Name": "Internal CA", "Notes": "issues the internal service certificates",
               "CertificateData": {"HasValue": true, "NewValue": "SW50ZXJuYWxDQQ=="}}),
    )?;
    s.add(
        Kind::Certificate,
        json!({"Name": "Code Signing", "CertificateData": {"HasValue": true, "NewValue": "Q29kZVNpZ25pbmdQZng="},
               "Password": {"HasValue": true, "NewValue": "code-signing-pfx-password"}}),
    )?;
    let cert = s.add(
        Kind::Certificate,
        json!({"Name": "Wildcard Dev", "Notes": "*.dev.example.com",
               "CertificateData": {"HasValue": true, "NewValue": "TUlJRGV2RGVtb0NlcnRpZmljYXRl"},
               "Password": {"HasValue": true, "NewValue": "pfx-password"}, "EnvironmentIds": [dev, test]}),
    )?;
    s.add(
        Kind::Machine,
        json!({"Name": "dev-web-01", "EnvironmentIds": [dev], "Roles": ["web"], "MachinePolicyId": fast}),
    )?;
    s.add(
        Kind::Machine,
        json!({"Name": "test-web-01", "EnvironmentIds": [test], "Roles": ["web", "api"]}),
    )?;
    s.add(Kind::Worker, json!({"Name": "dev-worker-01", "WorkerPoolIds": [pool]}))?;

    let slack = s.add(
        Kind::ActionTemplate,
        json!({
            "Name": "Notify Slack", "Description": "Posts a message to a Slack channel.",
            "ActionType": "Octopus.Script",
            "Properties": {
                "Octopus.Action.Script.ScriptSource": "Inline",
                "Octopus.Action.Script.Syntax": "PowerShell",
                "Octopus.Action.Script.ScriptBody": "Invoke-RestMethod -Method Post -Uri $OctopusParameters['Slack.Webhook'] -Body (@{text=$OctopusParameters['Slack.Message']} | ConvertTo-Json)"
            },
            "Parameters": [
                {"Name": "Slack.Webhook", "Label": "Webhook URL", "DisplaySettings": {"Octopus.ControlType": "Sensitive"},
                 "DefaultValue": {"HasValue": true, "NewValue": "https://hooks.slack.example/secret"}},
                {"Name": "Slack.Message", "Label": "Message", "DefaultValue": "Deployed #{Octopus.Project.Name}",
                 "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}},
                // Saved by an older server that did not require a control type.
                {"Name": "Slack.Channel", "Label": "Channel", "DefaultValue": "#deployments"}
            ]
        }),
    )?;
    // Its own logo (Slack's aubergine), which the destination's copy lacks.
    logos::set(
        s.store,
        space,
        Kind::ActionTemplate,
        &slack,
        image::solid_png([74, 21, 75, 255]),
    )?;
    s.add(
        Kind::ActionTemplate,
        json!({
            "Name": "Run Migrations", "Description": "Runs the database migrations of a package.",
            "ActionType": "Octopus.Script",
            "Packages": [{"Name": "migrations", "PackageId": "Payments.Migrations", "FeedId": "feeds-builtin",
                          "AcquisitionLocation": "Server", "Properties": {"Extract": "True", "SelectionMode": "immediate"}},
                         {"Name": "migrator", "PackageId": "octopus/migrator", "FeedId": docker,
                          "AcquisitionLocation": "ExecutionTarget", "Properties": {"Extract": "False", "SelectionMode": "immediate"}}],
            "Properties": {
                "Octopus.Action.Script.ScriptSource": "Inline",
                "Octopus.Action.Script.Syntax": "Bash",
                "Octopus.Action.Script.ScriptBody": "#!/bin/bash\nset -e\ncd \"$(get_octopusvariable 'Octopus.Action.Package[migrations].ExtractedPath')\"\n./migrate up"
            }
        }),
    )?;
    install_community(s.store, space, "HTTP - Test URL")?;
    install_community(s.store, space, "Slack - Send Simple Notification")?;

    let common = s.add(
        Kind::LibraryVariableSet,
        json!({"Name": "Common Settings", "Description": "Shared by every project"}),
    )?;
    let common_set = format!("variableset-{common}");
    s.set_variables(
        &common_set,
        json!([
            {"Name": "Company.Name", "Value": "Contoso"},
            {"Name": "DB.Server", "Value": "dev-sql.contoso.local", "Scope": {"Environment": [dev]}},
            {"Name": "DB.Server", "Value": "test-sql.contoso.local", "Scope": {"Environment": [test]}},
            {"Name": "Shared.ApiKey", "Value": "library-secret", "Type": "Sensitive"}
        ]),
    )?;
    let pay_shared = s.add(
        Kind::LibraryVariableSet,
        json!({"Name": "Payments Shared", "Templates": [
            {"Name": "Tenant.Region.Code", "Label": "Region code", "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}}
        ]}),
    )?;
    s.set_variables(
        &format!("variableset-{pay_shared}"),
        json!([
            {"Name": "Payments.Gateway", "Value": "https://pay-test.contoso.com"},
            {"Name": "Payments.Currency", "Value": "EUR"}
        ]),
    )?;
    let module = s.add(
        Kind::LibraryVariableSet,
        json!({"Name": "Logging Helpers", "ContentType": "ScriptModule", "Description": "Write-Log helpers"}),
    )?;
    s.set_variables(
        &format!("variableset-{module}"),
        json!([
            {"Name": "Octopus.Script.Module[Logging Helpers]", "Value": LOGGING_HELPERS},
            {"Name": "Octopus.Script.Module.Language[Logging Helpers]", "Value": "PowerShell"}
        ]),
    )?;
    // A module the destination lacks.
    let retry = s.add(
        Kind::LibraryVariableSet,
        json!({"Name": "Retry Helpers", "ContentType": "ScriptModule", "Description": "retry <command>: up to three attempts"}),
    )?;
    s.set_variables(&format!("variableset-{retry}"), json!([
        {"Name": "Octopus.Script.Module[Retry Helpers]",
         "Value": "retry() {\n  for attempt in 1 2 3; do\n    \"$@\" && return 0\n    sleep $attempt\n  done\n  return 1\n}"},
        {"Name": "Octopus.Script.Module.Language[Retry Helpers]", "Value": "Bash"}
    ]))?;

    // Projects, their channels, processes, runbooks and variables.
    let api = s.add(
        Kind::Project,
        json!({
            "Name": "Payments API", "Description": "The payments REST API", "ProjectGroupId": payments,
            "LifecycleId": default_lc, "IncludedLibraryVariableSetIds": [common, pay_shared],
            "TenantedDeploymentMode": "TenantedOrUntenanted",
            "Templates": [{"Name": "Tenant.ApiUrl", "Label": "API URL", "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}},
                          {"Name": "Tenant.Secret", "Label": "Tenant secret", "DisplaySettings": {"Octopus.ControlType": "Sensitive"}}]
        }),
    )?;
    let hotfix_channel = s.add(Kind::Channel, json!({"Name": "Hotfix", "ProjectId": api, "LifecycleId": hotfix,
        "Rules": [{"VersionRange": "[1.0,2.0)", "Tag": "^hotfix", "ActionPackages": [{"DeploymentAction": "Deploy API", "PackageReference": ""}]}]}))?;
    let api_process = s.project_part(&api, "DeploymentProcessId");
    s.set_process(Kind::DeploymentProcess, &api_process, json!([
        {
            "Name": "Deploy API",
            "Properties": {"Octopus.Action.TargetRoles": "web"},
            "Actions": [{
                "Name": "Deploy API", "ActionType": "Octopus.TentaclePackage",
                "Packages": [{"Name": "", "PackageId": "Payments.Api", "FeedId": "feeds-builtin", "AcquisitionLocation": "Server"}],
                "Properties": {"Octopus.Action.Package.PackageId": "Payments.Api", "Octopus.Action.Package.FeedId": "feeds-builtin",
                               "Octopus.Action.EnabledFeatures": "Octopus.Features.ConfigurationVariables"}
            }]
        },
        {
            "Name": "Approve release",
            "Actions": [{
                "Name": "Approve release", "ActionType": "Octopus.Manual",
                "Environments": [test], "Channels": [hotfix_channel],
                "Properties": {"Octopus.Action.Manual.Instructions": "Check the test results", "Octopus.Action.Manual.ResponsibleTeamIds": "teams-managers"}
            }]
        },
        {
            "Name": "Notify Slack",
            "Actions": [{
                "Name": "Notify Slack", "ActionType": "Octopus.Script", "WorkerPoolId": pool,
                "Properties": {"Octopus.Action.Template.Id": slack, "Octopus.Action.Template.Version": "0",
                               "Octopus.Action.RunOnServer": "true", "Slack.Message": "Payments API deployed",
                               "Slack.Webhook": {"HasValue": true, "NewValue": "https://hooks.slack.example/payments"}}
            }]
        }
    ]))?;
    let api_vars = s.project_part(&api, "VariableSetId");
    s.set_variables(&api_vars, json!([
        {"Name": "ConnectionString", "Value": "Server=#{DB.Server};Database=Payments-Dev", "Scope": {"Environment": [dev]}},
        {"Name": "ConnectionString", "Value": "Server=#{DB.Server};Database=Payments-Test", "Scope": {"Environment": [test]}},
        {"Name": "Payments.ApiKey", "Value": "source-payments-secret", "Type": "Sensitive", "Description": "API key of the payment gateway"},
        {"Name": "Payments.Url", "Value": "https://payments.dev.example.com", "Scope": {"Role": ["web"]}},
        {"Name": "AWS.Account", "Value": aws, "Type": "AmazonWebServicesAccount"},
        {"Name": "Tls.Certificate", "Value": cert, "Type": "Certificate"},
        {"Name": "Build.Pool", "Value": pool, "Type": "WorkerPool"},
        {"Name": "Release.Note", "Value": "hotfix build", "Scope": {"Channel": [hotfix_channel]}},
        {"Name": "Tier.Banner", "Value": "gold customer", "Scope": {"TenantTag": ["Tier/Gold"]}}
    ]))?;
    let restart = s.add(
        Kind::Runbook,
        json!({"Name": "Restart Service", "ProjectId": api, "Description": "Restarts the API service",
        "EnvironmentScope": "Specified", "Environments": [dev, test]}),
    )?;
    s.set_process(
        Kind::RunbookProcess,
        &format!("RunbookProcess-{restart}"),
        json!([script_step("Restart", "Restart-Service PaymentsApi", Some("web"))]),
    )?;
    let rotate = s.add(Kind::Runbook, json!({"Name": "Rotate Keys", "ProjectId": api}))?;
    s.set_process(
        Kind::RunbookProcess,
        &format!("RunbookProcess-{rotate}"),
        json!([script_step("Rotate", "Write-Host 'rotating'", None)]),
    )?;

    let front = s.add(
        Kind::Project,
        json!({"Name": "Web Frontend", "ProjectGroupId": web, "LifecycleId": dev_only,
        "IncludedLibraryVariableSetIds": [common]}),
    )?;
    let front_process = s.project_part(&front, "DeploymentProcessId");
    s.set_process(Kind::DeploymentProcess, &front_process, json!([
        script_step("Build static site", "npm run build", None),
        {
            "Name": "Deploy container",
            "Properties": {"Octopus.Action.TargetRoles": "web"},
            "Actions": [{
                "Name": "Deploy container", "ActionType": "Octopus.Script",
                "Container": {"Image": "octopusdeploy/worker-tools:ubuntu.22.04", "FeedId": docker},
                "Properties": {"Octopus.Action.Script.ScriptSource": "Inline", "Octopus.Action.Script.ScriptBody": "./deploy.sh"}
            }]
        }
    ]))?;
    let front_vars = s.project_part(&front, "VariableSetId");
    s.set_variables(
        &front_vars,
        json!([
            {"Name": "Site.Title", "Value": "Contoso (dev)"},
            {"Name": "Cdn.Key", "Value": "cdn-secret", "Type": "Sensitive", "Scope": {"Environment": [dev]}}
        ]),
    )?;

    s.add(
        Kind::Tenant,
        json!({"Name": "Internal", "Description": "Our own tenant", "TenantTags": ["Region/EU", "Tier/Gold"],
        "ProjectEnvironments": {api.clone(): [dev, test, shared]}}),
    )?;
    s.add(
        Kind::Tenant,
        json!({"Name": "Acme Corp", "TenantTags": ["Region/US", "Tier/Silver"],
        "ProjectEnvironments": {api.clone(): [test]}}),
    )?;
    let internal = s.id_of(Kind::Tenant, "Internal");
    // Scoped to an environment, a tenant and a tag the destination also has: created with its
    // scoping translated and a placeholder secret. "Ops SSH" exists on both: left alone.
    s.add(
        Kind::Account,
        json!({"Name": "Shared Azure", "AccountType": "AzureServicePrincipal", "SubscriptionNumber": "00000000-demo",
               "ClientId": "demo-client", "TenantId": "demo-tenant", "AzureEnvironment": "AzureCloud",
               "Password": {"HasValue": true, "NewValue": "azure-demo-secret"},
               "EnvironmentIds": [shared], "TenantIds": [internal], "TenantTags": ["Region/EU"],
               "TenantedDeploymentParticipation": "TenantedOrUntenanted"}),
    )?;
    s.add(
        Kind::Account,
        json!({"Name": "Ops SSH", "AccountType": "SshKeyPair", "Username": "ops",
               "PrivateKeyFile": {"HasValue": true, "NewValue": "c3NoLWRldi1rZXk="}}),
    )?;
    let tv = tenant_variables::get_tenant_vars(s.store, space, &internal)?;
    let api_templates = tv["ProjectVariables"][&api]["Templates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let lib_templates = tv["LibraryVariables"][&pay_shared]["Templates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let tid = |ts: &[Value], i: usize| ts.get(i).and_then(|t| t["Id"].as_str()).unwrap_or("").to_string();
    let mut env_values = serde_json::Map::new();
    env_values.insert(tid(&api_templates, 0), json!("https://internal-dev.example.com"));
    env_values.insert(
        tid(&api_templates, 1),
        json!({"HasValue": true, "NewValue": "tenant-secret-dev"}),
    );
    // Shared Services is on both instances, so these values have somewhere to go.
    let mut shared_values = serde_json::Map::new();
    shared_values.insert(tid(&api_templates, 0), json!("https://internal-shared.example.com"));
    shared_values.insert(
        tid(&api_templates, 1),
        json!({"HasValue": true, "NewValue": "tenant-secret-shared"}),
    );
    let mut lib_values = serde_json::Map::new();
    lib_values.insert(tid(&lib_templates, 0), json!("eu"));
    tenant_variables::put_tenant_vars(
        s.store,
        space,
        &internal,
        json!({
            "ProjectVariables": {api.clone(): {"Variables": {dev.clone(): env_values, shared.clone(): shared_values}}},
            "LibraryVariables": {pay_shared.clone(): {"Variables": lib_values}}
        }),
    )?;

    // Two developers, of whom only one has an account on the destination, and a custom role.
    let alice = ops::create(
        s.store,
        "",
        Kind::User,
        json!({"Username": "alice", "DisplayName": "Alice Developer"}),
    )?;
    let bob = ops::create(
        s.store,
        "",
        Kind::User,
        json!({"Username": "bob", "DisplayName": "Bob Developer"}),
    )?;
    let approver = ops::create(
        s.store,
        "",
        Kind::UserRole,
        json!({"Name": "Release Approver", "Description": "Approves manual interventions",
            "SupportedRestrictions": ["Environments", "Projects"],
            "GrantedSpacePermissions": ["ProjectView", "InterruptionView", "InterruptionSubmit"]}),
    )?;
    let team = s.add(
        Kind::Team,
        json!({"Name": "Payments Developers", "Description": "Builds the payment services",
            "MemberUserIds": [str_of(&alice, "Id"), str_of(&bob, "Id")],
            "ExternalSecurityGroups": [{"Id": "S-1-5-21-3623811015-3361044348-30300820-1013", "DisplayName": "CORP\\Payments Developers", "DisplayIdAndName": false}]}),
    )?;
    s.add(
        Kind::ScopedUserRole,
        json!({"TeamId": team, "UserRoleId": "userroles-projectdeployer",
        "ProjectGroupIds": [payments], "EnvironmentIds": [dev, test]}),
    )?;
    s.add(
        Kind::ScopedUserRole,
        json!({"TeamId": team, "UserRoleId": str_of(&approver, "Id"), "EnvironmentIds": [test]}),
    )?;
    // Shared Services and Internal exist on the destination too, Acme Corp does not: given there
    // without Acme Corp. The two roles above name only Development and Test, which the destination
    // lacks, so they are never given there (that would widen them to every environment).
    s.add(
        Kind::ScopedUserRole,
        json!({"TeamId": team, "UserRoleId": "userroles-projectdeployer",
        "ProjectIds": [api], "EnvironmentIds": [shared], "TenantIds": [internal, s.id_of(Kind::Tenant, "Acme Corp")]}),
    )?;
    Ok(())
}

pub(super) fn demo_destination(store: &mut Store, space: &str) -> ApiResult<()> {
    let mut s = Seeder {
        store,
        space: space.to_string(),
    };
    let staging = s.add(Kind::Environment, json!({"Name": "Staging"}))?;
    let prod = s.add(
        Kind::Environment,
        json!({"Name": "Production", "UseGuidedFailure": true}),
    )?;
    let shared = s.add(Kind::Environment, json!({"Name": "Shared Services"}))?;
    s.add(
        Kind::Certificate,
        json!({"Name": "Shared Services TLS", "CertificateData": {"HasValue": true, "NewValue": "U2hhcmVkU2VydmljZXNUTFM="},
               "EnvironmentIds": [shared]}),
    )?;
    s.add(
        Kind::ProjectGroup,
        json!({"Name": "Payments", "Description": "Payment services (production)"}),
    )?;
    let ops_group = s.add(Kind::ProjectGroup, json!({"Name": "Operations"}))?;
    s.add(
        Kind::TagSet,
        json!({"Name": "Region", "Tags": [{"Name": "EU", "Color": "#1F77B4"}, {"Name": "APAC", "Color": "#2CA02C"}]}),
    )?;
    let default_lc = s.id_of(Kind::Lifecycle, "Default Lifecycle");
    s.modify(Kind::Lifecycle, &default_lc, |d| {
        d["Phases"] = json!([phase("Staging", &[&staging]), phase("Production", &[&prod])]);
        d["ReleaseRetentionPolicy"] = json!({"Unit": "Days", "QuantityToKeep": 90});
    })?;
    s.add(
        Kind::Lifecycle,
        json!({"Name": "Hotfix", "Phases": [phase("Production", &[&prod])]}),
    )?;
    // The destination's own mirror: kept as it is.
    s.add(
        Kind::Feed,
        json!({"Name": "NuGet.org", "FeedType": "NuGet", "FeedUri": "https://nuget-mirror.example.com/v3/index.json"}),
    )?;
    s.add(
        Kind::Feed,
        json!({"Name": "Charts", "FeedType": "OciRegistry", "FeedUri": "oci://registry.example.com/charts"}),
    )?;
    s.add(
        Kind::Account,
        json!({"Name": "Prod AWS", "AccountType": "AmazonWebServicesAccount", "AccessKey": "AKIAPRODDEMO",
        "SecretKey": {"HasValue": true, "NewValue": "prod-aws-secret-key"}, "EnvironmentIds": [prod]}),
    )?;
    let pool = s.add(
        Kind::WorkerPool,
        json!({"Name": "Ubuntu Workers", "Description": "Production Linux workers"}),
    )?;
    // The default policy under this instance's own name: the source's default maps to it.
    let default_policy = s.id_of(Kind::MachinePolicy, "Default Machine Policy");
    s.modify(Kind::MachinePolicy, &default_policy, |d| {
        d["Name"] = json!("Production Machine Policy");
    })?;
    s.add(
        Kind::MachinePolicy,
        linux_policy("04:00:00", "UpdateOnDeployment", "NeverUpdate"),
    )?;
    s.add(
        Kind::Machine,
        json!({"Name": "staging-web-01", "EnvironmentIds": [staging], "Roles": ["web"]}),
    )?;
    s.add(
        Kind::Machine,
        json!({"Name": "prod-web-01", "EnvironmentIds": [prod], "Roles": ["web", "api"]}),
    )?;
    s.add(Kind::Worker, json!({"Name": "prod-worker-01", "WorkerPoolIds": [pool]}))?;
    s.add(Kind::Tenant, json!({"Name": "Internal", "TenantTags": ["Region/EU"]}))?;
    s.add(
        Kind::Account,
        json!({"Name": "Ops SSH", "AccountType": "SshKeyPair", "Username": "root",
               "PrivateKeyFile": {"HasValue": true, "NewValue": "c3NoLXByb2Qta2V5"}}),
    )?;
    s.add(
        Kind::Tenant,
        json!({"Name": "Bank of Production", "TenantTags": ["Region/APAC"]}),
    )?;
    // A destination-only project: a sync must leave it alone.
    let dash = s.add(
        Kind::Project,
        json!({"Name": "Ops Dashboard", "ProjectGroupId": ops_group, "LifecycleId": default_lc}),
    )?;
    let dash_process = s.project_part(&dash, "DeploymentProcessId");
    s.set_process(
        Kind::DeploymentProcess,
        &dash_process,
        json!([script_step("Publish dashboard", "./publish.sh", None)]),
    )?;
    let dash_vars = s.project_part(&dash, "VariableSetId");
    s.set_variables(
        &dash_vars,
        json!([
            {"Name": "Dashboard.Secret", "Value": "destination-only-secret", "Type": "Sensitive"}
        ]),
    )?;
    ops::create(
        s.store,
        "",
        Kind::User,
        json!({"Username": "alice", "DisplayName": "Alice Developer"}),
    )?;
    s.add(Kind::Team, json!({"Name": "Production Operators"}))?;
    // An older copy of the source's custom template, and a community template installed when the
    // library was older (the library has been synced since).
    s.add(
        Kind::ActionTemplate,
        json!({
            "Name": "Notify Slack", "Description": "Posts a message to a Slack channel.",
            "ActionType": "Octopus.Script",
            "Properties": {
                "Octopus.Action.Script.ScriptSource": "Inline",
                "Octopus.Action.Script.Syntax": "PowerShell",
                "Octopus.Action.Script.ScriptBody": "# Posts to the production channel\n$message = $OctopusParameters['Slack.Message']\nWrite-Host \"Posting: $message\"\nInvoke-RestMethod -Method Post -Uri 'https://hooks.slack.example/prod' -Body $message"
            },
            "Parameters": [
                {"Name": "Slack.Message", "Label": "Message", "DefaultValue": "Deployed",
                 "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}}
            ]
        }),
    )?;
    install_community(s.store, space, "Slack - Send Simple Notification")?;
    // The destination's own copy of the payments set: a value and a tenant template of its own,
    // which the sync keeps, while the source's template is added.
    let pay_shared = s.add(
        Kind::LibraryVariableSet,
        json!({"Name": "Payments Shared", "Description": "Payments (production)", "Templates": [
            {"Name": "Tenant.Settlement.Bank", "Label": "Settlement bank", "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}}
        ]}),
    )?;
    s.set_variables(
        &format!("variableset-{pay_shared}"),
        json!([{"Name": "Payments.Gateway", "Value": "https://pay.contoso.com"}]),
    )?;
    // An older copy of the source's logging module, with a variable of the destination's own.
    let module = s.add(
        Kind::LibraryVariableSet,
        json!({"Name": "Logging Helpers", "ContentType": "ScriptModule", "Description": "Logging"}),
    )?;
    s.set_variables(&format!("variableset-{module}"), json!([
        {"Name": "Octopus.Script.Module[Logging Helpers]",
         "Value": "function Write-Log($m) {\n  Write-Host $m\n}\n\nfunction Write-Warn($m) {\n  Write-Warning $m\n}"},
        {"Name": "Octopus.Script.Module.Language[Logging Helpers]", "Value": "PowerShell"},
        {"Name": "Logging.Level", "Value": "Information"}
    ]))?;
    Ok(())
}

/// The source's logging module: timestamps added since the destination's copy was made.
const LOGGING_HELPERS: &str = "function Write-Log($m) {\n  Write-Host \"[$(Get-Date -Format o)] $m\"\n}\n\nfunction Write-Warn($m) {\n  Write-Warning \"[$(Get-Date -Format o)] $m\"\n}";
