//! What a filter is ([`Filter`]) and the records it names by slug ([`Named`]).

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, DbBackend, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::db::entities::{group, operation, target};
use crate::db::rows;
use crate::domain::{Conn, vocab};
use crate::error::Result;

/// What each filter is: values to check, records it names by slug, and
/// SQL over those records. `resolve` is the one way the readers use it.
pub trait Filter: Sync {
    /// The records the filter names by slug, with their kind.
    fn named(&self) -> Vec<(Kind, &Option<String>)>;

    /// Every bad value, by field name, as one 400.
    fn check(&self) -> Result<()>;

    /// The SQL of values already checked, over the records `named` holds.
    fn build(&self, named: &Named) -> Result<Condition>;

    /// The filter as SQL over the records `named` holds, its values checked.
    fn condition(&self, named: &Named) -> Result<Condition> {
        self.check()?;
        self.build(named)
    }

    /// The filter as SQL, its values checked before its slugs are looked up.
    fn resolve<C: Conn>(&self, db: &C) -> impl Future<Output = Result<Condition>> + Send {
        async move {
            self.check()?;
            let named = Named::lookup(db, &self.named()).await?;
            self.build(&named)
        }
    }
}

/// A kind of record a filter can name by slug.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Group,
    Target,
    Operation,
}

/// The records a filter names by slug (`target=tgt-1`), looked up before the
/// filter's SQL is built so that the SQL carries their ids as constants.
///
/// Why constants rather than `IN (SELECT id … WHERE slug = $1)` or a bound
/// parameter: link tables are skewed (in `bench/run` tier M one target has
/// 8,604 operations, the median a handful). Given a subquery or a parameter,
/// Postgres plans for an average record (a prepared statement gets a generic
/// plan after five executions) and probes every link of a busy target by
/// primary key; given the id itself it reads the statistics for that record
/// and joins on the date index instead: `operations?target=…&from=2010&to=2010`
/// went from 22 to 169 page statements per second. The ids are `Uuid`s
/// printed by the uuid crate (hex digits and hyphens): nothing a client typed
/// reaches the SQL text. SQLite, which has no such statistics, gets a bound
/// parameter. A slug that names nothing matches nothing.
#[derive(Debug, Default)]
pub struct Named {
    pub(super) backend: Option<DbBackend>,
    pub(super) ids: HashMap<(Kind, String), Uuid>,
}

impl Named {
    /// Looks up each slug given (one indexed statement per slug).
    async fn lookup<C: Conn>(db: &C, wanted: &[(Kind, &Option<String>)]) -> Result<Self> {
        let mut named = Named {
            backend: Some(db.get_database_backend()),
            ids: HashMap::new(),
        };
        for (kind, slug) in wanted {
            let Some(slug) = slug.as_deref() else {
                continue;
            };
            if !vocab::could_be_stored(slug) || named.ids.contains_key(&(*kind, slug.to_owned())) {
                continue;
            }
            let id = match kind {
                Kind::Group => {
                    id_of::<group::Entity, _>(db, group::Column::Id, group::Column::Slug, slug)
                        .await?
                }
                Kind::Target => {
                    id_of::<target::Entity, _>(db, target::Column::Id, target::Column::Slug, slug)
                        .await?
                }
                Kind::Operation => {
                    id_of::<operation::Entity, _>(
                        db,
                        operation::Column::Id,
                        operation::Column::Slug,
                        slug,
                    )
                    .await?
                }
            };
            if let Some(id) = id {
                named.ids.insert((*kind, slug.to_owned()), id);
            }
        }
        Ok(named)
    }

    /// `col` is the id of the `kind` record `slug` names.
    pub(super) fn is(&self, col: impl ColumnTrait, kind: Kind, slug: &str) -> Expr {
        match self.ids.get(&(kind, slug.to_owned())) {
            None => col.is_in(Vec::<Uuid>::new()),
            Some(id) if self.backend == Some(DbBackend::Postgres) => {
                Expr::col(col.as_column_ref()).eq(Expr::cust(format!("'{id}'::uuid")))
            }
            Some(id) => col.eq(*id),
        }
    }
}

async fn id_of<E: EntityTrait, C: Conn>(
    db: &C,
    id: E::Column,
    slug_col: E::Column,
    slug: &str,
) -> Result<Option<Uuid>> {
    let q = E::find().select_only().column(id).filter(slug_col.eq(slug));
    Ok(rows::tuple::<Uuid, _, _>(db, q).await?)
}
