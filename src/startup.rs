//! Building and running the HTTP application from a config value. Tests build
//! it the same way, on port 0 with their own database.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::{DbConfig, ServeConfig};
use crate::{db, domain, graphql, rest};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    /// Built once at start-up, not per request.
    pub graphql: graphql::FactlineSchema,
    pub graphql_limits: Arc<graphql::Limits>,
}

impl AppState {
    pub fn new(db: DatabaseConnection, limits: graphql::Limits) -> Self {
        AppState {
            graphql: graphql::schema(db.clone(), &limits),
            graphql_limits: Arc::new(limits),
            db,
        }
    }
}

/// Longest a request may take before it is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub fn app(state: AppState) -> Router {
    let request_id = axum::http::HeaderName::from_static("x-request-id");
    let graphql_routes = Router::new()
        .route(
            "/graphql",
            axum::routing::get(graphql::http::get).post(graphql::http::post),
        )
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(state.graphql_limits.max_body))
        .merge(graphql::playground::routes());
    rest::router()
        .merge(graphql_routes)
        .with_state(state)
        .layer(middleware::from_fn(rest::problem::ensure_problem))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(rest::cors())
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
}

/// Connects, migrates and seeds as configured: everything `serve` does before listening.
pub async fn prepare(db_cfg: &DbConfig, serve: &ServeConfig) -> anyhow::Result<DatabaseConnection> {
    let url = db_cfg.url();
    let db = db::connect(&url, db_cfg)
        .await
        .with_context(|| format!("cannot open the database at {}", redact(&url)))?;
    if !serve.no_migrate {
        db::migrate(&db)
            .await
            .context("cannot migrate the database")?;
    }
    if !serve.no_seed {
        let seeded = domain::bundled::seed_if_empty(&db)
            .await
            .context("cannot load the bundled dataset")?;
        if let Some(report) = seeded {
            tracing::info!(
                records = report.total(),
                "loaded the bundled dataset into an empty database"
            );
        }
    }
    Ok(db)
}

/// A bound server, ready to run.
pub struct Server {
    listener: TcpListener,
    app: Router,
}

impl Server {
    pub async fn bind(addr: &str, state: AppState) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        Ok(Server {
            listener,
            app: app(state),
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until SIGINT or SIGTERM, then lets in-flight requests finish.
    pub async fn run(self) -> std::io::Result<()> {
        axum::serve(self.listener, self.app)
            .with_graceful_shutdown(shutdown_signal())
            .await
    }

    /// Serves until the future resolves (tests).
    pub async fn run_until(
        self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(self.listener, self.app)
            .with_graceful_shutdown(stop)
            .await
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

/// A database URL with its password replaced, safe for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            super::redact("postgres://app:s3cret@db:5432/factline"),
            "postgres://app:***@db:5432/factline"
        );
        assert_eq!(
            super::redact("sqlite://./factline.db?mode=rwc"),
            "sqlite://./factline.db?mode=rwc"
        );
    }
}
