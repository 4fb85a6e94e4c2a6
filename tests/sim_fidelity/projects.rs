//! Projects and what hangs off them (reference §2.5–§2.9, §4): the documents a project is created
//! with, process validation, runbooks at both routes, channel rules, logos, config-as-code.

use super::*;

const STALE: &str = "another user has made changes to the process";

/// A one-step script process body.
fn script_step(name: &str) -> Value {
    json!({"Name": name, "Actions": [{"Name": name, "ActionType": "Octopus.Script",
        "Properties": {"Octopus.Action.Script.ScriptBody": "echo hi"}}]})
}

/// PUT of `steps` on the process at `path`, with the process's current `Version`.
async fn put_steps(api: &Api, path: &str, steps: Value) -> Resp {
    let mut process = api.get(path).await.body;
    process["Steps"] = steps;
    api.put(path, process).await
}

fn first_action(process: &Value) -> Value {
    process["Steps"][0]["Actions"][0].clone()
}

#[tokio::test]
async fn deployment_settings_exist_from_2021_1_and_are_neither_served_nor_advertised_before() {
    let api = Api::empty().await;
    let p = api.project("Web").await;
    let settings = api
        .get(&format!("/api/Spaces-1/projects/{}/deploymentsettings", id(&p)))
        .await;
    assert_eq!(settings.status, 200, "{}", settings.raw);
    assert_eq!(settings.body["ProjectId"], p["Id"]);
    assert!(p["Links"]["DeploymentSettings"].is_string());

    let old = Api::start(SimConfig {
        version: "2020.4.0".into(),
        ..SimConfig::default()
    })
    .await;
    let p = old.project("Web").await;
    assert!(p["Links"].get("DeploymentSettings").is_none(), "{:#}", p["Links"]);
    assert!(p["Links"].get("ConvertToGit").is_none(), "{:#}", p["Links"]);
    let r = old
        .get(&format!("/api/Spaces-1/projects/{}/deploymentsettings", id(&p)))
        .await;
    assert_eq!(r.status, 404, "{}", r.raw);
    // The process, variables and default channel are there on every version.
    assert_eq!(
        old.get(&format!("/api/Spaces-1/projects/{}/deploymentprocesses", id(&p)))
            .await
            .status,
        200
    );
    assert_eq!(
        old.get(&format!("/api/Spaces-1/projects/{}/variables", id(&p)))
            .await
            .status,
        200
    );
    let channels = old
        .get(&format!("/api/Spaces-1/projects/{}/channels", id(&p)))
        .await
        .body;
    assert_eq!(channels["Items"][0]["IsDefault"], json!(true));
}

#[tokio::test]
async fn a_step_template_action_must_name_a_template_of_the_space_at_a_version_it_has_had() {
    let api = Api::empty().await;
    let p = api.project("Web").await;
    let t = api
        .create(
            "actiontemplates",
            json!({"Name": "Notify", "ActionType": "Octopus.Script", "Properties": {"Octopus.Action.Script.ScriptBody": "x"}}),
        )
        .await;
    let mut t2 = t.clone();
    t2["Description"] = json!("second save");
    let t2 = api
        .ok(
            Method::PUT,
            &format!("/api/Spaces-1/actiontemplates/{}", id(&t)),
            Some(t2),
        )
        .await;
    assert_eq!(t2["Version"], json!(1));
    let path = format!("/api/Spaces-1/projects/{}/deploymentprocesses", id(&p));
    let step = |template: &str, version: &str| {
        json!([{"Name": "Notify", "Actions": [{"Name": "Notify", "ActionType": "Octopus.Script",
            "Properties": {"Octopus.Action.Template.Id": template, "Octopus.Action.Template.Version": version}}]}])
    };
    let r = put_steps(&api, &path, step(&id(&t), "2")).await;
    assert_eq!(r.status, 400, "a version the template never had: {}", r.raw);
    assert!(errors_text(&r).contains("Octopus.Action.Template.Version"), "{}", r.raw);
    let r = put_steps(&api, &path, step("ActionTemplates-999", "0")).await;
    assert_eq!(r.status, 400, "a template that does not exist: {}", r.raw);
    assert!(errors_text(&r).contains("ActionTemplates-999"), "{}", r.raw);
    for v in ["0", "1"] {
        let r = put_steps(&api, &path, step(&id(&t), v)).await;
        assert_eq!(r.status, 200, "version {v}: {}", r.raw);
    }
}

#[tokio::test]
async fn action_step_and_package_ids_are_assigned_when_missing_and_kept_when_sent_back() {
    let api = Api::empty().await;
    let p = api.project("Web").await;
    let path = format!("/api/Spaces-1/projects/{}/deploymentprocesses", id(&p));
    let steps = json!([{"Name": "Deploy", "Actions": [{"Name": "Deploy", "ActionType": "Octopus.TentaclePackage",
        "Packages": [{"Name": "", "PackageId": "Web", "FeedId": "feeds-builtin"},
                     {"Name": "tools", "PackageId": "Tools", "FeedId": "feeds-builtin"}]}]}]);
    let first = put_steps(&api, &path, steps).await;
    assert_eq!(first.status, 200, "{}", first.raw);
    let action = first_action(&first.body);
    let ids = |process: &Value| {
        let a = first_action(process);
        vec![
            process["Steps"][0]["Id"].as_str().unwrap_or("").to_string(),
            a["Id"].as_str().unwrap_or("").to_string(),
            a["Packages"][0]["Id"].as_str().unwrap_or("").to_string(),
            a["Packages"][1]["Id"].as_str().unwrap_or("").to_string(),
        ]
    };
    let assigned = ids(&first.body);
    assert!(assigned.iter().all(|i| i.len() == 36), "GUIDs assigned: {assigned:?}");
    assert_eq!(action["Packages"][0]["AcquisitionLocation"], json!("Server"));
    // Sent back as read: the same ids, and the version moves on.
    let again = api.put(&path, first.body.clone()).await;
    assert_eq!(again.status, 200, "{}", again.raw);
    assert_eq!(ids(&again.body), assigned);
    assert_eq!(
        again.body["Version"],
        json!(first.body["Version"].as_i64().unwrap() + 1)
    );
    // The stale copy is refused with the server's text.
    let stale = api.put(&path, first.body).await;
    assert_eq!(stale.status, 400);
    assert!(errors_text(&stale).contains(STALE), "{}", stale.raw);
}

#[tokio::test]
async fn a_runbook_process_refuses_duplicate_names_and_stale_versions_like_the_deployment_process() {
    let api = Api::empty().await;
    let p = api.project("Ops").await;
    let rb = api
        .create("runbooks", json!({"Name": "Restart", "ProjectId": id(&p)}))
        .await;
    let path = format!(
        "/api/Spaces-1/runbookProcesses/{}",
        rb["RunbookProcessId"].as_str().unwrap()
    );
    let r = put_steps(&api, &path, json!([script_step("Stop"), script_step("stop")])).await;
    assert_eq!(r.status, 400, "{}", r.raw);
    assert!(
        errors_text(&r).contains("Step name 'stop' is already in use by another step in this runbook process"),
        "{}",
        r.raw
    );
    let two_actions = json!([{"Name": "Stop", "Actions": [
        {"Name": "Stop", "ActionType": "Octopus.Script"}, {"Name": "STOP", "ActionType": "Octopus.Script"}]}]);
    let r = put_steps(&api, &path, two_actions).await;
    assert_eq!(r.status, 400, "{}", r.raw);
    assert!(errors_text(&r).contains("Action names must be unique"), "{}", r.raw);
    let read = api.get(&path).await.body;
    let ok = put_steps(&api, &path, json!([script_step("Stop")])).await;
    assert_eq!(ok.status, 200, "{}", ok.raw);
    let mut stale = read;
    stale["Steps"] = json!([script_step("Start")]);
    let r = api.put(&path, stale).await;
    assert_eq!(r.status, 400);
    assert!(errors_text(&r).contains(STALE), "{}", r.raw);
}

#[tokio::test]
async fn actions_must_reference_channels_environments_pools_feeds_and_projects_that_exist() {
    let api = Api::empty().await;
    let p = api.project("Web").await;
    let other = api.project("Other").await;
    let other_channel = api
        .get(&format!("/api/Spaces-1/projects/{}/channels", id(&other)))
        .await
        .body["Items"][0]
        .clone();
    let own_channel = api
        .get(&format!("/api/Spaces-1/projects/{}/channels", id(&p)))
        .await
        .body["Items"][0]
        .clone();
    let env = api.create("environments", json!({"Name": "Dev"})).await;
    let rb = api
        .create("runbooks", json!({"Name": "Restart", "ProjectId": id(&p)}))
        .await;
    let deploy = format!("/api/Spaces-1/projects/{}/deploymentprocesses", id(&p));
    let runbook = format!(
        "/api/Spaces-1/runbookProcesses/{}",
        rb["RunbookProcessId"].as_str().unwrap()
    );
    let with = |extra: Value| {
        let mut a = json!({"Name": "A", "ActionType": "Octopus.Script", "Properties": {}});
        for (k, v) in extra.as_object().unwrap() {
            a[k] = v.clone();
        }
        json!([{"Name": "A", "Actions": [a]}])
    };
    let bad = [
        (json!({"Channels": [id(&other_channel)]}), id(&other_channel)),
        (
            json!({"Environments": ["Environments-999"]}),
            "Environments-999".to_string(),
        ),
        (
            json!({"ExcludedEnvironments": ["Environments-998"]}),
            "Environments-998".to_string(),
        ),
        (
            json!({"WorkerPoolId": "WorkerPools-999"}),
            "WorkerPools-999".to_string(),
        ),
        (
            json!({"Packages": [{"Name": "", "PackageId": "Web", "FeedId": "Feeds-999"}]}),
            "Feeds-999".to_string(),
        ),
        (
            json!({"Container": {"Image": "ubuntu", "FeedId": "Feeds-998"}}),
            "Feeds-998".to_string(),
        ),
        (
            json!({"ActionType": "Octopus.DeployRelease", "Properties": {"Octopus.Action.DeployRelease.ProjectId": "Projects-999"}}),
            "Projects-999".to_string(),
        ),
    ];
    for path in [&deploy, &runbook] {
        for (extra, dangling) in &bad {
            let r = put_steps(&api, path, with(extra.clone())).await;
            assert_eq!(r.status, 400, "{path} {extra}: {}", r.raw);
            assert!(errors_text(&r).contains(dangling.as_str()), "{path} {extra}: {}", r.raw);
        }
        let good = json!({"Channels": [id(&own_channel)], "Environments": [id(&env)], "WorkerPoolId": "#{Pool}",
            "Packages": [{"Name": "", "PackageId": "Web", "FeedId": "feeds-builtin"}]});
        let r = put_steps(&api, path, with(good)).await;
        assert_eq!(r.status, 200, "{path}: {}", r.raw);
    }
    // Nothing of the refused writes was kept.
    let process = api.get(&deploy).await.body;
    assert_eq!(process["Version"], json!(1));
}

#[tokio::test]
async fn a_project_with_35_runbooks_lists_them_on_two_pages_at_both_routes() {
    let api = Api::empty().await;
    let p = api.project("Ops").await;
    let other = api.project("Other").await;
    api.create("runbooks", json!({"Name": "Elsewhere", "ProjectId": id(&other)}))
        .await;
    for i in 0..35 {
        let created = api
            .ok(
                Method::POST,
                &format!("/api/Spaces-1/projects/{}/runbooks", id(&p)),
                Some(json!({"Name": format!("Runbook {i:02}")})),
            )
            .await;
        assert_eq!(
            created["ProjectId"], p["Id"],
            "a POST below the project is the project's"
        );
    }
    for base in [
        format!("/api/Spaces-1/projects/{}/runbooks", id(&p)),
        format!("/api/Spaces-1/runbooks?projectIds={}", id(&p)),
    ] {
        let sep = if base.contains('?') { '&' } else { '?' };
        let first = api.get(&base).await.body;
        assert_eq!(first["TotalResults"], json!(35), "{base}");
        assert_eq!(first["ItemsPerPage"], json!(30), "{base}");
        assert_eq!(names_of(&first).len(), 30, "{base}");
        assert!(first["Links"]["Page.Next"].is_string(), "{base}: {:#}", first["Links"]);
        let second = api.get(&format!("{base}{sep}skip=30")).await.body;
        let rest = names_of(&second);
        assert_eq!(rest.len(), 5, "{base}");
        assert_eq!(rest[4], "Runbook 34");
        assert!(second["Links"].get("Page.Next").is_none(), "{base}");
    }
    let all = api
        .get(&format!("/api/Spaces-1/projects/{}/runbooks/all", id(&p)))
        .await
        .body;
    assert_eq!(all.as_array().map(Vec::len), Some(35));
    // The process is at the space route and below its project, not below another project.
    let rb = &all[0];
    let rp = rb["RunbookProcessId"].as_str().unwrap();
    let at_space = api.get(&format!("/api/Spaces-1/runbookProcesses/{rp}")).await;
    assert_eq!(at_space.status, 200);
    assert_eq!(at_space.body["RunbookId"], rb["Id"]);
    let below = api
        .get(&format!("/api/Spaces-1/projects/{}/runbookProcesses/{rp}", id(&p)))
        .await;
    assert_eq!(below.body, at_space.body);
    let wrong = api
        .get(&format!("/api/Spaces-1/projects/{}/runbookProcesses/{rp}", id(&other)))
        .await;
    assert_eq!(wrong.status, 404);
    let wrong = api
        .get(&format!("/api/Spaces-1/projects/{}/runbooks/{}", id(&other), id(rb)))
        .await;
    assert_eq!(wrong.status, 404);
}

#[tokio::test]
async fn channel_version_rules_name_the_action_and_package_and_keep_their_ids() {
    let api = Api::empty().await;
    let p = api.project("Web").await;
    let ch = api
        .create(
            "channels",
            json!({"Name": "Hotfix", "ProjectId": id(&p), "Rules": [{"VersionRange": "[1.0,2.0)", "Tag": "^hotfix",
                "ActionPackages": [{"DeploymentAction": "Deploy web", "PackageReference": ""}]}]}),
        )
        .await;
    let rule = ch["Rules"][0].clone();
    assert_eq!(rule["Id"].as_str().map(str::len), Some(36), "{rule:#}");
    assert_eq!(
        rule["ActionPackages"],
        json!([{"DeploymentAction": "Deploy web", "PackageReference": ""}])
    );
    assert_eq!(ch["IsDefault"], json!(false));
    let again = api
        .ok(
            Method::PUT,
            &format!("/api/Spaces-1/channels/{}", id(&ch)),
            Some(ch.clone()),
        )
        .await;
    assert_eq!(again["Rules"][0]["Id"], rule["Id"]);
    // The project's default channel stays the only default.
    let channels = api
        .get(&format!("/api/Spaces-1/projects/{}/channels", id(&p)))
        .await
        .body;
    let defaults: Vec<_> = channels["Items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["IsDefault"] == json!(true))
        .collect();
    assert_eq!(defaults.len(), 1);
    assert_eq!(defaults[0]["Name"], json!("Default"));
}

/// Uploads `png` as a project's logo, as a multipart form.
async fn upload_logo(api: &Api, project: &str, png: &[u8]) -> u16 {
    let boundary = "----simtestboundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"fileData\"; filename=\"logo.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(png);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    api.http
        .post(format!("{}/api/Spaces-1/projects/{project}/logo", api.sim.url()))
        .header("X-Octopus-ApiKey", api.sim.api_key())
        .header("Content-Type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .expect("upload sent")
        .status()
        .as_u16()
}

async fn logo_bytes(api: &Api, project: &str) -> Vec<u8> {
    api.http
        .get(format!("{}/api/Spaces-1/projects/{project}/logo", api.sim.url()))
        .header("X-Octopus-ApiKey", api.sim.api_key())
        .send()
        .await
        .expect("logo read")
        .bytes()
        .await
        .expect("logo bytes")
        .to_vec()
}

#[tokio::test]
async fn each_project_shows_the_logo_uploaded_for_it_and_others_keep_the_default() {
    let api = Api::empty().await;
    let a = id(&api.project("A").await);
    let b = id(&api.project("B").await);
    let default = logo_bytes(&api, &b).await;
    let red = octosync::sim::solid_png([200, 0, 0, 255]);
    let blue = octosync::sim::solid_png([0, 0, 200, 255]);
    assert_eq!(upload_logo(&api, &a, &red).await, 200);
    assert_eq!(logo_bytes(&api, &a).await, red);
    assert_eq!(logo_bytes(&api, &b).await, default);
    assert_eq!(upload_logo(&api, &b, &blue).await, 200);
    assert_eq!(logo_bytes(&api, &a).await, red);
    assert_eq!(logo_bytes(&api, &b).await, blue);
    assert_eq!(upload_logo(&api, &a, b"not an image").await, 400);
    assert_eq!(logo_bytes(&api, &a).await, red);
}

/// The `?cb=` of a project's `Links.Logo`.
async fn logo_cache_buster(api: &Api, project: &str) -> String {
    let p = api.get(&format!("/api/Spaces-1/projects/{project}")).await.body;
    let link = p["Links"]["Logo"].as_str().expect("a logo link").to_string();
    link.split_once("?cb=").expect("a cache buster").1.to_string()
}

#[tokio::test]
async fn a_project_logo_link_names_the_server_version_until_a_logo_is_uploaded() {
    let api = Api::empty().await;
    let a = id(&api.project("A").await);
    let version = api.get("/api").await.body["Version"].as_str().unwrap().to_string();
    assert_eq!(logo_cache_buster(&api, &a).await, version);
    assert_eq!(
        upload_logo(&api, &a, &octosync::sim::solid_png([200, 0, 0, 255])).await,
        200
    );
    let custom = logo_cache_buster(&api, &a).await;
    assert!(!custom.ends_with(&version), "{custom}");
    // Another image, another cache buster, so a browser fetches it anew.
    assert_eq!(
        upload_logo(&api, &a, &octosync::sim::solid_png([0, 0, 200, 255])).await,
        200
    );
    assert_ne!(logo_cache_buster(&api, &a).await, custom);

    // 2024.3 draws a default logo from the project's icon, and says so in the cache buster.
    let mut b = api.project("B").await;
    b["Icon"] = json!({"Id": "map-signs", "Color": "#5E2EA2"});
    api.ok(
        Method::PUT,
        &format!("/api/Spaces-1/projects/{}", id(&b)),
        Some(b.clone()),
    )
    .await;
    assert_eq!(
        logo_cache_buster(&api, &id(&b)).await,
        format!("map-signs-%235E2EA2-{version}")
    );
}

const NOT_A_GIT_ROUTE: &str = "Received a request for a version-controlled resource on a non-version control route. To access this resource, include a Git ref in the route.";

#[tokio::test]
async fn a_version_controlled_project_keeps_its_process_settings_and_text_variables_off_the_database_routes() {
    let api = Api::empty().await;
    let p = api.project("Cac").await;
    let pid = id(&p);
    let base = format!("/api/Spaces-1/projects/{pid}");
    put_steps(
        &api,
        &format!("{base}/deploymentprocesses"),
        json!([script_step("Hello")]),
    )
    .await;
    let rb = api
        .create("runbooks", json!({"Name": "Restart", "ProjectId": pid}))
        .await;
    let mut vars = api.get(&format!("{base}/variables")).await.body;
    vars["Variables"] = json!([{"Name": "Plain", "Value": "x"},
        {"Name": "Secret", "Value": "s3cret", "Type": "Sensitive"}]);
    api.ok(Method::PUT, &format!("{base}/variables"), Some(vars)).await;

    let convert = format!("{base}/git/convert");
    assert_eq!(p["Links"]["ConvertToGit"], json!(convert));
    let r = api
        .post(
            &convert,
            json!({"VersionControlSettings": {"Url": "https://git.example/cac.git"}}),
        )
        .await;
    assert_eq!(r.status, 400, "a conversion needs a commit message: {}", r.raw);
    let settings = json!({"Url": "https://git.example/cac.git", "DefaultBranch": "main",
        "Credentials": {"Type": "UsernamePassword", "Username": "bot", "Password": "token"}});
    let r = api
        .post(
            &convert,
            json!({"CommitMessage": "Initial commit", "VersionControlSettings": settings}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);

    let p = api.get(&base).await.body;
    assert_eq!(p["IsVersionControlled"], json!(true));
    let ps = &p["PersistenceSettings"];
    assert_eq!(ps["Type"], json!("VersionControlled"));
    assert_eq!(ps["Url"], json!("https://git.example/cac.git"));
    assert_eq!(ps["BasePath"], json!(".octopus/cac"));
    assert_eq!(
        ps["ConversionState"],
        json!({"VariablesAreInGit": true, "RunbooksAreInGit": false})
    );
    assert_eq!(
        ps["Credentials"]["Password"],
        json!({"HasValue": true, "NewValue": null})
    );

    for route in ["deploymentprocesses", "deploymentsettings"] {
        let r = api.get(&format!("{base}/{route}")).await;
        assert_eq!(r.status, 400, "{route}: {}", r.raw);
        assert_eq!(r.body["ErrorMessage"], json!("There was a problem with your request."));
        assert_eq!(r.body["Errors"], json!([NOT_A_GIT_ROUTE]), "{route}");
        let r = api
            .put(&format!("{base}/{route}"), json!({"Steps": [], "Version": 1}))
            .await;
        assert_eq!(r.status, 400, "{route}: {}", r.raw);
    }
    let dp = p["DeploymentProcessId"].as_str().unwrap();
    assert_eq!(
        api.get(&format!("/api/Spaces-1/deploymentprocesses/{dp}")).await.status,
        404
    );
    let listed = api.get("/api/Spaces-1/deploymentprocesses").await.body;
    assert!(!listed.to_string().contains(dp), "{listed:#}");

    // Only the sensitive variables stay in the database, and only they can be written there.
    let vars = api.get(&format!("{base}/variables")).await.body;
    let names: Vec<&str> = vars["Variables"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["Name"].as_str())
        .collect();
    assert_eq!(names, ["Secret"]);
    let mut plain = vars.clone();
    plain["Variables"]
        .as_array_mut()
        .unwrap()
        .push(json!({"Name": "Plain", "Value": "y"}));
    let r = api.put(&format!("{base}/variables"), plain).await;
    assert_eq!(r.status, 400, "{}", r.raw);
    assert!(errors_text(&r).contains(NOT_A_GIT_ROUTE), "{}", r.raw);
    api.ok(Method::PUT, &format!("{base}/variables"), Some(vars)).await;

    // Runbooks are not in Git until they are migrated: their routes work as before.
    let rp = format!(
        "/api/Spaces-1/runbookProcesses/{}",
        rb["RunbookProcessId"].as_str().unwrap()
    );
    assert_eq!(put_steps(&api, &rp, json!([script_step("Restart")])).await.status, 200);
    assert_eq!(
        api.get(&format!("{base}/runbooks")).await.body["TotalResults"],
        json!(1)
    );

    let r = api
        .post(
            &convert,
            json!({"CommitMessage": "again", "VersionControlSettings": settings}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.raw);
    // A PUT of the project cannot turn it back into a database project.
    let mut back = p.clone();
    back["PersistenceSettings"] = json!({"Type": "Database"});
    let saved = api.ok(Method::PUT, &base, Some(back)).await;
    assert_eq!(saved["PersistenceSettings"]["Type"], json!("VersionControlled"));
}

#[tokio::test]
async fn a_project_is_created_in_the_database_whatever_persistence_the_post_names() {
    let api = Api::empty().await;
    let p = api
        .create(
            "projects",
            json!({"Name": "Sneaky", "ProjectGroupId": "ProjectGroups-1", "LifecycleId": "Lifecycles-1",
                "IsVersionControlled": true, "PersistenceSettings": {"Type": "VersionControlled", "Url": "https://x"}}),
        )
        .await;
    assert_eq!(p["IsVersionControlled"], json!(false));
    assert_eq!(p["PersistenceSettings"], json!({"Type": "Database"}));
    let r = api
        .get(&format!("/api/Spaces-1/projects/{}/deploymentprocesses", id(&p)))
        .await;
    assert_eq!(r.status, 200);

    let old = Api::start(SimConfig {
        version: "2020.4.0".into(),
        ..SimConfig::default()
    })
    .await;
    let p = old.project("Web").await;
    let r = old
        .post(
            &format!("/api/Spaces-1/projects/{}/git/convert", id(&p)),
            json!({"CommitMessage": "x", "VersionControlSettings": {"Url": "https://x"}}),
        )
        .await;
    assert_eq!(r.status, 404, "no Git before 2021.1: {}", r.raw);
}
