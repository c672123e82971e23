//! Sets of slugs kept as fingerprints: an import of millions of records
//! holds every slug of its file to find duplicates and check references,
//! and 16 bytes a slug is a fraction of the string and its allocation.

use std::collections::HashSet;

use sha2::{Digest, Sha256};

/// The slugs of one kind, each kept as the first 128 bits of its SHA-256.
/// Two different slugs share a fingerprint with a probability of about
/// n²/2¹²⁹ (10⁻²⁶ for the 3 million slugs of the largest benchmark file),
/// and a file cannot be crafted to make them: a fast non-cryptographic hash
/// (xxh3) would let a hostile file pass a reference to a missing record as
/// one of its own (the foreign key would then refuse it with a misleading
/// error). So the set answers as a set of the strings would; it cannot list
/// them. Slugs go into a hash set as they arrive; [`SlugSet::freeze`] moves
/// them into a sorted array, 16 bytes a slug where the hash set takes up to
/// 34 with its spare room.
#[derive(Debug, Default, Clone)]
pub struct SlugSet {
    open: HashSet<u128>,
    sorted: Box<[u128]>,
}

impl SlugSet {
    /// Adds `slug`; false when it was there already.
    pub fn insert(&mut self, slug: &str) -> bool {
        let f = fingerprint(slug);
        self.sorted.binary_search(&f).is_err() && self.open.insert(f)
    }

    pub fn contains(&self, slug: &str) -> bool {
        let f = fingerprint(slug);
        self.open.contains(&f) || self.sorted.binary_search(&f).is_ok()
    }

    pub fn len(&self) -> usize {
        self.open.len() + self.sorted.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keeps what has been added in the compact form, for a set that is
    /// read from now on (it can still be added to).
    pub fn freeze(&mut self) {
        if self.open.is_empty() {
            return;
        }
        let mut all = Vec::with_capacity(self.len());
        all.extend_from_slice(&self.sorted);
        all.extend(std::mem::take(&mut self.open));
        all.sort_unstable();
        self.sorted = all.into_boxed_slice();
    }
}

impl<S: AsRef<str>> FromIterator<S> for SlugSet {
    fn from_iter<I: IntoIterator<Item = S>>(slugs: I) -> Self {
        SlugSet {
            open: slugs.into_iter().map(|s| fingerprint(s.as_ref())).collect(),
            sorted: Box::default(),
        }
    }
}

fn fingerprint(slug: &str) -> u128 {
    let digest = Sha256::digest(slug.as_bytes());
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    u128::from_le_bytes(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slug_set_answers_as_a_set_of_strings() {
        let mut s: SlugSet = ["grp-a", "grp-b"].into_iter().collect();
        assert!(s.contains("grp-a") && s.contains("grp-b"));
        assert!(!s.contains("grp-c") && !s.contains("grp-") && !s.contains(""));
        assert!(s.insert("grp-c"));
        assert!(!s.insert("grp-a"));
        assert_eq!(s.len(), 3);
        let many: SlugSet = (0..100_000).map(|i| format!("op-{i:06}")).collect();
        assert_eq!(many.len(), 100_000);
        assert!((0..100_000).all(|i| many.contains(&format!("op-{i:06}"))));
        assert!(!many.contains("op-100000"));
        let mut frozen = many.clone();
        frozen.freeze();
        assert_eq!(frozen.len(), 100_000);
        assert!((0..100_000).all(|i| frozen.contains(&format!("op-{i:06}"))));
        assert!(!frozen.contains("op-100000"));
        assert!(!frozen.insert("op-000042"), "a frozen slug is still there");
        assert!(frozen.insert("op-100000") && frozen.contains("op-100000"));
        frozen.freeze();
        assert_eq!(frozen.len(), 100_001);
        assert!(frozen.contains("op-100000") && frozen.contains("op-000000"));
    }
}
