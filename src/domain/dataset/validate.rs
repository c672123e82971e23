//! Validating a whole dataset: every record's values, references between
//! records (against the file and what is stored), and cycles.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::checker::{Checker, Known, money_faults};
use super::records::{
    Dataset, FORMAT, FORMAT_VERSION, GroupRecord, LegalOutcomeRecord, OperationRecord,
    SourceRecord, TargetRecord,
};
use super::slugs::SlugSet;
use crate::domain::edtf::End;
use crate::domain::{bounds, vocab};
use crate::error::FieldError;

/// Slugs of the kinds a record may refer to: a file's own, or those stored
/// in the database that a file refers to without containing them.
#[derive(Debug, Default)]
pub struct KnownSlugs {
    pub sources: SlugSet,
    pub groups: SlugSet,
    pub targets: SlugSet,
    pub operations: SlugSet,
}

/// Every problem in the file, each naming its record by slug. Empty means the
/// file can be imported.
pub fn validate(ds: &Dataset, known: &KnownSlugs) -> Vec<FieldError> {
    let mut errors = Vec::new();
    check_header(
        &ds.format,
        ds.version,
        ds.description.as_deref(),
        &mut errors,
    );
    let mut file = KnownSlugs::default();
    for r in &ds.sources {
        check_slug("sources", &r.slug, &mut file.sources, &mut errors);
    }
    for r in &ds.groups {
        check_slug("groups", &r.slug, &mut file.groups, &mut errors);
    }
    for r in &ds.targets {
        check_slug("targets", &r.slug, &mut file.targets, &mut errors);
    }
    for r in &ds.operations {
        check_slug("operations", &r.slug, &mut file.operations, &mut errors);
    }
    let mut outcomes = SlugSet::default();
    for r in &ds.legal_outcomes {
        check_slug("legal_outcomes", &r.slug, &mut outcomes, &mut errors);
    }
    let scope = Scope {
        file: &file,
        stored: known,
    };
    for r in &ds.sources {
        check_source(r, &mut errors);
    }
    for r in &ds.groups {
        check_group(r, &scope, &mut errors);
    }
    for r in &ds.targets {
        check_target(r, &scope, &mut errors);
    }
    for r in &ds.operations {
        check_operation(r, &scope, &mut errors);
    }
    check_cycles(
        ds.groups
            .iter()
            .filter_map(|g| g.parent.as_ref().map(|p| (&g.slug, p))),
        "groups",
        "parent",
        &mut errors,
    );
    check_cycles(
        ds.operations
            .iter()
            .filter_map(|o| o.part_of.as_ref().map(|p| (&o.slug, p))),
        "operations",
        "part_of",
        &mut errors,
    );
    for r in &ds.legal_outcomes {
        check_legal_outcome(r, &scope, &mut errors);
    }
    errors
}

/// Where a file's references may point, by kind: its own records and the
/// stored ones it refers to outside itself.
pub(crate) struct Scope<'a> {
    pub(crate) file: &'a KnownSlugs,
    pub(crate) stored: &'a KnownSlugs,
}

impl Scope<'_> {
    fn sources(&self) -> Known<'_> {
        Known(&self.file.sources, &self.stored.sources)
    }
    fn groups(&self) -> Known<'_> {
        Known(&self.file.groups, &self.stored.groups)
    }
    fn targets(&self) -> Known<'_> {
        Known(&self.file.targets, &self.stored.targets)
    }
    fn operations(&self) -> Known<'_> {
        Known(&self.file.operations, &self.stored.operations)
    }
}

/// The file's own fields: its format, version and description.
pub(crate) fn check_header(
    format: &str,
    version: u32,
    description: Option<&str>,
    errors: &mut Vec<FieldError>,
) {
    if format != FORMAT {
        errors.push(FieldError::new("format", format!("expected {FORMAT:?}")));
    }
    if version != FORMAT_VERSION {
        errors.push(FieldError::new(
            "version",
            format!("expected {FORMAT_VERSION}"),
        ));
    }
    if let Some(d) = description
        && d.chars().count() > bounds::NOTE
    {
        errors.push(FieldError::new(
            "description",
            format!("longer than {} characters", bounds::NOTE),
        ));
    }
}

/// A record's slug: well formed and not already used by another record of
/// its collection in the file (`seen` gathers them).
pub(crate) fn check_slug(
    collection: &str,
    slug: &str,
    seen: &mut SlugSet,
    errors: &mut Vec<FieldError>,
) {
    if !vocab::is_slug(slug) {
        errors.push(FieldError::new(
            format!("{collection}[{slug}].slug"),
            "a slug is lower-case letters, digits and single hyphens",
        ));
    }
    if !seen.insert(slug) {
        errors.push(FieldError::new(
            format!("{collection}[{slug}]"),
            "duplicate slug",
        ));
    }
}

pub(crate) fn check_source(r: &SourceRecord, errors: &mut Vec<FieldError>) {
    let mut c = Checker {
        errors,
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

pub(crate) fn check_group(r: &GroupRecord, scope: &Scope<'_>, errors: &mut Vec<FieldError>) {
    let mut c = Checker {
        errors,
        at: format!("groups[{}]", r.slug),
    };
    c.one_of("kind", &r.kind, vocab::GROUP_KINDS);
    c.names(&r.names);
    c.texts(&r.texts, &["description"]);
    if let Some(p) = &r.parent {
        c.reference("parent", p, "group", scope.groups());
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
    c.citations("citations", &r.citations, scope.sources());
}

pub(crate) fn check_target(r: &TargetRecord, scope: &Scope<'_>, errors: &mut Vec<FieldError>) {
    let mut c = Checker {
        errors,
        at: format!("targets[{}]", r.slug),
    };
    c.one_of("kind", &r.kind, vocab::TARGET_KINDS);
    c.names(&r.names);
    c.texts(&r.texts, &["description"]);
    if let Some(cc) = &r.country
        && !vocab::is_country(cc)
    {
        c.fail(
            "country",
            format!("{cc:?} is not an ISO 3166-1 alpha-2 code"),
        );
    }
    c.optional_line("sector", &r.sector, bounds::LABEL);
    c.citations("citations", &r.citations, scope.sources());
}

pub(crate) fn check_operation(
    r: &OperationRecord,
    scope: &Scope<'_>,
    errors: &mut Vec<FieldError>,
) {
    let mut c = Checker {
        errors,
        at: format!("operations[{}]", r.slug),
    };
    c.names(&r.names);
    c.texts(&r.texts, &["motive", "summary"]);
    let start = c.date("start", Some(&r.start));
    let end = match End::parse(r.end.as_deref()) {
        Ok(end) => end.date().copied(),
        Err(e) => {
            c.fail(
                "end",
                format!(
                    "{e} (or `..` for an operation that ran on, or null when its end is unknown)"
                ),
            );
            None
        }
    };
    if let (Some(s), Some(e)) = (start, end)
        && s.span().0 > e.span().1
    {
        c.fail("end", "the operation ends before it starts");
    }
    if let Some(p) = &r.part_of {
        c.reference("part_of", p, "operation", scope.operations());
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
    c.alternatives(
        r.disputed,
        &r.alternatives,
        super::alternatives::OPERATION_FIELDS,
        scope.sources(),
    );
    let mut seen = HashSet::new();
    for (i, g) in r.groups.iter().enumerate() {
        c.reference(
            &format!("groups[{i}].group"),
            &g.group,
            "group",
            scope.groups(),
        );
        c.one_of(&format!("groups[{i}].role"), &g.role, vocab::GROUP_ROLES);
        if !seen.insert(&g.group) {
            c.fail(&format!("groups[{i}]"), "group linked twice");
        }
        c.citations(
            &format!("groups[{i}].citations"),
            &g.citations,
            scope.sources(),
        );
    }
    let mut seen = HashSet::new();
    for (i, t) in r.targets.iter().enumerate() {
        c.reference(
            &format!("targets[{i}].target"),
            &t.target,
            "target",
            scope.targets(),
        );
        if !seen.insert(&t.target) {
            c.fail(&format!("targets[{i}]"), "target linked twice");
        }
        c.citations(
            &format!("targets[{i}].citations"),
            &t.citations,
            scope.sources(),
        );
    }
    c.citations("citations", &r.citations, scope.sources());
}

pub(crate) fn check_legal_outcome(
    r: &LegalOutcomeRecord,
    scope: &Scope<'_>,
    errors: &mut Vec<FieldError>,
) {
    let mut c = Checker {
        errors,
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
        c.reference("operation", o, "operation", scope.operations());
    }
    if let Some(g) = &r.group {
        c.reference("group", g, "group", scope.groups());
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
        for (part, message) in money_faults(m) {
            c.fail(&format!("money.{part}"), message);
        }
    }
    c.dispute(r.disputed, &r.dispute_note);
    c.alternatives(
        r.disputed,
        &r.alternatives,
        super::alternatives::LEGAL_OUTCOME_FIELDS,
        scope.sources(),
    );
    c.citations("citations", &r.citations, scope.sources());
}

/// A parent chain that loops back on itself can never be stored meaningfully.
/// `edges` are (record, its parent) for the records that name one.
pub(crate) fn check_cycles<'a>(
    edges: impl IntoIterator<Item = (&'a String, &'a String)>,
    collection: &str,
    field: &str,
    errors: &mut Vec<FieldError>,
) {
    let parents: HashMap<&String, &String> = edges.into_iter().collect();
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
