//! The domain's read functions: filters, overlap dates, search keys,
//! pagination and batch loading, on both backends.

use std::collections::HashSet;

use factline::Error;
use factline::domain::filters::{
    GroupFilter, LegalOutcomeFilter, OperationFilter, SourceFilter, TargetFilter,
};
use factline::domain::model::Subject;
use factline::domain::page::PageRequest;
use factline::domain::{read, relations};

use crate::both_backends;
use crate::helpers::TestDb;

fn all() -> PageRequest {
    PageRequest::new(Some(100), None).unwrap()
}

fn slugs<T>(items: &[T], slug: impl Fn(&T) -> &str) -> Vec<String> {
    let mut v: Vec<String> = items.iter().map(|i| slug(i).to_owned()).collect();
    v.sort();
    v
}

async fn operations(db: &sea_orm::DatabaseConnection, f: OperationFilter) -> Vec<String> {
    let page = read::list_operations(db, &f, None, &all()).await.unwrap();
    assert_eq!(page.total as usize, page.items.len());
    slugs(&page.items, |o| &o.slug)
}

both_backends!(
    operations_filter_by_group_target_tactic_and_dispute,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let db = &t.db;
        let paypal = operations(
            db,
            OperationFilter {
                target: Some("paypal".into()),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(paypal, ["op-avenge-assange", "op-payback"]);
        let lulz = operations(
            db,
            OperationFilter {
                group: Some("lulzsec".into()),
                ..Default::default()
            },
        )
        .await;
        assert!(lulz.contains(&"op-lulzsec-50-days".to_owned()));
        assert!(!lulz.contains(&"op-chanology".to_owned()));
        let raids = operations(
            db,
            OperationFilter {
                tactic: Some("raid".into()),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(raids, ["op-habbo-raid-2006"]);
        let parts = operations(
            db,
            OperationFilter {
                part_of: Some("op-payback".into()),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(parts, ["op-avenge-assange"]);
        let disputed = operations(
            db,
            OperationFilter {
                disputed: Some(true),
                ..Default::default()
            },
        )
        .await;
        assert!(disputed.contains(&"op-habbo-raid-2006".to_owned()));
        let undisputed = operations(
            db,
            OperationFilter {
                disputed: Some(false),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(disputed.len() + undisputed.len(), 13);
        let none = operations(
            db,
            OperationFilter {
                group: Some("no-such-group".into()),
                ..Default::default()
            },
        )
        .await;
        assert!(none.is_empty());
    }
);

both_backends!(
    date_ranges_overlap_at_year_month_and_day_precision,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let db = &t.db;
        // op-payback runs 2010-09 to 2011-01: a year, a month and a day inside it all match.
        for (from, to) in [
            ("2011", "2011"),
            ("2010-12", "2010-12"),
            ("2010-10-15", "2010-10-15"),
            ("2011-01-31", "2012"),
        ] {
            let ops = operations(
                db,
                OperationFilter {
                    from: Some(from.into()),
                    to: Some(to.into()),
                    ..Default::default()
                },
            )
            .await;
            assert!(
                ops.contains(&"op-payback".to_owned()),
                "{from}..{to}: {ops:?}"
            );
        }
        for (from, to) in [
            ("2011-02", "2011-02"),
            ("2010-08-31", "2010-08-31"),
            ("2009", "2009"),
        ] {
            let ops = operations(
                db,
                OperationFilter {
                    from: Some(from.into()),
                    to: Some(to.into()),
                    ..Default::default()
                },
            )
            .await;
            assert!(
                !ops.contains(&"op-payback".to_owned()),
                "{from}..{to}: {ops:?}"
            );
        }
        // A legal outcome known only as "2012" matches any day of 2012, and not 2013.
        let year_only = read::list_legal_outcomes(db, &LegalOutcomeFilter::default(), None, &all())
            .await
            .unwrap();
        let lo = year_only
            .items
            .iter()
            .find(|l| l.date_edtf == "2012")
            .expect("a year-only outcome");
        for (from, to, hit) in [
            ("2012-06-15", "2012-06-15", true),
            ("2012-12", "2013", true),
            ("2013", "2014", false),
        ] {
            let page = read::list_legal_outcomes(
                db,
                &LegalOutcomeFilter {
                    from: Some(from.into()),
                    to: Some(to.into()),
                    ..Default::default()
                },
                None,
                &all(),
            )
            .await
            .unwrap();
            assert_eq!(
                page.items.iter().any(|l| l.slug == lo.slug),
                hit,
                "{from}..{to}"
            );
        }
        // Only `from`: everything that has not ended before it, which
        // includes operations whose end is open (Chanology) or unknown
        // (AntiSec), and not one that ended (Payback, 2011-01).
        let later = operations(
            db,
            OperationFilter {
                from: Some("2013".into()),
                ..Default::default()
            },
        )
        .await;
        assert!(later.contains(&"op-chanology".to_owned()), "{later:?}");
        assert!(later.contains(&"op-antisec".to_owned()), "{later:?}");
        assert!(!later.contains(&"op-payback".to_owned()), "{later:?}");
    }
);

both_backends!(
    legal_outcomes_filter_by_kind_jurisdiction_and_relations,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let db = &t.db;
        let list = |f: LegalOutcomeFilter| async move {
            read::list_legal_outcomes(db, &f, None, &all())
                .await
                .unwrap()
                .items
        };
        let sentences = list(LegalOutcomeFilter {
            kind: Some("sentence".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(sentences.len(), 13);
        let ca = list(LegalOutcomeFilter {
            jurisdiction: Some("US-CA".into()),
            ..Default::default()
        })
        .await;
        assert!(
            !ca.is_empty()
                && ca
                    .iter()
                    .all(|l| l.jurisdiction.as_deref() == Some("US-CA"))
        );
        // `US` covers the federal level and every state.
        let us = list(LegalOutcomeFilter {
            jurisdiction: Some("US".into()),
            ..Default::default()
        })
        .await;
        assert!(us.len() > ca.len());
        assert!(
            us.iter()
                .all(|l| l.jurisdiction.as_deref().unwrap().starts_with("US"))
        );
        let paypal = list(LegalOutcomeFilter {
            target: Some("paypal".into()),
            ..Default::default()
        })
        .await;
        assert!(paypal.iter().any(|l| l.slug == "lo-paypal14-restitution"));
        let op = list(LegalOutcomeFilter {
            operation: Some("op-chanology".into()),
            ..Default::default()
        })
        .await;
        assert!(op.iter().any(|l| l.slug == "lo-guzner-plea"));
    }
);

both_backends!(
    targets_groups_and_sources_filter_by_their_fields,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let db = &t.db;
        let fi = read::list_targets(
            db,
            &TargetFilter {
                country: Some("FI".into()),
                ..Default::default()
            },
            None,
            &all(),
        )
        .await
        .unwrap();
        assert_eq!(slugs(&fi.items, |t| &t.slug), ["habbo"]);
        let companies = read::list_targets(
            db,
            &TargetFilter {
                kind: Some("company".into()),
                ..Default::default()
            },
            None,
            &all(),
        )
        .await
        .unwrap();
        assert!(companies.items.iter().all(|t| t.kind == "company") && companies.total > 3);
        let of_op = read::list_targets(
            db,
            &TargetFilter {
                operation: Some("op-avenge-assange".into()),
                ..Default::default()
            },
            None,
            &all(),
        )
        .await
        .unwrap();
        assert!(of_op.items.iter().any(|t| t.slug == "paypal"));
        let children = read::list_groups(
            db,
            &GroupFilter {
                parent: Some("anonymous".into()),
                ..Default::default()
            },
            None,
            &all(),
        )
        .await
        .unwrap();
        assert_eq!(slugs(&children.items, |g| &g.slug), ["antisec", "lulzsec"]);
        let ar = read::list_sources(
            db,
            &SourceFilter {
                language: Some("ar".into()),
                ..Default::default()
            },
            None,
            &all(),
        )
        .await
        .unwrap();
        assert!(ar.items.iter().any(|s| s.slug == "seed-article"));
    }
);

both_backends!(
    search_keys_find_arabic_names_whatever_their_diacritics_and_variants,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        for q in [
            "الأنونيموس",
            "الانونيموس",
            "الأَنُونِيمُوس",
            "ANONYMOUS",
            "anonymous collective",
        ] {
            let page = read::list_groups(
                &t.db,
                &GroupFilter {
                    q: Some(q.into()),
                    ..Default::default()
                },
                None,
                &all(),
            )
            .await
            .unwrap();
            assert!(page.items.iter().any(|g| g.slug == "anonymous"), "{q}");
        }
        let ops = operations(
            &t.db,
            OperationFilter {
                q: Some("Pool's Closed".into()),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(ops, ["op-habbo-raid-2006"]);
        // LIKE wildcards in a query are taken literally.
        let none = operations(
            &t.db,
            OperationFilter {
                q: Some("%".into()),
                ..Default::default()
            },
        )
        .await;
        assert!(none.is_empty());
    }
);

both_backends!(
    pagination_walks_every_record_exactly_once_in_every_sort,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        for sort in ["slug", "-slug", "date", "-date"] {
            let mut seen = HashSet::new();
            let mut cursor: Option<String> = None;
            let mut pages = 0;
            loop {
                let page = PageRequest::new(Some(7), cursor.as_deref()).unwrap();
                let p = read::list_legal_outcomes(
                    &t.db,
                    &LegalOutcomeFilter::default(),
                    Some(sort),
                    &page,
                )
                .await
                .unwrap();
                assert_eq!(p.total, 46);
                for l in &p.items {
                    assert!(seen.insert(l.slug.clone()), "{sort}: {} twice", l.slug);
                }
                pages += 1;
                match p.next_cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            assert_eq!(seen.len(), 46, "{sort}");
            assert_eq!(pages, 7, "{sort}");
        }
        // A cursor from one sort order is refused by another.
        let p = read::list_legal_outcomes(
            &t.db,
            &LegalOutcomeFilter::default(),
            Some("slug"),
            &PageRequest::new(Some(2), None).unwrap(),
        )
        .await
        .unwrap();
        let other = PageRequest::new(Some(2), p.next_cursor.as_deref()).unwrap();
        let err =
            read::list_legal_outcomes(&t.db, &LegalOutcomeFilter::default(), Some("date"), &other)
                .await
                .unwrap_err();
        assert!(matches!(err, Error::Invalid(ref f) if f[0].field == "cursor"));
        let err = read::list_operations(&t.db, &OperationFilter::default(), Some("color"), &all())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Invalid(ref f) if f[0].field == "sort"));
    }
);

both_backends!(
    unknown_slugs_are_not_found_and_batches_load_many_parents_at_once,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let db = &t.db;
        assert!(matches!(
            read::group_by_slug(db, "nobody").await,
            Err(Error::NotFound { .. })
        ));
        let ops = read::list_operations(db, &OperationFilter::default(), None, &all())
            .await
            .unwrap()
            .items;
        let ids: Vec<_> = ops.iter().map(|o| o.id).collect();
        let url = relations::SourceColumns::NONE.with(factline::db::entities::source::Column::Url);
        let cites = relations::citations_of(db, Subject::Operation, &ids, url)
            .await
            .unwrap();
        assert_eq!(cites.len(), 13, "every operation has a citation");
        let payback = ops.iter().find(|o| o.slug == "op-payback").unwrap();
        assert!(
            cites[&payback.id]
                .iter()
                .any(|c| c.source.url().unwrap().is_some())
        );
        // A column the reader did not select is an error, not an empty value.
        assert!(cites[&payback.id][0].source.title().is_err());
        let groups = relations::groups_of_operations(db, &ids).await.unwrap();
        assert_eq!(groups[&payback.id][0].1.slug, "anonymous");
        assert_eq!(groups[&payback.id][0].0.role, "attributed");
        let targets = relations::targets_of_operations(db, &ids).await.unwrap();
        assert_eq!(targets[&payback.id].len(), 16);
        let outcomes = relations::legal_outcomes_of_operations(db, &ids)
            .await
            .unwrap();
        assert!(outcomes.values().map(Vec::len).sum::<usize>() > 30);
        let by_ids = read::operations_by_ids(db, &ids).await.unwrap();
        assert_eq!(by_ids.len(), 13);
        let anon = read::group_by_slug(db, "anonymous").await.unwrap();
        let kids = relations::children_of_groups(db, &[anon.id]).await.unwrap();
        assert_eq!(kids[&anon.id].len(), 2);
    }
);
