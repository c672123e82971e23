//! Building and running the HTTP application from a config value. Tests build
//! it the same way, on port 0 with their own database.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;

use crate::config::{DbConfig, ServeConfig};
use crate::state::AppState;
use crate::{db, domain, graphql, rest};

/// The whole application: both doors' routes inside the shared HTTP layers.
pub fn app(state: AppState) -> Router {
    let metrics = state.metrics.clone();
    let limiter = state.limiter.clone();
    let graphql_routes = Router::new()
        .route(
            "/graphql",
            axum::routing::get(graphql::ws::get).post(graphql::http::post),
        )
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(state.graphql_limits.max_body))
        // A GET query (a persisted one above all) can be cached like a REST
        // read: tagged, and revalidated so no corrected fact is served stale.
        .layer(axum::middleware::from_fn(crate::http::cache::etag))
        .merge(graphql::playground::routes());
    let routes = rest::router(&state).merge(graphql_routes).with_state(state);
    crate::http::layers(routes, metrics, limiter)
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
    /// Cancelled once the server stops accepting (see `AppState::shutdown`).
    shutdown: tokio_util::sync::CancellationToken,
}

/// Default for `FACTLINE_DRAIN_TIMEOUT_MS`: below the 30 s most orchestrators
/// wait between SIGTERM and SIGKILL.
pub const DEFAULT_DRAIN: Duration = Duration::from_secs(20);

impl Server {
    pub async fn bind(addr: &str, state: AppState) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let limits = crate::http::limits::LimitConfig::default();
        Ok(Server {
            listener,
            shutdown: state.shutdown.clone(),
            app: app(state),
            drain: DEFAULT_DRAIN,
            header_read_timeout: Duration::from_millis(limits.header_read_timeout_ms),
            max_open_connections: limits.max_open_connections,
        })
    }

    /// The connection limits of `cfg`: header-read timeout and connection cap.
    #[must_use]
    pub fn connection_limits(mut self, cfg: &crate::http::limits::LimitConfig) -> Self {
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
        self.shutdown.cancel();
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
