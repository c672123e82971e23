//! One filter type per list, declared once with [`filter!`]: each field's
//! name, type, documentation and check. From that declaration come the
//! domain struct, its GraphQL input (derived), its OpenAPI parameters and
//! the names a REST list accepts ([`Declared`]), and its reading from a
//! query string ([`Values`]); `records.rs` says how each becomes SQL.
//!
//! Relations are tested with `IN (subquery)` on the link tables' indexes,
//! the records a filter names by slug looked up first ([`Named`]); dates
//! on the stored `earliest`/`latest` span, by `date_match`: a record
//! overlaps `from..to` when `latest >= from.earliest` and
//! `earliest <= to.latest`, and is within it when `earliest >= from.earliest`
//! and `latest <= to.latest`.

pub(crate) mod check;
pub(crate) mod dates;
#[macro_use]
pub(crate) mod declare;
mod named;
mod records;
#[cfg(test)]
mod tests;
mod text;

pub use dates::{DateMatch, DateRange};
pub use declare::{Declared, Field, FieldKind, Values};
pub use named::{Filter, Kind, Named};
pub use records::{GroupFilter, LegalOutcomeFilter, OperationFilter, SourceFilter, TargetFilter};
pub use text::{
    MAX_QUERY_CHARS, contains, contains_all, escape_like, query_key, query_words, starts_all,
};
