//! Records as the dataset format describes them, read back from the database
//! with their names, texts, links and citations. Import compares these with a
//! file to know what changed; revisions store them as before/after; exports
//! write them out.

use std::collections::HashMap;

use sea_orm::{EntityTrait, QueryOrder};
use uuid::Uuid;

use super::Conn;
use super::dataset::{
    AlternativeRecord, CitationRecord, Dataset, ExternalIds, GroupLinkRecord, GroupRecord,
    LegalOutcomeRecord, MoneyRecord, NameRecord, OperationRecord, SourceRecord, TargetLinkRecord,
    TargetRecord, TextRecord,
};
use super::model::{Alternative, Citation, Name, Subject, Text};
use super::relations::{self, SourceColumns, by_id};
use crate::db::entities::{group, legal_outcome, operation, source, target};
use crate::db::rows;
use crate::error::Result;

fn names(v: Option<&Vec<Name>>) -> Vec<NameRecord> {
    v.into_iter()
        .flatten()
        .map(|n| NameRecord {
            lang: n.lang.clone(),
            text: n.text.clone(),
            kind: n.kind.clone(),
        })
        .collect()
}

fn texts(v: Option<&Vec<Text>>) -> Vec<TextRecord> {
    v.into_iter()
        .flatten()
        .map(|t| TextRecord {
            field: t.field.clone(),
            lang: t.lang.clone(),
            text: t.text.clone(),
        })
        .collect()
}

/// What a citation record keeps of its source: the slug.
const CITED: SourceColumns = SourceColumns::NONE.with(source::Column::Slug);

fn citations(v: Option<&Vec<Citation>>) -> Vec<CitationRecord> {
    v.into_iter()
        .flatten()
        .map(|c| CitationRecord {
            source: c.source.slug.clone(),
            quote: c.quote.clone(),
            locator: c.locator.clone(),
            field: c.field.clone(),
        })
        .collect()
}

fn alternatives(v: Option<&Vec<Alternative>>) -> Vec<AlternativeRecord> {
    v.into_iter()
        .flatten()
        .map(|a| AlternativeRecord {
            field: a.field.clone(),
            value: a.value.clone(),
            citations: citations(Some(&a.citations)),
            note: a.note.clone(),
        })
        .collect()
}

pub fn source_record(s: &source::Model) -> SourceRecord {
    SourceRecord {
        slug: s.slug.clone(),
        title: s.title.clone(),
        title_is_descriptive: s.title_is_descriptive,
        url: s.url.clone(),
        archived_url: s.archived_url.clone(),
        publisher: s.publisher.clone(),
        language: s.language.clone(),
        published: s.published_edtf.clone(),
        kind: s.kind.clone(),
    }
}

pub async fn group_records<C: Conn>(db: &C, rows: &[group::Model]) -> Result<Vec<GroupRecord>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let parent_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.parent_id).collect();
    let parents = by_id::<group::Entity, _>(db, group::Column::Id, &parent_ids, |g| g.id).await?;
    let n = relations::names_of(db, Subject::Group, &ids).await?;
    let t = relations::texts_of(db, Subject::Group, &ids).await?;
    let c = relations::citations_of(db, Subject::Group, &ids, CITED).await?;
    Ok(rows
        .iter()
        .map(|g| GroupRecord {
            slug: g.slug.clone(),
            kind: g.kind.clone(),
            names: names(n.get(&g.id)),
            parent: g
                .parent_id
                .and_then(|p| parents.get(&p))
                .map(|p| p.slug.clone()),
            founded: g.founded_edtf.clone(),
            dissolved: g.dissolved_edtf.clone(),
            texts: texts(t.get(&g.id)),
            external_ids: ExternalIds {
                wikidata: g.wikidata_id.clone(),
                misp_galaxy: g.misp_galaxy_id.map(|u| u.to_string()),
                attack: g.attack_id.clone(),
            },
            citations: citations(c.get(&g.id)),
        })
        .collect())
}

pub async fn target_records<C: Conn>(db: &C, rows: &[target::Model]) -> Result<Vec<TargetRecord>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let n = relations::names_of(db, Subject::Target, &ids).await?;
    let tx = relations::texts_of(db, Subject::Target, &ids).await?;
    let c = relations::citations_of(db, Subject::Target, &ids, CITED).await?;
    Ok(rows
        .iter()
        .map(|t| TargetRecord {
            slug: t.slug.clone(),
            kind: t.kind.clone(),
            names: names(n.get(&t.id)),
            country: t.country.clone(),
            sector: t.sector.clone(),
            texts: texts(tx.get(&t.id)),
            citations: citations(c.get(&t.id)),
        })
        .collect())
}

pub async fn operation_records<C: Conn>(
    db: &C,
    rows: &[operation::Model],
) -> Result<Vec<OperationRecord>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let parent_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.part_of_id).collect();
    let parents =
        by_id::<operation::Entity, _>(db, operation::Column::Id, &parent_ids, |o| o.id).await?;
    let n = relations::names_of(db, Subject::Operation, &ids).await?;
    let t = relations::texts_of(db, Subject::Operation, &ids).await?;
    let c = relations::citations_of(db, Subject::Operation, &ids, CITED).await?;
    let alts = relations::alternatives_of(db, Subject::Operation, &ids, CITED).await?;
    let tactics = relations::tactics_of(db, &ids).await?;
    let groups = relations::groups_of_operations(db, &ids).await?;
    let targets = relations::targets_of_operations(db, &ids).await?;
    let link_ids: Vec<Uuid> = groups.values().flatten().map(|(l, _)| l.id).collect();
    let group_cites =
        relations::citations_of(db, Subject::OperationGroup, &link_ids, CITED).await?;
    let link_ids: Vec<Uuid> = targets.values().flatten().map(|(l, _)| l.id).collect();
    let target_cites =
        relations::citations_of(db, Subject::OperationTarget, &link_ids, CITED).await?;
    let mut out = Vec::with_capacity(rows.len());
    for o in rows {
        // Links are kept in the order they were written (by link id is not
        // meaningful), so sort by slug for a stable record.
        let mut g: Vec<GroupLinkRecord> = groups
            .get(&o.id)
            .into_iter()
            .flatten()
            .map(|(l, g)| GroupLinkRecord {
                group: g.slug.clone(),
                role: l.role.clone(),
                citations: citations(group_cites.get(&l.id)),
            })
            .collect();
        g.sort_by(|a, b| a.group.cmp(&b.group));
        let mut tl: Vec<TargetLinkRecord> = targets
            .get(&o.id)
            .into_iter()
            .flatten()
            .map(|(l, t)| TargetLinkRecord {
                target: t.slug.clone(),
                citations: citations(target_cites.get(&l.id)),
            })
            .collect();
        tl.sort_by(|a, b| a.target.cmp(&b.target));
        out.push(OperationRecord {
            slug: o.slug.clone(),
            names: names(n.get(&o.id)),
            start: o.start_edtf.clone(),
            end: o.end_edtf.clone(),
            part_of: o
                .part_of_id
                .and_then(|p| parents.get(&p))
                .map(|p| p.slug.clone()),
            tactics: tactics.get(&o.id).cloned().unwrap_or_default(),
            texts: texts(t.get(&o.id)),
            disputed: o.disputed,
            dispute_note: o.dispute_note.clone(),
            alternatives: alternatives(alts.get(&o.id)),
            groups: g,
            targets: tl,
            citations: citations(c.get(&o.id)),
        });
    }
    Ok(out)
}

pub async fn legal_outcome_records<C: Conn>(
    db: &C,
    rows: &[legal_outcome::Model],
) -> Result<Vec<LegalOutcomeRecord>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let op_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.operation_id).collect();
    let group_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.group_id).collect();
    let ops = by_id::<operation::Entity, _>(db, operation::Column::Id, &op_ids, |o| o.id).await?;
    let groups = by_id::<group::Entity, _>(db, group::Column::Id, &group_ids, |g| g.id).await?;
    let t = relations::texts_of(db, Subject::LegalOutcome, &ids).await?;
    let c = relations::citations_of(db, Subject::LegalOutcome, &ids, CITED).await?;
    let alts = relations::alternatives_of(db, Subject::LegalOutcome, &ids, CITED).await?;
    Ok(rows
        .iter()
        .map(|l| LegalOutcomeRecord {
            slug: l.slug.clone(),
            kind: l.kind.clone(),
            date: l.date_edtf.clone(),
            jurisdiction: l.jurisdiction.clone(),
            court: l.court.clone(),
            operation: l
                .operation_id
                .and_then(|id| ops.get(&id))
                .map(|o| o.slug.clone()),
            group: l
                .group_id
                .and_then(|id| groups.get(&id))
                .map(|g| g.slug.clone()),
            people_count: l.people_count,
            person: l.person.clone(),
            money: match (&l.amount, &l.currency, &l.amount_kind, &l.amount_scope) {
                (Some(a), Some(c), Some(k), Some(s)) => Some(MoneyRecord {
                    amount: a.clone(),
                    currency: c.clone(),
                    kind: k.clone(),
                    scope: s.clone(),
                }),
                _ => None,
            },
            texts: texts(t.get(&l.id)),
            disputed: l.disputed,
            dispute_note: l.dispute_note.clone(),
            alternatives: alternatives(alts.get(&l.id)),
            citations: citations(c.get(&l.id)),
        })
        .collect())
}

/// The whole database as one dataset, every collection ordered by slug.
pub async fn dataset<C: Conn>(db: &C) -> Result<Dataset> {
    let sources = rows::all(
        db,
        source::Entity::find().order_by_asc(source::Column::Slug),
    )
    .await?;
    let groups = rows::all(db, group::Entity::find().order_by_asc(group::Column::Slug)).await?;
    let targets = rows::all(
        db,
        target::Entity::find().order_by_asc(target::Column::Slug),
    )
    .await?;
    let operations = rows::all(
        db,
        operation::Entity::find().order_by_asc(operation::Column::Slug),
    )
    .await?;
    let outcomes = rows::all(
        db,
        legal_outcome::Entity::find().order_by_asc(legal_outcome::Column::Slug),
    )
    .await?;
    Ok(Dataset {
        sources: sources.iter().map(source_record).collect(),
        groups: group_records(db, &groups).await?,
        targets: target_records(db, &targets).await?,
        operations: operation_records(db, &operations).await?,
        legal_outcomes: legal_outcome_records(db, &outcomes).await?,
        ..Dataset::default()
    })
}

/// Keyed by slug, for comparing with a file.
pub fn by_slug<T: Clone>(records: Vec<T>, slug: impl Fn(&T) -> &str) -> HashMap<String, T> {
    records
        .into_iter()
        .map(|r| (slug(&r).to_owned(), r))
        .collect()
}
