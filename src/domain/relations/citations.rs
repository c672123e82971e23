//! Citations and what they cite: a record's citations with the source columns
//! a reader selects, the slugs a CSV cell prints, and the records citing a source.

use std::collections::HashMap;
use std::hash::Hash;

use sea_orm::Iterable;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use uuid::Uuid;

use super::batch::{by_id, group_by, query_chunked, rows_where_in};
use super::slugs::owned_slugs;
use crate::db::entities::{
    citation, group, legal_outcome, operation, operation_group, operation_target, source, target,
};
use crate::db::{column, nullable};
use crate::domain::Conn;
use crate::domain::model::{Citation, CitedSource, Subject};
use crate::error::Result;

pub(crate) fn citation_column(subject: Subject) -> citation::Column {
    match subject {
        Subject::Group => citation::Column::GroupId,
        Subject::Target => citation::Column::TargetId,
        Subject::Operation => citation::Column::OperationId,
        Subject::LegalOutcome => citation::Column::LegalOutcomeId,
        Subject::OperationGroup => citation::Column::OperationGroupId,
        Subject::OperationTarget => citation::Column::OperationTargetId,
        Subject::Alternative => citation::Column::AlternativeId,
    }
}

/// The citations of the subjects in `chunk` (their `owner` column) joined
/// with the sources they cite, in citation order; callers add the columns.
/// A record's own citations are those that back none of its alternatives.
pub(crate) fn cited_sources_select(
    owner: citation::Column,
    chunk: &[Uuid],
) -> sea_orm::sea_query::SelectStatement {
    let mut select = Query::select();
    if !matches!(owner, citation::Column::AlternativeId) {
        select.and_where(Expr::col((citation::Entity, citation::Column::AlternativeId)).is_null());
    }
    select
        .expr_as(Expr::col((citation::Entity, owner)), Alias::new("owner"))
        .from(citation::Entity)
        .inner_join(
            source::Entity,
            Expr::col((source::Entity, source::Column::Id))
                .equals((citation::Entity, citation::Column::SourceId)),
        )
        .and_where(Expr::col((citation::Entity, owner)).is_in(chunk.iter().copied()))
        .order_by(
            (citation::Entity, citation::Column::Position),
            sea_orm::Order::Asc,
        )
        .to_owned()
}

/// Which columns of each cited source a reader uses; the source's id and
/// slug are always read. A citation row is mostly its source: the GraphQL
/// page the benchmark asks for uses 3 of its 16 columns, REST's source
/// reference 6. The columns read become a [`CitedSource`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SourceColumns(u32);

impl SourceColumns {
    pub const NONE: Self = SourceColumns(0);

    pub const fn with(self, c: source::Column) -> Self {
        SourceColumns(self.0 | (1 << c as u32))
    }

    pub fn contains(self, c: source::Column) -> bool {
        matches!(c, source::Column::Id | source::Column::Slug) || (self.0 & (1 << c as u32)) != 0
    }

    /// The columns to select, in the entity's order.
    fn selected(self) -> impl Iterator<Item = source::Column> {
        source::Column::iter().filter(move |c| self.contains(*c))
    }

    /// A cited source from a row holding the selected columns, in the
    /// entity's order from position `first` on.
    fn read(self, r: &sea_orm::QueryResult, first: usize) -> Result<CitedSource> {
        use source::Column as C;
        /// The next selected column, by position.
        struct Cursor<'a> {
            r: &'a sea_orm::QueryResult,
            cols: SourceColumns,
            next: usize,
        }
        impl Cursor<'_> {
            /// The column's value when it was selected.
            fn get<T>(&mut self, c: source::Column) -> Result<Option<T>>
            where
                T: sea_orm::TryGetable
                    + sqlx::Type<sqlx::Postgres>
                    + for<'r> sqlx::Decode<'r, sqlx::Postgres>,
            {
                if !self.cols.contains(c) {
                    return Ok(None);
                }
                let value = column(self.r, self.next)?;
                self.next += 1;
                Ok(Some(value))
            }
            /// A nullable column's value when it was selected.
            fn nullable<T>(&mut self, c: source::Column) -> Result<Option<Option<T>>>
            where
                T: sea_orm::TryGetable
                    + sqlx::Type<sqlx::Postgres>
                    + for<'r> sqlx::Decode<'r, sqlx::Postgres>,
            {
                if !self.cols.contains(c) {
                    return Ok(None);
                }
                let value = nullable(self.r, self.next)?;
                self.next += 1;
                Ok(Some(value))
            }
            /// A selected column this projection does not keep.
            fn skip(&mut self, c: source::Column) {
                if self.cols.contains(c) {
                    self.next += 1;
                }
            }
        }
        let mut at = Cursor {
            r,
            cols: self,
            next: first,
        };
        // In the entity's order, the order `selected` lists them.
        let id = at.get(C::Id)?.unwrap_or_default();
        let slug = at.get(C::Slug)?.unwrap_or_default();
        let created_at = at.get(C::CreatedAt)?;
        let updated_at = at.get(C::UpdatedAt)?;
        let version = at.get(C::Version)?;
        let title = at.get(C::Title)?;
        let url = at.nullable(C::Url)?;
        let archived_url = at.nullable(C::ArchivedUrl)?;
        let publisher = at.nullable(C::Publisher)?;
        let language = at.get(C::Language)?;
        let kind = at.get(C::Kind)?;
        let published_edtf = at.nullable(C::PublishedEdtf)?;
        for c in [C::PublishedPrecision, C::Earliest, C::Latest] {
            at.skip(c);
        }
        let title_is_descriptive = at.get(C::TitleIsDescriptive)?;
        Ok(CitedSource {
            id,
            slug,
            title,
            title_is_descriptive,
            url,
            archived_url,
            publisher,
            language,
            kind,
            published_edtf,
            version,
            created_at,
            updated_at,
        })
    }
}

/// Citations of many subjects of one kind, each with the `columns` of its
/// source (the others hold defaults): one joined statement per chunk.
/// Reading the citations, then their sources by id, took two: every record,
/// page and DataLoader batch paid the second round trip.
pub async fn citations_of<C: Conn>(
    db: &C,
    subject: Subject,
    ids: &[Uuid],
    columns: SourceColumns,
) -> Result<HashMap<Uuid, Vec<Citation>>> {
    let owner = citation_column(subject);
    let rows = query_chunked(
        db,
        ids,
        |chunk| {
            cited_sources_select(owner, chunk)
                .columns([
                    (citation::Entity, citation::Column::Quote),
                    (citation::Entity, citation::Column::Locator),
                    (citation::Entity, citation::Column::Field),
                ])
                .columns(columns.selected().map(|c| (source::Entity, c)))
                .to_owned()
        },
        // By position, as selected: owner, quote, locator, field, source.
        |r| {
            Ok((
                column(r, 0)?,
                Citation {
                    quote: nullable(r, 1)?,
                    locator: nullable(r, 2)?,
                    field: nullable(r, 3)?,
                    source: columns.read(r, 4)?,
                },
            ))
        },
    )
    .await?;
    Ok(group_by(rows))
}

/// The slugs of the sources cited by each subject, in citation order: what a
/// CSV `sources` cell prints, in one joined statement per chunk rather than
/// the citations with their sources ([`citations_of`]).
pub async fn cited_source_slugs<C: Conn>(
    db: &C,
    subject: Subject,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<String>>> {
    let owner = citation_column(subject);
    let rows = owned_slugs(db, ids, |chunk| {
        cited_sources_select(owner, chunk)
            .column((source::Entity, source::Column::Slug))
            .expr_as(Expr::val(Option::<String>::None), Alias::new("name"))
            .expr_as(Expr::val(Option::<String>::None), Alias::new("role"))
            .to_owned()
    })
    .await?;
    Ok(rows
        .into_iter()
        .map(|(k, v)| (k, v.into_iter().map(|c| c.slug).collect()))
        .collect())
}

/// A record that cites a source, directly or through one of its links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitingRecord {
    /// `group`, `target`, `operation` or `legal_outcome`.
    pub kind: &'static str,
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

/// What cites each source (`Source.citedBy`); a citation of an
/// operation↔group or operation↔target link counts for the operation.
/// A fixed number of statements for any number of sources.
pub async fn cited_by<C: Conn>(
    db: &C,
    source_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<CitingRecord>>> {
    let rows = rows_where_in::<citation::Entity, _>(
        db,
        citation::Column::SourceId,
        source_ids,
        [citation::Column::Position],
    )
    .await?;
    let og_ids: Vec<Uuid> = rows.iter().filter_map(|c| c.operation_group_id).collect();
    let ot_ids: Vec<Uuid> = rows.iter().filter_map(|c| c.operation_target_id).collect();
    let og =
        by_id::<operation_group::Entity, _>(db, operation_group::Column::Id, &og_ids, |l| l.id)
            .await?;
    let ot =
        by_id::<operation_target::Entity, _>(db, operation_target::Column::Id, &ot_ids, |l| l.id)
            .await?;
    let subject = |c: &citation::Model| -> Option<(&'static str, Uuid)> {
        c.group_id
            .map(|id| ("group", id))
            .or(c.target_id.map(|id| ("target", id)))
            .or(c.operation_id.map(|id| ("operation", id)))
            .or(c.legal_outcome_id.map(|id| ("legal_outcome", id)))
            .or(c
                .operation_group_id
                .and_then(|l| og.get(&l))
                .map(|l| ("operation", l.operation_id)))
            .or(c
                .operation_target_id
                .and_then(|l| ot.get(&l))
                .map(|l| ("operation", l.operation_id)))
    };
    let pairs: Vec<(Uuid, (&'static str, Uuid))> = rows
        .iter()
        .filter_map(|c| Some((c.source_id, subject(c)?)))
        .collect();
    let ids = |kind: &str| -> Vec<Uuid> {
        pairs
            .iter()
            .filter(|(_, (k, _))| *k == kind)
            .map(|(_, (_, id))| *id)
            .collect()
    };
    let mut labels: HashMap<(&'static str, Uuid), (String, String)> = HashMap::new();
    for (id, g) in by_id::<group::Entity, _>(db, group::Column::Id, &ids("group"), |g| g.id).await?
    {
        labels.insert(("group", id), (g.slug, g.name));
    }
    for (id, t) in
        by_id::<target::Entity, _>(db, target::Column::Id, &ids("target"), |t| t.id).await?
    {
        labels.insert(("target", id), (t.slug, t.name));
    }
    for (id, o) in
        by_id::<operation::Entity, _>(db, operation::Column::Id, &ids("operation"), |o| o.id)
            .await?
    {
        labels.insert(("operation", id), (o.slug, o.name));
    }
    for (id, l) in by_id::<legal_outcome::Entity, _>(
        db,
        legal_outcome::Column::Id,
        &ids("legal_outcome"),
        |l| l.id,
    )
    .await?
    {
        let name = crate::domain::model::legal_outcome_label(&l);
        labels.insert(("legal_outcome", id), (l.slug, name));
    }
    let mut out: HashMap<Uuid, Vec<CitingRecord>> = HashMap::new();
    for (source, (kind, id)) in pairs {
        let Some((slug, name)) = labels.get(&(kind, id)) else {
            continue;
        };
        let list = out.entry(source).or_default();
        if !list.iter().any(|r| r.kind == kind && r.id == id) {
            list.push(CitingRecord {
                kind,
                id,
                slug: slug.clone(),
                name: name.clone(),
            });
        }
    }
    for list in out.values_mut() {
        list.sort_by(|a, b| (a.kind, &a.slug).cmp(&(b.kind, &b.slug)));
    }
    Ok(out)
}
