//! `Group` and its links to operations.

use async_graphql::connection::EmptyFields;
use async_graphql::{ComplexObject, Context, ID, Object, Result};
use chrono::{DateTime, Utc};

use super::pages::{
    GroupLegalOutcomes, GroupLink, GroupOperationLinks, connection, operation_page,
};
use super::records::Group;
use super::records::GroupOperation;
use super::records::LegalOutcome;
use super::records::Operation;
use super::values::{
    Citation, Date, ExternalIds, Name, Text, cap, citations, global_id, linked_operation, loader,
    names, texts,
};
use crate::domain::model::Subject;
use crate::domain::relations::{Relation, Window};
use crate::graphql::error::GqlResult;
use crate::graphql::loaders::*;

#[ComplexObject]
impl GroupOperation {
    async fn operation(&self, ctx: &Context<'_>) -> Result<Operation> {
        linked_operation(ctx, self.operation).await
    }
    /// The sources for this link.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, Subject::OperationGroup, self.link).await
    }
}

#[Object]
impl Group {
    pub async fn id(&self) -> ID {
        global_id("Group", self.0.id)
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// The English primary name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn names(&self, ctx: &Context<'_>) -> Result<Vec<Name>> {
        names(ctx, Subject::Group, self.0.id).await
    }
    /// collective, cell, crew, banner, faction, other.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Group>> {
        let Some(p) = self.0.parent_id else {
            return Ok(None);
        };
        Ok(loader(ctx).load_one(GroupId(p)).await.gql()?.map(Group))
    }
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn children(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
    ) -> Result<Vec<Group>> {
        let v = loader(ctx)
            .load_one(ChildrenOfGroup(self.0.id))
            .await
            .gql()?;
        Ok(cap(v.unwrap_or_default(), first)
            .into_iter()
            .map(Group)
            .collect())
    }
    async fn founded(&self) -> Option<Date> {
        Date::of(self.0.founded_edtf.as_deref())
    }
    async fn dissolved(&self) -> Option<Date> {
        Date::of(self.0.dissolved_edtf.as_deref())
    }
    async fn texts(&self, ctx: &Context<'_>) -> Result<Vec<Text>> {
        texts(ctx, Subject::Group, self.0.id).await
    }
    async fn external_ids(&self) -> ExternalIds {
        ExternalIds {
            wikidata: self.0.wikidata_id.clone(),
            misp_galaxy: self.0.misp_galaxy_id.map(|u| u.to_string()),
            attack: self.0.attack_id.clone(),
        }
    }
    /// Operations the group is linked to, by start date.
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn operations(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
    ) -> Result<Vec<GroupOperation>> {
        let links = loader(ctx)
            .load_one(OperationsOfGroup(self.0.id))
            .await
            .gql()?;
        let links = cap(links.unwrap_or_default(), first);
        Ok(links
            .into_iter()
            .map(|o| GroupOperation {
                role: o.role.unwrap_or_default(),
                operation: o.id,
                link: o.link,
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
            .load_one(LegalOutcomesOfGroup(self.0.id))
            .await
            .gql()?;
        Ok(cap(v.unwrap_or_default(), first)
            .into_iter()
            .map(LegalOutcome)
            .collect())
    }
    /// The group's operations a page at a time, in the order of
    /// `operations`, each edge with the group's role and the link's sources.
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn operation_links(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<GroupOperationLinks> {
        let page = operation_page(ctx, Subject::Group, self.0.id, first, after.as_deref()).await?;
        Ok(connection(page, after.is_some(), |l| {
            let role = l.role.unwrap_or_default();
            (Operation(l.operation), GroupLink { role, link: l.link })
        }))
    }
    /// The group's legal outcomes a page at a time, in the order of `legalOutcomes`.
    #[graphql(complexity = "(first.clamp(0, 500) as usize).saturating_mul(child_complexity)")]
    async fn legal_outcome_links(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<GroupLegalOutcomes> {
        let window = Window::new(Relation::LegalOutcomes, first.into(), after.as_deref()).gql()?;
        let key = LegalOutcomesPage {
            id: self.0.id,
            window,
        };
        let page = loader(ctx).load_one(key).await.gql()?;
        Ok(connection(page, after.is_some(), |l| {
            (LegalOutcome(l), EmptyFields)
        }))
    }
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, Subject::Group, self.0.id).await
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

// --- operations ---
