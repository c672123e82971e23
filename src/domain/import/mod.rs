//! Loading a dataset file: validate everything first, then write in one
//! transaction. Records are matched by slug; a record equal to what is stored
//! is left alone (no version bump, no revision), so importing the same file
//! twice changes nothing.

mod parts;
mod records;
mod run;
mod stored;
mod writer;

pub use parts::{ID_NAMESPACE, ImportReport, Progress, display_name, record_id};
pub(crate) use run::after_commit;
pub use run::{apply, import};
