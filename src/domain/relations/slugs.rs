//! The slugs a CSV row prints for an operation's links, read as slugs only.

use std::collections::HashMap;

use sea_orm::EntityTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use uuid::Uuid;

use super::batch::{group_by, query_chunked};
use crate::db::entities::{group, legal_outcome, operation_group, operation_target, target};
use crate::db::{column, nullable};
use crate::domain::Conn;
use crate::error::Result;

/// A slug hanging off an owner, as a CSV cell prints it.
#[derive(Debug)]
pub(crate) struct OwnedSlug {
    pub(crate) owner: Uuid,
    pub(crate) slug: String,
    /// What the JSON view sorts by in Rust (a linked record's name), if anything.
    pub(crate) name: Option<String>,
    /// A group link's role.
    pub(crate) role: Option<String>,
}

/// Runs `select` over `ids` a chunk at a time, each row an [`OwnedSlug`],
/// grouped by owner in the statement's order.
pub(crate) async fn owned_slugs<C: Conn>(
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
pub(crate) fn linked_slug_select<L: EntityTrait, R: EntityTrait>(
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
pub(crate) fn by_name<T>(
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
