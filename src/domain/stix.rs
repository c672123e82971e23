//! The STIX 2.1 encoder: groups become `intrusion-set`s, operations
//! `campaign`s, targets `identity`s (with a `location` per country), links
//! `relationship`s (`attributed-to`, `targets`, `located-at`, `related-to`),
//! legal outcomes `note`s on the campaign and intrusion set they concern, and
//! every citation an `external_reference` on the object it supports.
//!
//! Ids are UUIDv5 of the kind and slug, and `created`/`modified` are the
//! record's own time stamps, so two exports of the same data are identical.
//! What STIX has no property for (EDTF dates with their precision, tactics,
//! disputes, amounts) is kept in `x_factline_*` properties.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::dataset::{CitationRecord, NameRecord, SourceRecord, TextRecord};
use super::edtf::Edtf;
use super::encode::{Batch, Counts, Encoder, Stamps};

/// Namespace of every STIX id factline derives.
const STIX_NAMESPACE: Uuid = Uuid::from_u128(0x1f0e_6c55_2b8d_4f7a_9c3e_5d1a_7b24_c0e9);

/// The STIX id of a factline object: `<type>--uuid5(<type>/<key>)`.
pub fn stix_id(kind: &str, key: &str) -> String {
    let uuid = Uuid::new_v5(&STIX_NAMESPACE, format!("{kind}/{key}").as_bytes());
    format!("{kind}--{uuid}")
}

/// The identity that produced the bundle (`created_by_ref` of every object).
fn producer_id() -> String {
    stix_id("identity", "factline")
}

const EXTENSION_DESCRIPTION: &str = "What factline records and STIX has no property for: \
dates as EDTF strings with their precision, names and texts per language, tactics, \
disputes, and the details of legal outcomes (kind, jurisdiction, court, people, money).";

/// `schema` may be plain text defining the extension (STIX 2.1, 7.3).
const EXTENSION_SCHEMA: &str = "Plain-text schema. Properties, each optional: \
kind (string: group, target or legal outcome kind); founded, dissolved, start, end, date \
(EDTF strings, ISO 8601-2); names (list of {lang, text, kind: primary|alias}); texts \
(list of {field, lang, text}); sector (string); tactics (list of strings); disputed \
(boolean); dispute_note (string); jurisdiction (ISO 3166-1 or 3166-2 code); court \
(string); people_count (integer); person (string, named only where a public record \
names them); money ({amount: exact decimal string, currency: ISO 4217, kind, scope: \
per_person|total}).";

/// A fixed time for the producer identity, whose content never changes.
const PRODUCER_TIME: &str = "2026-01-01T00:00:00.000Z";

fn ts(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn day_start(d: chrono::NaiveDate) -> String {
    format!("{}T00:00:00Z", d.format("%Y-%m-%d"))
}

fn day_end(d: chrono::NaiveDate) -> String {
    format!("{}T23:59:59Z", d.format("%Y-%m-%d"))
}

fn english_name(names: &[NameRecord], fallback: &str) -> String {
    names
        .iter()
        .find(|n| n.kind == "primary" && n.lang == "en")
        .or_else(|| names.iter().find(|n| n.kind == "primary"))
        .map_or_else(|| fallback.to_owned(), |n| n.text.clone())
}

fn aliases(names: &[NameRecord], name: &str) -> Vec<String> {
    let set: BTreeSet<&str> = names
        .iter()
        .map(|n| n.text.as_str())
        .filter(|t| *t != name)
        .collect();
    set.into_iter().map(str::to_owned).collect()
}

fn text(texts: &[TextRecord], field: &str) -> Option<String> {
    texts
        .iter()
        .find(|t| t.field == field && t.lang == "en")
        .or_else(|| texts.iter().find(|t| t.field == field))
        .map(|t| t.text.clone())
}

/// Every text of the record, per field and language, so nothing is lost.
fn all_texts(texts: &[TextRecord]) -> Value {
    Value::Array(
        texts
            .iter()
            .map(|t| json!({"field": t.field, "lang": t.lang, "text": t.text}))
            .collect(),
    )
}

fn all_names(names: &[NameRecord]) -> Value {
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
fn references(cites: &[CitationRecord], sources: &HashMap<String, SourceRecord>) -> Vec<Value> {
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
fn uri(url: &str) -> Option<String> {
    url::Url::parse(url).ok().map(|u| u.to_string())
}

fn factline_ref(collection: &str, slug: &str) -> Value {
    json!({"source_name": "factline", "external_id": format!("{collection}/{slug}")})
}

fn base(kind: &str, key: &str, stamps: &Stamps) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("type".into(), kind.into());
    o.insert("spec_version".into(), "2.1".into());
    o.insert("id".into(), stix_id(kind, key).into());
    o.insert("created_by_ref".into(), producer_id().into());
    o.insert("created".into(), ts(stamps.created).into());
    o.insert("modified".into(), ts(stamps.modified).into());
    o
}

fn put_opt(o: &mut Map<String, Value>, key: &str, v: Option<impl Into<Value>>) {
    if let Some(v) = v {
        o.insert(key.into(), v.into());
    }
}

/// The extension that carries what STIX has no property for.
fn extension_id() -> String {
    stix_id("extension-definition", "factline/1")
}

fn with_extension(o: &mut Map<String, Value>, mut ext: Map<String, Value>) {
    ext.insert("extension_type".into(), "property-extension".into());
    let mut all = Map::new();
    all.insert(extension_id(), Value::Object(ext));
    o.insert("extensions".into(), Value::Object(all));
}

fn identity_class(kind: &str) -> &'static str {
    match kind {
        "person" => "individual",
        "website" => "system",
        "other" => "unknown",
        _ => "organization",
    }
}

/// Writes the bundle: `{"type":"bundle","id":…,"objects":[…]}`.
pub struct Stix {
    counts: Counts,
    first: bool,
    /// Countries whose `location` object is already written (at most ~250).
    countries: BTreeSet<String>,
}

impl Stix {
    pub fn new(counts: Counts) -> Self {
        Stix {
            counts,
            first: true,
            countries: BTreeSet::new(),
        }
    }

    fn push(&mut self, out: &mut Vec<u8>, o: Map<String, Value>) {
        out.extend_from_slice(if self.first { b"\n  " } else { b",\n  " });
        self.first = false;
        let _ = serde_json::to_writer(&mut *out, &Value::Object(o));
    }

    #[allow(clippy::too_many_arguments)]
    fn relationship(
        &mut self,
        out: &mut Vec<u8>,
        stamps: &Stamps,
        kind: &str,
        source: &str,
        target: &str,
        description: Option<String>,
        refs: Vec<Value>,
    ) {
        let key = format!("{source}/{kind}/{target}");
        let mut o = base("relationship", &key, stamps);
        o.insert("relationship_type".into(), kind.into());
        o.insert("source_ref".into(), source.into());
        o.insert("target_ref".into(), target.into());
        put_opt(&mut o, "description", description);
        if !refs.is_empty() {
            o.insert("external_references".into(), refs.into());
        }
        self.push(out, o);
    }
}

impl Encoder for Stix {
    fn needs_sources(&self) -> bool {
        true
    }

    fn begin(&mut self) -> Vec<u8> {
        let c = self.counts;
        let key = format!(
            "{}-{}-{}-{}-{}-{}",
            c.sources,
            c.groups,
            c.targets,
            c.operations,
            c.legal_outcomes,
            c.latest.map(ts).unwrap_or_default()
        );
        let mut out = format!(
            "{{\"type\": \"bundle\", \"id\": \"{}\", \"objects\": [",
            stix_id("bundle", &key)
        )
        .into_bytes();
        let mut me = Map::new();
        me.insert("type".into(), "identity".into());
        me.insert("spec_version".into(), "2.1".into());
        me.insert("id".into(), producer_id().into());
        me.insert("created".into(), PRODUCER_TIME.into());
        me.insert("modified".into(), PRODUCER_TIME.into());
        me.insert("name".into(), "factline".into());
        me.insert("identity_class".into(), "system".into());
        me.insert(
            "description".into(),
            "factline: sourced facts about hacktivism (groups, operations, targets, legal outcomes)"
                .into(),
        );
        self.push(&mut out, me);
        let mut def = Map::new();
        def.insert("type".into(), "extension-definition".into());
        def.insert("spec_version".into(), "2.1".into());
        def.insert("id".into(), extension_id().into());
        def.insert("created_by_ref".into(), producer_id().into());
        def.insert("created".into(), PRODUCER_TIME.into());
        def.insert("modified".into(), PRODUCER_TIME.into());
        def.insert("name".into(), "factline facts".into());
        def.insert("description".into(), EXTENSION_DESCRIPTION.into());
        def.insert("schema".into(), EXTENSION_SCHEMA.into());
        def.insert("version".into(), "1.0.0".into());
        def.insert("extension_types".into(), json!(["property-extension"]));
        self.push(&mut out, def);
        out
    }

    fn batch(&mut self, batch: &Batch, sources: &HashMap<String, SourceRecord>) -> Vec<u8> {
        let mut out = Vec::with_capacity(batch.len() * 1024);
        match batch {
            // Sources are not STIX objects: they are the external references below.
            Batch::Sources(_) => {}
            Batch::Groups(v) => {
                for (st, g) in v {
                    let mut o = base("intrusion-set", &g.slug, st);
                    let mut ext = Map::new();
                    let name = english_name(&g.names, &g.slug);
                    o.insert("name".into(), name.clone().into());
                    let al = aliases(&g.names, &name);
                    if !al.is_empty() {
                        o.insert("aliases".into(), al.into());
                    }
                    put_opt(&mut o, "description", text(&g.texts, "description"));
                    let founded = g.founded.as_deref().and_then(|f| Edtf::parse(f).ok());
                    put_opt(
                        &mut o,
                        "first_seen",
                        founded.and_then(|f| f.earliest()).map(day_start),
                    );
                    let mut refs = vec![factline_ref("groups", &g.slug)];
                    if let Some(q) = &g.external_ids.wikidata {
                        refs.push(json!({"source_name": "wikidata", "external_id": q,
                            "url": format!("https://www.wikidata.org/wiki/{q}")}));
                    }
                    if let Some(a) = &g.external_ids.attack {
                        refs.push(json!({"source_name": "mitre-attack", "external_id": a,
                            "url": format!("https://attack.mitre.org/groups/{a}/")}));
                    }
                    if let Some(m) = &g.external_ids.misp_galaxy {
                        refs.push(json!({"source_name": "misp-galaxy", "external_id": m}));
                    }
                    refs.extend(references(&g.citations, sources));
                    o.insert("external_references".into(), refs.into());
                    ext.insert("kind".into(), g.kind.clone().into());
                    put_opt(&mut ext, "founded", g.founded.clone());
                    put_opt(&mut ext, "dissolved", g.dissolved.clone());
                    ext.insert("names".into(), all_names(&g.names));
                    ext.insert("texts".into(), all_texts(&g.texts));
                    with_extension(&mut o, ext);
                    self.push(&mut out, o);
                    if let Some(parent) = &g.parent {
                        self.relationship(
                            &mut out,
                            st,
                            "related-to",
                            &stix_id("intrusion-set", &g.slug),
                            &stix_id("intrusion-set", parent),
                            Some("part of this group".into()),
                            vec![],
                        );
                    }
                }
            }
            Batch::Targets(v) => {
                for (st, t) in v {
                    let mut o = base("identity", &t.slug, st);
                    let mut ext = Map::new();
                    let name = english_name(&t.names, &t.slug);
                    o.insert("name".into(), name.into());
                    o.insert("identity_class".into(), identity_class(&t.kind).into());
                    let mut refs = vec![factline_ref("targets", &t.slug)];
                    refs.extend(references(&t.citations, sources));
                    o.insert("external_references".into(), refs.into());
                    ext.insert("kind".into(), t.kind.clone().into());
                    put_opt(&mut ext, "sector", t.sector.clone());
                    ext.insert("names".into(), all_names(&t.names));
                    with_extension(&mut o, ext);
                    self.push(&mut out, o);
                    if let Some(country) = &t.country {
                        let location = stix_id("location", country);
                        if self.countries.insert(country.clone()) {
                            let mut l = Map::new();
                            l.insert("type".into(), "location".into());
                            l.insert("spec_version".into(), "2.1".into());
                            l.insert("id".into(), location.clone().into());
                            l.insert("created_by_ref".into(), producer_id().into());
                            l.insert("created".into(), PRODUCER_TIME.into());
                            l.insert("modified".into(), PRODUCER_TIME.into());
                            l.insert("name".into(), country.clone().into());
                            l.insert("country".into(), country.clone().into());
                            self.push(&mut out, l);
                        }
                        self.relationship(
                            &mut out,
                            st,
                            "located-at",
                            &stix_id("identity", &t.slug),
                            &location,
                            None,
                            vec![],
                        );
                    }
                }
            }
            Batch::Operations(v) => {
                for (st, op) in v {
                    let id = stix_id("campaign", &op.slug);
                    let mut o = base("campaign", &op.slug, st);
                    let mut ext = Map::new();
                    let name = english_name(&op.names, &op.slug);
                    o.insert("name".into(), name.clone().into());
                    let al = aliases(&op.names, &name);
                    if !al.is_empty() {
                        o.insert("aliases".into(), al.into());
                    }
                    put_opt(&mut o, "description", text(&op.texts, "summary"));
                    put_opt(&mut o, "objective", text(&op.texts, "motive"));
                    let start = Edtf::parse(&op.start).ok();
                    let end = op.end.as_deref().and_then(|s| Edtf::parse(s).ok());
                    put_opt(
                        &mut o,
                        "first_seen",
                        start.as_ref().and_then(Edtf::earliest).map(day_start),
                    );
                    put_opt(
                        &mut o,
                        "last_seen",
                        end.as_ref()
                            .or(start.as_ref())
                            .and_then(Edtf::latest)
                            .map(day_end),
                    );
                    let mut refs = vec![factline_ref("operations", &op.slug)];
                    refs.extend(references(&op.citations, sources));
                    o.insert("external_references".into(), refs.into());
                    ext.insert("start".into(), op.start.clone().into());
                    put_opt(&mut ext, "end", op.end.clone());
                    ext.insert("tactics".into(), op.tactics.clone().into());
                    ext.insert("disputed".into(), op.disputed.into());
                    put_opt(&mut ext, "dispute_note", op.dispute_note.clone());
                    ext.insert("names".into(), all_names(&op.names));
                    ext.insert("texts".into(), all_texts(&op.texts));
                    with_extension(&mut o, ext);
                    self.push(&mut out, o);
                    for l in &op.groups {
                        self.relationship(
                            &mut out,
                            st,
                            "attributed-to",
                            &id,
                            &stix_id("intrusion-set", &l.group),
                            Some(format!("role: {}", l.role)),
                            references(&l.citations, sources),
                        );
                    }
                    for l in &op.targets {
                        self.relationship(
                            &mut out,
                            st,
                            "targets",
                            &id,
                            &stix_id("identity", &l.target),
                            None,
                            references(&l.citations, sources),
                        );
                    }
                    if let Some(parent) = &op.part_of {
                        self.relationship(
                            &mut out,
                            st,
                            "related-to",
                            &id,
                            &stix_id("campaign", parent),
                            Some("part of this operation".into()),
                            vec![],
                        );
                    }
                }
            }
            Batch::LegalOutcomes(v) => {
                for (st, l) in v {
                    let mut o = base("note", &l.slug, st);
                    let mut ext = Map::new();
                    let mut refs: Vec<Value> = Vec::new();
                    if let Some(op) = &l.operation {
                        refs.push(stix_id("campaign", op).into());
                    }
                    if let Some(g) = &l.group {
                        refs.push(stix_id("intrusion-set", g).into());
                    }
                    if refs.is_empty() {
                        // A note must concern something: the record stands alone.
                        refs.push(producer_id().into());
                    }
                    let mut title = format!("Legal outcome: {}", l.kind);
                    if let Some(j) = &l.jurisdiction {
                        title.push_str(&format!(", {j}"));
                    }
                    title.push_str(&format!(", {}", l.date));
                    o.insert("abstract".into(), title.clone().into());
                    o.insert(
                        "content".into(),
                        text(&l.texts, "summary").unwrap_or(title).into(),
                    );
                    o.insert("object_refs".into(), refs.into());
                    let mut links = vec![factline_ref("legal-outcomes", &l.slug)];
                    links.extend(references(&l.citations, sources));
                    o.insert("external_references".into(), links.into());
                    ext.insert("kind".into(), l.kind.clone().into());
                    ext.insert("date".into(), l.date.clone().into());
                    put_opt(&mut ext, "jurisdiction", l.jurisdiction.clone());
                    put_opt(&mut ext, "court", l.court.clone());
                    put_opt(&mut ext, "people_count", l.people_count);
                    put_opt(&mut ext, "person", l.person.clone());
                    if let Some(m) = &l.money {
                        ext.insert(
                            "money".into(),
                            json!({"amount": m.amount, "currency": m.currency,
                                   "kind": m.kind, "scope": m.scope}),
                        );
                    }
                    ext.insert("disputed".into(), l.disputed.into());
                    put_opt(&mut ext, "dispute_note", l.dispute_note.clone());
                    ext.insert("texts".into(), all_texts(&l.texts));
                    with_extension(&mut o, ext);
                    self.push(&mut out, o);
                }
            }
        }
        out
    }

    fn end(&mut self) -> Vec<u8> {
        b"\n]}\n".to_vec()
    }
}
