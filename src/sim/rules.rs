//! Per-kind validation, defaults and side effects (reference §2, §5).

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::error::{ApiError, ApiResult};
use super::kinds::Kind;
use super::ops::{self, field_refs, refs_exist};
use super::store::{id_eq, new_guid, now_stamp, str_of, strs_of, Doc, Store};
use super::variables;

/// Fill `defaults` (an object, in emission order) from `given`; extra keys the client sent are
/// kept after them. A null where the default is an array is the .NET null-source error.
pub(crate) fn fill(given: &Value, defaults: Value) -> ApiResult<Map<String, Value>> {
    let Value::Object(g) = given else {
        return Err(ApiError::invalid("Invalid value: an object was expected."));
    };
    let Value::Object(d) = defaults else {
        return Ok(g.clone());
    };
    let mut out = Map::new();
    for (k, def) in d {
        let value = match g.iter().find(|(gk, _)| gk.eq_ignore_ascii_case(&k)) {
            Some((_, Value::Null)) if def.is_array() => return Err(ApiError::null_source()),
            Some((_, v)) => v.clone(),
            None => def,
        };
        out.insert(k, value);
    }
    for (k, v) in g {
        if !out.keys().any(|o| o.eq_ignore_ascii_case(k)) {
            out.insert(k.clone(), v.clone());
        }
    }
    Ok(out)
}

/// Ensure a non-empty, trimmed `Name` on a nested object.
pub(crate) fn nested_name(obj: &mut Map<String, Value>, what: &str) -> ApiResult<String> {
    let name = obj.get("Name").and_then(Value::as_str).unwrap_or("").trim().to_string();
    if name.is_empty() {
        return Err(ApiError::invalid(format!("The {what} Name field is required.")));
    }
    obj.insert("Name".into(), Value::String(name.clone()));
    Ok(name)
}

/// A nested Id: keep the client's, else a new GUID.
pub(crate) fn ensure_guid(obj: &mut Map<String, Value>) {
    let missing = obj.get("Id").and_then(Value::as_str).map(str::is_empty).unwrap_or(true);
    if missing {
        obj.insert("Id".into(), Value::String(new_guid()));
    }
}

pub(crate) fn array_mut<'a>(doc: &'a mut Doc, field: &str) -> ApiResult<&'a mut Vec<Value>> {
    match doc.get_mut(field) {
        Some(Value::Array(a)) => Ok(a),
        Some(Value::Null) => Err(ApiError::null_source()),
        _ => Err(ApiError::invalid(format!("The {field} field must be an array."))),
    }
}

/// Every tag of the space as (id, canonical name).
pub(crate) fn all_tags(store: &Store, space: &str) -> Vec<(String, String)> {
    store
        .list(space, Kind::TagSet)
        .iter()
        .flat_map(|ts| ts.get("Tags").and_then(Value::as_array).cloned().unwrap_or_default())
        .map(|t| {
            let id = t.get("Id").and_then(Value::as_str).unwrap_or("").to_string();
            let c = t
                .get("CanonicalTagName")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            (id, c)
        })
        .collect()
}

/// Tags are referenced by canonical name ("Set/Tag"; newer servers also take the tag id).
// QUESTION: that unknown tags are rejected (rather than dropped) is inferred.
pub(crate) fn check_tags(store: &Store, space: &str, doc: &Doc, field: &str) -> ApiResult<()> {
    let tags = all_tags(store, space);
    for t in strs_of(doc, field) {
        if !tags
            .iter()
            .any(|(id, c)| c.eq_ignore_ascii_case(&t) || id.eq_ignore_ascii_case(&t))
        {
            return Err(ApiError::invalid(format!(
                "{field}: the tag '{t}' does not exist in this space."
            )));
        }
    }
    Ok(())
}

fn require_ref(store: &Store, space: &str, doc: &Doc, field: &str, kind: Kind) -> ApiResult<()> {
    let id = str_of(doc, field);
    if id.is_empty() {
        return Err(ApiError::invalid(format!("The {field} field is required.")));
    }
    refs_exist(store, space, kind, field, &[id.to_string()])
}

fn optional_ref(store: &Store, space: &str, doc: &Doc, field: &str, kind: Kind) -> ApiResult<()> {
    let id = str_of(doc, field);
    if id.is_empty() {
        return Ok(());
    }
    refs_exist(store, space, kind, field, &[id.to_string()])
}

fn one_of(doc: &Doc, field: &str, allowed: &[&str]) -> ApiResult<()> {
    let v = str_of(doc, field);
    if allowed.contains(&v) {
        Ok(())
    } else {
        Err(ApiError::invalid(format!("The value '{v}' is not valid for {field}.")))
    }
}

const TENANTED: &[&str] = &["Untenanted", "TenantedOrUntenanted", "Tenanted"];

fn next_sort_order(store: &Store, space: &str, kind: Kind) -> i64 {
    store
        .list(space, kind)
        .iter()
        .filter_map(|d| d.get("SortOrder").and_then(Value::as_i64))
        .max()
        .map(|m| m + 1)
        .unwrap_or(0)
}

/// Unit / QuantityToKeep / ShouldKeepForever, with ShouldKeepForever computed (read-only in SW21b).
fn retention(v: &Value) -> ApiResult<Value> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let mut m = fill(
        v,
        json!({"Unit": "Days", "QuantityToKeep": 0, "ShouldKeepForever": false}),
    )?;
    let q = m.get("QuantityToKeep").and_then(Value::as_i64).unwrap_or(0);
    m.insert("ShouldKeepForever".into(), Value::Bool(q == 0));
    Ok(Value::Object(m))
}

/// Project/library variable templates and step template parameters (ActionTemplateParameter).
pub(crate) fn templates(doc: &mut Doc, field: &str) -> ApiResult<()> {
    let arr = array_mut(doc, field)?;
    let mut names: Vec<String> = Vec::new();
    for t in arr.iter_mut() {
        let mut m = fill(
            t,
            json!({"Id": null, "Name": "", "Label": "", "HelpText": null, "DefaultValue": null, "DisplaySettings": {}}),
        )?;
        ensure_guid(&mut m);
        let name = nested_name(&mut m, "template")?;
        if names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            return Err(ApiError::invalid(format!(
                "A template with the name '{name}' already exists. Template names must be unique."
            )));
        }
        names.push(name);
        *t = Value::Object(m);
    }
    Ok(())
}

/// Package references of actions and step templates.
pub(crate) fn packages(arr: &mut [Value]) -> ApiResult<()> {
    let mut names: Vec<String> = Vec::new();
    for p in arr.iter_mut() {
        let mut m = fill(
            p,
            json!({"Id": null, "Name": "", "PackageId": null, "FeedId": null, "AcquisitionLocation": "Server", "Properties": {}}),
        )?;
        ensure_guid(&mut m);
        let name = m.get("Name").and_then(Value::as_str).unwrap_or("").to_string();
        if names.contains(&name) {
            return Err(ApiError::invalid(format!(
                "A package reference with the name '{name}' already exists"
            )));
        }
        names.push(name);
        *p = Value::Object(m);
    }
    Ok(())
}

/// Kind-specific validation and defaults, before ids are assigned.
pub(crate) fn normalize(
    store: &mut Store,
    space: &str,
    kind: Kind,
    doc: &mut Doc,
    raw: &Doc,
    stored: Option<&Doc>,
) -> ApiResult<()> {
    let creating = stored.is_none();
    match kind {
        Kind::Environment | Kind::WorkerPool | Kind::TagSet => {
            if !doc.get("SortOrder").map(Value::is_i64).unwrap_or(false) {
                let keep = stored.and_then(|s| s.get("SortOrder")).cloned();
                let next = json!(next_sort_order(store, space, kind));
                doc.insert("SortOrder".into(), keep.unwrap_or(next));
            }
            if kind == Kind::TagSet {
                tag_set(doc, stored)?;
            }
        }
        Kind::Lifecycle => lifecycle(store, space, doc)?,
        Kind::Project => {
            require_ref(store, space, doc, "ProjectGroupId", Kind::ProjectGroup)?;
            require_ref(store, space, doc, "LifecycleId", Kind::Lifecycle)?;
            field_refs(
                store,
                space,
                Kind::LibraryVariableSet,
                doc,
                "IncludedLibraryVariableSetIds",
            )?;
            one_of(doc, "TenantedDeploymentMode", TENANTED)?;
            templates(doc, "Templates")?;
            if doc.contains_key("ProjectTags") {
                check_tags(store, space, doc, "ProjectTags")?;
            }
        }
        Kind::Channel => {
            if creating {
                require_ref(store, space, doc, "ProjectId", Kind::Project)?;
            }
            optional_ref(store, space, doc, "LifecycleId", Kind::Lifecycle)?;
            check_tags(store, space, doc, "TenantTags")?;
            for r in array_mut(doc, "Rules")?.iter_mut() {
                let mut m = fill(
                    r,
                    json!({"Id": null, "VersionRange": "", "Tag": "", "ActionPackages": []}),
                )?;
                ensure_guid(&mut m);
                *r = Value::Object(m);
            }
        }
        Kind::Runbook => {
            if creating {
                require_ref(store, space, doc, "ProjectId", Kind::Project)?;
            } else {
                // The real server persists the RunbookProcessId it is sent: a PUT with null loses
                // the link to the process (PYCLIENT: "bug in Octopus", reference §2.8).
                let sent = raw.get("RunbookProcessId").cloned().unwrap_or(Value::Null);
                doc.insert("RunbookProcessId".into(), sent);
            }
            field_refs(store, space, Kind::Environment, doc, "Environments")?;
            one_of(doc, "MultiTenancyMode", TENANTED)?;
        }
        Kind::Tenant => {
            check_tags(store, space, doc, "TenantTags")?;
            let Some(Value::Object(pe)) = doc.get("ProjectEnvironments") else {
                return Err(ApiError::invalid("The ProjectEnvironments field must be an object."));
            };
            for (project, envs) in pe {
                refs_exist(
                    store,
                    space,
                    Kind::Project,
                    "ProjectEnvironments",
                    std::slice::from_ref(project),
                )?;
                let Value::Array(envs) = envs else {
                    return Err(ApiError::null_source());
                };
                let ids: Vec<String> = envs.iter().filter_map(Value::as_str).map(str::to_string).collect();
                refs_exist(store, space, Kind::Environment, "ProjectEnvironments", &ids)?;
            }
        }
        Kind::Account => {
            field_refs(store, space, Kind::Environment, doc, "EnvironmentIds")?;
            field_refs(store, space, Kind::Tenant, doc, "TenantIds")?;
            check_tags(store, space, doc, "TenantTags")?;
            one_of(doc, "TenantedDeploymentParticipation", TENANTED)?;
            let account_type = str_of(doc, "AccountType").to_string();
            if let Some(field) = super::kinds::required_account_secret(&account_type).filter(|_| creating) {
                let has = doc
                    .get(field)
                    .and_then(|v| v.get("NewValue"))
                    .map(|v| !v.is_null())
                    .unwrap_or(false);
                if !has {
                    return Err(ApiError::invalid(format!("The {field} field is required.")));
                }
            }
        }
        Kind::Certificate => {
            field_refs(store, space, Kind::Environment, doc, "EnvironmentIds")?;
            field_refs(store, space, Kind::Tenant, doc, "TenantIds")?;
            check_tags(store, space, doc, "TenantTags")?;
            one_of(doc, "TenantedDeploymentParticipation", TENANTED)?;
            if creating {
                certificate_metadata(doc)?;
            }
        }
        Kind::Feed => {
            let ft = str_of(doc, "FeedType").to_string();
            if creating && (ft == "BuiltIn" || ft == "OctopusProject") {
                // QUESTION: the text for creating a built-in feed type is not documented.
                return Err(ApiError::invalid(format!("A feed of type '{ft}' cannot be created.")));
            }
            doc.insert("PackageAcquisitionLocationOptions".into(), acquisition_options(&ft));
        }
        Kind::ActionTemplate => {
            if str_of(doc, "ActionType").is_empty() {
                return Err(ApiError::invalid("Please provide an action type."));
            }
            templates(doc, "Parameters")?;
            packages(array_mut(doc, "Packages")?)?;
            if !doc.get("Properties").map(Value::is_object).unwrap_or(false) {
                return Err(ApiError::null_source());
            }
        }
        Kind::LibraryVariableSet => {
            one_of(doc, "ContentType", &["Variables", "ScriptModule"])?;
            templates(doc, "Templates")?;
        }
        Kind::Team => {
            if creating {
                team_space(store, space, doc)?;
            }
            refs_exist(store, "", Kind::User, "MemberUserIds", &strs_of(doc, "MemberUserIds"))?;
            if let Some(st) = stored.filter(|s| s.get("CanBeRenamed") == Some(&Value::Bool(false))) {
                if !str_of(st, "Name").eq_ignore_ascii_case(str_of(doc, "Name")) {
                    return Err(ApiError::invalid("The Team is a built-in Team and cannot be renamed."));
                }
            }
        }
        Kind::ScopedUserRole => {
            if creating {
                team_space(store, space, doc)?;
            }
            require_ref(store, "", doc, "UserRoleId", Kind::UserRole)?;
            require_ref(store, "", doc, "TeamId", Kind::Team)?;
            let in_space = str_of(doc, "SpaceId").to_string();
            for (field, k) in [
                ("ProjectGroupIds", Kind::ProjectGroup),
                ("ProjectIds", Kind::Project),
                ("EnvironmentIds", Kind::Environment),
                ("TenantIds", Kind::Tenant),
            ] {
                field_refs(store, &in_space, k, doc, field)?;
            }
        }
        // QUESTION: whether built-in user roles can be edited is not verified.
        Kind::UserRole
            if stored
                .map(|s| s.get("CanBeDeleted") == Some(&Value::Bool(false)))
                .unwrap_or(false) =>
        {
            return Err(ApiError::invalid("This resource is read-only and cannot be modified."));
        }
        Kind::User => {
            doc.remove("Password");
            if doc.get("DisplayName").map(Value::is_null).unwrap_or(true) {
                let u = str_of(doc, "Username").to_string();
                doc.insert("DisplayName".into(), Value::String(u));
            }
        }
        Kind::Machine | Kind::Worker => {
            if str_of(doc, "MachinePolicyId").is_empty() {
                let default = store
                    .list(space, Kind::MachinePolicy)
                    .iter()
                    .find(|p| p.get("IsDefault") == Some(&Value::Bool(true)))
                    .map(|p| str_of(p, "Id").to_string());
                doc.insert("MachinePolicyId".into(), json!(default));
            }
            optional_ref(store, space, doc, "MachinePolicyId", Kind::MachinePolicy)?;
            if kind == Kind::Machine {
                field_refs(store, space, Kind::Environment, doc, "EnvironmentIds")?;
                field_refs(store, space, Kind::Tenant, doc, "TenantIds")?;
            } else {
                field_refs(store, space, Kind::WorkerPool, doc, "WorkerPoolIds")?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Teams and scoped roles: a space route pins the space; the system route takes the body's.
fn team_space(store: &Store, route_space: &str, doc: &mut Doc) -> ApiResult<()> {
    if !route_space.is_empty() {
        doc.insert("SpaceId".into(), Value::String(route_space.to_string()));
        return Ok(());
    }
    let sid = str_of(doc, "SpaceId").to_string();
    if sid.is_empty() {
        doc.insert("SpaceId".into(), Value::Null);
    } else if let Some(id) = store.space_by_ident(&sid) {
        doc.insert("SpaceId".into(), Value::String(id));
    } else {
        return Err(ApiError::invalid(format!("SpaceId: the space '{sid}' does not exist.")));
    }
    Ok(())
}

fn acquisition_options(feed_type: &str) -> Value {
    match feed_type {
        "OctopusProject" => json!(["NotAcquired"]),
        "Docker"
        | "AzureContainerRegistry"
        | "GoogleContainerRegistry"
        | "AwsElasticContainerRegistry"
        | "OciRegistry"
        | "Helm" => json!(["ExecutionTarget", "NotAcquired"]),
        _ => json!(["Server", "ExecutionTarget"]),
    }
}

/// Canned X.509 metadata derived from the uploaded bytes (the simulator does not parse PFX).
// QUESTION: real metadata comes from parsing the certificate; thumbprint here is a hash prefix.
fn certificate_metadata(doc: &mut Doc) -> ApiResult<()> {
    let data = doc
        .get("CertificateData")
        .and_then(|v| v.get("NewValue"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if data.is_empty() {
        return Err(ApiError::invalid("The CertificateData field is required."));
    }
    let digest = Sha256::digest(data.as_bytes());
    let hex: String = digest.iter().take(20).map(|b| format!("{b:02X}")).collect();
    let cn = str_of(doc, "Name").to_string();
    let pem = data.starts_with("-----BEGIN");
    doc.insert(
        "CertificateDataFormat".into(),
        json!(if pem { "Pem" } else { "Pkcs12" }),
    );
    doc.insert("Thumbprint".into(), json!(hex));
    doc.insert("SerialNumber".into(), json!(hex[..16].to_string()));
    doc.insert("SubjectDistinguishedName".into(), json!(format!("CN={cn}")));
    doc.insert("SubjectCommonName".into(), json!(cn));
    doc.insert("IssuerDistinguishedName".into(), json!(format!("CN={cn}")));
    doc.insert("IssuerCommonName".into(), json!(cn));
    doc.insert("NotBefore".into(), json!("2024-01-01T00:00:00.000+00:00"));
    doc.insert("NotAfter".into(), json!("2034-01-01T00:00:00.000+00:00"));
    Ok(())
}

fn lifecycle(store: &Store, space: &str, doc: &mut Doc) -> ApiResult<()> {
    for field in ["ReleaseRetentionPolicy", "TentacleRetentionPolicy"] {
        let v = doc.get(field).cloned().unwrap_or(Value::Null);
        if v.is_null() {
            return Err(ApiError::invalid(format!("The {field} field is required.")));
        }
        doc.insert(field.into(), retention(&v)?);
    }
    let mut names: Vec<String> = Vec::new();
    for p in array_mut(doc, "Phases")?.iter_mut() {
        let mut m = fill(
            p,
            json!({
                "Id": null, "Name": "", "AutomaticDeploymentTargets": [], "OptionalDeploymentTargets": [],
                "MinimumEnvironmentsBeforePromotion": 0, "IsOptionalPhase": false, "IsPriorityPhase": false,
                "ReleaseRetentionPolicy": null, "TentacleRetentionPolicy": null
            }),
        )?;
        ensure_guid(&mut m);
        let name = nested_name(&mut m, "phase")?;
        if names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            return Err(ApiError::invalid(format!(
                "A phase with the name '{name}' already exists. Phase names must be unique."
            )));
        }
        names.push(name);
        for f in ["AutomaticDeploymentTargets", "OptionalDeploymentTargets"] {
            let ids = strs_of(&m, f);
            refs_exist(store, space, Kind::Environment, f, &ids)?;
        }
        for f in ["ReleaseRetentionPolicy", "TentacleRetentionPolicy"] {
            let v = m.get(f).cloned().unwrap_or(Value::Null);
            m.insert(f.into(), retention(&v)?);
        }
        *p = Value::Object(m);
    }
    Ok(())
}

/// Tags: trimmed unique names; an `Id` must be one of this set's own tag ids.
fn tag_set(doc: &mut Doc, stored: Option<&Doc>) -> ApiResult<()> {
    let own: Vec<String> = stored
        .and_then(|s| s.get("Tags"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|t| t.get("Id")?.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut names: Vec<String> = Vec::new();
    for (i, t) in array_mut(doc, "Tags")?.iter_mut().enumerate() {
        let mut m = fill(
            t,
            json!({"Id": null, "Name": "", "Color": "#333333", "Description": "", "CanonicalTagName": null, "SortOrder": 0}),
        )?;
        let id = m.get("Id").and_then(Value::as_str).unwrap_or("").to_string();
        if !id.is_empty() && !own.iter().any(|o| o.eq_ignore_ascii_case(&id)) {
            return Err(ApiError::invalid("Tag Id is in invalid format."));
        }
        let name = nested_name(&mut m, "tag")?;
        if names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            return Err(ApiError::invalid(format!(
                "A tag with the name '{name}' already exists. Tag names must be unique within a tag set."
            )));
        }
        names.push(name);
        // QUESTION: does the real server renumber tag SortOrder by position on every save, or keep
        // what it is sent? Renumbering is the assumption here (the UI reorders by dragging).
        m.insert("SortOrder".into(), json!(i));
        *t = Value::Object(m);
    }
    Ok(())
}

/// Ids that need the resource's own id or a server counter (tags: `TagSets-N/Tags-M`).
pub(crate) fn assign_nested_ids(store: &mut Store, kind: Kind, doc: &mut Doc) {
    if kind != Kind::TagSet {
        return;
    }
    let set_id = str_of(doc, "Id").to_string();
    let set_name = str_of(doc, "Name").to_string();
    let Some(Value::Array(tags)) = doc.get_mut("Tags") else {
        return;
    };
    for t in tags.iter_mut() {
        let Value::Object(m) = t else { continue };
        if m.get("Id").and_then(Value::as_str).map(str::is_empty).unwrap_or(true) {
            let n = store.next_counter("Tags");
            m.insert("Id".into(), json!(format!("{set_id}/Tags-{n}")));
        }
        let canonical = format!("{set_name}/{}", m.get("Name").and_then(Value::as_str).unwrap_or(""));
        m.insert("CanonicalTagName".into(), json!(canonical));
    }
}

/// A document owned by another one (variable set, process), created with it.
pub(crate) fn owned_doc(store: &Store, space: &str, kind: Kind, id: &str, fields: Value) -> Doc {
    let mut doc = Map::new();
    doc.insert("Id".into(), json!(id));
    doc.insert("SpaceId".into(), json!(space));
    if let Value::Object(f) = fields {
        doc.extend(f);
    }
    doc.insert("LastModifiedOn".into(), json!(now_stamp()));
    doc.insert("LastModifiedBy".into(), json!(store.user_name));
    let _ = kind;
    doc
}

/// Side effects of a create that must happen before the document is stored.
pub(crate) fn after_create(store: &mut Store, space: &str, kind: Kind, doc: &mut Doc) -> ApiResult<()> {
    let id = str_of(doc, "Id").to_string();
    match kind {
        Kind::Project => {
            let vs = format!("variableset-{id}");
            let dp = format!("deploymentprocess-{id}");
            let set = owned_doc(
                store,
                space,
                Kind::VariableSet,
                &vs,
                json!({"OwnerId": id, "Version": 0, "Variables": []}),
            );
            let process = owned_doc(
                store,
                space,
                Kind::DeploymentProcess,
                &dp,
                json!({"ProjectId": id, "Steps": [], "Version": 0, "LastSnapshotId": null}),
            );
            store.push(space, Kind::VariableSet, set);
            store.push(space, Kind::DeploymentProcess, process);
            doc.insert("VariableSetId".into(), json!(vs));
            doc.insert("DeploymentProcessId".into(), json!(dp));
        }
        Kind::LibraryVariableSet => {
            let vs = format!("variableset-{id}");
            let set = owned_doc(
                store,
                space,
                Kind::VariableSet,
                &vs,
                json!({"OwnerId": id, "Version": 0, "Variables": []}),
            );
            store.push(space, Kind::VariableSet, set);
            doc.insert("VariableSetId".into(), json!(vs));
        }
        Kind::Runbook => {
            let rp = format!("RunbookProcess-{id}");
            let project = str_of(doc, "ProjectId").to_string();
            let process = owned_doc(
                store,
                space,
                Kind::RunbookProcess,
                &rp,
                json!({"ProjectId": project, "RunbookId": id, "Steps": [], "Version": 0, "LastSnapshotId": null}),
            );
            store.push(space, Kind::RunbookProcess, process);
            doc.insert("RunbookProcessId".into(), json!(rp));
        }
        _ => {}
    }
    single_default(store, space, kind, doc);
    Ok(())
}

/// Side effects of a create that need the document stored (the project's default channel).
pub(crate) fn after_push(store: &mut Store, space: &str, kind: Kind, doc: &Doc) -> ApiResult<()> {
    if kind == Kind::Project {
        let id = str_of(doc, "Id");
        ops::create(
            store,
            space,
            Kind::Channel,
            json!({"Name": "Default", "ProjectId": id, "LifecycleId": null, "IsDefault": true}),
        )?;
    }
    Ok(())
}

pub(crate) fn after_update(store: &mut Store, space: &str, kind: Kind, doc: &mut Doc, stored: &Doc) -> ApiResult<()> {
    match kind {
        Kind::ActionTemplate => {
            let v = stored.get("Version").and_then(Value::as_i64).unwrap_or(0);
            doc.insert("Version".into(), json!(v + 1));
        }
        Kind::Tenant => variables::prune_tenant_values(store, space, doc),
        // QUESTION: renaming a tag set or tag recomputes CanonicalTagName on the set; whether the
        // server rewrites references held by tenants, channels and variables is not known, so it does not.
        _ => {}
    }
    single_default(store, space, kind, doc);
    Ok(())
}

/// Exactly one default worker pool per space and one default channel per project.
fn single_default(store: &mut Store, space: &str, kind: Kind, doc: &Doc) {
    if !matches!(kind, Kind::WorkerPool | Kind::Channel) || doc.get("IsDefault") != Some(&Value::Bool(true)) {
        return;
    }
    let id = str_of(doc, "Id").to_string();
    let project = str_of(doc, "ProjectId").to_string();
    for other in store.list_mut(space, kind).iter_mut() {
        if !id_eq(other, &id) && (kind == Kind::WorkerPool || str_of(other, "ProjectId") == project) {
            other.insert("IsDefault".into(), Value::Bool(false));
        }
    }
}

fn dependent(type_name: &str) -> ApiError {
    ApiError::invalid(format!(
        "The {type_name} has dependent resources and cannot be deleted."
    ))
}

/// 400 when the real server refuses a delete (built-ins, dependents).
pub(crate) fn check_delete(store: &Store, space: &str, kind: Kind, doc: &Doc) -> ApiResult<()> {
    let id = str_of(doc, "Id");
    let refs = |k: Kind, field: &str| {
        store
            .list(space, k)
            .iter()
            .any(|d| strs_of(d, field).iter().any(|x| x.eq_ignore_ascii_case(id)))
    };
    let field_is = |k: Kind, field: &str| {
        store
            .list(space, k)
            .iter()
            .any(|d| str_of(d, field).eq_ignore_ascii_case(id))
    };
    match kind {
        Kind::Feed if id.starts_with("feeds-builtin") => {
            Err(ApiError::invalid("The built-in feeds cannot be deleted."))
        }
        Kind::Team if doc.get("CanBeDeleted") == Some(&Value::Bool(false)) => {
            Err(ApiError::invalid("The Team is a built-in Team and cannot be deleted."))
        }
        Kind::UserRole if doc.get("CanBeDeleted") == Some(&Value::Bool(false)) => Err(ApiError::invalid(
            "The User Role is a built-in User Role and cannot be deleted.",
        )),
        Kind::WorkerPool | Kind::MachinePolicy if doc.get("IsDefault") == Some(&Value::Bool(true)) => Err(
            ApiError::invalid(format!("The default {} cannot be deleted.", kind.label())),
        ),
        Kind::Channel if doc.get("IsDefault") == Some(&Value::Bool(true)) => {
            // QUESTION: text assumed; the UI does not offer deleting the default channel.
            Err(ApiError::invalid("The default channel cannot be deleted."))
        }
        Kind::Environment => {
            let in_phase = store.list(space, Kind::Lifecycle).iter().any(|l| {
                l.get("Phases")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .any(|p| {
                        ["AutomaticDeploymentTargets", "OptionalDeploymentTargets"]
                            .iter()
                            .any(|f| {
                                p.get(*f)
                                    .and_then(Value::as_array)
                                    .into_iter()
                                    .flatten()
                                    .any(|e| e.as_str() == Some(id))
                            })
                    })
            });
            let tenant = store.list(space, Kind::Tenant).iter().any(|t| {
                t.get("ProjectEnvironments")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .any(|(_, envs)| envs.as_array().into_iter().flatten().any(|e| e.as_str() == Some(id)))
            });
            if in_phase || tenant || refs(Kind::Machine, "EnvironmentIds") {
                Err(dependent("Environment"))
            } else {
                Ok(())
            }
        }
        Kind::ProjectGroup if field_is(Kind::Project, "ProjectGroupId") => Err(dependent("Project Group")),
        Kind::Lifecycle if field_is(Kind::Project, "LifecycleId") || field_is(Kind::Channel, "LifecycleId") => {
            Err(dependent("Lifecycle"))
        }
        Kind::LibraryVariableSet if refs(Kind::Project, "IncludedLibraryVariableSetIds") => {
            Err(dependent("Library Variable Set"))
        }
        _ => Ok(()),
    }
}

/// Children that die with their owner.
pub(crate) fn cascade_delete(store: &mut Store, space: &str, kind: Kind, doc: &Doc) {
    let id = str_of(doc, "Id").to_string();
    let owned_by = |d: &Doc, field: &str| str_of(d, field).eq_ignore_ascii_case(&id);
    match kind {
        Kind::Project => {
            for k in [
                Kind::Channel,
                Kind::Runbook,
                Kind::RunbookProcess,
                Kind::DeploymentProcess,
            ] {
                store.list_mut(space, k).retain(|d| !owned_by(d, "ProjectId"));
            }
            store
                .list_mut(space, Kind::VariableSet)
                .retain(|d| !owned_by(d, "OwnerId"));
            for t in store.list_mut(space, Kind::Tenant).iter_mut() {
                if let Some(Value::Object(pe)) = t.get_mut("ProjectEnvironments") {
                    pe.retain(|k, _| !k.eq_ignore_ascii_case(&id));
                }
            }
            variables::forget_owner(store, space, &id);
        }
        Kind::LibraryVariableSet => {
            store
                .list_mut(space, Kind::VariableSet)
                .retain(|d| !owned_by(d, "OwnerId"));
            variables::forget_owner(store, space, &id);
        }
        Kind::Runbook => store
            .list_mut(space, Kind::RunbookProcess)
            .retain(|d| !owned_by(d, "RunbookId")),
        Kind::Team => store
            .list_mut("", Kind::ScopedUserRole)
            .retain(|d| !owned_by(d, "TeamId")),
        Kind::Tenant => {
            store.tenant_vars.remove(&(space.to_string(), id));
        }
        _ => {}
    }
}

/// `GET /projects/{id}/deploymentsettings`: the project's deployment settings (2021.1+). The
/// values live on the project (its obsolete fields), so both routes stay consistent.
// QUESTION: the Id of a DeploymentSettings resource is not shown anywhere; `deploymentsettings-<ProjectId>`
// is assumed.
pub(crate) fn get_deployment_settings(store: &Store, space: &str, project_id: &str) -> ApiResult<Doc> {
    let p = store
        .get(space, Kind::Project, project_id)
        .ok_or_else(ApiError::not_found)?;
    let pid = str_of(p, "Id");
    let mut d = Map::new();
    d.insert("Id".into(), json!(format!("deploymentsettings-{pid}")));
    d.insert("SpaceId".into(), json!(space));
    d.insert("ProjectId".into(), json!(pid));
    for (settings, project) in SETTINGS_MAP {
        d.insert(settings.to_string(), p.get(*project).cloned().unwrap_or(Value::Null));
    }
    d.insert(
        "LastModifiedOn".into(),
        p.get("LastModifiedOn").cloned().unwrap_or(Value::Null),
    );
    d.insert(
        "LastModifiedBy".into(),
        p.get("LastModifiedBy").cloned().unwrap_or(Value::Null),
    );
    Ok(d)
}

const SETTINGS_MAP: &[(&str, &str)] = &[
    ("ConnectivityPolicy", "ProjectConnectivityPolicy"),
    ("DefaultGuidedFailureMode", "DefaultGuidedFailureMode"),
    ("VersioningStrategy", "VersioningStrategy"),
    ("ReleaseNotesTemplate", "ReleaseNotesTemplate"),
    ("DefaultToSkipIfAlreadyInstalled", "DefaultToSkipIfAlreadyInstalled"),
    ("DeploymentChangesTemplate", "DeploymentChangesTemplate"),
    ("ForcePackageDownload", "ForcePackageDownload"),
];

pub(crate) fn put_deployment_settings(store: &mut Store, space: &str, project_id: &str, body: Value) -> ApiResult<Doc> {
    let Value::Object(body) = body else {
        return Err(ApiError::invalid("No request body was supplied."));
    };
    let mut project = store
        .get(space, Kind::Project, project_id)
        .ok_or_else(ApiError::not_found)?
        .clone();
    let defaults: Map<String, Value> = super::kinds::fields(Kind::Project, None)
        .into_iter()
        .filter_map(|f| Some((f.name.to_string(), f.default?)))
        .collect();
    for (settings, field) in SETTINGS_MAP {
        let v = body
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(settings))
            .map(|(_, v)| v.clone())
            .or_else(|| defaults.get(*field).cloned())
            .unwrap_or(Value::Null);
        project.insert(field.to_string(), v);
    }
    project.insert("LastModifiedOn".into(), json!(now_stamp()));
    store.replace(space, Kind::Project, project);
    get_deployment_settings(store, space, project_id)
}

/// Built-ins of a new space: Default Lifecycle, project group, built-in feeds, machine policy,
/// worker pool and the space managers team.
pub(crate) fn add_space_builtins(store: &mut Store, space: &str) -> ApiResult<()> {
    ops::create(store, space, Kind::Lifecycle, json!({"Name": "Default Lifecycle"}))?;
    ops::create(
        store,
        space,
        Kind::ProjectGroup,
        json!({"Name": "Default Project Group"}),
    )?;
    for (id, ft, name) in [
        ("feeds-builtin", "BuiltIn", "Octopus Server (built-in)"),
        (
            "feeds-builtin-releases",
            "OctopusProject",
            "Octopus Server Releases (built-in)",
        ),
    ] {
        let mut fields = Map::new();
        for f in super::kinds::fields(Kind::Feed, Some(ft)) {
            if let Some(d) = f.default {
                fields.insert(f.name.into(), d);
            }
        }
        fields.insert("FeedType".into(), json!(ft));
        fields.insert("Name".into(), json!(name));
        fields.insert("PackageAcquisitionLocationOptions".into(), acquisition_options(ft));
        let mut doc = Map::new();
        doc.insert("Id".into(), json!(id));
        doc.insert("SpaceId".into(), json!(space));
        doc.extend(fields);
        doc.insert("Slug".into(), json!(id));
        // As in feed-builtin.json: built-in feeds were never modified by anyone.
        doc.insert("LastModifiedOn".into(), Value::Null);
        doc.insert("LastModifiedBy".into(), Value::Null);
        store.push(space, Kind::Feed, doc);
    }
    ops::create(
        store,
        space,
        Kind::MachinePolicy,
        json!({
            "Name": "Default Machine Policy",
            "Description": "This policy is automatically applied to machines that are created when no policy is specified.  Any other machine policies will inherit this policy's custom health check scripts unless they specify their own.",
            "IsDefault": true,
            "MachineHealthCheckPolicy": {
                "PowerShellHealthCheckPolicy": {"RunType": "Inline", "ScriptBody": "$freeDiskSpaceThreshold = 5GB\r\n"},
                "BashHealthCheckPolicy": {"RunType": "Inline", "ScriptBody": ""},
                "HealthCheckInterval": "01:00:00", "HealthCheckCron": null,
                "HealthCheckCronTimezone": "UTC", "HealthCheckType": "RunScript"
            }
        }),
    )?;
    ops::create(
        store,
        space,
        Kind::WorkerPool,
        json!({"Name": "Default Worker Pool", "IsDefault": true}),
    )?;
    let team_id = format!("teams-spacemanagers-{space}");
    let mut team = owned_doc(
        store,
        space,
        Kind::Team,
        &team_id,
        json!({
            "Name": "Space Managers", "MemberUserIds": [], "ExternalSecurityGroups": [],
            "CanBeDeleted": false, "CanBeRenamed": false, "CanChangeRoles": true, "CanChangeMembers": true,
            "SpaceId": space, "Description": "", "Slug": "space-managers"
        }),
    );
    team.remove("SpaceId");
    team.insert("SpaceId".into(), json!(space));
    store.push("", Kind::Team, team);
    Ok(())
}

/// POST /api/spaces.
pub(crate) fn create_space(store: &mut Store, body: Value) -> ApiResult<Doc> {
    let raw = ops::body_object(body, Kind::Space, None)?;
    if matches!(raw.get("SpaceManagersTeams"), None | Some(Value::Null)) {
        // GO always sends `SpaceManagersTeams: []` "to ensure required field is always present".
        return Err(ApiError::invalid("The SpaceManagersTeams field is required."));
    }
    let mut doc = space_doc(store, &raw, None, "")?;
    let id = store.next_id("Spaces");
    doc.insert("Id".into(), json!(id));
    let slug = store.unique_slug("", Kind::Space, str_of(&doc, "Name"), &id);
    doc.insert("Slug".into(), json!(slug));
    let teams = doc.get_mut("SpaceManagersTeams").and_then(Value::as_array_mut);
    if let Some(t) = teams {
        let own = format!("teams-spacemanagers-{id}");
        if !t.iter().any(|x| x.as_str() == Some(&own)) {
            t.push(json!(own));
        }
    }
    let first = store.spaces.is_empty();
    doc.insert("IsDefault".into(), json!(first));
    if first {
        store.default_space = id.clone();
    }
    store.spaces.push(doc.clone());
    add_space_builtins(store, &id)?;
    Ok(doc)
}

fn space_doc(store: &Store, raw: &Doc, stored: Option<&Doc>, id: &str) -> ApiResult<Doc> {
    for f in ["SpaceManagersTeams", "SpaceManagersTeamMembers", "ExtensionSettings"] {
        if raw.get(f) == Some(&Value::Null) {
            return Err(ApiError::null_source());
        }
    }
    let mut doc = Map::new();
    doc.insert("Id".into(), json!(id));
    for f in super::kinds::fields(Kind::Space, None) {
        let v = match f.name {
            "IsDefault" | "IsPrivate" => stored.and_then(|s| s.get(f.name)).cloned(),
            _ => raw.get(f.name).cloned(),
        };
        if let Some(v) = v.or(f.default) {
            doc.insert(f.name.into(), v);
        }
    }
    let name = str_of(&doc, "Name").trim().to_string();
    if name.is_empty() {
        return Err(ApiError::invalid("The Name field is required."));
    }
    if store
        .spaces
        .iter()
        .any(|s| !id_eq(s, id) && str_of(s, "Name").eq_ignore_ascii_case(&name))
    {
        return Err(ApiError::invalid(format!(
            "A space with the name '{name}' already exists. Please choose a different name."
        )));
    }
    doc.insert("Name".into(), json!(name));
    if let Some(st) = stored {
        doc.insert("Slug".into(), st.get("Slug").cloned().unwrap_or(Value::Null));
    }
    doc.insert("LastModifiedOn".into(), json!(now_stamp()));
    doc.insert("LastModifiedBy".into(), json!(store.user_name));
    Ok(doc)
}

/// PUT /api/spaces/{id} (the route answers 201, like SW20/SW21b).
pub(crate) fn update_space(store: &mut Store, id: &str, body: Value) -> ApiResult<Doc> {
    let stored = store.space_doc(id).ok_or_else(ApiError::not_found)?.clone();
    let id = str_of(&stored, "Id").to_string();
    let raw = ops::body_object(body, Kind::Space, None)?;
    let doc = space_doc(store, &raw, Some(&stored), &id)?;
    if let Some(slot) = store.spaces.iter_mut().find(|s| id_eq(s, &id)) {
        *slot = doc.clone();
    }
    Ok(doc)
}

/// DELETE /api/spaces/{id}: the task queue must be stopped first (TFP `resource_space.go`).
// QUESTION: the error texts for deleting a running or the default space are assumed.
pub(crate) fn delete_space(store: &mut Store, id: &str) -> ApiResult<()> {
    let stored = store.space_doc(id).ok_or_else(ApiError::not_found)?.clone();
    let id = str_of(&stored, "Id").to_string();
    if stored.get("IsDefault") == Some(&Value::Bool(true)) {
        return Err(ApiError::invalid("The default space cannot be deleted."));
    }
    if stored.get("TaskQueueStopped") != Some(&Value::Bool(true)) {
        return Err(ApiError::invalid(
            "The task queue of the space must be stopped before the space can be deleted.",
        ));
    }
    store.spaces.retain(|s| !id_eq(s, &id));
    for k in super::kinds::ALL_KINDS.iter().filter(|k| !k.is_system()) {
        store.list_mut(&id, *k).clear();
    }
    for k in [Kind::Team, Kind::ScopedUserRole] {
        store
            .list_mut("", k)
            .retain(|d| !str_of(d, "SpaceId").eq_ignore_ascii_case(&id));
    }
    store.tenant_vars.retain(|(s, _), _| !s.eq_ignore_ascii_case(&id));
    Ok(())
}
