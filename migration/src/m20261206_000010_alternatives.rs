//! Disputed facts keep every reported value: `alternatives` holds the values
//! other sources report for a field of an operation or legal outcome (the
//! record keeps its primary value), each with its own citations.
//!
//! An alternative's citation is a row of `citations` with both its record
//! (`operation_id` or `legal_outcome_id`, so that "which records cite this
//! source" and the one-subject CHECK hold as before) and `alternative_id`
//! set; a record's own citations are those with no `alternative_id`.
//! Deleting a record deletes its alternatives, and theirs their citations.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Alternatives {
    Table,
    Id,
    OperationId,
    LegalOutcomeId,
    Field,
    Value,
    Note,
    Position,
}

#[derive(DeriveIden)]
enum Operations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum LegalOutcomes {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let owners = [Alternatives::OperationId, Alternatives::LegalOutcomeId];
        let one_owner = owners
            .into_iter()
            .map(|c| Expr::case(Expr::col(c).is_not_null(), 1).finally(0).into())
            .reduce(|a: SimpleExpr, b| a.add(b))
            .expect("two owners")
            .eq(1);
        m.create_table(
            Table::create()
                .table(Alternatives::Table)
                .col(pk_uuid(Alternatives::Id))
                .col(uuid_null(Alternatives::OperationId))
                .col(uuid_null(Alternatives::LegalOutcomeId))
                .col(string_len(Alternatives::Field, 64))
                // The value in the field's own shape, as canonical JSON.
                .col(text(Alternatives::Value))
                .col(text_null(Alternatives::Note))
                .col(integer(Alternatives::Position))
                .check(one_owner)
                .foreign_key(
                    ForeignKey::create()
                        .from(Alternatives::Table, Alternatives::OperationId)
                        .to(Operations::Table, Operations::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Alternatives::Table, Alternatives::LegalOutcomeId)
                        .to(LegalOutcomes::Table, LegalOutcomes::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("idx_alternatives_operation", Alternatives::OperationId),
            (
                "idx_alternatives_legal_outcome",
                Alternatives::LegalOutcomeId,
            ),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Alternatives::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }
        // sea-query adds no foreign key to an existing SQLite table; both
        // backends take this statement as written.
        let uuid_type = match m.get_database_backend() {
            DbBackend::Sqlite => "uuid_text",
            _ => "uuid",
        };
        m.get_connection()
            .execute_unprepared(&format!(
                "ALTER TABLE citations ADD COLUMN alternative_id {uuid_type} NULL \
                 REFERENCES alternatives (id) ON DELETE CASCADE"
            ))
            .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_citations_alternative ON citations (alternative_id)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX idx_citations_alternative")
            .await?;
        db.execute_unprepared("DELETE FROM citations WHERE alternative_id IS NOT NULL")
            .await?;
        db.execute_unprepared("ALTER TABLE citations DROP COLUMN alternative_id")
            .await?;
        m.drop_table(Table::drop().table(Alternatives::Table).to_owned())
            .await
    }
}
