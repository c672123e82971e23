//! The soak test: `factline serve` (the real binary) on a private Postgres,
//! under a mixed read and write load for `FACTLINE_SOAK_SECS` (default 120),
//! with a Postgres restart in the middle and a SIGTERM at the end. Then:
//! every write that got a 2xx is in the database, no write is half-written,
//! memory did not keep growing, no request hung, and nothing but the
//! restart window saw a server error.
//!
//! Ignored in the ordinary run (it takes minutes); `.ci/run` runs it with
//! `cargo nextest run --run-ignored only -E 'test(soak)'`.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::sync::Mutex;

use crate::pg::{PrivatePg, free_port};
use crate::served;

/// A request slower than this counts as hung.
const HUNG: Duration = Duration::from_secs(15);
const READERS: usize = 6;
const WRITERS: usize = 2;

fn soak_duration() -> Duration {
    let secs = std::env::var("FACTLINE_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120u64);
    Duration::from_secs(secs.max(20))
}

fn psql(pg: &PrivatePg, sql: &str) -> String {
    let out = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &pg.port.to_string(),
            "-U",
            "postgres",
        ])
        .args(["-d", "postgres", "-At", "-c", sql])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn factline(pg: &PrivatePg) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_factline"));
    c.env("DATABASE_URL", pg.url())
        .env("FACTLINE_NO_RATE_LIMIT", "1")
        .env("FACTLINE_DRAIN_TIMEOUT_MS", "10000")
        .env("FACTLINE_LOG", "warn")
        .env("FACTLINE_LOG_FORMAT", "json")
        .stdin(Stdio::null());
    c
}

/// When a request was sent, against the soak's phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Before,
    /// From the stop of Postgres until it has been answering for 2 s.
    Restart,
    After,
    /// From the SIGTERM on: the listener closes, so new requests cannot connect.
    Shutdown,
}

#[derive(Debug, Default)]
struct Tally {
    requests: u64,
    by_phase: BTreeMap<(Phase, u16), u64>,
    hung: u64,
    slowest: Duration,
    /// Slugs of writes answered 201, and of writes answered otherwise.
    acknowledged: Vec<String>,
    refused: Vec<(String, u16)>,
    /// The first server errors seen: phase, request, status and body.
    samples: Vec<String>,
}

impl Tally {
    fn record(&mut self, phase: Phase, what: &str, status: u16, body: &str, took: Duration) {
        self.requests += 1;
        *self.by_phase.entry((phase, status)).or_default() += 1;
        self.slowest = self.slowest.max(took);
        if took >= HUNG {
            self.hung += 1;
        }
        if status >= 500 && self.samples.len() < 20 {
            self.samples.push(format!(
                "{phase:?} {what} {status} {}",
                &body[..body.len().min(300)]
            ));
        }
    }
}

impl Phase {
    /// The phase of a request sent in `start` and answered in `end`: one in
    /// flight at any moment of the restart counts in the restart window.
    fn spanning(start: Phase, end: Phase) -> Phase {
        if start <= Phase::Restart && end >= Phase::Restart {
            Phase::Restart
        } else {
            end
        }
    }
}

/// Kills the server if the test ends before it exited by itself.
struct Reaper {
    pid: u32,
    armed: bool,
}

impl Drop for Reaper {
    fn drop(&mut self) {
        if self.armed {
            let _ = Command::new("kill")
                .args(["-KILL", &self.pid.to_string()])
                .status();
        }
    }
}

struct Clock {
    phase: std::sync::Mutex<Phase>,
}

impl Clock {
    fn now(&self) -> Phase {
        *self.phase.lock().unwrap()
    }
}

/// The status (0 when no answer came) and body of a request.
async fn answer(sent: reqwest::Result<reqwest::Response>) -> (u16, String) {
    match sent {
        Ok(res) => {
            let status = res.status().as_u16();
            (status, res.text().await.unwrap_or_default())
        }
        Err(e) => (0, e.to_string()),
    }
}

fn operation(slug: &str) -> serde_json::Value {
    json!({
        "slug": slug,
        "names": [{"lang": "en", "text": format!("Soak {slug}"), "kind": "primary"}],
        "start": "2011-02",
        "tactics": ["ddos"],
        "texts": [{"field": "summary", "lang": "en", "text": "Written by the soak test."}],
        // Linked to a group and a target the readers do not fetch, so the
        // answers they read stay the same size and RSS measures the server,
        // not the data: a record lists its operations, so a read of the
        // linked group would grow with every write.
        "groups": [{"group": "lulzsec", "role": "claimed", "citations": [{"source": "seed-article"}]}],
        "targets": [{"target": "habbo", "citations": [{"source": "seed-article"}]}],
        "citations": [{"source": "seed-article", "quote": "soak"}],
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "minutes long; .ci/run runs it on its own"]
async fn soak_with_a_postgres_restart_and_a_sigterm_loses_nothing() {
    let duration = soak_duration();
    let pg = tokio::task::spawn_blocking(PrivatePg::start).await.unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    assert!(base.starts_with("http://127.0.0.1:"));

    let key = {
        let out = factline(&pg)
            .args(["apikey", "create", "--role", "editor", "--name", "soak"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap()
            .trim()
            .to_owned()
    };
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut server: Child = factline(&pg)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(log.reopen().unwrap())
        .spawn()
        .unwrap();
    let pid = server.id();
    let mut reaper = Reaper { pid, armed: true };
    let client = reqwest::Client::builder()
        .timeout(HUNG)
        .pool_max_idle_per_host(16)
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await
            && r.status() == 200
        {
            break;
        }
        assert!(Instant::now() < deadline, "factline never became ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let clock = Arc::new(Clock {
        phase: std::sync::Mutex::new(Phase::Before),
    });
    let tally = Arc::new(Mutex::new(Tally::default()));
    let running = Arc::new(AtomicBool::new(true));
    let reads = [
        "/v1/groups/anonymous",
        "/v1/operations?limit=20&sort=-start",
        "/v1/legal-outcomes?kind=sentence",
        "/v1/search?q=anonymous",
        "/v1/timeline?limit=50",
        "/v1/stats",
        "/v1/targets?format=csv&kind=government",
    ];
    let graphql = json!({"query": "{ operations(first: 20) { nodes { slug groups { group { slug } } targets { target { slug } } legalOutcomes { kind citations { source { slug } } } } } }"});

    let mut tasks = Vec::new();
    for r in 0..READERS {
        let (client, base, clock, tally, running, graphql) = (
            client.clone(),
            base.clone(),
            clock.clone(),
            tally.clone(),
            running.clone(),
            graphql.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut i = r;
            while running.load(Ordering::Relaxed) {
                let phase = clock.now();
                let started = Instant::now();
                let sent = if i % (reads.len() + 1) == reads.len() {
                    client
                        .post(format!("{base}/graphql"))
                        .json(&graphql)
                        .send()
                        .await
                } else {
                    client
                        .get(format!("{base}{}", reads[i % reads.len()]))
                        .send()
                        .await
                };
                let (status, body) = answer(sent).await;
                let took = started.elapsed();
                let phase = Phase::spanning(phase, clock.now());
                let what = reads
                    .get(i % (reads.len() + 1))
                    .copied()
                    .unwrap_or("/graphql");
                tally.lock().await.record(phase, what, status, &body, took);
                i += 1;
                if status == 0 {
                    // No connection (the restart, or the listener closed
                    // after SIGTERM): back off instead of spinning.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }));
    }
    for w in 0..WRITERS {
        let (client, base, clock, tally, running, key) = (
            client.clone(),
            base.clone(),
            clock.clone(),
            tally.clone(),
            running.clone(),
            key.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while running.load(Ordering::Relaxed) {
                let slug = format!("soak-w{w}-{n}");
                n += 1;
                let phase = clock.now();
                let started = Instant::now();
                let sent = client
                    .post(format!("{base}/v1/operations"))
                    .bearer_auth(&key)
                    .json(&operation(&slug))
                    .send()
                    .await;
                let (status, body) = answer(sent).await;
                let took = started.elapsed();
                let phase = Phase::spanning(phase, clock.now());
                let mut t = tally.lock().await;
                t.record(phase, "POST /v1/operations", status, &body, took);
                if status == 201 {
                    t.acknowledged.push(slug);
                } else {
                    t.refused.push((slug, status));
                }
                drop(t);
                // Writers are a fraction of the load, as on a read-mostly service.
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }

    // Memory, sampled every half second while the load runs.
    let rss = Arc::new(Mutex::new(Vec::<(Instant, u64)>::new()));
    let sampler = {
        let (rss, running) = (rss.clone(), running.clone());
        tokio::spawn(async move {
            while running.load(Ordering::Relaxed) {
                if let Some(k) = served::status_kib(pid, "VmRSS") {
                    rss.lock().await.push((Instant::now(), k));
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        })
    };

    let soak_start = Instant::now();
    tokio::time::sleep(duration / 2).await;
    // Postgres restarts in the middle of the load.
    *clock.phase.lock().unwrap() = Phase::Restart;
    let pg = tokio::task::spawn_blocking(move || {
        pg.ctl_stop();
        std::thread::sleep(Duration::from_secs(3));
        pg.ctl_start();
        pg
    })
    .await
    .unwrap();
    let back = Instant::now();
    loop {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await
            && r.status() == 200
        {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(30),
            "no recovery after the restart"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let recovered_after = back.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    *clock.phase.lock().unwrap() = Phase::After;
    let rest = duration.saturating_sub(soak_start.elapsed());
    tokio::time::sleep(rest).await;

    // SIGTERM with the load still running: the server drains and exits 0.
    *clock.phase.lock().unwrap() = Phase::Shutdown;
    let term = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let exited = tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(s) = server.try_wait().unwrap() {
                return Some(s);
            }
            if Instant::now() > deadline {
                server.kill().ok();
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    })
    .await
    .unwrap();
    // Exited, or killed above after the deadline.
    reaper.armed = false;
    running.store(false, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    sampler.await.unwrap();

    let tally = tally.lock().await;
    let rss = rss.lock().await;
    // Growth: the highest RSS in the last quarter against the highest in
    // the second quarter (after warm-up, before the restart).
    let quarter = |q: u32| {
        let from = soak_start + duration * q / 4;
        let to = soak_start + duration * (q + 1) / 4;
        rss.iter()
            .filter(|(at, _)| *at >= from && *at < to)
            .map(|(_, k)| *k)
            .max()
            .unwrap_or(0)
    };
    assert!(rss.len() > 10, "RSS was sampled: {} samples", rss.len());
    let peak = rss.iter().map(|(_, k)| *k).max().unwrap_or(0);
    let (settled, last) = (quarter(1), quarter(3));

    // What the database holds afterwards.
    let stored: Vec<String> = psql(
        &pg,
        "SELECT slug FROM operations WHERE slug LIKE 'soak-%' ORDER BY slug",
    )
    .lines()
    .map(str::to_owned)
    .collect();
    // A whole write has its name, text, tactic, both links (each with its
    // citation), its own citation and its revision.
    let half_written = psql(
        &pg,
        "SELECT o.slug FROM operations o WHERE o.slug LIKE 'soak-%' AND NOT ( \
           (SELECT count(*) FROM names n WHERE n.operation_id = o.id) = 1 \
           AND (SELECT count(*) FROM texts t WHERE t.operation_id = o.id) = 1 \
           AND (SELECT count(*) FROM operation_tactics x WHERE x.operation_id = o.id) = 1 \
           AND (SELECT count(*) FROM operation_groups g JOIN citations c ON c.operation_group_id = g.id WHERE g.operation_id = o.id) = 1 \
           AND (SELECT count(*) FROM operation_targets g JOIN citations c ON c.operation_target_id = g.id WHERE g.operation_id = o.id) = 1 \
           AND (SELECT count(*) FROM citations c WHERE c.operation_id = o.id) = 1 \
           AND (SELECT count(*) FROM revisions r WHERE r.entity_kind = 'operation' AND r.entity_slug = o.slug) = 1)",
    );
    let count = |phase: Phase, pred: &dyn Fn(u16) -> bool| -> u64 {
        tally
            .by_phase
            .iter()
            .filter(|((p, s), _)| *p == phase && pred(*s))
            .map(|(_, n)| *n)
            .sum()
    };
    let server_errors = |s: u16| s >= 500 || s == 0;
    let found: std::collections::HashSet<&String> = stored.iter().collect();
    let missing: Vec<&String> = tally
        .acknowledged
        .iter()
        .filter(|s| !found.contains(s))
        .collect();
    eprintln!(
        "SOAK duration={:?} requests={} writes_acknowledged={} writes_found={} writes_refused={} \
         stored_soak_operations={} errors_before={} errors_restart_window={} errors_after={} \
         errors_shutdown={} refused_connections_shutdown={} recovered_after={:?} hung={} slowest={:?} rss_peak_kib={} rss_q2_kib={} rss_q4_kib={} exit={:?}",
        duration,
        tally.requests,
        tally.acknowledged.len(),
        tally.acknowledged.len() - missing.len(),
        tally.refused.len(),
        stored.len(),
        count(Phase::Before, &server_errors),
        count(Phase::Restart, &server_errors),
        count(Phase::After, &server_errors),
        count(Phase::Shutdown, &|s| s >= 500),
        count(Phase::Shutdown, &|s| s == 0),
        recovered_after,
        tally.hung,
        tally.slowest,
        peak,
        settled,
        last,
        exited,
    );
    eprintln!("SOAK statuses {:?}", tally.by_phase);
    // The RSS curve, a sample per tenth of the run, to tell a plateau from growth.
    let tenths: Vec<u64> = (0..10)
        .filter_map(|t| {
            let at = soak_start + duration * t / 10;
            rss.iter()
                .find(|(when, _)| *when >= at)
                .map(|(_, k)| *k / 1024)
        })
        .collect();
    eprintln!("SOAK rss_mib_by_tenth {tenths:?}");
    for sample in &tally.samples {
        eprintln!("SOAK 5xx {sample}");
    }
    let log = std::fs::read_to_string(log.path()).unwrap();
    let mut warnings: BTreeMap<String, u64> = BTreeMap::new();
    for line in log.lines() {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(line)
            && v["level"] != "INFO"
        {
            let what = format!("{} {} {}", v["level"], v["message"], v["error"]);
            *warnings.entry(what).or_default() += 1;
        }
    }
    for (what, n) in &warnings {
        eprintln!("SOAK server log: {n} × {what}");
    }

    let exited = exited.expect("the server exits within 20 s of SIGTERM");
    assert!(exited.success(), "exit status {exited:?}");
    assert!(tally.requests > 1_000, "the load ran: {}", tally.requests);
    assert!(
        tally.acknowledged.len() > 50,
        "writes succeeded: {}",
        tally.acknowledged.len()
    );
    assert!(
        missing.is_empty(),
        "acknowledged writes missing: {missing:?}"
    );
    assert_eq!(half_written, "", "half-written operations");
    // A write refused outright (any 4xx) left nothing behind; a 5xx or a cut connection may or may not have committed, but
    // only whole (checked above).
    for (slug, status) in &tally.refused {
        if (400..500).contains(status) {
            assert!(
                !found.contains(slug),
                "{slug} refused with {status} but stored"
            );
        }
    }
    assert_eq!(tally.hung, 0, "requests hung past {HUNG:?}");
    assert_eq!(count(Phase::Before, &server_errors), 0);
    assert_eq!(count(Phase::After, &server_errors), 0);
    // After SIGTERM new connections are refused (status 0) while requests
    // already in flight finish; none of them may be a 5xx.
    assert_eq!(count(Phase::Shutdown, &|s| s >= 500), 0);
    assert!(
        last <= settled + settled / 5 + 4 * 1024,
        "RSS kept growing: {settled} KiB in the second quarter, {last} KiB in the last"
    );

    assert!(
        !log.contains("panicked"),
        "the server panicked: {}",
        log.lines()
            .filter(|l| l.contains("panicked"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    drop(pg);
}
