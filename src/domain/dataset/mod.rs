//! The dataset format: what `factline import` reads, what `data/factline.json`
//! holds, and the record shapes the export writes. Records refer to one another
//! and to sources by slug, so a file is readable and diffable by hand.

mod alternatives;
mod checker;
mod records;
pub mod report;
mod slugs;
#[cfg(test)]
mod tests;
mod validate;

pub use alternatives::{LEGAL_OUTCOME_FIELDS, OPERATION_FIELDS, canonical};
pub use checker::parse_amount;
pub use records::{
    AlternativeRecord, CitationRecord, Dataset, ExternalIds, FORMAT, FORMAT_VERSION,
    GroupLinkRecord, GroupRecord, LegalOutcomeRecord, MoneyRecord, NameRecord, OperationRecord,
    SourceRecord, TargetLinkRecord, TargetRecord, TextRecord,
};
pub use slugs::SlugSet;
pub use validate::{KnownSlugs, validate};
pub(crate) use validate::{
    Scope, check_cycles, check_group, check_header, check_legal_outcome, check_operation,
    check_slug, check_source, check_target,
};
