//! What operators rely on: metrics, read-replica routing, statement timeouts.

use std::time::Duration;

use factline::config::DbConfig;
use factline::domain::auth::{self, Role};
use factline::domain::write::{self, Collection};
use factline::state::AppState;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{Backend, TestApp, TestDb, with_limits};

/// The value of the first sample whose line contains every one of `parts`.
fn sample(metrics: &str, parts: &[&str]) -> Option<f64> {
    metrics
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| parts.iter().all(|p| l.contains(p)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

both_backends!(
    metrics_count_requests_per_route_and_status_graphql_operations_and_the_pool,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        for _ in 0..3 {
            assert_eq!(app.get("/v1/groups/anonymous").await.status(), 200);
        }
        assert_eq!(app.get("/v1/groups/no-such-group").await.status(), 404);
        assert_eq!(app.get("/no/such/route").await.status(), 404);
        // Made-up methods share one series too.
        let odd = reqwest::Method::from_bytes(b"FROBNICATE").unwrap();
        let res = app
            .client
            .request(odd, app.url("/v1/groups"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 405);
        let gql: Value = app
            .client
            .post(app.url("/graphql"))
            .json(&json!({"query": "{ group(slug: \"anonymous\") { slug } }"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(gql["data"]["group"]["slug"], "anonymous");
        let res = app.get("/metrics").await;
        assert_eq!(res.status(), 200);
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/openmetrics-text"),
        );
        let text = res.text().await.unwrap();
        let by_slug = [
            "factline_http_requests_total{",
            "route=\"/v1/groups/{slug}\"",
        ];
        assert_eq!(
            sample(&text, &[by_slug[0], by_slug[1], "status=\"200\""]),
            Some(3.0),
            "{text}"
        );
        assert_eq!(
            sample(&text, &[by_slug[0], by_slug[1], "status=\"404\""]),
            Some(1.0)
        );
        // Unknown paths share one series: clients cannot grow the label set.
        assert_eq!(
            sample(
                &text,
                &[by_slug[0], "route=\"unmatched\"", "status=\"404\""]
            ),
            Some(1.0)
        );
        assert!(!text.contains("/no/such/route"));
        assert!(!text.contains("FROBNICATE"));
        assert_eq!(
            sample(
                &text,
                &[by_slug[0], "method=\"other\"", "route=\"/v1/groups\""]
            ),
            Some(1.0),
            "{text}"
        );
        assert_eq!(
            sample(
                &text,
                &[
                    "factline_http_request_duration_seconds_count{",
                    by_slug[1],
                    "status=\"200\""
                ]
            ),
            Some(3.0)
        );
        assert_eq!(
            sample(
                &text,
                &[
                    "factline_graphql_operations_total{",
                    "operation=\"query\"",
                    "outcome=\"ok\""
                ]
            ),
            Some(1.0)
        );
        let max = sample(
            &text,
            &[
                "factline_db_pool_connections{",
                "pool=\"primary\"",
                "state=\"max\"",
            ],
        )
        .expect("pool gauge");
        assert!(max >= 1.0, "{text}");
    }
);

both_backends!(
    anonymous_reads_go_to_the_replica_writes_and_editors_to_the_primary,
    |backend| {
        let Some(primary) = TestDb::seeded(backend).await else {
            return;
        };
        let Some(replica) = TestDb::seeded(backend).await else {
            return;
        };
        // A record only the replica has tells which database answered.
        let (_, replica_key) = auth::create_key(&replica.db, Role::Editor, "seed")
            .await
            .unwrap();
        let actor = auth::authenticate(&replica.db, Some(&format!("Bearer {replica_key}")))
            .await
            .unwrap();
        write::create(
            &replica.db,
            &actor,
            Collection::Targets,
            json!({"slug": "only-on-replica", "kind": "company",
                   "names": [{"lang": "en", "text": "Replica Co", "kind": "primary"}],
                   "citations": [{"source": "seed-article"}]}),
            None,
        )
        .await
        .unwrap();
        let (_, key) = auth::create_key(&primary.db, Role::Editor, "editor")
            .await
            .unwrap();
        let state =
            AppState::new(primary.db.clone(), Default::default()).with_replica(replica.db.clone());
        let app = TestApp::spawn_state(primary, state).await;
        let _replica = replica;

        let anon = app.get("/v1/targets/only-on-replica").await;
        assert_eq!(anon.status(), 200, "anonymous REST reads use the replica");
        let as_editor = app
            .client
            .get(app.url("/v1/targets/only-on-replica"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(as_editor.status(), 404, "an editor's reads use the primary");

        // A write lands on the primary; its author reads it back at once.
        let created = app
            .client
            .post(app.url("/v1/targets"))
            .bearer_auth(&key)
            .json(&json!({"slug": "written-to-primary", "kind": "company",
                          "names": [{"lang": "en", "text": "Primary Co", "kind": "primary"}],
                          "citations": [{"source": "seed-article"}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
        let mine = app
            .client
            .get(app.url("/v1/targets/written-to-primary"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(mine.status(), 200, "read-your-writes for the editor");
        assert_eq!(
            app.get("/v1/targets/written-to-primary").await.status(),
            404,
            "the stand-in replica never receives the write"
        );

        let gql = |key: Option<String>, query: &'static str| {
            let mut req = app
                .client
                .post(app.url("/graphql"))
                .json(&json!({ "query": query }));
            if let Some(k) = key {
                req = req.bearer_auth(k);
            }
            async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
        };
        let q = "{ target(slug: \"only-on-replica\") { slug } }";
        assert_eq!(
            gql(None, q).await["data"]["target"]["slug"],
            "only-on-replica"
        );
        assert!(gql(Some(key.clone()), q).await["data"]["target"].is_null());
        let m = "mutation { createTarget(input: {slug: \"by-mutation\", kind: \"company\", \
                 names: [{lang: \"en\", text: \"Mutation Co\", kind: \"primary\"}], \
                 citations: [{source: \"seed-article\"}]}) { slug } }";
        let done = gql(Some(key.clone()), m).await;
        assert_eq!(
            done["data"]["createTarget"]["slug"], "by-mutation",
            "{done}"
        );
        let row = app
            .tdb
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                app.tdb.db.get_database_backend(),
                "SELECT count(*) AS n FROM targets WHERE slug = 'by-mutation'",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            row.try_get::<i64>("", "n").unwrap(),
            1,
            "mutations use the primary"
        );

        // Readiness covers both databases.
        assert_eq!(app.get("/readyz").await.status(), 200);
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_past_the_timeout_is_cancelled_and_answered_503() {
    let Some(t) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let url = t.url();
    let mut cfg = DbConfig::for_url(&url);
    cfg.statement_timeout_ms = 100;
    let db = factline::db::connect(&url, &cfg).await.unwrap();
    let started = std::time::Instant::now();
    let err = db
        .execute_unprepared("SELECT pg_sleep(5)")
        .await
        .expect_err("cancelled by the statement timeout");
    assert!(started.elapsed() < Duration::from_secs(2));
    let err = factline::Error::from(err);
    assert!(matches!(err, factline::Error::TooSlow(_)), "{err:?}");
    let res = axum::response::IntoResponse::into_response(err);
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers()["retry-after"], "5");
    db.close().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pooled_connections_plan_statements_as_configured() {
    use factline::config::PlanCacheMode;
    let Some(t) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let url = t.url();
    for (mode, setting) in [
        (PlanCacheMode::Generic, "force_generic_plan"),
        (PlanCacheMode::Auto, "auto"),
        (PlanCacheMode::Custom, "force_custom_plan"),
    ] {
        let mut cfg = DbConfig::for_url(&url);
        cfg.plan_cache_mode = mode;
        let db = factline::db::connect(&url, &cfg).await.unwrap();
        let shown = db
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SHOW plan_cache_mode",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<String>("", "plan_cache_mode")
            .unwrap();
        assert_eq!(shown, setting, "{mode:?}");
        db.close().await.ok();
    }
    // Generic plans are the default: the flag's, not only the test helper's.
    use clap::Parser;
    let cli = factline::cli::Cli::parse_from(["factline", "serve"]);
    assert_eq!(cli.db.plan_cache_mode, PlanCacheMode::Generic);

    // The page cost: 1.1 unless told, a number given, or the server's own.
    use factline::config::PageCost;
    let server_default = {
        let db = sea_orm::Database::connect(url.as_str()).await.unwrap();
        let v = show(&db, "random_page_cost").await;
        db.close().await.ok();
        v
    };
    for (flag, shown) in [
        (None, "1.1".to_owned()),
        (Some("2.5"), "2.5".to_owned()),
        (Some("server"), server_default),
    ] {
        let mut args = vec!["factline", "serve"];
        if let Some(f) = flag {
            args.extend(["--random-page-cost", f]);
        }
        let mut cfg = factline::cli::Cli::parse_from(args).db;
        cfg.database_url = Some(url.clone());
        let db = factline::db::connect(&url, &cfg).await.unwrap();
        assert_eq!(show(&db, "random_page_cost").await, shown, "{flag:?}");
        db.close().await.ok();
    }
    for bad in ["0", "-1", "four", "NaN", "inf"] {
        let flag = format!("--random-page-cost={bad}");
        let err = factline::cli::Cli::try_parse_from(["factline", "serve", flag.as_str()])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--random-page-cost") && err.contains(bad),
            "{bad}: {err}"
        );
    }
    assert_eq!(
        factline::cli::Cli::parse_from(["factline", "serve"])
            .db
            .random_page_cost,
        PageCost::Set(1.1)
    );
}

/// A setting of the session, as SHOW prints it.
async fn show(db: &sea_orm::DatabaseConnection, setting: &str) -> String {
    db.query_one_raw(sea_orm::Statement::from_string(
        sea_orm::DbBackend::Postgres,
        format!("SHOW {setting}"),
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get::<String>("", setting)
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_starting_together_on_an_empty_database_both_come_up_seeded_once() {
    use clap::Parser;
    let Some(t) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let factline::cli::Command::Serve(serve) =
        factline::cli::Cli::parse_from(["factline", "serve"]).command
    else {
        unreachable!("parsed as serve")
    };
    let mut cfg = DbConfig::for_url(t.url());
    // A statement timeout far below what migrating and seeding take: it is
    // for requests, not for the start-up work or the wait for the lock.
    cfg.statement_timeout_ms = 1;
    let (a, b) = tokio::join!(
        factline::startup::prepare(&cfg, &serve),
        factline::startup::prepare(&cfg, &serve)
    );
    let (a, b) = (a.expect("first replica"), b.expect("second replica"));
    let groups =
        t.db.query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT count(*) AS n FROM groups",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    let bundled = factline::domain::bundled::dataset().unwrap().groups.len();
    assert_eq!(groups, i64::try_from(bundled).unwrap());
    a.close().await.ok();
    b.close().await.ok();
}

both_backends!(
    rate_limits_answer_429_with_retry_after_per_ip_and_per_key,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let (_, key) = auth::create_key(&t.db, Role::Editor, "editor")
            .await
            .unwrap();
        let cfg = factline::config::LimitConfig {
            rate_limit_ip: 1,
            rate_limit_key_writes: 1,
            no_rate_limit: false,
            max_in_flight: 0,
            trust_forwarded_for: false,
            ..Default::default()
        };
        let state = with_limits(cfg, &t.db);
        let app = TestApp::spawn_state(t, state).await;
        // Sends until the first 429 (or 20 requests); returns the statuses
        // before it and the 429 itself. Robust to a slow machine: a refill
        // only delays the 429, it cannot hide it at 1 request/s.
        async fn until_429(
            mut send: impl AsyncFnMut() -> reqwest::Response,
        ) -> (Vec<u16>, Option<reqwest::Response>) {
            let mut before = Vec::new();
            for _ in 0..20 {
                let r = send().await;
                if r.status() == 429 {
                    return (before, Some(r));
                }
                before.push(r.status().as_u16());
            }
            (before, None)
        }
        // Writes count per key, before any validation, once the key has
        // been verified (its first write counts against the IP).
        let (before, refused) = until_429(async || {
            app.client
                .post(app.url("/v1/targets"))
                .bearer_auth(&key)
                .json(&json!({"slug": "rate-limited"}))
                .send()
                .await
                .unwrap()
        })
        .await;
        assert!(
            before.len() >= 2,
            "a burst of two writes passes: {before:?}"
        );
        assert!(refused.is_some(), "the key runs out of writes");
        // Reads count per IP; let the IP bucket refill after the first write.
        tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
        let (before, refused) = until_429(async || app.get("/v1/groups/anonymous").await).await;
        assert!(
            before.len() >= 2 && before.iter().all(|s| *s == 200),
            "{before:?}"
        );
        let refused = refused.expect("the IP runs out of requests");
        assert!(
            refused.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse::<u64>()
                .unwrap()
                >= 1
        );
        assert_eq!(
            refused.headers()["content-type"],
            "application/problem+json"
        );
        // Health checks are never limited; a made-up key is no way around the limit.
        assert_eq!(app.get("/readyz").await.status(), 200);
        let (_, refused) = until_429(async || {
            app.client
                .get(app.url("/v1/groups/anonymous"))
                .bearer_auth("flk_made-up")
                .send()
                .await
                .unwrap()
        })
        .await;
        assert!(
            refused.is_some(),
            "an Authorization header does not lift the IP limit"
        );
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn above_the_in_flight_cap_new_requests_are_shed_with_503() {
    use std::io::Write;
    let Some(t) = TestDb::seeded(Backend::Sqlite).await else {
        return;
    };
    let cfg = factline::config::LimitConfig {
        max_in_flight: 1,
        ..Default::default()
    };
    let state = with_limits(cfg, &t.db);
    let app = TestApp::spawn_state(t, state).await;
    // One request in flight: its body never finishes arriving. If it reaches
    // the server while a probe below holds the only slot, it is itself shed
    // (answered 503 at once), so it is sent again until one stays in flight.
    let hold = || {
        let mut s = std::net::TcpStream::connect(app.addr).unwrap();
        s.write_all(
            b"POST /graphql HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
        )
        .unwrap();
        s.set_nonblocking(true).unwrap();
        s
    };
    let answered = |s: &std::net::TcpStream| {
        let mut buf = [0u8; 1];
        !matches!(s.peek(&mut buf), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
    };
    let mut slow = hold();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut res = app.get("/v1/groups/anonymous").await;
    while res.status() == 200 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if answered(&slow) {
            slow = hold();
        }
        res = app.get("/v1/groups/anonymous").await;
    }
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers()["retry-after"], "1");
    assert_eq!(
        app.get("/healthz").await.status(),
        200,
        "health is never shed"
    );
    drop(slow);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.get("/v1/groups/anonymous").await.status(), 200);
}
