//! The query root's fields.

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, ID, Object, Result};

use super::answers::{
    Change, Conn, KeyCount, Revision, SearchHit, Stats, TimelineEntry, by_date, connection, db,
    page,
};
use crate::domain::filters::{
    Declared, GroupFilter, LegalOutcomeFilter, OperationFilter, SourceFilter, TargetFilter,
};
use crate::domain::timeline::TimelineFilter;
use crate::domain::write::{self, Collection};
use crate::domain::{changes, read, search, stats, timeline};
use crate::graphql::error::GqlResult;
use crate::graphql::loaders::*;
use crate::graphql::types::*;

pub struct Query;

#[Object]
impl Query {
    /// One group by slug, e.g. `anonymous`.
    async fn group(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            name = "asOf",
            desc = "An RFC 3339 time: the answer as of then, from the records rebuilt from the revisions. Every root field of a request that gives it must give the same time; it then holds for the whole request."
        )]
        _as_of: Option<String>,
        slug: String,
    ) -> Result<Option<Group>> {
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
        #[graphql(
            name = "asOf",
            desc = "An RFC 3339 time: the answer as of then, from the records rebuilt from the revisions. Every root field of a request that gives it must give the same time; it then holds for the whole request."
        )]
        _as_of: Option<String>,
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
    async fn operation(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            name = "asOf",
            desc = "An RFC 3339 time: the answer as of then, from the records rebuilt from the revisions. Every root field of a request that gives it must give the same time; it then holds for the whole request."
        )]
        _as_of: Option<String>,
        slug: String,
    ) -> Result<Option<Operation>> {
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
        #[graphql(
            name = "asOf",
            desc = "An RFC 3339 time: the answer as of then, from the records rebuilt from the revisions. Every root field of a request that gives it must give the same time; it then holds for the whole request."
        )]
        _as_of: Option<String>,
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
    async fn target(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            name = "asOf",
            desc = "An RFC 3339 time: the answer as of then, from the records rebuilt from the revisions. Every root field of a request that gives it must give the same time; it then holds for the whole request."
        )]
        _as_of: Option<String>,
        slug: String,
    ) -> Result<Option<Target>> {
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
        #[graphql(
            name = "asOf",
            desc = "An RFC 3339 time: the answer as of then, from the records rebuilt from the revisions. Every root field of a request that gives it must give the same time; it then holds for the whole request."
        )]
        _as_of: Option<String>,
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
    async fn legal_outcome(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            name = "asOf",
            desc = "An RFC 3339 time: the answer as of then, from the records rebuilt from the revisions. Every root field of a request that gives it must give the same time; it then holds for the whole request."
        )]
        _as_of: Option<String>,
        slug: String,
    ) -> Result<Option<LegalOutcome>> {
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
        #[graphql(
            name = "asOf",
            desc = "An RFC 3339 time: the answer as of then, from the records rebuilt from the revisions. Every root field of a request that gives it must give the same time; it then holds for the whole request."
        )]
        _as_of: Option<String>,
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
    async fn source(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            name = "asOf",
            desc = "An RFC 3339 time: the answer as of then, from the records rebuilt from the revisions. Every root field of a request that gives it must give the same time; it then holds for the whole request."
        )]
        _as_of: Option<String>,
        slug: String,
    ) -> Result<Option<Source>> {
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
        #[graphql(
            name = "asOf",
            desc = "An RFC 3339 time: the answer as of then, from the records rebuilt from the revisions. Every root field of a request that gives it must give the same time; it then holds for the whole request."
        )]
        _as_of: Option<String>,
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
        #[graphql(
            name = "asOf",
            desc = "An RFC 3339 time: the answer as of then, from the records rebuilt from the revisions. Every root field of a request that gives it must give the same time; it then holds for the whole request."
        )]
        _as_of: Option<String>,
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
        #[graphql(
            name = "asOf",
            desc = "An RFC 3339 time: the answer as of then, from the records rebuilt from the revisions. Every root field of a request that gives it must give the same time; it then holds for the whole request."
        )]
        _as_of: Option<String>,
        group: Option<String>,
        target: Option<String>,
        from: Option<String>,
        to: Option<String>,
        #[graphql(
            desc = "How a record's span must meet `from`/`to`: OVERLAPS (default) or WITHIN."
        )]
        date_match: Option<crate::domain::filters::DateMatch>,
        #[graphql(default = 50, validator(minimum = 1, maximum = 500))] first: i32,
        after: Option<String>,
    ) -> Result<Conn<TimelineEntry>> {
        let filter = TimelineFilter {
            group,
            target,
            from,
            to,
            date_match,
        }
        .without_empty();
        let has_after = after.is_some();
        let page = timeline::page_request(Some(i64::from(first)), after.as_deref()).gql()?;
        let p = timeline::timeline(db(ctx), &filter, &page).await.gql()?;
        Ok(connection(p, has_after, TimelineEntry))
    }

    /// Counts by year, tactic, outcome kind and jurisdiction.
    async fn stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            name = "asOf",
            desc = "An RFC 3339 time: the answer as of then, from the records rebuilt from the revisions. Every root field of a request that gives it must give the same time; it then holds for the whole request."
        )]
        _as_of: Option<String>,
    ) -> Result<Stats> {
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

    /// Every create, update and delete after the cursor `after` (from the
    /// first write without it), in commit order: the change feed, as
    /// `GET /v1/changes` gives it. A write committed while a client pages
    /// is never skipped. `first`: 1 to 1,000.
    async fn changes(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        #[graphql(default = 100)] first: i32,
    ) -> Result<Connection<String, Change, EmptyFields, EmptyFields>> {
        let limit = u64::try_from(first)
            .ok()
            .filter(|n| (1..=changes::MAX_LIMIT).contains(n))
            .ok_or_else(|| crate::Error::invalid("first", "between 1 and 1000"))
            .gql()?;
        let page = changes::page(db(ctx), after.as_deref(), "after", limit)
            .await
            .gql()?;
        let mut c = Connection::new(after.is_some(), page.more);
        c.edges.extend(
            page.changes
                .into_iter()
                .map(|ch| Edge::new(ch.cursor.clone(), Change::from(ch))),
        );
        Ok(c)
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
        let l = crate::graphql::types::loader(ctx);
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
