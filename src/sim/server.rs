//! Serving over HTTP: the accept loop, and the latency, faults and request log wrapped around the
//! router.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, Uri};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;
use tower::ServiceExt;

use super::envelope;
use super::faults::Fault;
use super::routes::{self, Content};
use super::Shared;

/// The error that makes hyper close a connection without answering.
#[derive(Debug)]
struct DroppedConnection;

impl std::fmt::Display for DroppedConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("simulated dropped connection")
    }
}

impl std::error::Error for DroppedConnection {}

pub(super) async fn accept_loop(
    listener: TcpListener,
    router: Router,
    shared: Arc<Shared>,
    mut stopped: oneshot::Receiver<()>,
) {
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
    // Counted until the answer is handed to hyper, before the client can read it, so a client's
    // next request never overlaps this one's count (unless the client gave up on it first).
    let _serving = shared.serving();
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

pub(super) async fn handler(
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
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    match reply.body {
        Content::Json(b) => json_response(reply.status, &b, None),
        Content::Empty => {
            let mut resp = Response::new(Body::empty());
            *resp.status_mut() = status;
            resp
        }
        Content::File(bytes) => {
            let mut resp = Response::new(Body::from(bytes));
            *resp.status_mut() = status;
            resp.headers_mut()
                .insert("content-type", HeaderValue::from_static("application/octet-stream"));
            resp
        }
        Content::Image(content_type, bytes) => {
            let mut resp = Response::new(Body::from(bytes));
            *resp.status_mut() = status;
            resp.headers_mut()
                .insert("content-type", HeaderValue::from_static(content_type));
            resp
        }
    }
}
