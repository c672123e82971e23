//! An index in the default order of the operations list, `(earliest, id)`,
//! with `latest` as a third key column. A page of the whole list (REST
//! `/v1/operations`, GraphQL `operations`) was read through
//! `(earliest, latest)` and sorted: where many operations share the first
//! day, the first page read all of them; in this index it reads one page
//! (bench/README.md, "Measurements behind the code").
//!
//! `(earliest, latest)` stays. An `(earliest, id)` index alone drew the
//! planner to it for date-filtered lists too, checking `latest` on the heap
//! (m20261126_000004); with `latest` in this index's keys, and the other
//! kept, the filtered lists' plans on tier M are the ones they had before.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_operations_order ON operations (earliest, id, latest)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DROP INDEX idx_operations_order")
            .await?;
        Ok(())
    }
}
