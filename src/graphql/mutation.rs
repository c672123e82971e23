//! Mutations mirroring the REST writes, through the same domain functions
//! with the same validation, keys and roles. A record's `input` is a JSON
//! object with the record's fields in camelCase (`{slug, kind, names, …,
//! citations: [{source, quote}]}`), and `update*` takes a merge patch of it.

use async_graphql::{Context, Json, Object, Result, SimpleObject};
use sea_orm::DatabaseConnection;
use serde_json::{Map, Value};

use super::error::GqlResult;
use super::types::{Group, LegalOutcome, Operation, Source, Target};
use crate::domain::auth::{self, Actor};
use crate::domain::read;
use crate::domain::write::{self, Collection};
use crate::error::{Error, FieldError};

pub struct Mutation;

/// Who is asking, put into the request's data by the endpoint: the key is
/// checked through the same limiter as REST writes (made-up keys count
/// against the client IP, a key that just failed is refused without a lookup).
#[derive(Clone)]
pub struct Credentials {
    /// The request's `Authorization` header alone.
    pub headers: axum::http::HeaderMap,
    pub ip: Option<std::net::IpAddr>,
    pub limiter: std::sync::Arc<crate::http::limits::Limiter>,
}

async fn actor(ctx: &Context<'_>) -> Result<Actor> {
    match ctx.data_opt::<Credentials>() {
        Some(c) => c
            .limiter
            .authenticate(db(ctx), &c.headers, c.ip)
            .await
            .gql(),
        None => auth::authenticate(db(ctx), None).await.gql(),
    }
}

/// The pool behind the request's reader: a mutation's transaction takes a
/// connection of its own (`http::run` gives mutations a per-statement reader).
fn db<'a>(ctx: &Context<'a>) -> &'a DatabaseConnection {
    ctx.data_unchecked::<crate::db::Reader>().pool()
}

fn snake(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// camelCase keys (GraphQL) to the records' snake_case, recursively.
fn snake_keys(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (snake(&k), snake_keys(v)))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(snake_keys).collect()),
        other => other,
    }
}

/// Field paths in errors back in the caller's camelCase.
fn camel_fields(e: Error) -> Error {
    match e {
        Error::Invalid(f) => Error::Invalid(
            f.into_iter()
                .map(|f| FieldError {
                    field: f.field.split('.').map(camel).collect::<Vec<_>>().join("."),
                    ..f
                })
                .collect(),
        ),
        other => other,
    }
}

/// What a delete answers.
#[derive(SimpleObject, Debug)]
pub struct Deleted {
    pub slug: String,
    /// The version the record had when deleted.
    pub version: i32,
}

/// What an import answers.
#[derive(SimpleObject, Debug)]
pub struct ImportResult {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

macro_rules! mutations {
    ($(($create:ident, $update:ident, $delete:ident, $coll:expr, $ty:ident, $by_slug:path)),* $(,)?) => {
        #[Object]
        impl Mutation {
            $(
            /// Creates a record from `input` (camelCase fields); needs an editor key.
            async fn $create(
                &self,
                ctx: &Context<'_>,
                input: Json<Value>,
                reason: Option<String>,
            ) -> Result<$ty> {
                let actor = actor(ctx).await?;
                let slug = write::create(db(ctx), &actor, $coll, snake_keys(input.0), reason.as_deref())
                    .await
                    .map_err(camel_fields)
                    .gql()?;
                $by_slug(db(ctx), &slug).await.gql().map($ty::from)
            }

            /// Applies a merge patch (camelCase fields) to the record at `expectedVersion`;
            /// `CONFLICT` when the record has moved on.
            async fn $update(
                &self,
                ctx: &Context<'_>,
                slug: String,
                expected_version: i32,
                input: Json<Value>,
                reason: Option<String>,
            ) -> Result<$ty> {
                let actor = actor(ctx).await?;
                write::update(db(ctx), &actor, $coll, &slug, expected_version, snake_keys(input.0), reason.as_deref())
                    .await
                    .map_err(camel_fields)
                    .gql()?;
                $by_slug(db(ctx), &slug).await.gql().map($ty::from)
            }

            /// Deletes the record at `expectedVersion`; its history stays.
            async fn $delete(
                &self,
                ctx: &Context<'_>,
                slug: String,
                expected_version: i32,
                reason: Option<String>,
            ) -> Result<Deleted> {
                let actor = actor(ctx).await?;
                write::delete(db(ctx), &actor, $coll, &slug, expected_version, reason.as_deref())
                    .await
                    .gql()?;
                Ok(Deleted { slug, version: expected_version })
            }
            )*

            /// Imports a whole dataset file (the format of `factline import`), all or
            /// nothing; needs an admin key.
            async fn import_dataset(
                &self,
                ctx: &Context<'_>,
                input: Json<Value>,
                reason: Option<String>,
            ) -> Result<ImportResult> {
                let actor = actor(ctx).await?;
                let body = serde_json::to_vec(&input.0).map_err(|e| Error::Internal(e.to_string())).gql()?;
                let r = write::import_file(db(ctx), &actor, std::io::Cursor::new(body), reason.as_deref()).await.gql()?;
                Ok(ImportResult {
                    created: r.created as u64,
                    updated: r.updated as u64,
                    unchanged: r.unchanged as u64,
                })
            }
        }
    };
}

mutations!(
    (
        create_group,
        update_group,
        delete_group,
        Collection::Groups,
        Group,
        read::group_by_slug
    ),
    (
        create_operation,
        update_operation,
        delete_operation,
        Collection::Operations,
        Operation,
        read::operation_by_slug
    ),
    (
        create_target,
        update_target,
        delete_target,
        Collection::Targets,
        Target,
        read::target_by_slug
    ),
    (
        create_legal_outcome,
        update_legal_outcome,
        delete_legal_outcome,
        Collection::LegalOutcomes,
        LegalOutcome,
        read::legal_outcome_by_slug
    ),
    (
        create_source,
        update_source,
        delete_source,
        Collection::Sources,
        Source,
        read::source_by_slug
    ),
);

#[cfg(test)]
mod tests {
    #[test]
    fn keys_convert_both_ways() {
        assert_eq!(super::snake("disputeNote"), "dispute_note");
        assert_eq!(super::camel("dispute_note"), "disputeNote");
        assert_eq!(super::camel("names[0].lang"), "names[0].lang");
    }
}
