//! The subscription root: live changes, as the change feed records them,
//! over WebSocket (`ws.rs`). An event carries no record, so a subscription
//! holds no database connection while it waits; a client reads what
//! changed (or resumes with `Query.changes(after: cursor)`) as it needs.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Result, SimpleObject, Subscription as SubscriptionRoot};
use futures::{Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use crate::domain::changes::hub::Hub;
use crate::graphql::error::GqlResult;

/// The kinds of records the feed reports.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RecordKind {
    Group,
    Operation,
    Target,
    LegalOutcome,
    Source,
}

impl RecordKind {
    fn of(kind: &str) -> Option<Self> {
        Some(match kind {
            "group" => RecordKind::Group,
            "operation" => RecordKind::Operation,
            "target" => RecordKind::Target,
            "legal_outcome" => RecordKind::LegalOutcome,
            "source" => RecordKind::Source,
            _ => return None,
        })
    }
}

/// One write, as it is committed.
#[derive(SimpleObject, Debug)]
pub struct ChangeEvent {
    /// Where a reader of `Query.changes` stands once it has this change:
    /// pass it as `after` to resume after a disconnection.
    pub cursor: String,
    pub kind: RecordKind,
    pub slug: String,
    /// The record's version after the write.
    pub version: i32,
    /// create, update or delete.
    pub action: String,
    pub at: chrono::DateTime<chrono::Utc>,
    /// The API key that wrote it (null for CLI imports).
    pub key_id: Option<ID>,
}

pub struct Subscription;

#[SubscriptionRoot]
impl Subscription {
    /// Every create, update and delete from now on, of the kinds asked for
    /// (all without `kinds`), within about a second of its commit, in commit
    /// order. Over WebSocket only (graphql-transport-ws at `/graphql`, with
    /// a key of any role). A subscriber that falls more than 1,024 changes
    /// behind gets an error naming the last cursor it received and the
    /// stream ends: resume from there with `Query.changes(after:)`.
    async fn changes(
        &self,
        ctx: &Context<'_>,
        kinds: Option<Vec<RecordKind>>,
    ) -> Result<impl Stream<Item = Result<ChangeEvent>> + use<>> {
        let hub = ctx.data::<Arc<Hub>>()?.clone();
        let rx = hub.subscribe().await.gql()?;
        let state = (rx, kinds, None::<String>, false);
        Ok(
            futures::stream::unfold(state, |(mut rx, kinds, mut last, done)| async move {
                if done {
                    return None;
                }
                loop {
                    match rx.recv().await {
                        Ok(tick) => {
                            let Some(kind) = RecordKind::of(&tick.kind) else {
                                continue;
                            };
                            if kinds.as_ref().is_some_and(|k| !k.contains(&kind)) {
                                continue;
                            }
                            last = Some(tick.cursor.clone());
                            let event = ChangeEvent {
                                cursor: tick.cursor.clone(),
                                kind,
                                slug: tick.slug.clone(),
                                version: tick.version,
                                action: tick.action.clone(),
                                at: tick.at,
                                key_id: tick.key_id.map(|k| ID(k.to_string())),
                            };
                            return Some((Ok(event), (rx, kinds, last, false)));
                        }
                        Err(RecvError::Lagged(n)) => {
                            let resume = last.as_deref().map_or_else(
                                || "from your last cursor".to_owned(),
                                |c| format!("with changes(after: \"{c}\")"),
                            );
                            let err = async_graphql::Error::new(format!(
                                "this subscriber fell {n} changes behind; resume {resume}"
                            ));
                            return Some((Err(err), (rx, kinds, last, true)));
                        }
                        Err(RecvError::Closed) => return None,
                    }
                }
            })
            .boxed(),
        )
    }
}
