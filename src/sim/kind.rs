//! The kinds of resource the simulator stores and what each is called: its route segment, the
//! segment as links spell it, the collection's `ItemType`, its id prefix and its label in messages.
//! Everything else about a kind (fields, rules, links) lives in its module under `kinds/`.

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
    CommunityActionTemplate,
    LibraryVariableSet,
    VariableSet,
    Tenant,
    Project,
    Channel,
    DeploymentProcess,
    Runbook,
    RunbookProcess,
    RunbookSnapshot,
    Release,
    Deployment,
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

/// Every kind, spaces included.
pub(crate) const ALL: &[Kind] = &[
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
    Kind::CommunityActionTemplate,
    Kind::LibraryVariableSet,
    Kind::VariableSet,
    Kind::Tenant,
    Kind::Project,
    Kind::Channel,
    Kind::DeploymentProcess,
    Kind::Runbook,
    Kind::RunbookProcess,
    Kind::RunbookSnapshot,
    Kind::Release,
    Kind::Deployment,
    Kind::DeploymentSettings,
    Kind::Team,
    Kind::ScopedUserRole,
    Kind::UserRole,
    Kind::User,
    Kind::Machine,
    Kind::Worker,
    Kind::Package,
    Kind::Space,
];

/// Where a kind's documents live and which routes reach them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Home {
    /// Inside one space (`/api/{spaceId}/…`).
    Space,
    /// Server-wide, and also listed below a space: teams and scoped roles carry a `SpaceId` of
    /// their own (`/api/teams` and `/api/{spaceId}/teams` in SW21b).
    Shared,
    /// Server-wide only (`/api/users`, `/api/userroles`, `/api/spaces`; SW21b has no space route).
    Server,
}

/// What a kind is called.
struct Names {
    /// Route segment as links spell it (`runbookProcesses`); routes match it case-insensitively.
    segment: &'static str,
    item_type: &'static str,
    id_prefix: &'static str,
    label: &'static str,
    home: Home,
}

const fn names(segment: &'static str, item_type: &'static str, id_prefix: &'static str, label: &'static str) -> Names {
    Names {
        segment,
        item_type,
        id_prefix,
        label,
        home: Home::Space,
    }
}

const fn shared(segment: &'static str, item_type: &'static str, id_prefix: &'static str, label: &'static str) -> Names {
    Names {
        segment,
        item_type,
        id_prefix,
        label,
        home: Home::Shared,
    }
}

const fn server(segment: &'static str, item_type: &'static str, id_prefix: &'static str, label: &'static str) -> Names {
    Names {
        segment,
        item_type,
        id_prefix,
        label,
        home: Home::Server,
    }
}

impl Kind {
    fn names(self) -> Names {
        match self {
            Kind::Environment => names("environments", "Environment", "Environments", "environment"),
            Kind::ProjectGroup => names("projectgroups", "ProjectGroup", "ProjectGroups", "project group"),
            Kind::TagSet => names("tagsets", "TagSet", "TagSets", "tag set"),
            Kind::Lifecycle => names("lifecycles", "Lifecycle", "Lifecycles", "lifecycle"),
            Kind::Feed => names("feeds", "Feed", "Feeds", "feed"),
            Kind::Account => names("accounts", "Account", "Accounts", "account"),
            Kind::WorkerPool => names("workerpools", "WorkerPool", "WorkerPools", "worker pool"),
            Kind::MachinePolicy => names("machinepolicies", "MachinePolicy", "MachinePolicies", "machine policy"),
            Kind::Certificate => names("certificates", "Certificate", "Certificates", "certificate"),
            Kind::ActionTemplate => names("actiontemplates", "ActionTemplate", "ActionTemplates", "step template"),
            Kind::CommunityActionTemplate => server(
                "communityactiontemplates",
                "CommunityActionTemplate",
                "CommunityActionTemplates",
                "community step template",
            ),
            Kind::LibraryVariableSet => names(
                "libraryvariablesets",
                "LibraryVariableSet",
                "LibraryVariableSets",
                "library variable set",
            ),
            Kind::VariableSet => names("variables", "VariableSet", "variableset", "variable set"),
            Kind::Tenant => names("tenants", "Tenant", "Tenants", "tenant"),
            Kind::Project => names("projects", "Project", "Projects", "project"),
            Kind::Channel => names("channels", "Channel", "Channels", "channel"),
            Kind::DeploymentProcess => names(
                "deploymentprocesses",
                "DeploymentProcess",
                "deploymentprocess",
                "deployment process",
            ),
            Kind::Runbook => names("runbooks", "Runbook", "Runbooks", "runbook"),
            Kind::RunbookProcess => names(
                "runbookProcesses",
                "RunbookProcess",
                "RunbookProcess",
                "runbook process",
            ),
            Kind::RunbookSnapshot => names(
                "runbookSnapshots",
                "RunbookSnapshot",
                "RunbookSnapshots",
                "runbook snapshot",
            ),
            Kind::Release => names("releases", "Release", "Releases", "release"),
            Kind::Deployment => names("deployments", "Deployment", "Deployments", "deployment"),
            Kind::DeploymentSettings => names(
                "deploymentsettings",
                "DeploymentSettings",
                "deploymentsettings",
                "deployment settings",
            ),
            Kind::Team => shared("teams", "Team", "Teams", "team"),
            Kind::ScopedUserRole => shared(
                "scopeduserroles",
                "ScopedUserRole",
                "ScopedUserRoles",
                "scoped user role",
            ),
            Kind::UserRole => server("userroles", "UserRole", "UserRoles", "user role"),
            Kind::User => server("users", "User", "Users", "user"),
            Kind::Machine => names("machines", "DeploymentTarget", "Machines", "deployment target"),
            Kind::Worker => names("workers", "Worker", "Workers", "worker"),
            Kind::Package => names("packages", "Package", "Packages", "package"),
            Kind::Space => server("spaces", "Space", "Spaces", "space"),
        }
    }

    /// The route segment as links spell it (`runbookProcesses`).
    pub fn segment(self) -> &'static str {
        self.names().segment
    }

    /// The collection's `ItemType`.
    pub fn item_type(self) -> &'static str {
        self.names().item_type
    }

    /// Prefix of counter-based ids (`Environments-12`) and derived ids (`variableset-Projects-1`).
    pub fn id_prefix(self) -> &'static str {
        self.names().id_prefix
    }

    /// How messages name the kind.
    pub fn label(self) -> &'static str {
        self.names().label
    }

    /// Server-wide kinds live outside any space.
    pub fn is_system(self) -> bool {
        self.names().home != Home::Space
    }

    /// Whether routes below a space (`/api/{spaceId}/…`) reach the kind.
    pub fn in_space_routes(self) -> bool {
        self.names().home != Home::Server
    }

    /// The kind a route segment names, compared case-insensitively like ASP.NET routing.
    pub fn from_segment(segment: &str) -> Option<Kind> {
        ALL.iter().copied().find(|k| k.segment().eq_ignore_ascii_case(segment))
    }
}
