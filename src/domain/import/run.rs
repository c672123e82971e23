//! Importing a dataset: stage it, check it, write it in one transaction;
//! records are matched by slug and a record equal to what is stored is left
//! alone (no version bump, no revision), so importing a file twice changes nothing.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::parts::{ImportReport, Progress};
use super::staged::Staged;
use super::stored::StoredIds;
use super::writer::{Parents, Writer};
use crate::db::bulk::{ANALYZE_AFTER, Upkeep, plan_each_statement, refresh_statistics};
use crate::db::entities::{group, operation};
use crate::db::rows;
use crate::domain::Conn;
use crate::domain::dataset::{Dataset, KnownSlugs, Scope, SlugSet, check_cycles};
use crate::error::{Error, Result};

/// Validates a staged file against itself and the database, and writes it
/// in one transaction. Nothing of it stays when any record is at fault.
pub async fn import(
    db: &DatabaseConnection,
    staged: Staged,
    actor: Option<Uuid>,
    progress: Progress<'_>,
) -> Result<ImportReport> {
    let txn = crate::domain::changes::begin_write(db).await?;
    plan_each_statement(&txn).await?;
    let upkeep = if db.get_database_backend() == DbBackend::Postgres {
        Upkeep::suspend(&txn).await?
    } else {
        Upkeep::default()
    };
    let report = apply_staged(&txn, staged, actor, Some("import"), progress).await?;
    upkeep.restore(&txn).await?;
    crate::domain::changes::commit(txn).await?;
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
    ds: Dataset,
    actor: Option<Uuid>,
    reason: Option<&str>,
    progress: Progress<'_>,
) -> Result<ImportReport> {
    apply_staged(db, Staged::of(ds)?, actor, reason, progress).await
}

/// [`apply`] for a staged file. What needs the whole file (slugs, references
/// outside it, parent chains) is checked first; each record's own values as
/// the writer reads it back, writing stopping at the first fault while the
/// checks go on, so the error lists every fault. The caller's transaction
/// then rolls back whatever was written.
pub async fn apply_staged<C: Conn>(
    db: &C,
    staged: Staged,
    actor: Option<Uuid>,
    reason: Option<&str>,
    progress: Progress<'_>,
) -> Result<ImportReport> {
    let Staged {
        mut spools,
        file,
        outside,
        group_parents,
        operation_parents,
        mut errors,
        ..
    } = staged;
    let stored = StoredIds::load(db, &outside).await?;
    let known = stored.known();
    check_cycles(&group_parents, "groups", "parent", &mut errors);
    check_cycles(&operation_parents, "operations", "part_of", &mut errors);
    if errors.is_empty() {
        errors = stored_cycles(db, &file, &group_parents, &operation_parents).await?;
    }
    // With a fault already found nothing will be written, so there is no
    // order to work out (and with a cycle, none to find).
    let parents = if errors.is_empty() {
        Parents {
            groups: Parents::depths(&group_parents, &file.groups),
            operations: Parents::depths(&operation_parents, &file.operations),
        }
    } else {
        Parents::default()
    };
    let scope = Scope {
        file: &file,
        stored: &known,
    };
    let total = spools.total();
    let writer = Writer::new(db, actor, reason, progress, total, stored);
    let report = writer
        .write(&mut spools, &scope, &parents, &mut errors)
        .await?;
    if errors.is_empty() {
        Ok(report)
    } else {
        Err(Error::Invalid(errors))
    }
}

/// Parent chains that would loop once the file's records join the stored
/// ones (chains within the file were checked on their own).
pub(crate) async fn stored_cycles<C: Conn>(
    db: &C,
    file: &KnownSlugs,
    group_parents: &HashMap<String, String>,
    operation_parents: &HashMap<String, String>,
) -> Result<Vec<crate::error::FieldError>> {
    let mut errors = Vec::new();
    let in_file = |set: &SlugSet, parents: &HashMap<String, String>, s: &str| {
        set.contains(s).then(|| parents.get(s).cloned())
    };
    for (slug, p) in group_parents {
        if reaches(
            db,
            p,
            slug,
            &|s| in_file(&file.groups, group_parents, s),
            true,
        )
        .await?
        {
            errors.push(crate::error::FieldError::new(
                format!("groups[{slug}].parent"),
                "the chain of parents loops back on itself",
            ));
        }
    }
    for (slug, p) in operation_parents {
        if reaches(
            db,
            p,
            slug,
            &|s| in_file(&file.operations, operation_parents, s),
            false,
        )
        .await?
        {
            errors.push(crate::error::FieldError::new(
                format!("operations[{slug}].part_of"),
                "the chain of parents loops back on itself",
            ));
        }
    }
    errors.sort_by(|a, b| a.field.cmp(&b.field));
    Ok(errors)
}

/// Does the parent chain from `start` reach `target`? The file's records
/// take precedence over stored ones.
pub(crate) async fn reaches<C: Conn>(
    db: &C,
    start: &str,
    target: &str,
    in_file: &(dyn Fn(&str) -> Option<Option<String>> + Sync),
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
        at = match in_file(slug.as_str()) {
            Some(p) => p,
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
