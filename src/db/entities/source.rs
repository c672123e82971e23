//! Row of `sources`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, sqlx::FromRow)]
#[sea_orm(table_name = "sources")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    pub title: String,
    pub url: Option<String>,
    pub archived_url: Option<String>,
    pub publisher: Option<String>,
    pub language: String,
    pub kind: String,
    pub published_edtf: Option<String>,
    pub published_precision: Option<String>,
    pub earliest: Option<Date>,
    pub latest: Option<Date>,
    /// The title is ours (the headline could not be read), not the page's.
    pub title_is_descriptive: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
