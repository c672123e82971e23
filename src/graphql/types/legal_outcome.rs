//! `LegalOutcome`.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};

use super::records::Group;
use super::records::LegalOutcome;
use super::records::Operation;
use super::values::{
    Alternative, Citation, Date, Decimal, MoneyValue, Text, alternatives, citations, global_id,
    loader, texts,
};
use crate::domain::model::{Money, Subject};
use crate::graphql::error::GqlResult;
use crate::graphql::loaders::*;

#[Object]
impl LegalOutcome {
    pub async fn id(&self) -> ID {
        global_id("LegalOutcome", self.0.id)
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// arrest, charge, indictment, plea, conviction, acquittal, sentence, fine, restitution, damages_claim, other.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    async fn date(&self) -> Option<Date> {
        Date::of(Some(&self.0.date_edtf))
    }
    /// ISO 3166-1 or 3166-2.
    async fn jurisdiction(&self) -> Option<&str> {
        self.0.jurisdiction.as_deref()
    }
    async fn court(&self) -> Option<&str> {
        self.0.court.as_deref()
    }
    async fn operation(&self, ctx: &Context<'_>) -> Result<Option<Operation>> {
        let Some(id) = self.0.operation_id else {
            return Ok(None);
        };
        Ok(loader(ctx)
            .load_one(OperationId(id))
            .await
            .gql()?
            .map(Operation))
    }
    async fn group(&self, ctx: &Context<'_>) -> Result<Option<Group>> {
        let Some(id) = self.0.group_id else {
            return Ok(None);
        };
        Ok(loader(ctx).load_one(GroupId(id)).await.gql()?.map(Group))
    }
    async fn people_count(&self) -> Option<i32> {
        self.0.people_count
    }
    /// Named only where a public court record or official statement names them.
    async fn person(&self) -> Option<&str> {
        self.0.person.as_deref()
    }
    async fn money(&self) -> Option<MoneyValue> {
        Money::of(&self.0).map(|m| MoneyValue {
            amount: Decimal(m.amount.to_string()),
            currency: m.currency,
            kind: m.kind,
            scope: m.scope,
        })
    }
    async fn texts(&self, ctx: &Context<'_>) -> Result<Vec<Text>> {
        texts(ctx, Subject::LegalOutcome, self.0.id).await
    }
    async fn disputed(&self) -> bool {
        self.0.disputed
    }
    async fn dispute_note(&self) -> Option<&str> {
        self.0.dispute_note.as_deref()
    }
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, Subject::LegalOutcome, self.0.id).await
    }
    /// Other reported values of its disputed fields, each with its sources.
    async fn alternatives(&self, ctx: &Context<'_>) -> Result<Vec<Alternative>> {
        alternatives(ctx, Subject::LegalOutcome, self.0.id).await
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

// --- sources ---
