//! Variable sets of projects and library variable sets (reference §2.9, §3): a PUT replaces the
//! whole list, sensitive values never come back, and `ScopeValues` is computed from the space.

use serde_json::{json, Map, Value};

use super::{Access, NameRule, Spec};
use crate::sim::error::{ApiError, ApiResult, NOT_A_GIT_ROUTE, STALE_VARIABLES};
use crate::sim::kind::Kind;
use crate::sim::refs::{all_tags, refs_exist};
use crate::sim::schema::{field, m, Field, Ty, STRS, STR_MAP};
use crate::sim::shape::{fill, get_ci, nested_name};
use crate::sim::store::{new_guid, now_stamp, str_of, strs_of, Doc, Store};

/// `Type` values; for the account, certificate and worker pool types the value is an id.
const VARIABLE_TYPES: &[&str] = &[
    "String",
    "Sensitive",
    "Certificate",
    "AmazonWebServicesAccount",
    "AzureAccount",
    "GoogleCloudAccount",
    "UsernamePasswordAccount",
    "GenericOidcAccount",
    "WorkerPool",
];

/// `VariableResource` (SW21b; `Type` is a string on the wire, reference §0).
const VARIABLES: Ty = Ty::List(&Ty::Obj(
    "VariableResource",
    &[
        m("Id", Ty::Str),
        m("Name", Ty::Str),
        m("Value", Ty::Str),
        m("Description", Ty::Str),
        m("Type", Ty::Enum("VariableType", VARIABLE_TYPES)),
        m("IsSensitive", Ty::Bool),
        m("IsEditable", Ty::Bool),
        m("Scope", Ty::Map(&STRS)),
        m(
            "Prompt",
            Ty::Obj(
                "VariablePromptOptions",
                &[
                    m("Label", Ty::Str),
                    m("Description", Ty::Str),
                    m("Required", Ty::Bool),
                    m("DisplaySettings", STR_MAP),
                ],
            ),
        ),
    ],
));

/// The variable set kind.
pub(crate) struct VariableSet;

impl Spec for VariableSet {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("OwnerId", Ty::Str, Value::Null).read_only(),
            field("Version", Ty::Int, json!(0)),
            field("Variables", VARIABLES, json!([])),
            field("ScopeValues", Ty::Any, Value::Null).read_only(),
        ]
    }

    fn query(&self) -> &'static str {
        "{?ids}"
    }

    fn access(&self) -> Access {
        Access::Owned
    }

    fn name_rule(&self) -> Option<NameRule> {
        None
    }

    fn has_own_put(&self) -> bool {
        true
    }

    fn replace(&self, store: &mut Store, space: &str, id: &str, body: Value) -> ApiResult<Doc> {
        update_set(store, space, id, body)
    }

    fn render(&self, store: &Store, space: &str, doc: &mut Doc) {
        let scope_values = scope_values(store, space, doc);
        hide_sensitive(doc);
        doc.insert("ScopeValues".into(), scope_values);
    }
}

fn is_sensitive(v: &Map<String, Value>) -> bool {
    str_of(v, "Type") == "Sensitive"
}

/// Sensitive variables read back with `Value: null` (`variableset.json`, `DB.Password`).
fn hide_sensitive(doc: &mut Doc) {
    if let Some(Value::Array(vars)) = doc.get_mut("Variables") {
        for v in vars.iter_mut().filter_map(Value::as_object_mut) {
            if is_sensitive(v) {
                v.insert("Value".into(), Value::Null);
            }
        }
    }
}

/// PUT of a whole variable set. A sensitive variable whose Id matches and whose Value is null or
/// "" keeps its secret; one without its old Id is saved empty; a non-empty Value replaces it
/// (go-octopusdeploy #449/#450, reference §3).
fn update_set(store: &mut Store, space: &str, id: &str, body: Value) -> ApiResult<Doc> {
    let stored = store
        .get(space, Kind::VariableSet, id)
        .ok_or_else(ApiError::not_found)?
        .clone();
    let Value::Object(body) = body else {
        return Err(ApiError::invalid("No request body was supplied."));
    };
    let current = stored.get("Version").and_then(Value::as_i64).unwrap_or(0);
    let version = get_ci(&body, "Version").and_then(Value::as_i64).unwrap_or(0);
    if version != current {
        return Err(ApiError::invalid(STALE_VARIABLES));
    }
    let Some(Value::Array(incoming)) = get_ci(&body, "Variables") else {
        return Err(ApiError::null_source());
    };
    let old: Vec<Map<String, Value>> = stored
        .get("Variables")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_object().cloned())
        .collect();
    let scope_values = scope_values(store, space, &stored);
    let in_git = store
        .get(space, Kind::Project, str_of(&stored, "OwnerId"))
        .is_some_and(super::project::variables_in_git);
    let mut ids: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for v in incoming {
        let mut m = fill(
            v,
            json!({
                "Id": null, "Name": "", "Value": null, "Description": null, "Scope": {},
                "IsEditable": true, "Prompt": null, "Type": null, "IsSensitive": false
            }),
        )?;
        nested_name(&mut m, "variable")?;
        let sent_id = m.get("Id").and_then(Value::as_str).unwrap_or("").to_string();
        let vid = if sent_id.is_empty() { new_guid() } else { sent_id };
        if ids.iter().any(|i| i.eq_ignore_ascii_case(&vid)) {
            return Err(ApiError::invalid("Variable ids must be unique."));
        }
        ids.push(vid.clone());
        m.insert("Id".into(), json!(vid));
        let sensitive_flag = m.get("IsSensitive") == Some(&Value::Bool(true));
        let ty = match m.get("Type").and_then(Value::as_str) {
            Some(t) => VARIABLE_TYPES
                .iter()
                .find(|a| a.eq_ignore_ascii_case(t))
                .map(|a| a.to_string())
                .ok_or_else(|| ApiError::invalid(format!("The value '{t}' is not valid for Type.")))?,
            None if sensitive_flag => "Sensitive".to_string(),
            None => "String".to_string(),
        };
        m.insert("IsSensitive".into(), json!(ty == "Sensitive"));
        m.insert("Type".into(), json!(ty));
        if m.get("Scope").map(Value::is_null).unwrap_or(true) {
            m.insert("Scope".into(), json!({}));
        }
        normalize_prompt(&mut m)?;
        check_scope(&m)?;
        check_scope_refs(store, space, &m, &scope_values)?;
        check_typed_value(store, space, &m)?;
        if in_git && !is_sensitive(&m) {
            // QUESTION: that a database-route PUT carrying a non-sensitive variable of a project
            // whose variables are in Git is refused with the route error (rather than the variable
            // being dropped) is assumed.
            return Err(ApiError::invalid(NOT_A_GIT_ROUTE));
        }
        if is_sensitive(&m) {
            let sent = m.get("Value").and_then(Value::as_str).unwrap_or("").to_string();
            let kept = old
                .iter()
                .find(|o| str_of(o, "Id").eq_ignore_ascii_case(&vid) && is_sensitive(o))
                .and_then(|o| o.get("Value").cloned());
            let value = if !sent.is_empty() {
                json!(sent)
            } else {
                kept.unwrap_or_else(|| json!(""))
            };
            m.insert("Value".into(), value);
        }
        out.push(Value::Object(m));
    }
    let mut doc = stored.clone();
    doc.insert("Variables".into(), Value::Array(out));
    doc.insert("Version".into(), json!(current + 1));
    doc.insert("LastModifiedOn".into(), json!(now_stamp()));
    doc.insert("LastModifiedBy".into(), json!(store.user_name));
    store.replace(space, Kind::VariableSet, doc.clone());
    Ok(doc)
}

fn check_scope(v: &Map<String, Value>) -> ApiResult<()> {
    let Some(Value::Object(scope)) = v.get("Scope") else {
        return Err(ApiError::invalid("The Scope field must be an object."));
    };
    for (k, ids) in scope {
        if !ids.is_array() {
            return Err(ApiError::null_source());
        }
        let prompted = v.get("Prompt").map(|p| !p.is_null()).unwrap_or(false);
        let non_empty = ids.as_array().map(|a| !a.is_empty()).unwrap_or(false);
        if prompted && non_empty && k != "Environment" {
            return Err(ApiError::invalid(
                "Prompted variables cannot be scoped to anything except an environment.",
            ));
        }
    }
    Ok(())
}

/// A prompt with every field of `VariablePromptOptions` (SW21b), defaults for those not sent.
fn normalize_prompt(v: &mut Map<String, Value>) -> ApiResult<()> {
    let Some(prompt) = v.get("Prompt").filter(|p| !p.is_null()) else {
        return Ok(());
    };
    let filled = fill(
        prompt,
        json!({"Label": "", "Description": "", "Required": false, "DisplaySettings": {}}),
    )?;
    v.insert("Prompt".into(), Value::Object(filled));
    Ok(())
}

/// Scope dimensions whose values must be among the set's own `ScopeValues` (ScopeField → list):
/// a library set's lists of channels, steps and processes are empty, so its variables cannot be
/// scoped to them. Roles are free text, as the UI lets one type a new role.
const SCOPED_BY_SCOPE_VALUES: &[(&str, &str)] = &[
    ("Environment", "Environments"),
    ("Machine", "Machines"),
    ("Channel", "Channels"),
    ("Action", "Actions"),
    ("ProcessOwner", "Processes"),
    ("TenantTag", "TenantTags"),
];

/// Every scope value names something the set can be scoped to.
// QUESTION: the real server's text for a scope naming a missing item is not documented (SW21b
// lists only "Variable validation failed." among the PUT's 400s); the reference check's wording
// is used. Whether unknown ScopeField keys are refused is not known either: they are kept.
fn check_scope_refs(store: &Store, space: &str, v: &Map<String, Value>, scope_values: &Value) -> ApiResult<()> {
    let name = str_of(v, "Name");
    let Some(Value::Object(scope)) = v.get("Scope") else {
        return Ok(());
    };
    for (field, values) in scope {
        let wanted: Vec<&str> = values
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if field.eq_ignore_ascii_case("Tenant") {
            let ids: Vec<String> = wanted.iter().map(|s| s.to_string()).collect();
            refs_exist(store, space, Kind::Tenant, &format!("Variable '{name}' scope"), &ids)?;
            continue;
        }
        let Some((_, list)) = SCOPED_BY_SCOPE_VALUES
            .iter()
            .find(|(f, _)| f.eq_ignore_ascii_case(field))
        else {
            continue;
        };
        let known: Vec<&str> = scope_values[*list]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i.get("Id").and_then(Value::as_str))
            .collect();
        if let Some(missing) = wanted.iter().find(|w| !known.iter().any(|k| k.eq_ignore_ascii_case(w))) {
            return Err(ApiError::invalid(format!(
                "Variable '{name}' is scoped to {field} '{missing}', which this variable set cannot be scoped to: it does not exist in this space (or, for channels, steps and processes, in the project that owns the set)."
            )));
        }
    }
    Ok(())
}

/// The kind an account, certificate or worker pool variable's value names.
fn typed_value_kind(ty: &str) -> Option<Kind> {
    match ty {
        "Certificate" => Some(Kind::Certificate),
        "WorkerPool" => Some(Kind::WorkerPool),
        t if t.ends_with("Account") => Some(Kind::Account),
        _ => None,
    }
}

/// An account, certificate or worker pool variable names an item of the space (or nothing yet).
// QUESTION: whether the server also refuses an account of another family (an Azure account in an
// `AmazonWebServicesAccount` variable) is not known; only existence is checked. An empty value is
// accepted, as SpaceCloner's `AddNewWithDefaultValue` writes "" for these types.
fn check_typed_value(store: &Store, space: &str, v: &Map<String, Value>) -> ApiResult<()> {
    let Some(kind) = typed_value_kind(str_of(v, "Type")) else {
        return Ok(());
    };
    let value = str_of(v, "Value");
    if value.is_empty() {
        return Ok(());
    }
    refs_exist(
        store,
        space,
        kind,
        &format!("Variable '{}' value", str_of(v, "Name")),
        &[value.to_string()],
    )
}

fn id_names(docs: &[Doc]) -> Vec<Value> {
    docs.iter()
        .map(|d| json!({"Id": str_of(d, "Id"), "Name": str_of(d, "Name")}))
        .collect()
}

/// The lookup tables a variable set carries (read-only, computed from the space).
// QUESTION: the exact membership of ScopeValues.Roles and the Id/Name form of TenantTags entries
// are not shown in any real payload; roles of targets plus roles used by the set, and canonical
// names for both Id and Name, are assumed.
fn scope_values(store: &Store, space: &str, set: &Doc) -> Value {
    let owner = str_of(set, "OwnerId").to_string();
    let is_project = owner.starts_with("Projects-");
    let machines = store.list(space, Kind::Machine);
    let mut roles: Vec<String> = machines.iter().flat_map(|m| strs_of(m, "Roles")).collect();
    for v in set.get("Variables").and_then(Value::as_array).into_iter().flatten() {
        if let Some(r) = v.get("Scope").and_then(|s| s.get("Role")).and_then(Value::as_array) {
            roles.extend(r.iter().filter_map(Value::as_str).map(str::to_string));
        }
    }
    roles.sort_by_key(|r| r.to_lowercase());
    roles.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let tags: Vec<Value> = all_tags(store, space)
        .into_iter()
        .map(|(_, c)| json!({"Id": c, "Name": c}))
        .collect();
    let (channels, actions, processes) = if is_project {
        project_scopes(store, space, &owner)
    } else {
        (vec![], vec![], vec![])
    };
    // Field by field: `json!` would deep-copy each table through `to_value`.
    let tables = [
        ("Environments", id_names(store.list(space, Kind::Environment))),
        ("Machines", id_names(machines)),
        ("Actions", actions),
        ("Roles", roles.iter().map(|r| json!({"Id": r, "Name": r})).collect()),
        ("Channels", channels),
        ("TenantTags", tags),
        ("Processes", processes),
    ];
    Value::Object(
        tables
            .into_iter()
            .map(|(k, v)| (k.to_string(), Value::Array(v)))
            .collect(),
    )
}

/// Channels, actions and processes a project's variables can be scoped to.
fn project_scopes(store: &Store, space: &str, project: &str) -> (Vec<Value>, Vec<Value>, Vec<Value>) {
    let channels: Vec<Value> = store
        .of_project(space, Kind::Channel, project)
        .map(|c| json!({"Id": str_of(c, "Id"), "Name": str_of(c, "Name")}))
        .collect();
    let mut processes = Vec::new();
    if let Some(p) = store.get(space, Kind::Project, project) {
        processes.push(json!({"ProcessType": "Deployment", "Id": project, "Name": str_of(p, "Name")}));
    }
    let dp = format!("deploymentprocess-{project}");
    // Read in place: a set is rendered on every read of it, and cloning its project's processes
    // to list their actions was most of a simulator's work in a re-sync.
    let mut process_docs: Vec<&Doc> = store.get(space, Kind::DeploymentProcess, &dp).into_iter().collect();
    for rb in store.of_project(space, Kind::Runbook, project) {
        processes.push(json!({"ProcessType": "Runbook", "Id": str_of(rb, "Id"), "Name": str_of(rb, "Name")}));
        let rp = format!("RunbookProcess-{}", str_of(rb, "Id"));
        process_docs.extend(store.get(space, Kind::RunbookProcess, &rp));
    }
    let mut actions = Vec::new();
    for p in &process_docs {
        for step in p.get("Steps").and_then(Value::as_array).into_iter().flatten() {
            for a in step.get("Actions").and_then(Value::as_array).into_iter().flatten() {
                actions.push(json!({"Id": a.get("Id"), "Name": a.get("Name")}));
            }
        }
    }
    (channels, actions, processes)
}

/// Whether a stored sensitive variable holds a non-empty value (test hook; never the value).
pub(crate) fn sensitive_has_value(store: &Store, space: &str, set_id: &str, var_id: &str) -> Option<bool> {
    let set = store.get(space, Kind::VariableSet, set_id)?;
    let v = set
        .get("Variables")?
        .as_array()?
        .iter()
        .find(|v| v.get("Id").and_then(Value::as_str) == Some(var_id))?;
    Some(
        v.get("Value")
            .and_then(Value::as_str)
            .map(|s| !s.is_empty())
            .unwrap_or(false),
    )
}
