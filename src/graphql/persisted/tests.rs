//! Unit tests of persisted query resolution.

use serde_json::json;

use super::*;

fn ext(hash: &str) -> Map<String, Value> {
    json!({"persistedQuery": {"version": 1, "sha256Hash": hash}})
        .as_object()
        .cloned()
        .unwrap()
}

#[test]
fn a_hash_alone_is_found_only_once_its_text_was_registered() {
    let p = Persisted::new(2);
    let text = "{ groups { totalCount } }";
    let hash = sha256_hex(text);
    assert_eq!(
        p.resolve(None, Some(&ext(&hash))).unwrap_err(),
        Miss::NotFound
    );
    let r = p.resolve(Some(text.to_owned()), Some(&ext(&hash))).unwrap();
    assert_eq!(r.register.as_deref(), Some(hash.as_str()));
    p.register(hash.clone(), &r.text);
    let found = p
        .resolve(None, Some(&ext(&hash.to_ascii_uppercase())))
        .unwrap();
    assert_eq!(found.text, text);
    assert!(found.register.is_none());
}

#[test]
fn the_least_recently_used_text_goes_first_and_long_texts_are_not_kept() {
    let p = Persisted::new(2);
    for t in ["{ a }", "{ b }", "{ c }"] {
        p.register(sha256_hex(t), t);
    }
    assert_eq!(
        p.resolve(None, Some(&ext(&sha256_hex("{ a }"))))
            .unwrap_err(),
        Miss::NotFound
    );
    assert!(p.resolve(None, Some(&ext(&sha256_hex("{ c }")))).is_ok());
    let long = format!("{{ a {} }}", " ".repeat(Documents::MAX_TEXT));
    p.register(sha256_hex(&long), &long);
    assert_eq!(
        p.resolve(None, Some(&ext(&sha256_hex(&long)))).unwrap_err(),
        Miss::NotFound
    );
}

#[test]
fn a_text_must_have_the_hash_sent_with_it() {
    let p = Persisted::new(2);
    let other = sha256_hex("{ b }");
    assert_eq!(
        p.resolve(Some("{ a }".into()), Some(&ext(&other)))
            .unwrap_err(),
        Miss::Mismatch
    );
}

#[test]
fn a_malformed_extension_is_refused_naming_it() {
    let p = Persisted::new(2);
    for pq in [
        json!("abc"),
        json!({"version": 2, "sha256Hash": sha256_hex("{ a }")}),
        json!({"version": 1, "sha256Hash": "xyz"}),
        json!({"version": 1}),
    ] {
        let e = json!({ "persistedQuery": pq });
        match p.resolve(None, e.as_object()) {
            Err(Miss::Malformed(m)) => assert!(m.contains("persistedQuery"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(p.resolve(None, None), Err(Miss::Malformed(_))));
}

#[test]
fn without_a_cache_the_protocol_is_not_supported() {
    let p = Persisted::new(0);
    assert_eq!(
        p.resolve(None, Some(&ext(&sha256_hex("{ a }"))))
            .unwrap_err(),
        Miss::NotSupported
    );
    let r = p
        .resolve(Some("{ a }".into()), Some(&ext(&sha256_hex("{ a }"))))
        .unwrap();
    assert!(r.register.is_none());
}

fn listed(only: bool) -> Persisted {
    let dir = std::env::temp_dir().join(format!("factline-pq-{}-{only}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("manifest.json");
    let body = "query Count { groups { totalCount } }";
    std::fs::write(
        &path,
        json!({"format": "apollo-persisted-query-manifest", "version": 1,
               "operations": [{"id": sha256_hex(body), "name": "Count", "type": "query", "body": body}]})
        .to_string(),
    )
    .unwrap();
    let limits = crate::config::GraphqlLimits {
        persisted_queries: Some(path),
        persisted_only: only,
        ..Default::default()
    };
    Persisted::configured(&limits).unwrap()
}

#[test]
fn only_listed_documents_run_in_list_only_mode() {
    let p = listed(true);
    let body = "query Count { groups { totalCount } }";
    assert_eq!(
        p.resolve(None, Some(&ext(&sha256_hex(body)))).unwrap().text,
        body
    );
    assert!(
        p.resolve(Some(body.into()), None).is_ok(),
        "listed text, sent in full"
    );
    assert_eq!(
        p.resolve(Some("{ groups { totalCount } }".into()), None)
            .unwrap_err(),
        Miss::NotInList
    );
    let other = "{ a }";
    assert_eq!(
        p.resolve(Some(other.into()), Some(&ext(&sha256_hex(other))))
            .unwrap_err(),
        Miss::NotInList,
        "nothing registers in list-only mode"
    );
    assert_eq!(
        p.resolve(None, Some(&ext(&sha256_hex(other)))).unwrap_err(),
        Miss::NotFound
    );
    // Listed documents also serve beside automatic ones.
    let both = listed(false);
    assert!(both.resolve(None, Some(&ext(&sha256_hex(body)))).is_ok());
    assert!(both.resolve(Some("{ a }".into()), None).is_ok());
}

#[test]
fn a_manifest_that_does_not_hold_up_stops_the_start() {
    let dir = std::env::temp_dir().join(format!("factline-pq-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("manifest.json");
    let limits = crate::config::GraphqlLimits {
        persisted_queries: Some(path.clone()),
        ..Default::default()
    };
    for (doc, says) in [
        (
            json!({"format": "apollo-persisted-query-manifest", "version": 1,
                "operations": [{"id": sha256_hex("{ b }"), "body": "{ a }"}]}),
            "SHA-256",
        ),
        (
            json!({"format": "apollo-persisted-query-manifest", "version": 1,
                "operations": [{"id": sha256_hex("{ a"), "body": "{ a"}]}),
            "parse",
        ),
        (
            json!({"format": "other", "version": 1, "operations": []}),
            "format",
        ),
    ] {
        std::fs::write(&path, doc.to_string()).unwrap();
        let e = Persisted::configured(&limits).err().unwrap();
        assert!(format!("{e:#}").contains(says), "{e:#}");
    }
    let only = crate::config::GraphqlLimits {
        persisted_only: true,
        ..Default::default()
    };
    assert!(Persisted::configured(&only).is_err());
}
