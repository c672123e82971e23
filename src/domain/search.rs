//! Ranked search across every kind of record, in any language, over the
//! normalized search keys of names, aliases and texts.
//!
//! A query is matched word by word ([`query_words`]): a name or text matches
//! when it contains every word of the query, in any order, an Arabic word
//! with or without its clitics (و, ب, ل, ال), generic words (جماعة, مجموعة,
//! عملية) aside. Ranking: a name or alias that equals the query, then one
//! that starts with it, then one where every word starts a word, then one
//! that only contains them; a description, motive or summary comes last.
//! Within a level, primary names come before aliases and shorter texts
//! before longer ones. On Postgres the `LIKE '%…%'` tests use the trigram
//! indexes.

use std::collections::HashMap;

use sea_orm::QueryResult;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, LikeExpr, Order, Query};
use uuid::Uuid;

use super::Conn;
use super::filters::{contains_all, escape_like, query_key, query_words, starts_all};
use super::read;
use crate::db::entities::{name, text};
use crate::db::rows;
use crate::error::Result;

/// How many hits a search returns unless asked, and at most: the one
/// place both doors take the policy from ([`hits`]).
pub const DEFAULT_HITS: u64 = 20;
pub const MAX_HITS: u64 = 100;

/// The number of hits asked for (`DEFAULT_HITS` when not), refused outside
/// `1..=MAX_HITS`; `field` names the parameter as the caller's door spells it.
pub fn hits(asked: Option<i64>, field: &str) -> Result<u64> {
    match asked {
        None => Ok(DEFAULT_HITS),
        Some(n) if (1..=MAX_HITS as i64).contains(&n) => Ok(n as u64),
        Some(_) => Err(crate::Error::invalid(
            field,
            format!("must be between 1 and {MAX_HITS}"),
        )),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Group,
    Operation,
    Target,
    LegalOutcome,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Group => "group",
            Kind::Operation => "operation",
            Kind::Target => "target",
            Kind::LegalOutcome => "legal_outcome",
        }
    }
}

/// How well a hit matched; lower is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Match {
    Exact,
    Prefix,
    AllWords,
    Substring,
    Text,
}

impl Match {
    pub fn as_str(self) -> &'static str {
        match self {
            Match::Exact => "exact",
            Match::Prefix => "prefix",
            Match::AllWords => "all_words",
            Match::Substring => "substring",
            Match::Text => "text",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub kind: Kind,
    pub id: Uuid,
    pub slug: String,
    /// The record's display name (a legal outcome's is its kind and date).
    pub name: String,
    pub matched: Match,
    /// `name`, the kind of another name (`alias`, `transliteration`,
    /// `translation`), or the text field (`description`, `motive`, `summary`).
    pub field: String,
    pub lang: String,
    /// The matching name or text as stored.
    pub text: String,
}

struct Row {
    kind: Kind,
    id: Uuid,
    level: Match,
    primary: bool,
    len: usize,
    field: String,
    lang: String,
    text: String,
}

fn owner(r: &QueryResult, cols: &[(&str, Kind)]) -> Option<(Kind, Uuid)> {
    cols.iter().find_map(|(c, k)| {
        r.try_get::<Option<Uuid>>("", c)
            .ok()
            .flatten()
            .map(|id| (*k, id))
    })
}

/// Up to `limit` records (see [`hits`]) whose names or texts match `q`, best first.
pub async fn search<C: Conn>(db: &C, q: &str, limit: u64) -> Result<Vec<Hit>> {
    let key = query_key(q)?;
    if key.is_empty() {
        return Ok(Vec::new());
    }
    let words = query_words(&key);
    // Enough rows that duplicates of one record cannot starve the page.
    let fetch = limit * 5 + 20;

    let level = Expr::case(Expr::col(name::Column::SearchKey).eq(key.clone()), 0)
        .case(Expr::col(name::Column::SearchKey).like(prefix(&key)), 1)
        .case(starts_all(name::Column::SearchKey, &words), 2)
        .finally(3);
    let names = Query::select()
        .columns([
            name::Column::GroupId,
            name::Column::TargetId,
            name::Column::OperationId,
            name::Column::Kind,
            name::Column::Lang,
            name::Column::Text,
        ])
        .expr_as(level.clone(), Alias::new("level"))
        .from(name::Entity)
        .cond_where(contains_all(name::Column::SearchKey, &words))
        .order_by_expr(level.into(), Order::Asc)
        .order_by_expr(Expr::cust("length(search_key)"), Order::Asc)
        .limit(fetch)
        .to_owned();
    let texts = Query::select()
        .columns([
            text::Column::GroupId,
            text::Column::TargetId,
            text::Column::OperationId,
            text::Column::LegalOutcomeId,
            text::Column::Field,
            text::Column::Lang,
            text::Column::Text,
        ])
        .from(text::Entity)
        .cond_where(contains_all(text::Column::SearchKey, &words))
        .order_by_expr(Expr::cust("length(search_key)"), Order::Asc)
        .limit(fetch)
        .to_owned();

    let mut rows = Vec::new();
    for r in rows::statement(db, &names).await? {
        let Some((kind, id)) = owner(
            &r,
            &[
                ("group_id", Kind::Group),
                ("target_id", Kind::Target),
                ("operation_id", Kind::Operation),
            ],
        ) else {
            continue;
        };
        let level: i32 = r.try_get("", "level").unwrap_or(3);
        let name_kind: String = r.try_get("", "kind").unwrap_or_default();
        let text: String = r.try_get("", "text").unwrap_or_default();
        rows.push(Row {
            kind,
            id,
            level: [
                Match::Exact,
                Match::Prefix,
                Match::AllWords,
                Match::Substring,
            ][level.clamp(0, 3) as usize],
            primary: name_kind == "primary",
            len: text.chars().count(),
            // `name`, or the kind of another name (alias, transliteration,
            // translation).
            field: if name_kind == "primary" {
                "name".to_owned()
            } else {
                name_kind.clone()
            },
            lang: r.try_get("", "lang").unwrap_or_default(),
            text,
        });
    }
    // Texts rank below every name: once the names hold `limit` records, no
    // text can reach the page, and matching the texts (the costly half on a
    // common word) is skipped.
    let named: std::collections::HashSet<(Kind, Uuid)> =
        rows.iter().map(|r| (r.kind, r.id)).collect();
    let text_rows = if named.len() as u64 >= limit {
        Vec::new()
    } else {
        rows::statement(db, &texts).await?
    };
    for r in text_rows {
        let Some((kind, id)) = owner(
            &r,
            &[
                ("group_id", Kind::Group),
                ("target_id", Kind::Target),
                ("operation_id", Kind::Operation),
                ("legal_outcome_id", Kind::LegalOutcome),
            ],
        ) else {
            continue;
        };
        let text: String = r.try_get("", "text").unwrap_or_default();
        rows.push(Row {
            kind,
            id,
            level: Match::Text,
            primary: false,
            len: text.chars().count(),
            field: r.try_get("", "field").unwrap_or_default(),
            lang: r.try_get("", "lang").unwrap_or_default(),
            text,
        });
    }

    // Best row per record.
    rows.sort_by(|a, b| {
        (a.level, !a.primary, a.len, a.kind, a.id).cmp(&(b.level, !b.primary, b.len, b.kind, b.id))
    });
    let mut best: Vec<Row> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for r in rows {
        if seen.insert((r.kind, r.id)) {
            best.push(r);
        }
        if best.len() as u64 == limit {
            break;
        }
    }

    let ids_of =
        |k: Kind| -> Vec<Uuid> { best.iter().filter(|r| r.kind == k).map(|r| r.id).collect() };
    let mut labels: HashMap<(Kind, Uuid), (String, String)> = HashMap::new();
    for (id, g) in read::groups_by_ids(db, &ids_of(Kind::Group)).await? {
        labels.insert((Kind::Group, id), (g.slug, g.name));
    }
    for (id, t) in read::targets_by_ids(db, &ids_of(Kind::Target)).await? {
        labels.insert((Kind::Target, id), (t.slug, t.name));
    }
    for (id, o) in read::operations_by_ids(db, &ids_of(Kind::Operation)).await? {
        labels.insert((Kind::Operation, id), (o.slug, o.name));
    }
    for (id, l) in read::legal_outcomes_by_ids(db, &ids_of(Kind::LegalOutcome)).await? {
        let label = super::model::legal_outcome_label(&l);
        labels.insert((Kind::LegalOutcome, id), (l.slug, label));
    }
    Ok(best
        .into_iter()
        .filter_map(|r| {
            let (slug, name) = labels.remove(&(r.kind, r.id))?;
            Some(Hit {
                kind: r.kind,
                id: r.id,
                slug,
                name,
                matched: r.level,
                field: r.field,
                lang: r.lang,
                text: r.text,
            })
        })
        .collect())
}

fn prefix(key: &str) -> LikeExpr {
    LikeExpr::new(format!("{}%", escape_like(key))).escape('\\')
}
