//! The REST adapter: axum handlers that parse, call the domain, render.

pub mod changes;
pub mod chart;
pub mod cite;
pub mod csv;
pub mod dictionary;
pub mod export;
pub mod groups;
pub mod health;
pub mod json;
pub mod landing;
pub mod legal_outcomes;
pub mod openapi;
pub mod operations;
pub mod params;
pub mod reader;
pub mod search;
pub mod sources;
pub mod stats;
pub mod targets;
pub mod taxii;
pub mod timeline;
pub mod v1;
pub mod views;
pub mod writes;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, Uri};
use axum::middleware;
use axum::routing::get;
use tower_http::limit::RequestBodyLimitLayer;

use crate::http::problem::Problem;
use crate::state::AppState;

/// Largest file `POST /v1/import` accepts.
pub const MAX_IMPORT_BODY: usize = 64 * 1024 * 1024;

pub fn router(state: &AppState) -> Router<AppState> {
    let reads = Router::new()
        .route("/v1/groups", get(groups::list_groups))
        .route("/v1/groups/{slug}", get(groups::get_group))
        .route("/v1/operations", get(operations::list_operations))
        .route("/v1/operations/{slug}", get(operations::get_operation))
        .route("/v1/targets", get(targets::list_targets))
        .route("/v1/targets/{slug}", get(targets::get_target))
        .route(
            "/v1/legal-outcomes",
            get(legal_outcomes::list_legal_outcomes),
        )
        .route(
            "/v1/legal-outcomes/{slug}",
            get(legal_outcomes::get_legal_outcome),
        )
        .route("/v1/sources", get(sources::list_sources))
        .route("/v1/sources/{slug}", get(sources::get_source))
        .route("/v1/search", get(search::search))
        .route("/v1/timeline", get(timeline::timeline))
        .route("/v1/stats", get(stats::stats))
        .route("/v1/timeline.svg", get(landing::timeline_svg))
        .route("/", get(landing::landing))
        .merge(dictionary::routes())
        .layer(middleware::from_fn(crate::http::cache::etag));
    // Streamed, so outside the ETag layer (which hashes whole bodies).
    let exports = Router::new()
        .route("/v1/export", get(export::export))
        .route("/v1/changes", get(changes::changes))
        .merge(taxii::routes());
    let mut writes = Router::new();
    for c in crate::domain::write::Collection::ALL {
        writes = writes.merge(writes::routes(c));
    }
    // The gate is inside the body limit: a declared length over the limit is
    // refused first, and nothing is read before the key is checked.
    let writes = writes
        .route_layer(middleware::from_fn_with_state(state.clone(), writes::gate))
        .layer(RequestBodyLimitLayer::new(crate::domain::write::MAX_BODY));
    let import = Router::new()
        .route("/v1/import", axum::routing::post(writes::import))
        .route_layer(middleware::from_fn_with_state(state.clone(), writes::gate))
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(MAX_IMPORT_BODY));
    Router::new()
        .merge(reads)
        .merge(exports)
        .merge(writes)
        .merge(import)
        .merge(openapi::routes())
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(health::metrics))
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
