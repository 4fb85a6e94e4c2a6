//! Settings: the `OCTOSYNC_*` environment variables, read with envy and validated into a [`Job`].
//!
//! Every problem names the variable and what it expects, and all problems are reported together,
//! before any request is made.

pub mod definitions;
pub mod selector;
pub mod values;

use crate::kind::Kind;
use crate::report::Mode;
use crate::rules::{
    ExistingOption, NameMap, PhaseOption, ProcessRules, ProcessSteps, ProjectPart, ProjectParts, Rules, StepFields,
    VariableOverwrite, VariableRules,
};
use crate::scope::MatchPolicy;
use definitions::{PREFIX, SETTINGS};
use selector::Selector;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;
use values::{non_empty, parse_bool, parse_choice, parse_list, parse_number};

/// The variables exactly as envy reads them; every value is text so that errors can be our own.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct RawSettings {
    pub source_url: Option<String>,
    pub source_api_key: Option<String>,
    pub source_space: Option<String>,
    pub destination_url: Option<String>,
    pub destination_api_key: Option<String>,
    pub destination_space: Option<String>,
    pub mode: Option<String>,
    pub environments: Option<String>,
    pub project_groups: Option<String>,
    pub tenant_tag_sets: Option<String>,
    pub tenants: Option<String>,
    pub tenant_existing_tags: Option<String>,
    pub tenant_without_environments: Option<String>,
    pub tenant_variables: Option<String>,
    pub feeds: Option<String>,
    pub teams: Option<String>,
    pub create_user_roles: Option<String>,
    pub team_permissions: Option<String>,
    pub machine_policies: Option<String>,
    pub machine_policy_updates: Option<String>,
    pub worker_pools: Option<String>,
    pub accounts: Option<String>,
    pub certificates: Option<String>,
    pub certificate_replace: Option<String>,
    pub certificate_password: Option<String>,
    pub infrastructure_environment_match: Option<String>,
    pub infrastructure_tenant_match: Option<String>,
    pub infrastructure_tenant_tag_match: Option<String>,
    pub step_templates: Option<String>,
    pub script_modules: Option<String>,
    pub library_variable_sets: Option<String>,
    pub library_variable_set_names: Option<String>,
    pub projects: Option<String>,
    pub channels: Option<String>,
    pub runbooks: Option<String>,
    pub channel_lifecycle_match: Option<String>,
    pub lifecycles: Option<String>,
    pub lifecycle_phases: Option<String>,
    pub lifecycle_phase_environment_match: Option<String>,
    pub variable_overwrite: Option<String>,
    pub variable_environment_match: Option<String>,
    pub variable_channel_match: Option<String>,
    pub variable_process_owner_match: Option<String>,
    pub variable_action_match: Option<String>,
    pub variable_machine_match: Option<String>,
    pub variable_tenant_tag_match: Option<String>,
    pub variable_account_match: Option<String>,
    pub variable_certificate_match: Option<String>,
    pub variable_worker_pool_match: Option<String>,
    pub process_cloning_option: Option<String>,
    pub project_parts: Option<String>,
    pub runbook_publish: Option<String>,
    pub process_step_fields: Option<String>,
    pub process_environment_match: Option<String>,
    pub process_channel_match: Option<String>,
    pub process_tenant_tag_match: Option<String>,
    pub fail_on_changes: Option<String>,
    pub expected_plan: Option<String>,
    pub report_dir: Option<String>,
    pub concurrency: Option<String>,
    pub request_timeout_seconds: Option<String>,
    pub max_response_mb: Option<String>,
    pub max_attempts: Option<String>,
    pub timeout_minutes: Option<String>,
    pub ignore_version_mismatch: Option<String>,
    pub service_messages: Option<String>,
    pub verbose: Option<String>,
}

/// A sensitive setting (an API key, a certificate password); its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

/// An API key.
pub type ApiKey = Secret;

impl Secret {
    /// Wraps a value (no validation; see [`validate`] for that).
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value itself, only where it must be sent (a request header, a certificate upload).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(********)")
    }
}

/// One Octopus instance and space.
#[derive(Debug, Clone)]
pub struct InstanceSettings {
    /// `source` or `destination`.
    pub role: &'static str,
    /// Base URL without a trailing slash and without `/api`.
    pub url: String,
    /// API key.
    pub api_key: ApiKey,
    /// Space name.
    pub space: String,
}

/// How the client talks HTTP.
#[derive(Debug, Clone, Copy)]
pub struct HttpSettings {
    /// Most requests in flight per instance: the ceiling the adaptive limit stays under.
    pub concurrency: usize,
    /// Time limit of one request.
    pub timeout: Duration,
    /// Time limit of connecting (not a setting: seconds suit every real server; tests lower it).
    pub connect_timeout: Duration,
    /// Attempts per request, first try included.
    pub max_attempts: u32,
    /// Items asked for per page (not a setting: tests lower it to exercise paging).
    pub page_size: usize,
    /// Most pages read of one collection (not a setting: a bound against endless paging).
    pub max_pages: usize,
    /// Largest response body accepted, in MiB.
    pub max_response_mb: u64,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            concurrency: DEFAULT_CONCURRENCY,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            max_attempts: 5,
            page_size: 200,
            max_pages: 5000,
            max_response_mb: DEFAULT_MAX_RESPONSE_MB,
        }
    }
}

/// A validated run.
#[derive(Debug, Clone)]
pub struct Job {
    /// Where to read from.
    pub source: InstanceSettings,
    /// Where to write to.
    pub destination: InstanceSettings,
    /// Plan or apply.
    pub mode: Mode,
    /// Which items of each kind to sync; a missing kind syncs none.
    pub selectors: BTreeMap<Kind, Selector>,
    /// The delta policy.
    pub rules: Rules,
    /// Folder for the reports.
    pub report_dir: PathBuf,
    /// Client behaviour.
    pub http: HttpSettings,
    /// The whole run's time limit: no write starts after it, and the run ends with its report.
    pub deadline: Duration,
    /// Run despite a version gap.
    pub ignore_version_mismatch: bool,
    /// Exit 2 when changes are pending.
    pub fail_on_changes: bool,
    /// Fingerprint the apply must match.
    pub expected_plan: Option<String>,
    /// Force service messages on or off; `None` detects.
    pub service_messages: Option<bool>,
    /// Print verbose lines outside Octopus.
    pub verbose: bool,
    /// Password of the selected certificates' files, sent with each upload and never printed.
    pub certificate_password: Option<Secret>,
}

impl Job {
    /// The selector of `kind` (selects nothing when not configured).
    pub fn selector(&self, kind: Kind) -> Selector {
        self.selectors.get(&kind).cloned().unwrap_or_else(Selector::none)
    }
}

/// All problems found in the settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError {
    /// One line per problem, each naming the variable.
    pub problems: Vec<String>,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "the settings are not valid; nothing was read or written:")?;
        for p in &self.problems {
            writeln!(f, "  - {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SettingsError {}

/// Reads the settings from this process's environment.
pub fn from_env() -> Result<Job, SettingsError> {
    from_vars(std::env::vars())
}

/// Reads the settings from `vars` (name, value) pairs; only `OCTOSYNC_*` names are looked at.
pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Result<Job, SettingsError> {
    from_vars_with_mode(vars, None)
}

/// Like [`from_vars`], with the mode forced by the command (`octosync plan` / `octosync apply`).
///
/// `OCTOSYNC_MODE` is still validated: a typo there is an error whichever command runs, so that the
/// same variables never pass under one command and fail under another.
pub fn from_vars_with_mode(
    vars: impl IntoIterator<Item = (String, String)>,
    forced: Option<Mode>,
) -> Result<Job, SettingsError> {
    let vars: Vec<(String, String)> = vars.into_iter().filter(|(k, _)| k.starts_with(PREFIX)).collect();
    let mut problems = Vec::new();
    // A typo would otherwise silently mean "not set"; say which name was meant.
    for (name, _) in &vars {
        let suffix = &name[PREFIX.len()..];
        if definitions::find(suffix).is_none() {
            problems.push(match closest_setting(suffix) {
                Some(s) => format!("{name} is not a setting octosync knows; did you mean {PREFIX}{s}?"),
                None => format!("{name} is not a setting octosync knows (see the README's settings reference)"),
            });
        }
    }
    if !problems.is_empty() {
        return Err(SettingsError { problems });
    }
    let raw: RawSettings = envy::prefixed(PREFIX).from_iter(vars).map_err(|e| SettingsError {
        problems: vec![format!("could not read the {PREFIX}* variables: {e}")],
    })?;
    validate_with_mode(&raw, forced)
}

fn closest_setting(suffix: &str) -> Option<&'static str> {
    let wanted = suffix.to_ascii_uppercase();
    SETTINGS
        .iter()
        .map(|d| (strsim::levenshtein(&wanted, d.env), d.env))
        .filter(|(distance, env)| *distance <= (env.len() / 3).max(2))
        .min()
        .map(|(_, env)| env)
}

/// Turns raw values into a [`Job`], collecting every problem.
pub fn validate(raw: &RawSettings) -> Result<Job, SettingsError> {
    validate_with_mode(raw, None)
}

/// [`validate`] with the mode forced by the command; `OCTOSYNC_MODE` is checked all the same.
pub fn validate_with_mode(raw: &RawSettings, forced: Option<Mode>) -> Result<Job, SettingsError> {
    let mut p = Problems::default();
    let source = instance(
        &mut p,
        "source",
        "SOURCE",
        &raw.source_url,
        &raw.source_api_key,
        &raw.source_space,
    );
    let destination = instance(
        &mut p,
        "destination",
        "DESTINATION",
        &raw.destination_url,
        &raw.destination_api_key,
        &raw.destination_space,
    );
    let configured = match p.take("MODE", parse_choice(raw.mode.as_deref(), &["plan", "apply"])) {
        Some(Some("apply")) => Mode::Apply,
        _ => Mode::Plan,
    };
    let mode = forced.unwrap_or(configured);

    let mut selectors = BTreeMap::new();
    for def in SETTINGS.iter().filter(|d| d.selects.is_some()) {
        let value = selector_value(raw, def.env).or((!def.default.is_empty()).then_some(def.default));
        match Selector::parse(&parse_list(value)) {
            Ok(sel) => {
                selectors.insert(def.selects.unwrap_or(Kind::Environment), sel);
            }
            Err(e) => p.push(def.env, e),
        }
    }

    // Only the three values the README and the step template offer: SpaceCloner's True/False and
    // NeverCloneLifecyclePhases spellings are refused rather than guessed at.
    let lifecycle_phases = match p
        .take(
            "LIFECYCLE_PHASES",
            parse_choice(
                raw.lifecycle_phases.as_deref(),
                &["LeaveExisting", "Overwrite", "Never"],
            ),
        )
        .flatten()
    {
        Some("Overwrite") => PhaseOption::Overwrite,
        Some("Never") => PhaseOption::Never,
        _ => PhaseOption::LeaveExisting,
    };
    let lifecycle_phase_environments = p
        .take(
            "LIFECYCLE_PHASE_ENVIRONMENT_MATCH",
            parse_choice(raw.lifecycle_phase_environment_match.as_deref(), MatchPolicy::NAMES),
        )
        .flatten()
        .and_then(MatchPolicy::from_name)
        .unwrap_or(MatchPolicy::SkipUnlessPartialMatch);

    // Unset means SpaceCloner's default for that option (`spacecloner.md` §1.2).
    let mut scope_match_or = |env: &str, value: Option<&str>, default: MatchPolicy| {
        p.take(env, parse_choice(value, MatchPolicy::NAMES))
            .flatten()
            .and_then(MatchPolicy::from_name)
            .unwrap_or(default)
    };
    let mut scope_match =
        |env: &str, value: Option<&str>| scope_match_or(env, value, MatchPolicy::SkipUnlessPartialMatch);
    let infrastructure_environments = scope_match(
        "INFRASTRUCTURE_ENVIRONMENT_MATCH",
        raw.infrastructure_environment_match.as_deref(),
    );
    let infrastructure_tenants = scope_match(
        "INFRASTRUCTURE_TENANT_MATCH",
        raw.infrastructure_tenant_match.as_deref(),
    );
    let infrastructure_tenant_tags = scope_match(
        "INFRASTRUCTURE_TENANT_TAG_MATCH",
        raw.infrastructure_tenant_tag_match.as_deref(),
    );
    let defaults = VariableRules::default();
    let mut variables = VariableRules {
        environments: scope_match("VARIABLE_ENVIRONMENT_MATCH", raw.variable_environment_match.as_deref()),
        channels: scope_match("VARIABLE_CHANNEL_MATCH", raw.variable_channel_match.as_deref()),
        process_owners: scope_match(
            "VARIABLE_PROCESS_OWNER_MATCH",
            raw.variable_process_owner_match.as_deref(),
        ),
        actions: scope_match("VARIABLE_ACTION_MATCH", raw.variable_action_match.as_deref()),
        machines: scope_match("VARIABLE_MACHINE_MATCH", raw.variable_machine_match.as_deref()),
        tenant_tags: scope_match("VARIABLE_TENANT_TAG_MATCH", raw.variable_tenant_tag_match.as_deref()),
        accounts: scope_match_or(
            "VARIABLE_ACCOUNT_MATCH",
            raw.variable_account_match.as_deref(),
            defaults.accounts,
        ),
        certificates: scope_match_or(
            "VARIABLE_CERTIFICATE_MATCH",
            raw.variable_certificate_match.as_deref(),
            defaults.certificates,
        ),
        worker_pools: scope_match_or(
            "VARIABLE_WORKER_POOL_MATCH",
            raw.variable_worker_pool_match.as_deref(),
            defaults.worker_pools,
        ),
        ..defaults
    };
    let process_defaults = ProcessRules::default();
    let mut process = ProcessRules {
        environments: scope_match_or(
            "PROCESS_ENVIRONMENT_MATCH",
            raw.process_environment_match.as_deref(),
            process_defaults.environments,
        ),
        channels: scope_match_or(
            "PROCESS_CHANNEL_MATCH",
            raw.process_channel_match.as_deref(),
            process_defaults.channels,
        ),
        tenant_tags: scope_match_or(
            "PROCESS_TENANT_TAG_MATCH",
            raw.process_tenant_tag_match.as_deref(),
            process_defaults.tenant_tags,
        ),
        ..process_defaults
    };
    process.steps = p
        .take(
            "PROCESS_CLONING_OPTION",
            parse_choice(raw.process_cloning_option.as_deref(), ProcessSteps::NAMES),
        )
        .flatten()
        .and_then(ProcessSteps::from_name)
        .unwrap_or(process_defaults.steps);
    process.step_fields = p
        .take(
            "PROCESS_STEP_FIELDS",
            parse_choice(raw.process_step_fields.as_deref(), StepFields::NAMES),
        )
        .flatten()
        .and_then(StepFields::from_name)
        .unwrap_or(process_defaults.step_fields);

    // SpaceCloner's spellings, case-insensitive; a Checkbox-style True/False reads the same.
    variables.overwrite = p
        .take(
            "VARIABLE_OVERWRITE",
            parse_choice(raw.variable_overwrite.as_deref(), VariableOverwrite::NAMES),
        )
        .flatten()
        .and_then(VariableOverwrite::from_name)
        .unwrap_or(defaults.overwrite);

    let machine_policies = match p
        .take(
            "MACHINE_POLICY_UPDATES",
            parse_choice(raw.machine_policy_updates.as_deref(), &["LeaveExisting", "Overwrite"]),
        )
        .flatten()
    {
        Some("Overwrite") => ExistingOption::Overwrite,
        _ => ExistingOption::LeaveExisting,
    };

    let create_user_roles = p
        .take("CREATE_USER_ROLES", parse_bool(raw.create_user_roles.as_deref()))
        .flatten()
        .unwrap_or(false);
    let team_permissions = p
        .take("TEAM_PERMISSIONS", parse_bool(raw.team_permissions.as_deref()))
        .flatten()
        .unwrap_or(false);
    // No selector of their own: the user roles stage looks at the teams OCTOSYNC_TEAMS selects and
    // the roles their scoped user roles use, so it runs exactly when teams do; the team permissions
    // stage too, when it is turned on.
    if let Some(teams) = selectors.get(&Kind::Team).cloned() {
        selectors.insert(Kind::UserRole, teams.clone());
        if team_permissions {
            selectors.insert(Kind::ScopedUserRole, teams);
        }
    }

    let replace_certificates = p
        .take("CERTIFICATE_REPLACE", parse_bool(raw.certificate_replace.as_deref()))
        .flatten()
        .unwrap_or(false);
    // Taken as given (a password may start or end with a space); only an empty value is unset.
    let certificate_password = raw
        .certificate_password
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(Secret::new);

    let names = library_variable_set_names(&mut p, raw.library_variable_set_names.as_deref());

    let tenant_existing_tags = p
        .take(
            "TENANT_EXISTING_TAGS",
            parse_choice(raw.tenant_existing_tags.as_deref(), &["LeaveExisting", "AddMissing"]),
        )
        .flatten()
        == Some("AddMissing");
    let skip_tenants_without_environments = p
        .take(
            "TENANT_WITHOUT_ENVIRONMENTS",
            parse_choice(raw.tenant_without_environments.as_deref(), &["Create", "Skip"]),
        )
        .flatten()
        == Some("Skip");
    let publish_runbooks = p
        .take("RUNBOOK_PUBLISH", parse_bool(raw.runbook_publish.as_deref()))
        .flatten()
        .unwrap_or(false);
    let copy_tenant_variables = p
        .take(
            "TENANT_VARIABLES",
            parse_choice(raw.tenant_variables.as_deref(), &["None", "Copy"]),
        )
        .flatten()
        == Some("Copy");
    let project_parts = p
        .take(
            "PROJECT_PARTS",
            ProjectParts::parse(&parse_list(raw.project_parts.as_deref())),
        )
        .unwrap_or_default();
    if !project_parts.has(ProjectPart::Runbooks) {
        // The runbooks stage and everything selected within it stand down too.
        selectors.insert(Kind::Runbook, Selector::none());
    }

    // A project's channels and runbooks are selected within the selected projects.
    if let Some(projects) = selectors.get(&Kind::Project).cloned() {
        for kind in [Kind::Channel, Kind::Runbook] {
            if let Some(sel) = selectors.get(&kind).cloned() {
                selectors.insert(kind, sel.within(projects.clone()));
            }
        }
    }
    let channel_lifecycles = p
        .take(
            "CHANNEL_LIFECYCLE_MATCH",
            parse_choice(raw.channel_lifecycle_match.as_deref(), MatchPolicy::NAMES),
        )
        .flatten()
        .and_then(MatchPolicy::from_name)
        .unwrap_or(MatchPolicy::SkipUnlessExactMatch);

    let fail_on_changes = p
        .take("FAIL_ON_CHANGES", parse_bool(raw.fail_on_changes.as_deref()))
        .flatten()
        .unwrap_or(false);
    let ignore_version_mismatch = p
        .take(
            "IGNORE_VERSION_MISMATCH",
            parse_bool(raw.ignore_version_mismatch.as_deref()),
        )
        .flatten()
        .unwrap_or(false);
    let service_messages = p
        .take("SERVICE_MESSAGES", parse_bool(raw.service_messages.as_deref()))
        .flatten();
    let verbose = p
        .take("VERBOSE", parse_bool(raw.verbose.as_deref()))
        .flatten()
        .unwrap_or(false);
    let concurrency = p
        .take("CONCURRENCY", parse_number(raw.concurrency.as_deref(), 1, 64))
        .flatten()
        .unwrap_or(DEFAULT_CONCURRENCY as u64);
    let timeout = p
        .take(
            "REQUEST_TIMEOUT_SECONDS",
            parse_number(raw.request_timeout_seconds.as_deref(), 1, 600),
        )
        .flatten()
        .unwrap_or(60);
    let max_response_mb = p
        .take("MAX_RESPONSE_MB", parse_number(raw.max_response_mb.as_deref(), 1, 4096))
        .flatten()
        .unwrap_or(DEFAULT_MAX_RESPONSE_MB);
    let max_attempts = p
        .take("MAX_ATTEMPTS", parse_number(raw.max_attempts.as_deref(), 1, 20))
        .flatten()
        .unwrap_or(5);
    let timeout_minutes = p
        .take("TIMEOUT_MINUTES", parse_number(raw.timeout_minutes.as_deref(), 1, 1440))
        .flatten()
        .unwrap_or(DEFAULT_TIMEOUT_MINUTES);

    let expected_plan = non_empty(raw.expected_plan.as_deref()).map(str::to_ascii_lowercase);
    if let Some(fp) = &expected_plan {
        if fp.len() != 64 || !fp.chars().all(|c| c.is_ascii_hexdigit()) {
            p.push(
                "EXPECTED_PLAN",
                "expected the 64-character PlanFingerprint output of a plan run".to_string(),
            );
        } else if mode == Mode::Plan {
            let fix = match forced {
                Some(_) => "run `octosync apply`, or leave it empty for `octosync plan`",
                None => "set OCTOSYNC_MODE=apply or leave it empty",
            };
            p.push("EXPECTED_PLAN", format!("only applies in apply mode; {fix}"));
        }
    }
    if fail_on_changes && mode == Mode::Apply {
        p.push(
            "FAIL_ON_CHANGES",
            "is a drift check and only applies in plan mode; untick it for the apply step (the InSync output variable says whether changes were made)".to_string(),
        );
    }
    let report_dir = PathBuf::from(non_empty(raw.report_dir.as_deref()).unwrap_or("octosync-report"));

    if let (Some(s), Some(d)) = (&source, &destination) {
        if s.url.eq_ignore_ascii_case(&d.url) && s.space.eq_ignore_ascii_case(&d.space) {
            p.push(
                "DESTINATION_SPACE",
                format!(
                    "is the source space '{}' on the same instance; choose another space or instance",
                    s.space
                ),
            );
        }
    }

    if !p.0.is_empty() {
        return Err(SettingsError { problems: p.0 });
    }
    let (Some(source), Some(destination)) = (source, destination) else {
        return Err(SettingsError {
            problems: vec!["source or destination is missing".into()],
        });
    };
    Ok(Job {
        source,
        destination,
        mode,
        selectors,
        rules: Rules {
            lifecycle_phases,
            lifecycle_phase_environments,
            machine_policies,
            create_user_roles,
            team_permissions,
            infrastructure_environments,
            infrastructure_tenants,
            infrastructure_tenant_tags,
            replace_certificates,
            certificate_password: certificate_password.is_some(),
            variables,
            process,
            project_parts,
            tenant_existing_tags,
            skip_tenants_without_environments,
            copy_tenant_variables,
            publish_runbooks,
            names,
            channel_lifecycles,
            ..Rules::default()
        },
        report_dir,
        http: HttpSettings {
            concurrency: concurrency as usize,
            timeout: Duration::from_secs(timeout),
            max_attempts: max_attempts as u32,
            max_response_mb,
            ..HttpSettings::default()
        },
        deadline: Duration::from_secs(timeout_minutes * 60),
        ignore_version_mismatch,
        fail_on_changes,
        expected_plan,
        service_messages,
        verbose,
        certificate_password,
    })
}

/// `Source => Destination` pairs of library variable set names; every malformed entry is a problem.
fn library_variable_set_names(p: &mut Problems, raw: Option<&str>) -> NameMap {
    let mut pairs: Vec<(Kind, String, String)> = Vec::new();
    for entry in parse_list(raw) {
        match entry.split_once("=>").map(|(a, b)| (a.trim(), b.trim())) {
            Some((from, to)) if !from.is_empty() && !to.is_empty() => {
                let key = crate::snapshot::name_key(from);
                if pairs.iter().any(|(_, f, _)| crate::snapshot::name_key(f) == key) {
                    p.push(
                        "LIBRARY_VARIABLE_SET_NAMES",
                        format!("names the source set '{from}' twice; give each source set one destination name"),
                    );
                }
                pairs.push((Kind::LibraryVariableSet, from.to_string(), to.to_string()));
            }
            _ => p.push(
                "LIBRARY_VARIABLE_SET_NAMES",
                format!("expected `Source name => Destination name`, got '{entry}'"),
            ),
        }
    }
    NameMap(pairs)
}

fn selector_value<'a>(raw: &'a RawSettings, env: &str) -> Option<&'a str> {
    match env {
        "ENVIRONMENTS" => raw.environments.as_deref(),
        "PROJECT_GROUPS" => raw.project_groups.as_deref(),
        "TENANT_TAG_SETS" => raw.tenant_tag_sets.as_deref(),
        "FEEDS" => raw.feeds.as_deref(),
        "TEAMS" => raw.teams.as_deref(),
        "MACHINE_POLICIES" => raw.machine_policies.as_deref(),
        "WORKER_POOLS" => raw.worker_pools.as_deref(),
        "ACCOUNTS" => raw.accounts.as_deref(),
        "CERTIFICATES" => raw.certificates.as_deref(),
        "STEP_TEMPLATES" => raw.step_templates.as_deref(),
        "SCRIPT_MODULES" => raw.script_modules.as_deref(),
        "LIBRARY_VARIABLE_SETS" => raw.library_variable_sets.as_deref(),
        "PROJECTS" => raw.projects.as_deref(),
        "CHANNELS" => raw.channels.as_deref(),
        "RUNBOOKS" => raw.runbooks.as_deref(),
        "LIFECYCLES" => raw.lifecycles.as_deref(),
        "TENANTS" => raw.tenants.as_deref(),
        _ => None,
    }
}

/// Minutes a run may take when `OCTOSYNC_TIMEOUT_MINUTES` is unset.
pub const DEFAULT_TIMEOUT_MINUTES: u64 = 30;

/// The ceiling of requests in flight per instance when `OCTOSYNC_CONCURRENCY` is unset: room for
/// the adaptive limit to reach 20 times a serial client against a server 20 ms away (it starts at 8).
pub const DEFAULT_CONCURRENCY: usize = 32;

/// The largest response accepted when `OCTOSYNC_MAX_RESPONSE_MB` is unset: far above any real
/// Octopus document or page, far below what would exhaust a worker's memory.
pub const DEFAULT_MAX_RESPONSE_MB: u64 = 256;

#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn push(&mut self, env: &str, what: String) {
        // Under Octopus a person sees step parameters, not environment variables: name both.
        let parameter = definitions::find(env)
            .map(|d| format!(" (step parameter {})", d.parameter))
            .unwrap_or_default();
        // A value echoed back may be a key pasted into the wrong field: mask anything credential-shaped.
        let what = crate::redact::shape_safe(&what);
        self.0.push(format!("{PREFIX}{env}: {what}{parameter}"));
    }

    fn take<T>(&mut self, env: &str, r: Result<T, String>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(env, e);
                None
            }
        }
    }
}

fn instance(
    p: &mut Problems,
    role: &'static str,
    prefix: &str,
    url: &Option<String>,
    key: &Option<String>,
    space: &Option<String>,
) -> Option<InstanceSettings> {
    let before = p.0.len();
    let url = match non_empty(url.as_deref()) {
        None => {
            p.push(
                &format!("{prefix}_URL"),
                format!("is required: the {role} Octopus URL, e.g. https://octopus.example.com"),
            );
            None
        }
        Some(u) => match normalise_url(u) {
            Ok(u) => Some(u),
            Err(e) => {
                p.push(&format!("{prefix}_URL"), e);
                None
            }
        },
    };
    let key = match non_empty(key.as_deref()) {
        None => {
            p.push(
                &format!("{prefix}_API_KEY"),
                format!("is required: an API key for the {role} instance (API-…)"),
            );
            None
        }
        Some(k) if is_api_key(k) => Some(ApiKey::new(k)),
        // Never echo the value: it may be a real secret pasted into the wrong field.
        Some(k) => {
            p.push(
                &format!("{prefix}_API_KEY"),
                format!("expected an Octopus API key: 'API-' followed by capital letters and digits (the value given has {} characters and does not look like one)", k.chars().count()),
            );
            None
        }
    };
    let space = match non_empty(space.as_deref()) {
        None => {
            p.push(
                &format!("{prefix}_SPACE"),
                format!("is required: the name of the {role} space, e.g. Default"),
            );
            None
        }
        Some(s) => Some(s.to_string()),
    };
    if p.0.len() != before {
        return None;
    }
    Some(InstanceSettings {
        role,
        url: url?,
        api_key: key?,
        space: space?,
    })
}

fn is_api_key(k: &str) -> bool {
    k.strip_prefix("API-")
        .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
}

/// Validates a base URL and strips a trailing `/` and a trailing `/api`.
///
/// Errors never echo the value: a URL field may hold a key in its query string or user info, or a
/// key pasted into the wrong field. They say what is wrong instead.
fn normalise_url(u: &str) -> Result<String, String> {
    const EXPECTED: &str = "expected the instance's base URL, such as https://octopus.example.com";
    if u.starts_with("API-") {
        return Err(format!(
            "{EXPECTED}; the value looks like an API key, which belongs in the API key setting"
        ));
    }
    let parsed = reqwest::Url::parse(u).map_err(|e| format!("{EXPECTED}; the value is not a URL ({e})"))?;
    if parsed.scheme() != "http" && parsed.scheme() != "https" {
        return Err(format!(
            "{EXPECTED}; the value is not an http or https URL (its scheme is not http or https)"
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!(
            "{EXPECTED}; the value has a user name or password in it: remove it and use the API key setting"
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(format!(
            "{EXPECTED}; the value has a query string (a '?…' part): remove it, and give any API key in the API key setting"
        ));
    }
    let mut s = parsed.as_str().trim_end_matches('/').to_string();
    if s.to_ascii_lowercase().ends_with("/api") {
        s.truncate(s.len() - 4);
    }
    Ok(s)
}

#[cfg(test)]
mod tests;
