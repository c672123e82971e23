//! The `factline` binary as a newcomer and an operator meet it.

use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use sea_orm::{Database, EntityTrait, PaginatorTrait};

use crate::helpers::{EmptyPg, require_postgres};
use factline::db::entities::{citation, group, legal_outcome, operation, source, target};

pub(crate) fn factline() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_factline"));
    c.env_remove("DATABASE_URL")
        .env("FACTLINE_LOG", "warn")
        .stdin(Stdio::null());
    c
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The last line a failed command printed: the one an operator reads.
fn last_line(o: &Output) -> String {
    stderr(o).lines().last().unwrap_or_default().to_owned()
}

async fn row_counts(url: &str) -> [u64; 5] {
    let db = Database::connect(url).await.unwrap();
    let c = [
        source::Entity::find().count(&db).await.unwrap(),
        group::Entity::find().count(&db).await.unwrap(),
        target::Entity::find().count(&db).await.unwrap(),
        operation::Entity::find().count(&db).await.unwrap(),
        legal_outcome::Entity::find().count(&db).await.unwrap(),
    ];
    db.close().await.ok();
    c
}

#[tokio::test]
async fn serve_with_no_setup_creates_sqlite_loads_the_dataset_and_is_ready() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = factline()
        .current_dir(dir.path())
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut ready = false;
    while Instant::now() < deadline {
        if let Ok(r) = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            && r.status() == 200
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let health = factline()
        .args([
            "healthcheck",
            "--url",
            &format!("http://127.0.0.1:{port}/readyz"),
        ])
        .output()
        .unwrap();
    child.kill().ok();
    child.wait().ok();
    assert!(ready, "/readyz never answered 200");
    assert!(health.status.success(), "{}", stderr(&health));
    let file = dir.path().join("factline.db");
    assert!(file.exists());
    let url = format!("sqlite://{}", file.display());
    assert_eq!(row_counts(&url).await, bundled_counts());
}

#[test]
fn a_bad_database_url_ends_with_one_clear_line_and_a_failure_code() {
    let out = factline()
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", "postgres://nobody:secret@127.0.0.1:1/none")
        .env("FACTLINE_DB_ACQUIRE_TIMEOUT_MS", "2000")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let line = last_line(&out);
    assert!(
        line.starts_with(
            "error: cannot open the database at postgres://nobody:***@127.0.0.1:1/none"
        ),
        "{line}"
    );
    assert!(
        !stderr(&out).contains("secret"),
        "the password never reaches the output"
    );
    assert!(!stderr(&out).contains("panicked"));
}

#[test]
fn a_port_in_use_ends_with_one_clear_line_and_a_failure_code() {
    let dir = tempfile::tempdir().unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = factline()
        .current_dir(dir.path())
        .args(["serve", "--bind", &addr])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        last_line(&out).starts_with(&format!("error: cannot listen on {addr}")),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("panicked"));
}

#[test]
fn import_of_a_broken_file_lists_every_problem_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.json");
    std::fs::write(
        &file,
        r#"{"groups":[{"slug":"g1","kind":"cell","names":[{"lang":"en","text":"G","kind":"primary"}],"founded":"2011-02-30","citations":[{"source":"missing"}]}],
            "legal_outcomes":[{"slug":"lo-1","kind":"fine","date":"2012","group":"g1","money":{"amount":"10","currency":"EURO","kind":"fine","scope":"total"},"citations":[]}]}"#,
    )
    .unwrap();
    let db = dir.path().join("t.db");
    let out = factline()
        .env(
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", db.display()),
        )
        .args(["import", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    for field in [
        "groups[g1].founded",
        "groups[g1].citations[0].source",
        "legal_outcomes[lo-1].money.currency",
        "legal_outcomes[lo-1].citations",
    ] {
        assert!(err.contains(field), "{field} missing from:\n{err}");
    }
    assert!(
        last_line(&out).contains("refused (4 problems); nothing was imported"),
        "{err}"
    );
}

#[tokio::test]
async fn migrate_then_import_on_postgres_leaves_every_record_with_its_citations() {
    if !require_postgres().await {
        return;
    }
    let pg = EmptyPg::create("factline_cli").await;
    let url = pg.url.clone();
    let run = |args: &[&str]| {
        factline()
            .env("DATABASE_URL", &url)
            .args(args)
            .output()
            .unwrap()
    };
    let migrate = run(&["migrate"]);
    assert!(migrate.status.success(), "{}", stderr(&migrate));
    let import = run(&["import"]);
    assert!(import.status.success(), "{}", stderr(&import));
    assert!(
        String::from_utf8_lossy(&import.stdout).contains(&format!("{} created", bundled_total()))
    );
    let again = run(&["import"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains(&format!(
        "0 created, 0 updated, {} unchanged",
        bundled_total()
    )));
    assert_eq!(row_counts(&url).await, bundled_counts());

    let db = Database::connect(&url).await.unwrap();
    use sea_orm::{ColumnTrait, QueryFilter};
    for op in operation::Entity::find().all(&db).await.unwrap() {
        let n = citation::Entity::find()
            .filter(citation::Column::OperationId.eq(op.id))
            .count(&db)
            .await
            .unwrap();
        assert!(n > 0, "{} has no citation", op.slug);
    }
    db.close().await.ok();
}

#[test]
fn healthcheck_fails_fast_when_nothing_answers() {
    let port = free_port();
    let started = Instant::now();
    let out = factline()
        .args(["healthcheck", "--timeout-ms", "1000"])
        .env("FACTLINE_BIND", format!("0.0.0.0:{port}"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(&format!("127.0.0.1:{port}/readyz")),
        "{}",
        stderr(&out)
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn json_logs_carry_the_request_id_of_each_request() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let log = dir.path().join("serve.log");
    let mut child = factline()
        .current_dir(dir.path())
        .env("FACTLINE_LOG", "info,tower_http=debug")
        .env("FACTLINE_LOG_FORMAT", "json")
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut answered = None;
    while Instant::now() < deadline {
        if let Ok(r) = client
            .get(format!("http://127.0.0.1:{port}/v1/groups/anonymous"))
            .header("x-request-id", "req-7f3a-test")
            .send()
            .await
        {
            answered = Some(r);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let res = answered.expect("the server answered");
    assert_eq!(res.headers()["x-request-id"], "req-7f3a-test");
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.kill().ok();
    child.wait().ok();
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert!(!lines.is_empty(), "JSON log lines: {text}");
    let with_id = lines
        .iter()
        .filter(|l| l.to_string().contains("req-7f3a-test"))
        .count();
    assert!(
        with_id >= 2,
        "request and response lines carry the id: {text}"
    );
}

#[test]
fn export_writes_a_file_that_import_reads_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = factline()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        out
    };
    run(&["import"]);
    for format in ["ndjson", "json", "stix"] {
        let file = format!("out.{format}");
        run(&["export", "--format", format, "--output", &file]);
        assert!(dir.path().join(&file).metadata().unwrap().len() > 10_000);
    }
    // Standard output by default, identical to the file.
    let out = run(&["export", "--format", "ndjson"]);
    assert_eq!(
        out.stdout,
        std::fs::read(dir.path().join("out.ndjson")).unwrap()
    );
    // CSV: one collection, the same columns as its list.
    run(&[
        "export",
        "--format",
        "csv",
        "--collection",
        "operations",
        "--output",
        "ops.csv",
    ]);
    let text = std::fs::read_to_string(dir.path().join("ops.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(&reader.headers().unwrap()[0], "slug");
    assert_eq!(reader.records().count() as u64, bundled_counts()[3]);
    let out = factline()
        .current_dir(dir.path())
        .args(["export", "--format", "csv"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(last_line(&out).contains("--collection"), "{}", stderr(&out));
    for file in ["out.ndjson", "out.json"] {
        let out = run(&["import", file]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(&format!(
                "0 created, 0 updated, {} unchanged",
                bundled_total()
            )),
            "{text}"
        );
    }
}

/// Sources, groups, targets, operations and legal outcomes of the bundled
/// dataset, which `serve` and `import` without a file load.
fn bundled_counts() -> [u64; 5] {
    let ds = factline::domain::bundled::dataset().unwrap();
    [
        ds.sources.len(),
        ds.groups.len(),
        ds.targets.len(),
        ds.operations.len(),
        ds.legal_outcomes.len(),
    ]
    .map(|n| n as u64)
}

fn bundled_total() -> u64 {
    bundled_counts().iter().sum()
}

#[test]
fn check_passes_the_bundled_dataset_and_names_each_gap_in_a_file() {
    let out = factline().arg("check").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(text.ends_with("clean: no violations\n"), "{text}");
    assert!(text.contains("operations: "), "{text}");

    // The bundled file with one operation's start citations stripped of
    // their field, and one source added that nothing cites.
    let mut ds: serde_json::Value =
        serde_json::from_str(include_str!("../../data/factline.json")).unwrap();
    let op = &mut ds["operations"][0];
    let slug = op["slug"].as_str().unwrap().to_owned();
    for c in op["citations"].as_array_mut().unwrap() {
        if c["field"] == "start" {
            c.as_object_mut().unwrap().remove("field");
        }
    }
    ds["sources"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "slug": "zz-unused", "title": "Unused", "url": "https://example.org/unused",
            "language": "en", "kind": "news"
        }));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gaps.json");
    std::fs::write(&file, ds.to_string()).unwrap();
    let out = factline().arg("check").arg(&file).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "violation: operations {slug} start: no citation names this field\n"
        )),
        "{text}"
    );
    assert!(
        text.contains("violation: sources zz-unused: cited by no record\n"),
        "{text}"
    );
    assert!(text.ends_with("2 violations\n"), "{text}");

    let out = factline()
        .args(["check", "--json"])
        .arg(&file)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["records"]["sources"],
        ds["sources"].as_array().unwrap().len()
    );
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["slug"] == "zz-unused"
                && f["rule"] == "unreferenced_source"
                && f["violation"] == true)
    );
}
