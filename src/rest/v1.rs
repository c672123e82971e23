//! `/v1` read routes: parse the query, call the domain, render JSON or CSV.

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::cite::{self, CiteFormat};
use super::csv::{self, CsvRecord};
use super::params::{Errors, PAGE_PARAMS, Params};
use super::views::{
    self, DateView, GroupView, LegalOutcomeView, ListView, OperationView, PageView, SourceRef,
    SourceView, TargetView,
};
use crate::domain::filters::{
    GroupFilter, LegalOutcomeFilter, OperationFilter, SourceFilter, TargetFilter,
};
use crate::domain::page::{Page, PageRequest};
use crate::domain::timeline::{Entry, TimelineFilter};
use crate::domain::{Conn, read, relations, search, stats, timeline};
use crate::error::{Error, Result};
use crate::http::problem::Problem;
use crate::state::ReadDb;

/// How a list is rendered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Json,
    Csv,
}

impl Format {
    /// `format=json|csv` wins; otherwise `Accept: text/csv` asks for CSV.
    fn of(p: &Params, headers: &HeaderMap) -> Result<Self> {
        match p.choice("format", &["json", "csv"])?.as_deref() {
            Some("csv") => Ok(Format::Csv),
            Some(_) => Ok(Format::Json),
            None => {
                let accept = headers
                    .get(header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                Ok(if accept.contains("text/csv") {
                    Format::Csv
                } else {
                    Format::Json
                })
            }
        }
    }
}

/// The path's slug, with a problem+json rejection.
pub struct Slug(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Slug {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(slug) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|e| Error::invalid("slug", e.body_text()))?;
        let max = crate::domain::bounds::SLUG;
        if slug.chars().count() > max {
            return Err(Error::invalid(
                "slug",
                format!("longer than {max} characters"),
            ));
        }
        Ok(Slug(slug))
    }
}

/// The `Link` header value pointing at the next page.
fn next_link(uri: &Uri, cursor: &str) -> Option<HeaderValue> {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        if k != "cursor" {
            q.append_pair(&k, &v);
        }
    }
    q.append_pair("cursor", cursor);
    HeaderValue::from_str(&format!("<{}?{}>; rel=\"next\"", uri.path(), q.finish())).ok()
}

fn render_list<T: Serialize + CsvRecord>(
    format: Format,
    uri: &Uri,
    page: Page<()>,
    limit: u64,
    data: Vec<T>,
) -> Result<Response> {
    let link = page.next_cursor.as_deref().and_then(|c| next_link(uri, c));
    let mut res = match format {
        Format::Csv => csv::render(&data)?,
        Format::Json => Json(ListView {
            data,
            page: PageView {
                limit,
                next_cursor: page.next_cursor.clone(),
                total: page.total,
            },
        })
        .into_response(),
    };
    if let Some(link) = link {
        res.headers_mut().insert(header::LINK, link);
    }
    if format == Format::Csv {
        res.headers_mut()
            .insert("x-total-count", HeaderValue::from(page.total));
    }
    Ok(res)
}

/// A CSV list without `limit` is the whole filtered list, so
/// `pandas.read_csv(url)` gets every record; it is streamed a page at a time
/// (see [`csv::stream`]). With `limit` it pages like JSON.
fn whole_csv(format: Format, p: &Params) -> bool {
    format == Format::Csv && p.text("limit").ok().flatten().is_none()
}

/// Streams a whole list as CSV: `$read` lists a page, `$view` turns its rows
/// into the list's views.
macro_rules! stream_csv {
    ($s:expr, $page:expr, $filter:expr, $sort:expr, $read:path, |$db:ident, $items:ident| $view:expr) => {{
        // The pool, not the request's held connection: a slow client
        // reading a long list must not keep a connection between pages.
        let db = $s.db.pool().clone();
        let filter = $filter;
        let sort = $sort;
        return csv::stream($page, move |page| {
            let ($db, filter, sort) = (db.clone(), filter.clone(), sort.clone());
            async move {
                let p = $read(&$db, &filter, sort.as_deref(), &page).await?;
                let $items = p.items;
                Ok(($view, p.next_cursor, p.total))
            }
        })
        .await;
    }};
}

fn strip<T>(p: Page<T>) -> (Vec<T>, Page<()>) {
    (
        p.items,
        Page {
            items: Vec::new(),
            cursors: Vec::new(),
            next_cursor: p.next_cursor,
            total: p.total,
        },
    )
}

// --- documentation-only parameter sets (parsing is in `Params`) ---

/// Paging, sorting and format parameters of every list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListParams {
    /// Page size, 1 to 100 (default 20). A CSV list without `limit` holds every matching record.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    /// Opaque cursor from `page.next_cursor` (or the `Link: rel="next"` header).
    cursor: Option<String>,
    /// Sort field, `-` prefix for descending.
    sort: Option<String>,
    /// `json` (default) or `csv`; `Accept: text/csv` also selects CSV.
    format: Option<String>,
}

/// Date range with overlap semantics: a record matches when any day it can
/// denote lies in `from..to`. Both accept EDTF: `2011`, `2010-12`, `2011-01-02`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct DateParams {
    /// Earliest day of interest (EDTF; `2011` means from 2011-01-01).
    from: Option<String>,
    /// Latest day of interest (EDTF; `2011` means up to 2011-12-31).
    to: Option<String>,
}

#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct GroupParams {
    /// Group kind: collective, cell, crew, banner, faction, other.
    kind: Option<String>,
    /// Slug of the parent group.
    parent: Option<String>,
    /// Text search in names, aliases and descriptions (folds case, diacritics, Arabic variants; at most 200 characters).
    q: Option<String>,
}

#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct OperationParams {
    /// Slug of a group the operation is linked to.
    group: Option<String>,
    /// Slug of a target of the operation.
    target: Option<String>,
    /// A tactic: ddos, doxing, defacement, protest, data_leak, raid, black_fax, prank_calls, account_takeover, website_takedown, sql_injection, financial_fraud, other.
    tactic: Option<String>,
    /// Slug of the parent operation.
    part_of: Option<String>,
    /// Only disputed (`true`) or undisputed (`false`) operations.
    disputed: Option<bool>,
    /// Text search in names, aliases, motives and summaries.
    q: Option<String>,
}

#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct TargetParams {
    /// Target kind: company, government, religious_org, website, person, ngo, media, other.
    kind: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    country: Option<String>,
    /// Slug of a group whose operations targeted it.
    group: Option<String>,
    /// Slug of an operation that targeted it.
    operation: Option<String>,
    /// Text search in names and aliases.
    q: Option<String>,
}

#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct LegalOutcomeParams {
    /// Outcome kind: arrest, charge, indictment, plea, conviction, acquittal, sentence, fine, restitution, damages_claim, other.
    kind: Option<String>,
    /// ISO 3166-1 or 3166-2 code; a country also matches its subdivisions (`US` matches `US-CA`).
    jurisdiction: Option<String>,
    /// Slug of the group concerned, directly or through one of its operations.
    group: Option<String>,
    /// Slug of the operation concerned.
    operation: Option<String>,
    /// Slug of a target of the operation concerned.
    target: Option<String>,
    /// Only disputed (`true`) or undisputed (`false`) outcomes.
    disputed: Option<bool>,
    /// Text search in summaries.
    q: Option<String>,
}

#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SourceParams {
    /// Source kind: news, court_record, government, academic, encyclopedia, group_statement, seed, blog, reference, other.
    kind: Option<String>,
    /// BCP 47 language tag of the source.
    language: Option<String>,
}

const DATE_PARAMS: &[&str] = &["from", "to"];

// --- groups ---

#[utoipa::path(get, path = "/v1/groups", tag = "groups",
    params(GroupParams, DateParams, ListParams),
    responses(
        (status = 200, description = "A page of groups; sort: name (default), slug", content((ListView<GroupView> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A bad parameter, named in `errors`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_groups(s: ReadDb, uri: Uri, headers: HeaderMap, p: Params) -> Result<Response> {
    let mut e = Errors::default();
    e.take(p.only(&[&["kind", "parent", "q"], DATE_PARAMS, PAGE_PARAMS]))?;
    let filter = GroupFilter {
        kind: e.take(p.text("kind"))?,
        parent: e.take(p.text("parent"))?,
        dates: e.take(p.dates())?,
        q: e.take(p.text("q"))?,
    };
    let page = e.take(p.page())?;
    let sort = e.take(p.text("sort"))?;
    let format = e.take(Format::of(&p, &headers))?;
    e.finish()?;
    if whole_csv(format, &p) {
        stream_csv!(s, page, filter, sort, read::list_groups, |db, items| {
            views::groups(&db, items).await?
        });
    }
    let (items, info) = strip(read::list_groups(&s.db, &filter, sort.as_deref(), &page).await?);
    let data = views::groups(&s.db, items).await?;
    render_list(format, &uri, info, page.limit, data)
}

#[utoipa::path(get, path = "/v1/groups/{slug}", tag = "groups",
    params(("slug" = String, Path, description = "The group's slug, e.g. `anonymous`"), ("format" = Option<String>, Query, description = "`json` (default): the record; `csl-json` or `bibtex`: the sources it cites (with its links' citations), ready to cite")),
    responses(
        (status = 200, description = "The group with its relations and citations", content((GroupView = "application/json"), (String = "application/vnd.citationstyles.csl+json"), (String = "application/x-bibtex"))),
        (status = 404, description = "No such group", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "An unknown `format`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_group(s: ReadDb, p: Params, Slug(slug): Slug) -> Result<Response> {
    p.only(&[&["format"]])?;
    let cite = CiteFormat::of_record(&p)?;
    let g = read::group_by_slug(&s.db, &slug).await?;
    let Json(v) = one(views::groups(&s.db, vec![g]).await?)?;
    let c = v.citations.iter().collect();
    record(&s.db, cite, &v, c).await
}

/// A record as JSON or, with `format=csl-json|bibtex`, the sources it cites
/// (its own citations, then its links'), each once, ready to cite.
async fn record<T: Serialize, C: Conn>(
    db: &C,
    cite: Option<CiteFormat>,
    view: T,
    citations: Vec<&views::CitationView>,
) -> Result<Response> {
    let Some(format) = cite else {
        return Ok(Json(view).into_response());
    };
    let mut slugs: Vec<String> = Vec::new();
    for c in citations {
        if !slugs.contains(&c.source.slug) {
            slugs.push(c.source.slug.clone());
        }
    }
    let rows = read::sources_by_slugs(db, &slugs).await?;
    Ok(cite::render(format, &views::sources(rows)))
}

fn one<T>(mut v: Vec<T>) -> Result<Json<T>> {
    v.pop()
        .map(Json)
        .ok_or_else(|| Error::Internal("a loaded record vanished".into()))
}

// --- operations ---

#[utoipa::path(get, path = "/v1/operations", tag = "operations",
    params(OperationParams, DateParams, ListParams),
    responses(
        (status = 200, description = "A page of operations; sort: start (default), end, name, slug", content((ListView<OperationView> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A bad parameter, named in `errors`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_operations(
    s: ReadDb,
    uri: Uri,
    headers: HeaderMap,
    p: Params,
) -> Result<Response> {
    let mut e = Errors::default();
    e.take(p.only(&[
        &["group", "target", "tactic", "part_of", "disputed", "q"],
        DATE_PARAMS,
        PAGE_PARAMS,
    ]))?;
    let filter = OperationFilter {
        group: e.take(p.text("group"))?,
        target: e.take(p.text("target"))?,
        tactic: e.take(p.text("tactic"))?,
        part_of: e.take(p.text("part_of"))?,
        dates: e.take(p.dates())?,
        disputed: e.take(p.bool("disputed"))?,
        q: e.take(p.text("q"))?,
    };
    let page = e.take(p.page())?;
    let sort = e.take(p.text("sort"))?;
    let format = e.take(Format::of(&p, &headers))?;
    e.finish()?;
    if whole_csv(format, &p) {
        stream_csv!(s, page, filter, sort, read::list_operations, |db, items| {
            views::operation_rows(&db, items).await?
        });
    }
    let (items, info) = strip(read::list_operations(&s.db, &filter, sort.as_deref(), &page).await?);
    let data = views::operations(&s.db, items).await?;
    render_list(format, &uri, info, page.limit, data)
}

#[utoipa::path(get, path = "/v1/operations/{slug}", tag = "operations",
    params(("slug" = String, Path, description = "The operation's slug, e.g. `op-avenge-assange`"), ("format" = Option<String>, Query, description = "`json` (default): the record; `csl-json` or `bibtex`: the sources it cites (with its links' citations), ready to cite")),
    responses(
        (status = 200, description = "The operation with its groups, targets, legal outcomes and citations", content((OperationView = "application/json"), (String = "application/vnd.citationstyles.csl+json"), (String = "application/x-bibtex"))),
        (status = 404, description = "No such operation", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "An unknown `format`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_operation(s: ReadDb, p: Params, Slug(slug): Slug) -> Result<Response> {
    p.only(&[&["format"]])?;
    let cite = CiteFormat::of_record(&p)?;
    let o = read::operation_by_slug(&s.db, &slug).await?;
    let Json(v) = one(views::operations(&s.db, vec![o]).await?)?;
    let c = v
        .citations
        .iter()
        .chain(v.groups.iter().flat_map(|g| &g.citations))
        .chain(v.targets.iter().flat_map(|t| &t.citations))
        .collect();
    record(&s.db, cite, &v, c).await
}

// --- targets ---

#[utoipa::path(get, path = "/v1/targets", tag = "targets",
    params(TargetParams, ListParams),
    responses(
        (status = 200, description = "A page of targets; sort: name (default), slug", content((ListView<TargetView> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A bad parameter, named in `errors`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_targets(s: ReadDb, uri: Uri, headers: HeaderMap, p: Params) -> Result<Response> {
    let mut e = Errors::default();
    e.take(p.only(&[&["kind", "country", "group", "operation", "q"], PAGE_PARAMS]))?;
    let filter = TargetFilter {
        kind: e.take(p.text("kind"))?,
        country: e.take(p.text("country"))?,
        group: e.take(p.text("group"))?,
        operation: e.take(p.text("operation"))?,
        q: e.take(p.text("q"))?,
    };
    let page = e.take(p.page())?;
    let sort = e.take(p.text("sort"))?;
    let format = e.take(Format::of(&p, &headers))?;
    e.finish()?;
    if whole_csv(format, &p) {
        stream_csv!(s, page, filter, sort, read::list_targets, |db, items| {
            views::targets(&db, items).await?
        });
    }
    let (items, info) = strip(read::list_targets(&s.db, &filter, sort.as_deref(), &page).await?);
    let data = views::targets(&s.db, items).await?;
    render_list(format, &uri, info, page.limit, data)
}

#[utoipa::path(get, path = "/v1/targets/{slug}", tag = "targets",
    params(("slug" = String, Path, description = "The target's slug, e.g. `paypal`"), ("format" = Option<String>, Query, description = "`json` (default): the record; `csl-json` or `bibtex`: the sources it cites (with its links' citations), ready to cite")),
    responses(
        (status = 200, description = "The target with its operations and citations", content((TargetView = "application/json"), (String = "application/vnd.citationstyles.csl+json"), (String = "application/x-bibtex"))),
        (status = 404, description = "No such target", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "An unknown `format`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_target(s: ReadDb, p: Params, Slug(slug): Slug) -> Result<Response> {
    p.only(&[&["format"]])?;
    let cite = CiteFormat::of_record(&p)?;
    let t = read::target_by_slug(&s.db, &slug).await?;
    let Json(v) = one(views::targets(&s.db, vec![t]).await?)?;
    let c = v.citations.iter().collect();
    record(&s.db, cite, &v, c).await
}

// --- legal outcomes ---

#[utoipa::path(get, path = "/v1/legal-outcomes", tag = "legal outcomes",
    params(LegalOutcomeParams, DateParams, ListParams),
    responses(
        (status = 200, description = "A page of legal outcomes; sort: date (default), slug", content((ListView<LegalOutcomeView> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A bad parameter, named in `errors`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_legal_outcomes(
    s: ReadDb,
    uri: Uri,
    headers: HeaderMap,
    p: Params,
) -> Result<Response> {
    let mut e = Errors::default();
    e.take(p.only(&[
        &[
            "kind",
            "jurisdiction",
            "group",
            "operation",
            "target",
            "disputed",
            "q",
        ],
        DATE_PARAMS,
        PAGE_PARAMS,
    ]))?;
    let filter = LegalOutcomeFilter {
        kind: e.take(p.text("kind"))?,
        jurisdiction: e.take(p.text("jurisdiction"))?,
        group: e.take(p.text("group"))?,
        operation: e.take(p.text("operation"))?,
        target: e.take(p.text("target"))?,
        dates: e.take(p.dates())?,
        disputed: e.take(p.bool("disputed"))?,
        q: e.take(p.text("q"))?,
    };
    let page = e.take(p.page())?;
    let sort = e.take(p.text("sort"))?;
    let format = e.take(Format::of(&p, &headers))?;
    e.finish()?;
    if whole_csv(format, &p) {
        stream_csv!(
            s,
            page,
            filter,
            sort,
            read::list_legal_outcomes,
            |db, items| { views::legal_outcomes(&db, items).await? }
        );
    }
    let (items, info) =
        strip(read::list_legal_outcomes(&s.db, &filter, sort.as_deref(), &page).await?);
    let data = views::legal_outcomes(&s.db, items).await?;
    render_list(format, &uri, info, page.limit, data)
}

#[utoipa::path(get, path = "/v1/legal-outcomes/{slug}", tag = "legal outcomes",
    params(("slug" = String, Path, description = "The legal outcome's slug, e.g. `lo-paypal14-restitution`"), ("format" = Option<String>, Query, description = "`json` (default): the record; `csl-json` or `bibtex`: the sources it cites (with its links' citations), ready to cite")),
    responses(
        (status = 200, description = "The legal outcome with its operation, group, money and citations", content((LegalOutcomeView = "application/json"), (String = "application/vnd.citationstyles.csl+json"), (String = "application/x-bibtex"))),
        (status = 404, description = "No such legal outcome", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "An unknown `format`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_legal_outcome(s: ReadDb, p: Params, Slug(slug): Slug) -> Result<Response> {
    p.only(&[&["format"]])?;
    let cite = CiteFormat::of_record(&p)?;
    let l = read::legal_outcome_by_slug(&s.db, &slug).await?;
    let Json(v) = one(views::legal_outcomes(&s.db, vec![l]).await?)?;
    let c = v.citations.iter().collect();
    record(&s.db, cite, &v, c).await
}

// --- sources ---

#[utoipa::path(get, path = "/v1/sources", tag = "sources",
    params(SourceParams, DateParams, ListParams),
    responses(
        (status = 200, description = "A page of sources; sort: slug (default), title. `format=csl-json` (CSL-JSON for Zotero, Pandoc, citeproc) or `format=bibtex` (biblatex) gives the sources as citations; like CSV, the whole filtered list unless `limit` is given", content((ListView<SourceView> = "application/json"), (String = "text/csv"), (String = "application/vnd.citationstyles.csl+json"), (String = "application/x-bibtex"))),
        (status = 400, description = "A bad parameter, named in `errors`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_sources(s: ReadDb, uri: Uri, headers: HeaderMap, p: Params) -> Result<Response> {
    let mut e = Errors::default();
    e.take(p.only(&[&["kind", "language"], DATE_PARAMS, PAGE_PARAMS]))?;
    let filter = SourceFilter {
        kind: e.take(p.text("kind"))?,
        language: e.take(p.text("language"))?,
        dates: e.take(p.dates())?,
    };
    let page = e.take(p.page())?;
    let sort = e.take(p.text("sort"))?;
    let cite = match p.text("format").ok().flatten().as_deref() {
        Some("csl-json") => Some(CiteFormat::CslJson),
        Some("bibtex") => Some(CiteFormat::Bibtex),
        _ => None,
    };
    let format = match cite {
        // Citation lists are whole lists unless `limit` is given, as CSV is.
        Some(_) => Format::Csv,
        None => e.take(Format::of(&p, &headers))?,
    };
    e.finish()?;
    if let Some(c) = cite {
        let page = if whole_csv(format, &p) {
            PageRequest {
                limit: u64::MAX,
                ..page
            }
        } else {
            page
        };
        let (items, _) = strip(read::list_sources(&s.db, &filter, sort.as_deref(), &page).await?);
        return Ok(cite::render(c, &views::sources(items)));
    }
    if whole_csv(format, &p) {
        stream_csv!(s, page, filter, sort, read::list_sources, |db, items| {
            views::sources(items)
        });
    }
    let (items, info) = strip(read::list_sources(&s.db, &filter, sort.as_deref(), &page).await?);
    render_list(format, &uri, info, page.limit, views::sources(items))
}

#[utoipa::path(get, path = "/v1/sources/{slug}", tag = "sources",
    params(("slug" = String, Path, description = "The source's slug, e.g. `seed-article`"), ("format" = Option<String>, Query, description = "`json` (default): the record; `csl-json` or `bibtex`: the sources it cites (with its links' citations), ready to cite")),
    responses(
        (status = 200, description = "The source", content((SourceView = "application/json"), (String = "application/vnd.citationstyles.csl+json"), (String = "application/x-bibtex"))),
        (status = 404, description = "No such source", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "An unknown `format`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_source(s: ReadDb, p: Params, Slug(slug): Slug) -> Result<Response> {
    p.only(&[&["format"]])?;
    let cite = CiteFormat::of_record(&p)?;
    let src = read::source_by_slug(&s.db, &slug).await?;
    let Json(v) = one(views::sources(vec![src]))?;
    Ok(match cite {
        Some(f) => cite::render(f, std::slice::from_ref(&v)),
        None => Json(v).into_response(),
    })
}

// --- search ---

#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SearchParams {
    /// What to look for, in any language (at most 200 characters). Case,
    /// diacritics, tashkeel, tatweel and Arabic letter variants are folded.
    q: String,
    /// Most hits to return, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    /// group, operation, target or legal_outcome.
    pub kind: String,
    pub slug: String,
    pub name: String,
    /// exact, prefix, word_prefix, substring (names and aliases) or text (descriptions, motives, summaries), best first.
    pub matched: String,
    /// name, alias, description, motive or summary.
    pub field: String,
    pub lang: String,
    /// The matching name or text as stored.
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    pub query: String,
    pub data: Vec<SearchHit>,
}

#[utoipa::path(get, path = "/v1/search", tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "Ranked hits across every kind of record: exact before prefix before substring, names and aliases before texts", body = SearchResults),
        (status = 400, description = "`q` missing, empty or too long", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn search(s: ReadDb, p: Params) -> Result<Json<SearchResults>> {
    let mut e = Errors::default();
    e.take(p.only(&[&["q", "limit"]]))?;
    let q = e.take(p.text("q"))?;
    let limit = e.take(p.int("limit"))?;
    if q.is_none() {
        e.take::<()>(Err(Error::invalid("q", "required")))?;
    }
    if let Some(l) = limit
        && !(1..=search::MAX_HITS as i64).contains(&l)
    {
        e.take::<()>(Err(Error::invalid(
            "limit",
            format!("must be between 1 and {}", search::MAX_HITS),
        )))?;
    }
    e.finish()?;
    let q = q.unwrap_or_default();
    let hits = search::search(&s.db, &q, limit.map_or(search::DEFAULT_HITS, |l| l as u64)).await?;
    Ok(Json(SearchResults {
        query: q,
        data: hits
            .into_iter()
            .map(|h| SearchHit {
                kind: h.kind.as_str().to_owned(),
                slug: h.slug,
                name: h.name,
                matched: h.matched.as_str().to_owned(),
                field: h.field,
                lang: h.lang,
                text: h.text,
            })
            .collect(),
    }))
}

// --- timeline ---

#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct TimelineParams {
    /// Only entries concerning this group (slug).
    group: Option<String>,
    /// Only entries concerning this target (slug).
    target: Option<String>,
    /// Entries per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Opaque cursor from `page.next_cursor`.
    cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    /// operation or legal_outcome.
    #[serde(rename = "type")]
    pub kind: String,
    pub slug: String,
    pub title: String,
    /// When it happened (an operation's start).
    pub date: Option<DateView>,
    /// An operation's end.
    pub end: Option<DateView>,
    /// A legal outcome's kind.
    pub outcome_kind: Option<String>,
    pub sources: Vec<SourceRef>,
}

#[utoipa::path(get, path = "/v1/timeline", tag = "timeline",
    params(TimelineParams, DateParams),
    responses(
        (status = 200, description = "Operations and legal outcomes in date order: earliest day, then finer precision first", body = ListView<TimelineEntry>),
        (status = 400, description = "A bad parameter, named in `errors`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn timeline(s: ReadDb, uri: Uri, p: Params) -> Result<Response> {
    let mut e = Errors::default();
    e.take(p.only(&[&["group", "target", "limit", "cursor"], DATE_PARAMS]))?;
    let filter = TimelineFilter {
        group: e.take(p.text("group"))?,
        target: e.take(p.text("target"))?,
        dates: e.take(p.dates())?,
    };
    let limit = e.take(p.int("limit"))?;
    let cursor = e.take(p.text("cursor"))?;
    let page = e.take(timeline::page_request(limit, cursor.as_deref()))?;
    e.finish()?;
    let (items, info) = strip(timeline::timeline(&s.db, &filter, &page).await?);
    let op_ids: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            Entry::Operation(o) => Some(o.id),
            _ => None,
        })
        .collect();
    let lo_ids: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            Entry::LegalOutcome(l) => Some(l.id),
            _ => None,
        })
        .collect();
    use crate::domain::model::Subject;
    let mut op_cites =
        relations::citations_of(&s.db, Subject::Operation, &op_ids, SourceRef::COLUMNS).await?;
    let mut lo_cites =
        relations::citations_of(&s.db, Subject::LegalOutcome, &lo_ids, SourceRef::COLUMNS).await?;
    // Each entry's citations are read once: their sources move into the view.
    let sources = |c: Option<Vec<crate::domain::model::Citation>>| -> Vec<SourceRef> {
        c.into_iter()
            .flatten()
            .map(|c| SourceRef::from(c.source))
            .collect()
    };
    let data: Vec<TimelineEntry> = items
        .into_iter()
        .map(|i| match i {
            Entry::Operation(o) => TimelineEntry {
                kind: "operation".into(),
                date: DateView::of(Some(&o.start_edtf)),
                end: DateView::of(o.end_edtf.as_deref()),
                outcome_kind: None,
                sources: sources(op_cites.remove(&o.id)),
                slug: o.slug,
                title: o.name,
            },
            Entry::LegalOutcome(l) => TimelineEntry {
                kind: "legal_outcome".into(),
                date: DateView::of(Some(&l.date_edtf)),
                end: None,
                title: crate::domain::model::legal_outcome_title(&l),
                outcome_kind: Some(l.kind.clone()),
                sources: sources(lo_cites.remove(&l.id)),
                slug: l.slug,
            },
        })
        .collect();
    let link = info.next_cursor.as_deref().and_then(|c| next_link(&uri, c));
    let mut res = Json(ListView {
        data,
        page: PageView {
            limit: page.limit,
            next_cursor: info.next_cursor,
            total: info.total,
        },
    })
    .into_response();
    if let Some(link) = link {
        res.headers_mut().insert(header::LINK, link);
    }
    Ok(res)
}

// --- stats ---

#[derive(Debug, Serialize, ToSchema)]
pub struct YearCountView {
    pub year: i32,
    pub count: u64,
    /// Counts per month (`"01"`..`"12"`) of records known at least to the month.
    pub by_month: std::collections::BTreeMap<String, u64>,
    /// Records of this year known only to the year: counted apart, never in January.
    pub unknown_month: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ByDateView {
    pub by_year: Vec<YearCountView>,
    /// Records whose start year is not known.
    pub unknown_year: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountView {
    pub key: Option<String>,
    pub count: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatsView {
    pub operations: u64,
    pub legal_outcomes: u64,
    /// Operations by the year (and month) they started.
    pub operations_by_year: ByDateView,
    /// Legal outcomes by the year (and month) of their date.
    pub legal_outcomes_by_year: ByDateView,
    pub by_tactic: Vec<CountView>,
    pub by_outcome_kind: Vec<CountView>,
    /// `key: null` counts outcomes with no jurisdiction recorded.
    pub by_jurisdiction: Vec<CountView>,
}

fn by_date(b: stats::ByDate) -> ByDateView {
    ByDateView {
        by_year: b
            .by_year
            .into_iter()
            .map(|y| YearCountView {
                year: y.year,
                count: y.count,
                by_month: y
                    .months
                    .into_iter()
                    .map(|(m, n)| (format!("{m:02}"), n))
                    .collect(),
                unknown_month: y.unknown_month,
            })
            .collect(),
        unknown_year: b.unknown_year,
    }
}

#[utoipa::path(get, path = "/v1/stats", tag = "stats",
    responses((status = 200, description = "Counts by year, tactic, outcome kind and jurisdiction", body = StatsView)))]
pub async fn stats(s: ReadDb, p: Params) -> Result<Json<StatsView>> {
    p.only(&[])?;
    let st = stats::stats(&s.db).await?;
    let counts = |v: Vec<(String, u64)>| {
        v.into_iter()
            .map(|(k, n)| CountView {
                key: Some(k),
                count: n,
            })
            .collect()
    };
    Ok(Json(StatsView {
        operations: st.operations,
        legal_outcomes: st.legal_outcomes,
        operations_by_year: by_date(st.operations_by_date),
        legal_outcomes_by_year: by_date(st.legal_outcomes_by_date),
        by_tactic: counts(st.by_tactic),
        by_outcome_kind: counts(st.by_outcome_kind),
        by_jurisdiction: st
            .by_jurisdiction
            .into_iter()
            .map(|(k, n)| CountView { key: k, count: n })
            .collect(),
    }))
}
