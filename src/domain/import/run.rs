//! Importing a dataset: check it whole, then write it in one transaction;
//! records are matched by slug and a record equal to what is stored is left
//! alone (no version bump, no revision), so importing a file twice changes nothing.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, TransactionTrait,
};
use uuid::Uuid;

use super::parts::{ImportReport, Progress};
use super::stored::{Mentioned, StoredIds};
use super::writer::Writer;
use crate::db::bulk::{ANALYZE_AFTER, Upkeep, plan_each_statement, refresh_statistics};
use crate::db::entities::{group, operation};
use crate::db::rows;
use crate::domain::Conn;
use crate::domain::dataset::{Dataset, validate};
use crate::error::{Error, Result};

/// Validates `ds` against itself and the database, then writes it in one
/// transaction. Nothing is written when any record is at fault.
pub async fn import(
    db: &DatabaseConnection,
    ds: Dataset,
    actor: Option<Uuid>,
    progress: Progress<'_>,
) -> Result<ImportReport> {
    let txn = db.begin().await?;
    plan_each_statement(&txn).await?;
    let upkeep = if db.get_database_backend() == DbBackend::Postgres {
        Upkeep::suspend(&txn).await?
    } else {
        Upkeep::default()
    };
    let report = apply(&txn, ds, actor, Some("import"), progress).await?;
    upkeep.restore(&txn).await?;
    txn.commit().await?;
    after_commit(db, &report).await;
    Ok(report)
}

/// What every import does once its transaction has committed (from a file
/// here, over HTTP in `write::ops::import_file`): a large one refreshes the
/// planner's statistics. The import has landed by then, so a failure only
/// leaves reads slower until autovacuum, and is logged rather than returned.
pub(crate) async fn after_commit(db: &DatabaseConnection, report: &ImportReport) {
    if report.created + report.updated < ANALYZE_AFTER {
        return;
    }
    if let Err(e) = refresh_statistics(db).await {
        tracing::warn!(error = %e, "could not refresh the planner's statistics after the import");
    }
}

/// Validates and writes `ds` on a connection the caller holds (a
/// transaction), recording a revision for every record it creates or changes.
pub async fn apply<C: Conn>(
    db: &C,
    mut ds: Dataset,
    actor: Option<Uuid>,
    reason: Option<&str>,
    progress: Progress<'_>,
) -> Result<ImportReport> {
    ds.normalize();
    let mentioned = Mentioned::of(&ds);
    let stored = StoredIds::load(db, &mentioned).await?;
    let mut errors = validate(&ds, &stored.known());
    if errors.is_empty() {
        errors = stored_cycles(db, &ds).await?;
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    Writer::new(db, actor, reason, progress, &ds, stored)
        .write(&ds)
        .await
}

/// Parent chains that would loop once the file's records join the stored
/// ones (validation already refused loops within the file).
pub(crate) async fn stored_cycles<C: Conn>(
    db: &C,
    ds: &Dataset,
) -> Result<Vec<crate::error::FieldError>> {
    let mut errors = Vec::new();
    let groups: HashMap<&str, Option<&str>> = ds
        .groups
        .iter()
        .map(|g| (g.slug.as_str(), g.parent.as_deref()))
        .collect();
    for g in &ds.groups {
        if let Some(p) = &g.parent
            && reaches(db, p, &g.slug, &groups, true).await?
        {
            errors.push(crate::error::FieldError::new(
                format!("groups[{}].parent", g.slug),
                "the chain of parents loops back on itself",
            ));
        }
    }
    let ops: HashMap<&str, Option<&str>> = ds
        .operations
        .iter()
        .map(|o| (o.slug.as_str(), o.part_of.as_deref()))
        .collect();
    for o in &ds.operations {
        if let Some(p) = &o.part_of
            && reaches(db, p, &o.slug, &ops, false).await?
        {
            errors.push(crate::error::FieldError::new(
                format!("operations[{}].part_of", o.slug),
                "the chain of parents loops back on itself",
            ));
        }
    }
    Ok(errors)
}

/// Does the parent chain from `start` reach `target`? The file's records
/// take precedence over stored ones.
pub(crate) async fn reaches<C: Conn>(
    db: &C,
    start: &str,
    target: &str,
    in_file: &HashMap<&str, Option<&str>>,
    groups: bool,
) -> Result<bool> {
    let mut at = Some(start.to_owned());
    let mut steps = 0;
    while let Some(slug) = at {
        if slug == target {
            return Ok(true);
        }
        steps += 1;
        if steps > 10_000 {
            return Ok(true);
        }
        at = match in_file.get(slug.as_str()) {
            Some(p) => p.map(str::to_owned),
            None if groups => {
                let parent = rows::one(
                    db,
                    group::Entity::find().filter(group::Column::Slug.eq(slug.as_str())),
                )
                .await?
                .and_then(|g| g.parent_id);
                match parent {
                    Some(id) => rows::one(db, group::Entity::find_by_id(id))
                        .await?
                        .map(|g| g.slug),
                    None => None,
                }
            }
            None => {
                let parent = rows::one(
                    db,
                    operation::Entity::find().filter(operation::Column::Slug.eq(slug.as_str())),
                )
                .await?
                .and_then(|o| o.part_of_id);
                match parent {
                    Some(id) => rows::one(db, operation::Entity::find_by_id(id))
                        .await?
                        .map(|o| o.slug),
                    None => None,
                }
            }
        };
    }
    Ok(false)
}
