//! GraphQL object types: thin wrappers over domain rows whose relation
//! fields resolve through the DataLoader.

mod group;
mod legal_outcome;
mod operation;
mod pages;
mod records;
mod source;
mod target;
mod values;

pub use records::{
    CitingRecordView, Group, GroupOperation, LegalOutcome, Node, Operation, OperationGroup,
    OperationTarget, Source, Target, TargetOperation,
};
pub(crate) use values::loader;
pub use values::{
    Citation, Date, Decimal, ExternalIds, Loader, MoneyValue, Name, Precision, Text, citations,
    global_id, parse_global_id,
};
