//! Editing facts: keys and roles on every write route and mutation,
//! validation on both doors, optimistic concurrency, history, and writes
//! that fail leaving the database exactly as it was.

use factline::domain::auth::{self, Role};
use factline::domain::snapshot;
use factline::domain::write::Collection;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{TestApp, TestDb};

struct Keys {
    editor: String,
    admin: String,
    reader: String,
    revoked: String,
}

async fn keys(app: &TestApp) -> Keys {
    let db = &app.tdb.db;
    let (_, editor) = auth::create_key(db, Role::Editor, "editor").await.unwrap();
    let (_, admin) = auth::create_key(db, Role::Admin, "admin").await.unwrap();
    let (_, reader) = auth::create_key(db, Role::Reader, "reader").await.unwrap();
    let (row, revoked) = auth::create_key(db, Role::Admin, "revoked").await.unwrap();
    auth::revoke_key(db, &row.id.to_string()).await.unwrap();
    Keys {
        editor,
        admin,
        reader,
        revoked,
    }
}

fn code(body: &Value) -> String {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("NONE")
        .to_owned()
}

fn target_body(slug: &str) -> Value {
    json!({"slug": slug, "kind": "company", "names": [{"lang": "en", "text": "Example Co", "kind": "primary"}],
           "country": "US", "citations": [{"source": "seed-article", "quote": "…"}]})
}

both_backends!(
    every_write_route_and_mutation_refuses_missing_bad_revoked_and_reader_keys,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let k = keys(&app).await;
        let before = snapshot::dataset(&app.tdb.db).await.unwrap();
        let bad = "flk_not-a-key-this-service-issued";
        // Every REST write route.
        let mut routes: Vec<(reqwest::Method, String)> = Vec::new();
        for c in Collection::ALL {
            let slug = match c {
                Collection::Groups => "anonymous",
                Collection::Operations => "op-payback",
                Collection::Targets => "paypal",
                Collection::LegalOutcomes => "lo-paypal14-restitution",
                Collection::Sources => "seed-article",
            };
            routes.push((reqwest::Method::POST, format!("/v1/{}", c.path())));
            routes.push((reqwest::Method::PATCH, format!("/v1/{}/{slug}", c.path())));
            routes.push((reqwest::Method::DELETE, format!("/v1/{}/{slug}", c.path())));
        }
        routes.push((reqwest::Method::POST, "/v1/import".to_owned()));
        for (method, path) in &routes {
            for (key, status) in [
                (None, 401),
                (Some(bad), 401),
                (Some(k.revoked.as_str()), 401),
                (Some(k.reader.as_str()), 403),
            ] {
                let res = app
                    .send(method.clone(), path, key, Some("*"), Some(&json!({})))
                    .await;
                assert_eq!(
                    res.status().as_u16(),
                    status,
                    "{method} {path} with {key:?}"
                );
                assert_eq!(res.headers()["content-type"], "application/problem+json");
            }
        }
        // An editor may not import whole files.
        let res = app
            .send(
                reqwest::Method::POST,
                "/v1/import",
                Some(&k.editor),
                None,
                Some(&json!({})),
            )
            .await;
        assert_eq!(res.status(), 403);
        // Every mutation the schema has, found by introspection so new ones are covered too.
        let schema = app
            .gql(
                "{ __schema { mutationType { fields { name args { name } } } } }",
                json!({}),
            )
            .await;
        let fields = schema["data"]["__schema"]["mutationType"]["fields"]
            .as_array()
            .unwrap()
            .clone();
        assert!(fields.len() >= 16, "{fields:?}");
        for f in &fields {
            let name = f["name"].as_str().unwrap();
            let args: Vec<String> = f["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| match a["name"].as_str().unwrap() {
                    "input" => "input: {}".to_owned(),
                    "slug" => "slug: \"anonymous\"".to_owned(),
                    "expectedVersion" => "expectedVersion: 1".to_owned(),
                    other => format!("{other}: null"),
                })
                .collect();
            let selection = if name.starts_with("delete") || name == "importDataset" {
                "{ __typename }"
            } else {
                "{ slug }"
            };
            let query = format!("mutation {{ {name}({}) {selection} }}", args.join(", "));
            for (key, expected) in [
                (None, "UNAUTHENTICATED"),
                (Some(bad), "UNAUTHENTICATED"),
                (Some(k.revoked.as_str()), "UNAUTHENTICATED"),
                (Some(k.reader.as_str()), "FORBIDDEN"),
            ] {
                let b = app.gql_as(key, &query, json!({})).await;
                assert_eq!(code(&b), expected, "{name} with {key:?}: {b}");
            }
        }
        assert_eq!(
            snapshot::dataset(&app.tdb.db).await.unwrap(),
            before,
            "nothing was written"
        );
    }
);

both_backends!(
    validation_names_every_field_at_fault_on_both_doors,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let k = keys(&app).await;
        let before = snapshot::dataset(&app.tdb.db).await.unwrap();
        let bad = json!({
            "slug": "Not A Slug", "kind": "fine",
            "date": "2014-02-30", "jurisdiction": "US-ZZ", "operation": "op-nowhere",
            "money": {"amount": "12,50", "currency": "DOLLARS", "kind": "fine", "scope": "everyone"},
            "texts": [{"field": "summary", "lang": "not a tag", "text": "x"}],
            "citations": []
        });
        let expected = [
            "slug",
            "date",
            "jurisdiction",
            "operation",
            "money.amount",
            "money.currency",
            "money.scope",
            "texts[0].lang",
            "citations",
        ];
        let res = app
            .send(
                reqwest::Method::POST,
                "/v1/legal-outcomes",
                Some(&k.editor),
                None,
                Some(&bad),
            )
            .await;
        assert_eq!(res.status(), 422);
        let p: Value = res.json().await.unwrap();
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        for f in expected {
            assert!(fields.contains(&f), "REST lacks {f}: {fields:?}");
        }
        let g = app
            .gql_as(
                Some(&k.editor),
                "mutation($i: JSON!) { createLegalOutcome(input: $i) { slug } }",
                json!({"i": bad}),
            )
            .await;
        assert_eq!(code(&g), "BAD_USER_INPUT");
        let gfields: Vec<&str> = g["errors"][0]["extensions"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(gfields, fields, "both doors name the same fields");
        // Shape errors: an unknown field, a wrong type.
        let res = app
            .send(
                reqwest::Method::POST,
                "/v1/targets",
                Some(&k.editor),
                None,
                Some(&json!({"slug": "x", "colour": "red"})),
            )
            .await;
        assert_eq!(res.status(), 422);
        let res = app
            .client
            .post(app.url("/v1/targets"))
            .bearer_auth(&k.editor)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        let res = app
            .client
            .post(app.url("/v1/targets"))
            .bearer_auth(&k.editor)
            .header("content-type", "text/plain")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 415);
        // A slug that exists is a conflict, not an overwrite.
        let res = app
            .send(
                reqwest::Method::POST,
                "/v1/targets",
                Some(&k.editor),
                None,
                Some(&target_body("paypal")),
            )
            .await;
        assert_eq!(res.status(), 409);
        assert_eq!(
            snapshot::dataset(&app.tdb.db).await.unwrap(),
            before,
            "nothing was written"
        );
    }
);

both_backends!(
    writes_need_the_current_version_and_show_at_once,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let k = keys(&app).await;
        let res = app
            .send(
                reqwest::Method::POST,
                "/v1/targets",
                Some(&k.editor),
                None,
                Some(&target_body("example-co")),
            )
            .await;
        assert_eq!(res.status(), 201);
        assert_eq!(res.headers()["location"], "/v1/targets/example-co");
        let created_tag = res.headers()["etag"].to_str().unwrap().to_owned();
        assert_eq!(
            app.etag("/v1/targets/example-co").await,
            created_tag,
            "the write answers the record's ETag"
        );

        let patch = json!({"sector": "payments"});
        let res = app
            .send(
                reqwest::Method::PATCH,
                "/v1/targets/example-co",
                Some(&k.editor),
                None,
                Some(&patch),
            )
            .await;
        assert_eq!(res.status(), 428);
        let res = app
            .send(
                reqwest::Method::PATCH,
                "/v1/targets/example-co",
                Some(&k.editor),
                Some("\"stale\""),
                Some(&patch),
            )
            .await;
        assert_eq!(res.status(), 412);
        let weak = format!("W/{created_tag}");
        let res = app
            .send(
                reqwest::Method::PATCH,
                "/v1/targets/example-co",
                Some(&k.editor),
                Some(&weak),
                Some(&patch),
            )
            .await;
        assert_eq!(res.status(), 412, "a weak tag never matches If-Match");
        let res = app
            .send(
                reqwest::Method::PATCH,
                "/v1/targets/example-co",
                Some(&k.editor),
                Some(&created_tag),
                Some(&patch),
            )
            .await;
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.unwrap();
        assert_eq!(
            (body["sector"].as_str(), body["version"].as_i64()),
            (Some("payments"), Some(2))
        );
        // The old tag is stale now; reads changed at once.
        let res = app
            .send(
                reqwest::Method::PATCH,
                "/v1/targets/example-co",
                Some(&k.editor),
                Some(&created_tag),
                Some(&json!({"sector": "x"})),
            )
            .await;
        assert_eq!(res.status(), 412);
        let (_, listed) = app.get_json("/v1/targets?q=example").await;
        assert_eq!(listed["data"][0]["sector"], "payments");
        // GraphQL: expectedVersion.
        let g = app.gql_as(Some(&k.editor), r#"mutation { updateTarget(slug: "example-co", expectedVersion: 1, input: {sector: "x"}) { version } }"#, json!({})).await;
        assert_eq!(code(&g), "CONFLICT");
        let g = app.gql_as(Some(&k.editor), r#"mutation { updateTarget(slug: "example-co", expectedVersion: 2, input: {sector: "cards"}) { version sector } }"#, json!({})).await;
        assert_eq!(
            g["data"]["updateTarget"],
            json!({"version": 3, "sector": "cards"})
        );
        // Links are edited with their own citations through the operation.
        let tag = app.etag("/v1/operations/op-chanology").await;
        let link_patch = json!({"targets": [{"target": "church-of-scientology", "citations": [{"source": "seed-article"}]}, {"target": "example-co", "citations": [{"source": "heise-guzner", "quote": "…"}]}]});
        let res = app
            .send(
                reqwest::Method::PATCH,
                "/v1/operations/op-chanology",
                Some(&k.editor),
                Some(&tag),
                Some(&link_patch),
            )
            .await;
        assert_eq!(res.status(), 200, "{:?}", res.text().await);
        let (_, op) = app.get_json("/v1/operations/op-chanology").await;
        let link = op["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["slug"] == "example-co")
            .unwrap();
        assert_eq!(link["citations"][0]["source"]["slug"], "heise-guzner");
        let unsourced = json!({"targets": [{"target": "example-co", "citations": []}]});
        let tag = app.etag("/v1/operations/op-chanology").await;
        let res = app
            .send(
                reqwest::Method::PATCH,
                "/v1/operations/op-chanology",
                Some(&k.editor),
                Some(&tag),
                Some(&unsourced),
            )
            .await;
        assert_eq!(res.status(), 422, "no link without a source");
    }
);

both_backends!(
    history_records_create_update_and_delete_with_the_key,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let k = keys(&app).await;
        let editor_id = auth::list_keys(&app.tdb.db)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.name == "editor")
            .unwrap()
            .id;
        let res = app
            .client
            .post(app.url("/v1/targets"))
            .bearer_auth(&k.editor)
            .header("x-change-reason", "new target")
            .json(&target_body("history-co"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let tag = app.etag("/v1/targets/history-co").await;
        let res = app
            .send(
                reqwest::Method::PATCH,
                "/v1/targets/history-co",
                Some(&k.editor),
                Some(&tag),
                Some(&json!({"country": "GB"})),
            )
            .await;
        assert_eq!(res.status(), 200);
        let tag = app.etag("/v1/targets/history-co").await;
        let res = app
            .send(
                reqwest::Method::DELETE,
                "/v1/targets/history-co",
                Some(&k.editor),
                Some(&tag),
                None,
            )
            .await;
        assert_eq!(res.status(), 204);
        assert_eq!(app.get("/v1/targets/history-co").await.status(), 404);
        let (status, h) = app.get_json("/v1/targets/history-co/history").await;
        assert_eq!(status, 200);
        let actions: Vec<(&str, i64)> = h
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["action"].as_str().unwrap(),
                    r["version"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(actions, [("create", 1), ("update", 2), ("delete", 3)]);
        assert_eq!(h[0]["reason"], "new target");
        assert!(
            h.as_array()
                .unwrap()
                .iter()
                .all(|r| r["actor"] == editor_id.to_string())
        );
        assert_eq!(h[1]["before"]["country"], "US");
        assert_eq!(h[1]["after"]["country"], "GB");
        assert!(h[2]["after"].is_null() && h[2]["before"]["country"] == "GB");
        let g = app
            .gql(
                r#"{ history(kind: "target", slug: "history-co") { version action actor } }"#,
                json!({}),
            )
            .await;
        assert_eq!(g["data"]["history"].as_array().unwrap().len(), 3);
        assert_eq!(
            app.get("/v1/targets/never-existed/history").await.status(),
            404
        );
    }
);

both_backends!(
    failed_writes_leave_the_database_exactly_as_before,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let k = keys(&app).await;
        let before = snapshot::dataset(&app.tdb.db).await.unwrap();
        // A multi-record import whose last record is bad: nothing of it lands.
        let mut file = json!({"format": "factline-dataset", "version": 1, "targets": [target_body("import-a"), target_body("import-b")]});
        file["targets"][1]["country"] = json!("XX");
        let res = app
            .send(
                reqwest::Method::POST,
                "/v1/import",
                Some(&k.admin),
                None,
                Some(&file),
            )
            .await;
        assert_eq!(res.status(), 422);
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], "targets[import-b].country");
        // A fault in the last kind the import reads back, after the earlier
        // kinds' records were written in its transaction: none of them
        // stays, and the faults of every kind after the first are named too.
        let late = json!({"format": "factline-dataset", "version": 1,
            "legal_outcomes": [
                {"slug": "lo-late-1", "kind": "fine", "date": "2008-01-24", "group": "anonymous",
                 "citations": [{"source": "seed-article"}]},
                {"slug": "lo-late-2", "kind": "no-such-kind", "date": "2008-01-24", "group": "anonymous",
                 "citations": [{"source": "seed-article"}]}],
            "sources": [{"slug": "src-late", "title": "Late", "language": "en", "kind": "news"}],
            "targets": [target_body("import-late")]});
        let res = app
            .send(
                reqwest::Method::POST,
                "/v1/import",
                Some(&k.admin),
                None,
                Some(&late),
            )
            .await;
        assert_eq!(res.status(), 422);
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], "legal_outcomes[lo-late-2].kind");
        assert_eq!(p["errors"].as_array().unwrap().len(), 1, "{p}");
        // Deleting what others depend on is refused whole.
        let tag = app.etag("/v1/groups/anonymous").await;
        let res = app
            .send(
                reqwest::Method::DELETE,
                "/v1/groups/anonymous",
                Some(&k.editor),
                Some(&tag),
                None,
            )
            .await;
        assert_eq!(res.status(), 409);
        let tag = app.etag("/v1/sources/seed-article").await;
        let res = app
            .send(
                reqwest::Method::DELETE,
                "/v1/sources/seed-article",
                Some(&k.editor),
                Some(&tag),
                None,
            )
            .await;
        assert_eq!(res.status(), 409);
        assert_eq!(
            snapshot::dataset(&app.tdb.db).await.unwrap(),
            before,
            "the database is exactly as before"
        );
        // And a good import lands whole.
        file["targets"][1]["country"] = json!("GB");
        let res = app
            .send(
                reqwest::Method::POST,
                "/v1/import",
                Some(&k.admin),
                None,
                Some(&file),
            )
            .await;
        assert_eq!(res.status(), 200);
        let r: Value = res.json().await.unwrap();
        assert_eq!(r["created"], 2);
    }
);

#[tokio::test]
async fn apikey_create_prints_the_key_alone_on_its_last_line_and_stores_a_hash() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("k.db").display());
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_factline"))
            .env("DATABASE_URL", &url)
            .env("FACTLINE_LOG", "warn")
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["apikey", "create", "--role", "editor", "--name", "ci"]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let key = stdout.lines().last().unwrap().to_owned();
    assert!(
        key.starts_with("flk_") && !key.contains(' ') && key.len() > 40,
        "{stdout}"
    );
    let list = String::from_utf8(run(&["apikey", "list"]).stdout).unwrap();
    assert!(
        list.contains("editor") && !list.contains(&key),
        "list never shows a key"
    );
    let db = sea_orm::Database::connect(&url).await.unwrap();
    let actor = auth::authenticate(&db, Some(&format!("Bearer {key}")))
        .await
        .unwrap();
    assert_eq!(actor.role, Role::Editor);
    use sea_orm::EntityTrait;
    let rows = factline::db::entities::api_key::Entity::find()
        .all(&db)
        .await
        .unwrap();
    assert!(
        rows.iter()
            .all(|r| r.key_hash != key && r.key_hash.len() == 64)
    );
    let out = run(&["apikey", "revoke", &rows[0].id.to_string()]);
    assert!(out.status.success());
    assert!(
        auth::authenticate(&db, Some(&format!("Bearer {key}")))
            .await
            .is_err(),
        "revoked keys fail at once"
    );
    assert!(
        !run(&["apikey", "create", "--role", "owner", "--name", "x"])
            .status
            .success()
    );
}

both_backends!(
    deletes_and_patches_never_change_other_records_behind_their_back,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let k = keys(&app).await;
        // A target linked from an operation cannot be deleted from under it.
        let tag = app.etag("/v1/targets/paypal").await;
        let res = app
            .send(
                reqwest::Method::DELETE,
                "/v1/targets/paypal",
                Some(&k.editor),
                Some(&tag),
                None,
            )
            .await;
        assert_eq!(res.status(), 409);
        // Nor a group with child groups or operation links.
        let tag = app.etag("/v1/groups/antisec").await;
        let res = app
            .send(
                reqwest::Method::DELETE,
                "/v1/groups/antisec",
                Some(&k.editor),
                Some(&tag),
                None,
            )
            .await;
        assert_eq!(res.status(), 409, "antisec is linked to op-antisec");
        // Nor an operation with sub-operations.
        let tag = app.etag("/v1/operations/op-payback").await;
        let res = app
            .send(
                reqwest::Method::DELETE,
                "/v1/operations/op-payback",
                Some(&k.editor),
                Some(&tag),
                None,
            )
            .await;
        assert_eq!(res.status(), 409);
        // A parent chain through stored records cannot loop.
        let tag = app.etag("/v1/groups/anonymous").await;
        let res = app
            .send(
                reqwest::Method::PATCH,
                "/v1/groups/anonymous",
                Some(&k.editor),
                Some(&tag),
                Some(&json!({"parent": "lulzsec"})),
            )
            .await;
        assert_eq!(res.status(), 422);
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], "parent");
        let tag = app.etag("/v1/operations/op-payback").await;
        let res = app
            .send(
                reqwest::Method::PATCH,
                "/v1/operations/op-payback",
                Some(&k.editor),
                Some(&tag),
                Some(&json!({"part_of": "op-avenge-assange"})),
            )
            .await;
        assert_eq!(res.status(), 422);
        // Values a column cannot hold are refused, not a 500.
        let tag = app.etag("/v1/groups/lulzsec").await;
        let res = app.send(reqwest::Method::PATCH, "/v1/groups/lulzsec", Some(&k.editor), Some(&tag), Some(&json!({"external_ids": {"wikidata": format!("Q{}", "1".repeat(40)), "attack": "G00000000000000001"}}))).await;
        assert_eq!(res.status(), 422);
        let mut body = target_body("nul-co");
        body["names"][0]["text"] = json!("a\u{0}b");
        let res = app
            .send(
                reqwest::Method::POST,
                "/v1/targets",
                Some(&k.editor),
                None,
                Some(&body),
            )
            .await;
        assert_eq!(res.status(), 422);
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], "names[0].text");
    }
);

both_backends!(
    nul_characters_and_empty_filters_are_handled_alike_on_both_doors,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        assert_eq!(app.get("/v1/groups/%00").await.status(), 404);
        for path in [
            "/v1/operations?group=%00",
            "/v1/search?q=a%00",
            "/v1/groups?q=%00",
        ] {
            assert_eq!(app.get(path).await.status(), 400, "{path}");
        }
        let g = app
            .gql("{ group(slug: \"a\\u0000b\") { slug } }", json!({}))
            .await;
        assert_eq!(code(&g), "NOT_FOUND");
        let g = app
            .gql(
                "{ operations(filter: {group: \"a\\u0000\"}) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(code(&g), "BAD_USER_INPUT");
        // An empty filter value means no filter, on both doors.
        // A number or a flag given empty is a mistake, not a missing filter.
        assert_eq!(app.get("/v1/groups?limit=").await.status(), 400);
        assert_eq!(app.get("/v1/operations?disputed=").await.status(), 400);
        let (_, r) = app.get_json("/v1/groups?kind=&q=").await;
        let g = app
            .gql(
                r#"{ groups(filter: {kind: "", q: "", parent: ""}) { totalCount } }"#,
                json!({}),
            )
            .await;
        assert_eq!(g["data"]["groups"]["totalCount"], r["page"]["total"]);
        assert_eq!(r["page"]["total"], 4);
        // A huge `first` deep in a query is refused as input, not a fault.
        let g = app.gql("{ operations(first: 2147483647) { nodes { groups(first: 2147483647) { group { children(first: 2147483647) { slug } } } } } }", json!({})).await;
        assert_eq!(code(&g), "BAD_USER_INPUT");
    }
);

both_backends!(
    record_bounds_are_enforced_by_name_and_stated_in_the_openapi_document,
    |backend| {
        use factline::domain::bounds;
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let k = keys(&app).await;
        let post = |body: Value| {
            let (app, key) = (&app, k.editor.clone());
            async move {
                app.send(
                    reqwest::Method::POST,
                    "/v1/targets",
                    Some(&key),
                    None,
                    Some(&body),
                )
                .await
            }
        };
        // One past each bound: refused, each field named, nothing written.
        let mut over = target_body("over-the-bounds");
        over["names"] = json!(
            (0..=bounds::NAMES)
                .map(|i| json!({"lang": "en", "text": format!("name {i}"),
                                "kind": if i == 0 { "primary" } else { "alias" }}))
                .collect::<Vec<_>>()
        );
        over["sector"] = json!("s".repeat(bounds::LABEL + 1));
        over["citations"][0]["locator"] = json!("p.\u{7}12");
        let res = post(over).await;
        assert_eq!(res.status(), 422);
        let p: Value = res.json().await.unwrap();
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        for f in ["names", "sector", "citations[0].locator"] {
            assert!(fields.contains(&f), "{f} not named: {p}");
        }
        assert_eq!(
            app.get("/v1/targets/over-the-bounds").await.status(),
            404,
            "nothing written"
        );
        // At each bound (counted in characters, not bytes): accepted.
        let mut at = target_body("at-the-bounds");
        at["names"][0]["text"] = json!("é".repeat(bounds::NAME));
        at["sector"] = json!("s".repeat(bounds::LABEL));
        let res = post(at).await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        // The document states the same bounds.
        let (_, doc) = app.get_json("/openapi.json").await;
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["TargetRecord"]["properties"]["sector"]["maxLength"],
            bounds::LABEL
        );
        assert_eq!(
            schemas["TargetRecord"]["properties"]["names"]["maxItems"],
            bounds::NAMES
        );
        assert_eq!(
            schemas["NameRecord"]["properties"]["text"]["maxLength"],
            bounds::NAME
        );
        assert_eq!(
            doc["paths"]["/v1/targets"]["post"]["requestBody"]["content"]["application/json"]["schema"]
                ["$ref"],
            "#/components/schemas/TargetRecord"
        );
    }
);

both_backends!(
    nul_and_control_characters_in_slugs_and_reasons_are_refused_not_errors,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let k = keys(&app).await;
        // A NUL in a path slug names nothing (as on reads), never a database error.
        let res = app.get("/v1/groups/an%00on/history").await;
        assert_eq!(res.status(), 404);
        // The same through GraphQL: not found, not INTERNAL.
        for query in [
            r#"{ history(kind: "group", slug: "an\u0000on") { version } }"#,
            r#"mutation { deleteGroup(slug: "an\u0000on", expectedVersion: 1) { slug } }"#,
        ] {
            let g = app.gql_as(Some(&k.editor), query, json!({})).await;
            assert_eq!(code(&g), "NOT_FOUND", "{query}: {g}");
        }
        // A reason holding a NUL or other control character, or blank.
        for reason in ["why\u{0}not", "line\u{7}bell", "   "] {
            let g = app
                .gql_as(
                    Some(&k.editor),
                    "mutation($i: JSON!, $r: String) { createTarget(input: $i, reason: $r) { slug } }",
                    json!({"i": target_body("reason-check"), "r": reason}),
                )
                .await;
            assert_eq!(code(&g), "BAD_USER_INPUT", "{reason:?}: {g}");
        }
        let res = app
            .client
            .post(app.url("/v1/targets"))
            .bearer_auth(&k.editor)
            .header("x-change-reason", "x".repeat(1_001))
            .json(&target_body("reason-check"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "a bad header is a bad request");
        // A header is ASCII (RFC 9110); bytes beyond it are refused, not
        // dropped, and the document's pattern says so.
        let res = app
            .client
            .post(app.url("/v1/targets"))
            .bearer_auth(&k.editor)
            .header(
                "x-change-reason",
                reqwest::header::HeaderValue::from_bytes("تصحيح".as_bytes()).unwrap(),
            )
            .json(&target_body("reason-check"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        let p: serde_json::Value = res.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], "reason", "{p}");
        assert_eq!(
            app.get("/v1/targets/reason-check").await.status(),
            404,
            "nothing was written"
        );
    }
);

both_backends!(
    a_fine_in_a_currency_the_euro_replaced_is_kept_as_reported,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let k = keys(&app).await;
        let body = |currency: &str| {
            json!({"slug": "lo-kroon-fine", "kind": "fine", "date": "2008-01-24",
                "jurisdiction": "EE", "group": "anonymous",
                "money": {"amount": "17500.00", "currency": currency, "kind": "fine", "scope": "per_person"},
                "citations": [{"source": "seed-article"}]})
        };
        // An unknown code is refused; the kroon is taken as reported.
        for (currency, status) in [("XKR", 422), ("EEK", 201)] {
            let res = app
                .send(
                    reqwest::Method::POST,
                    "/v1/legal-outcomes",
                    Some(&k.editor),
                    None,
                    Some(&body(currency)),
                )
                .await;
            assert_eq!(res.status(), status, "{currency}");
        }
        let r: serde_json::Value = app
            .get("/v1/legal-outcomes/lo-kroon-fine")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(r["money"]["currency"], "EEK");
        assert_eq!(r["money"]["amount"], "17500.00");
    }
);

both_backends!(
    our_transliterations_and_the_newer_tactics_are_accepted_and_labelled,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let k = keys(&app).await;
        let body = json!({"slug": "op-names", "start": "2019-04", "end": "2019-04",
            "tactics": ["intrusion", "phishing", "dns_hijack"],
            "names": [{"lang": "en", "text": "Operation Names", "kind": "primary"},
                      {"lang": "ar", "text": "أوبريشن نيمز", "kind": "transliteration"},
                      {"lang": "ar", "text": "عملية الأسماء", "kind": "translation"}],
            "citations": [{"source": "seed-article"}]});
        let res = app
            .send(
                reqwest::Method::POST,
                "/v1/operations",
                Some(&k.editor),
                None,
                Some(&body),
            )
            .await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        let (_, o) = app.get_json("/v1/operations/op-names").await;
        let kinds: Vec<&str> = o["names"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["kind"].as_str().unwrap())
            .collect();
        assert!(kinds.contains(&"transliteration") && kinds.contains(&"translation"));
        assert_eq!(o["tactics"], json!(["dns_hijack", "intrusion", "phishing"]));
        // With no primary Arabic name, the CSV's name_ar is our transliteration.
        let csv = app.get("/v1/operations.csv").await.text().await.unwrap();
        let row = csv.lines().find(|l| l.starts_with("op-names,")).unwrap();
        assert!(row.contains("أوبريشن نيمز"), "{row}");
        // A made-up kind is still refused, by name.
        let mut bad = body.clone();
        bad["slug"] = json!("op-names-2");
        bad["names"][1]["kind"] = json!("guess");
        let res = app
            .send(
                reqwest::Method::POST,
                "/v1/operations",
                Some(&k.editor),
                None,
                Some(&bad),
            )
            .await;
        assert_eq!(res.status(), 422);
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], "names[1].kind", "{p}");
    }
);
