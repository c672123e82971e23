//! Live changes for subscribers: one poller per process reads the feed
//! after the last `seq` it saw and fans each change out to every
//! subscriber. It runs only while someone listens, reads the primary (a
//! replica would lag), and looks at once when this process commits a write
//! (`changes::committed`), else every `poll`. The revisions are the feed,
//! not the signal, so writes by another replica or by the CLI arrive too,
//! at the next poll, and none is skipped: writers commit in `seq` order
//! (`begin_write`).

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::broadcast;

use super::{Tick, after_seq, committed, latest_seq};
use crate::error::Result;

/// Changes a subscriber may fall behind by before it is told to resync.
const BACKLOG: usize = 1024;
/// Changes read per poll; a longer run is read in several at once.
const BATCH: u64 = 500;

pub struct Hub {
    db: DatabaseConnection,
    poll: Duration,
    tx: broadcast::Sender<Arc<Tick>>,
    /// Whether the poller runs; taken while it starts or stops, so a
    /// subscriber arriving as the last one leaves is never left without one.
    running: tokio::sync::Mutex<bool>,
}

impl Hub {
    pub fn new(db: DatabaseConnection, poll: Duration) -> Arc<Self> {
        Arc::new(Hub {
            db,
            poll,
            tx: broadcast::channel(BACKLOG).0,
            running: tokio::sync::Mutex::new(false),
        })
    }

    /// The changes committed from now on. When no poller runs, the latest
    /// `seq` is read before this returns, so a write committed after the
    /// call is always delivered.
    pub async fn subscribe(self: &Arc<Self>) -> Result<broadcast::Receiver<Arc<Tick>>> {
        let mut running = self.running.lock().await;
        let rx = self.tx.subscribe();
        if !*running {
            let last = latest_seq(&self.db).await?;
            *running = true;
            let hub = self.clone();
            tokio::spawn(async move {
                use futures::FutureExt;
                // A poller that died must not leave `running` set, or no
                // later subscriber would start another.
                if std::panic::AssertUnwindSafe(hub.clone().run(last))
                    .catch_unwind()
                    .await
                    .is_err()
                {
                    tracing::error!("the change feed's poller panicked");
                    *hub.running.lock().await = false;
                }
            });
        }
        Ok(rx)
    }

    async fn run(self: Arc<Self>, mut last: i64) {
        loop {
            // Registered before the read, so a commit during it still wakes
            // the wait after it.
            let woken = committed().notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            {
                let mut running = self.running.lock().await;
                if self.tx.receiver_count() == 0 {
                    *running = false;
                    return;
                }
            }
            let full = match after_seq(&self.db, last, BATCH).await {
                Ok(ticks) => {
                    let full = ticks.len() as u64 == BATCH;
                    for t in ticks {
                        last = t.seq;
                        // No receiver left is fine: the check above ends us.
                        let _ = self.tx.send(Arc::new(t));
                    }
                    full
                }
                Err(e) => {
                    tracing::warn!(error = %e, "reading the change feed for subscribers; retrying");
                    false
                }
            };
            if !full {
                tokio::select! {
                    () = &mut woken => {}
                    () = tokio::time::sleep(self.poll) => {}
                }
            }
        }
    }
}
