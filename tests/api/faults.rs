//! Faults an operator meets: Postgres going away and coming back, and
//! shutdown with requests in flight. Tests that stop Postgres use a private
//! instance they start themselves (initdb in a temporary directory, its own
//! port), never the shared one the other tests use.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::pg::PrivatePg;
use crate::served;

use factline::config::DbConfig;
use factline::startup::{self, Server};
use factline::state::AppState;

use clap::Parser;

/// One request's outcome during the fault: status (0 for a transport error),
/// how long it took, and whether a 503 carried Retry-After and a problem body.
#[derive(Debug)]
struct Outcome {
    status: u16,
    took: Duration,
    well_formed_503: bool,
}

async fn probe(client: &reqwest::Client, url: &str) -> Outcome {
    let started = Instant::now();
    match client.get(url).send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            let retry = r.headers().contains_key("retry-after");
            let problem = r
                .headers()
                .get("content-type")
                .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
            let _ = r.bytes().await;
            Outcome {
                status,
                took: started.elapsed(),
                well_formed_503: status == 503 && retry && problem,
            }
        }
        Err(_) => Outcome {
            status: 0,
            took: started.elapsed(),
            well_formed_503: false,
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopping_gives_503s_and_the_service_recovers_when_it_returns() {
    let pg = tokio::task::spawn_blocking(PrivatePg::start).await.unwrap();
    let mut db_cfg = DbConfig::for_url(pg.url());
    db_cfg.acquire_timeout_ms = 1_000;
    let factline::cli::Command::Serve(serve) =
        factline::cli::Cli::parse_from(["factline", "serve"]).command
    else {
        unreachable!("parsed as serve")
    };
    let db = startup::prepare(&db_cfg, &serve).await.unwrap();
    let server = Server::bind("127.0.0.1:0", AppState::new(db.clone(), Default::default()))
        .await
        .unwrap();
    let base = format!("http://{}", server.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run_until(async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap();
    let read = format!("{base}/v1/groups/anonymous");
    let ready = format!("{base}/readyz");
    assert_eq!(probe(&client, &read).await.status, 200);

    // Traffic before, during and after the outage.
    let before = probe(&client, &read).await;
    let pg = tokio::task::spawn_blocking(move || {
        pg.ctl_stop();
        pg
    })
    .await
    .unwrap();
    let mut down = Vec::new();
    for _ in 0..5 {
        down.push(probe(&client, &read).await);
        down.push(probe(&client, &ready).await);
    }
    let pg = tokio::task::spawn_blocking(move || {
        pg.ctl_start();
        pg
    })
    .await
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut recovered = None;
    while Instant::now() < deadline {
        let o = probe(&client, &read).await;
        if o.status == 200 {
            recovered = Some(Instant::now());
            break;
        }
        assert!(o.well_formed_503, "while recovering: {o:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    assert_eq!(before.status, 200);
    for o in &down {
        assert!(
            o.well_formed_503,
            "every request while Postgres is down is a 503 problem with Retry-After: {down:?}"
        );
        assert!(
            o.took < Duration::from_secs(5),
            "no request hangs while Postgres is down: {down:?}"
        );
    }
    assert!(
        recovered.is_some(),
        "the service answers 200 again without a restart"
    );
    assert_eq!(probe(&client, &ready).await.status, 200);
    assert!(
        !running.is_finished(),
        "the same server process served throughout"
    );
    let _ = stop.send(());
    running.await.unwrap().unwrap();
    db.close().await.ok();
    drop(pg);
}

/// Starts `factline serve` on SQLite in `dir` with the given drain timeout.
fn spawn_serve(dir: &Path, drain_ms: u64) -> (std::process::Child, u16) {
    served::spawn_serve(dir, &[("FACTLINE_DRAIN_TIMEOUT_MS", &drain_ms.to_string())])
}

fn sigterm(child: &std::process::Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn wait_exit(
    child: &mut std::process::Child,
    within: Duration,
) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Some(s) = child.try_wait().unwrap() {
            return Some(s);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

const QUERY: &str = r#"{"query":"{ group(slug: \"anonymous\") { slug } }"}"#;

/// Sends a POST whose body is cut short: the request is in flight until the
/// rest of the body arrives.
fn start_slow_request(port: u16) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        QUERY.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(&QUERY.as_bytes()[..10]).unwrap();
    s
}

#[test]
fn sigterm_lets_an_in_flight_request_finish_then_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, port) = spawn_serve(dir.path(), 20_000);
    let mut slow = start_slow_request(port);
    std::thread::sleep(Duration::from_millis(200));
    sigterm(&child);
    // Once the signal is handled the listener closes (polled: a loaded
    // machine may take a moment to get there).
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_ok() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "no new connection is accepted once shutdown began"
    );
    assert!(
        child.try_wait().unwrap().is_none(),
        "the server waits for the request in flight"
    );
    slow.write_all(&QUERY.as_bytes()[10..]).unwrap();
    let mut answer = String::new();
    slow.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains(r#"{"data":{"group":{"slug":"anonymous"}}}"#),
        "{answer}"
    );
    let status = wait_exit(&mut child, Duration::from_secs(10)).expect("exits after draining");
    assert!(status.success(), "{status:?}");
    let log = std::fs::read_to_string(dir.path().join("serve.log")).unwrap();
    assert!(log.contains("shutting down"), "{log}");
    assert!(log.contains("\"stopped\""), "{log}");
}

#[test]
fn the_drain_is_bounded_by_its_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, port) = spawn_serve(dir.path(), 1_000);
    let _stuck = start_slow_request(port);
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    sigterm(&child);
    let status = wait_exit(&mut child, Duration::from_secs(10))
        .expect("exits even though a request never completes");
    let took = started.elapsed();
    assert!(status.success(), "{status:?}");
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(5),
        "waited the drain timeout, not more: {took:?}"
    );
    let log = std::fs::read_to_string(dir.path().join("serve.log")).unwrap();
    assert!(log.contains("drain timeout reached"), "{log}");
}
