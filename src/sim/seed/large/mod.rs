//! The large space of issue 11 ("A large space, measured"): one generator, shared by
//! `octosync sim --seed large` and the benchmark, of a source space at realistic counts and of a
//! destination that already holds part of it under other ids, in other environments, with items
//! of its own. Deterministic: no randomness, every choice is arithmetic on an item's index.
//!
//! What grows with the scale: projects, project groups, tenants, library variable sets, teams and
//! the users in them. The platform around them (environments, tag sets, feeds, accounts,
//! certificates, policies, pools, lifecycles, step templates, script modules) stays as it is, as in
//! a real organisation whose services multiply faster than its infrastructure.

mod library;
mod projects;
mod scaffolding;
mod tenants;

use super::*;

/// The settings that sync every kind of the large space (without the connection, mode and report
/// settings): what the benchmark and the large space's end-to-end test run with. Each instance
/// keeps its own Development and Test, so references to them are dropped as on real instances.
pub const SELECT_EVERYTHING: &[(&str, &str)] = &[
    ("OCTOSYNC_ENVIRONMENTS", "all\n!Development\n!Test"),
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
];

/// A size of the large space, in percent of the (100 = 1×).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LargeScale {
    percent: u32,
}

impl LargeScale {
    /// The counts (1×).
    pub const ONE: LargeScale = LargeScale { percent: 100 };

    /// `factor` times the space (0.5, 1, 2); at least 1 %.
    pub fn from_factor(factor: f64) -> LargeScale {
        let percent = (factor * 100.0).round();
        LargeScale {
            percent: if percent.is_finite() && percent >= 1.0 {
                percent.min(100_000.0) as u32
            } else {
                1
            },
        }
    }

    /// The factor, e.g. 0.5.
    pub fn factor(self) -> f64 {
        f64::from(self.percent) / 100.0
    }

    /// `n` at this scale, rounded, never below 1 so every kind keeps an item.
    fn of(self, n: usize) -> usize {
        ((n * self.percent as usize + 50) / 100).max(1)
    }

    /// How many items of each kind the source holds at this scale.
    pub fn counts(self) -> LargeCounts {
        LargeCounts {
            environments: scaffolding::SOURCE_ENVIRONMENTS.len(),
            project_groups: self.of(20),
            tag_sets: scaffolding::TAG_SETS.len(),
            tags_per_set: 4,
            feeds: scaffolding::FEEDS.len(),
            accounts: 20,
            certificates: 10,
            machine_policies: 4,
            worker_pools: 6,
            users: self.of(40),
            user_roles: 3,
            teams: self.of(20),
            lifecycles: scaffolding::LIFECYCLES.len() + 1,
            step_templates: 30,
            script_modules: 10,
            library_variable_sets: self.of(40),
            variables_per_library_set: 30,
            projects: self.of(300),
            steps_per_process: 12,
            channels_per_project: 3,
            runbooks_per_project: 3,
            variables_per_project: 60,
            tenants: self.of(100),
            projects_per_tenant: 3,
        }
    }
}

/// The source's counts: what a test checks the generator against and the benchmark prints.
/// Built-ins a new space has (the default machine policy, worker pool and lifecycle) are counted
/// only where the source changes them (the default lifecycle gets phases).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LargeCounts {
    /// Environments (Development, Test, Staging, Production and six more).
    pub environments: usize,
    /// Project groups, the projects spread evenly over them.
    pub project_groups: usize,
    /// Tenant tag sets.
    pub tag_sets: usize,
    /// Tags in each tag set.
    pub tags_per_set: usize,
    /// External feeds.
    pub feeds: usize,
    /// Accounts of five types.
    pub accounts: usize,
    /// Certificates.
    pub certificates: usize,
    /// Machine policies besides the default one.
    pub machine_policies: usize,
    /// Worker pools besides the default one.
    pub worker_pools: usize,
    /// Users (instance-wide), four in each team.
    pub users: usize,
    /// Custom user roles (instance-wide) the teams use.
    pub user_roles: usize,
    /// Space teams, each with two scoped roles.
    pub teams: usize,
    /// Lifecycles, the default one included.
    pub lifecycles: usize,
    /// Custom step templates.
    pub step_templates: usize,
    /// Script modules.
    pub script_modules: usize,
    /// Library variable sets (of variables, not script modules).
    pub library_variable_sets: usize,
    /// Variables in each library variable set.
    pub variables_per_library_set: usize,
    /// Projects.
    pub projects: usize,
    /// Steps in each deployment process.
    pub steps_per_process: usize,
    /// Channels of each project, the default one included.
    pub channels_per_project: usize,
    /// Runbooks of each project, each with a process.
    pub runbooks_per_project: usize,
    /// Variables of each project.
    pub variables_per_project: usize,
    /// Tenants.
    pub tenants: usize,
    /// Projects each tenant is connected to.
    pub projects_per_tenant: usize,
}

impl LargeCounts {
    /// Items a sync selects, one per document of its own: scaffolding, projects with their
    /// channels and runbooks, and tenants.
    pub fn items(&self) -> usize {
        self.environments
            + self.project_groups
            + self.tag_sets
            + self.feeds
            + self.accounts
            + self.certificates
            + self.machine_policies
            + self.worker_pools
            + self.teams
            + self.lifecycles
            + self.step_templates
            + self.script_modules
            + self.library_variable_sets
            + self.projects * (1 + self.channels_per_project + self.runbooks_per_project)
            + self.tenants
    }
}

impl std::fmt::Display for LargeCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} items ({} environments, {} project groups, {} tag sets x {} tags, {} external feeds, {} accounts, \
             {} certificates, {} machine policies, {} worker pools, {} teams of {} users with {} custom roles, \
             {} lifecycles, {} step templates, {} script modules, {} library variable sets x {} variables, \
             {} projects each with a {}-step process, {} channels, {} runbooks and {} variables, \
             {} tenants each connected to {} projects with variable values)",
            self.items(),
            self.environments,
            self.project_groups,
            self.tag_sets,
            self.tags_per_set,
            self.feeds,
            self.accounts,
            self.certificates,
            self.machine_policies,
            self.worker_pools,
            self.teams,
            self.users,
            self.user_roles,
            self.lifecycles,
            self.step_templates,
            self.script_modules,
            self.library_variable_sets,
            self.variables_per_library_set,
            self.projects,
            self.steps_per_process,
            self.channels_per_project,
            self.runbooks_per_project,
            self.variables_per_project,
            self.tenants,
            self.projects_per_tenant,
        )
    }
}

/// The source: Development to Production and more, everything at the scale's counts.
pub(super) fn large_source(store: &mut Store, space: &str, scale: LargeScale) -> ApiResult<()> {
    let counts = scale.counts();
    let mut s = Seeder {
        store,
        space: space.to_string(),
    };
    let refs = scaffolding::source(&mut s, &counts)?;
    let projects = projects::source(&mut s, &counts, &refs)?;
    tenants::source(&mut s, &counts, &refs, &projects)
}

/// The destination: Staging and Production only, part of the source's items under other ids,
/// and items of its own.
pub(super) fn large_destination(store: &mut Store, space: &str, scale: LargeScale) -> ApiResult<()> {
    let counts = scale.counts();
    let mut s = Seeder {
        store,
        space: space.to_string(),
    };
    let refs = scaffolding::destination(&mut s, &counts)?;
    projects::destination(&mut s, &counts, &refs)?;
    tenants::destination(&mut s, &counts)
}

/// Ids the later parts of a side refer to.
struct Refs {
    /// Environment ids by name.
    environments: Vec<(String, String)>,
    /// Project group ids, by index (empty where this side lacks the group).
    groups: Vec<String>,
    /// Lifecycle ids, by index of `scaffolding::LIFECYCLES`, the default lifecycle first.
    lifecycles: Vec<String>,
    /// Feed ids by name.
    feeds: Vec<(String, String)>,
    /// Account ids with their types.
    accounts: Vec<(String, &'static str)>,
    /// Certificate ids.
    certificates: Vec<String>,
    /// Worker pool ids.
    worker_pools: Vec<String>,
    /// Step template ids with their versions.
    step_templates: Vec<(String, String)>,
    /// Script module ids.
    script_modules: Vec<String>,
    /// Library variable set ids.
    library_sets: Vec<String>,
}

impl Refs {
    fn environment(&self, name: &str) -> String {
        lookup(&self.environments, name)
    }

    fn feed(&self, name: &str) -> String {
        lookup(&self.feeds, name)
    }
}

fn lookup(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, id)| id.clone())
        .unwrap_or_default()
}

/// Names shared by both sides, so the destination's copies match the source's.
fn group_name(i: usize) -> String {
    format!("Group {i:02}")
}

fn project_name(i: usize) -> String {
    format!("Project {i:03}")
}

fn tenant_name(i: usize) -> String {
    format!("Tenant {i:03}")
}
