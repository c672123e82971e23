//! Subscriptions over WebSocket (graphql-transport-ws) at `/graphql`: a
//! reader hears an editor's write within a second, keys are checked at
//! `connection_init`, and a connection's slot is freed when it goes.

use std::time::{Duration, Instant};

use factline::domain::auth;
use factline::domain::auth::Role;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::both_backends;
use crate::helpers::{TestApp, TestDb};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(app: &TestApp) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    let mut req = format!("ws://{}/graphql", app.addr)
        .into_client_request()
        .unwrap();
    req.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    tokio_tungstenite::connect_async(req).await.map(|(s, _)| s)
}

/// A connection past its handshake, with a key.
async fn joined(app: &TestApp, key: &str) -> Socket {
    let mut ws = connect(app).await.unwrap();
    send(
        &mut ws,
        json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {key}")}}),
    )
    .await;
    assert_eq!(next(&mut ws).await.unwrap()["type"], "connection_ack");
    ws
}

async fn send(ws: &mut Socket, v: Value) {
    ws.send(Message::text(v.to_string())).await.unwrap();
}

/// The next protocol message (JSON), or the close code.
async fn next(ws: &mut Socket) -> Result<Value, u16> {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a message within 5 s");
        match m {
            Some(Ok(Message::Text(t))) => return Ok(serde_json::from_str(&t).unwrap()),
            Some(Ok(Message::Close(f))) => return Err(f.map_or(1005, |f| f.code.into())),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return Err(1006),
        }
    }
}

async fn gauge(app: &TestApp, name: &str) -> i64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("factline_{name} ")))
        .unwrap_or_else(|| panic!("{name} in /metrics"))
        .parse()
        .unwrap()
}

async fn wait_for(app: &TestApp, name: &str, value: i64) {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let v = gauge(app, name).await;
        if v == value {
            return;
        }
        assert!(Instant::now() < deadline, "{name} stayed {v}, not {value}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

both_backends!(a_reader_hears_an_editors_write_within_a_second, |backend| {
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

    let mut ws = connect(&app).await.unwrap();
    send(&mut ws, json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {reader}")}})).await;
    assert_eq!(next(&mut ws).await.unwrap()["type"], "connection_ack");
    send(&mut ws, json!({"id": "1", "type": "subscribe", "payload": {
        "query": "subscription { changes(kinds: [GROUP]) { cursor kind slug version action at keyId } }"}}))
    .await;
    wait_for(&app, "graphql_subscriptions", 1).await;

    // A write to another kind is not for this subscriber; the group's is.
    let etag = app.etag("/v1/targets/paypal").await;
    let res = app
        .send(
            reqwest::Method::PATCH,
            "/v1/targets/paypal",
            Some(&editor),
            Some(&etag),
            Some(&json!({"sector": "payments"})),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let etag = app.etag("/v1/groups/lulzsec").await;
    let res = app
        .send(
            reqwest::Method::PATCH,
            "/v1/groups/lulzsec",
            Some(&editor),
            Some(&etag),
            Some(&json!({"dissolved": "2011-06"})),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let written = Instant::now();
    let m = next(&mut ws).await.unwrap();
    let waited = written.elapsed();
    eprintln!(
        "the change arrived {} ms after the write's response: {m}",
        waited.as_millis()
    );
    assert!(waited < Duration::from_secs(1), "{waited:?}");
    assert_eq!(m["type"], "next", "{m}");
    assert_eq!(m["id"], "1");
    let change = &m["payload"]["data"]["changes"];
    assert_eq!(change["kind"], "GROUP", "{m}");
    assert_eq!(change["slug"], "lulzsec");
    assert_eq!(change["action"], "update");
    assert_eq!(change["version"], 2);
    assert!(change["keyId"].is_string());
    // The cursor resumes the feed right after this change.
    let b = app
        .gql(
            "query($c: String) { changes(after: $c) { edges { cursor } } }",
            json!({"c": change["cursor"]}),
        )
        .await;
    assert_eq!(b["data"]["changes"]["edges"], json!([]), "{b}");

    // Only subscriptions run here.
    send(
        &mut ws,
        json!({"id": "2", "type": "subscribe", "payload": {"query": "{ groups { totalCount } }"}}),
    )
    .await;
    let m = next(&mut ws).await.unwrap();
    assert_eq!(m["type"], "next", "{m}");
    assert!(
        m["payload"]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("HTTP"),
        "{m}"
    );
    // An unknown persisted hash: the protocol's message and code, as over HTTP.
    let hash = factline::graphql::persisted::sha256_hex("subscription { changes { slug } }");
    send(
        &mut ws,
        json!({"id": "3", "type": "subscribe", "payload": {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": hash}}}}),
    )
    .await;
    // (Past the `complete` that ended subscription 2.)
    let m = loop {
        let m = next(&mut ws).await.unwrap();
        if m["id"] == "3" {
            break m;
        }
    };
    assert_eq!(
        m["payload"]["errors"][0]["message"], "PersistedQueryNotFound",
        "{m}"
    );
    assert_eq!(
        m["payload"]["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND",
        "{m}"
    );

    // Completing frees the subscription; closing frees the connection.
    send(&mut ws, json!({"id": "1", "type": "complete"})).await;
    wait_for(&app, "graphql_subscriptions", 0).await;
    ws.close(None).await.unwrap();
    wait_for(&app, "graphql_ws_connections", 0).await;
});

both_backends!(
    keys_slots_and_timeouts_close_with_the_protocols_codes,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let (_, reader) = auth::create_key(&t.db, Role::Reader, "reader")
            .await
            .unwrap();
        let limits = factline::config::GraphqlLimits {
            ws_max_connections: 1,
            ws_init_timeout_ms: 300,
            ..Default::default()
        };
        let app = TestApp::spawn_with(t, limits).await;

        // No key, a bad key: 4403.
        for payload in [json!({}), json!({"authorization": "Bearer flk_not_a_key"})] {
            let mut ws = connect(&app).await.unwrap();
            send(
                &mut ws,
                json!({"type": "connection_init", "payload": payload}),
            )
            .await;
            assert_eq!(next(&mut ws).await, Err(4403), "{payload}");
            wait_for(&app, "graphql_ws_connections", 0).await;
        }
        // No connection_init in time: 4408.
        let mut ws = connect(&app).await.unwrap();
        assert_eq!(next(&mut ws).await, Err(4408));
        wait_for(&app, "graphql_ws_connections", 0).await;

        // One slot: a second client is refused before the upgrade, with a 503,
        // until the first goes away without a goodbye.
        let mut first = connect(&app).await.unwrap();
        send(&mut first, json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {reader}")}})).await;
        assert_eq!(next(&mut first).await.unwrap()["type"], "connection_ack");
        match connect(&app).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(res)) => {
                assert_eq!(res.status(), 503);
                assert!(res.headers().contains_key("retry-after"));
            }
            other => panic!("a second connection: {other:?}"),
        }
        drop(first);
        wait_for(&app, "graphql_ws_connections", 0).await;
        let mut again = connect(&app).await.expect("the slot was freed");
        send(
            &mut again,
            json!({"type": "connection_init", "payload": {"authorization": reader}}),
        )
        .await;
        assert_eq!(
            next(&mut again).await.unwrap()["type"],
            "connection_ack",
            "a bare key works too"
        );

        // Without the subprotocol, or over POST: refused with a clear error.
        let mut req = format!("ws://{}/graphql", app.addr)
            .into_client_request()
            .unwrap();
        req.headers_mut().remove("sec-websocket-protocol");
        drop(again);
        wait_for(&app, "graphql_ws_connections", 0).await;
        match tokio_tungstenite::connect_async(req).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(res)) => assert_eq!(res.status(), 400),
            other => panic!("no subprotocol: {other:?}"),
        }
        let b = app
            .gql_as(None, "subscription { changes { slug } }", json!({}))
            .await;
        assert!(
            b["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("WebSocket"),
            "{b}"
        );
    }
);

both_backends!(
    idle_sockets_close_and_shutdown_closes_every_socket,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let (_, reader) = auth::create_key(&t.db, Role::Reader, "reader")
            .await
            .unwrap();
        let limits = factline::config::GraphqlLimits {
            ws_idle_timeout_ms: 300,
            ..Default::default()
        };
        let app = TestApp::spawn_with(t, limits).await;
        let init = json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {reader}")}});

        // Nothing subscribed, nothing said: closed normally.
        let mut idle = connect(&app).await.unwrap();
        send(&mut idle, init.clone()).await;
        assert_eq!(next(&mut idle).await.unwrap()["type"], "connection_ack");
        let started = Instant::now();
        assert_eq!(next(&mut idle).await, Err(1000));
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );

        // A subscriber is not idle; a shutdown closes it with 1012.
        let mut ws = connect(&app).await.unwrap();
        send(&mut ws, init).await;
        assert_eq!(next(&mut ws).await.unwrap()["type"], "connection_ack");
        send(&mut ws, json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { changes { slug } }"}})).await;
        wait_for(&app, "graphql_subscriptions", 1).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        drop(app);
        assert_eq!(next(&mut ws).await, Err(1012));
    }
);

both_backends!(protocol_faults_close_with_their_codes, |backend| {
    let Some(t) = TestDb::seeded(backend).await else {
        return;
    };
    let (_, reader) = auth::create_key(&t.db, Role::Reader, "reader")
        .await
        .unwrap();
    let app = TestApp::spawn(t).await;
    // A subscribe before the handshake: 4401.
    let mut ws = connect(&app).await.unwrap();
    send(&mut ws, json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { changes { slug } }"}})).await;
    assert_eq!(next(&mut ws).await, Err(4401));
    // Not a protocol message: 4400.
    let mut ws = connect(&app).await.unwrap();
    ws.send(Message::text("not json")).await.unwrap();
    assert_eq!(next(&mut ws).await, Err(4400));
    // A subscribe reusing a running id: 4409.
    let mut ws = joined(&app, &reader).await;
    let sub = json!({"id": "a", "type": "subscribe", "payload": {"query": "subscription { changes { slug } }"}});
    send(&mut ws, sub.clone()).await;
    wait_for(&app, "graphql_subscriptions", 1).await;
    send(&mut ws, sub).await;
    assert_eq!(next(&mut ws).await, Err(4409));
    wait_for(&app, "graphql_subscriptions", 0).await;
    // A frame over the body limit: 1009.
    let mut ws = joined(&app, &reader).await;
    let big = "x".repeat(factline::config::GraphqlLimits::default().max_body + 1);
    let _ = ws.send(Message::text(big)).await;
    assert_eq!(next(&mut ws).await, Err(1009));
    wait_for(&app, "graphql_ws_connections", 0).await;
});
