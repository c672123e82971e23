//! `factline check`: the provenance questions a researcher asks of a dataset
//! file, answered per kind of record. Validation (`validate`) says whether a
//! file can be imported at all; this says whether every fact in it can be
//! checked: each date, figure, count and role backed by a citation naming it,
//! each group and operation named in Arabic, each source described once and
//! used.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::records::{CitationRecord, Dataset};

/// One thing the check found. A violation makes `factline check` fail; the
/// rest is reported so that a reader sees it (`is_violation`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: &'static str,
    pub slug: String,
    pub rule: Rule,
    /// The field or link concerned, when there is one.
    pub detail: Option<String>,
    pub violation: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The file cannot be imported (what `factline import` would refuse).
    Invalid,
    NoArabicName,
    /// A date, figure, count or role with no citation whose `field` names it.
    UncitedValue,
    DisputedWithoutAlternatives,
    AlternativeWithoutCitation,
    SourceWithoutKind,
    DuplicateUrl,
    UnreferencedSource,
}

impl Rule {
    /// What one finding of the rule says of its record.
    pub fn problem(self) -> &'static str {
        match self {
            Rule::Invalid => "import would refuse it",
            Rule::NoArabicName => "no Arabic name",
            Rule::UncitedValue => "no citation names this field",
            Rule::DisputedWithoutAlternatives => "disputed, with no alternative value",
            Rule::AlternativeWithoutCitation => "an alternative without a citation",
            Rule::SourceWithoutKind => "no kind",
            Rule::DuplicateUrl => "a URL another source has",
            Rule::UnreferencedSource => "cited by no record",
        }
    }

    /// How the per-kind table counts the rule's findings.
    pub fn label(self) -> &'static str {
        match self {
            Rule::Invalid => "invalid",
            Rule::NoArabicName => "without an Arabic name",
            Rule::UncitedValue => "dates, figures and roles without a citation naming their field",
            Rule::DisputedWithoutAlternatives => "disputed without alternatives",
            Rule::AlternativeWithoutCitation => "alternatives without citations",
            Rule::SourceWithoutKind => "without kind",
            Rule::DuplicateUrl => "with a duplicate URL",
            Rule::UnreferencedSource => "unreferenced",
        }
    }
}

/// Each kind with the rules that apply to it, in the order the report prints
/// them.
pub const KINDS: [(&str, &[Rule]); 5] = [
    ("groups", &[Rule::NoArabicName, Rule::UncitedValue]),
    ("targets", &[Rule::NoArabicName]),
    (
        "operations",
        &[
            Rule::NoArabicName,
            Rule::UncitedValue,
            Rule::DisputedWithoutAlternatives,
            Rule::AlternativeWithoutCitation,
        ],
    ),
    (
        "legal_outcomes",
        &[
            Rule::UncitedValue,
            Rule::DisputedWithoutAlternatives,
            Rule::AlternativeWithoutCitation,
        ],
    ),
    (
        "sources",
        &[
            Rule::SourceWithoutKind,
            Rule::DuplicateUrl,
            Rule::UnreferencedSource,
        ],
    ),
];

/// Whether a finding fails the check. Targets need no Arabic name (the
/// dataset's rule is for groups and operations), and a disputed record may
/// say in its note why no other value is recorded (as when the dispute is
/// about a motive, not a value).
pub fn is_violation(kind: &str, rule: Rule) -> bool {
    !matches!(
        (kind, rule),
        ("targets", Rule::NoArabicName) | (_, Rule::DisputedWithoutAlternatives)
    )
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// Records per kind.
    pub records: BTreeMap<&'static str, usize>,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn violations(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.violation)
    }

    /// How many findings of a rule a kind has.
    pub fn count(&self, kind: &str, rule: Rule) -> usize {
        self.findings
            .iter()
            .filter(|f| f.kind == kind && f.rule == rule)
            .count()
    }

    fn add(&mut self, kind: &'static str, slug: &str, rule: Rule, detail: Option<String>) {
        self.findings.push(Finding {
            kind,
            slug: slug.to_owned(),
            rule,
            detail,
            violation: is_violation(kind, rule),
        });
    }

    /// Reports each value that is present but has no citation naming its field.
    fn values(
        &mut self,
        kind: &'static str,
        slug: &str,
        citations: &[CitationRecord],
        present: &[(&str, bool)],
    ) {
        for (field, has) in present {
            if *has && !names_field(citations, field) {
                self.add(kind, slug, Rule::UncitedValue, Some((*field).to_owned()));
            }
        }
    }
}

fn names_field(citations: &[CitationRecord], field: &str) -> bool {
    citations.iter().any(|c| c.field.as_deref() == Some(field))
}

fn has_arabic(names: &[super::records::NameRecord]) -> bool {
    names.iter().any(|n| n.lang == "ar")
}

/// Checks a dataset; `invalid` is what validation said of it, reported first.
pub fn check(ds: &Dataset, invalid: &[crate::error::FieldError]) -> Report {
    let mut r = Report::default();
    for e in invalid {
        r.add(
            "file",
            "",
            Rule::Invalid,
            Some(format!("{}: {}", e.field, e.message)),
        );
    }
    r.records.insert("groups", ds.groups.len());
    r.records.insert("targets", ds.targets.len());
    r.records.insert("operations", ds.operations.len());
    r.records.insert("legal_outcomes", ds.legal_outcomes.len());
    r.records.insert("sources", ds.sources.len());

    // Every citation's source, to find the sources nothing cites.
    let mut cited: HashSet<String> = HashSet::new();
    let mut cites = |cs: &[CitationRecord]| cited.extend(cs.iter().map(|c| c.source.clone()));

    for g in &ds.groups {
        if !has_arabic(&g.names) {
            r.add("groups", &g.slug, Rule::NoArabicName, None);
        }
        let present = [
            ("founded", g.founded.is_some()),
            ("dissolved", g.dissolved.is_some()),
        ];
        r.values("groups", &g.slug, &g.citations, &present);
        cites(&g.citations);
    }
    for t in &ds.targets {
        if !has_arabic(&t.names) {
            r.add("targets", &t.slug, Rule::NoArabicName, None);
        }
        cites(&t.citations);
    }
    for o in &ds.operations {
        if !has_arabic(&o.names) {
            r.add("operations", &o.slug, Rule::NoArabicName, None);
        }
        // `..` says the operation ran on: a state, not a reported date.
        let dated_end = o.end.as_deref().is_some_and(|e| e != "..");
        r.values(
            "operations",
            &o.slug,
            &o.citations,
            &[("start", true), ("end", dated_end)],
        );
        for link in &o.groups {
            if !names_field(&link.citations, "role") {
                let detail = format!("groups[{}].role", link.group);
                r.add("operations", &o.slug, Rule::UncitedValue, Some(detail));
            }
            cites(&link.citations);
        }
        for link in &o.targets {
            cites(&link.citations);
        }
        disputes(&mut r, "operations", &o.slug, o.disputed, &o.alternatives);
        for a in &o.alternatives {
            cites(&a.citations);
        }
        cites(&o.citations);
    }
    for l in &ds.legal_outcomes {
        let present = [
            ("date", true),
            ("money", l.money.is_some()),
            ("people_count", l.people_count.is_some()),
        ];
        r.values("legal_outcomes", &l.slug, &l.citations, &present);
        disputes(
            &mut r,
            "legal_outcomes",
            &l.slug,
            l.disputed,
            &l.alternatives,
        );
        for a in &l.alternatives {
            cites(&a.citations);
        }
        cites(&l.citations);
    }

    let mut by_url: HashMap<&str, &str> = HashMap::new();
    for s in &ds.sources {
        if s.kind.trim().is_empty() {
            r.add("sources", &s.slug, Rule::SourceWithoutKind, None);
        }
        if let Some(url) = s.url.as_deref()
            && let Some(first) = by_url.insert(url, &s.slug)
        {
            let detail = format!("same URL as {first}");
            r.add("sources", &s.slug, Rule::DuplicateUrl, Some(detail));
        }
        if !cited.contains(&s.slug) {
            r.add("sources", &s.slug, Rule::UnreferencedSource, None);
        }
    }
    r
}

fn disputes(
    r: &mut Report,
    kind: &'static str,
    slug: &str,
    disputed: bool,
    alternatives: &[super::records::AlternativeRecord],
) {
    if disputed && alternatives.is_empty() {
        r.add(kind, slug, Rule::DisputedWithoutAlternatives, None);
    }
    for a in alternatives.iter().filter(|a| a.citations.is_empty()) {
        let detail = format!("alternatives[{}]", a.field);
        r.add(kind, slug, Rule::AlternativeWithoutCitation, Some(detail));
    }
}

impl Report {
    /// The per-kind table and every violation, one per line, as
    /// `factline check` prints them.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for (kind, rules) in KINDS {
            let n = self.records.get(kind).copied().unwrap_or(0);
            out.push_str(&format!("{kind}: {n} records"));
            for rule in rules.iter() {
                let allowed = if is_violation(kind, *rule) {
                    ""
                } else {
                    " (allowed)"
                };
                out.push_str(&format!(
                    "; {} {}{allowed}",
                    self.count(kind, *rule),
                    rule.label()
                ));
            }
            out.push('\n');
        }
        let invalid = self.count("file", Rule::Invalid);
        if invalid > 0 {
            out.push_str(&format!(
                "file: {invalid} problems that import would refuse\n"
            ));
        }
        for f in self.violations() {
            let at = [f.kind, f.slug.as_str(), f.detail.as_deref().unwrap_or("")]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            out.push_str(&format!("violation: {at}: {}\n", f.rule.problem()));
        }
        let n = self.violations().count();
        out.push_str(&match n {
            0 => "clean: no violations\n".to_owned(),
            n => format!("{n} violations\n"),
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dataset::{Dataset, validate};

    fn dataset(json: serde_json::Value) -> Dataset {
        serde_json::from_value(json).unwrap()
    }

    fn source(slug: &str, url: &str) -> serde_json::Value {
        serde_json::json!({"slug": slug, "title": slug, "url": url, "language": "en", "kind": "news"})
    }

    fn report(ds: &Dataset) -> Report {
        check(ds, &validate(ds, &Default::default()))
    }

    fn violations(r: &Report) -> Vec<String> {
        r.violations()
            .map(|f| {
                format!(
                    "{} {} {:?} {}",
                    f.kind,
                    f.slug,
                    f.rule,
                    f.detail.clone().unwrap_or_default()
                )
            })
            .collect()
    }

    #[test]
    fn every_value_cited_by_field_is_clean() {
        let ds = dataset(serde_json::json!({
            "sources": [source("a", "https://example.org/a"), source("b", "https://example.org/b")],
            "groups": [{"slug": "g", "kind": "collective", "founded": "2008",
                "names": [{"lang": "en", "text": "G", "kind": "primary"}, {"lang": "ar", "text": "جي", "kind": "transliteration"}],
                "citations": [{"source": "a", "field": "founded"}]}],
            "operations": [{"slug": "o", "start": "2010-01-02", "end": "..",
                "names": [{"lang": "en", "text": "O", "kind": "primary"}, {"lang": "ar", "text": "أو", "kind": "transliteration"}],
                "groups": [{"group": "g", "role": "claimed", "citations": [{"source": "b", "field": "role"}]}],
                "citations": [{"source": "a", "field": "start"}]}],
            "legal_outcomes": [{"slug": "l", "kind": "arrest", "date": "2011", "people_count": 2, "group": "g",
                "citations": [{"source": "b", "field": "date"}, {"source": "b", "field": "people_count"}]}]
        }));
        let r = report(&ds);
        assert_eq!(violations(&r), Vec::<String>::new());
        assert_eq!(r.records["operations"], 1);
        assert!(r.text().ends_with("clean: no violations\n"), "{}", r.text());
    }

    #[test]
    fn each_gap_is_named_by_kind_record_and_field() {
        let ds = dataset(serde_json::json!({
            "sources": [source("a", "https://example.org/a"), source("b", "https://example.org/a"),
                        source("unused", "https://example.org/u")],
            "targets": [{"slug": "t", "kind": "company", "names": [{"lang": "en", "text": "T", "kind": "primary"}],
                "citations": [{"source": "a"}]}],
            "operations": [{"slug": "o", "start": "2010", "end": "2011",
                "names": [{"lang": "en", "text": "O", "kind": "primary"}],
                "disputed": true, "dispute_note": "The motive is disputed.",
                "groups": [], "citations": [{"source": "a"}, {"source": "b", "field": "start"}]}],
            "legal_outcomes": [{"slug": "l", "kind": "fine", "date": "2012", "operation": "o",
                "money": {"amount": "10.00", "currency": "USD", "kind": "fine", "scope": "total"},
                "citations": [{"source": "a", "field": "date"}]}]
        }));
        let r = report(&ds);
        assert_eq!(
            violations(&r),
            [
                "operations o NoArabicName ",
                "operations o UncitedValue end",
                "legal_outcomes l UncitedValue money",
                "sources b DuplicateUrl same URL as a",
                "sources unused UnreferencedSource ",
            ]
        );
        // Reported, but allowed: a target without an Arabic name, and a
        // dispute its note explains.
        assert_eq!(r.count("targets", Rule::NoArabicName), 1);
        assert_eq!(r.count("operations", Rule::DisputedWithoutAlternatives), 1);
        assert!(
            r.text()
                .contains("violation: operations o end: no citation names this field\n")
        );
        assert!(r.text().ends_with("5 violations\n"));
    }

    #[test]
    fn an_open_end_needs_no_citation_and_a_link_role_does() {
        let ds = dataset(serde_json::json!({
            "sources": [source("a", "https://example.org/a")],
            "groups": [{"slug": "g", "kind": "collective",
                "names": [{"lang": "ar", "text": "جي", "kind": "primary"}], "citations": [{"source": "a"}]}],
            "operations": [{"slug": "o", "start": "2010", "end": "..",
                "names": [{"lang": "ar", "text": "أو", "kind": "primary"}],
                "groups": [{"group": "g", "role": "attributed", "citations": [{"source": "a"}]}],
                "citations": [{"source": "a", "field": "start"}]}]
        }));
        assert_eq!(
            violations(&report(&ds)),
            ["operations o UncitedValue groups[g].role"]
        );
    }

    #[test]
    fn a_file_import_would_refuse_is_a_violation() {
        let ds = dataset(serde_json::json!({
            "sources": [source("a", "https://example.org/a")],
            "groups": [{"slug": "g", "kind": "collective", "names": [], "citations": [{"source": "missing"}]}]
        }));
        let r = report(&ds);
        assert!(r.count("file", Rule::Invalid) > 0);
        assert!(r.violations().any(|f| f.rule == Rule::Invalid));
    }
}
