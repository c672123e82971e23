//! A connection's session: the key check at `connection_init`, and the
//! executor that runs what the connection subscribes to.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use async_graphql::{Data, Executor, Request, Response};
use axum::http::{HeaderMap, HeaderValue, header};
use futures::StreamExt;
use futures::stream::BoxStream;

use super::shared::{Raised, Shared, lock};
use crate::graphql::error::{code, coded};
use crate::graphql::http::prepare::{self, Refusal};
use crate::state::AppState;

/// `connection_init`: the key in `payload.authorization` ("Bearer <key>",
/// as in HTTP), any role. The actor and the feed go into the connection's
/// data for the resolvers.
pub(super) async fn connection_init(
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
pub(super) struct WsExecutor {
    pub(super) s: AppState,
    pub(super) shared: Arc<Shared>,
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
            Err(miss) => {
                // The protocol's message and code, as over HTTP.
                let (message, c) = miss.message_and_code();
                return one(refused(message, c));
            }
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
    refused(message, code::BAD_USER_INPUT)
}

fn refused(message: &str, c: &str) -> Response {
    Response::from_errors(vec![coded(message, c)])
}
