//! The TAXII 2.1 server: the collection is the STIX export, with versions
//! from the revisions; errors are TAXII error messages.
//! (`tests/clients/taxii.py` reads it with taxii2-client and stix2.)

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{TestApp, TestDb};
use factline::domain::auth::{Actor, Role};
use factline::domain::write::{self, Collection};

const TAXII: &str = "application/taxii+json;version=2.1";

async fn taxii(app: &TestApp, path: &str) -> (u16, reqwest::header::HeaderMap, Value) {
    let res = app
        .client
        .get(app.url(path))
        .header("accept", TAXII)
        .send()
        .await
        .unwrap();
    let (status, headers) = (res.status().as_u16(), res.headers().clone());
    assert_eq!(headers["content-type"], TAXII, "{path}");
    (status, headers, res.json().await.unwrap())
}

async fn export(app: &TestApp) -> HashMap<String, Value> {
    let (_, bundle) = app.get_json("/v1/export?format=stix").await;
    bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["id"].as_str().unwrap().to_owned(), o.clone()))
        .collect()
}

/// Every object a paged walk of `objects/` gives (with `query`), and the
/// last `X-TAXII-Date-Added-Last`.
async fn walk(app: &TestApp, base: &str, query: &str) -> (Vec<Value>, usize, String) {
    let (mut all, mut pages, mut last) = (Vec::new(), 0, String::new());
    let mut next: Option<String> = None;
    loop {
        let mut path = format!("{base}objects/?limit=50{query}");
        if let Some(n) = &next {
            path.push_str(&format!("&next={n}"));
        }
        let (status, headers, page) = taxii(app, &path).await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        if let Some(l) = headers.get("x-taxii-date-added-last") {
            last = l.to_str().unwrap().to_owned();
        }
        all.extend(page["objects"].as_array().cloned().unwrap_or_default());
        if page["more"] != true {
            break;
        }
        next = Some(page["next"].as_str().unwrap().to_owned());
    }
    (all, pages, last)
}

both_backends!(
    the_collection_is_the_export_with_every_version_of_an_edited_record,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let (status, _, discovery) = taxii(&app, "/taxii2/").await;
        assert_eq!(status, 200);
        let root = discovery["default"].as_str().unwrap().to_owned();
        assert_eq!(discovery["api_roots"], json!([root]));
        let root_path = root.split_once(&app.addr.to_string()).unwrap().1.to_owned();
        let (_, _, api) = taxii(&app, &root_path).await;
        assert_eq!(api["versions"], json!([TAXII]));
        let (_, _, cs) = taxii(&app, &format!("{root_path}collections/")).await;
        let c = &cs["collections"][0];
        assert_eq!(
            (&c["title"], &c["can_read"], &c["can_write"]),
            (&json!("factline"), &json!(true), &json!(false))
        );
        let base = format!("{root_path}collections/{}/", c["id"].as_str().unwrap());

        // The walk gives the export, object for object.
        let before = export(&app).await;
        let (objects, pages, last) = walk(&app, &base, "").await;
        assert!(pages > 3, "{pages} pages");
        let walked: HashMap<String, Value> = objects
            .into_iter()
            .map(|o| (o["id"].as_str().unwrap().to_owned(), o))
            .collect();
        assert_eq!(walked.len(), before.len());
        assert!(walked == before, "the collection differs from the export");
        let (sets, _, _) = walk(&app, &base, "&match[type]=intrusion-set").await;
        assert_eq!(
            sets.len(),
            before
                .values()
                .filter(|o| o["type"] == "intrusion-set")
                .count()
        );

        // An edit adds a version; added_after gives exactly what changed.
        let editor = Actor {
            key_id: uuid::Uuid::new_v4(),
            role: Role::Editor,
            name: "t".into(),
        };
        write::update(
            &app.tdb.db,
            &editor,
            Collection::Targets,
            "habbo",
            1,
            json!({"sector": "online games"}),
            None,
        )
        .await
        .unwrap();
        let after = export(&app).await;
        let changed: Vec<&String> = after
            .keys()
            .filter(|id| after[*id] != before[*id])
            .collect();
        let (new, _, _) = walk(&app, &base, &format!("&added_after={last}")).await;
        let mut new_ids: Vec<&str> = new.iter().map(|o| o["id"].as_str().unwrap()).collect();
        let mut changed_ids: Vec<&str> = changed.iter().map(|s| s.as_str()).collect();
        new_ids.sort();
        changed_ids.sort();
        assert!(!new_ids.is_empty());
        assert_eq!(new_ids, changed_ids);
        let habbo = factline::domain::stix::stix_id("identity", "habbo");
        let (_, _, versions) = taxii(&app, &format!("{base}objects/{habbo}/versions/")).await;
        let versions = versions["versions"].as_array().unwrap().clone();
        assert_eq!(versions.len(), 2, "{versions:?}");
        let (_, _, first) = taxii(
            &app,
            &format!("{base}objects/{habbo}/?match[version]=first"),
        )
        .await;
        assert_eq!(
            first["objects"][0], before[&habbo],
            "the old version is served as it was"
        );
        let (_, _, both) = taxii(&app, &format!("{base}objects/{habbo}/?match[version]=all")).await;
        assert_eq!(both["objects"].as_array().unwrap().len(), 2);
        let (_, _, latest) = taxii(&app, &format!("{base}objects/{habbo}/")).await;
        assert_eq!(latest["objects"][0], after[&habbo]);
        let (_, _, manifest) = taxii(
            &app,
            &format!("{base}manifest/?match[id]={habbo}&match[version]=all"),
        )
        .await;
        assert_eq!(manifest["objects"].as_array().unwrap().len(), 2);
        assert_eq!(manifest["objects"][1]["version"], after[&habbo]["modified"]);
    }
);

both_backends!(taxii_errors_are_taxii_error_messages, |backend| {
    let Some(t) = TestDb::seeded(backend).await else {
        return;
    };
    let app = TestApp::spawn(t).await;
    let id = factline::domain::stix::collection::collection_id();
    let base = format!("/taxii2/factline/collections/{id}/");
    for (path, status) in [
        (
            "/taxii2/factline/collections/00000000-0000-4000-8000-000000000000/objects/".to_owned(),
            404,
        ),
        (format!("{base}objects/?added_after=garbage"), 400),
        (format!("{base}objects/?limit=0"), 400),
        (format!("{base}objects/?next=nope"), 400),
        (format!("{base}objects/?match[version]=sometime"), 400),
        (format!("{base}objects/?color=red"), 400),
        (
            format!("{base}objects/campaign--00000000-0000-4000-8000-000000000000/"),
            404,
        ),
    ] {
        let (s, _, body) = taxii(&app, &path).await;
        assert_eq!(s, status, "{path}: {body}");
        assert_eq!(body["http_status"], status.to_string(), "{path}");
        assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
    }
    let res = app
        .client
        .get(app.url("/taxii2/"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 406);
    let res = app
        .client
        .get(app.url("/taxii2/"))
        .header("accept", "application/taxii+json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
});

both_backends!(
    a_removed_link_and_a_recreated_record_leave_no_stale_versions,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let editor = Actor {
            key_id: uuid::Uuid::new_v4(),
            role: Role::Editor,
            name: "t".into(),
        };
        // An operation loses one of its targets: that relationship leaves the
        // export, and so the collection, every version of it.
        let (_, op) = app.get_json("/v1/operations/op-tunisia").await;
        let mut record = write::history(&app.tdb.db, Collection::Operations, "op-tunisia")
            .await
            .unwrap()
            .pop()
            .unwrap()
            .after
            .unwrap();
        let targets = record["targets"].as_array().unwrap().clone();
        assert!(targets.len() > 1, "{op}");
        let dropped = targets[0]["target"].as_str().unwrap().to_owned();
        record["targets"] = json!(targets[1..]);
        let version = i32::try_from(op["version"].as_i64().unwrap()).unwrap();
        write::update(
            &app.tdb.db,
            &editor,
            Collection::Operations,
            "op-tunisia",
            version,
            json!({"targets": record["targets"]}),
            None,
        )
        .await
        .unwrap();
        let gone = factline::domain::stix::stix_id(
            "relationship",
            &format!(
                "{}/targets/{}",
                factline::domain::stix::stix_id("campaign", "op-tunisia"),
                factline::domain::stix::stix_id("identity", &dropped)
            ),
        );
        let exported = export(&app).await;
        assert!(
            !exported.contains_key(&gone),
            "the export still has the link"
        );
        let base = format!(
            "/taxii2/factline/collections/{}/",
            factline::domain::stix::collection::collection_id()
        );
        let (status, _, body) =
            taxii(&app, &format!("{base}objects/{gone}/?match[version]=all")).await;
        assert_eq!(status, 404, "{body}");
        let (all, _, _) = walk(&app, &base, "&match[version]=all").await;
        let last: HashMap<String, Value> = walk(&app, &base, "")
            .await
            .0
            .into_iter()
            .map(|o| (o["id"].as_str().unwrap().to_owned(), o))
            .collect();
        assert!(last == exported, "the latest versions are the export");
        // Every version an object has starts at or after its creation.
        assert!(
            all.iter()
                .all(|o| o["modified"].as_str() >= o["created"].as_str())
        );
    }
);
