//! Persisted queries: a document named by the SHA-256 of its text instead
//! of sent in full, so an app's fixed queries fit in a GET URL and a CDN can
//! cache them. Two kinds:
//!
//! - automatic (the protocol Apollo Client and urql speak): a client sends
//!   the hash alone, gets `PersistedQueryNotFound` the first time, then
//!   sends hash and text, which is kept (least recently used out first,
//!   texts up to [`Documents::MAX_TEXT`]) once the document proved valid;
//! - listed: a manifest in Apollo's format, read at start-up. With
//!   `FACTLINE_GRAPHQL_PERSISTED_ONLY` nothing else runs, for operators who
//!   accept only the documents their apps ship.
//!
//! Written here rather than with async-graphql's `apollo_persisted_queries`
//! extension: that runs inside execution, after our limits were checked on
//! the (empty) text, bounds by count only, has no list, sets no error code,
//! and any extension costs every field resolution a hook.
//!
//! Resolving a hash yields a text, which then goes through every check a
//! text sent in full does.
//!
//! [`Documents::MAX_TEXT`]: super::documents::Documents::MAX_TEXT

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use lru::LruCache;
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::documents::Documents;
use super::unpoisoned as lock;

/// Why a request's persisted query cannot run.
#[derive(Debug, PartialEq, Eq)]
pub enum Miss {
    /// `extensions.persistedQuery` (or `query`) is not what the protocol
    /// says: the request is no GraphQL request (a 400 problem).
    Malformed(String),
    /// The hash is not known here (yet): send the text with it.
    NotFound,
    /// Automatic persisted queries are off here: send the text.
    NotSupported,
    /// The text does not have the hash sent with it.
    Mismatch,
    /// Only listed documents run here, and this is not one.
    NotInList,
}

impl Miss {
    /// The message and code clients match on (Apollo Client matches either,
    /// urql the message alone, so the messages are the protocol's).
    pub fn message_and_code(&self) -> (&str, &'static str) {
        match self {
            Miss::Malformed(m) => (m, "BAD_USER_INPUT"),
            Miss::NotFound => ("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND"),
            Miss::NotSupported => (
                "PersistedQueryNotSupported",
                "PERSISTED_QUERY_NOT_SUPPORTED",
            ),
            Miss::Mismatch => (
                "provided sha does not match query",
                "PERSISTED_QUERY_HASH_MISMATCH",
            ),
            Miss::NotInList => (
                "only persisted queries run here; this document is not in the list",
                "PERSISTED_QUERY_NOT_IN_LIST",
            ),
        }
    }

    /// The status under `application/graphql-response+json`.
    pub fn status(&self) -> StatusCode {
        match self {
            Miss::NotFound => StatusCode::NOT_FOUND,
            Miss::NotInList => StatusCode::FORBIDDEN,
            Miss::Malformed(_) | Miss::NotSupported | Miss::Mismatch => StatusCode::BAD_REQUEST,
        }
    }
}

/// The text to run, and the hash to keep it under once it proved valid.
#[derive(Debug)]
pub struct Resolved {
    pub text: String,
    pub register: Option<String>,
}

pub struct Persisted {
    /// Automatic persisted queries by hex hash; none when off or list-only.
    automatic: Option<Mutex<LruCache<String, Arc<str>>>>,
    listed: HashMap<String, Arc<str>>,
    only: bool,
}

impl Persisted {
    /// Automatic persisted queries only, `entries` of them (none for 0).
    pub fn new(entries: usize) -> Self {
        Persisted {
            automatic: NonZeroUsize::new(entries).map(|n| Mutex::new(LruCache::new(n))),
            listed: HashMap::new(),
            only: false,
        }
    }

    /// What the configuration asks for, reading the manifest if one is
    /// named; a manifest that does not hold up stops the start.
    pub fn configured(limits: &crate::config::GraphqlLimits) -> anyhow::Result<Self> {
        let mut p = Persisted::new(limits.persisted_cache);
        if let Some(path) = &limits.persisted_queries {
            p.listed = read_manifest(path)?;
        }
        if limits.persisted_only {
            anyhow::ensure!(
                limits.persisted_queries.is_some(),
                "FACTLINE_GRAPHQL_PERSISTED_ONLY needs a list: set FACTLINE_GRAPHQL_PERSISTED_QUERIES"
            );
            p.only = true;
            p.automatic = None;
        }
        Ok(p)
    }

    /// The text a request runs: its own, or the one its hash names.
    pub fn resolve(
        &self,
        query: Option<String>,
        extensions: Option<&Map<String, Value>>,
    ) -> Result<Resolved, Miss> {
        let hash = match extensions.and_then(|e| e.get("persistedQuery")) {
            None => None,
            Some(pq) => Some(requested_hash(pq)?),
        };
        match (query, hash) {
            (None, None) => Err(Miss::Malformed(
                "`query` is required (a document, or `extensions.persistedQuery` with its sha256Hash)"
                    .to_owned(),
            )),
            (None, Some(hash)) => {
                if let Some(text) = self.listed.get(&hash) {
                    return Ok(Resolved {
                        text: text.to_string(),
                        register: None,
                    });
                }
                match &self.automatic {
                    Some(cache) => lock(cache)
                        .get(&hash)
                        .map(|text| Resolved {
                            text: text.to_string(),
                            register: None,
                        })
                        .ok_or(Miss::NotFound),
                    None if self.only => Err(Miss::NotFound),
                    None => Err(Miss::NotSupported),
                }
            }
            (Some(text), Some(hash)) => {
                if sha256_hex(&text) != hash {
                    return Err(Miss::Mismatch);
                }
                let listed = self.listed.contains_key(&hash);
                if self.only && !listed {
                    return Err(Miss::NotInList);
                }
                let register = (self.automatic.is_some() && !listed).then_some(hash);
                Ok(Resolved { text, register })
            }
            (Some(text), None) => {
                if self.only && !self.listed.contains_key(&sha256_hex(&text)) {
                    return Err(Miss::NotInList);
                }
                Ok(Resolved {
                    text,
                    register: None,
                })
            }
        }
    }

    /// Keeps a text that parsed and passed the limits under its hash.
    pub fn register(&self, hash: String, text: &str) {
        if let Some(cache) = &self.automatic
            && text.len() <= Documents::MAX_TEXT
        {
            lock(cache).put(hash, Arc::from(text));
        }
    }
}

pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// `{"version": 1, "sha256Hash": "<64 hex digits>"}`, the hash lowercased.
fn requested_hash(pq: &Value) -> Result<String, Miss> {
    let malformed = |m: &str| Miss::Malformed(format!("`extensions.persistedQuery`: {m}"));
    let Value::Object(pq) = pq else {
        return Err(malformed("must be an object"));
    };
    if pq.get("version") != Some(&Value::from(1)) {
        return Err(malformed("`version` must be 1"));
    }
    match pq.get("sha256Hash").and_then(Value::as_str) {
        Some(h) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(h.to_ascii_lowercase())
        }
        _ => Err(malformed(
            "`sha256Hash` must be the SHA-256 of the document, 64 hex digits",
        )),
    }
}

/// Apollo's persisted query manifest
/// (`@apollo/generate-persisted-query-manifest`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    format: String,
    version: u32,
    operations: Vec<ManifestOperation>,
}

#[derive(Deserialize)]
struct ManifestOperation {
    id: String,
    body: String,
}

fn read_manifest(path: &Path) -> anyhow::Result<HashMap<String, Arc<str>>> {
    use anyhow::Context as _;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the persisted query list {}", path.display()))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a persisted query manifest", path.display()))?;
    anyhow::ensure!(
        manifest.format == "apollo-persisted-query-manifest" && manifest.version == 1,
        "{}: format must be \"apollo-persisted-query-manifest\", version 1",
        path.display()
    );
    let mut listed = HashMap::new();
    for op in manifest.operations {
        let id = op.id.to_ascii_lowercase();
        anyhow::ensure!(
            sha256_hex(&op.body) == id,
            "{}: operation {} is not the SHA-256 of its body",
            path.display(),
            op.id
        );
        // Limits are checked on every request; a body that cannot even
        // parse is a broken list, better found at start.
        async_graphql::parser::parse_query(&op.body).map_err(|e| {
            anyhow::anyhow!(
                "{}: operation {} does not parse: {e}",
                path.display(),
                op.id
            )
        })?;
        listed.insert(id, Arc::from(op.body));
    }
    Ok(listed)
}

#[cfg(test)]
mod tests;
