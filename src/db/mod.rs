//! Database connections and migrations, for Postgres and the embedded SQLite.
//! The one module that may run SeaORM's executors: every read elsewhere
//! goes through [`rows`] (clippy.toml).
#![allow(clippy::disallowed_methods)]

pub mod bulk;
pub mod entities;
mod reader;
pub mod rows;

pub use reader::Reader;
pub use rows::{column, nullable};

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};

use crate::config::DbConfig;

/// Where `serve` keeps its data when no `DATABASE_URL` is given.
pub use crate::config::DEFAULT_SQLITE_URL;

/// A pooled connection idle longer than this is pinged before it is used.
const POOL_PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// Opens a pool for `url`. SQLite gets a single writer connection: SQLite
/// serializes writers anyway, and one connection avoids `database is locked`.
pub async fn connect(url: &str, cfg: &DbConfig) -> Result<DatabaseConnection, sea_orm::DbErr> {
    let mut opts = ConnectOptions::new(url.to_owned());
    let sqlite = url.starts_with("sqlite:");
    opts.max_connections(if sqlite { 1 } else { cfg.max_connections })
        .min_connections(if sqlite { 1 } else { cfg.min_connections })
        .acquire_timeout(Duration::from_millis(cfg.acquire_timeout_ms))
        .connect_timeout(Duration::from_millis(cfg.acquire_timeout_ms))
        // A connection in steady use is not pinged before every statement (a
        // round trip each: a third of a by-slug read's time in bench/run);
        // one idle for a second is, so a pool left over from a Postgres
        // restart is still found out before it serves a request.
        .test_before_acquire_if_idle_for(POOL_PING_AFTER_IDLE)
        .sqlx_logging(false);
    if sqlite {
        // SQLite's one connection is kept for good: an in-memory database
        // (an as-of state, `domain::asof`) lives only as long as it does.
        opts.idle_timeout(None::<Duration>)
            .max_lifetime(None::<Duration>);
    }
    if cfg.statement_timeout_ms > 0 {
        // Postgres only; sea-orm passes it as a connection option (no extra round trip).
        opts.statement_timeout(Duration::from_millis(cfg.statement_timeout_ms));
    }
    // A startup parameter, like the timeout: no extra round trip per connection.
    let plans = cfg.plan_cache_mode.setting();
    let page_cost = cfg.random_page_cost.setting();
    opts.map_sqlx_postgres_opts(move |o| {
        let o = o.options([("plan_cache_mode", plans)]);
        match &page_cost {
            Some(cost) => o.options([("random_page_cost", cost.as_str())]),
            None => o,
        }
    });
    let db = Database::connect(opts).await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_unprepared(
            "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;",
        )
        .await?;
    }
    Ok(db)
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    Migrator::up(db, None).await
}

/// Does the database answer a trivial query?
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}

/// A Postgres session advisory lock held while migrating and seeding, so that
/// replicas starting at once do not race (the loser of a race would fail on a
/// unique index). It lives on a connection of its own: a session lock belongs
/// to one connection, and the pool hands out others. SQLite needs none: one
/// process owns the file.
pub struct StartupLock(Option<DatabaseConnection>);

/// Any fixed number; shared by every factline process on the database.
const STARTUP_LOCK_KEY: i64 = 0x6661_6374_6c69_6e65; // "factline"

impl StartupLock {
    pub async fn acquire(db: &DatabaseConnection) -> Result<Self, sea_orm::DbErr> {
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(StartupLock(None));
        }
        let pool = db.get_postgres_connection_pool();
        let url = pool.connect_options();
        let own = sea_orm::SqlxPostgresConnector::from_sqlx_postgres_pool(
            sea_orm::sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect_with((*url).clone())
                .await
                .map_err(|e| sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e.into())))?,
        );
        own.execute_unprepared(&format!("SELECT pg_advisory_lock({STARTUP_LOCK_KEY})"))
            .await?;
        Ok(StartupLock(Some(own)))
    }

    /// Releases the lock (closing its connection would release it too).
    pub async fn release(self) {
        if let Some(own) = self.0 {
            let _ = own
                .execute_unprepared(&format!("SELECT pg_advisory_unlock({STARTUP_LOCK_KEY})"))
                .await;
            let _ = own.close().await;
        }
    }
}
