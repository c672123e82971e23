//! What a write takes: the collection, a record body checked as one-record
//! dataset, a reason, a merge patch, and the stored record it changes.

use sea_orm::{ColumnTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect};
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

use crate::db::entities::{group, legal_outcome, operation, source, target};
use crate::db::rows;
use crate::domain::dataset::{
    Dataset, GroupRecord, LegalOutcomeRecord, OperationRecord, SourceRecord, TargetRecord,
};
use crate::domain::{Conn, snapshot};
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

pub(crate) fn parse<T: DeserializeOwned>(value: Value) -> Result<T> {
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
pub(crate) fn nul_strings(v: &Value, path: &str, out: &mut Vec<FieldError>) {
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
pub(crate) fn one_record(c: Collection, body: Value) -> Result<(String, Dataset)> {
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
pub(crate) fn unprefix(e: Error) -> Error {
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
pub(crate) fn taken(e: Error, c: Collection, slug: &str) -> Error {
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
pub(crate) fn storable_slug(c: Collection, slug: &str) -> Result<()> {
    if !crate::domain::vocab::could_be_stored(slug) {
        return Err(Error::not_found(c.kind(), slug));
    }
    Ok(())
}

pub(crate) async fn current<C: Conn>(
    db: &C,
    c: Collection,
    slug: &str,
) -> Result<(Uuid, i32, Value)> {
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

pub(crate) mod erased {
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
