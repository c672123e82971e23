//! `from`/`to` as a span of days, and the overlap test over it.

use sea_orm::{ColumnTrait, Condition};

use crate::domain::edtf::Edtf;
use crate::error::{Error, FieldError, Result};

/// A date range from `from`/`to` parameters, as earliest/latest days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DateRange {
    pub from: Option<Edtf>,
    pub to: Option<Edtf>,
}

impl DateRange {
    /// Parses both ends, reporting each bad one by name.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Self> {
        let mut errors = Vec::new();
        let mut parse = |field: &str, v: Option<&str>| {
            v.filter(|s| !s.is_empty())
                .and_then(|s| match Edtf::parse(s) {
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

    /// The overlap test, or `None` for an open range. `None` rather than an
    /// empty condition so that a list with no filter has an empty condition
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
            c = c.add(latest.gte(from.span().0));
        }
        if let Some(to) = &self.to {
            c = c.add(earliest.lte(to.span().1));
        }
        Some(c)
    }
}
