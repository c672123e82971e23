//! What the export encoders share: a batch of records with their time
//! stamps, the counts of a whole export, and the `Encoder` each format
//! implements (`export` for JSON and NDJSON, `stix` for STIX 2.1, `misp`
//! for a MISP galaxy cluster).

use std::collections::HashMap;

use super::dataset::{
    CitationRecord, GroupRecord, LegalOutcomeRecord, OperationRecord, SourceRecord, TargetRecord,
};

/// How many records each collection holds (for progress and the bundle id).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub sources: u64,
    pub groups: u64,
    pub targets: u64,
    pub operations: u64,
    pub legal_outcomes: u64,
    /// The latest change to any record (with the counts, it keys the bundle id).
    pub latest: Option<chrono::DateTime<chrono::Utc>>,
}

impl Counts {
    pub fn total(&self) -> u64 {
        self.sources + self.groups + self.targets + self.operations + self.legal_outcomes
    }
}

/// A record's stored id, and when it was created and last changed (STIX
/// needs both times; a MISP galaxy value falls back on the id).
#[derive(Debug, Clone, Copy)]
pub struct Stamps {
    pub id: uuid::Uuid,
    pub created: chrono::DateTime<chrono::Utc>,
    pub modified: chrono::DateTime<chrono::Utc>,
}

/// One batch of records of one collection, each with its time stamps, and
/// the sources the batch cites (for encoders that spell citations out).
pub enum Batch {
    Sources(Vec<(Stamps, SourceRecord)>),
    Groups(Vec<(Stamps, GroupRecord)>),
    Targets(Vec<(Stamps, TargetRecord)>),
    Operations(Vec<(Stamps, OperationRecord)>),
    LegalOutcomes(Vec<(Stamps, LegalOutcomeRecord)>),
}

impl Batch {
    pub fn len(&self) -> usize {
        match self {
            Batch::Sources(v) => v.len(),
            Batch::Groups(v) => v.len(),
            Batch::Targets(v) => v.len(),
            Batch::Operations(v) => v.len(),
            Batch::LegalOutcomes(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every source slug the batch's records (and their links) cite.
    pub fn cited_sources(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut add = |cs: &[CitationRecord]| {
            out.extend(cs.iter().map(|c| c.source.clone()));
        };
        match self {
            Batch::Sources(_) => {}
            Batch::Groups(v) => v.iter().for_each(|(_, r)| add(&r.citations)),
            Batch::Targets(v) => v.iter().for_each(|(_, r)| add(&r.citations)),
            Batch::Operations(v) => v.iter().for_each(|(_, r)| {
                add(&r.citations);
                r.groups.iter().for_each(|l| add(&l.citations));
                r.targets.iter().for_each(|l| add(&l.citations));
            }),
            Batch::LegalOutcomes(v) => v.iter().for_each(|(_, r)| add(&r.citations)),
        }
        out.sort();
        out.dedup();
        out
    }
}

/// A collection an export walks, in the order the walker reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sources,
    Groups,
    Targets,
    Operations,
    LegalOutcomes,
}

impl Kind {
    /// Every collection, in file order (sources first: records cite them).
    pub const ALL: &'static [Kind] = &[
        Kind::Sources,
        Kind::Groups,
        Kind::Targets,
        Kind::Operations,
        Kind::LegalOutcomes,
    ];
}

/// Turns batches into bytes, in order: `begin`, each batch, `end`.
pub trait Encoder: Send {
    fn begin(&mut self) -> Vec<u8>;
    fn batch(&mut self, batch: &Batch, cited: &HashMap<String, SourceRecord>) -> Vec<u8>;
    fn end(&mut self) -> Vec<u8>;
    /// Whether `batch` needs the cited sources looked up.
    fn needs_sources(&self) -> bool {
        false
    }
    /// The collections it writes, in walking order: the walker reads no
    /// other (a format of groups alone reads no operations).
    fn kinds(&self) -> &'static [Kind] {
        Kind::ALL
    }
}
