//! `from`/`to` as a span of days, and how a record's span must meet it
//! (`date_match`).

use sea_orm::{ColumnTrait, Condition};

use crate::domain::edtf::Edtf;
use crate::error::{Error, FieldError, Result};

/// How a record's span must meet a filter's range. A record's span runs
/// from the first to the last day it can denote: `2011` spans the year, an
/// operation with an unknown or open end runs on without end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, async_graphql::Enum)]
pub enum DateMatch {
    /// The record may have happened in the range: its span and the range
    /// share at least one day (`2011` overlaps January 2011).
    #[default]
    Overlaps,
    /// The record certainly happened in the range: its whole span is inside
    /// it (`2011` is not within January 2011; an operation whose end is not
    /// known is within no range that has a `to`).
    Within,
}

impl DateMatch {
    pub fn as_str(self) -> &'static str {
        match self {
            DateMatch::Overlaps => "overlaps",
            DateMatch::Within => "within",
        }
    }

    /// Reads `overlaps` or `within` (the REST spelling), naming `field`.
    pub fn read(field: &str, value: Option<String>) -> Result<Option<Self>> {
        match value.as_deref() {
            None => Ok(None),
            Some("overlaps") => Ok(Some(DateMatch::Overlaps)),
            Some("within") => Ok(Some(DateMatch::Within)),
            Some(_) => Err(Error::Invalid(vec![FieldError::new(
                field,
                "must be one of: overlaps, within",
            )])),
        }
    }
}

/// A date range from `from`/`to` parameters, as earliest/latest days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DateRange {
    pub from: Option<Edtf>,
    pub to: Option<Edtf>,
    pub matching: DateMatch,
}

impl DateRange {
    /// Parses both ends, reporting each bad one by name.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Self> {
        let mut errors = Vec::new();
        let mut parse = |field: &str, v: Option<&str>| {
            v.filter(|s| !s.is_empty())
                .and_then(|s| match Edtf::parse_single(s) {
                    Ok(d) => Some(d),
                    Err(e) => {
                        errors.push(FieldError::new(field, e.to_string()));
                        None
                    }
                })
        };
        let range = DateRange {
            from: parse("from", from),
            to: parse("to", to),
            matching: DateMatch::Overlaps,
        };
        if let (Some(f), Some(t)) = (&range.from, &range.to)
            && f.span().0 > t.span().1
        {
            errors.push(FieldError::new("to", "ends before `from` starts"));
        }
        if errors.is_empty() {
            Ok(range)
        } else {
            Err(Error::Invalid(errors))
        }
    }

    /// The range matched as `matching` says.
    pub fn matching(self, matching: Option<DateMatch>) -> Self {
        DateRange {
            matching: matching.unwrap_or_default(),
            ..self
        }
    }

    /// The test of a record's span (`earliest`, `latest`) against the
    /// range, or `None` for an open range. `None` rather than an empty
    /// condition so that a list with no filter has an empty condition
    /// (`read` then reports the stored row count instead of counting).
    pub(super) fn condition(
        &self,
        earliest: impl ColumnTrait,
        latest: impl ColumnTrait,
    ) -> Option<Condition> {
        if self.from.is_none() && self.to.is_none() {
            return None;
        }
        let mut c = Condition::all();
        if let Some(from) = &self.from {
            c = c.add(match self.matching {
                DateMatch::Overlaps => latest.gte(from.span().0),
                DateMatch::Within => earliest.gte(from.span().0),
            });
        }
        if let Some(to) = &self.to {
            c = c.add(match self.matching {
                DateMatch::Overlaps => earliest.lte(to.span().1),
                DateMatch::Within => latest.lte(to.span().1),
            });
        }
        Some(c)
    }
}
