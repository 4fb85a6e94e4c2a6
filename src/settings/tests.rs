//! Settings: every problem named, values read as an Octopus step delivers them.

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
    assert_eq!(job.http.concurrency, 32);
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
fn machine_policy_updates_are_left_alone_unless_overwrite_is_chosen() {
    assert_eq!(
        from_vars(base()).unwrap().rules.machine_policies,
        ExistingOption::LeaveExisting
    );
    let job = from_vars(with(&[
        ("OCTOSYNC_MACHINE_POLICY_UPDATES", "overwrite"),
        ("OCTOSYNC_MACHINE_POLICIES", "all"),
        ("OCTOSYNC_WORKER_POOLS", "!Hosted*"),
    ]))
    .unwrap();
    assert_eq!(job.rules.machine_policies, ExistingOption::Overwrite);
    assert!(job.selector(Kind::MachinePolicy).matches("Default Machine Policy"));
    assert!(!job.selector(Kind::WorkerPool).matches("Hosted Ubuntu"));
    let err = from_vars(with(&[("OCTOSYNC_MACHINE_POLICY_UPDATES", "Always")])).unwrap_err();
    assert!(
        err.to_string()
            .contains("OCTOSYNC_MACHINE_POLICY_UPDATES: expected one of LeaveExisting, Overwrite, got 'Always'"),
        "{err}"
    );
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
fn lifecycle_phases_takes_only_the_three_values_it_offers() {
    for spelling in ["true", "False", "NeverCloneLifecyclePhases"] {
        let err = from_vars(with(&[("OCTOSYNC_LIFECYCLE_PHASES", spelling)])).unwrap_err();
        assert!(
            err.to_string()
                .contains("OCTOSYNC_LIFECYCLE_PHASES: expected one of LeaveExisting, Overwrite, Never"),
            "{spelling}: {err}"
        );
    }
    let job = from_vars(with(&[("OCTOSYNC_LIFECYCLE_PHASES", "never")])).unwrap();
    assert_eq!(job.rules.lifecycle_phases, PhaseOption::Never);
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

#[test]
fn user_roles_follow_the_teams_selector_and_are_created_only_when_allowed() {
    let job = from_vars(base()).unwrap();
    assert!(job.selector(Kind::UserRole).is_none(), "no teams, no roles");
    assert!(!job.rules.create_user_roles);

    let job = from_vars(with(&[
        ("OCTOSYNC_TEAMS", "Payments*"),
        ("OCTOSYNC_CREATE_USER_ROLES", "True"),
    ]))
    .unwrap();
    assert!(job.selector(Kind::UserRole).matches("Payments Developers"));
    assert!(!job.selector(Kind::UserRole).matches("Web"));
    assert!(job.rules.create_user_roles);

    let err = from_vars(with(&[("OCTOSYNC_CREATE_USER_ROLES", "sometimes")])).unwrap_err();
    assert!(
        err.problems.iter().any(|p| p.starts_with("OCTOSYNC_CREATE_USER_ROLES")),
        "{err}"
    );
}

#[test]
fn team_permissions_are_off_by_default_and_follow_the_teams_selector_when_on() {
    let job = from_vars(with(&[("OCTOSYNC_TEAMS", "Payments*")])).unwrap();
    assert!(!job.rules.team_permissions);
    assert!(
        job.selector(Kind::ScopedUserRole).is_none(),
        "off: the stage does not run"
    );

    let job = from_vars(with(&[
        ("OCTOSYNC_TEAMS", "Payments*"),
        ("OCTOSYNC_TEAM_PERMISSIONS", "True"),
    ]))
    .unwrap();
    assert!(job.rules.team_permissions);
    assert!(job.selector(Kind::ScopedUserRole).matches("Payments Developers"));
    assert!(!job.selector(Kind::ScopedUserRole).matches("Web"));

    // On without teams: there are no teams whose roles to add.
    let job = from_vars(with(&[("OCTOSYNC_TEAM_PERMISSIONS", "True")])).unwrap();
    assert!(job.selector(Kind::ScopedUserRole).is_none());

    let err = from_vars(with(&[("OCTOSYNC_TEAM_PERMISSIONS", "yes please")])).unwrap_err();
    assert!(
        err.problems.iter().any(|p| p.starts_with("OCTOSYNC_TEAM_PERMISSIONS")),
        "{err}"
    );
}

#[test]
fn infrastructure_scope_matches_default_to_spacecloners_partial_match_and_are_read_apart() {
    let rules = from_vars(base()).unwrap().rules;
    for policy in [
        rules.infrastructure_environments,
        rules.infrastructure_tenants,
        rules.infrastructure_tenant_tags,
    ] {
        assert_eq!(policy, MatchPolicy::SkipUnlessPartialMatch);
    }
    let job = from_vars(with(&[
        ("OCTOSYNC_ACCOUNTS", "all\n!Legacy*"),
        ("OCTOSYNC_INFRASTRUCTURE_ENVIRONMENT_MATCH", "ignoremismatch"),
        ("OCTOSYNC_INFRASTRUCTURE_TENANT_MATCH", "ErrorUnlessExactMatch"),
        ("OCTOSYNC_INFRASTRUCTURE_TENANT_TAG_MATCH", "SkipUnlessExactMatch"),
    ]))
    .unwrap();
    assert_eq!(job.rules.infrastructure_environments, MatchPolicy::IgnoreMismatch);
    assert_eq!(job.rules.infrastructure_tenants, MatchPolicy::ErrorUnlessExactMatch);
    assert_eq!(job.rules.infrastructure_tenant_tags, MatchPolicy::SkipUnlessExactMatch);
    assert!(job.selector(Kind::Account).matches("Prod AWS"));
    assert!(!job.selector(Kind::Account).matches("Legacy token"));
    let err = from_vars(with(&[("OCTOSYNC_INFRASTRUCTURE_TENANT_MATCH", "Widen")])).unwrap_err();
    assert!(
        err.to_string().contains("OCTOSYNC_INFRASTRUCTURE_TENANT_MATCH"),
        "{err}"
    );
}

#[test]
fn certificates_are_replaced_only_when_asked_and_the_password_is_kept_but_never_shown() {
    let job = from_vars(with(&[])).unwrap();
    assert!(!job.rules.replace_certificates && !job.rules.certificate_password);
    assert!(job.certificate_password.is_none());

    let job = from_vars(with(&[
        ("OCTOSYNC_CERTIFICATE_REPLACE", "True"),
        ("OCTOSYNC_CERTIFICATE_PASSWORD", " pfx pass word "),
    ]))
    .unwrap();
    assert!(job.rules.replace_certificates && job.rules.certificate_password);
    let password = job.certificate_password.as_ref().unwrap();
    assert_eq!(password.expose(), " pfx pass word ", "taken as given, spaces included");
    assert!(!format!("{job:?}").contains("pfx pass word"), "Debug never shows it");

    let err = from_vars(with(&[("OCTOSYNC_CERTIFICATE_REPLACE", "yes")])).unwrap_err();
    assert!(
        err.to_string()
            .contains("OCTOSYNC_CERTIFICATE_REPLACE: expected True or False, got 'yes'"),
        "{err}"
    );
}

#[test]
fn variable_settings_default_to_spacecloners_defaults_and_leave_existing_values_alone() {
    let rules = from_vars(base()).unwrap().rules.variables;
    assert_eq!(rules, crate::rules::VariableRules::default());
    assert_eq!(rules.overwrite, crate::rules::VariableOverwrite::LeaveExisting);
    for policy in [
        rules.environments,
        rules.channels,
        rules.process_owners,
        rules.actions,
        rules.machines,
        rules.tenant_tags,
        rules.worker_pools,
    ] {
        assert_eq!(policy, MatchPolicy::SkipUnlessPartialMatch);
    }
    assert_eq!(rules.accounts, MatchPolicy::SkipUnlessExactMatch);
    assert_eq!(rules.certificates, MatchPolicy::SkipUnlessExactMatch);
}

#[test]
fn each_variable_scope_match_setting_is_read_into_its_own_rule() {
    use crate::rules::VariableOverwrite;
    let job = from_vars(with(&[
        ("OCTOSYNC_VARIABLE_OVERWRITE", "addnewwithdefaultvalue"),
        (
            "OCTOSYNC_VARIABLE_ENVIRONMENT_MATCH",
            "IgnoreMismatchOnNewLeaveExistingAlone",
        ),
        ("OCTOSYNC_VARIABLE_CHANNEL_MATCH", "ignoremismatch"),
        ("OCTOSYNC_VARIABLE_PROCESS_OWNER_MATCH", "ErrorUnlessExactMatch"),
        ("OCTOSYNC_VARIABLE_ACTION_MATCH", "SkipUnlessExactMatch"),
        ("OCTOSYNC_VARIABLE_MACHINE_MATCH", "ErrorUnlessPartialMatch"),
        ("OCTOSYNC_VARIABLE_TENANT_TAG_MATCH", "IgnoreMismatch"),
        ("OCTOSYNC_VARIABLE_ACCOUNT_MATCH", "IgnoreMismatch"),
        ("OCTOSYNC_VARIABLE_CERTIFICATE_MATCH", "ErrorUnlessExactMatch"),
        ("OCTOSYNC_VARIABLE_WORKER_POOL_MATCH", "SkipUnlessExactMatch"),
    ]))
    .unwrap();
    let v = job.rules.variables;
    assert_eq!(v.overwrite, VariableOverwrite::AddNewWithDefaultValue);
    assert_eq!(v.environments, MatchPolicy::IgnoreMismatchOnNewLeaveExistingAlone);
    assert_eq!(v.channels, MatchPolicy::IgnoreMismatch);
    assert_eq!(v.process_owners, MatchPolicy::ErrorUnlessExactMatch);
    assert_eq!(v.actions, MatchPolicy::SkipUnlessExactMatch);
    assert_eq!(v.machines, MatchPolicy::ErrorUnlessPartialMatch);
    assert_eq!(v.tenant_tags, MatchPolicy::IgnoreMismatch);
    assert_eq!(v.accounts, MatchPolicy::IgnoreMismatch);
    assert_eq!(v.certificates, MatchPolicy::ErrorUnlessExactMatch);
    assert_eq!(v.worker_pools, MatchPolicy::SkipUnlessExactMatch);
    // The other rules are untouched by them.
    assert_eq!(
        job.rules.infrastructure_environments,
        MatchPolicy::SkipUnlessPartialMatch
    );

    for (spelling, expected) in [
        ("True", VariableOverwrite::Overwrite),
        ("false", VariableOverwrite::LeaveExisting),
        ("", VariableOverwrite::LeaveExisting),
    ] {
        let job = from_vars(with(&[("OCTOSYNC_VARIABLE_OVERWRITE", spelling)])).unwrap();
        assert_eq!(job.rules.variables.overwrite, expected, "{spelling}");
    }
}

#[test]
fn a_bad_variable_setting_names_its_variable_and_the_values_it_takes() {
    let err = from_vars(with(&[
        ("OCTOSYNC_VARIABLE_OVERWRITE", "Always"),
        ("OCTOSYNC_VARIABLE_MACHINE_MATCH", "Widen"),
    ]))
    .unwrap_err();
    assert_eq!(
        err.problems,
        [
            "OCTOSYNC_VARIABLE_MACHINE_MATCH: expected one of ErrorUnlessExactMatch, SkipUnlessExactMatch, ErrorUnlessPartialMatch, SkipUnlessPartialMatch, IgnoreMismatch, IgnoreMismatchOnNewLeaveExistingAlone, got 'Widen' (step parameter OctoSync.VariableMachineMatch)",
            "OCTOSYNC_VARIABLE_OVERWRITE: expected one of False, True, AddNewWithDefaultValue, got 'Always' (step parameter OctoSync.VariableOverwrite)",
        ]
    );
}

#[test]
fn the_six_scope_match_modes_are_offered_and_described_once() {
    use definitions::{markdown_reference, Control};
    let variable_matches: Vec<_> = SETTINGS
        .iter()
        .filter(|d| d.env.starts_with("VARIABLE_") && d.env.ends_with("_MATCH"))
        .collect();
    assert_eq!(variable_matches.len(), 9);
    for d in &variable_matches {
        let Control::Select(options) = d.control else {
            panic!("{} is not a select", d.env)
        };
        let values: Vec<&str> = options.iter().map(|(v, _)| *v).collect();
        let mut sorted = values.clone();
        sorted.sort_unstable();
        let mut names = MatchPolicy::NAMES.to_vec();
        names.sort_unstable();
        assert_eq!(sorted, names, "{}", d.env);
        assert!(MatchPolicy::from_name(d.default).is_some(), "{}", d.env);
    }
    let reference = markdown_reference();
    assert_eq!(
        reference.matches("`IgnoreMismatchOnNewLeaveExistingAlone`:").count(),
        1,
        "the modes are described once, below the table"
    );
    assert!(reference
        .contains("| `OCTOSYNC_VARIABLE_ACCOUNT_MATCH` | `OctoSync.VariableAccountMatch` | `SkipUnlessExactMatch` |"));
}

#[test]
fn channels_are_chosen_within_the_selected_projects_and_default_to_all_of_theirs() {
    let job = from_vars(with(&[])).unwrap();
    assert!(job.selector(Kind::Channel).is_none(), "no projects, no channels");
    let job = from_vars(with(&[("OCTOSYNC_PROJECTS", "Api")])).unwrap();
    let channels = job.selector(Kind::Channel);
    assert!(channels.matches("Hotfix") && channels.matches_owner("Api") && !channels.matches_owner("Web"));
    let job = from_vars(with(&[("OCTOSYNC_PROJECTS", "all"), ("OCTOSYNC_CHANNELS", "!Beta")])).unwrap();
    assert!(!job.selector(Kind::Channel).matches("beta"));
    assert_eq!(job.rules.channel_lifecycles, MatchPolicy::SkipUnlessExactMatch);
}

#[test]
fn process_settings_default_to_keeping_destination_steps_and_syncing_step_fields() {
    use crate::rules::{ProcessRules, ProcessSteps, StepFields};
    let rules = from_vars(base()).unwrap().rules.process;
    assert_eq!(rules, ProcessRules::default());
    assert_eq!(rules.steps, ProcessSteps::KeepAdditionalDestinationSteps);
    assert_eq!(rules.step_fields, StepFields::Sync);
    for policy in [rules.environments, rules.channels, rules.tenant_tags] {
        assert_eq!(policy, MatchPolicy::SkipUnlessPartialMatch);
    }
    let job = from_vars(with(&[
        ("OCTOSYNC_PROCESS_CLONING_OPTION", "sourceonly"),
        ("OCTOSYNC_PROCESS_STEP_FIELDS", "KeepDestination"),
        (
            "OCTOSYNC_PROCESS_ENVIRONMENT_MATCH",
            "IgnoreMismatchOnNewLeaveExistingAlone",
        ),
        ("OCTOSYNC_PROCESS_CHANNEL_MATCH", "ErrorUnlessExactMatch"),
        ("OCTOSYNC_PROCESS_TENANT_TAG_MATCH", "IgnoreMismatch"),
    ]))
    .unwrap();
    let p = job.rules.process;
    assert_eq!(p.steps, ProcessSteps::SourceOnly);
    assert_eq!(p.step_fields, StepFields::KeepDestination);
    assert_eq!(p.environments, MatchPolicy::IgnoreMismatchOnNewLeaveExistingAlone);
    assert_eq!(p.channels, MatchPolicy::ErrorUnlessExactMatch);
    assert_eq!(p.tenant_tags, MatchPolicy::IgnoreMismatch);
    let err = from_vars(with(&[("OCTOSYNC_PROCESS_CLONING_OPTION", "KeepAll")])).unwrap_err();
    assert_eq!(
        err.problems,
        ["OCTOSYNC_PROCESS_CLONING_OPTION: expected one of KeepAdditionalDestinationSteps, SourceOnly, got 'KeepAll' (step parameter OctoSync.ProcessCloningOption)"]
    );
}

#[test]
fn project_parts_default_to_all_and_leave_out_what_is_negated_or_unknown_is_named() {
    use crate::rules::{ProjectPart, ProjectParts};
    let job = from_vars(base()).unwrap();
    assert_eq!(job.rules.project_parts, ProjectParts::default());
    assert!(ProjectPart::ALL.iter().all(|p| job.rules.project_parts.has(*p)));
    let job = from_vars(with(&[
        ("OCTOSYNC_PROJECTS", "all"),
        ("OCTOSYNC_PROJECT_PARTS", "all\n!logos\n!Runbooks"),
    ]))
    .unwrap();
    let parts = job.rules.project_parts;
    assert!(parts.has(ProjectPart::Process) && !parts.has(ProjectPart::Logos) && !parts.has(ProjectPart::Runbooks));
    assert!(
        job.selector(Kind::Runbook).is_none(),
        "runbooks left out are not selected"
    );
    let only = from_vars(with(&[("OCTOSYNC_PROJECT_PARTS", "Process, Variables")]))
        .unwrap()
        .rules
        .project_parts;
    assert!(only.has(ProjectPart::Variables) && !only.has(ProjectPart::ChannelRules));
    let err = from_vars(with(&[("OCTOSYNC_PROJECT_PARTS", "Process\nSteps")])).unwrap_err();
    assert_eq!(
        err.problems,
        ["OCTOSYNC_PROJECT_PARTS: unknown part 'Steps': expected `all` or one per line of Process, Runbooks, Variables, ChannelRules, Versioning, Logos (a leading ! leaves a part out) (step parameter OctoSync.ProjectParts)"]
    );
}

#[test]
fn tenants_are_selected_by_name_or_tag_and_the_tenant_options_read_their_spellings() {
    let job = from_vars(with(&[
        ("OCTOSYNC_TENANTS", "Region/EU\n!Acme*"),
        ("OCTOSYNC_TENANT_EXISTING_TAGS", "addmissing"),
        ("OCTOSYNC_TENANT_WITHOUT_ENVIRONMENTS", "Skip"),
    ]))
    .unwrap();
    let tenants = job.selector(Kind::Tenant);
    assert!(tenants.matches_any(["Internal", "Region/EU"]));
    assert!(!tenants.matches_any(["Internal", "Region/US"]));
    assert!(!tenants.matches_any(["Acme EU", "Region/EU"]), "an exclusion wins");
    assert!(job.rules.tenant_existing_tags && job.rules.skip_tenants_without_environments);
    let defaults = from_vars(base()).unwrap();
    assert!(defaults.selector(Kind::Tenant).is_none(), "no tenants unless selected");
    assert!(!defaults.rules.tenant_existing_tags && !defaults.rules.skip_tenants_without_environments);
    let err = from_vars(with(&[("OCTOSYNC_TENANT_WITHOUT_ENVIRONMENTS", "Never")])).unwrap_err();
    assert!(err.problems[0].starts_with("OCTOSYNC_TENANT_WITHOUT_ENVIRONMENTS: expected one of Create, Skip"));
}

#[test]
fn tenant_variables_are_left_alone_unless_copy_is_chosen() {
    assert!(
        !from_vars(base()).unwrap().rules.copy_tenant_variables,
        "each instance's own by default"
    );
    let none = from_vars(with(&[("OCTOSYNC_TENANT_VARIABLES", "None")])).unwrap();
    assert!(!none.rules.copy_tenant_variables);
    let copy = from_vars(with(&[("OCTOSYNC_TENANT_VARIABLES", "copy")])).unwrap();
    assert!(copy.rules.copy_tenant_variables);
    let err = from_vars(with(&[("OCTOSYNC_TENANT_VARIABLES", "All")])).unwrap_err();
    assert!(err.problems[0].starts_with("OCTOSYNC_TENANT_VARIABLES: expected one of None, Copy"));
}

#[test]
fn runbooks_are_published_only_when_the_setting_says_so() {
    assert!(!from_vars(base()).unwrap().rules.publish_runbooks);
    let job = from_vars(with(&[("OCTOSYNC_RUNBOOK_PUBLISH", "True")])).unwrap();
    assert!(job.rules.publish_runbooks);
    let err = from_vars(with(&[("OCTOSYNC_RUNBOOK_PUBLISH", "sometimes")])).unwrap_err();
    assert!(
        err.problems[0].starts_with("OCTOSYNC_RUNBOOK_PUBLISH:"),
        "{:?}",
        err.problems
    );
}
