//! Liveness and readiness for load balancers and container health checks.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::http::problem::Problem;
use crate::state::AppState;

/// The process is up and serving HTTP.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "`{\"status\": \"ok\"}`", body = Object)))]
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// 200 when the database (and the read replica, if any) answers; a 503 problem with `Retry-After` when not.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses(
        (status = 200, description = "`{\"status\": \"ready\"}`: the database answers", body = Object),
        (status = 503, description = "The database does not answer; retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let replica_ok = match &state.replica {
        Some(r) => crate::db::ping(r).await,
        None => true,
    };
    if replica_ok && crate::db::ping(&state.db).await {
        Json(json!({"status": "ready"})).into_response()
    } else {
        let mut res = Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the database does not answer".to_owned(),
        )
        .into_response();
        res.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static("5"),
        );
        res
    }
}

/// `GET /metrics`: Prometheus text, with the pools' gauges read now.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let body = state.metrics.render(&state.db, state.replica.as_ref());
    let mut res = body.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    res
}
