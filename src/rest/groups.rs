//! `GET /v1/groups` and `/v1/groups/{slug}`.

use axum::Json;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;

use super::cite::CiteFormat;
use super::csv::{self};
use super::params::{Errors, PAGE_PARAMS, Params};
use super::v1::{Format, ListParams, Slug, one, record, render_list, stream_csv, strip, whole_csv};
use super::views::{self, GroupView, ListView};
use crate::domain::filters::{Declared, Filter, GroupFilter};
use crate::domain::read;
use crate::error::Result;
use crate::http::problem::Problem;
use crate::rest::reader::ReadDb;

#[utoipa::path(get, path = "/v1/groups", tag = "groups",
    params(GroupFilter, ListParams),
    responses(
        (status = 200, description = "A page of groups; sort: name (default), slug", content((ListView<GroupView> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A bad parameter, named in `errors`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_groups(s: ReadDb, uri: Uri, headers: HeaderMap, p: Params) -> Result<Response> {
    let mut e = Errors::default();
    e.take(p.only(&[&GroupFilter::names(), PAGE_PARAMS]))?;
    let filter = e.take(GroupFilter::read(&p))?;
    e.take(filter.check())?;
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
    params(("slug" = String, Path, description = "The group's slug, e.g. `anonymous`"), ("format" = Option<String>, Query, description = "`json` (default): the record; `csl-json` or `bibtex`: the sources it cites (with its links' citations), ready to cite"), ("as_of" = Option<String>, Query, description = "An RFC 3339 time: the record as it stood then, rebuilt from the revisions (404 if it did not exist then)")),
    responses(
        (status = 200, description = "The group with its relations and citations", content((GroupView = "application/json"), (Vec<Object> = "application/vnd.citationstyles.csl+json"), (String = "application/x-bibtex"))),
        (status = 404, description = "No such group", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "An unknown `format`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_group(s: ReadDb, p: Params, Slug(slug): Slug) -> Result<Response> {
    p.only(&[&["format", crate::rest::params::AS_OF]])?;
    let cite = CiteFormat::of_record(&p)?;
    let g = read::group_by_slug(&s.db, &slug).await?;
    let Json(v) = one(views::groups(&s.db, vec![g]).await?)?;
    let c = v.citations.iter().collect();
    record(&s.db, cite, &v, c).await
}
