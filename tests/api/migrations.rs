//! Migrations go up, down and up again on Postgres, leaving the same schema.

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::helpers::{EmptyPg, require_postgres};

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
    let pg = EmptyPg::create("factline_mig").await;
    let db = pg.connect().await;

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
}

#[tokio::test]
async fn every_list_order_is_read_from_an_index_without_sorting() {
    let Some(t) = crate::helpers::TestDb::seeded(crate::helpers::Backend::Postgres).await else {
        return;
    };
    // Each list's keyset order (src/domain/read.rs): the sort column, then id.
    // Left out: source titles (a title may be longer than a btree entry) and
    // the date orders, which sort their ties on purpose (migration
    // m20261126_000004_keyset_indexes says why), except the default order of
    // operations, which the next test checks.
    let orders = [
        ("groups", "name"),
        ("groups", "slug"),
        ("targets", "name"),
        ("targets", "slug"),
        ("operations", "name"),
        ("operations", "slug"),
        ("legal_outcomes", "slug"),
        ("sources", "slug"),
    ];
    let txn = sea_orm::TransactionTrait::begin(&t.db).await.unwrap();
    // Forbid the cheaper plans a tiny table gets, so that a sort shows up
    // exactly where no index delivers the order.
    txn.execute_unprepared("SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off")
        .await
        .unwrap();
    for (table, column) in orders {
        for dir in ["ASC", "DESC"] {
            let plan: Vec<String> = txn
                .query_all_raw(Statement::from_string(
                    DbBackend::Postgres,
                    format!(
                        "EXPLAIN SELECT * FROM {table} WHERE {column} >= (SELECT min({column}) FROM {table}) \
                         ORDER BY {column} {dir}, id {dir} LIMIT 21"
                    ),
                ))
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.try_get_by_index::<String>(0).unwrap())
                .collect();
            // A unique column needs no tie-break: sorting runs of one row
            // by id is no work.
            let sorts = |l: &String| {
                l.contains("Sort")
                    && !(column == "slug"
                        && ["Incremental Sort", "Sort Key", "Presorted Key"]
                            .iter()
                            .any(|ok| l.contains(ok)))
            };
            assert!(
                !plan.iter().any(sorts),
                "{table} by {column} {dir} sorts:\n{}",
                plan.join("\n")
            );
        }
    }
}

/// Postgres's plan for `sql`, one line per node.
async fn explain(db: &impl ConnectionTrait, sql: &str) -> String {
    db.query_all_raw(Statement::from_string(
        DbBackend::Postgres,
        format!("EXPLAIN {sql}"),
    ))
    .await
    .unwrap()
    .into_iter()
    .map(|r| r.try_get_by_index::<String>(0).unwrap())
    .collect::<Vec<_>>()
    .join("\n")
}

#[tokio::test]
async fn the_operations_of_a_record_are_read_from_an_index_alone() {
    let Some(t) = crate::helpers::TestDb::seeded(crate::helpers::Backend::Postgres).await else {
        return;
    };
    use factline::domain::model::Subject;
    use factline::domain::relations::OperationLinks;
    use sea_orm::sea_query::PostgresQueryBuilder;
    // An index-only scan needs the visibility map, which VACUUM sets.
    t.db.execute_unprepared("VACUUM ANALYZE operations, operation_targets, operation_groups")
        .await
        .unwrap();
    let txn = sea_orm::TransactionTrait::begin(&t.db).await.unwrap();
    // The seeded tables are tiny; forbid the plans only a tiny table gets.
    txn.execute_unprepared(
        "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; \
         SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off",
    )
    .await
    .unwrap();
    for owner in [Subject::Target, Subject::Group] {
        // The statement `relations::linked_operations` runs, with its values inlined.
        let sql = OperationLinks::of(owner)
            .unwrap()
            .select(&[uuid::Uuid::new_v4()])
            .to_string(PostgresQueryBuilder);
        let plan = explain(&txn, &sql).await;
        assert!(
            plan.contains("Index Only Scan using idx_operations_linked"),
            "{owner:?}: the operations are not read from idx_operations_linked alone:\n{plan}"
        );
        let links = match owner {
            Subject::Target => "idx_operation_targets_owner",
            _ => "idx_operation_groups_owner",
        };
        assert!(
            plan.contains(&format!("Index Only Scan using {links}")),
            "{owner:?}: the links are not read from {links} alone:\n{plan}"
        );
    }
}

#[tokio::test]
async fn a_page_of_all_operations_is_read_in_index_order_without_a_sort() {
    let Some(mut t) = crate::helpers::TestDb::seeded(crate::helpers::Backend::Postgres).await
    else {
        return;
    };
    use factline::domain::filters::OperationFilter;
    use factline::domain::page::PageRequest;
    use std::sync::{Arc, Mutex};
    // The statements `read::list_operations` runs, with their values inlined.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    t.db.set_metric_callback(move |info| {
        sink.lock().unwrap().push(info.statement.to_string());
    });
    let page = PageRequest::new(Some(50), None).unwrap();
    factline::domain::read::list_operations(&t.db, &OperationFilter::default(), None, &page)
        .await
        .unwrap();
    let sql = seen
        .lock()
        .unwrap()
        .iter()
        .find(|s| s.starts_with("SELECT \"operations\".\"id\"") && s.contains("ORDER BY"))
        .cloned()
        .expect("the page's statement");
    t.db.execute_unprepared("ANALYZE operations").await.unwrap();
    let txn = sea_orm::TransactionTrait::begin(&t.db).await.unwrap();
    // The seeded table is tiny; forbid the plans only a tiny table gets.
    txn.execute_unprepared("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
        .await
        .unwrap();
    let plan = explain(&txn, &sql).await;
    assert!(
        plan.contains("Index Scan using idx_operations_order") && !plan.contains("Sort"),
        "{sql}\n{plan}"
    );
}

/// Rows written when a missing end meant "within the start" keep that
/// meaning: the migration that gives a missing end its new meaning
/// (unknown) first sets their end to their start.
#[tokio::test]
async fn operations_stored_without_an_end_keep_ending_within_their_start() {
    if !require_postgres().await {
        return;
    }
    let pg = EmptyPg::create("factline_mig").await;
    let db = pg.connect().await;
    // Every migration before m20261205_000008_operation_end_states.
    let before_end_states = 7;
    Migrator::up(&db, Some(before_end_states)).await.unwrap();
    db.execute_unprepared(
        "INSERT INTO operations (id, slug, created_at, updated_at, version, name, \
         start_edtf, start_precision, start_earliest, start_latest, earliest, latest, disputed) \
         VALUES (gen_random_uuid(), 'op-old', now(), now(), 1, 'Old', '2009-03', 'month', \
         '2009-03-01', '2009-03-31', '2009-03-01', '2009-03-31', false)",
    )
    .await
    .unwrap();
    Migrator::up(&db, None).await.unwrap();
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT end_edtf, end_precision, end_latest::text AS end_latest, latest::text AS latest \
             FROM operations WHERE slug = 'op-old'",
        ))
        .await
        .unwrap()
        .unwrap();
    let get = |c: &str| row.try_get::<String>("", c).unwrap();
    assert_eq!(
        (
            get("end_edtf"),
            get("end_precision"),
            get("end_latest"),
            get("latest")
        ),
        (
            "2009-03".to_owned(),
            "month".to_owned(),
            "2009-03-31".to_owned(),
            "2009-03-31".to_owned()
        )
    );
    db.close().await.ok();
}
