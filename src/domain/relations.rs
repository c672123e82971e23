//! Batch loaders for everything that hangs off a record: one query per kind of
//! relation for any number of parents, so REST embedding and GraphQL
//! DataLoaders issue a fixed number of statements per page.

use std::collections::HashMap;
use std::hash::Hash;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, Iterable, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::Conn;
use super::model::{Citation, CitedSource, Name, Subject, Text};
use crate::db::entities::{
    citation, group, legal_outcome, name, operation, operation_group, operation_tactic,
    operation_target, source, target, text,
};
use crate::db::rows;
use crate::db::{column, nullable};
use crate::error::Result;

/// Parameters per statement stay well below both backends' limits.
pub(crate) const CHUNK: usize = 5_000;

fn group_by<K: Eq + Hash, V>(rows: impl IntoIterator<Item = (K, V)>) -> HashMap<K, Vec<V>> {
    let mut map: HashMap<K, Vec<V>> = HashMap::new();
    for (k, v) in rows {
        map.entry(k).or_default().push(v);
    }
    map
}

/// Rows of `E` whose `col` is one of `ids`, in the given order, chunked;
/// decoded by [`crate::db::rows::model`].
async fn rows_where_in<E, C>(
    db: &C,
    col: E::Column,
    ids: &[Uuid],
    order: impl IntoIterator<Item = E::Column> + Clone,
) -> Result<Vec<E::Model>>
where
    E: EntityTrait,
    E::Model: rows::Decode,
    C: Conn,
{
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let mut q = E::find().filter(col.is_in(chunk.iter().copied()));
        for o in order.clone() {
            q = q.order_by_asc(o);
        }
        out.extend(crate::db::rows::all(db, q).await?);
    }
    Ok(out)
}

/// Runs `select` over `ids` a chunk at a time and decodes each row.
async fn query_chunked<C: Conn, T>(
    db: &C,
    ids: &[Uuid],
    select: impl Fn(&[Uuid]) -> sea_orm::sea_query::SelectStatement,
    decode: impl Fn(&sea_orm::QueryResult) -> Result<T>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        for r in rows::statement(db, &select(chunk)).await? {
            out.push(decode(&r)?);
        }
    }
    Ok(out)
}

pub async fn names_of<C: Conn>(
    db: &C,
    subject: Subject,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Name>>> {
    let col = match subject {
        Subject::Group => name::Column::GroupId,
        Subject::Target => name::Column::TargetId,
        Subject::Operation => name::Column::OperationId,
        _ => return Ok(HashMap::new()),
    };
    let rows = rows_where_in::<name::Entity, _>(db, col, ids, [name::Column::Position]).await?;
    Ok(group_by(rows.into_iter().filter_map(|r| {
        let owner = r.group_id.or(r.target_id).or(r.operation_id)?;
        Some((
            owner,
            Name {
                lang: r.lang,
                text: r.text,
                kind: r.kind,
            },
        ))
    })))
}

pub async fn texts_of<C: Conn>(
    db: &C,
    subject: Subject,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Text>>> {
    let col = match subject {
        Subject::Group => text::Column::GroupId,
        Subject::Target => text::Column::TargetId,
        Subject::Operation => text::Column::OperationId,
        Subject::LegalOutcome => text::Column::LegalOutcomeId,
        _ => return Ok(HashMap::new()),
    };
    let rows =
        rows_where_in::<text::Entity, _>(db, col, ids, [text::Column::Field, text::Column::Lang])
            .await?;
    Ok(group_by(rows.into_iter().filter_map(|r| {
        let owner = r
            .group_id
            .or(r.target_id)
            .or(r.operation_id)
            .or(r.legal_outcome_id)?;
        Some((
            owner,
            Text {
                field: r.field,
                lang: r.lang,
                text: r.text,
            },
        ))
    })))
}

fn citation_column(subject: Subject) -> citation::Column {
    match subject {
        Subject::Group => citation::Column::GroupId,
        Subject::Target => citation::Column::TargetId,
        Subject::Operation => citation::Column::OperationId,
        Subject::LegalOutcome => citation::Column::LegalOutcomeId,
        Subject::OperationGroup => citation::Column::OperationGroupId,
        Subject::OperationTarget => citation::Column::OperationTargetId,
    }
}

/// The citations of the subjects in `chunk` (their `owner` column) joined
/// with the sources they cite, in citation order; callers add the columns.
fn cited_sources_select(
    owner: citation::Column,
    chunk: &[Uuid],
) -> sea_orm::sea_query::SelectStatement {
    Query::select()
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

pub async fn tactics_of<C: Conn>(
    db: &C,
    operation_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<String>>> {
    let rows = rows_where_in::<operation_tactic::Entity, _>(
        db,
        operation_tactic::Column::OperationId,
        operation_ids,
        [operation_tactic::Column::Tactic],
    )
    .await?;
    Ok(group_by(
        rows.into_iter().map(|r| (r.operation_id, r.tactic)),
    ))
}

/// Group links of operations (`Operation.groups`), with the linked groups.
pub async fn groups_of_operations<C: Conn>(
    db: &C,
    operation_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<(operation_group::Model, group::Model)>>> {
    let links = rows_where_in::<operation_group::Entity, _>(
        db,
        operation_group::Column::OperationId,
        operation_ids,
        [],
    )
    .await?;
    let ids: Vec<Uuid> = links.iter().map(|l| l.group_id).collect();
    let groups = by_id::<group::Entity, _>(db, group::Column::Id, &ids, |g| g.id).await?;
    let mut map = group_by(links.into_iter().filter_map(|l| {
        let g = groups.get(&l.group_id)?.clone();
        Some((l.operation_id, (l, g)))
    }));
    map.values_mut()
        .for_each(|v| v.sort_by(|a, b| (&a.1.name, &a.1.slug).cmp(&(&b.1.name, &b.1.slug))));
    Ok(map)
}

/// Operation links of groups (`Group.operations`), with the operations in date order.
pub async fn operations_of_groups<C: Conn>(
    db: &C,
    group_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<(operation_group::Model, operation::Model)>>> {
    let links = rows_where_in::<operation_group::Entity, _>(
        db,
        operation_group::Column::GroupId,
        group_ids,
        [],
    )
    .await?;
    let ids: Vec<Uuid> = links.iter().map(|l| l.operation_id).collect();
    let ops = by_id::<operation::Entity, _>(db, operation::Column::Id, &ids, |o| o.id).await?;
    let mut map = group_by(links.into_iter().filter_map(|l| {
        let o = ops.get(&l.operation_id)?.clone();
        Some((l.group_id, (l, o)))
    }));
    map.values_mut()
        .for_each(|v| v.sort_by(|a, b| (a.1.earliest, &a.1.slug).cmp(&(b.1.earliest, &b.1.slug))));
    Ok(map)
}

/// An operation as a group's or a target's record lists it (`Group.operations`,
/// `Target.operations` in REST): the owner it is linked to, and only the
/// columns such a list prints.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct LinkedOperation {
    pub owner: Uuid,
    pub slug: String,
    pub name: String,
    pub start_edtf: String,
    pub earliest: chrono::NaiveDate,
    /// The group's role (`operation_groups.role`); none for a target.
    pub role: Option<String>,
}

/// The link table between operations and a group (`Subject::Group`) or a
/// target (`Subject::Target`).
#[derive(Debug, Clone, Copy)]
pub struct OperationLinks {
    table: &'static str,
    owner: &'static str,
    /// Whether the link has a role (only a group's does).
    role: bool,
}

impl OperationLinks {
    pub fn of(owner: Subject) -> Result<Self> {
        match owner {
            Subject::Group => Ok(Self {
                table: "operation_groups",
                owner: "group_id",
                role: true,
            }),
            Subject::Target => Ok(Self {
                table: "operation_targets",
                owner: "target_id",
                role: false,
            }),
            other => Err(crate::error::Error::Internal(format!(
                "no operations hang off a {other:?}"
            ))),
        }
    }

    /// The statement behind [`linked_operations`] for one chunk of owners:
    /// the links joined with the four operation columns a record lists, all
    /// of which `idx_operations_linked` holds (migration
    /// `m20261127_000005_linked_operations_index`), so Postgres reads no heap.
    pub fn select(&self, owners: &[Uuid]) -> sea_orm::sea_query::SelectStatement {
        let link = Alias::new(self.table);
        let role = if self.role {
            Expr::col((link.clone(), Alias::new("role")))
        } else {
            Expr::val(Option::<String>::None)
        };
        Query::select()
            .expr_as(
                Expr::col((link.clone(), Alias::new(self.owner))),
                Alias::new("owner"),
            )
            .columns([
                (operation::Entity, operation::Column::Slug),
                (operation::Entity, operation::Column::Name),
                (operation::Entity, operation::Column::StartEdtf),
                (operation::Entity, operation::Column::Earliest),
            ])
            .expr_as(role, Alias::new("role"))
            .from(link.clone())
            .inner_join(
                operation::Entity,
                Expr::col((operation::Entity, operation::Column::Id))
                    .equals((link.clone(), Alias::new("operation_id"))),
            )
            .and_where(Expr::col((link, Alias::new(self.owner))).is_in(owners.iter().copied()))
            .to_owned()
    }
}

/// The operations linked to each group (`Subject::Group`) or target
/// (`Subject::Target`), in date order: one joined statement per chunk of
/// owners. A busy target links to hundreds of operations, and loading them
/// as whole rows by id after their links took a second statement with one
/// parameter per operation and decoded every column (REST by slug).
pub async fn linked_operations<C: Conn>(
    db: &C,
    owner: Subject,
    owner_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<LinkedOperation>>> {
    let links = OperationLinks::of(owner)?;
    let rows = query_chunked(
        db,
        owner_ids,
        |chunk| links.select(chunk),
        |r| Ok(LinkedOperation::from_query_result(r, "")?),
    )
    .await?;
    let mut map = group_by(rows.into_iter().map(|o| (o.owner, o)));
    // Sorted here rather than in SQL, as `operations_of_*` sort (GraphQL):
    // the same order whatever the database's collation.
    map.values_mut()
        .for_each(|v| v.sort_by(|a, b| (a.earliest, &a.slug).cmp(&(b.earliest, &b.slug))));
    Ok(map)
}

/// A slug hanging off an owner, as a CSV cell prints it.
#[derive(Debug)]
struct OwnedSlug {
    owner: Uuid,
    slug: String,
    /// What the JSON view sorts by in Rust (a linked record's name), if anything.
    name: Option<String>,
    /// A group link's role.
    role: Option<String>,
}

/// Runs `select` over `ids` a chunk at a time, each row an [`OwnedSlug`],
/// grouped by owner in the statement's order.
async fn owned_slugs<C: Conn>(
    db: &C,
    ids: &[Uuid],
    select: impl Fn(&[Uuid]) -> sea_orm::sea_query::SelectStatement,
) -> Result<HashMap<Uuid, Vec<OwnedSlug>>> {
    // Read by hand: `name` and `role` are NULL in most rows (see `nullable`).
    let rows = query_chunked(db, ids, select, |r| {
        Ok(OwnedSlug {
            owner: column(r, "owner")?,
            slug: column(r, "slug")?,
            name: nullable(r, "name")?,
            role: nullable(r, "role")?,
        })
    })
    .await?;
    Ok(group_by(rows.into_iter().map(|o| (o.owner, o))))
}

/// The slugs an `operations.csv` row prints for its links, in the orders the
/// JSON record uses: groups as `(slug, role)` and targets by name, legal outcomes
/// by date then slug. One joined statement per kind and chunk, reading only
/// those columns: a streamed export of every operation decoded and cloned the
/// whole linked rows before (and a second statement for them).
#[derive(Debug, Default)]
pub struct OperationLinkSlugs {
    pub groups: HashMap<Uuid, Vec<(String, String)>>,
    pub targets: HashMap<Uuid, Vec<String>>,
    pub legal_outcomes: HashMap<Uuid, Vec<String>>,
}

/// `owner`, `slug`, `name` and `role` of the records `R` that the link table
/// `L` ties to the operations in `chunk`: `(operation, record)` are `L`'s two
/// keys, `(id, slug, name)` the columns of `R`.
fn linked_slug_select<L: EntityTrait, R: EntityTrait>(
    (operation, record): (L::Column, L::Column),
    (id, slug, name): (R::Column, R::Column, R::Column),
    role: Expr,
    chunk: &[Uuid],
) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .expr_as(Expr::col((L::default(), operation)), Alias::new("owner"))
        .columns([(R::default(), slug), (R::default(), name)])
        .expr_as(role, Alias::new("role"))
        .from(L::default())
        .inner_join(
            R::default(),
            Expr::col((R::default(), id)).equals((L::default(), record)),
        )
        .and_where(Expr::col((L::default(), operation)).is_in(chunk.iter().copied()))
        .to_owned()
}

/// Each owner's linked records sorted by (name, slug), as `cell` prints them.
fn by_name<T>(
    map: HashMap<Uuid, Vec<OwnedSlug>>,
    cell: fn(OwnedSlug) -> T,
) -> HashMap<Uuid, Vec<T>> {
    map.into_iter()
        .map(|(k, mut v)| {
            v.sort_by(|a, b| (&a.name, &a.slug).cmp(&(&b.name, &b.slug)));
            (k, v.into_iter().map(cell).collect())
        })
        .collect()
}

pub async fn operation_link_slugs<C: Conn>(
    db: &C,
    operation_ids: &[Uuid],
) -> Result<OperationLinkSlugs> {
    let groups = owned_slugs(db, operation_ids, |chunk| {
        linked_slug_select::<operation_group::Entity, group::Entity>(
            (
                operation_group::Column::OperationId,
                operation_group::Column::GroupId,
            ),
            (group::Column::Id, group::Column::Slug, group::Column::Name),
            Expr::col((operation_group::Entity, operation_group::Column::Role)),
            chunk,
        )
    })
    .await?;
    let targets = owned_slugs(db, operation_ids, |chunk| {
        linked_slug_select::<operation_target::Entity, target::Entity>(
            (
                operation_target::Column::OperationId,
                operation_target::Column::TargetId,
            ),
            (
                target::Column::Id,
                target::Column::Slug,
                target::Column::Name,
            ),
            Expr::val(Option::<String>::None),
            chunk,
        )
    })
    .await?;
    let legal_outcomes = owned_slugs(db, operation_ids, |chunk| {
        Query::select()
            .expr_as(
                Expr::col(legal_outcome::Column::OperationId),
                Alias::new("owner"),
            )
            .column(legal_outcome::Column::Slug)
            .expr_as(Expr::val(Option::<String>::None), Alias::new("name"))
            .expr_as(Expr::val(Option::<String>::None), Alias::new("role"))
            .from(legal_outcome::Entity)
            .and_where(Expr::col(legal_outcome::Column::OperationId).is_in(chunk.iter().copied()))
            .order_by(legal_outcome::Column::Earliest, sea_orm::Order::Asc)
            .order_by(legal_outcome::Column::Slug, sea_orm::Order::Asc)
            .to_owned()
    })
    .await?;
    Ok(OperationLinkSlugs {
        groups: by_name(groups, |g| (g.slug, g.role.unwrap_or_default())),
        targets: by_name(targets, |t| t.slug),
        legal_outcomes: legal_outcomes
            .into_iter()
            .map(|(k, v)| (k, v.into_iter().map(|l| l.slug).collect()))
            .collect(),
    })
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

/// Target links of operations (`Operation.targets`).
pub async fn targets_of_operations<C: Conn>(
    db: &C,
    operation_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<(operation_target::Model, target::Model)>>> {
    let links = rows_where_in::<operation_target::Entity, _>(
        db,
        operation_target::Column::OperationId,
        operation_ids,
        [],
    )
    .await?;
    let ids: Vec<Uuid> = links.iter().map(|l| l.target_id).collect();
    let targets = by_id::<target::Entity, _>(db, target::Column::Id, &ids, |t| t.id).await?;
    let mut map = group_by(links.into_iter().filter_map(|l| {
        let t = targets.get(&l.target_id)?.clone();
        Some((l.operation_id, (l, t)))
    }));
    map.values_mut()
        .for_each(|v| v.sort_by(|a, b| (&a.1.name, &a.1.slug).cmp(&(&b.1.name, &b.1.slug))));
    Ok(map)
}

/// Operation links of targets (`Target.operations`), in date order.
pub async fn operations_of_targets<C: Conn>(
    db: &C,
    target_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<(operation_target::Model, operation::Model)>>> {
    let links = rows_where_in::<operation_target::Entity, _>(
        db,
        operation_target::Column::TargetId,
        target_ids,
        [],
    )
    .await?;
    let ids: Vec<Uuid> = links.iter().map(|l| l.operation_id).collect();
    let ops = by_id::<operation::Entity, _>(db, operation::Column::Id, &ids, |o| o.id).await?;
    let mut map = group_by(links.into_iter().filter_map(|l| {
        let o = ops.get(&l.operation_id)?.clone();
        Some((l.target_id, (l, o)))
    }));
    map.values_mut()
        .for_each(|v| v.sort_by(|a, b| (a.1.earliest, &a.1.slug).cmp(&(b.1.earliest, &b.1.slug))));
    Ok(map)
}

/// Legal outcomes concerning operations (`Operation.legalOutcomes`), in date order.
pub async fn legal_outcomes_of_operations<C: Conn>(
    db: &C,
    operation_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<legal_outcome::Model>>> {
    let rows = rows_where_in::<legal_outcome::Entity, _>(
        db,
        legal_outcome::Column::OperationId,
        operation_ids,
        [legal_outcome::Column::Earliest, legal_outcome::Column::Slug],
    )
    .await?;
    Ok(group_by(
        rows.into_iter().filter_map(|r| Some((r.operation_id?, r))),
    ))
}

/// Legal outcomes concerning groups (`Group.legalOutcomes`), in date order.
pub async fn legal_outcomes_of_groups<C: Conn>(
    db: &C,
    group_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<legal_outcome::Model>>> {
    let rows = rows_where_in::<legal_outcome::Entity, _>(
        db,
        legal_outcome::Column::GroupId,
        group_ids,
        [legal_outcome::Column::Earliest, legal_outcome::Column::Slug],
    )
    .await?;
    Ok(group_by(
        rows.into_iter().filter_map(|r| Some((r.group_id?, r))),
    ))
}

/// Child groups (`Group.children`), by name.
pub async fn children_of_groups<C: Conn>(
    db: &C,
    group_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<group::Model>>> {
    let rows = rows_where_in::<group::Entity, _>(
        db,
        group::Column::ParentId,
        group_ids,
        [group::Column::Name],
    )
    .await?;
    Ok(group_by(
        rows.into_iter().filter_map(|r| Some((r.parent_id?, r))),
    ))
}

/// Sub-operations (`parts` of an operation), in date order.
pub async fn parts_of_operations<C: Conn>(
    db: &C,
    operation_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<operation::Model>>> {
    let rows = rows_where_in::<operation::Entity, _>(
        db,
        operation::Column::PartOfId,
        operation_ids,
        [operation::Column::Earliest, operation::Column::Slug],
    )
    .await?;
    Ok(group_by(
        rows.into_iter().filter_map(|r| Some((r.part_of_id?, r))),
    ))
}

/// Records by primary key, keyed by it: one statement per chunk.
pub async fn by_id<E, C>(
    db: &C,
    id_col: E::Column,
    ids: &[Uuid],
    key: impl Fn(&E::Model) -> Uuid,
) -> Result<HashMap<Uuid, E::Model>>
where
    E: EntityTrait,
    E::Model: rows::Decode,
    C: Conn,
{
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let rows = rows_where_in::<E, _>(db, id_col, &ids, []).await?;
    Ok(rows.into_iter().map(|r| (key(&r), r)).collect())
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
        let name = super::model::legal_outcome_label(&l);
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
