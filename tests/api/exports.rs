//! Data out: NDJSON and dataset JSON that import back to the same database,
//! and a STIX 2.1 bundle whose every reference resolves.

use std::collections::{HashMap, HashSet};

use factline::domain::dataset::Dataset;
use factline::domain::snapshot;
use factline::domain::stix::stix_id;
use serde_json::Value;

use crate::both_backends;
use crate::helpers::{TestApp, TestDb};

async fn export(app: &TestApp, format: &str) -> (reqwest::header::HeaderMap, String) {
    let res = app.get(&format!("/v1/export?format={format}")).await;
    assert_eq!(res.status(), 200, "{format}");
    let headers = res.headers().clone();
    (headers, res.text().await.unwrap())
}

both_backends!(
    ndjson_and_json_exports_import_back_to_an_identical_database,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let (headers, ndjson) = export(&app, "ndjson").await;
        assert_eq!(headers["content-type"], "application/x-ndjson");
        assert!(
            headers["content-disposition"]
                .to_str()
                .unwrap()
                .contains("factline.ndjson")
        );
        let lines: Vec<Value> = ndjson
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["type"], "header");
        let original = snapshot::dataset(&app.tdb.db).await.unwrap();
        let records = original.sources.len()
            + original.groups.len()
            + original.targets.len()
            + original.operations.len()
            + original.legal_outcomes.len();
        assert_eq!(lines.len(), records + 1, "a header, then a line per record");
        // Relations and citations travel inside each record.
        let payback = lines
            .iter()
            .find(|l| l["type"] == "operation" && l["slug"] == "op-payback")
            .unwrap();
        assert!(
            !payback["groups"][0]["citations"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        assert!(!payback["citations"].as_array().unwrap().is_empty());

        // Into an empty database, through the import path.
        let copy = TestDb::new(backend).await.unwrap();
        let report = crate::helpers::import_dataset(&copy.db, Dataset::parse(&ndjson).unwrap())
            .await
            .unwrap();
        assert_eq!(report.created, records);
        let copied = snapshot::dataset(&copy.db).await.unwrap();
        assert_eq!(copied, original, "the NDJSON round trip loses nothing");
        // And exporting the copy gives the same records, and so the same
        // hash; only the time it is of (its last write) differs.
        let copy_app = TestApp::spawn(copy).await;
        let again = export(&copy_app, "ndjson").await.1;
        let (head, records) = ndjson.split_once('\n').unwrap();
        let (copy_head, copy_records) = again.split_once('\n').unwrap();
        assert!(copy_records == records, "the copy exports other records");
        let head: Value = serde_json::from_str(head).unwrap();
        let copy_head: Value = serde_json::from_str(copy_head).unwrap();
        assert_eq!(head["sha256"], copy_head["sha256"]);
        assert_ne!(head["as_of"], copy_head["as_of"]);
        use sha2::Digest;
        let digest: String = sha2::Sha256::digest(records.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            head["sha256"], digest,
            "the hash is of the lines after the header"
        );

        let (_, json) = export(&app, "json").await;
        let mut parsed = Dataset::parse(&json).unwrap();
        parsed.normalize();
        let mut expected = original.clone();
        expected.normalize();
        assert_eq!(parsed.operations, expected.operations);
        assert_eq!(parsed.sources, expected.sources);
        assert_eq!(parsed.legal_outcomes, expected.legal_outcomes);
    }
);

both_backends!(
    stix_bundle_is_deterministic_and_every_reference_resolves,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let (headers, first) = export(&app, "stix").await;
        assert_eq!(headers["content-type"], "application/stix+json;version=2.1");
        let (_, second) = export(&app, "stix").await;
        assert_eq!(first, second, "two exports of the same data are identical");
        let bundle: Value = serde_json::from_str(&first).unwrap();
        assert_eq!(bundle["type"], "bundle");
        let objects = bundle["objects"].as_array().unwrap();
        let by_id: HashMap<&str, &Value> = objects
            .iter()
            .map(|o| (o["id"].as_str().unwrap(), o))
            .collect();
        assert_eq!(by_id.len(), objects.len(), "ids are unique");
        let ds = snapshot::dataset(&app.tdb.db).await.unwrap();
        let count = |kind: &str| objects.iter().filter(|o| o["type"] == kind).count();
        assert_eq!(count("intrusion-set"), ds.groups.len());
        assert_eq!(count("campaign"), ds.operations.len());
        assert_eq!(count("note"), ds.legal_outcomes.len());
        // Targets, plus factline itself as the producing identity.
        assert_eq!(count("identity"), ds.targets.len() + 1);

        // Deterministic ids from slugs.
        let anon = by_id[stix_id("intrusion-set", "anonymous").as_str()];
        assert_eq!(anon["name"], "Anonymous");
        assert!(
            anon["first_seen"]
                .as_str()
                .unwrap()
                .starts_with("2003-01-01")
        );
        let ext = anon["extensions"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap();
        assert_eq!(ext["founded"], "2003", "the EDTF date keeps its precision");

        // attributed-to and targets for every link, each with its citations.
        let links: usize = ds.operations.iter().map(|o| o.groups.len()).sum();
        let attributed: Vec<&Value> = objects
            .iter()
            .filter(|o| o["relationship_type"] == "attributed-to")
            .collect();
        assert_eq!(attributed.len(), links);
        let targeted: usize = ds.operations.iter().map(|o| o.targets.len()).sum();
        assert_eq!(
            objects
                .iter()
                .filter(|o| o["relationship_type"] == "targets")
                .count(),
            targeted
        );
        // Every reference points at an object in the bundle.
        for o in objects {
            for key in ["source_ref", "target_ref", "created_by_ref"] {
                if let Some(r) = o[key].as_str() {
                    assert!(by_id.contains_key(r), "{key} {r} of {}", o["id"]);
                }
            }
            for r in o["object_refs"].as_array().into_iter().flatten() {
                assert!(by_id.contains_key(r.as_str().unwrap()));
            }
        }
        // Every citation of a record is an external reference on its object.
        let payback = by_id[stix_id("campaign", "op-payback").as_str()];
        let cited: HashSet<&str> = payback["external_references"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["external_id"].as_str())
            .collect();
        let op = ds
            .operations
            .iter()
            .find(|o| o.slug == "op-payback")
            .unwrap();
        for c in &op.citations {
            assert!(cited.contains(c.source.as_str()), "{} missing", c.source);
        }
        // Legal outcomes are notes on what they concern, money kept exactly.
        let lo = ds
            .legal_outcomes
            .iter()
            .find(|l| l.money.is_some() && l.operation.is_some())
            .unwrap();
        let note = by_id[stix_id("note", &lo.slug).as_str()];
        let refs: Vec<&str> = note["object_refs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(refs.contains(&stix_id("campaign", lo.operation.as_ref().unwrap()).as_str()));
        let ext = note["extensions"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap();
        assert_eq!(ext["money"]["amount"], lo.money.as_ref().unwrap().amount);
    }
);

both_backends!(an_unknown_export_format_is_a_400_naming_format, |backend| {
    let Some(t) = TestDb::seeded(backend).await else {
        return;
    };
    let app = TestApp::spawn(t).await;
    let (status, body) = app.get_json("/v1/export?format=xml").await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], "format");
    let (status, body) = app.get_json("/v1/export?limit=3").await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], "limit");
});

both_backends!(small_batches_walk_every_record_once_in_order, |backend| {
    use factline::domain::encode::Batch;
    use factline::domain::export::Walker;
    let Some(t) = TestDb::seeded(backend).await else {
        return;
    };
    let mut walker = Walker::with_batch(7);
    let mut slugs: Vec<String> = Vec::new();
    let mut batches = 0;
    while let Some(b) = walker.next(&t.db).await.unwrap() {
        assert!(b.len() <= 7);
        batches += 1;
        match b {
            Batch::Sources(v) => slugs.extend(v.into_iter().map(|(_, r)| r.slug)),
            Batch::Groups(v) => slugs.extend(v.into_iter().map(|(_, r)| r.slug)),
            Batch::Targets(v) => slugs.extend(v.into_iter().map(|(_, r)| r.slug)),
            Batch::Operations(v) => slugs.extend(v.into_iter().map(|(_, r)| r.slug)),
            Batch::LegalOutcomes(v) => slugs.extend(v.into_iter().map(|(_, r)| r.slug)),
        }
    }
    let ds = snapshot::dataset(&t.db).await.unwrap();
    let expected: Vec<String> = ds
        .sources
        .iter()
        .map(|r| r.slug.clone())
        .chain(ds.groups.iter().map(|r| r.slug.clone()))
        .chain(ds.targets.iter().map(|r| r.slug.clone()))
        .chain(ds.operations.iter().map(|r| r.slug.clone()))
        .chain(ds.legal_outcomes.iter().map(|r| r.slug.clone()))
        .collect();
    assert_eq!(slugs, expected);
    assert!(batches > 30, "{batches} batches");
});

both_backends!(
    data_dictionary_describes_every_csv_column_with_its_type,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        for c in [
            "groups",
            "operations",
            "targets",
            "legal-outcomes",
            "sources",
        ] {
            let (status, schema) = app.get_json(&format!("/v1/{c}/schema")).await;
            assert_eq!(status, 200, "{c}");
            assert_eq!(schema["profile"], "tabular-data-resource");
            assert_eq!(schema["path"], app.url(&format!("/v1/{c}.csv")));
            let res = app.get(&format!("/v1/{c}.csv")).await;
            assert_eq!(res.status(), 200);
            assert!(
                res.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/csv")
            );
            let text = res.text().await.unwrap();
            let mut reader = ::csv::Reader::from_reader(text.as_bytes());
            let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
            let fields: Vec<String> = schema["schema"]["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["name"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(
                header, fields,
                "{c}: the dictionary lists the CSV's columns in order"
            );
            // Typed cells parse as their declared type.
            for row in reader.records() {
                let row = row.unwrap();
                for (cell, f) in row
                    .iter()
                    .zip(schema["schema"]["fields"].as_array().unwrap())
                {
                    if cell.is_empty() {
                        continue;
                    }
                    match f["type"].as_str().unwrap() {
                        "date" => {
                            chrono::NaiveDate::parse_from_str(cell, "%Y-%m-%d").unwrap();
                        }
                        "integer" => {
                            cell.parse::<i64>().unwrap();
                        }
                        "boolean" => assert!(cell == "true" || cell == "false"),
                        "number" => {
                            cell.parse::<rust_decimal::Decimal>().unwrap();
                        }
                        _ => {}
                    }
                    if let Some(allowed) = f["constraints"]["enum"].as_array() {
                        assert!(allowed.iter().any(|a| a == cell), "{cell} in {}", f["name"]);
                    }
                }
            }
        }
        let (_, ops) = app.get_json("/v1/operations/schema").await;
        let tactics = ops["schema"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "tactics")
            .unwrap();
        assert_eq!(tactics["type"], "list");
        assert_eq!(tactics["delimiter"], " | ");
    }
);

both_backends!(
    sources_come_as_csl_json_and_bibtex_for_lists_and_records,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let ds = snapshot::dataset(&app.tdb.db).await.unwrap();
        let res = app.get("/v1/sources?format=csl-json").await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            res.headers()["content-type"],
            "application/vnd.citationstyles.csl+json"
        );
        let items: Vec<Value> = res.json().await.unwrap();
        assert_eq!(
            items.len(),
            ds.sources.len(),
            "the whole list without limit"
        );
        // Precision kept: a source published in a known month only has two parts.
        for (item, src) in items.iter().zip(&ds.sources) {
            assert_eq!(item["id"], src.slug.as_str());
            if let Some(p) = &src.published {
                let parts = item["issued"]["date-parts"][0].as_array().unwrap().len();
                let dashes = p.split('/').next().unwrap().matches('-').count();
                assert_eq!(parts, dashes + 1, "{p}");
            }
        }
        let filtered: Vec<Value> = app
            .get("/v1/sources?format=csl-json&kind=court_record&limit=2")
            .await
            .json()
            .await
            .unwrap();
        assert!(filtered.len() <= 2);
        assert!(filtered.iter().all(|i| i["type"] == "legal_case"));

        // The sources behind one record: its citations and its links'.
        let op = ds
            .operations
            .iter()
            .find(|o| o.slug == "op-payback")
            .unwrap();
        let mut expected: Vec<&str> = op
            .citations
            .iter()
            .chain(op.groups.iter().flat_map(|g| &g.citations))
            .chain(op.targets.iter().flat_map(|t| &t.citations))
            .map(|c| c.source.as_str())
            .collect();
        expected.sort();
        expected.dedup();
        let bib = app.get("/v1/operations/op-payback?format=bibtex").await;
        assert_eq!(
            bib.headers()["content-type"],
            "application/x-bibtex; charset=utf-8"
        );
        let bib = bib.text().await.unwrap();
        let mut keys: Vec<&str> = bib
            .lines()
            .filter(|l| l.starts_with('@'))
            .map(|l| l.split_once('{').unwrap().1.trim_end_matches(','))
            .collect();
        keys.sort();
        assert_eq!(keys, expected);
        let (status, body) = app.get_json("/v1/groups/anonymous?format=ris").await;
        assert_eq!(status, 400);
        assert_eq!(body["errors"][0]["field"], "format");
    }
);

both_backends!(
    timeline_svg_draws_every_record_with_its_precision,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let res = app.get("/v1/timeline.svg").await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            res.headers()["content-type"],
            "image/svg+xml; charset=utf-8"
        );
        let svg = res.text().await.unwrap();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        let ds = snapshot::dataset(&app.tdb.db).await.unwrap();
        let marks = svg.matches("<a href=\"/v1/").count();
        assert_eq!(marks, ds.operations.len() + ds.legal_outcomes.len());
        // A year-only record is a hatched span, never a dot.
        let year_only = ds
            .legal_outcomes
            .iter()
            .find(|l| l.date.len() == 4)
            .map(|l| l.slug.clone());
        if let Some(slug) = year_only {
            let at = svg.find(&format!("/v1/legal-outcomes/{slug}\"")).unwrap();
            let mark = &svg[at..at + svg[at..].find("</a>").unwrap()];
            assert!(mark.contains("url(#hatch-lo)"), "{mark}");
        }
        // Filters narrow it; bad ones are named.
        let narrow = app
            .get("/v1/timeline.svg?target=paypal")
            .await
            .text()
            .await
            .unwrap();
        assert!(narrow.matches("<a href=").count() < marks);
        let (status, body) = app.get_json("/v1/timeline.svg?from=2011-13").await;
        assert_eq!(status, 400);
        assert_eq!(body["errors"][0]["field"], "from");

        let home = app.get("/").await;
        assert_eq!(home.status(), 200);
        assert!(
            home.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = home.text().await.unwrap();
        assert!(html.contains(&format!("<b>{}</b> operations", ds.operations.len())));
        assert!(html.contains("<svg"));
        for link in [
            "/graphql",
            "/docs/",
            "/v1/export?format=stix",
            "/v1/sources?format=bibtex",
        ] {
            assert!(html.contains(&format!("href=\"{link}\"")), "{link}");
        }
        for outside in ["src=\"http", "href=\"http", "url(http", "@import"] {
            assert!(
                !html.contains(outside),
                "no asset from elsewhere: {outside}"
            );
        }
    }
);

both_backends!(
    a_whole_csv_list_streams_page_by_page_and_misses_nothing,
    |backend| {
        use factline::domain::dataset::SourceRecord;
        let Some(t) = TestDb::new(backend).await else {
            return;
        };
        // More rows than two streamed pages hold, the last one part full.
        let n = 2 * factline::rest::csv::STREAM_BATCH + 234;
        let ds = Dataset {
            sources: (0..n)
                .map(|i| SourceRecord {
                    slug: format!("gen-{i:05}"),
                    title: format!("Generated source {i}, with a comma"),
                    url: Some(format!("https://example.org/{i}")),
                    archived_url: None,
                    title_is_descriptive: false,
                    publisher: None,
                    language: "en".into(),
                    published: Some(format!("20{:02}", i % 20)),
                    kind: "news".into(),
                })
                .collect(),
            ..Dataset::default()
        };
        crate::helpers::import_dataset(&t.db, ds).await.unwrap();
        let app = TestApp::spawn(t).await;
        let res = app.get("/v1/sources.csv?sort=slug").await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["x-total-count"], n.to_string().as_str());
        assert!(
            !res.headers().contains_key("etag"),
            "a streamed body is not buffered to be hashed"
        );
        let text = res.text().await.unwrap();
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());
        let slugs: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_owned()).collect();
        let expected: Vec<String> = (0..n).map(|i| format!("gen-{i:05}")).collect();
        assert_eq!(slugs, expected, "every row once, in order, across pages");
        // Filters apply to the stream too; `limit` pages as JSON does.
        let narrowed = app.get("/v1/sources?format=csv&from=2005&to=2005").await;
        let rows = narrowed.text().await.unwrap().lines().count() - 1;
        assert_eq!(rows, (0..n).filter(|i| i % 20 == 5).count());
        let limited = app.get("/v1/sources?format=csv&limit=10").await;
        assert!(limited.headers().contains_key("etag"));
        assert_eq!(limited.text().await.unwrap().lines().count(), 11);
        let (status, body) = app.get_json("/v1/sources.csv?sort=colour").await;
        assert_eq!(status, 400, "a bad sort is still a 400 before streaming");
        assert_eq!(body["errors"][0]["field"], "sort");
    }
);

both_backends!(
    exports_beyond_the_limit_get_503_with_retry_after,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let state = factline::state::AppState::new(t.db.clone(), Default::default());
        let exports = state.exports.clone();
        let app = TestApp::spawn_state(t, state).await;
        // As if MAX_CONCURRENT_EXPORTS slow downloads were holding their permits.
        let held = exports
            .clone()
            .acquire_many_owned(factline::state::MAX_CONCURRENT_EXPORTS as u32)
            .await
            .unwrap();
        let res = app.get("/v1/export?format=ndjson").await;
        assert_eq!(res.status(), 503);
        assert_eq!(res.headers()["retry-after"], "5");
        // Other requests are unaffected, and exports resume once one ends.
        assert_eq!(app.get("/v1/groups/anonymous").await.status(), 200);
        drop(held);
        let res = app.get("/v1/export?format=ndjson").await;
        assert_eq!(res.status(), 200);
        res.text().await.unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while exports.available_permits() < factline::state::MAX_CONCURRENT_EXPORTS
            && std::time::Instant::now() < deadline
        {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(
            exports.available_permits(),
            factline::state::MAX_CONCURRENT_EXPORTS,
            "a finished export gives its permit back"
        );
    }
);

both_backends!(streamed_downloads_arrive_whole_when_compressed, |backend| {
    use std::io::Read;
    let Some(t) = TestDb::seeded(backend).await else {
        return;
    };
    let app = TestApp::spawn(t).await;
    // Streamed bodies (the export, a whole CSV) under the compression
    // layer: the gzip stream must be complete and hold the same bytes.
    for path in ["/v1/export", "/v1/export?format=stix", "/v1/operations.csv"] {
        let plain = app.get(path).await.bytes().await.unwrap();
        let res = app
            .client
            .get(app.url(path))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["content-encoding"], "gzip", "{path}");
        let gz = res
            .bytes()
            .await
            .unwrap_or_else(|e| panic!("{path}: the compressed body was cut short: {e}"));
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut unzipped)
            .unwrap_or_else(|e| panic!("{path}: not a whole gzip stream: {e}"));
        assert_eq!(unzipped, plain.to_vec(), "{path}");
    }
});
