//! Research semantics of dates on both doors: an operation's end is known,
//! unknown or open, and a dated filter matches records that may overlap its
//! range (the default) or lie certainly within it (`date_match=within`).

use factline::domain::auth::{self, Role};
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{TestApp, TestDb};

fn slugs(body: &Value) -> Vec<String> {
    let mut v: Vec<String> = body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("a list: {body}"))
        .iter()
        .map(|r| r["slug"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

async fn list(app: &TestApp, path: &str) -> Vec<String> {
    let (status, body) = app.get_json(path).await;
    assert_eq!(status, 200, "{path}: {body}");
    slugs(&body)
}

fn has(v: &[String], slug: &str) -> bool {
    v.iter().any(|s| s == slug)
}

both_backends!(
    unknown_and_open_ends_overlap_every_later_range_and_are_never_within_a_bounded_one,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        // The issue's two examples: a parent whose end is open or unknown is
        // found with its dated parts.
        let feb = list(&app, "/v1/operations?from=2008-02&to=2008-02").await;
        assert!(has(&feb, "op-chanology-protests-2008-02-10"), "{feb:?}");
        assert!(has(&feb, "op-chanology"), "open end: {feb:?}");
        let july = list(&app, "/v1/operations?from=2011-07").await;
        assert!(has(&july, "op-stratfor-hack"), "{july:?}");
        assert!(has(&july, "op-antisec"), "unknown end: {july:?}");
        // `within`: only what certainly lies inside the range.
        let feb = list(
            &app,
            "/v1/operations?from=2008-02&to=2008-02&date_match=within",
        )
        .await;
        assert_eq!(feb, ["op-chanology-protests-2008-02-10"]);
        let within = list(
            &app,
            "/v1/operations?from=2011-12&to=2012-03&date_match=within",
        )
        .await;
        assert!(has(&within, "op-stratfor-hack"), "{within:?}");
        assert!(!has(&within, "op-antisec"), "{within:?}");
        // Without `to`, a range has no end, and an open operation can lie in it.
        let from = list(&app, "/v1/operations?from=2008&date_match=within").await;
        assert!(has(&from, "op-chanology"), "{from:?}");
        assert!(!has(&from, "op-habbo-raid-2006"), "{from:?}");

        // A record known only as 2011 may overlap January 2011 but is not
        // certainly within it.
        let jan = "/v1/legal-outcomes?from=2011-01&to=2011-01";
        assert!(has(&list(&app, jan).await, "lo-paypal-damages-claim-us"));
        let jan_within = list(&app, &format!("{jan}&date_match=within")).await;
        assert!(!has(&jan_within, "lo-paypal-damages-claim-us"));
        let year_within = list(
            &app,
            "/v1/legal-outcomes?from=2011&to=2011&date_match=within",
        )
        .await;
        assert!(has(&year_within, "lo-paypal-damages-claim-us"));

        // The timeline takes it too.
        let (status, tl) = app
            .get_json("/v1/timeline?from=2008-02&to=2008-02&date_match=within&limit=500")
            .await;
        assert_eq!(status, 200, "{tl}");
        assert_eq!(slugs(&tl), ["op-chanology-protests-2008-02-10"]);

        // A bad value is a 400 naming the parameter, on every dated list.
        for path in [
            "/v1/operations",
            "/v1/legal-outcomes",
            "/v1/groups",
            "/v1/sources",
            "/v1/timeline",
        ] {
            let (status, body) = app
                .get_json(&format!("{path}?from=2011&date_match=inside"))
                .await;
            assert_eq!(status, 400, "{path}: {body}");
            assert_eq!(body["errors"][0]["field"], "date_match", "{path}: {body}");
        }
    }
);

both_backends!(
    an_operation_says_whether_its_end_is_known_unknown_or_open_on_every_door,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        for (slug, state, interval, has_end) in [
            ("op-chanology", "open", "2008-01/..", false),
            ("op-antisec", "unknown", "2011-06/", false),
            ("op-stratfor-hack", "known", "2011-12/2012-03", true),
            (
                "op-chanology-protests-2008-02-10",
                "known",
                "2008-02-10",
                true,
            ),
        ] {
            let (status, o) = app.get_json(&format!("/v1/operations/{slug}")).await;
            assert_eq!(status, 200, "{slug}");
            assert_eq!(o["end_state"], state, "{slug}");
            assert_eq!(o["interval"], interval, "{slug}");
            assert_eq!(o["end"].is_object(), has_end, "{slug}: {}", o["end"]);
            let g = app
                .gql(
                    "query($s: String!) { operation(slug: $s) { endState interval end { edtf } } }",
                    json!({"s": slug}),
                )
                .await;
            let go = &g["data"]["operation"];
            assert_eq!(go["endState"], state.to_uppercase(), "{slug}: {g}");
            assert_eq!(go["interval"], interval, "{slug}");
            assert_eq!(go["end"].is_object(), has_end, "{slug}");
        }
        // GraphQL's filter takes the same match.
        let g = app
            .gql(
                r#"{ operations(filter: {from: "2008-02", to: "2008-02", dateMatch: WITHIN}) { nodes { slug } } }"#,
                json!({}),
            )
            .await;
        let nodes: Vec<&str> = g["data"]["operations"]["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("{g}"))
            .iter()
            .map(|n| n["slug"].as_str().unwrap())
            .collect();
        assert_eq!(nodes, ["op-chanology-protests-2008-02-10"]);
        // CSV: the state has its own column, and the end columns stay empty.
        let csv = app
            .get("/v1/operations?format=csv&limit=100")
            .await
            .text()
            .await
            .unwrap();
        let mut rows = csv::Reader::from_reader(csv.as_bytes());
        let header = rows.headers().unwrap().clone();
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let (slug, state, end) = (col("slug"), col("end_state"), col("end_edtf"));
        let mut seen = 0;
        for r in rows.records() {
            let r = r.unwrap();
            match &r[slug] {
                "op-chanology" => assert_eq!((&r[state], &r[end]), ("open", "")),
                "op-antisec" => assert_eq!((&r[state], &r[end]), ("unknown", "")),
                "op-stratfor-hack" => assert_eq!((&r[state], &r[end]), ("known", "2012-03")),
                _ => continue,
            }
            seen += 1;
        }
        assert_eq!(seen, 3);
    }
);

both_backends!(writes_take_an_open_end_and_name_a_bad_one, |backend| {
    let Some(t) = TestDb::seeded(backend).await else {
        return;
    };
    let app = TestApp::spawn(t).await;
    let (_, key) = auth::create_key(&app.tdb.db, Role::Editor, "editor")
        .await
        .unwrap();
    let body = |end: Value| {
        json!({"slug": "op-example", "start": "2020-05", "end": end,
                   "names": [{"lang": "en", "text": "Example", "kind": "primary"}],
                   "citations": [{"source": "seed-article"}]})
    };
    let res = app
        .send(
            reqwest::Method::POST,
            "/v1/operations",
            Some(&key),
            None,
            Some(&body(json!("soon"))),
        )
        .await;
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "end", "{problem}");
    let res = app
        .send(
            reqwest::Method::POST,
            "/v1/operations",
            Some(&key),
            None,
            Some(&body(json!(".."))),
        )
        .await;
    assert_eq!(res.status(), 201);
    let later = list(&app, "/v1/operations?from=2025").await;
    assert!(has(&later, "op-example"), "{later:?}");
    let (_, o) = app.get_json("/v1/operations/op-example").await;
    assert_eq!(o["end_state"], "open");
    assert_eq!(o["interval"], "2020-05/..");
});

both_backends!(the_readme_s_date_examples_answer_as_it_says, |backend| {
    let Some(t) = TestDb::seeded(backend).await else {
        return;
    };
    let app = TestApp::spawn(t).await;
    let readme = include_str!("../../README.md");
    let start = readme.find("<!-- date-examples:start -->").expect("marker");
    let end = readme.find("<!-- date-examples:end -->").expect("marker");
    let mut rows = 0;
    for line in readme[start..end].lines() {
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
        let [path, expected] = cells[..] else {
            continue;
        };
        let Some(path) = path
            .trim()
            .strip_prefix('`')
            .and_then(|p| p.strip_suffix('`'))
        else {
            continue;
        };
        let expected: Vec<String> = expected
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        let got = list(&app, &format!("{path}&limit=100")).await;
        assert_eq!(got, expected, "{path}");
        rows += 1;
    }
    assert_eq!(rows, 3);
});

both_backends!(
    the_timeline_shows_disputes_and_which_entries_stand_at_their_earliest_day,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let (status, tl) = app
            .get_json("/v1/timeline?from=2011&to=2011&limit=500")
            .await;
        assert_eq!(status, 200, "{tl}");
        let entry = |slug: &str| -> Value {
            tl["data"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["slug"] == slug)
                .unwrap_or_else(|| panic!("{slug} in the 2011 timeline"))
                .clone()
        };
        let paypal = entry("lo-paypal-damages-claim-us");
        assert_eq!(paypal["disputed"], true);
        assert!(paypal["dispute_note"].as_str().unwrap().len() > 10);
        assert_eq!(paypal["placed_by_earliest_day"], true, "known only as 2011");
        let tunisia = entry("op-tunisia");
        assert_eq!(tunisia["placed_by_earliest_day"], false, "2011-01-02");
        assert_eq!(tunisia["end_state"], "known");
        // Every entry says both, and a year-only entry is never placed as if
        // on a known day.
        for e in tl["data"].as_array().unwrap() {
            assert!(e["disputed"].is_boolean(), "{e}");
            let precision = e["date"]["precision"].as_str().unwrap();
            assert_eq!(
                e["placed_by_earliest_day"],
                precision != "day",
                "{}",
                e["slug"]
            );
        }
        let g = app
            .gql(
                r#"{ timeline(from: "2011", to: "2011", first: 500) { edges { node { slug disputed disputeNote placedByEarliestDay endState } } } }"#,
                json!({}),
            )
            .await;
        let node = g["data"]["timeline"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{g}"))
            .iter()
            .map(|e| &e["node"])
            .find(|n| n["slug"] == "lo-paypal-damages-claim-us")
            .unwrap()
            .clone();
        assert_eq!(node["disputed"], true);
        assert_eq!(node["placedByEarliestDay"], true);
        assert!(node["endState"].is_null());
        assert_eq!(node["disputeNote"], paypal["dispute_note"]);
        // The chart outlines disputed records and says so in its legend.
        let svg = app.get("/v1/timeline.svg").await.text().await.unwrap();
        assert!(svg.contains("disputed: sources disagree"));
        assert!(svg.contains(" — disputed</title>"));
        // CSV lists carry both columns.
        for c in ["operations", "legal-outcomes"] {
            let csv = app.get(&format!("/v1/{c}.csv")).await.text().await.unwrap();
            let header = csv.lines().next().unwrap();
            assert!(
                header.split(',').any(|h| h == "disputed")
                    && header.split(',').any(|h| h == "dispute_note"),
                "{c}: {header}"
            );
        }
    }
);
