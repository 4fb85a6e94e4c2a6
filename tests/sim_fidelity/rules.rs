//! The server's rules: names, null collections, processes, references, secrets, routes, ids.

use super::*;

#[tokio::test]
async fn duplicate_names_are_400_case_insensitively_and_channels_are_unique_per_project() {
    let api = Api::empty().await;
    api.create("environments", json!({"Name": "Test"})).await;
    let dup = api.post("/api/Spaces-1/environments", json!({"Name": "test"})).await;
    assert_eq!(dup.status, 400);
    assert_eq!(dup.body["ErrorMessage"], "There was a problem with your request.");
    assert_eq!(dup.body["Errors"].as_array().map(Vec::len), Some(1));
    let missing = api
        .post("/api/Spaces-1/environments", json!({"Description": "no name"}))
        .await;
    assert_eq!(missing.status, 400);
    let p1 = api.project("A").await;
    let p2 = api.project("B").await;
    assert_eq!(
        api.post(
            "/api/Spaces-1/channels",
            json!({"Name": "default", "ProjectId": id(&p1)})
        )
        .await
        .status,
        400
    );
    let other = api
        .post(
            "/api/Spaces-1/channels",
            json!({"Name": "Hotfix", "ProjectId": id(&p2)}),
        )
        .await;
    assert_eq!(other.status, 201);
    assert_eq!(
        api.post(
            "/api/Spaces-1/channels",
            json!({"Name": "Hotfix", "ProjectId": id(&p1)})
        )
        .await
        .status,
        201
    );
}

#[tokio::test]
async fn null_collections_are_400_like_dotnet() {
    let api = Api::empty().await;
    for (coll, body) in [
        ("lifecycles", json!({"Name": "L", "Phases": null})),
        ("tagsets", json!({"Name": "T", "Tags": null})),
        ("tenants", json!({"Name": "T", "TenantTags": null})),
        ("projectgroups", json!({"Name": "G", "EnvironmentIds": null})),
    ] {
        let r = api.post(&format!("/api/Spaces-1/{coll}"), body).await;
        assert_eq!(r.status, 400, "{coll}");
        assert_eq!(
            r.body,
            json!({"ErrorMessage": "Value cannot be null. (Parameter 'source')"}),
            "{coll}"
        );
    }
}

#[tokio::test]
async fn process_and_variable_set_puts_need_steps_and_a_current_version() {
    let api = Api::empty().await;
    let p = api.project("P").await;
    let path = format!("/api/Spaces-1/projects/{}/deploymentprocesses", id(&p));
    let no_steps = api.put(&path, json!({"Version": 0})).await;
    assert_eq!(no_steps.status, 400);
    assert!(errors_text(&no_steps).contains("The Steps field is required."));
    let step = json!({"Name": "Run", "Actions": [{"Name": "Run", "ActionType": "Octopus.Script",
        "Properties": {"Octopus.Action.Script.ScriptBody": "echo hi"}}]});
    let saved = api.put(&path, json!({"Version": 0, "Steps": [step]})).await;
    assert_eq!(saved.status, 200, "{}", saved.raw);
    assert_eq!(saved.body["Version"], 1);
    assert_eq!(saved.body["Steps"][0]["Id"].as_str().unwrap().len(), 36);
    let stale = api.put(&path, json!({"Version": 0, "Steps": []})).await;
    assert_eq!(stale.status, 400);
    assert!(errors_text(&stale).contains("another user has made changes"));
    let vpath = format!("/api/Spaces-1/variables/variableset-{}", id(&p));
    let v = api
        .put(
            &vpath,
            json!({"Version": 0, "Variables": [{"Name": "A", "Value": "1"}]}),
        )
        .await;
    assert_eq!(v.status, 200);
    assert_eq!(v.body["Version"], 1);
    let stale = api.put(&vpath, json!({"Version": 0, "Variables": []})).await;
    assert_eq!(stale.status, 400);
    assert!(errors_text(&stale).contains("another user has made changes"));
}

#[tokio::test]
async fn duplicate_step_action_and_variable_ids_are_400() {
    let api = Api::empty().await;
    let p = api.project("P").await;
    let path = format!("/api/Spaces-1/projects/{}/deploymentprocesses", id(&p));
    let action = |n: &str| json!({"Name": n, "ActionType": "Octopus.Script", "Properties": {}});
    let r = api
        .put(
            &path,
            json!({"Version": 0, "Steps": [
            {"Name": "One", "Actions": [action("Same")]}, {"Name": "Two", "Actions": [action("same")]}]}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(errors_text(&r).contains("Action names must be unique"), "{}", r.raw);
    let vpath = format!("/api/Spaces-1/variables/variableset-{}", id(&p));
    let g = "6b43a717-ab35-2ce2-e909-354a2ee0d8b1";
    let r = api
        .put(&vpath, json!({"Version": 0, "Variables": [{"Id": g, "Name": "A", "Value": "1"}, {"Id": g, "Name": "B", "Value": "2"}]}))
        .await;
    assert_eq!(r.status, 400);
    assert!(errors_text(&r).contains("Variable ids must be unique."));
}

#[tokio::test]
async fn dangling_required_references_are_400() {
    let api = Api::empty().await;
    let r = api
        .post(
            "/api/Spaces-1/projects",
            json!({"Name": "P", "ProjectGroupId": "ProjectGroups-99", "LifecycleId": "Lifecycles-1"}),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = api
        .post(
            "/api/Spaces-1/projects",
            json!({"Name": "P", "ProjectGroupId": "ProjectGroups-1"}),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = api
        .post(
            "/api/Spaces-1/lifecycles",
            json!({"Name": "L", "Phases": [{"Name": "X", "OptionalDeploymentTargets": ["Environments-42"]}]}),
        )
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn secrets_are_stored_but_never_returned_nor_logged() {
    let api = Api::empty().await;
    let feed = api
        .create(
            "feeds",
            json!({"Name": "Private", "FeedType": "NuGet", "FeedUri": "https://f", "Username": "u",
            "Password": {"HasValue": true, "NewValue": "feed-s3cret"}}),
        )
        .await;
    assert_eq!(feed["Password"], json!({"HasValue": true, "NewValue": null}));
    let acct = api
        .create(
            "accounts",
            json!({"Name": "AWS", "AccountType": "AmazonWebServicesAccount", "AccessKey": "AK",
            "SecretKey": {"HasValue": true, "NewValue": "aws-s3cret"}}),
        )
        .await;
    assert_eq!(acct["SecretKey"]["HasValue"], true);
    let tmpl = api
        .create("actiontemplates", json!({"Name": "T", "ActionType": "Octopus.Script",
            "Properties": {"Octopus.Action.Script.ScriptBody": "x", "Pwd": {"HasValue": true, "NewValue": "prop-s3cret"}},
            "Parameters": [{"Name": "Key", "DefaultValue": {"HasValue": true, "NewValue": "param-s3cret"}}]}))
        .await;
    assert_eq!(tmpl["Properties"]["Pwd"], json!({"HasValue": true, "NewValue": null}));
    let p = api.project("P").await;
    let vpath = format!("/api/Spaces-1/variables/variableset-{}", id(&p));
    let v = api
        .put(
            &vpath,
            json!({"Version": 0, "Variables": [{"Name": "DB.Password", "Value": "var-s3cret", "Type": "Sensitive"}]}),
        )
        .await;
    assert_eq!(v.body["Variables"][0]["Value"], Value::Null);
    assert_eq!(v.body["Variables"][0]["IsSensitive"], true);
    let mut seen = String::new();
    for path in [
        "/api/Spaces-1/feeds",
        "/api/Spaces-1/accounts/all",
        "/api/Spaces-1/actiontemplates",
        vpath.as_str(),
        "/api/Spaces-1/variables/all",
    ] {
        seen.push_str(&api.get(path).await.raw);
    }
    for secret in ["feed-s3cret", "aws-s3cret", "prop-s3cret", "param-s3cret", "var-s3cret"] {
        assert!(!seen.contains(secret), "{secret} was returned");
        for item in ["feeds", "accounts", "actiontemplates", "variables"] {
            assert!(!api
                .sim
                .items("Spaces-1", item)
                .iter()
                .any(|d| d.to_string().contains(secret)));
        }
    }
    assert!(!format!("{:?}", api.sim.request_log()).contains("s3cret"));
}

#[tokio::test]
async fn sensitive_value_fields_follow_the_keep_set_clear_table() {
    let api = Api::empty().await;
    let feed = api
        .create(
            "feeds",
            json!({"Name": "F", "FeedType": "NuGet", "Password": {"HasValue": true, "NewValue": "pw"}}),
        )
        .await;
    let path = format!("/api/Spaces-1/feeds/{}", id(&feed));
    let mut body = api.get(&path).await.body;
    body["Username"] = json!("changed");
    let kept = api.put(&path, body.clone()).await.body;
    assert_eq!(
        kept["Password"]["HasValue"], true,
        "echoing the read object keeps the secret"
    );
    body["Password"] = json!({"HasValue": false, "NewValue": null});
    let cleared = api.put(&path, body).await.body;
    assert_eq!(cleared["Password"]["HasValue"], false);
    assert_eq!(cleared["FeedType"], "NuGet");
}

#[tokio::test]
async fn cloud_feeds_are_refused_without_the_credentials_they_sign_in_with_and_built_in_feeds_never_created() {
    let api = Api::empty().await;
    let refused = [
        json!({"Name": "E1", "FeedType": "AwsElasticContainerRegistry", "Region": "eu-west-1", "AccessKey": "AK",
               "SecretKey": {"HasValue": true, "NewValue": null}}),
        json!({"Name": "E2", "FeedType": "AwsElasticContainerRegistry", "AccessKey": "AK",
               "SecretKey": {"HasValue": true, "NewValue": "k"}}),
        json!({"Name": "S1", "FeedType": "S3", "SecretKey": {"HasValue": true, "NewValue": "k"}}),
        json!({"Name": "G1", "FeedType": "GcsStorage", "UseServiceAccountKey": true}),
        json!({"Name": "B1", "FeedType": "BuiltIn"}),
        json!({"Name": "B2", "FeedType": "OctopusProject"}),
    ];
    for body in refused {
        let r = api.post("/api/Spaces-1/feeds", body.clone()).await;
        assert_eq!(r.status, 400, "{body}");
    }
    let accepted = [
        json!({"Name": "E3", "FeedType": "AwsElasticContainerRegistry", "Region": "eu-west-1", "AccessKey": "AK",
               "SecretKey": {"HasValue": true, "NewValue": "k"}}),
        json!({"Name": "E4", "FeedType": "AwsElasticContainerRegistry", "Region": "eu-west-1",
               "OidcAuthentication": {"RoleArn": "arn:aws:iam::1:role/r", "SubjectKeys": []}}),
        json!({"Name": "S2", "FeedType": "S3", "UseMachineCredentials": true}),
        json!({"Name": "G2", "FeedType": "GcsStorage", "UseServiceAccountKey": false}),
        json!({"Name": "N1", "FeedType": "Docker", "FeedUri": "https://r", "Password": {"HasValue": false, "NewValue": null}}),
    ];
    for body in accepted {
        let r = api.post("/api/Spaces-1/feeds", body.clone()).await;
        assert_eq!(r.status, 201, "{body}: {}", r.raw);
    }
    // Keeping the stored key on a later PUT is fine: the rule is the create's.
    let e3 = api.get("/api/Spaces-1/feeds?name=E3").await.body["Items"][0].clone();
    let put = api.put(&format!("/api/Spaces-1/feeds/{}", id(&e3)), e3.clone()).await;
    assert_eq!(put.status, 200, "{}", put.raw);
    assert_eq!(put.body["SecretKey"]["HasValue"], true);
}

#[tokio::test]
async fn sensitive_variables_keep_their_secret_only_when_their_id_matches() {
    let api = Api::empty().await;
    let p = api.project("P").await;
    let set = format!("variableset-{}", id(&p));
    let vpath = format!("/api/Spaces-1/variables/{set}");
    let v = api
        .put(
            &vpath,
            json!({"Version": 0, "Variables": [{"Name": "S", "Value": "secret-1", "Type": "Sensitive"}]}),
        )
        .await
        .body;
    let vid = v["Variables"][0]["Id"].as_str().unwrap().to_string();
    assert_eq!(api.sim.sensitive_variable_has_value("Spaces-1", &set, &vid), Some(true));
    // Round-trip of the GET body (Value null): the secret stays.
    let r = api.put(&vpath, v.clone()).await.body;
    assert_eq!(api.sim.sensitive_variable_has_value("Spaces-1", &set, &vid), Some(true));
    // A new Id with a null Value: saved empty.
    let mut fresh = r.clone();
    fresh["Variables"][0]["Id"] = json!("00000000-0000-0000-0000-000000000001");
    let r = api.put(&vpath, fresh).await.body;
    assert_eq!(
        api.sim
            .sensitive_variable_has_value("Spaces-1", &set, "00000000-0000-0000-0000-000000000001"),
        Some(false)
    );
    assert_eq!(r["Version"], 3);
}

#[tokio::test]
async fn legacy_canonical_and_spaces_routes_return_the_same_documents() {
    let api = Api::empty().await;
    let env = api.create("environments", json!({"Name": "Dev"})).await;
    let canonical = api.get(&format!("/api/Spaces-1/environments/{}", id(&env))).await.body;
    let legacy = api.get(&format!("/api/environments/{}", id(&env))).await.body;
    let spaces_form = api
        .get(&format!("/api/spaces/Spaces-1/environments/{}", id(&env)))
        .await
        .body;
    let by_slug = api
        .get(&format!("/api/spaces/default/environments/{}", id(&env)))
        .await
        .body;
    assert_eq!(canonical, legacy);
    assert_eq!(canonical, spaces_form);
    assert_eq!(canonical, by_slug);
    let legacy_post = api.post("/api/environments", json!({"Name": "Via legacy"})).await;
    assert_eq!(legacy_post.status, 201);
    assert_eq!(legacy_post.body["SpaceId"], "Spaces-1");
}

#[tokio::test]
async fn paths_match_case_insensitively() {
    let api = Api::empty().await;
    let p = api.project("P").await;
    let rb = api.create("runbooks", json!({"Name": "R", "ProjectId": id(&p)})).await;
    let rp = rb["RunbookProcessId"].as_str().unwrap().to_string();
    assert_eq!(rp, format!("RunbookProcess-{}", id(&rb)));
    let a = api.get(&format!("/api/Spaces-1/runbookProcesses/{rp}")).await;
    let b = api.get(&format!("/api/spaces-1/RUNBOOKPROCESSES/{rp}")).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body, b.body);
    assert_eq!(
        api.get("/api/Spaces-1/Projects?skip=0&take=1000").await.body["TotalResults"],
        1
    );
    assert_eq!(
        api.get("/api/Spaces-1/feeds/FEEDS-BUILTIN").await.body["FeedType"],
        "BuiltIn"
    );
}

#[tokio::test]
async fn ids_come_from_server_global_counters_across_spaces() {
    let api = Api::empty().await;
    let second = api.sim.add_space("Second");
    assert_eq!(second, "Spaces-2");
    let a = api.create("environments", json!({"Name": "X"})).await;
    let b = api
        .post(&format!("/api/{second}/environments"), json!({"Name": "X"}))
        .await;
    assert_eq!(b.status, 201, "names are unique per space, not per server");
    let na: u64 = id(&a).trim_start_matches("Environments-").parse().unwrap();
    let nb: u64 = id(&b.body).trim_start_matches("Environments-").parse().unwrap();
    assert_eq!(nb, na + 1);
    for coll in ["feeds", "lifecycles", "projectgroups", "machinepolicies", "workerpools"] {
        assert!(
            !api.sim.items(&second, coll).is_empty(),
            "{coll} built-in in the new space"
        );
    }
    assert_eq!(
        api.get(&format!("/api/{second}/lifecycles")).await.body["Items"][0]["Id"],
        "Lifecycles-2"
    );
    assert!(
        api.get(&format!("/api/teams/teams-spacemanagers-{second}"))
            .await
            .status
            == 200
    );
}

#[tokio::test]
async fn tag_sets_get_tag_ids_canonical_names_and_refuse_foreign_tag_ids() {
    let api = Api::empty().await;
    let ts = api
        .create(
            "tagsets",
            json!({"Name": "Region", "Tags": [{"Name": "EU"}, {"Name": "US"}]}),
        )
        .await;
    let tsid = id(&ts);
    assert!(ts["Tags"][0]["Id"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{tsid}/Tags-")));
    assert_eq!(ts["Tags"][1]["CanonicalTagName"], "Region/US");
    let path = format!("/api/Spaces-1/tagsets/{tsid}");
    let mut renamed = ts.clone();
    renamed["Name"] = json!("Geo");
    let r = api.put(&path, renamed.clone()).await.body;
    assert_eq!(r["Tags"][0]["CanonicalTagName"], "Geo/EU");
    assert_eq!(r["Tags"][0]["Id"], ts["Tags"][0]["Id"]);
    renamed["Tags"][0]["Id"] = json!("TagSets-77/Tags-1");
    let bad = api.put(&path, renamed).await;
    assert_eq!(bad.status, 400);
    assert!(errors_text(&bad).contains("Tag Id is in invalid format."));
}

#[tokio::test]
async fn runbook_put_with_null_process_id_loses_it_like_the_real_server() {
    let api = Api::empty().await;
    let p = api.project("P").await;
    let rb = api.create("runbooks", json!({"Name": "R", "ProjectId": id(&p)})).await;
    let path = format!("/api/Spaces-1/runbooks/{}", id(&rb));
    let mut body = rb.clone();
    body["RunbookProcessId"] = Value::Null;
    let r = api.put(&path, body).await.body;
    assert_eq!(r["RunbookProcessId"], Value::Null);
    let listed = api
        .get(&format!("/api/Spaces-1/projects/{}/runbooks", id(&p)))
        .await
        .body;
    assert_eq!(listed["TotalResults"], 1);
}

#[tokio::test]
async fn action_template_put_increments_version_and_keeps_action_type() {
    let api = Api::empty().await;
    let t = api
        .create(
            "actiontemplates",
            json!({"Name": "T", "ActionType": "Octopus.Script", "Properties": {}}),
        )
        .await;
    assert_eq!(t["Version"], 0);
    let path = format!("/api/Spaces-1/actiontemplates/{}", id(&t));
    let mut body = t.clone();
    body["ActionType"] = json!("Octopus.Manual");
    let r = api.put(&path, body).await.body;
    assert_eq!(r["Version"], 1);
    assert_eq!(
        r["ActionType"], "Octopus.Script",
        "ActionType is writeable on create only"
    );
    let missing = api.post("/api/Spaces-1/actiontemplates", json!({"Name": "U"})).await;
    assert!(errors_text(&missing).contains("Please provide an action type."));
}

#[tokio::test]
async fn writes_need_a_json_content_type() {
    let api = Api::empty().await;
    let r = api
        .http
        .post(format!("{}/api/Spaces-1/environments", api.sim.url()))
        .header("X-Octopus-ApiKey", api.sim.api_key())
        .body(r#"{"Name":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 415);
}

#[tokio::test]
async fn post_ignores_read_only_and_unknown_fields_like_a_spacecloner_body() {
    let api = Api::empty().await;
    let mut body = example("request-environment-post-spacecloner.json");
    body["Bogus"] = json!("not persisted");
    let r = api.post("/api/Spaces-1/environments", body).await;
    assert_eq!(r.status, 201, "{}", r.raw);
    assert_eq!(r.body["SpaceId"], "Spaces-1");
    assert!(id(&r.body).starts_with("Environments-"));
    assert!(r.body["Links"]["Self"].as_str().unwrap().starts_with("/api/Spaces-1/"));
    assert!(r.body.get("Bogus").is_none());
    assert_eq!(r.body["ExtensionSettings"][0]["ExtensionId"], "issuetracker-jira");
}

#[tokio::test]
async fn insert_applies_the_same_rules_as_post() {
    let api = Api::empty().await;
    let p = api
        .sim
        .insert(
            "Spaces-1",
            "projects",
            json!({"Name": "Direct", "ProjectGroupId": "ProjectGroups-1", "LifecycleId": "Lifecycles-1"}),
        )
        .unwrap();
    assert_eq!(p["DeploymentProcessId"], format!("deploymentprocess-{}", id(&p)));
    assert!(api
        .sim
        .insert(
            "Spaces-1",
            "projects",
            json!({"Name": "direct", "ProjectGroupId": "ProjectGroups-1", "LifecycleId": "Lifecycles-1"})
        )
        .is_err());
    let m = api
        .sim
        .insert("Spaces-1", "machines", json!({"Name": "web-01", "Roles": ["web"]}))
        .unwrap();
    assert_eq!(api.get(&format!("/api/Spaces-1/machines/{}", id(&m))).await.status, 200);
    let vars = api
        .get(&format!("/api/Spaces-1/variables/variableset-{}", id(&p)))
        .await
        .body;
    assert_eq!(vars["ScopeValues"]["Machines"][0]["Name"], "web-01");
    assert_eq!(vars["ScopeValues"]["Roles"][0]["Name"], "web");
}

#[tokio::test]
async fn demo_seeds_describe_a_dev_test_source_and_a_staging_production_destination() {
    let src = Api::start(SimConfig {
        seed: Seed::DemoSource,
        ..SimConfig::default()
    })
    .await;
    let dst = Api::start(SimConfig {
        seed: Seed::DemoDestination,
        ..SimConfig::default()
    })
    .await;
    let names = |items: Vec<Value>| {
        items
            .iter()
            .map(|d| d["Name"].as_str().unwrap_or("").to_string())
            .collect::<Vec<_>>()
    };
    let src_envs = names(src.sim.items("Spaces-1", "environments"));
    assert!(src_envs.contains(&"Development".into()) && src_envs.contains(&"Test".into()));
    let dst_envs = names(dst.sim.items("Spaces-1", "environments"));
    assert!(dst_envs.contains(&"Staging".into()) && dst_envs.contains(&"Production".into()));
    let projects = src.get("/api/Spaces-1/projects").await.body;
    assert!(projects["TotalResults"].as_u64().unwrap() >= 2);
    let api_project = src.get("/api/Spaces-1/projects?name=Payments API").await.body["Items"][0].clone();
    let process = src
        .get(&format!(
            "/api/Spaces-1/projects/{}/deploymentprocesses",
            id(&api_project)
        ))
        .await
        .body;
    assert!(process["Steps"].as_array().unwrap().len() >= 2);
    let vars = src
        .get(&format!(
            "/api/Spaces-1/variables/{}",
            api_project["VariableSetId"].as_str().unwrap()
        ))
        .await;
    assert!(vars.body["Variables"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["IsSensitive"] == true && v["Value"].is_null()));
    assert!(!vars.raw.contains("source-payments-secret"));
    let region = dst.get("/api/Spaces-1/tagsets?partialName=Region").await.body["Items"][0].clone();
    let tags: Vec<String> = region["Tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["Name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(tags, vec!["EU", "APAC"]);
    let tenant = src.get("/api/Spaces-1/tenants?name=Internal").await.body["Items"][0].clone();
    let tv = src
        .get(&format!("/api/Spaces-1/tenants/{}/variables", id(&tenant)))
        .await;
    assert_eq!(tv.status, 200);
    assert_has_keys(&tv.body, &example("tenantvariables-legacy.json"), "tenant variables");
    assert!(!tv.raw.contains("tenant-secret-dev"));
    let lc = dst.get("/api/Spaces-1/lifecycles/Lifecycles-1").await.body;
    assert_eq!(lc["Phases"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn tenants_are_listed_by_name_and_filtered_by_project_and_tags() {
    let api = Api::start(SimConfig {
        seed: Seed::DemoSource,
        ..SimConfig::default()
    })
    .await;
    let tenants = api.get("/api/Spaces-1/tenants").await.body;
    let names: Vec<&str> = tenants["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Acme Corp", "Internal"]);
    let eu = api.get("/api/Spaces-1/tenants?tags=Region/EU").await.body;
    assert_eq!(eu["TotalResults"], 1);
    let unknown_tag = api
        .post(
            "/api/Spaces-1/tenants",
            json!({"Name": "X", "TenantTags": ["Region/Mars"]}),
        )
        .await;
    assert_eq!(unknown_tag.status, 400);
}

#[tokio::test]
async fn a_machine_policy_refuses_a_tentacle_update_account_missing_from_the_space() {
    let api = Api::empty().await;
    let dangling = api
        .post(
            "/api/Spaces-1/machinepolicies",
            json!({"Name": "Linux", "MachineUpdatePolicy": {"TentacleUpdateBehavior": "Update", "TentacleUpdateAccountId": "Accounts-999"}}),
        )
        .await;
    assert_eq!(dangling.status, 400);
    assert!(
        errors_text(&dangling).contains("TentacleUpdateAccountId"),
        "{}",
        dangling.raw
    );
    let account = api
        .create(
            "accounts",
            json!({"Name": "Updates", "AccountType": "UsernamePassword", "Username": "octo"}),
        )
        .await;
    let policy = api
        .create(
            "machinepolicies",
            json!({"Name": "Linux", "MachineUpdatePolicy": {"TentacleUpdateBehavior": "Update", "TentacleUpdateAccountId": id(&account)}}),
        )
        .await;
    assert_eq!(policy["MachineUpdatePolicy"]["TentacleUpdateAccountId"], id(&account));
    assert_eq!(policy["IsDefault"], false);
}

#[tokio::test]
async fn scoped_user_roles_need_their_role_team_and_scope_and_a_system_only_role_stays_out_of_spaces() {
    let api = Api::empty().await;
    let team = id(&api.create("teams", json!({"Name": "Payments"})).await);
    let env = id(&api.create("environments", json!({"Name": "Production"})).await);

    let ok = api
        .create(
            "scopeduserroles",
            json!({"TeamId": team, "UserRoleId": "userroles-projectdeployer", "EnvironmentIds": [env]}),
        )
        .await;
    assert_eq!(ok["SpaceId"], "Spaces-1", "the space route pins the space");

    for (body, says) in [
        (json!({"TeamId": team, "UserRoleId": "UserRoles-999"}), "UserRoleId"),
        (
            json!({"TeamId": "Teams-999", "UserRoleId": "userroles-projectdeployer"}),
            "TeamId",
        ),
        (
            json!({"TeamId": team, "UserRoleId": "userroles-projectdeployer", "TenantIds": ["Tenants-999"]}),
            "TenantIds",
        ),
        (
            json!({"TeamId": team, "UserRoleId": "userroles-projectdeployer", "ProjectIds": ["Projects-999"]}),
            "ProjectIds",
        ),
        // System permissions only: never in a space.
        (
            json!({"TeamId": team, "UserRoleId": "userroles-systemadministrator"}),
            "system permissions only",
        ),
    ] {
        let r = api.post("/api/Spaces-1/scopeduserroles", body.clone()).await;
        assert_eq!(r.status, 400, "{body} -> {}", r.raw);
        assert!(errors_text(&r).contains(says), "{body}: {}", r.raw);
    }

    // A role with space and system permissions applies in the space.
    let mixed = api
        .post(
            "/api/Spaces-1/scopeduserroles",
            json!({"TeamId": team, "UserRoleId": "userroles-teammanager"}),
        )
        .await;
    assert_eq!(mixed.status, 201, "{}", mixed.raw);

    // A space team's roles apply in its own space only.
    let second = api.sim.add_space("Second");
    let r = api
        .post(
            &format!("/api/{second}/scopeduserroles"),
            json!({"TeamId": team, "UserRoleId": "userroles-projectviewer"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.raw);
    assert!(errors_text(&r).contains("belongs to the space 'Spaces-1'"), "{}", r.raw);

    // A system team takes a system-only role through the system route.
    let admins = api
        .post(
            "/api/scopeduserroles",
            json!({"TeamId": "teams-managers", "UserRoleId": "userroles-systemadministrator"}),
        )
        .await;
    assert_eq!(admins.status, 201, "{}", admins.raw);
}
