//! Batch loaders for everything that hangs off a record: one query per kind of
//! relation for any number of parents, so REST embedding and GraphQL
//! DataLoaders issue a fixed number of statements per page.

mod alternatives;
mod batch;
mod citations;
mod links;
mod paged;
mod slugs;
mod texts;
mod window;

pub use alternatives::alternatives_of;
pub(crate) use batch::CHUNK;
pub use batch::by_id;
pub use citations::{CitingRecord, SourceColumns, citations_of, cited_by, cited_source_slugs};
pub use links::{
    LinkedOperation, OperationLinks, children_of_groups, groups_of_operations,
    legal_outcomes_of_groups, legal_outcomes_of_operations, linked_operations, parts_of_operations,
    targets_of_operations,
};
pub use paged::{
    CitingLink, OperationLink, citing_records_page, legal_outcomes_of_groups_page,
    linked_operations_page,
};
pub use slugs::{OperationLinkSlugs, operation_link_slugs};
pub use texts::{names_of, tactics_of, texts_of};
pub use window::{After, CITING_KINDS, Relation, Window};
