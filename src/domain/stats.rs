//! Counts for charts and overviews. A record is counted in a year, and in a
//! month of it only when its date is known to the month: a date known only to
//! the year is counted under `unknown_month`, never pushed into January.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use sea_orm::sea_query::Expr;
use sea_orm::{EntityTrait, QuerySelect};

use super::Conn;
use super::edtf::{Precision, min_day};
use crate::db::entities::{legal_outcome, operation, operation_tactic};
use crate::db::rows;
use crate::error::Result;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearCount {
    pub year: i32,
    pub count: u64,
    /// Month (1–12) to count, for records known at least to the month.
    pub months: BTreeMap<u32, u64>,
    /// Records of this year whose month is not known.
    pub unknown_month: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ByDate {
    pub by_year: Vec<YearCount>,
    /// Records whose start is not known at all (an interval such as `/2012`).
    pub unknown_year: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub operations: u64,
    pub legal_outcomes: u64,
    pub operations_by_date: ByDate,
    pub legal_outcomes_by_date: ByDate,
    pub by_tactic: Vec<(String, u64)>,
    pub by_outcome_kind: Vec<(String, u64)>,
    /// `None` for outcomes with no jurisdiction recorded.
    pub by_jurisdiction: Vec<(Option<String>, u64)>,
}

fn bucket(rows: Vec<(NaiveDate, String, i64)>) -> ByDate {
    let mut years: BTreeMap<i32, YearCount> = BTreeMap::new();
    let mut unknown_year = 0;
    for (earliest, precision, n) in rows {
        let n = n as u64;
        if earliest == min_day() {
            unknown_year += n;
            continue;
        }
        let y = years.entry(earliest.year()).or_insert_with(|| YearCount {
            year: earliest.year(),
            ..Default::default()
        });
        y.count += n;
        match Precision::parse(&precision) {
            Some(Precision::Day | Precision::Month) => {
                *y.months.entry(earliest.month()).or_default() += n;
            }
            _ => y.unknown_month += n,
        }
    }
    ByDate {
        by_year: years.into_values().collect(),
        unknown_year,
    }
}

fn sorted<K: Ord>(mut v: Vec<(K, i64)>) -> Vec<(K, u64)> {
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.into_iter().map(|(k, n)| (k, n as u64)).collect()
}

pub async fn stats<C: Conn>(db: &C) -> Result<Stats> {
    let count = || Expr::cust("COUNT(*)");
    let ops: Vec<(NaiveDate, String, i64)> = rows::tuples(
        db,
        operation::Entity::find()
            .select_only()
            .column(operation::Column::StartEarliest)
            .column(operation::Column::StartPrecision)
            .expr(count())
            .group_by(operation::Column::StartEarliest)
            .group_by(operation::Column::StartPrecision),
    )
    .await?;
    let los: Vec<(NaiveDate, String, i64)> = rows::tuples(
        db,
        legal_outcome::Entity::find()
            .select_only()
            .column(legal_outcome::Column::Earliest)
            .column(legal_outcome::Column::DatePrecision)
            .expr(count())
            .group_by(legal_outcome::Column::Earliest)
            .group_by(legal_outcome::Column::DatePrecision),
    )
    .await?;
    let tactics: Vec<(String, i64)> = rows::tuples(
        db,
        operation_tactic::Entity::find()
            .select_only()
            .column(operation_tactic::Column::Tactic)
            .expr(count())
            .group_by(operation_tactic::Column::Tactic),
    )
    .await?;
    let kinds: Vec<(String, i64)> = rows::tuples(
        db,
        legal_outcome::Entity::find()
            .select_only()
            .column(legal_outcome::Column::Kind)
            .expr(count())
            .group_by(legal_outcome::Column::Kind),
    )
    .await?;
    let jurisdictions: Vec<(Option<String>, i64)> = rows::tuples(
        db,
        legal_outcome::Entity::find()
            .select_only()
            .column(legal_outcome::Column::Jurisdiction)
            .expr(count())
            .group_by(legal_outcome::Column::Jurisdiction),
    )
    .await?;
    let operations = ops.iter().map(|r| r.2 as u64).sum();
    let legal_outcomes = los.iter().map(|r| r.2 as u64).sum();
    Ok(Stats {
        operations,
        legal_outcomes,
        operations_by_date: bucket(ops),
        legal_outcomes_by_date: bucket(los),
        by_tactic: sorted(tactics),
        by_outcome_kind: sorted(kinds),
        by_jurisdiction: sorted(jurisdictions),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_only_date_is_counted_apart_not_in_january() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let b = bucket(vec![
            (d("2011-01-01"), "year".into(), 2),
            (d("2011-01-01"), "day".into(), 1),
            (d("2011-06-01"), "month".into(), 3),
            (min_day(), "year".into(), 1),
        ]);
        assert_eq!(b.unknown_year, 1);
        assert_eq!(b.by_year.len(), 1);
        let y = &b.by_year[0];
        assert_eq!((y.year, y.count, y.unknown_month), (2011, 6, 2));
        assert_eq!(
            y.months.get(&1),
            Some(&1),
            "only the day-precise record is in January"
        );
        assert_eq!(y.months.get(&6), Some(&3));
    }
}
