//! The dataset format: what `factline import` reads, what `data/factline.json`
//! holds, and the record shapes the export writes. Records refer to one another
//! and to sources by slug, so a file is readable and diffable by hand.

use std::collections::{BTreeMap, HashMap, HashSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::bounds;
use super::edtf::Edtf;
use super::vocab;
use crate::error::FieldError;

pub const FORMAT: &str = "factline-dataset";
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    #[serde(default = "format_name")]
    pub format: String,
    #[serde(default = "format_version")]
    pub version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub sources: Vec<SourceRecord>,
    #[serde(default)]
    pub groups: Vec<GroupRecord>,
    #[serde(default)]
    pub targets: Vec<TargetRecord>,
    #[serde(default)]
    pub operations: Vec<OperationRecord>,
    #[serde(default)]
    pub legal_outcomes: Vec<LegalOutcomeRecord>,
}

impl Default for Dataset {
    fn default() -> Self {
        Dataset {
            format: format_name(),
            version: format_version(),
            description: None,
            sources: Vec::new(),
            groups: Vec::new(),
            targets: Vec::new(),
            operations: Vec::new(),
            legal_outcomes: Vec::new(),
        }
    }
}

impl Dataset {
    /// Parses a dataset file; a syntax or shape error names its line and column.
    pub fn from_json(text: &str) -> crate::error::Result<Self> {
        if text.contains("\\u0000") {
            return Err(crate::error::Error::invalid(
                "file",
                "must not contain NUL characters (\\u0000)",
            ));
        }
        serde_json::from_str(text).map_err(|e| {
            crate::error::Error::invalid(
                "file",
                format!("line {} column {}: {e}", e.line(), e.column()),
            )
        })
    }

    /// Puts every order-free list in a canonical order, so two records that
    /// say the same thing compare equal.
    pub fn normalize(&mut self) {
        for g in &mut self.groups {
            g.texts
                .sort_by(|a, b| (&a.field, &a.lang).cmp(&(&b.field, &b.lang)));
        }
        for o in &mut self.operations {
            o.texts
                .sort_by(|a, b| (&a.field, &a.lang).cmp(&(&b.field, &b.lang)));
            o.tactics.sort();
            o.groups.sort_by(|a, b| a.group.cmp(&b.group));
            o.targets.sort_by(|a, b| a.target.cmp(&b.target));
        }
        for l in &mut self.legal_outcomes {
            l.texts
                .sort_by(|a, b| (&a.field, &a.lang).cmp(&(&b.field, &b.lang)));
        }
    }
}

fn format_name() -> String {
    FORMAT.to_owned()
}

fn format_version() -> u32 {
    FORMAT_VERSION
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NameRecord {
    pub lang: String,
    pub text: String,
    pub kind: String,
}

/// A per-language text of a record: a description, motive or summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TextRecord {
    pub field: String,
    pub lang: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CitationRecord {
    /// Slug of the source.
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locator: Option<String>,
    /// The field of the subject the citation supports, when it is not the whole record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceRecord {
    pub slug: String,
    pub title: String,
    /// True when the title is ours, written because the page's headline
    /// could not be read: not to be quoted as the source's words.
    #[serde(default)]
    pub title_is_descriptive: bool,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub archived_url: Option<String>,
    #[serde(default)]
    pub publisher: Option<String>,
    pub language: String,
    #[serde(default)]
    pub published: Option<String>,
    pub kind: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExternalIds {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wikidata: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub misp_galaxy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attack: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupRecord {
    pub slug: String,
    pub kind: String,
    pub names: Vec<NameRecord>,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub founded: Option<String>,
    #[serde(default)]
    pub dissolved: Option<String>,
    #[serde(default)]
    pub texts: Vec<TextRecord>,
    #[serde(default)]
    pub external_ids: ExternalIds,
    pub citations: Vec<CitationRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetRecord {
    pub slug: String,
    pub kind: String,
    pub names: Vec<NameRecord>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub sector: Option<String>,
    pub citations: Vec<CitationRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupLinkRecord {
    pub group: String,
    pub role: String,
    pub citations: Vec<CitationRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetLinkRecord {
    pub target: String,
    pub citations: Vec<CitationRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OperationRecord {
    pub slug: String,
    pub names: Vec<NameRecord>,
    pub start: String,
    #[serde(default)]
    pub end: Option<String>,
    #[serde(default)]
    pub part_of: Option<String>,
    #[serde(default)]
    pub tactics: Vec<String>,
    #[serde(default)]
    pub texts: Vec<TextRecord>,
    #[serde(default)]
    pub disputed: bool,
    #[serde(default)]
    pub dispute_note: Option<String>,
    #[serde(default)]
    pub groups: Vec<GroupLinkRecord>,
    #[serde(default)]
    pub targets: Vec<TargetLinkRecord>,
    pub citations: Vec<CitationRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyRecord {
    /// Exact decimal as a string (`"5600.00"`), never a float.
    pub amount: String,
    pub currency: String,
    pub kind: String,
    pub scope: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalOutcomeRecord {
    pub slug: String,
    pub kind: String,
    pub date: String,
    #[serde(default)]
    pub jurisdiction: Option<String>,
    #[serde(default)]
    pub court: Option<String>,
    #[serde(default)]
    pub operation: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub people_count: Option<i32>,
    #[serde(default)]
    pub person: Option<String>,
    #[serde(default)]
    pub money: Option<MoneyRecord>,
    #[serde(default)]
    pub texts: Vec<TextRecord>,
    #[serde(default)]
    pub disputed: bool,
    #[serde(default)]
    pub dispute_note: Option<String>,
    pub citations: Vec<CitationRecord>,
}

/// Slugs that already exist in the database, by kind, for references a file
/// makes to records it does not itself contain.
#[derive(Debug, Default)]
pub struct KnownSlugs {
    pub sources: HashSet<String>,
    pub groups: HashSet<String>,
    pub targets: HashSet<String>,
    pub operations: HashSet<String>,
}

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
fn canonical_digits(s: &str) -> String {
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
fn is_bidi_override(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show nothing by themselves (zero-width spaces and
/// joiners, direction marks, word joiners, the byte-order mark, the soft
/// hyphen): allowed inside text, but a value made only of them is empty.
fn is_invisible(c: char) -> bool {
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

/// Collects problems for one record, naming it by collection and slug.
struct Checker<'a> {
    errors: &'a mut Vec<FieldError>,
    at: String,
}

impl Checker<'_> {
    fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors
            .push(FieldError::new(format!("{}.{field}", self.at), message));
    }

    fn one_of(&mut self, field: &str, value: &str, allowed: &[&str]) {
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

    fn date(&mut self, field: &str, value: Option<&str>) -> Option<Edtf> {
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
    fn text(&mut self, field: &str, value: &str, max: usize) {
        self.bounded(field, value, max, |c| {
            c.is_control() && !matches!(c, '\n' | '\r' | '\t')
        });
    }

    /// A one-line value: a name, title, label or URL.
    fn line(&mut self, field: &str, value: &str, max: usize) {
        self.bounded(field, value, max, char::is_control);
    }

    fn optional_line(&mut self, field: &str, value: &Option<String>, max: usize) {
        if let Some(v) = value {
            self.line(field, v, max);
        }
    }

    fn bounded(&mut self, field: &str, value: &str, max: usize, bad: fn(char) -> bool) {
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
    fn at_most(&mut self, field: &str, len: usize, max: usize) {
        if len > max {
            self.fail(field, format!("more than {max} items"));
        }
    }

    fn reference(&mut self, field: &str, slug: &str, kind: &str, known: &HashSet<String>) {
        if !known.contains(slug) {
            self.fail(field, format!("unknown {kind} {slug:?}"));
        }
    }

    fn names(&mut self, names: &[NameRecord]) {
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

    fn texts(&mut self, texts: &[TextRecord], fields: &[&str]) {
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

    fn citations(&mut self, field: &str, citations: &[CitationRecord], sources: &HashSet<String>) {
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

    fn dispute(&mut self, disputed: bool, note: &Option<String>) {
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

/// Every problem in the file, each naming its record by slug. Empty means the
/// file can be imported.
pub fn validate(ds: &Dataset, known: &KnownSlugs) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if ds.format != FORMAT {
        errors.push(FieldError::new("format", format!("expected {FORMAT:?}")));
    }
    if ds.version != FORMAT_VERSION {
        errors.push(FieldError::new(
            "version",
            format!("expected {FORMAT_VERSION}"),
        ));
    }
    if let Some(d) = &ds.description
        && d.chars().count() > bounds::NOTE
    {
        errors.push(FieldError::new(
            "description",
            format!("longer than {} characters", bounds::NOTE),
        ));
    }

    let mut slugs = |collection: &str, items: Vec<&str>, known: &HashSet<String>| {
        let mut seen = HashSet::new();
        for s in items {
            if !vocab::is_slug(s) {
                errors.push(FieldError::new(
                    format!("{collection}[{s}].slug"),
                    "a slug is lower-case letters, digits and single hyphens",
                ));
            }
            if !seen.insert(s.to_owned()) {
                errors.push(FieldError::new(
                    format!("{collection}[{s}]"),
                    "duplicate slug",
                ));
            }
        }
        seen.extend(known.iter().cloned());
        seen
    };
    let sources = slugs(
        "sources",
        ds.sources.iter().map(|r| r.slug.as_str()).collect(),
        &known.sources,
    );
    let groups = slugs(
        "groups",
        ds.groups.iter().map(|r| r.slug.as_str()).collect(),
        &known.groups,
    );
    let targets = slugs(
        "targets",
        ds.targets.iter().map(|r| r.slug.as_str()).collect(),
        &known.targets,
    );
    let operations = slugs(
        "operations",
        ds.operations.iter().map(|r| r.slug.as_str()).collect(),
        &known.operations,
    );
    slugs(
        "legal_outcomes",
        ds.legal_outcomes.iter().map(|r| r.slug.as_str()).collect(),
        &HashSet::new(),
    );

    for r in &ds.sources {
        let mut c = Checker {
            errors: &mut errors,
            at: format!("sources[{}]", r.slug),
        };
        c.line("title", &r.title, bounds::TITLE);
        c.optional_line("publisher", &r.publisher, bounds::LABEL);
        c.one_of("kind", &r.kind, vocab::SOURCE_KINDS);
        if !vocab::is_language_tag(&r.language) {
            c.fail(
                "language",
                format!("{:?} is not a BCP 47 language tag", r.language),
            );
        }
        for (field, url) in [("url", &r.url), ("archived_url", &r.archived_url)] {
            if let Some(u) = url {
                if !(u.starts_with("https://") || u.starts_with("http://")) {
                    c.fail(field, "must be an http(s) URL");
                } else {
                    c.line(field, u, bounds::URL);
                }
            }
        }
        c.date("published", r.published.as_deref());
    }

    for r in &ds.groups {
        let mut c = Checker {
            errors: &mut errors,
            at: format!("groups[{}]", r.slug),
        };
        c.one_of("kind", &r.kind, vocab::GROUP_KINDS);
        c.names(&r.names);
        c.texts(&r.texts, &["description"]);
        if let Some(p) = &r.parent {
            c.reference("parent", p, "group", &groups);
            if p == &r.slug {
                c.fail("parent", "a group cannot be its own parent");
            }
        }
        let founded = c.date("founded", r.founded.as_deref());
        let dissolved = c.date("dissolved", r.dissolved.as_deref());
        if let (Some(f), Some(d)) = (founded, dissolved)
            && f.span().0 > d.span().1
        {
            c.fail("dissolved", "dissolved before it was founded");
        }
        if let Some(m) = &r.external_ids.misp_galaxy
            && uuid::Uuid::parse_str(m).is_err()
        {
            c.fail("external_ids.misp_galaxy", "must be a UUID");
        }
        if let Some(a) = &r.external_ids.attack
            && !(a.len() <= 16 && a.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.'))
        {
            c.fail(
                "external_ids.attack",
                "must be an ATT&CK id such as G0001 (at most 16 characters)",
            );
        }
        if let Some(q) = &r.external_ids.wikidata
            && !(q.starts_with('Q')
                && (2..=32).contains(&q.len())
                && q[1..].bytes().all(|b| b.is_ascii_digit()))
        {
            c.fail(
                "external_ids.wikidata",
                "must be a Wikidata item id such as Q123",
            );
        }
        c.citations("citations", &r.citations, &sources);
    }

    for r in &ds.targets {
        let mut c = Checker {
            errors: &mut errors,
            at: format!("targets[{}]", r.slug),
        };
        c.one_of("kind", &r.kind, vocab::TARGET_KINDS);
        c.names(&r.names);
        if let Some(cc) = &r.country
            && !vocab::is_country(cc)
        {
            c.fail(
                "country",
                format!("{cc:?} is not an ISO 3166-1 alpha-2 code"),
            );
        }
        c.optional_line("sector", &r.sector, bounds::LABEL);
        c.citations("citations", &r.citations, &sources);
    }

    for r in &ds.operations {
        let mut c = Checker {
            errors: &mut errors,
            at: format!("operations[{}]", r.slug),
        };
        c.names(&r.names);
        c.texts(&r.texts, &["motive", "summary"]);
        let start = c.date("start", Some(&r.start));
        let end = c.date("end", r.end.as_deref());
        if let (Some(s), Some(e)) = (start, end)
            && s.span().0 > e.span().1
        {
            c.fail("end", "the operation ends before it starts");
        }
        if let Some(p) = &r.part_of {
            c.reference("part_of", p, "operation", &operations);
            if p == &r.slug {
                c.fail("part_of", "an operation cannot be part of itself");
            }
        }
        c.at_most("tactics", r.tactics.len(), bounds::TACTICS);
        c.at_most("groups", r.groups.len(), bounds::LINKS);
        c.at_most("targets", r.targets.len(), bounds::LINKS);
        let mut seen = HashSet::new();
        for (i, t) in r.tactics.iter().enumerate() {
            c.one_of(&format!("tactics[{i}]"), t, vocab::TACTICS);
            if !seen.insert(t) {
                c.fail(&format!("tactics[{i}]"), "listed twice");
            }
        }
        c.dispute(r.disputed, &r.dispute_note);
        let mut seen = HashSet::new();
        for (i, g) in r.groups.iter().enumerate() {
            c.reference(&format!("groups[{i}].group"), &g.group, "group", &groups);
            c.one_of(&format!("groups[{i}].role"), &g.role, vocab::GROUP_ROLES);
            if !seen.insert(&g.group) {
                c.fail(&format!("groups[{i}]"), "group linked twice");
            }
            c.citations(&format!("groups[{i}].citations"), &g.citations, &sources);
        }
        let mut seen = HashSet::new();
        for (i, t) in r.targets.iter().enumerate() {
            c.reference(
                &format!("targets[{i}].target"),
                &t.target,
                "target",
                &targets,
            );
            if !seen.insert(&t.target) {
                c.fail(&format!("targets[{i}]"), "target linked twice");
            }
            c.citations(&format!("targets[{i}].citations"), &t.citations, &sources);
        }
        c.citations("citations", &r.citations, &sources);
    }
    check_cycles(
        &ds.groups,
        |g| (&g.slug, g.parent.as_ref()),
        "groups",
        "parent",
        &mut errors,
    );
    check_cycles(
        &ds.operations,
        |o| (&o.slug, o.part_of.as_ref()),
        "operations",
        "part_of",
        &mut errors,
    );

    for r in &ds.legal_outcomes {
        let mut c = Checker {
            errors: &mut errors,
            at: format!("legal_outcomes[{}]", r.slug),
        };
        c.one_of("kind", &r.kind, vocab::LEGAL_OUTCOME_KINDS);
        c.date("date", Some(&r.date));
        c.texts(&r.texts, &["summary"]);
        if let Some(j) = &r.jurisdiction
            && !vocab::is_jurisdiction(j)
        {
            c.fail(
                "jurisdiction",
                format!("{j:?} is not an ISO 3166-1 or 3166-2 code"),
            );
        }
        if let Some(o) = &r.operation {
            c.reference("operation", o, "operation", &operations);
        }
        if let Some(g) = &r.group {
            c.reference("group", g, "group", &groups);
        }
        if r.operation.is_none() && r.group.is_none() {
            c.fail(
                "operation",
                "a legal outcome concerns an operation, a group or both",
            );
        }
        if let Some(n) = r.people_count
            && !(0..=bounds::PEOPLE).contains(&n)
        {
            c.fail(
                "people_count",
                format!("must be between 0 and {}", bounds::PEOPLE),
            );
        }
        c.optional_line("court", &r.court, bounds::LABEL);
        c.optional_line("person", &r.person, bounds::LABEL);
        if let Some(m) = &r.money {
            if parse_amount(&m.amount).is_none() {
                c.fail(
                    "money.amount",
                    format!(
                        "{:?} is not a non-negative decimal of at most 28 significant digits",
                        m.amount
                    ),
                );
            }
            if !vocab::is_currency(&m.currency) {
                c.fail(
                    "money.currency",
                    format!("{:?} is not an ISO 4217 code", m.currency),
                );
            }
            c.one_of("money.kind", &m.kind, vocab::AMOUNT_KINDS);
            c.one_of("money.scope", &m.scope, vocab::AMOUNT_SCOPES);
        }
        c.dispute(r.disputed, &r.dispute_note);
        c.citations("citations", &r.citations, &sources);
    }
    errors
}

/// A parent chain that loops back on itself can never be stored meaningfully.
fn check_cycles<T>(
    items: &[T],
    edge: impl Fn(&T) -> (&String, Option<&String>),
    collection: &str,
    field: &str,
    errors: &mut Vec<FieldError>,
) {
    let parents: HashMap<&String, &String> = items
        .iter()
        .filter_map(|i| {
            let (s, p) = edge(i);
            p.map(|p| (s, p))
        })
        .collect();
    let mut reported = BTreeMap::new();
    for start in parents.keys() {
        let mut seen = HashSet::new();
        let mut at = *start;
        while let Some(p) = parents.get(at) {
            if !seen.insert(at) {
                reported.insert(*start, ());
                break;
            }
            at = p;
        }
    }
    for slug in reported.keys() {
        errors.push(FieldError::new(
            format!("{collection}[{slug}].{field}"),
            "the chain of parents loops back on itself",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact_or_refused() {
        assert_eq!(
            parse_amount("5600.00").map(|d| d.to_string()),
            Some("5600.00".into())
        );
        assert!(parse_amount("0.0000000000000000000000000001").is_some());
        assert!(parse_amount("0.00000000000000000000000000001").is_none());
        assert!(parse_amount("00012.50").is_some());
        assert!(parse_amount("99999999999999999999999999999").is_none());
    }

    #[test]
    fn bidi_overrides_and_invisible_values_are_told_apart_from_arabic() {
        assert!("\u{202E}gpj.exe".chars().any(is_bidi_override));
        assert!(!"الأنونيموس".chars().any(is_bidi_override));
        assert!("\u{200B}\u{200B}".chars().all(is_invisible));
        assert!(!"a\u{200C}b".chars().all(is_invisible));
    }
}
