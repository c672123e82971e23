//! Query-string parsing with our own errors: every bad or unknown parameter
//! is named in a 400 problem, never a plain-text rejection.
//!
//! Written by hand rather than with `serde_urlencoded`, whose errors do not
//! say which parameter was at fault.

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::domain::page::PageRequest;
use crate::error::{Error, FieldError};

/// The query parameter that asks for the records as they stood at a past
/// time (`rest::reader`).
pub const AS_OF: &str = "as_of";

/// Parameters every list accepts besides its filters.
pub const PAGE_PARAMS: &[&str] = &["limit", "cursor", "sort", "format", AS_OF];

/// The decoded query string of a request.
#[derive(Debug, Default)]
pub struct Params {
    values: HashMap<String, Vec<String>>,
}

/// The longest query string, in bytes.
pub const MAX_QUERY: usize = 16_384;

/// The longest text parameter, in characters.
pub const MAX_TEXT: usize = 500;

/// The longest `cursor`, in characters.
pub const MAX_CURSOR: usize = crate::domain::page::MAX_CURSOR;

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Params::parse(parts.uri.query().unwrap_or(""))
    }
}

impl Params {
    /// Decodes a raw query string (without the `?`).
    pub fn parse(raw: &str) -> Result<Self, Error> {
        if raw.len() > MAX_QUERY {
            return Err(Error::invalid(
                "query",
                format!("the query string is longer than {MAX_QUERY} bytes"),
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

    /// A single-valued text parameter of at most `MAX_TEXT` characters;
    /// empty counts as absent.
    pub fn text(&self, name: &str) -> Result<Option<String>, Error> {
        self.text_within(name, MAX_TEXT)
    }

    fn text_within(&self, name: &str, max: usize) -> Result<Option<String>, Error> {
        match self.values.get(name).map(Vec::as_slice) {
            None | Some([]) => Ok(None),
            Some([v]) if v.is_empty() => Ok(None),
            Some([v]) => {
                if v.contains('\0') {
                    Err(Error::invalid(name, "must not contain NUL characters"))
                } else if v.chars().count() > max {
                    Err(Error::invalid(
                        name,
                        format!("longer than {max} characters"),
                    ))
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

    /// Text filters treat an empty value as absent; a number or a flag
    /// given empty is a mistake, named as such.
    fn not_empty(&self, name: &str, what: &str) -> Result<(), Error> {
        match self.values.get(name).map(Vec::as_slice) {
            Some([v]) if v.is_empty() => Err(Error::invalid(
                name,
                format!("empty; give {what} or leave the parameter out"),
            )),
            _ => Ok(()),
        }
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, Error> {
        self.not_empty(name, "an integer")?;
        self.text(name)?
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| Error::invalid(name, format!("{v:?} is not an integer")))
            })
            .transpose()
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, Error> {
        self.not_empty(name, "true or false")?;
        self.text(name)?
            .map(|v| match v.as_str() {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                _ => Err(Error::invalid(name, format!("{v:?} is not true or false"))),
            })
            .transpose()
    }

    /// `limit` and `cursor` (a cursor holds a sort key, which can be longer
    /// than other parameters).
    pub fn page(&self) -> Result<PageRequest, Error> {
        PageRequest::new(
            self.int("limit")?,
            self.text_within("cursor", MAX_CURSOR)?.as_deref(),
        )
    }
}

/// A filter reads its fields from the query string (`filters::Declared::read`).
impl crate::domain::filters::Values for Params {
    fn text(&self, name: &str) -> Result<Option<String>, Error> {
        Params::text(self, name)
    }
    fn flag(&self, name: &str) -> Result<Option<bool>, Error> {
        self.bool(name)
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::page::Cursor;

    /// Every parameter error names a parameter the client sent (or the
    /// query as a whole), so a 400 always says what to fix.
    fn names_a_sent_field(p: &Params, r: Result<(), Error>) -> Result<(), TestCaseError> {
        match r {
            Ok(()) => Ok(()),
            Err(Error::Invalid(errors)) => {
                for e in errors {
                    prop_assert!(
                        p.values.contains_key(&e.field),
                        "{} names {:?}, not among {:?}",
                        e.message,
                        e.field,
                        p.values.keys().collect::<Vec<_>>()
                    );
                }
                Ok(())
            }
            Err(e) => Err(TestCaseError::fail(format!("not a 400: {e}"))),
        }
    }

    fn dates(p: &Params) -> Result<crate::domain::filters::DateRange, Error> {
        crate::domain::filters::DateRange::parse(
            p.text("from")?.as_deref(),
            p.text("to")?.as_deref(),
        )
    }

    fn parse_all(p: &Params) -> Result<(), Error> {
        let mut errors = Errors::default();
        errors.take(p.page().map(|_| ()))?;
        errors.take(dates(p).map(|_| ()))?;
        errors.take(p.int("year").map(|_| ()))?;
        errors.take(p.bool("disputed").map(|_| ()))?;
        errors.take(
            p.choice("format", crate::rest::v1::LIST_FORMATS)
                .map(|_| ()),
        )?;
        errors.take(p.text("q").map(|_| ()))?;
        errors.take(p.only(&[PAGE_PARAMS, &["from", "to", "year", "disputed", "q"]]))?;
        errors.finish()
    }

    proptest! {
        #[test]
        fn any_query_string_parses_or_names_its_fault(
            raw in "([a-z%=&+0-9]|\\PC){0,300}",
        ) {
            if let Ok(p) = Params::parse(&raw) {
                names_a_sent_field(&p, parse_all(&p))?;
            }
        }

        #[test]
        fn known_parameters_with_any_values_parse_or_name_their_fault(
            limit in "\\PC{0,8}",
            from in "([0-9X?~%./-]|\\PC){0,12}",
            to in "([0-9X?~%./-]|\\PC){0,12}",
            year in "-?[0-9]{0,22}",
            disputed in "\\PC{0,6}",
        ) {
            let raw = form_urlencoded::Serializer::new(String::new())
                .append_pair("limit", &limit)
                .append_pair("from", &from)
                .append_pair("to", &to)
                .append_pair("year", &year)
                .append_pair("disputed", &disputed)
                .finish();
            let p = Params::parse(&raw).expect("short query");
            names_a_sent_field(&p, parse_all(&p))?;
            if let Ok(range) = dates(&p)
                && let (Some(f), Some(t)) = (range.from, range.to)
            {
                prop_assert!(f.span().0 <= t.span().1);
            }
        }

        /// The longest cursor a page can hand out passes the query-string
        /// parser: a page ending on a long name can always be followed.
        #[test]
        fn issued_cursors_pass_the_query_parser(key in "\\PC{900,1000}") {
            let c = Cursor { sort: "-name".into(), key, id: uuid::Uuid::nil() };
            let raw = form_urlencoded::Serializer::new(String::new())
                .append_pair("limit", "100")
                .append_pair("cursor", &c.encode())
                .append_pair("sort", "-name")
                .finish();
            let p = Params::parse(&raw).expect("within the query bound");
            prop_assert_eq!(p.page().expect("a cursor we issued").cursor, Some(c));
        }
    }
}
