//! SQL statements per request: a page's statements do not grow with its
//! size (GraphQL), and a streamed CSV list's grow with its pages, not its rows.

use factline::domain::bundled;
use factline::domain::dataset::{
    CitationRecord, Dataset, GroupLinkRecord, NameRecord, OperationRecord, TargetLinkRecord,
};
use factline::rest::csv::STREAM_BATCH;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{TestApp, TestDb};

/// A dataset with `n` extra operations, each with groups, targets, outcomes
/// and citations, so a page of 50 has 50 parents for every relation.
pub fn many_operations(n: usize) -> Dataset {
    let base = bundled::dataset().unwrap();
    let cite = |s: &str| {
        vec![CitationRecord {
            source: s.to_owned(),
            quote: None,
            locator: None,
            field: None,
        }]
    };
    let mut ds = Dataset {
        sources: base.sources.clone(),
        ..Dataset::default()
    };
    let mut outcomes = Vec::new();
    for i in 0..n {
        let slug = format!("op-generated-{i:03}");
        ds.operations.push(OperationRecord {
            slug: slug.clone(),
            names: vec![NameRecord {
                lang: "en".into(),
                text: format!("Generated {i}"),
                kind: "primary".into(),
            }],
            start: format!("20{:02}-0{}", 10 + i % 10, 1 + i % 9),
            end: None,
            part_of: None,
            tactics: vec!["ddos".into()],
            texts: vec![],
            disputed: false,
            dispute_note: None,
            alternatives: vec![],
            groups: vec![GroupLinkRecord {
                group: "anonymous".into(),
                role: "claimed".into(),
                citations: cite("seed-article"),
            }],
            targets: vec![TargetLinkRecord {
                target: "paypal".into(),
                citations: cite("wikipedia-paypal14"),
            }],
            citations: cite("seed-article"),
        });
        let mut lo = base.legal_outcomes[0].clone();
        lo.slug = format!("lo-generated-{i:03}");
        lo.operation = Some(slug);
        outcomes.push(lo);
    }
    ds.legal_outcomes = outcomes;
    ds
}

/// `factline_db_read_statements_total` from `/metrics`.
pub async fn read_statements(app: &TestApp) -> u64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("factline_db_read_statements_total "))
        .expect("the read statements counter")
        .parse()
        .unwrap()
}

both_backends!(
    sql_statements_per_page_do_not_grow_with_the_page_size,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        crate::helpers::import_dataset(&t.db, many_operations(60))
            .await
            .unwrap();
        let app = TestApp::spawn(t).await;
        let query = r#"query($first: Int!) { operations(first: $first, filter: {q: "generated"}) { totalCount nodes {
        slug names { text } tactics texts { text } start { edtf } partOf { slug } parts { slug }
        groups(first: 3) { role citations { source { slug } } group { name names { text } legalOutcomes(first: 3) { slug citations { source { title } } } } }
        targets(first: 3) { citations { quote } target { name operations(first: 3) { operation { slug } citations { source { slug } } } citations { source { slug } } } }
        legalOutcomes(first: 3) { slug date { edtf } money { amount } group { slug } citations { source { title url } } }
        citations { source { slug citedBy { slug } } } } } }"#;
        let mut counts = Vec::new();
        for first in [2, 50] {
            let before = read_statements(&app).await;
            let b = app.gql(query, json!({"first": first})).await;
            assert!(b["errors"].is_null(), "{b}");
            assert_eq!(
                b["data"]["operations"]["nodes"].as_array().unwrap().len(),
                first
            );
            counts.push(read_statements(&app).await - before);
        }
        assert!(counts[0] > 5, "the counter sees statements: {counts:?}");
        assert_eq!(
            counts[0], counts[1],
            "statements for 2 and 50 operations: {counts:?}"
        );
    }
);

both_backends!(
    a_streamed_csv_list_counts_its_statements_by_page,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        // Two full pages and a part-full third.
        crate::helpers::import_dataset(&t.db, many_operations(2 * STREAM_BATCH as usize))
            .await
            .unwrap();
        let app = TestApp::spawn(t).await;
        let before = read_statements(&app).await;
        let res = app.get("/v1/operations.csv").await;
        assert_eq!(res.status(), 200);
        let total: u64 = res.headers()["x-total-count"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(total > 2 * STREAM_BATCH, "{total}");
        let rows = res.text().await.unwrap().lines().count() as u64 - 1;
        assert_eq!(rows, total);
        // The stream reads through the pool, not the request's connection,
        // and its statements are counted in /metrics like any read's: the
        // total once, then per page the list and at most one statement for
        // each of the ten loaders of what a row prints (parents, names,
        // texts, sources, alternatives and their citations, tactics, groups,
        // targets, legal outcomes), whatever the page's rows.
        let statements = read_statements(&app).await - before;
        let pages = total.div_ceil(STREAM_BATCH);
        assert!(
            (1 + pages..=1 + 11 * pages).contains(&statements),
            "{statements} statements for {pages} pages"
        );
    }
);

/// The relation connections of every group, target and source: one windowed
/// statement per field and level, the nodes (a citing record's by kind) and
/// the links' citations by the loaders, whatever `first` is.
const RELATION_PAGES: &str = r#"query($first: Int!) {
  groups(first: 10) { nodes { slug
    operationLinks(first: $first) { totalCount pageInfo { hasNextPage endCursor }
      edges { cursor role citations { source { slug } } node { slug } } }
    legalOutcomeLinks(first: $first) { totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { slug citations { source { slug } } } } } } }
  targets(first: 40) { nodes { slug
    operationLinks(first: $first) { totalCount pageInfo { hasNextPage endCursor }
      edges { cursor citations { source { slug } } node { slug } } } } }
  sources(first: 100) { nodes { slug
    citingRecords(first: $first) { totalCount pageInfo { hasNextPage endCursor }
      edges { cursor kind node { id } } } } }
}"#;

/// A group's operations alone, as the issue asks them measured.
const GROUP_OPERATION_LINKS: &str = r#"query($first: Int!) {
  groups(first: 10) { nodes { slug
    operationLinks(first: $first) { totalCount pageInfo { hasNextPage endCursor }
      edges { cursor role citations { source { slug } } node { slug } } } } }
}"#;

both_backends!(
    statements_for_relation_pages_do_not_grow_with_first,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        crate::helpers::import_dataset(&t.db, many_operations(60))
            .await
            .unwrap();
        // Pages of 100 under 150 parents are beyond the default complexity.
        let limits = factline::config::GraphqlLimits {
            max_complexity: 1_000_000,
            ..Default::default()
        };
        let app = TestApp::spawn_with(t, limits).await;
        for (what, query) in [
            ("a group's operationLinks", GROUP_OPERATION_LINKS),
            ("every relation connection", RELATION_PAGES),
        ] {
            let mut counts = Vec::new();
            for first in [20, 100] {
                let before = read_statements(&app).await;
                let b = app.gql(query, json!({"first": first})).await;
                assert!(b["errors"].is_null(), "{b}");
                let anonymous = b["data"]["groups"]["nodes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|g| g["slug"] == "anonymous")
                    .unwrap();
                let links = &anonymous["operationLinks"];
                let total = links["totalCount"].as_u64().unwrap();
                assert!(total > 60, "{total}");
                let edges = links["edges"].as_array().unwrap().len();
                assert_eq!(edges as u64, total.min(first), "{links}");
                assert_eq!(links["pageInfo"]["hasNextPage"], total > first);
                counts.push(read_statements(&app).await - before);
            }
            eprintln!("{backend:?}: statements for {what}, pages of 20 and 100: {counts:?}");
            assert_eq!(counts[0], counts[1], "{what}: {counts:?}");
        }
    }
);
