//! What the database already holds of a dataset's records: their ids by slug.

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::db::entities::{group, operation, source, target};
use crate::db::rows;
use crate::domain::Conn;
use crate::domain::dataset::{CitationRecord, Dataset, KnownSlugs};
use crate::error::Result;

/// Ids of the stored records among `slugs`, keyed by slug.
pub(crate) async fn ids_of<E: EntityTrait, C: Conn>(
    db: &C,
    id: E::Column,
    slug: E::Column,
    slugs: &HashSet<String>,
) -> Result<HashMap<String, Uuid>> {
    let slugs: Vec<&String> = slugs.iter().collect();
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

/// Every slug a dataset mentions, by kind: its own records and the records
/// they refer to. Lookups touch only these, not whole tables.
#[derive(Debug, Default)]
pub(crate) struct Mentioned {
    pub(crate) sources: HashSet<String>,
    pub(crate) groups: HashSet<String>,
    pub(crate) targets: HashSet<String>,
    pub(crate) operations: HashSet<String>,
}

impl Mentioned {
    pub(crate) fn of(ds: &Dataset) -> Self {
        let mut m = Mentioned::default();
        let cite = |m: &mut Mentioned, cs: &[CitationRecord]| {
            m.sources.extend(cs.iter().map(|c| c.source.clone()));
        };
        m.sources.extend(ds.sources.iter().map(|r| r.slug.clone()));
        for r in &ds.groups {
            m.groups.insert(r.slug.clone());
            m.groups.extend(r.parent.clone());
            cite(&mut m, &r.citations);
        }
        for r in &ds.targets {
            m.targets.insert(r.slug.clone());
            cite(&mut m, &r.citations);
        }
        for r in &ds.operations {
            m.operations.insert(r.slug.clone());
            m.operations.extend(r.part_of.clone());
            cite(&mut m, &r.citations);
            for a in &r.alternatives {
                cite(&mut m, &a.citations);
            }
            for g in &r.groups {
                m.groups.insert(g.group.clone());
                cite(&mut m, &g.citations);
            }
            for t in &r.targets {
                m.targets.insert(t.target.clone());
                cite(&mut m, &t.citations);
            }
        }
        for r in &ds.legal_outcomes {
            m.operations.extend(r.operation.clone());
            m.groups.extend(r.group.clone());
            cite(&mut m, &r.citations);
            for a in &r.alternatives {
                cite(&mut m, &a.citations);
            }
        }
        m
    }
}

/// Stored ids of every mentioned slug, by kind.
pub(crate) struct StoredIds {
    pub(crate) sources: HashMap<String, Uuid>,
    pub(crate) groups: HashMap<String, Uuid>,
    pub(crate) targets: HashMap<String, Uuid>,
    pub(crate) operations: HashMap<String, Uuid>,
}

impl StoredIds {
    pub(crate) async fn load<C: Conn>(db: &C, m: &Mentioned) -> Result<Self> {
        Ok(StoredIds {
            sources: ids_of::<source::Entity, _>(
                db,
                source::Column::Id,
                source::Column::Slug,
                &m.sources,
            )
            .await?,
            groups: ids_of::<group::Entity, _>(
                db,
                group::Column::Id,
                group::Column::Slug,
                &m.groups,
            )
            .await?,
            targets: ids_of::<target::Entity, _>(
                db,
                target::Column::Id,
                target::Column::Slug,
                &m.targets,
            )
            .await?,
            operations: ids_of::<operation::Entity, _>(
                db,
                operation::Column::Id,
                operation::Column::Slug,
                &m.operations,
            )
            .await?,
        })
    }

    pub(crate) fn known(&self) -> KnownSlugs {
        KnownSlugs {
            sources: self.sources.keys().cloned().collect(),
            groups: self.groups.keys().cloned().collect(),
            targets: self.targets.keys().cloned().collect(),
            operations: self.operations.keys().cloned().collect(),
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
