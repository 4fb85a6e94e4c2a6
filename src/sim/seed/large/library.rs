//! The large space's library: step templates, script modules and library variable sets, each in
//! the source's version or the destination's older one.

use serde_json::{json, Value};

use super::scaffolding::secret;
use super::*;

/// Script module syntaxes, in turn.
const SYNTAXES: &[&str] = &["PowerShell", "Bash", "Python", "CSharp"];

/// A custom step template with a package and a sensitive parameter; `root` is where its script
/// copies to (the destination's older copy uses another).
pub(super) fn step_template(i: usize, root: &str) -> Value {
    let script =
        format!("Stop-Service service-{i}\nCopy-Item app {root}/{i}\nStart-Service service-{i}\nWrite-Host done");
    json!({
        "Name": format!("Template {i:02}"), "ActionType": "Octopus.Script",
        "Description": "Deploys one service",
        "Packages": [{"Name": "app", "PackageId": format!("Service{i}"), "FeedId": "feeds-builtin", "AcquisitionLocation": "Server"}],
        "Properties": {"Octopus.Action.Script.Syntax": "PowerShell", "Octopus.Action.Script.ScriptBody": script},
        "Parameters": [
            {"Name": "Service.Name", "Label": "Service", "DefaultValue": format!("service-{i}"),
             "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}},
            {"Name": "Service.Password", "Label": "Password", "DefaultValue": secret("large-template-secret"),
             "DisplaySettings": {"Octopus.ControlType": "Sensitive"}}
        ]
    })
}

/// A script module whose body says `word` (the destination's older copy says another).
pub(super) fn script_module(s: &mut Seeder<'_>, i: usize, word: &str) -> ApiResult<String> {
    let name = format!("Module {i:02}");
    let id = s.add(
        Kind::LibraryVariableSet,
        json!({"Name": name, "ContentType": "ScriptModule", "Description": "Shared helpers"}),
    )?;
    let body = format!("# helpers of service {i}\n{}", format!("log('{word}')\n").repeat(20));
    s.set_variables(
        &format!("variableset-{id}"),
        json!([
            {"Name": format!("Octopus.Script.Module[{name}]"), "Value": body},
            {"Name": format!("Octopus.Script.Module.Language[{name}]"), "Value": SYNTAXES[i % SYNTAXES.len()]}
        ]),
    )?;
    Ok(id)
}

/// A library set's tenant variable templates: a plain one and a sensitive one.
pub(super) fn library_templates(i: usize) -> [Value; 2] {
    [
        json!({"Name": format!("Library{i:02}.Region"), "Label": "Region code",
               "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}}),
        json!({"Name": format!("Library{i:02}.Token"), "Label": "Access token",
               "DisplaySettings": {"Octopus.ControlType": "Sensitive"}}),
    ]
}

/// Variable `j` of library set `i`: a fifth scoped to an environment this side has, a tenth
/// sensitive, a seventh scoped to a role.
pub(super) fn library_variable(i: usize, j: usize, environments: &[(String, String)]) -> Value {
    let mut r = json!({"Name": format!("Library{i:02}.Setting.{j:02}"), "Value": format!("value {i}.{j}")});
    if j % 5 == 0 {
        r["Scope"] = json!({"Environment": [environments[(i + j) % environments.len()].1]});
    }
    if j % 7 == 2 {
        r["Scope"] = json!({"Role": ["web"]});
    }
    if j % 10 == 3 {
        r["Type"] = json!("Sensitive");
        r["Value"] = json!(format!("library-secret-{i}-{j}"));
    }
    r
}

pub(super) fn library_set(s: &mut Seeder<'_>, i: usize, templates: &[Value], rows: Vec<Value>) -> ApiResult<String> {
    let id = s.add(
        Kind::LibraryVariableSet,
        json!({"Name": format!("Library Set {i:02}"), "ContentType": "Variables",
               "Description": "Shared settings", "Templates": templates}),
    )?;
    s.set_variables(&format!("variableset-{id}"), json!(rows))?;
    Ok(id)
}
