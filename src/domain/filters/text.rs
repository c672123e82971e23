//! Text search in filters: the search key of a `q`, `LIKE` patterns, and
//! the subquery of records whose names or texts contain a key.

use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query, SelectStatement, UnionType};
use sea_orm::{ColumnTrait, Condition, EntityTrait};

use crate::db::entities::{name, text};
use crate::domain::text::search_key;
use crate::error::{Error, Result};

/// Longest accepted `q`, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// The normalized search key of a `q`, refused when empty or too long.
pub fn query_key(q: &str) -> Result<String> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(Error::invalid(
            "q",
            format!("longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    if q.contains('\0') {
        return Err(Error::invalid("q", "must not contain NUL characters"));
    }
    let key = search_key(q);
    if key.is_empty() {
        return Err(Error::invalid("q", "must contain something to search for"));
    }
    Ok(key)
}

/// `LIKE '%key%'` with the key's own `%`, `_` and `\` taken literally.
pub fn contains(key: &str) -> LikeExpr {
    LikeExpr::new(format!("%{}%", escape_like(key))).escape('\\')
}

/// A text with `LIKE`'s wildcards and escape character taken literally
/// (the pattern must say `ESCAPE '\\'`).
pub fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

pub(super) fn ids_where<E: EntityTrait>(
    select: E::Column,
    from: E,
    cond: Condition,
) -> SelectStatement {
    Query::select()
        .column(select)
        .from(from)
        .cond_where(cond)
        .to_owned()
}

/// Ids of records whose names or texts contain `key`, as one subquery: a
/// UNION lets Postgres use both trigram indexes instead of testing every
/// record against two subqueries.
pub(super) fn matching(
    name_col: Option<name::Column>,
    text_col: text::Column,
    key: &str,
) -> SelectStatement {
    let texts = texts_like(text_col, key);
    match name_col {
        Some(nc) => names_like(nc, key)
            .union(UnionType::Distinct, texts)
            .to_owned(),
        None => texts,
    }
}

fn names_like(col: name::Column, key: &str) -> SelectStatement {
    ids_where(
        col,
        name::Entity,
        Condition::all()
            .add(col.is_not_null())
            .add(Expr::col(name::Column::SearchKey).like(contains(key))),
    )
}

fn texts_like(col: text::Column, key: &str) -> SelectStatement {
    ids_where(
        col,
        text::Entity,
        Condition::all()
            .add(col.is_not_null())
            .add(Expr::col(text::Column::SearchKey).like(contains(key))),
    )
}
