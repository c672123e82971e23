//! The timeline: operations and legal outcomes in one date order — earliest
//! day first, then finer precision first (a day before its month before its
//! year), then kind and id — with keyset pagination across both tables.
//! The last tie-break is the id, not the slug: the two tables are merged in
//! Rust, and UUIDs order the same way there as in every database, whereas
//! text follows the database's collation.

use chrono::NaiveDate;
use sea_orm::sea_query::IntoCondition;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::Conn;
use super::edtf::{End, Precision};
use super::filters::{Filter, LegalOutcomeFilter, OperationFilter};
use super::page::{Cursor, Page, PageRequest};
use crate::db::entities::{legal_outcome, operation};
use crate::db::rows;
use crate::error::{Error, Result};

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 500;

crate::domain::filters::declare::filter! {
    /// Which operations and legal outcomes a timeline holds.
    TimelineFilter as "TimelineFilterInput" {
        /// Slug of a group: its operations and legal outcomes.
        group: slug,
        /// Slug of a target: the operations against it and their outcomes.
        target: slug,
        /// Earliest day of interest (EDTF; `2011` means from 2011-01-01).
        from: date,
        /// Latest day of interest (EDTF; `2011` means up to 2011-12-31).
        to: date,
        /// How a record's span must meet `from`/`to`: `overlaps` (default: it may have happened then; `2011` overlaps January 2011) or `within` (it certainly happened then: its whole span is inside; an operation whose end is not known is within no range that has a `to`).
        date_match: date_match,
    }
}

#[derive(Debug, Clone)]
pub enum Entry {
    Operation(operation::Model),
    LegalOutcome(legal_outcome::Model),
}

impl Entry {
    pub fn disputed(&self) -> bool {
        match self {
            Entry::Operation(o) => o.disputed,
            Entry::LegalOutcome(l) => l.disputed,
        }
    }

    pub fn dispute_note(&self) -> Option<&str> {
        match self {
            Entry::Operation(o) => o.dispute_note.as_deref(),
            Entry::LegalOutcome(l) => l.dispute_note.as_deref(),
        }
    }

    /// Whether the entry stands at its earliest possible day rather than at
    /// a known day: its date is known only to the month or the year, so
    /// `2011` comes before `2011-01-02` without having happened first.
    pub fn placed_by_earliest_day(&self) -> bool {
        self.key().1 != Precision::Day.as_str()
    }

    /// Sort key: (earliest, precision, kind, id). `day` < `month` < `year`
    /// also as text, which is what the SQL compares.
    fn key(&self) -> (NaiveDate, &str, &'static str, Uuid) {
        match self {
            Entry::Operation(o) => (o.earliest, &o.start_precision, "operation", o.id),
            Entry::LegalOutcome(l) => (l.earliest, &l.date_precision, "legal_outcome", l.id),
        }
    }
}

/// Rows of one table that come after the cursor position.
fn after<E: ColumnTrait, P: ColumnTrait, I: ColumnTrait>(
    earliest: E,
    precision: P,
    id: I,
    kind: &str,
    at: &(NaiveDate, String, String, Uuid),
) -> Condition {
    let (e, p, k, s) = at;
    let same_date = Condition::all().add(earliest.eq(*e));
    let mut any = Condition::any()
        .add(earliest.gt(*e))
        .add(same_date.clone().add(precision.gt(p.as_str())));
    let same = same_date.add(precision.eq(p.as_str()));
    match kind.cmp(k.as_str()) {
        std::cmp::Ordering::Greater => any = any.add(same),
        std::cmp::Ordering::Equal => any = any.add(same.add(id.gt(*s))),
        std::cmp::Ordering::Less => {}
    }
    any
}

fn parse_cursor(c: &Cursor) -> Result<(NaiveDate, String, String, Uuid)> {
    let bad = || Error::invalid("cursor", "not a cursor this service issued");
    if c.sort != "timeline" {
        return Err(bad());
    }
    let mut parts = c.key.splitn(4, '|');
    let date = parts
        .next()
        .and_then(super::page::cursor_date)
        .ok_or_else(bad)?;
    let p = parts.next().ok_or_else(bad)?.to_owned();
    let k = parts.next().ok_or_else(bad)?.to_owned();
    let id = parts
        .next()
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(bad)?;
    Ok((date, p, k, id))
}

pub fn page_request(limit: Option<i64>, cursor: Option<&str>) -> Result<PageRequest> {
    PageRequest::bounded(limit, cursor, DEFAULT_LIMIT, MAX_LIMIT)
}

impl TimelineFilter {
    /// Every bad value, by field name, as one 400.
    pub fn check(&self) -> Result<()> {
        self.checks().range(&self.from, &self.to).done()
    }
}

pub async fn timeline<C: Conn>(
    db: &C,
    f: &TimelineFilter,
    page: &PageRequest,
) -> Result<Page<Entry>> {
    f.check()?;
    let ops_cond = OperationFilter {
        group: f.group.clone(),
        target: f.target.clone(),
        from: f.from.clone(),
        to: f.to.clone(),
        date_match: f.date_match,
        ..Default::default()
    }
    .resolve(db)
    .await?;
    let los_cond = LegalOutcomeFilter {
        group: f.group.clone(),
        target: f.target.clone(),
        from: f.from.clone(),
        to: f.to.clone(),
        date_match: f.date_match,
        ..Default::default()
    }
    .resolve(db)
    .await?;
    let total = if page.count {
        rows::count(db, operation::Entity::find().filter(ops_cond.clone())).await?
            + rows::count(db, legal_outcome::Entity::find().filter(los_cond.clone())).await?
    } else {
        0
    };

    let at = page.cursor.as_ref().map(parse_cursor).transpose()?;
    let mut ops = operation::Entity::find().filter(ops_cond);
    let mut los = legal_outcome::Entity::find().filter(los_cond);
    if let Some(at) = &at {
        ops = ops.filter(
            after(
                operation::Column::Earliest,
                operation::Column::StartPrecision,
                operation::Column::Id,
                "operation",
                at,
            )
            .into_condition(),
        );
        los = los.filter(
            after(
                legal_outcome::Column::Earliest,
                legal_outcome::Column::DatePrecision,
                legal_outcome::Column::Id,
                "legal_outcome",
                at,
            )
            .into_condition(),
        );
    }
    let n = page.limit + 1;
    let ops = rows::all(
        db,
        ops.order_by_asc(operation::Column::Earliest)
            .order_by_asc(operation::Column::StartPrecision)
            .order_by_asc(operation::Column::Id)
            .limit(n),
    )
    .await?;
    let los = rows::all(
        db,
        los.order_by_asc(legal_outcome::Column::Earliest)
            .order_by_asc(legal_outcome::Column::DatePrecision)
            .order_by_asc(legal_outcome::Column::Id)
            .limit(n),
    )
    .await?;
    let mut items: Vec<Entry> = ops
        .into_iter()
        .map(Entry::Operation)
        .chain(los.into_iter().map(Entry::LegalOutcome))
        .collect();
    items.sort_by(|a, b| a.key().cmp(&b.key()));
    let more = items.len() as u64 > page.limit;
    items.truncate(page.limit as usize);
    let cursors: Vec<String> = items
        .iter()
        .map(|item| {
            let (e, p, k, s) = item.key();
            Cursor {
                sort: "timeline".to_owned(),
                key: format!("{}|{p}|{k}|{s}", e.format("%Y-%m-%d")),
                id: match item {
                    Entry::Operation(o) => o.id,
                    Entry::LegalOutcome(l) => l.id,
                },
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

/// One record as the timeline chart draws it.
#[derive(Debug, Clone)]
pub struct Span {
    pub operation: bool,
    pub slug: String,
    pub title: String,
    pub edtf: String,
    pub precision: String,
    pub earliest: NaiveDate,
    pub latest: NaiveDate,
    pub disputed: bool,
}

impl Span {
    /// Whether the record's end is not known: an open end is stored as the
    /// latest day a date can name.
    pub fn end_unknown(&self) -> bool {
        self.latest == super::edtf::max_day()
    }
}

/// The first `cap` timeline records as spans, and how many match in all.
pub async fn spans<C: Conn>(db: &C, f: &TimelineFilter, cap: u64) -> Result<(Vec<Span>, u64)> {
    let mut out = Vec::new();
    let mut page = PageRequest {
        limit: MAX_LIMIT.min(cap.max(1)),
        cursor: None,
        count: true,
    };
    let mut total = 0;
    loop {
        let p = timeline(db, f, &page).await?;
        if page.count {
            total = p.total;
            page.count = false;
        }
        out.extend(
            p.items
                .into_iter()
                .map(|e| (e.disputed(), e))
                .map(|(disputed, e)| match e {
                    Entry::Operation(o) => Span {
                        operation: true,
                        edtf: match End::stored(o.end_edtf.as_deref()) {
                            End::Known(e) if e.to_string() == o.start_edtf => o.start_edtf.clone(),
                            End::Known(e) => format!("{} – {e}", o.start_edtf),
                            End::Unknown => format!("{} – end unknown", o.start_edtf),
                            End::Open => format!("{} – ran on", o.start_edtf),
                        },
                        precision: o.start_precision,
                        earliest: o.earliest,
                        latest: o.latest,
                        title: o.name,
                        slug: o.slug,
                        disputed,
                    },
                    Entry::LegalOutcome(l) => Span {
                        operation: false,
                        title: super::model::legal_outcome_title(&l),
                        edtf: l.date_edtf,
                        precision: l.date_precision,
                        earliest: l.earliest,
                        latest: l.latest,
                        slug: l.slug,
                        disputed,
                    },
                }),
        );
        match p.next_cursor {
            Some(c) if (out.len() as u64) < cap => {
                page.cursor = Some(Cursor::decode(&c)?);
            }
            _ => return Ok((out, total)),
        }
    }
}
