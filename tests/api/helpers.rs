//! Test harness: a fresh database per test (Postgres from a migrated template,
//! or SQLite in memory) and the app served over real HTTP on port 0.
//!
//! Postgres: `TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`)
//! names the server and the maintenance database. When it cannot be reached the
//! Postgres half of each test fails, unless `FACTLINE_SKIP_PG=1` says to skip
//! it (then it prints SKIPPED and passes): a green run has exercised Postgres
//! unless someone asked it not to.

use std::hash::{Hash, Hasher};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::OnceLock;

use factline::config::DbConfig;
use factline::startup::Server;
use factline::state::AppState;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use tokio::sync::oneshot;

pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned())
}

/// The URL of another database on the same server as `admin_url()`.
pub fn url_for(db_name: &str) -> String {
    let admin = admin_url();
    let (base, query) = match admin.split_once('?') {
        Some((b, q)) => (b.to_owned(), format!("?{q}")),
        None => (admin.clone(), String::new()),
    };
    let slash = base.rfind('/').expect("TEST_DATABASE_URL names a database");
    format!("{}/{db_name}{query}", &base[..slash])
}

/// A fingerprint of the migration sources: a changed migration gets a new template.
fn migrations_fingerprint() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migration/src");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("migration sources")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for f in files {
        f.file_name().hash(&mut h);
        std::fs::read(&f).expect("readable").hash(&mut h);
    }
    format!("{:016x}", h.finish())
}

/// Whether Postgres answers; decided once per test process.
async fn postgres_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    if let Some(a) = AVAILABLE.get() {
        return *a;
    }
    let ok = match Database::connect(admin_url()).await {
        Ok(db) => {
            let ok = db.ping().await.is_ok();
            db.close().await.ok();
            ok
        }
        Err(_) => false,
    };
    *AVAILABLE.get_or_init(|| ok)
}

/// Fails a Postgres test when the server is unreachable, or skips it when
/// `FACTLINE_SKIP_PG=1` asks for that explicitly.
pub async fn require_postgres() -> bool {
    if postgres_available().await {
        return true;
    }
    if std::env::var("FACTLINE_SKIP_PG").is_ok_and(|v| v == "1") {
        eprintln!(
            "SKIPPED: Postgres at {} is unreachable and FACTLINE_SKIP_PG=1",
            admin_url()
        );
        return false;
    }
    panic!(
        "Postgres at {} is unreachable; start it, point TEST_DATABASE_URL at one, \
         or set FACTLINE_SKIP_PG=1 to skip the Postgres half of the tests",
        admin_url()
    );
}

/// Creates the migrated template once; an advisory lock keeps concurrent test
/// processes from racing to build it.
async fn ensure_template() -> String {
    let name = format!("factline_tpl_{}", migrations_fingerprint());
    let admin = Database::connect(admin_url())
        .await
        .expect("admin connection");
    admin
        .execute_unprepared("SELECT pg_advisory_lock(727274)")
        .await
        .expect("lock");
    let exists = admin
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
        ))
        .await
        .expect("query")
        .is_some();
    if !exists {
        let building = format!("{name}_building");
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
            .await
            .expect("drop stale");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {building}"))
            .await
            .expect("create template");
        let db = Database::connect(url_for(&building))
            .await
            .expect("template connection");
        factline::db::migrate(&db).await.expect("migrate template");
        db.close().await.ok();
        // Renamed only once complete, so a crash never leaves a half-built template.
        admin
            .execute_unprepared(&format!("ALTER DATABASE {building} RENAME TO {name}"))
            .await
            .expect("rename template");
    }
    admin
        .execute_unprepared("SELECT pg_advisory_unlock(727274)")
        .await
        .expect("unlock");
    admin.close().await.ok();
    name
}

/// A database of its own for one test, dropped when the value is dropped.
pub struct TestDb {
    pub db: DatabaseConnection,
    pg_name: Option<String>,
}

impl TestDb {
    /// A migrated, empty database; `None` when Postgres is unreachable and
    /// `FACTLINE_SKIP_PG=1`.
    pub async fn new(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let url = "sqlite::memory:".to_owned();
                let db = factline::db::connect(&url, &DbConfig::for_url(&url))
                    .await
                    .expect("sqlite");
                factline::db::migrate(&db).await.expect("migrate sqlite");
                Some(TestDb { db, pg_name: None })
            }
            Backend::Postgres => {
                if !require_postgres().await {
                    return None;
                }
                let template = ensure_template().await;
                let name = format!("factline_test_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(admin_url())
                    .await
                    .expect("admin connection");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let url = url_for(&name);
                let db = factline::db::connect(&url, &DbConfig::for_url(&url))
                    .await
                    .expect("test database");
                Some(TestDb {
                    db,
                    pg_name: Some(name),
                })
            }
        }
    }

    /// A database the test opened itself (a SQLite file a command shares).
    pub fn from_connection(db: DatabaseConnection) -> Self {
        TestDb { db, pg_name: None }
    }

    /// The Postgres URL of this database (tests that open their own pools).
    pub fn url(&self) -> String {
        url_for(self.pg_name.as_deref().expect("a Postgres test database"))
    }

    /// A database with the bundled dataset loaded.
    /// A database holding the seed story (`tests/fixtures/seed.json`: the
    /// seed article's records, as `tools/transform_facts.py` makes them),
    /// which the tests' expectations are written against; the bundled
    /// dataset grows with the corpus and has tests of its own.
    pub async fn seeded(backend: Backend) -> Option<Self> {
        let t = Self::new(backend).await?;
        crate::helpers::import_dataset(&t.db, seed())
            .await
            .expect("seed");
        Some(t)
    }

    /// A database holding the bundled dataset, as `serve` loads it.
    pub async fn bundled(backend: Backend) -> Option<Self> {
        let t = Self::new(backend).await?;
        factline::domain::bundled::seed_if_empty(&t.db)
            .await
            .expect("seed")
            .expect("empty before seeding");
        Some(t)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            drop_database(name);
        }
    }
}

/// The seed story the tests are written against.
pub const SEED_JSON: &str = include_str!("../fixtures/seed.json");

/// Imports a dataset held in memory as `factline import` imports a file.
pub async fn import_dataset(
    db: &DatabaseConnection,
    ds: factline::domain::dataset::Dataset,
) -> factline::error::Result<factline::domain::import::ImportReport> {
    let staged = factline::domain::import::Staged::of(ds)?;
    factline::domain::import::import(db, staged, None, &|_, _| {}).await
}

/// The seed story as a dataset.
pub fn seed() -> factline::domain::dataset::Dataset {
    factline::domain::dataset::Dataset::from_json(SEED_JSON).expect("the seed parses")
}

/// An empty Postgres database of its own (no migration run), dropped with
/// the value: for tests of migrations and of the command line.
pub struct EmptyPg {
    pub name: String,
    pub url: String,
}

impl EmptyPg {
    pub async fn create(prefix: &str) -> Self {
        let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(admin_url()).await.expect("admin");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create database");
        admin.close().await.ok();
        EmptyPg {
            url: url_for(&name),
            name,
        }
    }

    pub async fn connect(&self) -> sea_orm::DatabaseConnection {
        factline::db::connect(&self.url, &factline::config::DbConfig::for_url(&self.url))
            .await
            .expect("connect")
    }
}

impl Drop for EmptyPg {
    fn drop(&mut self) {
        drop_database(std::mem::take(&mut self.name));
    }
}

fn drop_database(name: String) {
    {
        // Drop runs outside async; a short-lived runtime on its own thread
        // removes the database.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                if let Ok(admin) = Database::connect(admin_url()).await {
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                    admin.close().await.ok();
                }
            });
        })
        .join();
    }
}

/// The app served over HTTP on 127.0.0.1 with a test database.
pub struct TestApp {
    pub tdb: TestDb,
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn spawn(tdb: TestDb) -> Self {
        Self::spawn_with(tdb, factline::config::GraphqlLimits::default()).await
    }

    pub async fn spawn_with(tdb: TestDb, limits: factline::config::GraphqlLimits) -> Self {
        let state = AppState::new(tdb.db.clone(), limits);
        Self::spawn_state(tdb, state).await
    }

    /// Serves a state the test built itself (a replica, say).
    pub async fn spawn_state(tdb: TestDb, state: AppState) -> Self {
        let server = Server::bind("127.0.0.1:0", state).await.expect("bind");
        let addr = server.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel();
        tokio::spawn(server.run_until(async {
            let _ = rx.await;
        }));
        TestApp {
            tdb,
            addr,
            client: reqwest::Client::new(),
            stop: Some(tx),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        (status, res.json().await.expect("json body"))
    }

    /// Any request, with an optional key, `If-Match` and JSON body.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        key: Option<&str>,
        if_match: Option<&str>,
        body: Option<&serde_json::Value>,
    ) -> reqwest::Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        if let Some(t) = if_match {
            req = req.header("if-match", t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send().await.expect("request")
    }

    /// A GraphQL request with an optional key, answered whatever its status.
    pub async fn gql_as(
        &self,
        key: Option<&str>,
        query: &str,
        variables: serde_json::Value,
    ) -> serde_json::Value {
        let body = serde_json::json!({"query": query, "variables": variables});
        let res = self
            .send(reqwest::Method::POST, "/graphql", key, None, Some(&body))
            .await;
        res.json().await.expect("json body")
    }

    /// The ETag of a resource that must be answered 200.
    pub async fn etag(&self, path: &str) -> String {
        let res = self.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        res.headers()["etag"].to_str().unwrap().to_owned()
    }

    /// A GraphQL request without a key, which must be answered 200.
    pub async fn gql(&self, query: &str, variables: serde_json::Value) -> serde_json::Value {
        let body = serde_json::json!({"query": query, "variables": variables});
        let res = self
            .send(reqwest::Method::POST, "/graphql", None, None, Some(&body))
            .await;
        assert_eq!(res.status(), 200);
        res.json().await.expect("json body")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// Runs an async test body against Postgres and against SQLite, as two tests.
#[macro_export]
macro_rules! both_backends {
    ($(#[$meta:meta])* $name:ident, |$backend:ident| $body:expr) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($backend: $crate::helpers::Backend) {
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run($crate::helpers::Backend::Postgres).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::helpers::Backend::Sqlite).await
            }
        }
    };
}

/// The app's state over `db` with the limits `cfg` sets (rate limits on).
pub fn with_limits(
    cfg: factline::config::LimitConfig,
    db: &sea_orm::DatabaseConnection,
) -> factline::state::AppState {
    factline::state::AppState::new(db.clone(), Default::default()).with_limits(&cfg)
}
