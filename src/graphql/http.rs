//! `/graphql` over HTTP: POST with a JSON body, GET for queries only (and the
//! playground for a browser), one request at a time, every limit checked
//! before anything runs, every error with an `extensions.code`.

use std::future::Future;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context as TaskContext, Poll};

use async_graphql::dataloader::DataLoader;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use async_graphql::{ErrorExtensions, Executor, Request, Response, ServerError};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response as HttpResponse};
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};

use super::documents::Parsed;
use super::error::code;
use super::playground;
use crate::db::Reader;
use crate::http::problem::Problem;
use crate::state::AppState;

/// Longest error message returned; parse errors can quote a lot of input.
const MAX_MESSAGE: usize = 200;

fn problem(status: StatusCode, detail: &str) -> HttpResponse {
    Problem::new(status, detail.to_owned()).into_response()
}

/// An error response that never ran: `{errors: [{message, extensions: {code}}]}`.
fn refused(message: impl Into<String>) -> HttpResponse {
    let err = ServerError::new(message, None);
    let mut err = err;
    err.extensions
        .get_or_insert_with(Default::default)
        .set("code", code::BAD_USER_INPUT);
    Json(Response::from_errors(vec![err])).into_response()
}

pub async fn post(
    State(s): State<AppState>,
    peer: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResponse {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|v| v == "application/json" || v == "application/graphql-response+json");
    if !json {
        return problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "POST /graphql takes a JSON body: Content-Type: application/json",
        );
    }
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return problem(
                StatusCode::BAD_REQUEST,
                &format!("the body is not JSON: {e}"),
            );
        }
    };
    if value.is_array() {
        return problem(
            StatusCode::BAD_REQUEST,
            "batched requests are not supported; send one operation per request",
        );
    }
    let request: Request = match serde_json::from_value(value) {
        Ok(r) => r,
        Err(e) => {
            return problem(
                StatusCode::BAD_REQUEST,
                &format!(
                    "the body is not a GraphQL request ({{\"query\", \"variables\", \"operationName\"}}): {e}"
                ),
            );
        }
    };
    let mut auth = HeaderMap::new();
    if let Some(v) = headers.get(header::AUTHORIZATION) {
        auth.insert(header::AUTHORIZATION, v.clone());
    }
    let credentials = super::mutation::Credentials {
        headers: auth,
        ip: s.limiter.client_ip(&headers, peer.map(|p| (p.0).0)),
        limiter: s.limiter.clone(),
    };
    run(&s, &headers, request.data(credentials), true).await
}

pub async fn get(State(s): State<AppState>, headers: HeaderMap, uri: Uri) -> HttpResponse {
    let mut query = None;
    let mut operation_name = None;
    let mut variables = None;
    for (k, v) in form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "query" => query = Some(v.into_owned()),
            "operationName" => operation_name = Some(v.into_owned()),
            "variables" => variables = Some(v.into_owned()),
            "extensions" => {}
            other => {
                return problem(
                    StatusCode::BAD_REQUEST,
                    &format!(
                        "unknown parameter {other:?}; GET /graphql takes query, operationName, variables"
                    ),
                );
            }
        }
    }
    let Some(query) = query else {
        let wants_html = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
        return if wants_html {
            playground::page()
        } else {
            problem(
                StatusCode::BAD_REQUEST,
                "GET /graphql needs a `query` parameter (or open it in a browser for the playground)",
            )
        };
    };
    let mut request = Request::new(query);
    if let Some(name) = operation_name {
        request = request.operation_name(name);
    }
    if let Some(vars) = variables {
        match serde_json::from_str(&vars) {
            Ok(v) => request = request.variables(async_graphql::Variables::from_json(v)),
            Err(e) => {
                return problem(
                    StatusCode::BAD_REQUEST,
                    &format!("`variables` is not JSON: {e}"),
                );
            }
        }
    }
    run(&s, &headers, request, false).await
}

/// Deepest nesting of `{`, `[` and `(` outside strings: checked before
/// parsing so a pathological document cannot exhaust the parser's stack.
fn nesting(query: &str) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for c in query.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' | '(' => {
                depth += 1;
                max = max.max(depth);
            }
            '}' | ']' | ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Aliases and field selections in a document, fragments counted once.
/// The aliases and fields of the document's operations as they execute:
/// a fragment counts each time it is spread (so spreading one fragment a
/// thousand times cannot slip past the field limit). Each fragment's count
/// is worked out once; the sums saturate, and a fragment that spreads itself
/// (which validation refuses anyway) counts as over every limit.
fn count(doc: &ExecutableDocument) -> (usize, usize) {
    use std::collections::HashMap;
    type Counts = (usize, usize);
    fn add(a: Counts, b: Counts) -> Counts {
        (a.0.saturating_add(b.0), a.1.saturating_add(b.1))
    }
    fn walk(
        doc: &ExecutableDocument,
        set: &SelectionSet,
        memo: &mut HashMap<String, Option<Counts>>,
    ) -> Counts {
        let mut total = (0, 0);
        for item in &set.items {
            let c = match &item.node {
                Selection::Field(f) => add(
                    (usize::from(f.node.alias.is_some()), 1),
                    walk(doc, &f.node.selection_set.node, memo),
                ),
                Selection::InlineFragment(f) => walk(doc, &f.node.selection_set.node, memo),
                Selection::FragmentSpread(s) => {
                    let name = s.node.fragment_name.node.as_str();
                    match memo.get(name) {
                        Some(Some(c)) => *c,
                        // Being counted: a cycle.
                        Some(None) => (usize::MAX, usize::MAX),
                        None => match doc.fragments.get(&s.node.fragment_name.node) {
                            Some(f) => {
                                memo.insert(name.to_owned(), None);
                                let c = walk(doc, &f.node.selection_set.node, memo);
                                memo.insert(name.to_owned(), Some(c));
                                c
                            }
                            None => (0, 0),
                        },
                    }
                }
            };
            total = add(total, c);
        }
        total
    }
    let mut memo = HashMap::new();
    let mut total = (0, 0);
    for (_, op) in doc.operations.iter() {
        total = add(total, walk(doc, &op.node.selection_set.node, &mut memo));
    }
    total
}

fn has_mutation(doc: &ExecutableDocument) -> bool {
    match &doc.operations {
        DocumentOperations::Single(op) => op.node.ty != OperationType::Query,
        DocumentOperations::Multiple(ops) => {
            ops.values().any(|op| op.node.ty != OperationType::Query)
        }
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() <= MAX_MESSAGE {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(MAX_MESSAGE).collect();
        t.push('…');
        t
    }
}

async fn run(
    s: &AppState,
    headers: &HeaderMap,
    request: Request,
    allow_mutations: bool,
) -> HttpResponse {
    let limits = &s.graphql_limits;
    let parsed = match s.graphql_documents.get(&request.query) {
        Some(parsed) => parsed,
        None => {
            if nesting(&request.query) > limits.max_depth + 5 {
                return refused(format!(
                    "the document nests deeper than {} levels",
                    limits.max_depth
                ));
            }
            let doc = match async_graphql::parser::parse_query(&request.query) {
                Ok(d) => d,
                Err(e) => return refused(truncate(&format!("syntax error: {e}"))),
            };
            let (aliases, fields) = count(&doc);
            let parsed = Arc::new(Parsed {
                mutation: has_mutation(&doc),
                aliases,
                fields,
                doc,
            });
            s.graphql_documents.put(&request.query, parsed.clone());
            parsed
        }
    };
    let mutation = parsed.mutation;
    if !allow_mutations && mutation {
        return problem(
            StatusCode::METHOD_NOT_ALLOWED,
            "GET /graphql runs queries only; send mutations with POST",
        );
    }
    if parsed.aliases > limits.max_aliases {
        return refused(format!(
            "the document has {} aliases; at most {} are allowed",
            parsed.aliases, limits.max_aliases
        ));
    }
    if parsed.fields > limits.max_fields {
        return refused(format!(
            "the document selects {} fields; at most {} are allowed",
            parsed.fields, limits.max_fields
        ));
    }
    let as_of = match super::asof::requested(
        &parsed.doc,
        request.operation_name.as_deref(),
        &request.variables,
    ) {
        Ok(t) => t,
        Err(m) => return refused(m),
    };
    // Mutations, and whatever an editor reads, go to the primary.
    let db = if mutation {
        // Each mutation of a document runs a transaction on a connection of
        // its own; a reader holding another one meanwhile (to read the
        // previous mutation back) could exhaust a small pool.
        Reader::per_statement(&s.db).counted(s.metrics.read_statements())
    } else if let Some(t) = as_of {
        let snap = match crate::domain::asof::parse(&t, "asOf") {
            Ok(t) => s.snapshots.at(s.reader(headers), t).await,
            Err(e) => Err(e),
        };
        match snap {
            Ok(snap) => Reader::new(&snap.db).counted(s.metrics.read_statements()),
            Err(crate::error::Error::Invalid(fields)) => {
                let said: Vec<String> = fields
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect();
                return refused(said.join("; "));
            }
            Err(e) => {
                use async_graphql::ErrorExtensions;
                let err = e.extend().into_server_error(async_graphql::Pos::default());
                return Json(Response::from_errors(vec![err])).into_response();
            }
        }
    } else {
        s.read_conn(headers)
    };
    // The document checked above is the one executed: parsed once, and
    // copied only when the cache keeps it too.
    let mut request = request;
    request
        .set_parsed_query(Arc::try_unwrap(parsed).map_or_else(|kept| kept.doc.clone(), |p| p.doc));
    let response = execute_batched(&s.graphql, &db, request).await;
    s.metrics
        .graphql_operation(mutation, response.errors.is_empty());
    Json(response).into_response()
}

/// Runs a request with its own DataLoader whose fetches are driven by this
/// task, and only while execution is blocked on them. Every key requested at
/// one level of the query, for any number of parents, is then in one batch:
/// the number of statements does not depend on the page size or on how long
/// a pass over the parents takes. (async-graphql's default spawns each fetch
/// after a fixed delay, which splits batches whenever a pass takes longer.)
pub async fn execute_batched(
    schema: &super::FactlineSchema,
    db: &Reader,
    request: Request,
) -> Response {
    let (tx, rx) = futures::channel::mpsc::unbounded::<BoxFuture<'static, ()>>();
    let loader = DataLoader::new(super::loaders::DbLoader { db: db.clone() }, move |fetch| {
        // The receiver lives as long as the execution that uses the loader.
        let _ = tx.unbounded_send(fetch);
    })
    .delay(std::time::Duration::ZERO);
    Batched {
        // The request's one database handle: resolvers read through it,
        // mutations write through its pool.
        execution: Box::pin(execute_guarded(
            schema,
            request.data(loader).data(db.clone()),
        )),
        fetches: FuturesUnordered::new(),
        waiting: Vec::new(),
        queued: rx,
        woken: Arc::new(WokenFlag::default()),
    }
    .await
}

/// Wakes the task and remembers that the execution asked to be polled.
#[derive(Default)]
struct WokenFlag {
    woken: AtomicBool,
    task: futures::task::AtomicWaker,
}

impl futures::task::ArcWake for WokenFlag {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        arc_self.woken.store(true, Ordering::SeqCst);
        arc_self.task.wake();
    }
}

struct Batched<F> {
    execution: Pin<Box<F>>,
    /// The fetches of the current wave.
    fetches: FuturesUnordered<BoxFuture<'static, ()>>,
    /// Fetches asked for during the current wave; they start together once
    /// it is over, so each takes every key its level asked for.
    waiting: Vec<BoxFuture<'static, ()>>,
    queued: futures::channel::mpsc::UnboundedReceiver<BoxFuture<'static, ()>>,
    woken: Arc<WokenFlag>,
}

impl<F: Future<Output = Response>> Future for Batched<F> {
    type Output = Response;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Response> {
        let this = &mut *self;
        this.woken.task.register(cx.waker());
        loop {
            this.woken.woken.store(false, Ordering::SeqCst);
            let waker = futures::task::waker_ref(&this.woken);
            if let Poll::Ready(r) = this
                .execution
                .as_mut()
                .poll(&mut TaskContext::from_waker(&waker))
            {
                return Poll::Ready(r);
            }
            while let Poll::Ready(Some(fetch)) = this.queued.poll_next_unpin(cx) {
                this.waiting.push(fetch);
            }
            if this.woken.woken.load(Ordering::SeqCst) {
                // Execution can go further (or yielded to the runtime's
                // budget): let it, before any new fetch starts.
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            // Execution waits on the loader. Start the next wave only once
            // the current one is over: a fetch that started while another
            // was still running could miss keys that the other's results
            // are about to ask for, and split a level into two statements.
            if this.fetches.is_empty() {
                if this.waiting.is_empty() {
                    return Poll::Pending;
                }
                this.fetches.extend(this.waiting.drain(..));
            }
            loop {
                match this.fetches.poll_next_unpin(cx) {
                    Poll::Ready(Some(())) => continue,
                    Poll::Ready(None) => break,
                    Poll::Pending => return Poll::Pending,
                }
            }
            // The wave is over and its results woke execution: go on.
        }
    }
}

/// Runs a request; a panicking resolver becomes an INTERNAL error instead of
/// a dropped connection, and every error gets a code and a bounded message.
pub async fn execute_guarded<E: Executor>(executor: &E, request: Request) -> Response {
    let outcome = AssertUnwindSafe(executor.execute(request))
        .catch_unwind()
        .await;
    let mut response = match outcome {
        Ok(r) => r,
        Err(_) => {
            tracing::error!("a GraphQL resolver panicked");
            let e = crate::Error::Internal("resolver panicked".into()).extend();
            Response::from_errors(vec![e.into_server_error(async_graphql::Pos::default())])
        }
    };
    for e in &mut response.errors {
        e.message = truncate(&e.message);
        let ext = e.extensions.get_or_insert_with(Default::default);
        if ext.get("code").is_none() {
            // Parse, validation and limit errors: the request itself is at fault.
            ext.set("code", code::BAD_USER_INPUT);
        }
    }
    response
}

#[cfg(test)]
mod tests;
