//! The checks of filter values, each bad one named: both doors refuse the
//! same values the same way.

use super::dates::DateRange;
use super::text::query_key;
use crate::domain::edtf::Edtf;
use crate::error::{Error, FieldError, Result};

/// Checks filter values against their vocabularies and code lists, naming
/// each bad one, so both doors refuse the same values the same way.
#[derive(Default)]
pub(crate) struct Checks(Vec<FieldError>);

impl Checks {
    pub(crate) fn one_of(mut self, field: &str, value: &Option<String>, allowed: &[&str]) -> Self {
        if let Some(v) = value
            && !allowed.contains(&v.as_str())
        {
            self.0.push(FieldError::new(
                field,
                format!(
                    "unknown value {v:?}; expected one of {}",
                    allowed.join(", ")
                ),
            ));
        }
        self
    }

    pub(crate) fn code(
        mut self,
        field: &str,
        value: &Option<String>,
        ok: fn(&str) -> bool,
        what: &str,
    ) -> Self {
        if let Some(v) = value
            && !ok(v)
        {
            self.0
                .push(FieldError::new(field, format!("{v:?} is not {what}")));
        }
        self
    }

    /// A record's slug: a value of another shape names no record, and is
    /// refused rather than matching nothing.
    pub(crate) fn slug(mut self, field: &str, value: &Option<String>) -> Self {
        if let Some(v) = value
            && !crate::domain::vocab::is_slug(v)
        {
            self.0.push(FieldError::new(
                field,
                "not a slug (lower-case letters, digits and single hyphens, at most 200)",
            ));
        }
        self
    }

    /// One EDTF date (not an interval).
    pub(crate) fn date(mut self, field: &str, value: &Option<String>) -> Self {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty())
            && let Err(e) = Edtf::parse_single(v)
        {
            self.0.push(FieldError::new(field, e.to_string()));
        }
        self
    }

    /// A text search (see [`query_key`]).
    pub(crate) fn query(mut self, field: &str, value: &Option<String>) -> Self {
        if let Some(v) = value
            && let Err(Error::Invalid(mut e)) = query_key(v)
        {
            e.iter_mut().for_each(|e| e.field = field.to_owned());
            self.0.append(&mut e);
        }
        self
    }

    /// `from` and `to` in order, once each parses.
    pub(crate) fn range(mut self, from: &Option<String>, to: &Option<String>) -> Self {
        let failed = |f: &str| self.0.iter().any(|e| e.field == f);
        if failed("from") || failed("to") {
            return self;
        }
        if let Err(Error::Invalid(mut e)) = DateRange::parse(from.as_deref(), to.as_deref()) {
            self.0.append(&mut e);
        }
        self
    }

    pub(crate) fn pipe(self, f: impl FnOnce(Self) -> Self) -> Self {
        f(self)
    }

    pub(crate) fn done(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.0))
        }
    }
}
