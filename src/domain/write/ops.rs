//! Creating, updating and deleting one record, importing a file, and a
//! record's history; a write that meets a deadlock or a serialization
//! failure is tried again a few times, then refused with 503.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::Value;
use uuid::Uuid;

use super::input::{
    Collection, check_reason, current, merge_patch, one_record, storable_slug, taken, unprefix,
};
use crate::db::entities::{
    citation, group, legal_outcome, operation, operation_group, operation_target, revision, source,
    target,
};
use crate::db::rows;
use crate::domain::Conn;
use crate::domain::auth::{Actor, Role};
use crate::domain::import::{ImportReport, Staged, apply, apply_staged};
use crate::error::{Error, Result};

/// How often a write that met a deadlock or serialization failure is run
/// again before the client gets a 503 with `Retry-After`.
pub(crate) const WRITE_ATTEMPTS: u32 = 4;

/// Runs a whole write transaction again when it loses to a concurrent one
/// (deadlock, serialization failure): each attempt starts from scratch, so
/// it sees what the winner committed and validates against that (a parent
/// cycle two editors race to make is then refused, not stored).
pub(crate) async fn retrying<T, F>(mut attempt: impl FnMut() -> F) -> Result<T>
where
    F: std::future::Future<Output = Result<T>>,
{
    let mut tries = 1;
    loop {
        match attempt().await {
            Err(Error::Contended(_)) if tries < WRITE_ATTEMPTS => {
                // A short, growing pause with jitter, so two losers do not
                // meet again at once.
                let mut b = [0u8; 1];
                let jitter = getrandom::fill(&mut b).map_or(0, |()| u64::from(b[0] % 20));
                tokio::time::sleep(std::time::Duration::from_millis(
                    10 * u64::from(tries) + jitter,
                ))
                .await;
                tries += 1;
            }
            r => return r,
        }
    }
}

/// Creates a record; 409 when the slug is taken. Returns its slug.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    c: Collection,
    body: Value,
    reason: Option<&str>,
) -> Result<String> {
    actor.require(Role::Editor, "writing records")?;
    check_reason(reason)?;
    retrying(|| create_once(db, actor, c, body.clone(), reason)).await
}

pub(crate) async fn create_once(
    db: &DatabaseConnection,
    actor: &Actor,
    c: Collection,
    body: Value,
    reason: Option<&str>,
) -> Result<String> {
    let (slug, ds) = one_record(c, body)?;
    let txn = crate::domain::changes::begin_write(db).await?;
    if current(&txn, c, &slug).await.is_ok() {
        return Err(Error::Conflict(format!(
            "a {} with slug {slug:?} already exists; PATCH it instead",
            c.kind()
        )));
    }
    apply(&txn, ds, Some(actor.key_id), reason, &|_, _| {})
        .await
        .map_err(|e| taken(unprefix(e), c, &slug))?;
    crate::domain::changes::commit(txn)
        .await
        .map_err(|e| taken(e.into(), c, &slug))?;
    Ok(slug)
}

/// Applies a merge patch to the stored record at `expected_version`.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    c: Collection,
    slug: &str,
    expected_version: i32,
    patch: Value,
    reason: Option<&str>,
) -> Result<()> {
    actor.require(Role::Editor, "writing records")?;
    check_reason(reason)?;
    if !patch.is_object() {
        return Err(Error::invalid(
            "body",
            "a JSON object with the fields to change",
        ));
    }
    if let Some(s) = patch.get("slug")
        && s.as_str() != Some(slug)
    {
        return Err(Error::invalid(
            "slug",
            "a slug cannot change; create a new record instead",
        ));
    }
    retrying(|| update_once(db, actor, c, slug, expected_version, patch.clone(), reason)).await
}

pub(crate) async fn update_once(
    db: &DatabaseConnection,
    actor: &Actor,
    c: Collection,
    slug: &str,
    expected_version: i32,
    patch: Value,
    reason: Option<&str>,
) -> Result<()> {
    let txn = crate::domain::changes::begin_write(db).await?;
    let (_, version, mut record) = current(&txn, c, slug).await?;
    if version != expected_version {
        return Err(Error::Stale { current: version });
    }
    merge_patch(&mut record, patch);
    let (_, ds) = one_record(c, record)?;
    apply(&txn, ds, Some(actor.key_id), reason, &|_, _| {})
        .await
        .map_err(|e| taken(unprefix(e), c, slug))?;
    crate::domain::changes::commit(txn)
        .await
        .map_err(|e| taken(e.into(), c, slug))?;
    Ok(())
}

/// Deletes a record at `expected_version`, leaving its history. Refused
/// with 409 while other records depend on it.
pub async fn delete(
    db: &DatabaseConnection,
    actor: &Actor,
    c: Collection,
    slug: &str,
    expected_version: i32,
    reason: Option<&str>,
) -> Result<()> {
    actor.require(Role::Editor, "writing records")?;
    check_reason(reason)?;
    retrying(|| delete_once(db, actor, c, slug, expected_version, reason)).await
}

pub(crate) async fn delete_once(
    db: &DatabaseConnection,
    actor: &Actor,
    c: Collection,
    slug: &str,
    expected_version: i32,
    reason: Option<&str>,
) -> Result<()> {
    let txn = crate::domain::changes::begin_write(db).await?;
    let (id, version, before) = current(&txn, c, slug).await?;
    if version != expected_version {
        return Err(Error::Stale { current: version });
    }
    let in_use = |what: &str, n: u64| {
        Err(Error::Conflict(format!(
            "{n} {what} still refer to this {}; change or delete them first",
            c.kind()
        )))
    };
    match c {
        // A delete never changes another record behind its back: links,
        // children and outcomes must be removed or moved first.
        Collection::Groups => {
            for (what, n) in [
                (
                    "legal outcomes",
                    rows::count(
                        &txn,
                        legal_outcome::Entity::find().filter(legal_outcome::Column::GroupId.eq(id)),
                    )
                    .await?,
                ),
                (
                    "operation links",
                    rows::count(
                        &txn,
                        operation_group::Entity::find()
                            .filter(operation_group::Column::GroupId.eq(id)),
                    )
                    .await?,
                ),
                (
                    "child groups",
                    rows::count(
                        &txn,
                        group::Entity::find().filter(group::Column::ParentId.eq(id)),
                    )
                    .await?,
                ),
            ] {
                if n > 0 {
                    return in_use(what, n);
                }
            }
            group::Entity::delete_by_id(id).exec(&txn).await?;
        }
        Collection::Operations => {
            for (what, n) in [
                (
                    "legal outcomes",
                    rows::count(
                        &txn,
                        legal_outcome::Entity::find()
                            .filter(legal_outcome::Column::OperationId.eq(id)),
                    )
                    .await?,
                ),
                (
                    "sub-operations",
                    rows::count(
                        &txn,
                        operation::Entity::find().filter(operation::Column::PartOfId.eq(id)),
                    )
                    .await?,
                ),
            ] {
                if n > 0 {
                    return in_use(what, n);
                }
            }
            operation::Entity::delete_by_id(id).exec(&txn).await?;
        }
        Collection::Targets => {
            let n = rows::count(
                &txn,
                operation_target::Entity::find().filter(operation_target::Column::TargetId.eq(id)),
            )
            .await?;
            if n > 0 {
                return in_use("operation links", n);
            }
            target::Entity::delete_by_id(id).exec(&txn).await?;
        }
        Collection::LegalOutcomes => {
            legal_outcome::Entity::delete_by_id(id).exec(&txn).await?;
        }
        Collection::Sources => {
            let n = rows::count(
                &txn,
                citation::Entity::find().filter(citation::Column::SourceId.eq(id)),
            )
            .await?;
            if n > 0 {
                return in_use("citations", n);
            }
            source::Entity::delete_by_id(id).exec(&txn).await?;
        }
    }
    revision::Entity::insert(revision::ActiveModel {
        id: Set(Uuid::new_v4()),
        entity_kind: Set(c.kind().to_owned()),
        entity_id: Set(id),
        entity_slug: Set(slug.to_owned()),
        version: Set(version + 1),
        action: Set("delete".to_owned()),
        actor_key_id: Set(Some(actor.key_id)),
        at: Set(Utc::now()),
        before: Set(Some(before)),
        after: Set(None),
        reason: Set(reason.map(str::to_owned)),
        seq: sea_orm::ActiveValue::NotSet,
    })
    .exec_without_returning(&txn)
    .await?;
    crate::domain::changes::commit(txn).await?;
    Ok(())
}

/// Imports a whole dataset file (admins only), all or nothing. The file is
/// staged as it is read (on a blocking thread: `body` is a synchronous
/// reader), so neither its text nor its records are ever held whole.
pub async fn import_file<R: std::io::Read + Send + 'static>(
    db: &DatabaseConnection,
    actor: &Actor,
    body: R,
    reason: Option<&str>,
) -> Result<ImportReport> {
    actor.require(Role::Admin, "importing files")?;
    check_reason(reason)?;
    let staged = tokio::task::spawn_blocking(move || Staged::read(body))
        .await
        .map_err(|e| Error::Internal(format!("the import parser stopped: {e}")))??;
    let txn = crate::domain::changes::begin_write(db).await?;
    crate::db::bulk::plan_each_statement(&txn).await?;
    let report = apply_staged(
        &txn,
        staged,
        Some(actor.key_id),
        reason.or(Some("import")),
        &|_, _| {},
    )
    .await?;
    crate::domain::changes::commit(txn).await?;
    crate::domain::import::after_commit(db, &report).await;
    Ok(report)
}

/// Every revision of a record, oldest first; a deleted record keeps its history.
pub async fn history<C: Conn>(db: &C, c: Collection, slug: &str) -> Result<Vec<revision::Model>> {
    storable_slug(c, slug)?;
    let revs = rows::all(
        db,
        revision::Entity::find()
            .filter(revision::Column::EntityKind.eq(c.kind()))
            .filter(revision::Column::EntitySlug.eq(slug))
            .order_by_asc(revision::Column::At)
            .order_by_asc(revision::Column::Version),
    )
    .await?;
    if revs.is_empty() {
        return Err(Error::not_found(c.kind(), slug));
    }
    Ok(revs)
}
