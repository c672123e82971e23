//! Row of `groups`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, sqlx::FromRow)]
#[sea_orm(table_name = "groups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<Uuid>,
    pub founded_edtf: Option<String>,
    pub founded_precision: Option<String>,
    pub founded_earliest: Option<Date>,
    pub founded_latest: Option<Date>,
    pub dissolved_edtf: Option<String>,
    pub dissolved_precision: Option<String>,
    pub dissolved_earliest: Option<Date>,
    pub dissolved_latest: Option<Date>,
    pub earliest: Option<Date>,
    pub latest: Option<Date>,
    pub wikidata_id: Option<String>,
    pub misp_galaxy_id: Option<Uuid>,
    pub attack_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
