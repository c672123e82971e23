//! CSV for every list: one flat row per record, UTF-8, with a header.
//!
//! Flattening: a date becomes four columns (`_edtf`, `_precision`,
//! `_earliest`, `_latest`); a list of values becomes one cell joined with
//! ` | `; a related record becomes its slug; names become the English and
//! Arabic primary names plus the aliases joined; citations become the cited
//! source slugs joined, in citation order. The columns of each list are
//! described in the OpenAPI document from the same tables as below.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::views::{
    CitationView, DateView, GroupView, LegalOutcomeView, NameView, OperationRow, OperationView,
    SourceView, TargetView, TextView,
};
use crate::error::{Error, Result};

/// A column: its name and what it holds.
pub type Column = (&'static str, &'static str);

pub trait CsvRecord {
    const COLUMNS: &'static [Column];
    fn row(&self) -> Vec<String>;
}

/// What joins the values of a multi-valued cell.
pub const JOIN: &str = " | ";

fn join<I: IntoIterator<Item = S>, S: AsRef<str>>(values: I) -> String {
    values
        .into_iter()
        .map(|s| s.as_ref().to_owned())
        .collect::<Vec<_>>()
        .join(JOIN)
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn date(d: &Option<DateView>) -> [String; 4] {
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

fn primary(names: &[NameView], lang: &str) -> String {
    names
        .iter()
        .find(|n| n.kind == "primary" && n.lang == lang)
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

fn aliases(names: &[NameView]) -> String {
    join(names.iter().filter(|n| n.kind == "alias").map(|n| &n.text))
}

fn text(texts: &[TextView], field: &str) -> String {
    texts
        .iter()
        .find(|t| t.field == field && t.lang == "en")
        .or_else(|| texts.iter().find(|t| t.field == field))
        .map(|t| t.text.clone())
        .unwrap_or_default()
}

fn sources(c: &[CitationView]) -> String {
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

const fn concat_columns<const A: usize, const B: usize, const C: usize>(
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

const GROUP_HEAD: [Column; 6] = [
    ("slug", "stable identifier"),
    ("name", "English primary name"),
    ("name_ar", "Arabic primary name"),
    ("aliases", "aliases in any language, joined with ' | '"),
    ("kind", "collective, cell, crew, banner, faction, other"),
    ("parent", "slug of the parent group"),
];
const GROUP_TAIL: [Column; 5] = [
    ("description", "description (English when available)"),
    ("wikidata", "Wikidata item id"),
    (
        "operations",
        "slugs of the group's operations, joined with ' | '",
    ),
    ("sources", "slugs of the cited sources, joined with ' | '"),
    ("version", "record version"),
];
const GROUP_DATES: [Column; 8] = concat_columns(
    date_columns!("founded", "the founding date"),
    date_columns!("dissolved", "the dissolution date"),
);
const GROUP_A: [Column; 14] = concat_columns(GROUP_HEAD, GROUP_DATES);
static GROUP_COLUMNS: [Column; 19] = concat_columns(GROUP_A, GROUP_TAIL);

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

static TARGET_COLUMNS: [Column; 10] = [
    ("slug", "stable identifier"),
    ("name", "English primary name"),
    ("name_ar", "Arabic primary name"),
    ("aliases", "aliases in any language, joined with ' | '"),
    (
        "kind",
        "company, government, religious_org, website, person, ngo, media, other",
    ),
    ("country", "ISO 3166-1 alpha-2"),
    ("sector", "sector"),
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
            join(self.operations.iter().map(|o| &o.slug)),
            sources(&self.citations),
            self.version.to_string(),
        ]
    }
}

const OPERATION_HEAD: [Column; 4] = [
    ("slug", "stable identifier"),
    ("name", "English primary name"),
    ("name_ar", "Arabic primary name"),
    ("aliases", "aliases in any language, joined with ' | '"),
];
const OPERATION_TAIL: [Column; 11] = [
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
    ("sources", "slugs of the cited sources, joined with ' | '"),
    ("version", "record version"),
];
const OPERATION_DATES: [Column; 8] = concat_columns(
    date_columns!("start", "the start"),
    date_columns!("end", "the end"),
);
const OPERATION_A: [Column; 12] = concat_columns(OPERATION_HEAD, OPERATION_DATES);
static OPERATION_COLUMNS: [Column; 23] = concat_columns(OPERATION_A, OPERATION_TAIL);

impl From<&OperationView> for OperationRow {
    fn from(o: &OperationView) -> Self {
        OperationRow {
            slug: o.slug.clone(),
            name: o.name.clone(),
            names: o.names.clone(),
            start: o.start.clone(),
            end: o.end.clone(),
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

const LO_HEAD: [Column; 2] = [
    ("slug", "stable identifier"),
    (
        "kind",
        "arrest, charge, indictment, plea, conviction, acquittal, sentence, fine, restitution, damages_claim, other",
    ),
];
const LO_TAIL: [Column; 15] = [
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
    ("sources", "slugs of the cited sources, joined with ' | '"),
    ("version", "record version"),
];
const LO_A: [Column; 6] = concat_columns(LO_HEAD, date_columns!("date", "the date"));
static LO_COLUMNS: [Column; 21] = concat_columns(LO_A, LO_TAIL);

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
            sources(&self.citations),
            self.version.to_string(),
        ]);
        r
    }
}

const SOURCE_HEAD: [Column; 8] = [
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
const SOURCE_A: [Column; 12] = concat_columns(
    SOURCE_HEAD,
    date_columns!("published", "the publication date"),
);
static SOURCE_COLUMNS: [Column; 13] = concat_columns(SOURCE_A, [("version", "record version")]);

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

/// The column description of a list, for the OpenAPI document.
pub fn describe(columns: &[Column]) -> String {
    let mut s = String::from(
        "CSV (`format=csv` or `Accept: text/csv`): UTF-8 with a header row, one row per record. \
         Multi-valued cells are joined with ` | `; dates become `_edtf`, `_precision`, `_earliest`, `_latest`.\n\nColumns:\n",
    );
    for (name, what) in columns {
        s.push_str(&format!("- `{name}`: {what}\n"));
    }
    s
}

pub fn render<T: CsvRecord>(rows: &[T]) -> Result<Response> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let internal = |e: csv::Error| Error::Internal(format!("csv: {e}"));
    w.write_record(T::COLUMNS.iter().map(|c| c.0))
        .map_err(internal)?;
    for r in rows {
        w.write_record(r.row()).map_err(internal)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Internal(format!("csv: {e}")))?;
    let mut res = bytes.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    Ok(res)
}

/// Rows fetched per query when a whole list is streamed as CSV: fewer round
/// trips against the memory two exports at once may hold; larger batches
/// were faster still but doubled that peak (bench/README.md, "Measurements
/// behind the code").
pub const STREAM_BATCH: u64 = 1_000;

/// One page of a list for [`stream`]: its rows, the next page's cursor, and
/// the total the list's filters match.
pub type Fetched<T> = (Vec<T>, Option<String>, u64);

fn encode_rows<T: CsvRecord>(rows: &[T], header: bool) -> std::result::Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if header {
        w.write_record(T::COLUMNS.iter().map(|c| c.0))
            .map_err(|e| e.to_string())?;
    }
    for r in rows {
        w.write_record(r.row()).map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

/// A whole list as CSV (from `start`'s cursor, if any), read and sent a page
/// at a time: memory stays at one page whatever the list's size. It is not
/// a snapshot: a record edited mid-stream may move (`/v1/export` reads one). The first page is read before answering,
/// so a bad filter or sort is still a 400 and `X-Total-Count` is known; a
/// failure after that can only cut the body short (it is logged).
pub async fn stream<T, F, Fut>(
    start: crate::domain::page::PageRequest,
    mut fetch: F,
) -> Result<Response>
where
    T: CsvRecord + Send + 'static,
    F: FnMut(crate::domain::page::PageRequest) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<Fetched<T>>> + Send + 'static,
{
    use crate::domain::page::{Cursor, PageRequest};
    let first_page = PageRequest {
        limit: STREAM_BATCH,
        cursor: start.cursor,
        count: true,
    };
    let (rows, next, total) = fetch(first_page).await?;
    let head = encode_rows(&rows, true).map_err(|e| Error::Internal(format!("csv: {e}")))?;
    drop(rows);
    let rest = futures::stream::unfold((fetch, next), |(mut fetch, cursor)| async move {
        let cursor = cursor?;
        let page = match Cursor::decode(&cursor) {
            Ok(c) => PageRequest {
                limit: STREAM_BATCH,
                cursor: Some(c),
                count: false,
            },
            Err(e) => return Some((Err(std::io::Error::other(e.to_string())), (fetch, None))),
        };
        match fetch(page).await {
            Ok((rows, next, _)) => match encode_rows(&rows, false) {
                Ok(bytes) => Some((Ok(bytes), (fetch, next))),
                Err(e) => Some((Err(std::io::Error::other(e)), (fetch, None))),
            },
            Err(e) => {
                tracing::error!(error = %e, "CSV stream failed mid-way");
                Some((
                    Err(std::io::Error::other("csv stream failed")),
                    (fetch, None),
                ))
            }
        }
    });
    // Fused: the compression layer polls the body once more after its end,
    // and `unfold` panics when polled past its end.
    let body = futures::StreamExt::fuse(futures::StreamExt::chain(
        futures::stream::once(async { Ok(head) }),
        rest,
    ));
    let mut res = axum::body::Body::from_stream(body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    res.headers_mut()
        .insert("x-total-count", HeaderValue::from(total));
    Ok(res)
}

/// Writes a whole collection as CSV (the same columns as its list), a page at
/// a time: `factline export --format csv --collection …`. `progress` gets the
/// rows written so far and the total.
pub async fn write_collection(
    db: &sea_orm::DatabaseConnection,
    collection: crate::domain::write::Collection,
    out: &mut dyn std::io::Write,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<u64> {
    use crate::domain::page::{Cursor, PageRequest};
    use crate::domain::read;
    use crate::domain::write::Collection;
    let mut page = PageRequest {
        limit: STREAM_BATCH,
        cursor: None,
        count: true,
    };
    let mut written = 0u64;
    let mut total = 0u64;
    let io = |e: std::io::Error| Error::Internal(format!("cannot write the export: {e}"));
    loop {
        macro_rules! fetch {
            ($list:path, |$items:ident| $view:expr) => {{
                let p = $list(db, &Default::default(), None, &page).await?;
                let $items = p.items;
                let rows = $view;
                let bytes = encode_rows(&rows, page.cursor.is_none())
                    .map_err(|e| Error::Internal(format!("csv: {e}")))?;
                (bytes, rows.len() as u64, p.next_cursor, p.total)
            }};
        }
        let (bytes, n, next, t) = match collection {
            Collection::Groups => fetch!(read::list_groups, |items| {
                super::views::groups(db, items).await?
            }),
            Collection::Operations => fetch!(read::list_operations, |items| {
                super::views::operation_rows(db, items).await?
            }),
            Collection::Targets => fetch!(read::list_targets, |items| {
                super::views::targets(db, items).await?
            }),
            Collection::LegalOutcomes => fetch!(read::list_legal_outcomes, |items| {
                super::views::legal_outcomes(db, items).await?
            }),
            Collection::Sources => {
                fetch!(read::list_sources, |items| super::views::sources(items))
            }
        };
        if page.count {
            total = t;
        }
        out.write_all(&bytes).map_err(io)?;
        written += n;
        progress(written, total);
        match next {
            Some(c) => {
                page = PageRequest {
                    limit: STREAM_BATCH,
                    cursor: Some(Cursor::decode(&c)?),
                    count: false,
                };
            }
            None => return Ok(written),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_as_many_cells_as_the_header() {
        // The column tables are assembled from parts; their lengths must match `row`.
        assert_eq!(GroupView::COLUMNS.len(), 19);
        assert_eq!(OperationView::COLUMNS.len(), 23);
        assert_eq!(LegalOutcomeView::COLUMNS.len(), 21);
        assert_eq!(SourceView::COLUMNS.len(), 13);
        assert!(GroupView::COLUMNS.iter().all(|c| !c.0.is_empty()));
        assert!(OperationView::COLUMNS.iter().all(|c| !c.0.is_empty()));
    }
}
