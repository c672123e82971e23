//! Row of `operations`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, sqlx::FromRow)]
#[sea_orm(table_name = "operations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    pub name: String,
    pub part_of_id: Option<Uuid>,
    pub start_edtf: String,
    pub start_precision: String,
    pub start_earliest: Date,
    pub start_latest: Date,
    pub end_edtf: Option<String>,
    pub end_precision: Option<String>,
    pub end_earliest: Option<Date>,
    pub end_latest: Option<Date>,
    pub earliest: Date,
    pub latest: Date,
    pub disputed: bool,
    pub dispute_note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
