//! The dataset format: what `factline import` reads, what `data/factline.json`
//! holds, and the record shapes the export writes. Records refer to one another
//! and to sources by slug, so a file is readable and diffable by hand.

use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "factline-dataset";

pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    #[serde(default = "format_name")]
    pub format: String,
    #[serde(default = "format_version")]
    pub version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// In an export, the time it is of (`export::Identity`); informational,
    /// import does not read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    /// In an export, the SHA-256 of its records as NDJSON writes them;
    /// informational, import does not read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default)]
    pub sources: Vec<SourceRecord>,
    #[serde(default)]
    pub groups: Vec<GroupRecord>,
    #[serde(default)]
    pub targets: Vec<TargetRecord>,
    #[serde(default)]
    pub operations: Vec<OperationRecord>,
    #[serde(default)]
    pub legal_outcomes: Vec<LegalOutcomeRecord>,
}

impl Default for Dataset {
    fn default() -> Self {
        Dataset {
            format: format_name(),
            version: format_version(),
            description: None,
            as_of: None,
            sha256: None,
            sources: Vec::new(),
            groups: Vec::new(),
            targets: Vec::new(),
            operations: Vec::new(),
            legal_outcomes: Vec::new(),
        }
    }
}

impl Dataset {
    /// Puts every order-free list in a canonical order, so two records that
    /// say the same thing compare equal.
    pub fn normalize(&mut self) {
        self.groups.iter_mut().for_each(GroupRecord::normalize);
        self.operations
            .iter_mut()
            .for_each(OperationRecord::normalize);
        self.legal_outcomes
            .iter_mut()
            .for_each(LegalOutcomeRecord::normalize);
    }
}

fn sort_texts(texts: &mut [TextRecord]) {
    texts.sort_by(|a, b| (&a.field, &a.lang).cmp(&(&b.field, &b.lang)));
}

impl GroupRecord {
    /// See [`Dataset::normalize`].
    pub fn normalize(&mut self) {
        sort_texts(&mut self.texts);
    }
}

impl OperationRecord {
    /// See [`Dataset::normalize`].
    pub fn normalize(&mut self) {
        sort_texts(&mut self.texts);
        self.tactics.sort();
        self.groups.sort_by(|a, b| a.group.cmp(&b.group));
        self.targets.sort_by(|a, b| a.target.cmp(&b.target));
    }
}

impl LegalOutcomeRecord {
    /// See [`Dataset::normalize`].
    pub fn normalize(&mut self) {
        sort_texts(&mut self.texts);
    }
}

pub(crate) fn format_name() -> String {
    FORMAT.to_owned()
}

pub(crate) fn format_version() -> u32 {
    FORMAT_VERSION
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NameRecord {
    pub lang: String,
    pub text: String,
    pub kind: String,
}

/// A per-language text of a record: a description, motive or summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TextRecord {
    pub field: String,
    pub lang: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CitationRecord {
    /// Slug of the source.
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locator: Option<String>,
    /// The field of the subject the citation supports, when it is not the whole record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// A value another source reports for a disputed field of its record, with
/// that source: the record keeps the best-supported value as its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlternativeRecord {
    /// The field it is another value of: an operation's `start` or `end`; a
    /// legal outcome's `date`, `money`, `people_count`, `court`, `person`,
    /// `kind` or `jurisdiction`.
    pub field: String,
    /// The value in the field's own shape: an EDTF string, a money object, a
    /// count, a text.
    pub value: serde_json::Value,
    pub citations: Vec<CitationRecord>,
    /// What this value rests on or how it differs, in our words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceRecord {
    pub slug: String,
    pub title: String,
    /// True when the title is ours, written because the page's headline
    /// could not be read: not to be quoted as the source's words.
    #[serde(default)]
    pub title_is_descriptive: bool,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub archived_url: Option<String>,
    #[serde(default)]
    pub publisher: Option<String>,
    pub language: String,
    #[serde(default)]
    pub published: Option<String>,
    pub kind: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExternalIds {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wikidata: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub misp_galaxy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attack: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupRecord {
    pub slug: String,
    pub kind: String,
    pub names: Vec<NameRecord>,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub founded: Option<String>,
    #[serde(default)]
    pub dissolved: Option<String>,
    #[serde(default)]
    pub texts: Vec<TextRecord>,
    #[serde(default)]
    pub external_ids: ExternalIds,
    pub citations: Vec<CitationRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetRecord {
    pub slug: String,
    pub kind: String,
    pub names: Vec<NameRecord>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub sector: Option<String>,
    /// A `description`: what the target is, in our words (who owns it,
    /// which of its websites was hit).
    #[serde(default)]
    pub texts: Vec<TextRecord>,
    pub citations: Vec<CitationRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupLinkRecord {
    pub group: String,
    pub role: String,
    pub citations: Vec<CitationRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetLinkRecord {
    pub target: String,
    pub citations: Vec<CitationRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OperationRecord {
    pub slug: String,
    pub names: Vec<NameRecord>,
    pub start: String,
    /// An EDTF date when the end is known (the start again for a single
    /// act), `..` when the operation ran on or is ongoing, null when it ended
    /// but no source says when.
    #[serde(default)]
    pub end: Option<String>,
    #[serde(default)]
    pub part_of: Option<String>,
    #[serde(default)]
    pub tactics: Vec<String>,
    #[serde(default)]
    pub texts: Vec<TextRecord>,
    #[serde(default)]
    pub disputed: bool,
    #[serde(default)]
    pub dispute_note: Option<String>,
    /// Other reported values of its disputed fields, each with its sources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<AlternativeRecord>,
    #[serde(default)]
    pub groups: Vec<GroupLinkRecord>,
    #[serde(default)]
    pub targets: Vec<TargetLinkRecord>,
    pub citations: Vec<CitationRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyRecord {
    /// Exact decimal as a string (`"5600.00"`), never a float.
    pub amount: String,
    pub currency: String,
    pub kind: String,
    pub scope: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalOutcomeRecord {
    pub slug: String,
    pub kind: String,
    pub date: String,
    #[serde(default)]
    pub jurisdiction: Option<String>,
    #[serde(default)]
    pub court: Option<String>,
    #[serde(default)]
    pub operation: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub people_count: Option<i32>,
    #[serde(default)]
    pub person: Option<String>,
    #[serde(default)]
    pub money: Option<MoneyRecord>,
    #[serde(default)]
    pub texts: Vec<TextRecord>,
    #[serde(default)]
    pub disputed: bool,
    #[serde(default)]
    pub dispute_note: Option<String>,
    /// Other reported values of its disputed fields, each with its sources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<AlternativeRecord>,
    pub citations: Vec<CitationRecord>,
}
