//! Variable sets, library variable sets and script modules (reference §2.9, §2.10, §3).

use super::*;

fn vars_path(set: &str) -> String {
    format!("/api/Spaces-1/variables/{set}")
}

/// PUTs `variables` as the set's whole list at its current version.
async fn put_vars(api: &Api, set: &str, variables: Value) -> Resp {
    let current = api.get(&vars_path(set)).await.body;
    api.put(
        &vars_path(set),
        json!({"Version": current["Version"], "Variables": variables}),
    )
    .await
}

#[tokio::test]
async fn library_sets_are_listed_by_name_and_narrowed_by_content_type_on_both_listing_routes() {
    let api = Api::empty().await;
    api.create("libraryvariablesets", json!({"Name": "Zeta"})).await;
    let module = api
        .create(
            "libraryvariablesets",
            json!({"Name": "Alpha Module", "ContentType": "ScriptModule"}),
        )
        .await;
    api.create("libraryvariablesets", json!({"Name": "beta"})).await;
    let all = api.get("/api/Spaces-1/libraryvariablesets").await.body;
    assert_eq!(names_of(&all), ["Alpha Module", "beta", "Zeta"]);
    let modules = api
        .get("/api/Spaces-1/libraryvariablesets?contentType=ScriptModule")
        .await
        .body;
    assert_eq!(names_of(&modules), ["Alpha Module"]);
    let sets = api
        .get("/api/Spaces-1/libraryvariablesets/all?contentType=Variables")
        .await
        .body;
    let names: Vec<&str> = sets
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["beta", "Zeta"]);
    let by_id = api
        .get(&format!("/api/Spaces-1/libraryvariablesets/all?ids={}", id(&module)))
        .await
        .body;
    assert_eq!(by_id.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_script_module_is_created_empty_and_holds_its_body_and_language_as_two_variables() {
    let api = Api::empty().await;
    let module = api
        .create(
            "libraryvariablesets",
            json!({"Name": "Helpers", "ContentType": "ScriptModule", "Description": "d"}),
        )
        .await;
    let set = module["VariableSetId"].as_str().unwrap().to_string();
    assert_eq!(set, format!("variableset-{}", id(&module)));
    assert_eq!(module["Links"]["Variables"], vars_path(&set));
    let fresh = api.get(&vars_path(&set)).await.body;
    assert_eq!(fresh["Version"], 0);
    assert_eq!(fresh["Variables"], json!([]));
    assert_eq!(fresh["OwnerId"], id(&module));

    let saved = put_vars(
        &api,
        &set,
        json!([{"Name": "Octopus.Script.Module[Helpers]", "Value": "function Hi { 'hi' }"},
               {"Name": "Octopus.Script.Module.Language[Helpers]", "Value": "PowerShell"}]),
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.raw);
    assert_eq!(saved.body["Version"], 1);
    let both = api.get(&format!("/api/Spaces-1/variables/all?ids={set}")).await.body;
    let rows = both[0]["Variables"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r["Type"] == "String" && r["Scope"] == json!({})));

    // ContentType is fixed at creation: a PUT cannot turn a module into a variable set.
    let mut body = module.clone();
    body["ContentType"] = json!("Variables");
    body["Description"] = json!("changed");
    let put = api
        .put(&format!("/api/Spaces-1/libraryvariablesets/{}", id(&module)), body)
        .await;
    assert_eq!(put.status, 200, "{}", put.raw);
    assert_eq!(put.body["ContentType"], "ScriptModule");
    assert_eq!(put.body["Description"], "changed");
}

#[tokio::test]
async fn a_variable_scoped_to_something_the_set_cannot_be_scoped_to_is_refused() {
    let api = Api::empty().await;
    let dev = api.create("environments", json!({"Name": "Dev"})).await;
    api.create(
        "tagsets",
        json!({"Name": "Region", "Tags": [{"Name": "EU", "Color": "#111111"}]}),
    )
    .await;
    let p = api.project("P").await;
    let channel = api
        .get(&format!("/api/Spaces-1/projects/{}/channels", id(&p)))
        .await
        .body["Items"][0]
        .clone();
    let project_set = format!("variableset-{}", id(&p));
    let lib = api.create("libraryvariablesets", json!({"Name": "Common"})).await;
    let lib_set = lib["VariableSetId"].as_str().unwrap().to_string();

    let fine = json!([
        {"Name": "A", "Value": "1", "Scope": {"Environment": [id(&dev)], "TenantTag": ["Region/EU"], "Role": ["a-role-no-target-has"]}}
    ]);
    for set in [&project_set, &lib_set] {
        let r = put_vars(&api, set, fine.clone()).await;
        assert_eq!(r.status, 200, "{set}: {}", r.raw);
    }
    let r = put_vars(
        &api,
        &project_set,
        json!([{"Name": "A", "Value": "1", "Scope": {"Channel": [id(&channel)]}}]),
    )
    .await;
    assert_eq!(r.status, 200, "a project's own channel: {}", r.raw);

    let refused = [
        (&project_set, json!({"Environment": ["Environments-999"]})),
        (&project_set, json!({"TenantTag": ["Region/US"]})),
        (&project_set, json!({"Machine": ["Machines-404"]})),
        (&project_set, json!({"Tenant": ["Tenants-404"]})),
        // A library set has no channels, steps or processes of its own.
        (&lib_set, json!({"Channel": [id(&channel)]})),
        (&lib_set, json!({"ProcessOwner": [id(&p)]})),
    ];
    for (set, scope) in refused {
        let version = api.get(&vars_path(set)).await.body["Version"].clone();
        let r = put_vars(&api, set, json!([{"Name": "B", "Value": "2", "Scope": scope.clone()}])).await;
        assert_eq!(r.status, 400, "{set} {scope}: {}", r.raw);
        assert_eq!(
            api.get(&vars_path(set)).await.body["Version"],
            version,
            "a refused PUT saves nothing"
        );
    }
}

#[tokio::test]
async fn account_certificate_and_worker_pool_variables_must_name_an_existing_item() {
    let api = Api::empty().await;
    let acct = api
        .create(
            "accounts",
            json!({"Name": "Azure", "AccountType": "AzureServicePrincipal", "SubscriptionNumber": "s",
                   "ClientId": "c", "TenantId": "t", "Password": {"HasValue": true, "NewValue": "p"}}),
        )
        .await;
    let pool = api.create("workerpools", json!({"Name": "Linux"})).await;
    let lib = api.create("libraryvariablesets", json!({"Name": "Typed"})).await;
    let set = lib["VariableSetId"].as_str().unwrap().to_string();
    let ok = put_vars(
        &api,
        &set,
        json!([
            {"Name": "Azure", "Type": "AzureAccount", "Value": id(&acct)},
            {"Name": "Pool", "Type": "WorkerPool", "Value": id(&pool)},
            {"Name": "Unbound", "Type": "Certificate", "Value": ""}
        ]),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.raw);
    for (ty, value) in [
        ("AzureAccount", "Accounts-404"),
        ("AmazonWebServicesAccount", "Accounts-405"),
        ("Certificate", "Certificates-404"),
        ("WorkerPool", "WorkerPools-404"),
    ] {
        let r = put_vars(&api, &set, json!([{"Name": "X", "Type": ty, "Value": value}])).await;
        assert_eq!(r.status, 400, "{ty} {value}: {}", r.raw);
        assert!(errors_text(&r).contains(value), "{}", r.raw);
    }
}

#[tokio::test]
async fn a_prompt_gets_its_four_fields_and_only_an_environment_scope() {
    let api = Api::empty().await;
    let dev = api.create("environments", json!({"Name": "Dev"})).await;
    let lib = api.create("libraryvariablesets", json!({"Name": "Prompts"})).await;
    let set = lib["VariableSetId"].as_str().unwrap().to_string();
    let saved = put_vars(
        &api,
        &set,
        json!([{"Name": "Ask", "Value": "x", "Scope": {"Environment": [id(&dev)]},
                "Prompt": {"Label": "Ask me", "Required": true}}]),
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.raw);
    assert_eq!(
        saved.body["Variables"][0]["Prompt"],
        json!({"Label": "Ask me", "Description": "", "Required": true, "DisplaySettings": {}})
    );
    let r = put_vars(
        &api,
        &set,
        json!([{"Name": "Ask", "Value": "x", "Scope": {"Role": ["web"]}, "Prompt": {"Label": "Ask me"}}]),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(errors_text(&r).contains("Prompted variables cannot be scoped"));
}

#[tokio::test]
async fn usages_name_the_projects_that_include_a_library_set() {
    let api = Api::empty().await;
    let lib = api.create("libraryvariablesets", json!({"Name": "Common"})).await;
    let other = api.create("libraryvariablesets", json!({"Name": "Unused"})).await;
    api.create(
        "projects",
        json!({"Name": "Web", "ProjectGroupId": "ProjectGroups-1", "LifecycleId": "Lifecycles-1",
               "IncludedLibraryVariableSetIds": [id(&lib)]}),
    )
    .await;
    let used = api
        .get(&format!("/api/Spaces-1/libraryvariablesets/{}/usages", id(&lib)))
        .await;
    assert_eq!(used.status, 200, "{}", used.raw);
    assert_eq!(used.body["Projects"][0]["ProjectName"], "Web");
    assert_eq!(used.body["Projects"][0]["IsCurrentlyBeingUsedInProject"], true);
    assert_eq!(used.body["CountOfProjectsUserCannotSee"], 0);
    let unused = api
        .get(&format!("/api/Spaces-1/libraryvariablesets/{}/usages", id(&other)))
        .await
        .body;
    assert_eq!(unused["Projects"], json!([]));
    assert_eq!(
        api.get("/api/Spaces-1/libraryvariablesets/LibraryVariableSets-999/usages")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_drop_down_template_without_options_is_refused() {
    let api = Api::empty().await;
    let select = |options: Option<&str>| {
        let mut settings = json!({"Octopus.ControlType": "Select"});
        if let Some(o) = options {
            settings["Octopus.SelectOptions"] = json!(o);
        }
        json!({"Name": "Region", "Label": "Region", "DisplaySettings": settings})
    };
    let r = api
        .post(
            "/api/Spaces-1/libraryvariablesets",
            json!({"Name": "T", "Templates": [select(None)]}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(errors_text(&r).contains("Variable template 'Region' does not have drop down options set."));
    let r = api
        .post(
            "/api/Spaces-1/libraryvariablesets",
            json!({"Name": "T", "Templates": [select(Some("eu|Europe\nus|America"))]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.raw);
}
