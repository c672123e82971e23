//! Domain values built from rows: dates with precision, names, texts,
//! citations and money. Records themselves are the entity rows; these are the
//! pieces that hang off them.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::edtf::{Edtf, Precision};
use crate::db::entities::{legal_outcome, source};

/// A stored EDTF date with what it means: `{edtf, precision, earliest, latest}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateValue {
    pub edtf: String,
    pub precision: Precision,
    /// `None` for an open or unknown start.
    pub earliest: Option<NaiveDate>,
    /// `None` for an open or unknown end.
    pub latest: Option<NaiveDate>,
    pub uncertain: bool,
    pub approximate: bool,
}

impl DateValue {
    pub fn from_edtf(value: &Edtf) -> Self {
        DateValue {
            edtf: value.to_string(),
            precision: value.precision(),
            earliest: value.earliest(),
            latest: value.latest(),
            uncertain: value.is_uncertain(),
            approximate: value.is_approximate(),
        }
    }

    /// Rebuild the value from its stored text; the text was validated on the
    /// way in, so a failure here means the row was edited by hand.
    pub fn from_stored(edtf: Option<&str>) -> Option<Self> {
        let parsed = Edtf::parse(edtf?).ok()?;
        Some(Self::from_edtf(&parsed))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub lang: String,
    pub text: String,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub field: String,
    pub lang: String,
    pub text: String,
}

/// A source supporting a record or a link, with where and how it says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    pub source: CitedSource,
    pub quote: Option<String>,
    pub locator: Option<String>,
    pub field: Option<String>,
}

/// A value another source reports for a disputed field, with its citations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternative {
    pub field: String,
    /// In the field's own shape: an EDTF string, a money object, a count, a text.
    pub value: serde_json::Value,
    pub note: Option<String>,
    pub citations: Vec<Citation>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    pub amount: Decimal,
    pub currency: String,
    pub kind: String,
    pub scope: String,
}

impl Money {
    pub fn of(lo: &legal_outcome::Model) -> Option<Self> {
        Some(Money {
            amount: lo.amount.as_deref()?.parse().ok()?,
            currency: lo.currency.clone()?,
            kind: lo.amount_kind.clone()?,
            scope: lo.amount_scope.clone()?,
        })
    }
}

/// How a legal outcome is named where a record's name is shown (search
/// hits, citing records): it has no name of its own.
pub fn legal_outcome_label(l: &legal_outcome::Model) -> String {
    format!("{} ({})", l.kind, l.date_edtf)
}

/// A readable title for a legal outcome: kind, person or count, jurisdiction.
pub fn legal_outcome_title(l: &legal_outcome::Model) -> String {
    let who = match (&l.person, l.people_count) {
        (Some(p), _) => format!(" of {p}"),
        (None, Some(n)) if n > 1 => format!(" of {n} people"),
        _ => String::new(),
    };
    let place = l
        .jurisdiction
        .as_deref()
        .map(|j| format!(" ({j})"))
        .unwrap_or_default();
    let kind = l.kind.replace('_', " ");
    let mut t = format!("{kind}{who}{place}");
    if let Some(first) = t.get(..1) {
        t = first.to_uppercase() + &t[1..];
    }
    t
}

/// What a name, text or citation belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    Group,
    Target,
    Operation,
    LegalOutcome,
    OperationGroup,
    OperationTarget,
    /// An alternative value of an operation's or legal outcome's field (its
    /// citations only).
    Alternative,
}

/// A cited source as its reader asked for it (`relations::SourceColumns`):
/// the id and slug always, each other column only when it was selected.
/// Asking for a column that was not read is an error, never an empty value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CitedSource {
    pub id: uuid::Uuid,
    pub slug: String,
    pub(super) title: Option<String>,
    pub(super) title_is_descriptive: Option<bool>,
    pub(super) url: Option<Option<String>>,
    pub(super) archived_url: Option<Option<String>>,
    pub(super) publisher: Option<Option<String>>,
    pub(super) language: Option<String>,
    pub(super) kind: Option<String>,
    pub(super) published_edtf: Option<Option<String>>,
    pub(super) version: Option<i32>,
    pub(super) created_at: Option<chrono::DateTime<chrono::Utc>>,
    pub(super) updated_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A selected column's value, or the error of a reader that did not select it.
fn selected<'a, T>(v: &'a Option<T>, column: &str) -> crate::Result<&'a T> {
    v.as_ref()
        .ok_or_else(|| crate::Error::Internal(format!("the cited source's {column} was not read")))
}

impl CitedSource {
    pub fn title(&self) -> crate::Result<&str> {
        selected(&self.title, "title").map(String::as_str)
    }
    pub fn title_is_descriptive(&self) -> crate::Result<bool> {
        selected(&self.title_is_descriptive, "title_is_descriptive").copied()
    }
    pub fn url(&self) -> crate::Result<Option<&str>> {
        selected(&self.url, "url").map(Option::as_deref)
    }
    pub fn archived_url(&self) -> crate::Result<Option<&str>> {
        selected(&self.archived_url, "archived_url").map(Option::as_deref)
    }
    pub fn publisher(&self) -> crate::Result<Option<&str>> {
        selected(&self.publisher, "publisher").map(Option::as_deref)
    }
    pub fn language(&self) -> crate::Result<&str> {
        selected(&self.language, "language").map(String::as_str)
    }
    pub fn kind(&self) -> crate::Result<&str> {
        selected(&self.kind, "kind").map(String::as_str)
    }
    pub fn published_edtf(&self) -> crate::Result<Option<&str>> {
        selected(&self.published_edtf, "published").map(Option::as_deref)
    }
    pub fn version(&self) -> crate::Result<i32> {
        selected(&self.version, "version").copied()
    }
    pub fn created_at(&self) -> crate::Result<chrono::DateTime<chrono::Utc>> {
        selected(&self.created_at, "created_at").copied()
    }
    pub fn updated_at(&self) -> crate::Result<chrono::DateTime<chrono::Utc>> {
        selected(&self.updated_at, "updated_at").copied()
    }
}

/// A whole source read as a cited one: every column selected.
impl From<source::Model> for CitedSource {
    fn from(s: source::Model) -> Self {
        CitedSource {
            id: s.id,
            slug: s.slug,
            title: Some(s.title),
            title_is_descriptive: Some(s.title_is_descriptive),
            url: Some(s.url),
            archived_url: Some(s.archived_url),
            publisher: Some(s.publisher),
            language: Some(s.language),
            kind: Some(s.kind),
            published_edtf: Some(s.published_edtf),
            version: Some(s.version),
            created_at: Some(s.created_at),
            updated_at: Some(s.updated_at),
        }
    }
}
