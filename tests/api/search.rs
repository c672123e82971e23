//! Search by words, on both doors: every word of the query, in any order,
//! Arabic clitics and generic words aside, diacritics folded; the seed
//! article's own spellings are aliases.

use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{TestApp, TestDb};

fn enc(q: &str) -> String {
    url::form_urlencoded::byte_serialize(q.as_bytes()).collect()
}

async fn first(app: &TestApp, q: &str) -> (String, String) {
    let (status, b) = app.get_json(&format!("/v1/search?q={}", enc(q))).await;
    assert_eq!(status, 200, "{q}: {b}");
    let hit = &b["data"][0];
    assert!(hit.is_object(), "{q}: no hit: {b}");
    (
        hit["slug"].as_str().unwrap().to_owned(),
        hit["matched"].as_str().unwrap().to_owned(),
    )
}

both_backends!(
    search_matches_every_word_in_any_order_with_clitics_and_generic_words_aside,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        for (q, slug) in [
            ("جماعة الانونيموس", "anonymous"),
            ("جَمَاعَة الأنونيموس", "anonymous"),
            ("مجموعة انونيموس", "anonymous"),
            ("والانونيموس", "anonymous"),
            ("anonymous collective", "anonymous"),
            ("collective anonymous", "anonymous"),
            ("operation payback", "op-payback"),
            ("payback operation", "op-payback"),
            ("عملية تشانولوجي", "op-chanology"),
            ("تشانولوجي", "op-chanology"),
            ("السينتولوجي", "church-of-scientology"),
            ("تونس", "op-tunisia"),
        ] {
            let (got, _) = first(&app, q).await;
            assert_eq!(got, slug, "{q}");
        }
        // Word order does not matter, but a whole-word match outranks a
        // match inside words.
        assert_eq!(first(&app, "payback operation").await.1, "all_words");
        // Every word must be there.
        let (_, b) = app
            .get_json(&format!("/v1/search?q={}", enc("payback zzyzx")))
            .await;
        assert_eq!(b["data"], json!([]), "{b}");
        // The same words filter a list, and GraphQL's search agrees.
        let (_, groups) = app
            .get_json(&format!("/v1/groups?q={}", enc("جماعة الانونيموس")))
            .await;
        let slugs: Vec<&str> = groups["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["slug"].as_str().unwrap())
            .collect();
        assert_eq!(slugs, ["anonymous"]);
        let g: Value = app
            .gql(
                "query($q: String!) { search(query: $q) { slug matched } }",
                json!({"q": "collective anonymous"}),
            )
            .await;
        assert_eq!(g["data"]["search"][0]["slug"], "anonymous", "{g}");
    }
);

both_backends!(no_desc_marker_reaches_any_output, |backend| {
    let Some(t) = TestDb::seeded(backend).await else {
        return;
    };
    let app = TestApp::spawn(t).await;
    let mut outputs = Vec::new();
    for format in ["ndjson", "json", "stix"] {
        outputs.push(format!("/v1/export?format={format}"));
    }
    for c in [
        "groups",
        "operations",
        "targets",
        "legal-outcomes",
        "sources",
    ] {
        outputs.push(format!("/v1/{c}.csv"));
        outputs.push(format!("/v1/{c}?limit=100"));
    }
    let mut descriptive = 0;
    for path in &outputs {
        let res = app.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        let body = res.text().await.unwrap();
        assert!(!body.contains("[desc]"), "{path} carries a [desc] marker");
        descriptive += body.matches("\"title_is_descriptive\":true").count();
    }
    assert!(descriptive > 0, "the flag replaced the marker somewhere");
    let g = app
        .gql(
            "{ sources(first: 100) { nodes { title titleIsDescriptive } } }",
            json!({}),
        )
        .await;
    let text = g.to_string();
    assert!(!text.contains("[desc]"), "GraphQL carries a [desc] marker");
    assert!(text.contains("\"titleIsDescriptive\":true"), "{text}");
});

both_backends!(
    target_names_are_names_and_source_kinds_say_what_a_source_is,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let (_, paypal) = app.get_json("/v1/targets/paypal").await;
        assert_eq!(paypal["name"], "PayPal");
        assert_eq!(paypal["texts"][0]["field"], "description");
        assert!(
            paypal["texts"][0]["text"]
                .as_str()
                .unwrap()
                .contains("eBay")
        );
        let (_, targets) = app.get_json("/v1/targets?limit=100").await;
        for t in targets["data"].as_array().unwrap() {
            let name = t["name"].as_str().unwrap();
            assert!(!name.contains('('), "{name}: an explanation in a name");
        }
        let (_, mpaa) = app.get_json("/v1/targets/mpaa").await;
        assert!(
            mpaa["names"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["text"] == "MPAA" && n["kind"] == "alias")
        );
        // The sources the issue names are not news, whatever their host.
        for slug in [
            "cyborganthropology-anonymous",
            "gutenberg-chanology",
            "iraqkhair-amazon",
            "libcom-2011-01-14",
            "corero-2013-12-11",
            "fuller-2014-10-28",
        ] {
            let (status, s) = app.get_json(&format!("/v1/sources/{slug}")).await;
            assert_eq!(status, 200, "{slug}");
            assert_ne!(s["kind"], "news", "{slug}");
        }
        let g = app
            .gql(
                r#"{ target(slug: "paypal") { name texts { field text } } }"#,
                json!({}),
            )
            .await;
        assert_eq!(g["data"]["target"]["name"], "PayPal", "{g}");
        assert_eq!(g["data"]["target"]["texts"][0]["field"], "description");
    }
);

both_backends!(
    a_shorter_page_is_the_start_of_a_longer_one_whether_or_not_texts_are_read,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        use factline::domain::search::{MAX_HITS, Match, search};
        // Texts are read only when names do not fill the page: a page cut
        // short must still be the start of the page that read them.
        let mut mixed = 0;
        for q in [
            "anonymous",
            "operation",
            "hack",
            "ddos",
            "leak",
            "police",
            "سايبر",
        ] {
            let full = search(&t.db, q, MAX_HITS).await.unwrap();
            let key =
                |h: &factline::domain::search::Hit| (h.slug.clone(), h.matched, h.field.clone());
            let names = full.iter().filter(|h| h.matched != Match::Text).count();
            if names > 0 && names < full.len() {
                mixed += 1;
            }
            for n in [1, 3, names as u64, names as u64 + 1, 20, 50] {
                if n == 0 {
                    continue;
                }
                let page = search(&t.db, q, n).await.unwrap();
                let want: Vec<_> = full.iter().take(n as usize).map(key).collect();
                let got: Vec<_> = page.iter().map(key).collect();
                assert_eq!(got, want, "{q}, {n} hits");
            }
        }
        assert!(
            mixed >= 2,
            "too few queries match both names and texts: {mixed}"
        );
    }
);
