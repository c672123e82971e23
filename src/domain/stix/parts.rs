//! The pieces of STIX objects: ids, timestamps, names, texts, external
//! references and factline's extension.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::domain::dataset::{CitationRecord, NameRecord, SourceRecord, TextRecord};
use crate::domain::encode::Stamps;

/// Namespace of every STIX id factline derives.
pub(crate) const STIX_NAMESPACE: Uuid = Uuid::from_u128(0x1f0e_6c55_2b8d_4f7a_9c3e_5d1a_7b24_c0e9);

/// The STIX id of a factline object: `<type>--uuid5(<type>/<key>)`.
pub fn stix_id(kind: &str, key: &str) -> String {
    let uuid = Uuid::new_v5(&STIX_NAMESPACE, format!("{kind}/{key}").as_bytes());
    format!("{kind}--{uuid}")
}

/// The identity that produced the bundle (`created_by_ref` of every object).
pub(crate) fn producer_id() -> String {
    stix_id("identity", "factline")
}

pub(crate) const EXTENSION_DESCRIPTION: &str = "What factline records and STIX has no property for: \
dates as EDTF strings with their precision, names and texts per language, tactics, \
disputes, and the details of legal outcomes (kind, jurisdiction, court, people, money).";

/// `schema` may be plain text defining the extension (STIX 2.1, 7.3).
pub(crate) const EXTENSION_SCHEMA: &str = "Plain-text schema. Properties, each optional: \
kind (string: group, target or legal outcome kind); founded, dissolved, start, end, date \
(EDTF strings, ISO 8601-2); names (list of {lang, text, kind: primary|alias}); texts \
(list of {field, lang, text}); sector (string); tactics (list of strings); disputed \
(boolean); dispute_note (string); jurisdiction (ISO 3166-1 or 3166-2 code); court \
(string); people_count (integer); person (string, named only where a public record \
names them); money ({amount: exact decimal string, currency: ISO 4217, kind, scope: \
per_person|total}); alternatives (list of {field, value in that field's shape, sources: \
list of factline source slugs, note}: other values sources report for a disputed field; \
the object's own properties hold the value factline shows).";

/// A fixed time for the producer identity, whose content never changes.
pub(crate) const PRODUCER_TIME: &str = "2026-01-01T00:00:00.000Z";

pub(crate) fn ts(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub(crate) fn day_start(d: chrono::NaiveDate) -> String {
    format!("{}T00:00:00Z", d.format("%Y-%m-%d"))
}

pub(crate) fn day_end(d: chrono::NaiveDate) -> String {
    format!("{}T23:59:59Z", d.format("%Y-%m-%d"))
}

pub(crate) fn english_name(names: &[NameRecord], fallback: &str) -> String {
    names
        .iter()
        .find(|n| n.kind == "primary" && n.lang == "en")
        .or_else(|| names.iter().find(|n| n.kind == "primary"))
        .map_or_else(|| fallback.to_owned(), |n| n.text.clone())
}

pub(crate) fn aliases(names: &[NameRecord], name: &str) -> Vec<String> {
    let set: BTreeSet<&str> = names
        .iter()
        .map(|n| n.text.as_str())
        .filter(|t| *t != name)
        .collect();
    set.into_iter().map(str::to_owned).collect()
}

pub(crate) fn text(texts: &[TextRecord], field: &str) -> Option<String> {
    texts
        .iter()
        .find(|t| t.field == field && t.lang == "en")
        .or_else(|| texts.iter().find(|t| t.field == field))
        .map(|t| t.text.clone())
}

/// Every text of the record, per field and language, so nothing is lost.
pub(crate) fn all_texts(texts: &[TextRecord]) -> Value {
    Value::Array(
        texts
            .iter()
            .map(|t| json!({"field": t.field, "lang": t.lang, "text": t.text}))
            .collect(),
    )
}

pub(crate) fn all_names(names: &[NameRecord]) -> Value {
    Value::Array(
        names
            .iter()
            .map(|n| json!({"lang": n.lang, "text": n.text, "kind": n.kind}))
            .collect(),
    )
}

/// The citations as external references: the source's publisher (or title)
/// as `source_name`, its slug as `external_id`, its title and the quote and
/// locator in `description`.
pub(crate) fn references(
    cites: &[CitationRecord],
    sources: &HashMap<String, SourceRecord>,
) -> Vec<Value> {
    cites
        .iter()
        .map(|c| {
            let s = sources.get(&c.source);
            let mut r = Map::new();
            let name = s
                .and_then(|s| s.publisher.clone())
                .or_else(|| s.map(|s| s.title.clone()))
                .unwrap_or_else(|| c.source.clone());
            r.insert("source_name".into(), name.into());
            let mut desc = s.map(|s| s.title.clone()).unwrap_or_default();
            if let Some(q) = &c.quote {
                desc.push_str(&format!(" — \u{201c}{q}\u{201d}"));
            }
            if let Some(l) = &c.locator {
                desc.push_str(&format!(" ({l})"));
            }
            if let Some(f) = &c.field {
                desc.push_str(&format!(" [supports: {f}]"));
            }
            if !desc.is_empty() {
                r.insert("description".into(), desc.trim().into());
            }
            if let Some(url) = s
                .and_then(|s| s.url.as_deref().or(s.archived_url.as_deref()))
                .and_then(uri)
            {
                r.insert("url".into(), url.into());
            }
            r.insert("external_id".into(), c.source.clone().into());
            Value::Object(r)
        })
        .collect()
}

/// STIX wants an RFC 3986 URI: non-ASCII paths (Arabic article titles, say)
/// are percent-encoded; a URL that does not parse is left out (the source's
/// slug and title still identify it).
pub(crate) fn uri(url: &str) -> Option<String> {
    url::Url::parse(url).ok().map(|u| u.to_string())
}

pub(crate) fn factline_ref(collection: &str, slug: &str) -> Value {
    json!({"source_name": "factline", "external_id": format!("{collection}/{slug}")})
}

pub(crate) fn base(kind: &str, key: &str, stamps: &Stamps) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("type".into(), kind.into());
    o.insert("spec_version".into(), "2.1".into());
    o.insert("id".into(), stix_id(kind, key).into());
    o.insert("created_by_ref".into(), producer_id().into());
    o.insert("created".into(), ts(stamps.created).into());
    o.insert("modified".into(), ts(stamps.modified).into());
    o
}

pub(crate) fn put_opt(o: &mut Map<String, Value>, key: &str, v: Option<impl Into<Value>>) {
    if let Some(v) = v {
        o.insert(key.into(), v.into());
    }
}

/// The extension that carries what STIX has no property for.
pub(crate) fn extension_id() -> String {
    stix_id("extension-definition", "factline/1")
}

pub(crate) fn with_extension(o: &mut Map<String, Value>, mut ext: Map<String, Value>) {
    ext.insert("extension_type".into(), "property-extension".into());
    let mut all = Map::new();
    all.insert(extension_id(), Value::Object(ext));
    o.insert("extensions".into(), Value::Object(all));
}

pub(crate) fn identity_class(kind: &str) -> &'static str {
    match kind {
        "person" => "individual",
        "website" => "system",
        "other" => "unknown",
        _ => "organization",
    }
}
