//! The query root: the same questions as the REST API, over the same domain
//! functions, with filters that mirror the REST parameters one to one.

use crate::db::Reader;
use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, ID, Object, Result, SimpleObject};

use super::error::GqlResult;
use super::loaders::*;
use super::types::*;
use crate::domain::filters::{
    Declared, GroupFilter, LegalOutcomeFilter, OperationFilter, SourceFilter, TargetFilter,
};
use crate::domain::model::Subject;
use crate::domain::page::{Page, PageRequest};
use crate::domain::timeline::{Entry, TimelineFilter};
use crate::domain::write::{self, Collection};
use crate::domain::{read, search, stats, timeline};

pub struct Query;

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

/// Fields every connection has besides edges, nodes and pageInfo.
#[derive(SimpleObject, Debug)]
pub struct ConnectionFields {
    /// Records matching the filter, over all pages.
    pub total_count: u64,
}

pub type Conn<T> = Connection<String, T, ConnectionFields, EmptyFields>;

fn db<'a>(ctx: &Context<'a>) -> &'a Reader {
    ctx.data_unchecked::<Reader>()
}

/// A page of `first` after a cursor; the total is counted only when the
/// query selects `totalCount`.
fn page(ctx: &Context<'_>, first: i32, after: Option<String>) -> Result<PageRequest> {
    let mut p = PageRequest::new(Some(i64::from(first)), after.as_deref()).gql()?;
    p.count = ctx.look_ahead().field("totalCount").exists();
    Ok(p)
}

fn connection<M, T: async_graphql::OutputType>(
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
    /// exact, prefix, word_prefix, substring or text.
    pub matched: String,
    /// name, alias, description, motive or summary.
    pub field: String,
    pub lang: String,
    pub text: String,
}

/// An operation or a legal outcome on the timeline.
pub struct TimelineEntry(Entry);

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

fn by_date(b: stats::ByDate) -> ByDate {
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

#[Object]
impl Query {
    /// One group by slug, e.g. `anonymous`.
    async fn group(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Group>> {
        read::group_by_slug(db(ctx), &slug)
            .await
            .gql()
            .map(|m| Some(Group(m)))
    }

    /// Groups; `orderBy`: name (default), slug, `-` to reverse.
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn groups(
        &self,
        ctx: &Context<'_>,
        filter: Option<GroupFilter>,
        order_by: Option<String>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Conn<Group>> {
        let filter = filter.unwrap_or_default().without_empty();
        let has_after = after.is_some();
        let p = read::list_groups(
            db(ctx),
            &filter,
            order_by.as_deref(),
            &page(ctx, first, after)?,
        )
        .await
        .gql()?;
        Ok(connection(p, has_after, Group))
    }

    /// One operation by slug, e.g. `op-avenge-assange`.
    async fn operation(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Operation>> {
        read::operation_by_slug(db(ctx), &slug)
            .await
            .gql()
            .map(|m| Some(Operation(m)))
    }

    /// Operations; `orderBy`: start (default), end, name, slug, `-` to reverse.
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn operations(
        &self,
        ctx: &Context<'_>,
        filter: Option<OperationFilter>,
        order_by: Option<String>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Conn<Operation>> {
        let filter = filter.unwrap_or_default().without_empty();
        let has_after = after.is_some();
        let p = read::list_operations(
            db(ctx),
            &filter,
            order_by.as_deref(),
            &page(ctx, first, after)?,
        )
        .await
        .gql()?;
        Ok(connection(p, has_after, Operation))
    }

    /// One target by slug, e.g. `paypal`.
    async fn target(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Target>> {
        read::target_by_slug(db(ctx), &slug)
            .await
            .gql()
            .map(|m| Some(Target(m)))
    }

    /// Targets; `orderBy`: name (default), slug.
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn targets(
        &self,
        ctx: &Context<'_>,
        filter: Option<TargetFilter>,
        order_by: Option<String>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Conn<Target>> {
        let filter = filter.unwrap_or_default().without_empty();
        let has_after = after.is_some();
        let p = read::list_targets(
            db(ctx),
            &filter,
            order_by.as_deref(),
            &page(ctx, first, after)?,
        )
        .await
        .gql()?;
        Ok(connection(p, has_after, Target))
    }

    /// One legal outcome by slug, e.g. `lo-paypal14-restitution`.
    async fn legal_outcome(&self, ctx: &Context<'_>, slug: String) -> Result<Option<LegalOutcome>> {
        read::legal_outcome_by_slug(db(ctx), &slug)
            .await
            .gql()
            .map(|m| Some(LegalOutcome(m)))
    }

    /// Legal outcomes; `orderBy`: date (default), slug.
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn legal_outcomes(
        &self,
        ctx: &Context<'_>,
        filter: Option<LegalOutcomeFilter>,
        order_by: Option<String>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Conn<LegalOutcome>> {
        let filter = filter.unwrap_or_default().without_empty();
        let has_after = after.is_some();
        let p = read::list_legal_outcomes(
            db(ctx),
            &filter,
            order_by.as_deref(),
            &page(ctx, first, after)?,
        )
        .await
        .gql()?;
        Ok(connection(p, has_after, LegalOutcome))
    }

    /// One source by slug, e.g. `seed-article`.
    async fn source(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Source>> {
        read::source_by_slug(db(ctx), &slug)
            .await
            .gql()
            .map(|m| Some(Source::from(m)))
    }

    /// Sources; `orderBy`: slug (default), title.
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn sources(
        &self,
        ctx: &Context<'_>,
        filter: Option<SourceFilter>,
        order_by: Option<String>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Conn<Source>> {
        let filter = filter.unwrap_or_default().without_empty();
        let has_after = after.is_some();
        let p = read::list_sources(
            db(ctx),
            &filter,
            order_by.as_deref(),
            &page(ctx, first, after)?,
        )
        .await
        .gql()?;
        Ok(connection(p, has_after, Source::from))
    }

    /// Ranked search across every kind of record, in any language.
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        #[graphql(default_with = "search::DEFAULT_HITS as i32")] first: i32,
    ) -> Result<Vec<SearchHit>> {
        let limit = search::hits(Some(first.into()), "first").gql()?;
        let hits = search::search(db(ctx), &query, limit).await.gql()?;
        Ok(hits
            .into_iter()
            .map(|h| SearchHit {
                kind: h.kind.as_str().to_owned(),
                slug: h.slug,
                name: h.name,
                matched: h.matched.as_str().to_owned(),
                field: h.field,
                lang: h.lang,
                text: h.text,
            })
            .collect())
    }

    /// Operations and legal outcomes by earliest day, finer precision first.
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        group: Option<String>,
        target: Option<String>,
        from: Option<String>,
        to: Option<String>,
        #[graphql(default = 50, validator(minimum = 1, maximum = 500))] first: i32,
        after: Option<String>,
    ) -> Result<Conn<TimelineEntry>> {
        let filter = TimelineFilter {
            group,
            target,
            from,
            to,
        }
        .without_empty();
        let has_after = after.is_some();
        let page = timeline::page_request(Some(i64::from(first)), after.as_deref()).gql()?;
        let p = timeline::timeline(db(ctx), &filter, &page).await.gql()?;
        Ok(connection(p, has_after, TimelineEntry))
    }

    /// Counts by year, tactic, outcome kind and jurisdiction.
    async fn stats(&self, ctx: &Context<'_>) -> Result<Stats> {
        let s = stats::stats(db(ctx)).await.gql()?;
        let counts = |v: Vec<(String, u64)>| {
            v.into_iter()
                .map(|(k, count)| KeyCount {
                    key: Some(k),
                    count,
                })
                .collect()
        };
        Ok(Stats {
            operations: s.operations,
            legal_outcomes: s.legal_outcomes,
            operations_by_year: by_date(s.operations_by_date),
            legal_outcomes_by_year: by_date(s.legal_outcomes_by_date),
            by_tactic: counts(s.by_tactic),
            by_outcome_kind: counts(s.by_outcome_kind),
            by_jurisdiction: s
                .by_jurisdiction
                .into_iter()
                .map(|(key, count)| KeyCount { key, count })
                .collect(),
        })
    }

    /// Every revision of a record, oldest first; a deleted record keeps its
    /// history. `kind`: group, operation, target, legalOutcome or source.
    async fn history(
        &self,
        ctx: &Context<'_>,
        kind: String,
        slug: String,
    ) -> Result<Vec<Revision>> {
        let c = match kind.as_str() {
            "group" => Collection::Groups,
            "operation" => Collection::Operations,
            "target" => Collection::Targets,
            "legalOutcome" | "legal_outcome" => Collection::LegalOutcomes,
            "source" => Collection::Sources,
            _ => {
                return Err(crate::Error::invalid(
                    "kind",
                    "one of group, operation, target, legalOutcome, source",
                ))
                .gql();
            }
        };
        let revs = write::history(db(ctx), c, &slug).await.gql()?;
        Ok(revs
            .into_iter()
            .map(|r| Revision {
                version: r.version,
                action: r.action,
                actor: r.actor_key_id.map(|id| ID(id.to_string())),
                at: r.at,
                reason: r.reason,
                before: r.before.map(async_graphql::Json),
                after: r.after.map(async_graphql::Json),
            })
            .collect())
    }

    /// Any record by its global id (Relay).
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let Some((kind, uuid)) = parse_global_id(&id) else {
            return Err(crate::Error::invalid(
                "id",
                "not a global id this service issued",
            ))
            .gql();
        };
        let l = super::types::loader(ctx);
        Ok(match kind.as_str() {
            "Group" => l
                .load_one(GroupId(uuid))
                .await
                .gql()?
                .map(|m| Node::Group(Group(m))),
            "Operation" => l
                .load_one(OperationId(uuid))
                .await
                .gql()?
                .map(|m| Node::Operation(Operation(m))),
            "Target" => l
                .load_one(TargetId(uuid))
                .await
                .gql()?
                .map(|m| Node::Target(Target(m))),
            "LegalOutcome" => l
                .load_one(LegalOutcomeId(uuid))
                .await
                .gql()?
                .map(|m| Node::LegalOutcome(LegalOutcome(m))),
            "Source" => l
                .load_one(SourceId(uuid))
                .await
                .gql()?
                .map(|m| Node::Source(Source::from(m))),
            _ => None,
        })
    }
}
