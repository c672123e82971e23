//! The columns of each CSV list, with their descriptions, and how a record
//! fills them.

use crate::rest::views::{
    CitationView, DateView, GroupView, LegalOutcomeView, NameView, OperationRow, OperationView,
    SourceView, TargetView, TextView,
};

/// A column: its name and what it holds.
pub type Column = (&'static str, &'static str);

pub trait CsvRecord {
    const COLUMNS: &'static [Column];
    fn row(&self) -> Vec<String>;
}

/// What joins the values of a multi-valued cell.
pub const JOIN: &str = " | ";

pub(crate) fn join<I: IntoIterator<Item = S>, S: AsRef<str>>(values: I) -> String {
    values
        .into_iter()
        .map(|s| s.as_ref().to_owned())
        .collect::<Vec<_>>()
        .join(JOIN)
}

pub(crate) fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

pub(crate) fn date(d: &Option<DateView>) -> [String; 4] {
    match d {
        Some(d) => [
            d.edtf.clone(),
            d.precision.clone(),
            opt(&d.earliest),
            opt(&d.latest),
        ],
        None => Default::default(),
    }
}

/// The name in `lang`: the primary one, else our transliteration or
/// translation (a record no source names in that language).
pub(crate) fn primary(names: &[NameView], lang: &str) -> String {
    ["primary", "transliteration", "translation"]
        .iter()
        .find_map(|kind| names.iter().find(|n| n.kind == *kind && n.lang == lang))
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

pub(crate) fn aliases(names: &[NameView]) -> String {
    join(names.iter().filter(|n| n.kind == "alias").map(|n| &n.text))
}

pub(crate) fn text(texts: &[TextView], field: &str) -> String {
    texts
        .iter()
        .find(|t| t.field == field && t.lang == "en")
        .or_else(|| texts.iter().find(|t| t.field == field))
        .map(|t| t.text.clone())
        .unwrap_or_default()
}

pub(crate) fn sources(c: &[CitationView]) -> String {
    join(c.iter().map(|c| &c.source.slug))
}

macro_rules! date_columns {
    ($p:literal, $what:literal) => {
        [
            (concat!($p, "_edtf"), concat!($what, " as EDTF text")),
            (
                concat!($p, "_precision"),
                concat!("precision of ", $what, ": year, month or day"),
            ),
            (
                concat!($p, "_earliest"),
                concat!("first day ", $what, " can denote (YYYY-MM-DD)"),
            ),
            (
                concat!($p, "_latest"),
                concat!("last day ", $what, " can denote (YYYY-MM-DD)"),
            ),
        ]
    };
}

pub(crate) const fn concat_columns<const A: usize, const B: usize, const C: usize>(
    a: [Column; A],
    b: [Column; B],
) -> [Column; C] {
    let mut out = [("", ""); C];
    let mut i = 0;
    while i < A {
        out[i] = a[i];
        i += 1;
    }
    while i < A + B {
        out[i] = b[i - A];
        i += 1;
    }
    out
}

pub(crate) const GROUP_HEAD: [Column; 6] = [
    ("slug", "stable identifier"),
    ("name", "English primary name"),
    (
        "name_ar",
        "Arabic name: the primary one, else our transliteration or translation",
    ),
    ("aliases", "aliases in any language, joined with ' | '"),
    ("kind", "collective, cell, crew, banner, faction, other"),
    ("parent", "slug of the parent group"),
];

pub(crate) const GROUP_TAIL: [Column; 5] = [
    ("description", "description (English when available)"),
    ("wikidata", "Wikidata item id"),
    (
        "operations",
        "slugs of the group's operations, joined with ' | '",
    ),
    ("sources", "slugs of the cited sources, joined with ' | '"),
    ("version", "record version"),
];

pub(crate) const GROUP_DATES: [Column; 8] = concat_columns(
    date_columns!("founded", "the founding date"),
    date_columns!("dissolved", "the dissolution date"),
);

pub(crate) const GROUP_A: [Column; 14] = concat_columns(GROUP_HEAD, GROUP_DATES);

pub(crate) static GROUP_COLUMNS: [Column; 19] = concat_columns(GROUP_A, GROUP_TAIL);

impl CsvRecord for GroupView {
    const COLUMNS: &'static [Column] = &GROUP_COLUMNS;
    fn row(&self) -> Vec<String> {
        let mut r = vec![
            self.slug.clone(),
            self.name.clone(),
            primary(&self.names, "ar"),
            aliases(&self.names),
            self.kind.clone(),
            self.parent
                .as_ref()
                .map(|p| p.slug.clone())
                .unwrap_or_default(),
        ];
        r.extend(date(&self.founded));
        r.extend(date(&self.dissolved));
        r.extend([
            text(&self.texts, "description"),
            opt(&self.external_ids.wikidata),
            join(self.operations.iter().map(|o| &o.slug)),
            sources(&self.citations),
            self.version.to_string(),
        ]);
        r
    }
}

pub(crate) static TARGET_COLUMNS: [Column; 11] = [
    ("slug", "stable identifier"),
    ("name", "English primary name"),
    (
        "name_ar",
        "Arabic name: the primary one, else our transliteration or translation",
    ),
    ("aliases", "aliases in any language, joined with ' | '"),
    (
        "kind",
        "company, government, religious_org, website, person, ngo, media, other",
    ),
    ("country", "ISO 3166-1 alpha-2"),
    ("sector", "sector"),
    ("description", "what the target is (English when available)"),
    (
        "operations",
        "slugs of operations against the target, joined with ' | '",
    ),
    ("sources", "slugs of the cited sources, joined with ' | '"),
    ("version", "record version"),
];

impl CsvRecord for TargetView {
    const COLUMNS: &'static [Column] = &TARGET_COLUMNS;
    fn row(&self) -> Vec<String> {
        vec![
            self.slug.clone(),
            self.name.clone(),
            primary(&self.names, "ar"),
            aliases(&self.names),
            self.kind.clone(),
            opt(&self.country),
            opt(&self.sector),
            text(&self.texts, "description"),
            join(self.operations.iter().map(|o| &o.slug)),
            sources(&self.citations),
            self.version.to_string(),
        ]
    }
}

pub(crate) const OPERATION_HEAD: [Column; 4] = [
    ("slug", "stable identifier"),
    ("name", "English primary name"),
    (
        "name_ar",
        "Arabic name: the primary one, else our transliteration or translation",
    ),
    ("aliases", "aliases in any language, joined with ' | '"),
];

pub(crate) const OPERATION_TAIL: [Column; 12] = [
    ("part_of", "slug of the parent operation"),
    ("tactics", "tactics joined with ' | '"),
    (
        "groups",
        "group slugs with their role as slug:role, joined with ' | '",
    ),
    ("targets", "target slugs joined with ' | '"),
    ("legal_outcomes", "legal outcome slugs joined with ' | '"),
    ("motive", "motive (English when available)"),
    ("summary", "summary (English when available)"),
    ("disputed", "true when sources disagree"),
    ("dispute_note", "what is disputed and who says what"),
    ALTERNATIVES_COLUMN,
    ("sources", "slugs of the cited sources, joined with ' | '"),
    ("version", "record version"),
];

/// The other reported values of a disputed record, in one cell.
const ALTERNATIVES_COLUMN: Column = (
    "alternatives",
    "other reported values of disputed fields, each as field=value (its sources), joined with ' | '; the record's own columns hold the value it shows",
);

pub(crate) const OPERATION_DATES: [Column; 9] = concat_columns(
    concat_columns::<4, 4, 8>(
        date_columns!("start", "the start"),
        date_columns!("end", "the end"),
    ),
    [(
        "end_state",
        "known; unknown (it ended, no source says when; end columns empty); open (it ran on; end columns empty)",
    )],
);

pub(crate) const OPERATION_A: [Column; 13] = concat_columns(OPERATION_HEAD, OPERATION_DATES);

pub(crate) static OPERATION_COLUMNS: [Column; 25] = concat_columns(OPERATION_A, OPERATION_TAIL);

impl From<&OperationView> for OperationRow {
    fn from(o: &OperationView) -> Self {
        OperationRow {
            slug: o.slug.clone(),
            name: o.name.clone(),
            names: o.names.clone(),
            start: o.start.clone(),
            end: o.end.clone(),
            end_state: o.end_state,
            part_of: o.part_of.as_ref().map(|p| p.slug.clone()),
            tactics: o.tactics.clone(),
            groups: o
                .groups
                .iter()
                .map(|g| (g.slug.clone(), g.role.clone()))
                .collect(),
            targets: o.targets.iter().map(|t| t.slug.clone()).collect(),
            legal_outcomes: o.legal_outcomes.iter().map(|l| l.slug.clone()).collect(),
            texts: o.texts.clone(),
            disputed: o.disputed,
            dispute_note: o.dispute_note.clone(),
            alternatives: alternative_cells(&o.alternatives),
            sources: o.citations.iter().map(|c| c.source.slug.clone()).collect(),
            version: o.version,
        }
    }
}

impl CsvRecord for OperationRow {
    const COLUMNS: &'static [Column] = &OPERATION_COLUMNS;
    fn row(&self) -> Vec<String> {
        let mut r = vec![
            self.slug.clone(),
            self.name.clone(),
            primary(&self.names, "ar"),
            aliases(&self.names),
        ];
        r.extend(date(&self.start));
        r.extend(date(&self.end));
        r.extend([
            self.end_state.as_str().to_owned(),
            self.part_of.clone().unwrap_or_default(),
            join(&self.tactics),
            join(
                self.groups
                    .iter()
                    .map(|(slug, role)| format!("{slug}:{role}")),
            ),
            join(&self.targets),
            join(&self.legal_outcomes),
            text(&self.texts, "motive"),
            text(&self.texts, "summary"),
            self.disputed.to_string(),
            opt(&self.dispute_note),
            join(&self.alternatives),
            join(&self.sources),
            self.version.to_string(),
        ]);
        r
    }
}

impl CsvRecord for OperationView {
    const COLUMNS: &'static [Column] = OperationRow::COLUMNS;
    fn row(&self) -> Vec<String> {
        OperationRow::from(self).row()
    }
}

pub(crate) const LO_HEAD: [Column; 2] = [
    ("slug", "stable identifier"),
    (
        "kind",
        "arrest, charge, indictment, plea, conviction, acquittal, sentence, fine, restitution, damages_claim, other",
    ),
];

pub(crate) const LO_TAIL: [Column; 16] = [
    ("jurisdiction", "ISO 3166-1 or 3166-2 code"),
    ("court", "court"),
    ("operation", "slug of the operation concerned"),
    ("group", "slug of the group concerned"),
    ("people_count", "number of people"),
    (
        "person",
        "named defendant, only where public court records name them",
    ),
    ("amount", "exact decimal amount"),
    ("currency", "ISO 4217"),
    (
        "amount_kind",
        "victim_reported_loss, prosecution_alleged_loss, restitution_ordered, fine, damages_claim",
    ),
    ("amount_scope", "per_person or total"),
    ("summary", "summary (English when available)"),
    ("disputed", "true when sources disagree"),
    ("dispute_note", "what is disputed and who says what"),
    ALTERNATIVES_COLUMN,
    ("sources", "slugs of the cited sources, joined with ' | '"),
    ("version", "record version"),
];

pub(crate) const LO_A: [Column; 6] = concat_columns(LO_HEAD, date_columns!("date", "the date"));

pub(crate) static LO_COLUMNS: [Column; 22] = concat_columns(LO_A, LO_TAIL);

impl CsvRecord for LegalOutcomeView {
    const COLUMNS: &'static [Column] = &LO_COLUMNS;
    fn row(&self) -> Vec<String> {
        let mut r = vec![self.slug.clone(), self.kind.clone()];
        r.extend(date(&self.date));
        let m = self.money.as_ref();
        r.extend([
            opt(&self.jurisdiction),
            opt(&self.court),
            self.operation
                .as_ref()
                .map(|o| o.slug.clone())
                .unwrap_or_default(),
            self.group
                .as_ref()
                .map(|g| g.slug.clone())
                .unwrap_or_default(),
            opt(&self.people_count),
            opt(&self.person),
            m.map(|m| m.amount.clone()).unwrap_or_default(),
            m.map(|m| m.currency.clone()).unwrap_or_default(),
            m.map(|m| m.kind.clone()).unwrap_or_default(),
            m.map(|m| m.scope.clone()).unwrap_or_default(),
            text(&self.texts, "summary"),
            self.disputed.to_string(),
            opt(&self.dispute_note),
            join(alternative_cells(&self.alternatives)),
            sources(&self.citations),
            self.version.to_string(),
        ]);
        r
    }
}

pub(crate) const SOURCE_HEAD: [Column; 8] = [
    ("slug", "stable identifier"),
    ("title", "title"),
    (
        "title_is_descriptive",
        "true when the title is ours (the page's headline could not be read)",
    ),
    ("url", "URL"),
    ("archived_url", "archived copy"),
    ("publisher", "publisher"),
    ("language", "BCP 47 language tag"),
    (
        "kind",
        "news, court_record, government, academic, encyclopedia, group_statement, seed, blog, reference, other",
    ),
];

pub(crate) const SOURCE_A: [Column; 12] = concat_columns(
    SOURCE_HEAD,
    date_columns!("published", "the publication date"),
);

pub(crate) static SOURCE_COLUMNS: [Column; 13] =
    concat_columns(SOURCE_A, [("version", "record version")]);

impl CsvRecord for SourceView {
    const COLUMNS: &'static [Column] = &SOURCE_COLUMNS;
    fn row(&self) -> Vec<String> {
        let mut r = vec![
            self.slug.clone(),
            self.title.clone(),
            self.title_is_descriptive.to_string(),
            opt(&self.url),
            opt(&self.archived_url),
            opt(&self.publisher),
            self.language.clone(),
            self.kind.clone(),
        ];
        r.extend(date(&self.published));
        r.push(self.version.to_string());
        r
    }
}

fn alternative_cells(alternatives: &[crate::rest::views::AlternativeView]) -> Vec<String> {
    alternatives
        .iter()
        .map(|a| {
            crate::rest::views::alternative_text(
                &a.field,
                &a.value,
                a.citations.iter().map(|c| c.source.slug.as_str()),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rest::views::{GroupView, LegalOutcomeView, OperationView, SourceView};

    #[test]
    fn every_row_has_as_many_cells_as_the_header() {
        // The column tables are assembled from parts; their lengths must match `row`.
        assert_eq!(GroupView::COLUMNS.len(), 19);
        assert_eq!(OperationView::COLUMNS.len(), 25);
        assert_eq!(LegalOutcomeView::COLUMNS.len(), 22);
        assert_eq!(SourceView::COLUMNS.len(), 13);
        assert!(GroupView::COLUMNS.iter().all(|c| !c.0.is_empty()));
        assert!(OperationView::COLUMNS.iter().all(|c| !c.0.is_empty()));
    }
}
