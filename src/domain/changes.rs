//! The change feed: every create, update and delete, in commit order, from
//! the revisions. A revision's `seq` is its place in that order: writers
//! take one lock for their whole transaction (`begin_write`), so no write
//! can commit with a smaller `seq` than one a reader has already seen. A
//! cursor is therefore just the last `seq` read, plus a tag of the database
//! it came from, so a cursor from another factline is refused rather than
//! silently read against the wrong history.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement, TransactionTrait,
};
use serde::Serialize;
use uuid::Uuid;

pub mod hub;

use super::Conn;
use crate::db::entities::revision;
use crate::db::rows;
use crate::error::{Error, Result};

pub const DEFAULT_LIMIT: u64 = 100;
pub const MAX_LIMIT: u64 = 1000;
/// The longest cursor accepted, in characters (one issued has 22).
pub const MAX_CURSOR: usize = 64;

/// The advisory lock every write transaction holds on Postgres ("factwrit"
/// in ASCII; not the startup lock's key, which `serve` holds while it seeds
/// through this very path). SQLite needs none: the service writes through
/// one connection.
const WRITE_LOCK: i64 = 0x6661_6374_7772_6974;

/// Begins a write transaction that holds the writers' lock until it ends.
/// Writes are serialized by it, which keeps the feed in commit order; a
/// writer waiting behind a long import waits at most the statement
/// timeout, then gets 503 with `Retry-After` like any other timeout.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction> {
    let txn = db.begin().await?;
    if db.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [WRITE_LOCK.into()],
        ))
        .await?;
    }
    Ok(txn)
}

/// Commits a write transaction begun by [`begin_write`] and tells this
/// process's feed readers (subscriptions) to look now rather than at their
/// next poll. Writes from elsewhere (another replica, the CLI) are still
/// seen at that poll: the revisions, not this signal, are the feed.
pub async fn commit(txn: DatabaseTransaction) -> std::result::Result<(), sea_orm::DbErr> {
    txn.commit().await?;
    committed().notify_waiters();
    Ok(())
}

/// Woken after every write this process commits.
pub fn committed() -> &'static tokio::sync::Notify {
    static COMMITTED: std::sync::OnceLock<tokio::sync::Notify> = std::sync::OnceLock::new();
    COMMITTED.get_or_init(tokio::sync::Notify::new)
}

/// Where a reader of the feed stands: after `seq`, in the history whose
/// first revision's id begins with `origin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    origin: [u8; 8],
    seq: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let mut b = Vec::with_capacity(16);
        b.extend_from_slice(&self.origin);
        b.extend_from_slice(&self.seq.to_be_bytes());
        URL_SAFE_NO_PAD.encode(b)
    }

    /// Reads a cursor `field` holds, refusing (400) what this service did
    /// not issue.
    pub fn decode(s: &str, field: &str) -> Result<Self> {
        let bad = || Error::invalid(field, "not a change-feed cursor this service issued");
        if s.len() > MAX_CURSOR {
            return Err(bad());
        }
        let b = URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
        let (origin, seq) = b.split_at_checked(8).ok_or_else(bad)?;
        let seq: [u8; 8] = seq.try_into().map_err(|_| bad())?;
        Ok(Cursor {
            origin: origin.try_into().map_err(|_| bad())?,
            seq: i64::from_be_bytes(seq),
        })
    }
}

/// One write as the feed gives it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Change {
    /// Where a reader stands once it has this change.
    pub cursor: String,
    /// group, operation, target, legal_outcome or source.
    pub kind: String,
    pub slug: String,
    /// The record's version after the write (a delete's is one more than
    /// the last stored version).
    pub version: i32,
    /// create, update or delete.
    pub action: String,
    pub at: chrono::DateTime<chrono::Utc>,
    /// The API key that wrote it (null for the bundled dataset and CLI imports).
    pub key_id: Option<Uuid>,
    /// The record's new state in the dataset format; null for a delete
    /// (a tombstone).
    #[schema(value_type = Option<Object>)]
    pub record: Option<serde_json::Value>,
}

/// A page of the feed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Changes {
    pub changes: Vec<Change>,
    /// Pass as `since` for what comes next: the last change's cursor, or
    /// the one given when nothing is new (null only while the database has
    /// no history at all).
    pub next: Option<String>,
    /// Whether more changes were already committed when this page was read.
    pub more: bool,
}

/// The tag of this database's history: the start of its first revision's
/// id (a random UUID), so every database has its own.
async fn origin<C: Conn>(db: &C) -> Result<Option<[u8; 8]>> {
    let first = rows::one(
        db,
        revision::Entity::find().order_by_asc(revision::Column::Seq),
    )
    .await?;
    Ok(first.map(|r| {
        let mut o = [0u8; 8];
        o.copy_from_slice(&r.id.as_bytes()[..8]);
        o
    }))
}

/// The changes after the cursor `since` (from the beginning without one),
/// at most `limit` of them; `field` names the cursor's parameter in errors.
pub async fn page<C: Conn>(
    db: &C,
    since: Option<&str>,
    field: &str,
    limit: u64,
) -> Result<Changes> {
    let since = since.map(|s| Cursor::decode(s, field)).transpose()?;
    let origin = origin(db).await?;
    let after = match (since, origin) {
        (None, _) => 0,
        (Some(c), Some(o)) if c.origin == o => c.seq,
        (Some(_), _) => {
            return Err(Error::invalid(
                field,
                "a cursor from another database's change feed",
            ));
        }
    };
    let limit = limit.clamp(1, MAX_LIMIT);
    let mut revs = rows::all(
        db,
        revision::Entity::find()
            .filter(revision::Column::Seq.gt(after))
            .order_by_asc(revision::Column::Seq)
            .limit(limit + 1),
    )
    .await?;
    let more = revs.len() as u64 > limit;
    revs.truncate(limit as usize);
    let Some(origin) = origin else {
        return Ok(Changes {
            changes: Vec::new(),
            next: None,
            more: false,
        });
    };
    let cursor = |seq| Cursor { origin, seq }.encode();
    let next = Some(cursor(revs.last().map_or(after, |r| r.seq)));
    let changes = revs
        .into_iter()
        .map(|r| Change {
            cursor: cursor(r.seq),
            kind: r.entity_kind,
            slug: r.entity_slug,
            version: r.version,
            action: r.action,
            at: r.at,
            key_id: r.actor_key_id,
            record: r.after,
        })
        .collect();
    Ok(Changes {
        changes,
        next,
        more,
    })
}

/// A change as a subscription carries it: without the record, which a
/// subscriber reads (as it stands now) if it wants it.
#[derive(Debug, Clone)]
pub struct Tick {
    pub seq: i64,
    pub cursor: String,
    pub kind: String,
    pub slug: String,
    pub version: i32,
    pub action: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub key_id: Option<Uuid>,
}

/// The `seq` of the latest change (0 with no history).
pub async fn latest_seq<C: Conn>(db: &C) -> Result<i64> {
    let last = rows::tuple::<i64, _, _>(
        db,
        revision::Entity::find()
            .select_only()
            .column(revision::Column::Seq)
            .order_by_desc(revision::Column::Seq)
            .limit(1),
    )
    .await?;
    Ok(last.unwrap_or(0))
}

/// A revision's columns a [`Tick`] takes, in `select` order.
type TickRow = (
    i64,
    String,
    String,
    i32,
    String,
    chrono::DateTime<chrono::Utc>,
    Option<Uuid>,
);

/// At most `limit` changes after `seq`, in commit order, without the
/// records (one indexed range read).
pub async fn after_seq<C: Conn>(db: &C, seq: i64, limit: u64) -> Result<Vec<Tick>> {
    use revision::Column as R;
    let rows = rows::tuples::<TickRow, _, _>(
        db,
        revision::Entity::find()
            .select_only()
            .columns([
                R::Seq,
                R::EntityKind,
                R::EntitySlug,
                R::Version,
                R::Action,
                R::At,
                R::ActorKeyId,
            ])
            .filter(R::Seq.gt(seq))
            .order_by_asc(R::Seq)
            .limit(limit),
    )
    .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let Some(origin) = origin(db).await? else {
        return Ok(Vec::new());
    };
    Ok(rows
        .into_iter()
        .map(|(seq, kind, slug, version, action, at, key_id)| Tick {
            seq,
            cursor: Cursor { origin, seq }.encode(),
            kind,
            slug,
            version,
            action,
            at,
            key_id,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_anything_else_is_refused() {
        let c = Cursor {
            origin: *b"abcdefgh",
            seq: 42,
        };
        assert_eq!(Cursor::decode(&c.encode(), "since").unwrap(), c);
        for bad in [
            "",
            "x",
            "abc!",
            &"A".repeat(100),
            &URL_SAFE_NO_PAD.encode([1u8; 15]),
        ] {
            let e = Cursor::decode(bad, "since").unwrap_err();
            assert!(e.to_string().contains("cursor"), "{bad}: {e}");
        }
    }
}
