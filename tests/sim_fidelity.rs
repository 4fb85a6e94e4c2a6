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

/// The names of a page's items, in order.
fn names_of(page: &Value) -> Vec<String> {
    page["Items"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|d| d["Name"].as_str().unwrap_or("").to_string())
        .collect()
}

// One module per concern; the helpers above are theirs.
#[path = "sim_fidelity/binding.rs"]
mod binding;
#[path = "sim_fidelity/community.rs"]
mod community;
#[path = "sim_fidelity/dials.rs"]
mod dials;
#[path = "sim_fidelity/payloads.rs"]
mod payloads;
#[path = "sim_fidelity/projects.rs"]
mod projects;
#[path = "sim_fidelity/rules.rs"]
mod rules;
#[path = "sim_fidelity/surface.rs"]
mod surface;
#[path = "sim_fidelity/variables.rs"]
mod variables;
