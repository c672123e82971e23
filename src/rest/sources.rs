//! `GET /v1/sources` and `/v1/sources/{slug}`, also as CSL JSON and BibTeX.

use axum::Json;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};

use super::cite::{self, CiteFormat};
use super::csv::{self};
use super::params::{Errors, PAGE_PARAMS, Params};
use super::v1::{Format, ListParams, Slug, one, render_list, stream_csv, strip, whole_csv};
use super::views::{self, ListView, SourceView};
use crate::domain::filters::{Declared, Filter, SourceFilter};
use crate::domain::page::PageRequest;
use crate::domain::read;
use crate::error::Result;
use crate::http::problem::Problem;
use crate::rest::reader::ReadDb;

#[utoipa::path(get, path = "/v1/sources", tag = "sources",
    params(SourceFilter, ListParams),
    responses(
        (status = 200, description = "A page of sources; sort: slug (default), title. `format=csl-json` (CSL-JSON for Zotero, Pandoc, citeproc) or `format=bibtex` (biblatex) gives the sources as citations; like CSV, the whole filtered list unless `limit` is given", content((ListView<SourceView> = "application/json"), (String = "text/csv"), (Vec<Object> = "application/vnd.citationstyles.csl+json"), (String = "application/x-bibtex"))),
        (status = 400, description = "A bad parameter, named in `errors`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_sources(s: ReadDb, uri: Uri, headers: HeaderMap, p: Params) -> Result<Response> {
    let mut e = Errors::default();
    e.take(p.only(&[&SourceFilter::names(), PAGE_PARAMS]))?;
    let filter = e.take(SourceFilter::read(&p))?;
    e.take(filter.check())?;
    let page = e.take(p.page())?;
    let sort = e.take(p.text("sort"))?;
    let chosen = p.choice("format", super::v1::SOURCE_LIST_FORMATS);
    let known = chosen.is_ok();
    let cite = match e.take(chosen)?.as_deref() {
        Some("csl-json") => Some(CiteFormat::CslJson),
        Some("bibtex") => Some(CiteFormat::Bibtex),
        _ => None,
    };
    let format = match cite {
        // Citation lists are whole lists unless `limit` is given, as CSV is.
        Some(_) => Format::Csv,
        None if known => e.take(Format::of(&p, &headers))?,
        None => Format::Json,
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
    params(("slug" = String, Path, description = "The source's slug, e.g. `seed-article`"), ("format" = Option<String>, Query, description = "`json` (default): the record; `csl-json` or `bibtex`: the sources it cites (with its links' citations), ready to cite"), ("as_of" = Option<String>, Query, description = "An RFC 3339 time: the record as it stood then, rebuilt from the revisions (404 if it did not exist then)")),
    responses(
        (status = 200, description = "The source", content((SourceView = "application/json"), (Vec<Object> = "application/vnd.citationstyles.csl+json"), (String = "application/x-bibtex"))),
        (status = 404, description = "No such source", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "An unknown `format`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_source(s: ReadDb, p: Params, Slug(slug): Slug) -> Result<Response> {
    p.only(&[&["format", crate::rest::params::AS_OF]])?;
    let cite = CiteFormat::of_record(&p)?;
    let src = read::source_by_slug(&s.db, &slug).await?;
    let Json(v) = one(views::sources(vec![src]))?;
    Ok(match cite {
        Some(f) => cite::render(f, std::slice::from_ref(&v)),
        None => Json(v).into_response(),
    })
}
