//! Writes by editors, shared by REST and GraphQL: create, update (a JSON
//! merge patch over the stored record), delete, and whole-file import. Each
//! runs in one transaction with its revision; validation is the import's
//! (no fact without a source, valid dates and codes, existing references),
//! so nothing invalid gets in through any door.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

use super::Conn;
use super::auth::{Actor, Role};
use super::dataset::{
    Dataset, GroupRecord, LegalOutcomeRecord, OperationRecord, SourceRecord, TargetRecord,
};
use super::import::{ImportReport, apply};
use super::snapshot;
use crate::db::entities::{
    citation, group, legal_outcome, operation, operation_group, operation_target, revision, source,
    target,
};
use crate::db::rows;
use crate::error::{Error, FieldError, Result};

/// The collections editors write to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Collection {
    Groups,
    Operations,
    Targets,
    LegalOutcomes,
    Sources,
}

impl Collection {
    pub const ALL: [Collection; 5] = [
        Collection::Groups,
        Collection::Operations,
        Collection::Targets,
        Collection::LegalOutcomes,
        Collection::Sources,
    ];

    /// The kind recorded in revisions.
    pub fn kind(self) -> &'static str {
        match self {
            Collection::Groups => "group",
            Collection::Operations => "operation",
            Collection::Targets => "target",
            Collection::LegalOutcomes => "legal_outcome",
            Collection::Sources => "source",
        }
    }

    /// The REST path segment.
    pub fn path(self) -> &'static str {
        match self {
            Collection::Groups => "groups",
            Collection::Operations => "operations",
            Collection::Targets => "targets",
            Collection::LegalOutcomes => "legal-outcomes",
            Collection::Sources => "sources",
        }
    }
}

/// Longest reason accepted with a write.
pub const MAX_REASON: usize = 1_000;

/// The largest write body, in bytes.
pub const MAX_BODY: usize = 256 * 1024;

fn parse<T: DeserializeOwned>(value: Value) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "body".to_owned() } else { path };
        Error::Invalid(vec![FieldError::new(field, e.inner().to_string())])
    })
}

pub fn check_reason(reason: Option<&str>) -> Result<()> {
    match reason {
        Some(r) if r.chars().count() > MAX_REASON => Err(Error::invalid(
            "reason",
            format!("longer than {MAX_REASON} characters"),
        )),
        Some(r) if r.trim().is_empty() => Err(Error::invalid(
            "reason",
            "must not be blank (leave it out instead)",
        )),
        Some(r) if r.chars().any(char::is_control) => Err(Error::invalid(
            "reason",
            "must not contain control characters",
        )),
        _ => Ok(()),
    }
}

/// Every string in a body that holds a NUL, which Postgres cannot store.
fn nul_strings(v: &Value, path: &str, out: &mut Vec<FieldError>) {
    match v {
        Value::String(s) if s.contains('\0') => {
            out.push(FieldError::new(path, "must not contain NUL characters"));
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                nul_strings(x, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                nul_strings(x, &p, out);
            }
        }
        _ => {}
    }
}

/// A dataset holding one record of a collection, parsed from a body.
fn one_record(c: Collection, body: Value) -> Result<(String, Dataset)> {
    let mut nul = Vec::new();
    nul_strings(&body, "", &mut nul);
    if !nul.is_empty() {
        return Err(Error::Invalid(nul));
    }
    let mut ds = Dataset::default();
    let slug = match c {
        Collection::Groups => {
            let r: GroupRecord = parse(body)?;
            let s = r.slug.clone();
            ds.groups.push(r);
            s
        }
        Collection::Operations => {
            let r: OperationRecord = parse(body)?;
            let s = r.slug.clone();
            ds.operations.push(r);
            s
        }
        Collection::Targets => {
            let r: TargetRecord = parse(body)?;
            let s = r.slug.clone();
            ds.targets.push(r);
            s
        }
        Collection::LegalOutcomes => {
            let r: LegalOutcomeRecord = parse(body)?;
            let s = r.slug.clone();
            ds.legal_outcomes.push(r);
            s
        }
        Collection::Sources => {
            let r: SourceRecord = parse(body)?;
            let s = r.slug.clone();
            ds.sources.push(r);
            s
        }
    };
    Ok((slug, ds))
}

/// Errors name the record by its field alone (`citations`, not
/// `operations[x].citations`): the body is the record.
fn unprefix(e: Error) -> Error {
    match e {
        Error::Invalid(fields) => Error::Invalid(
            fields
                .into_iter()
                .map(|f| {
                    let field = match f.field.split_once("].") {
                        Some((_, rest)) => rest.to_owned(),
                        None => f.field,
                    };
                    FieldError { field, ..f }
                })
                .collect(),
        ),
        other => other,
    }
}

/// A concurrent create of the same slug loses on the unique index: that is
/// a conflict for the client, not a server fault.
fn taken(e: Error, c: Collection, slug: &str) -> Error {
    match e {
        Error::Database(db)
            if matches!(
                db.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            Error::Conflict(format!("a {} with slug {slug:?} already exists", c.kind()))
        }
        other => other,
    }
}

/// The stored record's id, version and dataset form, locked for the
/// transaction on Postgres so concurrent writers queue instead of racing.
/// A slug that could not be stored names nothing (`vocab::could_be_stored`).
fn storable_slug(c: Collection, slug: &str) -> Result<()> {
    if !super::vocab::could_be_stored(slug) {
        return Err(Error::not_found(c.kind(), slug));
    }
    Ok(())
}

async fn current<C: Conn>(db: &C, c: Collection, slug: &str) -> Result<(Uuid, i32, Value)> {
    storable_slug(c, slug)?;
    let pg = db.get_database_backend() == DbBackend::Postgres;
    macro_rules! load {
        ($m:ident) => {{
            let mut q = $m::Entity::find().filter($m::Column::Slug.eq(slug));
            if pg {
                q = q.lock_exclusive();
            }
            rows::one(db, q)
                .await?
                .ok_or_else(|| Error::not_found(c.kind(), slug))?
        }};
    }
    let to_json = |v: &dyn erased::Record| v.json();
    Ok(match c {
        Collection::Groups => {
            let m = load!(group);
            let r = snapshot::group_records(db, std::slice::from_ref(&m)).await?;
            (m.id, m.version, to_json(&r[0]))
        }
        Collection::Operations => {
            let m = load!(operation);
            let r = snapshot::operation_records(db, std::slice::from_ref(&m)).await?;
            (m.id, m.version, to_json(&r[0]))
        }
        Collection::Targets => {
            let m = load!(target);
            let r = snapshot::target_records(db, std::slice::from_ref(&m)).await?;
            (m.id, m.version, to_json(&r[0]))
        }
        Collection::LegalOutcomes => {
            let m = load!(legal_outcome);
            let r = snapshot::legal_outcome_records(db, std::slice::from_ref(&m)).await?;
            (m.id, m.version, to_json(&r[0]))
        }
        Collection::Sources => {
            let m = load!(source);
            (m.id, m.version, to_json(&snapshot::source_record(&m)))
        }
    })
}

mod erased {
    /// Any dataset record, as JSON.
    pub trait Record {
        fn json(&self) -> serde_json::Value;
    }

    impl<T: serde::Serialize> Record for T {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or_default()
        }
    }
}

/// RFC 7386 JSON merge patch: objects merge, `null` removes, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Default::default());
            }
            if let Value::Object(t) = target {
                for (k, v) in p {
                    if v.is_null() {
                        t.remove(&k);
                    } else {
                        merge_patch(t.entry(k).or_insert(Value::Null), v);
                    }
                }
            }
        }
        other => *target = other,
    }
}

/// How often a write that met a deadlock or serialization failure is run
/// again before the client gets a 503 with `Retry-After`.
const WRITE_ATTEMPTS: u32 = 4;

/// Runs a whole write transaction again when it loses to a concurrent one
/// (deadlock, serialization failure): each attempt starts from scratch, so
/// it sees what the winner committed and validates against that (a parent
/// cycle two editors race to make is then refused, not stored).
async fn retrying<T, F>(mut attempt: impl FnMut() -> F) -> Result<T>
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

async fn create_once(
    db: &DatabaseConnection,
    actor: &Actor,
    c: Collection,
    body: Value,
    reason: Option<&str>,
) -> Result<String> {
    let (slug, ds) = one_record(c, body)?;
    let txn = db.begin().await?;
    if current(&txn, c, &slug).await.is_ok() {
        return Err(Error::Conflict(format!(
            "a {} with slug {slug:?} already exists; PATCH it instead",
            c.kind()
        )));
    }
    apply(&txn, ds, Some(actor.key_id), reason, &|_, _| {})
        .await
        .map_err(|e| taken(unprefix(e), c, &slug))?;
    txn.commit().await.map_err(|e| taken(e.into(), c, &slug))?;
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

async fn update_once(
    db: &DatabaseConnection,
    actor: &Actor,
    c: Collection,
    slug: &str,
    expected_version: i32,
    patch: Value,
    reason: Option<&str>,
) -> Result<()> {
    let txn = db.begin().await?;
    let (_, version, mut record) = current(&txn, c, slug).await?;
    if version != expected_version {
        return Err(Error::Stale { current: version });
    }
    merge_patch(&mut record, patch);
    let (_, ds) = one_record(c, record)?;
    apply(&txn, ds, Some(actor.key_id), reason, &|_, _| {})
        .await
        .map_err(|e| taken(unprefix(e), c, slug))?;
    txn.commit().await.map_err(|e| taken(e.into(), c, slug))?;
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

async fn delete_once(
    db: &DatabaseConnection,
    actor: &Actor,
    c: Collection,
    slug: &str,
    expected_version: i32,
    reason: Option<&str>,
) -> Result<()> {
    let txn = db.begin().await?;
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
    })
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Imports a whole dataset file (admins only), all or nothing. The file is
/// parsed as it is read (on a blocking thread: `body` is a synchronous
/// reader), so its text is never held whole.
pub async fn import_file<R: std::io::Read + Send + 'static>(
    db: &DatabaseConnection,
    actor: &Actor,
    body: R,
    reason: Option<&str>,
) -> Result<ImportReport> {
    actor.require(Role::Admin, "importing files")?;
    check_reason(reason)?;
    let ds = tokio::task::spawn_blocking(move || Dataset::parse_reader(body))
        .await
        .map_err(|e| Error::Internal(format!("the import parser stopped: {e}")))??;
    let txn = db.begin().await?;
    crate::db::bulk::plan_each_statement(&txn).await?;
    let report = apply(
        &txn,
        ds,
        Some(actor.key_id),
        reason.or(Some("import")),
        &|_, _| {},
    )
    .await?;
    txn.commit().await?;
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
