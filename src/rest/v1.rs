//! `/v1` read routes: parse the query, call the domain, render JSON or CSV.

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::IntoParams;

use super::cite::{self, CiteFormat};
use super::csv::{self, CsvRecord};
use super::params::Params;
use super::views::{self, ListView, PageView};
use crate::domain::page::Page;
use crate::domain::{Conn, read};
use crate::error::{Error, Result};

/// How a list is rendered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Json,
    Csv,
}

/// What `format` takes on a list.
pub const LIST_FORMATS: &[&str] = &["json", "csv"];

/// What `format` takes on the list of sources: a list's, or the sources as
/// citations.
pub const SOURCE_LIST_FORMATS: &[&str] = &["json", "csv", "csl-json", "bibtex"];

impl Format {
    /// `format=json|csv` wins; otherwise `Accept: text/csv` asks for CSV.
    pub(super) fn of(p: &Params, headers: &HeaderMap) -> Result<Self> {
        match p.choice("format", LIST_FORMATS)?.as_deref() {
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
pub(super) fn next_link(uri: &Uri, cursor: &str) -> Option<HeaderValue> {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        if k != "cursor" {
            q.append_pair(&k, &v);
        }
    }
    q.append_pair("cursor", cursor);
    HeaderValue::from_str(&format!("<{}?{}>; rel=\"next\"", uri.path(), q.finish())).ok()
}

pub(super) fn render_list<T: Serialize + CsvRecord>(
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
pub(super) fn whole_csv(format: Format, p: &Params) -> bool {
    format == Format::Csv && p.text("limit").ok().flatten().is_none()
}

/// Streams a whole list as CSV: `$read` lists a page, `$view` turns its rows
/// into the list's views.
macro_rules! stream_csv {
    ($s:expr, $page:expr, $filter:expr, $sort:expr, $read:path, |$db:ident, $items:ident| $view:expr) => {{
        let db = $s.db.for_stream();
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
pub(super) use stream_csv;

pub(super) fn strip<T>(p: Page<T>) -> (Vec<T>, Page<()>) {
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
    /// An RFC 3339 time: the list as it stood then, rebuilt from the revisions.
    as_of: Option<String>,
}

/// `as_of`, on the read routes that take no other list parameters.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct AsOfParams {
    /// An RFC 3339 time: the answer as it would have been then, from the
    /// records rebuilt from the revisions.
    as_of: Option<String>,
}

/// A record as JSON or, with `format=csl-json|bibtex`, the sources it cites
/// (its own citations, then its links'), each once, ready to cite.
pub(super) async fn record<T: Serialize, C: Conn>(
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

pub(super) fn one<T>(mut v: Vec<T>) -> Result<Json<T>> {
    v.pop()
        .map(Json)
        .ok_or_else(|| Error::Internal("a loaded record vanished".into()))
}
