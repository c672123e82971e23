//! The REST adapter: axum handlers that parse, call the domain, render.

pub mod health;
pub mod problem;

use axum::Router;
use axum::http::{StatusCode, Uri};
use axum::routing::get;

use crate::startup::AppState;
use problem::Problem;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn not_found(uri: Uri) -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        format!("no route for {}", uri.path()),
    )
}

async fn method_not_allowed() -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "this method is not allowed on this route".to_owned(),
    )
}
