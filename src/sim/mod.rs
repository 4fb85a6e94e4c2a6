//! A faithful simulator of the Octopus Deploy REST API, built from `reference/octopus-api.md`
//! (§1, §3, §5), the server's swagger documents and the real payloads. It serves over real HTTP on
//! loopback, with dials for latency, faults (503, 429, dropped connections) and a request log.

mod binding;
mod cli;
mod envelope;
mod error;
mod faults;
mod image;
mod kind;
mod kinds;
mod library;
mod logos;
mod multipart;
mod pipeline;
mod refs;
mod routes;
mod schema;
mod secrets;
mod seed;
mod server;
mod shape;
mod store;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use cli::{run_cli, SimCliArgs};
pub use faults::Fault as SimFault;
pub use image::solid_png;
pub use kinds::community_action_template::CommunityLibrary;
pub use seed::large::{LargeCounts, LargeScale, SELECT_EVERYTHING};

use envelope::Query;
use faults::{Fault, Faults};
use kind::Kind;
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
    /// The edition of the community step template library the server last synced.
    pub community_library: CommunityLibrary,
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
            community_library: CommunityLibrary::Current,
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
    /// The large space of issue 11 at `scale`: Development to Production, hundreds of projects.
    LargeSource {
        /// Its size relative to the issue's.
        scale: LargeScale,
    },
    /// The large space's Staging/Production destination: part of the source under other ids.
    LargeDestination {
        /// Its size relative to the issue's.
        scale: LargeScale,
    },
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
    /// Requests being served now.
    in_flight: AtomicUsize,
    /// The most requests served at once so far.
    peak_in_flight: AtomicUsize,
}

impl Shared {
    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts a request as being served until the guard is dropped.
    fn serving(&self) -> Serving<'_> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak_in_flight.fetch_max(now, Ordering::SeqCst);
        Serving(self)
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

/// One request being served; dropping it ends it.
struct Serving<'a>(&'a Shared);

impl Drop for Serving<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

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
        seed::build(&mut store, &config.space_name, config.seed, config.community_library)?;
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            api_key: config.api_key.clone(),
            latency: config.latency,
            faults: Faults::new(config.fault_rate, config.fault_seed),
            log: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            peak_in_flight: AtomicUsize::new(0),
        });
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let router = Router::new()
            .fallback(server::handler)
            .layer(DefaultBodyLimit::max(256 * 1024 * 1024))
            .with_state(shared.clone());
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(server::accept_loop(listener, router, shared.clone(), stopped));
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

    /// The most requests this server was serving at once so far (from their arrival to their
    /// answer, latency included).
    pub fn peak_in_flight(&self) -> usize {
        self.shared.peak_in_flight.load(Ordering::SeqCst)
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
        let Some(kind) = Kind::from_segment(collection) else {
            return Vec::new();
        };
        let docs = pipeline::list(&store, space_id, kind, &Query::default(), None);
        docs.iter()
            .map(|d| pipeline::render(&store, space_id, kind, d))
            .collect()
    }

    /// Create a resource without HTTP: same validation, defaults and side effects as POST.
    /// Also accepts read-only kinds (`machines`, `workers`) so tests can seed targets.
    pub fn insert(&self, space_id: &str, collection: &str, doc: Value) -> anyhow::Result<Value> {
        let mut store = self.shared.store();
        let kind =
            Kind::from_segment(collection).ok_or_else(|| anyhow::anyhow!("unknown collection '{collection}'"))?;
        let created = pipeline::create_any(&mut store, space_id, kind, doc)?;
        Ok(pipeline::render(&store, space_id, kind, &created))
    }

    /// Replace a resource without HTTP: same rules as PUT (processes and variable sets included).
    pub fn update(&self, space_id: &str, collection: &str, id: &str, doc: Value) -> anyhow::Result<Value> {
        let mut store = self.shared.store();
        let kind =
            Kind::from_segment(collection).ok_or_else(|| anyhow::anyhow!("unknown collection '{collection}'"))?;
        let updated = pipeline::update(&mut store, space_id, kind, id, doc)?;
        Ok(pipeline::render(&store, space_id, kind, &updated))
    }

    /// Sync the community step template library to `edition`, as the server does from
    /// library.octopus.com: entries it has are updated in place, new ones added.
    pub fn sync_community_library(&self, edition: CommunityLibrary) -> anyhow::Result<()> {
        library::sync_catalogue(&mut self.shared.store(), edition)?;
        Ok(())
    }

    /// Install the community library's template `name` into a space without HTTP, as
    /// `POST /api/communityactiontemplates/{id}/installation/{spaceId}` does.
    pub fn install_community_template(&self, space_id: &str, name: &str) -> anyhow::Result<Value> {
        let mut store = self.shared.store();
        let entry = store
            .list("", Kind::CommunityActionTemplate)
            .iter()
            .find(|e| str_of(e, "Name").eq_ignore_ascii_case(name))
            .map(|e| str_of(e, "Id").to_string())
            .ok_or_else(|| anyhow::anyhow!("the community library has no '{name}'"))?;
        let doc = library::install(&mut store, space_id, &entry)?;
        Ok(pipeline::render(&store, space_id, Kind::ActionTemplate, &doc))
    }

    /// Upload `bytes` as the logo of a document without HTTP: the same check as
    /// `POST …/{collection}/{id}/logo` (an image, or refused).
    pub fn set_logo(&self, space_id: &str, collection: &str, id: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let mut store = self.shared.store();
        let kind =
            Kind::from_segment(collection).ok_or_else(|| anyhow::anyhow!("unknown collection '{collection}'"))?;
        pipeline::visible(&store, space_id, kind, id)?;
        logos::set(&mut store, space_id, kind, id, bytes.to_vec())?;
        Ok(())
    }

    /// The logo `GET …/{collection}/{id}/logo` serves: its content type and bytes.
    pub fn logo(&self, space_id: &str, collection: &str, id: &str) -> Option<(String, Vec<u8>)> {
        let store = self.shared.store();
        let kind = Kind::from_segment(collection)?;
        pipeline::visible(&store, space_id, kind, id).ok()?;
        let logo = logos::get(&store, space_id, kind, id);
        Some((logo.content_type.to_string(), logo.bytes))
    }

    /// Whether a stored sensitive variable holds a non-empty secret (never the secret itself).
    #[doc(hidden)]
    pub fn sensitive_variable_has_value(&self, space_id: &str, set_id: &str, variable_id: &str) -> Option<bool> {
        kinds::variable_set::sensitive_has_value(&self.shared.store(), space_id, set_id, variable_id)
    }

    /// Whether any stored document, secrets as stored included, holds `text` (never the secret
    /// itself): a canary test's look at what the server keeps, beyond what GET shows.
    #[doc(hidden)]
    pub fn stores_text(&self, text: &str) -> bool {
        let store = self.shared.store();
        let found = store
            .all_docs()
            .any(|d| serde_json::to_string(d).is_ok_and(|s| s.contains(text)));
        found
            || store
                .tenant_vars
                .values()
                .flat_map(|t| t.project.iter().chain(&t.common))
                .any(|v| v.value.to_string().contains(text))
    }

    /// Create another space with its built-ins; returns its id (the existing one if the name is taken).
    pub fn add_space(&self, name: &str) -> String {
        if let Some(id) = self.space_id(name) {
            return id;
        }
        let mut store = self.shared.store();
        match pipeline::create(
            &mut store,
            "",
            Kind::Space,
            json!({"Name": name, "SpaceManagersTeams": []}),
        ) {
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
