//! What octosync says when a request fails: [`ApiError`], error bodies (Octopus JSON, HTML pages,
//! empty bodies) as one-line messages, transport errors in plain words, and advice on what to fix.

use super::attempt::Trouble;
use super::Client;
use anyhow::anyhow;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::fmt;
use std::sync::atomic::Ordering;
use std::time::Duration;

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
pub(super) struct GaveUp {
    /// The request and the failure of its last attempt.
    pub(super) summary: String,
    /// What to check or change.
    pub(super) advice: String,
}

impl fmt::Display for GaveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; {}", self.summary, self.advice)
    }
}

impl std::error::Error for GaveUp {}

impl Client {
    /// What an administrator can do about a request that kept failing.
    pub(super) fn advice(&self, trouble: Trouble) -> String {
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

    /// The error for a response larger than the size cap (`declared` when its length was announced).
    pub(super) fn too_large(&self, method: &Method, path: &str, declared: Option<u64>) -> anyhow::Error {
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

    /// What a refusal means for this request, and what to fix.
    pub(super) fn explain(&self, method: &Method, path: &str, api: &ApiError) -> String {
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
    pub(super) fn describe_failure(&self, what: &str) -> String {
        format!("{what} of the {} instance at {}", self.role, self.base_url)
    }
}

/// How much of a body a message is made from.
const MESSAGE_SOURCE_LIMIT: usize = 64 * 1024;

/// One clean line from an error body: Octopus's own message, an HTML page's title (a load
/// balancer's error page), or the first words of whatever else it is.
pub(super) fn error_message(bytes: &[u8]) -> String {
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
    // A message needs the start of a page, never all of it (a proxy may answer with megabytes).
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MESSAGE_SOURCE_LIMIT)]);
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

/// Text with every tag, script and style removed; linear in the size of the page.
fn strip_tags(html: &str) -> String {
    // ASCII lowercasing keeps every byte offset, so `lower` and `html` index alike.
    let lower = html.to_ascii_lowercase();
    let mut out = String::new();
    let mut at = 0;
    while let Some(open) = html[at..].find('<').map(|i| at + i) {
        out.push_str(&html[at..open]);
        out.push(' ');
        let close = if lower[open..].starts_with("<script") {
            "</script>"
        } else if lower[open..].starts_with("<style") {
            "</style>"
        } else {
            ">"
        };
        match lower[open..].find(close) {
            Some(end) => at = open + end + close.len(),
            None => return out,
        }
    }
    out.push_str(&html[at..]);
    out
}

/// `text` with the common HTML entities decoded.
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
pub(super) fn one_line(text: &str, max: usize) -> String {
    // Mask credentials before cutting: a key cut in half no longer looks like one to any later
    // redaction, and half a key is still a leak.
    let text = crate::redact::shape_safe(text);
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
pub(super) fn method_noun(method: &Method) -> &'static str {
    match *method {
        Method::POST => "create",
        Method::PUT => "update",
        _ => "request",
    }
}

/// `HTTP 201 Created`.
pub(super) fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("HTTP {} {reason}", status.as_u16()),
        None => format!("HTTP {}", status.as_u16()),
    }
}

/// `10 s`, `0.3 s`.
pub(super) fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// A URL without its query string, which may hold a key.
pub(super) fn without_query(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or_default().to_string()
}

/// The summary of a request that gave up, or the whole error: for quoting one failure in another.
pub(super) fn cause_of(e: &anyhow::Error) -> String {
    match e.downcast_ref::<GaveUp>() {
        Some(g) => g.summary.clone(),
        None => one_line(&format!("{e:#}"), 300),
    }
}

/// Whether `e` or any error under it is an I/O error of `kind`.
pub(super) fn has_io_kind(e: &(dyn std::error::Error + 'static), kind: std::io::ErrorKind) -> bool {
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
pub(super) fn connect_cause(e: &reqwest::Error) -> String {
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

/// `e` and every error under it, joined with `: `.
pub(super) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn a_huge_html_page_becomes_a_message_quickly() {
        let page = format!("<html><body>{}</body></html>", "<p>x</p>".repeat(2_000_000));
        let started = std::time::Instant::now();
        let line = error_message(page.as_bytes());
        assert!(line.starts_with("an HTML page: x x"), "{line}");
        // A hang guard, not a speed target: linear work on 64 KiB takes milliseconds, the quadratic
        // tag stripping this replaced took hours on 16 MB.
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn durations_read_as_seconds() {
        assert_eq!(seconds(Duration::from_secs(10)), "10 s");
        assert_eq!(seconds(Duration::from_millis(400)), "0.4 s");
    }
}
