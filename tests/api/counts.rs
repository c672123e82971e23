//! Postgres keeps each entity table's row count in `row_counts`, and an
//! unfiltered list reports it as its total instead of counting.

use factline::domain::auth::{self, Role};
use factline::domain::filters::{
    GroupFilter, LegalOutcomeFilter, OperationFilter, SourceFilter, TargetFilter,
};
use factline::domain::page::PageRequest;
use factline::domain::read;
use factline::domain::write::{self, Collection};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};
use serde_json::json;

use crate::helpers::{Backend, TestDb};

const COUNTED: [&str; 5] = [
    "sources",
    "groups",
    "targets",
    "operations",
    "legal_outcomes",
];

async fn scalar(db: &impl ConnectionTrait, sql: &str) -> i64 {
    db.query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .expect(sql)
        .expect("a row")
        .try_get_by_index::<i64>(0)
        .expect("a number")
}

/// Every stored count against a COUNT of its table.
async fn assert_exact(db: &DatabaseConnection, when: &str) {
    for t in COUNTED {
        let stored = scalar(
            db,
            &format!("SELECT n FROM row_counts WHERE table_name = '{t}'"),
        )
        .await;
        let counted = scalar(db, &format!("SELECT count(*) FROM {t}")).await;
        assert_eq!(stored, counted, "{t} {when}");
    }
}

fn target(slug: &str) -> serde_json::Value {
    json!({"slug": slug, "kind": "company",
           "names": [{"lang": "en", "text": format!("Counted {slug}"), "kind": "primary"}],
           "citations": [{"source": "seed-article", "quote": "…"}]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_row_counts_follow_every_write_and_feed_unfiltered_totals() {
    let Some(t) = TestDb::seeded(Backend::Postgres).await else {
        return;
    };
    let db = t.db.clone();
    assert_exact(&db, "after seeding").await;
    assert!(
        scalar(
            &db,
            "SELECT n FROM row_counts WHERE table_name = 'operations'"
        )
        .await
            > 0
    );

    let (_, key) = auth::create_key(&db, Role::Editor, "counts").await.unwrap();
    let actor = auth::authenticate(&db, Some(&format!("Bearer {key}")))
        .await
        .unwrap();

    // Writers at the same time: each insert queues on the counter row, none is lost.
    let mut tasks = Vec::new();
    for w in 0..4 {
        let (db, actor) = (db.clone(), actor.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..5 {
                write::create(
                    &db,
                    &actor,
                    Collection::Targets,
                    target(&format!("counted-{w}-{i}")),
                    None,
                )
                .await
                .unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_exact(&db, "after concurrent creates").await;

    write::delete(&db, &actor, Collection::Targets, "counted-0-0", 1, None)
        .await
        .unwrap();
    assert_exact(&db, "after a delete").await;

    // A write rolled back leaves the count as it was.
    let before = scalar(&db, "SELECT n FROM row_counts WHERE table_name = 'targets'").await;
    let txn = db.begin().await.unwrap();
    txn.execute_unprepared(
        "INSERT INTO targets (id, slug, name, kind, created_at, updated_at, version)
         SELECT gen_random_uuid(), 'rolled-back-' || g, 'Rolled back', 'company', now(), now(), 1
         FROM generate_series(1, 3) g",
    )
    .await
    .unwrap();
    assert_eq!(
        scalar(
            &txn,
            "SELECT n FROM row_counts WHERE table_name = 'targets'"
        )
        .await,
        before + 3,
        "the writing transaction sees its own rows counted"
    );
    txn.rollback().await.unwrap();
    assert_exact(&db, "after a rollback").await;

    // An unfiltered list reports the stored count; a filtered one counts.
    db.execute_unprepared("UPDATE row_counts SET n = n + 1000")
        .await
        .unwrap();
    let all = read::list_targets(&db, &TargetFilter::default(), None, &PageRequest::default())
        .await
        .unwrap();
    assert_eq!(all.total as i64, before + 1000);
    let p = PageRequest::default();
    let totals = [
        read::list_sources(&db, &SourceFilter::default(), None, &p)
            .await
            .unwrap()
            .total,
        read::list_groups(&db, &GroupFilter::default(), None, &p)
            .await
            .unwrap()
            .total,
        read::list_operations(&db, &OperationFilter::default(), None, &p)
            .await
            .unwrap()
            .total,
        read::list_legal_outcomes(&db, &LegalOutcomeFilter::default(), None, &p)
            .await
            .unwrap()
            .total,
    ];
    for (t, total) in ["sources", "groups", "operations", "legal_outcomes"]
        .iter()
        .zip(totals)
    {
        let counted = scalar(&db, &format!("SELECT count(*) FROM {t}")).await;
        assert_eq!(
            total as i64,
            counted + 1000,
            "{t}: the unfiltered total is the stored one"
        );
    }
    let companies = TargetFilter {
        kind: Some("company".to_owned()),
        ..TargetFilter::default()
    };
    let filtered = read::list_targets(&db, &companies, None, &PageRequest::default())
        .await
        .unwrap();
    let counted = scalar(&db, "SELECT count(*) FROM targets WHERE kind = 'company'").await;
    assert_eq!(filtered.total as i64, counted);
    let uncounted = PageRequest {
        count: false,
        ..PageRequest::default()
    };
    let page = read::list_targets(&db, &TargetFilter::default(), None, &uncounted)
        .await
        .unwrap();
    assert_eq!(page.total, 0, "a page that asks for no count gets none");
    assert_eq!(page.items.len(), all.items.len());

    // TRUNCATE, cascading to the tables that refer to operations.
    db.execute_unprepared("TRUNCATE operations CASCADE")
        .await
        .unwrap();
    assert_eq!(
        scalar(
            &db,
            "SELECT n FROM row_counts WHERE table_name = 'operations'"
        )
        .await,
        0
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT n FROM row_counts WHERE table_name = 'legal_outcomes'"
        )
        .await,
        0,
        "a cascaded TRUNCATE counts too"
    );
}
