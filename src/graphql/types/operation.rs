//! `Operation` and its links to groups and targets.

use async_graphql::{ComplexObject, Context, ID, Object, Result};
use chrono::{DateTime, Utc};

use super::records::Group;
use super::records::LegalOutcome;
use super::records::Operation;
use super::records::OperationGroup;
use super::records::OperationTarget;
use super::records::Target;
use super::values::{
    Alternative, Citation, Date, Name, Text, alternatives, cap, citations, global_id, loader,
    names, texts,
};
use crate::domain::edtf::{End, EndState};
use crate::domain::model::Subject;
use crate::graphql::error::GqlResult;
use crate::graphql::loaders::*;

#[ComplexObject]
impl OperationGroup {
    /// The sources for this link.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, Subject::OperationGroup, self.link).await
    }
}

#[ComplexObject]
impl OperationTarget {
    /// The sources for this link.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, Subject::OperationTarget, self.link).await
    }
}

#[Object]
impl Operation {
    pub async fn id(&self) -> ID {
        global_id("Operation", self.0.id)
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn names(&self, ctx: &Context<'_>) -> Result<Vec<Name>> {
        names(ctx, Subject::Operation, self.0.id).await
    }
    async fn start(&self) -> Option<Date> {
        Date::of(Some(&self.0.start_edtf))
    }
    /// The end when it is known (`endState` says why it is null).
    async fn end(&self) -> Option<Date> {
        Date::of(self.0.end_edtf.as_deref())
    }
    /// KNOWN; UNKNOWN: it ended, but no source says when; OPEN: it ran on.
    /// An operation whose end is not known overlaps every date range after
    /// its start and is never WITHIN a range with an end.
    async fn end_state(&self) -> EndState {
        End::stored(self.0.end_edtf.as_deref()).state()
    }
    /// The whole operation as one EDTF value: `2011-12/2012-03`, `2008-01/`
    /// (unknown end), `2008-01/..` (open), or one date.
    async fn interval(&self) -> String {
        End::stored(self.0.end_edtf.as_deref()).interval(&self.0.start_edtf)
    }
    async fn part_of(&self, ctx: &Context<'_>) -> Result<Option<Operation>> {
        let Some(p) = self.0.part_of_id else {
            return Ok(None);
        };
        Ok(loader(ctx)
            .load_one(OperationId(p))
            .await
            .gql()?
            .map(Operation))
    }
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn parts(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
    ) -> Result<Vec<Operation>> {
        let v = loader(ctx)
            .load_one(PartsOfOperation(self.0.id))
            .await
            .gql()?;
        Ok(cap(v.unwrap_or_default(), first)
            .into_iter()
            .map(Operation)
            .collect())
    }
    /// ddos, doxing, defacement, protest, data_leak, raid, …
    async fn tactics(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(loader(ctx)
            .load_one(TacticsOf(self.0.id))
            .await
            .gql()?
            .unwrap_or_default())
    }
    async fn texts(&self, ctx: &Context<'_>) -> Result<Vec<Text>> {
        texts(ctx, Subject::Operation, self.0.id).await
    }
    async fn disputed(&self) -> bool {
        self.0.disputed
    }
    async fn dispute_note(&self) -> Option<&str> {
        self.0.dispute_note.as_deref()
    }
    /// Groups linked to the operation, each with its role and the link's sources.
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
    ) -> Result<Vec<OperationGroup>> {
        let links = loader(ctx)
            .load_one(GroupsOfOperation(self.0.id))
            .await
            .gql()?;
        let links = cap(links.unwrap_or_default(), first);
        Ok(links
            .into_iter()
            .map(|(l, g)| OperationGroup {
                role: l.role,
                group: Group(g),
                link: l.id,
            })
            .collect())
    }
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn targets(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
    ) -> Result<Vec<OperationTarget>> {
        let links = loader(ctx)
            .load_one(TargetsOfOperation(self.0.id))
            .await
            .gql()?;
        let links = cap(links.unwrap_or_default(), first);
        Ok(links
            .into_iter()
            .map(|(l, t)| OperationTarget {
                target: Target(t),
                link: l.id,
            })
            .collect())
    }
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn legal_outcomes(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
    ) -> Result<Vec<LegalOutcome>> {
        let v = loader(ctx)
            .load_one(LegalOutcomesOfOperation(self.0.id))
            .await
            .gql()?;
        Ok(cap(v.unwrap_or_default(), first)
            .into_iter()
            .map(LegalOutcome)
            .collect())
    }
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, Subject::Operation, self.0.id).await
    }
    /// Other reported values of its disputed fields, each with its sources.
    async fn alternatives(&self, ctx: &Context<'_>) -> Result<Vec<Alternative>> {
        alternatives(ctx, Subject::Operation, self.0.id).await
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

// --- targets ---
