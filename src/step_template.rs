//! The Octopus step templates that run octosync, generated from [`SETTINGS`] so that the template
//! parameters, the script bodies and the binary's settings can never drift apart.
//!
//! Two templates, one per script syntax: Bash (Linux workers, runs `octosync`) and PowerShell
//! (Windows workers, runs `octosync.exe`). Both take the binary from a package the user picks (a
//! deferred package reference, see `build/package.sh`), hand every non-empty `OctoSync.*` parameter to
//! the binary as its `OCTOSYNC_*` environment variable, run `octosync run` and pass its exit code on.
//!
//! `octosync step-template` writes them to `step-template/`; `octosync step-template --check` (and the
//! test `tests/step_template.rs`) fails when the committed files are stale. The JSON follows the
//! Octopus Library's conventions (`shared/reference/octopus-step.md` §3), so the files can be imported
//! as they are (Library → Step Templates → Import) or contributed to the Library.

use crate::settings::definitions::{full_help, Control, SettingDef, SETTINGS};
use anyhow::Context;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// The templates' `Version`. Octopus only picks up a changed template when its version grows, so
/// **every change to the generated JSON must increase this by one**, and it must never go down.
/// That includes changes that come from `src/settings/definitions.rs`: a new setting, a new label,
/// help text or default. When the content changes:
/// 1. add one to `TEMPLATE_VERSION` and set [`EXPORTED_AT`] to the current time;
/// 2. set [`CONTENT_FINGERPRINT`] to the value the test `template_content_is_pinned_to_its_version`
///    prints;
/// 3. run `cargo run -- step-template` and commit the two files in `step-template/`.
///
/// The test catches a content change made without touching [`CONTENT_FINGERPRINT`]; it cannot tell
/// whether the version grew, so check that in review.
pub const TEMPLATE_VERSION: u32 = 6;

/// `$Meta.ExportedAt`: a constant so that generating is deterministic. Change it together with
/// [`TEMPLATE_VERSION`].
pub const EXPORTED_AT: &str = "2026-12-01T03:30:00.000Z";

/// [`content_fingerprint`] of the templates at [`TEMPLATE_VERSION`]: SHA-256 of both templates with
/// `Version` and `$Meta` left out. See [`TEMPLATE_VERSION`] for when and how to change it.
pub const CONTENT_FINGERPRINT: &str = "bb56f628b57a396e64afa24719690af28c468e3ef1a62fb486307c727ce648ee";

/// `$Meta.OctopusVersion`: the Octopus version whose export format the templates follow.
pub const OCTOPUS_VERSION: &str = "2024.3.10989";

/// `LastModifiedBy`.
pub const LAST_MODIFIED_BY: &str = "octosync";

/// `Id` of the Bash template. Never change it: Octopus and the Library match templates by id.
pub const BASH_TEMPLATE_ID: &str = "6f9742e3-2f46-4dca-9f3f-ebd08a22be41";

/// `Id` of the PowerShell template. Never change it.
pub const POWERSHELL_TEMPLATE_ID: &str = "4884d044-6539-422e-864b-00f6d95920ac";

/// Name of the package reference; the script finds the binary under
/// `Octopus.Action.Package[OctoSync].ExtractedPath`.
pub const PACKAGE_REFERENCE: &str = "OctoSync";

/// The parameter (control type `Package`) the package reference is deferred to.
pub const PACKAGE_PARAMETER: &str = "OctoSync.Package";

/// The default folder `octosync step-template` writes to.
pub const DEFAULT_DIR: &str = "step-template";

/// The two script syntaxes the templates are made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Bash on a Linux worker, running `octosync`.
    Bash,
    /// PowerShell on a Windows worker, running `octosync.exe`.
    PowerShell,
}

impl Flavor {
    /// Both flavours, in the order the files are written.
    pub const ALL: [Flavor; 2] = [Flavor::Bash, Flavor::PowerShell];

    /// `Octopus.Action.Script.Syntax`.
    pub fn syntax(self) -> &'static str {
        match self {
            Flavor::Bash => "Bash",
            Flavor::PowerShell => "PowerShell",
        }
    }

    /// The template's fixed `Id`.
    pub fn id(self) -> &'static str {
        match self {
            Flavor::Bash => BASH_TEMPLATE_ID,
            Flavor::PowerShell => POWERSHELL_TEMPLATE_ID,
        }
    }

    /// The template's `Name`.
    pub fn name(self) -> String {
        format!("OctoSync - Sync Space ({})", self.syntax())
    }

    /// The file name: the template name in lower case, every run of other characters a `-` (the
    /// Library's rule that the file name matches the template name).
    pub fn file_name(self) -> String {
        format!("{}.json", slug(&self.name()))
    }

    /// The binary inside the package.
    pub fn binary(self) -> &'static str {
        match self {
            Flavor::Bash => "octosync",
            Flavor::PowerShell => "octosync.exe",
        }
    }

    /// The template's JSON.
    pub fn template(self) -> Value {
        template(self)
    }
}

/// The Bash template (Linux workers).
pub fn bash_template() -> Value {
    template(Flavor::Bash)
}

/// The PowerShell template (Windows workers).
pub fn powershell_template() -> Value {
    template(Flavor::PowerShell)
}

/// A template as the file holds it: pretty JSON with two-space indents, a trailing newline, no BOM.
pub fn render(v: &Value) -> String {
    let mut out = serde_json::to_string_pretty(v).expect("a JSON value always serializes");
    out.push('\n');
    out
}

/// Writes both templates to `dir` (created when missing) and returns the paths written.
pub fn write_all(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    let mut written = Vec::new();
    for flavor in Flavor::ALL {
        let path = dir.join(flavor.file_name());
        std::fs::write(&path, render(&flavor.template()))
            .with_context(|| format!("could not write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// Fails, naming every file, unless `dir` holds both templates exactly as [`write_all`] would write
/// them.
pub fn check_all(dir: &Path) -> anyhow::Result<()> {
    let mut stale = Vec::new();
    for flavor in Flavor::ALL {
        let path = dir.join(flavor.file_name());
        match std::fs::read(&path) {
            Ok(bytes) if bytes == render(&flavor.template()).as_bytes() => {}
            Ok(_) => stale.push(format!("{} is out of date", path.display())),
            Err(e) => stale.push(format!("{} could not be read ({e})", path.display())),
        }
    }
    if stale.is_empty() {
        return Ok(());
    }
    anyhow::bail!(
        "{}; regenerate the step templates with `cargo run -- step-template --out {}` \
         (and bump TEMPLATE_VERSION in src/step_template.rs if their content changed)",
        stale.join("; "),
        dir.display()
    )
}

/// `octosync step-template`: writes the templates to `out`, or with `check` only checks them.
pub fn run_cli(out: &Path, check: bool) -> anyhow::Result<()> {
    if check {
        check_all(out)?;
        println!(
            "The step templates in {} are up to date (version {TEMPLATE_VERSION}).",
            out.display()
        );
    } else {
        for path in write_all(out)? {
            println!("Wrote {}", path.display());
        }
    }
    Ok(())
}

/// SHA-256 (hex) of both templates with `Version` and `$Meta` removed: changes whenever anything a
/// user would see changes, so it tells when [`TEMPLATE_VERSION`] has to grow.
pub fn content_fingerprint() -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for flavor in Flavor::ALL {
        let mut v = flavor.template();
        if let Some(map) = v.as_object_mut() {
            map.remove("Version");
            map.remove("$Meta");
        }
        hasher.update(render(&v).as_bytes());
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A fixed id derived from the template's id: UUID v5 with the template id as the namespace, so the
/// ids never change and differ between the two templates. Reproducible with
/// `python3 -c 'import uuid; print(uuid.uuid5(uuid.UUID("<template id>"), "<name>"))'`.
fn derived_id(flavor: Flavor, name: &str) -> String {
    let namespace = Uuid::parse_str(flavor.id()).expect("the template ids are valid UUIDs");
    Uuid::new_v5(&namespace, name.as_bytes()).to_string()
}

fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn template(flavor: Flavor) -> Value {
    let mut parameters = vec![json!({
        "Id": derived_id(flavor, PACKAGE_PARAMETER),
        "Name": PACKAGE_PARAMETER,
        "Label": "octosync package",
        "HelpText": format!(
            "The package holding the octosync binary: `octosync.<version>.zip` made by `build/package.sh`, \
             uploaded to the built-in feed (or any package feed). This template runs `{}` from it.",
            flavor.binary()
        ),
        "DefaultValue": "",
        "DisplaySettings": { "Octopus.ControlType": "Package" },
    })];
    parameters.extend(SETTINGS.iter().map(|def| parameter(flavor, def)));

    let script = match flavor {
        Flavor::Bash => bash_script(),
        Flavor::PowerShell => powershell_script(),
    };

    json!({
        "Id": flavor.id(),
        "Name": flavor.name(),
        "Description": description(flavor),
        "ActionType": "Octopus.Script",
        "Version": TEMPLATE_VERSION,
        "CommunityActionTemplateId": null,
        "Packages": [{
            "Id": derived_id(flavor, "Packages/OctoSync"),
            "Name": PACKAGE_REFERENCE,
            "PackageId": null,
            "FeedId": null,
            "AcquisitionLocation": "Server",
            "Properties": {
                "Extract": "True",
                "SelectionMode": "deferred",
                "PackageParameterName": PACKAGE_PARAMETER,
            },
        }],
        "GitDependencies": [],
        "Properties": {
            "Octopus.Action.Script.ScriptSource": "Inline",
            "Octopus.Action.Script.Syntax": flavor.syntax(),
            "Octopus.Action.Script.ScriptBody": script,
            "Octopus.Action.RunOnServer": "true",
        },
        "Parameters": parameters,
        "StepPackageId": "Octopus.Script",
        "$Meta": {
            "ExportedAt": EXPORTED_AT,
            "OctopusVersion": OCTOPUS_VERSION,
            "Type": "ActionTemplate",
        },
        "LastModifiedBy": LAST_MODIFIED_BY,
        "Category": "octopus",
    })
}

fn parameter(flavor: Flavor, def: &SettingDef) -> Value {
    let default = match def.control {
        Control::Sensitive => String::new(),
        Control::Checkbox => {
            let v = def.template_default.unwrap_or(def.default);
            if v.eq_ignore_ascii_case("true") {
                "True"
            } else {
                "False"
            }
            .to_string()
        }
        _ => def.template_default.unwrap_or(def.default).to_string(),
    };
    let (control, options) = match def.control {
        Control::SingleLineText => ("SingleLineText", None),
        Control::MultiLineText => ("MultiLineText", None),
        Control::Checkbox => ("Checkbox", None),
        Control::Sensitive => ("Sensitive", None),
        Control::Select(options) => {
            let lines: Vec<String> = options
                .iter()
                .map(|(value, label)| format!("{value}|{label}"))
                .collect();
            ("Select", Some(lines.join("\n")))
        }
    };
    let mut display = Map::new();
    display.insert("Octopus.ControlType".into(), json!(control));
    if let Some(options) = options {
        display.insert("Octopus.SelectOptions".into(), json!(options));
    }
    json!({
        "Id": derived_id(flavor, def.parameter),
        "Name": def.parameter,
        "Label": def.label,
        "HelpText": full_help(def),
        "DefaultValue": default,
        "DisplaySettings": display,
    })
}

fn description(flavor: Flavor) -> String {
    let kinds: Vec<String> = SETTINGS
        .iter()
        .filter(|d| d.selects.is_some())
        .map(|d| d.label.to_lowercase())
        .collect();
    let kinds = match kinds.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    };
    let names: Vec<String> = crate::report::output_variable_meanings()
        .iter()
        .map(|(name, _)| format!("`{name}`"))
        .collect();
    let outputs = names.join(", ");
    let worker = match flavor {
        Flavor::Bash => {
            "**Workers.** This is the Bash template: run it on a **Linux** worker (any distribution; the binary \
             is static, so execution containers work too). Use *OctoSync - Sync Space (PowerShell)* on Windows \
             workers."
        }
        Flavor::PowerShell => {
            "**Workers.** This is the PowerShell template: run it on a **Windows** worker (Windows 10 or \
             Windows Server 2016 and later). Use *OctoSync - Sync Space (Bash)* on Linux workers."
        }
    };
    format!(
        "Syncs one Octopus Deploy space into a space on another instance with **octosync**: {kinds}, as the selector parameters choose. Items \
         are matched by name and every id is translated; octosync never deletes destination data, never prints \
         a secret and writes nothing when nothing changed.\n\n\
         **Plan vs apply.** With `OctoSync.Mode` = `plan` (the default) it reads both spaces and reports what \
         would change without writing anything; `apply` makes the changes. Each run sets the output variables \
         {outputs} (the README says what each means), and attaches a JSON and a Markdown report as artifacts.\n\n\
         **Reviewed plan.** For changes someone approves, give the runbook three steps:\n\
         1. this template, named `Plan`, with `OctoSync.Mode` = `plan`;\n\
         2. a *Manual Intervention Required* step: the reviewer reads the plan report;\n\
         3. this template, named `Apply`, with `OctoSync.Mode` = `apply` and `OctoSync.ExpectedPlan` = \
         `#{{Octopus.Action[Plan].Output.PlanFingerprint}}`. It recomputes the plan and refuses to write \
         anything if it differs from the approved one.\n\n\
         **Drift check.** Schedule a `plan` run with `OctoSync.FailOnChanges` ticked: it fails (exit code 2) \
         when the spaces are out of sync.\n\n\
         **The binary.** Upload `octosync.<version>.zip` (made by `build/package.sh`; it holds `octosync` for \
         Linux and `octosync.exe` for Windows) to the built-in feed and choose it in *octosync package*. \
         Runbook snapshots pin the package version: publish the runbook again after uploading a new one.\n\n\
         {worker} The step runs on a worker, not on deployment targets, and the worker must reach both \
         instances. The API keys need read access to the source space and edit access to the destination \
         space.\n\n\
         Exit codes: 0 done, 1 error (the message says what to fix), 2 out of sync with \
         `OctoSync.FailOnChanges`."
    )
}

/// Single-quotes a name for Bash or PowerShell. The names are plain identifiers with dots and
/// brackets; anything else would be a mistake in the definitions.
fn quoted(name: &str) -> String {
    assert!(
        name.chars().all(|c| c.is_ascii_alphanumeric() || "._[]".contains(c)),
        "unexpected character in {name:?}"
    );
    format!("'{name}'")
}

fn header(comment: &str, flavor: Flavor) -> String {
    format!(
        "{comment} {name}.\n\
         {comment} Generated from octosync's settings (`octosync step-template`); edit src/step_template.rs, not this.\n\
         {comment} Hands every non-empty OctoSync.* parameter to octosync as its OCTOSYNC_* environment variable,\n\
         {comment} runs {binary} from the OctoSync package and exits with its exit code. Values are never printed.\n",
        name = flavor.name(),
        binary = flavor.binary(),
    )
}

fn bash_script() -> String {
    let mut s = header("#", Flavor::Bash);
    s.push_str(
        r#"
octosync_fail() {
  echo "$1" >&2
  if command -v fail_step >/dev/null 2>&1; then
    fail_step "$1"
  fi
  exit 1
}

# octosync_export VARIABLE PARAMETER: exports the parameter's value as VARIABLE, unless it is empty.
octosync_export() {
  local value
  value="$(get_octopusvariable "$2")"
  if [ -n "$value" ]; then
    export "$1=$value"
  fi
}

"#,
    );
    for def in SETTINGS {
        s.push_str(&format!("octosync_export {} {}\n", def.var(), quoted(def.parameter)));
    }
    s.push_str(&format!(
        r#"
octosync_dir="$(get_octopusvariable {extracted})"
if [ -z "$octosync_dir" ]; then
  octosync_fail "The octosync package was not extracted: choose the octosync package in the step's 'octosync package' parameter."
fi
octosync_bin="$octosync_dir/{binary}"
if [ ! -f "$octosync_bin" ]; then
  octosync_fail "There is no {binary} at $octosync_bin: the octosync package must hold the Linux binary at its root (build/package.sh makes such a package)."
fi
chmod +x "$octosync_bin" || octosync_fail "Could not make $octosync_bin executable."

"$octosync_bin" run
exit $?
"#,
        extracted = quoted(&format!("Octopus.Action.Package[{PACKAGE_REFERENCE}].ExtractedPath")),
        binary = Flavor::Bash.binary(),
    ));
    s
}

fn powershell_script() -> String {
    let mut s = header("#", Flavor::PowerShell);
    s.push_str(
        r#"
function Stop-OctoSync([string]$Message) {
    [Console]::Error.WriteLine($Message)
    if (Get-Command Fail-Step -ErrorAction SilentlyContinue) {
        Fail-Step $Message
    }
    exit 1
}

# Set-OctoSyncVariable VARIABLE PARAMETER: sets the parameter's value as VARIABLE, unless it is empty.
function Set-OctoSyncVariable([string]$Name, [string]$Parameter) {
    $value = $OctopusParameters[$Parameter]
    if (-not [string]::IsNullOrEmpty($value)) {
        [Environment]::SetEnvironmentVariable($Name, $value, 'Process')
    }
}

"#,
    );
    for def in SETTINGS {
        s.push_str(&format!(
            "Set-OctoSyncVariable {} {}\n",
            quoted(&def.var()),
            quoted(def.parameter)
        ));
    }
    s.push_str(&format!(
        r#"
$octosyncDir = $OctopusParameters[{extracted}]
if ([string]::IsNullOrEmpty($octosyncDir)) {{
    Stop-OctoSync "The octosync package was not extracted: choose the octosync package in the step's 'octosync package' parameter."
}}
$octosyncBin = Join-Path $octosyncDir '{binary}'
if (-not (Test-Path -LiteralPath $octosyncBin -PathType Leaf)) {{
    Stop-OctoSync "There is no {binary} at '$octosyncBin': the octosync package must hold the Windows binary at its root (build/package.sh makes such a package)."
}}

# octosync reports errors on stderr; under Windows PowerShell with 'Stop' those lines would abort
# the script before the exit code is known.
$ErrorActionPreference = 'Continue'
try {{
    & $octosyncBin run
}} catch {{
    Stop-OctoSync "Could not run '$octosyncBin': $_"
}}
exit $LASTEXITCODE
"#,
        extracted = quoted(&format!("Octopus.Action.Package[{PACKAGE_REFERENCE}].ExtractedPath")),
        binary = Flavor::PowerShell.binary(),
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_follow_the_template_names() {
        assert_eq!(Flavor::Bash.file_name(), "octosync-sync-space-bash.json");
        assert_eq!(Flavor::PowerShell.file_name(), "octosync-sync-space-powershell.json");
    }

    #[test]
    fn derived_ids_are_uuid_v5_of_the_template_id() {
        let id = derived_id(Flavor::Bash, "OctoSync.Mode");
        let parsed = Uuid::parse_str(&id).unwrap();
        assert_eq!(parsed.get_version_num(), 5);
        assert_eq!(id, derived_id(Flavor::Bash, "OctoSync.Mode"));
        assert_ne!(id, derived_id(Flavor::PowerShell, "OctoSync.Mode"));
    }
}
