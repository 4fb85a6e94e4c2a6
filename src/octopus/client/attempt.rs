//! One attempt of a request: sending it under the attempt's time limit, reading the body under the
//! size cap, and classifying the outcome (done, fatal, or worth another try).

use super::limiter::Outcome;
use super::messages::{connect_cause, error_chain, error_message, has_io_kind, seconds, status_text, without_query};
use super::upload::Payload;
use super::{ApiError, Client};
use crate::octopus::retry::parse_retry_after;
use anyhow::anyhow;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// How much of an error body is read: enough for any message, never a whole proxy page.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

/// Why an attempt may succeed if tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Trouble {
    /// The connection could not be made: wrong URL, port, proxy or firewall, or the server is down.
    Connect,
    /// Connected, but no answer came in time.
    Silent,
    /// The server or the network failed part-way, or the server asked us to slow down.
    Other,
}

/// One failed attempt that may be retried.
pub(super) struct Failure {
    /// What went wrong, in words.
    pub(super) why: String,
    /// Why another try may help.
    pub(super) trouble: Trouble,
    /// How long the server asked us to wait (`Retry-After`).
    pub(super) retry_after: Option<Duration>,
}

/// What a successful answer's body is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Expect {
    /// A JSON document (every API route but a few downloads).
    Json,
    /// A JSON document handed on as its text, for a caller that parses only what it needs (the
    /// bulk reads of processes and variable sets, kept as text): `Value::String`.
    Text,
    /// A file (a certificate export), handed on as base64 text: the form the API takes it back in.
    Base64,
    /// A file with its content type (a logo): `{"ContentType": …, "Base64": …}`.
    File,
    /// Nothing worth reading: the body is read (under the cap) and dropped, whatever it is (a
    /// logo upload's answer, which the Octopus clients do not read either).
    Ignored,
}

/// The classified result of one attempt.
pub(super) enum Attempt {
    /// The answer's JSON body (`Null` when the body was empty).
    Done(Value),
    /// A failure no retry can help.
    Fatal(anyhow::Error),
    /// A failure another attempt may get past.
    Transient {
        failure: Failure,
        /// The request may have reached the server and been acted on.
        outcome_unknown: bool,
    },
}

impl Client {
    /// Time limit of one attempt; see [`ClientOptions::connect_timeout`](super::ClientOptions::connect_timeout).
    fn attempt_timeout(&self) -> Duration {
        if self.answered.load(Ordering::Relaxed) {
            self.options.timeout
        } else {
            self.options.connect_timeout.saturating_mul(2).min(self.options.timeout)
        }
    }

    /// Sends the request once and classifies what came back.
    pub(super) async fn attempt(
        &self,
        method: &Method,
        path: &str,
        body: Option<Payload<'_>>,
        expect: Expect,
    ) -> Attempt {
        let mut permit = match self.limiter.acquire().await {
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
        match body {
            Some(Payload::Json(b)) => req = req.json(b),
            Some(Payload::Form(form)) => {
                req = req
                    .header(reqwest::header::CONTENT_TYPE, form.content_type.as_str())
                    .body(form.body.clone());
            }
            None => {}
        }
        let started = Instant::now();
        let sent = req.send().await;
        let took = started.elapsed();
        let elapsed = took.as_millis();
        let mut response = match sent {
            Ok(r) => r,
            Err(e) => {
                self.metrics.record(method.as_str(), None);
                // No answer in time says the server is overloaded; a refused or dropped connection does not.
                if e.is_timeout() && !e.is_connect() {
                    permit.set_outcome(Outcome::Overloaded);
                }
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
        permit.set_outcome(if not_processed(status) {
            Outcome::Overloaded
        } else if status.is_server_error() {
            Outcome::Other
        } else {
            // The head's arrival, not the body's: a long page is not a slow server.
            Outcome::Answered(took)
        });
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
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
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
                    permit.set_outcome(Outcome::Overloaded);
                    format!("its response did not finish within {}", seconds(limit))
                } else {
                    "the connection dropped while its response was being read".to_string()
                };
                let why = format!("the server answered {} but {what}", status_text(status));
                // The status arrived, so for an error status the outcome is known: a refusal is
                // reported as one, and a 429 or 5xx is retried as its status says.
                if status.is_client_error() && status != StatusCode::TOO_MANY_REQUESTS {
                    let api = ApiError {
                        status: status.as_u16(),
                        message: format!("(the error message was lost: {what})"),
                    };
                    return Attempt::Fatal(anyhow::Error::new(api.clone()).context(self.explain(method, path, &api)));
                }
                return Attempt::Transient {
                    failure: Failure {
                        why,
                        trouble: Trouble::Other,
                        retry_after: if status.is_success() { None } else { retry_after },
                    },
                    outcome_unknown: status.is_success() || !not_processed(status),
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
            use base64::Engine;
            let encode = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
            match expect {
                Expect::Base64 => return Attempt::Done(Value::String(encode(&bytes))),
                Expect::File => {
                    return Attempt::Done(serde_json::json!({"ContentType": content_type, "Base64": encode(&bytes)}))
                }
                Expect::Ignored => return Attempt::Done(Value::Null),
                Expect::Text => {
                    return match String::from_utf8(bytes) {
                        Ok(text) => Attempt::Done(Value::String(text)),
                        Err(e) => Attempt::Fatal(self.not_json(method, path, &e, e.as_bytes())),
                    }
                }
                Expect::Json => {}
            }
        }
        if status.is_success() {
            if bytes.is_empty() {
                return Attempt::Done(Value::Null);
            }
            return match serde_json::from_slice(&bytes) {
                Ok(v) => Attempt::Done(v),
                Err(e) => Attempt::Fatal(self.not_json(method, path, &e, &bytes)),
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
                outcome_unknown: !not_processed(status),
            };
        }
        Attempt::Fatal(anyhow::Error::new(api.clone()).context(self.explain(method, path, &api)))
    }

    /// A successful answer that is not JSON (or not text): likely not an Octopus Server.
    pub(super) fn not_json(
        &self,
        method: &Method,
        path: &str,
        e: &dyn std::fmt::Display,
        bytes: &[u8],
    ) -> anyhow::Error {
        anyhow!(
            "{} {method} {path}: the response is not JSON ({e}; it starts: {}); is {} an Octopus Server?",
            self.role,
            error_message(bytes),
            self.base_url
        )
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
}

/// A body read up to a limit.
enum Limited {
    /// All of it.
    Whole(Vec<u8>),
    /// The first `limit` bytes; there was more, which was not read.
    Cut(Vec<u8>),
}

/// 429 and 503 mean the request was not processed; other 5xx may have done the work before failing.
fn not_processed(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE
}

/// Reads at most `limit` bytes of a body, chunk by chunk, so a huge or endless body costs no more
/// memory than the limit.
async fn read_limited(response: &mut reqwest::Response, limit: u64) -> reqwest::Result<Limited> {
    // Reserve for what arrives, not for what the server announces.
    let mut buf = Vec::with_capacity(response.content_length().unwrap_or(0).min(limit).min(1 << 20) as usize);
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
