//! As-of reads: the records as they stood at a past time, rebuilt from the
//! revisions. The state after the last write at or before the time (its
//! `seq`, see `changes`) is imported into an in-memory SQLite database of
//! its own, versions and time stamps as they were; every read route then
//! runs unchanged against it, so an as-of record, list or export is exactly
//! what a live one was then. The revisions never change, so a state, once
//! built, is kept (the last few, by `seq`) for the next request.
//!
//! Building a state costs an import of it: bounded by `max_records`, past
//! which as-of reads are refused rather than allowed to exhaust memory.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use super::Conn;
use super::dataset::Dataset;
use crate::db::entities::{group, legal_outcome, operation, revision, source, target};
use crate::db::rows;
use crate::error::{Error, Result};

/// States kept built: a citing reader and a few others at once.
const KEPT: usize = 4;

/// The most records a state may hold to be rebuilt (each state is an
/// import of them).
pub const DEFAULT_MAX_RECORDS: u64 = 50_000;

/// What an `as_of` looks like: an RFC 3339 time (the OpenAPI document
/// states it; `parse` decides).
pub const PATTERN: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$";
/// The longest `as_of` accepted, in characters.
pub const MAX_LEN: usize = 64;

/// Parses an `as_of` value named `field`: an RFC 3339 time.
pub fn parse(value: &str, field: &str) -> Result<DateTime<Utc>> {
    if value.len() > MAX_LEN {
        return Err(Error::invalid(
            field,
            format!("at most {MAX_LEN} characters"),
        ));
    }
    let t = DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            Error::invalid(
                field,
                format!("{value:?} is not an RFC 3339 time (e.g. 2024-05-01T00:00:00Z)"),
            )
        })?;
    // A time still to come would answer with today's records, which later
    // writes would change: what it names could not be had again.
    if t > Utc::now() {
        return Err(Error::invalid(
            field,
            format!("{value:?} is in the future; as_of names a time that has passed"),
        ));
    }
    Ok(t)
}

/// The `seq` of the last write at or before `at` (0 before any write).
pub async fn boundary<C: Conn>(db: &C, at: DateTime<Utc>) -> Result<i64> {
    last_seq(db, Some(at)).await
}

async fn last_seq<C: Conn>(db: &C, at: Option<DateTime<Utc>>) -> Result<i64> {
    let mut q = revision::Entity::find()
        .select_only()
        .column_as(revision::Column::Seq.max(), "seq");
    if let Some(at) = at {
        q = q.filter(revision::Column::At.lte(at));
    }
    let last: Option<(Option<i64>,)> = rows::tuple(db, q).await?;
    Ok(last.and_then(|(s,)| s).unwrap_or(0))
}

/// The time of the write a state ends with (`None` for the empty state).
pub async fn time_of<C: Conn>(db: &C, seq: i64) -> Result<Option<DateTime<Utc>>> {
    Ok(rows::one(
        db,
        revision::Entity::find().filter(revision::Column::Seq.eq(seq)),
    )
    .await?
    .map(|r| r.at))
}

/// The `seq` of the latest write.
pub async fn latest<C: Conn>(db: &C) -> Result<i64> {
    last_seq(db, None).await
}

/// A record's stamps as they stood: its version, when it was created and
/// when last changed.
struct Stamp {
    version: i32,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
}

/// The records standing after write `seq`, with their stamps by (kind, slug).
async fn state<C: Conn>(db: &C, seq: i64) -> Result<(Dataset, HashMap<(String, String), Stamp>)> {
    // Each record's last revision up to `seq`; deleted ones drop out below.
    let last = Query::select()
        .expr(revision::Column::Seq.max())
        .from(revision::Entity)
        .and_where(revision::Column::Seq.lte(seq))
        .group_by_columns([revision::Column::EntityKind, revision::Column::EntitySlug])
        .to_owned();
    let revs = rows::all(
        db,
        revision::Entity::find().filter(revision::Column::Seq.in_subquery(last)),
    )
    .await?;
    let created: Vec<(String, String, Option<DateTime<Utc>>)> = rows::tuples(
        db,
        revision::Entity::find()
            .select_only()
            .column(revision::Column::EntityKind)
            .column(revision::Column::EntitySlug)
            .column_as(revision::Column::At.max(), "at")
            .filter(revision::Column::Seq.lte(seq))
            .filter(revision::Column::Action.eq("create"))
            .group_by(revision::Column::EntityKind)
            .group_by(revision::Column::EntitySlug),
    )
    .await?;
    let created: HashMap<(String, String), DateTime<Utc>> = created
        .into_iter()
        .filter_map(|(k, s, at)| Some(((k, s), at?)))
        .collect();
    let mut ds = Dataset::default();
    let mut stamps = HashMap::with_capacity(revs.len());
    let bad = |r: &revision::Model, e: serde_json::Error| {
        Error::Internal(format!(
            "revision {} of {} {:?} does not read back: {e}",
            r.version, r.entity_kind, r.entity_slug
        ))
    };
    for r in revs {
        let Some(after) = r.after.clone() else {
            continue; // deleted by then
        };
        match r.entity_kind.as_str() {
            "source" => ds
                .sources
                .push(serde_json::from_value(after).map_err(|e| bad(&r, e))?),
            "group" => ds
                .groups
                .push(serde_json::from_value(after).map_err(|e| bad(&r, e))?),
            "target" => ds
                .targets
                .push(serde_json::from_value(after).map_err(|e| bad(&r, e))?),
            "operation" => ds
                .operations
                .push(serde_json::from_value(after).map_err(|e| bad(&r, e))?),
            "legal_outcome" => ds
                .legal_outcomes
                .push(serde_json::from_value(after).map_err(|e| bad(&r, e))?),
            other => {
                return Err(Error::Internal(format!(
                    "a revision of an unknown kind {other:?}"
                )));
            }
        }
        let key = (r.entity_kind, r.entity_slug);
        let created = created.get(&key).copied().unwrap_or(r.at);
        stamps.insert(
            key,
            Stamp {
                version: r.version,
                created,
                updated: r.at,
            },
        );
    }
    Ok((ds, stamps))
}

/// Sets a kind's version and stamps as they stood, record by record.
macro_rules! restamp {
    ($db:expr, $stamps:expr, $kind:literal, $m:ident) => {
        for ((kind, slug), st) in $stamps.iter() {
            if kind != $kind {
                continue;
            }
            $m::Entity::update_many()
                .col_expr($m::Column::Version, Expr::value(st.version))
                .col_expr($m::Column::CreatedAt, Expr::value(st.created))
                .col_expr($m::Column::UpdatedAt, Expr::value(st.updated))
                .filter($m::Column::Slug.eq(slug.as_str()))
                .exec($db)
                .await?;
        }
    };
}

/// An in-memory database holding the state after write `seq` of `db`.
async fn build(db: &DatabaseConnection, seq: i64, max_records: u64) -> Result<DatabaseConnection> {
    let (ds, stamps) = state(db, seq).await?;
    if stamps.len() as u64 > max_records {
        return Err(Error::invalid(
            "as_of",
            format!(
                "as-of reads rebuild the records of the time, at most {max_records} of them; \
                 this time has {}",
                stamps.len()
            ),
        ));
    }
    let url = "sqlite::memory:";
    let snap = crate::db::connect(url, &crate::config::DbConfig::for_url(url)).await?;
    crate::db::migrate(&snap).await?;
    let txn = super::changes::begin_write(&snap).await?;
    super::import::apply(&txn, ds, None, Some("as of"), &|_, _| {}).await?;
    restamp!(&txn, stamps, "source", source);
    restamp!(&txn, stamps, "group", group);
    restamp!(&txn, stamps, "target", target);
    restamp!(&txn, stamps, "operation", operation);
    restamp!(&txn, stamps, "legal_outcome", legal_outcome);
    txn.commit().await?;
    Ok(snap)
}

/// The states built so far, by `seq`, most recently used last.
pub struct Snapshots {
    kept: Mutex<Vec<(i64, DatabaseConnection)>>,
    /// One build at a time: a burst of requests for a new time builds it once.
    building: tokio::sync::Mutex<()>,
    max_records: u64,
}

/// A state: the database holding it, and the write it ends with.
pub struct Snapshot {
    pub db: DatabaseConnection,
    pub seq: i64,
}

impl Snapshots {
    pub fn new(max_records: u64) -> Self {
        Snapshots {
            kept: Mutex::new(Vec::new()),
            building: tokio::sync::Mutex::new(()),
            max_records,
        }
    }

    fn kept(&self, seq: i64) -> Option<DatabaseConnection> {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        let i = kept.iter().position(|(s, _)| *s == seq)?;
        let hit = kept.remove(i);
        let db = hit.1.clone();
        kept.push(hit);
        Some(db)
    }

    /// The records of `db` as they stood at `at`.
    pub async fn at(&self, db: &DatabaseConnection, at: DateTime<Utc>) -> Result<Snapshot> {
        let seq = boundary(db, at).await?;
        if let Some(snap) = self.kept(seq) {
            return Ok(Snapshot { db: snap, seq });
        }
        let _one = self.building.lock().await;
        if let Some(snap) = self.kept(seq) {
            return Ok(Snapshot { db: snap, seq });
        }
        let snap = build(db, seq, self.max_records).await?;
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() >= KEPT {
            kept.remove(0);
        }
        kept.push((seq, snap.clone()));
        Ok(Snapshot { db: snap, seq })
    }
}
