//! A hostile client's tries (security issue, round 2): nothing is buffered
//! before the key is checked, made-up keys buy no rate-limit bucket of their
//! own, forged cursors and racing writes end in 4xx or 503, never 500, and
//! the small refusals (inexact money, bidi overrides, long request ids, huge
//! error lists, fragment fan-out, duplicate keys).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use base64::Engine;
use factline::domain::auth::{self, Role};
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{Backend, TestApp, TestDb, with_limits};
use crate::served;
use factline::state::AppState;

/// Sends a request's head announcing `length` bytes of body, and nothing of
/// the body: returns the status line the server answers with (within 5 s).
fn status_before_body(app: &TestApp, path: &str, key: Option<&str>, length: usize) -> String {
    let mut s = TcpStream::connect(app.addr).unwrap();
    let auth = key.map_or(String::new(), |k| format!("Authorization: Bearer {k}\r\n"));
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: t\r\n{auth}Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    )
    .unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = [0u8; 64];
    let n = s
        .read(&mut buf)
        .expect("answered before any of the body was sent");
    String::from_utf8_lossy(&buf[..n])
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
}

/// Pushes `total` bytes of body after the head, in chunks, until the server
/// stops taking them; the chunks are not kept, so only the server's memory grows.
fn push_body(addr: std::net::SocketAddr, path: &str, key: Option<&str>, total: usize) {
    let mut s = TcpStream::connect(addr).unwrap();
    let auth = key.map_or(String::new(), |k| format!("Authorization: Bearer {k}\r\n"));
    let _ = write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: t\r\n{auth}Content-Type: application/json\r\nContent-Length: {total}\r\n\r\n"
    );
    s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
    let chunk = vec![b' '; 64 * 1024];
    let mut sent = 0;
    while sent < total {
        if s.write_all(&chunk).is_err() {
            break;
        }
        sent += chunk.len();
    }
}

/// Sends an admin import of `mib` MiB of whitespace, chunked (no
/// Content-Length, so the size is not known up front): the status line the
/// server answers with.
fn push_chunked(addr: std::net::SocketAddr, key: &str, mib: usize) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST /v1/import HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .unwrap();
    let chunk = vec![b' '; 64 * 1024];
    let head = format!("{:x}\r\n", chunk.len());
    for _ in 0..(mib * 16) {
        if s.write_all(head.as_bytes()).is_err()
            || s.write_all(&chunk).is_err()
            || s.write_all(b"\r\n").is_err()
        {
            break;
        }
    }
    let _ = s.write_all(b"0\r\n\r\n");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).to_string()
}

/// Memory is measured on a `factline serve` process of its own: the test
/// harness runs other tests in its own process at the same time, so its
/// resident set says nothing about one server's.
#[test]
fn refused_and_oversized_imports_leave_the_server_s_peak_memory_flat() {
    let dir = tempfile::tempdir().unwrap();
    let out = served::factline_in(dir.path())
        .args(["apikey", "create", "--role", "admin", "--name", "t"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let admin = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_owned();
    // Unseeded: the baseline is an idle server's, not what seeding left.
    let (mut child, port) = served::spawn_serve(
        dir.path(),
        &[("FACTLINE_NO_RATE_LIMIT", "1"), ("FACTLINE_NO_SEED", "1")],
    );
    let addr: std::net::SocketAddr = ([127, 0, 0, 1], port).into();
    served::reset_peak_rss(child.id());
    let before = served::peak_rss(child.id());

    // Three concurrent 60 MB anonymous imports, refused at their head.
    let pushes: Vec<_> = (0..3)
        .map(|_| std::thread::spawn(move || push_body(addr, "/v1/import", None, 60 << 20)))
        .collect();
    for p in pushes {
        p.join().unwrap();
    }
    // An admin's 65 MiB: the parser reads it as it arrives and holds none of
    // it; past the 64 MiB limit the answer is 413.
    let status = push_chunked(addr, &admin, 65);
    let after = served::peak_rss(child.id());
    child.kill().ok();
    child.wait().ok();
    assert!(status.starts_with("HTTP/1.1 413"), "{status:?}");
    assert!(
        after < before + 20 * 1024 * 1024,
        "the server's peak RSS went from {before} to {after} bytes"
    );
}

both_backends!(
    anonymous_and_reader_writes_are_refused_before_a_byte_of_the_body_is_read,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let (_, reader) = auth::create_key(&t.db, Role::Reader, "reader")
            .await
            .unwrap();
        let (_, editor) = auth::create_key(&t.db, Role::Editor, "editor")
            .await
            .unwrap();
        let app = TestApp::spawn(t).await;
        let big = 60 * 1024 * 1024;
        let app = std::sync::Arc::new(app);
        let a = app.clone();
        let (reader2, editor2) = (reader.clone(), editor.clone());
        let lines = tokio::task::spawn_blocking(move || {
            vec![
                status_before_body(&a, "/v1/import", None, big),
                status_before_body(&a, "/v1/import", Some("flk_made-up"), big),
                status_before_body(&a, "/v1/import", Some(&reader2), big),
                status_before_body(&a, "/v1/import", Some(&editor2), big),
                status_before_body(&a, "/v1/groups", None, 200_000),
                status_before_body(&a, "/v1/groups", Some(&reader2), 200_000),
            ]
        })
        .await
        .unwrap();
        let codes: Vec<&str> = lines
            .iter()
            .map(|l| l.split(' ').nth(1).unwrap_or(l))
            .collect();
        assert_eq!(
            codes,
            ["401", "401", "403", "403", "401", "403"],
            "{lines:?}"
        );

        // Three concurrent 60 MB anonymous imports are cut off at their head
        // (the memory they leave is measured on a server process of its own:
        // refused_and_oversized_imports_leave_the_server_s_peak_memory_flat).
        let addr = app.addr;
        let pushes: Vec<_> = (0..3)
            .map(|_| std::thread::spawn(move || push_body(addr, "/v1/import", None, big)))
            .collect();
        for p in pushes {
            p.join().unwrap();
        }
        // The service still answers.
        assert_eq!(app.get("/v1/groups/anonymous").await.status(), 200);
    }
);

fn limited(db: &sea_orm::DatabaseConnection) -> AppState {
    let cfg = factline::config::LimitConfig {
        rate_limit_ip: 50,
        rate_limit_key_writes: 10,
        no_rate_limit: false,
        max_in_flight: 0,
        trust_forwarded_for: false,
        ..Default::default()
    };
    with_limits(cfg, db)
}

both_backends!(
    made_up_keys_count_against_the_client_ip_and_their_checks_are_limited,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let state = limited(&t.db);
        let app = TestApp::spawn_state(t, state).await;
        let mut counts = std::collections::BTreeMap::<u16, usize>::new();
        for i in 0..500 {
            let r = app
                .client
                .post(app.url("/v1/targets"))
                .bearer_auth(format!("flk_random-{i}-{}", uuid::Uuid::new_v4()))
                .json(&json!({"slug": "x"}))
                .send()
                .await
                .unwrap();
            if r.status() == 429 {
                assert!(r.headers().contains_key("retry-after"));
            }
            *counts.entry(r.status().as_u16()).or_default() += 1;
        }
        let refused = counts.get(&429).copied().unwrap_or(0);
        let checked = counts.get(&401).copied().unwrap_or(0);
        assert_eq!(refused + checked, 500, "{counts:?}");
        // At most the burst of unverified checks (plus a refill) reached the database.
        assert!(checked <= 12, "{counts:?}");
        // The same made-up key again is refused at once, without a lookup.
        let r = app
            .client
            .post(app.url("/v1/targets"))
            .bearer_auth("flk_random-0")
            .json(&json!({"slug": "x"}))
            .send()
            .await
            .unwrap();
        assert!(matches!(r.status().as_u16(), 401 | 429));
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_that_just_failed_is_refused_without_a_database_lookup() {
    let Some(t) = TestDb::seeded(Backend::Sqlite).await else {
        return;
    };
    let limiter = factline::http::limits::Limiter::new(&Default::default());
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(
        axum::http::header::AUTHORIZATION,
        "Bearer flk_made-up".parse().unwrap(),
    );
    let first = limiter.authenticate(&t.db, &headers, None).await;
    assert!(matches!(
        first,
        Err(factline::error::Error::Unauthenticated)
    ));
    // With the database gone, a lookup would be a 503; the cached refusal is a 401.
    t.db.clone().close().await.unwrap();
    let again = limiter.authenticate(&t.db, &headers, None).await;
    assert!(
        matches!(again, Err(factline::error::Error::Unauthenticated)),
        "{again:?}"
    );
}

fn forged_cursor(sort: &str) -> String {
    let json = json!({"s": sort, "k": "-9999-01-01", "i": "00000000-0000-0000-0000-000000000000"});
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.to_string())
}

both_backends!(
    forged_cursors_with_out_of_range_dates_are_400_naming_cursor,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        // The issue's own cursor (standard base64 of JSON with spaces) and ours.
        let issued = "eyJzIjogInN0YXJ0IiwgImsiOiAiLTk5OTktMDEtMDEiLCAiaSI6ICIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAifQ";
        for path in [
            format!("/v1/operations?cursor={issued}"),
            format!("/v1/operations?cursor={}", forged_cursor("start")),
            format!("/v1/operations?sort=-end&cursor={}", forged_cursor("-end")),
            format!("/v1/legal-outcomes?cursor={}", forged_cursor("date")),
            format!(
                "/v1/legal-outcomes?sort=-date&cursor={}",
                forged_cursor("-date")
            ),
            format!("/v1/timeline?cursor={}", {
                let json = json!({"s": "timeline", "k": "-9999-01-01|day|operation|00000000-0000-0000-0000-000000000000", "i": "00000000-0000-0000-0000-000000000000"});
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.to_string())
            }),
        ] {
            let (status, body) = app.get_json(&path).await;
            assert_eq!(status, 400, "{path}: {body}");
            assert_eq!(body["errors"][0]["field"], "cursor", "{path}: {body}");
        }
        let res: Value = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({"query": format!(
            "{{ operations(after: \"{}\") {{ totalCount }} legalOutcomes(after: \"{}\") {{ totalCount }} }}",
            forged_cursor("start"), forged_cursor("date"))}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        let codes: Vec<&str> = res["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["extensions"]["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["BAD_USER_INPUT", "BAD_USER_INPUT"], "{res}");
    }
);

async fn etag(app: &TestApp, path: &str) -> Option<String> {
    let r = app.get(path).await;
    (r.status() == 200).then(|| r.headers()["etag"].to_str().unwrap().to_owned())
}

fn group(slug: &str) -> Value {
    json!({"slug": slug, "kind": "crew", "names": [{"lang": "en", "text": slug, "kind": "primary"}],
           "citations": [{"source": "seed-article"}]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_writes_on_postgres_end_in_4xx_never_500_and_store_no_dangling_link_or_cycle() {
    let Some(t) = TestDb::seeded(Backend::Postgres).await else {
        return;
    };
    let (_, key) = auth::create_key(&t.db, Role::Editor, "editor")
        .await
        .unwrap();
    let app = std::sync::Arc::new(TestApp::spawn(t).await);
    let send = |method: reqwest::Method, path: String, tag: Option<String>, body: Option<Value>| {
        let app = app.clone();
        let key = key.clone();
        async move {
            let mut req = app.client.request(method, app.url(&path)).bearer_auth(&key);
            if let Some(t) = tag {
                req = req.header("if-match", t);
            }
            if let Some(b) = body {
                req = req.json(&b);
            }
            req.send().await.unwrap().status().as_u16()
        }
    };
    let mut statuses = Vec::new();
    for round in 0..20 {
        // (a) A group deleted while an operation linking it is created.
        let g = format!("race-group-{round}");
        assert_eq!(
            send(
                reqwest::Method::POST,
                "/v1/groups".into(),
                None,
                Some(group(&g))
            )
            .await,
            201
        );
        let tag = etag(&app, &format!("/v1/groups/{g}")).await;
        let op = json!({"slug": format!("op-race-{round}"), "names": [{"lang": "en", "text": "Race", "kind": "primary"}],
            "start": "2011", "tactics": ["ddos"], "groups": [{"group": g, "role": "attributed", "citations": [{"source": "seed-article"}]}],
            "citations": [{"source": "seed-article"}]});
        let (d, c) = tokio::join!(
            send(
                reqwest::Method::DELETE,
                format!("/v1/groups/{g}"),
                tag,
                None
            ),
            send(
                reqwest::Method::POST,
                "/v1/operations".into(),
                None,
                Some(op)
            ),
        );
        statuses.extend([d, c]);
        let group_there = app.get(&format!("/v1/groups/{g}")).await.status() == 200;
        let op_there = app
            .get(&format!("/v1/operations/op-race-{round}"))
            .await
            .status()
            == 200;
        assert!(
            group_there || !op_there,
            "round {round}: an operation links a deleted group"
        );

        // (b) Two editors make each other's group the parent at once.
        let (a, b) = (format!("race-a-{round}"), format!("race-b-{round}"));
        for s in [&a, &b] {
            assert_eq!(
                send(
                    reqwest::Method::POST,
                    "/v1/groups".into(),
                    None,
                    Some(group(s))
                )
                .await,
                201
            );
        }
        let (ta, tb) = (
            etag(&app, &format!("/v1/groups/{a}")).await,
            etag(&app, &format!("/v1/groups/{b}")).await,
        );
        let (x, y) = tokio::join!(
            send(
                reqwest::Method::PATCH,
                format!("/v1/groups/{a}"),
                ta,
                Some(json!({"parent": b}))
            ),
            send(
                reqwest::Method::PATCH,
                format!("/v1/groups/{b}"),
                tb,
                Some(json!({"parent": a}))
            ),
        );
        statuses.extend([x, y]);
        let (_, ga) = app.get_json(&format!("/v1/groups/{a}")).await;
        let (_, gb) = app.get_json(&format!("/v1/groups/{b}")).await;
        let parent = |g: &Value| {
            g["parent"]
                .as_object()
                .map(|p| p["slug"].clone())
                .or(g["parent"].as_str().map(|s| json!(s)))
        };
        assert!(
            !(parent(&ga).is_some() && parent(&gb).is_some()),
            "round {round}: a cycle was stored: {ga} {gb}"
        );
    }
    assert!(
        statuses.iter().all(|s| *s < 500 || *s == 503),
        "{statuses:?}"
    );
    assert!(!statuses.contains(&500), "{statuses:?}");
}

both_backends!(
    small_hostile_inputs_are_refused_with_4xx_naming_the_field,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let (_, key) = auth::create_key(&t.db, Role::Editor, "editor")
            .await
            .unwrap();
        let app = TestApp::spawn(t).await;
        let post = |path: &'static str, body: String| {
            app.client
                .post(app.url(path))
                .bearer_auth(&key)
                .header("content-type", "application/json")
                .body(body)
                .send()
        };
        // Money with more digits than can be stored exactly.
        let lo = json!({"slug": "lo-tiny", "kind": "fine", "date": "2012", "jurisdiction": "GB", "group": "anonymous",
        "money": {"amount": "0.00000000000000000000000000001", "currency": "GBP", "kind": "fine", "scope": "total"},
        "citations": [{"source": "seed-article"}]});
        let r = post("/v1/legal-outcomes", lo.to_string()).await.unwrap();
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["errors"][0]["field"], "money.amount", "{body}");
        // A right-to-left override, and a name of zero-width spaces; Arabic is fine.
        for (text, ok) in [
            ("\u{202E}puorg", false),
            ("\u{200B}\u{200B}\u{200B}", false),
            ("الأنونيموس", true),
        ] {
            let mut g = group(&format!("bidi-{}", usize::from(ok)));
            g["names"] = json!([{"lang": "en", "text": "Group", "kind": "primary"}, {"lang": "ar", "text": text, "kind": "primary"}]);
            let r = post("/v1/groups", g.to_string()).await.unwrap();
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap();
            if ok {
                assert_eq!(status, 201, "{body}");
            } else {
                assert_eq!(status, 422, "{body}");
                assert_eq!(body["errors"][0]["field"], "names[1].text", "{body}");
            }
        }
        // Duplicate keys are refused, not last-wins.
        let r = post(
            "/v1/groups",
            r#"{"slug": "dup-a", "slug": "dup-b"}"#.to_owned(),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 400);
        let body: Value = r.json().await.unwrap();
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("duplicate key"),
            "{body}"
        );
        // A long or unsafe request id is replaced, a short safe one kept.
        let r = app
            .client
            .get(app.url("/healthz"))
            .header("x-request-id", "a".repeat(60_000))
            .send()
            .await
            .unwrap();
        let id = r.headers()["x-request-id"].to_str().unwrap();
        assert!(id.len() <= 64 && !id.starts_with("aaaa"), "{id}");
        let r = app
            .client
            .get(app.url("/healthz"))
            .header("x-request-id", "trace-42")
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["x-request-id"], "trace-42");
        // A thousand unknown parameters get a short answer.
        let query: Vec<String> = (0..1000).map(|i| format!("p{i}=1")).collect();
        let r = app.get(&format!("/v1/groups?{}", query.join("&"))).await;
        assert_eq!(r.status(), 400);
        let text = r.text().await.unwrap();
        assert!(text.len() < 10_000, "{} bytes", text.len());
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["errors"].as_array().unwrap().len(), 50);
        // A fragment spread a thousand times counts a thousand times.
        let spreads = "...F ".repeat(1000);
        let q = format!(
            "query {{ groups {{ nodes {{ {spreads} }} }} }} fragment F on Group {{ slug }}"
        );
        let res: Value = app
            .client
            .post(app.url("/graphql"))
            .json(&json!({"query": q}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let message = res["errors"][0]["message"].as_str().unwrap_or("");
        assert!(message.contains("fields"), "{res}");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_connections_are_cut_off_and_a_slowloris_does_not_stall_others() {
    let Some(t) = TestDb::seeded(Backend::Sqlite).await else {
        return;
    };
    let cfg = factline::config::LimitConfig {
        header_read_timeout_ms: 1_000,
        max_open_connections: 2_000,
        ..Default::default()
    };
    let server = factline::startup::Server::bind(
        "127.0.0.1:0",
        AppState::new(t.db.clone(), Default::default()),
    )
    .await
    .unwrap()
    .connection_limits(&cfg);
    let addr = server.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run_until(async {
        let _ = rx.await;
    }));
    // A thousand connections, each with half a request head and no more.
    let slow: Vec<TcpStream> = (0..1000)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ")
                .unwrap();
            s
        })
        .collect();
    // Normal requests are answered fast meanwhile.
    let client = reqwest::Client::new();
    for _ in 0..20 {
        let started = std::time::Instant::now();
        let r = client
            .get(format!("http://{addr}/v1/groups/anonymous"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "{:?}",
            started.elapsed()
        );
    }
    // An idle keep-alive connection after one request.
    let mut idle = TcpStream::connect(addr).unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = [0u8; 4096];
    assert!(idle.read(&mut buf).unwrap() > 0);
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    // Every slow connection was closed (EOF or reset), and the idle one too.
    let closed = |mut s: &TcpStream| {
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut b = [0u8; 512];
        loop {
            match s.read(&mut b) {
                Ok(0) => return true,
                // Whatever the server said before closing (a 408, say).
                Ok(_) => {}
                Err(e) => {
                    return !matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    );
                }
            }
        }
    };
    let open = slow.iter().filter(|s| !closed(s)).count();
    assert_eq!(open, 0, "{open} slow connections still open");
    assert!(
        closed(&idle),
        "the idle keep-alive connection is still open"
    );
    let _ = tx.send(());
}

both_backends!(
    an_export_whose_reader_stalls_frees_its_slot_and_snapshot,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        // Enough data that a client reading nothing fills every buffer on
        // the way (about 20 MB of sources).
        let sources: Vec<Value> = (0..20_000)
            .map(|i| {
                json!({"slug": format!("bulk-{i:05}"), "title": "t".repeat(900),
                       "url": format!("https://example.org/{i}"), "archived_url": null,
                       "publisher": "Example", "language": "en", "published": null, "kind": "news"})
            })
            .collect();
        let text = json!({"format": "factline-dataset", "version": 1, "sources": sources,
            "groups": [], "targets": [], "operations": [], "legal_outcomes": []})
        .to_string();
        let ds = factline::domain::dataset::Dataset::parse(&text).unwrap();
        crate::helpers::import_dataset(&t.db, ds).await.unwrap();
        let cfg = factline::config::LimitConfig {
            export_stall_timeout_ms: 2_000,
            ..Default::default()
        };
        let state = AppState::new(t.db.clone(), Default::default()).with_limits(&cfg);
        let app = TestApp::spawn_state(t, state).await;
        // Two clients take the two export slots at once, read 1 KB and stop
        // (at once: an export hashes its records before its first byte, and
        // one waiting for the other would find its slot freed by the stall).
        let addr = app.addr;
        let stalled: Vec<TcpStream> = (0..2)
            .map(|_| {
                std::thread::spawn(move || {
                    let mut s = TcpStream::connect(addr).unwrap();
                    s.write_all(b"GET /v1/export HTTP/1.1\r\nHost: t\r\n\r\n")
                        .unwrap();
                    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
                    let mut buf = [0u8; 1024];
                    s.read_exact(&mut buf).unwrap();
                    assert!(buf.starts_with(b"HTTP/1.1 200"));
                    s
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .collect();
        assert_eq!(
            app.get("/v1/export").await.status(),
            503,
            "both slots are taken"
        );
        // Within a few seconds of the stall timeout, exports run again.
        let started = std::time::Instant::now();
        loop {
            let r = app.get("/v1/export?format=ndjson").await;
            if r.status() == 200 {
                let body = r.bytes().await.unwrap();
                assert!(body.len() > 18_000_000, "{} bytes", body.len());
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the stalled exports still hold their slots"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        if backend == Backend::Postgres {
            use sea_orm::ConnectionTrait;
            let row = app
                .tdb
                .db
                .query_one_raw(sea_orm::Statement::from_string(
                    sea_orm::DbBackend::Postgres,
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                     AND state = 'idle in transaction'",
                ))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                row.try_get_by_index::<i64>(0).unwrap(),
                0,
                "a snapshot is still held"
            );
        }
        drop(stalled);
    }
);

both_backends!(
    an_admin_import_streams_into_the_parser_and_stops_at_the_size_limit,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let (_, admin) = auth::create_key(&t.db, Role::Admin, "admin").await.unwrap();
        let app = TestApp::spawn(t).await;
        let admin2 = admin.clone();
        // 65 MiB of whitespace, chunked (no Content-Length): past 64 MiB the
        // answer is 413 (the memory it leaves is measured on a server process
        // of its own: refused_and_oversized_imports_leave_the_server_s_peak_memory_flat).
        let addr = app.addr;
        let status = tokio::task::spawn_blocking(move || push_chunked(addr, &admin2, 65))
            .await
            .unwrap();
        assert!(status.starts_with("HTTP/1.1 413"), "{status:?}");
        // A file that fits is imported from the same stream.
        let r = app
            .client
            .post(app.url("/v1/import"))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .body(r#"{"format": "factline-dataset", "version": 1, "sources": [{"slug": "streamed", "title": "Streamed", "url": null, "archived_url": null, "publisher": null, "language": "en", "published": null, "kind": "news"}], "groups": [], "targets": [], "operations": [], "legal_outcomes": []}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(app.get("/v1/sources/streamed").await.status(), 200);
    }
);
