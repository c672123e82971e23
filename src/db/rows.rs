//! Every read of rows goes through here: the domain asks for models,
//! tuples, a count or raw rows, and this module chooses how each row is
//! decoded. Entity models have two decoders that must agree (sqlx's
//! `FromRow` on Postgres, SeaORM's `FromQueryResult` elsewhere, see
//! [`model`]); tuples and counts use SeaORM's on both backends. Clippy's
//! `disallowed-methods` (clippy.toml) keeps code outside `db/` from calling
//! SeaORM's executors directly, and `tests/api/decoders.rs` checks that both
//! decoders read every column of every entity alike, NULLs included.

use sea_orm::sea_query::SelectStatement;
use sea_orm::sqlx::{self, Postgres};
use sea_orm::{
    ColIdx, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, PaginatorTrait, QueryResult,
    QuerySelect, QueryTrait, Select, Statement, TryGetable, TryGetableMany,
};

use super::reader::query_err;

/// A model both decoders can read: every entity's `Model`.
pub trait Decode: FromQueryResult + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> {}
impl<M: FromQueryResult + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>> Decode for M {}

/// The models a select finds, in its order.
pub async fn all<E, C>(db: &C, select: Select<E>) -> Result<Vec<E::Model>, DbErr>
where
    E: EntityTrait,
    E::Model: Decode,
    C: ConnectionTrait,
{
    db.query_all(select.as_query())
        .await?
        .iter()
        .map(model)
        .collect()
}

/// The first model a select finds.
pub async fn one<E, C>(db: &C, select: Select<E>) -> Result<Option<E::Model>, DbErr>
where
    E: EntityTrait,
    E::Model: Decode,
    C: ConnectionTrait,
{
    db.query_one(select.limit(1).as_query())
        .await?
        .as_ref()
        .map(model)
        .transpose()
}

/// The selected columns of every row, as a tuple (or one value) each.
pub async fn tuples<T, E, C>(db: &C, select: Select<E>) -> Result<Vec<T>, DbErr>
where
    T: TryGetableMany,
    E: EntityTrait,
    C: ConnectionTrait,
{
    select.into_tuple::<T>().all(db).await
}

/// The selected columns of the first row.
pub async fn tuple<T, E, C>(db: &C, select: Select<E>) -> Result<Option<T>, DbErr>
where
    T: TryGetableMany,
    E: EntityTrait,
    C: ConnectionTrait,
{
    select.into_tuple::<T>().one(db).await
}

/// How many rows a select finds.
pub async fn count<E, C>(db: &C, select: Select<E>) -> Result<u64, DbErr>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
{
    select.count(db).await
}

/// The rows of a statement built by hand (joins, aggregates), for the
/// caller to read with [`column`], [`nullable`] or [`projection`].
pub async fn statement<C: ConnectionTrait>(
    db: &C,
    stmt: &SelectStatement,
) -> Result<Vec<QueryResult>, DbErr> {
    db.query_all(stmt).await
}

/// The rows of a statement written as SQL.
pub async fn raw<C: ConnectionTrait>(db: &C, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
    db.query_all_raw(stmt).await
}

/// The first row of a statement written as SQL.
pub async fn raw_one<C: ConnectionTrait>(
    db: &C,
    stmt: Statement,
) -> Result<Option<QueryResult>, DbErr> {
    db.query_one_raw(stmt).await
}

/// A projection (a struct of some columns, deriving `FromQueryResult`)
/// from a row; it has one decoder, SeaORM's, on both backends.
pub fn projection<P: FromQueryResult>(r: &QueryResult) -> Result<P, DbErr> {
    P::from_query_result(r, "")
}

/// A column by name or position, read as SeaORM reads it but through sqlx
/// on Postgres. SeaORM looks a column up twice (to check its type, then to
/// decode it), each time hashing its name, and reads a NULL into an
/// `Option` by building an error carrying the column's name written out
/// with `Debug` (a heap string per NULL). sqlx looks once (not at all by
/// position) and checks for NULL before decoding. A GraphQL page of 50
/// operations reads over a thousand NULL quotes, locators and fields, and
/// those strings were a visible share of its work (bench/README.md,
/// "Measurements behind the code"). Rows of other backends go through SeaORM.
pub fn column<T>(r: &QueryResult, idx: impl ColIdx) -> Result<T, DbErr>
where
    T: TryGetable + sqlx::Type<Postgres> + for<'r> sqlx::Decode<'r, Postgres>,
{
    match r.try_as_pg_row() {
        Some(row) => {
            sqlx::Row::try_get::<T, _>(row, idx.as_sqlx_postgres_index()).map_err(query_err)
        }
        None => r.try_get_by(idx),
    }
}

/// A nullable column as `Option<T>` (see [`column`]); as SeaORM reads an
/// `Option`, a column the row lacks is None.
pub fn nullable<T>(r: &QueryResult, idx: impl ColIdx) -> Result<Option<T>, DbErr>
where
    T: TryGetable + sqlx::Type<Postgres> + for<'r> sqlx::Decode<'r, Postgres>,
{
    match r.try_as_pg_row() {
        Some(row) => match sqlx::Row::try_get::<Option<T>, _>(row, idx.as_sqlx_postgres_index()) {
            Err(sqlx::Error::ColumnNotFound(_)) => Ok(None),
            other => other.map_err(query_err),
        },
        None => r.try_get_by(idx),
    }
}

/// A model from a row: on Postgres through sqlx's `FromRow`, which reads a
/// NULL as `None` at once (see [`nullable`]); a group row holds a dozen
/// NULL columns (dates it has not, ids it lacks), and SeaORM built an error
/// string for each. Rows of other backends go through SeaORM.
pub fn model<M>(r: &QueryResult) -> Result<M, DbErr>
where
    M: Decode,
{
    match r.try_as_pg_row() {
        Some(row) => M::from_row(row).map_err(query_err),
        None => M::from_query_result(r, ""),
    }
}
