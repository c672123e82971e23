//! Building and running the HTTP application from a config value. Tests build
//! it the same way, on port 0 with their own database.

use std::future::IntoFuture;
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
use crate::metrics::{self, Metrics};
use crate::{db, domain, graphql, rest};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The primary: every write, and every read when there is no replica.
    pub db: DatabaseConnection,
    /// `DATABASE_READ_URL`, when set: anonymous reads go there.
    pub replica: Option<DatabaseConnection>,
    /// Built once at start-up, not per request.
    pub graphql: graphql::FactlineSchema,
    pub graphql_limits: Arc<graphql::Limits>,
    /// Parsed GraphQL documents by their text.
    pub graphql_documents: Arc<graphql::documents::Documents>,
    pub metrics: Arc<Metrics>,
    /// Whole-database exports running at once; each holds a connection (and,
    /// on Postgres, a snapshot) for as long as its client reads.
    pub exports: Arc<tokio::sync::Semaphore>,
    /// Rate limits and the in-flight cap (none unless configured).
    pub limiter: Arc<crate::limits::Limiter>,
}

/// Most exports that may run at once; more get a 503 with `Retry-After`, so
/// slow downloads can never take the whole pool.
pub const MAX_CONCURRENT_EXPORTS: usize = 2;

impl AppState {
    pub fn new(db: DatabaseConnection, limits: graphql::Limits) -> Self {
        AppState {
            graphql: graphql::schema(db.clone(), &limits),
            graphql_documents: Arc::new(graphql::documents::Documents::new(limits.document_cache)),
            graphql_limits: Arc::new(limits),
            db,
            replica: None,
            metrics: Arc::new(Metrics::default()),
            exports: Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT_EXPORTS)),
            limiter: Arc::new(crate::limits::Limiter::new(&Default::default())),
        }
    }

    /// Applies rate limits and the in-flight cap.
    #[must_use]
    pub fn with_limits(mut self, cfg: &crate::limits::LimitConfig) -> Self {
        self.limiter = Arc::new(crate::limits::Limiter::new(cfg));
        self
    }

    /// Sends anonymous reads to `read` from now on.
    #[must_use]
    pub fn with_replica(mut self, read: DatabaseConnection) -> Self {
        self.replica = Some(read);
        self
    }

    /// The connection for a read: the replica, unless there is none or the
    /// request carries credentials. Editors are the only clients that write,
    /// so sending their reads to the primary gives them read-your-writes
    /// without any session state; anonymous readers may see a replica's lag.
    pub fn reader(&self, headers: &axum::http::HeaderMap) -> &DatabaseConnection {
        match &self.replica {
            Some(r) if !headers.contains_key(axum::http::header::AUTHORIZATION) => r,
            _ => &self.db,
        }
    }

    /// A read request's connection on [`AppState::reader`]'s pool: one
    /// pooled connection for all its statements, counted in `/metrics`.
    pub fn read_conn(&self, headers: &axum::http::HeaderMap) -> crate::db::Reader {
        crate::db::Reader::new(self.reader(headers)).counted(self.metrics.read_statements())
    }
}

/// Extracts the connection a read request should use (see
/// [`AppState::reader`]): one pooled connection for all its statements.
pub struct ReadDb {
    pub db: crate::db::Reader,
}

impl axum::extract::FromRequestParts<AppState> for ReadDb {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ReadDb {
            db: state.read_conn(&parts.headers),
        })
    }
}

/// Longest a request may take before it is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub fn app(state: AppState) -> Router {
    let request_id = axum::http::HeaderName::from_static("x-request-id");
    let counters = state.metrics.clone();
    let limiter = state.limiter.clone();
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
        .route("/metrics", axum::routing::get(metrics::handler))
        .with_state(state)
        .layer(middleware::from_fn(rest::problem::ensure_problem))
        // Inside the metrics layer, so 429s and 503s from shedding are counted.
        .layer(middleware::from_fn_with_state(
            limiter,
            crate::limits::enforce,
        ))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        // Outside the timeout, so requests answered 408 are counted too.
        // Router::layer wraps each route, so the matched route is known here.
        .layer(middleware::from_fn_with_state(counters, metrics::track))
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
    if serve.no_migrate && serve.no_seed {
        return Ok(db);
    }
    // Migrating and seeding may rightly take longer than the statement
    // timeout meant for requests, and so may waiting for the lock: on
    // Postgres they get a pool of their own without one.
    let setup = if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        db::connect(&url, &db_cfg.without_statement_timeout())
            .await
            .with_context(|| format!("cannot open the database at {}", redact(&url)))?
    } else {
        db.clone()
    };
    // Replicas starting together take turns: one migrates and seeds, the
    // others then find the work done.
    let lock = db::StartupLock::acquire(&setup)
        .await
        .context("cannot take the start-up lock")?;
    let result = migrate_and_seed(&setup, serve).await;
    lock.release().await;
    if setup.get_database_backend() == sea_orm::DbBackend::Postgres {
        setup.close().await.ok();
    }
    result?;
    Ok(db)
}

async fn migrate_and_seed(db: &DatabaseConnection, serve: &ServeConfig) -> anyhow::Result<()> {
    if !serve.no_migrate {
        db::migrate(db)
            .await
            .context("cannot migrate the database")?;
    }
    if !serve.no_seed {
        let seeded = domain::bundled::seed_if_empty(db)
            .await
            .context("cannot load the bundled dataset")?;
        if let Some(report) = seeded {
            tracing::info!(
                records = report.total(),
                "loaded the bundled dataset into an empty database"
            );
        }
    }
    Ok(())
}

/// Opens the read replica's pool, when one is configured. It is not migrated:
/// a streaming replica follows the primary's schema.
pub async fn connect_replica(db_cfg: &DbConfig) -> anyhow::Result<Option<DatabaseConnection>> {
    let Some(url) = &db_cfg.database_read_url else {
        return Ok(None);
    };
    let db = db::connect(url, db_cfg)
        .await
        .with_context(|| format!("cannot open the read replica at {}", redact(url)))?;
    Ok(Some(db))
}

/// A bound server, ready to run.
pub struct Server {
    listener: TcpListener,
    app: Router,
    drain: Duration,
}

/// Default for `FACTLINE_DRAIN_TIMEOUT_MS`: below the 30 s most orchestrators
/// wait between SIGTERM and SIGKILL.
pub const DEFAULT_DRAIN: Duration = Duration::from_secs(20);

impl Server {
    pub async fn bind(addr: &str, state: AppState) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        Ok(Server {
            listener,
            app: app(state),
            drain: DEFAULT_DRAIN,
        })
    }

    /// How long in-flight requests may take to finish once shutdown starts.
    #[must_use]
    pub fn drain_timeout(mut self, drain: Duration) -> Self {
        self.drain = drain;
        self
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until SIGINT or SIGTERM, then stops accepting and lets in-flight
    /// requests finish, for at most the drain timeout.
    pub async fn run(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` resolves, then drains as [`Server::run`] does.
    pub async fn run_until(
        self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stopping, stopped) = tokio::sync::oneshot::channel::<()>();
        let signal = async move {
            stop.await;
            let _ = stopping.send(());
        };
        let drain = self.drain;
        let deadline = async move {
            // An error means the server ended before any stop was asked for.
            if stopped.await.is_ok() {
                tokio::time::sleep(drain).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        // The peer address is what per-IP rate limits key on.
        let serve = axum::serve(
            self.listener,
            self.app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(signal);
        tokio::select! {
            r = serve.into_future() => r,
            () = deadline => {
                tracing::warn!(
                    drain_ms = u64::try_from(drain.as_millis()).unwrap_or(u64::MAX),
                    "drain timeout reached: closing the connections still open"
                );
                Ok(())
            }
        }
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
