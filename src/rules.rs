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

/// Every rule the stages consult.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            lifecycle_phases: PhaseOption::LeaveExisting,
            lifecycle_phase_environments: MatchPolicy::SkipUnlessPartialMatch,
            project_group_environments: MatchPolicy::IgnoreMismatch,
            machine_policies: ExistingOption::LeaveExisting,
            create_user_roles: false,
            // SpaceCloner's defaults for `Infrastructure*ScopingMatch` (spacecloner.md §1.2).
            infrastructure_environments: MatchPolicy::SkipUnlessPartialMatch,
            infrastructure_tenants: MatchPolicy::SkipUnlessPartialMatch,
            infrastructure_tenant_tags: MatchPolicy::SkipUnlessPartialMatch,
            replace_certificates: false,
            certificate_password: false,
        }
    }
}
