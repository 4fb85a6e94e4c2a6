//! Servers that misbehave, as an administrator sees it: the simulator behind a scripted proxy that
//! lies about totals, sends endless or HTML bodies and loses answers, and sockets that never answer.

mod support;

use axum::body::{Body, Bytes};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use octosync::sim::{Seed, SimConfig, SimServer};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::*;

/// What the proxy does with one request.
enum Act {
    /// Pass it to the simulator and its answer back.
    Forward,
    /// Pass it on, then change the JSON answer.
    Edit(fn(&str, &mut Value)),
    /// Answer with this status, content type and body; the simulator never sees the request.
    Answer(u16, &'static str, String),
    /// Pass it on (the simulator does the work), then answer with this status and body instead.
    ForwardThenAnswer(u16, &'static str, String),
    /// Pass it on (the simulator does the work), then close the connection without answering.
    ForwardThenDrop,
    /// Answer 200 with a JSON body that never ends.
    Endless,
}

/// A scripted proxy in front of a simulator; it records every request it saw.
struct Proxy {
    url: String,
    seen: Arc<Mutex<Vec<(String, String)>>>,
}

impl Proxy {
    fn count(&self, method: &str, path_part: &str) -> usize {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|(m, p)| m == method && p.contains(path_part))
            .count()
    }
}

#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

type Script = dyn Fn(&str, &str) -> Act + Send + Sync;

async fn proxy(upstream: &SimServer, script: impl Fn(&str, &str) -> Act + Send + Sync + 'static) -> Proxy {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let script: Arc<Script> = Arc::new(script);
    let upstream = upstream.url();
    let log = seen.clone();
    // reqwest is built without a default crypto provider; octosync installs ring the same way.
    let _ = rustls::crypto::ring::default_provider().install_default();
    tokio::spawn(async move {
        let http = reqwest::Client::new();
        while let Ok((stream, _)) = listener.accept().await {
            let (script, http, upstream, log) = (script.clone(), http.clone(), upstream.clone(), log.clone());
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let (script, http, upstream, log) = (script.clone(), http.clone(), upstream.clone(), log.clone());
                async move { handle(req, &*script, &http, &upstream, &log).await }
            });
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Proxy { url, seen }
}

async fn handle(
    req: Request<Incoming>,
    script: &Script,
    http: &reqwest::Client,
    upstream: &str,
    log: &Mutex<Vec<(String, String)>>,
) -> Result<Response<Body>, Dropped> {
    let method = req.method().clone();
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .to_string();
    log.lock().unwrap().push((method.to_string(), target.clone()));
    let act = script(method.as_str(), &target);
    let answer = |status: u16, content_type: &str, body: Body| {
        Response::builder()
            .status(status)
            .header("Content-Type", content_type)
            .body(body)
            .unwrap()
    };
    let forward = || async {
        let headers = req.headers().clone();
        let body = axum::body::to_bytes(Body::new(req.into_body()), usize::MAX)
            .await
            .map_err(|_| Dropped)?;
        let mut out = http.request(method.clone(), format!("{upstream}{target}"));
        for name in ["X-Octopus-ApiKey", "Content-Type"] {
            if let Some(v) = headers.get(name) {
                out = out.header(name, v.clone());
            }
        }
        let resp = out.body(body.to_vec()).send().await.map_err(|_| Dropped)?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.map_err(|_| Dropped)?;
        Ok::<_, Dropped>((status, bytes))
    };
    match act {
        Act::Forward => {
            let (status, bytes) = forward().await?;
            Ok(answer(status, "application/json", Body::from(bytes)))
        }
        Act::Edit(edit) => {
            let (status, bytes) = forward().await?;
            let mut doc: Value = serde_json::from_slice(&bytes).map_err(|_| Dropped)?;
            edit(&target, &mut doc);
            Ok(answer(status, "application/json", Body::from(doc.to_string())))
        }
        Act::Answer(status, content_type, body) => Ok(answer(status, content_type, Body::from(body))),
        Act::ForwardThenAnswer(status, content_type, body) => {
            forward().await?;
            Ok(answer(status, content_type, Body::from(body)))
        }
        Act::ForwardThenDrop => {
            forward().await?;
            Err(Dropped)
        }
        Act::Endless => {
            let head = futures::stream::once(async { Ok::<_, std::io::Error>(Bytes::from_static(b"{\"Items\": [")) });
            let filler = futures::stream::repeat_with(|| Ok(Bytes::from(vec![b' '; 64 * 1024])));
            use futures::StreamExt as _;
            Ok(answer(200, "application/json", Body::from_stream(head.chain(filler))))
        }
    }
}

/// Settings for syncing `source` into the space behind `destination_url`.
fn vars_via(p: &Pair, dir: &std::path::Path, destination_url: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v = p.vars(dir, extra);
    v.retain(|(k, _)| k != "OCTOSYNC_DESTINATION_URL");
    v.push(("OCTOSYNC_DESTINATION_URL".into(), destination_url.into()));
    v
}

fn job_of(vars: Vec<(String, String)>) -> octosync::settings::Job {
    octosync::settings::from_vars(vars).expect("valid test settings")
}

fn report_text(dir: &std::path::Path) -> String {
    ["octosync-report.json", "octosync-report.md"]
        .iter()
        .map(|f| std::fs::read_to_string(dir.join(f)).unwrap_or_default())
        .collect()
}

fn writes_to(sim: &SimServer) -> usize {
    sim.request_log()
        .iter()
        .filter(|r| matches!(r.method.as_str(), "POST" | "PUT" | "DELETE"))
        .count()
}

// ---- item 4: the same instance under another spelling ----

#[tokio::test(flavor = "multi_thread")]
async fn the_same_server_under_another_spelling_is_refused_and_nothing_is_written() {
    let sim = SimServer::start(SimConfig {
        seed: Seed::DemoSource,
        ..config(SOURCE_KEY)
    })
    .await
    .unwrap();
    let port = sim.url().rsplit(':').next().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let mut vars = octosync::demo::connection_settings(&sim, &sim);
    vars.retain(|(k, _)| k != "OCTOSYNC_DESTINATION_URL");
    vars.push(("OCTOSYNC_DESTINATION_URL".into(), format!("http://localhost:{port}")));
    vars.push(("OCTOSYNC_REPORT_DIR".into(), dir.path().display().to_string()));
    vars.extend(
        [ALL, &[("OCTOSYNC_MODE", "apply")]]
            .concat()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let out = run_binary(&[], vars).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("the source and the destination are the same space"), "{t}");
    assert!(
        t.contains("OCTOSYNC_DESTINATION_URL or OCTOSYNC_DESTINATION_SPACE"),
        "{t}"
    );
    assert_eq!(writes_to(&sim), 0, "{:?}", sim.request_log());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_server_with_another_space_is_still_allowed() {
    let sim = SimServer::start(SimConfig {
        seed: Seed::DemoSource,
        ..config(SOURCE_KEY)
    })
    .await
    .unwrap();
    let mirror = sim.add_space("Mirror");
    let port = sim.url().rsplit(':').next().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let mut vars = octosync::demo::connection_settings(&sim, &sim);
    vars.retain(|(k, _)| !matches!(k.as_str(), "OCTOSYNC_DESTINATION_URL" | "OCTOSYNC_DESTINATION_SPACE"));
    vars.push(("OCTOSYNC_DESTINATION_URL".into(), format!("http://localhost:{port}")));
    vars.push(("OCTOSYNC_DESTINATION_SPACE".into(), "Mirror".into()));
    vars.push(("OCTOSYNC_REPORT_DIR".into(), dir.path().display().to_string()));
    vars.push(("OCTOSYNC_MODE".into(), "apply".into()));
    vars.push(("OCTOSYNC_ENVIRONMENTS".into(), "all".into()));
    let report = run(&job_of(vars)).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.changes);
    assert!(report.summary.created > 0, "{}", report.summary_line());
    let sorted = |space: &str| {
        let mut n = names(&sim.items(space, "environments"));
        n.sort();
        n
    };
    assert_eq!(sorted(&mirror), sorted("Spaces-1"));
}

// ---- item 5: numbers and sizes from the server ----

#[tokio::test(flavor = "multi_thread")]
async fn a_page_claiming_two_billion_results_ends_in_a_clear_error_not_an_abort() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let liar = proxy(&p.destination, |method, target| {
        if method == "GET" && target.contains("/environments?") {
            Act::Edit(|_, page| page["TotalResults"] = json!(2147483647u64))
        } else {
            Act::Forward
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let vars = vars_via(
        &p,
        dir.path(),
        &liar.url,
        &[ALL, &[("OCTOSYNC_MODE", "apply")]].concat(),
    );
    let out = run_binary(&[], vars).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "ends with an error, not a signal: {t}");
    assert!(
        t.contains("could not load the environments of the destination space"),
        "{t}"
    );
    assert!(
        t.contains("the server reported 2147483647 items (TotalResults) but its pages held"),
        "{t}"
    );
    assert_eq!(p.dest_writes(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_invents_pages_forever_is_stopped_at_the_page_bound() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let endless = proxy(&p.destination, |method, target| {
        if method == "GET" && target.contains("/environments?") {
            // Every page is full of items nobody has seen before.
            Act::Edit(|target, page| {
                let skip: u64 = target.split("skip=").nth(1).and_then(|s| s.split('&').next()?.parse().ok()).unwrap_or(0);
                let items: Vec<Value> = (0..5)
                    .map(|i| json!({"Id": format!("Environments-{}", 1000 + skip + i), "Name": format!("Invented {}", skip + i)}))
                    .collect();
                page["Items"] = json!(items);
                page["TotalResults"] = json!(2147483647u64);
            })
        } else {
            Act::Forward
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut job = job_of(vars_via(&p, dir.path(), &endless.url, ALL));
    job.http.page_size = 5;
    job.http.max_pages = 40;
    let err = run_stopped(&job).await;
    let msg = format!("{err:#}");
    assert!(
        msg.contains("could not load the environments of the destination space"),
        "{msg}"
    );
    assert!(
        msg.contains(
            "still not at the end after 40 pages (200 items), and octosync reads at most 40 pages of one collection"
        ),
        "{msg}"
    );
    assert!(endless.count("GET", "/environments?") <= 40, "read past the bound");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_response_larger_than_the_cap_is_an_error_not_an_out_of_memory() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let huge = proxy(&p.destination, |method, target| {
        if method == "GET" && target.contains("/lifecycles?") {
            Act::Endless
        } else {
            Act::Forward
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let vars = vars_via(
        &p,
        dir.path(),
        &huge.url,
        &[ALL, &[("OCTOSYNC_MODE", "apply"), ("OCTOSYNC_MAX_RESPONSE_MB", "2")]].concat(),
    );
    // The body never ends: only a client that stops at the cap finishes at all.
    let out = tokio::time::timeout(Duration::from_secs(60), run_binary(&[], vars))
        .await
        .expect("stopped reading at the cap");
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("the response is more than the 2 MB octosync accepts (OCTOSYNC_MAX_RESPONSE_MB)"),
        "{t}"
    );
    assert_eq!(
        huge.count("GET", "/lifecycles?"),
        1,
        "a too-large answer is not retried"
    );
    assert_eq!(p.dest_writes(), 0);
}

// ---- item 6: servers without spaces ----

fn pre_2019_pair_config() -> (SimConfig, SimConfig) {
    (
        SimConfig {
            seed: Seed::DemoSource,
            ..config(SOURCE_KEY)
        },
        SimConfig {
            seed: Seed::DemoDestination,
            version: "2018.11.2".into(),
            ..config(DEST_KEY)
        },
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pre_2019_destination_refuses_a_space_name_it_cannot_have_and_writes_nothing() {
    let (s, d) = pre_2019_pair_config();
    let p = pair_with(s, d).await;
    let dir = tempfile::tempdir().unwrap();
    let vars = p.vars(
        dir.path(),
        &[
            ALL,
            &[
                ("OCTOSYNC_MODE", "apply"),
                ("OCTOSYNC_IGNORE_VERSION_MISMATCH", "True"),
                ("OCTOSYNC_DESTINATION_SPACE", "Platform"),
            ],
        ]
        .concat(),
    );
    let out = run_binary(&[], vars).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains(
            "runs Octopus 2018.11.2, which has no spaces (they arrived in 2019.1), so it has no space 'Platform'"
        ),
        "{t}"
    );
    assert!(t.contains("set OCTOSYNC_DESTINATION_SPACE to Default"), "{t}");
    assert_eq!(p.dest_writes(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pre_2019_destination_named_default_syncs_its_only_space() {
    let (s, d) = pre_2019_pair_config();
    let p = pair_with(s, d).await;
    let dir = tempfile::tempdir().unwrap();
    let job = p.job(
        dir.path(),
        &[
            ("OCTOSYNC_MODE", "apply"),
            ("OCTOSYNC_ENVIRONMENTS", "all"),
            ("OCTOSYNC_IGNORE_VERSION_MISMATCH", "True"),
        ],
    );
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.changes);
    assert!(report.summary.created > 0);
    assert!(p
        .destination
        .request_log()
        .iter()
        .any(|r| r.method == "POST" && r.path == "/api/environments"));
}

// ---- item 9: servers that never answer ----

/// A listener whose accept queue is full: connecting to it hangs, as to a host behind a firewall
/// that drops packets. The fillers must live as long as the test.
async fn never_accepts() -> (String, tokio::net::TcpListener, Vec<tokio::net::TcpStream>) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    while let Ok(Ok(s)) = tokio::time::timeout(Duration::from_millis(200), tokio::net::TcpStream::connect(addr)).await {
        fillers.push(s);
        assert!(fillers.len() < 64, "the accept queue never filled");
    }
    (format!("http://{addr}"), listener, fillers)
}

/// A server that accepts connections and reads requests but never answers.
async fn never_answers() -> String {
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_never_accepts_the_connection_fails_in_seconds_with_the_setting_to_check() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let (url, _listener, _fillers) = never_accepts().await;
    let dir = tempfile::tempdir().unwrap();
    // Default request timeout (60 s) and attempts (5); only the connect timeout is shortened.
    let mut job = job_of(vars_via(&p, dir.path(), &url, &[("OCTOSYNC_MODE", "apply")]));
    job.http.connect_timeout = Duration::from_millis(400);
    let started = Instant::now();
    let err = run_stopped(&job).await;
    let msg = format!("{err:#}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        msg.contains("could not read the API root of the destination instance"),
        "{msg}"
    );
    assert!(
        msg.contains("failed after 2 attempt(s): could not connect within 0.4 s"),
        "{msg}"
    );
    assert!(msg.contains("check OCTOSYNC_DESTINATION_URL"), "{msg}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_accepts_but_never_answers_fails_in_seconds_not_minutes() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let url = never_answers().await;
    let dir = tempfile::tempdir().unwrap();
    let mut job = job_of(vars_via(&p, dir.path(), &url, &[("OCTOSYNC_MODE", "apply")]));
    job.http.connect_timeout = Duration::from_millis(400);
    let started = Instant::now();
    let err = run_stopped(&job).await;
    let msg = format!("{err:#}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        msg.contains("failed after 2 attempt(s): no response within 0.8 s"),
        "{msg}"
    );
    assert!(msg.contains("accepts connections but never answered"), "{msg}");
}

// ---- item 10: a lost create is never sent again on a guess ----

/// The first POST to `environments` is made but its answer lost; the next `failing` look-ups
/// by name fail with a 500.
async fn lost_create_then_failing_lookups(p: &Pair, failing: usize) -> Proxy {
    let posts = Arc::new(AtomicUsize::new(0));
    let lookups = Arc::new(AtomicUsize::new(0));
    proxy(&p.destination, move |method, target| {
        if method == "POST" && target.ends_with("/environments") && posts.fetch_add(1, Ordering::SeqCst) == 0 {
            Act::ForwardThenDrop
        } else if method == "GET" && target.contains("partialName=") && lookups.fetch_add(1, Ordering::SeqCst) < failing
        {
            Act::Answer(
                500,
                "application/json",
                r#"{"ErrorMessage": "database is busy"}"#.into(),
            )
        } else {
            Act::Forward
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_create_whose_look_up_fails_is_looked_up_again_never_sent_again() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let lossy = lost_create_then_failing_lookups(&p, 2).await;
    let dir = tempfile::tempdir().unwrap();
    let job = job_of(vars_via(
        &p,
        dir.path(),
        &lossy.url,
        &[("OCTOSYNC_MODE", "apply"), ("OCTOSYNC_ENVIRONMENTS", "all")],
    ));
    let report = run(&job).await.unwrap();
    assert_eq!(report.summary.errors, 0, "{:?}", report.changes);
    let posts = p
        .destination
        .request_log()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, report.summary.created, "every create was sent exactly once");
    assert!(
        lossy.count("GET", "partialName=") >= 3,
        "looked up until a look-up worked"
    );
    assert_names_unique(&p);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_create_that_cannot_be_looked_up_fails_saying_it_may_have_been_made() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let lossy = lost_create_then_failing_lookups(&p, usize::MAX).await;
    let dir = tempfile::tempdir().unwrap();
    let job = job_of(vars_via(
        &p,
        dir.path(),
        &lossy.url,
        &[
            ("OCTOSYNC_MODE", "apply"),
            ("OCTOSYNC_ENVIRONMENTS", "all"),
            ("OCTOSYNC_MAX_ATTEMPTS", "3"),
        ],
    ));
    let report = run(&job).await.unwrap();
    let failed: Vec<_> = report.changes.iter().filter(|c| c.error.is_some()).collect();
    assert_eq!(failed.len(), 1, "{:?}", report.changes);
    let error = failed[0].error.as_deref().unwrap();
    assert!(error.contains("failed after 3 attempt(s)"), "{error}");
    assert!(error.contains("looking up whether it was made failed"), "{error}");
    assert!(
        error.contains("HTTP 500 Internal Server Error: database is busy"),
        "{error}"
    );
    assert!(error.contains("may or may not have been made"), "{error}");
    assert!(
        error.contains(&format!("check whether '{}' exists in", failed[0].name)),
        "{error}"
    );
    // The create was made once (the proxy lost its answer) and never sent again.
    let posts = p
        .destination
        .request_log()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, report.summary.created + 1, "{:?}", p.destination.request_log());
    assert_names_unique(&p);
}

// ---- items 15 and 1: messages say what happened, on one line ----

const LB_PAGE: &str = "<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title>\n<style>body{color:red}</style></head>\n<body>\n<h1>Bad Gateway</h1>\n<p>The upstream server\nreturned an invalid response.</p>\n<script>track()</script>\n</body>\n</html>\n";

#[tokio::test(flavor = "multi_thread")]
async fn an_html_error_page_becomes_one_line_in_the_output_and_the_reports() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let balancer = proxy(&p.destination, |method, _| {
        if method == "POST" {
            Act::Answer(502, "text/html", LB_PAGE.into())
        } else {
            Act::Forward
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let vars = vars_via(
        &p,
        dir.path(),
        &balancer.url,
        &[
            ("OCTOSYNC_MODE", "apply"),
            ("OCTOSYNC_ENVIRONMENTS", "all"),
            ("OCTOSYNC_MAX_ATTEMPTS", "2"),
        ],
    );
    let out = run_binary(&[], vars).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    let reports = report_text(dir.path());
    for (what, text) in [("output", &t), ("reports", &reports)] {
        assert!(
            text.contains("the server answered HTTP 502 Bad Gateway: an HTML page titled '502 Bad Gateway'"),
            "{what}: {text}"
        );
        for raw in ["<html", "<title", "DOCTYPE", "track()", "color:red"] {
            assert!(!text.contains(raw), "{what} holds raw HTML ({raw}): {text}");
        }
    }
    let report =
        octosync::report::from_json(&std::fs::read_to_string(dir.path().join("octosync-report.json")).unwrap())
            .unwrap();
    for c in report.changes.iter().filter_map(|c| c.error.as_deref()) {
        assert!(!c.contains('\n'), "an error spans lines: {c}");
    }
    assert_eq!(p.dest_writes(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_error_body_says_it_was_empty() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let empty = proxy(&p.destination, |method, target| {
        if method == "GET" && target.contains("/environments?") {
            Act::Answer(502, "text/plain", String::new())
        } else {
            Act::Forward
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let vars = vars_via(
        &p,
        dir.path(),
        &empty.url,
        &[ALL, &[("OCTOSYNC_MAX_ATTEMPTS", "1")]].concat(),
    );
    let out = run_binary(&[], vars).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("the server answered HTTP 502 Bad Gateway with an empty body"),
        "{t}"
    );
    assert!(!t.contains("HTTP 502: "), "{t}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gateway_timeout_after_the_create_is_not_called_a_lost_response() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let posts = Arc::new(AtomicUsize::new(0));
    let gateway = proxy(&p.destination, move |method, target| {
        if method == "POST" && target.ends_with("/environments") && posts.fetch_add(1, Ordering::SeqCst) == 0 {
            Act::ForwardThenAnswer(504, "text/plain", "upstream request timeout".into())
        } else {
            Act::Forward
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let vars = vars_via(
        &p,
        dir.path(),
        &gateway.url,
        &[
            ("OCTOSYNC_MODE", "apply"),
            ("OCTOSYNC_ENVIRONMENTS", "all"),
            ("OCTOSYNC_VERBOSE", "True"),
        ],
    );
    let out = run_binary(&[], vars).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("the server answered HTTP 504 Gateway Timeout: upstream request timeout; a look-up shows the write was made, so it is not sent again"),
        "{t}"
    );
    assert!(!t.contains("response was lost"), "{t}");
    assert_eq!(
        gateway.count("POST", "/environments"),
        p.destination
            .request_log()
            .iter()
            .filter(|r| r.method == "POST")
            .count()
    );
}

// ---- item 1: a server that quotes the key it was sent ----

/// A destination that refuses every create with a message quoting the key, after `filler` characters.
async fn quoting_destination(p: &Pair, filler: usize) -> Proxy {
    proxy(&p.destination, move |method, _| {
        if method == "POST" {
            let text = format!("{} bad key {}", "x".repeat(filler), DEST_KEY);
            Act::Answer(400, "application/json", json!({"ErrorMessage": text}).to_string())
        } else {
            Act::Forward
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_error_quoting_the_api_key_is_masked_in_the_log_and_both_reports() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    // Short, and long enough that cutting the message to one line would split the key.
    for filler in [0, 480] {
        let quoting = quoting_destination(&p, filler).await;
        let dir = tempfile::tempdir().unwrap();
        let vars = vars_via(
            &p,
            dir.path(),
            &quoting.url,
            &[("OCTOSYNC_MODE", "apply"), ("OCTOSYNC_ENVIRONMENTS", "all")],
        );
        let out = run_binary(&[], vars).await;
        let t = text(&out);
        assert_eq!(out.status.code(), Some(1), "{t}");
        assert!(t.contains("bad key"), "the server's message is shown: {t}");
        let reports = report_text(dir.path());
        // "API-" and the key's first six characters would already be a leak.
        let start = &DEST_KEY[.."API-".len() + 6];
        for (what, text) in [("output", &t), ("reports", &reports)] {
            assert!(!text.contains(start), "{what} holds (part of) the key: {text}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_total_results_that_under_reports_never_hides_items() {
    let p = pair(Seed::DemoSource, Seed::DemoDestination).await;
    let liar = proxy(&p.destination, |method, target| {
        if method == "GET" && target.contains("/environments?") {
            Act::Edit(|_, page| page["TotalResults"] = json!(1u64))
        } else {
            Act::Forward
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut job = job_of(vars_via(&p, dir.path(), &liar.url, &[("OCTOSYNC_ENVIRONMENTS", "all")]));
    job.http.page_size = 1;
    let report = run(&job).await.unwrap();
    let on_destination = p.dest_names("environments");
    let creates: Vec<&str> = report
        .changes
        .iter()
        .filter(|c| c.kind == "Environment" && c.action == octosync::report::Action::Create)
        .map(|c| c.name.as_str())
        .collect();
    assert!(
        !creates.is_empty(),
        "the destination lacks some of the source's environments"
    );
    for name in &creates {
        assert!(
            !on_destination.iter().any(|d| d.eq_ignore_ascii_case(name)),
            "plans to create '{name}', which the destination has: its listing was cut short"
        );
    }
}
