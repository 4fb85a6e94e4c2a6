//! What the simulator serves and what it does not, as a real server (issue items 20 and 21).

use super::*;

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
    const NOT_GET: &[&str] = &[
        "EnvironmentSortOrder",
        "TagSetSortOrder",
        "WorkerPoolsSortOrder",
        "ConvertToGit",
    ];
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
