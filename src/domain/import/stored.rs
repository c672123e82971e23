//! What the database already holds of a dataset's records: their ids by slug.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::staged::Outside;
use crate::db::entities::{group, operation, source, target};
use crate::db::rows;
use crate::domain::Conn;
use crate::domain::dataset::KnownSlugs;
use crate::error::Result;

/// Ids of the stored records among `slugs`, keyed by slug.
pub(crate) async fn ids_of<'s, E: EntityTrait, C: Conn>(
    db: &C,
    id: E::Column,
    slug: E::Column,
    slugs: impl Iterator<Item = &'s String>,
) -> Result<HashMap<String, Uuid>> {
    let slugs: Vec<&String> = slugs.collect();
    let mut out = HashMap::new();
    for chunk in slugs.chunks(crate::domain::relations::CHUNK) {
        out.extend(
            rows::tuples::<(String, Uuid), _, _>(
                db,
                E::find()
                    .select_only()
                    .column(slug)
                    .column(id)
                    .filter(slug.is_in(chunk.iter().map(|s| s.as_str()))),
            )
            .await?,
        );
    }
    Ok(out)
}

/// Stored ids of the records a file refers to outside itself, by kind. The
/// file's own records are looked up a step at a time as they are written.
pub(crate) struct StoredIds {
    pub(crate) sources: HashMap<String, Uuid>,
    pub(crate) groups: HashMap<String, Uuid>,
    pub(crate) targets: HashMap<String, Uuid>,
    pub(crate) operations: HashMap<String, Uuid>,
}

impl StoredIds {
    pub(crate) async fn load<C: Conn>(db: &C, outside: &Outside) -> Result<Self> {
        Ok(StoredIds {
            sources: ids_of::<source::Entity, _>(
                db,
                source::Column::Id,
                source::Column::Slug,
                outside.sources.iter(),
            )
            .await?,
            groups: ids_of::<group::Entity, _>(
                db,
                group::Column::Id,
                group::Column::Slug,
                outside.groups.iter(),
            )
            .await?,
            targets: ids_of::<target::Entity, _>(
                db,
                target::Column::Id,
                target::Column::Slug,
                outside.targets.iter(),
            )
            .await?,
            operations: ids_of::<operation::Entity, _>(
                db,
                operation::Column::Id,
                operation::Column::Slug,
                outside.operations.iter(),
            )
            .await?,
        })
    }

    /// The slugs found stored, for checking references.
    pub(crate) fn known(&self) -> KnownSlugs {
        KnownSlugs {
            sources: self.sources.keys().collect(),
            groups: self.groups.keys().collect(),
            targets: self.targets.keys().collect(),
            operations: self.operations.keys().collect(),
        }
    }
}

pub(crate) async fn load_by_slugs<E: EntityTrait, C: Conn>(
    db: &C,
    col: E::Column,
    slugs: &[&str],
) -> Result<Vec<E::Model>>
where
    E::Model: rows::Decode,
{
    let mut out = Vec::new();
    for chunk in slugs.chunks(crate::domain::relations::CHUNK) {
        out.extend(rows::all(db, E::find().filter(col.is_in(chunk.iter().copied()))).await?);
    }
    Ok(out)
}
