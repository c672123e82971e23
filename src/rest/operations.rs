//! `GET /v1/operations` and `/v1/operations/{slug}`.

use axum::Json;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use utoipa::IntoParams;

use super::cite::CiteFormat;
use super::csv::{self};
use super::params::{Errors, PAGE_PARAMS, Params};
use super::v1::{
    DATE_PARAMS, DateParams, Format, ListParams, Slug, one, record, render_list, stream_csv, strip,
    whole_csv,
};
use super::views::{self, ListView, OperationView};
use crate::domain::filters::OperationFilter;
use crate::domain::read;
use crate::error::Result;
use crate::http::problem::Problem;
use crate::state::ReadDb;

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
