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

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_graphql::http::{WebSocket as Protocol, WebSocketProtocols as Protocols, WsMessage};
use async_graphql::{Data, Executor, Request, Response, ServerError};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response as HttpResponse};
use futures::stream::BoxStream;
use futures::{SinkExt, StreamExt};
use prometheus_client::metrics::gauge::Gauge;

use super::http::prepare::{self, Refusal};
use crate::http::problem::Problem;
use crate::state::AppState;

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

/// A gauge raised for as long as the guard lives.
struct Raised(Gauge);

impl Raised {
    fn new(g: Gauge) -> Self {
        g.inc();
        Raised(g)
    }
}

impl Drop for Raised {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// What the connection learnt that the protocol's own close does not say.
#[derive(Default)]
struct Shared {
    /// The close code a failed `connection_init` deserves (the protocol
    /// machine says 1002 for any failure).
    init_refused: Mutex<Option<u16>>,
    /// When the peer last sent any frame (pongs included): liveness.
    last_heard: Mutex<Option<Instant>>,
    /// Since when the connection has had no subscription (from the ack):
    /// pings and pongs do not reset it, so a connection that only keeps
    /// itself alive still ends.
    idle_since: Mutex<Option<Instant>>,
    open: AtomicUsize,
    /// Why the input stopped, when the peer broke a rule the protocol
    /// machine does not check: a frame axum refused (too large, not
    /// UTF-8), or a subscribe reusing a live id.
    fault: Mutex<Option<(u16, &'static str)>>,
    /// The ids of the subscriptions running, as the client named them.
    live: Mutex<std::collections::HashSet<String>>,
}

impl Shared {
    fn heard(&self) {
        *lock(&self.last_heard) = Some(Instant::now());
    }
    fn silent_for(&self) -> Duration {
        lock(&self.last_heard).map_or(Duration::ZERO, |t| t.elapsed())
    }
    /// Whether a client frame may go on to the protocol machine: a
    /// subscribe must not reuse a running id (graphql-transport-ws closes
    /// with 4409; the machine would silently replace the running one).
    fn admits(&self, frame: &[u8]) -> bool {
        #[derive(serde::Deserialize)]
        struct Frame {
            #[serde(rename = "type")]
            kind: String,
            id: Option<String>,
        }
        let Ok(Frame { kind, id: Some(id) }) = serde_json::from_slice::<Frame>(frame) else {
            return true;
        };
        match kind.as_str() {
            "subscribe" if !lock(&self.live).insert(id.clone()) => {
                *lock(&self.fault) = Some((4409, "Subscriber for that id already exists"));
                false
            }
            "complete" => {
                lock(&self.live).remove(&id);
                true
            }
            _ => true,
        }
    }

    /// Notes a server frame that ends a subscription.
    fn sent(&self, frame: &str) {
        if frame.contains("\"complete\"")
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(frame)
            && let Some(id) = v["id"].as_str()
        {
            lock(&self.live).remove(id);
        }
    }

    fn idle_from_now(&self) {
        *lock(&self.idle_since) = Some(Instant::now());
    }
    fn idle_for(&self) -> Duration {
        if self.open.load(Ordering::SeqCst) > 0 {
            return Duration::ZERO;
        }
        lock(&self.idle_since).map_or(Duration::ZERO, |t| t.elapsed())
    }
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

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
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

/// `connection_init`: the key in `payload.authorization` ("Bearer <key>",
/// as in HTTP), any role. The actor and the feed go into the connection's
/// data for the resolvers.
async fn connection_init(
    s: AppState,
    shared: Arc<Shared>,
    payload: serde_json::Value,
    ip: Option<std::net::IpAddr>,
) -> async_graphql::Result<Data> {
    let key = ["authorization", "Authorization"]
        .iter()
        .find_map(|k| payload.get(*k).and_then(|v| v.as_str()));
    let refuse = |code: u16, message: String| {
        *lock(&shared.init_refused) = Some(code);
        Err(async_graphql::Error::new(message))
    };
    let Some(key) = key else {
        return refuse(
            4403,
            "a key is required: connection_init payload {\"authorization\": \"Bearer <key>\"}"
                .into(),
        );
    };
    let value = if key.starts_with("Bearer ") {
        key.to_owned()
    } else {
        format!("Bearer {key}")
    };
    let mut headers = HeaderMap::new();
    match HeaderValue::from_str(&value) {
        Ok(v) => headers.insert(header::AUTHORIZATION, v),
        Err(_) => return refuse(4403, "the key is not a header value".into()),
    };
    match s.limiter.authenticate(&s.db, &headers, ip).await {
        Ok(actor) => {
            let mut data = Data::default();
            data.insert(actor);
            data.insert(s.change_hub.clone());
            Ok(data)
        }
        // Try Again Later: the key may be fine.
        Err(e @ (crate::Error::Unavailable(_) | crate::Error::TooManyRequests { .. })) => {
            refuse(1013, e.to_string())
        }
        Err(e) => refuse(4403, e.to_string()),
    }
}

/// Runs what a connection subscribes to, after the checks every document
/// passes; only subscriptions run here (queries and mutations go over HTTP).
#[derive(Clone)]
struct WsExecutor {
    s: AppState,
    shared: Arc<Shared>,
}

impl Executor for WsExecutor {
    async fn execute(&self, _request: Request) -> Response {
        refusal("queries and mutations go over HTTP")
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let one = |r: Response| futures::stream::once(async move { r }).boxed();
        let text = std::mem::take(&mut request.query);
        let extensions = serde_json::to_value(&request.extensions)
            .ok()
            .and_then(|v| v.as_object().cloned());
        let resolved = match self
            .s
            .graphql_persisted
            .resolve((!text.is_empty()).then_some(text), extensions.as_ref())
        {
            Ok(r) => r,
            Err(miss) => return one(refusal(miss.message_and_code().0)),
        };
        let parsed = match prepare::document(&self.s, &resolved.text, false) {
            Ok(p) => p,
            Err(Refusal::Document(m)) => return one(refusal(&m)),
            Err(Refusal::NotAQuery) => return one(refusal("not a query")),
        };
        if !prepare::subscribes(&parsed.doc) {
            return one(refusal(
                "only subscriptions run over WebSocket; send queries and mutations over HTTP",
            ));
        }
        let max = self.s.graphql_limits.ws_max_subscriptions;
        if self.shared.open.fetch_add(1, Ordering::SeqCst) >= max {
            self.shared.open.fetch_sub(1, Ordering::SeqCst);
            return one(refusal(&format!(
                "at most {max} subscriptions per connection"
            )));
        }
        let open = Open {
            shared: self.shared.clone(),
            _gauge: Raised::new(self.s.metrics.subscriptions()),
        };
        if let Some(hash) = resolved.register {
            self.s.graphql_persisted.register(hash, &resolved.text);
        }
        request.query = resolved.text;
        request.set_parsed_query(parsed.doc.clone());
        let stream = self
            .s
            .graphql
            .execute_stream_with_session_data(request, session.unwrap_or_default());
        // The guard goes with the stream: a completed, stopped or dropped
        // subscription frees its place.
        stream
            .map(move |r| {
                let _ = &open;
                r
            })
            .boxed()
    }
}

/// An open subscription's place among its connection's.
struct Open {
    shared: Arc<Shared>,
    _gauge: Raised,
}

impl Drop for Open {
    fn drop(&mut self) {
        if self.shared.open.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.shared.idle_from_now();
        }
    }
}

fn refusal(message: &str) -> Response {
    let mut err = ServerError::new(message, None);
    err.extensions
        .get_or_insert_with(Default::default)
        .set("code", super::error::code::BAD_USER_INPUT);
    Response::from_errors(vec![err])
}
