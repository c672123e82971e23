//! Postgres only: trigram indexes over the normalized search keys, so substring
//! search (`search_key LIKE '%…%'`) stays fast at a million rows. SQLite has no
//! equivalent and searches the small embedded dataset by scanning.

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
        let db = m.get_connection();
        db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            .await?;
        db.execute_unprepared(
            "CREATE INDEX idx_names_search_trgm ON names USING gin (search_key gin_trgm_ops)",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX idx_texts_search_trgm ON texts USING gin (search_key gin_trgm_ops)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS idx_texts_search_trgm")
            .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS idx_names_search_trgm")
            .await?;
        Ok(())
    }
}
