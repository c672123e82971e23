//! Subscriptions over WebSocket at `GET /graphql`, in the
//! graphql-transport-ws protocol (graphql-ws, Apollo Client, urql).
//! async-graphql's `http::WebSocket` speaks the protocol; this module
//! drives it and adds what it leaves out: a cap on connections (a slot is
//! taken before the upgrade and freed when the socket ends), the key check
//! at `connection_init` (close 4403), the init timeout (4408), an idle
//! timeout, server pings that find peers gone without a goodbye, closing
//! on shutdown (1012), and the checks every HTTP document passes.
//!
//! An upgraded connection leaves the HTTP server's connection cap, request
//! timeout and drain behind, so these limits are its only ones.

mod session;
mod shared;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_graphql::http::{WebSocket as Protocol, WebSocketProtocols as Protocols, WsMessage};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response as HttpResponse};
use futures::{SinkExt, StreamExt};

use crate::http::problem::Problem;
use crate::state::AppState;
use session::{WsExecutor, connection_init};
use shared::{Raised, Shared, lock};

const SUBPROTOCOL: &str = "graphql-transport-ws";
/// How often the server pings; a peer silent for two of these is gone.
const PING_EVERY: Duration = Duration::from_secs(30);
/// How often a connection looks at its clocks (idle, ping).
const TICK: Duration = Duration::from_secs(1);
/// How long a frame may wait for a peer that does not read; past that the
/// connection is given up, so a client that never reads cannot hold a slot.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// `GET /graphql`: a WebSocket upgrade, or a query (or the playground).
pub async fn get(
    State(s): State<AppState>,
    peer: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    uri: Uri,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> HttpResponse {
    let asks_upgrade = headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if !asks_upgrade {
        return super::http::get(State(s), headers, uri).await;
    }
    let upgrade = match upgrade {
        Ok(u) => u,
        Err(e) => return problem(StatusCode::BAD_REQUEST, e.body_text()),
    };
    let speaks = headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == SUBPROTOCOL);
    if !speaks {
        return problem(
            StatusCode::BAD_REQUEST,
            format!(
                "/graphql subscriptions speak {SUBPROTOCOL}; ask for it in Sec-WebSocket-Protocol"
            ),
        );
    }
    let Ok(slot) = s.ws_slots.clone().try_acquire_owned() else {
        // graphql-ws retries a refused handshake.
        let mut res = problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "every subscription connection is taken; retry shortly".to_owned(),
        );
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return res;
    };
    let ip = s.limiter.client_ip(&headers, peer.map(|p| (p.0).0));
    upgrade
        .protocols([SUBPROTOCOL])
        .max_message_size(s.graphql_limits.max_body)
        .on_upgrade(move |socket| serve(s, socket, ip, slot))
}

fn problem(status: StatusCode, detail: String) -> HttpResponse {
    Problem::new(status, detail).into_response()
}

/// Sends a frame unless the peer has stopped reading.
async fn deliver(
    sink: &mut futures::stream::SplitSink<WebSocket, Message>,
    message: Message,
) -> bool {
    matches!(
        tokio::time::timeout(SEND_TIMEOUT, sink.send(message)).await,
        Ok(Ok(()))
    )
}

async fn serve(
    s: AppState,
    socket: WebSocket,
    ip: Option<std::net::IpAddr>,
    slot: tokio::sync::OwnedSemaphorePermit,
) {
    let _connected = Raised::new(s.metrics.ws_connections());
    // Dropped before the gauge falls: once it reads 0, every slot is free.
    let _slot = slot;
    let shared = Arc::new(Shared::default());
    shared.heard();
    let (mut sink, stream) = socket.split();
    let heard = shared.clone();
    let checks = shared.clone();
    let input = stream
        .take_while(move |m| {
            let go_on = match m {
                Ok(Message::Close(_)) => false,
                Ok(Message::Text(t)) => checks.admits(t.as_bytes()),
                Ok(Message::Binary(b)) => checks.admits(b),
                Ok(_) => true,
                Err(_) => {
                    *lock(&checks.fault) =
                        Some((1009, "a frame over the size limit, or not UTF-8 text"));
                    false
                }
            };
            futures::future::ready(go_on)
        })
        .filter_map(move |m| {
            heard.heard();
            futures::future::ready(match m {
                Ok(Message::Text(t)) => Some(axum::body::Bytes::from(t)),
                Ok(Message::Binary(b)) => Some(b),
                _ => None,
            })
        });
    let init_state = s.clone();
    let init_shared = shared.clone();
    let executor = WsExecutor {
        s: s.clone(),
        shared: shared.clone(),
    };
    let mut protocol = Protocol::new(executor, input, Protocols::GraphQLWS).on_connection_init(
        move |payload| async move { connection_init(init_state, init_shared, payload, ip).await },
    );
    let limits = s.graphql_limits.clone();
    let init_deadline = tokio::time::sleep(Duration::from_millis(limits.ws_init_timeout_ms));
    tokio::pin!(init_deadline);
    let mut acked = false;
    let mut tick = tokio::time::interval(TICK);
    let mut pinged = Instant::now();
    let idle = Duration::from_millis(limits.ws_idle_timeout_ms);
    let close = loop {
        tokio::select! {
            out = protocol.next() => match out {
                Some(WsMessage::Text(text)) => {
                    if !acked && text.contains("\"connection_ack\"") {
                        acked = true;
                        shared.idle_from_now();
                    }
                    shared.sent(&text);
                    if !deliver(&mut sink, Message::Text(text.into())).await {
                        break None;
                    }
                }
                Some(WsMessage::Close(code, reason)) => {
                    let code = match (code, *lock(&shared.init_refused)) {
                        (1002, Some(refused)) => refused,
                        // A message that is not the protocol's.
                        (1002, None) => 4400,
                        // A subscribe before the ack.
                        (1011, _) => 4401,
                        (c, _) => c,
                    };
                    break Some((code, reason));
                }
                None => break lock(&shared.fault).map(|(code, why)| (code, why.to_owned())),
            },
            () = &mut init_deadline, if !acked => {
                break Some((4408, "Connection initialisation timeout".to_owned()));
            }
            _ = tick.tick() => {
                if shared.silent_for() > 2 * PING_EVERY {
                    break Some((1001, "no answer to pings".to_owned()));
                }
                if acked && shared.idle_for() > idle {
                    break Some((1000, "idle: no subscription".to_owned()));
                }
                if pinged.elapsed() >= PING_EVERY {
                    pinged = Instant::now();
                    if !deliver(&mut sink, Message::Ping(Default::default())).await {
                        break None;
                    }
                }
            }
            () = s.shutdown.cancelled() => {
                break Some((1012, "the server is restarting".to_owned()));
            }
        }
    };
    if let Some((code, reason)) = close {
        let frame = CloseFrame {
            code,
            reason: reason.into(),
        };
        deliver(&mut sink, Message::Close(Some(frame))).await;
    }
    let _ = tokio::time::timeout(SEND_TIMEOUT, sink.close()).await;
}
