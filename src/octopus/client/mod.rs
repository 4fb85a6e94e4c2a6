//! One client per instance: the [`Client`] type, its options, connecting, the public request
//! methods and the one retry loop ([`Client::request`]) every request goes through.

mod attempt;
mod identity;
mod limiter;
mod messages;
mod paging;
mod recovery;
mod upload;

pub use identity::same_space;
pub use messages::ApiError;
pub use paging::RawItem;
pub use upload::Download;

use super::metrics::Metrics;
use super::retry::RetryPolicy;
use super::version::OctopusVersion;
use crate::report::RequestCounts;
use crate::settings::{ApiKey, HttpSettings, InstanceSettings};
use anyhow::{anyhow, Context, Result};
use attempt::{Attempt, Expect, Failure, Trouble};
use identity::installation_id;
use limiter::Limiter;
use messages::{cause_of, method_noun, one_line, GaveUp};
use recovery::Recover;
use reqwest::Method;
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use upload::{Form, Payload};

/// How a client behaves; built from [`HttpSettings`].
#[derive(Debug, Clone, Copy)]
pub struct ClientOptions {
    /// Most requests in flight (the ceiling: the limit adapts below it to how the server answers).
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
    /// The run's time limit: no attempt is retried past it (an attempt in flight finishes).
    pub deadline: Option<tokio::time::Instant>,
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
            deadline: None,
        }
    }
}

/// Attempts per request while an instance has never answered and cannot be connected to or does
/// not answer: a wrong address or a hung server is not helped by more, and the person waiting on
/// the runbook should hear so in seconds.
const FIRST_CONTACT_ATTEMPTS: u32 = 2;

/// A connected client of one instance and space.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    role: &'static str,
    base_url: String,
    api_key: ApiKey,
    limiter: Arc<Limiter>,
    metrics: Arc<Metrics>,
    options: ClientOptions,
    space_id: Option<String>,
    space_name: String,
    version: Option<OctopusVersion>,
    installation_id: Option<String>,
    /// Set once the instance has sent any HTTP answer.
    answered: Arc<AtomicBool>,
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
            limiter: Arc::new(Limiter::new(options.concurrency)),
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
        client.installation_id = installation_id(&root);
        tracing::debug!("{} instance {} runs Octopus {}", client.role, client.base_url, version);
        client.space_id = client.space_of(&version).await?;
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

    /// Request counts so far, with how the limit on requests in flight moved.
    pub fn metrics(&self) -> RequestCounts {
        RequestCounts {
            concurrency: Some(self.limiter.history()),
            ..self.metrics.snapshot()
        }
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
        self.get_as(path, Expect::Json).await
    }

    /// GET a JSON document as its text, for a caller that parses only what it needs.
    pub async fn get_text(&self, path: &str) -> Result<String> {
        match self.get_as(path, Expect::Text).await? {
            Value::String(text) => Ok(text),
            _ => Ok(String::new()),
        }
    }

    /// GET a file (a certificate export) as base64 text, under the same size cap as any answer.
    pub async fn get_base64(&self, path: &str) -> Result<String> {
        let body = self.get_as(path, Expect::Base64).await?;
        Ok(body.as_str().unwrap_or_default().to_string())
    }

    /// GET a file (a logo) with its content type, under the same size cap as any answer.
    pub async fn get_file(&self, path: &str) -> Result<Download> {
        let answer = self.get_as(path, Expect::File).await?;
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(answer["Base64"].as_str().unwrap_or_default())
            .context("a downloaded file could not be decoded")?;
        Ok(Download {
            content_type: answer["ContentType"].as_str().unwrap_or_default().to_string(),
            bytes,
        })
    }

    /// POST a file as the one part `field` of a `multipart/form-data` form (a logo). Sending the
    /// same file again leaves the same result, so a lost answer is simply retried; the answer's
    /// body is not read (the caller reads the result back).
    pub async fn upload_file(&self, path: &str, field: &str, file_name: &str, bytes: &[u8]) -> Result<()> {
        let form = Form::file(field, file_name, bytes);
        self.request_as(
            Method::POST,
            path,
            Some(Payload::Form(&form)),
            Recover::Retry,
            Expect::Ignored,
        )
        .await
        .map(|_| ())
    }

    /// POST a request whose effect can be recognised afterwards (a certificate replace): if the
    /// outcome is unknown, `item_path` is read back, and the request counts as made when the item
    /// holds every field of `expect`; only a read showing it was not made lets it be sent again.
    pub async fn post_checked(&self, path: &str, body: &Value, item_path: &str, expect: &Value) -> Result<Value> {
        self.request(
            Method::POST,
            path,
            Some(body),
            Recover::CheckSaved {
                item: item_path,
                sent: expect,
            },
        )
        .await
    }

    /// POST `body` to a collection to make the item `body.Name` (`name` where the body has none).
    /// If the outcome is unknown (a lost answer), the item is looked up by name before any retry,
    /// within `owner` (`(field, id)`, e.g. `("ProjectId", "Projects-3")`) for an item that belongs
    /// to another, and the request is only sent again once the look-up shows it absent.
    pub async fn create(
        &self,
        collection_path: &str,
        body: &Value,
        name: &str,
        owner: Option<(&str, &str)>,
    ) -> Result<Value> {
        let name = body.get("Name").and_then(Value::as_str).unwrap_or(name);
        self.request(
            Method::POST,
            collection_path,
            Some(body),
            Recover::LookupByName {
                collection: collection_path,
                name,
                owner,
            },
        )
        .await
    }

    /// POST `body` to `path` (a route with options, such as `?publish=true`) to make the item `name`
    /// listed in `lookup_collection`. If the outcome is unknown, the item is looked up by name
    /// there, and the request is only sent again once a look-up shows it absent.
    pub async fn create_with_lookup(
        &self,
        path: &str,
        body: &Value,
        lookup_collection: &str,
        name: &str,
    ) -> Result<Value> {
        self.request(
            Method::POST,
            path,
            Some(body),
            Recover::LookupByName {
                collection: lookup_collection,
                name,
                owner: None,
            },
        )
        .await
    }

    /// POST to `path` a request without a body that makes the item `name` in `collection_path` (an
    /// installation from a library). If the outcome is unknown, the item is looked up by name in
    /// `collection_path`, and the request is only sent again once a look-up shows it absent.
    pub async fn create_at(&self, path: &str, collection_path: &str, name: &str) -> Result<Value> {
        self.request(
            Method::POST,
            path,
            None,
            Recover::LookupByName {
                collection: collection_path,
                name,
                owner: None,
            },
        )
        .await
    }

    /// PUT without a body whose effect is the same however often it is sent (bringing an
    /// installed library template to the library's version): a lost response is simply retried.
    pub async fn put_idempotent_empty(&self, path: &str) -> Result<Value> {
        self.request(Method::PUT, path, None, Recover::Retry).await
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

    /// A GET through the one retry loop, its answer read as `expect` says.
    async fn get_as(&self, path: &str, expect: Expect) -> Result<Value> {
        self.request_as(Method::GET, path, None, Recover::Retry, expect).await
    }

    /// A JSON request through the one retry loop ([`Client::request_as`]).
    async fn request(&self, method: Method, path: &str, body: Option<&Value>, recover: Recover<'_>) -> Result<Value> {
        self.request_as(method, path, body.map(Payload::Json), recover, Expect::Json)
            .await
    }

    /// The one retry loop; a successful answer is read as `expect` says.
    ///
    /// A write whose outcome is unknown (no answer, or a 5xx that may have come after the work) is
    /// looked up before anything else happens; it is sent again only after a look-up that worked
    /// shows it was not made. A failed look-up is an attempt like any other: it is retried with
    /// backoff, and the write is never re-sent on a guess.
    async fn request_as(
        &self,
        method: Method,
        path: &str,
        body: Option<Payload<'_>>,
        recover: Recover<'_>,
        expect: Expect,
    ) -> Result<Value> {
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
                match self.attempt(&method, path, body, expect).await {
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
            let wait = self.options.retry.delay(attempt, failure.retry_after);
            // Waiting past the run's time limit only delays the report the person is waiting for.
            let out_of_time = self
                .options
                .deadline
                .is_some_and(|d| tokio::time::Instant::now() + wait >= d);
            if attempt >= max || out_of_time {
                let mut advice = self.advice(failure.trouble);
                if out_of_time && attempt < max {
                    advice = format!(
                        "the run time limit (OCTOSYNC_TIMEOUT_MINUTES) leaves no time for another attempt; {advice}"
                    );
                }
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
}
