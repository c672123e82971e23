//! Postgres only: the link tables read by their owner with every column the
//! statement of `relations::linked_operations` selects (the operation, the
//! link's own id for its citations, a group's role), so that a busy target's
//! or group's hundreds of links are read from the index alone. Reading the
//! link id made the by-slug statement fetch each link's heap row
//! (`bench/run --tier M`: pgbench ceiling of REST by slug 2,516 -> 1,600 tx/s).
//! They replace the plain (owner, operation) indexes they cover.
//!
//! SQLite has no `INCLUDE` and keeps its indexes.

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
                "CREATE INDEX idx_operation_targets_owner ON operation_targets \
                 (target_id, operation_id) INCLUDE (id); \
                 DROP INDEX idx_operation_targets_target; \
                 CREATE INDEX idx_operation_groups_owner ON operation_groups \
                 (group_id, operation_id) INCLUDE (id, role); \
                 DROP INDEX idx_operation_groups_group",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_operation_targets_target ON operation_targets \
                 (target_id, operation_id); \
                 DROP INDEX idx_operation_targets_owner; \
                 CREATE INDEX idx_operation_groups_group ON operation_groups \
                 (group_id, operation_id); \
                 DROP INDEX idx_operation_groups_owner",
            )
            .await?;
        Ok(())
    }
}
