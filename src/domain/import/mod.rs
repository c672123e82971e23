//! Loading a dataset file in one transaction, all or nothing: the file is
//! staged as it is read (`staged`), what needs the whole file is checked,
//! then each step of records is checked and written (`writer`). Records are
//! matched by slug; a record equal to what is stored is left alone (no
//! version bump, no revision), so importing the same file twice changes
//! nothing.

mod parts;
mod records;
mod run;
mod staged;
mod stored;
mod writer;

pub use parts::{ID_NAMESPACE, ImportReport, Progress, display_name, record_id};
pub(crate) use run::after_commit;
pub use run::{apply, apply_staged, import};
pub use staged::Staged;
