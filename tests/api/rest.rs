//! The REST read API over real HTTP, on both backends: filters, overlap
//! dates, pagination, details, search, timeline, stats, CSV, caching, errors
//! and the OpenAPI contract.

use std::collections::HashSet;

use factline::domain::dataset::Dataset;
use serde_json::Value;

use crate::both_backends;
use crate::helpers::{TestApp, TestDb};

async fn seeded_app(backend: crate::helpers::Backend) -> Option<TestApp> {
    Some(TestApp::spawn(TestDb::seeded(backend).await?).await)
}

fn slugs(body: &Value) -> Vec<String> {
    let mut v: Vec<String> = body["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|r| r["slug"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

async fn ok_json(app: &TestApp, path: &str) -> Value {
    let (status, body) = app.get_json(path).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

async fn problem(app: &TestApp, path: &str, status: u16) -> Value {
    let res = app.get(path).await;
    assert_eq!(res.status().as_u16(), status, "{path}");
    assert_eq!(
        res.headers()["content-type"],
        "application/problem+json",
        "{path}"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], status);
    body
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

both_backends!(every_list_filter_answers_over_http, |backend| {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let b = ok_json(&app, "/v1/operations?target=paypal").await;
    assert_eq!(slugs(&b), ["op-avenge-assange", "op-payback"]);
    assert_eq!(b["page"]["total"], 2);
    let b = ok_json(&app, "/v1/operations?group=lulzsec&tactic=data_leak").await;
    assert!(slugs(&b).contains(&"op-lulzsec-50-days".to_owned()));
    let b = ok_json(&app, "/v1/operations?part_of=op-chanology").await;
    assert_eq!(slugs(&b), ["op-chanology-protests-2008-02-10"]);
    let b = ok_json(&app, "/v1/operations?disputed=true&limit=100").await;
    assert!(
        b["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["disputed"] == true)
    );
    let b = ok_json(&app, "/v1/groups?kind=crew").await;
    assert_eq!(slugs(&b), ["lulzsec"]);
    let b = ok_json(&app, "/v1/groups?parent=anonymous").await;
    assert_eq!(slugs(&b), ["antisec", "lulzsec"]);
    let b = ok_json(&app, "/v1/targets?country=FI").await;
    assert_eq!(slugs(&b), ["habbo"]);
    let b = ok_json(&app, "/v1/targets?group=lulzsec&limit=100").await;
    assert!(slugs(&b).contains(&"sony-pictures".to_owned()));
    let b = ok_json(&app, "/v1/targets?kind=religious_org&limit=100").await;
    assert!(slugs(&b).contains(&"church-of-scientology".to_owned()));
    let b = ok_json(
        &app,
        "/v1/legal-outcomes?jurisdiction=US-CA&kind=sentence&limit=100",
    )
    .await;
    assert!(!slugs(&b).is_empty());
    for lo in b["data"].as_array().unwrap() {
        assert_eq!(lo["jurisdiction"], "US-CA");
        assert_eq!(lo["kind"], "sentence");
    }
    let b = ok_json(
        &app,
        "/v1/legal-outcomes?target=paypal&operation=op-avenge-assange&limit=100",
    )
    .await;
    assert!(slugs(&b).contains(&"lo-paypal14-restitution".to_owned()));
    let b = ok_json(
        &app,
        "/v1/legal-outcomes?group=anonymous&q=guzner&limit=100",
    )
    .await;
    assert!(slugs(&b).contains(&"lo-guzner-plea".to_owned()));
    let b = ok_json(&app, "/v1/sources?language=ar&limit=100").await;
    assert!(slugs(&b).contains(&"seed-article".to_owned()));
    let b = ok_json(&app, "/v1/sources?kind=seed").await;
    assert_eq!(slugs(&b), ["seed-article"]);
    let b = ok_json(
        &app,
        "/v1/operations?q=%D8%AA%D8%B4%D8%A7%D9%86%D9%88%D9%84%D9%88%D8%AC%D9%8A",
    )
    .await;
    assert_eq!(
        slugs(&b),
        ["op-chanology", "op-chanology-protests-2008-02-10"],
        "Arabic تشانولوجي"
    );
});

both_backends!(
    from_and_to_overlap_at_year_month_and_day_precision,
    |backend| {
        let Some(app) = seeded_app(backend).await else {
            return;
        };
        // op-payback: 2010-09 to 2011-01.
        for q in [
            "from=2011&to=2011",
            "from=2010-12&to=2010-12",
            "from=2010-10-15&to=2010-10-15",
            "to=2010-09-01",
            "from=2011-01-31",
        ] {
            let b = ok_json(&app, &format!("/v1/operations?limit=100&{q}")).await;
            assert!(slugs(&b).contains(&"op-payback".to_owned()), "{q}");
        }
        for q in [
            "from=2011-02&to=2011-02",
            "to=2010-08-31",
            "from=2011-02-01",
        ] {
            let b = ok_json(&app, &format!("/v1/operations?limit=100&{q}")).await;
            assert!(!slugs(&b).contains(&"op-payback".to_owned()), "{q}");
        }
        // A legal outcome dated only `2012` matches any part of 2012.
        let b = ok_json(
            &app,
            "/v1/legal-outcomes?limit=100&from=2012-07-04&to=2012-07-04",
        )
        .await;
        let all = ok_json(&app, "/v1/legal-outcomes?limit=100").await;
        let year_only: Vec<&Value> = all["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["date"]["edtf"] == "2012")
            .collect();
        assert!(!year_only.is_empty());
        for l in year_only {
            assert!(slugs(&b).contains(&l["slug"].as_str().unwrap().to_owned()));
            assert_eq!(l["date"]["precision"], "year");
            assert_eq!(l["date"]["earliest"], "2012-01-01");
            assert_eq!(l["date"]["latest"], "2012-12-31");
        }
        let p = problem(&app, "/v1/operations?from=2012&to=2011", 400).await;
        assert_eq!(fields(&p), ["to"]);
    }
);

both_backends!(
    pagination_follows_link_headers_through_every_record_once,
    |backend| {
        let Some(app) = seeded_app(backend).await else {
            return;
        };
        let mut path = "/v1/sources?limit=10&sort=-title".to_owned();
        let mut seen = HashSet::new();
        let mut pages = 0;
        loop {
            let res = app.get(&path).await;
            assert_eq!(res.status(), 200);
            let link = res
                .headers()
                .get("link")
                .map(|l| l.to_str().unwrap().to_owned());
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["page"]["total"], 172);
            assert_eq!(body["page"]["limit"], 10);
            for s in slugs(&body) {
                assert!(seen.insert(s.clone()), "{s} twice");
            }
            pages += 1;
            match link {
                Some(l) => {
                    assert!(l.ends_with("; rel=\"next\""));
                    assert!(body["page"]["next_cursor"].is_string());
                    path = l[1..l.find('>').unwrap()].to_owned();
                    assert!(path.contains("sort=-title") && path.contains("limit=10"));
                }
                None => {
                    assert!(body["page"]["next_cursor"].is_null());
                    break;
                }
            }
        }
        assert_eq!((seen.len(), pages), (172, 18));
    }
);

both_backends!(
    pagination_is_stable_when_records_are_inserted_during_a_walk,
    |backend| {
        let Some(app) = seeded_app(backend).await else {
            return;
        };
        let first = ok_json(&app, "/v1/legal-outcomes?sort=slug&limit=10").await;
        let before: Vec<String> = slugs(&first);
        // Insert one record that sorts before the cursor and one after it.
        let base = crate::helpers::seed();
        let mut ds = Dataset {
            sources: base.sources.clone(),
            ..Dataset::default()
        };
        for slug in ["lo-aaa-inserted", "lo-zzz-inserted"] {
            let mut lo = base.legal_outcomes[0].clone();
            lo.slug = slug.into();
            ds.legal_outcomes.push(lo);
        }
        crate::helpers::import_dataset(&app.tdb.db, ds)
            .await
            .unwrap();
        let mut seen: HashSet<String> = before.iter().cloned().collect();
        let mut cursor = first["page"]["next_cursor"].as_str().map(str::to_owned);
        while let Some(c) = cursor {
            let b = ok_json(
                &app,
                &format!("/v1/legal-outcomes?sort=slug&limit=10&cursor={c}"),
            )
            .await;
            for s in slugs(&b) {
                assert!(seen.insert(s.clone()), "{s} twice");
            }
            cursor = b["page"]["next_cursor"].as_str().map(str::to_owned);
        }
        assert!(
            seen.contains("lo-zzz-inserted"),
            "a record after the cursor is reached"
        );
        assert!(
            !seen.contains("lo-aaa-inserted"),
            "a record before the cursor does not shift the walk"
        );
        assert_eq!(seen.len(), 47);
    }
);

both_backends!(details_carry_relations_and_full_citations, |backend| {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let op = ok_json(&app, "/v1/operations/op-avenge-assange").await;
    assert_eq!(op["slug"], "op-avenge-assange");
    assert_eq!(op["part_of"]["slug"], "op-payback");
    assert_eq!(op["groups"][0]["slug"], "anonymous");
    assert_eq!(op["groups"][0]["role"], "attributed");
    assert!(!op["groups"][0]["citations"].as_array().unwrap().is_empty());
    let paypal = op["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == "paypal")
        .expect("paypal");
    assert!(!paypal["citations"].as_array().unwrap().is_empty());
    assert!(
        op["legal_outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["slug"] == "lo-paypal14-restitution")
    );
    let c = &op["citations"][0];
    for key in ["slug", "title", "url", "publisher", "language", "kind"] {
        assert!(
            c["source"].get(key).is_some(),
            "citation source lacks {key}"
        );
    }
    assert!(c.get("quote").is_some() && c.get("locator").is_some());
    assert_eq!(op["start"]["precision"], "day");

    let lo = ok_json(&app, "/v1/legal-outcomes/lo-paypal14-restitution").await;
    assert_eq!(
        lo["money"],
        serde_json::json!({"amount": "5600.00", "currency": "USD", "kind": "restitution_ordered", "scope": "per_person"})
    );
    assert_eq!(lo["operation"]["slug"], "op-avenge-assange");

    let g = ok_json(&app, "/v1/groups/anonymous").await;
    assert_eq!(
        g["founded"],
        serde_json::json!({"edtf": "2003", "precision": "year", "earliest": "2003-01-01", "latest": "2003-12-31"})
    );
    assert!(
        g["names"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["lang"] == "ar" && n["kind"] == "primary")
    );
    assert_eq!(g["children"].as_array().unwrap().len(), 2);
    let t = ok_json(&app, "/v1/targets/paypal").await;
    assert_eq!(t["operations"].as_array().unwrap().len(), 2);
    let s = ok_json(&app, "/v1/sources/seed-article").await;
    assert_eq!(s["kind"], "seed");
    problem(&app, "/v1/targets/no-such-target", 404).await;
});

both_backends!(
    search_ranks_arabic_and_english_names_above_texts,
    |backend| {
        let Some(app) = seeded_app(backend).await else {
            return;
        };
        // الأَنُونِيمُوس with diacritics.
        let b = ok_json(&app, "/v1/search?q=%D8%A7%D9%84%D8%A3%D9%8E%D9%86%D9%8F%D9%88%D9%86%D9%90%D9%8A%D9%85%D9%8F%D9%88%D8%B3").await;
        assert_eq!(b["data"][0]["slug"], "anonymous");
        assert_eq!(b["data"][0]["matched"], "exact");
        let b = ok_json(&app, "/v1/search?q=ANONYMOUS").await;
        assert_eq!(b["data"][0]["slug"], "anonymous");
        let ranks = |b: &Value| -> Vec<String> {
            b["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["matched"].as_str().unwrap().to_owned())
                .collect()
        };
        let b = ok_json(&app, "/v1/search?q=payback&limit=50").await;
        let order = ["exact", "prefix", "all_words", "substring", "text"];
        let r: Vec<usize> = ranks(&b)
            .iter()
            .map(|m| order.iter().position(|o| o == m).unwrap())
            .collect();
        assert!(
            r.windows(2).all(|w| w[0] <= w[1]),
            "ranked best first: {r:?}"
        );
        assert!(
            ranks(&b).contains(&"text".to_owned()),
            "summaries mentioning it come last"
        );
        assert!(b["data"][0]["slug"].as_str().unwrap().starts_with("op-"));
        let kinds: HashSet<&str> = b["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["kind"].as_str().unwrap())
            .collect();
        assert!(kinds.len() >= 2, "mixed kinds: {kinds:?}");
        let p = problem(&app, "/v1/search", 400).await;
        assert_eq!(fields(&p), ["q"]);
        let p = problem(&app, &format!("/v1/search?q={}", "a".repeat(201)), 400).await;
        assert_eq!(fields(&p), ["q"]);
    }
);

both_backends!(
    the_timeline_is_in_date_then_precision_order_with_sources,
    |backend| {
        let Some(app) = seeded_app(backend).await else {
            return;
        };
        let mut entries = Vec::new();
        let mut cursor = String::new();
        loop {
            let b = ok_json(&app, &format!("/v1/timeline?limit=7{cursor}")).await;
            assert_eq!(b["page"]["total"], 59);
            entries.extend(b["data"].as_array().unwrap().iter().cloned());
            match b["page"]["next_cursor"].as_str() {
                Some(c) => cursor = format!("&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(entries.len(), 59);
        let rank = |p: &str| {
            ["day", "month", "year"]
                .iter()
                .position(|x| *x == p)
                .unwrap()
        };
        for w in entries.windows(2) {
            let (a, b) = (&w[0]["date"], &w[1]["date"]);
            let ka = (
                a["earliest"].as_str().unwrap(),
                rank(a["precision"].as_str().unwrap()),
            );
            let kb = (
                b["earliest"].as_str().unwrap(),
                rank(b["precision"].as_str().unwrap()),
            );
            assert!(ka <= kb, "{ka:?} then {kb:?}");
        }
        assert!(
            entries
                .iter()
                .all(|e| !e["sources"].as_array().unwrap().is_empty())
        );
        assert!(
            entries.iter().any(|e| e["type"] == "legal_outcome")
                && entries.iter().any(|e| e["type"] == "operation")
        );
        let b = ok_json(
            &app,
            "/v1/timeline?target=paypal&from=2014&to=2014&limit=500",
        )
        .await;
        assert!(
            b["data"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["type"] == "legal_outcome")
        );
        assert!(
            b["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["slug"] == "lo-paypal14-restitution")
        );
    }
);

both_backends!(stats_count_year_only_dates_apart_from_january, |backend| {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let s = ok_json(&app, "/v1/stats").await;
    assert_eq!(s["operations"], 13);
    assert_eq!(s["legal_outcomes"], 46);
    let ds = crate::helpers::seed();
    for y in s["legal_outcomes_by_year"]["by_year"].as_array().unwrap() {
        let year = y["year"].as_i64().unwrap().to_string();
        let of_year: Vec<_> = ds
            .legal_outcomes
            .iter()
            .filter(|l| l.date.starts_with(&year))
            .collect();
        assert_eq!(y["count"], of_year.len(), "{year}");
        let year_only = of_year.iter().filter(|l| l.date.len() == 4).count();
        assert_eq!(y["unknown_month"], year_only, "{year}");
        let january = of_year
            .iter()
            .filter(|l| l.date.len() > 4 && &l.date[5..7] == "01")
            .count();
        assert_eq!(
            y["by_month"].get("01").and_then(Value::as_u64).unwrap_or(0) as usize,
            january,
            "{year}"
        );
    }
    let ddos = s["by_tactic"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "ddos")
        .unwrap();
    assert_eq!(
        ddos["count"],
        ds.operations
            .iter()
            .filter(|o| o.tactics.contains(&"ddos".to_owned()))
            .count()
    );
    let sentences = s["by_outcome_kind"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "sentence")
        .unwrap();
    assert_eq!(sentences["count"], 13);
    let total: u64 = s["by_jurisdiction"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["count"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 46);
});

/// A CSV body's rows, and a lookup of a column's index by its header name.
fn csv_table(text: &str) -> (impl Fn(&str) -> usize, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().clone();
    let rows = r.records().map(Result::unwrap).collect();
    let col = move |name: &str| header.iter().position(|c| c == name).unwrap();
    (col, rows)
}

both_backends!(every_list_answers_csv_that_parses_back, |backend| {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    for (path, n) in [
        ("/v1/groups", 4),
        ("/v1/operations", 13),
        ("/v1/targets", 34),
        ("/v1/legal-outcomes", 46),
        ("/v1/sources", 172),
    ] {
        for (query, accept) in [("?format=csv", None), ("", Some("text/csv"))] {
            let mut req = app.client.get(app.url(&format!("{path}{query}")));
            if let Some(a) = accept {
                req = req.header("accept", a);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), 200, "{path}");
            assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
            let text = res.text().await.unwrap();
            let mut r = csv::Reader::from_reader(text.as_bytes());
            let header = r.headers().unwrap().clone();
            assert_eq!(&header[0], "slug");
            let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
            assert_eq!(rows.len(), n, "{path}");
            assert!(rows.iter().all(|row| row.len() == header.len()));
        }
    }
    let text = app
        .get("/v1/operations?format=csv&target=paypal")
        .await
        .text()
        .await
        .unwrap();
    let (col, rows) = csv_table(&text);
    let payback = rows.iter().find(|row| &row[0] == "op-payback").unwrap();
    assert_eq!(&payback[col("name_ar")], "عملية الاسترداد");
    assert_eq!(&payback[col("start_precision")], "month");
    assert!(payback[col("targets")].split(" | ").any(|t| t == "paypal"));
    assert_eq!(&payback[col("groups")], "anonymous:attributed");
});

both_backends!(
    a_streamed_operations_csv_has_the_rows_of_the_paged_one,
    |backend| {
        // The whole list is streamed from slug-only loaders; a page with
        // `limit` is rendered from the JSON views. Both must print the same
        // cells in the same order.
        let Some(app) = seeded_app(backend).await else {
            return;
        };
        for filter in ["", "&target=paypal", "&group=anonymous&sort=-start"] {
            let streamed = app.get(&format!("/v1/operations?format=csv{filter}")).await;
            assert!(!streamed.headers().contains_key("etag"), "streamed");
            let streamed = streamed.text().await.unwrap();
            let paged = app
                .get(&format!("/v1/operations?format=csv&limit=100{filter}"))
                .await;
            assert!(paged.headers().contains_key("etag"), "paged");
            let paged = paged.text().await.unwrap();
            assert!(streamed.lines().count() > 2, "{filter}");
            assert_eq!(streamed, paged, "{filter}");
        }
        let text = app
            .get("/v1/operations?format=csv")
            .await
            .text()
            .await
            .unwrap();
        let (col, rows) = csv_table(&text);
        assert!(
            rows.iter()
                .any(|row| row[col("legal_outcomes")].split(" | ").count() > 1),
            "an operation with several legal outcomes checks their order"
        );
        assert!(
            rows.iter()
                .any(|row| row[col("sources")].split(" | ").count() > 1),
            "an operation with several citations checks their order"
        );
    }
);

both_backends!(
    gets_carry_etags_and_answer_304_until_the_data_changes,
    |backend| {
        let Some(app) = seeded_app(backend).await else {
            return;
        };
        for path in [
            "/v1/groups/anonymous",
            "/v1/operations?limit=5",
            "/v1/search?q=paypal",
            "/v1/timeline",
            "/v1/stats",
        ] {
            let res = app.get(path).await;
            let tag = res.headers()["etag"].to_str().unwrap().to_owned();
            assert_eq!(res.headers()["cache-control"], "no-cache", "{path}");
            let again = app
                .client
                .get(app.url(path))
                .header("if-none-match", &tag)
                .send()
                .await
                .unwrap();
            assert_eq!(again.status(), 304, "{path}");
            assert!(again.bytes().await.unwrap().is_empty());
            let other = app
                .client
                .get(app.url(path))
                .header("if-none-match", "W/\"stale\"")
                .send()
                .await
                .unwrap();
            assert_eq!(other.status(), 200, "{path}");
        }
        let tag = app.get("/v1/operations/op-payback").await.headers()["etag"].clone();
        let mut ds = crate::helpers::seed();
        ds.operations
            .iter_mut()
            .find(|o| o.slug == "op-payback")
            .unwrap()
            .dispute_note = Some("corrected".into());
        ds.operations
            .iter_mut()
            .find(|o| o.slug == "op-payback")
            .unwrap()
            .disputed = true;
        crate::helpers::import_dataset(&app.tdb.db, ds)
            .await
            .unwrap();
        let res = app
            .client
            .get(app.url("/v1/operations/op-payback"))
            .header("if-none-match", tag.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "a corrected record is served at once");
        assert_ne!(res.headers()["etag"], tag);
        let body: Value = res.json().await.unwrap();
        assert_eq!(
            (body["version"].as_i64(), body["dispute_note"].as_str()),
            (Some(2), Some("corrected"))
        );
    }
);

both_backends!(
    every_error_answers_problem_json_naming_the_field,
    |backend| {
        let Some(app) = seeded_app(backend).await else {
            return;
        };
        problem(&app, "/v1/nothing-here", 404).await;
        problem(&app, "/v1/groups/nobody", 404).await;
        let p = problem(&app, "/v1/operations?limit=0", 400).await;
        assert_eq!(fields(&p), ["limit"]);
        let p = problem(&app, "/v1/operations?limit=101", 400).await;
        assert_eq!(fields(&p), ["limit"]);
        let p = problem(
            &app,
            "/v1/operations?limit=ten&from=2011-02-30&disputed=maybe&colour=red",
            400,
        )
        .await;
        let mut f = fields(&p);
        f.sort();
        assert_eq!(f, ["colour", "disputed", "from", "limit"]);
        let p = problem(&app, "/v1/operations?cursor=garbage", 400).await;
        assert_eq!(fields(&p), ["cursor"]);
        let p = problem(&app, "/v1/operations?sort=colour", 400).await;
        assert_eq!(fields(&p), ["sort"]);
        let p = problem(&app, "/v1/targets?country=XX", 400).await;
        assert_eq!(fields(&p), ["country"]);
        let p = problem(&app, "/v1/legal-outcomes?jurisdiction=US-ZZ", 400).await;
        assert_eq!(fields(&p), ["jurisdiction"]);
        let p = problem(&app, "/v1/groups?kind=gang", 400).await;
        assert_eq!(fields(&p), ["kind"]);
        let p = problem(&app, "/v1/groups?format=xml", 400).await;
        assert_eq!(fields(&p), ["format"]);
        let p = problem(&app, "/v1/groups?limit=1&limit=2", 400).await;
        assert_eq!(fields(&p), ["limit"]);
        let p = problem(&app, "/v1/groups/anonymous?expand=all", 400).await;
        assert_eq!(fields(&p), ["expand"]);
        let p = problem(&app, "/v1/groups/%FF", 400).await;
        assert_eq!(fields(&p), ["slug"]);
        // What the document states, the checks hold to: a reference filter
        // takes a slug, a range end one date, `q` something besides blanks,
        // a language filter the documented shape, a list its own formats.
        let p = problem(&app, "/v1/operations?group=Anonymous", 400).await;
        assert_eq!(fields(&p), ["group"]);
        let p = problem(&app, "/v1/operations?from=2011/2012", 400).await;
        assert_eq!(fields(&p), ["from"]);
        let p = problem(&app, "/v1/search?q=%20%09", 400).await;
        assert_eq!(fields(&p), ["q"]);
        let p = problem(&app, "/v1/sources?language=en-x-private", 400).await;
        assert_eq!(fields(&p), ["language"]);
        let p = problem(&app, "/v1/sources?format=xml", 400).await;
        assert_eq!(fields(&p), ["format"]);
        // A registered-or-not tag of the documented shape, and a `q` with
        // nothing left to search for once diacritics go, match nothing.
        let none: serde_json::Value = app
            .get("/v1/sources?language=qq")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(none["data"].as_array().unwrap().len(), 0, "{none}");
        let none: serde_json::Value = app.get("/v1/search?q=%CC%81").await.json().await.unwrap();
        assert_eq!(none["data"].as_array().unwrap().len(), 0, "{none}");
        let none: serde_json::Value = app.get("/v1/groups?q=%CC%81").await.json().await.unwrap();
        assert_eq!(none["data"].as_array().unwrap().len(), 0, "{none}");
        // Malformed percent-encoding and odd separators in a query string.
        problem(&app, "/v1/groups?%=%&&=", 400).await;
        let lenient = app.get("/v1/groups?q=%ZZ").await;
        assert_eq!(
            lenient.status(),
            200,
            "a stray % is taken literally, not a 500"
        );
        let res = app
            .client
            .delete(app.url("/v1/groups"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 405);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let res = app
            .client
            .post(app.url("/v1/stats"))
            .body("x")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 405);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    }
);

both_backends!(reads_allow_any_origin_and_compress_on_request, |backend| {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let res = app
        .client
        .get(app.url("/v1/sources?limit=100"))
        .header("origin", "https://example.org")
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    assert_eq!(res.headers()["content-encoding"], "gzip");
    let pre = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/v1/groups"))
        .header("origin", "https://example.org")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert!(pre.status().is_success());
    assert!(
        pre.headers()["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("GET")
    );
});

/// The contract: every route, its parameters and responses, in a compact
/// form. When the API changes on purpose, copy the printed text here.
const CONTRACT: &str = "\
GET /healthz -> 200 429 503
GET /readyz -> 200 429 503
GET /v1/changes ?since ?limit -> 200 400 414 429 503
GET /v1/export ?format ?as_of -> 200 400 414 429 503
GET /v1/groups ?kind ?parent ?from ?to ?date_match ?q ?limit ?cursor ?sort ?format ?as_of -> 200 400 414 429 503
POST /v1/groups ?X-Change-Reason -> 201 400 401 403 409 413 415 422 429 503
DELETE /v1/groups/{slug} slug If-Match ?X-Change-Reason -> 204 400 401 403 404 409 412 428 429 503
GET /v1/groups/{slug} slug ?format ?as_of -> 200 400 404 414 429 503
PATCH /v1/groups/{slug} slug If-Match ?X-Change-Reason -> 200 400 401 403 404 412 413 415 422 428 429 503
GET /v1/groups/{slug}/history slug -> 200 400 404 429 503
POST /v1/import ?X-Change-Reason -> 200 400 401 403 413 415 422 429 503
GET /v1/legal-outcomes ?kind ?jurisdiction ?group ?operation ?target ?from ?to ?date_match ?disputed ?q ?limit ?cursor ?sort ?format ?as_of -> 200 400 414 429 503
POST /v1/legal-outcomes ?X-Change-Reason -> 201 400 401 403 409 413 415 422 429 503
DELETE /v1/legal-outcomes/{slug} slug If-Match ?X-Change-Reason -> 204 400 401 403 404 409 412 428 429 503
GET /v1/legal-outcomes/{slug} slug ?format ?as_of -> 200 400 404 414 429 503
PATCH /v1/legal-outcomes/{slug} slug If-Match ?X-Change-Reason -> 200 400 401 403 404 412 413 415 422 428 429 503
GET /v1/legal-outcomes/{slug}/history slug -> 200 400 404 429 503
GET /v1/operations ?group ?target ?tactic ?part_of ?from ?to ?date_match ?disputed ?q ?limit ?cursor ?sort ?format ?as_of -> 200 400 414 429 503
POST /v1/operations ?X-Change-Reason -> 201 400 401 403 409 413 415 422 429 503
DELETE /v1/operations/{slug} slug If-Match ?X-Change-Reason -> 204 400 401 403 404 409 412 428 429 503
GET /v1/operations/{slug} slug ?format ?as_of -> 200 400 404 414 429 503
PATCH /v1/operations/{slug} slug If-Match ?X-Change-Reason -> 200 400 401 403 404 412 413 415 422 428 429 503
GET /v1/operations/{slug}/history slug -> 200 400 404 429 503
GET /v1/search q ?limit ?as_of -> 200 400 414 429 503
GET /v1/sources ?kind ?language ?from ?to ?date_match ?limit ?cursor ?sort ?format ?as_of -> 200 400 414 429 503
POST /v1/sources ?X-Change-Reason -> 201 400 401 403 409 413 415 422 429 503
DELETE /v1/sources/{slug} slug If-Match ?X-Change-Reason -> 204 400 401 403 404 409 412 428 429 503
GET /v1/sources/{slug} slug ?format ?as_of -> 200 400 404 414 429 503
PATCH /v1/sources/{slug} slug If-Match ?X-Change-Reason -> 200 400 401 403 404 412 413 415 422 428 429 503
GET /v1/sources/{slug}/history slug -> 200 400 404 429 503
GET /v1/stats ?as_of -> 200 400 414 429 503
GET /v1/targets ?kind ?country ?group ?operation ?q ?limit ?cursor ?sort ?format ?as_of -> 200 400 414 429 503
POST /v1/targets ?X-Change-Reason -> 201 400 401 403 409 413 415 422 429 503
DELETE /v1/targets/{slug} slug If-Match ?X-Change-Reason -> 204 400 401 403 404 409 412 428 429 503
GET /v1/targets/{slug} slug ?format ?as_of -> 200 400 404 414 429 503
PATCH /v1/targets/{slug} slug If-Match ?X-Change-Reason -> 200 400 401 403 404 412 413 415 422 428 429 503
GET /v1/targets/{slug}/history slug -> 200 400 404 429 503
GET /v1/timeline ?group ?target ?from ?to ?date_match ?limit ?cursor ?as_of -> 200 400 414 429 503
GET /v1/timeline.svg ?group ?target ?from ?to ?date_match ?as_of -> 200 400 414 429 503
GET /v1/{collection}.csv collection ?limit ?cursor -> 200 400 404 414 429 503
GET /v1/{collection}/schema collection -> 200 404 429 503
";

fn contract(doc: &Value) -> String {
    let mut out = String::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let params: Vec<String> = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            let name = p["name"].as_str().unwrap();
                            if p["required"] == true {
                                name.to_owned()
                            } else {
                                format!("?{name}")
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            let statuses: Vec<&String> = op["responses"].as_object().unwrap().keys().collect();
            let mut line = format!("{} {path}", method.to_uppercase());
            for p in params {
                line.push(' ');
                line.push_str(&p);
            }
            line.push_str(" ->");
            for s in statuses {
                line.push(' ');
                line.push_str(s);
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

both_backends!(
    the_openapi_document_describes_every_route_and_csv_column,
    |backend| {
        let Some(app) = seeded_app(backend).await else {
            return;
        };
        let doc = ok_json(&app, "/openapi.json").await;
        let actual = contract(&doc);
        assert_eq!(
            actual, CONTRACT,
            "the API contract changed; if on purpose, set CONTRACT to:\n{actual}"
        );
        let ops = &doc["paths"]["/v1/operations"]["get"]["responses"]["200"];
        let text = ops["description"].as_str().unwrap();
        for col in ["`start_edtf`", "`tactics`", "`groups`", "`sources`"] {
            assert!(text.contains(col), "{col} undocumented");
        }
        assert!(ops["content"].get("text/csv").is_some());
        assert!(doc["components"]["schemas"].get("Problem").is_some());
        // The docs page and its assets come from this server, not the internet.
        let html = app.get("/docs/").await.text().await.unwrap();
        assert!(html.contains("swagger-ui-bundle.js"));
        assert!(
            !html.contains("https://"),
            "no external asset in the docs page"
        );
        let js = app.get("/docs/swagger-ui-bundle.js").await;
        assert_eq!(js.status(), 200);
        assert!(js.bytes().await.unwrap().len() > 100_000);
    }
);

both_backends!(
    a_records_operations_are_every_linked_one_in_date_order,
    |backend| {
        use factline::db::entities::{group, operation, operation_group, operation_target, target};
        use sea_orm::EntityTrait;
        use std::collections::HashMap;
        let Some(app) = seeded_app(backend).await else {
            return;
        };
        let db = &app.tdb.db;
        // The expectation is read from the link tables themselves, not
        // through the domain's relation function the view uses.
        let ops: HashMap<_, _> = operation::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        let expect = |mut linked: Vec<(&operation::Model, Option<String>)>| -> Vec<Value> {
            linked.sort_by(|a, b| (a.0.earliest, &a.0.slug).cmp(&(b.0.earliest, &b.0.slug)));
            linked
                .into_iter()
                .map(|(o, role)| {
                    let mut v =
                        serde_json::json!({"slug": o.slug, "name": o.name, "start": o.start_edtf});
                    if let Some(role) = role {
                        v["role"] = role.into();
                    }
                    v
                })
                .collect()
        };
        let got = |body: &Value| -> Vec<Value> {
            body["operations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| {
                    let mut v = serde_json::json!({"slug": o["slug"], "name": o["name"], "start": o["start"]["edtf"]});
                    if let Some(role) = o.get("role") {
                        v["role"] = role.clone();
                    }
                    v
                })
                .collect()
        };
        let group_links = operation_group::Entity::find().all(db).await.unwrap();
        let mut seen = 0;
        for g in group::Entity::find().all(db).await.unwrap() {
            let want = expect(
                group_links
                    .iter()
                    .filter(|l| l.group_id == g.id)
                    .map(|l| (&ops[&l.operation_id], Some(l.role.clone())))
                    .collect(),
            );
            seen += want.len();
            let body = ok_json(&app, &format!("/v1/groups/{}", g.slug)).await;
            assert_eq!(got(&body), want, "group {}", g.slug);
        }
        let target_links = operation_target::Entity::find().all(db).await.unwrap();
        for t in target::Entity::find().all(db).await.unwrap() {
            let want = expect(
                target_links
                    .iter()
                    .filter(|l| l.target_id == t.id)
                    .map(|l| (&ops[&l.operation_id], None))
                    .collect(),
            );
            seen += want.len();
            let body = ok_json(&app, &format!("/v1/targets/{}", t.slug)).await;
            assert_eq!(got(&body), want, "target {}", t.slug);
        }
        assert!(seen > 20, "the bundled data links operations: {seen}");
    }
);

// Views read only the source columns `SourceRef` shows: every field of a
// citation's source, on every kind of record and link, is the source's own.
both_backends!(
    every_cited_source_shows_the_source_s_own_values,
    |backend| {
        let Some(app) = seeded_app(backend).await else {
            return;
        };
        let mut sources = std::collections::HashMap::new();
        let mut seen = 0;
        for kind in ["groups", "targets", "operations", "legal-outcomes"] {
            let list = ok_json(&app, &format!("/v1/{kind}?limit=100")).await;
            for r in list["data"].as_array().unwrap() {
                let slug = r["slug"].as_str().unwrap();
                let record = ok_json(&app, &format!("/v1/{kind}/{slug}")).await;
                let links = ["groups", "targets"]
                    .iter()
                    .filter(|_| kind == "operations")
                    .flat_map(|l| record[*l].as_array().unwrap());
                let cited = record["citations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .chain(links.flat_map(|l| l["citations"].as_array().unwrap()));
                for c in cited {
                    let shown = c["source"].as_object().unwrap();
                    let slug = shown["slug"].as_str().unwrap().to_owned();
                    if !sources.contains_key(&slug) {
                        let own = ok_json(&app, &format!("/v1/sources/{slug}")).await;
                        sources.insert(slug.clone(), own);
                    }
                    for (key, value) in shown {
                        assert_eq!(value, &sources[&slug][key], "{kind}/{slug}: source.{key}");
                    }
                    seen += 1;
                }
            }
        }
        assert!(
            sources.len() > 100 && seen > 300,
            "{} sources, {seen} citations",
            sources.len()
        );
    }
);

both_backends!(
    a_descriptive_title_is_flagged_on_both_doors_in_csv_and_through_writes,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let (_, editor) = factline::domain::auth::create_key(
            &t.db,
            factline::domain::auth::Role::Editor,
            "editor",
        )
        .await
        .unwrap();
        let app = TestApp::spawn(t).await;
        // The bundled dataset's "[desc]" titles become flagged titles.
        let (status, s) = app.get_json("/v1/sources/mktpalqss-anonymous").await;
        assert_eq!(status, 200);
        assert_eq!(s["title_is_descriptive"], true, "{s}");
        assert!(!s["title"].as_str().unwrap().starts_with("[desc]"), "{s}");
        let (_, plain) = app.get_json("/v1/sources/seed-article").await;
        assert_eq!(plain["title_is_descriptive"], false);
        let (_, list) = app.get_json("/v1/sources?limit=100").await;
        assert!(
            list["data"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| !s["title"].as_str().unwrap().starts_with("[desc]"))
        );
        // GraphQL, also through a citation.
        let res = app
            .gql(
                r#"{ source(slug: "mktpalqss-anonymous") { titleIsDescriptive }
                     group(slug: "anonymous") { citations { source { slug titleIsDescriptive } } } }"#,
                serde_json::json!({}),
            )
            .await;
        assert_eq!(res["data"]["source"]["titleIsDescriptive"], true, "{res}");
        let cited = res["data"]["group"]["citations"].as_array().unwrap();
        assert!(
            cited
                .iter()
                .any(|c| c["source"]["titleIsDescriptive"] == true),
            "{res}"
        );
        // CSV has the column.
        let csv = app
            .get("/v1/sources?format=csv&limit=100")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            csv.lines()
                .next()
                .unwrap()
                .starts_with("slug,title,title_is_descriptive,")
        );
        assert!(
            csv.lines()
                .any(|l| l.starts_with("mktpalqss-anonymous,") && l.contains(",true,"))
        );
        // A write sets it and an export carries it back.
        let r = app
            .client
            .post(app.url("/v1/sources"))
            .bearer_auth(&editor)
            .json(&serde_json::json!({"slug": "supplied-title", "title": "Court filing on the case",
                "title_is_descriptive": true, "url": "https://example.org/filing", "language": "en", "kind": "court_record"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let (_, s) = app.get_json("/v1/sources/supplied-title").await;
        assert_eq!(s["title_is_descriptive"], true);
        let ndjson = app
            .get("/v1/export?format=ndjson")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            ndjson
                .lines()
                .any(|l| l.contains("\"slug\":\"supplied-title\"")
                    && l.contains("\"title_is_descriptive\":true"))
        );
    }
);

both_backends!(
    the_openapi_document_has_an_etag_and_every_route_says_when_to_retry,
    |backend| {
        let Some(app) = seeded_app(backend).await else {
            return;
        };
        let tag = app.etag("/openapi.json").await;
        let res = app
            .client
            .get(app.url("/openapi.json"))
            .header("if-none-match", &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 304);
        let doc = ok_json(&app, "/openapi.json").await;
        let mut operations = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for status in ["429", "503"] {
                    let r = &op["responses"][status];
                    assert!(r.is_object(), "{method} {path} documents no {status}");
                    if status == "429" {
                        assert!(
                            r["headers"]["Retry-After"].is_object(),
                            "{method} {path}: 429 without Retry-After"
                        );
                    }
                }
                operations += 1;
            }
        }
        assert!(operations > 30, "{operations}");
    }
);
