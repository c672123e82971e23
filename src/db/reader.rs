//! One pooled connection for all the statements of a read request.
//!
//! sqlx tests every connection it takes back into the pool with a round trip
//! (a `Sync` answered by `ReadyForQuery`), and SeaORM's pool connection takes
//! a connection for each statement. A record read in four statements thus
//! made eight round trips, and the four pings were a seventh of the server's
//! CPU for REST by slug (perf, `bench/run`). A [`Reader`] takes one
//! connection at its first statement and keeps it until it is dropped: one
//! ping per request. sqlx's pool offers no way to skip the ping, and SeaORM
//! no way to run several statements on one connection without a
//! transaction (two more round trips), hence this `ConnectionTrait` of our
//! own; it runs statements the way SeaORM's Postgres driver does.
//!
//! Only reads use it: a request that also writes needs a second connection
//! for its transaction, and waiting for it while holding this one could
//! exhaust a small pool. SQLite's pool holds its single connection anyway,
//! so there a [`Reader`] passes each statement to the pool.

use std::sync::Arc;

use prometheus_client::metrics::counter::Counter;
use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::{self, Postgres};
use sea_orm::{
    ConnAcquireErr, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, ExecResult, QueryResult,
    RuntimeErr, Statement, Values,
};
use sea_query_sqlx::SqlxValues;
use tokio::sync::{MappedMutexGuard, Mutex, MutexGuard};

/// A read request's connection: cheap to clone, and every clone shares the
/// one connection, taken from the pool at the first statement and given
/// back when the last clone is dropped.
#[derive(Clone)]
pub struct Reader {
    pool: DatabaseConnection,
    /// `None` where statements go to the pool one by one (SQLite).
    held: Option<Arc<Mutex<Option<PoolConnection<Postgres>>>>>,
    /// Where the statements are counted (`/metrics`), if anywhere.
    statements: Option<Counter>,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("holds_one_connection", &self.held.is_some())
            .finish()
    }
}

impl Reader {
    pub fn new(pool: &DatabaseConnection) -> Self {
        Reader {
            held: (pool.get_database_backend() == DbBackend::Postgres)
                .then(|| Arc::new(Mutex::new(None))),
            ..Self::per_statement(pool)
        }
    }

    /// Counts every statement run through this reader (and its clones).
    #[must_use]
    pub fn counted(mut self, statements: Counter) -> Self {
        self.statements = Some(statements);
        self
    }

    fn count(&self) {
        if let Some(c) = &self.statements {
            c.inc();
        }
    }

    /// A reader that sends each statement to the pool, holding nothing: for
    /// a request that also writes (a GraphQL mutation), whose transaction
    /// needs a connection of its own.
    pub fn per_statement(pool: &DatabaseConnection) -> Self {
        Reader {
            pool: pool.clone(),
            held: None,
            statements: None,
        }
    }

    /// A reader for a stream that reads page after page while its client
    /// downloads: each statement goes to the pool, so a slow client holds
    /// no connection between pages; counted where this one is.
    pub fn for_stream(&self) -> Self {
        Reader {
            statements: self.statements.clone(),
            ..Self::per_statement(&self.pool)
        }
    }

    /// The pool itself: for streams, which hold a connection of their own
    /// for as long as their client reads.
    pub fn pool(&self) -> &DatabaseConnection {
        &self.pool
    }

    /// The held connection, taken from the pool first if this is the
    /// request's first statement. The guard is kept for one statement:
    /// concurrent statements of a request (GraphQL fetches) take turns, as
    /// they would on any single connection.
    async fn conn<'a>(
        &self,
        held: &'a Mutex<Option<PoolConnection<Postgres>>>,
    ) -> Result<MappedMutexGuard<'a, PoolConnection<Postgres>>, DbErr> {
        let mut slot = held.lock().await;
        if slot.is_none() {
            let c = self
                .pool
                .get_postgres_connection_pool()
                .acquire()
                .await
                .map_err(acquire_err)?;
            *slot = Some(c);
        }
        MutexGuard::try_map(slot, Option::as_mut)
            .map_err(|_| DbErr::Custom("a held connection vanished".into()))
    }
}

/// How SeaORM's driver reports what sqlx returns (its helpers are private).
fn acquire_err(e: sqlx::Error) -> DbErr {
    match e {
        sqlx::Error::PoolTimedOut => DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
        sqlx::Error::PoolClosed => DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
        e => DbErr::Conn(RuntimeErr::SqlxError(e.into())),
    }
}

fn exec_err(e: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(e.into()))
}

pub(super) fn query_err(e: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(e.into()))
}

/// A statement with its values bound, as SeaORM's Postgres driver builds it
/// (prepared, and cached per connection by its text).
fn bound(stmt: &Statement) -> sqlx::query::Query<'_, Postgres, SqlxValues> {
    let values = stmt.values.clone().unwrap_or(Values(Vec::new()));
    sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql.as_str()), SqlxValues(values))
}

#[async_trait::async_trait]
impl ConnectionTrait for Reader {
    fn get_database_backend(&self) -> DbBackend {
        self.pool.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.count();
        let Some(held) = &self.held else {
            return self.pool.execute_raw(stmt).await;
        };
        let mut c = self.conn(held).await?;
        let done = bound(&stmt).execute(&mut **c).await.map_err(exec_err)?;
        Ok(done.into())
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.count();
        let Some(held) = &self.held else {
            return self.pool.execute_unprepared(sql).await;
        };
        let mut c = self.conn(held).await?;
        let done = sqlx::Executor::execute(&mut **c, sqlx::AssertSqlSafe(sql.to_owned()))
            .await
            .map_err(exec_err)?;
        Ok(done.into())
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.count();
        let Some(held) = &self.held else {
            return self.pool.query_one_raw(stmt).await;
        };
        let mut c = self.conn(held).await?;
        let row = bound(&stmt)
            .fetch_optional(&mut **c)
            .await
            .map_err(query_err)?;
        Ok(row.map(Into::into))
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.count();
        let Some(held) = &self.held else {
            return self.pool.query_all_raw(stmt).await;
        };
        let mut c = self.conn(held).await?;
        let rows = bound(&stmt).fetch_all(&mut **c).await.map_err(query_err)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
