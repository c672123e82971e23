//! GraphQL over real HTTP: the committed schema, parity with REST, hostile
//! queries, and error codes (statements per page: `statements.rs`).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{TestApp, TestDb};

fn codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    e["extensions"]["code"]
                        .as_str()
                        .unwrap_or("NONE")
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn schema_graphql_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let sdl = factline::graphql::sdl();
    if std::env::var("UPDATE_SCHEMA").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &sdl).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == sdl,
        "schema.graphql differs from the schema the code builds; regenerate it with \
         `cargo run -- schema > schema.graphql` (or UPDATE_SCHEMA=1 cargo nextest run schema_graphql)"
    );
}

#[test]
fn factline_schema_prints_the_committed_sdl() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_factline"))
        .arg("schema")
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        factline::graphql::sdl()
    );
}

both_backends!(graphql_and_rest_give_the_same_facts, |backend| {
    let Some(t) = TestDb::seeded(backend).await else {
        return;
    };
    let app = TestApp::spawn(t).await;
    let g = app
        .gql(
            r#"{ operations(filter: {target: "paypal", from: "2010", to: "2010"}, first: 100) {
                   totalCount nodes { slug start { edtf precision earliest latest } end { edtf } tactics
                     groups { role group { slug } } citations { source { slug url } } } } }"#,
            json!({}),
        )
        .await;
    assert!(g["errors"].is_null(), "{g}");
    let (_, r) = app
        .get_json("/v1/operations?target=paypal&from=2010&to=2010&limit=100")
        .await;
    let gn = g["data"]["operations"]["nodes"].as_array().unwrap();
    let rn = r["data"].as_array().unwrap();
    assert_eq!(g["data"]["operations"]["totalCount"], r["page"]["total"]);
    assert_eq!(gn.len(), rn.len());
    for (a, b) in gn.iter().zip(rn) {
        assert_eq!(a["slug"], b["slug"]);
        assert_eq!(a["start"]["edtf"], b["start"]["edtf"]);
        assert_eq!(a["start"]["earliest"], b["start"]["earliest"]);
        assert_eq!(a["start"]["latest"], b["start"]["latest"]);
        assert_eq!(
            a["start"]["precision"].as_str().unwrap().to_lowercase(),
            b["start"]["precision"]
        );
        assert_eq!(a["end"]["edtf"], b["end"]["edtf"]);
        assert_eq!(a["tactics"], b["tactics"]);
        assert_eq!(a["groups"][0]["group"]["slug"], b["groups"][0]["slug"]);
        let gs: Vec<&Value> = a["citations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| &c["source"]["slug"])
            .collect();
        let rs: Vec<&Value> = b["citations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| &c["source"]["slug"])
            .collect();
        assert_eq!(gs, rs);
    }
    let g = app
        .gql(r#"{ legalOutcome(slug: "lo-paypal14-restitution") { money { amount currency kind scope } date { edtf } operation { slug } } }"#, json!({}))
        .await;
    let (_, r) = app
        .get_json("/v1/legal-outcomes/lo-paypal14-restitution")
        .await;
    assert_eq!(g["data"]["legalOutcome"]["money"], r["money"]);
    assert_eq!(
        g["data"]["legalOutcome"]["operation"]["slug"],
        r["operation"]["slug"]
    );
    let g = app
        .gql(
            r#"{ search(query: "الأَنُونِيمُوس", first: 5) { kind slug matched } }"#,
            json!({}),
        )
        .await;
    assert_eq!(g["data"]["search"][0]["slug"], "anonymous");
    let g = app.gql("{ stats { operations legalOutcomes legalOutcomesByYear { byYear { year count unknownMonth } } } }", json!({})).await;
    let (_, r) = app.get_json("/v1/stats").await;
    assert_eq!(g["data"]["stats"]["legalOutcomes"], r["legal_outcomes"]);
    for (a, b) in g["data"]["stats"]["legalOutcomesByYear"]["byYear"]
        .as_array()
        .unwrap()
        .iter()
        .zip(r["legal_outcomes_by_year"]["by_year"].as_array().unwrap())
    {
        assert_eq!(
            (&a["year"], &a["count"], &a["unknownMonth"]),
            (&b["year"], &b["count"], &b["unknown_month"])
        );
    }
});

both_backends!(relations_node_ids_and_pagination_work, |backend| {
    let Some(t) = TestDb::seeded(backend).await else {
        return;
    };
    let app = TestApp::spawn(t).await;
    let g = app
        .gql(
            r#"{ group(slug: "anonymous") { id name parent { slug } children { slug } founded { edtf precision }
                   operations(first: 3) { role operation { slug partOf { slug } } citations { source { slug } } }
                   legalOutcomes(first: 2) { slug group { slug } } } }"#,
            json!({}),
        )
        .await;
    assert!(g["errors"].is_null(), "{g}");
    let group = &g["data"]["group"];
    assert_eq!(group["children"].as_array().unwrap().len(), 2);
    assert_eq!(
        group["founded"],
        json!({"edtf": "2003", "precision": "YEAR"})
    );
    assert_eq!(group["operations"].as_array().unwrap().len(), 3);
    assert!(
        !group["operations"][0]["citations"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let id = group["id"].as_str().unwrap();
    let n = app
        .gql(
            "query($id: ID!) { node(id: $id) { id ... on Group { slug } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(n["data"]["node"]["slug"], "anonymous");
    let s = app
        .gql(
            r#"{ source(slug: "seed-article") { citedBy { kind slug } } }"#,
            json!({}),
        )
        .await;
    assert!(
        s["data"]["source"]["citedBy"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["slug"] == "anonymous")
    );
    // Walk all sources through pageInfo.
    let mut after: Option<String> = None;
    let mut seen = std::collections::HashSet::new();
    loop {
        let b = app
            .gql("query($after: String) { sources(first: 40, after: $after) { totalCount edges { cursor node { slug } } pageInfo { hasNextPage endCursor } } }", json!({"after": after}))
            .await;
        let c = &b["data"]["sources"];
        assert_eq!(c["totalCount"], 172);
        for e in c["edges"].as_array().unwrap() {
            assert!(seen.insert(e["node"]["slug"].as_str().unwrap().to_owned()));
        }
        if c["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = c["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len(), 172);
    let t = app.gql(r#"{ timeline(target: "paypal", first: 5) { totalCount nodes { type slug date { edtf } } } }"#, json!({})).await;
    assert_eq!(t["data"]["timeline"]["nodes"].as_array().unwrap().len(), 5);
    let missing = app
        .gql(r#"{ group(slug: "nobody") { slug } }"#, json!({}))
        .await;
    assert_eq!(codes(&missing), ["NOT_FOUND"]);
    assert!(missing["data"]["group"].is_null());
    let bad = app
        .gql(
            r#"{ operations(filter: {tactic: "hugging", from: "2011-13"}) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(codes(&bad), ["BAD_USER_INPUT"]);
});

// Parsed documents are kept by their text (`graphql::documents`): a
// document sent again must be checked as the first time and answer for its
// own variables, never the first request's.
both_backends!(
    a_document_sent_again_is_checked_and_answered_afresh,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let by_slug = "query($slug: String!) { group(slug: $slug) { slug } }";
        for _ in 0..2 {
            let b = app.gql(by_slug, json!({"slug": "anonymous"})).await;
            assert_eq!(b["data"]["group"]["slug"], "anonymous", "{b}");
            let b = app.gql(by_slug, json!({"slug": "no-such-group"})).await;
            assert!(b["data"]["group"].is_null(), "{b}");
        }

        let aliases: String = (0..200)
            .map(|i| format!("a{i}: stats {{ operations }} "))
            .collect();
        let aliased = format!("{{ {aliases} }}");
        for _ in 0..2 {
            let b = app.gql(&aliased, json!({})).await;
            assert_eq!(codes(&b), ["BAD_USER_INPUT"], "{b}");
            assert!(
                b["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("aliases")
            );
        }

        // Parsed (and kept) through POST, still refused through GET.
        let b = app.gql("mutation { x }", json!({})).await;
        assert!(!b["errors"].is_null(), "{b}");
        let res = app.get("/graphql?query=mutation%20%7B%20x%20%7D").await;
        assert_eq!(res.status(), 405);
    }
);

both_backends!(
    hostile_queries_are_refused_fast_with_a_clear_error,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let refused = |body: &Value| {
            assert!(
                body["data"].is_null()
                    || body["data"]
                        .as_object()
                        .is_some_and(|o| o.values().all(Value::is_null)),
                "{body}"
            );
            assert_eq!(codes(body), ["BAD_USER_INPUT"], "{body}");
        };
        let timed = |start: Instant, what: &str| {
            assert!(
                start.elapsed() < Duration::from_secs(2),
                "{what} took {:?}",
                start.elapsed()
            )
        };

        let deep = format!(
            "{{ group(slug: \"anonymous\") {{ {} slug {} }} }}",
            "parent { ".repeat(20),
            "}".repeat(20)
        );
        let s = Instant::now();
        let b = app.gql(&deep, json!({})).await;
        refused(&b);
        timed(s, "deep nesting");
        let very_deep = format!("{}{}", "{a".repeat(5000), "}".repeat(5000));
        let b = app.gql(&very_deep, json!({})).await;
        refused(&b);

        let aliases: String = (0..200)
            .map(|i| format!("a{i}: stats {{ operations }} "))
            .collect();
        let s = Instant::now();
        let b = app.gql(&format!("{{ {aliases} }}"), json!({})).await;
        refused(&b);
        assert!(
            b["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("aliases")
        );
        timed(s, "200 aliases");

        let fields = "__typename ".repeat(500);
        let b = app.gql(&format!("{{ {fields} }}"), json!({})).await;
        refused(&b);
        assert!(
            b["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("fields")
        );

        let directives = "@include(if: true) ".repeat(50);
        let b = app
            .gql(&format!("{{ __typename {directives} }}"), json!({}))
            .await;
        refused(&b);

        let b = app
            .gql("{ operations(first: 101) { totalCount } }", json!({}))
            .await;
        refused(&b);
        let b = app.gql("{ operations(first: 100) { nodes { groups(first: 100) { group { operations(first: 100) { operation { targets(first: 100) { target { slug } } } } } } } } }", json!({})).await;
        refused(&b);
        assert!(
            b["errors"][0]["message"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("complex"),
            "{b}"
        );

        let batch: Vec<Value> = (0..50)
            .map(|_| json!({"query": "{ stats { operations } }"}))
            .collect();
        let res = app
            .client
            .post(app.url("/graphql"))
            .json(&batch)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        assert_eq!(res.headers()["content-type"], "application/problem+json");

        let res = app
            .client
            .get(app.url("/graphql?query=mutation%20%7B%20x%20%7D"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 405);
        let res = app
            .client
            .get(app.url("/graphql?query=%7B%20stats%20%7B%20operations%20%7D%20%7D"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "GET runs queries");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["data"]["stats"]["operations"], 13);

        let res = app
            .client
            .post(app.url("/graphql"))
            .header("content-type", "text/plain")
            .body(r#"{"query":"{ __typename }"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 415);
        assert_eq!(res.headers()["content-type"], "application/problem+json");

        let big = json!({"query": format!("{{ __typename }} # {}", "x".repeat(200_000))});
        let s = Instant::now();
        // Its own client: the server answers 413 without reading the body and
        // closes that connection, which a shared pool might try to reuse.
        let res = reqwest::Client::new()
            .post(app.url("/graphql"))
            .json(&big)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 413);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        timed(s, "oversized body");

        let b = app.gql("{ stats { operatons } }", json!({})).await;
        refused(&b);
        assert!(
            !b.to_string().contains("Did you mean"),
            "no suggestions: {b}"
        );
        let b = app
            .gql(&format!("{{ stats {{ {} ", "x ".repeat(3000)), json!({}))
            .await;
        refused(&b);
        assert!(
            b["errors"][0]["message"].as_str().unwrap().chars().count() <= 201,
            "parse errors are truncated"
        );
    }
);

both_backends!(introspection_works_for_the_playground, |backend| {
    let Some(t) = TestDb::new(backend).await else {
        return;
    };
    let app = TestApp::spawn(t).await;
    // The query GraphiQL sends when it opens.
    let introspection = r#"
    query IntrospectionQuery {
      __schema {
        queryType { name } mutationType { name } subscriptionType { name }
        types { ...FullType }
        directives { name description locations args { ...InputValue } }
      }
    }
    fragment FullType on __Type {
      kind name description
      fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
      inputFields { ...InputValue }
      interfaces { ...TypeRef }
      enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
      possibleTypes { ...TypeRef }
    }
    fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
    fragment TypeRef on __Type {
      kind name
      ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
    }"#;
    let b = app.gql(introspection, json!({})).await;
    assert!(b["errors"].is_null(), "{b}");
    let types = b["data"]["__schema"]["types"].as_array().unwrap();
    assert!(types.iter().any(|t| t["name"] == "Operation"));
    assert_eq!(b["data"]["__schema"]["queryType"]["name"], "Query");
});

both_backends!(database_faults_never_leak_their_text, |backend| {
    let Some(t) = TestDb::seeded(backend).await else {
        return;
    };
    let app = TestApp::spawn(t).await;
    app.tdb.db.close_by_ref().await.unwrap();
    let b = app.gql("{ operations { totalCount } }", json!({})).await;
    let codes = codes(&b);
    assert_eq!(codes.len(), 1);
    assert!(codes[0] == "INTERNAL" || codes[0] == "UNAVAILABLE", "{b}");
    let text = b.to_string().to_lowercase();
    for leak in ["sqlx", "postgres", "sqlite", "pool", "select ", "127.0.0.1"] {
        assert!(!text.contains(leak), "{leak} leaked: {b}");
    }
});

both_backends!(
    the_playground_page_and_its_assets_come_from_this_server,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let res = app
            .client
            .get(app.url("/graphql"))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(
            html.contains("target(slug: \\\"paypal\\\")"),
            "the example query is in the editor"
        );
        // And it runs without errors (the browser test runs it too, in CI's
        // later stage; this catches a schema change that breaks it at once).
        let answer = app
            .gql(factline::graphql::playground::EXAMPLE_QUERY, json!({}))
            .await;
        assert!(answer["errors"].is_null(), "{answer}");
        let text = answer.to_string();
        for expected in ["op-avenge-assange", "5600.00", "per_person", "Anonymous"] {
            assert!(text.contains(expected), "the answer lacks {expected}");
        }
        assert!(
            !html.contains("https://") && !html.contains("http://"),
            "no external asset"
        );
        for asset in [
            "graphiql.min.js",
            "graphiql.min.css",
            "react.production.min.js",
            "react-dom.production.min.js",
        ] {
            assert!(html.contains(&format!("/graphql/assets/{asset}")));
            let res = app.get(&format!("/graphql/assets/{asset}")).await;
            assert_eq!(res.status(), 200, "{asset}");
            assert!(
                res.bytes().await.unwrap().len() > 5_000,
                "{asset} is embedded"
            );
        }
    }
);

// A citation's source reads only the columns its selection needs. Every
// field of `Source`, taken from the schema so that a field added later is
// covered too, must answer the same through a citation (directly, through
// a named fragment and through an inline one) as from `sources`.
both_backends!(
    every_source_field_reads_alike_through_a_citation,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let intro = app
        .gql(
            r#"{ __type(name: "Source") { fields { name type { kind ofType { kind ofType { kind ofType { kind } } } } } } }"#,
            json!({}),
        )
        .await;
        let fields = intro["data"]["__type"]["fields"].as_array().unwrap();
        assert!(fields.len() >= 13, "{intro}");
        let selection: Vec<String> = fields
            .iter()
            .map(|f| {
                let name = f["name"].as_str().unwrap();
                let mut ty = &f["type"];
                while matches!(ty["kind"].as_str(), Some("NON_NULL" | "LIST")) {
                    ty = &ty["ofType"];
                }
                match (name, ty["kind"].as_str()) {
                    ("published", _) => "published { edtf precision earliest latest }".to_owned(),
                    ("citedBy", _) => "citedBy(first: 5) { kind slug name }".to_owned(),
                    ("citingRecords", _) => "citingRecords(first: 5) { totalCount pageInfo { hasNextPage endCursor } edges { cursor kind node { id } } }".to_owned(),
                    (_, Some("OBJECT" | "INTERFACE")) => {
                        panic!("Source.{name} needs a selection here")
                    }
                    _ => name.to_owned(),
                }
            })
            .collect();
        let selection = selection.join(" ");

        let mut by_slug = std::collections::HashMap::new();
        let mut after = Value::Null;
        loop {
            let page = app
            .gql(
                &format!(
                    "query($after: String) {{ sources(first: 100, after: $after) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {selection} }} }} }}"
                ),
                json!({"after": after}),
            )
            .await;
            for s in page["data"]["sources"]["nodes"].as_array().unwrap() {
                by_slug.insert(s["slug"].as_str().unwrap().to_owned(), s.clone());
            }
            if page["data"]["sources"]["pageInfo"]["hasNextPage"] != json!(true) {
                break;
            }
            after = page["data"]["sources"]["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(by_slug.len(), 172);

        let shapes = [
            (format!("source {{ {selection} }}"), String::new()),
            (
                "source { ...S }".to_owned(),
                format!("fragment S on Source {{ {selection} }}"),
            ),
            (
                format!("source {{ ... on Source {{ {selection} }} }}"),
                String::new(),
            ),
        ];
        for (source, fragment) in shapes {
            let g = app
            .gql(
                &format!(
                    "{{ operations(first: 20) {{ nodes {{ citations {{ {source} }} groups {{ citations {{ {source} }} }} }} }} }} {fragment}"
                ),
                json!({}),
            )
            .await;
            assert!(g["errors"].is_null(), "{g}");
            let mut seen = 0;
            for op in g["data"]["operations"]["nodes"].as_array().unwrap() {
                let links = op["groups"].as_array().unwrap();
                let cited = op["citations"].as_array().unwrap().iter().chain(
                    links
                        .iter()
                        .flat_map(|l| l["citations"].as_array().unwrap()),
                );
                for c in cited {
                    let slug = c["source"]["slug"].as_str().unwrap();
                    assert_eq!(c["source"], by_slug[slug], "{source}");
                    seen += 1;
                }
            }
            assert!(seen > 50, "{seen} citations");
        }
    }
);
