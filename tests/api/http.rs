//! The HTTP surface that exists from the start: health, readiness, and
//! problem+json for anything unknown.

use crate::both_backends;
use crate::helpers::{TestApp, TestDb};

both_backends!(healthz_and_readyz_answer_200_with_a_request_id, |backend| {
    let Some(t) = TestDb::seeded(backend).await else {
        return;
    };
    let app = TestApp::spawn(t).await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("x-request-id"));
    let (status, body) = app.get_json("/readyz").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ready");
});

both_backends!(readyz_is_503_when_the_database_is_gone, |backend| {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let app = TestApp::spawn(t).await;
    app.tdb.db.close_by_ref().await.unwrap();
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    assert!(res.headers().contains_key("retry-after"));
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(body["detail"].as_str().unwrap().contains("database"));
});

both_backends!(unknown_routes_and_methods_answer_problem_json, |backend| {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let app = TestApp::spawn(t).await;
    let res = app.get("/no/such/route").await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], 404);
    assert!(body["detail"].as_str().unwrap().contains("/no/such/route"));
    let res = app.client.post(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
});

both_backends!(
    reads_answer_503_with_retry_after_when_the_database_is_gone,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        app.tdb.db.close_by_ref().await.unwrap();
        for path in [
            "/v1/groups",
            "/v1/operations/op-payback",
            "/v1/search?q=paypal",
        ] {
            let res = app.get(path).await;
            assert_eq!(res.status(), 503, "{path}");
            assert_eq!(res.headers()["content-type"], "application/problem+json");
            assert!(res.headers().contains_key("retry-after"));
        }
    }
);
