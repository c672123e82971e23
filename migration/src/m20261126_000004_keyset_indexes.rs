//! Indexes in the keyset order `(name, id)` of the lists sorted by name, so
//! that a page is an index range scan whatever the ties. Each replaces the
//! `(name)` index it covers.
//!
//! The date orders keep `(earliest, latest)`: an `(earliest, id)` index made
//! Postgres walk it for filtered lists too, removing rows by their `latest`
//! one by one instead of checking it inside the `(earliest, latest)` index:
//! a worse trade than sorting the ties of an unfiltered page
//! (bench/README.md, "Measurements behind the code").
//! Source titles keep no index: a title may be longer than a btree entry.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (index, table, columns) created, and the index each one replaces.
const KEYSET: [(&str, &str, &str, &str); 3] = [
    (
        "idx_operations_name_id",
        "operations",
        "name, id",
        "idx_operations_name",
    ),
    (
        "idx_groups_name_id",
        "groups",
        "name, id",
        "idx_groups_name",
    ),
    (
        "idx_targets_name_id",
        "targets",
        "name, id",
        "idx_targets_name",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for (name, table, cols, replaces) in KEYSET {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON {table} ({cols})"))
                .await?;
            db.execute_unprepared(&format!("DROP INDEX {replaces}"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for (name, table, cols, replaces) in KEYSET {
            let col = cols.split(',').next().expect("a first column");
            db.execute_unprepared(&format!("CREATE INDEX {replaces} ON {table} ({col})"))
                .await?;
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        Ok(())
    }
}
