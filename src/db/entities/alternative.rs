//! Row of `alternatives`: a value another source reports for a disputed
//! field of an operation or legal outcome.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, sqlx::FromRow)]
#[sea_orm(table_name = "alternatives")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub operation_id: Option<Uuid>,
    pub legal_outcome_id: Option<Uuid>,
    pub field: String,
    /// The value in its field's own shape, as canonical JSON.
    pub value: String,
    pub note: Option<String>,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
