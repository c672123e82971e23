//! MISP galaxy in and out: the export of the groups is a cluster MISP's own
//! schema accepts, and chosen values of MISP's threat-actor cluster come in
//! as sourced groups (never with MISP's descriptions) and go back out under
//! the same uuids. The MISP files are read where they lie, never copied in.

use std::collections::BTreeSet;
use std::path::PathBuf;

use factline::domain::import::record_id;
use factline::domain::misp;
use factline::domain::snapshot;
use factline::error::Error;
use serde_json::Value;

use crate::both_backends;
use crate::helpers::{TestApp, TestDb};

/// The directory holding MISP's cluster schema and threat-actor cluster:
/// `FACTLINE_MISP_GALAXY_DIR`, else where the shared data lies on the
/// development machine. A missing directory fails the test: a skipped
/// schema check would pass unseen.
fn misp_dir() -> PathBuf {
    let dir = std::env::var_os("FACTLINE_MISP_GALAXY_DIR").map_or_else(
        || PathBuf::from("/work/shared/data/external/misp-galaxy"),
        PathBuf::from,
    );
    assert!(
        dir.join("schema_clusters.json").is_file(),
        "MISP galaxy files not found in {}: set FACTLINE_MISP_GALAXY_DIR to the directory \
         holding schema_clusters.json and threat-actor.json",
        dir.display()
    );
    dir
}

fn read(file: &str) -> String {
    let p = misp_dir().join(file);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// The export checked against `schema_clusters.json`, every error listed.
fn assert_valid_cluster(doc: &Value) {
    let errors: Vec<String> = validator()
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "not a valid MISP cluster: {errors:#?}");
}

/// MISP's cluster schema, compiled.
fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&read("schema_clusters.json")).unwrap();
    // The schema names no draft by a known URL; its keywords are draft 4's.
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .unwrap()
}

async fn export(app: &TestApp) -> (String, Value) {
    let res = app.get("/v1/export?format=misp-galaxy").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/json");
    let text = res.text().await.unwrap();
    let doc = serde_json::from_str(&text).unwrap();
    (text, doc)
}

/// The value named `name` of a cluster document.
fn value<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"] == name)
        .unwrap_or_else(|| panic!("no value {name:?}"))
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap()).collect())
        .unwrap_or_default()
}

/// A value of MISP's threat-actor cluster, as its file has it.
fn misp_value(name: &str) -> Value {
    let doc: Value = serde_json::from_str(&read("threat-actor.json")).unwrap();
    value(&doc, name).clone()
}

both_backends!(
    misp_galaxy_export_is_a_valid_cluster_of_the_groups,
    |backend| {
        let Some(t) = TestDb::seeded(backend).await else {
            return;
        };
        let app = TestApp::spawn(t).await;
        let (text, doc) = export(&app).await;
        assert_valid_cluster(&doc);
        assert_eq!(doc["uuid"], misp::cluster_uuid().to_string());
        assert_eq!(doc["type"], misp::CLUSTER_TYPE);
        let stored = snapshot::dataset(&app.tdb.db).await.unwrap();
        assert_eq!(doc["values"].as_array().unwrap().len(), stored.groups.len());

        // A group with no MISP uuid goes out under its own id.
        let anonymous = value(&doc, "Anonymous");
        let (_, detail) = app.get_json("/v1/groups/anonymous").await;
        assert_eq!(anonymous["uuid"], detail["id"]);
        assert_eq!(
            anonymous["uuid"],
            record_id("group", "anonymous").to_string()
        );
        let synonyms = strings(&anonymous["meta"]["synonyms"]);
        assert!(synonyms.contains(&"Anons") && synonyms.contains(&"الأنونيموس"));
        assert!(
            !synonyms.contains(&"Anonymous"),
            "the value is not its own synonym"
        );
        // Refs: the URLs of the sources its citations cite, once each, sorted.
        let group = stored
            .groups
            .iter()
            .find(|g| g.slug == "anonymous")
            .unwrap();
        let expected: BTreeSet<&str> = group
            .citations
            .iter()
            .filter_map(|c| stored.sources.iter().find(|s| s.slug == c.source))
            .filter_map(|s| s.url.as_deref())
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(
            strings(&anonymous["meta"]["refs"]),
            expected.into_iter().collect::<Vec<_>>()
        );
        assert!(
            anonymous["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty())
        );
        // A part of another group names it as MISP does.
        let lulzsec = value(&doc, "LulzSec");
        assert_eq!(lulzsec["related"][0]["dest-uuid"], anonymous["uuid"]);
        assert_eq!(lulzsec["related"][0]["type"], "part-of");

        // Same data, same bytes.
        assert_eq!(export(&app).await.0, text);
    }
);

both_backends!(
    misp_galaxy_values_import_as_sourced_groups_and_export_under_their_uuids,
    |backend| {
        let Some(t) = TestDb::new(backend).await else {
            return;
        };
        let chosen = ["GhostSec", "Cyber Partisans"];
        let only: Vec<String> = chosen.iter().map(|s| (*s).to_owned()).collect();
        let ds = misp::dataset_of(&read("threat-actor.json"), &only).unwrap();
        crate::helpers::import_dataset(&t.db, ds.clone())
            .await
            .unwrap();
        let stored = snapshot::dataset(&t.db).await.unwrap();
        assert_eq!(stored.groups.len(), 2);

        let ghostsec = stored.groups.iter().find(|g| g.slug == "ghostsec").unwrap();
        let names: Vec<(&str, &str, &str)> = ghostsec
            .names
            .iter()
            .map(|n| (n.lang.as_str(), n.text.as_str(), n.kind.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("en", "GhostSec", "primary"),
                ("en", "Ghost Security", "alias")
            ]
        );
        assert_eq!(ghostsec.kind, misp::GROUP_KIND);
        let misp_ghostsec = misp_value("GhostSec");
        assert_eq!(
            ghostsec.external_ids.misp_galaxy.as_deref(),
            misp_ghostsec["uuid"].as_str()
        );
        // Each ref is a source the group cites, its title marked as ours.
        let refs = strings(&misp_ghostsec["meta"]["refs"]);
        assert_eq!(ghostsec.citations.len(), refs.len());
        for r in &refs {
            let s = stored
                .sources
                .iter()
                .find(|s| s.url.as_deref() == Some(*r))
                .unwrap();
            assert_eq!(s.slug, misp::source_slug(r));
            assert!(s.title_is_descriptive);
            assert!(ghostsec.citations.iter().any(|c| c.source == s.slug));
        }
        // MISP's sentences stay out: no text at all, and none of its words.
        let everything = serde_json::to_string(&stored).unwrap();
        for name in chosen {
            let description = misp_value(name)["description"].as_str().unwrap().to_owned();
            let opening: String = description.chars().take(40).collect();
            assert!(
                !everything.contains(&opening),
                "{name}'s description got in"
            );
        }
        assert!(stored.groups.iter().all(|g| g.texts.is_empty()));

        // The same values again change nothing.
        let again = import_values(&t.db, &chosen).await;
        assert_eq!(again.created + again.updated, 0);

        // Out again: the same uuids and refs, a valid cluster.
        let app = TestApp::spawn(t).await;
        let (_, doc) = export(&app).await;
        assert_valid_cluster(&doc);
        for name in chosen {
            let theirs = misp_value(name);
            let ours = value(&doc, name);
            assert_eq!(ours["uuid"], theirs["uuid"], "{name}");
            let mut refs = strings(&theirs["meta"]["refs"]);
            refs.sort_unstable();
            assert_eq!(strings(&ours["meta"]["refs"]), refs, "{name}");
            assert!(ours.get("description").is_none(), "{name}");
        }
        assert_eq!(
            strings(&value(&doc, "GhostSec")["meta"]["synonyms"]),
            ["Ghost Security"]
        );
    }
);

/// Imports chosen values of MISP's threat-actor cluster as the CLI does.
async fn import_values(
    db: &sea_orm::DatabaseConnection,
    chosen: &[&str],
) -> factline::domain::import::ImportReport {
    let only: Vec<String> = chosen.iter().map(|s| (*s).to_owned()).collect();
    let ds = misp::dataset_of(&read("threat-actor.json"), &only).unwrap();
    let ds = misp::onto_stored(db, ds).await.unwrap();
    crate::helpers::import_dataset(db, ds).await.unwrap()
}

both_backends!(
    misp_galaxy_values_add_to_the_groups_factline_already_has,
    |backend| {
        let Some(t) = TestDb::bundled(backend).await else {
            return;
        };
        let before = snapshot::dataset(&t.db).await.unwrap();
        // Both are in the bundled dataset under these slugs, with their MISP
        // uuids; Cyber Partisans under a slug of its own.
        let report = import_values(&t.db, &["GhostSec", "Cyber Partisans"]).await;
        // The two groups change; what is created is sources alone.
        assert_eq!(report.updated, 2, "{report:?}");
        let after = snapshot::dataset(&t.db).await.unwrap();
        assert_eq!(after.groups.len(), before.groups.len());
        assert_eq!(after.sources.len(), before.sources.len() + report.created);
        for slug in ["ghostsec", "belarusian-cyber-partisans"] {
            let old = before.groups.iter().find(|g| g.slug == slug).unwrap();
            let new = after.groups.iter().find(|g| g.slug == slug).unwrap();
            // What factline wrote stays: texts, kind, names, citations.
            assert_eq!(new.texts, old.texts, "{slug}");
            assert_eq!(new.kind, old.kind, "{slug}");
            assert!(old.names.iter().all(|n| new.names.contains(n)), "{slug}");
            assert!(
                old.citations.iter().all(|c| new.citations.contains(c)),
                "{slug}"
            );
            assert_eq!(new.external_ids, old.external_ids, "{slug}");
        }
        // Each of MISP's refs is cited, as a stored source where one has the URL.
        let partisans = after
            .groups
            .iter()
            .find(|g| g.slug == "belarusian-cyber-partisans")
            .unwrap();
        for r in strings(&misp_value("Cyber Partisans")["meta"]["refs"]) {
            let cited = partisans.citations.iter().any(|c| {
                after
                    .sources
                    .iter()
                    .any(|s| s.slug == c.source && s.url.as_deref() == Some(r))
            });
            assert!(cited, "{r} is not cited");
        }
        // Out again: one value per MISP uuid.
        let app = TestApp::spawn(t).await;
        let (_, doc) = export(&app).await;
        assert_valid_cluster(&doc);
        let uuids: Vec<&str> = doc["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["uuid"].as_str().unwrap())
            .collect();
        let unique: BTreeSet<&str> = uuids.iter().copied().collect();
        assert_eq!(unique.len(), uuids.len());
    }
);

/// The field errors of a refused cluster import.
fn refusal(only: &[&str]) -> Vec<(String, String)> {
    let only: Vec<String> = only.iter().map(|s| (*s).to_owned()).collect();
    match misp::dataset_of(&read("threat-actor.json"), &only) {
        Err(Error::Invalid(errors)) => errors.into_iter().map(|e| (e.field, e.message)).collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn misp_galaxy_import_names_unknown_values_and_refuses_values_without_refs() {
    let errors = refusal(&["GhostSec", "No Such Crew", "Nor This"]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "--only");
    assert!(errors[0].1.contains("No Such Crew, Nor This"), "{errors:?}");

    // Rebel Jackal has no refs in MISP's file: nothing could source it.
    assert!(misp_value("Rebel Jackal")["meta"].get("refs").is_none());
    let errors = refusal(&["Rebel Jackal", "GhostSec"]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "values[Rebel Jackal].meta.refs");
    assert!(errors[0].1.contains("no source"), "{errors:?}");

    assert_eq!(refusal(&[])[0].0, "--only");
}

#[test]
fn misp_galaxy_import_and_export_on_the_command_line() {
    use crate::cli::{factline, stderr};
    let dir = tempfile::tempdir().unwrap();
    let cluster = misp_dir().join("threat-actor.json");
    let cluster = cluster.to_str().unwrap();
    let run = |args: &[&str]| {
        factline()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    let import = |only: &str| run(&["import", "--format", "misp-galaxy", cluster, "--only", only]);

    let out = import("GhostSec,No Such Crew");
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("No Such Crew") && err.contains("nothing was imported"),
        "{err}"
    );
    assert!(
        !dir.path().join("factline.db").exists(),
        "nothing was written"
    );
    let out = run(&["import", "--format", "misp-galaxy", cluster]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--only"), "{}", stderr(&out));

    let out = import("GhostSec");
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&["export", "--format", "misp-galaxy"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid_cluster(&doc);
    assert_eq!(
        value(&doc, "GhostSec")["uuid"],
        misp_value("GhostSec")["uuid"]
    );
}
