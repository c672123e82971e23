//! Writes by editors, shared by REST and GraphQL: create, update (a JSON
//! merge patch over the stored record), delete, and whole-file import. Each
//! runs in one transaction with its revision; validation is the import's
//! (no fact without a source, valid dates and codes, existing references),
//! so nothing invalid gets in through any door.

mod input;
mod ops;

pub use input::{Collection, MAX_BODY, MAX_REASON, check_reason, merge_patch};
pub use ops::{create, delete, history, import_file, update};
