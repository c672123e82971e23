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
    pub source: source::Model,
    pub quote: Option<String>,
    pub locator: Option<String>,
    pub field: Option<String>,
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
}
