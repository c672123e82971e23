//! Loading a dataset file: validate everything first, then write in one
//! transaction. Records are matched by slug; a record equal to what is stored
//! is left alone (no version bump, no revision), so importing the same file
//! twice changes nothing.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QuerySelect, Statement, TransactionTrait,
};
use uuid::Uuid;

use super::Conn;
use super::dataset::{
    CitationRecord, Dataset, GroupRecord, KnownSlugs, LegalOutcomeRecord, NameRecord,
    OperationRecord, SourceRecord, TargetRecord, TextRecord, validate,
};
use super::edtf::Edtf;
use super::model::Subject;
use super::snapshot;
use super::text::search_key;
use crate::db::entities::{
    citation, group, legal_outcome, name, operation, operation_group, operation_tactic,
    operation_target, revision, source, target, text,
};
use crate::error::{Error, Result};

/// Namespace of the deterministic record ids (UUIDv5 of `kind/slug`), so the
/// same dataset gets the same ids on every machine.
pub const ID_NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_2a4e_9d0b_4c1e_8a53_7e2f_0b9d_4a61);

pub fn record_id(kind: &str, slug: &str) -> Uuid {
    Uuid::new_v5(&ID_NAMESPACE, format!("{kind}/{slug}").as_bytes())
}

/// Most rows per multi-row INSERT on SQLite (Postgres takes JSON, see
/// `insert_as_json`). Fewer, larger statements import faster: on Postgres,
/// before the JSON path, 500 rows per statement took 25 s for the
/// benchmark's tier S and 2,000 took 10 s.
const INSERT_CHUNK: usize = 2000;

/// Records of one kind built and written together (see `Writer::write`): a
/// step's rows with their names, texts and citations stay a few tens of MB.
const RECORDS_PER_STEP: usize = 5_000;

/// Bind parameters one statement may carry (SQLite's default limit).
const MAX_PARAMS: usize = 32_766;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl ImportReport {
    pub fn total(&self) -> usize {
        self.created + self.updated + self.unchanged
    }
}

/// Reports progress as (records done, records in the file).
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// Ids of the stored records among `slugs`, keyed by slug.
async fn ids_of<E: EntityTrait, C: Conn>(
    db: &C,
    id: E::Column,
    slug: E::Column,
    slugs: &HashSet<String>,
) -> Result<HashMap<String, Uuid>> {
    let slugs: Vec<&String> = slugs.iter().collect();
    let mut out = HashMap::new();
    for chunk in slugs.chunks(super::relations::CHUNK) {
        out.extend(
            E::find()
                .select_only()
                .column(slug)
                .column(id)
                .filter(slug.is_in(chunk.iter().map(|s| s.as_str())))
                .into_tuple::<(String, Uuid)>()
                .all(db)
                .await?,
        );
    }
    Ok(out)
}

/// Every slug a dataset mentions, by kind: its own records and the records
/// they refer to. Lookups touch only these, not whole tables.
#[derive(Debug, Default)]
struct Mentioned {
    sources: HashSet<String>,
    groups: HashSet<String>,
    targets: HashSet<String>,
    operations: HashSet<String>,
}

impl Mentioned {
    fn of(ds: &Dataset) -> Self {
        let mut m = Mentioned::default();
        let cite = |m: &mut Mentioned, cs: &[CitationRecord]| {
            m.sources.extend(cs.iter().map(|c| c.source.clone()));
        };
        m.sources.extend(ds.sources.iter().map(|r| r.slug.clone()));
        for r in &ds.groups {
            m.groups.insert(r.slug.clone());
            m.groups.extend(r.parent.clone());
            cite(&mut m, &r.citations);
        }
        for r in &ds.targets {
            m.targets.insert(r.slug.clone());
            cite(&mut m, &r.citations);
        }
        for r in &ds.operations {
            m.operations.insert(r.slug.clone());
            m.operations.extend(r.part_of.clone());
            cite(&mut m, &r.citations);
            for g in &r.groups {
                m.groups.insert(g.group.clone());
                cite(&mut m, &g.citations);
            }
            for t in &r.targets {
                m.targets.insert(t.target.clone());
                cite(&mut m, &t.citations);
            }
        }
        for r in &ds.legal_outcomes {
            m.operations.extend(r.operation.clone());
            m.groups.extend(r.group.clone());
            cite(&mut m, &r.citations);
        }
        m
    }
}

/// Stored ids of every mentioned slug, by kind.
struct StoredIds {
    sources: HashMap<String, Uuid>,
    groups: HashMap<String, Uuid>,
    targets: HashMap<String, Uuid>,
    operations: HashMap<String, Uuid>,
}

impl StoredIds {
    async fn load<C: Conn>(db: &C, m: &Mentioned) -> Result<Self> {
        Ok(StoredIds {
            sources: ids_of::<source::Entity, _>(
                db,
                source::Column::Id,
                source::Column::Slug,
                &m.sources,
            )
            .await?,
            groups: ids_of::<group::Entity, _>(
                db,
                group::Column::Id,
                group::Column::Slug,
                &m.groups,
            )
            .await?,
            targets: ids_of::<target::Entity, _>(
                db,
                target::Column::Id,
                target::Column::Slug,
                &m.targets,
            )
            .await?,
            operations: ids_of::<operation::Entity, _>(
                db,
                operation::Column::Id,
                operation::Column::Slug,
                &m.operations,
            )
            .await?,
        })
    }

    fn known(&self) -> KnownSlugs {
        KnownSlugs {
            sources: self.sources.keys().cloned().collect(),
            groups: self.groups.keys().cloned().collect(),
            targets: self.targets.keys().cloned().collect(),
            operations: self.operations.keys().cloned().collect(),
        }
    }
}

async fn insert_chunked<A, C>(db: &C, rows: Vec<A>) -> Result<()>
where
    A: sea_orm::ActiveModelTrait + Send + 'static,
    C: Conn,
{
    use sea_orm::{EntityTrait, Iterable};
    if db.get_database_backend() == DbBackend::Postgres {
        return insert_as_json(db, rows).await;
    }
    let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
    let per_statement = INSERT_CHUNK.min(MAX_PARAMS / columns);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per_statement).collect();
        A::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Postgres: each chunk of rows goes over as one JSON text parameter,
/// unpacked by `json_populate_recordset` into the table's own row type
/// (`json` rather than `jsonb`: Postgres reads it faster, as it builds no
/// binary form first).
///
/// Why not a multi-row `INSERT … VALUES`: Postgres parses and plans every
/// one of its 2,000 × columns parameters, statement after statement, and that
/// was most of an import's time (bench/README.md). One parameter gives a
/// small, constant plan. `COPY` would be faster still but is not reachable
/// through a SeaORM transaction, and sea-query binds arrays (`unnest`) only
/// without NULL elements. The JSON is written as text straight from the
/// values, moved out of the rows: building `serde_json::Value` trees instead
/// spent half of factline's import time in the allocator.
async fn insert_as_json<A, C>(db: &C, rows: Vec<A>) -> Result<()>
where
    A: sea_orm::ActiveModelTrait + Send + 'static,
    C: Conn,
{
    use sea_orm::{EntityName, EntityTrait, Iden, Iterable};
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let table = <A::Entity as Default>::default().table_name().to_owned();
    // The columns the first row sets; the others take their defaults, so
    // every row must leave them unset too (`write_row` checks).
    let (columns, unset): (Vec<_>, Vec<_>) =
        <A::Entity as EntityTrait>::Column::iter().partition(|c| first.get(*c).is_set());
    let keys: Vec<String> = columns
        .iter()
        .map(|c| serde_json::to_string(&c.to_string()).expect("a string serializes"))
        .collect();
    let names: Vec<String> = columns
        .iter()
        .map(|c| format!("\"{}\"", c.to_string()))
        .collect();
    let names = names.join(", ");
    let sql = format!(
        "INSERT INTO \"{table}\" ({names}) SELECT {names} FROM json_populate_recordset(NULL::\"{table}\", $1::json)"
    );
    // The next chunk's JSON is written on a blocking thread while Postgres
    // inserts the current one: the two took turns before, each idle half
    // of the time (factline's share of an import's CPU is about a fifth).
    let shape = std::sync::Arc::new((table, columns, keys, unset));
    let mut rows = rows.into_iter().peekable();
    let mut next = || {
        rows.peek()?;
        let chunk: Vec<A> = rows.by_ref().take(JSON_CHUNK).collect();
        let shape = shape.clone();
        Some(tokio::task::spawn_blocking(move || {
            let (table, columns, keys, unset) = &*shape;
            let mut json = Vec::with_capacity(1 << 20);
            json.push(b'[');
            for (i, row) in chunk.into_iter().enumerate() {
                if i > 0 {
                    json.push(b',');
                }
                write_row(&mut json, row, columns, keys, unset)
                    .map_err(|column| Error::Internal(format!("import: {table}.{column}")))?;
            }
            json.push(b']');
            Ok::<_, Error>(String::from_utf8(json).expect("JSON written from strings is UTF-8"))
        }))
    };
    let mut pending = next();
    while let Some(job) = pending {
        let json = job
            .await
            .map_err(|e| Error::Internal(format!("import: writing rows: {e}")))??;
        pending = next();
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql.as_str(),
            [json.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Writes one row as a JSON object of `columns` (their JSON-quoted names in
/// `keys`), moving the values out. Refuses, naming the column, a row that
/// leaves one of `columns` unset, holds a type with no JSON form, or sets one
/// of the `unset` columns: the statement would drop that value silently.
fn write_row<A: sea_orm::ActiveModelTrait>(
    out: &mut Vec<u8>,
    mut row: A,
    columns: &[<A::Entity as sea_orm::EntityTrait>::Column],
    keys: &[String],
    unset: &[<A::Entity as sea_orm::EntityTrait>::Column],
) -> std::result::Result<(), String> {
    use sea_orm::Iden;
    if let Some(c) = unset.iter().find(|c| row.get(**c).is_set()) {
        return Err(format!(
            "{} is set in this row but not in the first",
            c.to_string()
        ));
    }
    out.push(b'{');
    for (j, (c, key)) in columns.iter().zip(keys).enumerate() {
        if j > 0 {
            out.push(b',');
        }
        out.extend_from_slice(key.as_bytes());
        out.push(b':');
        let value = row.take(*c).into_value();
        if !value.is_some_and(|v| write_json(out, &v)) {
            return Err(format!("{} is unset or has no JSON form", c.to_string()));
        }
    }
    out.push(b'}');
    Ok(())
}

/// Rows per statement on Postgres, where one parameter carries them all.
const JSON_CHUNK: usize = 5000;

/// Writes a column value as `json_populate_recordset` reads it back: text
/// in each type's input format. `false` for a type the import never writes.
fn write_json(out: &mut Vec<u8>, v: &sea_orm::Value) -> bool {
    use chrono::{Datelike, SecondsFormat};
    use sea_orm::Value as V;
    use std::io::Write;
    fn quoted(out: &mut Vec<u8>, s: &str) {
        serde_json::to_writer(out, s).expect("writing to a Vec cannot fail");
    }
    match v {
        V::Bool(None)
        | V::Int(None)
        | V::BigInt(None)
        | V::String(None)
        | V::Uuid(None)
        | V::Json(None)
        | V::ChronoDate(None)
        | V::ChronoDateTimeUtc(None) => out.extend_from_slice(b"null"),
        V::Bool(Some(b)) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        V::Int(Some(n)) => write!(out, "{n}").expect("writing to a Vec cannot fail"),
        V::BigInt(Some(n)) => write!(out, "{n}").expect("writing to a Vec cannot fail"),
        V::String(Some(s)) => quoted(out, s),
        V::Uuid(Some(u)) => write!(out, "\"{u}\"").expect("writing to a Vec cannot fail"),
        V::Json(Some(j)) => serde_json::to_writer(out, j).expect("writing to a Vec cannot fail"),
        // Postgres reads no year 0 or below in ISO form: 1 BC is year 0.
        V::ChronoDate(Some(d)) if d.year() >= 1 => {
            write!(out, "\"{}\"", d.format("%Y-%m-%d")).expect("writing to a Vec cannot fail")
        }
        V::ChronoDate(Some(d)) => write!(
            out,
            "\"{:04}-{:02}-{:02} BC\"",
            1 - d.year(),
            d.month(),
            d.day()
        )
        .expect("writing to a Vec cannot fail"),
        // Microseconds, truncated, as sqlx's binary encoding stores them.
        V::ChronoDateTimeUtc(Some(t)) => {
            quoted(out, &t.to_rfc3339_opts(SecondsFormat::Micros, true))
        }
        _ => return false,
    }
    true
}

/// Validates `ds` against itself and the database, then writes it in one
/// transaction. Nothing is written when any record is at fault.
pub async fn import(
    db: &DatabaseConnection,
    ds: Dataset,
    actor: Option<Uuid>,
    progress: Progress<'_>,
) -> Result<ImportReport> {
    let txn = db.begin().await?;
    plan_each_statement(&txn).await?;
    let upkeep = if db.get_database_backend() == DbBackend::Postgres {
        Upkeep::suspend(&txn).await?
    } else {
        Upkeep::default()
    };
    let report = apply(&txn, ds, actor, Some("import"), progress).await?;
    upkeep.restore(&txn).await?;
    txn.commit().await?;
    Ok(report)
}

/// Postgres: plans every statement of the transaction for its own values.
///
/// The pool's connections keep one generic plan per statement
/// (`plan_cache_mode`, see `DbConfig`), which suits the server's small
/// queries. An import's are not small: a generic plan for "slug IN (5,000
/// parameters)", made while the table was still empty, scans the table
/// and compares each row with every parameter, which took seconds per step
/// once the table held rows. Planned with the values, the list is hashed or
/// probed through the slug index; planning costs a few ms a statement.
pub(crate) async fn plan_each_statement<C: Conn>(db: &C) -> Result<()> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan")
            .await?;
    }
    Ok(())
}

/// The tables an import writes.
const IMPORTED_TABLES: [&str; 12] = [
    "sources",
    "groups",
    "targets",
    "operations",
    "legal_outcomes",
    "names",
    "texts",
    "operation_groups",
    "operation_targets",
    "operation_tactics",
    "citations",
    "revisions",
];

/// Postgres, a file loaded into empty tables (a new database): what a
/// restore does. The secondary indexes and the foreign keys of every
/// imported table that holds no row yet are dropped inside the import's
/// transaction and made again, from their own stored definitions
/// (`pg_get_indexdef`, `pg_get_constraintdef`), before it commits: each index
/// is built once and each key checked with one join, instead of both being
/// kept up row by row; the foreign keys were most of the gain
/// (bench/README.md, "Measurements behind the code"). Primary keys and unique
/// constraints stay. Until the commit, readers of those (empty) tables wait
/// for the import; a failure or a rollback restores everything, DDL being
/// transactional in Postgres. Imports into tables that hold rows are not
/// touched: there, rebuilding would cost more than it saves and would block
/// readers of real data.
#[derive(Debug, Default)]
struct Upkeep {
    /// Statements that make the dropped objects again, in order.
    restore: Vec<String>,
}

impl Upkeep {
    async fn suspend<C: Conn>(db: &C) -> Result<Self> {
        // The table names go over as one text, split by Postgres.
        let query = |sql: &str, tables: &[String]| {
            Statement::from_sql_and_values(DbBackend::Postgres, sql, [tables.join(",").into()])
        };
        let mut empty = Vec::new();
        for table in IMPORTED_TABLES {
            let sql = format!("SELECT NOT EXISTS (SELECT 1 FROM \"{table}\") AS empty");
            let row = db
                .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
                .await?;
            if row.is_some_and(|r| r.try_get::<bool>("", "empty").unwrap_or(false)) {
                empty.push(table.to_owned());
            }
        }
        if empty.is_empty() {
            return Ok(Self::default());
        }
        let mut drop = Vec::new();
        let mut restore = Vec::new();
        let keys = db
            .query_all_raw(query(
                "SELECT format('ALTER TABLE %I DROP CONSTRAINT %I', t.relname, k.conname) AS drop_sql,
                        format('ALTER TABLE %I ADD CONSTRAINT %I ', t.relname, k.conname)
                            || pg_get_constraintdef(k.oid) AS make_sql
                   FROM pg_constraint k
                   JOIN pg_class t ON t.oid = k.conrelid
                  WHERE k.contype = 'f' AND t.relnamespace = current_schema()::regnamespace
                    AND t.relname = ANY(string_to_array($1, ','))
                  ORDER BY t.relname, k.conname",
                &empty,
            ))
            .await?;
        // Indexes that back no constraint (and that no foreign key uses).
        let indexes = db
            .query_all_raw(query(
                "SELECT format('DROP INDEX %I', ic.relname) AS drop_sql,
                        pg_get_indexdef(i.indexrelid) AS make_sql
                   FROM pg_index i
                   JOIN pg_class t ON t.oid = i.indrelid
                   JOIN pg_class ic ON ic.oid = i.indexrelid
                  WHERE t.relnamespace = current_schema()::regnamespace
                    AND t.relname = ANY(string_to_array($1, ','))
                    AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
                  ORDER BY ic.relname",
                &empty,
            ))
            .await?;
        // Indexes are made again before the keys, whose check can use them.
        for row in indexes.iter().chain(&keys) {
            drop.push(row.try_get::<String>("", "drop_sql")?);
            restore.push(row.try_get::<String>("", "make_sql")?);
        }
        for sql in drop {
            db.execute_unprepared(&sql).await?;
        }
        Ok(Self { restore })
    }

    async fn restore<C: Conn>(self, db: &C) -> Result<()> {
        for sql in self.restore {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }
}

/// Validates and writes `ds` on a connection the caller holds (a
/// transaction), recording a revision for every record it creates or changes.
pub async fn apply<C: Conn>(
    db: &C,
    mut ds: Dataset,
    actor: Option<Uuid>,
    reason: Option<&str>,
    progress: Progress<'_>,
) -> Result<ImportReport> {
    ds.normalize();
    let mentioned = Mentioned::of(&ds);
    let stored = StoredIds::load(db, &mentioned).await?;
    let mut errors = validate(&ds, &stored.known());
    if errors.is_empty() {
        errors = stored_cycles(db, &ds).await?;
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    Writer::new(db, actor, reason, progress, &ds, stored)
        .write(&ds)
        .await
}

/// Parent chains that would loop once the file's records join the stored
/// ones (validation already refused loops within the file).
async fn stored_cycles<C: Conn>(db: &C, ds: &Dataset) -> Result<Vec<crate::error::FieldError>> {
    let mut errors = Vec::new();
    let groups: HashMap<&str, Option<&str>> = ds
        .groups
        .iter()
        .map(|g| (g.slug.as_str(), g.parent.as_deref()))
        .collect();
    for g in &ds.groups {
        if let Some(p) = &g.parent
            && reaches(db, p, &g.slug, &groups, true).await?
        {
            errors.push(crate::error::FieldError::new(
                format!("groups[{}].parent", g.slug),
                "the chain of parents loops back on itself",
            ));
        }
    }
    let ops: HashMap<&str, Option<&str>> = ds
        .operations
        .iter()
        .map(|o| (o.slug.as_str(), o.part_of.as_deref()))
        .collect();
    for o in &ds.operations {
        if let Some(p) = &o.part_of
            && reaches(db, p, &o.slug, &ops, false).await?
        {
            errors.push(crate::error::FieldError::new(
                format!("operations[{}].part_of", o.slug),
                "the chain of parents loops back on itself",
            ));
        }
    }
    Ok(errors)
}

/// Does the parent chain from `start` reach `target`? The file's records
/// take precedence over stored ones.
async fn reaches<C: Conn>(
    db: &C,
    start: &str,
    target: &str,
    in_file: &HashMap<&str, Option<&str>>,
    groups: bool,
) -> Result<bool> {
    let mut at = Some(start.to_owned());
    let mut steps = 0;
    while let Some(slug) = at {
        if slug == target {
            return Ok(true);
        }
        steps += 1;
        if steps > 10_000 {
            return Ok(true);
        }
        at = match in_file.get(slug.as_str()) {
            Some(p) => p.map(str::to_owned),
            None if groups => {
                let parent = group::Entity::find()
                    .filter(group::Column::Slug.eq(slug.as_str()))
                    .one(db)
                    .await?
                    .and_then(|g| g.parent_id);
                match parent {
                    Some(id) => group::Entity::find_by_id(id).one(db).await?.map(|g| g.slug),
                    None => None,
                }
            }
            None => {
                let parent = operation::Entity::find()
                    .filter(operation::Column::Slug.eq(slug.as_str()))
                    .one(db)
                    .await?
                    .and_then(|o| o.part_of_id);
                match parent {
                    Some(id) => operation::Entity::find_by_id(id)
                        .one(db)
                        .await?
                        .map(|o| o.slug),
                    None => None,
                }
            }
        };
    }
    Ok(false)
}

/// Rows collected for one import, written kind by kind.
struct Writer<'a, C: Conn> {
    db: &'a C,
    actor: Option<Uuid>,
    reason: Option<String>,
    now: DateTime<Utc>,
    progress: Progress<'a>,
    done: u64,
    total: u64,
    report: ImportReport,
    source_ids: HashMap<String, Uuid>,
    group_ids: HashMap<String, Uuid>,
    target_ids: HashMap<String, Uuid>,
    operation_ids: HashMap<String, Uuid>,
    names: Vec<name::ActiveModel>,
    texts: Vec<text::ActiveModel>,
    citations: Vec<citation::ActiveModel>,
    revisions: Vec<revision::ActiveModel>,
}

/// What happens to one record.
enum Plan {
    Create,
    Update {
        version: i32,
        before: serde_json::Value,
    },
    Keep,
}

impl<'a, C: Conn> Writer<'a, C> {
    fn new(
        db: &'a C,
        actor: Option<Uuid>,
        reason: Option<&str>,
        progress: Progress<'a>,
        ds: &Dataset,
        stored: StoredIds,
    ) -> Self {
        let mut w = Writer {
            db,
            actor,
            reason: reason.map(str::to_owned),
            now: Utc::now(),
            progress,
            done: 0,
            total: (ds.sources.len()
                + ds.groups.len()
                + ds.targets.len()
                + ds.operations.len()
                + ds.legal_outcomes.len()) as u64,
            report: ImportReport::default(),
            source_ids: stored.sources,
            group_ids: stored.groups,
            target_ids: stored.targets,
            operation_ids: stored.operations,
            names: Vec::new(),
            texts: Vec::new(),
            citations: Vec::new(),
            revisions: Vec::new(),
        };
        // New records get their deterministic ids up front, so references
        // within the file resolve before anything is inserted.
        for r in &ds.sources {
            w.source_ids
                .entry(r.slug.clone())
                .or_insert_with(|| record_id("source", &r.slug));
        }
        for r in &ds.groups {
            w.group_ids
                .entry(r.slug.clone())
                .or_insert_with(|| record_id("group", &r.slug));
        }
        for r in &ds.targets {
            w.target_ids
                .entry(r.slug.clone())
                .or_insert_with(|| record_id("target", &r.slug));
        }
        for r in &ds.operations {
            w.operation_ids
                .entry(r.slug.clone())
                .or_insert_with(|| record_id("operation", &r.slug));
        }
        (w.progress)(0, w.total);
        w
    }

    fn tick(&mut self, n: usize) {
        self.done += n as u64;
        (self.progress)(self.done, self.total);
    }

    fn plan<T: PartialEq + serde::Serialize>(
        &mut self,
        incoming: &T,
        existing: Option<(&T, i32)>,
    ) -> Plan {
        match existing {
            None => {
                self.report.created += 1;
                Plan::Create
            }
            Some((old, _)) if old == incoming => {
                self.report.unchanged += 1;
                Plan::Keep
            }
            Some((old, version)) => {
                self.report.updated += 1;
                Plan::Update {
                    version,
                    before: serde_json::to_value(old).unwrap_or_default(),
                }
            }
        }
    }

    fn revision<T: serde::Serialize>(
        &mut self,
        kind: &str,
        id: Uuid,
        slug: &str,
        version: i32,
        plan: &Plan,
        after: &T,
    ) {
        let (action, before) = match plan {
            Plan::Create => ("create", None),
            Plan::Update { before, .. } => ("update", Some(before.clone())),
            Plan::Keep => return,
        };
        self.revisions.push(revision::ActiveModel {
            id: Set(Uuid::new_v4()),
            entity_kind: Set(kind.to_owned()),
            entity_id: Set(id),
            entity_slug: Set(slug.to_owned()),
            version: Set(version),
            action: Set(action.to_owned()),
            actor_key_id: Set(self.actor),
            at: Set(self.now),
            before: Set(before),
            after: Set(serde_json::to_value(after).ok()),
            reason: Set(self.reason.clone()),
        });
    }

    fn push_names(&mut self, subject: Subject, owner: Uuid, names: &[NameRecord]) {
        for (i, n) in names.iter().enumerate() {
            self.names.push(name::ActiveModel {
                id: Set(Uuid::new_v4()),
                group_id: Set((subject == Subject::Group).then_some(owner)),
                target_id: Set((subject == Subject::Target).then_some(owner)),
                operation_id: Set((subject == Subject::Operation).then_some(owner)),
                lang: Set(n.lang.clone()),
                text: Set(n.text.clone()),
                kind: Set(n.kind.clone()),
                position: Set(i as i32),
                search_key: Set(search_key(&n.text)),
            });
        }
    }

    fn push_texts(&mut self, subject: Subject, owner: Uuid, texts: &[TextRecord]) {
        for t in texts {
            self.texts.push(text::ActiveModel {
                id: Set(Uuid::new_v4()),
                group_id: Set((subject == Subject::Group).then_some(owner)),
                target_id: Set((subject == Subject::Target).then_some(owner)),
                operation_id: Set((subject == Subject::Operation).then_some(owner)),
                legal_outcome_id: Set((subject == Subject::LegalOutcome).then_some(owner)),
                field: Set(t.field.clone()),
                lang: Set(t.lang.clone()),
                text: Set(t.text.clone()),
                search_key: Set(search_key(&t.text)),
            });
        }
    }

    fn push_citations(&mut self, subject: Subject, owner: Uuid, citations: &[CitationRecord]) {
        for (i, c) in citations.iter().enumerate() {
            let is = |s: Subject| Set((subject == s).then_some(owner));
            self.citations.push(citation::ActiveModel {
                id: Set(Uuid::new_v4()),
                source_id: Set(self.source_ids[&c.source]),
                group_id: is(Subject::Group),
                target_id: is(Subject::Target),
                operation_id: is(Subject::Operation),
                legal_outcome_id: is(Subject::LegalOutcome),
                operation_group_id: is(Subject::OperationGroup),
                operation_target_id: is(Subject::OperationTarget),
                field: Set(c.field.clone()),
                quote: Set(c.quote.clone()),
                locator: Set(c.locator.clone()),
                position: Set(i as i32),
            });
        }
    }

    /// Removes the dependent rows of records about to be rewritten.
    async fn clear_children(&self, subject: Subject, ids: &[Uuid]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        for chunk in ids.chunks(super::relations::CHUNK) {
            let ids = chunk.iter().copied();
            match subject {
                Subject::Group => {
                    name::Entity::delete_many()
                        .filter(name::Column::GroupId.is_in(ids.clone()))
                        .exec(self.db)
                        .await?;
                    text::Entity::delete_many()
                        .filter(text::Column::GroupId.is_in(ids.clone()))
                        .exec(self.db)
                        .await?;
                    citation::Entity::delete_many()
                        .filter(citation::Column::GroupId.is_in(ids))
                        .exec(self.db)
                        .await?;
                }
                Subject::Target => {
                    name::Entity::delete_many()
                        .filter(name::Column::TargetId.is_in(ids.clone()))
                        .exec(self.db)
                        .await?;
                    citation::Entity::delete_many()
                        .filter(citation::Column::TargetId.is_in(ids))
                        .exec(self.db)
                        .await?;
                }
                Subject::Operation => {
                    name::Entity::delete_many()
                        .filter(name::Column::OperationId.is_in(ids.clone()))
                        .exec(self.db)
                        .await?;
                    text::Entity::delete_many()
                        .filter(text::Column::OperationId.is_in(ids.clone()))
                        .exec(self.db)
                        .await?;
                    citation::Entity::delete_many()
                        .filter(citation::Column::OperationId.is_in(ids.clone()))
                        .exec(self.db)
                        .await?;
                    operation_tactic::Entity::delete_many()
                        .filter(operation_tactic::Column::OperationId.is_in(ids.clone()))
                        .exec(self.db)
                        .await?;
                    // Link citations go with their links (ON DELETE CASCADE).
                    operation_group::Entity::delete_many()
                        .filter(operation_group::Column::OperationId.is_in(ids.clone()))
                        .exec(self.db)
                        .await?;
                    operation_target::Entity::delete_many()
                        .filter(operation_target::Column::OperationId.is_in(ids))
                        .exec(self.db)
                        .await?;
                }
                Subject::LegalOutcome => {
                    text::Entity::delete_many()
                        .filter(text::Column::LegalOutcomeId.is_in(ids.clone()))
                        .exec(self.db)
                        .await?;
                    citation::Entity::delete_many()
                        .filter(citation::Column::LegalOutcomeId.is_in(ids))
                        .exec(self.db)
                        .await?;
                }
                Subject::OperationGroup | Subject::OperationTarget => {}
            }
        }
        Ok(())
    }

    /// Writes the file kind by kind, `RECORDS_PER_STEP` records at a time:
    /// each step's rows, and the names, texts, citations and revisions they
    /// bring, are inserted before the next step builds its own. Building
    /// every row first held all of them at once, many times the file's size
    /// (bench/README.md, "Measurements behind the code"). Parents still come before their
    /// children, as steps follow `parents_first` order.
    async fn write(mut self, ds: &Dataset) -> Result<ImportReport> {
        for step in ds.sources.chunks(RECORDS_PER_STEP) {
            self.write_sources(step).await?;
            self.flush().await?;
        }
        let groups = parents_first(&ds.groups, |r| &r.slug, |r| r.parent.as_deref());
        for step in groups.chunks(RECORDS_PER_STEP) {
            self.write_groups(step).await?;
            self.flush().await?;
        }
        for step in ds.targets.chunks(RECORDS_PER_STEP) {
            self.write_targets(step).await?;
            self.flush().await?;
        }
        let operations = parents_first(&ds.operations, |r| &r.slug, |r| r.part_of.as_deref());
        for step in operations.chunks(RECORDS_PER_STEP) {
            self.write_operations(step).await?;
            self.flush().await?;
        }
        for step in ds.legal_outcomes.chunks(RECORDS_PER_STEP) {
            self.write_legal_outcomes(step).await?;
            self.flush().await?;
        }
        Ok(self.report)
    }

    /// Inserts the dependent rows collected so far: their owners are written.
    async fn flush(&mut self) -> Result<()> {
        insert_chunked(self.db, std::mem::take(&mut self.names)).await?;
        insert_chunked(self.db, std::mem::take(&mut self.texts)).await?;
        insert_chunked(self.db, std::mem::take(&mut self.citations)).await?;
        insert_chunked(self.db, std::mem::take(&mut self.revisions)).await?;
        Ok(())
    }

    async fn write_sources(&mut self, records: &[SourceRecord]) -> Result<()> {
        let slugs: Vec<&str> = records.iter().map(|r| r.slug.as_str()).collect();
        let rows =
            load_by_slugs::<source::Entity, _>(self.db, source::Column::Slug, &slugs).await?;
        let existing: HashMap<&str, _> = rows.iter().map(|m| (m.slug.as_str(), m)).collect();
        let mut inserts = Vec::new();
        for r in records {
            let old = existing.get(r.slug.as_str());
            let old_rec = old.map(|m| snapshot::source_record(m));
            let plan = self.plan(r, old_rec.as_ref().zip(old.map(|m| m.version)));
            let id = self.source_ids[&r.slug];
            let (created_at, version) = stamp(&plan, old.map(|m| m.created_at), self.now);
            let published = r.published.as_deref().map(parse_valid);
            let am = source::ActiveModel {
                id: Set(id),
                slug: Set(r.slug.clone()),
                created_at: Set(created_at),
                updated_at: Set(self.now),
                version: Set(version),
                title: Set(r.title.clone()),
                url: Set(r.url.clone()),
                archived_url: Set(r.archived_url.clone()),
                publisher: Set(r.publisher.clone()),
                language: Set(r.language.clone()),
                kind: Set(r.kind.clone()),
                published_edtf: Set(r.published.clone()),
                published_precision: Set(published.map(|d| d.precision().as_str().to_owned())),
                earliest: Set(published.map(|d| d.span().0)),
                latest: Set(published.map(|d| d.span().1)),
            };
            self.revision("source", id, &r.slug, version, &plan, r);
            match plan {
                Plan::Create => inserts.push(am),
                Plan::Update { .. } => {
                    source::Entity::update(am).exec(self.db).await?;
                }
                Plan::Keep => {}
            }
        }
        insert_chunked(self.db, inserts).await?;
        self.tick(records.len());
        Ok(())
    }

    /// One step of groups, parents before their children.
    async fn write_groups(&mut self, records: &[&GroupRecord]) -> Result<()> {
        let slugs: Vec<&str> = records.iter().map(|r| r.slug.as_str()).collect();
        let rows = load_by_slugs::<group::Entity, _>(self.db, group::Column::Slug, &slugs).await?;
        let existing: HashMap<&str, _> = rows.iter().map(|m| (m.slug.as_str(), m)).collect();
        let old_recs =
            snapshot::by_slug(snapshot::group_records(self.db, &rows).await?, |r| &r.slug);
        let mut inserts = Vec::new();
        let mut rewritten = Vec::new();
        let mut updates = Vec::new();
        for &r in records {
            let old = existing.get(r.slug.as_str());
            let plan = self.plan(r, old_recs.get(&r.slug).zip(old.map(|m| m.version)));
            let id = self.group_ids[&r.slug];
            let (created_at, version) = stamp(&plan, old.map(|m| m.created_at), self.now);
            let founded = r.founded.as_deref().map(parse_valid);
            let dissolved = r.dissolved.as_deref().map(parse_valid);
            let span = (founded.is_some() || dissolved.is_some()).then(|| {
                (
                    founded.map_or_else(super::edtf::min_day, |d| d.span().0),
                    dissolved.map_or_else(super::edtf::max_day, |d| d.span().1),
                )
            });
            let am = group::ActiveModel {
                id: Set(id),
                slug: Set(r.slug.clone()),
                created_at: Set(created_at),
                updated_at: Set(self.now),
                version: Set(version),
                name: Set(display_name(&r.names)),
                kind: Set(r.kind.clone()),
                parent_id: Set(r.parent.as_ref().map(|p| self.group_ids[p])),
                founded_edtf: Set(r.founded.clone()),
                founded_precision: Set(founded.map(|d| d.precision().as_str().to_owned())),
                founded_earliest: Set(founded.and_then(|d| d.earliest())),
                founded_latest: Set(founded.and_then(|d| d.latest())),
                dissolved_edtf: Set(r.dissolved.clone()),
                dissolved_precision: Set(dissolved.map(|d| d.precision().as_str().to_owned())),
                dissolved_earliest: Set(dissolved.and_then(|d| d.earliest())),
                dissolved_latest: Set(dissolved.and_then(|d| d.latest())),
                earliest: Set(span.map(|s| s.0)),
                latest: Set(span.map(|s| s.1)),
                wikidata_id: Set(r.external_ids.wikidata.clone()),
                misp_galaxy_id: Set(r
                    .external_ids
                    .misp_galaxy
                    .as_deref()
                    .and_then(|u| Uuid::parse_str(u).ok())),
                attack_id: Set(r.external_ids.attack.clone()),
            };
            self.revision("group", id, &r.slug, version, &plan, r);
            match plan {
                Plan::Keep => continue,
                Plan::Create => inserts.push(am),
                Plan::Update { .. } => {
                    rewritten.push(id);
                    updates.push(am);
                }
            }
            self.push_names(Subject::Group, id, &r.names);
            self.push_texts(Subject::Group, id, &r.texts);
            self.push_citations(Subject::Group, id, &r.citations);
        }
        self.clear_children(Subject::Group, &rewritten).await?;
        insert_chunked(self.db, inserts).await?;
        for am in updates {
            group::Entity::update(am).exec(self.db).await?;
        }
        self.tick(records.len());
        Ok(())
    }

    async fn write_targets(&mut self, records: &[TargetRecord]) -> Result<()> {
        let slugs: Vec<&str> = records.iter().map(|r| r.slug.as_str()).collect();
        let rows =
            load_by_slugs::<target::Entity, _>(self.db, target::Column::Slug, &slugs).await?;
        let existing: HashMap<&str, _> = rows.iter().map(|m| (m.slug.as_str(), m)).collect();
        let old_recs =
            snapshot::by_slug(snapshot::target_records(self.db, &rows).await?, |r| &r.slug);
        let mut inserts = Vec::new();
        let mut rewritten = Vec::new();
        let mut updates = Vec::new();
        for r in records {
            let old = existing.get(r.slug.as_str());
            let plan = self.plan(r, old_recs.get(&r.slug).zip(old.map(|m| m.version)));
            let id = self.target_ids[&r.slug];
            let (created_at, version) = stamp(&plan, old.map(|m| m.created_at), self.now);
            let am = target::ActiveModel {
                id: Set(id),
                slug: Set(r.slug.clone()),
                created_at: Set(created_at),
                updated_at: Set(self.now),
                version: Set(version),
                name: Set(display_name(&r.names)),
                kind: Set(r.kind.clone()),
                country: Set(r.country.clone()),
                sector: Set(r.sector.clone()),
            };
            self.revision("target", id, &r.slug, version, &plan, r);
            match plan {
                Plan::Keep => continue,
                Plan::Create => inserts.push(am),
                Plan::Update { .. } => {
                    rewritten.push(id);
                    updates.push(am);
                }
            }
            self.push_names(Subject::Target, id, &r.names);
            self.push_citations(Subject::Target, id, &r.citations);
        }
        self.clear_children(Subject::Target, &rewritten).await?;
        insert_chunked(self.db, inserts).await?;
        for am in updates {
            target::Entity::update(am).exec(self.db).await?;
        }
        self.tick(records.len());
        Ok(())
    }

    /// One step of operations, parents before their parts.
    async fn write_operations(&mut self, records: &[&OperationRecord]) -> Result<()> {
        let slugs: Vec<&str> = records.iter().map(|r| r.slug.as_str()).collect();
        let rows =
            load_by_slugs::<operation::Entity, _>(self.db, operation::Column::Slug, &slugs).await?;
        let existing: HashMap<&str, _> = rows.iter().map(|m| (m.slug.as_str(), m)).collect();
        let old_recs = snapshot::by_slug(snapshot::operation_records(self.db, &rows).await?, |r| {
            &r.slug
        });
        let mut inserts = Vec::new();
        let mut rewritten = Vec::new();
        let mut updates = Vec::new();
        let mut tactics = Vec::new();
        let mut group_links = Vec::new();
        let mut target_links = Vec::new();
        for &r in records {
            let old = existing.get(r.slug.as_str());
            let plan = self.plan(r, old_recs.get(&r.slug).zip(old.map(|m| m.version)));
            let id = self.operation_ids[&r.slug];
            let (created_at, version) = stamp(&plan, old.map(|m| m.created_at), self.now);
            let start = parse_valid(&r.start);
            let end = r.end.as_deref().map(parse_valid);
            let am = operation::ActiveModel {
                id: Set(id),
                slug: Set(r.slug.clone()),
                created_at: Set(created_at),
                updated_at: Set(self.now),
                version: Set(version),
                name: Set(display_name(&r.names)),
                part_of_id: Set(r.part_of.as_ref().map(|p| self.operation_ids[p])),
                start_edtf: Set(r.start.clone()),
                start_precision: Set(start.precision().as_str().to_owned()),
                start_earliest: Set(start.span().0),
                start_latest: Set(start.span().1),
                end_edtf: Set(r.end.clone()),
                end_precision: Set(end.map(|d| d.precision().as_str().to_owned())),
                end_earliest: Set(end.and_then(|d| d.earliest())),
                end_latest: Set(end.and_then(|d| d.latest())),
                earliest: Set(start.span().0),
                latest: Set(end.map_or(start.span().1, |e| e.span().1)),
                disputed: Set(r.disputed),
                dispute_note: Set(r.dispute_note.clone()),
            };
            self.revision("operation", id, &r.slug, version, &plan, r);
            match plan {
                Plan::Keep => continue,
                Plan::Create => inserts.push(am),
                Plan::Update { .. } => {
                    rewritten.push(id);
                    updates.push(am);
                }
            }
            self.push_names(Subject::Operation, id, &r.names);
            self.push_texts(Subject::Operation, id, &r.texts);
            self.push_citations(Subject::Operation, id, &r.citations);
            for t in &r.tactics {
                tactics.push(operation_tactic::ActiveModel {
                    operation_id: Set(id),
                    tactic: Set(t.clone()),
                });
            }
            for g in &r.groups {
                let link = record_id("operation_group", &format!("{}/{}", r.slug, g.group));
                group_links.push(operation_group::ActiveModel {
                    id: Set(link),
                    operation_id: Set(id),
                    group_id: Set(self.group_ids[&g.group]),
                    role: Set(g.role.clone()),
                });
                self.push_citations(Subject::OperationGroup, link, &g.citations);
            }
            for t in &r.targets {
                let link = record_id("operation_target", &format!("{}/{}", r.slug, t.target));
                target_links.push(operation_target::ActiveModel {
                    id: Set(link),
                    operation_id: Set(id),
                    target_id: Set(self.target_ids[&t.target]),
                });
                self.push_citations(Subject::OperationTarget, link, &t.citations);
            }
        }
        self.clear_children(Subject::Operation, &rewritten).await?;
        insert_chunked(self.db, inserts).await?;
        for am in updates {
            operation::Entity::update(am).exec(self.db).await?;
        }
        insert_chunked(self.db, tactics).await?;
        insert_chunked(self.db, group_links).await?;
        insert_chunked(self.db, target_links).await?;
        self.tick(records.len());
        Ok(())
    }

    async fn write_legal_outcomes(&mut self, records: &[LegalOutcomeRecord]) -> Result<()> {
        let slugs: Vec<&str> = records.iter().map(|r| r.slug.as_str()).collect();
        let rows =
            load_by_slugs::<legal_outcome::Entity, _>(self.db, legal_outcome::Column::Slug, &slugs)
                .await?;
        let existing: HashMap<&str, _> = rows.iter().map(|m| (m.slug.as_str(), m)).collect();
        let old_recs = snapshot::by_slug(
            snapshot::legal_outcome_records(self.db, &rows).await?,
            |r| &r.slug,
        );
        let mut inserts = Vec::new();
        let mut rewritten = Vec::new();
        let mut updates = Vec::new();
        for r in records {
            let old = existing.get(r.slug.as_str());
            let plan = self.plan(r, old_recs.get(&r.slug).zip(old.map(|m| m.version)));
            let id = old.map_or_else(|| record_id("legal_outcome", &r.slug), |m| m.id);
            let (created_at, version) = stamp(&plan, old.map(|m| m.created_at), self.now);
            let date = parse_valid(&r.date);
            let money = r.money.as_ref();
            let am = legal_outcome::ActiveModel {
                id: Set(id),
                slug: Set(r.slug.clone()),
                created_at: Set(created_at),
                updated_at: Set(self.now),
                version: Set(version),
                kind: Set(r.kind.clone()),
                date_edtf: Set(r.date.clone()),
                date_precision: Set(date.precision().as_str().to_owned()),
                earliest: Set(date.span().0),
                latest: Set(date.span().1),
                jurisdiction: Set(r.jurisdiction.clone()),
                court: Set(r.court.clone()),
                operation_id: Set(r.operation.as_ref().map(|o| self.operation_ids[o])),
                group_id: Set(r.group.as_ref().map(|g| self.group_ids[g])),
                people_count: Set(r.people_count),
                person: Set(r.person.clone()),
                amount: Set(money.map(|m| m.amount.clone())),
                currency: Set(money.map(|m| m.currency.clone())),
                amount_kind: Set(money.map(|m| m.kind.clone())),
                amount_scope: Set(money.map(|m| m.scope.clone())),
                disputed: Set(r.disputed),
                dispute_note: Set(r.dispute_note.clone()),
            };
            self.revision("legal_outcome", id, &r.slug, version, &plan, r);
            match plan {
                Plan::Keep => continue,
                Plan::Create => inserts.push(am),
                Plan::Update { .. } => {
                    rewritten.push(id);
                    updates.push(am);
                }
            }
            self.push_texts(Subject::LegalOutcome, id, &r.texts);
            self.push_citations(Subject::LegalOutcome, id, &r.citations);
        }
        self.clear_children(Subject::LegalOutcome, &rewritten)
            .await?;
        insert_chunked(self.db, inserts).await?;
        for am in updates {
            legal_outcome::Entity::update(am).exec(self.db).await?;
        }
        self.tick(records.len());
        Ok(())
    }
}

/// `created_at` and `version` of a record about to be written.
fn stamp(plan: &Plan, created: Option<DateTime<Utc>>, now: DateTime<Utc>) -> (DateTime<Utc>, i32) {
    match plan {
        Plan::Update { version, .. } => (created.unwrap_or(now), version + 1),
        Plan::Keep => (created.unwrap_or(now), 0),
        Plan::Create => (now, 1),
    }
}

/// Dates were validated before writing starts.
fn parse_valid(s: &str) -> Edtf {
    Edtf::parse(s).unwrap_or_else(|e| unreachable!("validated before writing: {e}"))
}

/// The convenience `name`: the English primary name, else the first primary.
pub fn display_name(names: &[NameRecord]) -> String {
    names
        .iter()
        .find(|n| n.kind == "primary" && n.lang == "en")
        .or_else(|| names.iter().find(|n| n.kind == "primary"))
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

async fn load_by_slugs<E: EntityTrait, C: Conn>(
    db: &C,
    col: E::Column,
    slugs: &[&str],
) -> Result<Vec<E::Model>> {
    let mut out = Vec::new();
    for chunk in slugs.chunks(super::relations::CHUNK) {
        out.extend(
            E::find()
                .filter(col.is_in(chunk.iter().copied()))
                .all(db)
                .await?,
        );
    }
    Ok(out)
}

/// Records ordered so that a parent named in the same file comes before its
/// children (cycles were refused by validation).
fn parents_first<T>(
    records: &[T],
    slug: impl Fn(&T) -> &String,
    parent: impl Fn(&T) -> Option<&str>,
) -> Vec<&T> {
    let index: HashMap<&str, &T> = records.iter().map(|r| (slug(r).as_str(), r)).collect();
    let depth = |r: &T| {
        let mut d = 0usize;
        let mut at = parent(r);
        while let Some(p) = at.and_then(|p| index.get(p)) {
            d += 1;
            at = parent(p);
            if d > records.len() {
                break;
            }
        }
        d
    };
    let mut ordered: Vec<(usize, &T)> = records.iter().map(|r| (depth(r), r)).collect();
    ordered.sort_by_key(|(d, _)| *d);
    ordered.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::{write_json, write_row};
    use chrono::{NaiveDate, TimeZone, Utc};
    use sea_orm::Value;
    use serde_json::json;

    fn json_of(v: &Value) -> Option<serde_json::Value> {
        let mut out = Vec::new();
        write_json(&mut out, v).then(|| serde_json::from_slice(&out).expect("valid JSON"))
    }

    #[test]
    fn a_row_that_sets_other_columns_than_the_first_is_refused() {
        use crate::db::entities::name;
        use sea_orm::{ActiveValue::Set, EntityTrait, Iden, Iterable};
        let full = || name::ActiveModel {
            id: Set(uuid::Uuid::from_u128(1)),
            group_id: Set(None),
            target_id: Set(None),
            operation_id: Set(Some(uuid::Uuid::from_u128(2))),
            lang: Set("en".into()),
            text: Set("Payback".into()),
            kind: Set("primary".into()),
            position: Set(0),
            search_key: Set("payback".into()),
        };
        let all: Vec<_> = <name::Entity as EntityTrait>::Column::iter().collect();
        let keys: Vec<String> = all
            .iter()
            .map(|c| format!("\"{}\"", c.to_string()))
            .collect();
        let mut out = Vec::new();
        write_row(&mut out, full(), &all, &keys, &[]).unwrap();
        let row: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(row["text"], json!("Payback"));
        assert_eq!(row["group_id"], json!(null));

        // The first row left `search_key` unset; a later row sets it.
        let (some, unset): (Vec<_>, Vec<_>) = all
            .iter()
            .partition(|c| !matches!(c, name::Column::SearchKey));
        let err =
            write_row(&mut Vec::new(), full(), &some, &keys[..some.len()], &unset).unwrap_err();
        assert!(err.starts_with("search_key is set"), "{err}");

        // A row that leaves one of the first row's columns unset.
        let mut partial = full();
        partial.lang = sea_orm::ActiveValue::NotSet;
        let err = write_row(&mut Vec::new(), partial, &all, &keys, &[]).unwrap_err();
        assert!(err.starts_with("lang is unset"), "{err}");
    }

    #[test]
    fn values_take_the_text_form_postgres_reads_back() {
        let day = |y, m, d| Value::ChronoDate(NaiveDate::from_ymd_opt(y, m, d));
        assert_eq!(json_of(&day(2010, 12, 8)), Some(json!("2010-12-08")));
        assert_eq!(json_of(&day(1, 1, 1)), Some(json!("0001-01-01")));
        // Postgres has no year 0: the proleptic year 0 is 1 BC, -1 is 2 BC.
        assert_eq!(json_of(&day(0, 3, 1)), Some(json!("0001-03-01 BC")));
        assert_eq!(json_of(&day(-1, 12, 31)), Some(json!("0002-12-31 BC")));
        let at = Utc.timestamp_opt(1_290_000_000, 123_456_789).unwrap();
        assert_eq!(
            json_of(&Value::ChronoDateTimeUtc(Some(at))),
            Some(json!("2010-11-17T13:20:00.123456Z")),
            "microseconds, truncated like sqlx's binary encoding"
        );
        assert_eq!(json_of(&Value::String(None)), Some(json!(null)));
        assert_eq!(
            json_of(&Value::String(Some("\"\\\u{1f98a}\n".into()))),
            Some(json!("\"\\\u{1f98a}\n"))
        );
        let id = uuid::Uuid::from_u128(7);
        assert_eq!(json_of(&Value::Uuid(Some(id))), Some(json!(id.to_string())));
        assert_eq!(json_of(&Value::Int(Some(-3))), Some(json!(-3)));
        assert_eq!(json_of(&Value::Bool(Some(false))), Some(json!(false)));
        assert_eq!(
            json_of(&Value::Json(Some(Box::new(json!({"a": [1]}))))),
            Some(json!({"a": [1]}))
        );
        assert_eq!(
            json_of(&Value::Double(Some(1.5))),
            None,
            "not a type the import writes"
        );
    }
}
