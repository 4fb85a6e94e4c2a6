//! The Bash step template run the way an Octopus worker runs it: the script body's `#{…}` expressions
//! substituted, a Calamari-style bootstrap whose `get_octopusvariable` answers from the step's
//! variables (template parameter defaults included, evaluated like Octopus does), the octosync package
//! extracted to a folder, and `OctopusCalamariWorkingDirectory` set, against two simulated instances.
//! The output is read with the strict service-message reader.

#[path = "support/service_messages.rs"]
mod service_messages;
mod support;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use octosync::sim::Seed;
use serde_json::{json, Value};
use service_messages::Entry;
use std::collections::BTreeMap;
use std::path::PathBuf;
use support::*;

/// One worker: its work folder with the extracted package.
struct Worker {
    _root: tempfile::TempDir,
    work: PathBuf,
    package: PathBuf,
}

impl Worker {
    /// A fresh work folder with octosync extracted into `./OctoSync`, not executable (as Calamari leaves it).
    fn new() -> Worker {
        let root = tempfile::tempdir().unwrap();
        let work = root.path().join("Work");
        let package = work.join("OctoSync");
        std::fs::create_dir_all(&package).unwrap();
        let bin = package.join("octosync");
        std::fs::copy(env!("CARGO_BIN_EXE_octosync"), &bin).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o644)).unwrap();
        Worker {
            _root: root,
            work,
            package,
        }
    }
}

/// What a step run produced.
struct StepRun {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    entries: Vec<Entry>,
}

impl StepRun {
    fn outputs(&self) -> BTreeMap<String, String> {
        service_messages::output_variables(&self.entries)
    }
}

fn template() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/step-template/octosync-sync-space-bash.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Octopus's `#{if Name}A#{else}B#{/if}`: A when the variable is set and not empty, else B.
fn conditionals(text: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = text.to_string();
    while let Some(start) = out.find("#{if ") {
        let Some(close) = out[start..].find('}').map(|i| start + i) else {
            break;
        };
        let name = out[start + 5..close].trim().to_string();
        let Some(end) = out[close..].find("#{/if}").map(|i| close + i) else {
            break;
        };
        let body = &out[close + 1..end];
        let (then, otherwise) = body.split_once("#{else}").unwrap_or((body, ""));
        let chosen = if vars.get(&name).is_some_and(|v| !v.is_empty()) {
            then
        } else {
            otherwise
        }
        .to_string();
        out.replace_range(start..end + "#{/if}".len(), &chosen);
    }
    out
}

/// Octopus-style `#{Name}` substitution from `vars` (repeated, for values that refer to other variables).
fn substitute(text: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = conditionals(text, vars);
    for _ in 0..5 {
        let mut next = String::new();
        let mut rest = out.as_str();
        while let Some(start) = rest.find("#{") {
            next.push_str(&rest[..start]);
            let Some(end) = rest[start..].find('}') else { break };
            let name = &rest[start + 2..start + end];
            next.push_str(vars.get(name).map(String::as_str).unwrap_or(""));
            rest = &rest[start + end + 1..];
        }
        next.push_str(rest);
        if next == out {
            break;
        }
        out = next;
    }
    out
}

/// A Calamari-like bootstrap: helper functions, then the script is sourced.
fn bootstrap(vars: &BTreeMap<String, String>) -> String {
    let mut cases = String::new();
    for (name, value) in vars {
        // Names and values travel base64-encoded like Calamari's encrypted table, so no quoting can break.
        cases.push_str(&format!(
            "    '{}') printf '%s' '{}' | base64 -d ;;\n",
            STANDARD.encode(name),
            STANDARD.encode(value)
        ));
    }
    format!(
        r###"get_octopusvariable() {{
  case "$(printf '%s' "$1" | base64 -w0)" in
{cases}    *) printf '' ;;
  esac
}}
fail_step() {{
  echo "##octopus[resultMessage message='$(printf '%s' "$1" | base64 -w0)']"
  exit 1
}}
source "$1"
"###
    )
}

/// Runs the template's script with the step's parameter values (`params`) on a worker.
async fn run_step(pair: &Pair, worker: &Worker, params: &[(&str, &str)]) -> StepRun {
    run_step_on(pair, worker, params, &pair.source.url()).await
}

/// As [`run_step`], on an instance whose configured server URI is `server_uri` (may be empty).
async fn run_step_on(pair: &Pair, worker: &Worker, params: &[(&str, &str)], server_uri: &str) -> StepRun {
    let t = template();
    let mut vars: BTreeMap<String, String> = BTreeMap::new();
    vars.insert("Octopus.Web.ServerUri".into(), server_uri.into());
    vars.insert("Octopus.Web.BaseUrl".into(), pair.source.url());
    vars.insert("Octopus.Space.Name".into(), "Default".into());
    vars.insert(
        "Octopus.Action.Package[OctoSync].ExtractedPath".into(),
        worker.package.display().to_string(),
    );
    for p in t["Parameters"].as_array().unwrap() {
        let name = p["Name"].as_str().unwrap().to_string();
        let value = params.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
        vars.insert(
            name,
            value.unwrap_or_else(|| p["DefaultValue"].as_str().unwrap_or("").to_string()),
        );
    }
    // Variables are evaluated before the script reads them, as Octopus does.
    let evaluated: BTreeMap<String, String> = vars.iter().map(|(k, v)| (k.clone(), substitute(v, &vars))).collect();
    let body = substitute(
        t["Properties"]["Octopus.Action.Script.ScriptBody"].as_str().unwrap(),
        &evaluated,
    );
    std::fs::write(worker.work.join("Bootstrap.sh"), bootstrap(&evaluated)).unwrap();
    std::fs::write(worker.work.join("Script.sh"), body).unwrap();

    let work = worker.work.clone();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("bash")
            .args(["Bootstrap.sh", "Script.sh"])
            .current_dir(&work)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("OctopusCalamariWorkingDirectory", &work)
            .env("TentacleHome", work.join("Tentacle"))
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let entries =
        service_messages::parse(&stdout).unwrap_or_else(|e| panic!("invalid service messages: {e}\n{stdout}"));
    StepRun {
        code: output.status.code(),
        stdout,
        stderr,
        entries,
    }
}

/// The checks every step run must pass, whatever its outcome.
fn assert_well_formed(run: &StepRun, pair: &Pair) {
    assert!(
        service_messages::blocks_return_to_default(&run.entries),
        "a block did not return to default:\n{}",
        run.stdout
    );
    assert!(
        service_messages::final_mode_is_default(&run.entries),
        "the step ended in a non-default mode"
    );
    let everything = format!("{}{}", run.stdout, run.stderr);
    for key in [pair.source.api_key(), pair.destination.api_key()] {
        assert!(!everything.contains(key), "an API key leaked into the task log");
        assert!(
            !everything.contains(&STANDARD.encode(key)),
            "an API key leaked base64-encoded into the task log"
        );
    }
}

/// The checks of a run that completed (exit 0 or 2).
fn assert_completed(run: &StepRun) {
    let progress = service_messages::progress(&run.entries);
    assert_eq!(
        progress.first().map(|p| p.0),
        Some(0),
        "progress starts at 0: {progress:?}"
    );
    assert_eq!(
        progress.last().map(|p| p.0),
        Some(100),
        "progress ends at 100: {progress:?}"
    );
    assert!(
        progress.windows(2).all(|w| w[0].0 <= w[1].0),
        "progress never goes back: {progress:?}"
    );
    let outputs = run.outputs();
    for (name, _) in octosync::report::output_variable_meanings() {
        assert!(
            outputs.get(name).is_some_and(|v| !v.is_empty()),
            "output variable {name} is not set: {outputs:?}"
        );
    }
    let artifacts = service_messages::artifacts(&run.entries);
    assert_eq!(artifacts.len(), 2, "{artifacts:?}");
    for (path, name, length) in artifacts {
        assert!(path.is_absolute(), "{path:?} is not absolute");
        let meta =
            std::fs::metadata(&path).unwrap_or_else(|_| panic!("artifact {path:?} does not exist after the step"));
        assert_eq!(meta.len(), length, "{name}: length attribute differs from the file");
        assert_eq!(path.file_name().unwrap().to_str().unwrap(), name);
    }
}

const SELECT_ALL: &[(&str, &str)] = &[
    ("OctoSync.Environments", "all\n!Development\n!Test"),
    ("OctoSync.ProjectGroups", "all"),
    ("OctoSync.TenantTagSets", "all"),
    ("OctoSync.Lifecycles", "all"),
];

fn step_params<'a>(pair: &'a Pair, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v = vec![
        ("OctoSync.Source.ApiKey", pair.source.api_key()),
        ("OctoSync.Destination.Url", "DEST_URL"),
        ("OctoSync.Destination.ApiKey", pair.destination.api_key()),
    ];
    v.extend_from_slice(SELECT_ALL);
    v.extend_from_slice(extra);
    v
}

async fn run_with(pair: &Pair, worker: &Worker, extra: &[(&str, &str)]) -> StepRun {
    let dest = pair.destination.url();
    let params: Vec<(&str, &str)> = step_params(pair, extra)
        .into_iter()
        .map(|(k, v)| if v == "DEST_URL" { (k, dest.as_str()) } else { (k, v) })
        .collect();
    run_step(pair, worker, &params).await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reviewed_plan_runbook_plans_then_applies_exactly_the_approved_plan() {
    let pair = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let worker = Worker::new();

    // Step 1: plan (the template's default mode). Source URL and space come from the defaults.
    let plan = run_with(&pair, &worker, &[]).await;
    assert_eq!(plan.code, Some(0), "{}\n{}", plan.stdout, plan.stderr);
    assert_well_formed(&plan, &pair);
    assert_completed(&plan);
    assert_eq!(pair.dest_writes(), 0, "plan wrote to the destination");
    let outputs = plan.outputs();
    assert_eq!(outputs["InSync"], "False");
    let fingerprint = outputs["PlanFingerprint"].clone();
    assert_eq!(fingerprint.len(), 64);

    // Step 3 (after the manual intervention): apply, fed the plan step's output variable.
    let apply = run_with(
        &pair,
        &worker,
        &[
            ("OctoSync.Mode", "apply"),
            ("OctoSync.ExpectedPlan", fingerprint.as_str()),
        ],
    )
    .await;
    assert_eq!(apply.code, Some(0), "{}\n{}", apply.stdout, apply.stderr);
    assert_well_formed(&apply, &pair);
    assert_completed(&apply);
    assert!(pair.dest_writes() > 0);
    assert!(pair.dest_names("lifecycles").contains(&"Platform".to_string()));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_apply_whose_plan_changed_after_review_fails_the_step_and_writes_nothing() {
    let pair = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let worker = Worker::new();
    let plan = run_with(&pair, &worker, &[]).await;
    let fingerprint = plan.outputs()["PlanFingerprint"].clone();

    let s = pair.source_space();
    pair.source
        .insert(&s, "tagsets", json!({"Name": "Compliance", "Tags": [{"Name": "PCI"}]}))
        .unwrap();
    let apply = run_with(
        &pair,
        &worker,
        &[
            ("OctoSync.Mode", "apply"),
            ("OctoSync.ExpectedPlan", fingerprint.as_str()),
        ],
    )
    .await;
    assert_eq!(apply.code, Some(1));
    assert_well_formed(&apply, &pair);
    let message = service_messages::result_message(&apply.entries).expect("a resultMessage explains the failure");
    assert!(message.contains("the plan changed since it was reviewed"), "{message}");
    assert_eq!(pair.dest_writes(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_drift_check_fails_the_step_with_exit_code_2_and_says_why() {
    let pair = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let worker = Worker::new();
    let run = run_with(&pair, &worker, &[("OctoSync.FailOnChanges", "True")]).await;
    assert_eq!(run.code, Some(2), "the exit code passes through the script");
    assert_well_formed(&run, &pair);
    assert_completed(&run);
    let message = service_messages::result_message(&run.entries).unwrap();
    assert!(message.contains("out of sync"), "{message}");
    assert_eq!(run.outputs()["InSync"], "False");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_parameter_fails_the_step_naming_it_with_no_write() {
    let pair = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let worker = Worker::new();
    let run = run_with(&pair, &worker, &[("OctoSync.Mode", "sync everything")]).await;
    assert_eq!(run.code, Some(1));
    assert_well_formed(&run, &pair);
    let message = service_messages::result_message(&run.entries).unwrap();
    assert!(message.contains("OCTOSYNC_MODE"), "{message}");
    assert!(pair.destination.request_log().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_package_fails_the_step_with_a_clear_message() {
    let pair = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let worker = Worker::new();
    std::fs::remove_file(worker.package.join("octosync")).unwrap();
    let run = run_with(&pair, &worker, &[]).await;
    assert_eq!(run.code, Some(1));
    assert!(
        format!("{}{}", run.stdout, run.stderr).contains("There is no octosync at"),
        "{}",
        run.stderr
    );
    assert!(pair.destination.request_log().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_source_url_falls_back_to_the_base_url_when_no_server_uri_is_configured() {
    let pair = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let worker = Worker::new();
    let dest = pair.destination.url();
    let mut params = step_params(&pair, &[]);
    params.retain(|(k, _)| *k != "OctoSync.Destination.Url");
    params.push(("OctoSync.Destination.Url", dest.as_str()));
    let run = run_step_on(&pair, &worker, &params, "").await;
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert!(
        !pair.source.request_log().is_empty(),
        "octosync read the source through Octopus.Web.BaseUrl"
    );
}
