use super::*;
use crate::rules::Rules;
use crate::settings::selector::Selector;
use crate::snapshot::tenant_variables::Loaded;
use crate::sync::TenantVariablesBody;
use std::collections::HashMap;

fn template(id: &str, name: &str, control: &str) -> Value {
    json!({"Id": id, "Name": name, "DisplaySettings": {"Octopus.ControlType": control}})
}

/// A space: environments, project "Api" (templates Url, Password, Account) including library set
/// "Shared" (template Region), an account "Deployer", and tenant "Internal" connected to Api in `connected`.
fn space(prefix: &str, envs: &[&str], connected: &[&str], with_account: bool) -> Snapshot {
    let env_id = |n: &str| format!("Environments-{prefix}{n}");
    let mut docs = vec![
        (
            Kind::Environment,
            envs.iter().map(|n| json!({"Id": env_id(n), "Name": n})).collect(),
        ),
        (
            Kind::Project,
            vec![json!({"Id": format!("Projects-{prefix}"), "Name": "Api",
                "IncludedLibraryVariableSetIds": [format!("LibraryVariableSets-{prefix}")],
                "Templates": [template(&format!("{prefix}-url"), "Url", "SingleLineText"),
                              template(&format!("{prefix}-pw"), "Password", "Sensitive"),
                              template(&format!("{prefix}-acct"), "Account", "AzureAccount")]})],
        ),
        (
            Kind::LibraryVariableSet,
            vec![json!({"Id": format!("LibraryVariableSets-{prefix}"), "Name": "Shared",
                "Templates": [template(&format!("{prefix}-region"), "Region", "SingleLineText")]})],
        ),
        (
            Kind::Tenant,
            vec![json!({"Id": format!("Tenants-{prefix}"), "Name": "Internal",
                "ProjectEnvironments": {format!("Projects-{prefix}"): connected.iter().map(|n| env_id(n)).collect::<Vec<_>>()}})],
        ),
    ];
    if with_account {
        docs.push((
            Kind::Account,
            vec![json!({"Id": format!("Accounts-{prefix}"), "Name": "Deployer"})],
        ));
    }
    Snapshot::from_docs(docs)
}

/// `space` with the tenant's legacy document holding `project` values (env name, template id
/// suffix, value) and `common` Region values.
fn with_legacy(mut s: Snapshot, prefix: &str, project: &[(&str, &str, Value)], common: Option<&str>) -> Snapshot {
    let mut vars = serde_json::Map::new();
    for (env, t, v) in project {
        let env = format!("Environments-{prefix}{env}");
        vars.entry(env).or_insert_with(|| json!({}))[format!("{prefix}-{t}")] = v.clone();
    }
    let project_doc = s.by_id(Kind::Project, &format!("Projects-{prefix}")).unwrap().clone();
    let lib = s
        .by_id(Kind::LibraryVariableSet, &format!("LibraryVariableSets-{prefix}"))
        .unwrap()
        .clone();
    let lib_vars = match common {
        Some(c) => json!({format!("{prefix}-region"): c}),
        None => json!({}),
    };
    let doc = json!({
        "TenantId": format!("Tenants-{prefix}"), "ConcurrencyToken": "7",
        "ProjectVariables": {format!("Projects-{prefix}"): {"ProjectName": "Api", "Templates": project_doc["Templates"], "Variables": vars}},
        "LibraryVariables": {format!("LibraryVariableSets-{prefix}"): {"LibraryVariableSetName": "Shared", "Templates": lib["Templates"], "Variables": lib_vars}},
    });
    let values = Values::from_legacy(&s, doc);
    s.set_tenant_variables(Loaded {
        api: Some(Api::Legacy),
        by_tenant: HashMap::from([(format!("Tenants-{prefix}"), values)]),
    });
    s
}

fn plan(source: &Snapshot, destination: &Snapshot, overwrite: VariableOverwrite) -> Planned {
    let mut rules = Rules {
        copy_tenant_variables: true,
        ..Rules::default()
    };
    rules.variables.overwrite = overwrite;
    let selector = Selector::all();
    let mut planned = TenantVariables.plan(&PlanContext {
        source,
        destination,
        rules: &rules,
        selector: &selector,
    });
    assert_eq!(planned.len(), 1, "{planned:?}");
    planned.remove(0)
}

fn legacy_body(p: &Planned) -> &Value {
    match &p.write {
        Some(Write::TenantVariables {
            body: TenantVariablesBody::Legacy(doc),
            ..
        }) => doc,
        other => panic!("expected a legacy write, got {other:?}"),
    }
}

fn source_with(project: &[(&str, &str, Value)], common: Option<&str>) -> Snapshot {
    with_legacy(
        space("s", &["Test", "Production"], &["Test", "Production"], true),
        "s",
        project,
        common,
    )
}

fn destination_with(project: &[(&str, &str, Value)], common: Option<&str>) -> Snapshot {
    with_legacy(
        space("d", &["Production", "Staging"], &["Production", "Staging"], true),
        "d",
        project,
        common,
    )
}

#[test]
fn a_missing_value_is_set_and_an_existing_one_is_kept_unless_overwrite_is_true() {
    let source = source_with(
        &[
            ("Production", "url", json!("https://prod")),
            ("Test", "url", json!("https://test")),
        ],
        Some("eu"),
    );
    let destination = destination_with(&[], Some("us"));
    let p = plan(&source, &destination, VariableOverwrite::LeaveExisting);
    let doc = legacy_body(&p);
    assert_eq!(
        doc["ProjectVariables"]["Projects-d"]["Variables"]["Environments-dProduction"]["d-url"],
        "https://prod"
    );
    assert_eq!(doc["ConcurrencyToken"], "7", "the document goes back with its token");
    assert_eq!(
        doc["LibraryVariables"]["LibraryVariableSets-d"]["Variables"]["d-region"], "us",
        "an existing value is the destination's own"
    );
    assert_eq!(p.change.diff.len(), 1, "{:?}", p.change.diff);
    assert_eq!(p.change.diff[0].path, "Api / Production / Url");
    assert_eq!(p.change.diff[0].after.as_deref(), Some("https://prod"));

    let p = plan(&source, &destination, VariableOverwrite::Overwrite);
    let doc = legacy_body(&p);
    assert_eq!(
        doc["LibraryVariables"]["LibraryVariableSets-d"]["Variables"]["d-region"],
        "eu"
    );
    let region = p.change.diff.iter().find(|d| d.path == "Shared / Region").unwrap();
    assert_eq!(
        (region.before.as_deref(), region.after.as_deref()),
        (Some("us"), Some("eu"))
    );
}

#[test]
fn with_overwrite_true_a_value_the_source_does_not_set_goes_back_to_the_templates_default() {
    let source = source_with(&[], None);
    let destination = destination_with(
        &[
            ("Production", "url", json!("https://prod")),
            ("Staging", "url", json!("https://staging")),
        ],
        Some("us"),
    );
    let kept = plan(&source, &destination, VariableOverwrite::LeaveExisting);
    assert!(kept.write.is_none(), "{kept:?}");
    assert_eq!(kept.change.action, Action::Unchanged);

    let reset = plan(&source, &destination, VariableOverwrite::Overwrite);
    let doc = legacy_body(&reset);
    let values = &doc["ProjectVariables"]["Projects-d"]["Variables"];
    assert_eq!(values["Environments-dProduction"], json!({}));
    assert_eq!(
        values["Environments-dStaging"]["d-url"], "https://staging",
        "the source tenant has no Staging: the destination's own"
    );
    assert_eq!(doc["LibraryVariables"]["LibraryVariableSets-d"]["Variables"], json!({}));
    assert!(
        reset.change.diff.iter().all(|d| d.op == DiffOp::Removed),
        "{:?}",
        reset.change.diff
    );
}

#[test]
fn a_new_secret_gets_the_placeholder_and_a_cleanup_entry_and_an_existing_one_is_never_touched() {
    let source = source_with(
        &[("Production", "pw", json!({"HasValue": true, "NewValue": null}))],
        None,
    );
    let destination = destination_with(&[], None);
    let p = plan(&source, &destination, VariableOverwrite::Overwrite);
    let doc = legacy_body(&p);
    assert_eq!(
        doc["ProjectVariables"]["Projects-d"]["Variables"]["Environments-dProduction"]["d-pw"],
        json!({"HasValue": true, "NewValue": placeholder::SECRET_PLACEHOLDER})
    );
    assert_eq!(p.cleanup.len(), 1);
    assert!(
        p.cleanup[0].action.contains("Api / Production / Password"),
        "{:?}",
        p.cleanup
    );
    assert_eq!(p.change.diff[0].after.as_deref(), Some(SENSITIVE));

    // The destination has its own secret: kept, even with True and a source that sets none.
    let destination = destination_with(&[("Staging", "pw", json!({"HasValue": true, "NewValue": null}))], None);
    for source in [
        source_with(&[], None),
        source_with(&[("Staging", "pw", json!({"HasValue": true}))], None),
    ] {
        let p = plan(&source, &destination, VariableOverwrite::Overwrite);
        assert!(p.write.is_none(), "{p:?}");
    }
}

#[test]
fn an_account_value_is_translated_by_name_or_left_out_with_a_warning() {
    let source = source_with(&[("Production", "acct", json!("Accounts-s"))], None);
    let p = plan(&source, &destination_with(&[], None), VariableOverwrite::LeaveExisting);
    let doc = legacy_body(&p);
    assert_eq!(
        doc["ProjectVariables"]["Projects-d"]["Variables"]["Environments-dProduction"]["d-acct"],
        "Accounts-d"
    );
    assert_eq!(p.change.diff[0].after.as_deref(), Some("account 'Deployer'"));

    let without = with_legacy(space("d", &["Production"], &["Production"], false), "d", &[], None);
    let p = plan(&source, &without, VariableOverwrite::LeaveExisting);
    assert!(p.write.is_none());
    assert!(
        p.change.warnings[0].contains("account 'Deployer' is not on the destination"),
        "{:?}",
        p.change.warnings
    );
}

#[test]
fn values_are_copied_only_when_the_setting_says_so_and_a_settled_tenant_writes_nothing() {
    let source = source_with(&[("Production", "url", json!("https://prod"))], Some("eu"));
    let settled = destination_with(&[("Production", "url", json!("https://prod"))], Some("eu"));
    let p = plan(&source, &settled, VariableOverwrite::Overwrite);
    assert!(p.write.is_none() && p.change.diff.is_empty(), "{p:?}");

    let (rules, selector) = (Rules::default(), Selector::all());
    let ctx = PlanContext {
        source: &source,
        destination: &destination_with(&[], None),
        rules: &rules,
        selector: &selector,
    };
    assert!(
        TenantVariables.plan(&ctx).is_empty(),
        "None: tenant values are each instance's own"
    );
}

/// The destination serves the 2025.1 lists: `entries` are its project values, `common` its common ones.
fn scoped_destination(project: Vec<Value>, common: Vec<Value>) -> Snapshot {
    let mut s = space("d", &["Production", "Staging"], &["Production", "Staging"], true);
    let project_doc = s.by_id(Kind::Project, "Projects-d").unwrap().clone();
    let with_template = |mut e: Value, templates: &Value| {
        let tid = e["TemplateId"].as_str().unwrap().to_string();
        e["Template"] = templates
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["Id"] == tid)
            .unwrap()
            .clone();
        e
    };
    let lib = s
        .by_id(Kind::LibraryVariableSet, "LibraryVariableSets-d")
        .unwrap()
        .clone();
    let project: Vec<Value> = project
        .into_iter()
        .map(|e| with_template(e, &project_doc["Templates"]))
        .collect();
    let common: Vec<Value> = common
        .into_iter()
        .map(|e| with_template(e, &lib["Templates"]))
        .collect();
    let values = Values::from_scoped(&s, &json!({"Variables": project}), &json!({"Variables": common}));
    s.set_tenant_variables(Loaded {
        api: Some(Api::Scoped),
        by_tenant: HashMap::from([("Tenants-d".to_string(), values)]),
    });
    s
}

#[test]
fn through_the_2025_1_lists_every_existing_entry_is_sent_back_and_a_shared_entry_is_split() {
    let source = source_with(&[("Production", "url", json!("https://prod"))], Some("eu"));
    let destination = scoped_destination(
        vec![
            json!({"Id": "TenantVariables-1", "ProjectId": "Projects-d", "TemplateId": "d-url", "Value": "https://old",
                   "Scope": {"EnvironmentIds": ["Environments-dProduction", "Environments-dStaging"]}}),
            json!({"Id": "TenantVariables-2", "ProjectId": "Projects-d", "TemplateId": "d-pw",
                   "Value": {"HasValue": true, "NewValue": null}, "Scope": {"EnvironmentIds": ["Environments-dStaging"]}}),
        ],
        vec![],
    );
    let p = plan(&source, &destination, VariableOverwrite::Overwrite);
    let Some(Write::TenantVariables {
        body: TenantVariablesBody::Scoped { project, common },
        ..
    }) = &p.write
    else {
        panic!("{p:?}")
    };
    let project = project.as_ref().unwrap();
    let vars = project["Variables"].as_array().unwrap();
    assert_eq!(vars.len(), 3, "{vars:?}");
    assert_eq!(vars[0]["Id"], "TenantVariables-1");
    assert_eq!(vars[0]["Scope"]["EnvironmentIds"], json!(["Environments-dStaging"]));
    assert_eq!(vars[0]["Value"], "https://old");
    assert_eq!(
        vars[1]["Value"],
        json!({"HasValue": true, "NewValue": null}),
        "the secret is kept"
    );
    assert_eq!(vars[2]["Value"], "https://prod");
    assert_eq!(vars[2]["Scope"]["EnvironmentIds"], json!(["Environments-dProduction"]));
    assert!(vars[2].get("Id").is_none(), "a new entry has no id");
    let common = common.as_ref().unwrap();
    assert_eq!(
        common["Variables"],
        json!([{"LibraryVariableSetId": "LibraryVariableSets-d", "TemplateId": "d-region", "Value": "eu",
                "Scope": {"EnvironmentIds": []}}])
    );
}

#[test]
fn a_common_value_scoped_to_environments_cannot_go_to_a_legacy_destination() {
    let mut source = space("s", &["Test", "Production"], &["Test", "Production"], true);
    let lib = source
        .by_id(Kind::LibraryVariableSet, "LibraryVariableSets-s")
        .unwrap()
        .clone();
    let values = Values::from_scoped(
        &source,
        &json!({"Variables": []}),
        &json!({"Variables": [{"Id": "TenantVariables-9", "LibraryVariableSetId": "LibraryVariableSets-s",
            "LibraryVariableSetName": "Shared", "TemplateId": "s-region", "Template": lib["Templates"][0],
            "Value": "eu-prod", "Scope": {"EnvironmentIds": ["Environments-sProduction"]}}]}),
    );
    source.set_tenant_variables(Loaded {
        api: Some(Api::Scoped),
        by_tenant: HashMap::from([("Tenants-s".to_string(), values)]),
    });
    let p = plan(&source, &destination_with(&[], None), VariableOverwrite::Overwrite);
    assert!(p.write.is_none());
    assert!(
        p.change.warnings[0].contains("before 2025.1"),
        "{:?}",
        p.change.warnings
    );

    let p = plan(
        &source,
        &scoped_destination(vec![], vec![]),
        VariableOverwrite::Overwrite,
    );
    let Some(Write::TenantVariables {
        body: TenantVariablesBody::Scoped {
            common: Some(common),
            project: None,
        },
        ..
    }) = &p.write
    else {
        panic!("{p:?}")
    };
    assert_eq!(
        common["Variables"][0]["Scope"]["EnvironmentIds"],
        json!(["Environments-dProduction"])
    );
    assert_eq!(p.change.diff[0].path, "Shared / Region [Production]");
}
