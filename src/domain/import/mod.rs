//! Loading a dataset file: validate everything first, then write in one
//! transaction. Records are matched by slug; a record equal to what is stored
//! is left alone (no version bump, no revision), so importing the same file
//! twice changes nothing.

mod records;
mod run;
mod stored;
mod writer;

pub use run::{ID_NAMESPACE, ImportReport, Progress, apply, display_name, import, record_id};
