//! Postgres only: the number of rows of each entity table, kept exact by
//! statement-level triggers, so an unfiltered list's `total` is one primary-key
//! read instead of a COUNT over the whole table, which dominated a GraphQL
//! page under load (bench/README.md, "Measurements behind the code").
//!
//! The counter row is updated in the writing transaction, so a reader sees the
//! count that matches its snapshot, and a rolled-back write leaves it alone.
//! Concurrent writers of one table queue on its counter row until they commit;
//! every write path touches the counted tables in one order (sources, groups,
//! targets, operations, legal outcomes), so they cannot deadlock on them.
//! SQLite keeps counting: its embedded dataset is small.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables whose lists report a total.
const COUNTED: [&str; 5] = [
    "sources",
    "groups",
    "targets",
    "operations",
    "legal_outcomes",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE TABLE row_counts (table_name text PRIMARY KEY, n bigint NOT NULL CHECK (n >= 0))",
        )
        .await?;
        // One function for the three events: `changed` is the transition
        // table each INSERT or DELETE trigger names; TRUNCATE has none.
        db.execute_unprepared(
            "CREATE FUNCTION row_counts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
               IF TG_OP = 'TRUNCATE' THEN
                 UPDATE row_counts SET n = 0 WHERE table_name = TG_TABLE_NAME;
               ELSE
                 UPDATE row_counts
                    SET n = n + (SELECT count(*) FROM changed) * (CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END)
                  WHERE table_name = TG_TABLE_NAME;
               END IF;
               RETURN NULL;
             END $$",
        )
        .await?;
        for t in COUNTED {
            // The table is locked against writes while it is counted, so no
            // row lands between the count and the triggers.
            db.execute_unprepared(&format!("LOCK TABLE {t} IN SHARE MODE"))
                .await?;
            db.execute_unprepared(&format!(
                "INSERT INTO row_counts SELECT '{t}', count(*) FROM {t}"
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {t}_count_insert AFTER INSERT ON {t}
                 REFERENCING NEW TABLE AS changed
                 FOR EACH STATEMENT EXECUTE FUNCTION row_counts_changed()"
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {t}_count_delete AFTER DELETE ON {t}
                 REFERENCING OLD TABLE AS changed
                 FOR EACH STATEMENT EXECUTE FUNCTION row_counts_changed()"
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {t}_count_truncate AFTER TRUNCATE ON {t}
                 FOR EACH STATEMENT EXECUTE FUNCTION row_counts_changed()"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        for t in COUNTED {
            for event in ["insert", "delete", "truncate"] {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {t}_count_{event} ON {t}"))
                    .await?;
            }
        }
        db.execute_unprepared("DROP FUNCTION IF EXISTS row_counts_changed()")
            .await?;
        db.execute_unprepared("DROP TABLE IF EXISTS row_counts")
            .await?;
        Ok(())
    }
}
