//! The filters' SQL and checks, and property tests of what they refuse.

use proptest::prelude::*;

use sea_orm::{Condition, DbBackend, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::*;
use crate::db::entities::operation;
use crate::error::{Error, Result};

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
    /// A `q` is refused exactly when the documented pattern refuses it
    /// (blank, or holding NUL); what it then matches is another matter.
    #[test]
    fn a_query_is_refused_exactly_when_the_pattern_refuses_it(q in "(\\PC|\\x00|[ \\t\\n\\r\\x0b\\u{3000}\\u{0301}]){0,12}") {
        let shape = regex::Regex::new(declare::QUERY_PATTERN).unwrap();
        prop_assert_eq!(text::query_key(&q).is_ok(), shape.is_match(&q), "{:?}", q);
    }

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
        let f = GroupFilter { kind, parent, q, ..Default::default() };
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
