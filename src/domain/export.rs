//! Whole-database exports that stream: records are read a batch at a time in
//! a fixed order (sources, groups, targets, operations, legal outcomes; slug
//! order within each), so memory stays flat however large the database is.
//! The encoders turn batches into bytes: the dataset JSON `factline import`
//! reads, NDJSON (one record per line, also importable), STIX 2.1, and a
//! MISP galaxy cluster of the groups (which walks the groups alone).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use super::Conn;
use super::dataset::{self, SourceRecord};
use super::encode::{Batch, Counts, Encoder, Kind, Stamps};
use super::file::Line;
use super::snapshot;
use crate::db::entities::{group, legal_outcome, operation, source, target};
use crate::db::rows;
use crate::error::{Error, Result};

/// Rows read per query: large enough that round trips do not dominate, small
/// enough that a batch and its relations stay a few megabytes.
pub const BATCH: u64 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The dataset file format (data/factline.json); `factline import` reads it.
    Json,
    /// One JSON record per line, a header line first; `factline import` reads it.
    Ndjson,
    /// A STIX 2.1 bundle for threat-intelligence platforms.
    Stix,
    /// One collection's CSV, as its list gives it (`--collection`; CLI only).
    Csv,
    /// The groups as a MISP galaxy cluster (`value`s with synonyms and refs).
    MispGalaxy,
}

impl Format {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "json" => Some(Format::Json),
            "ndjson" => Some(Format::Ndjson),
            "stix" => Some(Format::Stix),
            "misp-galaxy" => Some(Format::MispGalaxy),
            _ => None,
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Json | Format::MispGalaxy => "application/json",
            Format::Ndjson => "application/x-ndjson",
            Format::Stix => "application/stix+json;version=2.1",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Stix => "stix.json",
            Format::Csv => "csv",
            Format::MispGalaxy => "misp-galaxy.json",
        }
    }
}

macro_rules! latest {
    ($db:expr, $m:ident) => {
        rows::one($db, $m::Entity::find().order_by_desc($m::Column::UpdatedAt))
            .await?
            .map(|r| r.updated_at)
    };
}

pub async fn counts<C: Conn>(db: &C) -> Result<Counts> {
    let latest = [
        latest!(db, source),
        latest!(db, group),
        latest!(db, target),
        latest!(db, operation),
        latest!(db, legal_outcome),
    ]
    .into_iter()
    .flatten()
    .max();
    Ok(Counts {
        sources: rows::count(db, source::Entity::find()).await?,
        groups: rows::count(db, group::Entity::find()).await?,
        targets: rows::count(db, target::Entity::find()).await?,
        operations: rows::count(db, operation::Entity::find()).await?,
        legal_outcomes: rows::count(db, legal_outcome::Entity::find()).await?,
        latest,
    })
}

/// Reads the database batch by batch, by slug keyset within each collection,
/// walking only the collections it was given.
pub struct Walker {
    kinds: &'static [Kind],
    /// Index into `kinds` of the collection being read; past the end when done.
    at: usize,
    after: Option<String>,
    batch: u64,
}

impl Default for Walker {
    fn default() -> Self {
        Walker {
            kinds: Kind::ALL,
            at: 0,
            after: None,
            batch: BATCH,
        }
    }
}

macro_rules! page {
    ($db:expr, $m:ident, $after:expr, $limit:expr) => {{
        let mut q = $m::Entity::find().order_by_asc($m::Column::Slug);
        if let Some(a) = $after {
            q = q.filter($m::Column::Slug.gt(a.as_str()));
        }
        rows::all($db, q.limit($limit)).await?
    }};
}

fn stamped<M, R>(rows: &[M], records: Vec<R>, stamps: impl Fn(&M) -> Stamps) -> Vec<(Stamps, R)> {
    rows.iter().map(stamps).zip(records).collect()
}

impl Walker {
    /// A walker reading `batch` rows per query.
    pub fn with_batch(batch: u64) -> Self {
        Walker {
            batch: batch.max(1),
            ..Walker::default()
        }
    }

    /// A walker reading only `kinds` (in the order given), as an encoder
    /// asks (`Encoder::kinds`).
    pub fn reading(kinds: &'static [Kind]) -> Self {
        Walker {
            kinds,
            ..Walker::default()
        }
    }

    /// The next batch, or `None` when every collection has been read.
    pub async fn next<C: Conn>(&mut self, db: &C) -> Result<Option<Batch>> {
        loop {
            let after = self.after.as_ref();
            let limit = self.batch;
            let Some(&kind) = self.kinds.get(self.at) else {
                return Ok(None);
            };
            let (batch, last) = match kind {
                Kind::Sources => {
                    let rows = page!(db, source, after, limit);
                    let last = rows.last().map(|r| r.slug.clone());
                    let recs = rows.iter().map(snapshot::source_record).collect();
                    let b = stamped(&rows, recs, |r| Stamps {
                        id: r.id,
                        created: r.created_at,
                        modified: r.updated_at,
                    });
                    (Batch::Sources(b), last)
                }
                Kind::Groups => {
                    let rows = page!(db, group, after, limit);
                    let last = rows.last().map(|r| r.slug.clone());
                    let recs = snapshot::group_records(db, &rows).await?;
                    let b = stamped(&rows, recs, |r| Stamps {
                        id: r.id,
                        created: r.created_at,
                        modified: r.updated_at,
                    });
                    (Batch::Groups(b), last)
                }
                Kind::Targets => {
                    let rows = page!(db, target, after, limit);
                    let last = rows.last().map(|r| r.slug.clone());
                    let recs = snapshot::target_records(db, &rows).await?;
                    let b = stamped(&rows, recs, |r| Stamps {
                        id: r.id,
                        created: r.created_at,
                        modified: r.updated_at,
                    });
                    (Batch::Targets(b), last)
                }
                Kind::Operations => {
                    let rows = page!(db, operation, after, limit);
                    let last = rows.last().map(|r| r.slug.clone());
                    let recs = snapshot::operation_records(db, &rows).await?;
                    let b = stamped(&rows, recs, |r| Stamps {
                        id: r.id,
                        created: r.created_at,
                        modified: r.updated_at,
                    });
                    (Batch::Operations(b), last)
                }
                Kind::LegalOutcomes => {
                    let rows = page!(db, legal_outcome, after, limit);
                    let last = rows.last().map(|r| r.slug.clone());
                    let recs = snapshot::legal_outcome_records(db, &rows).await?;
                    let b = stamped(&rows, recs, |r| Stamps {
                        id: r.id,
                        created: r.created_at,
                        modified: r.updated_at,
                    });
                    (Batch::LegalOutcomes(b), last)
                }
            };
            if batch.is_empty() {
                self.at += 1;
                self.after = None;
                continue;
            }
            self.after = last;
            return Ok(Some(batch));
        }
    }
}

/// The sources a batch cites, by slug (one query per batch).
pub async fn cited_sources<C: Conn>(
    db: &C,
    batch: &Batch,
) -> Result<HashMap<String, SourceRecord>> {
    let slugs = batch.cited_sources();
    let mut out = HashMap::with_capacity(slugs.len());
    // Bounded chunks keep the statement's parameter count in range.
    for chunk in slugs.chunks(1000) {
        let rows = rows::all(
            db,
            source::Entity::find().filter(source::Column::Slug.is_in(chunk.iter().cloned())),
        )
        .await?;
        for r in rows {
            out.insert(r.slug.clone(), snapshot::source_record(&r));
        }
    }
    Ok(out)
}

/// What an export is of, for citing it: the last write it holds (and its
/// time, or the time asked for), and the SHA-256 of its records as the
/// NDJSON export writes them after its header line, the same whatever the
/// format (`tail -n +2 export.ndjson | sha256sum` gives it back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// RFC 3339; `None` for a database no one has written to.
    pub as_of: Option<String>,
    pub sha256: String,
}

/// The encoder for a format. `counts` makes the STIX bundle id depend on the
/// data, so two exports of the same data are byte-identical.
pub fn encoder(format: Format, counts: Counts, id: Option<&Identity>) -> Box<dyn Encoder> {
    match format {
        // CSV is written per collection by the REST layer's CSV writer; as a
        // whole-database format it is the NDJSON stream.
        Format::Ndjson | Format::Csv => Box::new(Ndjson(id.cloned())),
        Format::Json => Box::new(Json {
            id: id.cloned(),
            ..Json::default()
        }),
        Format::Stix => Box::new(super::stix::Stix::new(counts)),
        Format::MispGalaxy => Box::new(super::misp::Galaxy::new(counts)),
    }
}

fn json_line<T: Serialize>(out: &mut Vec<u8>, v: &T) {
    // Records are plain data: serializing them cannot fail.
    let _ = serde_json::to_writer(&mut *out, v);
    out.push(b'\n');
}

struct Ndjson(Option<Identity>);

impl Encoder for Ndjson {
    fn begin(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        json_line(
            &mut out,
            &Line::Header {
                format: dataset::FORMAT.to_owned(),
                version: dataset::FORMAT_VERSION,
                as_of: self.0.as_ref().and_then(|i| i.as_of.clone()),
                sha256: self.0.as_ref().map(|i| i.sha256.clone()),
            },
        );
        out
    }

    fn batch(&mut self, batch: &Batch, _: &HashMap<String, SourceRecord>) -> Vec<u8> {
        let mut out = Vec::with_capacity(batch.len() * 512);
        match batch {
            Batch::Sources(v) => v
                .iter()
                .for_each(|(_, r)| json_line(&mut out, &Line::Source(r.clone()))),
            Batch::Groups(v) => v
                .iter()
                .for_each(|(_, r)| json_line(&mut out, &Line::Group(r.clone()))),
            Batch::Targets(v) => v
                .iter()
                .for_each(|(_, r)| json_line(&mut out, &Line::Target(r.clone()))),
            Batch::Operations(v) => v
                .iter()
                .for_each(|(_, r)| json_line(&mut out, &Line::Operation(r.clone()))),
            Batch::LegalOutcomes(v) => v
                .iter()
                .for_each(|(_, r)| json_line(&mut out, &Line::LegalOutcome(r.clone()))),
        }
        out
    }

    fn end(&mut self) -> Vec<u8> {
        Vec::new()
    }
}

/// The dataset document, written piece by piece: each collection's array is
/// opened when its first batch arrives (collections come in file order).
#[derive(Default)]
struct Json {
    id: Option<Identity>,
    open: Option<&'static str>,
    first: bool,
}

impl Json {
    fn enter(&mut self, out: &mut Vec<u8>, key: &'static str) {
        if self.open == Some(key) {
            return;
        }
        if self.open.is_some() {
            out.extend_from_slice(b"\n  ],");
        }
        out.extend_from_slice(format!("\n  \"{key}\": [").as_bytes());
        self.open = Some(key);
        self.first = true;
    }

    fn item<T: Serialize>(&mut self, out: &mut Vec<u8>, v: &T) {
        out.extend_from_slice(if self.first { b"\n    " } else { b",\n    " });
        self.first = false;
        let _ = serde_json::to_writer(&mut *out, v);
    }
}

impl Encoder for Json {
    fn begin(&mut self) -> Vec<u8> {
        let mut out = format!(
            "{{\n  \"format\": \"{}\",\n  \"version\": {},",
            dataset::FORMAT,
            dataset::FORMAT_VERSION
        );
        if let Some(id) = &self.id {
            if let Some(t) = &id.as_of {
                out.push_str(&format!(
                    "\n  \"as_of\": {},",
                    serde_json::Value::from(t.as_str())
                ));
            }
            out.push_str(&format!("\n  \"sha256\": \"{}\",", id.sha256));
        }
        out.into_bytes()
    }

    fn batch(&mut self, batch: &Batch, _: &HashMap<String, SourceRecord>) -> Vec<u8> {
        let mut out = Vec::with_capacity(batch.len() * 512);
        match batch {
            Batch::Sources(v) => {
                self.enter(&mut out, "sources");
                v.iter().for_each(|(_, r)| self.item(&mut out, r));
            }
            Batch::Groups(v) => {
                self.enter(&mut out, "groups");
                v.iter().for_each(|(_, r)| self.item(&mut out, r));
            }
            Batch::Targets(v) => {
                self.enter(&mut out, "targets");
                v.iter().for_each(|(_, r)| self.item(&mut out, r));
            }
            Batch::Operations(v) => {
                self.enter(&mut out, "operations");
                v.iter().for_each(|(_, r)| self.item(&mut out, r));
            }
            Batch::LegalOutcomes(v) => {
                self.enter(&mut out, "legal_outcomes");
                v.iter().for_each(|(_, r)| self.item(&mut out, r));
            }
        }
        out
    }

    fn end(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        if self.open.is_some() {
            out.extend_from_slice(b"\n  ]");
        } else {
            // Nothing was written: drop the trailing comma of the header.
            out.extend_from_slice(b"\n  \"sources\": []");
        }
        out.extend_from_slice(b"\n}\n");
        out
    }
}

/// What an export task sends: the counts and what the export is of first,
/// then chunks of output.
pub enum Message {
    Start(Counts, Identity),
    /// Encoded bytes and how many records they hold.
    Chunk(Vec<u8>, u64),
    /// Everything was sent; a channel that closes without it was cut short.
    Done,
    Failed(Error),
}

/// How many chunks may wait in the channel: memory stays at a few batches
/// however slow the reader is.
const CHANNEL: usize = 4;

/// Runs an export on its own task and returns the receiving end. On Postgres
/// the whole export reads one snapshot (a repeatable-read, read-only
/// transaction), so records written meanwhile never half-appear.
/// `permit`, if any, is held until the export ends.
///
/// A reader that takes nothing for `stall` (a client that stopped reading)
/// ends the export: its permit and its transaction are freed, and the
/// reader finds the stream cut short.
pub fn spawn(
    db: sea_orm::DatabaseConnection,
    format: Format,
    as_of: Option<DateTime<Utc>>,
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
    stall: std::time::Duration,
) -> tokio::sync::mpsc::Receiver<Message> {
    let (tx, rx) = tokio::sync::mpsc::channel(CHANNEL);
    tokio::spawn(async move {
        let _permit = permit;
        let out = Out { tx: &tx, stall };
        if let Err(e) = produce(&db, format, as_of, &out).await {
            out.send(Message::Failed(e)).await;
        }
    });
    rx
}

/// The sending end of an export with its stall timeout.
struct Out<'a> {
    tx: &'a tokio::sync::mpsc::Sender<Message>,
    stall: std::time::Duration,
}

impl Out<'_> {
    /// Sends a message; `false` when the reader went away or stalled, and
    /// the export should stop.
    async fn send(&self, m: Message) -> bool {
        match tokio::time::timeout(self.stall, self.tx.send(m)).await {
            Ok(sent) => sent.is_ok(),
            Err(_) => {
                tracing::warn!(
                    stall_ms = u64::try_from(self.stall.as_millis()).unwrap_or(u64::MAX),
                    "export reader took nothing for the stall timeout: export ended"
                );
                false
            }
        }
    }
}

async fn produce(
    db: &sea_orm::DatabaseConnection,
    format: Format,
    as_of: Option<DateTime<Utc>>,
    tx: &Out<'_>,
) -> Result<()> {
    use sea_orm::{AccessMode, DbBackend, IsolationLevel, TransactionTrait};
    if db.get_database_backend() == DbBackend::Postgres {
        let txn = db
            .begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await?;
        let r = produce_on(&txn, format, as_of, tx).await;
        txn.rollback().await?;
        r
    } else {
        // SQLite has one connection for the whole service: holding it in a
        // transaction for a long export would stall every other request.
        // A write between the two passes would make the stream disagree
        // with its hash: it is then cut short rather than sent as cited.
        let before = super::asof::latest(db).await?;
        let r = produce_on(db, format, as_of, tx).await;
        if r.is_ok() && super::asof::latest(db).await? != before {
            return Err(Error::Busy(
                "the records changed while they were exported; export again".into(),
            ));
        }
        r
    }
}

/// The SHA-256 of every record as the NDJSON export writes it (its header
/// line aside): a first pass over what the export then streams.
async fn records_sha256<C: Conn>(db: &C) -> Result<String> {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    let mut enc = Ndjson(None);
    let mut walker = Walker::default();
    let none = HashMap::new();
    while let Some(batch) = walker.next(db).await? {
        h.update(enc.batch(&batch, &none));
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// What the export on `db` is of: the time asked for, else the time of
/// the latest write it holds.
pub async fn identity<C: Conn>(db: &C, as_of: Option<DateTime<Utc>>) -> Result<Identity> {
    let at = match as_of {
        Some(t) => Some(t),
        None => super::asof::time_of(db, super::asof::latest(db).await?).await?,
    };
    Ok(Identity {
        as_of: at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
        sha256: records_sha256(db).await?,
    })
}

async fn produce_on<C: Conn>(
    db: &C,
    format: Format,
    as_of: Option<DateTime<Utc>>,
    tx: &Out<'_>,
) -> Result<()> {
    let counts = counts(db).await?;
    let id = identity(db, as_of).await?;
    let mut enc = encoder(format, counts, Some(&id));
    if !tx.send(Message::Start(counts, id)).await {
        return Ok(());
    }
    if !tx.send(Message::Chunk(enc.begin(), 0)).await {
        return Ok(());
    }
    let mut walker = Walker::reading(enc.kinds());
    let none = HashMap::new();
    while let Some(batch) = walker.next(db).await? {
        let cited = if enc.needs_sources() {
            cited_sources(db, &batch).await?
        } else {
            HashMap::new()
        };
        let bytes = enc.batch(&batch, if cited.is_empty() { &none } else { &cited });
        // The reader went away (client disconnected) or stalled: stop
        // reading the database.
        if !tx.send(Message::Chunk(bytes, batch.len() as u64)).await {
            return Ok(());
        }
    }
    if tx.send(Message::Chunk(enc.end(), 0)).await {
        tx.send(Message::Done).await;
    }
    Ok(())
}
