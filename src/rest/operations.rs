//! `GET /v1/operations` and `/v1/operations/{slug}`.

use axum::Json;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;

use super::cite::CiteFormat;
use super::csv::{self};
use super::params::{Errors, PAGE_PARAMS, Params};
use super::v1::{Format, ListParams, Slug, one, record, render_list, stream_csv, strip, whole_csv};
use super::views::{self, ListView, OperationView};
use crate::domain::filters::{Declared, Filter, OperationFilter};
use crate::domain::read;
use crate::error::Result;
use crate::http::problem::Problem;
use crate::rest::reader::ReadDb;

#[utoipa::path(get, path = "/v1/operations", tag = "operations",
    params(OperationFilter, ListParams),
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
    e.take(p.only(&[&OperationFilter::names(), PAGE_PARAMS]))?;
    let filter = e.take(OperationFilter::read(&p))?;
    e.take(filter.check())?;
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
    params(("slug" = String, Path, description = "The operation's slug, e.g. `op-avenge-assange`"), ("format" = Option<String>, Query, description = "`json` (default): the record; `csl-json` or `bibtex`: the sources it cites (with its links' citations), ready to cite"), ("as_of" = Option<String>, Query, description = "An RFC 3339 time: the record as it stood then, rebuilt from the revisions (404 if it did not exist then)")),
    responses(
        (status = 200, description = "The operation with its groups, targets, legal outcomes and citations", content((OperationView = "application/json"), (Vec<Object> = "application/vnd.citationstyles.csl+json"), (String = "application/x-bibtex"))),
        (status = 404, description = "No such operation", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "An unknown `format`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_operation(s: ReadDb, p: Params, Slug(slug): Slug) -> Result<Response> {
    p.only(&[&["format", crate::rest::params::AS_OF]])?;
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
