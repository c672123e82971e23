//! Writing many rows at once, as an import does: rows in chunks (on Postgres
//! as one JSON parameter per chunk), statements planned with their values,
//! and the upkeep of empty tables' indexes and foreign keys suspended until
//! the commit. The domain decides what to write; this decides how.

use sea_orm::{ConnectionTrait as Conn, DbBackend, Statement};

use crate::error::{Error, Result};

/// Most rows per multi-row INSERT on SQLite (Postgres takes JSON, see
/// `insert_as_json`). Fewer, larger statements import faster
/// (bench/README.md, "Measurements behind the code").
const INSERT_CHUNK: usize = 2000;

/// Bind parameters one statement may carry (SQLite's default limit).
const MAX_PARAMS: usize = 32_766;

pub async fn insert_chunked<A, C>(db: &C, rows: Vec<A>) -> Result<()>
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

/// Postgres: plans every statement of the transaction for its own values.
///
/// The pool's connections keep one generic plan per statement
/// (`plan_cache_mode`, see `DbConfig`), which suits the server's small
/// queries. An import's are not small: a generic plan for "slug IN (5,000
/// parameters)", made while the table was still empty, scans the table
/// and compares each row with every parameter, which took seconds per step
/// once the table held rows. Planned with the values, the list is hashed or
/// probed through the slug index; planning costs a few ms a statement.
pub async fn plan_each_statement<C: Conn>(db: &C) -> Result<()> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan")
            .await?;
    }
    Ok(())
}

/// Records an import must create or change before it refreshes the
/// planner's statistics itself rather than leave them to autovacuum.
pub const ANALYZE_AFTER: usize = 1_000;

/// Refreshes the planner's statistics after a large import has committed.
/// Until autovacuum comes by, Postgres plans reads of the new rows with the
/// tables' old estimates (an empty table's, after a first import), and a
/// read that should probe an index hashes whole tables instead
/// (bench/README.md, "Measurements behind the code"). SQLite keeps no
/// statistics until asked (`sqlite_stat1`).
pub async fn refresh_statistics<C: Conn>(db: &C) -> Result<()> {
    db.execute_unprepared("ANALYZE").await?;
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
pub struct Upkeep {
    /// Statements that make the dropped objects again, in order.
    restore: Vec<String>,
}

impl Upkeep {
    pub async fn suspend<C: Conn>(db: &C) -> Result<Self> {
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

    pub async fn restore<C: Conn>(self, db: &C) -> Result<()> {
        for sql in self.restore {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }
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
