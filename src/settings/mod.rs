//! Settings: the `OCTOSYNC_*` environment variables, read with envy and validated into a [`Job`].
//!
//! Every problem names the variable and what it expects, and all problems are reported together,
//! before any request is made.

pub mod definitions;
pub mod selector;
pub mod values;

use crate::kind::Kind;
use crate::report::Mode;
use crate::rules::{PhaseOption, Rules};
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
    pub step_templates: Option<String>,
    pub lifecycles: Option<String>,
    pub lifecycle_phases: Option<String>,
    pub lifecycle_phase_environment_match: Option<String>,
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

/// An API key; its `Debug` and `Display` never show the value.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key (no validation; see [`Settings`] for that).
    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(key.into())
    }

    /// The key itself, for the request header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(********)")
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
    /// Most requests in flight per instance.
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
            concurrency: 8,
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
        let value = selector_value(raw, def.env);
        match Selector::parse(&parse_list(value)) {
            Ok(sel) => {
                selectors.insert(def.selects.unwrap_or(Kind::Environment), sel);
            }
            Err(e) => p.push(def.env, e),
        }
    }

    let lifecycle_phases = match non_empty(raw.lifecycle_phases.as_deref())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("leaveexisting") | Some("false") => PhaseOption::LeaveExisting,
        Some("overwrite") | Some("true") => PhaseOption::Overwrite,
        Some("never") | Some("neverclonelifecyclephases") => PhaseOption::Never,
        Some(_) => {
            p.push(
                "LIFECYCLE_PHASES",
                format!(
                    "expected LeaveExisting, Overwrite or Never, got '{}'",
                    raw.lifecycle_phases.as_deref().unwrap_or_default().trim()
                ),
            );
            PhaseOption::LeaveExisting
        }
    };
    let lifecycle_phase_environments = p
        .take(
            "LIFECYCLE_PHASE_ENVIRONMENT_MATCH",
            parse_choice(raw.lifecycle_phase_environment_match.as_deref(), MatchPolicy::NAMES),
        )
        .flatten()
        .and_then(MatchPolicy::from_name)
        .unwrap_or(MatchPolicy::SkipUnlessPartialMatch);

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
        .unwrap_or(8);
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
            p.push(
                "EXPECTED_PLAN",
                "only applies in apply mode; set OCTOSYNC_MODE=apply or leave it empty".to_string(),
            );
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
    })
}

fn selector_value<'a>(raw: &'a RawSettings, env: &str) -> Option<&'a str> {
    match env {
        "ENVIRONMENTS" => raw.environments.as_deref(),
        "PROJECT_GROUPS" => raw.project_groups.as_deref(),
        "TENANT_TAG_SETS" => raw.tenant_tag_sets.as_deref(),
        "STEP_TEMPLATES" => raw.step_templates.as_deref(),
        "LIFECYCLES" => raw.lifecycles.as_deref(),
        _ => None,
    }
}

/// Minutes a run may take when `OCTOSYNC_TIMEOUT_MINUTES` is unset.
pub const DEFAULT_TIMEOUT_MINUTES: u64 = 30;

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
mod tests {
    use super::*;

    fn base() -> Vec<(String, String)> {
        [
            ("OCTOSYNC_SOURCE_URL", "https://dev.example.com/"),
            ("OCTOSYNC_SOURCE_API_KEY", "API-SOURCE1"),
            ("OCTOSYNC_SOURCE_SPACE", "Default"),
            ("OCTOSYNC_DESTINATION_URL", "https://prod.example.com/octopus/api"),
            ("OCTOSYNC_DESTINATION_API_KEY", "API-DEST1"),
            ("OCTOSYNC_DESTINATION_SPACE", "Default"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    fn with(extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut v = base();
        v.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        v.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        v
    }

    #[test]
    fn every_definition_is_a_field_envy_reads() {
        let vars = SETTINGS.iter().map(|d| (d.var(), "x".to_string()));
        let raw: Result<RawSettings, _> = envy::prefixed(PREFIX).from_iter(vars);
        assert!(raw.is_ok(), "{raw:?}");
        for d in SETTINGS {
            assert!(
                d.parameter.starts_with("OctoSync."),
                "{} is not namespaced",
                d.parameter
            );
        }
    }

    #[test]
    fn defaults_give_a_plan_that_syncs_nothing() {
        let job = from_vars(base()).unwrap();
        assert_eq!(job.mode, Mode::Plan);
        assert_eq!(job.source.url, "https://dev.example.com");
        assert_eq!(job.destination.url, "https://prod.example.com/octopus");
        assert!(job.selector(Kind::Environment).is_none());
        assert_eq!(job.rules, Rules::default());
        assert_eq!(job.http.concurrency, 8);
        assert_eq!(job.http.connect_timeout, Duration::from_secs(10));
    }

    #[test]
    fn octopus_style_values_are_accepted() {
        let job = from_vars(with(&[
            ("OCTOSYNC_MODE", "PLAN"),
            ("OCTOSYNC_FAIL_ON_CHANGES", "True"),
            ("OCTOSYNC_VERBOSE", ""),
            ("OCTOSYNC_ENVIRONMENTS", "Dev*\n!Development Sandbox"),
            ("OCTOSYNC_LIFECYCLE_PHASES", "overwrite"),
        ]))
        .unwrap();
        assert_eq!(job.mode, Mode::Plan);
        assert!(job.fail_on_changes);
        assert!(!job.verbose);
        assert!(job.selector(Kind::Environment).matches("Development"));
        assert!(!job.selector(Kind::Environment).matches("Development Sandbox"));
        assert_eq!(job.rules.lifecycle_phases, PhaseOption::Overwrite);
    }

    #[test]
    fn every_problem_names_its_variable() {
        let err = from_vars(vec![
            ("OCTOSYNC_SOURCE_URL".into(), "not a url".into()),
            ("OCTOSYNC_MODE".into(), "go".into()),
            ("OCTOSYNC_CONCURRENCY".into(), "0".into()),
        ])
        .unwrap_err();
        let text = err.to_string();
        for var in [
            "OCTOSYNC_SOURCE_URL",
            "OCTOSYNC_SOURCE_API_KEY",
            "OCTOSYNC_DESTINATION_URL",
            "OCTOSYNC_MODE: expected one of plan, apply",
            "OCTOSYNC_CONCURRENCY: expected a whole number from 1 to 64",
        ] {
            assert!(text.contains(var), "{var} missing from:\n{text}");
        }
    }

    #[test]
    fn problems_name_the_step_parameter_too() {
        let err = from_vars(with(&[("OCTOSYNC_MODE", "go")])).unwrap_err();
        assert_eq!(
            err.problems,
            vec!["OCTOSYNC_MODE: expected one of plan, apply, got 'go' (step parameter OctoSync.Mode)"]
        );
    }

    #[test]
    fn a_malformed_api_key_is_reported_without_its_value() {
        let err = from_vars(with(&[("OCTOSYNC_SOURCE_API_KEY", "hunter2-secret")])).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("OCTOSYNC_SOURCE_API_KEY"));
        assert!(!text.contains("hunter2"));
    }

    #[test]
    fn unknown_variables_are_rejected_with_a_suggestion() {
        let err = from_vars(with(&[("OCTOSYNC_ENVIRONMENT", "all")])).unwrap_err();
        assert!(err.to_string().contains("did you mean OCTOSYNC_ENVIRONMENTS"), "{err}");
    }

    #[test]
    fn suggestions_are_the_nearest_setting_or_none() {
        assert_eq!(closest_setting("LIFECYLES"), Some("LIFECYCLES"));
        assert_eq!(closest_setting("DESTINATION_APIKEY"), Some("DESTINATION_API_KEY"));
        assert_eq!(closest_setting(""), None);
        assert_eq!(closest_setting("SOMETHING_ELSE_ENTIRELY"), None);
    }

    #[test]
    fn fail_on_changes_is_refused_in_apply_mode() {
        let ok = from_vars(with(&[("OCTOSYNC_MODE", "Apply")])).unwrap();
        assert_eq!(ok.mode, Mode::Apply);
        let err = from_vars(with(&[
            ("OCTOSYNC_MODE", "apply"),
            ("OCTOSYNC_FAIL_ON_CHANGES", "True"),
        ]))
        .unwrap_err();
        assert!(
            err.to_string().contains("OCTOSYNC_FAIL_ON_CHANGES: is a drift check"),
            "{err}"
        );
    }

    #[test]
    fn the_same_space_on_the_same_instance_is_refused() {
        let err = from_vars(with(&[("OCTOSYNC_DESTINATION_URL", "https://DEV.example.com")])).unwrap_err();
        assert!(err.to_string().contains("OCTOSYNC_DESTINATION_SPACE"));
    }

    #[test]
    fn a_url_holding_a_key_is_refused_without_echoing_it() {
        let key = "API-ABCDEFGHIJKLMNOPQRSTUVWXYZ12";
        for url in [
            format!("https://b.example/?apikey={key}"),
            format!("https://user:{key}@b.example"),
            key.to_string(),
            format!("b.example/{key}"),
        ] {
            let err = from_vars(with(&[("OCTOSYNC_DESTINATION_URL", url.as_str())])).unwrap_err();
            let text = err.to_string();
            assert!(text.contains("OCTOSYNC_DESTINATION_URL"), "{text}");
            assert!(
                text.contains("https://octopus.example.com"),
                "says what is expected: {text}"
            );
            assert!(!text.contains("ABCDEFGHIJKLMNOPQRSTUVWXYZ12"), "echoed the key: {text}");
            assert!(!text.contains("b.example/?"), "echoed the query: {text}");
        }
    }

    #[test]
    fn a_key_pasted_into_any_other_field_is_masked_in_the_error() {
        let err = from_vars(with(&[("OCTOSYNC_CONCURRENCY", "API-ABCDEFGHIJKLMNOPQRSTUVWXYZ12")])).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("OCTOSYNC_CONCURRENCY"), "{text}");
        assert!(!text.contains("ABCDEFGHIJKLMNOPQRSTUVWXYZ12"), "{text}");
    }

    #[test]
    fn a_mode_typo_is_an_error_even_when_the_command_forces_the_mode() {
        for forced in [None, Some(Mode::Plan), Some(Mode::Apply)] {
            let err = from_vars_with_mode(with(&[("OCTOSYNC_MODE", "sync")]), forced).unwrap_err();
            assert!(
                err.to_string()
                    .contains("OCTOSYNC_MODE: expected one of plan, apply, got 'sync'"),
                "{forced:?}: {err}"
            );
        }
        let job = from_vars_with_mode(with(&[("OCTOSYNC_MODE", "plan")]), Some(Mode::Apply)).unwrap();
        assert_eq!(job.mode, Mode::Apply, "the command wins over a valid OCTOSYNC_MODE");
    }

    #[test]
    fn booleans_other_than_true_and_false_are_refused() {
        let err = from_vars(with(&[("OCTOSYNC_FAIL_ON_CHANGES", "yes")])).unwrap_err();
        assert!(
            err.to_string()
                .contains("OCTOSYNC_FAIL_ON_CHANGES: expected True or False, got 'yes'"),
            "{err}"
        );
    }

    #[test]
    fn the_response_cap_defaults_to_256_mb_and_is_range_checked() {
        assert_eq!(from_vars(base()).unwrap().http.max_response_mb, 256);
        let job = from_vars(with(&[("OCTOSYNC_MAX_RESPONSE_MB", "1024")])).unwrap();
        assert_eq!(job.http.max_response_mb, 1024);
        let err = from_vars(with(&[("OCTOSYNC_MAX_RESPONSE_MB", "0")])).unwrap_err();
        assert!(
            err.to_string()
                .contains("OCTOSYNC_MAX_RESPONSE_MB: expected a whole number from 1 to 4096"),
            "{err}"
        );
    }

    #[test]
    fn the_run_time_limit_defaults_to_thirty_minutes_and_is_range_checked() {
        assert_eq!(from_vars(base()).unwrap().deadline, Duration::from_secs(30 * 60));
        let job = from_vars(with(&[("OCTOSYNC_TIMEOUT_MINUTES", "5")])).unwrap();
        assert_eq!(job.deadline, Duration::from_secs(300));
        let err = from_vars(with(&[("OCTOSYNC_TIMEOUT_MINUTES", "0")])).unwrap_err();
        assert!(err
            .to_string()
            .contains("OCTOSYNC_TIMEOUT_MINUTES: expected a whole number from 1 to 1440"));
    }

    #[test]
    fn expected_plan_requires_apply_mode_and_a_fingerprint() {
        let err = from_vars(with(&[("OCTOSYNC_EXPECTED_PLAN", "abc")])).unwrap_err();
        assert!(err.to_string().contains("OCTOSYNC_EXPECTED_PLAN"));
        let fp = "a".repeat(64);
        let err = from_vars(with(&[("OCTOSYNC_EXPECTED_PLAN", fp.as_str())])).unwrap_err();
        assert!(err.to_string().contains("apply mode"));
        let ok = from_vars(with(&[
            ("OCTOSYNC_EXPECTED_PLAN", fp.as_str()),
            ("OCTOSYNC_MODE", "apply"),
        ]));
        assert!(ok.is_ok());
    }
}
