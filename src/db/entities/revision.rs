//! Row of `revisions`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, sqlx::FromRow)]
#[sea_orm(table_name = "revisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub entity_kind: String,
    pub entity_id: Uuid,
    pub entity_slug: String,
    pub version: i32,
    pub action: String,
    pub actor_key_id: Option<Uuid>,
    pub at: DateTimeUtc,
    pub before: Option<Json>,
    pub after: Option<Json>,
    pub reason: Option<String>,
    /// Its place in commit order (the change feed's cursor); the database
    /// assigns it, so inserts leave it unset.
    pub seq: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
