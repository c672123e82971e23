//! Parsed documents kept by their text. A client sends the same few
//! documents again and again (a script paging through a list, an app's
//! fixed queries, a playground tab), and parsing it again costs a visible
//! share of a page's work (bench/README.md, "Measurements behind the code").
//! PostGraphile keeps such a cache too (`queryCacheMaxSize`).
//! Only what a document is, never what it answered, is kept: validation
//! and execution run for every request.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::ExecutableDocument;
use lru::LruCache;

/// A document and what the limits check in it.
#[derive(Debug)]
pub struct Parsed {
    pub doc: ExecutableDocument,
    /// Whether any of its operations is a mutation (or a subscription).
    pub mutation: bool,
    pub aliases: usize,
    pub fields: usize,
}

/// The documents, least recently used out first.
pub struct Documents(Option<Mutex<LruCache<String, Arc<Parsed>>>>);

impl Documents {
    /// Longest document kept, in bytes: with [`Limits::document_cache`]
    /// entries, this bounds the cache's memory.
    ///
    /// [`Limits::document_cache`]: crate::config::GraphqlLimits::document_cache
    pub const MAX_TEXT: usize = 8 * 1024;

    /// A cache of `entries` documents; none for 0.
    pub fn new(entries: usize) -> Self {
        Documents(NonZeroUsize::new(entries).map(|n| Mutex::new(LruCache::new(n))))
    }

    pub fn get(&self, text: &str) -> Option<Arc<Parsed>> {
        let cache = self.0.as_ref()?;
        super::unpoisoned(cache).get(text).cloned()
    }

    /// Keeps a document that parsed, if it is small enough.
    pub fn put(&self, text: &str, parsed: Arc<Parsed>) {
        let Some(cache) = &self.0 else { return };
        if text.len() <= Self::MAX_TEXT {
            super::unpoisoned(cache).put(text.to_owned(), parsed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Arc<Parsed> {
        Arc::new(Parsed {
            doc: async_graphql::parser::parse_query(text).unwrap(),
            mutation: false,
            aliases: 0,
            fields: 1,
        })
    }

    #[test]
    fn keeps_the_most_recently_used_documents() {
        let docs = Documents::new(2);
        docs.put("{ a }", parsed("{ a }"));
        docs.put("{ b }", parsed("{ b }"));
        assert!(docs.get("{ a }").is_some());
        docs.put("{ c }", parsed("{ c }"));
        assert!(docs.get("{ a }").is_some(), "used last, kept");
        assert!(docs.get("{ b }").is_none(), "least recently used, dropped");
        assert!(docs.get("{ c }").is_some());
    }

    #[test]
    fn keeps_nothing_when_off_or_too_long() {
        let off = Documents::new(0);
        off.put("{ a }", parsed("{ a }"));
        assert!(off.get("{ a }").is_none());
        let docs = Documents::new(4);
        let long = format!("{{ a {} }}", " ".repeat(Documents::MAX_TEXT));
        docs.put(&long, parsed(&long));
        assert!(docs.get(&long).is_none());
    }
}
