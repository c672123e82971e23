//! The bundled dataset goes in whole and comes back out unchanged; bad files
//! are refused whole; a second import changes nothing.

use factline::Error;
use factline::domain::bundled;
use factline::domain::dataset::Dataset;
use factline::domain::snapshot;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::both_backends;
use crate::helpers::TestDb;
use factline::db::entities::{citation, group, legal_outcome, operation, revision, source, target};

async fn counts(db: &sea_orm::DatabaseConnection) -> [u64; 7] {
    [
        source::Entity::find().count(db).await.unwrap(),
        group::Entity::find().count(db).await.unwrap(),
        target::Entity::find().count(db).await.unwrap(),
        operation::Entity::find().count(db).await.unwrap(),
        legal_outcome::Entity::find().count(db).await.unwrap(),
        citation::Entity::find().count(db).await.unwrap(),
        revision::Entity::find().count(db).await.unwrap(),
    ]
}

fn sorted(mut ds: Dataset) -> Dataset {
    ds.normalize();
    ds.description = None;
    ds.sources.sort_by(|a, b| a.slug.cmp(&b.slug));
    ds.groups.sort_by(|a, b| a.slug.cmp(&b.slug));
    ds.targets.sort_by(|a, b| a.slug.cmp(&b.slug));
    ds.operations.sort_by(|a, b| a.slug.cmp(&b.slug));
    ds.legal_outcomes.sort_by(|a, b| a.slug.cmp(&b.slug));
    ds
}

both_backends!(every_dataset_record_round_trips_through_import, |backend| {
    let Some(t) = TestDb::seeded(backend).await else {
        return;
    };
    let stored = snapshot::dataset(&t.db).await.unwrap();
    let bundled = sorted(crate::helpers::seed());
    assert_eq!(stored.sources.len(), 172);
    assert_eq!(stored.groups.len(), 4);
    assert_eq!(stored.targets.len(), 34);
    assert_eq!(stored.operations.len(), 13);
    assert_eq!(stored.legal_outcomes.len(), 46);
    // Record by record, so a failure names the record.
    for (a, b) in stored.operations.iter().zip(&bundled.operations) {
        assert_eq!(a, b);
    }
    for (a, b) in stored.legal_outcomes.iter().zip(&bundled.legal_outcomes) {
        assert_eq!(a, b);
    }
    assert_eq!(sorted(stored), bundled);
});

both_backends!(
    money_dates_and_arabic_names_keep_their_exact_values,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let lo = factline::domain::read::legal_outcome_by_slug(&t.db, "lo-paypal14-restitution")
            .await
            .unwrap();
        let money = factline::domain::model::Money::of(&lo).unwrap();
        assert_eq!(money.amount.to_string(), "5600.00");
        assert_eq!(
            (money.currency.as_str(), money.scope.as_str()),
            ("USD", "per_person")
        );
        let op = factline::domain::read::operation_by_slug(&t.db, "op-avenge-assange")
            .await
            .unwrap();
        assert_eq!(op.start_precision, "day");
        let g = factline::domain::read::group_by_slug(&t.db, "anonymous")
            .await
            .unwrap();
        assert_eq!(g.founded_edtf.as_deref(), Some("2003"));
        assert_eq!(g.founded_precision.as_deref(), Some("year"));
        assert_eq!(g.founded_earliest.unwrap().to_string(), "2003-01-01");
        assert_eq!(g.founded_latest.unwrap().to_string(), "2003-12-31");
        let names = factline::domain::relations::names_of(
            &t.db,
            factline::domain::model::Subject::Group,
            &[g.id],
        )
        .await
        .unwrap();
        assert!(
            names[&g.id]
                .iter()
                .any(|n| n.lang == "ar" && n.text == "الأنونيموس" && n.kind == "primary")
        );
    }
);

both_backends!(a_second_import_changes_nothing, |backend| {
    let Some(t) = TestDb::seeded(backend).await else {
        return;
    };
    let before = counts(&t.db).await;
    let first = snapshot::dataset(&t.db).await.unwrap();
    let report = crate::helpers::import_dataset(&t.db, crate::helpers::seed())
        .await
        .unwrap();
    assert_eq!(
        (report.created, report.updated, report.unchanged),
        (0, 0, 269)
    );
    assert_eq!(
        counts(&t.db).await,
        before,
        "no row added, revisions included"
    );
    assert_eq!(snapshot::dataset(&t.db).await.unwrap(), first);
    let versions: Vec<i32> = operation::Entity::find()
        .all(&t.db)
        .await
        .unwrap()
        .iter()
        .map(|o| o.version)
        .collect();
    assert!(versions.iter().all(|v| *v == 1), "{versions:?}");
});

both_backends!(
    a_changed_record_is_rewritten_with_a_new_version_and_revision,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let mut ds = crate::helpers::seed();
        let op = ds
            .operations
            .iter_mut()
            .find(|o| o.slug == "op-payback")
            .unwrap();
        op.tactics.push("defacement".into());
        op.targets.retain(|l| l.target != "mpaa");
        let report = crate::helpers::import_dataset(&t.db, ds).await.unwrap();
        assert_eq!(
            (report.created, report.updated, report.unchanged),
            (0, 1, 268)
        );
        let stored = factline::domain::read::operation_by_slug(&t.db, "op-payback")
            .await
            .unwrap();
        assert_eq!(stored.version, 2);
        let rec = &snapshot::operation_records(&t.db, std::slice::from_ref(&stored))
            .await
            .unwrap()[0];
        assert!(rec.tactics.contains(&"defacement".to_owned()));
        assert!(!rec.targets.iter().any(|l| l.target == "mpaa"));
        use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
        let revs = revision::Entity::find()
            .filter(revision::Column::EntityId.eq(stored.id))
            .order_by_asc(revision::Column::Version)
            .all(&t.db)
            .await
            .unwrap();
        assert_eq!(revs.len(), 2);
        assert_eq!(revs[1].action, "update");
        assert!(
            revs[1].before.as_ref().unwrap()["targets"]
                .to_string()
                .contains("mpaa")
        );
        assert!(
            !revs[1].after.as_ref().unwrap()["targets"]
                .to_string()
                .contains("mpaa")
        );
    }
);

both_backends!(
    a_broken_file_is_refused_whole_with_every_problem_named,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let before = counts(&t.db).await;
        let mut ds = crate::helpers::seed();
        // A valid new record that must not be written either.
        let mut extra = ds.targets[0].clone();
        extra.slug = "brand-new-target".into();
        ds.targets.push(extra);
        ds.operations[0].start = "2006-13".into();
        ds.operations[1].citations.clear();
        ds.operations[2].groups[0].group = "no-such-group".into();
        ds.targets[1].country = Some("XX".into());
        let lo = ds
            .legal_outcomes
            .iter_mut()
            .find(|l| l.money.is_some())
            .unwrap();
        let lo_slug = lo.slug.clone();
        lo.money.as_mut().unwrap().currency = "DOLLARS".into();
        ds.sources[3].language = "not a language".into();

        let Err(Error::Invalid(errors)) = crate::helpers::import_dataset(&t.db, ds.clone()).await
        else {
            panic!("the file must be refused");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for expected in [
            format!("operations[{}].start", ds.operations[0].slug),
            format!("operations[{}].citations", ds.operations[1].slug),
            format!("operations[{}].groups[0].group", ds.operations[2].slug),
            format!("targets[{}].country", ds.targets[1].slug),
            format!("legal_outcomes[{lo_slug}].money.currency"),
            format!("sources[{}].language", ds.sources[3].slug),
        ] {
            assert!(
                fields.contains(&expected.as_str()),
                "{expected} not in {fields:?}"
            );
        }
        assert_eq!(errors.len(), 6, "{errors:?}");
        assert_eq!(counts(&t.db).await, before, "nothing was written");
        assert!(
            factline::domain::read::target_by_slug(&t.db, "brand-new-target")
                .await
                .is_err()
        );
    }
);

both_backends!(an_unsourced_link_is_refused, |backend| {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let mut ds = crate::helpers::seed();
    ds.operations[0].targets[0].citations.clear();
    let Err(Error::Invalid(errors)) = crate::helpers::import_dataset(&t.db, ds).await else {
        panic!("an unsourced link must be refused");
    };
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].field.ends_with("targets[0].citations"),
        "{errors:?}"
    );
    assert_eq!(counts(&t.db).await, [0; 7]);
});

#[test]
fn the_bundled_file_holds_every_record_of_the_curated_dataset() {
    // The bundled file is the seed story and the corpus: every seed slug is
    // in it, and the seed story holds exactly the curated records.
    let ds = crate::helpers::seed();
    let all = bundled::dataset().unwrap();
    let has = |slugs: Vec<&String>, of: Vec<&String>| {
        for s in of {
            assert!(slugs.contains(&s), "{s} is not in the bundled file");
        }
    };
    has(
        all.sources.iter().map(|r| &r.slug).collect(),
        ds.sources.iter().map(|r| &r.slug).collect(),
    );
    has(
        all.groups.iter().map(|r| &r.slug).collect(),
        ds.groups.iter().map(|r| &r.slug).collect(),
    );
    has(
        all.targets.iter().map(|r| &r.slug).collect(),
        ds.targets.iter().map(|r| &r.slug).collect(),
    );
    has(
        all.operations.iter().map(|r| &r.slug).collect(),
        ds.operations.iter().map(|r| &r.slug).collect(),
    );
    has(
        all.legal_outcomes.iter().map(|r| &r.slug).collect(),
        ds.legal_outcomes.iter().map(|r| &r.slug).collect(),
    );
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/facts.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("SKIPPED: {} is not beside this checkout", path.display());
        return;
    };
    let facts: serde_json::Value = serde_json::from_str(&text).unwrap();
    let keys = |k: &str| -> Vec<String> {
        let mut v: Vec<String> = facts[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["key"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    let slugs = |v: Vec<&String>| -> Vec<String> {
        let mut v: Vec<String> = v.into_iter().cloned().collect();
        v.sort();
        v
    };
    // The seed's sources are the curated ones and the pages read to tie its
    // values to sources (tools/seed_claims.json).
    let claims: serde_json::Value =
        serde_json::from_str(include_str!("../../tools/seed_claims.json")).unwrap();
    let mut sources = keys("sources");
    sources.extend(
        claims["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["slug"].as_str().unwrap().to_owned()),
    );
    sources.sort();
    assert_eq!(slugs(ds.sources.iter().map(|r| &r.slug).collect()), sources);
    assert_eq!(
        slugs(ds.groups.iter().map(|r| &r.slug).collect()),
        keys("groups")
    );
    assert_eq!(
        slugs(ds.targets.iter().map(|r| &r.slug).collect()),
        keys("targets")
    );
    assert_eq!(
        slugs(ds.operations.iter().map(|r| &r.slug).collect()),
        keys("operations")
    );
    assert_eq!(
        slugs(ds.legal_outcomes.iter().map(|r| &r.slug).collect()),
        keys("legal_outcomes")
    );
    // Every fact keeps its curated sources, in order (a source that shows
    // several fields is cited once per field; pages found for a value no
    // curated source showed come after them).
    for op in facts["operations"].as_array().unwrap() {
        let rec = ds.operations.iter().find(|o| o.slug == op["key"]).unwrap();
        let sources: Vec<&str> = op["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        let mut cited: Vec<&str> = Vec::new();
        for c in &rec.citations {
            if !cited.contains(&c.source.as_str()) {
                cited.push(&c.source);
            }
        }
        let (curated, added): (Vec<&str>, Vec<&str>) =
            cited.into_iter().partition(|s| sources.contains(s));
        assert_eq!(curated, sources, "{}", rec.slug);
        // An added source is cited only for the fields it shows.
        for c in rec
            .citations
            .iter()
            .filter(|c| added.contains(&c.source.as_str()))
        {
            assert!(
                c.field.is_some(),
                "{} cites {} for no field",
                rec.slug,
                c.source
            );
        }
        assert_eq!(rec.disputed, op["disputed"].as_bool().unwrap());
        assert_eq!(rec.dispute_note.as_deref(), op["dispute_note"].as_str());
    }
}

#[test]
fn a_file_that_is_not_json_names_line_and_column() {
    let Err(Error::Invalid(errors)) = Dataset::from_json("{\n  \"sources\": [,]\n}") else {
        panic!("must be refused");
    };
    assert!(errors[0].message.contains("line 2"), "{errors:?}");
}

both_backends!(edge_values_survive_the_bulk_insert_exactly, |backend| {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let mut ds = crate::helpers::seed();
    let op = &mut ds.operations[0];
    // The first and last days a date may name.
    op.start = "0001-01-01".to_owned();
    op.end = Some("9999".to_owned());
    let tricky = "quote \" backslash \\ emoji 🦊 {braces} 'single' ∅ NULL";
    op.names[0].text = tricky.to_owned();
    let note = format!("{tricky}\ttab\nnewline");
    op.dispute_note = Some(note.clone());
    let slug = op.slug.clone();
    crate::helpers::import_dataset(&t.db, ds.clone())
        .await
        .unwrap();
    let stored = factline::domain::read::operation_by_slug(&t.db, &slug)
        .await
        .unwrap();
    assert_eq!(stored.start_earliest.to_string(), "0001-01-01");
    assert_eq!(
        stored.end_latest.map(|d| d.to_string()).as_deref(),
        Some("9999-12-31")
    );
    let back = snapshot::dataset(&t.db).await.unwrap();
    let back = back.operations.iter().find(|o| o.slug == slug).unwrap();
    assert_eq!(back.start, "0001-01-01");
    assert_eq!(back.names[0].text, tricky);
    assert_eq!(back.dispute_note.as_deref(), Some(note.as_str()));
    assert_eq!(
        sorted(snapshot::dataset(&t.db).await.unwrap()),
        sorted(ds),
        "every record comes back as it went in"
    );
    // Every record got a revision with its record as `after`.
    let revisions = revision::Entity::find().all(&t.db).await.unwrap();
    assert_eq!(
        revisions.len() as u64,
        counts(&t.db).await[..5].iter().sum::<u64>()
    );
    assert!(
        revisions
            .iter()
            .all(|r| r.after.as_ref().is_some_and(|a| a.is_object()))
    );
});

/// Every index and constraint of the public schema with its definition, as
/// Postgres prints it.
async fn schema_objects(db: &sea_orm::DatabaseConnection) -> Vec<String> {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    db.query_all_raw(Statement::from_string(
        DbBackend::Postgres,
        "SELECT indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
         UNION ALL
         SELECT conrelid::regclass::text || '.' || conname || ': ' || pg_get_constraintdef(oid)
           FROM pg_constraint WHERE connamespace = 'public'::regnamespace
         ORDER BY 1",
    ))
    .await
    .unwrap()
    .into_iter()
    .map(|r| r.try_get_by_index::<String>(0).unwrap())
    .collect()
}

/// Into empty tables, Postgres builds the secondary indexes and checks the
/// foreign keys once, at the end; the schema is then exactly as migrated,
/// and a refused file leaves it so too.
#[tokio::test]
async fn an_import_into_empty_tables_leaves_every_index_and_key_as_migrated() {
    use crate::helpers::Backend;
    let Some(t) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let migrated = schema_objects(&t.db).await;
    assert!(
        migrated
            .iter()
            .any(|o| o.starts_with("idx_names_search_trgm:"))
            && migrated.iter().any(|o| o.contains("FOREIGN KEY")),
        "{migrated:#?}"
    );

    let mut bad = crate::helpers::seed();
    bad.operations
        .iter_mut()
        .find(|o| !o.groups.is_empty())
        .unwrap()
        .groups[0]
        .group = "no-such-group".into();
    assert!(matches!(
        crate::helpers::import_dataset(&t.db, bad).await,
        Err(Error::Invalid(_))
    ));
    assert_eq!(
        schema_objects(&t.db).await,
        migrated,
        "after a refused file"
    );
    assert_eq!(counts(&t.db).await, [0; 7]);

    crate::helpers::import_dataset(&t.db, crate::helpers::seed())
        .await
        .unwrap();
    assert_eq!(schema_objects(&t.db).await, migrated, "after an import");
    assert!(counts(&t.db).await.iter().all(|n| *n > 0));
    // The rebuilt trigram index answers a search.
    let hits = factline::domain::search::search(&t.db, "anonym", 5)
        .await
        .unwrap();
    assert!(!hits.is_empty());
}

/// A file of 11,000 groups and 6,000 operations, each a child of the one at
/// half its number: the import writes it in steps of 5,000 records, so
/// parents and children, links and their citations fall in different steps.
fn a_file_of_many_steps() -> Dataset {
    use serde_json::json;
    let cite = || json!([{"source": "src-steps", "locator": "p. 1"}]);
    let groups: Vec<_> = (0..11_000)
        .rev()
        .map(|i| {
            json!({
                "slug": format!("g-{i:05}"),
                "kind": "cell",
                "names": [{"lang": "en", "text": format!("Cell {i}"), "kind": "primary"}],
                "parent": (i > 0).then(|| format!("g-{:05}", i / 2)),
                "citations": cite(),
            })
        })
        .collect();
    let operations: Vec<_> = (0..6_000)
        .rev()
        .map(|i| {
            json!({
                "slug": format!("op-{i:05}"),
                "names": [{"lang": "en", "text": format!("Operation {i}"), "kind": "primary"}],
                "start": "2011-06",
                "part_of": (i > 0).then(|| format!("op-{:05}", i / 2)),
                "groups": [{"group": format!("g-{:05}", 10_999 - i), "role": "claimed", "citations": cite()}],
                "citations": cite(),
            })
        })
        .collect();
    let text = json!({
        "format": "factline-dataset",
        "version": 1,
        "sources": [{"slug": "src-steps", "title": "Steps", "language": "en", "kind": "news"}],
        "groups": groups,
        "targets": [],
        "operations": operations,
        "legal_outcomes": [],
    })
    .to_string();
    Dataset::parse(&text).unwrap()
}

both_backends!(
    a_file_larger_than_one_step_goes_in_whole_and_back_out_unchanged,
    |backend| {
        let Some(t) = TestDb::new(backend).await else {
            return;
        };
        let file = a_file_of_many_steps();
        // One record of each kind first: into tables that hold rows, the
        // foreign keys stay on during the import and check every step's order.
        let mut seed = file.clone();
        seed.groups = vec![file.groups[0].clone()];
        seed.operations = vec![file.operations[0].clone()];
        seed.groups[0].slug = "g-seed".into();
        seed.groups[0].parent = None;
        seed.operations[0].slug = "op-seed".into();
        seed.operations[0].part_of = None;
        seed.operations[0].groups[0].group = "g-seed".into();
        crate::helpers::import_dataset(&t.db, seed.clone())
            .await
            .unwrap();

        let report = crate::helpers::import_dataset(&t.db, file.clone())
            .await
            .unwrap();
        assert_eq!((report.created, report.unchanged), (17_000, 1));
        // sources, groups, targets, operations, legal outcomes, citations
        // (every record and every link cites once), revisions.
        let expected = [1, 11_001, 0, 6_001, 0, 23_003, 17_003];
        assert_eq!(counts(&t.db).await, expected);
        let mut whole = file.clone();
        whole.groups.extend(seed.groups);
        whole.operations.extend(seed.operations);
        assert_eq!(snapshot::dataset(&t.db).await.unwrap(), sorted(whole));

        let again = crate::helpers::import_dataset(&t.db, file).await.unwrap();
        assert_eq!(
            (again.created, again.updated, again.unchanged),
            (0, 0, 17_001)
        );
        assert_eq!(counts(&t.db).await, expected);
    }
);

// A cycle among many groups: every group below it has a chain that never
// ends. The writer reads groups once per depth, so the import must see the
// cycle before it works out any depths (it once made a pass per group).
both_backends!(
    a_parent_cycle_among_many_groups_is_refused_at_once,
    |backend| {
        let Some(t) = TestDb::new(backend).await else {
            return;
        };
        let mut file = a_file_of_many_steps();
        file.operations.clear();
        let root = file
            .groups
            .iter_mut()
            .find(|g| g.slug == "g-00000")
            .unwrap();
        root.parent = Some("g-00004".into());
        let started = std::time::Instant::now();
        let Err(Error::Invalid(errors)) = crate::helpers::import_dataset(&t.db, file).await else {
            panic!("a cycle must be refused");
        };
        // Every group's chain runs into the loop 0 → 4 → 2 → 1 → 0.
        assert_eq!(errors.len(), 11_000);
        assert_eq!(errors[0].field, "groups[g-00000].parent");
        assert!(errors.iter().all(|e| e.message.contains("loops back")));
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(counts(&t.db).await, [0; 7]);
    }
);

both_backends!(the_bundled_corpus_round_trips_through_import, |backend| {
    let Some(t) = TestDb::bundled(backend).await else {
        return;
    };
    let file = sorted(bundled::dataset().unwrap());
    let stored = sorted(snapshot::dataset(&t.db).await.unwrap());
    assert_eq!(stored.sources, file.sources);
    assert_eq!(stored.groups, file.groups);
    assert_eq!(stored.targets, file.targets);
    assert_eq!(stored.operations, file.operations);
    assert_eq!(stored.legal_outcomes, file.legal_outcomes);
    let report = crate::helpers::import_dataset(&t.db, bundled::dataset().unwrap())
        .await
        .unwrap();
    assert_eq!(
        (report.created, report.updated),
        (0, 0),
        "a second import changes nothing"
    );
});

/// Whether the planner has statistics for `operations` (Postgres: an ANALYZE
/// ran; SQLite: `sqlite_stat1` exists).
async fn analysed(db: &sea_orm::DatabaseConnection) -> bool {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT count(*) FROM pg_stat_user_tables \
             WHERE relname = 'operations' AND last_analyze IS NOT NULL"
        }
        _ => "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'",
    };
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap() > 0
}

both_backends!(a_large_import_refreshes_the_planner_statistics, |backend| {
    // Until autovacuum came by, Postgres planned a large import's tables
    // from their old estimates: a target by slug took 395 ms instead of
    // 17 ms (db::bulk::refresh_statistics). Both doors: a file (`factline
    // import`, seeding) and `POST /v1/import`.
    let large = || {
        let base = bundled::dataset().unwrap();
        let mut ds = crate::statements::many_operations(factline::db::bulk::ANALYZE_AFTER);
        ds.groups = base.groups;
        ds.targets = base.targets;
        ds
    };
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    assert!(!analysed(&t.db).await, "a new database has no statistics");
    let report = crate::helpers::import_dataset(&t.db, large())
        .await
        .unwrap();
    assert!(report.created >= factline::db::bulk::ANALYZE_AFTER);
    assert!(analysed(&t.db).await, "analysed once the import committed");

    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    assert!(!analysed(&t.db).await, "a new database has no statistics");
    let app = crate::helpers::TestApp::spawn(t).await;
    let (_, admin) = factline::domain::auth::create_key(
        &app.tdb.db,
        factline::domain::auth::Role::Admin,
        "admin",
    )
    .await
    .unwrap();
    let file = serde_json::to_value(large()).unwrap();
    let res = app
        .send(
            reqwest::Method::POST,
            "/v1/import",
            Some(&admin),
            None,
            Some(&file),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(
        analysed(&app.tdb.db).await,
        "analysed after POST /v1/import"
    );
});

// A record stored under an id that is not the one an import would give it
// (a database filled by other means) keeps that id, and the records of the
// same file that refer to it are written with it: the import looks stored
// ids up a step at a time, not for the whole file at once. A source cited
// by a group, and a group that is the parent of another (the next depth).
both_backends!(
    a_record_stored_under_its_own_id_keeps_it_and_is_referred_to_by_it,
    |backend| {
        use sea_orm::sea_query::Expr;
        use sea_orm::{ColumnTrait, QueryFilter};
        let Some(t) = TestDb::new(backend).await else {
            return;
        };
        let group = |slug: &str, rest: &str| {
            format!(
                r#"{{"slug": "{slug}", "kind": "collective",
                    "names": [{{"lang": "en", "text": "{slug}", "kind": "primary"}}]{rest}}}"#
            )
        };
        let file = |title: &str, groups: Vec<String>| {
            Dataset::from_json(&format!(
                r#"{{"format": "factline-dataset", "version": 1,
                    "sources": [{{"slug": "src-own", "title": "{title}", "language": "en", "kind": "news"}}],
                    "groups": [{}]}}"#,
                groups.join(",")
            ))
            .unwrap()
        };
        crate::helpers::import_dataset(
            &t.db,
            file(
                "First",
                vec![group(
                    "grp-parent",
                    r#", "citations": [{"source": "src-own"}]"#,
                )],
            ),
        )
        .await
        .unwrap();
        let (own_source, own_group) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
        source::Entity::update_many()
            .col_expr(source::Column::Id, Expr::value(own_source))
            .filter(source::Column::Slug.eq("src-own"))
            .exec(&t.db)
            .await
            .unwrap();
        // Its names and citations point at it; the import writes them again.
        factline::db::entities::name::Entity::delete_many()
            .exec(&t.db)
            .await
            .unwrap();
        citation::Entity::delete_many().exec(&t.db).await.unwrap();
        group::Entity::update_many()
            .col_expr(group::Column::Id, Expr::value(own_group))
            .filter(group::Column::Slug.eq("grp-parent"))
            .exec(&t.db)
            .await
            .unwrap();
        let second = file(
            "Second",
            vec![
                // The child first: it is written a depth later all the same.
                group(
                    "grp-child",
                    r#", "parent": "grp-parent", "citations": [{"source": "src-own"}]"#,
                ),
                group("grp-parent", r#", "citations": [{"source": "src-own"}]"#),
            ],
        );
        let report = crate::helpers::import_dataset(&t.db, second).await.unwrap();
        assert_eq!((report.created, report.updated), (1, 2));
        let s = source::Entity::find().one(&t.db).await.unwrap().unwrap();
        assert_eq!(
            (s.id, s.title.as_str(), s.version),
            (own_source, "Second", 2)
        );
        let groups = group::Entity::find().all(&t.db).await.unwrap();
        let by_slug = |slug: &str| groups.iter().find(|g| g.slug == slug).unwrap();
        assert_eq!(by_slug("grp-parent").id, own_group);
        assert_eq!(by_slug("grp-child").parent_id, Some(own_group));
        let cites: Vec<uuid::Uuid> = citation::Entity::find()
            .all(&t.db)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.source_id)
            .collect();
        assert_eq!(cites, [own_source, own_source]);
    }
);
