//! Links between records: an operation's groups, targets, parts and legal
//! outcomes, and the operations of a group or target.

use std::collections::HashMap;

use sea_orm::FromQueryResult;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use uuid::Uuid;

use super::batch::{by_id, group_by, query_chunked, rows_where_in};
use crate::db::entities::{
    group, legal_outcome, operation, operation_group, operation_target, target,
};
use crate::domain::Conn;
use crate::domain::model::Subject;
use crate::error::Result;

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

/// An operation linked to a group or a target (`operations` of a group or a
/// target, on both doors): the owner it is linked to, the link, and only the
/// columns a record lists (GraphQL loads the whole operation by `id` when a
/// query asks for more).
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct LinkedOperation {
    pub owner: Uuid,
    /// The link row (`operation_groups.id`, `operation_targets.id`): what
    /// the link's citations hang off.
    pub link: Uuid,
    /// The operation.
    pub id: Uuid,
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
            .expr_as(
                Expr::col((link.clone(), Alias::new("id"))),
                Alias::new("link"),
            )
            .columns([
                (operation::Entity, operation::Column::Id),
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
    // Sorted here rather than in SQL: the same order whatever the database's
    // collation.
    map.values_mut()
        .for_each(|v| v.sort_by(|a, b| (a.earliest, &a.slug).cmp(&(b.earliest, &b.slug))));
    Ok(map)
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
