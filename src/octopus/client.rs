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
use std::collections::HashSet;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
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
    /// Time limit of connecting. Until the instance has answered once, a whole attempt gets twice
    /// this (connecting, then the small root document), so a server that never answers is found
    /// out in seconds, not after `attempts × timeout`.
    pub connect_timeout: Duration,
    /// Retry policy.
    pub retry: RetryPolicy,
    /// Items asked for per page; never rely on the server's default page size.
    pub page_size: usize,
    /// Most pages read of one collection before the read is given up as endless.
    pub max_pages: usize,
    /// Largest response body accepted, in bytes; a larger one is an error, never buffered.
    pub max_response_bytes: u64,
}

impl From<HttpSettings> for ClientOptions {
    fn from(h: HttpSettings) -> Self {
        ClientOptions {
            concurrency: h.concurrency,
            timeout: h.timeout,
            connect_timeout: h.connect_timeout,
            retry: RetryPolicy::new(h.max_attempts),
            page_size: h.page_size,
            max_pages: h.max_pages,
            max_response_bytes: h.max_response_mb.saturating_mul(1024 * 1024),
        }
    }
}

/// Attempts per request while an instance has never answered and cannot be connected to or does
/// not answer: a wrong address or a hung server is not helped by more, and the person waiting on
/// the runbook should hear so in seconds.
const FIRST_CONTACT_ATTEMPTS: u32 = 2;

/// How much of an error body is read: enough for any message, never a whole proxy page.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

/// An error answer from the Octopus API, with the server's own message.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// `ErrorMessage` plus any `Errors[]` lines, or one line describing a body that is not
    /// Octopus JSON (an HTML page's title); empty when the body was empty.
    pub message: String,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(reason) = StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
        {
            write!(f, " {reason}")?;
        }
        if self.message.is_empty() {
            f.write_str(" with an empty body")
        } else {
            write!(f, ": {}", self.message)
        }
    }
}

impl std::error::Error for ApiError {}

/// A request that failed every attempt it was given: what happened, and what to do about it.
#[derive(Debug)]
struct GaveUp {
    summary: String,
    advice: String,
}

impl fmt::Display for GaveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; {}", self.summary, self.advice)
    }
}

impl std::error::Error for GaveUp {}

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
    installation_id: Option<String>,
    /// Set once the instance has sent any HTTP answer.
    answered: Arc<AtomicBool>,
}

/// What a write should do when its outcome is unknown.
enum Recover<'a> {
    /// Just retry: a read.
    Retry,
    /// Look the item up by name first: a retried create must not make a duplicate.
    LookupByName { collection: &'a str, name: &'a str },
    /// Read the item back first: a PUT that went through must not be sent again with a stale body.
    CheckSaved { item: &'a str, sent: &'a Value },
}

impl Recover<'_> {
    /// What an administrator should look at when it stays unknown whether the write was made.
    fn what_to_check(&self) -> String {
        match self {
            Recover::Retry => String::new(),
            Recover::LookupByName { collection, name } => {
                format!("whether '{name}' exists in {collection} on the destination")
            }
            Recover::CheckSaved { item, .. } => format!("{item} on the destination"),
        }
    }
}

/// Why an attempt may succeed if tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trouble {
    /// The connection could not be made: wrong URL, port, proxy or firewall, or the server is down.
    Connect,
    /// Connected, but no answer came in time.
    Silent,
    /// The server or the network failed part-way, or the server asked us to slow down.
    Other,
}

/// One failed attempt that may be retried.
struct Failure {
    why: String,
    trouble: Trouble,
    retry_after: Option<Duration>,
}

/// The classified result of one attempt.
enum Attempt {
    Done(Value),
    Fatal(anyhow::Error),
    Transient {
        failure: Failure,
        /// The request may have reached the server and been acted on.
        outcome_unknown: bool,
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
            .connect_timeout(options.connect_timeout.min(options.timeout))
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
            installation_id: None,
            answered: Arc::new(AtomicBool::new(false)),
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
                "the {} instance at {} reported an unreadable version '{}'",
                client.role,
                client.base_url,
                one_line(text, 60)
            )
        })?;
        client.installation_id = root
            .get("InstallationId")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(str::to_string);
        tracing::debug!("{} instance {} runs Octopus {}", client.role, client.base_url, version);
        // Spaces arrived in 2019.1; older servers only have the legacy routes, which are the whole
        // instance. That is the space named Default on a newer server; any other name would be
        // silently ignored, and the writes would land somewhere the administrator did not choose.
        if version.major >= 2019 {
            client.space_id = Some(client.resolve_space().await?);
        } else if !client.space_name.trim().eq_ignore_ascii_case(DEFAULT_SPACE) {
            bail!(
                "the {} instance at {} runs Octopus {version}, which has no spaces (they arrived in 2019.1), so it has no space '{}'; set OCTOSYNC_{}_SPACE to {DEFAULT_SPACE} to sync the instance as a whole, or point OCTOSYNC_{}_URL at an instance that has that space",
                client.role,
                client.base_url,
                client.space_name.trim(),
                client.role.to_ascii_uppercase(),
                client.role.to_ascii_uppercase()
            );
        } else {
            tracing::debug!(
                "the {} instance runs Octopus {version}, which has no spaces; the whole instance is its {DEFAULT_SPACE} space",
                client.role
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

    /// The `InstallationId` the server reported at connect time, if any.
    pub fn installation_id(&self) -> Option<&str> {
        self.installation_id.as_deref()
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
            if items.len() as u64 >= total {
                return Ok(items);
            }
            last_short = Some((items.len(), total));
        }
        let (got, total) = last_short.unwrap_or_default();
        bail!(
            "{} {path}: the server reported {total} items (TotalResults) but its pages held {got}, twice; if the collection was changing, run again; if it persists, the server at {} (or a proxy in front of it) miscounts or pages wrongly",
            self.role,
            self.base_url
        )
    }

    /// One read of every page: the distinct items and the total the server reported.
    ///
    /// `TotalResults` only tells when to stop early: it never sizes anything, and the read ends at
    /// the first short or empty page, or a page with nothing new (a server that ignores `skip`).
    async fn read_pages(&self, path: &str) -> Result<(Vec<Value>, u64)> {
        let take = self.options.page_size.max(1);
        let first = self.get(&page_url(path, 0, take)).await?;
        let Some(total) = first.get("TotalResults").and_then(Value::as_u64) else {
            bail!(
                "{} {path}: expected a paged collection with TotalResults; is this an Octopus Server?",
                self.role
            );
        };
        let mut read = PagedItems::default();
        // The first page's length is the page size the server honours (it may cap `take`).
        let step = read.add(items_of(first, path)?);
        let mut pages = 1;
        let mut skip = step;
        let mut more = step > 0 && (read.items.len() as u64) < total;
        while more {
            // A window of pages in flight (the limiter bounds the requests), never more than the
            // concurrency and never more than TotalResults says are left.
            let left = total.saturating_sub(skip as u64).div_ceil(step as u64).max(1);
            let room = self.options.max_pages.saturating_sub(pages);
            let window = (self.options.concurrency.max(1) as u64).min(left).min(room as u64) as usize;
            if window == 0 {
                bail!(
                    "{} {path}: still not at the end after {pages} pages ({} items), and octosync reads at most {} pages of one collection. If the {} space really holds this many {}, that is more than octosync supports; otherwise the server at {} (or a proxy in front of it) keeps inventing pages: check it",
                    self.role,
                    read.items.len(),
                    self.options.max_pages,
                    self.role,
                    collection_name(path),
                    self.base_url
                );
            }
            let batch = try_join_all((0..window).map(|i| {
                let url = page_url(path, skip + i * step, take);
                async move { items_of(self.get(&url).await?, path) }
            }))
            .await?;
            for page in batch {
                pages += 1;
                skip += step;
                let len = page.len();
                let fresh = read.add(page);
                if len < step || fresh == 0 {
                    more = false;
                    break;
                }
            }
            more &= (read.items.len() as u64) < total;
        }
        Ok((read.items, total))
    }

    /// POST a new item to `collection_path`. If the outcome is unknown, the item is looked up by
    /// `name` in that collection, and the create is only sent again once a look-up shows it absent;
    /// names must be unique in `collection_path` (pass a project's own collection for per-project kinds).
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

    /// PUT a whole document back. If the outcome is unknown, the item is read back before any retry.
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
    ///
    /// A write whose outcome is unknown (no answer, or a 5xx that may have come after the work) is
    /// looked up before anything else happens; it is sent again only after a look-up that worked
    /// shows it was not made. A failed look-up is an attempt like any other: it is retried with
    /// backoff, and the write is never re-sent on a guess.
    async fn request(&self, method: Method, path: &str, body: Option<&Value>, recover: Recover<'_>) -> Result<Value> {
        let recoverable = !matches!(recover, Recover::Retry);
        let mut attempt = 1;
        // What happened to the latest send that may have reached the server without us learning
        // what it did (no answer, or a 5xx that may have come after the work); set once any has.
        let mut unclear: Option<String> = None;
        // Whether that outcome is still to be looked up.
        let mut unknown = false;
        // The failure of a send being looked up within its own attempt: reported if it was not made.
        let mut lost: Option<Failure> = None;
        // A refusal of a retry, held until a look-up tells whether our earlier write caused it.
        let mut refusal: Option<anyhow::Error> = None;
        'attempts: loop {
            let failure = 'attempt: {
                if unknown {
                    match self.recover(&recover).await {
                        Ok(Some(saved)) => {
                            let refused = if refusal.is_some() {
                                ", and a retry was refused"
                            } else {
                                ""
                            };
                            tracing::warn!(
                                "{} {method} {path}: {}{refused}; a look-up shows the write was made, so it is not sent again",
                                self.role,
                                unclear.as_deref().unwrap_or_default()
                            );
                            return Ok(saved);
                        }
                        Ok(None) => {
                            unknown = false;
                            if let Some(e) = refusal.take() {
                                return Err(e);
                            }
                            if let Some(f) = lost.take() {
                                // Not made: back off before sending it again.
                                break 'attempt f;
                            }
                        }
                        Err(check) => {
                            let looked = format!("looking up whether it was made failed ({})", cause_of(&check));
                            let first = match &refusal {
                                Some(e) => format!(
                                    "a retry was refused ({}) after an earlier attempt's outcome was unclear ({})",
                                    one_line(&format!("{e:#}"), 300),
                                    unclear.as_deref().unwrap_or_default()
                                ),
                                None => unclear.clone().unwrap_or_default(),
                            };
                            let trouble = lost.take().map_or(Trouble::Other, |f| f.trouble);
                            break 'attempt Failure {
                                why: format!("{first}, and {looked}"),
                                trouble,
                                retry_after: None,
                            };
                        }
                    }
                }
                match self.attempt(&method, path, body).await {
                    Attempt::Done(v) => return Ok(v),
                    // A refusal after an unclear attempt can be the server rejecting our own
                    // earlier write ("name already in use", "stale Version"): look before reporting it.
                    Attempt::Fatal(e) if unclear.is_some() && recoverable => {
                        refusal = Some(e);
                        unknown = true;
                        continue 'attempts;
                    }
                    Attempt::Fatal(e) => return Err(e),
                    Attempt::Transient {
                        failure,
                        outcome_unknown: true,
                    } if recoverable => {
                        // Look it up right away, in this attempt: if it was made there is nothing to wait for.
                        unclear = Some(failure.why.clone());
                        unknown = true;
                        lost = Some(failure);
                        continue 'attempts;
                    }
                    Attempt::Transient { failure, .. } => failure,
                }
            };
            // An instance that has never answered and cannot be reached, or does not answer, is not
            // helped by more attempts: they only keep the person waiting on the runbook.
            let unreachable = matches!(failure.trouble, Trouble::Connect | Trouble::Silent);
            let max = if unreachable && !self.answered.load(Ordering::Relaxed) {
                self.options.retry.max_attempts.min(FIRST_CONTACT_ATTEMPTS)
            } else {
                self.options.retry.max_attempts
            };
            if attempt >= max {
                let mut advice = self.advice(failure.trouble);
                if unknown {
                    advice.push_str(&format!(
                        "; no look-up worked, so the {} may or may not have been made: check {} before running again",
                        method_noun(&method),
                        recover.what_to_check()
                    ));
                } else if unclear.is_some() && recoverable {
                    advice.push_str(&format!(
                        "; the last look-up did not find it, but an earlier attempt may still land, so the {} may or may not have been made: check {} before running again",
                        method_noun(&method),
                        recover.what_to_check()
                    ));
                }
                return Err(anyhow::Error::new(GaveUp {
                    summary: format!(
                        "{} {method} {path} failed after {attempt} attempt(s): {}",
                        self.role, failure.why
                    ),
                    advice,
                }));
            }
            let wait = self.options.retry.delay(attempt, failure.retry_after);
            tracing::debug!(
                "{} {method} {path}: {}; retry {attempt}/{} in {} ms",
                self.role,
                failure.why,
                max - 1,
                wait.as_millis()
            );
            self.metrics.record_retry();
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// What an administrator can do about a request that kept failing.
    fn advice(&self, trouble: Trouble) -> String {
        let var = format!("OCTOSYNC_{}_URL", self.role.to_ascii_uppercase());
        match trouble {
            Trouble::Connect => format!(
                "check {var} ({}), the port, and any proxy or firewall between this worker and the instance",
                self.base_url
            ),
            Trouble::Silent if !self.answered.load(Ordering::Relaxed) => format!(
                "the {} instance at {} accepts connections but never answered: check that the Octopus Server there is running and responsive, and that {var} is its address",
                self.role, self.base_url
            ),
            Trouble::Silent => format!(
                "the {} instance at {} is not answering in time; it may be overloaded: try again later, or raise OCTOSYNC_REQUEST_TIMEOUT_SECONDS if it is just slow",
                self.role, self.base_url
            ),
            Trouble::Other => format!(
                "the {} instance at {} may be overloaded or restarting; try again later, or raise OCTOSYNC_MAX_ATTEMPTS or OCTOSYNC_REQUEST_TIMEOUT_SECONDS",
                self.role, self.base_url
            ),
        }
    }

    /// The saved document, when a write whose outcome was unknown turns out to have been made.
    async fn recover(&self, recover: &Recover<'_>) -> Result<Option<Value>> {
        // One attempt per look-up request: a failed look-up is retried by the caller's loop.
        let once = self.single_attempt();
        match recover {
            Recover::Retry => Ok(None),
            Recover::LookupByName { collection, name } => Box::pin(once.find_by_name(collection, name)).await,
            Recover::CheckSaved { item, sent } => {
                let current = Box::pin(once.get(item)).await?;
                Ok(was_saved(sent, &current).then_some(current))
            }
        }
    }

    /// This client with one attempt per request (same connection pool, limiter and metrics).
    fn single_attempt(&self) -> Client {
        let mut once = self.clone();
        once.options.retry.max_attempts = 1;
        once
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

    /// Time limit of one attempt; see [`ClientOptions::connect_timeout`].
    fn attempt_timeout(&self) -> Duration {
        if self.answered.load(Ordering::Relaxed) {
            self.options.timeout
        } else {
            self.options.connect_timeout.saturating_mul(2).min(self.options.timeout)
        }
    }

    async fn attempt(&self, method: &Method, path: &str, body: Option<&Value>) -> Attempt {
        let _permit = match self.limiter.acquire().await {
            Ok(p) => p,
            Err(_) => return Attempt::Fatal(anyhow!("the request limiter was closed")),
        };
        let url = format!("{}{path}", self.base_url);
        let limit = self.attempt_timeout();
        let mut req = self
            .http
            .request(method.clone(), &url)
            .timeout(limit)
            .header("X-Octopus-ApiKey", self.api_key.expose());
        if let Some(b) = body {
            req = req.json(b);
        }
        let started = Instant::now();
        let sent = req.send().await;
        let elapsed = started.elapsed().as_millis();
        let mut response = match sent {
            Ok(r) => r,
            Err(e) => {
                self.metrics.record(method.as_str(), None);
                tracing::debug!(
                    "{} {method} {path} -> transport error after {elapsed} ms: {}",
                    self.role,
                    error_chain(&e)
                );
                return self.unanswered(&e, limit);
            }
        };
        self.answered.store(true, Ordering::Relaxed);
        let status = response.status();
        self.metrics.record(method.as_str(), Some(status.as_u16()));
        if status.is_redirection() {
            let location = response
                .headers()
                .get("Location")
                .and_then(|v| v.to_str().ok())
                .map(without_query)
                .unwrap_or_else(|| "(no Location header)".into());
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
        let cap = self.options.max_response_bytes;
        if status.is_success() {
            if let Some(declared) = response.content_length().filter(|&n| n > cap) {
                return Attempt::Fatal(self.too_large(method, path, Some(declared)));
            }
        }
        let body = match read_limited(&mut response, if status.is_success() { cap } else { ERROR_BODY_LIMIT }).await {
            Ok(b) => b,
            Err(e) => {
                tracing::debug!(
                    "{} {method} {path} -> {status}, body lost: {}",
                    self.role,
                    error_chain(&e)
                );
                let what = if e.is_timeout() {
                    format!("its response did not finish within {}", seconds(limit))
                } else {
                    "the connection dropped while its response was being read".to_string()
                };
                return Attempt::Transient {
                    failure: Failure {
                        why: format!("the server answered {} but {what}", status_text(status)),
                        trouble: Trouble::Other,
                        retry_after: None,
                    },
                    outcome_unknown: true,
                };
            }
        };
        tracing::debug!("{} {method} {path} -> {} ({elapsed} ms)", self.role, status.as_u16());
        let bytes = match body {
            Limited::Whole(b) => b,
            // An error body is only read for its message; its head is enough.
            Limited::Cut(head) if !status.is_success() => head,
            Limited::Cut(_) => return Attempt::Fatal(self.too_large(method, path, None)),
        };
        if status.is_success() {
            if bytes.is_empty() {
                return Attempt::Done(Value::Null);
            }
            return match serde_json::from_slice(&bytes) {
                Ok(v) => Attempt::Done(v),
                Err(e) => Attempt::Fatal(anyhow!(
                    "{} {method} {path}: the response is not JSON ({e}; it starts: {}); is {} an Octopus Server?",
                    self.role,
                    error_message(&bytes),
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
                failure: Failure {
                    why: format!("the server answered {api}"),
                    trouble: Trouble::Other,
                    retry_after,
                },
                // 429 and 503 mean "not processed"; other 5xx may have done the work before failing.
                outcome_unknown: status != StatusCode::TOO_MANY_REQUESTS && status != StatusCode::SERVICE_UNAVAILABLE,
            };
        }
        Attempt::Fatal(anyhow::Error::new(api.clone()).context(self.explain(method, path, &api)))
    }

    /// A request that got no HTTP answer at all: say which way it failed.
    fn unanswered(&self, e: &reqwest::Error, limit: Duration) -> Attempt {
        let connect_limit = self.options.connect_timeout.min(limit);
        let (why, trouble, outcome_unknown) = if e.is_connect() {
            let why = if e.is_timeout() || has_io_kind(e, std::io::ErrorKind::TimedOut) {
                format!("could not connect within {}", seconds(connect_limit))
            } else {
                format!("could not connect ({})", connect_cause(e))
            };
            // A connection that was never made never reached the server.
            (why, Trouble::Connect, false)
        } else if e.is_timeout() {
            (format!("no response within {}", seconds(limit)), Trouble::Silent, true)
        } else {
            (
                "the connection closed before a response arrived".to_string(),
                Trouble::Other,
                true,
            )
        };
        Attempt::Transient {
            failure: Failure {
                why,
                trouble,
                retry_after: None,
            },
            outcome_unknown,
        }
    }

    fn too_large(&self, method: &Method, path: &str, declared: Option<u64>) -> anyhow::Error {
        let size = match declared {
            Some(n) => format!("{} MB, ", n.div_ceil(1024 * 1024)),
            None => String::new(),
        };
        anyhow!(
            "{} {method} {path}: the response is {size}more than the {} MB octosync accepts (OCTOSYNC_MAX_RESPONSE_MB); if the {} space really holds documents this large, raise OCTOSYNC_MAX_RESPONSE_MB, otherwise check that OCTOSYNC_{}_URL is the Octopus Server's address",
            self.role,
            self.options.max_response_bytes / (1024 * 1024),
            self.role,
            self.role.to_ascii_uppercase()
        )
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

/// The space every pre-2019 instance implicitly is, and every newer one starts with.
const DEFAULT_SPACE: &str = "Default";

/// Whether two connected clients reach the same space of the same Octopus Server, however their
/// URLs are spelled (`localhost` and `127.0.0.1`, a load balancer and a node, an alias).
pub fn same_space(a: &Client, b: &Client) -> bool {
    match (a.installation_id(), b.installation_id()) {
        // Spaces are told apart by id; two pre-2019 clients (no ids) share the only space there is.
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y) && a.space_id() == b.space_id(),
        // A server that does not say which installation it is (something in front of it trims the
        // root document): only the URL text is left, as the settings already compared it.
        _ => {
            a.base_url().eq_ignore_ascii_case(b.base_url())
                && a.space_name().trim().eq_ignore_ascii_case(b.space_name().trim())
        }
    }
}

/// The items of one read of a paged collection, each id once.
#[derive(Default)]
struct PagedItems {
    items: Vec<Value>,
    seen: HashSet<String>,
}

impl PagedItems {
    /// Adds a page and returns how many of its items were new (items without an id always are).
    fn add(&mut self, page: Vec<Value>) -> usize {
        let before = self.items.len();
        for item in page {
            let new = match item.get("Id").and_then(Value::as_str) {
                Some(id) => self.seen.insert(id.to_string()),
                None => true,
            };
            if new {
                self.items.push(item);
            }
        }
        self.items.len() - before
    }
}

/// A body read up to a limit.
enum Limited {
    /// All of it.
    Whole(Vec<u8>),
    /// The first `limit` bytes; there was more, which was not read.
    Cut(Vec<u8>),
}

/// Reads at most `limit` bytes of a body, chunk by chunk, so a huge or endless body costs no more
/// memory than the limit.
async fn read_limited(response: &mut reqwest::Response, limit: u64) -> reqwest::Result<Limited> {
    let mut buf = Vec::with_capacity(response.content_length().unwrap_or(0).min(limit) as usize);
    while let Some(chunk) = response.chunk().await? {
        let room = (limit as usize).saturating_sub(buf.len());
        if chunk.len() > room {
            buf.extend_from_slice(&chunk[..room]);
            return Ok(Limited::Cut(buf));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(Limited::Whole(buf))
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

/// `environments` of `/api/Spaces-1/environments?partialName=x`.
fn collection_name(path: &str) -> &str {
    let path = path.split('?').next().unwrap_or(path);
    path.rsplit('/').next().unwrap_or(path)
}

fn items_of(page: Value, path: &str) -> Result<Vec<Value>> {
    match page {
        Value::Object(mut m) => match m.remove("Items") {
            Some(Value::Array(items)) => Ok(items),
            _ => bail!("{path}: expected a collection with Items, got something else"),
        },
        _ => bail!("{path}: expected a collection with Items, got something else"),
    }
}

/// One clean line from an error body: Octopus's own message, an HTML page's title (a load
/// balancer's error page), or the first words of whatever else it is.
fn error_message(bytes: &[u8]) -> String {
    if let Ok(v) = serde_json::from_slice::<Value>(bytes) {
        let Some(message) = v.get("ErrorMessage").and_then(Value::as_str) else {
            return one_line(&v.to_string(), 160);
        };
        let mut msg = message.to_string();
        if let Some(Value::Array(errors)) = v.get("Errors") {
            let lines: Vec<&str> = errors.iter().filter_map(Value::as_str).collect();
            if !lines.is_empty() {
                msg.push_str(&format!(" [{}]", lines.join("; ")));
            }
        }
        return one_line(&msg, 500);
    }
    let text = String::from_utf8_lossy(bytes);
    let lower = text.to_ascii_lowercase();
    if lower.trim_start().starts_with('<') || lower.contains("<html") || lower.contains("<!doctype") {
        let title = lower
            .find("<title")
            .and_then(|start| Some(start + text[start..].find('>')? + 1))
            .and_then(|start| Some(&text[start..start + lower[start..].find("</title")?]))
            .map(|t| one_line(&decode_entities(t), 100))
            .filter(|t| !t.is_empty());
        return match title {
            Some(t) => format!("an HTML page titled '{t}'"),
            None => format!("an HTML page: {}", one_line(&decode_entities(&strip_tags(&text)), 100)),
        };
    }
    one_line(&text, 200)
}

/// Text with every tag, script and style removed.
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        out.push(' ');
        let tag = &rest[open..];
        let lower = tag.get(..7).unwrap_or(tag).to_ascii_lowercase();
        let close = if lower.starts_with("<script") {
            "</script>"
        } else if lower.starts_with("<style") {
            "</style>"
        } else {
            ">"
        };
        match tag.to_ascii_lowercase().find(close) {
            Some(end) => rest = &tag[end + close.len()..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

fn decode_entities(text: &str) -> String {
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// `text` on one line: whitespace runs and control characters become one space, cut at `max`
/// characters with an ellipsis.
fn one_line(text: &str, max: usize) -> String {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect();
    let line = words.join(" ");
    if line.chars().count() <= max {
        return line;
    }
    let cut: String = line.chars().take(max).collect();
    format!("{}…", cut.trim_end())
}

/// `create` for a POST, `update` for a PUT.
fn method_noun(method: &Method) -> &'static str {
    match *method {
        Method::POST => "create",
        Method::PUT => "update",
        _ => "request",
    }
}

/// `HTTP 201 Created`.
fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("HTTP {} {reason}", status.as_u16()),
        None => format!("HTTP {}", status.as_u16()),
    }
}

/// `10 s`, `0.3 s`.
fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// A URL without its query string, which may hold a key.
fn without_query(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or_default().to_string()
}

/// The summary of a request that gave up, or the whole error: for quoting one failure in another.
fn cause_of(e: &anyhow::Error) -> String {
    match e.downcast_ref::<GaveUp>() {
        Some(g) => g.summary.clone(),
        None => one_line(&format!("{e:#}"), 300),
    }
}

fn has_io_kind(e: &(dyn std::error::Error + 'static), kind: std::io::ErrorKind) -> bool {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(inner) = src {
        if inner
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == kind)
        {
            return true;
        }
        src = inner.source();
    }
    false
}

/// Why a connection could not be made, in a few words.
fn connect_cause(e: &reqwest::Error) -> String {
    use std::io::ErrorKind;
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut innermost = String::new();
    while let Some(inner) = src {
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            match io.kind() {
                ErrorKind::ConnectionRefused => return "connection refused: nothing listens there".into(),
                ErrorKind::ConnectionReset => return "connection reset".into(),
                _ => {}
            }
        }
        innermost = inner.to_string();
        src = inner.source();
    }
    if error_chain(e).contains("dns error") {
        return "the host name does not resolve".into();
    }
    one_line(&innermost, 120)
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

    #[test]
    fn a_load_balancers_html_page_becomes_its_title_on_one_line() {
        let page = "<!DOCTYPE html>\n<html><head>\n<TITLE>\n  502 Bad\n Gateway </TITLE></head><body><h1>Bad Gateway</h1></body></html>";
        assert_eq!(error_message(page.as_bytes()), "an HTML page titled '502 Bad Gateway'");
    }

    #[test]
    fn an_html_page_without_a_title_shows_its_first_words_only() {
        let page = format!(
            "<html><style>p {{ color: red }}</style><script>alert('x')</script><body><p>Service\n&amp; API unavailable</p>{}</body></html>",
            "<p>more words</p>".repeat(100)
        );
        let line = error_message(page.as_bytes());
        assert!(
            line.starts_with("an HTML page: Service & API unavailable more words"),
            "{line}"
        );
        assert!(
            !line.contains('<') && !line.contains("alert") && !line.contains("color"),
            "{line}"
        );
        assert!(line.chars().count() < 130 && line.ends_with('…'), "{line}");
    }

    #[test]
    fn octopus_error_messages_and_plain_text_stay_on_one_line() {
        let json = br#"{"ErrorMessage": "There was a problem\r\nwith your request.", "Errors": ["Name\nis taken"]}"#;
        assert_eq!(
            error_message(json),
            "There was a problem with your request. [Name is taken]"
        );
        let text = format!("upstream\tconnect error\n{}", "x".repeat(1000));
        let line = error_message(text.as_bytes());
        assert!(
            line.starts_with("upstream connect error x") && !line.contains('\n'),
            "{line}"
        );
        assert!(line.chars().count() <= 201, "{line}");
    }

    #[test]
    fn an_empty_error_body_is_called_empty() {
        let api = ApiError {
            status: 502,
            message: error_message(b""),
        };
        assert_eq!(api.to_string(), "HTTP 502 Bad Gateway with an empty body");
        let api = ApiError {
            status: 400,
            message: "Name is required".into(),
        };
        assert_eq!(api.to_string(), "HTTP 400 Bad Request: Name is required");
    }

    fn connected(url: &str, space: &str, installation: Option<&str>, space_id: Option<&str>) -> Client {
        let settings = InstanceSettings {
            role: "source",
            url: url.into(),
            api_key: ApiKey::new("API-TEST"),
            space: space.into(),
        };
        let mut c = Client::new(&settings, ClientOptions::from(HttpSettings::default())).unwrap();
        c.installation_id = installation.map(str::to_string);
        c.space_id = space_id.map(str::to_string);
        c
    }

    #[test]
    fn the_same_installation_and_space_is_the_same_space_however_the_url_is_spelled() {
        let id = Some("9f155416-5d9e-4e19-ba58-b710d4edf336");
        let a = connected("http://127.0.0.1:8080", "Default", id, Some("Spaces-1"));
        let b = connected("http://localhost:8080", "default", id, Some("Spaces-1"));
        assert!(same_space(&a, &b));
        let other_space = connected("http://localhost:8080", "Mirror", id, Some("Spaces-2"));
        assert!(!same_space(&a, &other_space));
        let other_server = connected("http://127.0.0.1:8080", "Default", Some("0e9b"), Some("Spaces-1"));
        assert!(!same_space(&a, &other_server));
        let both_pre_2019 = (
            connected("http://a", "Default", id, None),
            connected("http://b", "Default", id, None),
        );
        assert!(same_space(&both_pre_2019.0, &both_pre_2019.1));
    }

    #[test]
    fn without_an_installation_id_only_the_url_text_can_tell() {
        let a = connected("http://127.0.0.1:8080", "Default", None, Some("Spaces-1"));
        let b = connected("http://localhost:8080", "Default", Some("9f15"), Some("Spaces-1"));
        assert!(!same_space(&a, &b));
        let c = connected("HTTP://127.0.0.1:8080", "Default", None, Some("Spaces-1"));
        assert!(same_space(&a, &c));
    }

    #[test]
    fn durations_read_as_seconds() {
        assert_eq!(seconds(Duration::from_secs(10)), "10 s");
        assert_eq!(seconds(Duration::from_millis(400)), "0.4 s");
    }
}
