//! CSV for every list: one flat row per record, UTF-8, with a header.
//!
//! Flattening: a date becomes four columns (`_edtf`, `_precision`,
//! `_earliest`, `_latest`); a list of values becomes one cell joined with
//! ` | `; a related record becomes its slug; names become the English and
//! Arabic primary names plus the aliases joined; citations become the cited
//! source slugs joined, in citation order. The columns of each list are
//! described in the OpenAPI document from the same tables as below.

mod columns;
mod render;

pub use columns::{Column, CsvRecord, JOIN};
pub use render::{Fetched, STREAM_BATCH, describe, render, stream, write_collection};
