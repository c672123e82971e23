//! What a connection's pump, its executor and its input share: the
//! clocks behind the idle and liveness checks, the running subscriptions,
//! and why the peer was refused.

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use prometheus_client::metrics::gauge::Gauge;

/// A gauge raised for as long as the guard lives.
pub(super) struct Raised(Gauge);

impl Raised {
    pub(super) fn new(g: Gauge) -> Self {
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
pub(super) struct Shared {
    /// The close code a failed `connection_init` deserves (the protocol
    /// machine says 1002 for any failure).
    pub(super) init_refused: Mutex<Option<u16>>,
    /// When the peer last sent any frame (pongs included): liveness.
    pub(super) last_heard: Mutex<Option<Instant>>,
    /// Since when the connection has had no subscription (from the ack):
    /// pings and pongs do not reset it, so a connection that only keeps
    /// itself alive still ends.
    pub(super) idle_since: Mutex<Option<Instant>>,
    pub(super) open: AtomicUsize,
    /// Why the input stopped, when the peer broke a rule the protocol
    /// machine does not check: a frame axum refused (too large, not
    /// UTF-8), or a subscribe reusing a live id.
    pub(super) fault: Mutex<Option<(u16, &'static str)>>,
    /// The ids of the subscriptions running, as the client named them.
    pub(super) live: Mutex<HashSet<String>>,
}

impl Shared {
    pub(super) fn heard(&self) {
        *lock(&self.last_heard) = Some(Instant::now());
    }
    pub(super) fn silent_for(&self) -> Duration {
        lock(&self.last_heard).map_or(Duration::ZERO, |t| t.elapsed())
    }
    /// Whether a client frame may go on to the protocol machine: a
    /// subscribe must not reuse a running id (graphql-transport-ws closes
    /// with 4409; the machine would silently replace the running one).
    pub(super) fn admits(&self, frame: &[u8]) -> bool {
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
    pub(super) fn sent(&self, frame: &str) {
        if frame.contains("\"complete\"")
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(frame)
            && let Some(id) = v["id"].as_str()
        {
            lock(&self.live).remove(id);
        }
    }

    pub(super) fn idle_from_now(&self) {
        *lock(&self.idle_since) = Some(Instant::now());
    }
    pub(super) fn idle_for(&self) -> Duration {
        if self.open.load(Ordering::SeqCst) > 0 {
            return Duration::ZERO;
        }
        lock(&self.idle_since).map_or(Duration::ZERO, |t| t.elapsed())
    }
}

pub(super) use crate::graphql::unpoisoned as lock;
