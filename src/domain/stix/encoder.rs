//! The STIX bundle encoder over dataset records.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value, json};

use super::parts::{
    EXTENSION_DESCRIPTION, EXTENSION_SCHEMA, PRODUCER_TIME, aliases, all_names, all_texts, base,
    day_end, day_start, english_name, extension_id, factline_ref, identity_class, producer_id,
    put_opt, references, stix_id, text, ts, with_extension,
};
use crate::domain::dataset::SourceRecord;
use crate::domain::edtf::Edtf;
use crate::domain::encode::{Batch, Counts, Encoder, Stamps};

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
        out: &mut Vec<Map<String, Value>>,
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
        out.push(o);
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
        for o in preamble() {
            self.push(&mut out, o);
        }
        out
    }

    fn batch(&mut self, batch: &Batch, sources: &HashMap<String, SourceRecord>) -> Vec<u8> {
        let mut out = Vec::with_capacity(batch.len() * 1024);
        for o in self.objects(batch, sources) {
            self.push(&mut out, o);
        }
        out
    }

    fn end(&mut self) -> Vec<u8> {
        b"\n]}\n".to_vec()
    }
}

impl Stix {
    /// The STIX objects of a batch of records, in the order a bundle holds
    /// them (a country's `location` only the first time it is met).
    pub fn objects(
        &mut self,
        batch: &Batch,
        sources: &HashMap<String, SourceRecord>,
    ) -> Vec<Map<String, Value>> {
        let mut out = Vec::with_capacity(batch.len() * 2);
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
                    out.push(o);
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
                    out.push(o);
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
                            out.push(l);
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
                    put_alternatives(&mut ext, &op.alternatives);
                    ext.insert("names".into(), all_names(&op.names));
                    ext.insert("texts".into(), all_texts(&op.texts));
                    with_extension(&mut o, ext);
                    out.push(o);
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
                    put_alternatives(&mut ext, &l.alternatives);
                    ext.insert("texts".into(), all_texts(&l.texts));
                    with_extension(&mut o, ext);
                    out.push(o);
                }
            }
        }
        out
    }
}

/// The objects every export starts with: factline's identity (every
/// object's `created_by_ref`) and the definition of its extension.
pub fn preamble() -> Vec<Map<String, Value>> {
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
    vec![me, def]
}

/// A disputed record's other reported values, each with the slugs of its
/// sources (their URLs are the object's external references already, or the
/// sources' own objects).
fn put_alternatives(
    ext: &mut serde_json::Map<String, serde_json::Value>,
    alternatives: &[crate::domain::dataset::AlternativeRecord],
) {
    if alternatives.is_empty() {
        return;
    }
    let list: Vec<serde_json::Value> = alternatives
        .iter()
        .map(|a| {
            let mut v = json!({"field": a.field, "value": a.value,
                "sources": a.citations.iter().map(|c| c.source.clone()).collect::<Vec<_>>()});
            if let Some(n) = &a.note {
                v["note"] = n.clone().into();
            }
            v
        })
        .collect();
    ext.insert("alternatives".into(), list.into());
}
