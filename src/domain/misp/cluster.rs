//! The cluster encoder: `{"authors", …, "values": [...]}`, a value per group
//! in slug order. A group whose parent comes later in slug order waits until
//! the end, when every group's uuid is known, so its `related` entry can name
//! the parent; the output stays a function of the data alone.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::domain::dataset::{GroupRecord, SourceRecord};
use crate::domain::encode::{Batch, Counts, Encoder, Kind, Stamps};
use crate::domain::import::{ID_NAMESPACE, display_name};

/// The cluster's `type`: factline's own, so a platform keeps it apart from
/// MISP's `threat-actor` cluster rather than mixing the two.
pub const CLUSTER_TYPE: &str = "factline-hacktivist-group";

/// MISP's relationship for a value that is a part of another (its
/// threat-actor cluster uses `part-of` for this).
const PART_OF: &str = "part-of";

/// The fixed uuid of factline's cluster (UUIDv5 in the record-id namespace).
pub fn cluster_uuid() -> Uuid {
    Uuid::new_v5(&ID_NAMESPACE, b"misp-galaxy-cluster/groups")
}

/// Writes the cluster document, one value per line.
pub struct Galaxy {
    counts: Counts,
    first: bool,
    /// Every group's value uuid so far, by slug (for `related`).
    uuids: HashMap<String, String>,
    /// Values whose parent had not been seen yet, with the parent's slug.
    pending: Vec<(Map<String, Value>, String)>,
}

impl Galaxy {
    pub fn new(counts: Counts) -> Self {
        Galaxy {
            counts,
            first: true,
            uuids: HashMap::new(),
            pending: Vec::new(),
        }
    }

    fn push(&mut self, out: &mut Vec<u8>, v: Map<String, Value>) {
        out.extend_from_slice(if self.first { b"\n  " } else { b",\n  " });
        self.first = false;
        // Plain JSON values: serializing them cannot fail.
        let _ = serde_json::to_writer(&mut *out, &Value::Object(v));
    }
}

/// The value's uuid: the group's MISP galaxy uuid where factline knows it, so
/// a platform matches it with MISP's own value; else the group's own id.
fn value_uuid(stamps: &Stamps, g: &GroupRecord) -> String {
    g.external_ids
        .misp_galaxy
        .clone()
        .unwrap_or_else(|| stamps.id.to_string())
}

/// A group's value, without `related`.
fn value(
    uuid: String,
    g: &GroupRecord,
    cited: &HashMap<String, SourceRecord>,
) -> Map<String, Value> {
    let name = display_name(&g.names);
    let name = if name.is_empty() {
        g.slug.clone()
    } else {
        name
    };
    let mut synonyms: Vec<&str> = Vec::new();
    for n in &g.names {
        if n.text != name && !synonyms.contains(&n.text.as_str()) {
            synonyms.push(&n.text);
        }
    }
    // Sorted, so the order does not depend on how citations were stored.
    let refs: BTreeSet<&str> = g
        .citations
        .iter()
        .filter_map(|c| cited.get(&c.source))
        .filter_map(|s| s.url.as_deref().or(s.archived_url.as_deref()))
        .collect();
    let description = g
        .texts
        .iter()
        .filter(|t| t.field == "description")
        .find(|t| t.lang == "en")
        .or_else(|| g.texts.iter().find(|t| t.field == "description"));
    let mut v = Map::new();
    v.insert("value".into(), name.into());
    v.insert("uuid".into(), uuid.into());
    if let Some(d) = description {
        v.insert("description".into(), d.text.clone().into());
    }
    let mut meta = Map::new();
    if !synonyms.is_empty() {
        meta.insert("synonyms".into(), json!(synonyms));
    }
    if !refs.is_empty() {
        meta.insert("refs".into(), json!(refs));
    }
    if !meta.is_empty() {
        v.insert("meta".into(), meta.into());
    }
    v
}

fn relate(v: &mut Map<String, Value>, parent_uuid: &str) {
    v.insert(
        "related".into(),
        json!([{"dest-uuid": parent_uuid, "type": PART_OF}]),
    );
}

impl Encoder for Galaxy {
    fn needs_sources(&self) -> bool {
        true
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Groups]
    }

    fn begin(&mut self) -> Vec<u8> {
        // The latest change's Unix time: a later export of changed data has
        // a higher version, which is how MISP tells a newer cluster.
        let version = self.counts.latest.map_or(1, |t| t.timestamp());
        let head = json!({
            "authors": ["factline"],
            "category": "actor",
            "description": "Hacktivist groups as factline records them: each value has the \
                names factline knows the group by and the addresses of the sources it cites \
                for the group.",
            "name": "factline hacktivist groups",
            "source": "factline",
            "type": CLUSTER_TYPE,
            "uuid": cluster_uuid().to_string(),
            "version": version,
        });
        let mut out = serde_json::to_vec(&head).unwrap_or_default();
        // Reopen the object to stream the values after the fixed fields.
        out.pop();
        out.extend_from_slice(b", \"values\": [");
        out
    }

    fn batch(&mut self, batch: &Batch, cited: &HashMap<String, SourceRecord>) -> Vec<u8> {
        let mut out = Vec::new();
        let Batch::Groups(groups) = batch else {
            return out;
        };
        for (stamps, g) in groups {
            let uuid = value_uuid(stamps, g);
            self.uuids.insert(g.slug.clone(), uuid.clone());
            let mut v = value(uuid, g, cited);
            match &g.parent {
                None => self.push(&mut out, v),
                Some(p) => match self.uuids.get(p).cloned() {
                    Some(pu) => {
                        relate(&mut v, &pu);
                        self.push(&mut out, v);
                    }
                    None => self.pending.push((v, p.clone())),
                },
            }
        }
        out
    }

    fn end(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        for (mut v, parent) in std::mem::take(&mut self.pending) {
            // Every group has been seen by now; a parent the database does
            // not hold cannot be named, so the value goes without it.
            if let Some(pu) = self.uuids.get(&parent) {
                relate(&mut v, pu);
            }
            self.push(&mut out, v);
        }
        out.extend_from_slice(b"\n]}\n");
        out
    }
}
