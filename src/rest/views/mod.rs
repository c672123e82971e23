//! Wire shapes of the REST API (snake_case JSON), kept apart from database
//! rows, and their assembly from domain rows with batch loads: a page of any
//! size costs the same fixed number of statements.

mod parts;
mod records;
mod wire;

pub(crate) use parts::alternative_text;
pub use records::{groups, legal_outcomes, operation_rows, operations, sources, targets};
pub use wire::{
    AlternativeView, CitationView, DateView, ExternalIdsView, GroupOperation, GroupView,
    LegalOutcomeRef, LegalOutcomeView, ListView, MoneyView, NameView, OperationGroup, OperationRow,
    OperationTarget, OperationView, PageView, Ref, SourceRef, SourceView, TargetOperation,
    TargetView, TextView,
};
