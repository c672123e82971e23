//! Postgres only: a covering index for the operations of a group or target
//! (`relations::linked_operations`, behind `GET /v1/targets/{slug}` and
//! `/v1/groups/{slug}`). The statement joins the links to `operations` by id
//! and reads four columns; with them in the index, each of a busy target's
//! hundreds of operations is an index-only probe instead of a probe and a
//! heap fetch (bench/README.md, "Measurements behind the code").
//!
//! SQLite has no `INCLUDE`, and its embedded datasets are small.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_operations_linked ON operations (id) \
                 INCLUDE (slug, name, start_edtf, earliest)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        m.get_connection()
            .execute_unprepared("DROP INDEX idx_operations_linked")
            .await?;
        Ok(())
    }
}
