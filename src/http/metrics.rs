//! Prometheus metrics at `GET /metrics`: requests and latency per route and
//! status, GraphQL operations, and database pool usage.
//!
//! Each application state owns its registry (no global recorder), so tests that run
//! many servers in one process each see their own counts.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use sea_orm::DatabaseConnection;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    /// The route pattern (`/v1/groups/{slug}`), never the raw path, so the
    /// number of series stays bounded whatever clients send.
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    /// `query` or `mutation`.
    operation: &'static str,
    /// `ok`, or `error` when the response carries errors.
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    /// `primary`, or `read` for the `DATABASE_READ_URL` pool.
    pool: &'static str,
    /// `in_use`, `idle` or `max`.
    state: &'static str,
}

type LatencyFamily = Family<RequestLabels, Histogram, fn() -> Histogram>;

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    graphql: Family<OperationLabels, Counter>,
    pool: Family<PoolLabels, Gauge>,
    read_statements: Counter,
    ws_connections: Gauge,
    subscriptions: Gauge,
}

/// Latency buckets from 1 ms to about 16 s.
fn latency_histogram() -> Histogram {
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
        0.001, 2.0, 15,
    ))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("factline");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: LatencyFamily = Family::new_with_constructor(latency_histogram);
        let graphql = Family::<OperationLabels, Counter>::default();
        let pool = Family::<PoolLabels, Gauge>::default();
        let read_statements = Counter::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time from request to response head, by method, route and status",
            latency.clone(),
        );
        registry.register(
            "graphql_operations",
            "GraphQL operations executed, by type and outcome",
            graphql.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Database pool connections in use, idle, and the most allowed",
            pool.clone(),
        );
        registry.register(
            "db_read_statements",
            "SQL statements run by reads: REST reads, GraphQL queries, and what a mutation reads back",
            read_statements.clone(),
        );
        let ws_connections = Gauge::default();
        let subscriptions = Gauge::default();
        registry.register(
            "graphql_ws_connections",
            "WebSocket connections open for GraphQL subscriptions",
            ws_connections.clone(),
        );
        registry.register(
            "graphql_subscriptions",
            "GraphQL subscriptions running",
            subscriptions.clone(),
        );
        Metrics {
            ws_connections,
            subscriptions,
            registry,
            requests,
            latency,
            graphql,
            pool,
            read_statements,
        }
    }
}

impl Metrics {
    /// The counter a request's [`crate::db::Reader`] adds its statements to.
    pub fn read_statements(&self) -> Counter {
        self.read_statements.clone()
    }

    /// Raised while a subscription connection is open.
    pub fn ws_connections(&self) -> Gauge {
        self.ws_connections.clone()
    }

    /// Raised while a subscription runs.
    pub fn subscriptions(&self) -> Gauge {
        self.subscriptions.clone()
    }

    pub fn graphql_operation(&self, mutation: bool, ok: bool) {
        self.graphql
            .get_or_create(&OperationLabels {
                operation: if mutation { "mutation" } else { "query" },
                outcome: if ok { "ok" } else { "error" },
            })
            .inc();
    }

    fn observe_pool(&self, name: &'static str, db: &DatabaseConnection) {
        let (size, idle, max) = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                let p = db.get_postgres_connection_pool();
                (p.size(), p.num_idle(), p.options().get_max_connections())
            }
            sea_orm::DbBackend::Sqlite => {
                let p = db.get_sqlite_connection_pool();
                (p.size(), p.num_idle(), p.options().get_max_connections())
            }
            _ => return,
        };
        let idle = u32::try_from(idle).unwrap_or(u32::MAX);
        for (state, v) in [
            ("in_use", size.saturating_sub(idle)),
            ("idle", idle),
            ("max", max),
        ] {
            self.pool
                .get_or_create(&PoolLabels { pool: name, state })
                .set(i64::from(v));
        }
    }

    /// The registry in the Prometheus text format.
    pub fn render(
        &self,
        primary: &DatabaseConnection,
        read: Option<&DatabaseConnection>,
    ) -> String {
        self.observe_pool("primary", primary);
        if let Some(read) = read {
            self.observe_pool("read", read);
        }
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

/// Counts every request and times it, labelled by its route pattern.
pub async fn track(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    // Only the standard methods get a series of their own: hyper accepts any
    // token as a method, and each would otherwise be a new series.
    let method = match *req.method() {
        Method::GET
        | Method::HEAD
        | Method::POST
        | Method::PUT
        | Method::PATCH
        | Method::DELETE
        | Method::OPTIONS => req.method().as_str().to_owned(),
        _ => "other".to_owned(),
    };
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let res = next.run(req).await;
    let labels = RequestLabels {
        method,
        route,
        status: res.status().as_u16(),
    };
    metrics.requests.get_or_create(&labels).inc();
    metrics
        .latency
        .get_or_create(&labels)
        .observe(started.elapsed().as_secs_f64());
    res
}
