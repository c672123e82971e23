//! How relations are read: by owner id a chunk at a time, grouped by owner.

use std::collections::HashMap;
use std::hash::Hash;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::db::rows;
use crate::domain::Conn;
use crate::error::Result;

/// Parameters per statement stay well below both backends' limits.
pub(crate) const CHUNK: usize = 5_000;

pub(crate) fn group_by<K: Eq + Hash, V>(
    rows: impl IntoIterator<Item = (K, V)>,
) -> HashMap<K, Vec<V>> {
    let mut map: HashMap<K, Vec<V>> = HashMap::new();
    for (k, v) in rows {
        map.entry(k).or_default().push(v);
    }
    map
}

/// Rows of `E` whose `col` is one of `ids`, in the given order, chunked;
/// decoded by [`crate::db::rows::model`].
pub(crate) async fn rows_where_in<E, C>(
    db: &C,
    col: E::Column,
    ids: &[Uuid],
    order: impl IntoIterator<Item = E::Column> + Clone,
) -> Result<Vec<E::Model>>
where
    E: EntityTrait,
    E::Model: rows::Decode,
    C: Conn,
{
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let mut q = E::find().filter(col.is_in(chunk.iter().copied()));
        for o in order.clone() {
            q = q.order_by_asc(o);
        }
        out.extend(crate::db::rows::all(db, q).await?);
    }
    Ok(out)
}

/// Runs `select` over `ids` a chunk at a time and decodes each row.
pub(crate) async fn query_chunked<C: Conn, T>(
    db: &C,
    ids: &[Uuid],
    select: impl Fn(&[Uuid]) -> sea_orm::sea_query::SelectStatement,
    decode: impl Fn(&sea_orm::QueryResult) -> Result<T>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        for r in rows::statement(db, &select(chunk)).await? {
            out.push(decode(&r)?);
        }
    }
    Ok(out)
}

/// Records by primary key, keyed by it: one statement per chunk.
pub async fn by_id<E, C>(
    db: &C,
    id_col: E::Column,
    ids: &[Uuid],
    key: impl Fn(&E::Model) -> Uuid,
) -> Result<HashMap<Uuid, E::Model>>
where
    E: EntityTrait,
    E::Model: rows::Decode,
    C: Conn,
{
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let rows = rows_where_in::<E, _>(db, id_col, &ids, []).await?;
    Ok(rows.into_iter().map(|r| (key(&r), r)).collect())
}
