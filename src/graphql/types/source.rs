//! `Source`, whole or as a citation's reader selected it, and who cites it.

use async_graphql::{Context, ID, Lookahead, Object, Result};
use chrono::{DateTime, Utc};

use super::pages::{CitingKind, SourceCitingRecords, connection};
use super::records::CitingRecordView;
use super::records::Source;
use super::records::{Group, LegalOutcome, Node, Operation, Target};
use super::values::{Date, cap, global_id, loader};
use crate::db::entities::source;
use crate::domain::page::Page;
use crate::domain::relations::{CitingLink, Relation, SourceColumns, Window};
use crate::graphql::error::GqlResult;
use crate::graphql::loaders::*;

impl Source {
    /// The columns read by the fields `selection` asks of a source; `id`,
    /// `citedBy` and `citingRecords` need only the id, which is always read. A field of
    /// `Source` missing here would answer with an empty value when reached
    /// through a citation: the test
    /// `every_source_field_reads_alike_through_a_citation` asks for them all.
    pub(crate) fn columns(selection: &Lookahead<'_>) -> SourceColumns {
        use source::Column as C;
        const FIELDS: [(&str, source::Column); 12] = [
            ("slug", C::Slug),
            ("title", C::Title),
            ("titleIsDescriptive", C::TitleIsDescriptive),
            ("url", C::Url),
            ("archivedUrl", C::ArchivedUrl),
            ("publisher", C::Publisher),
            ("language", C::Language),
            ("kind", C::Kind),
            ("published", C::PublishedEdtf),
            ("version", C::Version),
            ("createdAt", C::CreatedAt),
            ("updatedAt", C::UpdatedAt),
        ];
        FIELDS
            .iter()
            .filter(|(field, _)| selection.field(field).exists())
            .fold(SourceColumns::NONE, |cols, (_, c)| cols.with(*c))
    }
}

#[Object]
impl Source {
    pub async fn id(&self) -> ID {
        global_id("Source", self.0.id)
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn title(&self) -> Result<&str> {
        self.0.title().gql()
    }
    /// True when the title is ours, written because the page's headline
    /// could not be read: not to be quoted as the source's words.
    async fn title_is_descriptive(&self) -> Result<bool> {
        self.0.title_is_descriptive().gql()
    }
    async fn url(&self) -> Result<Option<&str>> {
        self.0.url().gql()
    }
    async fn archived_url(&self) -> Result<Option<&str>> {
        self.0.archived_url().gql()
    }
    async fn publisher(&self) -> Result<Option<&str>> {
        self.0.publisher().gql()
    }
    /// BCP 47.
    async fn language(&self) -> Result<&str> {
        self.0.language().gql()
    }
    async fn kind(&self) -> Result<&str> {
        self.0.kind().gql()
    }
    async fn published(&self) -> Result<Option<Date>> {
        Ok(Date::of(self.0.published_edtf().gql()?))
    }
    /// The records that cite this source (a link's citation counts for its operation).
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn cited_by(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
    ) -> Result<Vec<CitingRecordView>> {
        let v = loader(ctx).load_one(CitedBy(self.0.id)).await.gql()?;
        Ok(cap(v.unwrap_or_default(), first)
            .into_iter()
            .map(|r| CitingRecordView {
                kind: r.kind.to_owned(),
                slug: r.slug,
                name: r.name,
            })
            .collect())
    }
    /// The records that cite this source a page at a time, in the order of
    /// `citedBy`, each edge with the record's kind.
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn citing_records(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<SourceCitingRecords> {
        let window = Window::new(Relation::CitingRecords, first.into(), after.as_deref()).gql()?;
        let key = CitingPage {
            id: self.0.id,
            window,
        };
        let page = match loader(ctx).load_one(key).await.gql()? {
            Some(page) => Some(with_nodes(ctx, page).await?),
            None => None,
        };
        Ok(connection(page, after.is_some(), |(node, kind)| {
            let kind = kind.to_owned();
            (node, CitingKind { kind })
        }))
    }
    async fn version(&self) -> Result<i32> {
        self.0.version().gql()
    }
    async fn created_at(&self) -> Result<DateTime<Utc>> {
        self.0.created_at().gql()
    }
    async fn updated_at(&self) -> Result<DateTime<Utc>> {
        self.0.updated_at().gql()
    }
}

/// A page of citing records with their nodes. Every source of the query's
/// level asks at once: one statement per kind, whatever the page size.
async fn with_nodes(
    ctx: &Context<'_>,
    page: Page<CitingLink>,
) -> Result<Page<(Node, &'static str)>> {
    let nodes = futures::future::try_join_all(page.items.iter().map(|l| node(ctx, l))).await?;
    // A record deleted since the page was read has no node, and no edge.
    let (items, cursors) = (page.items.into_iter().zip(nodes))
        .zip(page.cursors)
        .filter_map(|((l, node), cursor)| Some(((node?, l.kind), cursor)))
        .unzip();
    Ok(Page {
        items,
        cursors,
        next_cursor: page.next_cursor,
        total: page.total,
    })
}

/// A citing record, read by the loader of its kind.
async fn node(ctx: &Context<'_>, link: &CitingLink) -> Result<Option<Node>> {
    let load = loader(ctx);
    Ok(match link.kind {
        "group" => load
            .load_one(GroupId(link.id))
            .await
            .gql()?
            .map(|m| Node::Group(Group(m))),
        "target" => load
            .load_one(TargetId(link.id))
            .await
            .gql()?
            .map(|m| Node::Target(Target(m))),
        "operation" => load
            .load_one(OperationId(link.id))
            .await
            .gql()?
            .map(|m| Node::Operation(Operation(m))),
        "legal_outcome" => load
            .load_one(LegalOutcomeId(link.id))
            .await
            .gql()?
            .map(|m| Node::LegalOutcome(LegalOutcome(m))),
        _ => None,
    })
}
