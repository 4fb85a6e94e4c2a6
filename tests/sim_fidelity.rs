//! Fidelity tests of the Octopus API simulator against the real payloads in
//! `tests/fixtures/octopus-api-examples/` (copies of the shared reference) and the rules of `octopus-api.md`.

use std::collections::BTreeSet;

use octosync::sim::{Seed, SimConfig, SimServer};
use reqwest::Method;
use serde_json::{json, Value};

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/octopus-api-examples/");

fn example(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{EXAMPLES}{name}")).expect("example file");
    serde_json::from_str(&text).expect("example json")
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default()
}

/// Every key of `expected` is present in `actual` (real payloads of older eras lack newer fields).
fn assert_has_keys(actual: &Value, expected: &Value, what: &str) {
    let missing: Vec<String> = keys(expected).difference(&keys(actual)).cloned().collect();
    assert!(missing.is_empty(), "{what}: missing {missing:?} in {actual:#}");
}

struct Api {
    sim: SimServer,
    http: reqwest::Client,
}

struct Resp {
    status: u16,
    body: Value,
    raw: String,
}

impl Api {
    async fn start(config: SimConfig) -> Api {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let sim = SimServer::start(config).await.expect("sim starts");
        Api {
            sim,
            http: reqwest::Client::new(),
        }
    }

    async fn empty() -> Api {
        Api::start(SimConfig::default()).await
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.sim.url()))
            .header("X-Octopus-ApiKey", self.sim.api_key());
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let raw = resp.text().await.expect("body read");
        let body = serde_json::from_str(&raw).unwrap_or(Value::Null);
        Resp { status, body, raw }
    }

    async fn get(&self, path: &str) -> Resp {
        self.call(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Resp {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn put(&self, path: &str, body: Value) -> Resp {
        self.call(Method::PUT, path, Some(body)).await
    }

    async fn ok(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let r = self.call(method.clone(), path, body).await;
        assert!(r.status < 300, "{method} {path} -> {} {}", r.status, r.raw);
        r.body
    }

    async fn create(&self, coll: &str, body: Value) -> Value {
        self.ok(Method::POST, &format!("/api/Spaces-1/{coll}"), Some(body))
            .await
    }

    /// A project in the built-in project group and lifecycle.
    async fn project(&self, name: &str) -> Value {
        self.create(
            "projects",
            json!({"Name": name, "ProjectGroupId": "ProjectGroups-1", "LifecycleId": "Lifecycles-1"}),
        )
        .await
    }
}

fn id(v: &Value) -> String {
    v["Id"].as_str().unwrap_or_default().to_string()
}

fn errors_text(r: &Resp) -> String {
    r.body["Errors"].to_string() + r.body["ErrorMessage"].as_str().unwrap_or("")
}

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
    let region = dst.get("/api/Spaces-1/tagsets?name=Region").await.body["Items"][0].clone();
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
async fn with_fault_rate_one_every_request_fails_and_is_logged() {
    let api = Api::start(SimConfig {
        fault_rate: 1.0,
        fault_seed: 7,
        ..SimConfig::default()
    })
    .await;
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let mut kinds = BTreeSet::new();
    for i in 0..40 {
        let method = if i % 2 == 0 { Method::GET } else { Method::POST };
        let req = client
            .request(method.clone(), format!("{}/api/Spaces-1/environments", api.sim.url()))
            .header("X-Octopus-ApiKey", api.sim.api_key())
            .json(&json!({"Name": format!("E{i}")}));
        match req.send().await {
            Ok(r) => {
                let status = r.status().as_u16();
                assert!(status == 503 || status == 429, "got {status}");
                if status == 429 {
                    assert_eq!(r.headers().get("retry-after").unwrap(), "1");
                }
            }
            Err(e) => assert!(!e.is_status(), "{e}"),
        }
    }
    let log = api.sim.request_log();
    assert_eq!(log.len(), 40);
    for entry in &log {
        let fault = entry.fault.clone().expect("every request faulted");
        kinds.insert(fault.clone());
        if fault.starts_with("dropped") {
            assert_eq!(entry.status, 0);
        }
        if fault == "dropped_after_commit" {
            assert_eq!(entry.method, "POST", "only writes are dropped after commit");
        }
    }
    assert_eq!(kinds.len(), 4, "all four fault kinds appear: {kinds:?}");
    let committed = log
        .iter()
        .filter(|l| l.fault.as_deref() == Some("dropped_after_commit"))
        .count();
    api.sim.set_fault_rate(0.0);
    let listed = api.get("/api/Spaces-1/environments").await.body;
    assert_eq!(
        listed["TotalResults"].as_u64().unwrap() as usize,
        committed,
        "the dropped writes were committed"
    );
}

#[tokio::test]
async fn the_fault_sequence_is_repeatable_for_a_seed() {
    async fn run() -> Vec<Option<String>> {
        let api = Api::start(SimConfig {
            fault_rate: 0.5,
            fault_seed: 42,
            ..SimConfig::default()
        })
        .await;
        let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
        for _ in 0..20 {
            let _ = client.get(format!("{}/api", api.sim.url())).send().await;
        }
        api.sim.request_log().into_iter().map(|l| l.fault).collect()
    }
    let a = run().await;
    assert_eq!(a, run().await);
    assert!(a.iter().any(Option::is_some) && a.iter().any(Option::is_none));
}

#[tokio::test]
async fn latency_is_added_and_every_request_is_logged_without_bodies() {
    let api = Api::start(SimConfig {
        latency: std::time::Duration::from_millis(120),
        ..SimConfig::default()
    })
    .await;
    let started = std::time::Instant::now();
    api.create("environments", json!({"Name": "Slow"})).await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(120));
    let _ = api.get("/api/Spaces-1/environments?take=1").await;
    let log = api.sim.request_log();
    assert_eq!(log.len(), 2);
    assert_eq!((log[0].method.as_str(), log[0].status), ("POST", 201));
    assert_eq!(log[1].path, "/api/Spaces-1/environments?take=1");
    assert_eq!(log[1].fault, None);
    api.sim.clear_request_log();
    assert!(api.sim.request_log().is_empty());
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
async fn a_name_filter_is_ignored_where_the_collection_template_does_not_advertise_it() {
    let api = Api::empty().await;
    api.create("environments", json!({"Name": "Dev"})).await;
    api.create("environments", json!({"Name": "Test"})).await;
    api.create("lifecycles", json!({"Name": "Hotfix"})).await;
    api.create("tagsets", json!({"Name": "Region"})).await;
    api.create("tagsets", json!({"Name": "Tier"})).await;
    let lifecycles = api.get("/api/Spaces-1/lifecycles").await.body;
    assert!(!lifecycles["Links"]["Template"].as_str().unwrap().contains("name,"));
    for (coll, total) in [("lifecycles", 2), ("tagsets", 2), ("projectgroups", 1)] {
        let page = api.get(&format!("/api/Spaces-1/{coll}?name=Nothing-Like-This")).await;
        assert_eq!(page.status, 200, "{coll}");
        assert_eq!(
            page.body["TotalResults"], total,
            "{coll}: an unknown parameter filters nothing"
        );
    }
    let by_name = api.get("/api/Spaces-1/environments?name=test").await.body;
    assert_eq!(by_name["TotalResults"], 1, "environments advertise name");
    let partial = api.get("/api/Spaces-1/tagsets?partialName=reg").await.body;
    assert_eq!(partial["TotalResults"], 1, "partialName stays where it is advertised");
}

#[tokio::test]
async fn all_routes_exist_only_where_the_server_has_them() {
    let api = Api::empty().await;
    let p = api.project("P").await;
    for path in [
        "/api/Spaces-1/deploymentprocesses/all",
        "/api/Spaces-1/runbookProcesses/all",
        "/api/Spaces-1/packages/all",
        "/api/Spaces-1/scopeduserroles/all",
        "/api/scopeduserroles/all",
    ] {
        let r = api.get(path).await;
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(
            r.body,
            json!({"ErrorMessage": "The resource you requested was not found."})
        );
    }
    for path in [
        "/api/Spaces-1/environments/all".to_string(),
        "/api/Spaces-1/variables/all".to_string(),
        "/api/Spaces-1/teams/all".to_string(),
        "/api/userroles/all".to_string(),
        "/api/users/all".to_string(),
        "/api/spaces/all".to_string(),
        format!("/api/Spaces-1/projects/{}/runbooks/all", id(&p)),
    ] {
        let r = api.get(&path).await;
        assert_eq!(r.status, 200, "{path}");
        assert!(r.body.is_array(), "{path} is a bare array");
    }
}

#[tokio::test]
async fn user_roles_and_users_are_served_only_at_the_server_level() {
    let api = Api::empty().await;
    for path in [
        "/api/Spaces-1/userroles",
        "/api/Spaces-1/userroles/userroles-projectviewer",
        "/api/Spaces-1/users",
        "/api/spaces/Spaces-1/users",
    ] {
        assert_eq!(api.get(path).await.status, 404, "{path}");
    }
    assert_eq!(
        api.post("/api/Spaces-1/userroles", json!({"Name": "Nope"}))
            .await
            .status,
        404
    );
    for path in [
        "/api/userroles",
        "/api/users",
        "/api/Spaces-1/teams",
        "/api/Spaces-1/scopeduserroles",
    ] {
        assert_eq!(api.get(path).await.status, 200, "{path}");
    }
}

fn assert_model_validation(r: &Resp, field_path: &str, what: &str) {
    assert_eq!(r.status, 400, "{what}: {}", r.raw);
    assert_eq!(r.body["ErrorMessage"], "Model validation failed.", "{what}");
    let errors = r.body["Errors"].as_array().cloned().unwrap_or_default();
    assert!(
        errors
            .iter()
            .any(|e| e.as_str().unwrap_or("").contains(&format!("Path '{field_path}'"))),
        "{what}: no error names {field_path}: {}",
        r.raw
    );
}

#[tokio::test]
async fn an_environment_with_a_string_guided_failure_flag_is_rejected_as_model_validation() {
    let api = Api::empty().await;
    let r = api
        .post(
            "/api/Spaces-1/environments",
            json!({"Name": "Test", "UseGuidedFailure": "yes"}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({
            "ErrorMessage": "Model validation failed.",
            "Errors": ["Error converting value \"yes\" to type 'System.Boolean'. Path 'UseGuidedFailure'."]
        })
    );
    assert_eq!(
        api.get("/api/Spaces-1/environments").await.body["TotalResults"],
        0,
        "nothing stored"
    );
}

#[tokio::test]
async fn wrongly_typed_fields_of_every_kind_are_rejected_and_nothing_is_stored() {
    let api = Api::empty().await;
    let env = api.create("environments", json!({"Name": "Dev"})).await;
    let p = api.project("P").await;
    let pid = id(&p);
    let cases = [
        ("environments", json!({"Name": "E", "SortOrder": "abc"}), "SortOrder"),
        (
            "lifecycles",
            json!({"Name": "L", "ReleaseRetentionPolicy": {"Unit": "Weeks", "QuantityToKeep": 1}}),
            "ReleaseRetentionPolicy.Unit",
        ),
        (
            "lifecycles",
            json!({"Name": "L", "Phases": [{"Name": "A", "MinimumEnvironmentsBeforePromotion": "1"}]}),
            "Phases[0].MinimumEnvironmentsBeforePromotion",
        ),
        (
            "projectgroups",
            json!({"Name": "G", "EnvironmentIds": id(&env)}),
            "EnvironmentIds",
        ),
        (
            "tagsets",
            json!({"Name": "T", "Tags": [{"Name": "a", "SortOrder": "first"}]}),
            "Tags[0].SortOrder",
        ),
        (
            "accounts",
            json!({"Name": "A", "AccountType": "None", "TenantedDeploymentParticipation": "Sometimes"}),
            "TenantedDeploymentParticipation",
        ),
        (
            "feeds",
            json!({"Name": "F", "FeedType": "NuGet", "DownloadAttempts": "5"}),
            "DownloadAttempts",
        ),
        (
            "machinepolicies",
            json!({"Name": "M", "MachineHealthCheckPolicy": {"HealthCheckInterval": "an hour"}}),
            "MachineHealthCheckPolicy.HealthCheckInterval",
        ),
        (
            "tenants",
            json!({"Name": "T", "ProjectEnvironments": {pid.clone(): id(&env)}}),
            &format!("ProjectEnvironments.{pid}"),
        ),
        (
            "runbooks",
            json!({"Name": "R", "ProjectId": pid, "RunRetentionPolicy": {"QuantityToKeep": "ten"}}),
            "RunRetentionPolicy.QuantityToKeep",
        ),
        (
            "channels",
            json!({"Name": "C", "ProjectId": pid, "IsDefault": "true"}),
            "IsDefault",
        ),
        (
            "libraryvariablesets",
            json!({"Name": "V", "ContentType": "Scripts"}),
            "ContentType",
        ),
    ];
    for (coll, body, path) in cases {
        let before = api.sim.items("Spaces-1", coll).len();
        let r = api.post(&format!("/api/Spaces-1/{coll}"), body).await;
        assert_model_validation(&r, path, coll);
        assert_eq!(api.sim.items("Spaces-1", coll).len(), before, "{coll}: nothing stored");
    }
    let mut edited = env.clone();
    edited["SortOrder"] = json!("abc");
    let put = api
        .put(&format!("/api/Spaces-1/environments/{}", id(&env)), edited)
        .await;
    assert_model_validation(&put, "SortOrder", "environment PUT");
    let mut project = p.clone();
    project["TenantedDeploymentMode"] = json!("Sometimes");
    let put = api.put(&format!("/api/Spaces-1/projects/{pid}"), project).await;
    assert_model_validation(&put, "TenantedDeploymentMode", "project PUT");
    let process = format!("/api/Spaces-1/projects/{pid}/deploymentprocesses");
    let step = json!({"Name": "S", "Condition": "Never", "Actions": [{"Name": "S", "ActionType": "Octopus.Script"}]});
    let put = api.put(&process, json!({"Version": 0, "Steps": [step]})).await;
    assert_model_validation(&put, "Steps[0].Condition", "process PUT");
    assert_eq!(api.get(&process).await.body["Version"], 0, "the process was not saved");
    let vars = format!("/api/Spaces-1/variables/variableset-{pid}");
    let put = api
        .put(
            &vars,
            json!({"Version": 0, "Variables": [{"Name": "A", "Value": "1", "IsSensitive": "no"}]}),
        )
        .await;
    assert_model_validation(&put, "Variables[0].IsSensitive", "variable set PUT");
}

#[tokio::test]
async fn every_badly_typed_field_of_a_body_is_reported_at_once() {
    let api = Api::empty().await;
    let r = api
        .post(
            "/api/Spaces-1/environments",
            json!({"Name": 7, "SortOrder": "abc", "UseGuidedFailure": null, "AllowDynamicInfrastructure": "no"}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["Errors"].as_array().map(Vec::len), Some(4), "{}", r.raw);
}

#[tokio::test]
async fn enum_values_are_read_in_any_case_and_stored_in_the_servers_case() {
    let api = Api::empty().await;
    let p = api
        .create(
            "projects",
            json!({"Name": "P", "ProjectGroupId": "ProjectGroups-1", "LifecycleId": "Lifecycles-1",
                   "TenantedDeploymentMode": "tenantedoruntenanted", "DefaultGuidedFailureMode": "on"}),
        )
        .await;
    assert_eq!(p["TenantedDeploymentMode"], "TenantedOrUntenanted");
    assert_eq!(p["DefaultGuidedFailureMode"], "On");
    let lc = api
        .create(
            "lifecycles",
            json!({"Name": "L", "ReleaseRetentionPolicy": {"Unit": "days", "QuantityToKeep": 3}}),
        )
        .await;
    assert_eq!(lc["ReleaseRetentionPolicy"]["Unit"], "Days");
}

fn names_of(page: &Value) -> Vec<String> {
    page["Items"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|d| d["Name"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
async fn environments_tag_sets_and_worker_pools_are_reordered_by_their_sortorder_routes() {
    let api = Api::empty().await;
    for coll in ["environments", "tagsets", "workerpools"] {
        let mut ids: Vec<String> = api.get(&format!("/api/Spaces-1/{coll}")).await.body["Items"]
            .as_array()
            .unwrap()
            .iter()
            .map(id)
            .collect();
        for name in ["Alpha", "Bravo", "Charlie"] {
            ids.push(id(&api.create(coll, json!({"Name": name})).await));
        }
        ids.reverse();
        let r = api.put(&format!("/api/Spaces-1/{coll}/sortorder"), json!(ids)).await;
        assert_eq!(r.status, 200, "{coll}: {}", r.raw);
        assert_eq!(r.raw, "", "{coll}: the answer has no body");
        let page = api.get(&format!("/api/Spaces-1/{coll}")).await.body;
        let listed: Vec<String> = page["Items"].as_array().unwrap().iter().map(id).collect();
        assert_eq!(listed, ids, "{coll} listed in the new order");
        let orders: Vec<i64> = page["Items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["SortOrder"].as_i64().unwrap())
            .collect();
        assert_eq!(
            orders,
            (0..ids.len() as i64).collect::<Vec<_>>(),
            "{coll}: SortOrder is the position"
        );
        let added = api.create(coll, json!({"Name": "Delta"})).await;
        assert_eq!(
            added["SortOrder"],
            ids.len(),
            "{coll}: a create without SortOrder is appended"
        );
        assert_eq!(
            names_of(&api.get(&format!("/api/Spaces-1/{coll}")).await.body)
                .last()
                .unwrap(),
            "Delta"
        );
    }
    let envs: Vec<Value> = api.sim.items("Spaces-1", "environments");
    let legacy: Vec<String> = envs.iter().rev().map(id).collect();
    assert_eq!(api.put("/api/environments/sortorder", json!(legacy)).await.status, 200);
    assert_eq!(names_of(&api.get("/api/Spaces-1/environments").await.body)[0], "Delta");
}

#[tokio::test]
async fn a_sortorder_body_that_is_not_every_id_exactly_once_is_refused() {
    let api = Api::empty().await;
    let a = id(&api.create("environments", json!({"Name": "A"})).await);
    let b = id(&api.create("environments", json!({"Name": "B"})).await);
    let path = "/api/Spaces-1/environments/sortorder";
    for (body, expect) in [
        (json!({"Ids": [b, a]}), "Model validation failed."),
        (json!([b, 7]), "Model validation failed."),
        (
            json!([b, a, "Environments-999"]),
            "There was a problem with your request.",
        ),
        (json!([b]), "There was a problem with your request."),
        (json!([b, a, b]), "There was a problem with your request."),
    ] {
        let r = api.put(path, body.clone()).await;
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(r.body["ErrorMessage"], expect, "{body}");
        assert!(
            r.body["Errors"].as_array().is_some_and(|e| !e.is_empty()),
            "{body}: {}",
            r.raw
        );
    }
    let missing = api.put(path, json!([b])).await;
    assert!(
        errors_text(&missing).contains(&a),
        "names the missing id: {}",
        missing.raw
    );
    assert_eq!(
        names_of(&api.get("/api/Spaces-1/environments").await.body),
        vec!["A", "B"],
        "order unchanged"
    );
}

#[tokio::test]
async fn environment_summary_and_the_machines_of_an_environment_and_pool_are_served() {
    let api = Api::start(SimConfig {
        seed: Seed::DemoSource,
        ..SimConfig::default()
    })
    .await;
    let dev = api.get("/api/Spaces-1/environments?name=Development").await.body["Items"][0].clone();
    let machines = api
        .get(&format!("/api/Spaces-1/environments/{}/machines", id(&dev)))
        .await;
    assert_eq!(machines.status, 200);
    assert_eq!(machines.body["ItemType"], "DeploymentTarget");
    assert_eq!(names_of(&machines.body), vec!["dev-web-01"]);
    let summary = api.get("/api/Spaces-1/environments/summary").await;
    assert_eq!(summary.status, 200, "{}", summary.raw);
    assert_eq!(summary.body["TotalMachines"], 2);
    let dev_summary = summary.body["EnvironmentSummaries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Environment"]["Id"] == dev["Id"])
        .cloned()
        .expect("a summary per environment");
    assert_eq!(dev_summary["TotalMachines"], 1);
    assert_eq!(dev_summary["MachineHealthStatusSummaries"]["Healthy"], 1);
    let hidden = api
        .get("/api/Spaces-1/environments/summary?hideEmptyEnvironments=true")
        .await
        .body;
    assert_eq!(hidden["EnvironmentSummaries"].as_array().unwrap().len(), 2);
    let pool = api.get("/api/Spaces-1/workerpools?name=Ubuntu Workers").await.body["Items"][0].clone();
    let workers = api
        .get(&format!("/api/Spaces-1/workerpools/{}/workers", id(&pool)))
        .await;
    assert_eq!(names_of(&workers.body), vec!["dev-worker-01"]);
}

#[tokio::test]
async fn a_projects_runbook_is_reachable_below_the_project() {
    let api = Api::empty().await;
    let p = api.project("P").await;
    let other = api.project("Other").await;
    let rb = api
        .create("runbooks", json!({"Name": "Restart", "ProjectId": id(&p)}))
        .await;
    let path = format!("/api/Spaces-1/projects/{}/runbooks/{}", id(&p), id(&rb));
    let got = api.get(&path).await;
    assert_eq!(got.status, 200);
    assert_eq!(
        got.body,
        api.get(&format!("/api/Spaces-1/runbooks/{}", id(&rb))).await.body
    );
    let mut edited = got.body.clone();
    edited["Description"] = json!("restarts it");
    let put = api.put(&path, edited).await;
    assert_eq!(put.status, 200, "{}", put.raw);
    assert_eq!(put.body["Description"], "restarts it");
    let wrong = format!("/api/Spaces-1/projects/{}/runbooks/{}", id(&other), id(&rb));
    assert_eq!(api.get(&wrong).await.status, 404, "a runbook of another project");
}

#[tokio::test]
async fn runbook_snapshots_are_created_below_their_project_and_can_be_published() {
    let api = Api::empty().await;
    let p = api.project("P").await;
    let other = api.project("Other").await;
    let rb = api
        .create("runbooks", json!({"Name": "Restart", "ProjectId": id(&p)}))
        .await;
    let snapshots = format!("/api/Spaces-1/projects/{}/runbookSnapshots", id(&p));
    let made = api
        .post(
            &format!("{snapshots}?publish=true"),
            json!({"Name": "Snapshot 1", "RunbookId": id(&rb)}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.raw);
    let snap = made.body.clone();
    assert!(id(&snap).starts_with("RunbookSnapshots-"));
    assert_eq!(snap["ProjectId"], id(&p));
    let runbook = api.get(&format!("/api/Spaces-1/runbooks/{}", id(&rb))).await.body;
    assert_eq!(runbook["PublishedRunbookSnapshotId"], id(&snap), "published");
    assert_eq!(
        api.get(&format!("/api/Spaces-1/runbookSnapshots/{}", id(&snap)))
            .await
            .body,
        snap
    );
    assert_eq!(
        api.get(&format!("{snapshots}/Snapshot 1")).await.body["Id"],
        snap["Id"],
        "by name"
    );
    let by_runbook = api
        .get(&format!("/api/Spaces-1/runbooks/{}/runbookSnapshots", id(&rb)))
        .await;
    assert_eq!(by_runbook.body["TotalResults"], 1);
    let unpublished = api
        .post(&snapshots, json!({"Name": "Snapshot 2", "RunbookId": id(&rb)}))
        .await;
    assert_eq!(unpublished.status, 201);
    let runbook = api.get(&format!("/api/Spaces-1/runbooks/{}", id(&rb))).await.body;
    assert_eq!(
        runbook["PublishedRunbookSnapshotId"],
        id(&snap),
        "publish is asked for, never implied"
    );
    assert_eq!(
        api.post(&snapshots, json!({"Name": "Snapshot 1", "RunbookId": id(&rb)}))
            .await
            .status,
        400,
        "names are unique per runbook"
    );
    let elsewhere = format!("/api/Spaces-1/projects/{}/runbookSnapshots", id(&other));
    let wrong = api.post(&elsewhere, json!({"Name": "X", "RunbookId": id(&rb)})).await;
    assert_eq!(wrong.status, 400, "a runbook of another project: {}", wrong.raw);
    assert_eq!(
        api.post(&snapshots, json!({"Name": "Y", "RunbookId": "Runbooks-999"}))
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn releases_and_deployments_are_listed_even_when_there_are_none() {
    let api = Api::empty().await;
    let p = api.project("P").await;
    let channel = api
        .get(&format!("/api/Spaces-1/projects/{}/channels", id(&p)))
        .await
        .body["Items"][0]
        .clone();
    for (path, item_type) in [
        ("/api/Spaces-1/releases".to_string(), "Release"),
        ("/api/Spaces-1/deployments".to_string(), "Deployment"),
        (format!("/api/Spaces-1/projects/{}/releases", id(&p)), "Release"),
        (format!("/api/Spaces-1/channels/{}/releases", id(&channel)), "Release"),
    ] {
        let r = api.get(&path).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.body["ItemType"], item_type, "{path}");
        assert_eq!(r.body["TotalResults"], 0, "{path}");
    }
    assert_eq!(
        api.get(&format!("/api/Spaces-1/projects/{}/releases/1.0.0", id(&p)))
            .await
            .status,
        404
    );
    assert_eq!(api.get("/api/Spaces-1/releases/Releases-1").await.status, 404);
}

#[tokio::test]
async fn capabilities_are_served_from_2022_3_and_absent_before() {
    let new = Api::start(SimConfig {
        version: "2022.3.10000".into(),
        ..SimConfig::default()
    })
    .await;
    let caps = new.get("/api/capabilities").await;
    assert_eq!(caps.status, 200);
    assert!(caps.body["Capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "GetAllSpacesRequest"));
    let old = Api::start(SimConfig {
        version: "2022.2.8011".into(),
        ..SimConfig::default()
    })
    .await;
    assert_eq!(old.get("/api/capabilities").await.status, 404);
}

#[tokio::test]
async fn environments_v2_lists_the_static_environments_on_servers_that_have_it() {
    let new = Api::start(SimConfig {
        version: "2025.4.1000".into(),
        ..SimConfig::default()
    })
    .await;
    new.create("environments", json!({"Name": "Dev"})).await;
    new.create("environments", json!({"Name": "Prod"})).await;
    let v2 = new.get("/api/Spaces-1/environments/v2").await;
    assert_eq!(v2.status, 200, "{}", v2.raw);
    assert_eq!(names_of(&v2.body), vec!["Dev", "Prod"]);
    assert_eq!(v2.body["Items"][0]["Type"], "Static");
    assert_eq!(
        new.get("/api/Spaces-1/environments/v2?name=prod").await.body["TotalResults"],
        1
    );
    assert_eq!(
        new.get("/api/Spaces-1/environments/v2?type=Ephemeral").await.body["TotalResults"],
        0
    );
    let old = Api::empty().await;
    assert_eq!(old.get("/api/Spaces-1/environments/v2").await.status, 404);
}

#[tokio::test]
async fn tenant_common_and_project_variables_are_served_from_2025_1() {
    let api = Api::start(SimConfig {
        version: "2025.1.5000".into(),
        seed: Seed::DemoSource,
        ..SimConfig::default()
    })
    .await;
    let tenant = api.get("/api/Spaces-1/tenants?name=Internal").await.body["Items"][0].clone();
    let tid = id(&tenant);
    let base = format!("/api/Spaces-1/tenants/{tid}");
    let project_vars = api.get(&format!("{base}/projectvariables")).await;
    assert_eq!(project_vars.status, 200, "{}", project_vars.raw);
    assert_eq!(project_vars.body["TenantId"], tid);
    let vars = project_vars.body["Variables"].as_array().unwrap().clone();
    let url = vars
        .iter()
        .find(|v| v["Value"] == "https://internal-dev.example.com")
        .expect("the seeded project value")
        .clone();
    assert_eq!(url["Scope"]["EnvironmentIds"].as_array().unwrap().len(), 1);
    assert_eq!(url["Template"]["Name"], "Tenant.ApiUrl");
    assert!(
        !project_vars.raw.contains("tenant-secret-dev"),
        "secrets never come back"
    );
    let common = api.get(&format!("{base}/commonvariables")).await;
    assert_eq!(common.status, 200);
    assert_eq!(common.body["Variables"][0]["Value"], "eu");
    let missing = api
        .get(&format!("{base}/projectvariables?includeMissingVariables=true"))
        .await
        .body;
    assert!(missing["MissingVariables"].as_array().is_some_and(|m| !m.is_empty()));

    let mut changed = url.clone();
    changed["Value"] = json!("https://internal-new.example.com");
    let others: Vec<Value> = vars.iter().filter(|v| v["Id"] != url["Id"]).cloned().collect();
    let mut body_vars = others.clone();
    body_vars.push(changed);
    let put = api
        .put(
            &format!("{base}/projectvariables"),
            json!({"TenantId": tid, "Variables": body_vars}),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.raw);
    let legacy = api.get(&format!("{base}/variables")).await.body;
    assert!(
        legacy.to_string().contains("https://internal-new.example.com"),
        "one store behind both APIs"
    );
    let bad_env = api
        .put(
            &format!("{base}/projectvariables"),
            json!({"Variables": [{"ProjectId": url["ProjectId"], "TemplateId": url["TemplateId"], "Value": "x",
                                   "Scope": {"EnvironmentIds": ["Environments-999"]}}]}),
        )
        .await;
    assert_eq!(bad_env.status, 400, "{}", bad_env.raw);

    let older = Api::start(SimConfig {
        version: "2024.4.1000".into(),
        seed: Seed::DemoSource,
        ..SimConfig::default()
    })
    .await;
    assert_eq!(older.get(&format!("{base}/commonvariables")).await.status, 404);
    assert_eq!(older.get(&format!("{base}/projectvariables")).await.status, 404);
}

#[tokio::test]
async fn a_project_is_found_by_its_slug() {
    let api = Api::empty().await;
    let p = api.project("Payments API").await;
    let by_slug = api.get("/api/Spaces-1/projects/payments-api").await;
    assert_eq!(by_slug.status, 200);
    assert_eq!(by_slug.body, p);
    let channels = api.get("/api/Spaces-1/projects/payments-api/channels").await;
    assert_eq!(channels.body["TotalResults"], 1);
}

/// A link template with its optional parts (`{?…}`, `{/…}`) left out; None when a required
/// variable (such as `{spaceId}`) remains or the link leaves the API.
fn expand(link: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = link;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}')? + start;
        let inner = &rest[start + 1..end];
        if !(inner.starts_with('?') || inner.starts_with('/')) {
            return None;
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out.starts_with("/api").then_some(out)
}

#[tokio::test]
async fn every_link_the_simulator_advertises_leads_to_a_served_route() {
    let api = Api::start(SimConfig {
        seed: Seed::DemoSource,
        ..SimConfig::default()
    })
    .await;
    let snapshots = format!(
        "/api/Spaces-1/projects/{}/runbookSnapshots",
        id(&api.get("/api/Spaces-1/projects?name=Payments API").await.body["Items"][0])
    );
    let rb = api.get("/api/Spaces-1/runbooks?partialName=Restart").await.body["Items"][0].clone();
    api.ok(
        Method::POST,
        &snapshots,
        Some(json!({"Name": "S1", "RunbookId": id(&rb)})),
    )
    .await;
    // Verbs other than GET: these links are checked by their own tests.
    const NOT_GET: &[&str] = &["EnvironmentSortOrder", "TagSetSortOrder", "WorkerPoolsSortOrder"];
    let mut queue: Vec<(String, String)> =
        vec![("root".into(), "/api".into()), ("home".into(), "/api/Spaces-1".into())];
    let mut seen = BTreeSet::new();
    let mut broken = Vec::new();
    while let Some((from, path)) = queue.pop() {
        if !seen.insert(path.clone()) || seen.len() > 2000 {
            continue;
        }
        let r = api.get(&path).await;
        if r.status != 200 {
            broken.push(format!("{from} -> {path}: {}", r.status));
            continue;
        }
        let mut docs = vec![r.body.clone()];
        docs.extend(r.body["Items"].as_array().cloned().unwrap_or_default());
        docs.extend(r.body.as_array().cloned().unwrap_or_default());
        for doc in docs {
            for (name, link) in doc["Links"].as_object().cloned().unwrap_or_default() {
                if NOT_GET.contains(&name.as_str()) {
                    continue;
                }
                if let Some(next) = link.as_str().and_then(expand) {
                    queue.push((format!("{path} {name}"), next));
                }
            }
        }
    }
    assert!(seen.len() > 100, "the walk reached {} routes", seen.len());
    assert!(
        broken.is_empty(),
        "{} advertised links do not lead anywhere:\n{}",
        broken.len(),
        broken.join("\n")
    );
}
