//! How much a client may send, in one place. The dataset validator enforces
//! these for every door (REST writes, GraphQL mutations, `factline import`),
//! and `rest::openapi` states them on the record schemas from these same
//! constants (utoipa's attributes take only literals, so the document is
//! amended after it is generated; a test fails if a bound names a property
//! the records no longer have).
//!
//! Lengths count characters (Unicode scalar values), not bytes.

/// A slug: lower-case letters, digits and single hyphens.
pub const SLUG: usize = 200;
/// An EDTF date or interval.
pub const DATE: usize = 64;
/// A BCP 47 language tag (RFC 5646 caps a well-formed tag near this).
pub const LANGUAGE_TAG: usize = 35;
/// A name of a group, target or operation, in one language.
pub const NAME: usize = 500;
/// A description, motive or summary, in one language.
pub const TEXT: usize = 20_000;
/// A source's title.
pub const TITLE: usize = 1_000;
/// A quote from a source.
pub const QUOTE: usize = 5_000;
/// Where in a source (page, paragraph, timestamp).
pub const LOCATOR: usize = 500;
/// The field of a record a citation supports.
pub const CITATION_FIELD: usize = 64;
/// A source's URL or archived URL.
pub const URL: usize = 2_048;
/// A short one-line label: a publisher, court, person or sector.
pub const LABEL: usize = 500;
/// A note saying what is disputed, or a dataset's description.
pub const NOTE: usize = 5_000;
/// Names per record.
pub const NAMES: usize = 50;
/// Texts per record (one per field and language).
pub const TEXTS: usize = 50;
/// Citations per record or link.
pub const CITATIONS: usize = 100;
/// Tactics per operation.
pub const TACTICS: usize = 32;
/// Group or target links per operation.
pub const LINKS: usize = 500;
/// The largest `people_count` of a legal outcome.
pub const PEOPLE: i32 = 1_000_000;
