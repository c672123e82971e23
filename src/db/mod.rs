//! Database connections and migrations, for Postgres and the embedded SQLite.

pub mod entities;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};

use crate::config::DbConfig;

/// Where `serve` keeps its data when no `DATABASE_URL` is given.
pub const DEFAULT_SQLITE_URL: &str = "sqlite://./factline.db?mode=rwc";

/// Opens a pool for `url`. SQLite gets a single writer connection: SQLite
/// serializes writers anyway, and one connection avoids `database is locked`.
pub async fn connect(url: &str, cfg: &DbConfig) -> Result<DatabaseConnection, sea_orm::DbErr> {
    let mut opts = ConnectOptions::new(url.to_owned());
    let sqlite = url.starts_with("sqlite:");
    opts.max_connections(if sqlite { 1 } else { cfg.max_connections })
        .min_connections(if sqlite { 1 } else { cfg.min_connections })
        .acquire_timeout(Duration::from_millis(cfg.acquire_timeout_ms))
        .connect_timeout(Duration::from_millis(cfg.acquire_timeout_ms))
        .sqlx_logging(false);
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
