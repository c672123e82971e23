//! An operation's missing end used to mean "within its start" (a single
//! event); it now means that the end is unknown, and an operation that ran
//! on has the end `..`. Rows written under the old meaning keep it: their
//! end becomes their start, as the old filters read them. An unknown end
//! written from now on is stored as NULL with `latest` at the open stand-in
//! (9999-12-31), which the import sets.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "UPDATE operations SET end_edtf = start_edtf, \
                 end_precision = start_precision, end_earliest = start_earliest, \
                 end_latest = start_latest WHERE end_edtf IS NULL",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {
        // The old meaning had no unknown end to go back to: an end equal to
        // the start reads the same under both.
        Ok(())
    }
}
