//! Records with their relations, read in a fixed number of statements per
//! page and mapped to their wire shapes.

use uuid::Uuid;

use super::parts::{citations, ids, lo_ref, money, names, texts};
use super::wire::{
    DateView, ExternalIdsView, GroupOperation, GroupView, LegalOutcomeView, OperationGroup,
    OperationRef, OperationRow, OperationTarget, OperationView, Ref, SourceRef, SourceView,
    TargetView,
};
use crate::db::entities::{group, legal_outcome, operation, source, target};
use crate::domain::model::Subject;
use crate::domain::{Conn, read, relations};
use crate::error::Result;

pub async fn groups<C: Conn>(db: &C, rows: Vec<group::Model>) -> Result<Vec<GroupView>> {
    let ids = ids(&rows, |r| r.id);
    let parent_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.parent_id).collect();
    let parents = read::groups_by_ids(db, &parent_ids).await?;
    let mut n = relations::names_of(db, Subject::Group, &ids).await?;
    let mut t = relations::texts_of(db, Subject::Group, &ids).await?;
    let mut c = relations::citations_of(db, Subject::Group, &ids, SourceRef::COLUMNS).await?;
    let children = relations::children_of_groups(db, &ids).await?;
    let mut ops = relations::linked_operations(db, Subject::Group, &ids).await?;
    let los = relations::legal_outcomes_of_groups(db, &ids).await?;
    rows.into_iter()
        .map(|g| {
            Ok(GroupView {
                id: g.id,
                names: names(n.remove(&g.id)),
                parent: g.parent_id.and_then(|p| parents.get(&p)).map(|p| Ref {
                    slug: p.slug.clone(),
                    name: p.name.clone(),
                }),
                children: children
                    .get(&g.id)
                    .into_iter()
                    .flatten()
                    .map(|c| Ref {
                        slug: c.slug.clone(),
                        name: c.name.clone(),
                    })
                    .collect(),
                founded: DateView::of(g.founded_edtf.as_deref()),
                dissolved: DateView::of(g.dissolved_edtf.as_deref()),
                texts: texts(t.remove(&g.id)),
                external_ids: ExternalIdsView {
                    wikidata: g.wikidata_id.clone(),
                    misp_galaxy: g.misp_galaxy_id,
                    attack: g.attack_id.clone(),
                },
                operations: ops
                    .remove(&g.id)
                    .into_iter()
                    .flatten()
                    .map(|o| GroupOperation {
                        start: DateView::of(Some(&o.start_edtf)),
                        slug: o.slug,
                        name: o.name,
                        role: o.role.unwrap_or_default(),
                    })
                    .collect(),
                legal_outcomes: los.get(&g.id).into_iter().flatten().map(lo_ref).collect(),
                citations: citations(c.remove(&g.id))?,
                slug: g.slug,
                name: g.name,
                kind: g.kind,
                version: g.version,
                created_at: g.created_at,
                updated_at: g.updated_at,
            })
        })
        .collect()
}

pub async fn targets<C: Conn>(db: &C, rows: Vec<target::Model>) -> Result<Vec<TargetView>> {
    let ids = ids(&rows, |r| r.id);
    let mut n = relations::names_of(db, Subject::Target, &ids).await?;
    let mut c = relations::citations_of(db, Subject::Target, &ids, SourceRef::COLUMNS).await?;
    let mut ops = relations::linked_operations(db, Subject::Target, &ids).await?;
    rows.into_iter()
        .map(|t| {
            Ok(TargetView {
                id: t.id,
                names: names(n.remove(&t.id)),
                operations: ops
                    .remove(&t.id)
                    .into_iter()
                    .flatten()
                    .map(|o| OperationRef {
                        start: DateView::of(Some(&o.start_edtf)),
                        slug: o.slug,
                        name: o.name,
                    })
                    .collect(),
                citations: citations(c.remove(&t.id))?,
                slug: t.slug,
                name: t.name,
                kind: t.kind,
                country: t.country,
                sector: t.sector,
                version: t.version,
                created_at: t.created_at,
                updated_at: t.updated_at,
            })
        })
        .collect()
}

pub async fn operations<C: Conn>(
    db: &C,
    rows: Vec<operation::Model>,
) -> Result<Vec<OperationView>> {
    let ids = ids(&rows, |r| r.id);
    let parent_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.part_of_id).collect();
    let parents = read::operations_by_ids(db, &parent_ids).await?;
    let mut n = relations::names_of(db, Subject::Operation, &ids).await?;
    let mut t = relations::texts_of(db, Subject::Operation, &ids).await?;
    let mut c = relations::citations_of(db, Subject::Operation, &ids, SourceRef::COLUMNS).await?;
    let tactics = relations::tactics_of(db, &ids).await?;
    let groups = relations::groups_of_operations(db, &ids).await?;
    let targets = relations::targets_of_operations(db, &ids).await?;
    let los = relations::legal_outcomes_of_operations(db, &ids).await?;
    let parts = relations::parts_of_operations(db, &ids).await?;
    let link_ids: Vec<Uuid> = groups.values().flatten().map(|(l, _)| l.id).collect();
    let mut gc =
        relations::citations_of(db, Subject::OperationGroup, &link_ids, SourceRef::COLUMNS).await?;
    let link_ids: Vec<Uuid> = targets.values().flatten().map(|(l, _)| l.id).collect();
    let mut tc =
        relations::citations_of(db, Subject::OperationTarget, &link_ids, SourceRef::COLUMNS)
            .await?;
    rows.into_iter()
        .map(|o| {
            Ok(OperationView {
                id: o.id,
                names: names(n.remove(&o.id)),
                start: DateView::of(Some(&o.start_edtf)),
                end: DateView::of(o.end_edtf.as_deref()),
                part_of: o.part_of_id.and_then(|p| parents.get(&p)).map(|p| Ref {
                    slug: p.slug.clone(),
                    name: p.name.clone(),
                }),
                parts: parts
                    .get(&o.id)
                    .into_iter()
                    .flatten()
                    .map(|p| Ref {
                        slug: p.slug.clone(),
                        name: p.name.clone(),
                    })
                    .collect(),
                tactics: tactics.get(&o.id).cloned().unwrap_or_default(),
                texts: texts(t.remove(&o.id)),
                groups: groups
                    .get(&o.id)
                    .into_iter()
                    .flatten()
                    .map(|(l, g)| {
                        Ok(OperationGroup {
                            slug: g.slug.clone(),
                            name: g.name.clone(),
                            role: l.role.clone(),
                            citations: citations(gc.remove(&l.id))?,
                        })
                    })
                    .collect::<Result<_>>()?,
                targets: targets
                    .get(&o.id)
                    .into_iter()
                    .flatten()
                    .map(|(l, t)| {
                        Ok(OperationTarget {
                            slug: t.slug.clone(),
                            name: t.name.clone(),
                            kind: t.kind.clone(),
                            country: t.country.clone(),
                            citations: citations(tc.remove(&l.id))?,
                        })
                    })
                    .collect::<Result<_>>()?,
                legal_outcomes: los.get(&o.id).into_iter().flatten().map(lo_ref).collect(),
                citations: citations(c.remove(&o.id))?,
                slug: o.slug,
                name: o.name,
                disputed: o.disputed,
                dispute_note: o.dispute_note,
                version: o.version,
                created_at: o.created_at,
                updated_at: o.updated_at,
            })
        })
        .collect()
}

/// Operations as their CSV rows print them (a streamed `operations.csv`):
/// the cells' slugs only, read with joined statements, and neither parts nor
/// the citations of group and target links, which no column prints: three
/// statements fewer per page than the JSON views, which decode and
/// clone every linked group, target and cited source row.
pub async fn operation_rows<C: Conn>(
    db: &C,
    rows: Vec<operation::Model>,
) -> Result<Vec<OperationRow>> {
    let ids = ids(&rows, |r| r.id);
    let parent_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.part_of_id).collect();
    let parents = read::operations_by_ids(db, &parent_ids).await?;
    let mut n = relations::names_of(db, Subject::Operation, &ids).await?;
    let mut t = relations::texts_of(db, Subject::Operation, &ids).await?;
    let mut sources = relations::cited_source_slugs(db, Subject::Operation, &ids).await?;
    let mut tactics = relations::tactics_of(db, &ids).await?;
    let mut links = relations::operation_link_slugs(db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|o| OperationRow {
            names: names(n.remove(&o.id)),
            texts: texts(t.remove(&o.id)),
            start: DateView::of(Some(&o.start_edtf)),
            end: DateView::of(o.end_edtf.as_deref()),
            part_of: o
                .part_of_id
                .and_then(|p| parents.get(&p))
                .map(|p| p.slug.clone()),
            tactics: tactics.remove(&o.id).unwrap_or_default(),
            groups: links.groups.remove(&o.id).unwrap_or_default(),
            targets: links.targets.remove(&o.id).unwrap_or_default(),
            legal_outcomes: links.legal_outcomes.remove(&o.id).unwrap_or_default(),
            sources: sources.remove(&o.id).unwrap_or_default(),
            slug: o.slug,
            name: o.name,
            disputed: o.disputed,
            dispute_note: o.dispute_note,
            version: o.version,
        })
        .collect())
}

pub async fn legal_outcomes<C: Conn>(
    db: &C,
    rows: Vec<legal_outcome::Model>,
) -> Result<Vec<LegalOutcomeView>> {
    let ids = ids(&rows, |r| r.id);
    let op_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.operation_id).collect();
    let group_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.group_id).collect();
    let ops = read::operations_by_ids(db, &op_ids).await?;
    let groups = read::groups_by_ids(db, &group_ids).await?;
    let mut t = relations::texts_of(db, Subject::LegalOutcome, &ids).await?;
    let mut c =
        relations::citations_of(db, Subject::LegalOutcome, &ids, SourceRef::COLUMNS).await?;
    rows.into_iter()
        .map(|l| {
            Ok(LegalOutcomeView {
                id: l.id,
                date: DateView::of(Some(&l.date_edtf)),
                operation: l.operation_id.and_then(|i| ops.get(&i)).map(|o| Ref {
                    slug: o.slug.clone(),
                    name: o.name.clone(),
                }),
                group: l.group_id.and_then(|i| groups.get(&i)).map(|g| Ref {
                    slug: g.slug.clone(),
                    name: g.name.clone(),
                }),
                money: money(&l),
                texts: texts(t.remove(&l.id)),
                citations: citations(c.remove(&l.id))?,
                slug: l.slug,
                kind: l.kind,
                jurisdiction: l.jurisdiction,
                court: l.court,
                people_count: l.people_count,
                person: l.person,
                disputed: l.disputed,
                dispute_note: l.dispute_note,
                version: l.version,
                created_at: l.created_at,
                updated_at: l.updated_at,
            })
        })
        .collect()
}

pub fn sources(rows: Vec<source::Model>) -> Vec<SourceView> {
    rows.into_iter()
        .map(|s| SourceView {
            id: s.id,
            published: DateView::of(s.published_edtf.as_deref()),
            slug: s.slug,
            title: s.title,
            title_is_descriptive: s.title_is_descriptive,
            url: s.url,
            archived_url: s.archived_url,
            publisher: s.publisher,
            language: s.language,
            kind: s.kind,
            version: s.version,
            created_at: s.created_at,
            updated_at: s.updated_at,
        })
        .collect()
}
