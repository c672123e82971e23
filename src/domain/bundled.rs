//! The dataset that ships inside the binary (`data/factline.json`), loaded
//! into an empty database by `serve` and by `import` without a file.

use sea_orm::{DatabaseConnection, EntityTrait};

use super::dataset::Dataset;
use super::import::{ImportReport, Staged, import};
use crate::db::entities::{group, legal_outcome, operation, source, target};
use crate::db::rows;
use crate::error::Result;

pub const BUNDLED_JSON: &str = include_str!("../../data/factline.json");

pub fn dataset() -> Result<Dataset> {
    Dataset::from_json(BUNDLED_JSON)
}

/// True when no record of any kind is stored.
pub async fn is_empty(db: &DatabaseConnection) -> Result<bool> {
    Ok(rows::count(db, source::Entity::find()).await? == 0
        && rows::count(db, group::Entity::find()).await? == 0
        && rows::count(db, target::Entity::find()).await? == 0
        && rows::count(db, operation::Entity::find()).await? == 0
        && rows::count(db, legal_outcome::Entity::find()).await? == 0)
}

/// Loads the bundled dataset when the database holds nothing yet.
pub async fn seed_if_empty(db: &DatabaseConnection) -> Result<Option<ImportReport>> {
    if !is_empty(db).await? {
        return Ok(None);
    }
    import(db, Staged::of(dataset()?)?, None, &|_, _| {})
        .await
        .map(Some)
}
