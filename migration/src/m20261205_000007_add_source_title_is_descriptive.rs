//! A source's `title_is_descriptive`: true when the title is ours, written
//! because the page's own headline could not be read, so that readers know
//! not to quote it as the source's words. It replaces the "[desc]" prefix the
//! curated file puts on such titles.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Sources {
    Table,
    TitleIsDescriptive,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Sources::Table)
                .add_column(
                    ColumnDef::new(Sources::TitleIsDescriptive)
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Sources::Table)
                .drop_column(Sources::TitleIsDescriptive)
                .to_owned(),
        )
        .await
    }
}
