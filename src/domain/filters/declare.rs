//! A filter declared once: [`filter!`] takes each field's name, kind and
//! documentation and makes the struct (with its GraphQL input derived),
//! its checks, its reading from a query string and its OpenAPI parameters.
//! A field added to a declaration reaches both doors and the documentation
//! with nothing else to edit.

use utoipa::openapi::Required;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};

use super::text::MAX_QUERY_CHARS;
use crate::domain::{bounds, edtf, vocab};
use crate::error::{Error, Result};

/// What a filter field holds, as the OpenAPI document states it: each
/// shape is the one its check takes, so a value the document allows is a
/// value the check accepts.
#[derive(Debug, Clone, Copy)]
pub enum FieldKind {
    /// `true` or `false`.
    Flag,
    /// A record's slug ([`vocab::SLUG_PATTERN`]).
    Slug,
    /// One EDTF date ([`edtf::DATE_PATTERN`]).
    Date,
    /// A text search: something other than spaces, tabs and line breaks.
    Query,
    /// One of the field's listed values.
    Choice,
    /// A code from a list (countries, jurisdictions).
    Codes(fn() -> Vec<&'static str>),
    /// A code of a shape (a language tag).
    Pattern(&'static str),
}

/// One field of a declared filter: name, kind, documentation, and the
/// values of a field with a vocabulary.
pub type Field = (
    &'static str,
    FieldKind,
    &'static str,
    &'static [&'static str],
);

/// A non-blank search, as a pattern: at least one character that is not a
/// space, tab or line break, and no NUL.
pub const QUERY_PATTERN: &str = "^[^\\x00]*[^\\x00\\t\\n\\r ][^\\x00]*$";

/// An optional query value, where empty means absent: the pattern, or
/// nothing.
pub fn or_empty(pattern: &str) -> String {
    let body = pattern.trim_start_matches('^').trim_end_matches('$');
    format!("^(?:{body})?$")
}

/// Named values a filter is read from: a REST query string.
pub trait Values {
    /// A single text, empty meaning absent.
    fn text(&self, name: &str) -> Result<Option<String>>;
    /// `true` or `false`.
    fn flag(&self, name: &str) -> Result<Option<bool>>;
}

/// What a declared filter says of itself.
pub trait Declared: Sized + Default {
    /// Each field's name, kind, documentation and, for a field with a
    /// vocabulary, its values; in declaration order.
    const FIELDS: &'static [Field];

    /// The parameter names a REST list accepts for this filter.
    fn names() -> Vec<&'static str> {
        Self::FIELDS.iter().map(|f| f.0).collect()
    }

    /// Reads every field and checks each on its own (a vocabulary, a code,
    /// a date), naming every bad one in one error.
    fn read(from: &impl Values) -> Result<Self>;

    /// Empty texts as absent, as a query string has them (a GraphQL client
    /// may send `""`).
    fn without_empty(self) -> Self;

    /// The OpenAPI query parameters, one per field. An empty value is
    /// accepted as absent (as an HTML form sends an unset field), so every
    /// text parameter's schema allows it.
    fn parameters() -> Vec<Parameter> {
        Self::FIELDS
            .iter()
            .map(|(name, kind, doc, values)| {
                let text = || ObjectBuilder::new().schema_type(Type::String);
                let listed = |all: Vec<&str>| {
                    text().enum_values(Some(std::iter::once("").chain(all).map(str::to_owned)))
                };
                let shaped = |pattern: &str| text().pattern(Some(or_empty(pattern)));
                let schema = match kind {
                    FieldKind::Flag => ObjectBuilder::new().schema_type(Type::Boolean),
                    FieldKind::Slug => shaped(vocab::SLUG_PATTERN).max_length(Some(bounds::SLUG)),
                    FieldKind::Date => shaped(edtf::DATE_PATTERN).max_length(Some(bounds::DATE)),
                    FieldKind::Query => shaped(QUERY_PATTERN).max_length(Some(MAX_QUERY_CHARS)),
                    FieldKind::Choice => listed(values.to_vec()),
                    FieldKind::Codes(all) => listed(all()),
                    FieldKind::Pattern(p) => shaped(p).max_length(Some(bounds::LANGUAGE_TAG)),
                };
                ParameterBuilder::new()
                    .name(*name)
                    .parameter_in(ParameterIn::Query)
                    .required(Required::False)
                    .description(Some(doc.trim()))
                    .schema(Some(schema))
                    .build()
            })
            .collect()
    }
}

/// Collects the errors of reading each field.
pub struct Reading(pub Vec<crate::error::FieldError>);

impl Reading {
    pub fn take<T: Default>(&mut self, r: Result<T>) -> T {
        match r {
            Ok(v) => v,
            Err(Error::Invalid(mut e)) => {
                self.0.append(&mut e);
                T::default()
            }
            Err(e) => {
                self.0
                    .push(crate::error::FieldError::new("query", e.to_string()));
                T::default()
            }
        }
    }
}

/// Declares a filter: `Name as "GraphQLInputName" { /// doc \n field: kind, … }`
/// where kind is `slug`, `flag`, `date`, `date_match`, `query`,
/// `one_of(LIST)`, `codes(CHECK, "what it must be", ALL)` (a code from the list
/// `ALL()` returns) or `shaped(CHECK, "what it must be", PATTERN)`. Each field is an `Option`; its doc
/// comment documents it in GraphQL and OpenAPI alike.
macro_rules! filter {
    (
        $(#[doc = $sdoc:literal])*
        $name:ident as $gql:literal {
            $( $(#[doc = $doc:literal])+ $field:ident : $kind:ident $(( $($arg:expr),* ))? ),* $(,)?
        }
    ) => {
        $(#[doc = $sdoc])*
        #[derive(Debug, Clone, Default, PartialEq, async_graphql::InputObject)]
        #[graphql(name = $gql)]
        pub struct $name {
            $( $(#[doc = $doc])+ pub $field: $crate::domain::filters::declare::filter!(@ty $kind), )*
        }

        impl $crate::domain::filters::declare::Declared for $name {
            const FIELDS: &'static [$crate::domain::filters::declare::Field] = &[
                $( (
                    stringify!($field),
                    $crate::domain::filters::declare::filter!(@kind $kind $(($($arg),*))?),
                    concat!($($doc),+),
                    $crate::domain::filters::declare::filter!(@values $kind $(($($arg),*))?),
                ), )*
            ];

            fn read(from: &impl $crate::domain::filters::declare::Values) -> $crate::error::Result<Self> {
                let mut r = $crate::domain::filters::declare::Reading(Vec::new());
                let f = $name {
                    $( $field: r.take($crate::domain::filters::declare::filter!(@read $kind, from, stringify!($field))), )*
                };
                // Each field's own check too, so that one answer names
                // every bad field (a field that could not be read is None).
                r.take(f.checks().done());
                if r.0.is_empty() {
                    Ok(f)
                } else {
                    Err($crate::error::Error::Invalid(r.0))
                }
            }

            fn without_empty(self) -> Self {
                $name { $( $field: $crate::domain::filters::declare::filter!(@nonempty $kind, self.$field), )* }
            }
        }

        impl utoipa::IntoParams for $name {
            fn into_params(
                _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
            ) -> Vec<utoipa::openapi::path::Parameter> {
                <Self as $crate::domain::filters::declare::Declared>::parameters()
            }
        }

        impl $name {
            /// Each field's own check (a vocabulary, a code list, a date).
            fn checks(&self) -> $crate::domain::filters::check::Checks {
                $crate::domain::filters::check::Checks::default()
                    $( .pipe(|c| $crate::domain::filters::declare::filter!(@check $kind $(($($arg),*))?, c, stringify!($field), &self.$field)) )*
            }
        }
    };

    (@ty flag) => { Option<bool> };
    (@ty date_match) => { Option<$crate::domain::filters::dates::DateMatch> };
    (@ty $other:ident) => { Option<String> };

    (@kind flag) => { $crate::domain::filters::declare::FieldKind::Flag };
    (@kind slug) => { $crate::domain::filters::declare::FieldKind::Slug };
    (@kind date) => { $crate::domain::filters::declare::FieldKind::Date };
    (@kind query) => { $crate::domain::filters::declare::FieldKind::Query };
    (@kind one_of $args:tt) => { $crate::domain::filters::declare::FieldKind::Choice };
    (@kind date_match) => { $crate::domain::filters::declare::FieldKind::Choice };
    (@kind codes($ok:expr, $what:expr, $all:expr)) => { $crate::domain::filters::declare::FieldKind::Codes($all) };
    (@kind shaped($ok:expr, $what:expr, $pattern:expr)) => { $crate::domain::filters::declare::FieldKind::Pattern($pattern) };

    (@values one_of($list:expr)) => { $list };
    (@values date_match) => { $crate::domain::vocab::DATE_MATCHES };
    (@values $other:ident $(($($arg:expr),*))?) => { &[] };

    (@read flag, $from:ident, $n:expr) => { $from.flag($n) };
    (@read date_match, $from:ident, $n:expr) => {
        $from.text($n).and_then(|v| $crate::domain::filters::dates::DateMatch::read($n, v))
    };
    (@read $other:ident, $from:ident, $n:expr) => { $from.text($n) };

    (@nonempty flag, $v:expr) => { $v };
    (@nonempty date_match, $v:expr) => { $v };
    (@nonempty $other:ident, $v:expr) => { $v.filter(|s| !s.is_empty()) };

    (@check flag, $c:ident, $n:expr, $v:expr) => { $c };
    (@check date_match, $c:ident, $n:expr, $v:expr) => { $c };
    (@check slug, $c:ident, $n:expr, $v:expr) => { $c.slug($n, $v) };
    (@check date, $c:ident, $n:expr, $v:expr) => { $c.date($n, $v) };
    (@check query, $c:ident, $n:expr, $v:expr) => { $c.query($n, $v) };
    (@check one_of($list:expr), $c:ident, $n:expr, $v:expr) => { $c.one_of($n, $v, $list) };
    (@check codes($ok:expr, $what:expr, $all:expr), $c:ident, $n:expr, $v:expr) => { $c.code($n, $v, $ok, $what) };
    (@check shaped($ok:expr, $what:expr, $pattern:expr), $c:ident, $n:expr, $v:expr) => { $c.code($n, $v, $ok, $what) };
}
pub(crate) use filter;
