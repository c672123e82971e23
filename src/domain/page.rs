//! Keyset pagination with opaque cursors: a page after a cursor is the rows
//! strictly after `(sort key, id)`, so inserts elsewhere never shift a walk.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use sea_orm::sea_query::IntoCondition;
use sea_orm::{
    ColumnTrait, Condition, DbBackend, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect,
    Select, Statement, Value,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Conn;
use crate::db::rows;
use crate::error::{Error, Result};

pub const DEFAULT_LIMIT: u64 = 20;
pub const MAX_LIMIT: u64 = 100;

/// The longest cursor accepted, in bytes: room for the longest sort key (a
/// source title of `bounds::TITLE` 4-byte characters) once JSON- and
/// base64-encoded.
pub const MAX_CURSOR: usize = 8192;

/// Where a walk through a list stands: the sort it belongs to and the last
/// row's key and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "s")]
    pub sort: String,
    #[serde(rename = "k")]
    pub key: String,
    #[serde(rename = "i")]
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).expect("a cursor always serializes");
        URL_SAFE_NO_PAD.encode(json)
    }

    pub fn decode(s: &str) -> Result<Self> {
        let bad = || Error::invalid("cursor", "not a cursor this service issued");
        if s.len() > MAX_CURSOR {
            return Err(bad());
        }
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
        let c: Cursor = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        if c.key.contains('\0') || c.sort.contains('\0') {
            return Err(bad());
        }
        Ok(c)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u64,
    pub cursor: Option<Cursor>,
    /// Whether to count the rows the filters match (`Page::total`); a stream
    /// reading page after page counts once, on its first page.
    pub count: bool,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            limit: DEFAULT_LIMIT,
            cursor: None,
            count: true,
        }
    }
}

impl PageRequest {
    /// Validates a requested page size and cursor, naming the field at fault.
    pub fn new(limit: Option<i64>, cursor: Option<&str>) -> Result<Self> {
        Self::bounded(limit, cursor, DEFAULT_LIMIT, MAX_LIMIT)
    }

    /// The same with a list's own default and maximum page size.
    pub fn bounded(
        limit: Option<i64>,
        cursor: Option<&str>,
        default: u64,
        max: u64,
    ) -> Result<Self> {
        let limit = match limit {
            None => default,
            Some(n) if n >= 1 && n as u64 <= max => n as u64,
            Some(_) => {
                return Err(Error::invalid(
                    "limit",
                    format!("must be between 1 and {max}"),
                ));
            }
        };
        let cursor = cursor
            .filter(|c| !c.is_empty())
            .map(Cursor::decode)
            .transpose()?;
        Ok(PageRequest {
            limit,
            cursor,
            count: true,
        })
    }

    /// Every row at once (exports, internal walks).
    pub fn unbounded() -> Self {
        PageRequest {
            limit: u64::MAX,
            cursor: None,
            count: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The cursor of each item, for Relay edges: a page after it starts right after the item.
    pub cursors: Vec<String>,
    pub next_cursor: Option<String>,
    pub total: u64,
}

/// The kind of value a sort key holds, so a cursor's key is compared typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Text,
    Date,
}

/// One way of ordering a list: `name`, `-start`, …
pub struct SortSpec<E: EntityTrait> {
    /// The public name, as given in `sort=` (without the `-`).
    pub name: &'static str,
    pub column: E::Column,
    pub kind: KeyKind,
    pub key: fn(&E::Model) -> String,
}

/// Every value `sort=` takes with these specs: each name, then each
/// reversed (`-name`).
pub fn sort_values<E: EntityTrait>(specs: &[SortSpec<E>]) -> Vec<String> {
    let names = specs.iter().map(|s| s.name.to_owned());
    names
        .clone()
        .chain(names.map(|n| format!("-{n}")))
        .collect()
}

/// The shape of a cursor this service issues (base64url without padding),
/// as the document states it; what decodes is checked on use.
pub const CURSOR_PATTERN: &str = "^[A-Za-z0-9_-]+$";

/// A chosen sort: a spec and a direction.
pub struct Sort<'a, E: EntityTrait> {
    pub spec: &'a SortSpec<E>,
    pub descending: bool,
}

impl<'a, E: EntityTrait> Sort<'a, E> {
    /// Parses `name` or `-name` against the specs an entity offers; the first
    /// spec is the default.
    pub fn parse(specs: &'a [SortSpec<E>], value: Option<&str>) -> Result<Self> {
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            return Ok(Sort {
                spec: &specs[0],
                descending: false,
            });
        };
        let (descending, name) = match value.strip_prefix('-') {
            Some(n) => (true, n),
            None => (false, value),
        };
        let spec = specs.iter().find(|s| s.name == name).ok_or_else(|| {
            let names: Vec<_> = specs.iter().map(|s| s.name).collect();
            Error::invalid(
                "sort",
                format!(
                    "unknown sort {value:?}; expected one of {} (prefix - to reverse)",
                    names.join(", ")
                ),
            )
        })?;
        Ok(Sort { spec, descending })
    }

    fn id(&self) -> String {
        if self.descending {
            format!("-{}", self.spec.name)
        } else {
            self.spec.name.to_owned()
        }
    }
}

/// A date in a cursor's key, within the bounds of stored dates (years 0001
/// to 9999, as in date filters): a forged key outside them would reach the
/// database, and Postgres refuses some years outright.
pub fn cursor_date(key: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(key, "%Y-%m-%d")
        .ok()
        .filter(|d| (1..=9999).contains(&chrono::Datelike::year(d)))
}

fn key_value(kind: KeyKind, key: &str) -> Result<Value> {
    match kind {
        KeyKind::Text => Ok(key.to_owned().into()),
        KeyKind::Date => cursor_date(key)
            .map(Into::into)
            .ok_or_else(|| Error::invalid("cursor", "not a cursor this service issued")),
    }
}

/// The number of rows of a whole table where the database keeps it (the
/// `row_counts` table, maintained by triggers on Postgres; see migration
/// `m20261126_000003_add_row_counts`): one primary-key read instead of a COUNT
/// that scans the table. `None` on SQLite, which counts.
pub async fn stored_total<C: Conn>(db: &C, table: &str) -> Result<Option<u64>> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(None);
    }
    let row = rows::raw_one(
        db,
        Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT n FROM row_counts WHERE table_name = $1",
            [table.into()],
        ),
    )
    .await?;
    Ok(match row {
        Some(r) => Some(u64::try_from(r.try_get_by_index::<i64>(0)?).unwrap_or(0)),
        None => None,
    })
}

/// Runs a filtered select as one page: a count (unless `total` is known
/// already or the request asks for none) and a keyset query.
pub async fn paginate<E, C>(
    db: &C,
    select: Select<E>,
    id: E::Column,
    sort: &Sort<'_, E>,
    page: &PageRequest,
    total: Option<u64>,
) -> Result<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Sync + rows::Decode,
    C: Conn,
{
    let total = match total {
        _ if !page.count => 0,
        Some(n) => n,
        None => rows::count(db, select.clone()).await?,
    };
    let col = sort.spec.column;
    let order = if sort.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    let mut q = select;
    if let Some(c) = &page.cursor {
        if c.sort != sort.id() {
            return Err(Error::invalid(
                "cursor",
                "the cursor belongs to another sort order",
            ));
        }
        let v = key_value(sort.spec.kind, &c.key)?;
        // `col >= v AND (col > v OR (col = v AND id > c))`: the first term
        // is redundant for the result but is what lets the planner start
        // the index scan at the cursor. Without it the OR is only a filter
        // and every page scans the whole index up to the cursor (bench/README.md,
        // "Measurements behind the code").
        let after: Condition = if sort.descending {
            Condition::all().add(col.lte(v.clone())).add(
                Condition::any()
                    .add(col.lt(v.clone()))
                    .add(Condition::all().add(col.eq(v)).add(id.lt(c.id))),
            )
        } else {
            Condition::all().add(col.gte(v.clone())).add(
                Condition::any()
                    .add(col.gt(v.clone()))
                    .add(Condition::all().add(col.eq(v)).add(id.gt(c.id))),
            )
        };
        q = q.filter(after.into_condition());
    }
    q = q.order_by(col, order.clone()).order_by(id, order);
    if page.limit != u64::MAX {
        q = q.limit(page.limit + 1);
    }
    let mut items = crate::db::rows::all(db, q).await?;
    let more = page.limit != u64::MAX && items.len() as u64 > page.limit;
    if more {
        items.truncate(page.limit as usize);
    }
    let cursors: Vec<String> = items
        .iter()
        .map(|item| {
            Cursor {
                sort: sort.id(),
                key: (sort.spec.key)(item),
                id: uuid_of::<E>(item, id),
            }
            .encode()
        })
        .collect();
    let next_cursor = if more { cursors.last().cloned() } else { None };
    Ok(Page {
        items,
        cursors,
        next_cursor,
        total,
    })
}

fn uuid_of<E: EntityTrait>(model: &E::Model, id: E::Column) -> Uuid {
    use sea_orm::ModelTrait;
    match model.get(id) {
        Value::Uuid(Some(u)) => u,
        other => unreachable!("id column is a UUID, got {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn limits_outside_one_to_a_hundred_are_refused() {
        assert_eq!(PageRequest::new(None, None).unwrap().limit, 20);
        assert_eq!(PageRequest::new(Some(100), None).unwrap().limit, 100);
        for bad in [0, -1, 101] {
            let e = PageRequest::new(Some(bad), None).unwrap_err();
            assert!(
                matches!(e, Error::Invalid(ref f) if f[0].field == "limit"),
                "{e}"
            );
        }
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = Cursor {
            sort: "-name".into(),
            key: "Anonymous".into(),
            id: Uuid::nil(),
        };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        assert!(Cursor::decode("not-a-cursor").is_err());
        assert!(cursor_date("2011-01-31").is_some());
        assert!(cursor_date("-9999-01-01").is_none() && cursor_date("0000-01-01").is_none());
        assert!(cursor_date("10000-01-01").is_none());
    }

    proptest! {
        #[test]
        fn cursor_decoding_never_panics(s in "\\PC{0,200}") {
            let _ = Cursor::decode(&s);
        }

        /// Whatever a sort key holds (up to the longest name, in any
        /// script), the cursor a page hands out is taken back.
        #[test]
        fn every_issued_cursor_decodes_to_itself(
            sort in "-?[a-z_]{1,20}",
            key in "\\PC{0,1000}",
            id in any::<u128>(),
        ) {
            let c = Cursor { sort, key, id: Uuid::from_u128(id) };
            let encoded = c.encode();
            prop_assert!(encoded.len() <= MAX_CURSOR, "{} bytes", encoded.len());
            prop_assert_eq!(Cursor::decode(&encoded).unwrap(), c);
        }

        /// A tampered cursor is refused or decodes to some cursor; it never panics
        /// and the error names `cursor`.
        #[test]
        fn tampered_cursors_are_refused_by_name(
            key in "\\PC{0,40}",
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
        ) {
            let c = Cursor { sort: "name".into(), key, id: Uuid::nil() };
            let mut bytes = c.encode().into_bytes();
            let i = at.index(bytes.len());
            bytes[i] = byte;
            if let Ok(s) = String::from_utf8(bytes) {
                match Cursor::decode(&s) {
                    Ok(_) => {}
                    Err(Error::Invalid(f)) => prop_assert_eq!(&f[0].field, "cursor"),
                    Err(e) => prop_assert!(false, "unexpected error {e}"),
                }
            }
        }
    }
}
