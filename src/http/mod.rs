//! The HTTP layer both doors share: problem+json errors, rate limits and
//! load shedding, metrics, ETags, request ids, CORS and the middleware stack
//! that puts them around every route. It knows nothing of REST or GraphQL.

pub mod cache;
pub mod limits;
pub mod metrics;
pub mod problem;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{Method, StatusCode};
use axum::middleware;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use limits::Limiter;
use metrics::Metrics;

/// Longest a request may take before it is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Wraps the routes of both doors in the layers every request passes, from
/// the outside in: request id (a client's only when safe), tracing, CORS,
/// metrics, the request timeout, compression, rate limits and load
/// shedding, and problem+json for every error.
pub fn layers(routes: Router, counters: Arc<Metrics>, limiter: Arc<Limiter>) -> Router {
    let request_id = axum::http::HeaderName::from_static("x-request-id");
    routes
        .layer(middleware::from_fn(problem::ensure_problem))
        // Inside the metrics layer, so 429s and 503s from shedding are counted.
        .layer(middleware::from_fn_with_state(limiter, limits::enforce))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        // Outside the timeout, so requests answered 408 are counted too.
        // Router::layer wraps each route, so the matched route is known here.
        .layer(middleware::from_fn_with_state(counters, metrics::track))
        .layer(cors())
        // Every log line of a request carries its id (set or propagated below).
        .layer(TraceLayer::new_for_http().make_span_with(
            |req: &axum::http::Request<axum::body::Body>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!(
                    "request",
                    request_id = %id,
                    method = %req.method(),
                    path = %req.uri().path(),
                )
            },
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        // Outermost, so an id we would not log or echo is replaced by a new one.
        .layer(middleware::from_fn(drop_unsafe_request_id))
}

/// Longest client `X-Request-Id` kept.
pub const MAX_REQUEST_ID: usize = 64;

/// Keeps a client's `X-Request-Id` only when it is short and made of safe
/// characters (letters, digits, `-`, `_`, `.`, `:`); otherwise removes it,
/// so that the next layer gives the request a new id. Logs and echoes then
/// never carry a client's arbitrary bytes.
async fn drop_unsafe_request_id(
    mut req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let safe = |v: &axum::http::HeaderValue| {
        let b = v.as_bytes();
        !b.is_empty()
            && b.len() <= MAX_REQUEST_ID
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':'))
    };
    let headers = req.headers_mut();
    if headers.get_all("x-request-id").iter().count() > 1
        || headers.get("x-request-id").is_some_and(|v| !safe(v))
    {
        headers.remove("x-request-id");
    }
    next.run(req).await
}

/// Reads are public facts: any origin may fetch them from a browser. Only
/// safe methods are allowed cross-origin, so a page elsewhere cannot write.
pub fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
        .allow_headers(Any)
        .expose_headers(Any)
}
