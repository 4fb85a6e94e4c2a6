//! Per-kind tables: collection names, id prefixes, known fields with their defaults, secret fields,
//! link templates. Field lists come from the reference (§2), the 2021.2 swagger and the real payloads.

use serde_json::{json, Map, Value};

/// Every resource kind the simulator stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Environment,
    ProjectGroup,
    TagSet,
    Lifecycle,
    Feed,
    Account,
    WorkerPool,
    MachinePolicy,
    Certificate,
    ActionTemplate,
    LibraryVariableSet,
    VariableSet,
    Tenant,
    Project,
    Channel,
    DeploymentProcess,
    Runbook,
    RunbookProcess,
    DeploymentSettings,
    Team,
    ScopedUserRole,
    UserRole,
    User,
    Machine,
    Worker,
    Package,
    Space,
}

/// Where a kind's `Name` must be unique.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameScope {
    None,
    Space,
    Project,
}

/// Which verbs the collection accepts over HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// GET, POST, PUT, DELETE.
    Full,
    /// GET and PUT only: the document lives and dies with its owner.
    Owned,
    /// GET only (targets, workers, packages in this simulator).
    ReadOnly,
}

pub(crate) const ALL_KINDS: &[Kind] = &[
    Kind::Environment,
    Kind::ProjectGroup,
    Kind::TagSet,
    Kind::Lifecycle,
    Kind::Feed,
    Kind::Account,
    Kind::WorkerPool,
    Kind::MachinePolicy,
    Kind::Certificate,
    Kind::ActionTemplate,
    Kind::LibraryVariableSet,
    Kind::VariableSet,
    Kind::Tenant,
    Kind::Project,
    Kind::Channel,
    Kind::DeploymentProcess,
    Kind::Runbook,
    Kind::RunbookProcess,
    Kind::DeploymentSettings,
    Kind::Team,
    Kind::ScopedUserRole,
    Kind::UserRole,
    Kind::User,
    Kind::Machine,
    Kind::Worker,
    Kind::Package,
];

impl Kind {
    /// Lower-case collection path segment (matching is case-insensitive).
    pub fn coll(self) -> &'static str {
        match self {
            Kind::Environment => "environments",
            Kind::ProjectGroup => "projectgroups",
            Kind::TagSet => "tagsets",
            Kind::Lifecycle => "lifecycles",
            Kind::Feed => "feeds",
            Kind::Account => "accounts",
            Kind::WorkerPool => "workerpools",
            Kind::MachinePolicy => "machinepolicies",
            Kind::Certificate => "certificates",
            Kind::ActionTemplate => "actiontemplates",
            Kind::LibraryVariableSet => "libraryvariablesets",
            Kind::VariableSet => "variables",
            Kind::Tenant => "tenants",
            Kind::Project => "projects",
            Kind::Channel => "channels",
            Kind::DeploymentProcess => "deploymentprocesses",
            Kind::Runbook => "runbooks",
            Kind::RunbookProcess => "runbookprocesses",
            Kind::DeploymentSettings => "deploymentsettings",
            Kind::Team => "teams",
            Kind::ScopedUserRole => "scopeduserroles",
            Kind::UserRole => "userroles",
            Kind::User => "users",
            Kind::Machine => "machines",
            Kind::Worker => "workers",
            Kind::Package => "packages",
            Kind::Space => "spaces",
        }
    }

    /// The segment as the server spells it in links (root document: `runbookProcesses`).
    pub fn link_seg(self) -> &'static str {
        match self {
            Kind::RunbookProcess => "runbookProcesses",
            k => k.coll(),
        }
    }

    pub fn from_coll(seg: &str) -> Option<Kind> {
        let s = seg.to_ascii_lowercase();
        if s == "spaces" {
            return Some(Kind::Space);
        }
        ALL_KINDS.iter().copied().find(|k| k.coll() == s)
    }

    pub fn item_type(self) -> &'static str {
        match self {
            Kind::Environment => "Environment",
            Kind::ProjectGroup => "ProjectGroup",
            Kind::TagSet => "TagSet",
            Kind::Lifecycle => "Lifecycle",
            Kind::Feed => "Feed",
            Kind::Account => "Account",
            Kind::WorkerPool => "WorkerPool",
            Kind::MachinePolicy => "MachinePolicy",
            Kind::Certificate => "Certificate",
            Kind::ActionTemplate => "ActionTemplate",
            Kind::LibraryVariableSet => "LibraryVariableSet",
            Kind::VariableSet => "VariableSet",
            Kind::Tenant => "Tenant",
            Kind::Project => "Project",
            Kind::Channel => "Channel",
            Kind::DeploymentProcess => "DeploymentProcess",
            Kind::Runbook => "Runbook",
            Kind::RunbookProcess => "RunbookProcess",
            Kind::DeploymentSettings => "DeploymentSettings",
            Kind::Team => "Team",
            Kind::ScopedUserRole => "ScopedUserRole",
            Kind::UserRole => "UserRole",
            Kind::User => "User",
            Kind::Machine => "DeploymentTarget",
            Kind::Worker => "Worker",
            Kind::Package => "Package",
            Kind::Space => "Space",
        }
    }

    /// Prefix of counter-based ids (`Environments-12`).
    pub fn id_prefix(self) -> &'static str {
        match self {
            Kind::Environment => "Environments",
            Kind::ProjectGroup => "ProjectGroups",
            Kind::TagSet => "TagSets",
            Kind::Lifecycle => "Lifecycles",
            Kind::Feed => "Feeds",
            Kind::Account => "Accounts",
            Kind::WorkerPool => "WorkerPools",
            Kind::MachinePolicy => "MachinePolicies",
            Kind::Certificate => "Certificates",
            Kind::ActionTemplate => "ActionTemplates",
            Kind::LibraryVariableSet => "LibraryVariableSets",
            Kind::VariableSet => "variableset",
            Kind::Tenant => "Tenants",
            Kind::Project => "Projects",
            Kind::Channel => "Channels",
            Kind::DeploymentProcess => "deploymentprocess",
            Kind::Runbook => "Runbooks",
            Kind::RunbookProcess => "RunbookProcess",
            Kind::DeploymentSettings => "deploymentsettings",
            Kind::Team => "Teams",
            Kind::ScopedUserRole => "ScopedUserRoles",
            Kind::UserRole => "UserRoles",
            Kind::User => "Users",
            Kind::Machine => "Machines",
            Kind::Worker => "Workers",
            Kind::Package => "Packages",
            Kind::Space => "Spaces",
        }
    }

    /// System kinds live outside any space (teams carry a `SpaceId` of their own).
    pub fn is_system(self) -> bool {
        matches!(self, Kind::Team | Kind::ScopedUserRole | Kind::UserRole | Kind::User)
    }

    pub fn access(self) -> Access {
        match self {
            Kind::VariableSet | Kind::DeploymentProcess | Kind::RunbookProcess | Kind::DeploymentSettings => {
                Access::Owned
            }
            // QUESTION: the real server accepts POST/PUT/DELETE of machines and workers; the simulator
            // serves them read-only (seeded via `SimServer::insert`) because octosync never writes them.
            Kind::Machine | Kind::Worker | Kind::Package => Access::ReadOnly,
            _ => Access::Full,
        }
    }

    pub fn name_field(self) -> Option<&'static str> {
        match self {
            Kind::VariableSet
            | Kind::DeploymentProcess
            | Kind::RunbookProcess
            | Kind::DeploymentSettings
            | Kind::ScopedUserRole
            | Kind::Package => None,
            Kind::User => Some("Username"),
            _ => Some("Name"),
        }
    }

    pub fn name_scope(self) -> NameScope {
        match self {
            Kind::Channel | Kind::Runbook => NameScope::Project,
            k if k.name_field().is_some() => NameScope::Space,
            _ => NameScope::None,
        }
    }

    pub fn has_slug(self) -> bool {
        matches!(
            self,
            Kind::Environment
                | Kind::ProjectGroup
                | Kind::Lifecycle
                | Kind::Feed
                | Kind::Account
                | Kind::WorkerPool
                | Kind::MachinePolicy
                | Kind::Tenant
                | Kind::Project
                | Kind::Channel
                | Kind::Runbook
                | Kind::Team
                | Kind::Space
        )
    }

    /// Human label used in error messages.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Environment => "environment",
            Kind::ProjectGroup => "project group",
            Kind::TagSet => "tag set",
            Kind::Lifecycle => "lifecycle",
            Kind::Feed => "feed",
            Kind::Account => "account",
            Kind::WorkerPool => "worker pool",
            Kind::MachinePolicy => "machine policy",
            Kind::Certificate => "certificate",
            Kind::ActionTemplate => "step template",
            Kind::LibraryVariableSet => "library variable set",
            Kind::Tenant => "tenant",
            Kind::Project => "project",
            Kind::Channel => "channel",
            Kind::Runbook => "runbook",
            Kind::Team => "team",
            Kind::UserRole => "user role",
            Kind::User => "user",
            Kind::Machine => "deployment target",
            Kind::Worker => "worker",
            Kind::Space => "space",
            _ => "resource",
        }
    }

    /// Query parameters of the URI template, as in the root document's Links.
    pub fn template_query(self) -> &'static str {
        match self {
            Kind::Environment => "{?name,skip,ids,take,partialName}",
            Kind::Account => "{?skip,take,ids,partialName,accountType}",
            Kind::ActionTemplate => "{?skip,take,ids,partialName}",
            Kind::Certificate => {
                "{?skip,take,search,archived,tenant,firstResult,orderBy,ids,partialName}"
            }
            Kind::Channel => "{?skip,take,ids,partialName}",
            Kind::DeploymentProcess => "{?skip,take,ids}",
            Kind::Feed => "{?skip,take,ids,partialName,feedType,name}",
            Kind::LibraryVariableSet => "{?skip,contentType,take,ids,partialName}",
            Kind::Lifecycle => "{?skip,take,ids,partialName}",
            Kind::MachinePolicy => "{?skip,take,ids,partialName}",
            Kind::ProjectGroup => "{?skip,take,ids,partialName}",
            Kind::Project => "{?name,skip,ids,clone,take,partialName,clonedFromProjectId}",
            Kind::RunbookProcess => "{?skip,take,ids}",
            Kind::Runbook => "{?skip,take,ids,partialName,clone,projectIds}",
            Kind::Space => "{?name,skip,ids,take,partialName}",
            Kind::TagSet => "{?skip,take,ids,partialName}",
            Kind::Tenant => "{?skip,projectId,name,tags,take,ids,clone,partialName,clonedFromTenantId}",
            Kind::Team | Kind::ScopedUserRole => "{?skip,take,ids,partialName,spaces,includeSystem}",
            Kind::UserRole => "{?skip,take,ids,partialName}",
            Kind::User => "{?skip,take,ids,filter}",
            Kind::VariableSet => "{?ids}",
            Kind::WorkerPool => "{?name,skip,ids,take,partialName}",
            Kind::Machine => "{?skip,take,name,ids,partialName,roles,isDisabled,healthStatuses,commStyles,tenantIds,tenantTags,environmentIds,thumbprint,deploymentId,shellNames}",
            Kind::Worker => "{?skip,take,name,ids,partialName,isDisabled,healthStatuses,commStyles,workerPoolIds,thumbprint,shellNames}",
            Kind::Package => "{?nuGetPackageId,filter,latest,skip,take,includeNotes}",
            Kind::DeploymentSettings => "",
        }
    }
}

/// A known top-level field: its canonical name, its default (None = optional: persisted when sent,
/// never invented) and the first server version that has it.
pub(crate) struct F {
    pub name: &'static str,
    pub default: Option<Value>,
    pub since: (u32, u32),
}

fn f(name: &'static str, default: Value) -> F {
    F {
        name,
        default: Some(default),
        since: (0, 0),
    }
}

fn opt(name: &'static str) -> F {
    F {
        name,
        default: None,
        since: (0, 0),
    }
}

fn since(name: &'static str, default: Value, since: (u32, u32)) -> F {
    F {
        name,
        default: Some(default),
        since,
    }
}

/// The "unset" SensitiveValue a GET shows for a secret field that holds nothing.
pub(crate) fn sv_empty() -> Value {
    json!({"HasValue": false, "NewValue": null})
}

const RETAIN_FOREVER: fn() -> Value = || json!({"Unit": "Items", "QuantityToKeep": 0, "ShouldKeepForever": true});

/// Known fields with defaults, in the order the server emits them. `sub` is the discriminator
/// value (FeedType, AccountType, WorkerPoolType) where the kind is polymorphic.
pub(crate) fn fields(kind: Kind, sub: Option<&str>) -> Vec<F> {
    let sv = sv_empty;
    let mut v = match kind {
        Kind::Environment => vec![
            f("Name", json!("")),
            f("Description", Value::Null),
            f("SortOrder", Value::Null),
            f("UseGuidedFailure", json!(false)),
            f("AllowDynamicInfrastructure", json!(false)),
            f("ExtensionSettings", json!([])),
            since("EnvironmentTags", json!([]), (2025, 4)),
        ],
        Kind::ProjectGroup => vec![
            f("Name", json!("")),
            f("Description", Value::Null),
            f("EnvironmentIds", json!([])),
            f("RetentionPolicyId", Value::Null),
        ],
        Kind::TagSet => vec![
            f("Name", json!("")),
            f("Description", Value::Null),
            f("SortOrder", Value::Null),
            f("Tags", json!([])),
            since("Type", json!("MultiSelect"), (2025, 3)),
            since("Scopes", json!(["Tenant"]), (2025, 3)),
        ],
        Kind::Lifecycle => vec![
            f("Phases", json!([])),
            f("Name", json!("")),
            f("ReleaseRetentionPolicy", RETAIN_FOREVER()),
            f("TentacleRetentionPolicy", RETAIN_FOREVER()),
            f("Description", Value::Null),
        ],
        Kind::Feed => {
            let mut v = vec![f("FeedType", Value::Null)];
            let creds = || vec![f("Username", Value::Null), f("Password", sv())];
            let retries = || {
                vec![
                    f("DownloadAttempts", json!(5)),
                    f("DownloadRetryBackoffSeconds", json!(10)),
                ]
            };
            match sub.unwrap_or("") {
                "NuGet" => {
                    v.extend(retries());
                    v.push(f("EnhancedMode", json!(false)));
                    v.push(f("FeedUri", Value::Null));
                    v.extend(creds());
                }
                "Docker" | "AzureContainerRegistry" | "GoogleContainerRegistry" => {
                    v.push(f("FeedUri", Value::Null));
                    v.push(f("ApiVersion", Value::Null));
                    v.push(f("RegistryPath", Value::Null));
                    v.extend(creds());
                    v.extend(retries());
                    if sub != Some("Docker") {
                        v.push(f("OidcAuthentication", Value::Null));
                    }
                }
                "OciRegistry" | "Helm" => {
                    v.push(f("FeedUri", Value::Null));
                    v.extend(creds());
                }
                "Maven" | "GitHub" | "Npm" | "PyPi" => {
                    v.push(f("FeedUri", Value::Null));
                    v.extend(creds());
                    v.extend(retries());
                }
                "ArtifactoryGeneric" => {
                    v.push(f("FeedUri", Value::Null));
                    v.extend(creds());
                    v.push(f("Repository", Value::Null));
                    v.push(f("LayoutRegex", Value::Null));
                }
                "AwsElasticContainerRegistry" | "S3" => {
                    v.push(f("AccessKey", Value::Null));
                    v.push(f("SecretKey", sv()));
                    v.push(f("Region", Value::Null));
                    v.push(f("UseMachineCredentials", json!(false)));
                    if sub == Some("AwsElasticContainerRegistry") {
                        v.push(f("OidcAuthentication", Value::Null));
                    }
                }
                "GcsStorage" => {
                    v.extend(retries());
                    v.push(f("UseServiceAccountKey", json!(false)));
                    v.push(f("ServiceAccountJsonKey", sv()));
                    v.push(f("Project", Value::Null));
                    v.push(f("OidcAuthentication", Value::Null));
                }
                "BuiltIn" => {
                    v.push(f("DeleteUnreleasedPackagesAfterDays", json!(30)));
                    v.push(f("IsBuiltInRepoSyncEnabled", json!(false)));
                }
                _ => {}
            }
            v.push(f("Name", json!("")));
            v.push(f("PackageAcquisitionLocationOptions", json!([])));
            v
        }
        Kind::Account => {
            let mut v = vec![
                f("AccountType", Value::Null),
                f("Name", json!("")),
                f("Description", Value::Null),
                f("EnvironmentIds", json!([])),
                f("TenantIds", json!([])),
                f("TenantTags", json!([])),
                f("TenantedDeploymentParticipation", json!("Untenanted")),
            ];
            let oidc = || {
                vec![
                    f("Audience", Value::Null),
                    f("DeploymentSubjectKeys", json!([])),
                    f("HealthCheckSubjectKeys", json!([])),
                    f("AccountTestSubjectKeys", json!([])),
                ]
            };
            let azure_endpoints = || {
                vec![
                    f("AzureEnvironment", json!("")),
                    f("ActiveDirectoryEndpointBaseUri", json!("")),
                    f("ResourceManagementEndpointBaseUri", json!("")),
                ]
            };
            match sub.unwrap_or("") {
                "UsernamePassword" => {
                    v.push(f("Username", Value::Null));
                    v.push(f("Password", sv()));
                }
                "SshKeyPair" => {
                    v.push(f("Username", Value::Null));
                    v.push(f("PrivateKeyFile", sv()));
                    v.push(f("PrivateKeyPassphrase", sv()));
                }
                "Token" => v.push(f("Token", sv())),
                "AmazonWebServicesAccount" => {
                    v.push(f("AccessKey", Value::Null));
                    v.push(f("SecretKey", sv()));
                }
                "AmazonWebServicesOidcAccount" => {
                    v.push(f("RoleArn", Value::Null));
                    v.push(f("SessionDuration", Value::Null));
                    v.extend(oidc());
                }
                "AzureServicePrincipal" => {
                    v.push(f("SubscriptionNumber", Value::Null));
                    v.push(f("ClientId", Value::Null));
                    v.push(f("TenantId", Value::Null));
                    v.extend(azure_endpoints());
                    v.push(f("Password", sv()));
                }
                "AzureOidc" => {
                    v.push(f("SubscriptionNumber", Value::Null));
                    v.push(f("ClientId", Value::Null));
                    v.push(f("TenantId", Value::Null));
                    v.extend(azure_endpoints());
                    v.extend(oidc());
                }
                "AzureSubscription" => {
                    v.push(f("SubscriptionNumber", Value::Null));
                    v.push(f("CertificateThumbprint", Value::Null));
                    v.push(f("AzureEnvironment", json!("")));
                    v.push(f("ServiceManagementEndpointBaseUri", json!("")));
                    v.push(f("ServiceManagementEndpointSuffix", json!("")));
                    v.push(f("CertificateBytes", sv()));
                }
                "GoogleCloudAccount" => v.push(f("JsonKey", sv())),
                "GoogleCloudOidcAccount" => v.extend(oidc()),
                "GenericOidcAccount" => {
                    v.extend(oidc());
                    v.push(opt("CustomClaims"));
                }
                _ => {}
            }
            v
        }
        Kind::WorkerPool => {
            let mut v = vec![
                f("Name", json!("")),
                f("Description", Value::Null),
                f("IsDefault", json!(false)),
                f("SortOrder", Value::Null),
                f("WorkerPoolType", json!("StaticWorkerPool")),
                f("CanAddWorkers", json!(true)),
            ];
            if sub == Some("DynamicWorkerPool") {
                v.push(f("WorkerType", json!("UbuntuDefault")));
            }
            v
        }
        Kind::MachinePolicy => vec![
            f("Name", json!("")),
            f("Description", Value::Null),
            f("IsDefault", json!(false)),
            f(
                "MachineHealthCheckPolicy",
                json!({
                    "PowerShellHealthCheckPolicy": {"RunType": "InheritFromDefault", "ScriptBody": null},
                    "BashHealthCheckPolicy": {"RunType": "InheritFromDefault", "ScriptBody": null},
                    "HealthCheckInterval": "01:00:00",
                    "HealthCheckCron": null,
                    "HealthCheckCronTimezone": "UTC",
                    "HealthCheckType": "RunScript"
                }),
            ),
            f(
                "MachineConnectivityPolicy",
                json!({"MachineConnectivityBehavior": "ExpectedToBeOnline"}),
            ),
            f(
                "MachineCleanupPolicy",
                json!({"DeleteMachinesBehavior": "DoNotDelete", "DeleteMachinesElapsedTimeSpan": "00:00:00"}),
            ),
            f(
                "MachineUpdatePolicy",
                json!({
                    "CalamariUpdateBehavior": "UpdateOnDeployment",
                    "TentacleUpdateBehavior": "NeverUpdate",
                    "KubernetesAgentUpdateBehavior": "Update",
                    "TentacleUpdateAccountId": null
                }),
            ),
            f(
                "MachineRpcCallRetryPolicy",
                json!({"Enabled": true, "RetryDuration": "00:02:30", "HealthCheckRetryDuration": "00:02:30"}),
            ),
            f("PollingRequestQueueTimeout", json!("00:02:00")),
            f("PollingRequestMaximumMessageProcessingTimeout", json!("00:10:00")),
            f("ConnectionRetrySleepInterval", json!("00:00:01")),
            f("ConnectionRetryCountLimit", json!(5)),
            f("ConnectionRetryTimeLimit", json!("00:05:00")),
            f("ConnectionConnectTimeout", json!("00:01:00")),
        ],
        Kind::Certificate => vec![
            f("Name", json!("")),
            f("Notes", Value::Null),
            f("CertificateData", sv()),
            f("Password", sv()),
            f("EnvironmentIds", json!([])),
            f("TenantIds", json!([])),
            f("TenantTags", json!([])),
            f("TenantedDeploymentParticipation", json!("Untenanted")),
            f("CertificateDataFormat", json!("Pkcs12")),
            f("Archived", Value::Null),
            f("ReplacedBy", Value::Null),
            f("SubjectDistinguishedName", Value::Null),
            f("SubjectCommonName", Value::Null),
            f("SubjectOrganization", Value::Null),
            f("IssuerDistinguishedName", Value::Null),
            f("IssuerCommonName", Value::Null),
            f("IssuerOrganization", Value::Null),
            f("SelfSigned", json!(true)),
            f("Thumbprint", Value::Null),
            f("NotAfter", Value::Null),
            f("NotBefore", Value::Null),
            f("IsExpired", json!(false)),
            f("HasPrivateKey", json!(true)),
            f("Version", json!(3)),
            f("SerialNumber", Value::Null),
            f("SignatureAlgorithmName", json!("sha256RSA")),
            f("SubjectAlternativeNames", json!([])),
            f("CertificateChain", json!([])),
        ],
        Kind::ActionTemplate => vec![
            f("Name", json!("")),
            f("Description", Value::Null),
            f("ActionType", Value::Null),
            f("Version", json!(0)),
            f("CommunityActionTemplateId", Value::Null),
            f("Packages", json!([])),
            f("GitDependencies", json!([])),
            f("Properties", json!({})),
            f("Parameters", json!([])),
            opt("StepPackageVersion"),
            opt("Inputs"),
        ],
        Kind::LibraryVariableSet => vec![
            f("Name", json!("")),
            f("Description", Value::Null),
            f("VariableSetId", Value::Null),
            f("ContentType", json!("Variables")),
            f("Templates", json!([])),
        ],
        Kind::VariableSet => vec![
            f("OwnerId", Value::Null),
            f("Version", json!(0)),
            f("Variables", json!([])),
            f("ScopeValues", Value::Null),
        ],
        Kind::Tenant => vec![
            f("Name", json!("")),
            f("Description", Value::Null),
            f("TenantTags", json!([])),
            f("ProjectEnvironments", json!({})),
            f("ClonedFromTenantId", Value::Null),
            since("IsDisabled", json!(false), (2024, 4)),
            opt("Icon"),
            opt("CustomFields"),
        ],
        Kind::Project => vec![
            f("VariableSetId", Value::Null),
            f("DeploymentProcessId", Value::Null),
            f("ClonedFromProjectId", Value::Null),
            f("DiscreteChannelRelease", json!(false)),
            f("IncludedLibraryVariableSetIds", json!([])),
            f("DefaultToSkipIfAlreadyInstalled", json!(false)),
            f("TenantedDeploymentMode", json!("Untenanted")),
            f("DefaultGuidedFailureMode", json!("EnvironmentDefault")),
            f("VersioningStrategy", json!({"Template": null, "DonorPackage": null})),
            f(
                "ReleaseCreationStrategy",
                json!({"ChannelId": null, "ReleaseCreationPackage": null, "ReleaseCreationPackageStepId": null}),
            ),
            f("Templates", json!([])),
            f("AutoDeployReleaseOverrides", json!([])),
            f("ReleaseNotesTemplate", Value::Null),
            f("DeploymentChangesTemplate", Value::Null),
            f("ForcePackageDownload", json!(false)),
            f("Icon", Value::Null),
            f("AllowIgnoreChannelRules", json!(true)),
            f("ExecuteDeploymentsOnResilientPipeline", Value::Null),
            f("ExtensionSettings", json!([])),
            f("Name", json!("")),
            f("Description", Value::Null),
            f("IsDisabled", json!(false)),
            f("ProjectGroupId", Value::Null),
            f("LifecycleId", Value::Null),
            f("AutoCreateRelease", json!(false)),
            f("IsVersionControlled", json!(false)),
            f("PersistenceSettings", json!({"Type": "Database"})),
            f(
                "ProjectConnectivityPolicy",
                json!({"SkipMachineBehavior": "None", "TargetRoles": [], "AllowDeploymentsToNoTargets": false, "ExcludeUnhealthyTargets": false}),
            ),
            since("ProjectTags", json!([]), (2025, 4)),
        ],
        Kind::Channel => vec![
            f("Name", json!("")),
            f("Description", Value::Null),
            f("ProjectId", Value::Null),
            f("LifecycleId", Value::Null),
            f("IsDefault", json!(false)),
            f("Rules", json!([])),
            f("TenantTags", json!([])),
            opt("GitReferenceRules"),
            opt("GitResourceRules"),
        ],
        Kind::DeploymentProcess => vec![
            f("ProjectId", Value::Null),
            f("Steps", json!([])),
            f("Version", json!(0)),
            f("LastSnapshotId", Value::Null),
        ],
        Kind::RunbookProcess => vec![
            f("ProjectId", Value::Null),
            f("RunbookId", Value::Null),
            f("Steps", json!([])),
            f("Version", json!(0)),
            f("LastSnapshotId", Value::Null),
        ],
        Kind::Runbook => vec![
            f("Name", json!("")),
            f("Description", Value::Null),
            f("ProjectId", Value::Null),
            f("RunbookProcessId", Value::Null),
            f("PublishedRunbookSnapshotId", Value::Null),
            f("MultiTenancyMode", json!("Untenanted")),
            f(
                "ConnectivityPolicy",
                json!({"SkipMachineBehavior": "None", "TargetRoles": [], "AllowDeploymentsToNoTargets": true, "ExcludeUnhealthyTargets": false}),
            ),
            f("EnvironmentScope", json!("All")),
            f("Environments", json!([])),
            f("DefaultGuidedFailureMode", json!("EnvironmentDefault")),
            f(
                "RunRetentionPolicy",
                json!({"QuantityToKeep": 100, "ShouldKeepForever": false}),
            ),
            f("ForcePackageDownload", json!(false)),
            since("RunbookTags", json!([]), (2026, 1)),
        ],
        Kind::DeploymentSettings => vec![
            f("ProjectId", Value::Null),
            f("ConnectivityPolicy", Value::Null),
            f("DefaultGuidedFailureMode", Value::Null),
            f("VersioningStrategy", Value::Null),
            f("ReleaseNotesTemplate", Value::Null),
            f("DefaultToSkipIfAlreadyInstalled", Value::Null),
            f("DeploymentChangesTemplate", Value::Null),
            f("ForcePackageDownload", Value::Null),
        ],
        Kind::Team => vec![
            f("Name", json!("")),
            f("MemberUserIds", json!([])),
            f("ExternalSecurityGroups", json!([])),
            f("CanBeDeleted", json!(true)),
            f("CanBeRenamed", json!(true)),
            f("CanChangeRoles", json!(true)),
            f("CanChangeMembers", json!(true)),
            f("SpaceId", Value::Null),
            f("Description", json!("")),
        ],
        Kind::ScopedUserRole => vec![
            f("UserRoleId", Value::Null),
            f("TeamId", Value::Null),
            f("ProjectGroupIds", json!([])),
            f("ProjectIds", json!([])),
            f("EnvironmentIds", json!([])),
            f("TenantIds", json!([])),
            f("SpaceId", Value::Null),
        ],
        Kind::UserRole => vec![
            f("Name", json!("")),
            f("Description", Value::Null),
            f("SupportedRestrictions", json!([])),
            f("SpacePermissionDescriptions", json!([])),
            f("SystemPermissionDescriptions", json!([])),
            f("GrantedSpacePermissions", json!([])),
            f("GrantedSystemPermissions", json!([])),
            f("CanBeDeleted", json!(true)),
        ],
        Kind::User => vec![
            f("Username", json!("")),
            f("DisplayName", Value::Null),
            f("EmailAddress", Value::Null),
            f("IsActive", json!(true)),
            f("IsService", json!(false)),
            f("IsRequestor", json!(false)),
            f("CanPasswordBeEdited", json!(true)),
            f("Identities", json!([])),
        ],
        Kind::Machine | Kind::Worker => {
            let mut v = vec![f("Name", json!(""))];
            if kind == Kind::Machine {
                v.push(f("EnvironmentIds", json!([])));
                v.push(f("Roles", json!([])));
                v.push(f("TenantedDeploymentParticipation", json!("Untenanted")));
                v.push(f("TenantIds", json!([])));
                v.push(f("TenantTags", json!([])));
            } else {
                v.push(f("WorkerPoolIds", json!([])));
            }
            v.extend([
                f("MachinePolicyId", Value::Null),
                f("Thumbprint", Value::Null),
                f("Uri", Value::Null),
                f("IsDisabled", json!(false)),
                f("HealthStatus", json!("Healthy")),
                f("HasLatestCalamari", json!(true)),
                f(
                    "StatusSummary",
                    json!("Octopus was able to successfully establish a connection with this machine"),
                ),
                f("IsInProcess", json!(false)),
                f("OperatingSystem", json!("Unknown")),
                f("ShellName", json!("Unknown")),
                f("ShellVersion", json!("Unknown")),
                f("Architecture", json!("Unknown")),
                f("Endpoint", json!({"CommunicationStyle": "None"})),
            ]);
            v
        }
        Kind::Package => vec![
            f("PackageId", Value::Null),
            f("Version", Value::Null),
            f("Title", Value::Null),
            f("Description", Value::Null),
            f("FeedId", json!("feeds-builtin")),
        ],
        Kind::Space => vec![
            f("Name", json!("")),
            f("Description", Value::Null),
            f("IsDefault", json!(false)),
            f("IsPrivate", json!(false)),
            f("TaskQueueStopped", json!(false)),
            f("SpaceManagersTeams", json!([])),
            f("SpaceManagersTeamMembers", json!([])),
            f("Icon", Value::Null),
            f("ExtensionSettings", json!([])),
        ],
    };
    // Users carry a write-only Password; it is accepted and dropped (never stored, never returned).
    if kind == Kind::User {
        v.push(opt("Password"));
    }
    v
}

/// The discriminator field of a polymorphic kind.
pub(crate) fn discriminator(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Feed => Some("FeedType"),
        Kind::Account => Some("AccountType"),
        Kind::WorkerPool => Some("WorkerPoolType"),
        _ => None,
    }
}

pub(crate) const FEED_TYPES: &[&str] = &[
    "None",
    "NuGet",
    "Docker",
    "Maven",
    "OctopusProject",
    "GitHub",
    "BuiltIn",
    "Helm",
    "OciRegistry",
    "AwsElasticContainerRegistry",
    "S3",
    "AzureContainerRegistry",
    "GoogleContainerRegistry",
    "ArtifactoryGeneric",
    "Npm",
    "GcsStorage",
    "PyPi",
];

pub(crate) const ACCOUNT_TYPES: &[&str] = &[
    "None",
    "UsernamePassword",
    "SshKeyPair",
    "AzureSubscription",
    "AzureServicePrincipal",
    "AmazonWebServicesAccount",
    "AmazonWebServicesRoleAccount",
    "Token",
    "GoogleCloudAccount",
    "AzureOidc",
    "GenericOidcAccount",
    "GoogleCloudOidcAccount",
    "AmazonWebServicesOidcAccount",
];

/// The account secret that must be supplied when the account is created.
// QUESTION: which account secrets are mandatory on create is inferred (PYCLIENT inserts a "-"
// placeholder when a secret is null, which implies the server rejects a null one).
pub(crate) fn required_account_secret(account_type: &str) -> Option<&'static str> {
    match account_type {
        "Token" => Some("Token"),
        "AmazonWebServicesAccount" => Some("SecretKey"),
        "AzureServicePrincipal" => Some("Password"),
        "GoogleCloudAccount" => Some("JsonKey"),
        "SshKeyPair" => Some("PrivateKeyFile"),
        _ => None,
    }
}

/// Fields the server sets itself; a write ignores them (POST) or keeps the stored value (PUT).
pub(crate) fn read_only(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Project => &[
            "VariableSetId",
            "DeploymentProcessId",
            "ClonedFromProjectId",
            "IsVersionControlled",
        ],
        Kind::LibraryVariableSet => &["VariableSetId"],
        Kind::Feed => &["PackageAcquisitionLocationOptions"],
        Kind::WorkerPool => &["CanAddWorkers"],
        Kind::ActionTemplate => &["Version"],
        Kind::Team => &["CanBeDeleted", "CanBeRenamed", "CanChangeRoles", "CanChangeMembers"],
        Kind::UserRole => &[
            "SpacePermissionDescriptions",
            "SystemPermissionDescriptions",
            "CanBeDeleted",
        ],
        Kind::User => &["IsRequestor"],
        Kind::Certificate => &[
            "CertificateDataFormat",
            "Archived",
            "ReplacedBy",
            "SubjectDistinguishedName",
            "SubjectCommonName",
            "SubjectOrganization",
            "IssuerDistinguishedName",
            "IssuerCommonName",
            "IssuerOrganization",
            "SelfSigned",
            "Thumbprint",
            "NotAfter",
            "NotBefore",
            "IsExpired",
            "HasPrivateKey",
            "Version",
            "SerialNumber",
            "SignatureAlgorithmName",
            "SubjectAlternativeNames",
            "CertificateChain",
        ],
        Kind::Space => &["IsPrivate"],
        _ => &[],
    }
}

/// `[WriteableOnCreate]` fields: accepted on POST, silently kept from the stored document on PUT.
pub(crate) fn write_on_create(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Feed => &["FeedType"],
        Kind::Account => &["AccountType"],
        Kind::LibraryVariableSet => &["ContentType"],
        Kind::ActionTemplate => &["ActionType"],
        Kind::Channel => &["ProjectId"],
        Kind::Runbook => &["ProjectId"],
        Kind::Certificate => &["CertificateData", "Password"],
        Kind::Tenant => &["ClonedFromTenantId"],
        Kind::WorkerPool => &["WorkerPoolType"],
        Kind::Team => &["SpaceId"],
        Kind::ScopedUserRole => &["SpaceId"],
        _ => &[],
    }
}

/// Top-level fields that hold a SensitiveValue for this kind/type.
pub(crate) fn secret_fields(kind: Kind, sub: Option<&str>) -> Vec<&'static str> {
    fields(kind, sub)
        .into_iter()
        .filter(|f| f.default.as_ref() == Some(&sv_empty()))
        .map(|f| f.name)
        .collect()
}

/// Top-level collection fields: `null` there fails like the real server ("Value cannot be null").
pub(crate) fn collection_fields(kind: Kind, sub: Option<&str>) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = fields(kind, sub)
        .into_iter()
        .filter(|f| matches!(f.default, Some(Value::Array(_))))
        .map(|f| f.name)
        .collect();
    match kind {
        Kind::Tenant => v.push("ProjectEnvironments"),
        Kind::ActionTemplate => v.push("Properties"),
        _ => {}
    }
    v
}

/// Links of a stored document, in the canonical `/api/{spaceId}/...` form.
pub(crate) fn links(kind: Kind, space: &str, doc: &Map<String, Value>, version: &str) -> Value {
    let id = doc.get("Id").and_then(Value::as_str).unwrap_or("");
    let s = |k: &str| doc.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let base = format!("/api/{space}/{}/{id}", kind.link_seg());
    match kind {
        Kind::Environment => json!({
            "Self": base,
            "Machines": format!("{base}/machines{{?skip,take,partialName,roles,isDisabled,healthStatuses,commStyles,tenantIds,tenantTags,shellNames}}"),
            "SinglyScopedVariableDetails": format!("{base}/singlyScopedVariableDetails"),
            "Metadata": format!("{base}/metadata"),
        }),
        Kind::ProjectGroup => json!({"Self": base, "Projects": format!("{base}/projects")}),
        Kind::Lifecycle => json!({
            "Self": base, "Preview": format!("{base}/preview"), "Projects": format!("{base}/projects")
        }),
        Kind::Feed => json!({
            "Self": base,
            "SearchPackagesTemplate": format!("{base}/packages/search{{?term,take,skip}}"),
            "SearchPackageVersionsTemplate": format!("{base}/packages/versions{{?packageId,take,skip,includePreRelease,versionRange,preReleaseTag,filter,includeReleaseNotes}}"),
            "Packages": format!("{base}/packages"),
            "SearchTemplate": format!("{base}/packages{{?packageId,partialMatch,includeMultipleVersions,includeNotes,includePreRelease,versionRange,preReleaseTag,take,descriptionsOptional}}"),
            "VersionsTemplate": format!("{base}/packages{{?packageIds}}"),
            "NotesTemplate": format!("{base}/packages/notes{{?packageId,version}}"),
        }),
        Kind::Account => json!({"Self": base, "Usages": format!("{base}/usages")}),
        Kind::WorkerPool => json!({"Self": base, "Workers": format!("{base}/workers{{?skip,take}}")}),
        Kind::MachinePolicy => json!({
            "Self": base, "Machines": format!("{base}/machines"), "Workers": format!("{base}/workers")
        }),
        Kind::Certificate => json!({
            "Self": base,
            "Export": format!("{base}/export{{?format,password,includePrivateKey,pemOptions}}"),
            "Archive": format!("{base}/archive"),
            "Unarchive": format!("{base}/unarchive"),
            "Replace": format!("{base}/replace"),
            "Usages": format!("{base}/usages"),
        }),
        Kind::ActionTemplate => json!({
            "Self": base,
            "Usage": format!("{base}/usage"),
            "Versions": format!("{base}/versions"),
            "Logo": format!("{base}/logo?cb={version}"),
        }),
        Kind::LibraryVariableSet => json!({
            "Self": base, "Variables": format!("/api/{space}/variables/{}", s("VariableSetId"))
        }),
        Kind::Tenant => json!({
            "Self": base,
            "Variables": format!("{base}/variables"),
            "Web": format!("/app#/{space}/tenants/{id}"),
            "Logo": format!("{base}/logo?cb={version}"),
        }),
        Kind::Project => json!({
            "Self": base,
            "Variables": format!("{base}/variables"),
            "Releases": format!("{base}/releases{{/version}}{{?skip,take,searchByVersion}}"),
            "Channels": format!("{base}/channels{{/id}}{{?skip,take,partialName}}"),
            "Triggers": format!("{base}/triggers{{?skip,take,partialName,triggerActionType,triggerActionCategory,runbooks}}"),
            "ScheduledTriggers": format!("{base}/triggers/scheduled{{?skip,take,partialName,ids}}"),
            "OrderChannels": format!("{base}/channels/order"),
            "DeploymentProcess": format!("{base}/deploymentprocesses"),
            "DeploymentSettings": format!("{base}/deploymentsettings"),
            "Web": format!("/app#/{space}/projects/{id}"),
            "Logo": format!("{base}/logo?cb={version}"),
            "Metadata": format!("{base}/metadata"),
            "Runbooks": format!("{base}/runbooks{{?skip,take,partialName}}"),
            "RunbookSnapshots": format!("{base}/runbookSnapshots{{/name}}{{?skip,take,searchByName}}"),
            "Summary": format!("{base}/summary"),
        }),
        Kind::Channel => json!({
            "Self": base,
            "Releases": format!("{base}/releases{{?skip,take,searchByVersion}}"),
            "Project": format!("/api/{space}/projects/{}", s("ProjectId")),
        }),
        Kind::DeploymentProcess => json!({
            "Self": base,
            "Project": format!("/api/{space}/projects/{}", s("ProjectId")),
            "Template": format!("{base}/template{{?channel,releaseId}}"),
        }),
        Kind::Runbook => json!({
            "Self": base,
            "Project": format!("/api/{space}/projects/{}", s("ProjectId")),
            "RunbookProcesses": format!("/api/{space}/runbookProcesses/{}", s("RunbookProcessId")),
            "RunbookSnapshots": format!("{base}/runbookSnapshots{{/name}}{{?skip,take,searchByName}}"),
            "RunbookSnapshotTemplate": format!("{base}/runbookSnapshotTemplate"),
        }),
        Kind::RunbookProcess => json!({
            "Self": base,
            "Project": format!("/api/{space}/projects/{}", s("ProjectId")),
            "Runbook": format!("/api/{space}/runbooks/{}", s("RunbookId")),
            "RunbookSnapshotTemplate": format!("{base}/runbookSnapshotTemplate"),
        }),
        Kind::DeploymentSettings => json!({
            "Self": format!("/api/{space}/projects/{}/deploymentsettings", s("ProjectId")),
            "Project": format!("/api/{space}/projects/{}", s("ProjectId")),
        }),
        Kind::Team => json!({
            "Self": format!("/api/teams/{id}"),
            "ScopedUserRoles": format!("/api/teams/{id}/scopeduserroles{{?skip,take}}"),
        }),
        Kind::ScopedUserRole => json!({"Self": format!("/api/scopeduserroles/{id}")}),
        Kind::UserRole => json!({"Self": format!("/api/userroles/{id}")}),
        Kind::User => json!({
            "Self": format!("/api/users/{id}"),
            "Permissions": format!("/api/users/{id}/permissions"),
            "ApiKeys": format!("/api/users/{id}/apikeys{{/id}}{{?skip,take}}"),
            "Avatar": "https://www.gravatar.com/avatar/00000000000000000000000000000000?d=blank",
        }),
        Kind::Machine => json!({
            "Self": base,
            "Connection": format!("{base}/connection"),
            "TasksTemplate": format!("{base}/tasks{{?skip,take}}"),
        }),
        Kind::Worker => json!({"Self": base, "Connection": format!("{base}/connection")}),
        Kind::Space => json!({
            "Self": format!("/api/spaces/{id}"),
            "SpaceHome": format!("/api/{id}"),
            "Web": format!("/app#/spaces/{id}"),
            "Logo": format!("/api/spaces/{id}/logo?cb={version}"),
            "Search": format!("/api/spaces/{id}/search"),
        }),
        Kind::VariableSet | Kind::TagSet | Kind::Package => json!({"Self": base}),
    }
}
