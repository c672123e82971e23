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
    /// How long an export waits for a reader that takes nothing.
    pub export_stall: Duration,
    /// Imports running at once (see `rest::writes::MAX_CONCURRENT_IMPORTS`).
    pub imports: Arc<tokio::sync::Semaphore>,
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
            export_stall: Duration::from_millis(
                crate::limits::LimitConfig::default().export_stall_timeout_ms,
            ),
            imports: Arc::new(tokio::sync::Semaphore::new(
                rest::writes::MAX_CONCURRENT_IMPORTS,
            )),
            limiter: Arc::new(crate::limits::Limiter::new(&Default::default())),
        }
    }

    /// Applies rate limits and the in-flight cap.
    #[must_use]
    pub fn with_limits(mut self, cfg: &crate::limits::LimitConfig) -> Self {
        self.limiter = Arc::new(crate::limits::Limiter::new(cfg));
        self.export_stall = Duration::from_millis(cfg.export_stall_timeout_ms.max(1));
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
    rest::router(&state)
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
    header_read_timeout: Duration,
    max_open_connections: usize,
}

/// Default for `FACTLINE_DRAIN_TIMEOUT_MS`: below the 30 s most orchestrators
/// wait between SIGTERM and SIGKILL.
pub const DEFAULT_DRAIN: Duration = Duration::from_secs(20);

impl Server {
    pub async fn bind(addr: &str, state: AppState) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let limits = crate::limits::LimitConfig::default();
        Ok(Server {
            listener,
            app: app(state),
            drain: DEFAULT_DRAIN,
            header_read_timeout: Duration::from_millis(limits.header_read_timeout_ms),
            max_open_connections: limits.max_open_connections,
        })
    }

    /// The connection limits of `cfg`: header-read timeout and connection cap.
    #[must_use]
    pub fn connection_limits(mut self, cfg: &crate::limits::LimitConfig) -> Self {
        self.header_read_timeout = Duration::from_millis(cfg.header_read_timeout_ms.max(1));
        self.max_open_connections = cfg.max_open_connections;
        self
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
    ///
    /// The accept loop is ours (hyper-util's connection builder, as axum's
    /// `serve` uses it) because `axum::serve` sets no timer: without one,
    /// hyper's header-read timeout never fires and a client trickling its
    /// headers keeps the connection forever. Here every connection has the
    /// timeout, and at most `max_open_connections` are open at once.
    pub async fn run_until(
        self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
        use hyper_util::server::conn::auto::Builder;
        use hyper_util::server::graceful::GracefulShutdown;
        use tower::ServiceExt;

        let mut builder = Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(self.header_read_timeout);
        builder.http2().timer(TokioTimer::new());
        let slots = (self.max_open_connections > 0)
            .then(|| Arc::new(tokio::sync::Semaphore::new(self.max_open_connections)));
        let graceful = GracefulShutdown::new();
        let mut stop = std::pin::pin!(stop);
        loop {
            let slot = match &slots {
                Some(s) => tokio::select! {
                    s = s.clone().acquire_owned() => s.ok(),
                    () = &mut stop => break,
                },
                None => None,
            };
            let (stream, peer) = tokio::select! {
                r = self.listener.accept() => match r {
                    Ok(c) => c,
                    Err(e) => {
                        // Out of file descriptors and the like: wait a
                        // little instead of spinning on the error.
                        tracing::warn!(error = %e, "cannot accept a connection");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut stop => break,
            };
            stream.set_nodelay(true).ok();
            let app = self.app.clone();
            // The peer address is what per-IP rate limits key on.
            let service = hyper::service::service_fn(
                move |mut req: hyper::Request<hyper::body::Incoming>| {
                    req.extensions_mut()
                        .insert(axum::extract::ConnectInfo(peer));
                    app.clone().oneshot(req.map(axum::body::Body::new))
                },
            );
            let conn = builder
                .serve_connection_with_upgrades(TokioIo::new(stream), service)
                .into_owned();
            let conn = graceful.watch(conn);
            tokio::spawn(async move {
                // A client that goes away mid-request is not our error.
                let _ = conn.await;
                drop(slot);
            });
        }
        drop(self.listener);
        tokio::select! {
            () = graceful.shutdown() => {}
            () = tokio::time::sleep(self.drain) => {
                tracing::warn!(
                    drain_ms = u64::try_from(self.drain.as_millis()).unwrap_or(u64::MAX),
                    "drain timeout reached: closing the connections still open"
                );
            }
        }
        Ok(())
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
