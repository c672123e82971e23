//! Read functions for every entity: one record by slug, many by id (for
//! DataLoaders and embedding), and filtered, sorted, paginated lists.

use sea_orm::{ColumnTrait, EntityName, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::Conn;
use super::filters::{
    Filter, GroupFilter, LegalOutcomeFilter, OperationFilter, SourceFilter, TargetFilter,
};
use super::page::{KeyKind, Page, PageRequest, Sort, SortSpec, paginate, stored_total};
use super::relations::by_id;
use crate::db::entities::{group, legal_outcome, operation, source, target};
use crate::db::rows;
use crate::error::{Error, Result};

fn date_key(d: &chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub static GROUP_SORTS: [SortSpec<group::Entity>; 2] = [
    SortSpec {
        name: "name",
        column: group::Column::Name,
        kind: KeyKind::Text,
        key: |m| m.name.clone(),
    },
    SortSpec {
        name: "slug",
        column: group::Column::Slug,
        kind: KeyKind::Text,
        key: |m| m.slug.clone(),
    },
];

pub static TARGET_SORTS: [SortSpec<target::Entity>; 2] = [
    SortSpec {
        name: "name",
        column: target::Column::Name,
        kind: KeyKind::Text,
        key: |m| m.name.clone(),
    },
    SortSpec {
        name: "slug",
        column: target::Column::Slug,
        kind: KeyKind::Text,
        key: |m| m.slug.clone(),
    },
];

pub static OPERATION_SORTS: [SortSpec<operation::Entity>; 4] = [
    SortSpec {
        name: "start",
        column: operation::Column::Earliest,
        kind: KeyKind::Date,
        key: |m| date_key(&m.earliest),
    },
    SortSpec {
        name: "end",
        column: operation::Column::Latest,
        kind: KeyKind::Date,
        key: |m| date_key(&m.latest),
    },
    SortSpec {
        name: "name",
        column: operation::Column::Name,
        kind: KeyKind::Text,
        key: |m| m.name.clone(),
    },
    SortSpec {
        name: "slug",
        column: operation::Column::Slug,
        kind: KeyKind::Text,
        key: |m| m.slug.clone(),
    },
];

pub static LEGAL_OUTCOME_SORTS: [SortSpec<legal_outcome::Entity>; 2] = [
    SortSpec {
        name: "date",
        column: legal_outcome::Column::Earliest,
        kind: KeyKind::Date,
        key: |m| date_key(&m.earliest),
    },
    SortSpec {
        name: "slug",
        column: legal_outcome::Column::Slug,
        kind: KeyKind::Text,
        key: |m| m.slug.clone(),
    },
];

pub static SOURCE_SORTS: [SortSpec<source::Entity>; 2] = [
    SortSpec {
        name: "slug",
        column: source::Column::Slug,
        kind: KeyKind::Text,
        key: |m| m.slug.clone(),
    },
    SortSpec {
        name: "title",
        column: source::Column::Title,
        kind: KeyKind::Text,
        key: |m| m.title.clone(),
    },
];

/// Generates the three read functions of one entity.
macro_rules! reads {
    ($module:ident, $kind:literal, $filter:ty, $sorts:ident,
     $get:ident, $by_ids:ident, $list:ident) => {
        #[doc = concat!("One ", $kind, " by slug; `NotFound` when there is none.")]
        pub async fn $get<C: Conn>(db: &C, slug: &str) -> Result<$module::Model> {
            if !super::vocab::could_be_stored(slug) {
                return Err(Error::not_found($kind, slug));
            }
            let select = $module::Entity::find()
                .filter($module::Column::Slug.eq(slug))
                .limit(1);
            crate::db::rows::all(db, select)
                .await?
                .pop()
                .ok_or_else(|| Error::not_found($kind, slug))
        }

        #[doc = concat!("Many ", $kind, " records by id, keyed by id: one statement.")]
        pub async fn $by_ids<C: Conn>(
            db: &C,
            ids: &[Uuid],
        ) -> Result<std::collections::HashMap<Uuid, $module::Model>> {
            by_id::<$module::Entity, _>(db, $module::Column::Id, ids, |m| m.id).await
        }

        #[doc = concat!("A page of ", $kind, " records matching a filter, in a sort order (`name` or `-name`).")]
        pub async fn $list<C: Conn>(
            db: &C,
            filter: &$filter,
            sort: Option<&str>,
            page: &PageRequest,
        ) -> Result<Page<$module::Model>> {
            let sort = Sort::parse(&$sorts, sort)?;
            let cond = filter.resolve(db).await?;
            let total = if page.count && cond.is_empty() {
                stored_total(db, $module::Entity.table_name()).await?
            } else {
                None
            };
            let select = $module::Entity::find().filter(cond);
            paginate(db, select, $module::Column::Id, &sort, page, total).await
        }
    };
}

reads!(
    group,
    "group",
    GroupFilter,
    GROUP_SORTS,
    group_by_slug,
    groups_by_ids,
    list_groups
);
reads!(
    target,
    "target",
    TargetFilter,
    TARGET_SORTS,
    target_by_slug,
    targets_by_ids,
    list_targets
);
reads!(
    operation,
    "operation",
    OperationFilter,
    OPERATION_SORTS,
    operation_by_slug,
    operations_by_ids,
    list_operations
);
reads!(
    legal_outcome,
    "legal outcome",
    LegalOutcomeFilter,
    LEGAL_OUTCOME_SORTS,
    legal_outcome_by_slug,
    legal_outcomes_by_ids,
    list_legal_outcomes
);
reads!(
    source,
    "source",
    SourceFilter,
    SOURCE_SORTS,
    source_by_slug,
    sources_by_ids,
    list_sources
);

/// Sources by slug, in the order the slugs are given (unknown ones skipped).
pub async fn sources_by_slugs<C: Conn>(db: &C, slugs: &[String]) -> Result<Vec<source::Model>> {
    let mut found = std::collections::HashMap::with_capacity(slugs.len());
    for chunk in slugs.chunks(1000) {
        for row in rows::all(
            db,
            source::Entity::find().filter(source::Column::Slug.is_in(chunk.iter().cloned())),
        )
        .await?
        {
            found.insert(row.slug.clone(), row);
        }
    }
    Ok(slugs.iter().filter_map(|s| found.remove(s)).collect())
}
