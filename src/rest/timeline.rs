//! `GET /v1/timeline`: operations and legal outcomes in date order.

use axum::Json;
use axum::http::{Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::params::{Errors, Params};
use super::v1::{next_link, strip};
use super::views::{DateView, ListView, PageView, SourceRef};
use crate::domain::edtf::{End, EndState};
use crate::domain::filters::Declared;
use crate::domain::timeline::{Entry, TimelineFilter};
use crate::domain::{relations, timeline};
use crate::error::Result;
use crate::http::problem::Problem;
use crate::rest::reader::ReadDb;

#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct TimelineParams {
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
    /// An operation's end, when it is known.
    pub end: Option<DateView>,
    /// An operation's end state: `known`, `unknown` or `open` (null for a
    /// legal outcome).
    pub end_state: Option<EndState>,
    /// True when the entry stands at its earliest possible day rather than
    /// at a known day: its date is known only to the month or the year
    /// (`2011` is listed before `2011-01-02` without having happened first).
    pub placed_by_earliest_day: bool,
    /// True when sources disagree on the record.
    pub disputed: bool,
    /// What is disputed, in a sentence.
    pub dispute_note: Option<String>,
    /// A legal outcome's kind.
    pub outcome_kind: Option<String>,
    pub sources: Vec<SourceRef>,
}

#[utoipa::path(get, path = "/v1/timeline", tag = "timeline",
    params(TimelineFilter, TimelineParams, super::v1::AsOfParams),
    responses(
        (status = 200, description = "Operations and legal outcomes in date order: earliest day, then finer precision first", body = ListView<TimelineEntry>),
        (status = 400, description = "A bad parameter, named in `errors`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn timeline(s: ReadDb, uri: Uri, p: Params) -> Result<Response> {
    let mut e = Errors::default();
    e.take(p.only(&[
        &TimelineFilter::names(),
        &["limit", "cursor", crate::rest::params::AS_OF],
    ]))?;
    let filter = e.take(TimelineFilter::read(&p))?;
    e.take(filter.check())?;
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
    let sources = |c: Option<Vec<crate::domain::model::Citation>>| {
        c.into_iter()
            .flatten()
            .map(|c| SourceRef::try_from(c.source))
            .collect::<crate::Result<Vec<_>>>()
    };
    let data: Vec<TimelineEntry> = items
        .into_iter()
        .map(|i| -> crate::Result<_> {
            let placed_by_earliest_day = i.placed_by_earliest_day();
            let disputed = i.disputed();
            let dispute_note = i.dispute_note().map(str::to_owned);
            Ok(match i {
                Entry::Operation(o) => TimelineEntry {
                    kind: "operation".into(),
                    date: DateView::of(Some(&o.start_edtf)),
                    end: DateView::of(o.end_edtf.as_deref()),
                    end_state: Some(End::stored(o.end_edtf.as_deref()).state()),
                    placed_by_earliest_day,
                    disputed,
                    dispute_note,
                    outcome_kind: None,
                    sources: sources(op_cites.remove(&o.id))?,
                    slug: o.slug,
                    title: o.name,
                },
                Entry::LegalOutcome(l) => TimelineEntry {
                    kind: "legal_outcome".into(),
                    date: DateView::of(Some(&l.date_edtf)),
                    end: None,
                    end_state: None,
                    placed_by_earliest_day,
                    disputed,
                    dispute_note,
                    title: crate::domain::model::legal_outcome_title(&l),
                    outcome_kind: Some(l.kind.clone()),
                    sources: sources(lo_cites.remove(&l.id))?,
                    slug: l.slug,
                },
            })
        })
        .collect::<crate::Result<_>>()?;
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
