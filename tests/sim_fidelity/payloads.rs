//! Shapes of the real server: root, errors, envelopes and documents against the real payloads.

use super::*;

#[tokio::test]
async fn root_document_is_anonymous_and_links_point_at_the_default_space() {
    let api = Api::empty().await;
    let resp = api.http.get(format!("{}/api", api.sim.url())).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let root: Value = resp.json().await.unwrap();
    assert_has_keys(&root, &example("root-2022.1-trimmed.json"), "root");
    assert_eq!(root["Application"], "Octopus Deploy");
    assert_eq!(root["Version"], "2024.3.10989");
    assert_eq!(root["ApiVersion"], "3.0.0");
    assert!(root["Links"]["Environments"]
        .as_str()
        .unwrap()
        .starts_with("/api/Spaces-1/environments{/id}"));
    assert_eq!(root["Links"]["SpaceHome"], "/api/{spaceId}");
    let home = api.get("/api/Spaces-1").await;
    assert_eq!(home.status, 200);
    assert_eq!(home.body["Links"]["Self"], "/api/Spaces-1");
}

#[tokio::test]
async fn missing_or_wrong_api_key_gets_the_real_401_body() {
    let api = Api::empty().await;
    let expected = example("error-401.json");
    let none = api
        .http
        .get(format!("{}/api/Spaces-1/environments", api.sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status().as_u16(), 401);
    assert_eq!(none.json::<Value>().await.unwrap(), expected);
    let wrong = api
        .http
        .get(format!("{}/api/spaces", api.sim.url()))
        .header("X-Octopus-ApiKey", "API-WRONG0000000000000000000")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    let query = api
        .http
        .get(format!("{}/api/spaces?apikey={}", api.sim.url(), api.sim.api_key()))
        .send()
        .await
        .unwrap();
    assert_eq!(query.status().as_u16(), 200);
    let logged = api.sim.request_log();
    assert!(
        logged.iter().all(|l| !l.path.contains(api.sim.api_key())),
        "api key leaked into the log"
    );
}

#[tokio::test]
async fn unknown_resource_gets_404_with_the_real_message() {
    let api = Api::empty().await;
    for path in [
        "/api/Spaces-1/environments/Environments-999",
        "/api/Spaces-9/environments",
        "/api/Spaces-1/nonsense",
    ] {
        let r = api.get(path).await;
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(
            r.body,
            json!({"ErrorMessage": "The resource you requested was not found."})
        );
    }
}

#[tokio::test]
async fn unsupported_verbs_and_double_slashes_get_405() {
    let api = Api::empty().await;
    let p = api.project("P").await;
    let dp = p["DeploymentProcessId"].as_str().unwrap();
    assert_eq!(
        api.call(Method::DELETE, &format!("/api/Spaces-1/deploymentprocesses/{dp}"), None)
            .await
            .status,
        405
    );
    assert_eq!(api.post("/api/Spaces-1/variables", json!({})).await.status, 405);
    assert_eq!(
        api.post("/api/Spaces-1/machines", json!({"Name": "m"})).await.status,
        405
    );
    assert_eq!(
        api.call(Method::PATCH, "/api/Spaces-1/environments", None).await.status,
        405
    );
    assert_eq!(api.get("/api//Spaces-1/environments").await.status, 405);
}

#[tokio::test]
async fn each_simulated_server_reports_an_installation_id_of_its_own_that_stays_put() {
    let a = Api::empty().await;
    let b = Api::empty().await;
    let id_of = |root: &Value| root["InstallationId"].as_str().unwrap_or("").to_string();
    let first = id_of(&a.get("/api").await.body);
    assert_eq!(first.len(), 36, "a GUID: {first}");
    a.create("environments", json!({"Name": "Dev"})).await;
    assert_eq!(
        id_of(&a.get("/api").await.body),
        first,
        "stable for the life of the server"
    );
    assert_ne!(id_of(&b.get("/api").await.body), first, "another server, another id");
}

#[tokio::test]
async fn project_group_has_the_fields_of_the_real_payload() {
    let api = Api::empty().await;
    let ex = example("projectgroup.json");
    let builtin = api.get("/api/Spaces-1/projectgroups/ProjectGroups-1").await.body;
    assert_has_keys(&builtin, &ex, "built-in project group");
    assert_has_keys(&builtin["Links"], &ex["Links"], "project group links");
    assert_eq!(builtin["Name"], ex["Name"]);
    assert_eq!(builtin["EnvironmentIds"], json!([]), "no null collections");
    let created = api
        .post("/api/Spaces-1/projectgroups", json!({"Name": "Payments"}))
        .await;
    assert_eq!(created.status, 201);
    assert_has_keys(&created.body, &ex, "created project group");
}

#[tokio::test]
async fn environment_has_the_fields_of_the_real_payload_plus_newer_ones() {
    let api = Api::empty().await;
    let created = api
        .post(
            "/api/Spaces-1/environments",
            json!({"Name": "  Test-1 ", "Description": "d"}),
        )
        .await;
    assert_eq!(created.status, 201);
    let env = api
        .get(&format!("/api/Spaces-1/environments/{}", id(&created.body)))
        .await
        .body;
    let ex = example("environment.json");
    assert_has_keys(&env, &ex, "environment");
    assert_has_keys(&env["Links"], &ex["Links"], "environment links");
    for k in [
        "SpaceId",
        "Slug",
        "ExtensionSettings",
        "LastModifiedOn",
        "LastModifiedBy",
    ] {
        assert!(env.get(k).is_some(), "missing {k}");
    }
    assert_eq!(env["Name"], "Test-1", "Name is trimmed");
    assert_eq!(env["Slug"], "test-1");
    assert_eq!(env["Links"]["Self"], format!("/api/Spaces-1/environments/{}", id(&env)));
    let stamp = env["LastModifiedOn"].as_str().unwrap();
    assert_eq!(stamp.len(), "2024-07-01T01:34:25.016+00:00".len(), "{stamp}");
    assert!(stamp.ends_with("+00:00") && stamp.as_bytes()[19] == b'.', "{stamp}");
}

#[tokio::test]
async fn collection_envelope_has_the_keys_of_the_real_one() {
    let api = Api::empty().await;
    let page = api.get("/api/Spaces-1/lifecycles").await.body;
    let ex = example("collection-envelope.json");
    assert_eq!(keys(&page), keys(&ex));
    assert_eq!(
        keys(&page["Links"]),
        keys(&ex["Links"]),
        "no Page.Next on a single page"
    );
    assert_eq!(page["ItemType"], "Lifecycle");
    assert_eq!(page["ItemsPerPage"], 30);
    assert_eq!(page["LastPageNumber"], 0);
    assert_eq!(
        page["Links"]["Template"],
        "/api/Spaces-1/lifecycles{?skip,take,ids,partialName}"
    );
    assert_eq!(
        page["Links"]["Page.All"],
        "/api/Spaces-1/lifecycles?skip=0&take=2147483647"
    );
}

#[tokio::test]
async fn paging_follows_skip_take_and_links_page_next_only_when_there_is_more() {
    let api = Api::empty().await;
    for i in 0..75 {
        api.create("environments", json!({"Name": format!("Env {i:02}")})).await;
    }
    let first = api.get("/api/Spaces-1/environments").await.body;
    assert_eq!(first["TotalResults"], 75);
    assert_eq!(first["ItemsPerPage"], 30);
    assert_eq!(first["NumberOfPages"], 3);
    assert_eq!(first["LastPageNumber"], 2);
    assert_eq!(first["Items"].as_array().unwrap().len(), 30);
    assert_eq!(
        first["Links"]["Page.Next"],
        "/api/Spaces-1/environments?skip=30&take=30"
    );
    assert_eq!(
        first["Links"]["Page.Last"],
        "/api/Spaces-1/environments?skip=60&take=30"
    );
    let next = api.get(first["Links"]["Page.Next"].as_str().unwrap()).await.body;
    assert_eq!(next["Items"][0]["Name"], "Env 30", "SortOrder order");
    let last = api.get("/api/Spaces-1/environments?skip=60&take=30").await.body;
    assert_eq!(last["Items"].as_array().unwrap().len(), 15);
    assert!(last["Links"].get("Page.Next").is_none());
    let all = api.get("/api/Spaces-1/environments?take=2147483647").await.body;
    assert_eq!(all["Items"].as_array().unwrap().len(), 75);
    assert_eq!(all["NumberOfPages"], 1);
    let bare = api.get("/api/Spaces-1/environments/all").await.body;
    assert_eq!(bare.as_array().map(Vec::len), Some(75), "/all is a bare array");
    let filtered = api
        .get("/api/Spaces-1/environments?partialName=env 7&take=5")
        .await
        .body;
    assert_eq!(filtered["TotalResults"], 5);
    assert_eq!(
        filtered["Links"]["Self"],
        "/api/Spaces-1/environments?skip=0&take=5&partialName=env%207"
    );
    let ids = format!("{},{}", id(&first["Items"][0]), id(&first["Items"][1]));
    let by_ids = api.get(&format!("/api/Spaces-1/environments?ids={ids}")).await.body;
    assert_eq!(by_ids["TotalResults"], 2);
    let by_name = api.get("/api/Spaces-1/environments?name=ENV 05").await.body;
    assert_eq!(by_name["TotalResults"], 1);
    let small = api.get("/api/Spaces-1/environments?skip=1&take=2").await.body;
    assert_eq!(small["Items"][0]["Name"], "Env 01");
}

#[tokio::test]
async fn space_has_the_fields_of_the_real_payload() {
    let api = Api::empty().await;
    let space = api.get("/api/spaces/Spaces-1").await.body;
    let ex = example("space.json");
    assert_has_keys(&space, &ex, "space");
    assert_eq!(keys(&space["Links"]), keys(&ex["Links"]));
    assert_eq!(space["IsDefault"], true);
    assert_eq!(space["SpaceManagersTeams"], ex["SpaceManagersTeams"]);
    let list = api.get("/api/spaces?name=default").await.body;
    assert_eq!(list["TotalResults"], 1);
    assert_eq!(api.get("/api/spaces/all").await.body.as_array().map(Vec::len), Some(1));
    let mut edited = space.clone();
    edited["Description"] = json!("changed");
    assert_eq!(
        api.put("/api/spaces/Spaces-1", edited).await.status,
        201,
        "space PUT answers 201"
    );
    let teams = api.get("/api/teams/teams-spacemanagers-Spaces-1").await.body;
    assert_has_keys(&teams, &example("teams.json")[2], "space managers team");
}

#[tokio::test]
async fn lifecycle_with_phases_has_the_real_shape() {
    let api = Api::empty().await;
    let e1 = api.create("environments", json!({"Name": "One"})).await;
    let e2 = api.create("environments", json!({"Name": "Two"})).await;
    let lc = api
        .create(
            "lifecycles",
            json!({"Name": "Test", "Description": "", "Phases": [
                {"Name": "A", "AutomaticDeploymentTargets": [id(&e2)], "OptionalDeploymentTargets": [id(&e1)],
                 "MinimumEnvironmentsBeforePromotion": 1, "IsOptionalPhase": true,
                 "ReleaseRetentionPolicy": {"Unit": "Days", "QuantityToKeep": 1},
                 "TentacleRetentionPolicy": {"Unit": "Items", "QuantityToKeep": 0}},
                {"Name": "B"}
            ],
            "ReleaseRetentionPolicy": {"Unit": "Days", "QuantityToKeep": 3},
            "TentacleRetentionPolicy": {"Unit": "Items", "QuantityToKeep": 2}}),
        )
        .await;
    let ex = example("lifecycle-with-phases.json");
    assert_has_keys(&lc, &ex, "lifecycle");
    assert_eq!(keys(&lc["Links"]), keys(&ex["Links"]));
    for i in 0..2 {
        assert_has_keys(&lc["Phases"][i], &ex["Phases"][i], "phase");
        assert_eq!(lc["Phases"][i]["Id"].as_str().unwrap().len(), 36, "phase ids are GUIDs");
    }
    assert_eq!(
        lc["Phases"][0]["TentacleRetentionPolicy"],
        ex["Phases"][0]["TentacleRetentionPolicy"]
    );
    assert_eq!(lc["Phases"][1]["ReleaseRetentionPolicy"], Value::Null, "null = inherit");
    assert_eq!(lc["ReleaseRetentionPolicy"], ex["ReleaseRetentionPolicy"]);
    let default = api.get("/api/Spaces-1/lifecycles/Lifecycles-1").await.body;
    let dex = example("lifecycle.json");
    assert_eq!(default["Name"], dex["Name"]);
    assert_eq!(default["Phases"], dex["Phases"]);
    assert_eq!(default["ReleaseRetentionPolicy"], dex["ReleaseRetentionPolicy"]);
}

#[tokio::test]
async fn creating_a_project_creates_its_variable_set_process_and_default_channel() {
    let api = Api::empty().await;
    let project = api.project("Sample Project").await;
    let pid = id(&project);
    assert_has_keys(&project, &example("project.json"), "project");
    assert_eq!(
        keys(&project["ProjectConnectivityPolicy"]),
        keys(&example("project.json")["ProjectConnectivityPolicy"])
    );
    assert_eq!(project["Slug"], "sample-project");
    assert_eq!(project["VariableSetId"], format!("variableset-{pid}"));
    assert_eq!(project["DeploymentProcessId"], format!("deploymentprocess-{pid}"));
    let channels = api.get(&format!("/api/Spaces-1/projects/{pid}/channels")).await.body;
    assert_eq!(channels["TotalResults"], 1);
    let channel = &channels["Items"][0];
    assert_has_keys(channel, &example("channel.json"), "channel");
    assert_eq!(channel["Name"], "Default");
    assert_eq!(channel["IsDefault"], true);
    assert_eq!(channel["LifecycleId"], Value::Null);
    let process = api
        .get(&format!("/api/Spaces-1/projects/{pid}/deploymentprocesses"))
        .await
        .body;
    let dex = example("deploymentprocess.json");
    assert_has_keys(&process, &dex, "deployment process");
    assert_eq!(keys(&process["Links"]), keys(&dex["Links"]));
    assert_eq!(process["Version"], 0);
    assert_eq!(process["Steps"], json!([]));
    let vars = api
        .get(&format!("/api/Spaces-1/variables/variableset-{pid}"))
        .await
        .body;
    assert_has_keys(&vars, &example("variableset.json"), "variable set");
    assert_eq!(vars["OwnerId"], pid);
    let sv = &vars["ScopeValues"];
    for k in [
        "Environments",
        "Machines",
        "Actions",
        "Roles",
        "Channels",
        "TenantTags",
        "Processes",
    ] {
        assert!(sv[k].is_array(), "ScopeValues.{k}");
    }
    assert_eq!(sv["Channels"][0]["Name"], "Default");
    let settings = api
        .get(&format!("/api/Spaces-1/projects/{pid}/deploymentsettings"))
        .await
        .body;
    assert_eq!(settings["ProjectId"], pid);
    assert_eq!(settings["ConnectivityPolicy"], project["ProjectConnectivityPolicy"]);
}

#[tokio::test]
async fn deleting_a_project_removes_its_children() {
    let api = Api::empty().await;
    let p = api.project("Gone").await;
    let pid = id(&p);
    let rb = api
        .create("runbooks", json!({"Name": "Restart", "ProjectId": pid}))
        .await;
    let del = api
        .call(Method::DELETE, &format!("/api/Spaces-1/projects/{pid}"), None)
        .await;
    assert_eq!(del.status, 200);
    assert_eq!(
        api.get(&format!("/api/Spaces-1/variables/variableset-{pid}"))
            .await
            .status,
        404
    );
    assert_eq!(
        api.get(&format!("/api/Spaces-1/deploymentprocesses/deploymentprocess-{pid}"))
            .await
            .status,
        404
    );
    assert_eq!(
        api.get(&format!("/api/Spaces-1/runbooks/{}", id(&rb))).await.status,
        404
    );
    assert_eq!(
        api.get(&format!("/api/Spaces-1/runbookProcesses/RunbookProcess-{}", id(&rb)))
            .await
            .status,
        404
    );
    assert_eq!(api.get("/api/Spaces-1/channels").await.body["TotalResults"], 0);
}
