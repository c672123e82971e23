//! Text search: the search key of a `q` and its words, `LIKE` patterns, and
//! the subquery of records with a name or text that contains every word.

use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query, SelectStatement, UnionType};
use sea_orm::{ColumnTrait, Condition, EntityTrait};

use crate::db::entities::{name, text};
use crate::domain::text::search_key;
use crate::error::{Error, Result};

/// Longest accepted `q`, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// The normalized search key of a `q`, refused when blank (nothing but
/// spaces, tabs and line breaks: [`super::declare::QUERY_PATTERN`]) or too
/// long. A `q` whose key is still empty (only diacritics, say) matches
/// nothing.
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
    if q.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) {
        return Err(Error::invalid("q", "must contain something to search for"));
    }
    Ok(search_key(q))
}

/// Generic words a name may go without (as search keys: جماعة, مجموعة,
/// عملية): "جماعة الانونيموس" finds Anonymous, whose names never say جماعة.
const GENERIC_WORDS: &[&str] = &["جماعه", "مجموعه", "عمليه"];

/// Arabic clitics that attach to the front of a word (و, ب, ل, ال and their
/// combinations), longest first.
const CLITICS: &[&str] = &["وال", "بال", "لل", "ال", "و", "ب", "ل"];

/// The words of a search key that a match must contain, each without a
/// leading Arabic clitic, generic words left out (unless nothing else is
/// left). A word keeps its clitic when too little would remain (two letters).
pub fn query_words(key: &str) -> Vec<String> {
    let words: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
    let specific: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| !GENERIC_WORDS.contains(&bare(w)))
        .collect();
    let chosen = if specific.is_empty() { words } else { specific };
    let mut out: Vec<String> = Vec::new();
    for w in chosen {
        let w = bare(w).to_owned();
        if !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// A word without its leading clitic.
fn bare(word: &str) -> &str {
    CLITICS
        .iter()
        .find_map(|c| word.strip_prefix(c).filter(|rest| rest.chars().count() > 2))
        .unwrap_or(word)
}

/// The forms a bare word may start a stored word with: as is, or behind a
/// clitic when it is Arabic.
pub fn word_starts(word: &str) -> Vec<String> {
    let arabic = word.chars().any(|c| ('\u{0600}'..='\u{06ff}').contains(&c));
    let mut forms = vec![word.to_owned()];
    if arabic {
        forms.extend(CLITICS.iter().map(|c| format!("{c}{word}")));
    }
    forms
}

/// A condition on a search-key column: it contains every word.
pub fn contains_all(
    column: impl sea_orm::sea_query::IntoColumnRef + Copy,
    words: &[String],
) -> Condition {
    if words.is_empty() {
        // A search with nothing left to look for matches nothing.
        return Condition::all().add(Expr::val(false));
    }
    words.iter().fold(Condition::all(), |c, w| {
        c.add(Expr::col(column).like(contains(w)))
    })
}

/// A condition on a search-key column: every word starts one of its words
/// (behind a clitic or not), in any order.
pub fn starts_all(
    column: impl sea_orm::sea_query::IntoColumnRef + Copy,
    words: &[String],
) -> Condition {
    words.iter().fold(Condition::all(), |c, w| {
        let any = word_starts(w).iter().fold(Condition::any(), |any, form| {
            let e = escape_like(form);
            any.add(Expr::col(column).like(LikeExpr::new(format!("{e}%")).escape('\\')))
                .add(Expr::col(column).like(LikeExpr::new(format!("% {e}%")).escape('\\')))
        });
        c.add(any)
    })
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

/// Ids of records with a name or a text that contains every word of `key`
/// ([`query_words`]), as one subquery: a
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
            .add(contains_all(name::Column::SearchKey, &query_words(key))),
    )
}

fn texts_like(col: text::Column, key: &str) -> SelectStatement {
    ids_where(
        col,
        text::Entity,
        Condition::all()
            .add(col.is_not_null())
            .add(contains_all(text::Column::SearchKey, &query_words(key))),
    )
}
