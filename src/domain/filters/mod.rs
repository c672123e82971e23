//! One filter type per list, declared once with [`filter!`]: each field's
//! name, type, documentation and check. From that declaration come the
//! domain struct, its GraphQL input (derived), its OpenAPI parameters and
//! the names a REST list accepts ([`Declared`]), and its reading from a
//! query string ([`Values`]); `records.rs` says how each becomes SQL.
//!
//! Relations are tested with `IN (subquery)` on the link tables' indexes,
//! the records a filter names by slug looked up first ([`Named`]); dates
//! with overlap semantics on the stored `earliest`/`latest` span:
//! a record matches `from..to` when `latest >= from.earliest` and
//! `earliest <= to.latest`.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, DbBackend, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::Conn;
use super::edtf::Edtf;
use super::vocab;
use crate::db::entities::{group, operation, target};
use crate::db::rows;
use crate::error::{Error, FieldError, Result};

mod dates;
#[macro_use]
pub(crate) mod declare;
mod records;
#[cfg(test)]
mod tests;
mod text;

pub use dates::DateRange;
pub use declare::{Declared, Field, FieldKind, Values};
pub use records::{GroupFilter, LegalOutcomeFilter, OperationFilter, SourceFilter, TargetFilter};
pub use text::{MAX_QUERY_CHARS, contains, escape_like, query_key};

/// Checks filter values against their vocabularies and code lists, naming
/// each bad one, so both doors refuse the same values the same way.
#[derive(Default)]
pub(crate) struct Checks(Vec<FieldError>);

impl Checks {
    pub(crate) fn one_of(mut self, field: &str, value: &Option<String>, allowed: &[&str]) -> Self {
        if let Some(v) = value
            && !allowed.contains(&v.as_str())
        {
            self.0.push(FieldError::new(
                field,
                format!(
                    "unknown value {v:?}; expected one of {}",
                    allowed.join(", ")
                ),
            ));
        }
        self
    }

    pub(crate) fn code(
        mut self,
        field: &str,
        value: &Option<String>,
        ok: fn(&str) -> bool,
        what: &str,
    ) -> Self {
        if let Some(v) = value
            && !ok(v)
        {
            self.0
                .push(FieldError::new(field, format!("{v:?} is not {what}")));
        }
        self
    }

    /// Free text from a client: no NUL (Postgres refuses it), at most 500 characters.
    pub(crate) fn text(mut self, field: &str, value: &Option<String>) -> Self {
        if let Some(v) = value {
            if v.contains('\0') {
                self.0
                    .push(FieldError::new(field, "must not contain NUL characters"));
            } else if v.chars().count() > 500 {
                self.0
                    .push(FieldError::new(field, "longer than 500 characters"));
            }
        }
        self
    }

    /// An EDTF date.
    pub(crate) fn date(mut self, field: &str, value: &Option<String>) -> Self {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty())
            && let Err(e) = Edtf::parse(v)
        {
            self.0.push(FieldError::new(field, e.to_string()));
        }
        self
    }

    /// A text search (see [`query_key`]).
    pub(crate) fn query(mut self, field: &str, value: &Option<String>) -> Self {
        if let Some(v) = value
            && let Err(Error::Invalid(mut e)) = query_key(v)
        {
            e.iter_mut().for_each(|e| e.field = field.to_owned());
            self.0.append(&mut e);
        }
        self
    }

    /// `from` and `to` in order, once each parses.
    pub(crate) fn range(mut self, from: &Option<String>, to: &Option<String>) -> Self {
        let failed = |f: &str| self.0.iter().any(|e| e.field == f);
        if failed("from") || failed("to") {
            return self;
        }
        if let Err(Error::Invalid(mut e)) = DateRange::parse(from.as_deref(), to.as_deref()) {
            self.0.append(&mut e);
        }
        self
    }

    pub(crate) fn pipe(self, f: impl FnOnce(Self) -> Self) -> Self {
        f(self)
    }

    pub(crate) fn done(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.0))
        }
    }
}

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
    backend: Option<DbBackend>,
    ids: HashMap<(Kind, String), Uuid>,
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
    fn is(&self, col: impl ColumnTrait, kind: Kind, slug: &str) -> Expr {
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
