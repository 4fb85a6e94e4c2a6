//! The single definition of every `OCTOSYNC_*` setting.
//!
//! The binary validates against it, the README's settings reference lists it and the step templates
//! are generated from it, so the three can never drift apart.

use crate::kind::Kind;

/// Prefix of every environment variable octosync reads.
pub const PREFIX: &str = "OCTOSYNC_";

/// How the step template shows a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// One line of text.
    SingleLineText,
    /// Several lines (lists, one item per line).
    MultiLineText,
    /// `True`/`False`.
    Checkbox,
    /// One of a fixed list: `(value, label)` pairs.
    Select(&'static [(&'static str, &'static str)]),
    /// Masked and encrypted by Octopus.
    Sensitive,
}

/// One setting.
#[derive(Debug, Clone, Copy)]
pub struct SettingDef {
    /// Environment variable name without the prefix, e.g. `SOURCE_URL`.
    pub env: &'static str,
    /// Step template parameter name, namespaced, e.g. `OctoSync.Source.Url`.
    pub parameter: &'static str,
    /// Short label for the step template.
    pub label: &'static str,
    /// What it means, for the template's help text and the README.
    pub help: &'static str,
    /// Control in the step template.
    pub control: Control,
    /// Default the binary applies when unset (empty = no default).
    pub default: &'static str,
    /// Default value in the step template when it differs from `default` (may hold `#{…}`).
    pub template_default: Option<&'static str>,
    /// The run stops when this is unset.
    pub required: bool,
    /// For selector settings: the kind they select.
    pub selects: Option<Kind>,
}

impl SettingDef {
    /// Full environment variable name, e.g. `OCTOSYNC_SOURCE_URL`.
    pub fn var(&self) -> String {
        format!("{PREFIX}{}", self.env)
    }

    /// True for values that must never be printed.
    pub fn is_secret(&self) -> bool {
        self.control == Control::Sensitive
    }
}

const SELECTOR_HELP: &str = "Empty syncs none; `all` syncs every one; otherwise names or wildcard \
patterns (`*`, `?`), one per line or comma-separated, matched case-insensitively; prefix a pattern \
with `!` to exclude it (exclusions alone, such as `!Development`, mean all but those).";

const SCOPE_MATCH_OPTIONS: &[(&str, &str)] = &[
    (
        "SkipUnlessPartialMatch",
        "Keep the matching part; skip when nothing matches",
    ),
    (
        "SkipUnlessExactMatch",
        "Skip unless every reference exists on the destination",
    ),
    (
        "ErrorUnlessPartialMatch",
        "Keep the matching part; stop the run when nothing matches",
    ),
    (
        "ErrorUnlessExactMatch",
        "Stop the run unless every reference exists on the destination",
    ),
    (
        "IgnoreMismatch",
        "Drop references the destination lacks, even if none remain",
    ),
    (
        "IgnoreMismatchOnNewLeaveExistingAlone",
        "As IgnoreMismatch for what is new; what the destination already has keeps its own references (a variable value it scopes otherwise is left alone)",
    ),
];

macro_rules! selector {
    ($env:literal, $param:literal, $label:literal, $kind:expr, $what:literal) => {
        SettingDef {
            env: $env,
            parameter: $param,
            label: $label,
            help: concat!("Which ", $what, " to sync. "),
            control: Control::MultiLineText,
            default: "",
            template_default: None,
            required: false,
            selects: Some($kind),
        }
    };
}

/// Every setting, in the order the step template shows them.
pub static SETTINGS: &[SettingDef] = &[
    SettingDef {
        env: "SOURCE_URL",
        parameter: "OctoSync.Source.Url",
        label: "Source Octopus URL",
        help: "Base URL of the instance to sync from, e.g. `https://octopus.example.com`. The default is this instance.",
        control: Control::SingleLineText,
        default: "",
        // Octopus.Web.ServerUri is empty until an administrator configures it; the Library's own
        // templates fall back to the listen address the same way.
        template_default: Some("#{if Octopus.Web.ServerUri}#{Octopus.Web.ServerUri}#{else}#{Octopus.Web.BaseUrl}#{/if}"),
        required: true,
        selects: None,
    },
    SettingDef {
        env: "SOURCE_API_KEY",
        parameter: "OctoSync.Source.ApiKey",
        label: "Source API key",
        help: "API key of a user or service account that can read the source space.",
        control: Control::Sensitive,
        default: "",
        template_default: None,
        required: true,
        selects: None,
    },
    SettingDef {
        env: "SOURCE_SPACE",
        parameter: "OctoSync.Source.Space",
        label: "Source space",
        help: "Name of the space to sync from. The default is the space this runbook runs in.",
        control: Control::SingleLineText,
        default: "",
        template_default: Some("#{Octopus.Space.Name}"),
        required: true,
        selects: None,
    },
    SettingDef {
        env: "DESTINATION_URL",
        parameter: "OctoSync.Destination.Url",
        label: "Destination Octopus URL",
        help: "Base URL of the instance to sync into, e.g. `https://octopus-prod.example.com`.",
        control: Control::SingleLineText,
        default: "",
        template_default: None,
        required: true,
        selects: None,
    },
    SettingDef {
        env: "DESTINATION_API_KEY",
        parameter: "OctoSync.Destination.ApiKey",
        label: "Destination API key",
        help: "API key of a user or service account that can edit the destination space (Space Manager is enough).",
        control: Control::Sensitive,
        default: "",
        template_default: None,
        required: true,
        selects: None,
    },
    SettingDef {
        env: "DESTINATION_SPACE",
        parameter: "OctoSync.Destination.Space",
        label: "Destination space",
        help: "Name of the space to sync into. It must exist; octosync never creates spaces.",
        control: Control::SingleLineText,
        default: "",
        template_default: Some("#{Octopus.Space.Name}"),
        required: true,
        selects: None,
    },
    SettingDef {
        env: "MODE",
        parameter: "OctoSync.Mode",
        label: "Mode",
        help: "`plan` reads both spaces and reports what would change without writing anything; `apply` makes the changes.",
        control: Control::Select(&[("plan", "Plan only (no writes)"), ("apply", "Apply changes")]),
        default: "plan",
        template_default: None,
        required: false,
        selects: None,
    },
    selector!("ENVIRONMENTS", "OctoSync.Environments", "Environments", Kind::Environment, "environments (created when missing, never updated)"),
    selector!("PROJECT_GROUPS", "OctoSync.ProjectGroups", "Project groups", Kind::ProjectGroup, "project groups (created when missing, never updated)"),
    selector!("TENANT_TAG_SETS", "OctoSync.TenantTagSets", "Tenant tag sets", Kind::TagSet, "tenant tag sets (missing tags are added; destination-only tags are kept)"),
    selector!("TENANTS", "OctoSync.Tenants", "Tenants", Kind::Tenant, "tenants, by name or by tag (`Region/EU` selects the tenants tagged with it; `!` and wildcards work on both): created early with their description and tags, connected after the projects to the synced projects in the environments the destination has; existing tenants keep their own details"),
    SettingDef {
        env: "TENANT_EXISTING_TAGS",
        parameter: "OctoSync.TenantExistingTags",
        label: "Tags of tenants the destination has",
        help: "Whether a tenant the destination already has gains the source's tenant tags it lacks. `LeaveExisting`: its tags are its own. `AddMissing`: the source's tags the destination knows are added; none is ever removed.",
        control: Control::Select(&[
            ("LeaveExisting", "Leave existing tenants' tags alone"),
            ("AddMissing", "Add the source's tags to existing tenants"),
        ]),
        default: "LeaveExisting",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "TENANT_WITHOUT_ENVIRONMENTS",
        parameter: "OctoSync.TenantWithoutEnvironments",
        label: "Tenants connected only to environments the destination lacks",
        help: "What happens to a missing tenant whose every project connection on the source is to environments the destination does not have (a tenant of Dev and Test, synced into Staging/Production). `Create`: it is created, connected to nothing, and reported. `Skip`: it is not created, and reported. A tenant connected to no project at all is created either way.",
        control: Control::Select(&[
            ("Create", "Create it, connected to nothing"),
            ("Skip", "Do not create it"),
        ]),
        default: "Create",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "TENANT_VARIABLES",
        parameter: "OctoSync.TenantVariables",
        label: "Tenant variables",
        help: "Whether the synced tenants' variable values (project templates per environment, library variable set templates) are copied, matched by project, library variable set, template and environment name; seed 003 asks \"should all the variables in Staging and Production for that tenant be copied?\". `None`: no, each instance's tenant values are its own; they are not read. `Copy`: the values follow OCTOSYNC_VARIABLE_OVERWRITE: with `False` only the values the destination tenant lacks are set, its own kept; with `True` yes, every value becomes the source's and one the source does not set goes back to the template's default; with `AddNewWithDefaultValue` the values it lacks get the placeholder for a person to enter. A sensitive value never travels: a missing one gets the placeholder and a clean-up entry, an existing one is never touched. Account, certificate and worker-pool values are translated by name.",
        control: Control::Select(&[
            ("None", "Each instance keeps its own tenant values"),
            ("Copy", "Copy them, following the variable overwrite setting"),
        ]),
        default: "None",
        template_default: None,
        required: false,
        selects: None,
    },
    selector!("FEEDS", "OctoSync.Feeds", "External feeds", Kind::Feed, "external feeds (created when missing, never updated; credentials never travel; built-in feeds map to the destination's)"),
    selector!("TEAMS", "OctoSync.Teams", "Teams", Kind::Team, "space teams (created when missing with the members the destination has, never updated; system and built-in teams never; the custom user roles they use are matched by name)"),
    SettingDef {
        env: "CREATE_USER_ROLES",
        parameter: "OctoSync.CreateUserRoles",
        label: "Create missing custom user roles",
        help: "Create the custom user roles the synced teams use when the destination lacks them (matched by name; built-in roles always map). User roles are system-wide, so this needs the destination key of an Octopus administrator. Off: each missing role is a clean-up entry.",
        control: Control::Checkbox,
        default: "False",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "TEAM_PERMISSIONS",
        parameter: "OctoSync.TeamPermissions",
        label: "Sync team permissions",
        help: "Add the scoped user roles of the teams `OCTOSYNC_TEAMS` selects to their destination teams, last, with their project groups, projects, environments and tenants matched by name: what the destination lacks is dropped and reported, and a role that would be left unrestricted on a dimension the source restricts is never created. The destination teams' own scoped roles are kept. Needs a destination key that can edit teams.",
        control: Control::Checkbox,
        default: "False",
        template_default: None,
        required: false,
        selects: None,
    },
    selector!("MACHINE_POLICIES", "OctoSync.MachinePolicies", "Machine policies", Kind::MachinePolicy, "machine policies (created when missing; existing ones follow the machine policy update option; the default policy is matched to the destination's default)"),
    SettingDef {
        env: "MACHINE_POLICY_UPDATES",
        parameter: "OctoSync.MachinePolicyUpdates",
        label: "Details of existing machine policies",
        help: "What happens to machine policies that already exist on the destination. `Overwrite` gives them the source's health check, connectivity, update, clean-up, retry and timeout settings and description; their name and which policy is the default never change.",
        control: Control::Select(&[
            ("LeaveExisting", "Leave existing machine policies as they are"),
            ("Overwrite", "Overwrite existing machine policies' settings with the source's"),
        ]),
        default: "LeaveExisting",
        template_default: None,
        required: false,
        selects: None,
    },
    selector!("WORKER_POOLS", "OctoSync.WorkerPools", "Worker pools", Kind::WorkerPool, "worker pools (static pools created when missing, never updated; dynamic pools skipped)"),
    selector!("ACCOUNTS", "OctoSync.Accounts", "Accounts", Kind::Account, "accounts (created when missing with placeholder secrets, never updated; scoping follows the infrastructure match options)"),
    selector!("CERTIFICATES", "OctoSync.Certificates", "Certificates", Kind::Certificate, "certificates (none unless selected, as each carries a private key; a missing one is uploaded from the source's export with the certificate password, one with another thumbprint follows the replace option, archived ones are skipped)"),
    SettingDef {
        env: "CERTIFICATE_REPLACE",
        parameter: "OctoSync.CertificateReplace",
        label: "Replace certificates that differ",
        help: "Replace a destination certificate whose thumbprint differs from the source's with the source's file, through Octopus's replace route: the certificate keeps its id, name, notes and scoping, and Octopus keeps the old one archived. Off: such a certificate is left alone, with a warning and a clean-up entry.",
        control: Control::Checkbox,
        default: "False",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "CERTIFICATE_PASSWORD",
        parameter: "OctoSync.CertificatePassword",
        label: "Certificate password",
        help: "Password of the selected certificates' files (a PFX is usually protected by one). Octopus exports a certificate exactly as it was uploaded, password included, so the destination needs the same password to read it. One password for every certificate selected: sync certificates with different passwords in separate steps. Never printed; leave empty for files without a password.",
        control: Control::Sensitive,
        default: "",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "INFRASTRUCTURE_ENVIRONMENT_MATCH",
        parameter: "OctoSync.InfrastructureEnvironmentMatch",
        label: "Account environments missing on the destination",
        help: "What to do with an account or certificate scoped to environments that do not all exist on the destination. An account whose scoping would become empty is never created unscoped (which would widen it) unless this is `IgnoreMismatch`.",
        control: Control::Select(SCOPE_MATCH_OPTIONS),
        default: "SkipUnlessPartialMatch",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "INFRASTRUCTURE_TENANT_MATCH",
        parameter: "OctoSync.InfrastructureTenantMatch",
        label: "Account tenants missing on the destination",
        help: "What to do with an account or certificate scoped to tenants that do not all exist on the destination. An account whose tenant scoping would become empty is never created unscoped unless this is `IgnoreMismatch`.",
        control: Control::Select(SCOPE_MATCH_OPTIONS),
        default: "SkipUnlessPartialMatch",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "INFRASTRUCTURE_TENANT_TAG_MATCH",
        parameter: "OctoSync.InfrastructureTenantTagMatch",
        label: "Account tenant tags missing on the destination",
        help: "What to do with an account or certificate scoped to tenant tags that do not all exist on the destination. An account whose tenant scoping would become empty is never created unscoped unless this is `IgnoreMismatch`.",
        control: Control::Select(SCOPE_MATCH_OPTIONS),
        default: "SkipUnlessPartialMatch",
        template_default: None,
        required: false,
        selects: None,
    },
    selector!("STEP_TEMPLATES", "OctoSync.StepTemplates", "Step templates", Kind::ActionTemplate, "step templates (custom ones must match the source exactly; community ones are installed from the destination's own library)"),
    selector!("SCRIPT_MODULES", "OctoSync.ScriptModules", "Script modules", Kind::ScriptModule, "script modules (must match the source exactly: created when missing; description, script body and syntax kept equal to the source's; other variables of a destination module are kept)"),
    selector!("LIFECYCLES", "OctoSync.Lifecycles", "Lifecycles", Kind::Lifecycle, "lifecycles (phases follow the lifecycle phase option)"),
    SettingDef {
        env: "LIFECYCLE_PHASES",
        parameter: "OctoSync.LifecyclePhases",
        label: "Phases of existing lifecycles",
        help: "What happens to the phases of lifecycles that already exist on the destination. New lifecycles get the source phases unless this is `Never`.",
        control: Control::Select(&[
            ("LeaveExisting", "Leave existing lifecycles' phases alone"),
            ("Overwrite", "Overwrite existing lifecycles' phases with the source phases"),
            ("Never", "Never copy phases, not even into new lifecycles"),
        ]),
        default: "LeaveExisting",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "LIFECYCLE_PHASE_ENVIRONMENT_MATCH",
        parameter: "OctoSync.LifecyclePhaseEnvironmentMatch",
        label: "Phase environments missing on the destination",
        help: "What to do with a lifecycle phase whose environments do not all exist on the destination.",
        control: Control::Select(SCOPE_MATCH_OPTIONS),
        default: "SkipUnlessPartialMatch",
        template_default: None,
        required: false,
        selects: None,
    },
    selector!("LIBRARY_VARIABLE_SETS", "OctoSync.LibraryVariableSets", "Library variable sets", Kind::LibraryVariableSet, "library variable sets (created when missing; their variables merged by the variable options below; their tenant variable templates merged by name; an existing set keeps its own description)"),
    SettingDef {
        env: "LIBRARY_VARIABLE_SET_NAMES",
        parameter: "OctoSync.LibraryVariableSetNames",
        label: "Library variable sets under other names",
        help: "Sync a source library variable set into a destination set of another name: `Source name => Destination name`, one per line or comma-separated. The selector still decides which source sets are synced; projects that include the source set are matched to the destination's.",
        control: Control::MultiLineText,
        default: "",
        template_default: None,
        required: false,
        selects: None,
    },
    selector!("PROJECTS", "OctoSync.Projects", "Projects", Kind::Project, "projects: created when missing in the translated group and lifecycle (an existing one gains the source's description, library sets and variable templates and keeps its own group, lifecycle and tenanted mode), then their channels, deployment process, runbooks and variables as the project parts option says; config-as-code projects are skipped"),
    SettingDef {
        env: "CHANNELS",
        parameter: "OctoSync.Channels",
        label: "Channels of the projects",
        help: "Which channels of the selected projects to sync (a selector within them; `all` by default). A missing channel is created without version rules (they follow the process); the source's default channel is the destination's default whatever either is called; existing channels keep their own settings.",
        control: Control::MultiLineText,
        default: "all",
        template_default: None,
        required: false,
        selects: Some(Kind::Channel),
    },
    SettingDef {
        env: "CHANNEL_LIFECYCLE_MATCH",
        parameter: "OctoSync.ChannelLifecycleMatch",
        label: "Channel lifecycles missing on the destination",
        help: "What to do with a new channel whose lifecycle the destination lacks. The `Ignore…` modes create it on the project's lifecycle, with a warning.",
        control: Control::Select(SCOPE_MATCH_OPTIONS),
        default: "SkipUnlessExactMatch",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "RUNBOOKS",
        parameter: "OctoSync.Runbooks",
        label: "Runbooks of the projects",
        help: "Which runbooks of the selected projects to sync (a selector within them; `all` by default). A missing runbook is created with its settings and environment scope translated (one whose environments are all missing is not created); existing runbooks keep their own settings; a snapshot is published only as the runbook publish option says.",
        control: Control::MultiLineText,
        default: "all",
        template_default: None,
        required: false,
        selects: Some(Kind::Runbook),
    },
    SettingDef {
        env: "RUNBOOK_PUBLISH",
        parameter: "OctoSync.RunbookPublish",
        label: "Publish changed runbooks",
        help: "Whether a runbook whose process octosync changed gets a new published snapshot, so that runs use the change at once. `False` (default): nothing is published, the report says which runbooks to publish after review. `True`: a snapshot named `octosync <time>` is made and published right after the process is written.",
        control: Control::Checkbox,
        default: "False",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "PROJECT_PARTS",
        parameter: "OctoSync.ProjectParts",
        label: "Parts of the projects",
        help: "Which parts of the selected projects are synced, one per line: `Process` (deployment process), `Runbooks` (runbooks and their processes), `Variables`, `ChannelRules` (channel version rules), `Versioning` (release versioning and automatic release creation), `Logos`; `all` by default, and `!Part` leaves one out (`all` then `!Logos`). A project's own settings and its channels are always synced.",
        control: Control::MultiLineText,
        default: "all",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "VARIABLE_OVERWRITE",
        parameter: "OctoSync.VariableOverwrite",
        label: "Variable values the destination has",
        help: "What happens to variable values the destination already has (matched by name, sensitivity, type and translated scope). `False`: new values are added, existing ones left alone. `True`: an existing value takes the source's value, description and prompt, and follows a change of its scope. `AddNewWithDefaultValue`: as `False`, but new values get the placeholder `octosync-placeholder-replace-me` (account, certificate and worker-pool values none), each with a clean-up entry. A destination sensitive value is never overwritten; a new sensitive value always gets the placeholder.",
        control: Control::Select(&[
            ("False", "Add new values; leave existing values alone"),
            ("True", "Add new values; existing values take the source's"),
            ("AddNewWithDefaultValue", "Add new values with a placeholder; leave existing values alone"),
        ]),
        default: "False",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "VARIABLE_ENVIRONMENT_MATCH",
        parameter: "OctoSync.VariableEnvironmentMatch",
        label: "Variable environments missing on the destination",
        help: "What to do with a variable value scoped to environments that do not all exist on the destination (matched by name through the variable sets' scope values). A value whose scope here would become empty, and so wider than the source's, is added only under the Ignore modes, and then with a warning.",
        control: Control::Select(SCOPE_MATCH_OPTIONS),
        default: "SkipUnlessPartialMatch",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "VARIABLE_CHANNEL_MATCH",
        parameter: "OctoSync.VariableChannelMatch",
        label: "Variable channels missing on the destination",
        help: "What to do with a variable value scoped to channels that do not all exist on the destination (matched by name through the variable sets' scope values). A value whose scope here would become empty, and so wider than the source's, is added only under the Ignore modes, and then with a warning.",
        control: Control::Select(SCOPE_MATCH_OPTIONS),
        default: "SkipUnlessPartialMatch",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "VARIABLE_PROCESS_OWNER_MATCH",
        parameter: "OctoSync.VariableProcessOwnerMatch",
        label: "Variable processes missing on the destination",
        help: "What to do with a variable value scoped to processes (the deployment process, runbooks) that do not all exist on the destination (matched by name through the variable sets' scope values). A value whose scope here would become empty, and so wider than the source's, is added only under the Ignore modes, and then with a warning.",
        control: Control::Select(SCOPE_MATCH_OPTIONS),
        default: "SkipUnlessPartialMatch",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "VARIABLE_ACTION_MATCH",
        parameter: "OctoSync.VariableActionMatch",
        label: "Variable steps missing on the destination",
        help: "What to do with a variable value scoped to steps that do not all exist on the destination (matched by name through the variable sets' scope values). A value whose scope here would become empty, and so wider than the source's, is added only under the Ignore modes, and then with a warning.",
        control: Control::Select(SCOPE_MATCH_OPTIONS),
        default: "SkipUnlessPartialMatch",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "VARIABLE_MACHINE_MATCH",
        parameter: "OctoSync.VariableMachineMatch",
        label: "Variable targets missing on the destination",
        help: "What to do with a variable value scoped to deployment targets that do not all exist on the destination (matched by name through the variable sets' scope values). A value whose scope here would become empty, and so wider than the source's, is added only under the Ignore modes, and then with a warning.",
        control: Control::Select(SCOPE_MATCH_OPTIONS),
        default: "SkipUnlessPartialMatch",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "VARIABLE_TENANT_TAG_MATCH",
        parameter: "OctoSync.VariableTenantTagMatch",
        label: "Variable tenant tags missing on the destination",
        help: "What to do with a variable value scoped to tenant tags that do not all exist on the destination (matched by name through the variable sets' scope values). A value whose scope here would become empty, and so wider than the source's, is added only under the Ignore modes, and then with a warning.",
        control: Control::Select(SCOPE_MATCH_OPTIONS),
        default: "SkipUnlessPartialMatch",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "VARIABLE_ACCOUNT_MATCH",
        parameter: "OctoSync.VariableAccountMatch",
        label: "Variable accounts missing on the destination",
        help: "What to do with an account variable whose account (matched by name) does not exist on the destination. For one value the partial modes act as the exact ones; the Ignore modes add a new value empty, with a clean-up entry, and never empty an existing one.",
        control: Control::Select(SCOPE_MATCH_OPTIONS),
        default: "SkipUnlessExactMatch",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "VARIABLE_CERTIFICATE_MATCH",
        parameter: "OctoSync.VariableCertificateMatch",
        label: "Variable certificates missing on the destination",
        help: "What to do with a certificate variable whose certificate (matched by name) does not exist on the destination. For one value the partial modes act as the exact ones; the Ignore modes add a new value empty, with a clean-up entry, and never empty an existing one.",
        control: Control::Select(SCOPE_MATCH_OPTIONS),
        default: "SkipUnlessExactMatch",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "VARIABLE_WORKER_POOL_MATCH",
        parameter: "OctoSync.VariableWorkerPoolMatch",
        label: "Variable worker pools missing on the destination",
        help: "What to do with a worker-pool variable whose worker pool (matched by name) does not exist on the destination. For one value the partial modes act as the exact ones; the Ignore modes add a new value empty, with a clean-up entry, and never empty an existing one.",
        control: Control::Select(SCOPE_MATCH_OPTIONS),
        default: "SkipUnlessPartialMatch",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "PROCESS_CLONING_OPTION",
        parameter: "OctoSync.ProcessCloningOption",
        label: "Process steps only the destination has",
        help: "What happens to steps and actions of a deployment or runbook process that the destination has and the source does not (matched by name; actions by name within their step). `KeepAdditionalDestinationSteps`: kept where they stand among the source's steps. `SourceOnly`: removed, and the plan lists them as deletions. An action the source has but octosync skips (its scope cannot be translated) never removes the destination's action of that name.",
        control: Control::Select(&[
            ("KeepAdditionalDestinationSteps", "Keep the destination's own steps where they stand"),
            ("SourceOnly", "Remove steps and actions the source does not have"),
        ]),
        default: "KeepAdditionalDestinationSteps",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "PROCESS_STEP_FIELDS",
        parameter: "OctoSync.ProcessStepFields",
        label: "Step settings of existing steps",
        help: "What happens to the step-level settings (target roles, condition, start trigger, package requirement, max parallelism) of a step both processes have. `Sync`: they follow the source's. `KeepDestination`: the destination's step keeps its own (as SpaceCloner does); its actions are synced either way.",
        control: Control::Select(&[
            ("Sync", "Follow the source's step settings"),
            ("KeepDestination", "Keep the destination's step settings"),
        ]),
        default: "Sync",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "PROCESS_ENVIRONMENT_MATCH",
        parameter: "OctoSync.ProcessEnvironmentMatch",
        label: "Step environments missing on the destination",
        help: "What to do with a process action scoped to environments that do not all exist on the destination (matched by name); excluded environments the destination lacks are left out under the `Skip…` modes, since nothing there deploys to them. A skipped action is left out of a new step, and an action of that name the destination already has is left as it is, never removed.",
        control: Control::Select(SCOPE_MATCH_OPTIONS),
        default: "SkipUnlessPartialMatch",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "PROCESS_CHANNEL_MATCH",
        parameter: "OctoSync.ProcessChannelMatch",
        label: "Step channels missing on the destination",
        help: "What to do with a process action scoped to channels that do not all exist in the destination project (matched by name; the default channel stands for the default). A skipped action is left out of a new step, and an action of that name the destination already has is left as it is, never removed.",
        control: Control::Select(SCOPE_MATCH_OPTIONS),
        default: "SkipUnlessPartialMatch",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "PROCESS_TENANT_TAG_MATCH",
        parameter: "OctoSync.ProcessTenantTagMatch",
        label: "Step tenant tags missing on the destination",
        help: "What to do with a process action scoped to tenant tags that do not all exist on the destination (matched by tag set and tag name). A skipped action is left out of a new step, and an action of that name the destination already has is left as it is, never removed.",
        control: Control::Select(SCOPE_MATCH_OPTIONS),
        default: "SkipUnlessPartialMatch",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "FAIL_ON_CHANGES",
        parameter: "OctoSync.FailOnChanges",
        label: "Fail when out of sync",
        help: "Plan mode only: exit with code 2 when there are changes to make (a drift check on a schedule). Off: exit 0 and set the `InSync` output variable.",
        control: Control::Checkbox,
        default: "False",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "EXPECTED_PLAN",
        parameter: "OctoSync.ExpectedPlan",
        label: "Approved plan fingerprint",
        help: "In apply mode: the `PlanFingerprint` output of the reviewed plan step. octosync recomputes the plan and refuses to apply if it differs.",
        control: Control::SingleLineText,
        default: "",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "REPORT_DIR",
        parameter: "OctoSync.ReportDir",
        label: "Report folder",
        help: "Folder for the JSON and Markdown reports, attached as artifacts under Octopus. Relative paths are under the step's working folder.",
        control: Control::SingleLineText,
        default: "octosync-report",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "CONCURRENCY",
        parameter: "OctoSync.Concurrency",
        label: "Most requests in flight",
        help: "The ceiling of requests octosync has in flight per instance (1 to 64; 1 sends one at a time). octosync starts at 8 (or this, if lower), adds one while the server answers as fast, halves on 429 or 503 answers, timeouts or slower answers, and never exceeds this.",
        control: Control::SingleLineText,
        default: "32",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "REQUEST_TIMEOUT_SECONDS",
        parameter: "OctoSync.RequestTimeoutSeconds",
        label: "Request timeout (seconds)",
        help: "How long one request may take before it is retried (1 to 600).",
        control: Control::SingleLineText,
        default: "60",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "MAX_RESPONSE_MB",
        parameter: "OctoSync.MaxResponseMb",
        label: "Largest response (MB)",
        help: "The largest response octosync accepts from either instance, in MB (1 to 4096). A larger one stops the run with an error instead of exhausting the worker's memory; raise it only if a space really holds documents this large.",
        control: Control::SingleLineText,
        default: "256",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "MAX_ATTEMPTS",
        parameter: "OctoSync.MaxAttempts",
        label: "Attempts per request",
        help: "How often a request is tried on 429, 5xx, time-outs and dropped connections before the run fails (1 to 20).",
        control: Control::SingleLineText,
        default: "5",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "TIMEOUT_MINUTES",
        parameter: "OctoSync.TimeoutMinutes",
        label: "Run time limit (minutes)",
        help: "How long the whole run may take (1 to 1440). When it runs out, no further write starts, the writes in flight finish, and the run ends with its report saying what was and was not done.",
        control: Control::SingleLineText,
        default: "30",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "IGNORE_VERSION_MISMATCH",
        parameter: "OctoSync.IgnoreVersionMismatch",
        label: "Ignore version mismatch",
        help: "Run even when the two instances are more than one minor version apart (Octopus advises against it: payloads may be rejected).",
        control: Control::Checkbox,
        default: "False",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "SERVICE_MESSAGES",
        parameter: "OctoSync.ServiceMessages",
        label: "Octopus service messages",
        help: "Write the log as Octopus service messages. Empty: detect whether octosync runs under Octopus.",
        control: Control::Select(&[("", "Detect"), ("True", "Always"), ("False", "Never")]),
        default: "",
        template_default: None,
        required: false,
        selects: None,
    },
    SettingDef {
        env: "VERBOSE",
        parameter: "OctoSync.Verbose",
        label: "Verbose console output",
        help: "Outside Octopus, also print the verbose lines (every API call and decision). Under Octopus they always go to the verbose log.",
        control: Control::Checkbox,
        default: "False",
        template_default: None,
        required: false,
        selects: None,
    },
];

/// Looks a setting up by its environment variable suffix.
pub fn find(env: &str) -> Option<&'static SettingDef> {
    SETTINGS.iter().find(|d| d.env == env)
}

/// Help text of a setting, with the common selector help appended for selectors.
pub fn full_help(def: &SettingDef) -> String {
    if def.selects.is_some() {
        format!("{}{}", def.help, SELECTOR_HELP)
    } else {
        def.help.to_string()
    }
}

/// The settings reference as a Markdown table, as the README shows it.
pub fn markdown_reference() -> String {
    let mut out = String::from("| Variable | Step parameter | Default | Meaning |\n|---|---|---|---|\n");
    for d in SETTINGS {
        let default = match (d.required, d.default, d.template_default) {
            (true, _, Some(t)) => format!("required (template: `{t}`)"),
            (true, _, None) => "required".to_string(),
            (false, "", _) => "(empty)".to_string(),
            (false, v, _) => format!("`{v}`"),
        };
        // The README says the selector syntax once, below the table; the step template repeats it
        // on every selector because a person there sees one parameter at a time.
        let help = if d.selects.is_some() {
            format!("{}A [selector](#selectors).", d.help)
        } else {
            d.help.to_string()
        };
        let mut meaning = help.replace('|', "\\|");
        if let Control::Select(options) = d.control {
            if std::ptr::eq(options, SCOPE_MATCH_OPTIONS) {
                meaning.push_str(" A [scope-match mode](#scope-match-modes).");
            } else {
                let values: Vec<String> = options
                    .iter()
                    .filter(|(v, _)| !v.is_empty())
                    .map(|(v, _)| format!("`{v}`"))
                    .collect();
                meaning.push_str(&format!(" Values: {}.", values.join(", ")));
            }
        }
        out.push_str(&format!(
            "| `{}` | `{}` | {default} | {meaning} |\n",
            d.var(),
            d.parameter
        ));
    }
    out.push_str(&format!("\n<a id=\"selectors\"></a>**Selectors.** {SELECTOR_HELP}\n"));
    out.push_str("\n<a id=\"scope-match-modes\"></a>**Scope-match modes** (SpaceCloner's options), for references an item makes to items the destination may lack:\n\n");
    for (value, label) in SCOPE_MATCH_OPTIONS {
        out.push_str(&format!("- `{value}`: {label}.\n"));
    }
    out
}
