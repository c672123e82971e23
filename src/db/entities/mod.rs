//! SeaORM entities: plain rows, with no HTTP or GraphQL derives. The domain
//! layer turns them into its own types.

pub mod alternative;
pub mod api_key;
pub mod citation;
pub mod group;
pub mod legal_outcome;
pub mod name;
pub mod operation;
pub mod operation_group;
pub mod operation_tactic;
pub mod operation_target;
pub mod revision;
pub mod source;
pub mod target;
pub mod text;
