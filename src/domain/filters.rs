//! One filter type per entity, mirroring the REST query parameters (and the
//! GraphQL `filter` inputs) one to one, and how each becomes SQL.
//!
//! Relations are tested with `IN (subquery)` on the link tables' indexes,
//! the records a filter names by slug looked up first ([`Named`]); dates
//! with overlap semantics on the stored `earliest`/`latest` span:
//! a record matches `from..to` when `latest >= from.earliest` and
//! `earliest <= to.latest`.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query, SelectStatement, UnionType};
use sea_orm::{ColumnTrait, Condition, DbBackend, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::Conn;
use super::edtf::Edtf;
use super::text::search_key;
use super::vocab;
use crate::db::entities::{
    group, legal_outcome, name, operation, operation_group, operation_tactic, operation_target,
    source, target, text,
};
use crate::db::rows;
use crate::error::{Error, FieldError, Result};

/// Checks filter values against their vocabularies and code lists, naming
/// each bad one, so both doors refuse the same values the same way.
#[derive(Default)]
struct Checks(Vec<FieldError>);

impl Checks {
    fn one_of(mut self, field: &str, value: &Option<String>, allowed: &[&str]) -> Self {
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

    fn code(
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
    fn text(mut self, field: &str, value: &Option<String>) -> Self {
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

    fn done(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.0))
        }
    }
}

/// Longest accepted `q`, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// A date range from `from`/`to` parameters, as earliest/latest days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DateRange {
    pub from: Option<Edtf>,
    pub to: Option<Edtf>,
}

impl DateRange {
    /// Parses both ends, reporting each bad one by name.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Self> {
        let mut errors = Vec::new();
        let mut parse = |field: &str, v: Option<&str>| {
            v.filter(|s| !s.is_empty())
                .and_then(|s| match Edtf::parse(s) {
                    Ok(d) => Some(d),
                    Err(e) => {
                        errors.push(FieldError::new(field, e.to_string()));
                        None
                    }
                })
        };
        let range = DateRange {
            from: parse("from", from),
            to: parse("to", to),
        };
        if let (Some(f), Some(t)) = (&range.from, &range.to)
            && f.span().0 > t.span().1
        {
            errors.push(FieldError::new("to", "ends before `from` starts"));
        }
        if errors.is_empty() {
            Ok(range)
        } else {
            Err(Error::Invalid(errors))
        }
    }

    /// The overlap test, or `None` for an open range. `None` rather than an
    /// empty condition so that a list with no filter has an empty condition
    /// (`read` then reports the stored row count instead of counting).
    fn condition(&self, earliest: impl ColumnTrait, latest: impl ColumnTrait) -> Option<Condition> {
        if self.from.is_none() && self.to.is_none() {
            return None;
        }
        let mut c = Condition::all();
        if let Some(from) = &self.from {
            c = c.add(latest.gte(from.span().0));
        }
        if let Some(to) = &self.to {
            c = c.add(earliest.lte(to.span().1));
        }
        Some(c)
    }
}

/// The normalized search key of a `q`, refused when empty or too long.
pub fn query_key(q: &str) -> Result<String> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(Error::invalid(
            "q",
            format!("longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    if q.contains('\0') {
        return Err(Error::invalid("q", "must not contain NUL characters"));
    }
    let key = search_key(q);
    if key.is_empty() {
        return Err(Error::invalid("q", "must contain something to search for"));
    }
    Ok(key)
}

/// `LIKE '%key%'` with the key's own `%`, `_` and `\` taken literally.
pub fn contains(key: &str) -> LikeExpr {
    LikeExpr::new(format!("%{}%", escape_like(key))).escape('\\')
}

/// A text with `LIKE`'s wildcards and escape character taken literally
/// (the pattern must say `ESCAPE '\\'`).
pub fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn ids_where<E: EntityTrait>(select: E::Column, from: E, cond: Condition) -> SelectStatement {
    Query::select()
        .column(select)
        .from(from)
        .cond_where(cond)
        .to_owned()
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

#[derive(Debug, Clone, Default)]
pub struct GroupFilter {
    pub kind: Option<String>,
    /// Slug of the parent group.
    pub parent: Option<String>,
    pub dates: DateRange,
    pub q: Option<String>,
}

impl Filter for GroupFilter {
    fn named(&self) -> Vec<(Kind, &Option<String>)> {
        vec![(Kind::Group, &self.parent)]
    }

    fn check(&self) -> Result<()> {
        Checks::default()
            .one_of("kind", &self.kind, vocab::GROUP_KINDS)
            .text("parent", &self.parent)
            .done()
    }

    fn build(&self, named: &Named) -> Result<Condition> {
        let mut c = Condition::all();
        if let Some(k) = &self.kind {
            c = c.add(group::Column::Kind.eq(k.as_str()));
        }
        if let Some(p) = &self.parent {
            c = c.add(named.is(group::Column::ParentId, Kind::Group, p));
        }
        c = c.add_option(
            self.dates
                .condition(group::Column::Earliest, group::Column::Latest),
        );
        if let Some(q) = &self.q {
            let key = query_key(q)?;
            c = c.add(group::Column::Id.in_subquery(matching(
                Some(name::Column::GroupId),
                text::Column::GroupId,
                &key,
            )));
        }
        Ok(c)
    }
}

/// Ids of records whose names or texts contain `key`, as one subquery: a
/// UNION lets Postgres use both trigram indexes instead of testing every
/// record against two subqueries.
fn matching(name_col: Option<name::Column>, text_col: text::Column, key: &str) -> SelectStatement {
    let texts = texts_like(text_col, key);
    match name_col {
        Some(nc) => names_like(nc, key)
            .union(UnionType::Distinct, texts)
            .to_owned(),
        None => texts,
    }
}

fn names_like(col: name::Column, key: &str) -> SelectStatement {
    ids_where(
        col,
        name::Entity,
        Condition::all()
            .add(col.is_not_null())
            .add(Expr::col(name::Column::SearchKey).like(contains(key))),
    )
}

fn texts_like(col: text::Column, key: &str) -> SelectStatement {
    ids_where(
        col,
        text::Entity,
        Condition::all()
            .add(col.is_not_null())
            .add(Expr::col(text::Column::SearchKey).like(contains(key))),
    )
}

#[derive(Debug, Clone, Default)]
pub struct TargetFilter {
    pub kind: Option<String>,
    pub country: Option<String>,
    /// Targets of operations attributed to this group (slug).
    pub group: Option<String>,
    /// Targets of this operation (slug).
    pub operation: Option<String>,
    pub q: Option<String>,
}

impl Filter for TargetFilter {
    fn named(&self) -> Vec<(Kind, &Option<String>)> {
        vec![
            (Kind::Group, &self.group),
            (Kind::Operation, &self.operation),
        ]
    }

    fn check(&self) -> Result<()> {
        Checks::default()
            .one_of("kind", &self.kind, vocab::TARGET_KINDS)
            .code(
                "country",
                &self.country,
                vocab::is_country,
                "an ISO 3166-1 alpha-2 code",
            )
            .text("group", &self.group)
            .text("operation", &self.operation)
            .done()
    }

    fn build(&self, named: &Named) -> Result<Condition> {
        let mut c = Condition::all();
        if let Some(k) = &self.kind {
            c = c.add(target::Column::Kind.eq(k.as_str()));
        }
        if let Some(cc) = &self.country {
            c = c.add(target::Column::Country.eq(cc.as_str()));
        }
        if let Some(g) = &self.group {
            let ops = ids_where(
                operation_group::Column::OperationId,
                operation_group::Entity,
                Condition::all().add(named.is(operation_group::Column::GroupId, Kind::Group, g)),
            );
            c = c.add(target::Column::Id.in_subquery(ids_where(
                operation_target::Column::TargetId,
                operation_target::Entity,
                Condition::all().add(operation_target::Column::OperationId.in_subquery(ops)),
            )));
        }
        if let Some(o) = &self.operation {
            c = c.add(target::Column::Id.in_subquery(ids_where(
                operation_target::Column::TargetId,
                operation_target::Entity,
                Condition::all().add(named.is(
                    operation_target::Column::OperationId,
                    Kind::Operation,
                    o,
                )),
            )));
        }
        if let Some(q) = &self.q {
            let key = query_key(q)?;
            c = c.add(target::Column::Id.in_subquery(matching(
                Some(name::Column::TargetId),
                text::Column::TargetId,
                &key,
            )));
        }
        Ok(c)
    }
}

#[derive(Debug, Clone, Default)]
pub struct OperationFilter {
    pub group: Option<String>,
    pub target: Option<String>,
    pub tactic: Option<String>,
    /// Slug of the parent operation.
    pub part_of: Option<String>,
    pub dates: DateRange,
    pub disputed: Option<bool>,
    pub q: Option<String>,
}

impl Filter for OperationFilter {
    fn named(&self) -> Vec<(Kind, &Option<String>)> {
        vec![
            (Kind::Group, &self.group),
            (Kind::Target, &self.target),
            (Kind::Operation, &self.part_of),
        ]
    }

    fn check(&self) -> Result<()> {
        Checks::default()
            .one_of("tactic", &self.tactic, vocab::TACTICS)
            .text("group", &self.group)
            .text("target", &self.target)
            .text("part_of", &self.part_of)
            .done()
    }

    fn build(&self, named: &Named) -> Result<Condition> {
        let mut c = Condition::all();
        if let Some(g) = &self.group {
            c = c.add(operation::Column::Id.in_subquery(ids_where(
                operation_group::Column::OperationId,
                operation_group::Entity,
                Condition::all().add(named.is(operation_group::Column::GroupId, Kind::Group, g)),
            )));
        }
        if let Some(t) = &self.target {
            c = c.add(operation::Column::Id.in_subquery(ids_where(
                operation_target::Column::OperationId,
                operation_target::Entity,
                Condition::all().add(named.is(operation_target::Column::TargetId, Kind::Target, t)),
            )));
        }
        if let Some(t) = &self.tactic {
            c = c.add(operation::Column::Id.in_subquery(ids_where(
                operation_tactic::Column::OperationId,
                operation_tactic::Entity,
                Condition::all().add(operation_tactic::Column::Tactic.eq(t.as_str())),
            )));
        }
        if let Some(p) = &self.part_of {
            c = c.add(named.is(operation::Column::PartOfId, Kind::Operation, p));
        }
        c = c.add_option(
            self.dates
                .condition(operation::Column::Earliest, operation::Column::Latest),
        );
        if let Some(d) = self.disputed {
            c = c.add(operation::Column::Disputed.eq(d));
        }
        if let Some(q) = &self.q {
            let key = query_key(q)?;
            c = c.add(operation::Column::Id.in_subquery(matching(
                Some(name::Column::OperationId),
                text::Column::OperationId,
                &key,
            )));
        }
        Ok(c)
    }
}

#[derive(Debug, Clone, Default)]
pub struct LegalOutcomeFilter {
    pub kind: Option<String>,
    pub jurisdiction: Option<String>,
    pub group: Option<String>,
    pub operation: Option<String>,
    /// Outcomes of operations that targeted this target (slug).
    pub target: Option<String>,
    pub dates: DateRange,
    pub disputed: Option<bool>,
    pub q: Option<String>,
}

impl Filter for LegalOutcomeFilter {
    fn named(&self) -> Vec<(Kind, &Option<String>)> {
        vec![
            (Kind::Group, &self.group),
            (Kind::Operation, &self.operation),
            (Kind::Target, &self.target),
        ]
    }

    fn check(&self) -> Result<()> {
        Checks::default()
            .one_of("kind", &self.kind, vocab::LEGAL_OUTCOME_KINDS)
            .code(
                "jurisdiction",
                &self.jurisdiction,
                vocab::is_jurisdiction,
                "an ISO 3166-1 or 3166-2 code",
            )
            .text("group", &self.group)
            .text("operation", &self.operation)
            .text("target", &self.target)
            .done()
    }

    fn build(&self, named: &Named) -> Result<Condition> {
        let mut c = Condition::all();
        if let Some(k) = &self.kind {
            c = c.add(legal_outcome::Column::Kind.eq(k.as_str()));
        }
        if let Some(j) = &self.jurisdiction {
            // `US` also matches the states: `US-CA` is a US jurisdiction.
            c = c.add(
                Condition::any()
                    .add(legal_outcome::Column::Jurisdiction.eq(j.as_str()))
                    .add(
                        Expr::col(legal_outcome::Column::Jurisdiction)
                            .like(LikeExpr::new(format!("{}-%", escape_like(j))).escape('\\')),
                    ),
            );
        }
        if let Some(g) = &self.group {
            // Outcomes concerning the group: named directly, or through one
            // of the group's operations.
            c = c.add(
                Condition::any()
                    .add(named.is(legal_outcome::Column::GroupId, Kind::Group, g))
                    .add(legal_outcome::Column::OperationId.in_subquery(ids_where(
                        operation_group::Column::OperationId,
                        operation_group::Entity,
                        Condition::all().add(named.is(
                            operation_group::Column::GroupId,
                            Kind::Group,
                            g,
                        )),
                    ))),
            );
        }
        if let Some(o) = &self.operation {
            c = c.add(named.is(legal_outcome::Column::OperationId, Kind::Operation, o));
        }
        if let Some(t) = &self.target {
            c = c.add(legal_outcome::Column::OperationId.in_subquery(ids_where(
                operation_target::Column::OperationId,
                operation_target::Entity,
                Condition::all().add(named.is(operation_target::Column::TargetId, Kind::Target, t)),
            )));
        }
        c = c.add_option(self.dates.condition(
            legal_outcome::Column::Earliest,
            legal_outcome::Column::Latest,
        ));
        if let Some(d) = self.disputed {
            c = c.add(legal_outcome::Column::Disputed.eq(d));
        }
        if let Some(q) = &self.q {
            let key = query_key(q)?;
            c = c.add(legal_outcome::Column::Id.in_subquery(matching(
                None,
                text::Column::LegalOutcomeId,
                &key,
            )));
        }
        Ok(c)
    }
}

#[derive(Debug, Clone, Default)]
pub struct SourceFilter {
    pub kind: Option<String>,
    pub language: Option<String>,
    pub dates: DateRange,
}

impl Filter for SourceFilter {
    fn named(&self) -> Vec<(Kind, &Option<String>)> {
        Vec::new()
    }

    fn check(&self) -> Result<()> {
        Checks::default()
            .one_of("kind", &self.kind, vocab::SOURCE_KINDS)
            .code(
                "language",
                &self.language,
                vocab::is_language_tag,
                "a BCP 47 language tag",
            )
            .done()
    }

    fn build(&self, _named: &Named) -> Result<Condition> {
        let mut c = Condition::all();
        if let Some(k) = &self.kind {
            c = c.add(source::Column::Kind.eq(k.as_str()));
        }
        if let Some(l) = &self.language {
            c = c.add(source::Column::Language.eq(l.as_str()));
        }
        c = c.add_option(
            self.dates
                .condition(source::Column::Earliest, source::Column::Latest),
        );
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The SQL of `operations?target=<slug>` on a backend, given what the slug names.
    fn target_sql(backend: DbBackend, id: Option<Uuid>) -> String {
        let named = Named {
            backend: Some(backend),
            ids: id
                .map(|id| ((Kind::Target, "tgt-1".to_owned()), id))
                .into_iter()
                .collect(),
        };
        let f = OperationFilter {
            target: Some("tgt-1".into()),
            ..Default::default()
        };
        let c = f.condition(&named).unwrap();
        use sea_orm::QueryTrait;
        operation::Entity::find()
            .filter(c)
            .build(backend)
            .to_string()
    }

    #[test]
    fn a_named_record_reaches_postgres_as_a_constant_and_sqlite_as_a_parameter() {
        let id = Uuid::from_u128(0x1234);
        let pg = target_sql(DbBackend::Postgres, Some(id));
        assert!(
            pg.contains(&format!("\"target_id\" = ('{id}'::uuid)")),
            "{pg}"
        );
        assert!(
            !pg.contains("FROM \"targets\""),
            "no slug subquery left: {pg}"
        );
        // `build().to_string()` inlines parameters; the statement itself
        // must still have none for the id on Postgres, one on SQLite.
        use sea_orm::QueryTrait;
        let f = OperationFilter {
            target: Some("tgt-1".into()),
            ..Default::default()
        };
        let params = |backend| {
            let named = Named {
                backend: Some(backend),
                ids: [((Kind::Target, "tgt-1".to_owned()), id)].into(),
            };
            operation::Entity::find()
                .filter(f.condition(&named).unwrap())
                .build(backend)
                .values
                .map_or(0, |v| v.0.len())
        };
        assert_eq!(params(DbBackend::Postgres), 0);
        assert_eq!(params(DbBackend::Sqlite), 1);
        // A slug that names nothing matches nothing, on both.
        assert!(target_sql(DbBackend::Postgres, None).contains("1 = 2"));
        assert!(target_sql(DbBackend::Sqlite, None).contains("1 = 2"));
    }

    /// Any text a client may put in a filter, NUL and all.
    fn value() -> impl Strategy<Value = Option<String>> {
        proptest::option::of("(\\PC|\\x00|[a-z-]){0,12}")
    }

    fn check(r: Result<Condition>, fields: &[&str]) -> Result<(), TestCaseError> {
        match r {
            Ok(_) => Ok(()),
            Err(Error::Invalid(errors)) => {
                prop_assert!(!errors.is_empty());
                for e in errors {
                    prop_assert!(fields.contains(&e.field.as_str()), "{:?}", e.field);
                }
                Ok(())
            }
            Err(e) => Err(TestCaseError::fail(format!("not a 400: {e}"))),
        }
    }

    /// A value that got past the checks carries no NUL into SQL.
    fn no_nul(values: &[&Option<String>]) -> bool {
        values
            .iter()
            .all(|v| v.as_ref().is_none_or(|s| !s.contains('\0')))
    }

    proptest! {
        #[test]
        fn date_ranges_parse_or_name_the_bad_end(
            from in "([0-9X?~%./-]|\\PC){0,12}",
            to in "([0-9X?~%./-]|\\PC){0,12}",
        ) {
            match DateRange::parse(Some(&from), Some(&to)) {
                Ok(r) => {
                    if let (Some(f), Some(t)) = (r.from, r.to) {
                        prop_assert!(f.span().0 <= t.span().1);
                    }
                }
                Err(Error::Invalid(errors)) => {
                    for e in errors {
                        prop_assert!(e.field == "from" || e.field == "to");
                    }
                }
                Err(e) => prop_assert!(false, "{e}"),
            }
        }

        #[test]
        fn group_filters_build_or_name_their_fault(
            kind in value(), parent in value(), q in value(),
        ) {
            let f = GroupFilter { kind, parent, q, dates: DateRange::default() };
            let r = f.condition(&Named::default());
            if r.is_ok() {
                prop_assert!(no_nul(&[&f.kind, &f.parent, &f.q]));
            }
            check(r, &["kind", "parent", "q"])?;
        }

        #[test]
        fn target_filters_build_or_name_their_fault(
            kind in value(), country in value(), group in value(), operation in value(), q in value(),
        ) {
            let f = TargetFilter { kind, country, group, operation, q };
            let r = f.condition(&Named::default());
            if r.is_ok() {
                prop_assert!(no_nul(&[&f.kind, &f.country, &f.group, &f.operation, &f.q]));
            }
            check(r, &["kind", "country", "group", "operation", "q"])?;
        }

        #[test]
        fn operation_filters_build_or_name_their_fault(
            group in value(), target in value(), tactic in value(), part_of in value(), q in value(),
        ) {
            let f = OperationFilter { group, target, tactic, part_of, q, ..Default::default() };
            let r = f.condition(&Named::default());
            if r.is_ok() {
                prop_assert!(no_nul(&[&f.group, &f.target, &f.tactic, &f.part_of, &f.q]));
            }
            check(r, &["group", "target", "tactic", "part_of", "q"])?;
        }

        #[test]
        fn legal_outcome_filters_build_or_name_their_fault(
            kind in value(), jurisdiction in value(), group in value(), operation in value(),
            target in value(), q in value(),
        ) {
            let f = LegalOutcomeFilter {
                kind, jurisdiction, group, operation, target, q, ..Default::default()
            };
            let r = f.condition(&Named::default());
            if r.is_ok() {
                prop_assert!(no_nul(&[&f.kind, &f.jurisdiction, &f.group, &f.operation, &f.target, &f.q]));
            }
            check(r, &["kind", "jurisdiction", "group", "operation", "target", "q"])?;
        }

        #[test]
        fn source_filters_build_or_name_their_fault(kind in value(), language in value()) {
            let f = SourceFilter { kind, language, ..Default::default() };
            let r = f.condition(&Named::default());
            if r.is_ok() {
                prop_assert!(no_nul(&[&f.kind, &f.language]));
            }
            check(r, &["kind", "language"])?;
        }
    }
}
