//! The resource kinds octosync knows, with the facts every module needs about them.

use serde::Serialize;

/// A kind of space resource that octosync loads, translates or syncs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Kind {
    /// `Environments-N`.
    Environment,
    /// `ProjectGroups-N`.
    ProjectGroup,
    /// Tenant tag sets, `TagSets-N` (tags inside are `TagSets-N/Tags-M`).
    TagSet,
    /// Package feeds, `Feeds-N`; the built-in ones are `feeds-builtin` and `feeds-builtin-releases`.
    Feed,
    /// Users, `Users-N` (server-wide: `/api/users`); matched by `Username`, never synced.
    User,
    /// User roles, `UserRoles-N`; built-in ones have fixed ids such as `userroles-projectviewer`
    /// (server-wide: `/api/userroles`).
    UserRole,
    /// A team's role in a space, `ScopedUserRoles-N` (read from the space route, which also lists
    /// the system teams' roles); no name of its own.
    ScopedUserRole,
    /// Teams, `Teams-N`; `SpaceId` null for system teams; built-in ones have fixed ids such as
    /// `teams-everyone` and `teams-spacemanagers-Spaces-1`. The space route lists both.
    Team,
    /// `MachinePolicies-N`; one per space is the default.
    MachinePolicy,
    /// `WorkerPools-N`, static or dynamic; one per space is the default.
    WorkerPool,
    /// `Accounts-N`, polymorphic on `AccountType`.
    Account,
    /// `Certificates-N`; the certificate data and password are never returned by the API.
    Certificate,
    /// Step templates, `ActionTemplates-N`.
    ActionTemplate,
    /// The server's community step template library, `CommunityActionTemplates-N` (server-wide,
    /// read-only; ids differ per instance).
    CommunityActionTemplate,
    /// Script modules: library variable sets with `ContentType: ScriptModule`, `LibraryVariableSets-N`
    /// (the id prefix they share with [`Kind::LibraryVariableSet`]); their body and syntax are two
    /// variables of their variable set.
    ScriptModule,
    /// Library variable sets of variables (`ContentType: Variables`), `LibraryVariableSets-N`
    /// (Octopus names them and script modules from one list); their variables are their
    /// variable set's.
    LibraryVariableSet,
    /// Variable sets, `variableset-{OwnerId}`: not a collection of their own but the documents
    /// other items own ([`Kind::owned_document`]), loaded with their owners and never referred to
    /// by id from another document, so not in [`Kind::ALL`].
    VariableSet,
    /// `Runbooks-N`, each of one project ([`Kind::owner`]): names are unique within the project.
    Runbook,
    /// A runbook's process, `RunbookProcess-{RunbookId}`: owned by its runbook, not in [`Kind::ALL`].
    RunbookProcess,
    /// A project's deployment process, `deploymentprocess-{ProjectId}`: owned by its project
    /// ([`Kind::owned_documents`]), so not in [`Kind::ALL`].
    DeploymentProcess,
    /// `Lifecycles-N`.
    Lifecycle,
    /// `Projects-N`: their settings; processes, runbooks, channels and variables are their own parts.
    Project,
    /// `Channels-N`, each of one project ([`Kind::owner`]): names are unique within the project.
    Channel,
    /// `Tenants-N`: loaded so scopes naming tenants translate; not synced yet.
    Tenant,
}

/// How a collection's documents are read by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadByIds {
    /// `{collection}/all?ids=…`: one plain list.
    All,
    /// `{collection}?ids=…`: a paged envelope.
    Paged,
    /// `{collection}` paged whole, the wanted ids kept: the route takes no `ids` filter, and
    /// every item of the owning kind owns one, so the pages are never more than the ids.
    Listed,
}

impl Kind {
    /// Every kind a space is loaded by, in sync order (owned documents come with their owners).
    pub const ALL: &'static [Kind] = &[
        Kind::Environment,
        Kind::ProjectGroup,
        Kind::TagSet,
        Kind::Feed,
        Kind::User,
        Kind::UserRole,
        Kind::ScopedUserRole,
        Kind::Team,
        Kind::Account,
        Kind::Certificate,
        Kind::MachinePolicy,
        Kind::WorkerPool,
        Kind::ActionTemplate,
        Kind::CommunityActionTemplate,
        Kind::ScriptModule,
        Kind::LibraryVariableSet,
        Kind::Lifecycle,
        Kind::Project,
        Kind::Channel,
        Kind::Runbook,
        Kind::Tenant,
    ];

    /// Space-scoped collection path segment, e.g. `environments`.
    pub fn collection(self) -> &'static str {
        match self {
            Kind::Environment => "environments",
            Kind::ProjectGroup => "projectgroups",
            Kind::TagSet => "tagsets",
            Kind::Feed => "feeds",
            Kind::User => "users",
            Kind::UserRole => "userroles",
            Kind::ScopedUserRole => "scopeduserroles",
            Kind::Team => "teams",
            Kind::MachinePolicy => "machinepolicies",
            Kind::WorkerPool => "workerpools",
            Kind::Account => "accounts",
            Kind::Certificate => "certificates",
            Kind::Tenant => "tenants",
            Kind::ActionTemplate => "actiontemplates",
            Kind::CommunityActionTemplate => "communityactiontemplates",
            Kind::ScriptModule | Kind::LibraryVariableSet => "libraryvariablesets",
            Kind::VariableSet => "variables",
            Kind::DeploymentProcess => "deploymentprocesses",
            Kind::Lifecycle => "lifecycles",
            Kind::Project => "projects",
            Kind::Channel => "channels",
            Kind::Runbook => "runbooks",
            Kind::RunbookProcess => "runbookProcesses",
        }
    }

    /// The filter that narrows a collection several kinds share to this kind's items, e.g.
    /// `contentType=ScriptModule` (reference §1.5, §2.10). Loads use it; creates and look-ups by
    /// name use the whole collection, because the names are unique across it.
    pub fn list_filter(self) -> Option<&'static str> {
        match self {
            Kind::ScriptModule => Some("contentType=ScriptModule"),
            Kind::LibraryVariableSet => Some("contentType=Variables"),
            _ => None,
        }
    }

    /// For kinds whose items belong to an item of another kind and are named uniquely only within
    /// it: the field naming the owner and the owner's kind (a channel's `ProjectId`). Such items
    /// match by owner and name, never by name alone.
    pub fn owner(self) -> Option<(&'static str, Kind)> {
        match self {
            Kind::Channel | Kind::Runbook => Some(("ProjectId", Kind::Project)),
            _ => None,
        }
    }

    /// For kinds whose items each own a document the server makes with them: the field naming it
    /// and its kind (a script module's `VariableSetId`, reference §2.9). Loaded with the items.
    pub fn owned_documents(self) -> &'static [(&'static str, Kind)] {
        match self {
            Kind::ScriptModule | Kind::LibraryVariableSet => &[("VariableSetId", Kind::VariableSet)],
            Kind::Project => &[
                ("DeploymentProcessId", Kind::DeploymentProcess),
                ("VariableSetId", Kind::VariableSet),
            ],
            Kind::Runbook => &[("RunbookProcessId", Kind::RunbookProcess)],
            _ => &[],
        }
    }

    /// True for the kinds of document an item owns ([`Kind::owned_documents`]): variable sets and
    /// processes, read and written only through their owner, never listed.
    pub fn is_owned(self) -> bool {
        matches!(self, Kind::VariableSet | Kind::DeploymentProcess | Kind::RunbookProcess)
    }

    /// Items of another kind the server makes with a new item of this kind, listed at the new
    /// item's route `{item}/{segment}`: a new project's default channel (reference §2.5). Read
    /// back after the create, so the stages after it see them in the same run.
    pub fn made_with(self) -> Option<(&'static str, Kind)> {
        match self {
            Kind::Project => Some(("channels", Kind::Channel)),
            _ => None,
        }
    }

    /// The field a process this kind owns names it by (`ProjectId`, `RunbookId`).
    pub fn owner_link_field(self) -> &'static str {
        match self {
            Kind::Runbook => "RunbookId",
            _ => "ProjectId",
        }
    }

    /// How owned documents of this kind are read by id (reference §2.7–§2.9, the OpenAPI).
    pub fn read_by_ids(self) -> ReadByIds {
        match self {
            Kind::VariableSet => ReadByIds::All,
            // `runbookProcesses` takes no `ids` filter (SW21b: `skip`, `take`).
            Kind::RunbookProcess => ReadByIds::Listed,
            _ => ReadByIds::Paged,
        }
    }

    /// Read-only fields of the documents this kind's items own that nothing reads, left out of the
    /// snapshot. A variable set's `ScopeValues` lists every environment, target, role and tag of
    /// the space, for every set; a script module's variables are never scoped, so its sets are
    /// kept without them (the server ignores the field on a PUT).
    ///
    /// A library set's variables are scoped, but the environments and tenant tags of its lookup
    /// tables are the space's, which the snapshot holds once: they are rebuilt from it when a set
    /// is merged (`sync::variables::space`), rather than kept for every set. Paths may be dotted.
    pub fn owned_fields_unused(self) -> &'static [&'static str] {
        match self {
            Kind::ScriptModule => &["ScopeValues"],
            Kind::LibraryVariableSet | Kind::Project => &["ScopeValues.Environments", "ScopeValues.TenantTags"],
            _ => &[],
        }
    }

    /// True for collections a run can do without: when one cannot be read it is taken as empty,
    /// with a warning, and the items that need it report what is missing.
    ///
    /// Users, user roles and scoped roles need permissions a space's key may lack (`UserView`,
    /// `UserRoleView`, `TeamView`); without them members and roles read as missing and are
    /// reported, while a run that syncs no team is not stopped. Teams themselves are never optional:
    /// a destination read as teamless would get duplicates.
    pub fn optional_on_load(self) -> bool {
        matches!(
            self,
            Kind::CommunityActionTemplate | Kind::User | Kind::UserRole | Kind::ScopedUserRole
        )
    }

    /// True for server-wide collections (`/api/{collection}`), which belong to no space.
    pub fn is_server_wide(self) -> bool {
        matches!(self, Kind::CommunityActionTemplate | Kind::User | Kind::UserRole)
    }

    /// The route that orders the whole collection, for kinds whose order people see (dashboards,
    /// tag pickers): `PUT /api/{space}/{path}` with every id in order (reference §1.5).
    pub fn sort_order_path(self) -> Option<&'static str> {
        match self {
            Kind::Environment => Some("environments/sortorder"),
            Kind::TagSet => Some("tagsets/sortorder"),
            Kind::WorkerPool => Some("workerpools/sortorder"),
            Kind::ProjectGroup
            | Kind::Feed
            | Kind::User
            | Kind::UserRole
            | Kind::ScopedUserRole
            | Kind::Team
            | Kind::MachinePolicy
            | Kind::ActionTemplate
            | Kind::CommunityActionTemplate
            | Kind::Lifecycle
            | Kind::Project
            | Kind::Channel
            | Kind::Runbook
            | Kind::RunbookProcess
            | Kind::Account
            | Kind::Certificate
            | Kind::ScriptModule
            | Kind::LibraryVariableSet
            | Kind::VariableSet
            | Kind::DeploymentProcess
            | Kind::Tenant => None,
        }
    }

    /// Id prefix before the dash, e.g. `Environments`.
    pub fn id_prefix(self) -> &'static str {
        match self {
            Kind::Environment => "Environments",
            Kind::ProjectGroup => "ProjectGroups",
            Kind::TagSet => "TagSets",
            Kind::Feed => "Feeds",
            Kind::User => "Users",
            Kind::UserRole => "UserRoles",
            Kind::ScopedUserRole => "ScopedUserRoles",
            Kind::Team => "Teams",
            Kind::MachinePolicy => "MachinePolicies",
            Kind::WorkerPool => "WorkerPools",
            Kind::Account => "Accounts",
            Kind::Certificate => "Certificates",
            Kind::Tenant => "Tenants",
            Kind::ActionTemplate => "ActionTemplates",
            Kind::CommunityActionTemplate => "CommunityActionTemplates",
            Kind::ScriptModule | Kind::LibraryVariableSet => "LibraryVariableSets",
            Kind::VariableSet => "variableset",
            Kind::DeploymentProcess => "deploymentprocess",
            Kind::Lifecycle => "Lifecycles",
            Kind::Project => "Projects",
            Kind::Channel => "Channels",
            Kind::Runbook => "Runbooks",
            Kind::RunbookProcess => "RunbookProcess",
        }
    }

    /// Name as Octopus shows it and as reports use it, e.g. `Environment`.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Environment => "Environment",
            Kind::ProjectGroup => "Project group",
            Kind::TagSet => "Tenant tag set",
            Kind::Feed => "Feed",
            Kind::User => "User",
            Kind::UserRole => "User role",
            Kind::ScopedUserRole => "Scoped user role",
            Kind::Team => "Team",
            Kind::MachinePolicy => "Machine policy",
            Kind::WorkerPool => "Worker pool",
            Kind::Account => "Account",
            Kind::Certificate => "Certificate",
            Kind::Tenant => "Tenant",
            Kind::ActionTemplate => "Step template",
            Kind::CommunityActionTemplate => "Community step template",
            Kind::ScriptModule => "Script module",
            Kind::LibraryVariableSet => "Library variable set",
            Kind::VariableSet => "Variable set",
            Kind::DeploymentProcess => "Deployment process",
            Kind::Lifecycle => "Lifecycle",
            Kind::Project => "Project",
            Kind::Channel => "Channel",
            Kind::Runbook => "Runbook",
            Kind::RunbookProcess => "Runbook process",
        }
    }

    /// The label in the plural, e.g. `Machine policies`, for progress and log lines.
    pub fn plural(self) -> String {
        match self.label().strip_suffix('y') {
            Some(stem) => format!("{stem}ies"),
            None => format!("{}s", self.label()),
        }
    }

    /// True for kinds of which every space has exactly one default (`IsDefault`): machine policies
    /// and worker pools. The source's default stands for the destination's default, whatever
    /// either is called, because targets, workers and steps fall back to it.
    pub fn has_space_default(self) -> bool {
        matches!(self, Kind::MachinePolicy | Kind::WorkerPool)
    }

    /// The kind an Octopus id belongs to, read from its prefix (`Environments-12` → Environment);
    /// for a prefix kinds share (`LibraryVariableSets-3`), the first of them: look an item up with
    /// [`Kind::candidates_for_id`] (or `Snapshot::find_by_id`).
    pub fn from_id(id: &str) -> Option<Kind> {
        Kind::candidates_for_id(id).next()
    }

    /// Every kind an id may belong to, by its prefix: one, or those that share it (script modules
    /// and library variable sets are both `LibraryVariableSets-N`).
    pub fn candidates_for_id(id: &str) -> impl Iterator<Item = Kind> + '_ {
        let prefix = id.split('-').next().unwrap_or("");
        Kind::ALL
            .iter()
            .copied()
            .filter(move |k| !prefix.is_empty() && k.id_prefix().eq_ignore_ascii_case(prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owned_kinds_are_those_items_own() {
        let owned: std::collections::BTreeSet<Kind> = Kind::ALL
            .iter()
            .flat_map(|k| k.owned_documents().iter().map(|&(_, o)| o))
            .collect();
        for kind in Kind::ALL {
            assert_eq!(kind.is_owned(), owned.contains(kind), "{kind:?}");
        }
    }

    #[test]
    fn ids_name_their_kind() {
        assert_eq!(Kind::from_id("Environments-12"), Some(Kind::Environment));
        assert_eq!(Kind::from_id("lifecycles-3"), Some(Kind::Lifecycle));
        assert_eq!(Kind::from_id("MachinePolicies-1"), Some(Kind::MachinePolicy));
        assert_eq!(Kind::from_id("WorkerPools-21"), Some(Kind::WorkerPool));
        assert_eq!(Kind::from_id("Environments-planned-Staging"), Some(Kind::Environment));
        assert_eq!(Kind::from_id("feeds-builtin-releases"), Some(Kind::Feed));
        assert_eq!(Kind::from_id("feeds-builtin"), Some(Kind::Feed));
        assert_eq!(Kind::from_id("ActionTemplates-4"), Some(Kind::ActionTemplate));
        assert_eq!(
            Kind::from_id("CommunityActionTemplates-4"),
            Some(Kind::CommunityActionTemplate)
        );
        assert_eq!(Kind::from_id("teams-spacemanagers-Spaces-1"), Some(Kind::Team));
        assert_eq!(Kind::from_id("userroles-projectdeployer"), Some(Kind::UserRole));
        assert_eq!(Kind::from_id("UserRoles-3"), Some(Kind::UserRole));
        assert_eq!(Kind::from_id("Users-2"), Some(Kind::User));
        assert_eq!(Kind::from_id("ScopedUserRoles-5"), Some(Kind::ScopedUserRole));
        assert_eq!(Kind::UserRole.plural(), "User roles");
        assert_eq!(Kind::from_id("Accounts-1"), Some(Kind::Account));
        assert_eq!(Kind::from_id("Tenants-3"), Some(Kind::Tenant));
        assert_eq!(Kind::from_id("Certificates-1"), Some(Kind::Certificate));
        assert_eq!(Kind::from_id(""), None);
        assert_eq!(Kind::MachinePolicy.plural(), "Machine policies");
        assert_eq!(Kind::WorkerPool.plural(), "Worker pools");
        assert_eq!(Kind::Environment.plural(), "Environments");
        assert_eq!(Kind::ScriptModule.plural(), "Script modules");
    }

    #[test]
    fn script_modules_and_library_variable_sets_share_a_collection_and_an_id_prefix_but_not_a_filter() {
        assert_eq!(Kind::ScriptModule.collection(), Kind::LibraryVariableSet.collection());
        assert_ne!(Kind::ScriptModule.list_filter(), Kind::LibraryVariableSet.list_filter());
        let both: Vec<Kind> = Kind::candidates_for_id("LibraryVariableSets-3").collect();
        assert_eq!(both, [Kind::ScriptModule, Kind::LibraryVariableSet]);
        // Owned documents are never looked up by id prefix.
        assert_eq!(Kind::from_id("variableset-LibraryVariableSets-3"), None);
        assert_eq!(
            Kind::ScriptModule.owned_documents(),
            [("VariableSetId", Kind::VariableSet)]
        );
    }
}
