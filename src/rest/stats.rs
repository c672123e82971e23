//! `GET /v1/stats`: counts by year, tactic, outcome kind and jurisdiction.

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::params::Params;
use crate::domain::stats;
use crate::error::Result;
use crate::rest::reader::ReadDb;

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

#[utoipa::path(get, path = "/v1/stats", tag = "stats", params(super::v1::AsOfParams),
    responses(
        (status = 200, description = "Counts by year, tactic, outcome kind and jurisdiction", body = StatsView),
        (status = 400, description = "A bad or unknown parameter, named in `errors`", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn stats(s: ReadDb, p: Params) -> Result<Json<StatsView>> {
    p.only(&[&[crate::rest::params::AS_OF]])?;
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
