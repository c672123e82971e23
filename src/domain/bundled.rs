//! The dataset that ships inside the binary (`data/factline.json`), loaded
//! into an empty database by `serve` and by `import` without a file.

use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use super::dataset::Dataset;
use super::import::{ImportReport, import};
use crate::db::entities::{group, legal_outcome, operation, source, target};
use crate::error::Result;

pub const BUNDLED_JSON: &str = include_str!("../../data/factline.json");

pub fn dataset() -> Result<Dataset> {
    Dataset::from_json(BUNDLED_JSON)
}

/// True when no record of any kind is stored.
pub async fn is_empty(db: &DatabaseConnection) -> Result<bool> {
    Ok(source::Entity::find().count(db).await? == 0
        && group::Entity::find().count(db).await? == 0
        && target::Entity::find().count(db).await? == 0
        && operation::Entity::find().count(db).await? == 0
        && legal_outcome::Entity::find().count(db).await? == 0)
}

/// Loads the bundled dataset when the database holds nothing yet.
pub async fn seed_if_empty(db: &DatabaseConnection) -> Result<Option<ImportReport>> {
    if !is_empty(db).await? {
        return Ok(None);
    }
    import(db, dataset()?, None, &|_, _| {}).await.map(Some)
}
