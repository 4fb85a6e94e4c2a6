//! One client per instance. Every request goes through [`Client::request`], the single retry loop.

use super::metrics::Metrics;
use super::retry::{parse_retry_after, RetryPolicy};
use super::version::OctopusVersion;
use crate::report::RequestCounts;
use crate::settings::{ApiKey, HttpSettings, InstanceSettings};
use crate::snapshot::name_key;
use anyhow::{anyhow, bail, Context, Result};
use futures::future::try_join_all;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// How a client behaves; built from [`HttpSettings`].
#[derive(Debug, Clone, Copy)]
pub struct ClientOptions {
    /// Most requests in flight.
    pub concurrency: usize,
    /// Time limit of one attempt.
    pub timeout: Duration,
    /// Retry policy.
    pub retry: RetryPolicy,
    /// Items asked for per page; never rely on the server's default page size.
    pub page_size: usize,
}

impl From<HttpSettings> for ClientOptions {
    fn from(h: HttpSettings) -> Self {
        ClientOptions {
            concurrency: h.concurrency,
            timeout: h.timeout,
            retry: RetryPolicy::new(h.max_attempts),
            page_size: h.page_size,
        }
    }
}

/// An error answer from the Octopus API, with the server's own message.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// `ErrorMessage` plus any `Errors[]` lines.
    pub message: String,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}: {}", self.status, self.message)
    }
}

impl std::error::Error for ApiError {}

/// A connected client of one instance and space.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    role: &'static str,
    base_url: String,
    api_key: ApiKey,
    limiter: Arc<Semaphore>,
    metrics: Arc<Metrics>,
    options: ClientOptions,
    space_id: Option<String>,
    space_name: String,
    version: Option<OctopusVersion>,
}

/// What a write should do when its outcome is unknown (the response was lost).
enum Recover<'a> {
    /// Just retry: a read.
    Retry,
    /// Look the item up by name first: a retried create must not make a duplicate.
    LookupByName { collection: &'a str, name: &'a str },
    /// Read the item back first: a PUT that went through must not be sent again with a stale body.
    CheckSaved { item: &'a str, sent: &'a Value },
}

/// Why an attempt may succeed if tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trouble {
    /// The connection could not be made: wrong URL, port, proxy or firewall, or the server is down.
    Connect,
    /// The server or the network failed part-way, or the server asked us to slow down.
    Other,
}

/// The classified result of one attempt.
enum Attempt {
    Done(Value),
    Fatal(anyhow::Error),
    Transient {
        why: String,
        trouble: Trouble,
        outcome_unknown: bool,
        retry_after: Option<Duration>,
    },
}

impl Client {
    /// Builds a client for `settings` without any request.
    pub fn new(settings: &InstanceSettings, options: ClientOptions) -> Result<Client> {
        // reqwest is built without a default crypto provider so the binary stays free of C toolchains
        // beyond ring; install ring once (a second install is harmless and ignored).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.timeout.min(Duration::from_secs(30)))
            .user_agent(concat!("octosync/", env!("CARGO_PKG_VERSION")))
            // A followed redirect turns a POST or PUT into a GET (the write is silently lost) and
            // would send the API key header to whatever host the redirect names.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .context("could not create the HTTP client")?;
        Ok(Client {
            http,
            role: settings.role,
            base_url: settings.url.clone(),
            api_key: settings.api_key.clone(),
            limiter: Arc::new(Semaphore::new(options.concurrency.max(1))),
            metrics: Arc::new(Metrics::default()),
            options,
            space_id: None,
            space_name: settings.space.clone(),
            version: None,
        })
    }

    /// Builds a client, reads the server version and resolves the space by name.
    pub async fn connect(settings: &InstanceSettings, options: ClientOptions) -> Result<Client> {
        let mut client = Client::new(settings, options)?;
        if let Ok(url) = reqwest::Url::parse(&client.base_url) {
            let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
            if url.scheme() == "http" && !local {
                tracing::warn!(
                    "the {} instance is reached over plain http ({}); the API key travels unencrypted: use https",
                    client.role,
                    client.base_url
                );
            }
        }
        let root = client
            .get("/api")
            .await
            .with_context(|| client.describe_failure("could not read the API root"))?;
        let text = root.get("Version").and_then(Value::as_str).unwrap_or_default();
        let version = OctopusVersion::parse(text).ok_or_else(|| {
            anyhow!(
                "the {} instance at {} reported an unreadable version '{text}'",
                client.role,
                client.base_url
            )
        })?;
        tracing::debug!("{} instance {} runs Octopus {}", client.role, client.base_url, version);
        // Spaces arrived in 2019.1; older servers only have the legacy routes.
        if version.major >= 2019 {
            client.space_id = Some(client.resolve_space().await?);
        } else {
            tracing::warn!(
                "the {} instance runs Octopus {version}, which has no spaces; OCTOSYNC_{}_SPACE is ignored",
                client.role,
                client.role.to_ascii_uppercase()
            );
        }
        client.version = Some(version);
        Ok(client)
    }

    /// `source` or `destination`.
    pub fn role(&self) -> &'static str {
        self.role
    }

    /// Base URL of the instance.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The resolved space id (`None` on servers without spaces).
    pub fn space_id(&self) -> Option<&str> {
        self.space_id.as_deref()
    }

    /// The space name as configured.
    pub fn space_name(&self) -> &str {
        &self.space_name
    }

    /// The server version read at connect time.
    pub fn version(&self) -> Option<&OctopusVersion> {
        self.version.as_ref()
    }

    /// Request counts so far.
    pub fn metrics(&self) -> RequestCounts {
        self.metrics.snapshot()
    }

    /// Path of a space-scoped collection, e.g. `/api/Spaces-1/environments`.
    pub fn space_path(&self, collection: &str) -> String {
        match &self.space_id {
            Some(id) => format!("/api/{id}/{collection}"),
            None => format!("/api/{collection}"),
        }
    }

    /// GET one document.
    pub async fn get(&self, path: &str) -> Result<Value> {
        self.request(Method::GET, path, None, Recover::Retry).await
    }

    /// Every item of a paged collection, however many pages the server splits it into.
    pub async fn list_all(&self, path: &str) -> Result<Vec<Value>> {
        // A collection that changes while it is read (or orders ties unstably) can shift items
        // between pages; one re-read settles it, a second shortfall is reported.
        let mut last_short = None;
        for _ in 0..2 {
            let (items, total) = self.read_pages(path).await?;
            if items.len() >= total {
                return Ok(items);
            }
            last_short = Some((items.len(), total));
        }
        let (got, total) = last_short.unwrap_or_default();
        bail!(
            "{} {path}: the server reported {total} items but {got} distinct ones could be read; the collection changed while it was read, run again",
            self.role
        )
    }

    /// One read of every page: the distinct items and the total the server reported.
    async fn read_pages(&self, path: &str) -> Result<(Vec<Value>, usize)> {
        let take = self.options.page_size.max(1);
        let first = self.get(&page_url(path, 0, take)).await?;
        let Some(total) = first.get("TotalResults").and_then(Value::as_u64).map(|t| t as usize) else {
            bail!(
                "{} {path}: expected a paged collection with TotalResults; is this an Octopus Server?",
                self.role
            );
        };
        let mut items = items_of(&first, path)?;
        if items.len() < total && !items.is_empty() {
            // The first page tells the total and the page size the server honours; fetch the rest
            // concurrently (the limiter bounds it).
            let skips: Vec<usize> = (items.len()..total).step_by(items.len()).collect();
            let pages = try_join_all(skips.iter().map(|&skip| async move {
                let page = self.get(&page_url(path, skip, take)).await?;
                items_of(&page, path)
            }))
            .await?;
            items.extend(pages.into_iter().flatten());
        }
        let mut seen = std::collections::HashSet::new();
        items.retain(|i| {
            i.get("Id")
                .and_then(Value::as_str)
                .is_none_or(|id| seen.insert(id.to_string()))
        });
        Ok((items, total))
    }

    /// POST a new item to `collection_path`. If the response is lost, the item is looked up by `name`
    /// in that collection before any retry, so a retried create never makes a duplicate; names must
    /// be unique in `collection_path` (pass a project's own collection for per-project kinds).
    pub async fn create(&self, collection_path: &str, body: &Value, name: &str) -> Result<Value> {
        self.request(
            Method::POST,
            collection_path,
            Some(body),
            Recover::LookupByName {
                collection: collection_path,
                name,
            },
        )
        .await
    }

    /// PUT a whole document back. If the response is lost, the item is read back before any retry.
    pub async fn update(&self, item_path: &str, body: &Value) -> Result<Value> {
        self.request(
            Method::PUT,
            item_path,
            Some(body),
            Recover::CheckSaved {
                item: item_path,
                sent: body,
            },
        )
        .await
    }

    /// PUT a body whose effect is the same however often it is sent (a sort order): a lost response
    /// is simply retried.
    pub async fn put_idempotent(&self, path: &str, body: &Value) -> Result<Value> {
        self.request(Method::PUT, path, Some(body), Recover::Retry).await
    }

    /// The one retry loop.
    async fn request(&self, method: Method, path: &str, body: Option<&Value>, recover: Recover<'_>) -> Result<Value> {
        let max = self.options.retry.max_attempts;
        let mut attempt = 1;
        // Set once an attempt may have reached the server without us hearing back.
        let mut maybe_applied = false;
        loop {
            let (why, trouble, retry_after) = match self.attempt(&method, path, body).await {
                Attempt::Done(v) => return Ok(v),
                Attempt::Fatal(e) => {
                    // A refusal after a lost response can be the server rejecting our own earlier
                    // write ("name already in use", "stale Version"): check before reporting it.
                    if maybe_applied {
                        match self.recover(&recover).await {
                            Ok(Some(saved)) => {
                                tracing::warn!("{} {method} {path}: an earlier attempt went through; not reporting the refusal of the retry", self.role);
                                return Ok(saved);
                            }
                            Ok(None) => {}
                            Err(check) => {
                                return Err(e.context(format!(
                                    "an earlier attempt's response was lost and checking whether it went through failed too ({check:#}); look at the destination before running again"
                                )))
                            }
                        }
                    }
                    return Err(e);
                }
                Attempt::Transient {
                    why,
                    trouble,
                    outcome_unknown,
                    retry_after,
                } => {
                    // Before retrying, and before giving up, find out whether the write went through.
                    if outcome_unknown {
                        maybe_applied = true;
                        match self.recover(&recover).await {
                            Ok(Some(saved)) => {
                                tracing::warn!("{} {method} {path}: the response was lost ({why}) but the write went through; not sending it again", self.role);
                                return Ok(saved);
                            }
                            Ok(None) => {}
                            // Not knowing is no reason to stop: the retry and its own check come next.
                            Err(check) => tracing::debug!(
                                "{} {method} {path}: could not check whether the write went through: {check:#}",
                                self.role
                            ),
                        }
                    }
                    (why, trouble, retry_after)
                }
            };
            if attempt >= max {
                let advice = match trouble {
                    Trouble::Connect => format!(
                        "check OCTOSYNC_{}_URL ({}), the port, and any proxy or firewall between this worker and the instance",
                        self.role.to_ascii_uppercase(),
                        self.base_url
                    ),
                    Trouble::Other => format!(
                        "the {} instance at {} may be overloaded or restarting; try again later, or raise OCTOSYNC_MAX_ATTEMPTS or OCTOSYNC_REQUEST_TIMEOUT_SECONDS",
                        self.role, self.base_url
                    ),
                };
                let unknown = if maybe_applied && !matches!(recover, Recover::Retry) {
                    "; a response was lost, so the write may or may not have been made: look at the destination"
                } else {
                    ""
                };
                bail!(
                    "{} {method} {path} failed after {attempt} attempt(s): {why}; {advice}{unknown}",
                    self.role
                );
            }
            let wait = self.options.retry.delay(attempt, retry_after);
            tracing::debug!(
                "{} {method} {path}: {why}; retry {attempt}/{} in {} ms",
                self.role,
                max - 1,
                wait.as_millis()
            );
            self.metrics.record_retry();
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// The saved document, when a write whose response was lost turns out to have been applied.
    async fn recover(&self, recover: &Recover<'_>) -> Result<Option<Value>> {
        match recover {
            Recover::Retry => Ok(None),
            Recover::LookupByName { collection, name } => Box::pin(self.find_by_name(collection, name)).await,
            Recover::CheckSaved { item, sent } => {
                let current = Box::pin(self.get(item)).await?;
                Ok(was_saved(sent, &current).then_some(current))
            }
        }
    }

    /// The item of `collection` whose name equals `name` (case-insensitive), if any.
    async fn find_by_name(&self, collection: &str, name: &str) -> Result<Option<Value>> {
        let filter = format!("{collection}?partialName={}", urlencode(name));
        let items = self.list_all(&filter).await?;
        let wanted = name_key(name);
        Ok(items.into_iter().find(|i| {
            i.get("Name")
                .and_then(Value::as_str)
                .is_some_and(|n| name_key(n) == wanted)
        }))
    }

    async fn attempt(&self, method: &Method, path: &str, body: Option<&Value>) -> Attempt {
        let _permit = match self.limiter.acquire().await {
            Ok(p) => p,
            Err(_) => return Attempt::Fatal(anyhow!("the request limiter was closed")),
        };
        let url = format!("{}{path}", self.base_url);
        let mut req = self
            .http
            .request(method.clone(), &url)
            .header("X-Octopus-ApiKey", self.api_key.expose());
        if let Some(b) = body {
            req = req.json(b);
        }
        let started = Instant::now();
        let sent = req.send().await;
        let elapsed = started.elapsed().as_millis();
        let response = match sent {
            Ok(r) => r,
            Err(e) => {
                self.metrics.record(method.as_str(), None);
                tracing::debug!(
                    "{} {method} {path} -> transport error after {elapsed} ms: {}",
                    self.role,
                    error_chain(&e)
                );
                return Attempt::Transient {
                    why: format!("connection problem ({})", short_transport(&e)),
                    trouble: if e.is_connect() {
                        Trouble::Connect
                    } else {
                        Trouble::Other
                    },
                    // A refused connection never reached the server; anything else may have.
                    outcome_unknown: !e.is_connect(),
                    retry_after: None,
                };
            }
        };
        let status = response.status();
        self.metrics.record(method.as_str(), Some(status.as_u16()));
        if status.is_redirection() {
            let location = response
                .headers()
                .get("Location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("(no Location header)");
            return Attempt::Fatal(anyhow!(
                "the {} instance answered {method} {path} with a redirect ({}) to {location}; set OCTOSYNC_{}_URL to the address it redirects to (octosync never follows redirects: they would turn writes into reads and send the API key elsewhere)",
                self.role,
                status.as_u16(),
                self.role.to_ascii_uppercase()
            ));
        }
        let retry_after = response
            .headers()
            .get("Retry-After")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let bytes = match response.bytes().await {
            Ok(b) => b,
            Err(e) => {
                tracing::debug!(
                    "{} {method} {path} -> {status}, body lost: {}",
                    self.role,
                    error_chain(&e)
                );
                return Attempt::Transient {
                    why: "the connection dropped while reading the response".into(),
                    trouble: Trouble::Other,
                    outcome_unknown: true,
                    retry_after: None,
                };
            }
        };
        tracing::debug!("{} {method} {path} -> {} ({elapsed} ms)", self.role, status.as_u16());
        if status.is_success() {
            if bytes.is_empty() {
                return Attempt::Done(Value::Null);
            }
            return match serde_json::from_slice(&bytes) {
                Ok(v) => Attempt::Done(v),
                Err(e) => Attempt::Fatal(anyhow!(
                    "{} {method} {path}: the response is not JSON ({e}); is {} an Octopus Server?",
                    self.role,
                    self.base_url
                )),
            };
        }
        let api = ApiError {
            status: status.as_u16(),
            message: error_message(&bytes),
        };
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            return Attempt::Transient {
                why: api.to_string(),
                trouble: Trouble::Other,
                // 429 and 503 mean "not processed"; other 5xx may have done the work before failing.
                outcome_unknown: status != StatusCode::TOO_MANY_REQUESTS && status != StatusCode::SERVICE_UNAVAILABLE,
                retry_after,
            };
        }
        Attempt::Fatal(anyhow::Error::new(api.clone()).context(self.explain(method, path, &api)))
    }

    fn explain(&self, method: &Method, path: &str, api: &ApiError) -> String {
        let var = format!("OCTOSYNC_{}", self.role.to_ascii_uppercase());
        match api.status {
            401 => format!("the {} instance at {} rejected the API key; check {var}_API_KEY", self.role, self.base_url),
            403 => format!(
                "the API key for the {} instance at {} lacks permission for {method} {path}; give its user or service account the needed role (Space Manager on the destination)",
                self.role, self.base_url
            ),
            404 if path == "/api" => format!(
                "{} has no Octopus API at /api; set OCTOSYNC_{}_URL to the Octopus Server's base URL",
                self.base_url,
                self.role.to_ascii_uppercase()
            ),
            404 => format!("{} {method} {path} was not found on {}", self.role, self.base_url),
            _ => format!("{} {method} {path} was refused", self.role),
        }
    }

    /// Context for a failed connect step; the inner error says what to fix.
    fn describe_failure(&self, what: &str) -> String {
        format!("{what} of the {} instance at {}", self.role, self.base_url)
    }

    async fn resolve_space(&self) -> Result<String> {
        let spaces = self
            .list_all("/api/spaces")
            .await
            .with_context(|| self.describe_failure("could not list the spaces"))?;
        let wanted = self.space_name.trim();
        if let Some(id) = spaces
            .iter()
            .find(|s| {
                s.get("Name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.trim().eq_ignore_ascii_case(wanted))
            })
            .and_then(|s| s.get("Id").and_then(Value::as_str))
        {
            return Ok(id.to_string());
        }
        let names: Vec<&str> = spaces
            .iter()
            .filter_map(|s| s.get("Name").and_then(Value::as_str))
            .collect();
        bail!(
            "the space '{wanted}' does not exist on the {} instance at {} (spaces there: {}); octosync never creates spaces, so create it or fix OCTOSYNC_{}_SPACE",
            self.role,
            self.base_url,
            if names.is_empty() { "none visible to this API key".to_string() } else { names.join(", ") },
            self.role.to_ascii_uppercase()
        )
    }
}

/// Whether `current` (read back after a lost PUT response) shows that `sent` was saved: every field
/// we sent is there with the value we sent, nested items included (the server adds ids and
/// computed fields such as a tag's `CanonicalTagName`). Concurrency stamps are left out: they are
/// the server's to change. If it holds, resending could change nothing anyway.
fn was_saved(sent: &Value, current: &Value) -> bool {
    const STAMPS: &[&str] = &["Version", "LastModifiedOn", "LastModifiedBy", "Links"];
    match (sent, current) {
        (Value::Object(s), Value::Object(c)) => s
            .iter()
            .filter(|(k, _)| !STAMPS.contains(&k.as_str()))
            .all(|(k, v)| contains(c.get(k).unwrap_or(&Value::Null), v)),
        _ => false,
    }
}

/// `have` holds everything `want` does (objects may have more fields; empty, null and missing are alike).
fn contains(have: &Value, want: &Value) -> bool {
    let blank = |v: &Value| v.is_null() || v.as_str() == Some("");
    match (have, want) {
        _ if blank(have) && blank(want) => true,
        (Value::Object(h), Value::Object(w)) => w.iter().all(|(k, v)| contains(h.get(k).unwrap_or(&Value::Null), v)),
        (Value::Array(h), Value::Array(w)) => h.len() == w.len() && h.iter().zip(w).all(|(a, b)| contains(a, b)),
        _ => have == want,
    }
}

fn page_url(path: &str, skip: usize, take: usize) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}skip={skip}&take={take}")
}

fn items_of(page: &Value, path: &str) -> Result<Vec<Value>> {
    match page.get("Items") {
        Some(Value::Array(items)) => Ok(items.clone()),
        _ => bail!("{path}: expected a collection with Items, got something else"),
    }
}

fn error_message(bytes: &[u8]) -> String {
    let Ok(v) = serde_json::from_slice::<Value>(bytes) else {
        let text = String::from_utf8_lossy(bytes);
        return text.chars().take(300).collect::<String>().trim().to_string();
    };
    let mut msg = v
        .get("ErrorMessage")
        .and_then(Value::as_str)
        .unwrap_or("no error message")
        .to_string();
    if let Some(Value::Array(errors)) = v.get("Errors") {
        let lines: Vec<&str> = errors.iter().filter_map(Value::as_str).collect();
        if !lines.is_empty() {
            msg.push_str(&format!(" [{}]", lines.join("; ")));
        }
    }
    msg
}

fn short_transport(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "connection dropped"
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

/// Percent-encodes a query value.
fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_saved_tag_set_contains_what_was_sent_plus_server_fields() {
        let sent = json!({"Id": "TagSets-2", "Name": "Region", "LastModifiedOn": "old", "Description": null,
                          "Tags": [{"Id": "TagSets-2/Tags-1", "Name": "EU"}, {"Name": "US", "Color": "#222222"}]});
        let current = json!({"Id": "TagSets-2", "Name": "Region", "LastModifiedOn": "new", "Description": "",
                             "Tags": [{"Id": "TagSets-2/Tags-1", "Name": "EU", "CanonicalTagName": "Region/EU"},
                                      {"Id": "TagSets-2/Tags-7", "Name": "US", "Color": "#222222", "CanonicalTagName": "Region/US"}]});
        assert!(was_saved(&sent, &current));
    }

    #[test]
    fn an_unsaved_document_is_recognised_whatever_its_stamps() {
        let sent = json!({"Id": "Lifecycles-1", "Name": "Release", "Phases": [{"Name": "Stage"}], "Version": 3});
        let unchanged = json!({"Id": "Lifecycles-1", "Name": "Release", "Phases": [], "Version": 4});
        assert!(
            !was_saved(&sent, &unchanged),
            "a moved stamp alone does not mean our write landed"
        );
        let missing_tag = json!({"Tags": [{"Name": "EU"}]});
        assert!(!was_saved(
            &json!({"Tags": [{"Name": "EU"}, {"Name": "US"}]}),
            &missing_tag
        ));
    }
}
