//! A file staged for import. Its records are parsed one at a time and kept
//! as lines in one spool per kind (in memory while small, then in a
//! temporary file); only their slugs (as fingerprints, see [`SlugSet`]) and
//! parent links stay in memory. The writer reads each kind back a step at a
//! time, so what an import holds is the file's slugs and one step, not the
//! file, and it is still all or nothing.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};

use serde::Serialize;
use serde::de::DeserializeOwned;
use tempfile::SpooledTempFile;

use super::parts::RECORDS_PER_STEP;
use crate::domain::dataset::{
    CitationRecord, Dataset, FORMAT, FORMAT_VERSION, KnownSlugs, SlugSet, check_header, check_slug,
};
use crate::domain::file::{Line, Sink, read_into};
use crate::error::{Error, FieldError, Result};

/// How much of one kind's records a spool keeps in memory before it moves
/// them to a temporary file: a request's few records never touch the disk.
const IN_MEMORY: usize = 4 << 20;

/// How many bytes of lines a spool gathers before handing them to its file:
/// a write per record would be a system call per record once on disk.
const WRITE_BUFFER: usize = 64 << 10;

/// The kinds of record, in the order the writer takes them.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Source,
    Group,
    Target,
    Operation,
    LegalOutcome,
}

/// The records of one kind, one JSON line each.
struct Spool {
    file: SpooledTempFile,
    pending: Vec<u8>,
    count: u64,
}

impl Spool {
    fn new() -> Self {
        Spool {
            file: SpooledTempFile::new(IN_MEMORY),
            pending: Vec::new(),
            count: 0,
        }
    }

    fn push<T: Serialize>(&mut self, record: &T) -> Result<()> {
        serde_json::to_writer(&mut self.pending, record)
            .map_err(|e| Error::Internal(format!("could not stage a record: {e}")))?;
        self.pending.push(b'\n');
        self.count += 1;
        if self.pending.len() >= WRITE_BUFFER {
            self.drain()?;
        }
        Ok(())
    }

    fn drain(&mut self) -> Result<()> {
        self.file.write_all(&self.pending).map_err(disk)?;
        self.pending.clear();
        Ok(())
    }
}

/// The spools of a staged file, read back kind by kind.
pub(crate) struct Spools([Spool; 5]);

impl Spools {
    /// How many records the file holds.
    pub(crate) fn total(&self) -> u64 {
        self.0.iter().map(|s| s.count).sum()
    }

    /// The records of `kind` in file order, up to `RECORDS_PER_STEP` at a
    /// time; each call starts again from the first.
    pub(crate) fn steps<T: DeserializeOwned>(&mut self, kind: Kind) -> Result<Steps<'_, T>> {
        let spool = &mut self.0[kind as usize];
        spool.drain()?;
        spool.file.seek(SeekFrom::Start(0)).map_err(disk)?;
        Ok(Steps {
            lines: BufReader::new(&mut spool.file),
            line: String::new(),
            _kind: std::marker::PhantomData,
        })
    }
}

/// Reads one spool back a step at a time.
pub(crate) struct Steps<'a, T> {
    lines: BufReader<&'a mut SpooledTempFile>,
    line: String,
    _kind: std::marker::PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Steps<'_, T> {
    /// The next step's records; `None` after the last.
    pub(crate) fn next_step(&mut self) -> Result<Option<Vec<T>>> {
        let mut step = Vec::new();
        while step.len() < RECORDS_PER_STEP {
            self.line.clear();
            if self.lines.read_line(&mut self.line).map_err(disk)? == 0 {
                break;
            }
            // The spool holds what `Spool::push` wrote, so this cannot fail
            // short of a corrupted temporary file.
            step.push(serde_json::from_str(&self.line).map_err(|e| {
                Error::Internal(format!("a staged record could not be read back: {e}"))
            })?);
        }
        Ok((!step.is_empty()).then_some(step))
    }
}

/// A file's records, staged, with what the import needs of them at once.
pub struct Staged {
    format: String,
    version: u32,
    description: Option<String>,
    pub(crate) spools: Spools,
    /// The file's own slugs, by kind.
    pub(crate) file: KnownSlugs,
    legal_outcomes: SlugSet,
    /// Slugs the file refers to without holding them: they must be stored.
    pub(crate) outside: Outside,
    /// Each group that names a parent, and the parent.
    pub(crate) group_parents: HashMap<String, String>,
    /// Each operation that is part of another, and that one.
    pub(crate) operation_parents: HashMap<String, String>,
    /// What is wrong with the file as a whole (format, slugs): the records'
    /// own faults are found as the writer reads them back.
    pub(crate) errors: Vec<FieldError>,
}

impl Staged {
    fn new() -> Self {
        Staged {
            format: FORMAT.to_owned(),
            version: FORMAT_VERSION,
            description: None,
            spools: Spools(std::array::from_fn(|_| Spool::new())),
            file: KnownSlugs::default(),
            legal_outcomes: SlugSet::default(),
            outside: Outside::default(),
            group_parents: HashMap::new(),
            operation_parents: HashMap::new(),
            errors: Vec::new(),
        }
    }

    /// Stages a dataset already in memory (a request's records).
    pub fn of(ds: Dataset) -> Result<Self> {
        let mut s = Staged::new();
        s.header(ds.format, ds.version, ds.description);
        let lines = (ds.sources.into_iter().map(Line::Source))
            .chain(ds.groups.into_iter().map(Line::Group))
            .chain(ds.targets.into_iter().map(Line::Target))
            .chain(ds.operations.into_iter().map(Line::Operation))
            .chain(ds.legal_outcomes.into_iter().map(Line::LegalOutcome));
        for line in lines {
            s.record(line)?;
        }
        Ok(s.finish())
    }

    /// Stages a dataset document or NDJSON export as it is read, never
    /// holding it whole (see [`read_into`]).
    pub fn read<R: std::io::Read>(r: R) -> Result<Self> {
        let mut s = Staged::new();
        read_into(r, &mut s)?;
        Ok(s.finish())
    }

    fn finish(mut self) -> Self {
        let mut errors = Vec::new();
        check_header(
            &self.format,
            self.version,
            self.description.as_deref(),
            &mut errors,
        );
        errors.append(&mut self.errors);
        self.errors = errors;
        // From here the file's slugs are only read; the legal outcomes'
        // served to find duplicates, which nothing refers to.
        for set in [
            &mut self.file.sources,
            &mut self.file.groups,
            &mut self.file.targets,
            &mut self.file.operations,
        ] {
            set.freeze();
        }
        self.legal_outcomes = SlugSet::default();
        // A reference met before the record it names is no outside one.
        let (file, outside) = (&self.file, &mut self.outside);
        outside.sources.retain(|s| !file.sources.contains(s));
        outside.groups.retain(|s| !file.groups.contains(s));
        outside.targets.retain(|s| !file.targets.contains(s));
        outside.operations.retain(|s| !file.operations.contains(s));
        self
    }

    fn cite(&mut self, citations: &[CitationRecord]) {
        for c in citations {
            refer(&self.file.sources, &mut self.outside.sources, &c.source);
        }
    }
}

/// The slugs a file refers to without holding them, by kind: looked up in
/// the database by name, so kept whole (a file exported from factline holds
/// what it refers to, so these are few).
#[derive(Debug, Default)]
pub(crate) struct Outside {
    pub(crate) sources: HashSet<String>,
    pub(crate) groups: HashSet<String>,
    pub(crate) targets: HashSet<String>,
    pub(crate) operations: HashSet<String>,
}

fn refer(file: &SlugSet, outside: &mut HashSet<String>, slug: &str) {
    if !file.contains(slug) && !outside.contains(slug) {
        outside.insert(slug.to_owned());
    }
}

impl Sink for Staged {
    fn header(&mut self, format: String, version: u32, description: Option<String>) {
        self.format = format;
        self.version = version;
        self.description = description;
    }

    fn record(&mut self, line: Line) -> Result<()> {
        match line {
            Line::Header {
                format, version, ..
            } => self.header(format, version, None),
            Line::Source(r) => {
                check_slug("sources", &r.slug, &mut self.file.sources, &mut self.errors);
                self.spools.0[Kind::Source as usize].push(&r)?;
            }
            Line::Group(mut r) => {
                r.normalize();
                check_slug("groups", &r.slug, &mut self.file.groups, &mut self.errors);
                if let Some(p) = &r.parent {
                    refer(&self.file.groups, &mut self.outside.groups, p);
                    self.group_parents.insert(r.slug.clone(), p.clone());
                }
                self.cite(&r.citations);
                self.spools.0[Kind::Group as usize].push(&r)?;
            }
            Line::Target(r) => {
                check_slug("targets", &r.slug, &mut self.file.targets, &mut self.errors);
                self.cite(&r.citations);
                self.spools.0[Kind::Target as usize].push(&r)?;
            }
            Line::Operation(mut r) => {
                r.normalize();
                check_slug(
                    "operations",
                    &r.slug,
                    &mut self.file.operations,
                    &mut self.errors,
                );
                if let Some(p) = &r.part_of {
                    refer(&self.file.operations, &mut self.outside.operations, p);
                    self.operation_parents.insert(r.slug.clone(), p.clone());
                }
                for g in &r.groups {
                    refer(&self.file.groups, &mut self.outside.groups, &g.group);
                    self.cite(&g.citations);
                }
                for t in &r.targets {
                    refer(&self.file.targets, &mut self.outside.targets, &t.target);
                    self.cite(&t.citations);
                }
                for a in &r.alternatives {
                    self.cite(&a.citations);
                }
                self.cite(&r.citations);
                self.spools.0[Kind::Operation as usize].push(&r)?;
            }
            Line::LegalOutcome(mut r) => {
                r.normalize();
                check_slug(
                    "legal_outcomes",
                    &r.slug,
                    &mut self.legal_outcomes,
                    &mut self.errors,
                );
                if let Some(o) = &r.operation {
                    refer(&self.file.operations, &mut self.outside.operations, o);
                }
                if let Some(g) = &r.group {
                    refer(&self.file.groups, &mut self.outside.groups, g);
                }
                for a in &r.alternatives {
                    self.cite(&a.citations);
                }
                self.cite(&r.citations);
                self.spools.0[Kind::LegalOutcome as usize].push(&r)?;
            }
        }
        Ok(())
    }
}

/// The temporary file could not be written or read: the machine's fault
/// (most often a full disk), so the client may retry.
fn disk(e: std::io::Error) -> Error {
    Error::Busy(format!(
        "the import could not stage its records in a temporary file ({e}); \
         the server's temporary directory may be full"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dataset::SourceRecord;

    fn source(i: usize) -> SourceRecord {
        SourceRecord {
            slug: format!("src-{i:06}"),
            title: format!("A title long enough to fill the spool quickly, number {i}"),
            url: Some(format!("https://example.org/{i}")),
            archived_url: None,
            publisher: None,
            language: "en".into(),
            published: None,
            kind: "news".into(),
            title_is_descriptive: false,
        }
    }

    /// A kind larger than the spool keeps in memory moves to a temporary
    /// file and reads back whole, in order, a step at a time, as often as
    /// the writer asks.
    #[test]
    fn a_large_kind_moves_to_disk_and_reads_back_whole_in_steps() {
        let n = 10 * RECORDS_PER_STEP + 7;
        let mut s = Staged::new();
        for i in 0..n {
            s.record(Line::Source(source(i))).unwrap();
        }
        let mut s = s.finish();
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        assert_eq!(s.spools.total(), n as u64);
        assert!(s.spools.0[Kind::Source as usize].file.is_rolled());
        assert!(!s.spools.0[Kind::Group as usize].file.is_rolled());
        for _ in 0..2 {
            let mut steps = s.spools.steps::<SourceRecord>(Kind::Source).unwrap();
            let mut sizes = Vec::new();
            let mut next = 0;
            while let Some(step) = steps.next_step().unwrap() {
                sizes.push(step.len());
                for r in step {
                    assert_eq!(r, source(next));
                    next += 1;
                }
            }
            let mut expected = vec![RECORDS_PER_STEP; 10];
            expected.push(7);
            assert_eq!(sizes, expected);
        }
    }

    /// What needs the whole file is known once it is staged: duplicate
    /// slugs, and which references point outside it (a reference met
    /// before the record it names is not one of them).
    #[test]
    fn staging_finds_duplicates_and_references_outside_the_file() {
        let doc = r#"{"version": 2,
            "operations": [{"slug": "op-a", "names": [], "start": "2011", "part_of": "op-b",
                "groups": [{"group": "g-stored", "role": "claimed", "citations": [{"source": "s-later"}]}],
                "citations": [{"source": "s-stored"}]},
              {"slug": "op-b", "names": [], "start": "2011", "citations": []}],
            "sources": [{"slug": "s-later", "title": "T", "language": "en", "kind": "news"},
                        {"slug": "s-later", "title": "T", "language": "en", "kind": "news"}]}"#;
        let s = Staged::read(doc.as_bytes()).unwrap();
        let fields: Vec<&str> = s.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["version", "sources[s-later]"]);
        assert_eq!(
            s.outside.sources.iter().collect::<Vec<_>>(),
            [&"s-stored".to_owned()]
        );
        assert_eq!(
            s.outside.groups.iter().collect::<Vec<_>>(),
            [&"g-stored".to_owned()]
        );
        assert!(s.outside.operations.is_empty());
        assert_eq!(s.operation_parents["op-a"], "op-b");
        assert_eq!(s.spools.total(), 4);
    }
}
