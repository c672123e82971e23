//! Reading dataset files: a JSON document (`format: factline-dataset`) or an
//! NDJSON export (a header line, then one record per line), from a text or
//! as a stream arrives. Told apart by the first line.

use serde::{Deserialize, Serialize};

use super::dataset::{
    Dataset, GroupRecord, LegalOutcomeRecord, OperationRecord, SourceRecord, TargetRecord,
};
use crate::error::{Error, Result};

impl Dataset {
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
    /// [`Dataset::parse`] does from a text, without holding the text (`POST
    /// /v1/import` streams the request body here). A read error ends the
    /// parse with [`Error::Unreadable`](crate::error::Error::Unreadable).
    pub fn parse_reader<R: std::io::Read>(r: R) -> crate::error::Result<Self> {
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
        let ds = if ndjson {
            let mut nd = NdjsonReader::default();
            for line in std::io::BufReader::new(r).lines() {
                if !nd.line(&line.map_err(unreadable)?) {
                    break;
                }
            }
            nd.finish()
        } else {
            serde_json::from_reader(std::io::BufReader::new(r)).map_err(|e| {
                if e.is_io() {
                    unreadable(e.into())
                } else {
                    crate::error::Error::invalid(
                        "file",
                        format!("line {} column {}: {e}", e.line(), e.column()),
                    )
                }
            })
        };
        if seen.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(crate::error::Error::invalid(
                "file",
                "must not contain NUL characters (\\u0000)",
            ));
        }
        ds
    }
}

/// One line of an NDJSON export: a header, then one record per line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Line {
    /// The first line: which format and version the lines follow.
    Header {
        format: String,
        version: u32,
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
    let mut r = NdjsonReader::default();
    for line in text.lines() {
        if !r.line(line) {
            break;
        }
    }
    r.finish()
}

/// Builds a dataset from NDJSON lines fed one at a time (from a text or a
/// stream), collecting at most 50 errors, each naming its line.
#[derive(Default)]
pub struct NdjsonReader {
    ds: Dataset,
    errors: Vec<crate::error::FieldError>,
    n: usize,
}

impl NdjsonReader {
    /// Takes the next line; `false` once enough errors are collected.
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
                Ok(Line::Header { format, version }) => {
                    self.ds.format = format;
                    self.ds.version = version;
                }
                Ok(Line::Source(r)) => self.ds.sources.push(r),
                Ok(Line::Group(r)) => self.ds.groups.push(r),
                Ok(Line::Target(r)) => self.ds.targets.push(r),
                Ok(Line::Operation(r)) => self.ds.operations.push(r),
                Ok(Line::LegalOutcome(r)) => self.ds.legal_outcomes.push(r),
                Err(e) => self.errors.push(crate::error::FieldError::new(
                    at(),
                    format!("column {}: {e}", e.column()),
                )),
            }
        }
        self.errors.len() < 50
    }

    pub fn finish(self) -> Result<Dataset> {
        if self.errors.is_empty() {
            Ok(self.ds)
        } else {
            Err(Error::Invalid(self.errors))
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
