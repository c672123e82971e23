//! The GraphQL record types and their links, as types: every struct here,
//! their resolvers in one file per entity. The entity files refer to each
//! other's types only through this module, so they never import each other.

use async_graphql::{ID, Interface, SimpleObject};
use uuid::Uuid;

use crate::db::entities::{group, legal_outcome, operation, source, target};
use crate::domain::model::CitedSource;

#[derive(Debug, Clone)]
pub struct Group(pub group::Model);

/// An operation a group took part in, with the group's role.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct GroupOperation {
    /// attributed, claimed, organizer, participant, supporter.
    pub role: String,
    #[graphql(skip)]
    pub operation: Uuid,
    #[graphql(skip)]
    pub link: Uuid,
}

/// A group linked to an operation, with its role.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct OperationGroup {
    /// attributed, claimed, organizer, participant, supporter.
    pub role: String,
    pub group: Group,
    #[graphql(skip)]
    pub link: Uuid,
}

/// An operation against a target, with the sources for the link.
#[derive(Debug, Clone)]
pub struct TargetOperation {
    pub operation: Uuid,
    pub link: Uuid,
}

/// A target of an operation.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct OperationTarget {
    pub target: Target,
    #[graphql(skip)]
    pub link: Uuid,
}

#[derive(Debug, Clone)]
pub struct Operation(pub operation::Model);

#[derive(Debug, Clone)]
pub struct Target(pub target::Model);

#[derive(Debug, Clone)]
pub struct LegalOutcome(pub legal_outcome::Model);

/// A source, whole (read by slug or listed) or as a citation's reader
/// selected it (`Source::columns`).
#[derive(Debug, Clone)]
pub struct Source(pub CitedSource);

/// A record that cites a source.
#[derive(SimpleObject, Debug, Clone)]
pub struct CitingRecordView {
    /// group, target, operation or legal_outcome.
    pub kind: String,
    pub slug: String,
    pub name: String,
}

impl From<source::Model> for Source {
    fn from(m: source::Model) -> Self {
        Source(m.into())
    }
}

/// Anything with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    Group(Group),
    Operation(Operation),
    Target(Target),
    LegalOutcome(LegalOutcome),
    Source(Source),
}

/// Each record type wraps its row (mutations build them by `From`).
macro_rules! wraps_model {
    ($($ty:ident($model:path)),*) => {
        $(impl From<$model> for $ty {
            fn from(m: $model) -> Self {
                $ty(m)
            }
        })*
    };
}
wraps_model!(
    Group(group::Model),
    Target(target::Model),
    Operation(operation::Model),
    LegalOutcome(legal_outcome::Model)
);
