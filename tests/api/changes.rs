//! The change feed: commit order, cursors, and a replica built from it alone.

use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{TestApp, TestDb, seed};
use factline::domain::auth::{Actor, Role};
use factline::domain::dataset::Dataset;
use factline::domain::write::{self, Collection};

fn collection(kind: &str) -> Collection {
    match kind {
        "group" => Collection::Groups,
        "operation" => Collection::Operations,
        "target" => Collection::Targets,
        "legal_outcome" => Collection::LegalOutcomes,
        "source" => Collection::Sources,
        other => panic!("unknown kind {other}"),
    }
}

fn list(kind: &str) -> &'static str {
    match kind {
        "group" => "groups",
        "operation" => "operations",
        "target" => "targets",
        "legal_outcome" => "legal_outcomes",
        "source" => "sources",
        other => panic!("unknown kind {other}"),
    }
}

fn actor(role: Role) -> Actor {
    Actor {
        key_id: uuid::Uuid::new_v4(),
        role,
        name: "test".into(),
    }
}

/// Applies changes in feed order: consecutive creates and updates as one
/// import (a record a batch already holds ends it, so each keeps its order),
/// deletes one by one at the version they deleted.
async fn apply(db: &sea_orm::DatabaseConnection, changes: &[Value]) {
    let admin = actor(Role::Admin);
    let mut batch = json!({});
    let mut held = std::collections::HashSet::new();
    let flush = |batch: &mut Value, held: &mut std::collections::HashSet<(String, String)>| {
        let ds: Dataset = serde_json::from_value(std::mem::replace(batch, json!({}))).unwrap();
        held.clear();
        ds
    };
    for c in changes {
        let kind = c["kind"].as_str().unwrap().to_owned();
        let slug = c["slug"].as_str().unwrap().to_owned();
        let key = (kind.clone(), slug.clone());
        if c["record"].is_null() || held.contains(&key) {
            crate::helpers::import_dataset(db, flush(&mut batch, &mut held))
                .await
                .unwrap();
        }
        if c["record"].is_null() {
            assert_eq!(c["action"], "delete");
            let version = i32::try_from(c["version"].as_i64().unwrap()).unwrap();
            write::delete(db, &admin, collection(&kind), &slug, version - 1, None)
                .await
                .unwrap();
        } else {
            batch[list(&kind)]
                .as_array_mut()
                .map(|a| a.push(c["record"].clone()))
                .unwrap_or_else(|| batch[list(&kind)] = json!([c["record"].clone()]));
            held.insert(key);
        }
    }
    crate::helpers::import_dataset(db, flush(&mut batch, &mut held))
        .await
        .unwrap();
}

/// An NDJSON export's records (after its header line) and its SHA-256.
async fn export(app: &TestApp) -> (String, String) {
    let res = app.get("/v1/export?format=ndjson").await;
    assert_eq!(res.status(), 200);
    let sha = res.headers()["x-factline-sha256"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = res.text().await.unwrap();
    let (_, records) = body.split_once('\n').unwrap();
    (records.to_owned(), sha)
}

/// Edits made while the replica reads the feed: a target changed again and
/// again, a source created, cited, uncited and deleted.
async fn edits(db: sea_orm::DatabaseConnection) {
    let editor = actor(Role::Editor);
    let pause = || tokio::time::sleep(std::time::Duration::from_millis(3));
    for i in 0..12 {
        write::update(
            &db,
            &editor,
            Collection::Targets,
            "habbo",
            1 + i,
            json!({"sector": format!("sector {i}")}),
            Some("replay test"),
        )
        .await
        .unwrap();
        pause().await;
    }
    let mut source = serde_json::to_value(&seed().sources[1]).unwrap();
    source["slug"] = json!("replay-temporary");
    write::create(&db, &editor, Collection::Sources, source, None)
        .await
        .unwrap();
    pause().await;
    write::delete(
        &db,
        &editor,
        Collection::Sources,
        "replay-temporary",
        1,
        None,
    )
    .await
    .unwrap();
}

both_backends!(
    a_replica_fed_only_by_the_feed_exports_what_the_source_does_also_with_writes_during_the_replay,
    |backend| {
        let Some(source) = TestDb::seeded(backend).await else {
            return;
        };
        let Some(replica) = TestDb::new(backend).await else {
            return;
        };
        let app = TestApp::spawn(source).await;
        let writer = tokio::spawn(edits(app.tdb.db.clone()));
        let mut since: Option<String> = None;
        let mut pages = 0;
        let mut seen = 0;
        loop {
            let path = match &since {
                Some(c) => format!("/v1/changes?limit=25&since={c}"),
                None => "/v1/changes?limit=25".to_owned(),
            };
            let (status, page) = app.get_json(&path).await;
            assert_eq!(status, 200, "{page}");
            let changes = page["changes"].as_array().unwrap();
            apply(&replica.db, changes).await;
            pages += 1;
            seen += changes.len();
            since = page["next"].as_str().map(str::to_owned);
            if !page["more"].as_bool().unwrap() && changes.is_empty() && writer.is_finished() {
                break;
            }
        }
        writer.await.unwrap();
        assert!(pages > 10, "{pages} pages");
        // 12 updates of habbo, a create and a delete, after the seed's records.
        let d = seed();
        let records = d.sources.len()
            + d.groups.len()
            + d.targets.len()
            + d.operations.len()
            + d.legal_outcomes.len();
        assert_eq!(seen, records + 14);
        let replica = TestApp::spawn(replica).await;
        let ((a, a_sha), (b, b_sha)) = (export(&app).await, export(&replica).await);
        assert!(a.contains("sector 11"), "the last edit is in the source");
        assert!(!a.contains("replay-temporary"));
        assert!(a == b, "the replica's export differs from the source's");
        assert_eq!(a_sha, b_sha);
        // Versions follow: the replica's habbo is at the source's version.
        let (_, h) = app.get_json("/v1/targets/habbo").await;
        let (_, r) = replica.get_json("/v1/targets/habbo").await;
        assert_eq!(h["version"], 13);
        assert_eq!(r["version"], h["version"]);
    }
);

both_backends!(
    the_feed_is_in_commit_order_and_its_cursors_resume_exactly_where_a_reader_stopped,
    |backend| {
        let Some(tdb) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(tdb).await;
        let (_, all) = app.get_json("/v1/changes?limit=1000").await;
        let all = all["changes"].as_array().unwrap().clone();
        assert_eq!(all[0]["kind"], "source", "sources are written first");
        assert!(
            all.iter()
                .all(|c| c["action"] == "create" && c["version"] == 1)
        );
        assert!(all.iter().all(|c| c["key_id"].is_null()));
        // Paging by any size walks the same list.
        let mut walked = Vec::new();
        let mut since = String::new();
        loop {
            let (_, p) = app
                .get_json(&format!("/v1/changes?limit=7&since={since}"))
                .await;
            walked.extend(p["changes"].as_array().unwrap().iter().cloned());
            since = p["next"].as_str().unwrap().to_owned();
            if !p["more"].as_bool().unwrap() {
                break;
            }
        }
        assert_eq!(walked, all);
        // Nothing new: the same cursor comes back, with no changes.
        let (_, p) = app.get_json(&format!("/v1/changes?since={since}")).await;
        assert_eq!(p["changes"], json!([]));
        assert_eq!(p["next"], json!(since));
        // A write shows up after it, with its key and its new state.
        let editor = actor(Role::Editor);
        write::update(
            &app.tdb.db,
            &editor,
            Collection::Targets,
            "habbo",
            1,
            json!({"sector": "games"}),
            None,
        )
        .await
        .unwrap();
        let (_, p) = app.get_json(&format!("/v1/changes?since={since}")).await;
        let c = &p["changes"][0];
        assert_eq!(
            (&c["kind"], &c["slug"], &c["version"], &c["action"]),
            (
                &json!("target"),
                &json!("habbo"),
                &json!(2),
                &json!("update")
            )
        );
        assert_eq!(c["key_id"], json!(editor.key_id));
        assert_eq!(c["record"]["sector"], "games");
        // GraphQL walks the same feed.
        let q = "query($a: String) { changes(after: $a, first: 2) { edges { cursor node { kind slug version action keyId record } } pageInfo { hasNextPage endCursor } } }";
        let g = app.gql(q, json!({"a": since})).await;
        let edges = g["data"]["changes"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 1, "{g}");
        assert_eq!(edges[0]["node"]["slug"], "habbo");
        assert_eq!(edges[0]["node"]["record"]["sector"], "games");
        assert_eq!(edges[0]["cursor"], c["cursor"]);
        assert_eq!(g["data"]["changes"]["pageInfo"]["hasNextPage"], false);
    }
);

both_backends!(
    bad_cursors_and_limits_are_refused_with_400_naming_the_field,
    |backend| {
        let Some(tdb) = TestDb::seeded(backend).await else {
            return;
        };
        let Some(other) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(tdb).await;
        let elsewhere = TestApp::spawn(other).await;
        let (_, p) = elsewhere.get_json("/v1/changes?limit=1").await;
        let foreign = p["next"].as_str().unwrap().to_owned();
        for (query, field) in [
            ("since=garbage!", "since"),
            ("since=AAAA", "since"),
            (&*format!("since={foreign}"), "since"),
            ("limit=0", "limit"),
            ("limit=1001", "limit"),
            ("limit=x", "limit"),
            ("after=1", "after"),
        ] {
            let (status, body) = app.get_json(&format!("/v1/changes?{query}")).await;
            assert_eq!(status, 400, "{query}: {body}");
            assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
        }
        let g = app
            .gql_as(
                None,
                "{ changes(after: \"nope\") { edges { cursor } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            g["errors"][0]["extensions"]["fields"][0]["field"], "after",
            "{g}"
        );
        let g = app
            .gql_as(
                None,
                "{ changes(first: 0) { edges { cursor } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            g["errors"][0]["extensions"]["fields"][0]["field"], "first",
            "{g}"
        );
    }
);

both_backends!(an_empty_database_has_an_empty_feed, |backend| {
    let Some(tdb) = TestDb::new(backend).await else {
        return;
    };
    let app = TestApp::spawn(tdb).await;
    let (status, p) = app.get_json("/v1/changes").await;
    assert_eq!(status, 200);
    assert_eq!(p, json!({"changes": [], "next": null, "more": false}));
});
