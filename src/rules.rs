//! The delta as policy: what may differ between the instances, decided once from the settings.

use crate::scope::MatchPolicy;

/// What happens to the phases of lifecycles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhaseOption {
    /// New lifecycles get the source phases; existing lifecycles keep theirs (the default).
    LeaveExisting,
    /// Existing lifecycles' phases are replaced by the source phases.
    Overwrite,
    /// Phases are never copied, not even into new lifecycles.
    Never,
}

/// What happens to the details of an item the destination already has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExistingOption {
    /// The destination's item keeps its own details (the default).
    LeaveExisting,
    /// The fields octosync owns for the kind take the source's values.
    Overwrite,
}

/// What happens to variable values the destination already has (`OCTOSYNC_VARIABLE_OVERWRITE`,
/// SpaceCloner's `OverwriteExistingVariables`). A destination sensitive value is never overwritten,
/// whatever this says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableOverwrite {
    /// `False` (the default): new values are added; values the destination has are left alone.
    LeaveExisting,
    /// `True`: a destination value matched to a source value takes its value, description and
    /// prompt, and a value whose scope changed on the source follows it.
    Overwrite,
    /// `AddNewWithDefaultValue`: as `False`, but new values get a placeholder for a person to
    /// replace, each with a clean-up entry.
    AddNewWithDefaultValue,
}

impl VariableOverwrite {
    /// Values as the setting spells them (SpaceCloner's).
    pub const NAMES: &'static [&'static str] = &["False", "True", "AddNewWithDefaultValue"];

    /// The setting's spelling.
    pub fn name(self) -> &'static str {
        match self {
            VariableOverwrite::LeaveExisting => "False",
            VariableOverwrite::Overwrite => "True",
            VariableOverwrite::AddNewWithDefaultValue => "AddNewWithDefaultValue",
        }
    }

    /// Parses a canonical name from [`VariableOverwrite::NAMES`].
    pub fn from_name(name: &str) -> Option<VariableOverwrite> {
        Some(match name {
            "False" => VariableOverwrite::LeaveExisting,
            "True" => VariableOverwrite::Overwrite,
            "AddNewWithDefaultValue" => VariableOverwrite::AddNewWithDefaultValue,
            _ => return None,
        })
    }
}

/// The rules of the variable engine: the overwrite option and one scope-match mode per scope
/// dimension octosync translates and per kind of typed value (`OCTOSYNC_VARIABLE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VariableRules {
    /// Values the destination already has.
    pub overwrite: VariableOverwrite,
    /// `Scope.Environment`.
    pub environments: MatchPolicy,
    /// `Scope.Channel`.
    pub channels: MatchPolicy,
    /// `Scope.ProcessOwner` (the deployment process, runbooks).
    pub process_owners: MatchPolicy,
    /// `Scope.Action` (steps).
    pub actions: MatchPolicy,
    /// `Scope.Machine` (deployment targets).
    pub machines: MatchPolicy,
    /// `Scope.TenantTag`.
    pub tenant_tags: MatchPolicy,
    /// The account an account variable names.
    pub accounts: MatchPolicy,
    /// The certificate a certificate variable names.
    pub certificates: MatchPolicy,
    /// The worker pool a worker-pool variable names.
    pub worker_pools: MatchPolicy,
}

impl Default for VariableRules {
    /// SpaceCloner's defaults (`spacecloner.md` §1.2): partial matches for scopes, exact matches
    /// for accounts and certificates, and `SkipUnlessPartialMatch` for worker pools, which for one
    /// value is the exact match SpaceCloner meant (its typo made it never skip, §1.4).
    fn default() -> Self {
        VariableRules {
            overwrite: VariableOverwrite::LeaveExisting,
            environments: MatchPolicy::SkipUnlessPartialMatch,
            channels: MatchPolicy::SkipUnlessPartialMatch,
            process_owners: MatchPolicy::SkipUnlessPartialMatch,
            actions: MatchPolicy::SkipUnlessPartialMatch,
            machines: MatchPolicy::SkipUnlessPartialMatch,
            tenant_tags: MatchPolicy::SkipUnlessPartialMatch,
            accounts: MatchPolicy::SkipUnlessExactMatch,
            certificates: MatchPolicy::SkipUnlessExactMatch,
            worker_pools: MatchPolicy::SkipUnlessPartialMatch,
        }
    }
}

/// What happens to destination steps and actions the source does not have
/// (`OCTOSYNC_PROCESS_CLONING_OPTION`, SpaceCloner's `ProcessCloningOption`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessSteps {
    /// Kept where they stand among the source's (the default).
    KeepAdditionalDestinationSteps,
    /// Removed: the destination's process becomes the source's (the plan marks them as deletions).
    SourceOnly,
}

impl ProcessSteps {
    /// Values as the setting spells them (SpaceCloner's).
    pub const NAMES: &'static [&'static str] = &["KeepAdditionalDestinationSteps", "SourceOnly"];

    /// Parses a canonical name from [`ProcessSteps::NAMES`].
    pub fn from_name(name: &str) -> Option<ProcessSteps> {
        Some(match name {
            "KeepAdditionalDestinationSteps" => ProcessSteps::KeepAdditionalDestinationSteps,
            "SourceOnly" => ProcessSteps::SourceOnly,
            _ => return None,
        })
    }
}

/// What happens to the step-level fields of a step both processes have (target roles, condition,
/// start trigger, package requirement, max parallelism): `OCTOSYNC_PROCESS_STEP_FIELDS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepFields {
    /// They follow the source's (the default; SpaceCloner never syncs them).
    Sync,
    /// The destination's step keeps its own.
    KeepDestination,
}

impl StepFields {
    /// Values as the setting spells them.
    pub const NAMES: &'static [&'static str] = &["Sync", "KeepDestination"];

    /// Parses a canonical name from [`StepFields::NAMES`].
    pub fn from_name(name: &str) -> Option<StepFields> {
        Some(match name {
            "Sync" => StepFields::Sync,
            "KeepDestination" => StepFields::KeepDestination,
            _ => return None,
        })
    }
}

/// The rules of the process merge (deployment and runbook processes): `OCTOSYNC_PROCESS_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessRules {
    /// Destination-only steps and actions.
    pub steps: ProcessSteps,
    /// Step-level fields of matched steps.
    pub step_fields: StepFields,
    /// An action's `Environments` and `ExcludedEnvironments`.
    pub environments: MatchPolicy,
    /// An action's `Channels`.
    pub channels: MatchPolicy,
    /// An action's `TenantTags`.
    pub tenant_tags: MatchPolicy,
}

impl Default for ProcessRules {
    /// SpaceCloner's defaults (`spacecloner.md` §1.2: `Process*ScopingMatch` are
    /// `SkipUnlessPartialMatch`, `ProcessCloningOption` is `KeepAdditionalDestinationSteps`), and
    /// step-level fields synced, as the issue asks.
    fn default() -> Self {
        ProcessRules {
            steps: ProcessSteps::KeepAdditionalDestinationSteps,
            step_fields: StepFields::Sync,
            environments: MatchPolicy::SkipUnlessPartialMatch,
            channels: MatchPolicy::SkipUnlessPartialMatch,
            tenant_tags: MatchPolicy::SkipUnlessPartialMatch,
        }
    }
}

/// Destination names that differ from the source's: `(kind, source name, destination name)`.
/// The translator and the stages match by these before names (SpaceCloner's
/// `CloneLibraryVariableSet.ps1`, which syncs one set into a differently named one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameMap(pub Vec<(crate::kind::Kind, String, String)>);

impl NameMap {
    /// The destination name the source item `name` of `kind` is matched to.
    pub fn destination_name<'a>(&'a self, kind: crate::kind::Kind, name: &'a str) -> &'a str {
        let key = crate::snapshot::name_key(name);
        self.0
            .iter()
            .find(|(k, from, _)| *k == kind && crate::snapshot::name_key(from) == key)
            .map_or(name, |(_, _, to)| to.as_str())
    }

    /// True when some source item of `kind` is mapped to the destination name `name`.
    pub fn is_target(&self, kind: crate::kind::Kind, name: &str) -> bool {
        let key = crate::snapshot::name_key(name);
        self.0
            .iter()
            .any(|(k, _, to)| *k == kind && crate::snapshot::name_key(to) == key)
    }
}

/// Every rule the stages consult.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// Phases of lifecycles.
    pub lifecycle_phases: PhaseOption,
    /// Phase environments the destination lacks.
    pub lifecycle_phase_environments: MatchPolicy,
    /// A project group's legacy environment links the destination lacks (not a setting: the links are
    /// obsolete, so dropping the missing ones is always right).
    pub project_group_environments: MatchPolicy,
    /// Details of machine policies the destination already has.
    pub machine_policies: ExistingOption,
    /// Create the custom user roles synced teams use when the destination lacks them (they are
    /// system-wide, so this needs an administrator's key); otherwise a clean-up entry.
    pub create_user_roles: bool,
    /// Add the scoped user roles of the synced teams to their destination teams (the team
    /// permissions stage; it needs a destination key that can edit teams).
    pub team_permissions: bool,
    /// Environments an account (later a target or certificate) is scoped to that the destination lacks.
    pub infrastructure_environments: MatchPolicy,
    /// Tenants an account is scoped to that the destination lacks.
    pub infrastructure_tenants: MatchPolicy,
    /// Tenant tags an account is scoped to that the destination lacks.
    pub infrastructure_tenant_tags: MatchPolicy,
    /// Replace a destination certificate whose thumbprint differs with the source's file.
    pub replace_certificates: bool,
    /// A certificate password was given, so password-protected certificate files can be uploaded.
    pub certificate_password: bool,
    /// The variable engine's rules (library variable sets, script modules, later projects and tenants).
    pub variables: VariableRules,
    /// The process merge's rules (deployment and runbook processes).
    pub process: ProcessRules,
    /// Items synced into a differently named destination item.
    pub names: NameMap,
    /// A new channel's lifecycle the destination lacks.
    pub channel_lifecycles: MatchPolicy,
    /// The parts of a project's sync that run.
    pub project_parts: ProjectParts,
    /// A tenant the destination has gains the source's tags it lacks.
    pub tenant_existing_tags: bool,
    /// A missing tenant connected only to environments the destination lacks is not created.
    pub skip_tenants_without_environments: bool,
    /// Tenant variable values are copied (`OCTOSYNC_TENANT_VARIABLES=Copy`), following `variables.overwrite`.
    pub copy_tenant_variables: bool,
    /// A runbook whose process was changed gets a new published snapshot.
    pub publish_runbooks: bool,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            lifecycle_phases: PhaseOption::LeaveExisting,
            lifecycle_phase_environments: MatchPolicy::SkipUnlessPartialMatch,
            project_group_environments: MatchPolicy::IgnoreMismatch,
            machine_policies: ExistingOption::LeaveExisting,
            create_user_roles: false,
            team_permissions: false,
            // SpaceCloner's defaults for `Infrastructure*ScopingMatch` (spacecloner.md §1.2).
            infrastructure_environments: MatchPolicy::SkipUnlessPartialMatch,
            infrastructure_tenants: MatchPolicy::SkipUnlessPartialMatch,
            infrastructure_tenant_tags: MatchPolicy::SkipUnlessPartialMatch,
            replace_certificates: false,
            certificate_password: false,
            variables: VariableRules::default(),
            process: ProcessRules::default(),
            names: NameMap::default(),
            channel_lifecycles: MatchPolicy::SkipUnlessExactMatch,
            project_parts: ProjectParts::default(),
            tenant_existing_tags: false,
            skip_tenants_without_environments: false,
            copy_tenant_variables: false,
            publish_runbooks: false,
        }
    }
}

/// A part of a project's sync that `OCTOSYNC_PROJECT_PARTS` can leave out (SpaceCloner's
/// `CloneProject*` switches, `spacecloner.md` §1.2). The project's own settings and its channels
/// are always synced: every part needs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectPart {
    /// The deployment process.
    Process,
    /// Runbooks and their processes.
    Runbooks,
    /// Project variables.
    Variables,
    /// Channel version rules.
    ChannelRules,
    /// Release versioning and automatic release creation.
    Versioning,
    /// The project's logo.
    Logos,
}

impl ProjectPart {
    /// Every part, in the order they are synced.
    pub const ALL: [ProjectPart; 6] = [
        ProjectPart::Process,
        ProjectPart::Runbooks,
        ProjectPart::Variables,
        ProjectPart::ChannelRules,
        ProjectPart::Versioning,
        ProjectPart::Logos,
    ];

    /// As the setting spells it.
    pub fn name(self) -> &'static str {
        match self {
            ProjectPart::Process => "Process",
            ProjectPart::Runbooks => "Runbooks",
            ProjectPart::Variables => "Variables",
            ProjectPart::ChannelRules => "ChannelRules",
            ProjectPart::Versioning => "Versioning",
            ProjectPart::Logos => "Logos",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// The parts of a project's sync that run: `OCTOSYNC_PROJECT_PARTS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProjectParts(u8);

impl Default for ProjectParts {
    /// Every part.
    fn default() -> Self {
        ProjectParts(ProjectPart::ALL.iter().fold(0, |bits, p| bits | p.bit()))
    }
}

impl ProjectParts {
    /// True when `part` is synced.
    pub fn has(self, part: ProjectPart) -> bool {
        self.0 & part.bit() != 0
    }

    /// Reads the setting's items: `all`, part names, and `!Part` to leave one out, as selectors
    /// spell it (`all` then `!Logos`). An empty list is every part.
    pub fn parse(items: &[String]) -> Result<ProjectParts, String> {
        if items.is_empty() {
            return Ok(ProjectParts::default());
        }
        // Only exclusions: every other part.
        let mut bits = if items.iter().all(|i| i.starts_with('!')) {
            ProjectParts::default().0
        } else {
            0u8
        };
        let mut unknown = Vec::new();
        for item in items {
            let (negated, name) = match item.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, item.trim()),
            };
            let parts: Vec<ProjectPart> = if name.eq_ignore_ascii_case("all") {
                ProjectPart::ALL.to_vec()
            } else {
                match ProjectPart::ALL.iter().find(|p| p.name().eq_ignore_ascii_case(name)) {
                    Some(p) => vec![*p],
                    None => {
                        unknown.push(format!("'{item}'"));
                        continue;
                    }
                }
            };
            for p in parts {
                if negated {
                    bits &= !p.bit();
                } else {
                    bits |= p.bit();
                }
            }
        }
        if !unknown.is_empty() {
            let names: Vec<&str> = ProjectPart::ALL.iter().map(|p| p.name()).collect();
            return Err(format!(
                "unknown part {}: expected `all` or one per line of {} (a leading ! leaves a part out)",
                unknown.join(", "),
                names.join(", ")
            ));
        }
        Ok(ProjectParts(bits))
    }
}
