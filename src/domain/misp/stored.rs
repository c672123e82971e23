//! A cluster import meets what the database holds. A MISP value carries a
//! few names and links, not a whole record, so where factline already has
//! the group (the same MISP uuid, else the same slug) the value adds to it:
//! names it lacks as aliases, its refs as further citations, the MISP uuid.
//! The group's own texts, dates, parent and citations stay as they are, and
//! the import then updates it as any import does. A ref whose URL a stored
//! source already has is cited as that source, and a stored source is never
//! rewritten.
//!
//! This reads before the import's transaction: the CLI runs it as an operator
//! job, and a group written meanwhile under the same slug only makes the
//! import update that group instead.

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use crate::db::entities::{group, source};
use crate::db::rows;
use crate::domain::Conn;
use crate::domain::dataset::{CitationRecord, Dataset, GroupRecord, NameRecord};
use crate::domain::snapshot;
use crate::error::{Error, FieldError, Result};

/// `ds` (from [`super::dataset_of`]) made to build on the stored records.
pub async fn onto_stored<C: Conn>(db: &C, mut ds: Dataset) -> Result<Dataset> {
    cite_stored_sources(db, &mut ds).await?;
    let slugs: Vec<String> = ds.groups.iter().map(|g| g.slug.clone()).collect();
    let uuids: Vec<uuid::Uuid> = ds.groups.iter().filter_map(misp_uuid).collect();
    // Bounded by `--only`: a handful of values, one query.
    let rows = rows::all(
        db,
        group::Entity::find().filter(
            Condition::any()
                .add(group::Column::Slug.is_in(slugs))
                .add(group::Column::MispGalaxyId.is_in(uuids)),
        ),
    )
    .await?;
    let stored = snapshot::group_records(db, &rows).await?;
    let mut errors = Vec::new();
    for g in &mut ds.groups {
        let misp = g.external_ids.misp_galaxy.clone();
        let found = stored
            .iter()
            .find(|s| s.external_ids.misp_galaxy.is_some() && s.external_ids.misp_galaxy == misp)
            .or_else(|| stored.iter().find(|s| s.slug == g.slug));
        let Some(s) = found else { continue };
        if s.external_ids.misp_galaxy.is_some() && s.external_ids.misp_galaxy != misp {
            errors.push(FieldError::new(
                format!("values[{}]", primary(g)),
                format!(
                    "group {:?} records another MISP uuid ({})",
                    s.slug,
                    s.external_ids.misp_galaxy.as_deref().unwrap_or_default()
                ),
            ));
            continue;
        }
        *g = merged(s, g);
    }
    if errors.is_empty() {
        Ok(ds)
    } else {
        Err(Error::Invalid(errors))
    }
}

fn misp_uuid(g: &GroupRecord) -> Option<uuid::Uuid> {
    g.external_ids
        .misp_galaxy
        .as_deref()
        .and_then(|u| uuid::Uuid::parse_str(u).ok())
}

fn primary(g: &GroupRecord) -> &str {
    g.names.first().map_or(g.slug.as_str(), |n| n.text.as_str())
}

/// The stored group with what the value adds.
fn merged(stored: &GroupRecord, value: &GroupRecord) -> GroupRecord {
    let mut out = stored.clone();
    for n in &value.names {
        if !out.names.iter().any(|m| m.text == n.text) {
            // The stored group has its primary name already.
            out.names.push(NameRecord {
                kind: "alias".into(),
                ..n.clone()
            });
        }
    }
    for c in &value.citations {
        if !out
            .citations
            .iter()
            .any(|d| d.source == c.source && d.field.is_none())
        {
            out.citations.push(c.clone());
        }
    }
    out.external_ids.misp_galaxy = value.external_ids.misp_galaxy.clone();
    out
}

/// Refs a stored source already has (by URL, or by the slug the ref would
/// get) are cited as that source and left out of `ds`, so a cluster import
/// neither duplicates a source nor rewrites one an editor has improved.
async fn cite_stored_sources<C: Conn>(db: &C, ds: &mut Dataset) -> Result<()> {
    let urls: Vec<String> = ds.sources.iter().filter_map(|s| s.url.clone()).collect();
    let slugs: Vec<String> = ds.sources.iter().map(|s| s.slug.clone()).collect();
    let rows = rows::all(
        db,
        source::Entity::find().filter(
            Condition::any()
                .add(source::Column::Url.is_in(urls))
                .add(source::Column::Slug.is_in(slugs)),
        ),
    )
    .await?;
    let mut renamed: HashMap<String, String> = HashMap::new();
    let mut kept: HashSet<String> = HashSet::new();
    for s in &ds.sources {
        // A stored source of the same slug first, else the first (by slug)
        // holding the URL, so the choice does not depend on row order.
        let by_slug = rows.iter().find(|r| r.slug == s.slug);
        let by_url = rows
            .iter()
            .filter(|r| r.url.is_some() && r.url == s.url)
            .min_by(|a, b| a.slug.cmp(&b.slug));
        match by_slug.or(by_url) {
            Some(r) => {
                renamed.insert(s.slug.clone(), r.slug.clone());
            }
            None => {
                kept.insert(s.slug.clone());
            }
        }
    }
    ds.sources.retain(|s| kept.contains(&s.slug));
    for g in &mut ds.groups {
        let mut seen = HashSet::new();
        g.citations = std::mem::take(&mut g.citations)
            .into_iter()
            .map(|c| CitationRecord {
                source: renamed.get(&c.source).cloned().unwrap_or(c.source),
                ..c
            })
            .filter(|c| seen.insert(c.source.clone()))
            .collect();
    }
    Ok(())
}
