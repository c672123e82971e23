//! The application state both doors share, and the choice of a read
//! request's connection.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;

use crate::config::GraphqlLimits;
use crate::graphql;
use crate::http::metrics::Metrics;

/// Most imports that may run at once: each holds its whole file as records
/// and writes in one transaction; more get a 503 with `Retry-After`.
pub const MAX_CONCURRENT_IMPORTS: usize = 1;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The primary: every write, and every read when there is no replica.
    pub db: DatabaseConnection,
    /// `DATABASE_READ_URL`, when set: anonymous reads go there.
    pub replica: Option<DatabaseConnection>,
    /// Built once at start-up, not per request.
    pub graphql: graphql::FactlineSchema,
    pub graphql_limits: Arc<GraphqlLimits>,
    /// Parsed GraphQL documents by their text.
    pub graphql_documents: Arc<graphql::documents::Documents>,
    /// Documents known by their hash (automatic and listed).
    pub graphql_persisted: Arc<graphql::persisted::Persisted>,
    pub metrics: Arc<Metrics>,
    /// WebSocket connections that may be open at once (subscriptions).
    pub ws_slots: Arc<tokio::sync::Semaphore>,
    /// The change feed, live, for subscriptions (reads the primary).
    pub change_hub: Arc<crate::domain::changes::hub::Hub>,
    /// Cancelled when the server shuts down: upgraded connections, which
    /// the HTTP drain does not see, close on it.
    pub shutdown: tokio_util::sync::CancellationToken,
    /// Whole-database exports running at once; each holds a connection (and,
    /// on Postgres, a snapshot) for as long as its client reads.
    pub exports: Arc<tokio::sync::Semaphore>,
    /// How long an export waits for a reader that takes nothing.
    pub export_stall: Duration,
    /// Imports running at once (see `MAX_CONCURRENT_IMPORTS`).
    pub imports: Arc<tokio::sync::Semaphore>,
    /// Rate limits and the in-flight cap (none unless configured).
    pub limiter: Arc<crate::http::limits::Limiter>,
    /// Past states rebuilt for `as_of` reads, kept for the next request.
    pub snapshots: Arc<crate::domain::asof::Snapshots>,
    /// The TAXII collection of the latest state, built again after a write
    /// (one build at a time).
    pub taxii: Arc<tokio::sync::Mutex<Option<Arc<crate::domain::stix::collection::Collection>>>>,
}

/// Most exports that may run at once; more get a 503 with `Retry-After`, so
/// slow downloads can never take the whole pool.
pub const MAX_CONCURRENT_EXPORTS: usize = 2;

impl AppState {
    pub fn new(db: DatabaseConnection, limits: GraphqlLimits) -> Self {
        AppState {
            graphql: graphql::schema(&limits),
            graphql_documents: Arc::new(graphql::documents::Documents::new(limits.document_cache)),
            graphql_persisted: Arc::new(graphql::persisted::Persisted::new(limits.persisted_cache)),
            ws_slots: Arc::new(tokio::sync::Semaphore::new(limits.ws_max_connections)),
            change_hub: crate::domain::changes::hub::Hub::new(
                db.clone(),
                Duration::from_millis(limits.subscription_poll_ms.max(1)),
            ),
            shutdown: tokio_util::sync::CancellationToken::new(),
            graphql_limits: Arc::new(limits),
            db,
            replica: None,
            metrics: Arc::new(Metrics::default()),
            exports: Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT_EXPORTS)),
            export_stall: Duration::from_millis(
                crate::http::limits::LimitConfig::default().export_stall_timeout_ms,
            ),
            imports: Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT_IMPORTS)),
            limiter: Arc::new(crate::http::limits::Limiter::new(&Default::default())),
            snapshots: Arc::new(crate::domain::asof::Snapshots::new(
                crate::domain::asof::DEFAULT_MAX_RECORDS,
            )),
            taxii: Arc::default(),
        }
    }

    /// Serves persisted queries as configured (see
    /// `graphql::persisted::Persisted::configured`).
    #[must_use]
    pub fn with_persisted(mut self, persisted: graphql::persisted::Persisted) -> Self {
        self.graphql_persisted = Arc::new(persisted);
        self
    }

    /// Applies rate limits and the in-flight cap.
    #[must_use]
    pub fn with_limits(mut self, cfg: &crate::http::limits::LimitConfig) -> Self {
        self.limiter = Arc::new(crate::http::limits::Limiter::new(cfg));
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

impl axum::extract::FromRef<AppState> for Arc<Metrics> {
    fn from_ref(s: &AppState) -> Self {
        s.metrics.clone()
    }
}
