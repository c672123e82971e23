//! Relation lists that page: connections beside the capped list fields
//! (`Group.operationLinks` beside `Group.operations`), shaped like the root
//! connections. Each needs names of its own: the defaults
//! (`OperationConnection`, `OperationEdge`) are the root connections'.

use async_graphql::connection::{Connection, ConnectionNameType, Edge, EdgeNameType, EmptyFields};
use async_graphql::{Context, Object, OutputType, Result, SimpleObject};
use uuid::Uuid;

use super::records::{LegalOutcome, Node, Operation};
use super::values::{Citation, citations, loader};
use crate::domain::model::Subject;
use crate::domain::page::Page;
use crate::domain::relations::{OperationLink, Relation, Window};
use crate::graphql::error::GqlResult;
use crate::graphql::loaders::OperationLinksPage;

/// Fields a relation's connection has besides edges, nodes and pageInfo.
#[derive(SimpleObject, Debug)]
pub struct RelationCount {
    /// Items of the whole list, over all pages.
    pub total_count: u64,
}

/// What a group's link to an operation adds to its edge.
#[derive(Debug, Clone)]
pub struct GroupLink {
    pub role: String,
    pub link: Uuid,
}

#[Object]
impl GroupLink {
    /// attributed, claimed, organizer, participant, supporter.
    async fn role(&self) -> &str {
        &self.role
    }
    /// The sources for this link.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, Subject::OperationGroup, self.link).await
    }
}

/// What a target's link to an operation adds to its edge.
#[derive(Debug, Clone)]
pub struct TargetLink {
    pub link: Uuid,
}

#[Object]
impl TargetLink {
    /// The sources for this link.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, Subject::OperationTarget, self.link).await
    }
}

/// What a record citing a source adds to its edge.
#[derive(SimpleObject, Debug, Clone)]
pub struct CitingKind {
    /// group, legal_outcome, operation or target: the order of the list.
    pub kind: String,
}

/// A connection's and its edge's type names.
macro_rules! names {
    ($connection:ident, $edge:ident) => {
        pub struct $connection;
        impl ConnectionNameType for $connection {
            fn type_name<T: OutputType>() -> String {
                stringify!($connection).to_owned()
            }
        }
        pub struct $edge;
        impl EdgeNameType for $edge {
            fn type_name<T: OutputType>() -> String {
                stringify!($edge).to_owned()
            }
        }
    };
}

names!(GroupOperationLinkConnection, GroupOperationLinkEdge);
names!(TargetOperationLinkConnection, TargetOperationLinkEdge);
names!(GroupLegalOutcomeConnection, GroupLegalOutcomeEdge);
names!(SourceCitingRecordConnection, SourceCitingRecordEdge);

pub type GroupOperationLinks = Connection<
    String,
    Operation,
    RelationCount,
    GroupLink,
    GroupOperationLinkConnection,
    GroupOperationLinkEdge,
>;
pub type TargetOperationLinks = Connection<
    String,
    Operation,
    RelationCount,
    TargetLink,
    TargetOperationLinkConnection,
    TargetOperationLinkEdge,
>;
pub type GroupLegalOutcomes = Connection<
    String,
    LegalOutcome,
    RelationCount,
    EmptyFields,
    GroupLegalOutcomeConnection,
    GroupLegalOutcomeEdge,
>;
pub type SourceCitingRecords = Connection<
    String,
    Node,
    RelationCount,
    CitingKind,
    SourceCitingRecordConnection,
    SourceCitingRecordEdge,
>;

/// A relation's page as a connection (none: an owner with nothing linked),
/// each item made into its node and its edge's fields; `after` tells
/// whether a page precedes it, as the root connections do.
/// A page of the operations linked to a group or a target, through the
/// request's loader: what `Group.operationLinks` and
/// `Target.operationLinks` share.
pub(crate) async fn operation_page(
    ctx: &Context<'_>,
    owner: Subject,
    id: Uuid,
    first: i32,
    after: Option<&str>,
) -> Result<Option<Page<OperationLink>>> {
    let window = Window::new(Relation::OperationLinks, first.into(), after).gql()?;
    loader(ctx)
        .load_one(OperationLinksPage { owner, id, window })
        .await
        .gql()
}

pub(crate) fn connection<M, T, E, N, EN>(
    page: Option<Page<M>>,
    after: bool,
    edge: impl Fn(M) -> (T, E),
) -> Connection<String, T, RelationCount, E, N, EN>
where
    T: OutputType,
    E: async_graphql::ObjectType,
    N: ConnectionNameType,
    EN: EdgeNameType,
{
    let Some(page) = page else {
        return Connection::with_additional_fields(after, false, RelationCount { total_count: 0 });
    };
    let mut c = Connection::with_additional_fields(
        after,
        page.next_cursor.is_some(),
        RelationCount {
            total_count: page.total,
        },
    );
    c.edges.extend(
        page.items
            .into_iter()
            .zip(page.cursors)
            .map(|(item, cursor)| {
                let (node, fields) = edge(item);
                Edge::with_additional_fields(cursor, node, fields)
            }),
    );
    c
}
