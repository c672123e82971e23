//! What the query root answers with besides records: connections, search
//! hits, timeline entries, statistics and revisions.

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, ID, Object, Result, SimpleObject};

use crate::db::Reader;
use crate::domain::edtf::{End, EndState};
use crate::domain::model::Subject;
use crate::domain::page::{Page, PageRequest};
use crate::domain::stats;
use crate::domain::timeline::Entry;
use crate::graphql::error::GqlResult;
use crate::graphql::types::*;

/// One write to a record.
#[derive(SimpleObject, Debug)]
pub struct Revision {
    pub version: i32,
    /// create, update or delete.
    pub action: String,
    /// The id of the API key that wrote it.
    pub actor: Option<ID>,
    pub at: chrono::DateTime<chrono::Utc>,
    pub reason: Option<String>,
    /// The record before the write, in the dataset format.
    pub before: Option<async_graphql::Json<serde_json::Value>>,
    /// The record after the write.
    pub after: Option<async_graphql::Json<serde_json::Value>>,
}

/// One write, as the change feed gives it.
#[derive(SimpleObject, Debug)]
pub struct Change {
    /// group, operation, target, legal_outcome or source.
    pub kind: String,
    pub slug: String,
    /// The record's version after the write.
    pub version: i32,
    /// create, update or delete.
    pub action: String,
    pub at: chrono::DateTime<chrono::Utc>,
    /// The API key that wrote it (null for the bundled dataset and CLI imports).
    pub key_id: Option<ID>,
    /// The record's new state in the dataset format; null for a delete.
    pub record: Option<async_graphql::Json<serde_json::Value>>,
}

impl From<crate::domain::changes::Change> for Change {
    fn from(c: crate::domain::changes::Change) -> Self {
        Change {
            kind: c.kind,
            slug: c.slug,
            version: c.version,
            action: c.action,
            at: c.at,
            key_id: c.key_id.map(|k| ID(k.to_string())),
            record: c.record.map(async_graphql::Json),
        }
    }
}

/// Fields every connection has besides edges, nodes and pageInfo.
#[derive(SimpleObject, Debug)]
pub struct ConnectionFields {
    /// Records matching the filter, over all pages.
    pub total_count: u64,
}

pub type Conn<T> = Connection<String, T, ConnectionFields, EmptyFields>;

pub(crate) fn db<'a>(ctx: &Context<'a>) -> &'a Reader {
    ctx.data_unchecked::<Reader>()
}

/// A page of `first` after a cursor; the total is counted only when the
/// query selects `totalCount`.
pub(crate) fn page(ctx: &Context<'_>, first: i32, after: Option<String>) -> Result<PageRequest> {
    let mut p = PageRequest::new(Some(i64::from(first)), after.as_deref()).gql()?;
    p.count = ctx.look_ahead().field("totalCount").exists();
    Ok(p)
}

pub(crate) fn connection<M, T: async_graphql::OutputType>(
    p: Page<M>,
    after: bool,
    wrap: impl Fn(M) -> T,
) -> Conn<T> {
    let mut c = Connection::with_additional_fields(
        after,
        p.next_cursor.is_some(),
        ConnectionFields {
            total_count: p.total,
        },
    );
    c.edges.extend(
        p.items
            .into_iter()
            .zip(p.cursors)
            .map(|(item, cursor)| Edge::new(cursor, wrap(item))),
    );
    c
}

/// A ranked search hit.
#[derive(SimpleObject, Debug)]
pub struct SearchHit {
    /// group, operation, target or legal_outcome.
    pub kind: String,
    pub slug: String,
    pub name: String,
    /// exact, prefix, all_words, substring or text.
    pub matched: String,
    /// name, alias, transliteration, translation, description, motive or summary.
    pub field: String,
    pub lang: String,
    pub text: String,
}

/// An operation or a legal outcome on the timeline.
pub struct TimelineEntry(pub(crate) Entry);

#[Object]
impl TimelineEntry {
    /// operation or legal_outcome.
    #[graphql(name = "type")]
    async fn kind(&self) -> &str {
        match &self.0 {
            Entry::Operation(_) => "operation",
            Entry::LegalOutcome(_) => "legal_outcome",
        }
    }
    async fn slug(&self) -> &str {
        match &self.0 {
            Entry::Operation(o) => &o.slug,
            Entry::LegalOutcome(l) => &l.slug,
        }
    }
    /// When it happened (an operation's start).
    async fn date(&self) -> Option<Date> {
        match &self.0 {
            Entry::Operation(o) => Date::of(Some(&o.start_edtf)),
            Entry::LegalOutcome(l) => Date::of(Some(&l.date_edtf)),
        }
    }
    /// True when sources disagree on the record (its `alternatives` and
    /// `disputeNote` say how).
    async fn disputed(&self) -> bool {
        self.0.disputed()
    }
    async fn dispute_note(&self) -> Option<&str> {
        self.0.dispute_note()
    }
    /// True when the entry stands at its earliest possible day rather than
    /// at a known day: its date is known only to the month or the year
    /// (`2011` is listed before `2011-01-02` without having happened first).
    async fn placed_by_earliest_day(&self) -> bool {
        self.0.placed_by_earliest_day()
    }
    /// An operation's end state (null for a legal outcome).
    async fn end_state(&self) -> Option<EndState> {
        match &self.0 {
            Entry::Operation(o) => Some(End::stored(o.end_edtf.as_deref()).state()),
            Entry::LegalOutcome(_) => None,
        }
    }
    async fn operation(&self) -> Option<Operation> {
        match &self.0 {
            Entry::Operation(o) => Some(Operation(o.clone())),
            Entry::LegalOutcome(_) => None,
        }
    }
    async fn legal_outcome(&self) -> Option<LegalOutcome> {
        match &self.0 {
            Entry::LegalOutcome(l) => Some(LegalOutcome(l.clone())),
            Entry::Operation(_) => None,
        }
    }
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        match &self.0 {
            Entry::Operation(o) => citations(ctx, Subject::Operation, o.id).await,
            Entry::LegalOutcome(l) => citations(ctx, Subject::LegalOutcome, l.id).await,
        }
    }
}

#[derive(SimpleObject, Debug)]
pub struct MonthCount {
    /// 1 to 12.
    pub month: u32,
    pub count: u64,
}

#[derive(SimpleObject, Debug)]
pub struct YearCount {
    pub year: i32,
    pub count: u64,
    /// Records known at least to the month.
    pub by_month: Vec<MonthCount>,
    /// Records of this year known only to the year: counted apart, never in January.
    pub unknown_month: u64,
}

#[derive(SimpleObject, Debug)]
pub struct ByDate {
    pub by_year: Vec<YearCount>,
    pub unknown_year: u64,
}

#[derive(SimpleObject, Debug)]
pub struct KeyCount {
    /// Null counts records with no value.
    pub key: Option<String>,
    pub count: u64,
}

#[derive(SimpleObject, Debug)]
pub struct Stats {
    pub operations: u64,
    pub legal_outcomes: u64,
    pub operations_by_year: ByDate,
    pub legal_outcomes_by_year: ByDate,
    pub by_tactic: Vec<KeyCount>,
    pub by_outcome_kind: Vec<KeyCount>,
    pub by_jurisdiction: Vec<KeyCount>,
}

pub(crate) fn by_date(b: stats::ByDate) -> ByDate {
    ByDate {
        by_year: b
            .by_year
            .into_iter()
            .map(|y| YearCount {
                year: y.year,
                count: y.count,
                by_month: y
                    .months
                    .into_iter()
                    .map(|(month, count)| MonthCount { month, count })
                    .collect(),
                unknown_month: y.unknown_month,
            })
            .collect(),
        unknown_year: b.unknown_year,
    }
}
