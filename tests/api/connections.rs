//! How requests use the pool: a read request runs all its statements on one
//! connection (`db::Reader`), gives it back at its end, and no mix of reads,
//! mutations and writes can wait on itself, even with a pool of one.

use std::time::Duration;

use factline::config::DbConfig;
use factline::db::Reader;
use factline::domain::auth::{self, Role};
use factline::state::AppState;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Statement};
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{Backend, TestApp, TestDb};

async fn backend_pid(db: &impl ConnectionTrait) -> i32 {
    db.query_one_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT pg_backend_pid() AS pid",
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get::<i32>("", "pid")
    .unwrap()
}

/// Waits until the pool holds `n` idle connections (a connection goes back
/// to the pool in a task of its own, after a round trip).
async fn idle_becomes(db: &DatabaseConnection, n: usize) {
    let pool = db.get_postgres_connection_pool();
    for _ in 0..200 {
        if pool.num_idle() == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the pool has {} idle connections, not {n}", pool.num_idle());
}

/// A pool of exactly two connections, both idle.
async fn pool_of_two(t: &TestDb) -> DatabaseConnection {
    let url = t.url();
    let mut cfg = DbConfig::for_url(&url);
    cfg.max_connections = 2;
    cfg.min_connections = 2;
    let db = factline::db::connect(&url, &cfg).await.unwrap();
    let pool = db.get_postgres_connection_pool();
    let (a, b) = (pool.acquire().await.unwrap(), pool.acquire().await.unwrap());
    drop((a, b));
    idle_becomes(&db, 2).await;
    db
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_runs_every_statement_on_one_connection_and_then_gives_it_back() {
    let Some(t) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let db = pool_of_two(&t).await;

    // The contrast that gives the check below its meaning: the pool hands
    // its idle connections out in turn, so statements sent to it one by one
    // land on both.
    let apart = Reader::per_statement(&db);
    let mut pids = Vec::new();
    for _ in 0..4 {
        pids.push(backend_pid(&apart).await);
        idle_becomes(&db, 2).await;
    }
    pids.dedup();
    assert!(pids.len() > 1, "the pool gave one connection every time");

    let reader = Reader::new(&db);
    let first = backend_pid(&reader).await;
    let clone = reader.clone();
    for _ in 0..3 {
        assert_eq!(backend_pid(&reader).await, first);
        assert_eq!(backend_pid(&clone).await, first, "clones share it");
        assert_eq!(
            db.get_postgres_connection_pool().num_idle(),
            1,
            "the reader holds its connection between statements"
        );
    }
    drop(reader);
    assert_eq!(db.get_postgres_connection_pool().num_idle(), 1);
    drop(clone);
    idle_becomes(&db, 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_statement_leaves_the_held_connection_in_use() {
    let Some(t) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let db = pool_of_two(&t).await;
    let reader = Reader::new(&db);
    let pid = backend_pid(&reader).await;
    let err = reader
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT no_such_column FROM groups",
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, DbErr::Query(_)), "{err:?}");
    assert!(err.to_string().contains("no_such_column"), "{err}");
    let err = reader.execute_unprepared("SELECT 1/0").await.unwrap_err();
    assert!(matches!(err, DbErr::Exec(_)), "{err:?}");
    assert_eq!(backend_pid(&reader).await, pid);
    let n = reader
        .execute_unprepared("SET application_name = 'factline-test'")
        .await
        .unwrap();
    assert_eq!(n.rows_affected(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_sqlite_a_reader_passes_each_statement_to_the_pool() {
    let t = TestDb::seeded(Backend::Sqlite).await.unwrap();
    let reader = Reader::new(&t.db);
    let row = reader
        .query_one_raw(Statement::from_string(
            t.db.get_database_backend(),
            "SELECT count(*) AS n FROM groups",
        ))
        .await
        .unwrap()
        .unwrap();
    assert!(row.try_get::<i64>("", "n").unwrap() > 0);
    // The single connection is not held: a write on the pool still runs.
    t.db.execute_unprepared("UPDATE groups SET version = version WHERE 1 = 0")
        .await
        .unwrap();
    drop(reader);
}

/// With one connection and a short acquire timeout, a request that waited
/// on a connection it holds itself would fail with a 503 here, not hang.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_of_one_serves_reads_mutations_and_writes_at_once() {
    let Some(t) = TestDb::seeded(Backend::Postgres).await else {
        return;
    };
    let url = t.url();
    let mut cfg = DbConfig::for_url(&url);
    cfg.max_connections = 1;
    cfg.acquire_timeout_ms = 3_000;
    let db = factline::db::connect(&url, &cfg).await.unwrap();
    let (_, key) = auth::create_key(&db, Role::Editor, "editor").await.unwrap();
    let app = TestApp::spawn_state(t, AppState::new(db, Default::default())).await;

    let nested = "{ groups(first: 5) { nodes { slug names { text } \
                  operations { operation { slug targets { target { slug } } } citations { source { slug } } } } } }";
    // Two mutations in one document run one after the other, each read back
    // before the next one's transaction starts.
    let create = |slug: &str| {
        format!(
            "{slug}: createTarget(input: {{slug: \"{slug}\", kind: \"company\", \
             names: [{{lang: \"en\", text: \"{slug}\", kind: \"primary\"}}], \
             citations: [{{source: \"seed-article\"}}]}}) {{ slug names {{ text }} citations {{ source {{ slug }} }} }}"
        )
    };
    let mutation = format!("mutation {{ {} {} }}", create("first"), create("second"));
    let gql = |query: String, key: Option<&str>| {
        let mut req = app
            .client
            .post(app.url("/graphql"))
            .json(&json!({ "query": query }));
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        async move {
            let res = req.send().await.unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }
    };
    let rest_write = |slug: &'static str| {
        app.client
            .post(app.url("/v1/targets"))
            .bearer_auth(&key)
            .json(&json!({
                "slug": slug, "kind": "company",
                "names": [{"lang": "en", "text": slug, "kind": "primary"}],
                "citations": [{"source": "seed-article"}],
            }))
            .send()
    };

    let (record, list, query, created, written) = tokio::join!(
        app.get_json("/v1/groups/anonymous"),
        app.get_json("/v1/operations?limit=50"),
        gql(nested.to_owned(), None),
        gql(mutation, Some(&key)),
        rest_write("by-rest"),
    );
    assert_eq!(record.0, 200, "{}", record.1);
    assert_eq!(record.1["slug"], "anonymous");
    assert_eq!(list.0, 200, "{}", list.1);
    assert!(!list.1["data"].as_array().unwrap().is_empty());
    assert_eq!(query.0, 200);
    assert!(query.1["errors"].is_null(), "{}", query.1);
    assert!(
        !query.1["data"]["groups"]["nodes"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(created.1["errors"].is_null(), "{}", created.1);
    for slug in ["first", "second"] {
        assert_eq!(created.1["data"][slug]["slug"], slug);
        assert_eq!(
            created.1["data"][slug]["citations"][0]["source"]["slug"],
            "seed-article"
        );
    }
    let written = written.unwrap();
    assert_eq!(
        written.status().as_u16(),
        201,
        "{}",
        written.text().await.unwrap()
    );

    // Both writes are there, read back on the one connection.
    for slug in ["first", "second", "by-rest"] {
        let (status, body) = app.get_json(&format!("/v1/targets/{slug}")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["citations"][0]["source"]["slug"], "seed-article");
    }
}

// `db::column` and `db::nullable` read as SeaORM does (NULL as None without
// its error path), by name or position, and refuse a column of another type.
both_backends!(columns_read_as_seaorm_reads_them, |backend| {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let reader = Reader::new(&t.db);
    let row = reader
        .query_one_raw(Statement::from_string(
            t.db.get_database_backend(),
            "SELECT CAST(NULL AS TEXT) AS gone, CAST('here' AS TEXT) AS kept, 7 AS number",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        factline::db::nullable::<String>(&row, "gone").unwrap(),
        None
    );
    assert_eq!(
        factline::db::nullable::<String>(&row, "kept").unwrap(),
        Some("here".to_owned())
    );
    assert_eq!(
        factline::db::nullable::<String>(&row, "kept").unwrap(),
        row.try_get::<Option<String>>("", "kept").unwrap()
    );
    // By position as by name.
    assert_eq!(factline::db::nullable::<String>(&row, 0).unwrap(), None);
    assert_eq!(
        factline::db::column::<String>(&row, 1).unwrap(),
        row.try_get::<String>("", "kept").unwrap()
    );
    assert_eq!(factline::db::column::<i32>(&row, "number").unwrap(), 7);
    if backend == Backend::Postgres {
        // SQLite's dynamic types let a number read as text.
        assert!(factline::db::nullable::<String>(&row, "number").is_err());
    }
    // As SeaORM reads an `Option`, a missing column is None.
    assert_eq!(
        factline::db::nullable::<String>(&row, "no_such_column").unwrap(),
        row.try_get::<Option<String>>("", "no_such_column").unwrap()
    );
});
