//! A faithful simulator of the Octopus Deploy REST API, built from `reference/octopus-api.md`
//! (§1, §3, §5), the server's swagger documents and the real payloads. It serves over real HTTP on
//! loopback, with dials for latency, faults (503, 429, dropped connections) and a request log.

mod cli;
mod envelope;
mod error;
mod faults;
mod kinds;
mod ops;
mod process;
mod routes;
mod rules;
mod secrets;
mod seed;
mod store;
mod variables;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, Uri};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt;

pub use cli::{run_cli, SimCliArgs};
pub use faults::Fault as SimFault;

use faults::{Fault, Faults};
use kinds::Kind;
use store::{str_of, Store};

/// How a simulated server starts.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The one valid API key (format `API-` + uppercase letters and digits).
    pub api_key: String,
    /// Reported in `GET /api` `Version`.
    pub version: String,
    /// Name of the default space (`Spaces-1`).
    pub space_name: String,
    /// Initial data of the default space.
    pub seed: Seed,
    /// Added to every request.
    pub latency: Duration,
    /// Share of requests (0.0..=1.0) that get an injected fault.
    pub fault_rate: f64,
    /// Seed of the fault RNG, so a test is repeatable.
    pub fault_seed: u64,
    /// Page size when `?take` is absent (30 on Octopus).
    pub default_take: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            api_key: "API-SIMULATOR000000000000000000001".to_string(),
            version: "2024.3.10989".to_string(),
            space_name: "Default".to_string(),
            seed: Seed::Empty,
            latency: Duration::ZERO,
            fault_rate: 0.0,
            fault_seed: 0,
            default_take: 30,
        }
    }
}

/// Initial data of the default space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    /// Only the built-ins every space has.
    Empty,
    /// A Dev/Test instance with projects, variables, tenants and library items.
    DemoSource,
    /// A Staging/Production instance that already has part of the source's scaffolding.
    DemoDestination,
}

/// One served request, as the request log records it (never bodies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// HTTP method.
    pub method: String,
    /// Path and query as sent (an `apikey` query value is masked).
    pub path: String,
    /// Status sent; 0 when the connection was dropped without a response.
    pub status: u16,
    /// The injected fault: `unavailable_503`, `rate_limited_429`, `dropped_before_processing`
    /// or `dropped_after_commit`.
    pub fault: Option<String>,
}

struct Shared {
    store: Mutex<Store>,
    api_key: String,
    latency: Duration,
    faults: Faults,
    log: Mutex<Vec<LoggedRequest>>,
}

impl Shared {
    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn record(&self, method: &str, path: &str, status: u16, fault: Option<Fault>) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log.push(LoggedRequest {
            method: method.to_string(),
            path: path.to_string(),
            status,
            fault: fault.map(|f| f.label().to_string()),
        });
    }
}

/// The error that makes hyper close a connection without answering.
#[derive(Debug)]
struct DroppedConnection;

impl std::fmt::Display for DroppedConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("simulated dropped connection")
    }
}

impl std::error::Error for DroppedConnection {}

/// A running simulated Octopus Server.
pub struct SimServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl SimServer {
    /// Start on 127.0.0.1 with a free port.
    pub async fn start(config: SimConfig) -> anyhow::Result<SimServer> {
        Self::start_on(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Start on the given address (use a loopback address).
    pub async fn start_on(config: SimConfig, addr: SocketAddr) -> anyhow::Result<SimServer> {
        let mut store = Store::new(&config.version, config.default_take);
        seed::build(&mut store, &config.space_name, config.seed)?;
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            api_key: config.api_key.clone(),
            latency: config.latency,
            faults: Faults::new(config.fault_rate, config.fault_seed),
            log: Mutex::new(Vec::new()),
        });
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let router = Router::new()
            .fallback(handler)
            .layer(DefaultBodyLimit::max(256 * 1024 * 1024))
            .with_state(shared.clone());
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(accept_loop(listener, router, shared.clone(), stopped));
        Ok(SimServer {
            addr,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// Base URL, e.g. `http://127.0.0.1:PORT` (no trailing slash, no `/api`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The valid API key.
    pub fn api_key(&self) -> &str {
        &self.shared.api_key
    }

    /// Every request served so far.
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        self.shared.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Forget the requests served so far.
    pub fn clear_request_log(&self) {
        self.shared.log.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// The next `count` requests with `method` (e.g. `POST`) get `fault`, before any random fault.
    pub fn inject(&self, method: &str, fault: SimFault, count: usize) {
        self.shared.faults.inject(method, fault, count);
    }

    /// Change the fault rate at run time.
    pub fn set_fault_rate(&self, rate: f64) {
        self.shared.faults.set_rate(rate);
    }

    /// Id of the space with this name (case-insensitive).
    pub fn space_id(&self, name: &str) -> Option<String> {
        let store = self.shared.store();
        store
            .spaces
            .iter()
            .find(|s| str_of(s, "Name").eq_ignore_ascii_case(name))
            .map(|s| str_of(s, "Id").to_string())
    }

    /// The stored documents of a collection as GET returns them (secrets hidden), in server order.
    pub fn items(&self, space_id: &str, collection: &str) -> Vec<Value> {
        let store = self.shared.store();
        let Some(kind) = Kind::from_coll(collection) else {
            return Vec::new();
        };
        let mut docs: Vec<store::Doc> = if kind == Kind::Space {
            store.spaces.clone()
        } else {
            store.list(space_id, kind).to_vec()
        };
        if matches!(kind, Kind::Team | Kind::ScopedUserRole) {
            docs.retain(|d| {
                let owner = str_of(d, "SpaceId");
                owner.is_empty() || owner.eq_ignore_ascii_case(space_id)
            });
        }
        envelope::sort(kind, &mut docs);
        docs.iter().map(|d| ops::render(&store, space_id, kind, d)).collect()
    }

    /// Create a resource without HTTP: same validation, defaults and side effects as POST.
    /// Also accepts read-only kinds (`machines`, `workers`) so tests can seed targets.
    pub fn insert(&self, space_id: &str, collection: &str, doc: Value) -> anyhow::Result<Value> {
        let mut store = self.shared.store();
        let kind = Kind::from_coll(collection).ok_or_else(|| anyhow::anyhow!("unknown collection '{collection}'"))?;
        let created = ops::create_any(&mut store, space_id, kind, doc)?;
        Ok(ops::render(&store, space_id, kind, &created))
    }

    /// Replace a resource without HTTP: same rules as PUT (processes and variable sets included).
    pub fn update(&self, space_id: &str, collection: &str, id: &str, doc: Value) -> anyhow::Result<Value> {
        let mut store = self.shared.store();
        let kind = Kind::from_coll(collection).ok_or_else(|| anyhow::anyhow!("unknown collection '{collection}'"))?;
        let updated = ops::update(&mut store, space_id, kind, id, doc)?;
        Ok(ops::render(&store, space_id, kind, &updated))
    }

    /// Whether a stored sensitive variable holds a non-empty secret (never the secret itself).
    #[doc(hidden)]
    pub fn sensitive_variable_has_value(&self, space_id: &str, set_id: &str, variable_id: &str) -> Option<bool> {
        variables::sensitive_has_value(&self.shared.store(), space_id, set_id, variable_id)
    }

    /// Create another space with its built-ins; returns its id (the existing one if the name is taken).
    pub fn add_space(&self, name: &str) -> String {
        if let Some(id) = self.space_id(name) {
            return id;
        }
        let mut store = self.shared.store();
        match rules::create_space(&mut store, json!({"Name": name, "SpaceManagersTeams": []})) {
            Ok(doc) => str_of(&doc, "Id").to_string(),
            Err(e) => {
                tracing::warn!("sim: could not add space '{name}': {e}");
                String::new()
            }
        }
    }

    /// Stop serving and close open connections.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

async fn accept_loop(listener: TcpListener, router: Router, shared: Arc<Shared>, mut stopped: oneshot::Receiver<()>) {
    // Connections live in the set: leaving the loop drops it and aborts them all.
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let router = router.clone();
                let shared = shared.clone();
                let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                    serve_one(shared.clone(), router.clone(), req)
                });
                conns.spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}

/// Mask an `apikey` query value so the log never holds a credential.
fn logged_path(uri: &Uri) -> String {
    let path = uri.path().to_string();
    match uri.query() {
        None => path,
        Some(q) => {
            let masked: Vec<String> = q
                .split('&')
                .map(|p| match p.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("apikey") => format!("{k}=API-***"),
                    _ => p.to_string(),
                })
                .collect();
            format!("{path}?{}", masked.join("&"))
        }
    }
}

/// Serves one request. The work runs in its own task: like a real server, it finishes (and is
/// logged) even when the client gives up and closes the connection first.
async fn serve_one(
    shared: Arc<Shared>,
    router: Router,
    req: Request<Incoming>,
) -> Result<Response<Body>, DroppedConnection> {
    tokio::spawn(process_one(shared, router, req))
        .await
        .unwrap_or(Err(DroppedConnection))
}

/// Latency, faults and the request log around the router. Returning `Err` makes hyper close the
/// connection without a response: that is how drops are simulated.
async fn process_one(
    shared: Arc<Shared>,
    router: Router,
    req: Request<Incoming>,
) -> Result<Response<Body>, DroppedConnection> {
    let method = req.method().to_string();
    let path = logged_path(req.uri());
    if !shared.latency.is_zero() {
        tokio::time::sleep(shared.latency).await;
    }
    let is_write = matches!(
        req.method(),
        &Method::POST | &Method::PUT | &Method::DELETE | &Method::PATCH
    );
    let fault = shared.faults.decide(req.method().as_str(), is_write);
    match fault {
        Some(Fault::DroppedBefore) => {
            shared.record(&method, &path, 0, fault);
            return Err(DroppedConnection);
        }
        Some(Fault::Unavailable) => {
            shared.record(&method, &path, 503, fault);
            // Shaped like error-500.json.
            // QUESTION: a real 503 usually comes from a proxy or load balancer, maybe with an HTML body.
            let body = json!({
                "ErrorMessage": "The Octopus Server is temporarily unavailable. Please try again later.",
                "FullException": null
            });
            return Ok(json_response(503, &body, None));
        }
        Some(Fault::Stalled(pause)) => tokio::time::sleep(pause).await,
        Some(Fault::RateLimited) => {
            shared.record(&method, &path, 429, fault);
            let body = json!({"ErrorMessage": "Too many requests. Please retry after the time given in the Retry-After header."});
            return Ok(json_response(429, &body, Some(("retry-after", "1"))));
        }
        _ => {}
    }
    let response = match router.oneshot(req).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    if fault == Some(Fault::DroppedAfterCommit) {
        shared.record(&method, &path, 0, fault);
        return Err(DroppedConnection);
    }
    let stalled = fault.filter(|f| matches!(f, Fault::Stalled(_)));
    shared.record(&method, &path, response.status().as_u16(), stalled);
    Ok(response)
}

fn json_response(status: u16, body: &Value, header: Option<(&'static str, &'static str)>) -> Response<Body> {
    let mut resp = Response::new(Body::from(body.to_string()));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    if let Some((k, v)) = header {
        resp.headers_mut().insert(k, HeaderValue::from_static(v));
    }
    resp
}

fn query_api_key(q: Option<&str>) -> Option<String> {
    q?.split('&').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.eq_ignore_ascii_case("apikey").then(|| envelope::percent_decode(v))
    })
}

async fn handler(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let header_key = headers
        .get("x-octopus-apikey")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let api_key = header_key.or_else(|| query_api_key(uri.query()));
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok());
    let req = routes::Request {
        method: method.as_str(),
        path: uri.path(),
        query: uri.query(),
        api_key: api_key.as_deref(),
        content_type,
        body: &body,
    };
    let reply = {
        let mut store = shared.store();
        routes::handle(&mut store, &shared.api_key, &req)
    };
    match reply.body {
        Some(b) => json_response(reply.status, &b, None),
        None => {
            let mut resp = Response::new(Body::empty());
            *resp.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
            resp
        }
    }
}
