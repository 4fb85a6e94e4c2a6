//! A serial SpaceCloner-style client: one request at a time, the request pattern of
//! SpaceCloner's `CloneSpace.ps1` (`../shared/reference/spacecloner.md` §2.1 start-up loads, §2.3
//! order, §2.4 per project, §6.4). It does not merge: it sends the reads SpaceCloner sends, PUTs
//! back the destination documents it read where SpaceCloner re-PUTs on every run (tag sets,
//! machine policies, library sets and their variables, projects, processes, runbook processes,
//! project variables, channel rules, versioning, tenants, tenant variables), and POSTs the source
//! document for every item the destination lacked before the first sync. It runs after octosync
//! in each scenario and reads octosync's destination, so the reads of what its POSTs would have
//! created find octosync's copies; its writes go to the same paths on a twin of the generated
//! destination (same seed, same latency), so they cost their round trip without changing what
//! octosync syncs next (a PUT of a variable set as read would clear its secrets). Statuses of the
//! twin's answers do not matter: every request is one round trip at the latency, which is what is
//! measured. Logos (a GET, a POST and a
//! fixed 2 s sleep per project in SpaceCloner) are left out, to its advantage.

use octosync::sim::SimServer;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Names the destination lacked before the first sync, by collection (`project/name` under a
/// project).
pub type Missing = BTreeMap<String, BTreeSet<String>>;

struct Client<'a> {
    http: reqwest::Client,
    source: &'a SimServer,
    destination: &'a SimServer,
    sink: &'a SimServer,
}

#[derive(Clone, Copy)]
enum Side {
    Source,
    Destination,
    /// The twin that takes the writes.
    Sink,
}

impl Client<'_> {
    fn sim(&self, side: Side) -> &SimServer {
        match side {
            Side::Source => self.source,
            Side::Destination => self.destination,
            Side::Sink => self.sink,
        }
    }

    async fn send(&self, side: Side, method: reqwest::Method, path: &str, body: Option<&Value>) -> Option<Value> {
        let sim = self.sim(side);
        let path = path.split('{').next().unwrap_or(path);
        let mut r = self
            .http
            .request(method, format!("{}{path}", sim.url()))
            .header("X-Octopus-ApiKey", sim.api_key());
        if let Some(b) = body {
            r = r.json(b);
        }
        let answer = r.send().await.ok()?;
        if !answer.status().is_success() {
            return None;
        }
        answer.json().await.ok()
    }

    async fn get(&self, side: Side, path: &str) -> Option<Value> {
        self.send(side, reqwest::Method::GET, path, None).await
    }

    async fn put(&self, path: &str, body: &Value) {
        self.send(Side::Sink, reqwest::Method::PUT, path, Some(body)).await;
    }

    async fn post(&self, path: &str, body: &Value) {
        let mut b = body.clone();
        if let Some(o) = b.as_object_mut() {
            o.remove("Id");
        }
        self.send(Side::Sink, reqwest::Method::POST, path, Some(&b)).await;
    }

    async fn list(&self, side: Side, path: &str) -> Vec<Value> {
        self.get(side, path)
            .await
            .and_then(|v| v.get("Items").and_then(Value::as_array).cloned())
            .unwrap_or_default()
    }
}

/// §2.1: the lists `Get-OctopusData` loads, once per instance, each a single GET with a fixed take.
async fn load(c: &Client<'_>, side: Side, space: &str) -> BTreeMap<&'static str, Vec<Value>> {
    c.get(side, "/api").await;
    c.get(side, "/api/spaces?skip=0&take=1000").await;
    let s = format!("/api/{space}");
    let lists: [(&str, String); 21] = [
        ("environments", format!("{s}/Environments?skip=0&take=1000")),
        ("workerpools", format!("{s}/workerpools?skip=0&take=1000")),
        ("tagsets", format!("{s}/tagsets?skip=0&take=1000")),
        ("tenants", format!("{s}/tenants?skip=0&take=10000")),
        ("machinepolicies", format!("{s}/machinepolicies?skip=0&take=10000")),
        ("workers", format!("{s}/workers?skip=0&take=10000")),
        ("machines", format!("{s}/machines?skip=0&take=10000")),
        ("actiontemplates", format!("{s}/actiontemplates?skip=0&take=1000")),
        ("community", "/api/communityactiontemplates?skip=0&take=1000".into()),
        ("accounts", format!("{s}/accounts?skip=0&take=1000")),
        (
            "libraryvariablesets",
            format!("{s}/libraryvariablesets?skip=0&take=1000&contentType=Variables"),
        ),
        ("lifecycles", format!("{s}/lifecycles?skip=0&take=1000")),
        ("projectgroups", format!("{s}/projectgroups?skip=0&take=1000")),
        ("projects", format!("{s}/Projects?skip=0&take=1000")),
        ("feeds", format!("{s}/feeds?skip=0&take=1000")),
        (
            "scriptmodules",
            format!("{s}/libraryvariablesets?skip=0&take=1000&contentType=ScriptModule"),
        ),
        ("teams", format!("/api/teams?spaces={space}&includeSystem=true")),
        ("users", "/api/users?skip=0&take=1000".into()),
        ("userroles", "/api/users?skip=0&take=1000".into()),
        ("packages", format!("{s}/packages?filter=&latest=true&take=1000")),
        ("certificates", format!("{s}/certificates?skip=0&take=1000")),
    ];
    let mut out = BTreeMap::new();
    for (k, path) in lists {
        out.insert(k, c.list(side, &path).await);
    }
    out
}

fn s(d: &Value, f: &str) -> String {
    d.get(f).and_then(|v| v.as_str()).unwrap_or_default().to_string()
}

fn link(d: &Value, l: &str) -> String {
    d.pointer(&format!("/Links/{l}"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn by_name(list: &[Value], name: &str) -> Option<Value> {
    list.iter().find(|d| s(d, "Name").eq_ignore_ascii_case(name)).cloned()
}

/// One run of the serial client; `missing` is empty after the first sync.
pub async fn run(source: &SimServer, destination: &SimServer, sink: &SimServer, missing: &Missing) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let c = Client {
        http: reqwest::Client::new(),
        source,
        destination,
        sink,
    };
    let ss = source.space_id("Default").expect("space");
    let ds = destination.space_id("Default").expect("space");
    let src = load(&c, Side::Source, &ss).await;
    let dst = load(&c, Side::Destination, &ds).await;
    let d = format!("/api/{ds}");
    let lacks = |coll: &str, name: &str| missing.get(coll).is_some_and(|m| m.contains(name));

    // §2.3 in order; create-only kinds POST what is missing and skip the rest.
    for (coll, path) in [
        ("environments", format!("{d}/environments")),
        ("projectgroups", format!("{d}/projectgroups")),
        ("tagsets", format!("{d}/tagsets")),
        ("feeds", format!("{d}/feeds")),
        ("teams", "/api/teams".to_string()),
        ("actiontemplates", format!("{d}/actiontemplates")),
        ("accounts", format!("{d}/accounts")),
        ("scriptmodules", format!("{d}/libraryvariablesets")),
        ("machinepolicies", format!("{d}/machinepolicies")),
        ("lifecycles", format!("{d}/lifecycles")),
        ("workerpools", format!("{d}/workerpools")),
        ("tenants", format!("{d}/tenants")),
        ("libraryvariablesets", format!("{d}/libraryvariablesets")),
    ] {
        for item in &src[coll] {
            let name = s(item, "Name");
            if coll == "teams" && item.get("SpaceId").is_none_or(Value::is_null) {
                continue;
            }
            let existing = by_name(&dst[coll], &name);
            if lacks(coll, &name) || existing.is_none() {
                c.post(&path, item).await;
            } else if let Some(e) = &existing {
                // Merged and PUT on every run.
                if matches!(coll, "tagsets" | "machinepolicies" | "libraryvariablesets") {
                    c.put(&link(e, "Self"), e).await;
                }
            }
            // Script modules and library sets: variables GET on both sides, PUT on the destination.
            if matches!(coll, "scriptmodules" | "libraryvariablesets") {
                c.get(Side::Source, &link(item, "Variables")).await;
                if let Some(e) = &existing {
                    if let Some(vars) = c.get(Side::Destination, &link(e, "Variables")).await {
                        c.put(&link(&vars, "Self"), &vars).await;
                    }
                }
            }
        }
    }

    // §2.4, per project.
    for project in &src["projects"] {
        let name = s(project, "Name");
        let existing = by_name(&dst["projects"], &name);
        if lacks("projects", &name) || existing.is_none() {
            c.post(&format!("{d}/projects"), project).await;
        } else if let Some(e) = &existing {
            c.put(&link(e, "Self"), e).await;
        }
        let Some(dp) = existing else { continue };
        // Channels.
        let src_channels = c.list(Side::Source, &link(project, "Channels")).await;
        let dst_channels = c.list(Side::Destination, &link(&dp, "Channels")).await;
        for ch in &src_channels {
            if lacks("channels", &format!("{name}/{}", s(ch, "Name"))) {
                c.post(&format!("{d}/channels"), ch).await;
            }
        }
        // Deployment process.
        c.get(Side::Source, &link(project, "DeploymentProcess")).await;
        if let Some(p) = c.get(Side::Destination, &link(&dp, "DeploymentProcess")).await {
            c.put(&link(&p, "Self"), &p).await;
        }
        // Runbooks and their processes.
        let src_runbooks = c.list(Side::Source, &link(project, "Runbooks")).await;
        let dst_runbooks = c.list(Side::Destination, &link(&dp, "Runbooks")).await;
        for rb in &src_runbooks {
            let rb_name = s(rb, "Name");
            if lacks("runbooks", &format!("{name}/{rb_name}")) {
                c.post(&format!("{d}/runbooks"), rb).await;
            }
            c.get(Side::Source, &link(rb, "RunbookProcesses")).await;
            if let Some(drb) = by_name(&dst_runbooks, &rb_name) {
                if let Some(p) = c.get(Side::Destination, &link(&drb, "RunbookProcesses")).await {
                    c.put(&link(&p, "Self"), &p).await;
                }
            }
        }
        // Project variables.
        c.get(Side::Source, &link(project, "Variables")).await;
        if let Some(v) = c.get(Side::Destination, &link(&dp, "Variables")).await {
            c.put(&link(&v, "Self"), &v).await;
        }
        // Channel rules: one PUT per matched channel; versioning: the project again.
        for ch in &dst_channels {
            if by_name(&src_channels, &s(ch, "Name")).is_some() {
                c.put(&link(ch, "Self"), ch).await;
            }
        }
        c.put(&link(&dp, "Self"), &dp).await;
    }

    // Tenants, pass 2 (PUT every tenant every run), then tenant variables (GET both, POST).
    for tenant in &src["tenants"] {
        let Some(dt) = by_name(&dst["tenants"], &s(tenant, "Name")) else {
            continue;
        };
        c.put(&link(&dt, "Self"), &dt).await;
    }
    for tenant in &src["tenants"] {
        c.get(
            Side::Source,
            &format!("/api/{ss}/tenants/{}/variables", s(tenant, "Id")),
        )
        .await;
        let Some(dt) = by_name(&dst["tenants"], &s(tenant, "Name")) else {
            continue;
        };
        let path = format!("{d}/tenants/{}/variables", s(&dt, "Id"));
        if let Some(v) = c.get(Side::Destination, &path).await {
            c.send(Side::Sink, reqwest::Method::POST, &path, Some(&v)).await;
        }
    }
}

/// What the destination lacks by name, before the first sync.
pub fn missing(source: &SimServer, destination: &SimServer) -> Missing {
    let ss = source.space_id("Default").expect("space");
    let ds = destination.space_id("Default").expect("space");
    let mut out = Missing::new();
    let names = |sim: &SimServer, space: &str, coll: &str| -> BTreeSet<String> {
        let projects: BTreeMap<String, String> = sim
            .items(space, "projects")
            .iter()
            .map(|p| (s(p, "Id"), s(p, "Name")))
            .collect();
        sim.items(space, coll)
            .iter()
            .map(|d| match coll {
                "channels" | "runbooks" => format!(
                    "{}/{}",
                    projects.get(&s(d, "ProjectId")).cloned().unwrap_or_default(),
                    s(d, "Name")
                ),
                _ => s(d, "Name"),
            })
            .collect()
    };
    for coll in [
        "environments",
        "projectgroups",
        "tagsets",
        "feeds",
        "teams",
        "actiontemplates",
        "accounts",
        "machinepolicies",
        "lifecycles",
        "workerpools",
        "tenants",
        "libraryvariablesets",
        "projects",
        "channels",
        "runbooks",
    ] {
        let have = names(destination, &ds, coll);
        let lacking: BTreeSet<String> = names(source, &ss, coll).difference(&have).cloned().collect();
        if coll == "libraryvariablesets" {
            out.insert("scriptmodules".into(), lacking.clone());
        }
        out.insert(coll.into(), lacking);
    }
    out
}
