//! `Target` and its links to operations.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};

use super::pages::{TargetLink, TargetOperationLinks, connection, operation_page};
use super::records::Operation;
use super::records::Target;
use super::records::TargetOperation;
use super::values::{
    Citation, Name, Text, cap, citations, global_id, linked_operation, loader, names, texts,
};
use crate::domain::model::Subject;
use crate::graphql::error::GqlResult;
use crate::graphql::loaders::*;

/// An operation against a target, with the sources for the link.
#[Object]
impl TargetOperation {
    async fn operation(&self, ctx: &Context<'_>) -> Result<Operation> {
        linked_operation(ctx, self.operation).await
    }
    /// The sources for this link.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, Subject::OperationTarget, self.link).await
    }
}

#[Object]
impl Target {
    pub async fn id(&self) -> ID {
        global_id("Target", self.0.id)
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn names(&self, ctx: &Context<'_>) -> Result<Vec<Name>> {
        names(ctx, Subject::Target, self.0.id).await
    }
    /// `description`: what the target is (who owns it, which of its
    /// websites was hit).
    async fn texts(&self, ctx: &Context<'_>) -> Result<Vec<Text>> {
        texts(ctx, Subject::Target, self.0.id).await
    }
    /// company, government, religious_org, website, person, ngo, media, other.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    /// ISO 3166-1 alpha-2.
    async fn country(&self) -> Option<&str> {
        self.0.country.as_deref()
    }
    async fn sector(&self) -> Option<&str> {
        self.0.sector.as_deref()
    }
    /// Operations against the target, by start date.
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn operations(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
    ) -> Result<Vec<TargetOperation>> {
        let v = loader(ctx)
            .load_one(OperationsOfTarget(self.0.id))
            .await
            .gql()?;
        Ok(cap(v.unwrap_or_default(), first)
            .into_iter()
            .map(|o| TargetOperation {
                operation: o.id,
                link: o.link,
            })
            .collect())
    }
    /// Operations against the target a page at a time, in the order of
    /// `operations`, each edge with the link's sources.
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn operation_links(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<TargetOperationLinks> {
        let page = operation_page(ctx, Subject::Target, self.0.id, first, after.as_deref()).await?;
        Ok(connection(page, after.is_some(), |l| {
            (Operation(l.operation), TargetLink { link: l.link })
        }))
    }
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, Subject::Target, self.0.id).await
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

// --- legal outcomes ---
