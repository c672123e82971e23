//! As-of reads and citable exports: the records as they stood at a time,
//! and an export that says what it is of and can be had again.

use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{TestApp, TestDb};
use factline::domain::auth::{Actor, Role};
use factline::domain::write::{self, Collection};

/// An export's body with its `X-Factline-As-Of` and `X-Factline-Sha256`.
async fn export(app: &TestApp, query: &str) -> (String, String, String) {
    let res = app.get(&format!("/v1/export?{query}")).await;
    assert_eq!(res.status(), 200, "{query}");
    let h = |n: &str| res.headers()[n].to_str().unwrap().to_owned();
    let (as_of, sha) = (h("x-factline-as-of"), h("x-factline-sha256"));
    (res.text().await.unwrap(), as_of, sha)
}

async fn edit(app: &TestApp) {
    let editor = Actor {
        key_id: uuid::Uuid::new_v4(),
        role: Role::Editor,
        name: "test".into(),
    };
    write::update(
        &app.tdb.db,
        &editor,
        Collection::Targets,
        "habbo",
        1,
        json!({"sector": "online games"}),
        Some("as-of test"),
    )
    .await
    .unwrap();
}

both_backends!(
    an_export_as_of_a_time_is_had_again_byte_for_byte_after_later_edits,
    |backend| {
        let Some(t) = TestDb::bundled(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let (before, t0, h0) = export(&app, "format=ndjson").await;
        let head: Value = serde_json::from_str(before.lines().next().unwrap()).unwrap();
        assert_eq!(
            head["as_of"], t0,
            "the header line says what the export is of"
        );
        assert_eq!(head["sha256"], h0);
        edit(&app).await;
        let (after, t1, h1) = export(&app, "format=ndjson").await;
        assert_ne!(h1, h0, "the edit changes the hash");
        assert!(t1 > t0, "{t1} after {t0}");
        assert!(after.contains("online games"));
        // The earlier export, exactly, from the revisions.
        let (again, t, h) = export(&app, &format!("format=ndjson&as_of={t0}")).await;
        assert_eq!((t.as_str(), h.as_str()), (t0.as_str(), h0.as_str()));
        assert!(
            again == before,
            "the as-of export differs from the export of then"
        );
        // Every format of a time gives the same records' hash; JSON says so
        // in its first keys.
        let (json, _, hj) = export(&app, &format!("format=json&as_of={t0}")).await;
        assert_eq!(hj, h0);
        let doc: Value = serde_json::from_str(&json).unwrap();
        assert_eq!((&doc["as_of"], &doc["sha256"]), (&json!(t0), &json!(h0)));
        let (stix_then, _, hs) = export(&app, &format!("format=stix&as_of={t0}")).await;
        assert_eq!(hs, h0);
        assert!(!stix_then.contains("online games"));
        // Records and lists as of then; the live ones have moved on.
        let (s, then) = app.get_json(&format!("/v1/targets/habbo?as_of={t0}")).await;
        assert_eq!(s, 200, "{then}");
        let (_, now) = app.get_json("/v1/targets/habbo").await;
        assert_eq!(
            (&then["sector"], &then["version"]),
            (&Value::Null, &json!(1))
        );
        assert_eq!(
            (&now["sector"], &now["version"]),
            (&json!("online games"), &json!(2))
        );
        assert_eq!(then["updated_at"], then["created_at"]);
        let (_, list) = app
            .get_json(&format!("/v1/targets?as_of={t0}&q=habbo"))
            .await;
        assert_eq!(list["data"][0]["slug"], "habbo", "{list}");
        assert_eq!(list["data"][0]["sector"], Value::Null);
        // Before the first write nothing existed.
        let (_, empty) = app.get_json("/v1/groups?as_of=1990-01-01T00:00:00Z").await;
        assert_eq!(empty["data"], json!([]));
        let (s, _) = app
            .get_json("/v1/groups/anonymous?as_of=1990-01-01T00:00:00Z")
            .await;
        assert_eq!(s, 404);
    }
);

both_backends!(
    bad_as_of_values_are_refused_with_400_naming_the_field,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        for path in [
            "/v1/groups?as_of=yesterday",
            "/v1/groups/anonymous?as_of=2024-13-01T00:00:00Z",
            "/v1/export?as_of=2024-01-01",
            "/v1/groups?as_of=2999-01-01T00:00:00Z",
            &format!("/v1/stats?as_of={}", "9".repeat(100)),
        ] {
            let (status, body) = app.get_json(path).await;
            assert_eq!(status, 400, "{path}: {body}");
            assert_eq!(body["errors"][0]["field"], "as_of", "{path}: {body}");
        }
        // Where a past state makes no sense, it is an unknown parameter.
        let (status, body) = app.get_json("/v1/changes?as_of=2024-01-01T00:00:00Z").await;
        assert_eq!(status, 400, "{body}");
    }
);

/// `factline export --as-of` writes what `?as_of=` serves, and says what to
/// cite.
#[tokio::test]
async fn the_command_line_exports_as_of_a_time_and_prints_what_to_cite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/f.db?mode=rwc", dir.path().display());
    let db = factline::db::connect(&url, &factline::config::DbConfig::for_url(&url))
        .await
        .unwrap();
    factline::db::migrate(&db).await.unwrap();
    crate::helpers::import_dataset(&db, crate::helpers::seed())
        .await
        .unwrap();
    let app = TestApp::spawn(TestDb::from_connection(db)).await;
    let (then, t0, h0) = export(&app, "format=ndjson").await;
    edit(&app).await;
    let out = dir.path().join("then.ndjson");
    let run = Command::new(env!("CARGO_BIN_EXE_factline"))
        .env("DATABASE_URL", &url)
        .env("FACTLINE_LOG", "warn")
        .args(["export", "--format", "ndjson", "--as-of", &t0, "--output"])
        .arg(&out)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(run.status.success(), "{said}");
    assert!(said.contains(&format!("as of {t0}, sha256 {h0}")), "{said}");
    assert!(std::fs::read_to_string(&out).unwrap() == then);
    let bad = Command::new(env!("CARGO_BIN_EXE_factline"))
        .env("DATABASE_URL", &url)
        .args(["export", "--as-of", "last tuesday"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("RFC 3339"));
}

both_backends!(
    graphql_reads_a_whole_request_as_of_its_root_fields_time,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let (_, t0, _) = export(&app, "format=ndjson").await;
        edit(&app).await;
        let q = "query($t: String) { target(slug: \"habbo\", asOf: $t) { sector version } \
             targets(asOf: $t, filter: {q: \"habbo\"}) { nodes { slug sector } } }";
        let then = app.gql(q, json!({"t": t0})).await;
        assert_eq!(
            then["data"]["target"],
            json!({"sector": null, "version": 1}),
            "{then}"
        );
        assert_eq!(then["data"]["targets"]["nodes"][0]["sector"], Value::Null);
        let now = app.gql(q, json!({"t": null})).await;
        assert_eq!(now["data"]["target"]["version"], 2, "{now}");
        // A variable left out takes its default, as execution reads it.
        let with_default = q.replace("$t: String", &format!("$t: String = \"{t0}\""));
        let then = app.gql(&with_default, json!({})).await;
        assert_eq!(then["data"]["target"]["version"], 1, "{then}");
        // The revisions are never read as of a time.
        let both = format!(
            "{{ stats(asOf: \"{t0}\") {{ operations }} history(kind: \"target\", slug: \"habbo\") {{ version }} }}"
        );
        let e = app.gql(&both, json!({})).await;
        assert!(
            e["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("history"),
            "{e}"
        );
        // Root fields that disagree, and a time that is not one, are refused.
        let q2 = "{ a: target(slug: \"habbo\", asOf: \"2020-01-01T00:00:00Z\") { version } \
              b: target(slug: \"habbo\", asOf: \"2021-01-01T00:00:00Z\") { version } }";
        let e = app.gql(q2, json!({})).await;
        assert!(
            e["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("same time"),
            "{e}"
        );
        let e = app
            .gql("{ stats(asOf: \"soon\") { operations } }", json!({}))
            .await;
        assert!(
            e["errors"][0]["message"]
                .as_str()
                .unwrap()
                .starts_with("asOf"),
            "{e}"
        );
    }
);
