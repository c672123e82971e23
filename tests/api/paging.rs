//! Relation connections (`Group.operationLinks`, `Group.legalOutcomeLinks`,
//! `Target.operationLinks`, `Source.citingRecords`): walking one to its end
//! gives its list field's order and length, and a cursor it did not issue is
//! bad input, never an internal error.

use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{TestApp, TestDb};
use crate::statements::many_operations;

/// A citing record's slug, whatever its kind.
const ANY_SLUG: &str = "... on Group { slug } ... on Target { slug } ... on Operation { slug } ... on LegalOutcome { slug }";

/// One relation of one record: its list field (the list and the item's key)
/// and its connection (the edge's key).
struct Relation {
    /// The record: `group(slug: "anonymous")`.
    record: String,
    list: &'static str,
    list_key: fn(&Value) -> Value,
    connection: &'static str,
    edge: String,
    edge_key: fn(&Value) -> Value,
}

fn relations() -> Vec<Relation> {
    vec![
        Relation {
            record: r#"group(slug: "anonymous")"#.into(),
            list: "operations(first: 100) { role operation { slug } }",
            list_key: |o| json!([o["operation"]["slug"], o["role"]]),
            connection: "operationLinks",
            edge: "role node { slug }".into(),
            edge_key: |e| json!([e["node"]["slug"], e["role"]]),
        },
        Relation {
            record: r#"group(slug: "lulzsec")"#.into(),
            list: "legalOutcomes(first: 100) { slug }",
            list_key: |o| o["slug"].clone(),
            connection: "legalOutcomeLinks",
            edge: "node { slug }".into(),
            edge_key: |e| e["node"]["slug"].clone(),
        },
        Relation {
            record: r#"target(slug: "paypal")"#.into(),
            list: "operations(first: 100) { operation { slug } }",
            list_key: |o| o["operation"]["slug"].clone(),
            connection: "operationLinks",
            edge: "node { slug }".into(),
            edge_key: |e| e["node"]["slug"].clone(),
        },
        Relation {
            record: r#"source(slug: "wikipedia-paypal14")"#.into(),
            list: "citedBy(first: 100) { kind slug }",
            list_key: |r| json!([r["kind"], r["slug"]]),
            connection: "citingRecords",
            edge: format!("kind node {{ {ANY_SLUG} }}"),
            edge_key: |e| json!([e["kind"], e["node"]["slug"]]),
        },
    ]
}

/// The record's object in an answer.
fn record<'a>(b: &'a Value, r: &Relation) -> &'a Value {
    let field = r.record.split('(').next().unwrap();
    &b["data"][field]
}

both_backends!(
    paging_a_relation_to_its_end_gives_its_list_field,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        crate::helpers::import_dataset(&t.db, many_operations(60))
            .await
            .unwrap();
        let app = TestApp::spawn(t).await;
        for r in relations() {
            let query = format!(
                "query($after: String) {{ {} {{ {} {}(first: 7, after: $after) {{ totalCount \
             pageInfo {{ hasNextPage hasPreviousPage endCursor }} edges {{ cursor {} }} nodes {{ __typename }} }} }} }}",
                r.record, r.list, r.connection, r.edge
            );
            let mut walked = Vec::new();
            // Each page's answer also holds the whole list field.
            let mut list: Vec<Value>;
            let mut total = None;
            let mut after: Option<String> = None;
            loop {
                let b = app.gql(&query, json!({ "after": after })).await;
                assert!(b["errors"].is_null(), "{}: {b}", r.record);
                let rec = record(&b, &r);
                list = rec[r.list.split('(').next().unwrap()]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(r.list_key)
                    .collect();
                let c = &rec[r.connection];
                let page_total = c["totalCount"].as_u64().unwrap();
                assert_eq!(
                    *total.get_or_insert(page_total),
                    page_total,
                    "every page counts the whole list"
                );
                let edges = c["edges"].as_array().unwrap();
                assert!(!edges.is_empty() && edges.len() <= 7, "{c}");
                assert_eq!(c["nodes"].as_array().unwrap().len(), edges.len());
                assert_eq!(c["pageInfo"]["hasPreviousPage"], after.is_some());
                assert_eq!(c["pageInfo"]["endCursor"], edges.last().unwrap()["cursor"]);
                walked.extend(edges.iter().map(r.edge_key));
                if c["pageInfo"]["hasNextPage"] == false {
                    break;
                }
                after = c["pageInfo"]["endCursor"].as_str().map(str::to_owned);
            }
            let total = total.unwrap();
            assert!(total > 14, "{}: several pages, {total} items", r.record);
            assert!(
                total < 100,
                "{}: the list field holds the whole list",
                r.record
            );
            assert_eq!(walked.len() as u64, total, "{}", r.record);
            assert_eq!(walked, list, "{}: {}", r.record, r.connection);
        }
    }
);

both_backends!(
    paging_with_a_cursor_the_list_did_not_issue_is_bad_input,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        crate::helpers::import_dataset(&t.db, many_operations(3))
            .await
            .unwrap();
        let app = TestApp::spawn(t).await;
        let cursor_of = |b: &Value, r: &Relation| {
            record(b, r)[r.connection]["edges"][0]["cursor"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let relations = relations();
        let mut issued = Vec::new();
        for r in &relations {
            let q = format!(
                "{{ {} {{ {}(first: 1) {{ edges {{ cursor }} }} }} }}",
                r.record, r.connection
            );
            issued.push(cursor_of(&app.gql(&q, json!({})).await, r));
        }
        let root = app
            .gql(
                "{ operations(first: 1) { pageInfo { endCursor } } }",
                json!({}),
            )
            .await;
        let root = root["data"]["operations"]["pageInfo"]["endCursor"].clone();
        for (i, r) in relations.iter().enumerate() {
            // The next relation's cursor: no two neighbours share an order
            // (a group's and a target's operationLinks do).
            let foreign = &issued[(i + 1) % issued.len()];
            let bad = [
                json!("garbage"),
                json!(""),
                root.clone(),
                json!(foreign),
                json!("x".repeat(9000)),
            ];
            for after in bad {
                let q = format!(
                    "query($after: String) {{ {} {{ {}(first: 3, after: $after) {{ totalCount edges {{ cursor }} }} }} }}",
                    r.record, r.connection
                );
                let b = app.gql(&q, json!({ "after": after })).await;
                if after == "" {
                    // An empty cursor is no cursor, as on the root connections.
                    assert!(b["errors"].is_null(), "{b}");
                    continue;
                }
                assert_eq!(
                    b["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
                    "{} {}: {after}: {b}",
                    r.record, r.connection
                );
            }
            for first in [0, 101] {
                let q = format!(
                    "{{ {} {{ {}(first: {first}) {{ totalCount }} }} }}",
                    r.record, r.connection
                );
                let b = app.gql(&q, json!({})).await;
                assert_eq!(
                    b["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
                    "{b}"
                );
            }
        }
    }
);
