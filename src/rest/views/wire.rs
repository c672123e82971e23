//! The JSON shapes of REST records and lists, as clients read them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::entities::source;
use crate::domain::edtf::EndState;
use crate::domain::model::{CitedSource, DateValue};
use crate::domain::relations::SourceColumns;

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
pub(crate) fn iso_day<S: serde::Serializer>(
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
    /// `primary` or `alias` (names sources use), `transliteration` or
    /// `translation` (ours, where no source names it in that language).
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

/// A value another source reports for a disputed field of the record,
/// with that source's citations; the record's own field keeps the value it
/// shows, and statistics count only that one.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"field": "money", "value": {"amount": "5200000.00", "currency": "USD", "kind": "damages_claim", "scope": "total"}, "note": null, "citations": []}))]
pub struct AlternativeView {
    /// The field it is another value of (`start`, `end`, `date`, `money`,
    /// `people_count`, `court`, `person`, `kind`, `jurisdiction`).
    pub field: String,
    /// In the field's own shape: an EDTF string, a money object, a count, a text.
    pub value: serde_json::Value,
    pub note: Option<String>,
    pub citations: Vec<CitationView>,
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

/// An operation against a target, with the sources for the link.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetOperation {
    pub slug: String,
    pub name: String,
    pub start: Option<DateView>,
    pub citations: Vec<CitationView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LegalOutcomeRef {
    pub slug: String,
    pub kind: String,
    pub date: Option<DateView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
/// An operation a group is linked to, with its role and the sources for
/// the link.
pub struct GroupOperation {
    pub slug: String,
    pub name: String,
    /// attributed, claimed, organizer, participant, supporter.
    pub role: String,
    pub start: Option<DateView>,
    pub citations: Vec<CitationView>,
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
    /// `description`: what the target is (who owns it, which of its
    /// websites was hit).
    pub texts: Vec<TextView>,
    pub operations: Vec<TargetOperation>,
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
    /// The end when it is known (`end_state` says why it is null).
    pub end: Option<DateView>,
    /// `known`; `unknown`: it ended, but no source says when; `open`: it ran
    /// on. An operation whose end is not known overlaps every date range
    /// after its start and is never `within` a range with an end.
    pub end_state: EndState,
    /// The whole operation as one EDTF value: `2011-12/2012-03`, `2008-01/`
    /// (unknown end), `2008-01/..` (open), or one date.
    pub interval: String,
    pub part_of: Option<Ref>,
    pub parts: Vec<Ref>,
    /// ddos, doxing, defacement, protest, data_leak, raid, …
    pub tactics: Vec<String>,
    pub texts: Vec<TextView>,
    pub disputed: bool,
    pub dispute_note: Option<String>,
    /// Other reported values of its disputed fields, each with its sources.
    pub alternatives: Vec<AlternativeView>,
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
    /// Other reported values of its disputed fields, each with its sources.
    pub alternatives: Vec<AlternativeView>,
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
    pub end_state: EndState,
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
    /// Each alternative as `field=value (source | …)`.
    pub alternatives: Vec<String>,
    pub sources: Vec<String>,
    pub version: i32,
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
