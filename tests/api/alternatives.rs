//! Disputed facts keep every reported value: alternatives with their own
//! sources on both doors, through writes, exports and imports, and refused
//! when they are not values of their field or cite nothing.

use factline::db::entities::alternative;
use factline::domain::auth::{self, Role};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{TestApp, TestDb};

const PAYPAL: &str = "lo-paypal-damages-claim-us";

fn amounts_and_sources(alternatives: &Value, source: &str) -> Vec<(String, Vec<String>)> {
    alternatives
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            assert_eq!(a["field"], "money", "{a}");
            let sources = a["citations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    assert_eq!(c["field"], "money", "{c}");
                    c["source"][source].as_str().unwrap().to_owned()
                })
                .collect();
            (a["value"]["amount"].as_str().unwrap().to_owned(), sources)
        })
        .collect()
}

both_backends!(
    the_paypal_claim_shows_each_figure_with_its_own_sources,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let r: Value = app
            .get(&format!("/v1/legal-outcomes/{PAYPAL}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(r["money"]["amount"], "5500000.00");
        let money_sources: Vec<&str> = r["citations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["field"] == "money")
            .map(|c| c["source"]["slug"].as_str().unwrap())
            .collect();
        assert_eq!(
            money_sources,
            ["softpedia-2013-12-06", "fuller-2014-10-28", "seed-article"]
        );
        let expected = vec![
            (
                "5200000.00".to_owned(),
                vec!["scmagazine-2013-01".to_owned()],
            ),
            (
                "5400000.00".to_owned(),
                vec!["ssipacific-paypal".to_owned()],
            ),
        ];
        assert_eq!(amounts_and_sources(&r["alternatives"], "slug"), expected);
        // The record's own citations are of the curated six sources (one of
        // them twice, for two fields): an alternative's citations are its
        // own, not added to the record's.
        let cited: std::collections::BTreeSet<&str> = r["citations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["source"]["slug"].as_str().unwrap())
            .collect();
        assert_eq!(cited.len(), 6, "{cited:?}");
        assert_eq!(r["citations"].as_array().unwrap().len(), 7);

        let g = app
            .gql(
                "query($s: String!) { legalOutcome(slug: $s) { alternatives { field value note citations { field source { slug } } } } }",
                json!({"s": PAYPAL}),
            )
            .await;
        let alts = &g["data"]["legalOutcome"]["alternatives"];
        assert_eq!(amounts_and_sources(alts, "slug"), expected, "{g}");
        assert_eq!(alts, &r["alternatives"].as_array().unwrap().iter().map(|a| {
            json!({"field": a["field"], "value": a["value"], "note": a["note"],
                   "citations": a["citations"].as_array().unwrap().iter()
                       .map(|c| json!({"field": c["field"], "source": {"slug": c["source"]["slug"]}}))
                       .collect::<Vec<_>>()})
        }).collect::<Value>(), "both doors agree");

        // The dataset export writes them back as the bundled file has them.
        let export: Value = app
            .get("/v1/export?format=json")
            .await
            .json()
            .await
            .unwrap();
        let exported = export["legal_outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["slug"] == PAYPAL)
            .unwrap();
        let bundled: Value = serde_json::from_str(
            &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/factline.json"))
                .unwrap(),
        )
        .unwrap();
        let file = bundled["legal_outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["slug"] == PAYPAL)
            .unwrap();
        assert_eq!(exported["alternatives"], file["alternatives"]);
        assert_eq!(exported["citations"], file["citations"]);

        // CSV: the value shown in its columns, the others in one cell.
        let csv = app
            .get("/v1/legal-outcomes.csv")
            .await
            .text()
            .await
            .unwrap();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let head = reader.headers().unwrap().clone();
        let col = |name: &str| head.iter().position(|h| h == name).unwrap();
        let row = reader
            .records()
            .map(Result::unwrap)
            .find(|r| &r[0] == PAYPAL)
            .unwrap();
        assert_eq!(&row[col("amount")], "5500000.00");
        assert_eq!(
            &row[col("alternatives")],
            "money=5200000.00 USD (scmagazine-2013-01) | money=5400000.00 USD (ssipacific-paypal)"
        );

        // STIX: in factline's extension, beside the value shown.
        let bundle: Value = app
            .get("/v1/export?format=stix")
            .await
            .json()
            .await
            .unwrap();
        let ext = bundle["objects"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|o| o["extensions"].as_object())
            .flat_map(|e| e.values())
            .find(|e| e["alternatives"].is_array() && e["money"]["amount"] == "5500000.00")
            .unwrap();
        assert_eq!(ext["alternatives"][0]["value"]["amount"], "5200000.00");
        assert_eq!(
            ext["alternatives"][1]["sources"],
            json!(["ssipacific-paypal"])
        );
    }
);

both_backends!(
    alternatives_are_checked_replaced_and_deleted_with_their_record,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let (_, key) = auth::create_key(&app.tdb.db, Role::Editor, "alt")
            .await
            .unwrap();
        let money = |amount: &str| json!({"amount": amount, "currency": "USD", "kind": "fine", "scope": "total"});
        let body = |disputed: bool, alternatives: Value| {
            json!({"slug": "lo-alt", "kind": "fine", "date": "2012", "group": "anonymous",
                "disputed": disputed, "dispute_note": disputed.then_some("two figures"),
                "money": money("10.00"), "alternatives": alternatives,
                "citations": [{"source": "seed-article"}]})
        };
        let post = |b: Value| {
            let app = &app;
            let key = key.clone();
            async move {
                app.send(
                    reqwest::Method::POST,
                    "/v1/legal-outcomes",
                    Some(&key),
                    None,
                    Some(&b),
                )
                .await
            }
        };
        let cite = json!([{"source": "seed-article", "field": "money"}]);
        for (b, field) in [
            (
                body(
                    false,
                    json!([{"field": "money", "value": money("12.00"), "citations": cite}]),
                ),
                "alternatives",
            ),
            (
                body(
                    true,
                    json!([{"field": "colour", "value": "red", "citations": cite}]),
                ),
                "alternatives[0].field",
            ),
            (
                body(
                    true,
                    json!([{"field": "money", "value": {"amount": "-1"}, "citations": cite}]),
                ),
                "alternatives[0].value",
            ),
            (
                body(
                    true,
                    json!([{"field": "date", "value": "2012-02-30", "citations": cite}]),
                ),
                "alternatives[0].value",
            ),
            (
                body(
                    true,
                    json!([{"field": "money", "value": money("12.00"), "citations": []}]),
                ),
                "alternatives[0].citations",
            ),
            (
                body(
                    true,
                    json!([{"field": "money", "value": money("12.00"),
                                   "citations": [{"source": "no-such-source"}]}]),
                ),
                "alternatives[0].citations[0].source",
            ),
        ] {
            let res = post(b).await;
            assert_eq!(res.status(), 422);
            let p: Value = res.json().await.unwrap();
            let fields: Vec<&str> = p["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["field"].as_str().unwrap())
                .collect();
            assert!(fields.iter().any(|f| f.ends_with(field)), "{field}: {p}");
        }
        assert_eq!(app.get("/v1/legal-outcomes/lo-alt").await.status(), 404);

        let two = json!([
            {"field": "money", "value": money("12.00"), "citations": cite, "note": "later"},
            {"field": "people_count", "value": 3, "citations": cite}]);
        let res = post(body(true, two)).await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        let r: Value = app
            .get("/v1/legal-outcomes/lo-alt")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(r["alternatives"].as_array().unwrap().len(), 2);
        assert_eq!(r["alternatives"][0]["note"], "later");
        assert_eq!(r["alternatives"][1]["value"], 3);

        // A PATCH replaces them; a DELETE takes them with the record.
        let tag = app.etag("/v1/legal-outcomes/lo-alt").await;
        let patch = json!({"alternatives": [{"field": "court", "value": "Another court", "citations": cite}]});
        let res = app
            .send(
                reqwest::Method::PATCH,
                "/v1/legal-outcomes/lo-alt",
                Some(&key),
                Some(&tag),
                Some(&patch),
            )
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let r: Value = app
            .get("/v1/legal-outcomes/lo-alt")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            r["alternatives"],
            json!([{"field": "court", "value": "Another court", "note": null,
                    "citations": [{"source": r["citations"][0]["source"], "quote": null,
                                   "locator": null, "field": "money"}]}])
        );
        let before = alternative::Entity::find()
            .count(&app.tdb.db)
            .await
            .unwrap();
        let tag = app.etag("/v1/legal-outcomes/lo-alt").await;
        let res = app
            .send(
                reqwest::Method::DELETE,
                "/v1/legal-outcomes/lo-alt",
                Some(&key),
                Some(&tag),
                None,
            )
            .await;
        assert!(res.status().is_success(), "{}", res.status());
        let after = alternative::Entity::find()
            .count(&app.tdb.db)
            .await
            .unwrap();
        assert_eq!(before - after, 1, "the record's alternative went with it");
    }
);
