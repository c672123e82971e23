//! Reading dataset files: a JSON document (`format: factline-dataset`) or an
//! NDJSON export (a header line, then one record per line), from a text or
//! as a stream arrives. Told apart by the first line.

use serde::{Deserialize, Serialize};

use super::dataset::{
    Dataset, GroupRecord, LegalOutcomeRecord, OperationRecord, SourceRecord, TargetRecord,
};
use crate::error::{Error, Result};

impl Dataset {
    /// Parses a dataset document; a syntax or shape error names its line and
    /// column. The same reader as a streamed import's (`read_document`).
    pub fn from_json(text: &str) -> Result<Self> {
        if text.contains("\\u0000") {
            return Err(Error::invalid(
                "file",
                "must not contain NUL characters (\\u0000)",
            ));
        }
        let mut ds = Dataset::default();
        read_document(text.as_bytes(), &mut ds)?;
        Ok(ds)
    }

    /// Parses a dataset document or an NDJSON export (told apart by the first
    /// line, see [`is_ndjson`]).
    pub fn parse(text: &str) -> crate::error::Result<Self> {
        if is_ndjson(text) {
            dataset_from_ndjson(text)
        } else {
            Self::from_json(text)
        }
    }

    /// Parses a dataset document or an NDJSON export as it is read, as
    /// [`Dataset::parse`] does from a text, without holding the text.
    pub fn parse_reader<R: std::io::Read>(r: R) -> crate::error::Result<Self> {
        let mut ds = Dataset::default();
        read_into(r, &mut ds)?;
        Ok(ds)
    }
}

/// What a file's reader hands its contents to, record by record: a
/// [`Dataset`] keeps them all; the import stages them on disk instead, so a
/// file of any size is never held whole.
pub trait Sink {
    /// The file's own fields (after its records, for a document whose keys
    /// come in any order).
    fn header(&mut self, format: String, version: u32, description: Option<String>);
    /// One record. An error here (the sink's own, such as a full disk) ends
    /// the read with it.
    fn record(&mut self, line: Line) -> Result<()>;
}

impl Sink for Dataset {
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
            Line::Source(r) => self.sources.push(r),
            Line::Group(r) => self.groups.push(r),
            Line::Target(r) => self.targets.push(r),
            Line::Operation(r) => self.operations.push(r),
            Line::LegalOutcome(r) => self.legal_outcomes.push(r),
        }
        Ok(())
    }
}

/// Reads a dataset document or an NDJSON export into `sink` as it arrives
/// (`POST /v1/import` streams the request body here). A read error ends the
/// parse with [`Error::Unreadable`](crate::error::Error::Unreadable).
pub fn read_into<R: std::io::Read, S: Sink>(r: R, sink: &mut S) -> Result<()> {
    use std::io::{BufRead, Read};
    let scan = NulScan::new(r);
    let seen = scan.seen.clone();
    let mut r = std::io::BufReader::new(scan);
    // The first line, if it is short, tells NDJSON (whose first line is
    // a small header) from a document, which may be one long line.
    let mut head = Vec::new();
    (&mut r)
        .take(PROBE)
        .read_until(b'\n', &mut head)
        .map_err(unreadable)?;
    while head.iter().all(u8::is_ascii_whitespace) && head.ends_with(b"\n") {
        head.clear();
        (&mut r)
            .take(PROBE)
            .read_until(b'\n', &mut head)
            .map_err(unreadable)?;
    }
    let ndjson = std::str::from_utf8(&head).is_ok_and(is_ndjson);
    let r = std::io::Cursor::new(head).chain(r);
    let read = if ndjson {
        let mut nd = NdjsonReader::new(sink);
        for line in std::io::BufReader::new(r).lines() {
            if !nd.line(&line.map_err(unreadable)?) {
                break;
            }
        }
        nd.finish()
    } else {
        read_document(std::io::BufReader::new(r), sink)
    };
    if seen.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(crate::error::Error::invalid(
            "file",
            "must not contain NUL characters (\\u0000)",
        ));
    }
    read
}

/// A dataset document, each record handed to `sink` as soon as it is parsed.
/// Keys as `Dataset`'s derived reader takes them: any order, each at most
/// once, none unknown, any left out taking its default.
fn read_document<R: std::io::Read, S: Sink>(r: R, sink: &mut S) -> Result<()> {
    use serde::de::DeserializeSeed;
    let mut failed = None;
    let mut de = serde_json::Deserializer::from_reader(r);
    let parsed = Document {
        sink,
        failed: &mut failed,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    match (failed, parsed) {
        (Some(e), _) => Err(e),
        (None, Ok(())) => Ok(()),
        (None, Err(e)) if e.is_io() => Err(unreadable(e.into())),
        (None, Err(e)) => Err(crate::error::Error::invalid(
            "file",
            format!("line {} column {}: {e}", e.line(), e.column()),
        )),
    }
}

const DOCUMENT_KEYS: &[&str] = &[
    "format",
    "version",
    "description",
    "as_of",
    "sha256",
    "sources",
    "groups",
    "targets",
    "operations",
    "legal_outcomes",
];

/// The document's top level, read key by key.
struct Document<'s, S> {
    sink: &'s mut S,
    /// The sink's own error, kept whole (serde's errors are only text).
    failed: &'s mut Option<Error>,
}

impl<'de, S: Sink> serde::de::DeserializeSeed<'de> for Document<'_, S> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, S: Sink> serde::de::Visitor<'de> for Document<'_, S> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a factline dataset document (a JSON object)")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<(), A::Error> {
        use serde::de::Error as _;
        let mut format = None;
        let mut version = None;
        let mut description = None;
        let mut seen = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let Some(&key) = DOCUMENT_KEYS.iter().find(|k| **k == key) else {
                return Err(A::Error::unknown_field(&key, DOCUMENT_KEYS));
            };
            if seen.contains(&key) {
                return Err(A::Error::duplicate_field(key));
            }
            seen.push(key);
            let sink = &mut *self.sink;
            let failed = &mut *self.failed;
            match key {
                "format" => format = Some(map.next_value::<String>()?),
                "version" => version = Some(map.next_value::<u32>()?),
                "description" => description = map.next_value::<Option<String>>()?,
                // What an export was of (`export::Identity`): for citing it,
                // nothing to import.
                "as_of" | "sha256" => {
                    map.next_value::<Option<String>>()?;
                }
                "sources" => map.next_value_seed(Records::new(sink, failed, Line::Source))?,
                "groups" => map.next_value_seed(Records::new(sink, failed, Line::Group))?,
                "targets" => map.next_value_seed(Records::new(sink, failed, Line::Target))?,
                "operations" => map.next_value_seed(Records::new(sink, failed, Line::Operation))?,
                _ => map.next_value_seed(Records::new(sink, failed, Line::LegalOutcome))?,
            }
        }
        self.sink.header(
            format.unwrap_or_else(|| super::dataset::FORMAT.to_owned()),
            version.unwrap_or(super::dataset::FORMAT_VERSION),
            description,
        );
        Ok(())
    }
}

/// One of the document's arrays of records, each handed on as it is parsed.
struct Records<'s, S, T> {
    sink: &'s mut S,
    failed: &'s mut Option<Error>,
    wrap: fn(T) -> Line,
}

impl<'s, S, T> Records<'s, S, T> {
    fn new(sink: &'s mut S, failed: &'s mut Option<Error>, wrap: fn(T) -> Line) -> Self {
        Records { sink, failed, wrap }
    }
}

impl<'de, S: Sink, T: Deserialize<'de>> serde::de::DeserializeSeed<'de> for Records<'_, S, T> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, S: Sink, T: Deserialize<'de>> serde::de::Visitor<'de> for Records<'_, S, T> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<(), A::Error> {
        while let Some(r) = seq.next_element::<T>()? {
            if let Err(e) = self.sink.record((self.wrap)(r)) {
                *self.failed = Some(e);
                return Err(serde::de::Error::custom("the import stopped"));
            }
        }
        Ok(())
    }
}

/// One line of an NDJSON export: a header, then one record per line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Line {
    /// The first line: which format and version the lines follow, and in
    /// an export what it is of (`export::Identity`; import ignores it).
    Header {
        format: String,
        version: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        as_of: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sha256: Option<String>,
    },
    Source(SourceRecord),
    Group(GroupRecord),
    Target(TargetRecord),
    Operation(OperationRecord),
    LegalOutcome(LegalOutcomeRecord),
}

/// Does this text look like NDJSON (a first line that is a whole object with
/// a `type`) rather than a dataset document?
///
/// The probe skips every value without building it: a dataset document is
/// often one line, and reading it into a `serde_json::Map` to look for one
/// key held many times the file in memory (bench/README.md, "Measurements
/// behind the code").
pub fn is_ndjson(text: &str) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        #[serde(rename = "type")]
        kind: Option<serde::de::IgnoredAny>,
    }
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    serde_json::from_str::<Probe>(first).is_ok_and(|p| p.kind.is_some())
}

/// Reads an NDJSON export back into a dataset; errors name the line.
pub fn dataset_from_ndjson(text: &str) -> Result<Dataset> {
    let mut ds = Dataset::default();
    let mut r = NdjsonReader::new(&mut ds);
    for line in text.lines() {
        if !r.line(line) {
            break;
        }
    }
    r.finish()?;
    Ok(ds)
}

/// Hands NDJSON lines fed one at a time (from a text or a stream) to a
/// sink, collecting at most 50 errors, each naming its line.
pub struct NdjsonReader<'s, S> {
    sink: &'s mut S,
    errors: Vec<crate::error::FieldError>,
    failed: Option<Error>,
    n: usize,
}

impl<'s, S: Sink> NdjsonReader<'s, S> {
    pub fn new(sink: &'s mut S) -> Self {
        NdjsonReader {
            sink,
            errors: Vec::new(),
            failed: None,
            n: 0,
        }
    }

    /// Takes the next line; `false` once enough errors are collected or the
    /// sink failed.
    pub fn line(&mut self, line: &str) -> bool {
        self.n += 1;
        let at = || format!("line {}", self.n);
        if line.trim().is_empty() {
            return true;
        }
        if line.contains("\\u0000") {
            self.errors.push(crate::error::FieldError::new(
                at(),
                "must not contain NUL characters (\\u0000)",
            ));
        } else {
            match serde_json::from_str::<Line>(line) {
                Ok(Line::Header {
                    format, version, ..
                }) => self.sink.header(format, version, None),
                Ok(record) => {
                    if let Err(e) = self.sink.record(record) {
                        self.failed = Some(e);
                        return false;
                    }
                }
                Err(e) => self.errors.push(crate::error::FieldError::new(
                    at(),
                    format!("column {}: {e}", e.column()),
                )),
            }
        }
        self.errors.len() < 50
    }

    pub fn finish(self) -> Result<()> {
        match self.failed {
            Some(e) => Err(e),
            None if self.errors.is_empty() => Ok(()),
            None => Err(Error::Invalid(self.errors)),
        }
    }
}

/// How much of a streamed file's first line is read to tell NDJSON from a
/// document: an NDJSON header is far shorter.
const PROBE: u64 = 64 * 1024;

/// A read error: text that is not UTF-8 is the file's fault (422), any
/// other error the transport's.
fn unreadable(e: std::io::Error) -> crate::error::Error {
    if e.kind() == std::io::ErrorKind::InvalidData {
        crate::error::Error::invalid("file", "not UTF-8")
    } else {
        crate::error::Error::Unreadable(e)
    }
}

/// A reader that notes whether the escape `\u0000` (NUL, which Postgres
/// cannot store) passes through it, also across reads.
struct NulScan<R> {
    inner: R,
    /// The last bytes of the previous read, for an escape split across reads.
    tail: Vec<u8>,
    seen: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl<R> NulScan<R> {
    fn new(inner: R) -> Self {
        NulScan {
            inner,
            tail: Vec::new(),
            seen: Default::default(),
        }
    }
}

impl<R: std::io::Read> std::io::Read for NulScan<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        const NUL: &[u8] = b"\\u0000";
        let n = self.inner.read(buf)?;
        let mut window = std::mem::take(&mut self.tail);
        window.extend_from_slice(&buf[..n]);
        if window.windows(NUL.len()).any(|w| w == NUL) {
            self.seen.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let keep = window.len().saturating_sub(NUL.len() - 1);
        self.tail = window.split_off(keep);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out a few bytes at a time, as a network body does.
    struct Trickle<'a>(&'a [u8]);

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(buf.len()).min(3);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_streamed_file_parses_as_its_text_does() {
        let doc = r#"{"format": "factline-dataset", "version": 1, "sources": [{"slug": "s", "title": "T", "url": null, "archived_url": null, "publisher": null, "language": "en", "published": null, "kind": "news"}], "groups": [], "targets": [], "operations": [], "legal_outcomes": []}"#;
        let ndjson = "\n{\"type\": \"header\", \"format\": \"factline-dataset\", \"version\": 1}\n{\"type\": \"source\", \"slug\": \"s\", \"title\": \"T\", \"url\": null, \"archived_url\": null, \"publisher\": null, \"language\": \"en\", \"published\": null, \"kind\": \"news\"}\n";
        for text in [doc, ndjson] {
            let streamed = Dataset::parse_reader(Trickle(text.as_bytes())).unwrap();
            assert_eq!(streamed, Dataset::parse(text).unwrap());
        }
        // A document whose first line is longer than the probe is still a document.
        let long = doc.replace("\"T\"", &format!("\"{}\"", "x".repeat(100_000)));
        assert_eq!(
            Dataset::parse_reader(long.as_bytes())
                .unwrap()
                .sources
                .len(),
            1
        );
        // A NUL escape is found even when split across reads.
        let nul = doc.replace("\"T\"", "\"a\\u0000b\"");
        let e = Dataset::parse_reader(Trickle(nul.as_bytes())).unwrap_err();
        assert!(e.to_string().contains("NUL"), "{e}");
        assert!(Dataset::parse_reader(&b"{\"format\": \"\xff\"}"[..]).is_err());
    }

    /// The document reader (which hands each record on as it is parsed)
    /// takes what serde's derived reader takes and refuses what it refuses:
    /// keys in any order, none twice, none unknown. Only a top-level array,
    /// which the derived reader takes as the fields in order, is refused.
    #[test]
    fn a_streamed_document_follows_the_derived_reader_key_for_key() {
        let source = r#"{"slug": "s", "title": "T", "language": "en", "kind": "news"}"#;
        let cases = [
            format!(r#"{{"legal_outcomes": [], "sources": [{source}], "version": 1}}"#),
            format!(r#"{{"description": "d", "sources": [{source}, {source}]}}"#),
            "{}".to_owned(),
            format!(r#"{{"sources": [{source}], "sources": []}}"#),
            r#"{"sources": [], "extra": 1}"#.to_owned(),
            r#"{"sources": null}"#.to_owned(),
            r#"{"version": "one"}"#.to_owned(),
            r#"{"as_of": false}"#.to_owned(),
            r#"{"sha256": 1, "sources": []}"#.to_owned(),
            r#"{"sources": [{"slug": "s"}]}"#.to_owned(),
            r#"{"sources": []} trailing"#.to_owned(),
        ];
        for text in cases {
            let streamed = Dataset::parse_reader(Trickle(text.as_bytes()));
            let derived = serde_json::from_str::<Dataset>(&text);
            match (&streamed, &derived) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
                (Err(_), Err(_)) => {}
                _ => panic!("{text}: streamed {streamed:?}, derived {derived:?}"),
            }
        }
        let e = Dataset::parse_reader(r#"{"sources": [], "extra": 1}"#.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("unknown field `extra`"), "{e}");
        assert!(Dataset::parse_reader("[]".as_bytes()).is_err());
        assert!(Dataset::from_json("[]").is_err());
    }

    #[test]
    fn only_a_first_line_with_a_top_level_type_is_ndjson() {
        assert!(is_ndjson(
            "\n{\"type\":\"header\",\"format\":\"factline-dataset\",\"version\":1}\n{\"type\":\"source\"}\n"
        ));
        // A one-line dataset document whose records hold `type` keys deeper down.
        assert!(!is_ndjson(
            r#"{"format":"factline-dataset","version":1,"sources":[{"type":"x","slug":"s"}]}"#
        ));
        // A pretty-printed document: its first line is no whole object.
        assert!(!is_ndjson("{\n  \"type\": \"header\"\n}\n"));
        assert!(!is_ndjson("not json"));
        assert!(!is_ndjson(""));
    }
}
