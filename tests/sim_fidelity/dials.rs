//! The simulator's dials: injected faults and latency, and the request log.

use super::*;

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
