//! `Target`.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};

use super::records::Operation;
use super::records::Target;
use super::values::{Citation, Name, cap, citations, global_id, loader, names};
use crate::domain::model::Subject;
use crate::graphql::error::GqlResult;
use crate::graphql::loaders::*;

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
    ) -> Result<Vec<Operation>> {
        let v = loader(ctx)
            .load_one(OperationsOfTarget(self.0.id))
            .await
            .gql()?;
        let ids = cap(v.unwrap_or_default(), first)
            .into_iter()
            .map(|o| OperationId(o.id))
            .collect();
        let ops = loader(ctx).load_many(ids).await.gql()?;
        Ok(ops.into_iter().map(Operation).collect())
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
