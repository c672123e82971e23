//! Records with their relations, as the domain assembles them
//! ([`aggregate`]), mapped to their wire shapes: nothing here reads the
//! database but through one call to the domain per page.

use super::parts::{alternative_text, alternatives, citations, lo_ref, money, names, texts};
use super::wire::{
    DateView, ExternalIdsView, GroupOperation, GroupView, LegalOutcomeView, OperationGroup,
    OperationRow, OperationTarget, OperationView, Ref, SourceRef, SourceView, TargetOperation,
    TargetView,
};
use crate::db::entities::{group, legal_outcome, operation, source, target};
use crate::domain::Conn;
use crate::domain::aggregate::{
    self, GroupRecord, LegalOutcomeRecord, Named, OperationCells, OperationRecord, TargetRecord,
};
use crate::domain::edtf::End;
use crate::error::Result;

fn reference(n: Named) -> Ref {
    Ref {
        slug: n.slug,
        name: n.name,
    }
}

pub async fn groups<C: Conn>(db: &C, rows: Vec<group::Model>) -> Result<Vec<GroupView>> {
    let records = aggregate::groups(db, rows, SourceRef::COLUMNS).await?;
    records.into_iter().map(GroupView::try_from).collect()
}

pub async fn targets<C: Conn>(db: &C, rows: Vec<target::Model>) -> Result<Vec<TargetView>> {
    let records = aggregate::targets(db, rows, SourceRef::COLUMNS).await?;
    records.into_iter().map(TargetView::try_from).collect()
}

pub async fn operations<C: Conn>(
    db: &C,
    rows: Vec<operation::Model>,
) -> Result<Vec<OperationView>> {
    let records = aggregate::operations(db, rows, SourceRef::COLUMNS).await?;
    records.into_iter().map(OperationView::try_from).collect()
}

/// Operations as their CSV rows print them (a streamed `operations.csv`).
pub async fn operation_rows<C: Conn>(
    db: &C,
    rows: Vec<operation::Model>,
) -> Result<Vec<OperationRow>> {
    let records = aggregate::operation_cells(db, rows).await?;
    Ok(records.into_iter().map(OperationRow::from).collect())
}

pub async fn legal_outcomes<C: Conn>(
    db: &C,
    rows: Vec<legal_outcome::Model>,
) -> Result<Vec<LegalOutcomeView>> {
    let records = aggregate::legal_outcomes(db, rows, SourceRef::COLUMNS).await?;
    records
        .into_iter()
        .map(LegalOutcomeView::try_from)
        .collect()
}

impl TryFrom<GroupRecord> for GroupView {
    type Error = crate::error::Error;
    fn try_from(r: GroupRecord) -> Result<Self> {
        let g = r.row;
        Ok(GroupView {
            id: g.id,
            names: names(r.names),
            parent: r.parent.map(reference),
            children: r.children.into_iter().map(reference).collect(),
            founded: DateView::of(g.founded_edtf.as_deref()),
            dissolved: DateView::of(g.dissolved_edtf.as_deref()),
            texts: texts(r.texts),
            external_ids: ExternalIdsView {
                wikidata: g.wikidata_id,
                misp_galaxy: g.misp_galaxy_id,
                attack: g.attack_id,
            },
            operations: r
                .operations
                .into_iter()
                .map(|l| {
                    Ok(GroupOperation {
                        start: DateView::of(Some(&l.record.start_edtf)),
                        slug: l.record.slug,
                        name: l.record.name,
                        role: l.role.unwrap_or_default(),
                        citations: citations(l.citations)?,
                    })
                })
                .collect::<Result<_>>()?,
            legal_outcomes: r.legal_outcomes.iter().map(lo_ref).collect(),
            citations: citations(r.citations)?,
            slug: g.slug,
            name: g.name,
            kind: g.kind,
            version: g.version,
            created_at: g.created_at,
            updated_at: g.updated_at,
        })
    }
}

impl TryFrom<TargetRecord> for TargetView {
    type Error = crate::error::Error;
    fn try_from(r: TargetRecord) -> Result<Self> {
        let t = r.row;
        Ok(TargetView {
            id: t.id,
            names: names(r.names),
            texts: texts(r.texts),
            operations: r
                .operations
                .into_iter()
                .map(|l| {
                    Ok(TargetOperation {
                        start: DateView::of(Some(&l.record.start_edtf)),
                        slug: l.record.slug,
                        name: l.record.name,
                        citations: citations(l.citations)?,
                    })
                })
                .collect::<Result<_>>()?,
            citations: citations(r.citations)?,
            slug: t.slug,
            name: t.name,
            kind: t.kind,
            country: t.country,
            sector: t.sector,
            version: t.version,
            created_at: t.created_at,
            updated_at: t.updated_at,
        })
    }
}

impl TryFrom<OperationRecord> for OperationView {
    type Error = crate::error::Error;
    fn try_from(r: OperationRecord) -> Result<Self> {
        let o = r.row;
        let end = End::stored(o.end_edtf.as_deref());
        Ok(OperationView {
            id: o.id,
            names: names(r.names),
            start: DateView::of(Some(&o.start_edtf)),
            end: DateView::of(o.end_edtf.as_deref()),
            end_state: end.state(),
            interval: end.interval(&o.start_edtf),
            part_of: r.part_of.map(reference),
            parts: r.parts.into_iter().map(reference).collect(),
            tactics: r.tactics,
            texts: texts(r.texts),
            groups: r
                .groups
                .into_iter()
                .map(|l| {
                    Ok(OperationGroup {
                        slug: l.record.slug,
                        name: l.record.name,
                        role: l.role.unwrap_or_default(),
                        citations: citations(l.citations)?,
                    })
                })
                .collect::<Result<_>>()?,
            targets: r
                .targets
                .into_iter()
                .map(|l| {
                    Ok(OperationTarget {
                        slug: l.record.slug,
                        name: l.record.name,
                        kind: l.record.kind,
                        country: l.record.country,
                        citations: citations(l.citations)?,
                    })
                })
                .collect::<Result<_>>()?,
            legal_outcomes: r.legal_outcomes.iter().map(lo_ref).collect(),
            alternatives: alternatives(r.alternatives)?,
            citations: citations(r.citations)?,
            slug: o.slug,
            name: o.name,
            disputed: o.disputed,
            dispute_note: o.dispute_note,
            version: o.version,
            created_at: o.created_at,
            updated_at: o.updated_at,
        })
    }
}

impl From<OperationCells> for OperationRow {
    fn from(r: OperationCells) -> Self {
        let o = r.row;
        OperationRow {
            names: names(r.names),
            texts: texts(r.texts),
            start: DateView::of(Some(&o.start_edtf)),
            end: DateView::of(o.end_edtf.as_deref()),
            end_state: End::stored(o.end_edtf.as_deref()).state(),
            part_of: r.part_of,
            tactics: r.tactics,
            groups: r.groups,
            targets: r.targets,
            legal_outcomes: r.legal_outcomes,
            sources: r.sources,
            alternatives: r
                .alternatives
                .iter()
                .map(|a| {
                    alternative_text(
                        &a.field,
                        &a.value,
                        a.citations.iter().map(|c| c.source.slug.as_str()),
                    )
                })
                .collect(),
            slug: o.slug,
            name: o.name,
            disputed: o.disputed,
            dispute_note: o.dispute_note,
            version: o.version,
        }
    }
}

impl TryFrom<LegalOutcomeRecord> for LegalOutcomeView {
    type Error = crate::error::Error;
    fn try_from(r: LegalOutcomeRecord) -> Result<Self> {
        let l = r.row;
        Ok(LegalOutcomeView {
            id: l.id,
            date: DateView::of(Some(&l.date_edtf)),
            operation: r.operation.map(reference),
            group: r.group.map(reference),
            money: money(&l),
            texts: texts(r.texts),
            alternatives: alternatives(r.alternatives)?,
            citations: citations(r.citations)?,
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
    }
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
