//! Pages of the relation lists that grow without bound: the operations of a
//! group or a target, the legal outcomes of a group and the records citing
//! a source. Each is one windowed statement per batch of owners
//! ([`windowed`]), in the order of the whole list its relation function
//! gives, so that walking the pages yields that list.

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query, SelectStatement, UnionType};
use uuid::Uuid;

use super::batch::{CHUNK, query_chunked};
use super::links::OperationLinks;
use super::window::{After, CITING_KINDS, Keys, PAGE, Paged, Relation, Window, pages, windowed};
use crate::db::entities::{citation, legal_outcome, operation};
use crate::db::{column, nullable, rows};
use crate::domain::Conn;
use crate::domain::model::Subject;
use crate::domain::page::Page;
use crate::error::{Error, Result};

/// An operation on a page of a group's or a target's operations, with its link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationLink {
    /// The link row (`operation_groups.id`, `operation_targets.id`): what
    /// the link's citations hang off.
    pub link: Uuid,
    /// The group's role; none for a target.
    pub role: Option<String>,
    pub operation: operation::Model,
}

fn page_column(name: &str) -> (Alias, Alias) {
    (Alias::new(PAGE), Alias::new(name))
}

/// The owner's total, as both backends type a `COUNT(*)`.
fn total(r: &sea_orm::QueryResult) -> Result<u64> {
    Ok(u64::try_from(column::<i64>(r, "total")?).unwrap_or(0))
}

/// A page of the operations linked to each group (`Subject::Group`) or
/// target (`Subject::Target`), in [`super::linked_operations`]'s order
/// (earliest day, then slug by its bytes). The window runs over the links
/// alone (the columns `idx_operations_linked` holds); only the operations
/// the page shows are read whole, joined to it.
pub async fn linked_operations_page<C: Conn>(
    db: &C,
    owner: Subject,
    owner_ids: &[Uuid],
    window: &Window,
) -> Result<HashMap<Uuid, Page<OperationLink>>> {
    let links = OperationLinks::of(owner)?;
    let backend = db.get_database_backend();
    let keys = Keys {
        first: "earliest",
        slug: "slug",
        bytes: true,
    };
    let rows = query_chunked(
        db,
        owner_ids,
        |chunk| {
            windowed(backend, links.select(chunk), keys, window)
                .columns(["owner", "link", "role", "total"].map(page_column))
                .column((operation::Entity, Asterisk))
                .inner_join(
                    operation::Entity,
                    Expr::col((operation::Entity, operation::Column::Id)).equals(page_column("id")),
                )
                .to_owned()
        },
        |r| {
            let operation: operation::Model = rows::model(r)?;
            let link = column(r, "link")?;
            let at = After::Dated(operation.earliest, operation.slug.clone());
            Ok(Paged {
                owner: column(r, "owner")?,
                cursor: at.cursor(Relation::OperationLinks, link),
                total: total(r)?,
                item: OperationLink {
                    link,
                    role: nullable(r, "role")?,
                    operation,
                },
            })
        },
    )
    .await?;
    Ok(pages(rows, window.first))
}

/// A page of the legal outcomes of each group, in
/// [`super::legal_outcomes_of_groups`]'s order: earliest day, then slug as
/// the database collates it, since that list is ordered in SQL too.
pub async fn legal_outcomes_of_groups_page<C: Conn>(
    db: &C,
    group_ids: &[Uuid],
    window: &Window,
) -> Result<HashMap<Uuid, Page<legal_outcome::Model>>> {
    use legal_outcome::Column as L;
    let backend = db.get_database_backend();
    let keys = Keys {
        first: "earliest",
        slug: "slug",
        bytes: false,
    };
    let rows = query_chunked(
        db,
        group_ids,
        |chunk| {
            let of_groups = Query::select()
                .expr_as(Expr::col(L::GroupId), Alias::new("owner"))
                .columns([L::Id, L::Earliest, L::Slug])
                .from(legal_outcome::Entity)
                .and_where(Expr::col(L::GroupId).is_in(chunk.iter().copied()))
                .to_owned();
            windowed(backend, of_groups, keys, window)
                .columns(["owner", "total"].map(page_column))
                .column((legal_outcome::Entity, Asterisk))
                .inner_join(
                    legal_outcome::Entity,
                    Expr::col((legal_outcome::Entity, L::Id)).equals(page_column("id")),
                )
                .to_owned()
        },
        |r| {
            let outcome: legal_outcome::Model = rows::model(r)?;
            let at = After::Dated(outcome.earliest, outcome.slug.clone());
            Ok(Paged {
                owner: column(r, "owner")?,
                cursor: at.cursor(Relation::LegalOutcomes, outcome.id),
                total: total(r)?,
                item: outcome,
            })
        },
    )
    .await?;
    Ok(pages(rows, window.first))
}

/// A record on a page of those citing a source; the record itself is read
/// by id, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitingLink {
    /// `group`, `legal_outcome`, `operation` or `target`.
    pub kind: &'static str,
    pub id: Uuid,
    pub slug: String,
}

/// The ways a record cites a source: its own citation (record table and
/// the citation's column), or an operation's through one of its links (link
/// table and the citation's column).
const DIRECT: [(&str, &str, citation::Column); 4] = [
    ("group", "groups", citation::Column::GroupId),
    ("target", "targets", citation::Column::TargetId),
    ("operation", "operations", citation::Column::OperationId),
    (
        "legal_outcome",
        "legal_outcomes",
        citation::Column::LegalOutcomeId,
    ),
];
const THROUGH_LINKS: [(&str, citation::Column); 2] = [
    ("operation_groups", citation::Column::OperationGroupId),
    ("operation_targets", citation::Column::OperationTargetId),
];

/// Each (source, record) pair once, as [`super::cited_by`] lists them: a
/// UNION of one select per way of citing, each bounded by the sources.
fn citing_rows(sources: &[Uuid]) -> SelectStatement {
    let c = citation::Entity;
    let select = |kind: &str, table: &str| {
        let t = Alias::new(table);
        Query::select()
            .expr_as(
                Expr::col((c, citation::Column::SourceId)),
                Alias::new("owner"),
            )
            // A constant of this file, never input.
            .expr_as(Expr::cust(format!("'{kind}'")), Alias::new("kind"))
            .expr_as(Expr::col((t.clone(), Alias::new("id"))), Alias::new("id"))
            .expr_as(Expr::col((t, Alias::new("slug"))), Alias::new("slug"))
            .from(c)
            .and_where(Expr::col((c, citation::Column::SourceId)).is_in(sources.iter().copied()))
            .to_owned()
    };
    let mut branches = DIRECT.iter().map(|(kind, table, by)| {
        select(kind, table)
            .inner_join(
                Alias::new(*table),
                Expr::col((Alias::new(*table), Alias::new("id"))).equals((c, *by)),
            )
            .to_owned()
    });
    let through = THROUGH_LINKS.iter().map(|(links, by)| {
        let l = Alias::new(*links);
        select("operation", "operations")
            .inner_join(
                l.clone(),
                Expr::col((l.clone(), Alias::new("id"))).equals((c, *by)),
            )
            .inner_join(
                operation::Entity,
                Expr::col((operation::Entity, operation::Column::Id))
                    .equals((l, Alias::new("operation_id"))),
            )
            .to_owned()
    });
    let mut all = branches.next().expect("four direct ways");
    for branch in branches.chain(through) {
        all.union(UnionType::Distinct, branch);
    }
    all
}

/// A page of the records citing each source, in [`super::cited_by`]'s
/// order: kind, then slug by its bytes.
pub async fn citing_records_page<C: Conn>(
    db: &C,
    source_ids: &[Uuid],
    window: &Window,
) -> Result<HashMap<Uuid, Page<CitingLink>>> {
    let backend = db.get_database_backend();
    // Kinds are lower-case ASCII words that differ in their first letter:
    // every collation orders them alike.
    let keys = Keys {
        first: "kind",
        slug: "slug",
        bytes: true,
    };
    let mut found = Vec::new();
    // Every branch of the union binds the chunk's ids.
    let branches = DIRECT.len() + THROUGH_LINKS.len();
    for chunk in source_ids.chunks(CHUNK / branches) {
        let statement = windowed(backend, citing_rows(chunk), keys, window)
            .columns(["owner", "kind", "id", "slug", "total"].map(page_column))
            .to_owned();
        for r in rows::statement(db, &statement).await? {
            let kind: String = column(&r, "kind")?;
            let kind = CITING_KINDS
                .into_iter()
                .find(|k| *k == kind)
                .ok_or_else(|| Error::Internal(format!("unknown citing kind {kind:?}")))?;
            let (id, slug): (Uuid, String) = (column(&r, "id")?, column(&r, "slug")?);
            found.push(Paged {
                owner: column(&r, "owner")?,
                cursor: After::Kind(kind, slug.clone()).cursor(Relation::CitingRecords, id),
                total: total(&r)?,
                item: CitingLink { kind, id, slug },
            });
        }
    }
    Ok(pages(found, window.first))
}
