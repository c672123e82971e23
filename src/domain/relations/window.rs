//! Pages of relation lists (a group's operations, a source's citing records):
//! `first` rows after a cursor for every owner of a batch in one windowed
//! statement. A group can link tens of thousands of operations (tier M is
//! Zipf-skewed), so a page must not load the links it does not show.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::DbBackend;
use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, Func, Order, Query, SelectStatement, Value, WindowStatement,
};
use uuid::Uuid;

use crate::domain::page::{Cursor, Page, PageRequest, cursor_date};
use crate::error::{Error, Result};

/// A relation list that pages, and so the order its cursors belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    /// The operations of a group or a target, by (earliest day, slug).
    OperationLinks,
    /// The legal outcomes of a group, by (earliest day, slug).
    LegalOutcomes,
    /// The records citing a source, by (kind, slug).
    CitingRecords,
}

impl Relation {
    /// The cursor's `sort`: a cursor of another list (a root connection's,
    /// another relation's) is refused rather than read as a position here.
    fn sort(self) -> &'static str {
        match self {
            Relation::OperationLinks => "operation_links",
            Relation::LegalOutcomes => "legal_outcome_links",
            Relation::CitingRecords => "citing_records",
        }
    }
}

/// The kinds of record that cite sources, as `citingRecords` names them;
/// also their order in that list.
pub const CITING_KINDS: [&str; 4] = ["group", "legal_outcome", "operation", "target"];

/// Where a page starts: strictly after the row with this sort key. Slugs
/// are unique within each list, so the key alone is a position.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum After {
    /// After the row of this earliest day and slug.
    Dated(NaiveDate, String),
    /// After the citing record of this kind and slug.
    Kind(&'static str, String),
}

impl After {
    fn key(&self) -> String {
        match self {
            After::Dated(day, slug) => format!("{day} {slug}"),
            After::Kind(kind, slug) => format!("{kind} {slug}"),
        }
    }

    fn values(&self) -> (Value, Value) {
        match self {
            After::Dated(day, slug) => ((*day).into(), slug.clone().into()),
            After::Kind(kind, slug) => ((*kind).into(), slug.clone().into()),
        }
    }

    /// The cursor of a row of `relation` with this key.
    pub fn cursor(&self, relation: Relation, id: Uuid) -> String {
        Cursor {
            sort: relation.sort().to_owned(),
            key: self.key(),
            id,
        }
        .encode()
    }
}

/// One page per owner: at most `first` rows after `after`. Every owner a
/// batch asks the same window of shares one statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Window {
    pub first: u64,
    pub after: Option<After>,
}

impl Window {
    /// Validates a page size (1 to 100) and a cursor this list issued.
    pub fn new(relation: Relation, first: i64, after: Option<&str>) -> Result<Self> {
        let page = PageRequest::new(Some(first), after)?;
        let after = page
            .cursor
            .map(|c| {
                let bad = || Error::invalid("cursor", "not a cursor of this list");
                if c.sort != relation.sort() {
                    return Err(bad());
                }
                let (head, slug) = c.key.split_once(' ').ok_or_else(bad)?;
                let slug = slug.to_owned();
                match relation {
                    Relation::OperationLinks | Relation::LegalOutcomes => {
                        Ok(After::Dated(cursor_date(head).ok_or_else(bad)?, slug))
                    }
                    Relation::CitingRecords => {
                        let kind = CITING_KINDS.iter().find(|k| **k == head).ok_or_else(bad)?;
                        Ok(After::Kind(kind, slug))
                    }
                }
            })
            .transpose()?;
        Ok(Window {
            first: page.limit,
            after,
        })
    }
}

/// The sort key of a relation's rows: two columns of its select, the second
/// a slug. `bytes` orders the slug by its bytes, as the list field sorts it
/// in Rust (SQLite's BINARY does; Postgres needs `COLLATE "C"`, its
/// database's collation may be a language's); otherwise as the database
/// collates it, as a list field ordered in SQL is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Keys {
    pub first: &'static str,
    pub slug: &'static str,
    pub bytes: bool,
}

/// The alias of the windowed rows in [`windowed`]'s statement.
pub(crate) const PAGE: &str = "page";

/// `rows` (one row per owner and item, its owner in the column `owner`) cut
/// to the window's page of each owner, ordered by owner then place, with
/// each owner's `total` counted before the cursor applies and each row's
/// place `rn`. The statement selects nothing yet: the caller picks the
/// columns of [`PAGE`] it needs (and may join the rows the page shows, so
/// that only those are read whole).
///
/// ```sql
/// SELECT … FROM (SELECT c.*, ROW_NUMBER() OVER (PARTITION BY owner ORDER BY k1, k2) rn
///                FROM (SELECT r.*, COUNT(*) OVER (PARTITION BY owner) total FROM (rows) r) c
///                WHERE (k1, k2) > (after)) page
/// WHERE rn <= first + 1 ORDER BY owner, rn
/// ```
/// The extra row tells whether a next page exists.
pub(crate) fn windowed(
    backend: DbBackend,
    rows: SelectStatement,
    keys: Keys,
    window: &Window,
) -> SelectStatement {
    let (r, c, page) = (Alias::new("r"), Alias::new("c"), Alias::new(PAGE));
    let owner = Alias::new("owner");
    let counted = Query::select()
        .column((r.clone(), Asterisk))
        .expr_window_as(
            Expr::col(Asterisk).count(),
            WindowStatement::partition_by((r.clone(), owner.clone())),
            Alias::new("total"),
        )
        .from_subquery(rows, r)
        .to_owned();
    let first_key = Expr::col((c.clone(), Alias::new(keys.first)));
    let slug = Expr::col((c.clone(), Alias::new(keys.slug)));
    let slug = if keys.bytes && backend == DbBackend::Postgres {
        Expr::cust_with_expr(r#"$1 COLLATE "C""#, slug)
    } else {
        slug
    };
    let mut order = WindowStatement::partition_by((c.clone(), owner.clone()));
    order
        .order_by_expr(first_key.clone(), Order::Asc)
        .order_by_expr(slug.clone(), Order::Asc);
    let mut numbered = Query::select()
        .column((c.clone(), Asterisk))
        .expr_window_as(Func::cust("ROW_NUMBER"), order, Alias::new("rn"))
        .from_subquery(counted, c)
        .to_owned();
    if let Some(after) = &window.after {
        let (v1, v2) = after.values();
        numbered.and_where(
            Expr::tuple([first_key, slug]).gt(Expr::tuple([Expr::val(v1), Expr::val(v2)])),
        );
    }
    Query::select()
        .from_subquery(numbered, page.clone())
        .and_where(Expr::col((page.clone(), Alias::new("rn"))).lte(window.first as i64 + 1))
        .order_by((page.clone(), owner), Order::Asc)
        .order_by((page, Alias::new("rn")), Order::Asc)
        .to_owned()
}

/// One row of a windowed page, decoded: its owner, the item, the item's
/// position (for its cursor) and the owner's total.
pub(crate) struct Paged<T> {
    pub owner: Uuid,
    pub item: T,
    pub cursor: String,
    pub total: u64,
}

/// Rows in owner and place order, grouped into each owner's page; the row
/// past `first` only says that a next page exists.
pub(crate) fn pages<T>(rows: Vec<Paged<T>>, first: u64) -> HashMap<Uuid, Page<T>> {
    let mut out: HashMap<Uuid, Page<T>> = HashMap::new();
    for row in rows {
        let page = out.entry(row.owner).or_insert_with(|| Page {
            items: Vec::new(),
            cursors: Vec::new(),
            next_cursor: None,
            total: row.total,
        });
        if page.items.len() as u64 == first {
            page.next_cursor = page.cursors.last().cloned();
        } else {
            page.items.push(row.item);
            page.cursors.push(row.cursor);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(sort: &str, key: &str) -> String {
        Cursor {
            sort: sort.into(),
            key: key.into(),
            id: Uuid::nil(),
        }
        .encode()
    }

    #[test]
    fn a_window_takes_back_the_cursors_its_list_issues() {
        let day = NaiveDate::from_ymd_opt(2010, 12, 8).unwrap();
        let after = After::Dated(day, "op-payback".into());
        let c = after.cursor(Relation::OperationLinks, Uuid::nil());
        let w = Window::new(Relation::OperationLinks, 20, Some(&c)).unwrap();
        assert_eq!(w.after, Some(after));
        let after = After::Kind("legal_outcome", "lo-x".into());
        let c = after.cursor(Relation::CitingRecords, Uuid::nil());
        let w = Window::new(Relation::CitingRecords, 100, Some(&c)).unwrap();
        assert_eq!((w.first, w.after), (100, Some(after)));
    }

    #[test]
    fn foreign_and_malformed_cursors_are_refused_by_name() {
        let day_key = "2010-12-08 op-payback";
        let bad = [
            "garbage".to_owned(),
            // Another list's cursors: a root connection's, another relation's.
            cursor("start", day_key),
            cursor("legal_outcome_links", day_key),
            // This list's sort with a key it never issues.
            cursor("operation_links", "op-payback"),
            cursor("operation_links", "2010-13-08 op-payback"),
            cursor("citing_records", "person x"),
        ];
        for c in bad {
            for relation in [Relation::OperationLinks, Relation::CitingRecords] {
                let e = Window::new(relation, 20, Some(&c)).unwrap_err();
                assert!(
                    matches!(e, Error::Invalid(ref f) if f[0].field == "cursor"),
                    "{c}: {e}"
                );
            }
        }
        assert!(Window::new(Relation::OperationLinks, 101, None).is_err());
    }

    #[test]
    fn only_postgres_is_told_to_order_slugs_by_their_bytes() {
        use sea_orm::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
        let rows = Query::select()
            .columns(["owner", "earliest", "slug"].map(Alias::new))
            .from(Alias::new("links"))
            .to_owned();
        let day = NaiveDate::from_ymd_opt(2011, 1, 2).unwrap();
        let window = Window {
            first: 20,
            after: Some(After::Dated(day, "op-x".into())),
        };
        let keys = |bytes| Keys {
            first: "earliest",
            slug: "slug",
            bytes,
        };
        let sql = |backend, bytes| {
            let s = windowed(backend, rows.clone(), keys(bytes), &window)
                .column(Asterisk)
                .to_owned();
            match backend {
                DbBackend::Postgres => s.to_string(PostgresQueryBuilder),
                _ => s.to_string(SqliteQueryBuilder),
            }
        };
        let pg = sql(DbBackend::Postgres, true);
        eprintln!("{pg}");
        assert_eq!(pg.matches(r#""slug" COLLATE "C""#).count(), 2, "{pg}");
        assert!(pg.contains(r#"WHERE "page"."rn" <= 21"#), "{pg}");
        assert!(!sql(DbBackend::Postgres, false).contains("COLLATE"));
        assert!(!sql(DbBackend::Sqlite, true).contains("COLLATE"));
    }

    #[test]
    fn the_row_past_first_marks_a_next_page() {
        let owner = Uuid::from_u128(1);
        let row = |i: u32| Paged {
            owner,
            item: i,
            cursor: i.to_string(),
            total: 7,
        };
        let p = &pages((0..3).map(row).collect(), 2)[&owner];
        assert_eq!((p.items.clone(), p.total), (vec![0, 1], 7));
        assert_eq!(p.next_cursor.as_deref(), Some("1"));
        let p = &pages((0..2).map(row).collect(), 2)[&owner];
        assert_eq!(p.next_cursor, None);
    }
}
