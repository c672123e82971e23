//! Every relation field of every record type reads the same on both doors:
//! the same linked records, in the same order, with the same roles and the
//! same citations (source, field, locator, quote). REST and GraphQL build
//! relations through the same domain functions; this catches a door that
//! sorts, filters or drops one differently. (GraphQL's relation lists take
//! `first`, 20 by default; asked for 100 here, which holds every link of the
//! bundled data.)

use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{TestApp, TestDb};

/// A citation as both doors can state it.
fn citations(v: &Value) -> Value {
    Value::Array(
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| json!([c["source"]["slug"], c["field"], c["locator"], c["quote"]]))
            .collect(),
    )
}

/// The slugs of a list, at `path` within each item (`[]` for the item).
fn slugs(v: &Value, path: &[&str]) -> Value {
    Value::Array(
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| path.iter().fold(i, |at, k| &at[*k])["slug"].clone())
            .collect(),
    )
}

/// GraphQL's nodes and REST's records, each keyed by slug, in list order.
async fn both(app: &TestApp, graphql: &str, rest: &str) -> Vec<(Value, Value)> {
    let g = app.gql(graphql, json!({})).await;
    assert!(g["errors"].is_null(), "{g}");
    let nodes = g["data"].as_object().unwrap().values().next().unwrap()["nodes"]
        .as_array()
        .unwrap()
        .clone();
    let (status, r) = app.get_json(rest).await;
    assert_eq!(status, 200, "{r}");
    let records = r["data"].as_array().unwrap().clone();
    assert!(!nodes.is_empty());
    assert_eq!(
        slugs(&Value::Array(nodes.clone()), &[]),
        slugs(&Value::Array(records.clone()), &[]),
        "{rest}: the same records in the same order"
    );
    nodes.into_iter().zip(records).collect()
}

const CITED: &str = "citations { source { slug } field locator quote }";

both_backends!(every_relation_reads_alike_on_both_doors, |backend| {
    let Some(t) = TestDb::seeded(backend).await else {
        return;
    };
    // Every relation of every record in one document each: past the
    // complexity a client gets, which is not what is tested here.
    let limits = factline::config::GraphqlLimits {
        max_complexity: 10_000_000,
        ..Default::default()
    };
    let app = TestApp::spawn_with(t, limits).await;

    let q = format!(
        "{{ groups(first: 100, orderBy: \"slug\") {{ nodes {{ slug parent {{ slug }} children(first: 100) {{ slug }}
           operations(first: 100) {{ role operation {{ slug }} {CITED} }} legalOutcomes(first: 100) {{ slug }} {CITED} }} }} }}"
    );
    for (g, r) in both(&app, &q, "/v1/groups?limit=100&sort=slug").await {
        let at = &r["slug"];
        assert_eq!(g["parent"]["slug"], r["parent"]["slug"], "{at} parent");
        assert_eq!(
            slugs(&g["children"], &[]),
            slugs(&r["children"], &[]),
            "{at} children"
        );
        assert_eq!(
            slugs(&g["operations"], &["operation"]),
            slugs(&r["operations"], &[]),
            "{at} operations"
        );
        let roles = |v: &Value| -> Vec<Value> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|o| o["role"].clone())
                .collect()
        };
        assert_eq!(
            roles(&g["operations"]),
            roles(&r["operations"]),
            "{at} roles"
        );
        for (go, ro) in g["operations"]
            .as_array()
            .unwrap()
            .iter()
            .zip(r["operations"].as_array().unwrap())
        {
            assert_eq!(
                citations(&go["citations"]),
                citations(&ro["citations"]),
                "{at} link to {}",
                ro["slug"]
            );
        }
        assert_eq!(
            slugs(&g["legalOutcomes"], &[]),
            slugs(&r["legal_outcomes"], &[]),
            "{at} legal outcomes"
        );
        assert_eq!(
            citations(&g["citations"]),
            citations(&r["citations"]),
            "{at}"
        );
    }

    let q = format!(
        "{{ targets(first: 100, orderBy: \"slug\") {{ nodes {{ slug operations(first: 100) {{ operation {{ slug }} {CITED} }} {CITED} }} }} }}"
    );
    for (g, r) in both(&app, &q, "/v1/targets?limit=100&sort=slug").await {
        let at = &r["slug"];
        assert_eq!(
            slugs(&g["operations"], &["operation"]),
            slugs(&r["operations"], &[]),
            "{at}"
        );
        for (go, ro) in g["operations"]
            .as_array()
            .unwrap()
            .iter()
            .zip(r["operations"].as_array().unwrap())
        {
            assert_eq!(
                citations(&go["citations"]),
                citations(&ro["citations"]),
                "{at} link to {}",
                ro["slug"]
            );
        }
        assert_eq!(
            citations(&g["citations"]),
            citations(&r["citations"]),
            "{at}"
        );
    }

    let q = format!(
        "{{ operations(first: 100, orderBy: \"slug\") {{ nodes {{ slug partOf {{ slug }} parts(first: 100) {{ slug }} tactics
           groups(first: 100) {{ role group {{ slug }} {CITED} }} targets(first: 100) {{ target {{ slug }} {CITED} }}
           legalOutcomes(first: 100) {{ slug }} {CITED} }} }} }}"
    );
    for (g, r) in both(&app, &q, "/v1/operations?limit=100&sort=slug").await {
        let at = &r["slug"];
        assert_eq!(g["partOf"]["slug"], r["part_of"]["slug"], "{at} part of");
        assert_eq!(
            slugs(&g["parts"], &[]),
            slugs(&r["parts"], &[]),
            "{at} parts"
        );
        assert_eq!(g["tactics"], r["tactics"], "{at} tactics");
        assert_eq!(
            slugs(&g["groups"], &["group"]),
            slugs(&r["groups"], &[]),
            "{at} groups"
        );
        for (gl, rl) in g["groups"]
            .as_array()
            .unwrap()
            .iter()
            .zip(r["groups"].as_array().unwrap())
        {
            assert_eq!(gl["role"], rl["role"], "{at} group role");
            assert_eq!(
                citations(&gl["citations"]),
                citations(&rl["citations"]),
                "{at} group link"
            );
        }
        assert_eq!(
            slugs(&g["targets"], &["target"]),
            slugs(&r["targets"], &[]),
            "{at} targets"
        );
        for (gl, rl) in g["targets"]
            .as_array()
            .unwrap()
            .iter()
            .zip(r["targets"].as_array().unwrap())
        {
            assert_eq!(
                citations(&gl["citations"]),
                citations(&rl["citations"]),
                "{at} target link"
            );
        }
        assert_eq!(
            slugs(&g["legalOutcomes"], &[]),
            slugs(&r["legal_outcomes"], &[]),
            "{at} legal outcomes"
        );
        assert_eq!(
            citations(&g["citations"]),
            citations(&r["citations"]),
            "{at}"
        );
    }

    let q = format!(
        "{{ legalOutcomes(first: 100, orderBy: \"slug\") {{ nodes {{ slug operation {{ slug }} group {{ slug }} {CITED} }} }} }}"
    );
    for (g, r) in both(&app, &q, "/v1/legal-outcomes?limit=100&sort=slug").await {
        let at = &r["slug"];
        assert_eq!(
            g["operation"]["slug"], r["operation"]["slug"],
            "{at} operation"
        );
        assert_eq!(g["group"]["slug"], r["group"]["slug"], "{at} group");
        assert_eq!(
            citations(&g["citations"]),
            citations(&r["citations"]),
            "{at}"
        );
    }
});
