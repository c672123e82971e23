//! Row of `legal_outcomes`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, sqlx::FromRow)]
#[sea_orm(table_name = "legal_outcomes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    pub kind: String,
    pub date_edtf: String,
    pub date_precision: String,
    pub earliest: Date,
    pub latest: Date,
    pub jurisdiction: Option<String>,
    pub court: Option<String>,
    pub operation_id: Option<Uuid>,
    pub group_id: Option<Uuid>,
    pub people_count: Option<i32>,
    pub person: Option<String>,
    /// Canonical decimal string (see the migration: SQLite has no exact decimal).
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub amount_kind: Option<String>,
    pub amount_scope: Option<String>,
    pub disputed: bool,
    pub dispute_note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
