//! Query-string parsing with our own errors: every bad or unknown parameter
//! is named in a 400 problem, never a plain-text rejection.
//!
//! Written by hand rather than with `serde_urlencoded`, whose errors do not
//! say which parameter was at fault.

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::domain::filters::DateRange;
use crate::domain::page::PageRequest;
use crate::error::{Error, FieldError};

/// Parameters every list accepts besides its filters.
pub const PAGE_PARAMS: &[&str] = &["limit", "cursor", "sort", "format"];

/// The decoded query string of a request.
#[derive(Debug, Default)]
pub struct Params {
    values: HashMap<String, Vec<String>>,
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or("");
        if raw.len() > 4096 {
            return Err(Error::invalid(
                "query",
                "the query string is longer than 4096 bytes",
            ));
        }
        let mut values: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
            values
                .entry(k.into_owned())
                .or_default()
                .push(v.into_owned());
        }
        Ok(Params { values })
    }
}

impl Params {
    /// Refuses parameters outside `allowed`, so a typo is an error rather
    /// than a silently ignored filter.
    pub fn only(&self, allowed: &[&[&str]]) -> Result<(), Error> {
        let mut unknown: Vec<&String> = self
            .values
            .keys()
            .filter(|k| !allowed.iter().any(|set| set.contains(&k.as_str())))
            .collect();
        unknown.sort();
        if unknown.is_empty() {
            return Ok(());
        }
        let known: Vec<&str> = allowed.iter().flat_map(|s| s.iter().copied()).collect();
        Err(Error::Invalid(
            unknown
                .into_iter()
                .map(|k| {
                    FieldError::new(
                        k.clone(),
                        format!("unknown parameter; this route takes {}", known.join(", ")),
                    )
                })
                .collect(),
        ))
    }

    /// A single-valued text parameter; empty counts as absent.
    pub fn text(&self, name: &str) -> Result<Option<String>, Error> {
        match self.values.get(name).map(Vec::as_slice) {
            None | Some([]) => Ok(None),
            Some([v]) if v.is_empty() => Ok(None),
            Some([v]) => {
                if v.contains('\0') {
                    Err(Error::invalid(name, "must not contain NUL characters"))
                } else if v.chars().count() > 500 {
                    Err(Error::invalid(name, "longer than 500 characters"))
                } else {
                    Ok(Some(v.clone()))
                }
            }
            Some(_) => Err(Error::invalid(name, "given more than once")),
        }
    }

    /// A text parameter that must be one of `allowed`.
    pub fn choice(&self, name: &str, allowed: &[&str]) -> Result<Option<String>, Error> {
        match self.text(name)? {
            Some(v) if !allowed.contains(&v.as_str()) => Err(Error::invalid(
                name,
                format!(
                    "unknown value {v:?}; expected one of {}",
                    allowed.join(", ")
                ),
            )),
            v => Ok(v),
        }
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, Error> {
        self.text(name)?
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| Error::invalid(name, format!("{v:?} is not an integer")))
            })
            .transpose()
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, Error> {
        self.text(name)?
            .map(|v| match v.as_str() {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                _ => Err(Error::invalid(name, format!("{v:?} is not true or false"))),
            })
            .transpose()
    }

    /// `limit` and `cursor`.
    pub fn page(&self) -> Result<PageRequest, Error> {
        PageRequest::new(self.int("limit")?, self.text("cursor")?.as_deref())
    }

    /// `from` and `to` as EDTF.
    pub fn dates(&self) -> Result<DateRange, Error> {
        DateRange::parse(self.text("from")?.as_deref(), self.text("to")?.as_deref())
    }
}

/// Collects every parameter error of a request into one problem instead of
/// stopping at the first.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    /// The value, or its default while the error is kept for `finish`.
    pub fn take<T: Default>(&mut self, r: Result<T, Error>) -> Result<T, Error> {
        match r {
            Ok(v) => Ok(v),
            Err(Error::Invalid(mut e)) => {
                self.0.append(&mut e);
                Ok(T::default())
            }
            Err(other) => Err(other),
        }
    }

    pub fn finish(self) -> Result<(), Error> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.0))
        }
    }
}
