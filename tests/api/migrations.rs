//! Migrations go up, down and up again on Postgres, leaving the same schema.

use factline::config::DbConfig;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};

use crate::helpers::{admin_url, require_postgres, url_for};

async fn tables(db: &sea_orm::DatabaseConnection) -> Vec<String> {
    db.query_all_raw(Statement::from_string(
        DbBackend::Postgres,
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'seaql_migrations' ORDER BY tablename",
    ))
    .await
    .expect("tables")
    .into_iter()
    .map(|r| r.try_get_by_index::<String>(0).expect("name"))
    .collect()
}

async fn indexes(db: &sea_orm::DatabaseConnection) -> Vec<String> {
    db.query_all_raw(Statement::from_string(
        DbBackend::Postgres,
        "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname",
    ))
    .await
    .expect("indexes")
    .into_iter()
    .map(|r| r.try_get_by_index::<String>(0).expect("name"))
    .collect()
}

#[tokio::test]
async fn migrations_go_up_down_and_up_again_on_postgres() {
    if !require_postgres().await {
        return;
    }
    let name = format!("factline_mig_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(admin_url()).await.unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = url_for(&name);
    let db = factline::db::connect(&url, &DbConfig::for_url(&url))
        .await
        .unwrap();

    Migrator::up(&db, None).await.unwrap();
    let first_tables = tables(&db).await;
    let first_indexes = indexes(&db).await;
    for t in [
        "groups",
        "targets",
        "operations",
        "legal_outcomes",
        "sources",
        "citations",
        "names",
        "texts",
        "operation_groups",
        "operation_targets",
        "operation_tactics",
        "revisions",
        "api_keys",
    ] {
        assert!(
            first_tables.iter().any(|x| x == t),
            "missing table {t}: {first_tables:?}"
        );
    }
    assert!(first_indexes.iter().any(|i| i == "idx_names_search_trgm"));
    assert!(first_indexes.iter().any(|i| i == "idx_operations_span"));

    Migrator::down(&db, None).await.unwrap();
    assert!(tables(&db).await.is_empty(), "down leaves no table behind");

    Migrator::up(&db, None).await.unwrap();
    assert_eq!(tables(&db).await, first_tables);
    assert_eq!(indexes(&db).await, first_indexes);

    db.close().await.ok();
    admin
        .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .unwrap();
}
