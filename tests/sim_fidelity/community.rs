//! The community step template library (reference §2.12): a read-only, server-wide catalogue whose
//! entries are installed into a space and updated to the library's version.

use super::*;
use octosync::sim::CommunityLibrary;

fn entry<'a>(page: &'a Value, name: &str) -> &'a Value {
    page["Items"]
        .as_array()
        .and_then(|items| items.iter().find(|e| e["Name"] == name))
        .unwrap_or_else(|| panic!("no '{name}' in {page:#}"))
}

#[tokio::test]
async fn the_library_is_a_read_only_server_wide_catalogue_the_root_advertises() {
    let api = Api::empty().await;
    let root = api.get("/api").await.body;
    assert_eq!(
        root["Links"]["CommunityActionTemplates"],
        "/api/communityactiontemplates{/id}{?skip,take,ids}"
    );
    let page = api.get("/api/communityactiontemplates?skip=0&take=100").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.body["ItemType"], "CommunityActionTemplate");
    let http = entry(&page.body, "HTTP - Test URL");
    assert_eq!(http["Type"], "Octopus.Script");
    assert!(http["Version"].as_i64().unwrap() > 0);
    assert!(http.get("SpaceId").is_none(), "the library belongs to no space");
    let one = api.get(&format!("/api/communityactiontemplates/{}", id(http))).await;
    assert_eq!(one.body["Name"], "HTTP - Test URL");
    let refused = api.post("/api/communityactiontemplates", json!({"Name": "Mine"})).await;
    assert_eq!(refused.status, 405);
    assert_eq!(
        api.get("/api/Spaces-1/communityactiontemplates").await.status,
        404,
        "no space route"
    );
}

#[tokio::test]
async fn installing_makes_a_step_template_at_the_librarys_version_once() {
    let api = Api::empty().await;
    let page = api.get("/api/communityactiontemplates").await.body;
    let slack = entry(&page, "Slack - Send Simple Notification").clone();
    let route = format!("/api/communityactiontemplates/{}/installation/Spaces-1", id(&slack));
    // The installation takes no body (SpaceCloner posts none).
    let installed = api
        .http
        .post(format!("{}{route}", api.sim.url()))
        .header("X-Octopus-ApiKey", api.sim.api_key())
        .send()
        .await
        .expect("sent");
    assert_eq!(installed.status().as_u16(), 201);
    let t: Value = installed.json().await.expect("json");
    assert_eq!(t["Name"], slack["Name"]);
    assert_eq!(t["Version"], slack["Version"]);
    assert_eq!(t["CommunityActionTemplateId"], slack["Id"]);
    assert_eq!(t["ActionType"], "Octopus.Script");
    assert!(id(&t).starts_with("ActionTemplates-"));
    let again = api.call(Method::POST, &route, None).await;
    assert_eq!(again.status, 400);
    assert!(errors_text(&again).contains("already installed"), "{}", again.raw);
    let shown = api
        .get(&format!(
            "/api/communityactiontemplates/{}/actiontemplate/Spaces-1",
            id(&slack)
        ))
        .await;
    assert_eq!(shown.body["Id"], t["Id"]);
}

#[tokio::test]
async fn updating_an_installation_brings_it_to_the_librarys_version_and_keeps_its_id() {
    let api = Api::start(SimConfig {
        community_library: CommunityLibrary::Older,
        ..SimConfig::default()
    })
    .await;
    let page = api.get("/api/communityactiontemplates").await.body;
    let http = entry(&page, "HTTP - Test URL").clone();
    assert!(
        page["Items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["Name"] != "File System - Clean Directory"),
        "the older edition lacks an entry"
    );
    let route = format!("/api/communityactiontemplates/{}/installation/Spaces-1", id(&http));
    let not_yet = api.call(Method::PUT, &route, None).await;
    assert_eq!(not_yet.status, 400);
    assert!(errors_text(&not_yet).contains("not yet installed"));
    let installed = api.ok(Method::POST, &route, None).await;
    let old = installed["Version"].as_i64().unwrap();

    api.sim.sync_community_library(CommunityLibrary::Current).unwrap();
    let page = api.get("/api/communityactiontemplates").await.body;
    let synced = entry(&page, "HTTP - Test URL");
    assert_eq!(synced["Id"], http["Id"], "a library sync keeps the entry's id");
    let newer = synced["Version"].as_i64().unwrap();
    assert!(newer > old);
    entry(&page, "File System - Clean Directory");

    let updated = api.ok(Method::PUT, &route, None).await;
    assert_eq!(updated["Id"], installed["Id"]);
    assert_eq!(
        updated["Version"], newer,
        "the library's version, not one more than before"
    );
    assert_ne!(
        updated["Properties"]["Octopus.Action.Script.ScriptBody"],
        installed["Properties"]["Octopus.Action.Script.ScriptBody"]
    );
}

#[tokio::test]
async fn an_installation_whose_name_is_taken_by_a_custom_template_is_refused() {
    let api = Api::empty().await;
    api.create(
        "actiontemplates",
        json!({"Name": "HTTP - Test URL", "ActionType": "Octopus.Script", "Properties": {}}),
    )
    .await;
    let page = api.get("/api/communityactiontemplates").await.body;
    let http = entry(&page, "HTTP - Test URL");
    let r = api
        .call(
            Method::POST,
            &format!("/api/communityactiontemplates/{}/installation/Spaces-1", id(http)),
            None,
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(errors_text(&r).contains("already exists"), "{}", r.raw);
}

#[tokio::test]
async fn a_library_that_cannot_sync_is_empty() {
    let api = Api::start(SimConfig {
        community_library: CommunityLibrary::Empty,
        ..SimConfig::default()
    })
    .await;
    let page = api.get("/api/communityactiontemplates").await.body;
    assert_eq!(page["TotalResults"], 0);
}

#[tokio::test]
async fn a_step_template_put_must_carry_the_version_it_read() {
    let api = Api::empty().await;
    let t = api
        .create(
            "actiontemplates",
            json!({"Name": "T", "ActionType": "Octopus.Script", "Properties": {}}),
        )
        .await;
    let path = format!("/api/Spaces-1/actiontemplates/{}", id(&t));
    let saved = api.ok(Method::PUT, &path, Some(t.clone())).await;
    assert_eq!(saved["Version"], 1);
    let stale = api.put(&path, t).await;
    assert_eq!(stale.status, 400);
    assert!(
        errors_text(&stale).contains("another user has made changes"),
        "{}",
        stale.raw
    );
}
