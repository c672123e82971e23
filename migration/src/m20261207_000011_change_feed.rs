//! The change feed: every revision gets `seq`, its place in commit order.
//! Writers take one lock for their whole transaction
//! (`domain::changes::begin_write`), so a larger `seq` is always committed
//! after a smaller one and a reader that has seen `seq` n has seen every
//! write before it: a cursor is just the last `seq` read, and a write
//! committed concurrently is never skipped.
//!
//! Postgres fills `seq` from a sequence; SQLite, whose writers are already
//! serialized and whose revisions are never deleted, from the row's
//! `rowid` (one more than the largest so far) by a trigger (the 0 a row
//! is inserted with lasts only until the trigger runs, row by row). Existing
//! revisions are numbered in the order they were stored. An as-of read
//! finds the last write at or before a time by `at` (`domain::asof`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let sql = match m.get_database_backend() {
            DbBackend::Postgres => {
                "ALTER TABLE revisions ADD COLUMN seq bigserial NOT NULL; \
                 CREATE UNIQUE INDEX idx_revisions_seq ON revisions (seq); \
                 CREATE INDEX idx_revisions_record_seq ON revisions (entity_kind, entity_slug, seq); \
                 CREATE INDEX idx_revisions_at ON revisions (at, seq)"
            }
            _ => {
                "ALTER TABLE revisions ADD COLUMN seq integer NOT NULL DEFAULT 0; \
                 UPDATE revisions SET seq = rowid; \
                 CREATE UNIQUE INDEX idx_revisions_seq ON revisions (seq); \
                 CREATE INDEX idx_revisions_record_seq ON revisions (entity_kind, entity_slug, seq); \
                 CREATE INDEX idx_revisions_at ON revisions (at, seq); \
                 CREATE TRIGGER revisions_seq AFTER INSERT ON revisions BEGIN \
                 UPDATE revisions SET seq = NEW.rowid WHERE rowid = NEW.rowid; END"
            }
        };
        m.get_connection().execute_unprepared(sql).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let sql = match m.get_database_backend() {
            DbBackend::Postgres => {
                "DROP INDEX idx_revisions_at; ALTER TABLE revisions DROP COLUMN seq"
            }
            _ => {
                "DROP TRIGGER revisions_seq; DROP INDEX idx_revisions_at; \
                 DROP INDEX idx_revisions_record_seq; \
                 DROP INDEX idx_revisions_seq; ALTER TABLE revisions DROP COLUMN seq"
            }
        };
        m.get_connection().execute_unprepared(sql).await?;
        Ok(())
    }
}
