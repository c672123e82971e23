//! Execution: a request's own DataLoader driven in waves, so every key of
//! one query level is one batch, and a guard that turns a panicking
//! resolver into an error and bounds every message.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context as TaskContext, Poll};

use async_graphql::dataloader::DataLoader;
use async_graphql::{ErrorExtensions, Executor, Request, Response};
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};

use super::prepare::truncate;
use crate::db::Reader;
use crate::graphql::error::code;

/// Runs a request with its own DataLoader whose fetches are driven by this
/// task, and only while execution is blocked on them. Every key requested at
/// one level of the query, for any number of parents, is then in one batch:
/// the number of statements does not depend on the page size or on how long
/// a pass over the parents takes. (async-graphql's default spawns each fetch
/// after a fixed delay, which splits batches whenever a pass takes longer.)
pub async fn execute_batched(
    schema: &crate::graphql::FactlineSchema,
    db: &Reader,
    request: Request,
) -> Response {
    let (tx, rx) = futures::channel::mpsc::unbounded::<BoxFuture<'static, ()>>();
    let loader = DataLoader::new(
        crate::graphql::loaders::DbLoader { db: db.clone() },
        move |fetch| {
            // The receiver lives as long as the execution that uses the loader.
            let _ = tx.unbounded_send(fetch);
        },
    )
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
