//! The step templates in `step-template/`: current with the settings, within the Octopus Library's
//! rules (`shared/reference/octopus-step.md` §3.7), and script bodies that hand every setting to the
//! binary without printing it. The Bash body is also run for real against a stub bootstrap.

use octosync::settings::definitions::{full_help, Control, SETTINGS};
use octosync::step_template::{self, Flavor};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn template_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(step_template::DEFAULT_DIR)
}

/// The committed files: (file name, raw bytes, parsed JSON).
fn committed() -> Vec<(String, Vec<u8>, Value)> {
    let mut out = Vec::new();
    for flavor in Flavor::ALL {
        let name = flavor.file_name();
        let path = template_dir().join(&name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "{name} starts with a BOM");
        let text = std::str::from_utf8(&bytes).unwrap_or_else(|e| panic!("{name} is not UTF-8: {e}"));
        let json: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{name} is not valid JSON: {e}"));
        out.push((name, bytes, json));
    }
    out
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {v}"))
}

fn script_body(template: &Value) -> &str {
    s(&template["Properties"], "Octopus.Action.Script.ScriptBody")
}

fn is_guid(id: &str) -> bool {
    id.len() == 36
        && id.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The Library's file-name rule, written out independently of the generator.
fn library_file_name(template_name: &str) -> String {
    let mut out = String::new();
    for word in template_name.split(|c: char| !c.is_ascii_alphanumeric()) {
        if !word.is_empty() {
            if !out.is_empty() {
                out.push('-');
            }
            out.push_str(&word.to_ascii_lowercase());
        }
    }
    format!("{out}.json")
}

#[test]
fn committed_templates_are_what_the_generator_writes() {
    step_template::check_all(&template_dir()).unwrap_or_else(|e| panic!("{e:#}"));
}

#[test]
fn template_content_is_pinned_to_its_version() {
    let now = step_template::content_fingerprint();
    assert_eq!(
        now,
        step_template::CONTENT_FINGERPRINT,
        "the step templates' content changed: in src/step_template.rs bump TEMPLATE_VERSION (now {}) \
         and EXPORTED_AT, set CONTENT_FINGERPRINT to \"{now}\", then run `cargo run -- step-template`",
        step_template::TEMPLATE_VERSION
    );
}

#[test]
fn templates_follow_the_library_rules() {
    let templates = committed();
    let mut template_ids = HashSet::new();
    let mut template_names = HashSet::new();
    let mut all_ids = HashSet::new();
    for (file, _, t) in &templates {
        let id = s(t, "Id");
        assert!(is_guid(id), "{file}: Id {id} is not a GUID");
        assert_ne!(id, "00000000-0000-0000-0000-000000000000", "{file}: zero Id");
        assert_ne!(id, "abcdef00-ab00-cd00-ef00-000000abcdef", "{file}: placeholder Id");
        assert!(template_ids.insert(id), "{file}: Id {id} is used twice");
        assert!(all_ids.insert(id.to_string()), "{file}: Id {id} is used twice");

        let name = s(t, "Name");
        assert!(!name.is_empty() && name.chars().count() <= 200, "{file}: Name {name:?}");
        assert!(template_names.insert(name), "{file}: Name {name} is used twice");
        assert_eq!(
            file,
            &library_file_name(name),
            "the file name must match the template name"
        );
        assert!(!s(t, "Description").is_empty(), "{file}: no Description");

        assert!(!s(t, "LastModifiedBy").is_empty(), "{file}: no LastModifiedBy");
        let exported_at = s(&t["$Meta"], "ExportedAt");
        chrono::DateTime::parse_from_rfc3339(exported_at)
            .unwrap_or_else(|e| panic!("{file}: $Meta.ExportedAt {exported_at}: {e}"));
        assert_eq!(s(&t["$Meta"], "Type"), "ActionTemplate");
        assert!(!s(&t["$Meta"], "OctopusVersion").is_empty());

        let version = t["Version"]
            .as_u64()
            .unwrap_or_else(|| panic!("{file}: Version is not an integer"));
        assert!(version >= 1, "{file}: Version {version}");
        assert_eq!(version, u64::from(step_template::TEMPLATE_VERSION));

        assert_eq!(s(t, "Category"), "octopus");
        assert_eq!(s(t, "ActionType"), "Octopus.Script");
        assert_eq!(s(t, "StepPackageId"), "Octopus.Script");
        assert!(t["CommunityActionTemplateId"].is_null());
        assert_eq!(t["GitDependencies"], serde_json::json!([]));

        let props = t["Properties"].as_object().expect("Properties is an object");
        for (k, v) in props {
            assert!(v.is_string(), "{file}: property {k} is not a string");
        }
        assert_eq!(s(&t["Properties"], "Octopus.Action.Script.ScriptSource"), "Inline");
        assert!(["Bash", "PowerShell"].contains(&s(&t["Properties"], "Octopus.Action.Script.Syntax")));
        assert_eq!(s(&t["Properties"], "Octopus.Action.RunOnServer"), "true");

        let params = t["Parameters"].as_array().expect("Parameters is an array");
        let mut param_names = HashSet::new();
        for p in params {
            let pname = s(p, "Name");
            assert!(param_names.insert(pname), "{file}: parameter {pname} twice");
            assert!(!pname.starts_with('$'), "{file}: parameter {pname} starts with $");
            assert!(
                pname.starts_with("OctoSync."),
                "{file}: parameter {pname} is not namespaced"
            );
            let pid = s(p, "Id");
            assert!(is_guid(pid), "{file}: {pname} Id {pid}");
            assert!(
                all_ids.insert(pid.to_string()),
                "{file}: {pname} Id {pid} is used twice"
            );
            assert!(!s(p, "Label").is_empty(), "{file}: {pname} has no Label");
            assert!(!s(p, "HelpText").is_empty(), "{file}: {pname} has no HelpText");
            let default = &p["DefaultValue"];
            assert!(
                default.is_string() || default.is_null(),
                "{file}: {pname} DefaultValue {default}"
            );
            let default = default.as_str().unwrap_or("");
            match s(&p["DisplaySettings"], "Octopus.ControlType") {
                "Select" => {
                    let options = s(&p["DisplaySettings"], "Octopus.SelectOptions");
                    let values: Vec<&str> = options
                        .split('\n')
                        .map(|line| {
                            let (value, label) = line
                                .split_once('|')
                                .unwrap_or_else(|| panic!("{file}: {pname} option {line:?} is not value|Label"));
                            assert!(!label.is_empty(), "{file}: {pname} option {line:?} has no label");
                            value
                        })
                        .collect();
                    assert!(
                        values.contains(&default),
                        "{file}: {pname} default {default:?} is no option"
                    );
                }
                "Sensitive" => assert_eq!(default, "", "{file}: Sensitive {pname} has a default"),
                "Checkbox" => assert!(["True", "False"].contains(&default), "{file}: {pname} {default:?}"),
                "SingleLineText" | "MultiLineText" | "Package" => {}
                other => panic!("{file}: {pname} has control type {other}"),
            }
        }

        let packages = t["Packages"].as_array().expect("Packages is an array");
        assert_eq!(packages.len(), 1, "{file}: one package reference");
        for pkg in packages {
            let feed = &pkg["FeedId"];
            assert!(
                feed.is_null() || feed.as_str().is_some_and(|f| f.starts_with('#')),
                "{file}: FeedId {feed}"
            );
            let pid = s(pkg, "Id");
            assert!(
                is_guid(pid) && all_ids.insert(pid.to_string()),
                "{file}: package Id {pid}"
            );
            assert_eq!(s(&pkg["Properties"], "SelectionMode"), "deferred");
            assert_eq!(s(&pkg["Properties"], "Extract"), "True");
            let param = s(&pkg["Properties"], "PackageParameterName");
            let control = params
                .iter()
                .find(|p| p["Name"] == param)
                .map(|p| s(&p["DisplaySettings"], "Octopus.ControlType"));
            assert_eq!(control, Some("Package"), "{file}: the package parameter {param}");
            let extracted = format!("Octopus.Action.Package[{}].ExtractedPath", s(pkg, "Name"));
            assert!(
                script_body(t).contains(&extracted),
                "{file}: the script does not use {extracted}"
            );
        }
    }
}

#[test]
fn every_setting_is_a_parameter_and_is_exported_by_both_scripts() {
    for (file, _, t) in committed() {
        let params = t["Parameters"].as_array().unwrap();
        let names: Vec<&str> = params.iter().map(|p| s(p, "Name")).collect();
        let mut expected = vec![step_template::PACKAGE_PARAMETER];
        expected.extend(SETTINGS.iter().map(|d| d.parameter));
        assert_eq!(names, expected, "{file}: parameters");

        let body = script_body(&t);
        let syntax = s(&t["Properties"], "Octopus.Action.Script.Syntax");
        let call = if syntax == "Bash" {
            "octosync_export "
        } else {
            "Set-OctoSyncVariable "
        };
        let calls: Vec<&str> = body.lines().filter(|l| l.starts_with(call)).collect();
        assert_eq!(calls.len(), SETTINGS.len(), "{file}: one export per setting");
        for def in SETTINGS {
            let p = params.iter().find(|p| p["Name"] == def.parameter).unwrap();
            assert_eq!(s(p, "Label"), def.label);
            assert_eq!(s(p, "HelpText"), full_help(def));
            match def.control {
                Control::Sensitive => assert_eq!(s(p, "DefaultValue"), ""),
                Control::Checkbox => {}
                _ => assert_eq!(s(p, "DefaultValue"), def.template_default.unwrap_or(def.default)),
            }
            let line = if syntax == "Bash" {
                format!("octosync_export {} '{}'", def.var(), def.parameter)
            } else {
                format!("Set-OctoSyncVariable '{}' '{}'", def.var(), def.parameter)
            };
            assert_eq!(
                calls.iter().filter(|l| **l == line).count(),
                1,
                "{file}: {} is not exported as {} (expected the line `{line}`)",
                def.parameter,
                def.var()
            );
        }
    }
}

#[test]
fn scripts_never_print_a_value() {
    for (file, _, t) in committed() {
        let body = script_body(&t);
        assert!(
            !body.contains("#{"),
            "{file}: Octopus would substitute #{{…}} in the script body"
        );
        for line in body.lines() {
            let code = line.trim();
            if code.starts_with('#') {
                continue;
            }
            for tracing in ["set -x", "set -o xtrace", "set -v", "Set-PSDebug", "-Verbose"] {
                assert!(!code.contains(tracing), "{file}: `{code}` traces the script");
            }
            let prints = [
                "echo",
                "printf",
                "Write-Host",
                "Write-Output",
                "Write-Verbose",
                "Write-Warning",
                "Write-Error",
                "Write-Highlight",
                "Console]::",
            ]
            .iter()
            .any(|p| code.contains(p));
            let reads_value = [
                "$value",
                "$1=",
                "get_octopusvariable",
                "$OctopusParameters",
                "$Parameter",
            ]
            .iter()
            .any(|v| code.contains(v));
            assert!(!(prints && reads_value), "{file}: `{code}` may print a parameter value");
            assert!(
                !code.contains("OCTOSYNC_") || !prints,
                "{file}: `{code}` prints a setting"
            );
        }
    }
}

#[test]
fn cli_writes_and_checks_the_templates() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("templates");
    let bin = env!("CARGO_BIN_EXE_octosync");
    let status = Command::new(bin)
        .arg("step-template")
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    for flavor in Flavor::ALL {
        let written = std::fs::read(out.join(flavor.file_name())).unwrap();
        let committed = std::fs::read(template_dir().join(flavor.file_name())).unwrap();
        assert!(
            written == committed,
            "{} differs from the committed file",
            flavor.file_name()
        );
    }
    let check = Command::new(bin)
        .args(["step-template", "--check", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));

    let stale = out.join(Flavor::PowerShell.file_name());
    std::fs::write(&stale, "{}\n").unwrap();
    let check = Command::new(bin)
        .args(["step-template", "--check", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(
        stderr.contains("octosync-sync-space-powershell.json is out of date"),
        "{stderr}"
    );
    assert!(!stderr.contains("octosync-sync-space-bash.json"), "{stderr}");
    assert!(stderr.contains("cargo run -- step-template"), "{stderr}");
}

/// Runs the Bash template's body the way Octopus does: sourced by a bootstrap that defines
/// `get_octopusvariable` (here reading `vars/<name>` files; a missing file is an unset variable).
#[cfg(unix)]
struct BashRun {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

#[cfg(unix)]
fn run_bash_body(work: &Path, vars: &BTreeMap<String, String>, with_fail_step: bool) -> BashRun {
    let body = bash_body();
    let vars_dir = work.join("vars");
    std::fs::create_dir_all(&vars_dir).unwrap();
    for (name, value) in vars {
        std::fs::write(vars_dir.join(name), value).unwrap();
    }
    std::fs::write(work.join("body.sh"), body).unwrap();
    let mut harness =
        String::from("get_octopusvariable() { if [ -f \"$STUB_VARS/$1\" ]; then cat \"$STUB_VARS/$1\"; fi; }\n");
    if with_fail_step {
        harness.push_str("fail_step() { echo \"resultMessage: $1\"; exit 1; }\n");
    }
    harness.push_str(". \"$STUB_BODY\"\n");
    std::fs::write(work.join("bootstrap.sh"), harness).unwrap();
    let output = Command::new("bash")
        .arg(work.join("bootstrap.sh"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into()))
        .env("STUB_VARS", &vars_dir)
        .env("STUB_BODY", work.join("body.sh"))
        .env("STUB_OUT", work)
        .current_dir(work)
        .output()
        .expect("bash runs");
    BashRun {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[cfg(unix)]
fn bash_body() -> String {
    script_body(&step_template::bash_template()).to_string()
}

#[cfg(unix)]
const EXTRACTED_PATH: &str = "Octopus.Action.Package[OctoSync].ExtractedPath";

#[cfg(unix)]
#[test]
fn bash_script_exports_exactly_the_non_empty_parameters_and_passes_the_exit_code_on() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path();
    let package = work.join("OctoSync");
    std::fs::create_dir_all(&package).unwrap();
    // A stand-in binary: records its arguments and environment, exits 3. Not executable yet: the
    // script must chmod it, as Octopus does not keep mode bits when it extracts a package.
    let fake = package.join("octosync");
    std::fs::write(
        &fake,
        "#!/bin/sh\nprintf '%s' \"$*\" > \"$STUB_OUT/args\"\nenv -0 > \"$STUB_OUT/env\"\nexit 3\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o644)).unwrap();

    let mut vars = BTreeMap::new();
    let mut expected = BTreeMap::new();
    for (i, def) in SETTINGS.iter().enumerate() {
        let value = match i % 4 {
            0 => String::new(), // set but empty: must not be exported
            1 => format!("marker{i}x with \"double\" 'single' $(touch pwned) `touch pwned` * \\ $HOME"),
            2 => format!("all\nmarker{i}x\n!Dev*"),
            _ => format!("API-MARKER{i}X"),
        };
        if !value.is_empty() {
            expected.insert(def.var(), value.clone());
        }
        vars.insert(def.parameter.to_string(), value);
    }
    vars.insert(EXTRACTED_PATH.to_string(), package.display().to_string());

    let run = run_bash_body(work, &vars, false);
    assert_eq!(run.code, Some(3), "exit code not passed on; stderr: {}", run.stderr);
    assert_eq!(std::fs::read_to_string(work.join("args")).unwrap(), "run");
    let env = std::fs::read(work.join("env")).unwrap();
    let exported: BTreeMap<String, String> = env
        .split(|b| *b == 0)
        .filter_map(|entry| {
            let entry = String::from_utf8_lossy(entry);
            let (k, v) = entry.split_once('=')?;
            k.starts_with("OCTOSYNC_").then(|| (k.to_string(), v.to_string()))
        })
        .collect();
    assert_eq!(exported, expected);
    assert!(!work.join("pwned").exists(), "a value was evaluated");
    assert!(
        fake.metadata().unwrap().permissions().mode() & 0o111 != 0,
        "not made executable"
    );
    for (i, _) in SETTINGS.iter().enumerate() {
        for marker in [format!("marker{i}x"), format!("MARKER{i}X")] {
            assert!(
                !run.stdout.contains(&marker) && !run.stderr.contains(&marker),
                "printed {marker}"
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn bash_script_fails_clearly_without_the_package() {
    let tmp = tempfile::tempdir().unwrap();
    // No package reference at all: ExtractedPath is unset.
    let run = run_bash_body(tmp.path(), &BTreeMap::new(), true);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("The octosync package was not extracted"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout
            .contains("resultMessage: The octosync package was not extracted"),
        "{}",
        run.stdout
    );

    // A package without the Linux binary in it.
    let tmp = tempfile::tempdir().unwrap();
    let package = tmp.path().join("OctoSync");
    std::fs::create_dir_all(&package).unwrap();
    std::fs::write(package.join("octosync.exe"), "MZ").unwrap();
    let vars = BTreeMap::from([(EXTRACTED_PATH.to_string(), package.display().to_string())]);
    let run = run_bash_body(tmp.path(), &vars, false);
    assert_eq!(run.code, Some(1));
    let expected = format!("There is no octosync at {}/octosync", package.display());
    assert!(run.stderr.contains(&expected), "{}", run.stderr);
}
