//! Row of `citations`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, sqlx::FromRow)]
#[sea_orm(table_name = "citations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub source_id: Uuid,
    pub group_id: Option<Uuid>,
    pub target_id: Option<Uuid>,
    pub operation_id: Option<Uuid>,
    pub legal_outcome_id: Option<Uuid>,
    pub operation_group_id: Option<Uuid>,
    pub operation_target_id: Option<Uuid>,
    /// Set when the citation backs an alternative of its record.
    pub alternative_id: Option<Uuid>,
    pub field: Option<String>,
    pub quote: Option<String>,
    pub locator: Option<String>,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
