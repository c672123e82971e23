//! Schema migrations for factline. One code path for Postgres and SQLite through
//! SeaORM's schema builder; Postgres-only speed-ups are guarded by backend checks.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_domain;
mod m20261125_000002_add_trigram_search;
mod m20261126_000003_add_row_counts;
mod m20261126_000004_keyset_indexes;
mod m20261127_000005_linked_operations_index;
mod m20261127_000006_operations_order_index;
mod m20261205_000007_add_source_title_is_descriptive;
mod m20261205_000008_operation_end_states;
mod m20261205_000009_link_owner_indexes;
mod m20261206_000010_alternatives;
mod m20261207_000011_change_feed;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_domain::Migration),
            Box::new(m20261125_000002_add_trigram_search::Migration),
            Box::new(m20261126_000003_add_row_counts::Migration),
            Box::new(m20261126_000004_keyset_indexes::Migration),
            Box::new(m20261127_000005_linked_operations_index::Migration),
            Box::new(m20261127_000006_operations_order_index::Migration),
            Box::new(m20261205_000007_add_source_title_is_descriptive::Migration),
            Box::new(m20261205_000008_operation_end_states::Migration),
            Box::new(m20261205_000009_link_owner_indexes::Migration),
            Box::new(m20261206_000010_alternatives::Migration),
            Box::new(m20261207_000011_change_feed::Migration),
        ]
    }
}
