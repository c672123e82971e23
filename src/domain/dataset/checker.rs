//! Checks of single values in a dataset (texts, slugs, codes, dates, money),
//! each bad one named by its field.

use std::collections::HashSet;

use rust_decimal::Decimal;

use super::records::{CitationRecord, MoneyRecord, NameRecord, TextRecord};
use super::slugs::SlugSet;
use crate::domain::edtf::Edtf;
use crate::domain::{bounds, vocab};
use crate::error::FieldError;

/// Parse the amount of a money record into an exact decimal: `None` also
/// when the decimal type cannot hold it exactly (more than 28 significant
/// digits), since rounding it would change the figure a source gives.
pub fn parse_amount(s: &str) -> Option<Decimal> {
    let valid = !s.is_empty()
        && s.len() <= 32
        && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && s.bytes().filter(|b| *b == b'.').count() <= 1
        && !s.starts_with('.')
        && !s.ends_with('.');
    let d = valid.then(|| s.parse::<Decimal>().ok()).flatten()?;
    (d.normalize().to_string() == canonical_digits(s)).then_some(d)
}

/// A non-negative decimal string without leading zeros in its integer part
/// or trailing zeros in its fraction: how `Decimal::normalize` prints it.
pub(crate) fn canonical_digits(s: &str) -> String {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    if frac.is_empty() {
        int.to_owned()
    } else {
        format!("{int}.{frac}")
    }
}

/// Characters that change how the text around them is ordered for display,
/// so that what a reader sees differs from what is stored. Right-to-left
/// scripts (Arabic names) are ordered by the Unicode algorithm without them.
pub(crate) fn is_bidi_override(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show nothing by themselves (zero-width spaces and
/// joiners, direction marks, word joiners, the byte-order mark, the soft
/// hyphen): allowed inside text, but a value made only of them is empty.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
    )
}

/// The slugs a reference may name, of one kind: the file's own records and
/// the stored ones it refers to, kept apart so neither is copied into the
/// other.
#[derive(Clone, Copy)]
pub(crate) struct Known<'a>(pub(crate) &'a SlugSet, pub(crate) &'a SlugSet);

impl Known<'_> {
    pub(crate) fn contains(&self, slug: &str) -> bool {
        self.0.contains(slug) || self.1.contains(slug)
    }
}

/// What is wrong with a money value, part by part (`amount`, `currency`,
/// `kind`, `scope`): a record's `money` and a money alternative are checked
/// alike.
pub(crate) fn money_faults(m: &MoneyRecord) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if parse_amount(&m.amount).is_none() {
        out.push((
            "amount",
            format!(
                "{:?} is not a non-negative decimal of at most 28 significant digits",
                m.amount
            ),
        ));
    }
    if !vocab::is_currency(&m.currency) {
        out.push((
            "currency",
            format!("{:?} is not an ISO 4217 code", m.currency),
        ));
    }
    for (part, value, allowed) in [
        ("kind", &m.kind, vocab::AMOUNT_KINDS),
        ("scope", &m.scope, vocab::AMOUNT_SCOPES),
    ] {
        if !allowed.contains(&value.as_str()) {
            out.push((
                part,
                format!(
                    "unknown value {value:?}; expected one of {}",
                    allowed.join(", ")
                ),
            ));
        }
    }
    out
}

/// Collects problems for one record, naming it by collection and slug.
pub(crate) struct Checker<'a> {
    pub(crate) errors: &'a mut Vec<FieldError>,
    pub(crate) at: String,
}

impl Checker<'_> {
    pub(crate) fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors
            .push(FieldError::new(format!("{}.{field}", self.at), message));
    }

    pub(crate) fn one_of(&mut self, field: &str, value: &str, allowed: &[&str]) {
        if !allowed.contains(&value) {
            self.fail(
                field,
                format!(
                    "unknown value {value:?}; expected one of {}",
                    allowed.join(", ")
                ),
            );
        }
    }

    pub(crate) fn date(&mut self, field: &str, value: Option<&str>) -> Option<Edtf> {
        let value = value?;
        match Edtf::parse(value) {
            Ok(d) => Some(d),
            Err(e) => {
                self.fail(field, e.to_string());
                None
            }
        }
    }

    /// Free text that may run over several lines (tabs and line breaks
    /// allowed, no other control characters).
    pub(crate) fn text(&mut self, field: &str, value: &str, max: usize) {
        self.bounded(field, value, max, |c| {
            c.is_control() && !matches!(c, '\n' | '\r' | '\t')
        });
    }

    /// A one-line value: a name, title, label or URL.
    pub(crate) fn line(&mut self, field: &str, value: &str, max: usize) {
        self.bounded(field, value, max, char::is_control);
    }

    pub(crate) fn optional_line(&mut self, field: &str, value: &Option<String>, max: usize) {
        if let Some(v) = value {
            self.line(field, v, max);
        }
    }

    pub(crate) fn bounded(&mut self, field: &str, value: &str, max: usize, bad: fn(char) -> bool) {
        if value.chars().all(|c| c.is_whitespace() || is_invisible(c)) {
            self.fail(
                field,
                "must not be empty or invisible (leave the field out instead)",
            );
        } else if value.chars().count() > max {
            self.fail(field, format!("longer than {max} characters"));
        } else if value.chars().any(bad) {
            self.fail(field, "must not contain control characters");
        } else if value.chars().any(is_bidi_override) {
            self.fail(
                field,
                "must not contain bidirectional embedding, override or isolate characters \
                 (U+202A to U+202E, U+2066 to U+2069); right-to-left text needs none",
            );
        }
    }

    /// A list of at most `max` items.
    pub(crate) fn at_most(&mut self, field: &str, len: usize, max: usize) {
        if len > max {
            self.fail(field, format!("more than {max} items"));
        }
    }

    pub(crate) fn reference(&mut self, field: &str, slug: &str, kind: &str, known: Known<'_>) {
        if !known.contains(slug) {
            self.fail(field, format!("unknown {kind} {slug:?}"));
        }
    }

    pub(crate) fn names(&mut self, names: &[NameRecord]) {
        self.at_most("names", names.len(), bounds::NAMES);
        if !names.iter().any(|n| n.kind == "primary") {
            self.fail("names", "at least one primary name is required");
        }
        let mut primary_langs = HashSet::new();
        for (i, n) in names.iter().enumerate() {
            let f = format!("names[{i}]");
            self.one_of(&format!("{f}.kind"), &n.kind, vocab::NAME_KINDS);
            if !vocab::is_language_tag(&n.lang) {
                self.fail(
                    &format!("{f}.lang"),
                    format!("{:?} is not a BCP 47 language tag", n.lang),
                );
            }
            self.line(&format!("{f}.text"), &n.text, bounds::NAME);
            if n.kind == "primary" && !primary_langs.insert(n.lang.as_str()) {
                self.fail(
                    &f,
                    format!("a second primary name in language {:?}", n.lang),
                );
            }
        }
    }

    pub(crate) fn texts(&mut self, texts: &[TextRecord], fields: &[&str]) {
        self.at_most("texts", texts.len(), bounds::TEXTS);
        let mut seen = HashSet::new();
        for (i, t) in texts.iter().enumerate() {
            let f = format!("texts[{i}]");
            self.one_of(&format!("{f}.field"), &t.field, fields);
            if !vocab::is_language_tag(&t.lang) {
                self.fail(
                    &format!("{f}.lang"),
                    format!("{:?} is not a BCP 47 language tag", t.lang),
                );
            }
            self.text(&format!("{f}.text"), &t.text, bounds::TEXT);
            if !seen.insert((t.field.as_str(), t.lang.as_str())) {
                self.fail(&f, format!("a second {} in language {:?}", t.field, t.lang));
            }
        }
    }

    pub(crate) fn citations(
        &mut self,
        field: &str,
        citations: &[CitationRecord],
        sources: Known<'_>,
    ) {
        if citations.is_empty() {
            self.fail(
                field,
                "at least one citation is required (no fact without a source)",
            );
        }
        self.at_most(field, citations.len(), bounds::CITATIONS);
        for (i, c) in citations.iter().enumerate() {
            let f = format!("{field}[{i}]");
            self.reference(&format!("{f}.source"), &c.source, "source", sources);
            if let Some(q) = &c.quote {
                self.text(&format!("{f}.quote"), q, bounds::QUOTE);
            }
            if let Some(l) = &c.locator {
                self.line(&format!("{f}.locator"), l, bounds::LOCATOR);
            }
            if let Some(fd) = &c.field {
                self.line(&format!("{f}.field"), fd, bounds::CITATION_FIELD);
            }
        }
    }

    pub(crate) fn dispute(&mut self, disputed: bool, note: &Option<String>) {
        if let Some(n) = note
            && !(disputed && n.trim().is_empty())
        {
            self.text("dispute_note", n, bounds::NOTE);
        }
        if disputed && note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            self.fail(
                "dispute_note",
                "a disputed record must say what is disputed",
            );
        }
    }
}
