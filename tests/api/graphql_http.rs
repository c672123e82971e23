//! `/graphql` as app developers' clients expect it: the GraphQL over HTTP
//! media types and status codes, and persisted queries (the automatic
//! protocol of Apollo Client and urql, and the list-only mode).

use factline::graphql::persisted::{Persisted, sha256_hex};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{TestApp, TestDb};

const GR: &str = "application/graphql-response+json";
const COUNT: &str = "{ groups { totalCount } }";

/// A POST with `Accept`, answered whatever its status: (status, content
/// type, body).
async fn post(app: &TestApp, accept: &str, body: &Value) -> (u16, String, Value) {
    let res = app
        .client
        .post(app.url("/graphql"))
        .header(ACCEPT, accept)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let ct = res.headers()[CONTENT_TYPE].to_str().unwrap().to_owned();
    (status, ct, res.json().await.unwrap())
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

fn apq(hash: &str) -> Value {
    json!({"persistedQuery": {"version": 1, "sha256Hash": hash}})
}

/// A GET naming a persisted document by its hash alone, as Apollo Client
/// does with `useGETForHashedQueries`.
async fn get_hashed(app: &TestApp, hash: &str) -> reqwest::Response {
    let ext = apq(hash).to_string();
    let url = format!(
        "/graphql?extensions={}",
        form_urlencoded::byte_serialize(ext.as_bytes()).collect::<String>()
    );
    app.client
        .get(app.url(&url))
        .header(ACCEPT, GR)
        .send()
        .await
        .unwrap()
}

both_backends!(
    answers_take_the_media_type_and_status_the_spec_gives,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;

        let (status, ct, b) = post(&app, GR, &json!({"query": COUNT})).await;
        assert_eq!((status, ct.as_str()), (200, GR), "{b}");
        assert!(b["data"]["groups"]["totalCount"].as_i64().unwrap() > 0);
        // Apollo Client 3 asks for both, the newer first.
        let both = format!("{GR}, application/json;q=0.9");
        assert_eq!(post(&app, &both, &json!({"query": COUNT})).await.1, GR);
        for accept in ["application/json", "*/*"] {
            let (status, ct, _) = post(&app, accept, &json!({"query": COUNT})).await;
            assert_eq!((status, ct.as_str()), (200, "application/json"));
        }

        // A document that cannot run is a request error: 400 and no `data`
        // under the newer type, 200 under json, coded either way.
        for doc in ["{", "{ nosuchfield }", "query($id: ID!) { __typename }"] {
            let (status, _, b) = post(&app, GR, &json!({"query": doc})).await;
            assert_eq!(status, 400, "{doc}: {b}");
            assert!(b.get("data").is_none(), "{doc}: {b}");
            assert_eq!(code(&b), "BAD_USER_INPUT", "{b}");
            let (status, _, b) = post(&app, "application/json", &json!({"query": doc})).await;
            assert_eq!(status, 200, "{doc}: {b}");
            assert_eq!(code(&b), "BAD_USER_INPUT", "{b}");
        }
        // A field error is no request error: the document ran, so 200 and `data`.
        let (status, _, b) = post(
        &app,
        GR,
        &json!({"query": "{ groups(first: 1) { totalCount } operations(first: 1000) { totalCount } }"}),
    )
    .await;
        assert_eq!(status, 200, "{b}");
        assert!(b.get("data").is_some(), "{b}");

        // Not a GraphQL request at all: a problem naming the parameter.
        for (body, field) in [
            (json!({"variables": {}}), "`query`"),
            (json!({"query": 0}), "`query`"),
            (json!({"query": COUNT, "variables": []}), "`variables`"),
            (json!({"query": COUNT, "extensions": "x"}), "`extensions`"),
            (
                json!({"query": COUNT, "operationName": 1}),
                "`operationName`",
            ),
        ] {
            for accept in [GR, "application/json"] {
                let (status, ct, b) = post(&app, accept, &body).await;
                assert_eq!(
                    (status, ct.as_str()),
                    (400, "application/problem+json"),
                    "{body}"
                );
                assert!(b["detail"].as_str().unwrap().contains(field), "{b}");
            }
        }
        let (status, ct, _) = post(&app, "text/html", &json!({"query": COUNT})).await;
        assert_eq!((status, ct.as_str()), (406, "application/problem+json"));

        let res = app
            .client
            .get(app.url("/graphql?query=mutation%20%7B%20x%20%7D"))
            .header(ACCEPT, GR)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 405);
        assert_eq!(res.headers()["allow"], "POST");
        let res = app
            .client
            .get(app.url("/graphql?query=%7B%20groups%20%7B%20totalCount%20%7D%20%7D"))
            .header(ACCEPT, GR)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()[CONTENT_TYPE], GR);
        assert!(
            res.headers()["vary"]
                .to_str()
                .unwrap()
                .to_ascii_lowercase()
                .contains("accept")
        );
        assert!(
            res.headers().contains_key("etag"),
            "a GET query can be cached"
        );
    }
);

both_backends!(persisted_queries_speak_the_automatic_protocol, |backend| {
    let Some(t) = TestDb::seeded(backend).await else {
        return;
    };
    let limits = factline::config::GraphqlLimits {
        persisted_cache: 2,
        ..Default::default()
    };
    let app = TestApp::spawn_with(t, limits).await;
    let hash = sha256_hex(COUNT);

    // As Apollo Client and urql do: the hash alone first...
    let (status, _, b) = post(&app, "application/json", &json!({"extensions": apq(&hash)})).await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(b["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(code(&b), "PERSISTED_QUERY_NOT_FOUND");
    let (status, _, b) = post(&app, GR, &json!({"extensions": apq(&hash)})).await;
    assert_eq!(status, 404, "{b}");
    assert_eq!(b["errors"][0]["message"], "PersistedQueryNotFound");
    // ...then hash and text, which registers it...
    let (status, _, b) = post(&app, GR, &json!({"query": COUNT, "extensions": apq(&hash)})).await;
    assert_eq!(status, 200, "{b}");
    let total = b["data"]["groups"]["totalCount"].clone();
    assert!(total.as_i64().unwrap() > 0);
    // ...after which the hash alone runs it, by POST and by GET.
    let (status, _, b) = post(&app, GR, &json!({"extensions": apq(&hash)})).await;
    assert_eq!(
        (status, &b["data"]["groups"]["totalCount"]),
        (200, &total),
        "{b}"
    );
    let res = get_hashed(&app, &hash).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("etag"));
    let b: Value = res.json().await.unwrap();
    assert_eq!(b["data"]["groups"]["totalCount"], total, "{b}");

    // A text must have the hash sent with it.
    let other = sha256_hex("{ __typename }");
    let (status, _, b) = post(
        &app,
        GR,
        &json!({"query": COUNT, "extensions": apq(&other)}),
    )
    .await;
    assert_eq!(
        (status, code(&b)),
        (400, "PERSISTED_QUERY_HASH_MISMATCH"),
        "{b}"
    );
    // A malformed extension is no GraphQL request.
    let (status, ct, _) = post(
        &app,
        GR,
        &json!({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}}),
    )
    .await;
    assert_eq!((status, ct.as_str()), (400, "application/problem+json"));

    // Every limit applies to a persisted text, and a refused text is not kept.
    let aliases: String = (0..31).map(|i| format!("a{i}: __typename ")).collect();
    let wide = format!("{{ {aliases} }}");
    let wide_hash = sha256_hex(&wide);
    let (status, _, b) = post(
        &app,
        GR,
        &json!({"query": wide, "extensions": apq(&wide_hash)}),
    )
    .await;
    assert_eq!(status, 400, "{b}");
    assert!(
        b["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("aliases")
    );
    let (status, _, _) = post(&app, GR, &json!({"extensions": apq(&wide_hash)})).await;
    assert_eq!(status, 404, "a refused document is not registered");

    // A persisted mutation stays a mutation: refused by GET.
    let mutation = r#"mutation { deleteGroup(slug: "nobody", expectedVersion: 1) { slug } }"#;
    let m_hash = sha256_hex(mutation);
    let (_, _, b) = post(
        &app,
        GR,
        &json!({"query": mutation, "extensions": apq(&m_hash)}),
    )
    .await;
    assert!(
        b["errors"].is_array(),
        "anonymous: refused, but registered: {b}"
    );
    let res = get_hashed(&app, &m_hash).await;
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "POST");

    // Two entries kept: a third goes in, the least recently used (COUNT)
    // goes out.
    let (status, _, _) = post(
        &app,
        GR,
        &json!({"query": "{ __typename }", "extensions": apq(&other)}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, _) = post(&app, GR, &json!({"extensions": apq(&other)})).await;
    assert_eq!(status, 200);
    let (status, _, _) = post(&app, GR, &json!({"extensions": apq(&hash)})).await;
    assert_eq!(status, 404, "evicted");
});

both_backends!(only_listed_documents_run_in_list_only_mode, |backend| {
    let Some(t) = TestDb::seeded(backend).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("manifest.json");
    let listed = "query Count { groups { totalCount } }";
    std::fs::write(
        &path,
        json!({"format": "apollo-persisted-query-manifest", "version": 1,
               "operations": [{"id": sha256_hex(listed), "name": "Count", "type": "query", "body": listed}]})
        .to_string(),
    )
    .unwrap();
    let limits = factline::config::GraphqlLimits {
        persisted_queries: Some(path),
        persisted_only: true,
        ..Default::default()
    };
    let persisted = Persisted::configured(&limits).unwrap();
    let state = factline::state::AppState::new(t.db.clone(), limits).with_persisted(persisted);
    let app = TestApp::spawn_state(t, state).await;

    let (status, _, b) = post(&app, GR, &json!({"extensions": apq(&sha256_hex(listed))})).await;
    assert_eq!(status, 200, "{b}");
    assert!(b["data"]["groups"]["totalCount"].as_i64().unwrap() > 0);
    let (status, _, b) = post(&app, GR, &json!({"query": listed})).await;
    assert_eq!(status, 200, "the listed text, sent in full: {b}");

    let (status, _, b) = post(&app, GR, &json!({"query": COUNT})).await;
    assert_eq!(
        (status, code(&b)),
        (403, "PERSISTED_QUERY_NOT_IN_LIST"),
        "{b}"
    );
    assert!(b.get("data").is_none());
    let (status, _, b) = post(&app, "application/json", &json!({"query": COUNT})).await;
    assert_eq!(
        (status, code(&b)),
        (200, "PERSISTED_QUERY_NOT_IN_LIST"),
        "{b}"
    );
    let (status, _, b) = post(
        &app,
        GR,
        &json!({"query": COUNT, "extensions": apq(&sha256_hex(COUNT))}),
    )
    .await;
    assert_eq!(
        (status, code(&b)),
        (403, "PERSISTED_QUERY_NOT_IN_LIST"),
        "{b}"
    );
    let (status, _, _) = post(&app, GR, &json!({"extensions": apq(&sha256_hex(COUNT))})).await;
    assert_eq!(status, 404, "nothing was registered");
});
