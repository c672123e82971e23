//! Wire shapes of the REST API (snake_case JSON), kept apart from database
//! rows, and their assembly from domain rows with batch loads: a page of any
//! size costs the same fixed number of statements.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::entities::{group, legal_outcome, operation, source, target};
use crate::domain::model::{Citation, CitedSource, DateValue, Money, Name, Subject, Text};
use crate::domain::relations::SourceColumns;
use crate::domain::{Conn, read, relations};
use crate::error::Result;

/// A date that keeps its precision. `earliest`/`latest` are the first and
/// last day it can denote (`null` for an open or unknown interval end).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"edtf": "2010-12", "precision": "month", "earliest": "2010-12-01", "latest": "2010-12-31"}))]
pub struct DateView {
    /// EDTF (ISO 8601-2) text: `2003`, `2010-12`, `2010-12-08`, `2011-01/2011-02`, `2006-07?`.
    pub edtf: String,
    /// `year`, `month` or `day`; for an interval, the coarser of its ends.
    pub precision: String,
    #[serde(serialize_with = "iso_day")]
    pub earliest: Option<NaiveDate>,
    #[serde(serialize_with = "iso_day")]
    pub latest: Option<NaiveDate>,
}

/// A day as `YYYY-MM-DD`, as chrono writes it, from a buffer on the stack:
/// chrono's own `Serialize` formats a character at a time, which was a
/// fortieth of the server's CPU for a target with 172 dated operations
/// (perf, `bench/run`). Years outside 1..=9999 (never stored) go to chrono.
fn iso_day<S: serde::Serializer>(
    day: &Option<NaiveDate>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    use chrono::Datelike;
    let Some(d) = day else {
        return s.serialize_none();
    };
    let Ok(year @ 1..=9999) = u32::try_from(d.year()) else {
        return s.serialize_some(d);
    };
    let digit = |n: u32| b'0' + (n % 10) as u8;
    let (m, dd) = (d.month(), d.day());
    let text = [
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        b'-',
        digit(m / 10),
        digit(m),
        b'-',
        digit(dd / 10),
        digit(dd),
    ];
    s.serialize_some(std::str::from_utf8(&text).map_err(serde::ser::Error::custom)?)
}

impl DateView {
    pub fn of(edtf: Option<&str>) -> Option<Self> {
        DateValue::from_stored(edtf).map(|d| DateView {
            edtf: d.edtf,
            precision: d.precision.as_str().to_owned(),
            earliest: d.earliest,
            latest: d.latest,
        })
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NameView {
    /// BCP 47 language tag.
    pub lang: String,
    pub text: String,
    /// `primary` or `alias`.
    pub kind: String,
}

/// A per-language description, motive or summary.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TextView {
    /// `description` (groups), `motive` or `summary` (operations), `summary` (legal outcomes).
    pub field: String,
    pub lang: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SourceRef {
    pub slug: String,
    pub title: String,
    pub url: Option<String>,
    pub publisher: Option<String>,
    pub language: String,
    pub kind: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CitationView {
    pub source: SourceRef,
    /// Words of the source, in its language.
    pub quote: Option<String>,
    /// Where in the source: page, paragraph, timestamp.
    pub locator: Option<String>,
    /// The field the citation supports, when not the whole record.
    pub field: Option<String>,
}

/// Money as an exact decimal string, never a float.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"amount": "5600.00", "currency": "USD", "kind": "restitution_ordered", "scope": "per_person"}))]
pub struct MoneyView {
    pub amount: String,
    /// ISO 4217.
    pub currency: String,
    /// victim_reported_loss, prosecution_alleged_loss, restitution_ordered, fine, damages_claim.
    pub kind: String,
    /// per_person or total.
    pub scope: String,
}

/// A related record, by slug.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ref {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OperationRef {
    pub slug: String,
    pub name: String,
    pub start: Option<DateView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LegalOutcomeRef {
    pub slug: String,
    pub kind: String,
    pub date: Option<DateView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupOperation {
    pub slug: String,
    pub name: String,
    pub role: String,
    pub start: Option<DateView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OperationGroup {
    pub slug: String,
    pub name: String,
    /// attributed, claimed, organizer, participant, supporter.
    pub role: String,
    pub citations: Vec<CitationView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OperationTarget {
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub country: Option<String>,
    pub citations: Vec<CitationView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExternalIdsView {
    pub wikidata: Option<String>,
    pub misp_galaxy: Option<Uuid>,
    pub attack: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupView {
    pub id: Uuid,
    pub slug: String,
    /// The English primary name.
    pub name: String,
    pub names: Vec<NameView>,
    /// collective, cell, crew, banner, faction, other.
    pub kind: String,
    pub parent: Option<Ref>,
    pub children: Vec<Ref>,
    pub founded: Option<DateView>,
    pub dissolved: Option<DateView>,
    pub texts: Vec<TextView>,
    pub external_ids: ExternalIdsView,
    pub operations: Vec<GroupOperation>,
    pub legal_outcomes: Vec<LegalOutcomeRef>,
    pub citations: Vec<CitationView>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetView {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub names: Vec<NameView>,
    /// company, government, religious_org, website, person, ngo, media, other.
    pub kind: String,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub sector: Option<String>,
    pub operations: Vec<OperationRef>,
    pub citations: Vec<CitationView>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OperationView {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub names: Vec<NameView>,
    pub start: Option<DateView>,
    pub end: Option<DateView>,
    pub part_of: Option<Ref>,
    pub parts: Vec<Ref>,
    /// ddos, doxing, defacement, protest, data_leak, raid, …
    pub tactics: Vec<String>,
    pub texts: Vec<TextView>,
    pub disputed: bool,
    pub dispute_note: Option<String>,
    pub groups: Vec<OperationGroup>,
    pub targets: Vec<OperationTarget>,
    pub legal_outcomes: Vec<LegalOutcomeRef>,
    pub citations: Vec<CitationView>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LegalOutcomeView {
    pub id: Uuid,
    pub slug: String,
    /// arrest, charge, indictment, plea, conviction, acquittal, sentence, fine, restitution, damages_claim, other.
    pub kind: String,
    pub date: Option<DateView>,
    /// ISO 3166-1 or 3166-2 (`US-CA`).
    pub jurisdiction: Option<String>,
    pub court: Option<String>,
    pub operation: Option<Ref>,
    pub group: Option<Ref>,
    pub people_count: Option<i32>,
    /// Named only where a public court record or official statement names them.
    pub person: Option<String>,
    pub money: Option<MoneyView>,
    pub texts: Vec<TextView>,
    pub disputed: bool,
    pub dispute_note: Option<String>,
    pub citations: Vec<CitationView>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SourceView {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    /// True when the title is ours, written because the page's headline
    /// could not be read: not to be quoted as the source's words.
    pub title_is_descriptive: bool,
    pub url: Option<String>,
    pub archived_url: Option<String>,
    pub publisher: Option<String>,
    /// BCP 47.
    pub language: String,
    /// news, court_record, government, academic, encyclopedia, group_statement, seed, blog, reference, other.
    pub kind: String,
    pub published: Option<DateView>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `{data, page}`: a page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListView<T> {
    pub data: Vec<T>,
    pub page: PageView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PageView {
    pub limit: u64,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// Records matching the filters, over all pages.
    pub total: u64,
}

// The helpers below take what a batch loader returned for one record by
// value (`map.remove(&id)`): each record's entry is read once, so its strings
// move into the view instead of being copied.

fn names(v: Option<Vec<Name>>) -> Vec<NameView> {
    v.into_iter()
        .flatten()
        .map(|n| NameView {
            lang: n.lang,
            text: n.text,
            kind: n.kind,
        })
        .collect()
}

fn texts(v: Option<Vec<Text>>) -> Vec<TextView> {
    v.into_iter()
        .flatten()
        .map(|t| TextView {
            field: t.field,
            lang: t.lang,
            text: t.text,
        })
        .collect()
}

impl SourceRef {
    /// The source columns `From<source::Model>` reads: views load only these.
    pub const COLUMNS: SourceColumns = SourceColumns::NONE
        .with(source::Column::Slug)
        .with(source::Column::Title)
        .with(source::Column::Url)
        .with(source::Column::Publisher)
        .with(source::Column::Language)
        .with(source::Column::Kind);
}

impl TryFrom<CitedSource> for SourceRef {
    type Error = crate::Error;
    /// Fails only if a column of `SourceRef::COLUMNS` was not read.
    fn try_from(s: CitedSource) -> crate::Result<Self> {
        Ok(SourceRef {
            title: s.title()?.to_owned(),
            url: s.url()?.map(str::to_owned),
            publisher: s.publisher()?.map(str::to_owned),
            language: s.language()?.to_owned(),
            kind: s.kind()?.to_owned(),
            slug: s.slug,
        })
    }
}

fn citations(v: Option<Vec<Citation>>) -> Result<Vec<CitationView>> {
    v.into_iter()
        .flatten()
        .map(|c| {
            Ok(CitationView {
                source: SourceRef::try_from(c.source)?,
                quote: c.quote,
                locator: c.locator,
                field: c.field,
            })
        })
        .collect()
}

fn lo_ref(l: &legal_outcome::Model) -> LegalOutcomeRef {
    LegalOutcomeRef {
        slug: l.slug.clone(),
        kind: l.kind.clone(),
        date: DateView::of(Some(&l.date_edtf)),
    }
}

fn money(l: &legal_outcome::Model) -> Option<MoneyView> {
    Money::of(l).map(|m| MoneyView {
        amount: m.amount.to_string(),
        currency: m.currency,
        kind: m.kind,
        scope: m.scope,
    })
}

fn ids<T>(rows: &[T], id: impl Fn(&T) -> Uuid) -> Vec<Uuid> {
    rows.iter().map(id).collect()
}

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

/// An operation as its CSV row prints it: only the cells' values, so a
/// streamed `operations.csv` loads just these ([`operation_rows`])
/// and a JSON view turns into the same row (`From<&OperationView>` in `csv`).
#[derive(Debug, Clone)]
pub struct OperationRow {
    pub slug: String,
    pub name: String,
    pub names: Vec<NameView>,
    pub start: Option<DateView>,
    pub end: Option<DateView>,
    pub part_of: Option<String>,
    pub tactics: Vec<String>,
    /// `(slug, role)` by group name, printed `slug:role`.
    pub groups: Vec<(String, String)>,
    /// By target name.
    pub targets: Vec<String>,
    /// By date, then slug.
    pub legal_outcomes: Vec<String>,
    pub texts: Vec<TextView>,
    pub disputed: bool,
    pub dispute_note: Option<String>,
    /// Cited source slugs, in citation order.
    pub sources: Vec<String>,
    pub version: i32,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_written_as_chrono_writes_them() {
        let days = [
            (1, 1, 1),
            (999, 2, 3),
            (2010, 12, 31),
            (2012, 2, 29),
            (9999, 12, 31),
        ];
        for (y, m, d) in days {
            let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            let view = DateView {
                edtf: String::new(),
                precision: String::new(),
                earliest: Some(day),
                latest: None,
            };
            let json = serde_json::to_value(&view).unwrap();
            assert_eq!(
                json["earliest"],
                serde_json::to_value(day).unwrap(),
                "{day}"
            );
            assert!(json["latest"].is_null());
        }
    }
}
