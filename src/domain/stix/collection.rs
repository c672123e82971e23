//! The STIX objects as a TAXII collection serves them: every object of the
//! STIX export as its latest version, and, from the revisions, the versions
//! before it (an edited record is a new version of the same id with a later
//! `modified`). An object version was added when its record's write
//! committed, which is its `modified`; objects of records deleted since, and
//! relationships of links removed since, are not served (the export no
//! longer holds them, and their last version would pass for current).
//!
//! The collection is built whole for one state of the database (its last
//! write's `seq`) and kept until the next write: TAXII clients page with
//! filters in any combination, which a sorted list answers simply. Building
//! reads every record and revision, so it is bounded (`MAX_REVISIONS`).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Map, Value};

use super::{Stix, preamble};
use crate::db::entities::revision;
use crate::db::rows;
use crate::domain::Conn;
use crate::domain::encode::{Batch, Stamps};
use crate::domain::export::{Walker, cited_sources, counts};
use crate::error::{Error, Result};

/// The most revisions a collection is built from.
pub const MAX_REVISIONS: u64 = 250_000;

/// One version of one object.
#[derive(Debug)]
pub struct Entry {
    pub id: String,
    pub kind: String,
    /// Its `modified`, as the object has it: the version's name.
    pub version: String,
    /// When it was added: its `modified` as a time.
    pub added: DateTime<Utc>,
    /// The object, as JSON.
    pub json: String,
}

/// Every version of every object, by when it was added (then id).
#[derive(Debug)]
pub struct Collection {
    /// The write this collection is of.
    pub seq: i64,
    pub entries: Vec<Entry>,
    /// Each id's first and last version.
    pub span: HashMap<String, (String, String)>,
}

fn key(batch: &Batch) -> Vec<(&'static str, String, Stamps)> {
    match batch {
        Batch::Sources(_) => Vec::new(),
        Batch::Groups(v) => v
            .iter()
            .map(|(s, r)| ("group", r.slug.clone(), *s))
            .collect(),
        Batch::Targets(v) => v
            .iter()
            .map(|(s, r)| ("target", r.slug.clone(), *s))
            .collect(),
        Batch::Operations(v) => v
            .iter()
            .map(|(s, r)| ("operation", r.slug.clone(), *s))
            .collect(),
        Batch::LegalOutcomes(v) => v
            .iter()
            .map(|(s, r)| ("legal_outcome", r.slug.clone(), *s))
            .collect(),
    }
}

/// An earlier state of a record as a batch of one, stamped with when the
/// record was created and when this state was written.
fn earlier(r: &revision::Model, stamps: Stamps) -> Result<Option<Batch>> {
    let Some(after) = r.after.clone() else {
        return Ok(None);
    };
    let bad = |e: serde_json::Error| {
        Error::Internal(format!(
            "revision {} of {} {:?} does not read back: {e}",
            r.version, r.entity_kind, r.entity_slug
        ))
    };
    Ok(Some(match r.entity_kind.as_str() {
        "group" => Batch::Groups(vec![(stamps, serde_json::from_value(after).map_err(bad)?)]),
        "target" => Batch::Targets(vec![(stamps, serde_json::from_value(after).map_err(bad)?)]),
        "operation" => {
            Batch::Operations(vec![(stamps, serde_json::from_value(after).map_err(bad)?)])
        }
        "legal_outcome" => {
            Batch::LegalOutcomes(vec![(stamps, serde_json::from_value(after).map_err(bad)?)])
        }
        _ => return Ok(None), // sources are references, not objects
    }))
}

fn entry(o: Map<String, Value>) -> Option<Entry> {
    let text = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
    let (id, kind, version) = (text("id")?, text("type")?, text("modified")?);
    let added = DateTime::parse_from_rfc3339(&version)
        .ok()?
        .with_timezone(&Utc);
    Some(Entry {
        id,
        kind,
        version,
        added,
        json: Value::Object(o).to_string(),
    })
}

/// Builds the collection of the database's current state, on Postgres in
/// one snapshot (a repeatable-read, read-only transaction) as exports do.
pub async fn build_consistent(db: &sea_orm::DatabaseConnection) -> Result<Collection> {
    use sea_orm::{AccessMode, DbBackend, IsolationLevel, TransactionTrait};
    if db.get_database_backend() != DbBackend::Postgres {
        return build(db).await;
    }
    let txn = db
        .begin_with_config(
            Some(IsolationLevel::RepeatableRead),
            Some(AccessMode::ReadOnly),
        )
        .await?;
    let built = build(&txn).await;
    txn.rollback().await?;
    built
}

/// Builds the collection of the state `db` shows.
pub async fn build<C: Conn>(db: &C) -> Result<Collection> {
    let seq = crate::domain::asof::latest(db).await?;
    let n = rows::count(db, revision::Entity::find()).await?;
    if n > MAX_REVISIONS {
        return Err(Error::Busy(format!(
            "the TAXII collection is built from at most {MAX_REVISIONS} revisions; this database has {n}"
        )));
    }
    let mut entries = Vec::new();
    let mut seen = HashSet::new();
    let mut keep = |o: Map<String, Value>, entries: &mut Vec<Entry>| {
        if let Some(e) = entry(o)
            && seen.insert((e.id.clone(), e.version.clone()))
        {
            entries.push(e);
        }
    };
    // The latest versions: the export's objects.
    let mut stix = Stix::new(counts(db).await?);
    preamble().into_iter().for_each(|o| keep(o, &mut entries));
    let mut live: HashMap<(String, String), Stamps> = HashMap::new();
    let mut walker = Walker::default();
    while let Some(batch) = walker.next(db).await? {
        live.extend(
            key(&batch)
                .into_iter()
                .map(|(k, s, st)| ((k.to_owned(), s), st)),
        );
        let cited = cited_sources(db, &batch).await?;
        for o in stix.objects(&batch, &cited) {
            keep(o, &mut entries);
        }
    }
    let live_ids: HashSet<String> = entries.iter().map(|e| e.id.clone()).collect();
    // The versions before them, from the revisions of the records still held.
    let revs = rows::all(
        db,
        revision::Entity::find()
            .filter(revision::Column::EntityKind.ne("source"))
            .filter(revision::Column::Action.ne("delete"))
            .order_by_asc(revision::Column::Seq),
    )
    .await?;
    let mut old = Stix::new(Default::default());
    for r in &revs {
        let Some(live_stamps) = live.get(&(r.entity_kind.clone(), r.entity_slug.clone())) else {
            continue;
        };
        // The latest version is kept already; one before the record's
        // creation belongs to an earlier record of the same slug, deleted
        // since (its `modified` would precede the object's `created`).
        if r.at >= live_stamps.modified || r.at < live_stamps.created {
            continue;
        }
        let stamps = Stamps {
            modified: r.at,
            ..*live_stamps
        };
        let Some(batch) = earlier(r, stamps)? else {
            continue;
        };
        let cited = cited_sources(db, &batch).await?;
        for o in old.objects(&batch, &cited) {
            // A link an edit removed (a relationship no longer exported) is
            // not served: its last version would pass for current.
            if o.get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| live_ids.contains(id))
            {
                keep(o, &mut entries);
            }
        }
    }
    entries.sort_by(|a, b| (a.added, &a.id, &a.version).cmp(&(b.added, &b.id, &b.version)));
    let mut span: HashMap<String, (String, String)> = HashMap::new();
    for e in &entries {
        span.entry(e.id.clone())
            .and_modify(|(_, last)| last.clone_from(&e.version))
            .or_insert_with(|| (e.version.clone(), e.version.clone()));
    }
    Ok(Collection { seq, entries, span })
}

/// The id of factline's one collection (a UUIDv5, so it never changes).
pub fn collection_id() -> String {
    uuid::Uuid::new_v5(&super::parts::STIX_NAMESPACE, b"taxii-collection/factline").to_string()
}
