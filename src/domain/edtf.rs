//! Dates as EDTF (ISO 8601-2) strings that keep their precision.
//!
//! Written here rather than taken from the `edtf` crate: that crate (0.2) parses
//! far more of the standard than factline stores, but gives no earliest/latest
//! days for a value and no precision for an interval, which are exactly what
//! the overlap filters and the wire shape need. The subset accepted is the one
//! DESIGN.md and the dataset use: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, each with an
//! optional `?` (uncertain), `~` (approximate) or `%` (both) qualifier, and
//! intervals `A/B` whose ends are such dates, `..` (open) or empty (unknown).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

/// How much of a date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Precision {
    Day,
    Month,
    Year,
}

impl Precision {
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Day => "day",
            Precision::Month => "month",
            Precision::Year => "year",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "day" => Some(Precision::Day),
            "month" => Some(Precision::Month),
            "year" => Some(Precision::Year),
            _ => None,
        }
    }
}

impl fmt::Display for Precision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A single calendar date known to year, month or day precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EdtfDate {
    pub year: i32,
    pub month: Option<u32>,
    pub day: Option<u32>,
    pub uncertain: bool,
    pub approximate: bool,
}

impl EdtfDate {
    pub fn precision(&self) -> Precision {
        match (self.month, self.day) {
            (Some(_), Some(_)) => Precision::Day,
            (Some(_), None) => Precision::Month,
            _ => Precision::Year,
        }
    }

    pub fn earliest(&self) -> NaiveDate {
        let d = NaiveDate::from_ymd_opt(self.year, self.month.unwrap_or(1), self.day.unwrap_or(1));
        d.expect("validated at parse time")
    }

    pub fn latest(&self) -> NaiveDate {
        match (self.month, self.day) {
            (Some(m), Some(d)) => NaiveDate::from_ymd_opt(self.year, m, d),
            (Some(m), None) => last_day_of_month(self.year, m),
            _ => NaiveDate::from_ymd_opt(self.year, 12, 31),
        }
        .expect("validated at parse time")
    }
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

impl fmt::Display for EdtfDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        match (self.uncertain, self.approximate) {
            (true, true) => f.write_str("%"),
            (true, false) => f.write_str("?"),
            (false, true) => f.write_str("~"),
            (false, false) => Ok(()),
        }
    }
}

/// One end of an interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bound {
    Date(EdtfDate),
    /// `..`: the interval runs on without a known end.
    Open,
    /// empty: the end exists but is not known.
    Unknown,
}

impl Bound {
    fn date(&self) -> Option<&EdtfDate> {
        match self {
            Bound::Date(d) => Some(d),
            _ => None,
        }
    }
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::Date(d) => d.fmt(f),
            Bound::Open => f.write_str(".."),
            Bound::Unknown => Ok(()),
        }
    }
}

/// A parsed EDTF value: a date or an interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Edtf {
    Date(EdtfDate),
    Interval(Bound, Bound),
}

/// Why a string is not an EDTF value factline accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid EDTF date {input:?}: {reason}")]
pub struct EdtfError {
    pub input: String,
    pub reason: &'static str,
}

/// One EDTF date as [`Edtf::parse`] takes it, as a regular expression with
/// no anchors: a year 0001 to 9999, optionally a month, optionally a day
/// that the calendar has (29 February in leap years only), then optionally
/// `?`, `~` or `%`. Written without look-around so that ECMA-262 (OpenAPI
/// tools), Python's `re` (schemathesis) and the `regex` crate read it alike.
macro_rules! edtf_date {
    () => {
        concat!(
            "(?:",
            // year, year-month, or year-month-day up to the 28th or 30th/31st
            "(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})",
            "(?:-(?:",
            "(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])",
            "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)",
            "|02-(?:0[1-9]|1[0-9]|2[0-8])",
            "|0[1-9]|1[0-2]",
            "))?",
            // 29 February of a leap year (0000 is no year here)
            "|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)-02-29",
            ")[?~%]?"
        )
    };
}

/// A single EDTF date (`2011`, `2011-02`, `2011-02-14`, `2011?`): what
/// `from` and `to` take.
pub const DATE_PATTERN: &str = concat!("^", edtf_date!(), "$");

/// A date, or an interval with at least one known end, without anchors.
macro_rules! edtf_value {
    () => {
        concat!(
            edtf_date!(),
            "(?:/(?:",
            edtf_date!(),
            "|[.][.])?)?|(?:[.][.])?/",
            edtf_date!()
        )
    };
}

/// A date or an interval with at least one known end (`2011/2012`,
/// `2008-01/`, `2008-01/..`, `../2012`): what a record's dates take.
pub const EDTF_PATTERN: &str = concat!("^(?:", edtf_value!(), ")$");

/// An operation's `end`: an EDTF value, or `..` for one that ran on.
pub const END_PATTERN: &str = concat!("^(?:[.][.]|", edtf_value!(), ")$");

/// Stored stand-ins for an open or unknown interval end, so that the overlap
/// filter stays `earliest <= :to AND latest >= :from` with no NULL handling.
pub fn min_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(1, 1, 1).expect("valid")
}

pub fn max_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid")
}

impl Edtf {
    pub fn parse(input: &str) -> Result<Self, EdtfError> {
        let err = |reason| EdtfError {
            input: input.to_owned(),
            reason,
        };
        if input.len() > super::bounds::DATE {
            return Err(err("longer than 64 characters"));
        }
        match input.split_once('/') {
            None => parse_date(input).map(Edtf::Date).map_err(err),
            Some((a, b)) => {
                let start = parse_bound(a).map_err(err)?;
                let end = parse_bound(b).map_err(err)?;
                match (&start, &end) {
                    (Bound::Date(s), Bound::Date(e)) if s.earliest() > e.latest() => {
                        Err(err("interval ends before it starts"))
                    }
                    (Bound::Date(_), _) | (_, Bound::Date(_)) => Ok(Edtf::Interval(start, end)),
                    _ => Err(err("an interval needs at least one known end")),
                }
            }
        }
    }

    /// One date, not an interval ([`DATE_PATTERN`]): what a range's `from`
    /// and `to` take.
    pub fn parse_single(input: &str) -> Result<Self, EdtfError> {
        if input.contains('/') {
            return Err(EdtfError {
                input: input.to_owned(),
                reason: "a single date is expected here, not an interval",
            });
        }
        Self::parse(input)
    }

    /// The coarsest precision among the known parts.
    pub fn precision(&self) -> Precision {
        match self {
            Edtf::Date(d) => d.precision(),
            Edtf::Interval(a, b) => [a.date(), b.date()]
                .into_iter()
                .flatten()
                .map(EdtfDate::precision)
                .max()
                .unwrap_or(Precision::Year),
        }
    }

    /// First day the value can denote; `None` for an open or unknown start.
    pub fn earliest(&self) -> Option<NaiveDate> {
        match self {
            Edtf::Date(d) => Some(d.earliest()),
            Edtf::Interval(a, _) => a.date().map(EdtfDate::earliest),
        }
    }

    /// Last day the value can denote; `None` for an open or unknown end.
    pub fn latest(&self) -> Option<NaiveDate> {
        match self {
            Edtf::Date(d) => Some(d.latest()),
            Edtf::Interval(_, b) => b.date().map(EdtfDate::latest),
        }
    }

    /// Earliest and latest days with open ends widened to the stored stand-ins.
    pub fn span(&self) -> (NaiveDate, NaiveDate) {
        (
            self.earliest().unwrap_or_else(min_day),
            self.latest().unwrap_or_else(max_day),
        )
    }

    pub fn is_uncertain(&self) -> bool {
        self.dates().any(|d| d.uncertain)
    }

    pub fn is_approximate(&self) -> bool {
        self.dates().any(|d| d.approximate)
    }

    fn dates(&self) -> impl Iterator<Item = &EdtfDate> {
        let (a, b) = match self {
            Edtf::Date(d) => (Some(d), None),
            Edtf::Interval(a, b) => (a.date(), b.date()),
        };
        a.into_iter().chain(b)
    }
}

impl fmt::Display for Edtf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Edtf::Date(d) => d.fmt(f),
            Edtf::Interval(a, b) => write!(f, "{a}/{b}"),
        }
    }
}

impl FromStr for Edtf {
    type Err = EdtfError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Edtf::parse(s)
    }
}

/// What is known of an operation's end: a date, that it exists but is not
/// known (EDTF `2008-01/`), or that the operation ran on (`2008-01/..`).
/// Stored and exchanged as the `end` field: a date, `null` or `".."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Known(Edtf),
    Unknown,
    Open,
}

/// What is known of an operation's end, as both doors name it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema, async_graphql::Enum,
)]
#[serde(rename_all = "snake_case")]
pub enum EndState {
    /// The end is a date.
    Known,
    /// The operation ended, but no source says when (EDTF `2008-01/`).
    Unknown,
    /// The operation ran on or is ongoing (EDTF `2008-01/..`).
    Open,
}

impl EndState {
    pub fn as_str(self) -> &'static str {
        match self {
            EndState::Known => "known",
            EndState::Unknown => "unknown",
            EndState::Open => "open",
        }
    }
}

/// The `end` value that says an operation ran on (EDTF's open end).
pub const OPEN_END: &str = "..";

impl End {
    pub fn parse(value: Option<&str>) -> Result<Self, EdtfError> {
        match value {
            None => Ok(End::Unknown),
            Some(OPEN_END) => Ok(End::Open),
            Some(s) => Edtf::parse(s).map(End::Known),
        }
    }

    /// Reads a stored `end`, which was checked when it was written.
    pub fn stored(value: Option<&str>) -> Self {
        End::parse(value).unwrap_or(End::Unknown)
    }

    pub fn state(&self) -> EndState {
        match self {
            End::Known(_) => EndState::Known,
            End::Unknown => EndState::Unknown,
            End::Open => EndState::Open,
        }
    }

    pub fn date(&self) -> Option<&Edtf> {
        match self {
            End::Known(e) => Some(e),
            _ => None,
        }
    }

    /// The last day the operation may have lasted to: for an unknown or open
    /// end, the stored stand-in for "no end", so that it overlaps every range
    /// after its start and is never certainly within a bounded one.
    pub fn latest(&self) -> NaiveDate {
        self.date().map_or_else(max_day, |e| e.span().1)
    }

    /// The whole operation as one EDTF value: `2011-12/2012-03`,
    /// `2008-01/` (unknown end) or `2008-01/..` (open); a single date when
    /// the end is the start.
    pub fn interval(&self, start: &str) -> String {
        match self {
            End::Known(e) if e.to_string() == start => start.to_owned(),
            End::Known(e) => format!("{start}/{e}"),
            End::Unknown => format!("{start}/"),
            End::Open => format!("{start}/{OPEN_END}"),
        }
    }
}

fn parse_bound(s: &str) -> Result<Bound, &'static str> {
    match s {
        ".." => Ok(Bound::Open),
        "" => Ok(Bound::Unknown),
        _ => parse_date(s).map(Bound::Date),
    }
}

fn parse_date(s: &str) -> Result<EdtfDate, &'static str> {
    let (body, uncertain, approximate) = match s.as_bytes().last() {
        Some(b'?') => (&s[..s.len() - 1], true, false),
        Some(b'~') => (&s[..s.len() - 1], false, true),
        Some(b'%') => (&s[..s.len() - 1], true, true),
        _ => (s, false, false),
    };
    let mut parts = body.split('-');
    let year = parts.next().ok_or("empty date")?;
    let month = parts.next();
    let day = parts.next();
    if parts.next().is_some() {
        return Err("expected YYYY, YYYY-MM or YYYY-MM-DD");
    }
    let year = digits(year, 4).ok_or("the year must be four digits")? as i32;
    let month = month
        .map(|m| digits(m, 2).filter(|m| (1..=12).contains(m)))
        .map(|m| m.ok_or("the month must be two digits from 01 to 12"))
        .transpose()?;
    let day = day
        .map(|d| digits(d, 2).ok_or("the day must be two digits"))
        .transpose()?;
    if let (Some(m), Some(d)) = (month, day)
        && NaiveDate::from_ymd_opt(year, m, d).is_none()
    {
        return Err("no such day in the calendar");
    }
    if year == 0 {
        return Err("year 0000 is not supported");
    }
    Ok(EdtfDate {
        year,
        month,
        day,
        uncertain,
        approximate,
    })
}

fn digits(s: &str, n: usize) -> Option<u32> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn an_end_is_known_unknown_or_open() {
        let known = End::parse(Some("2012-03")).unwrap();
        assert_eq!(known.state(), EndState::Known);
        assert_eq!(known.latest(), day("2012-03-31"));
        assert_eq!(known.interval("2011-12"), "2011-12/2012-03");
        assert_eq!(known.interval("2012-03"), "2012-03");
        let unknown = End::parse(None).unwrap();
        assert_eq!(unknown.state(), EndState::Unknown);
        assert_eq!(unknown.latest(), max_day());
        assert_eq!(unknown.interval("2008-01"), "2008-01/");
        let open = End::parse(Some("..")).unwrap();
        assert_eq!(open.state(), EndState::Open);
        let named: Vec<_> = [EndState::Known, EndState::Unknown, EndState::Open]
            .map(EndState::as_str)
            .to_vec();
        assert_eq!(named, crate::domain::vocab::END_STATES);
        assert_eq!(open.latest(), max_day());
        assert_eq!(open.interval("2008-01"), "2008-01/..");
        assert!(End::parse(Some("soon")).is_err());
        assert_eq!(End::stored(Some("..")), End::Open);
    }

    #[test]
    fn year_month_and_day_know_their_bounds() {
        let y = Edtf::parse("2003").unwrap();
        assert_eq!(y.precision(), Precision::Year);
        assert_eq!(y.span(), (day("2003-01-01"), day("2003-12-31")));
        let m = Edtf::parse("2010-12").unwrap();
        assert_eq!(m.precision(), Precision::Month);
        assert_eq!(m.span(), (day("2010-12-01"), day("2010-12-31")));
        let feb = Edtf::parse("2012-02").unwrap();
        assert_eq!(feb.latest(), Some(day("2012-02-29")));
        let d = Edtf::parse("2010-12-08").unwrap();
        assert_eq!(d.precision(), Precision::Day);
        assert_eq!(d.span(), (day("2010-12-08"), day("2010-12-08")));
    }

    #[test]
    fn intervals_take_the_coarser_precision() {
        let i = Edtf::parse("2011-01/2011-02").unwrap();
        assert_eq!(i.precision(), Precision::Month);
        assert_eq!(i.span(), (day("2011-01-01"), day("2011-02-28")));
        let mixed = Edtf::parse("2010-12-06/2011").unwrap();
        assert_eq!(mixed.precision(), Precision::Year);
        let open = Edtf::parse("2011-06/..").unwrap();
        assert_eq!(open.latest(), None);
        assert_eq!(open.span().1, max_day());
        let unknown_start = Edtf::parse("/2012").unwrap();
        assert_eq!(unknown_start.earliest(), None);
    }

    #[test]
    fn qualifiers_are_kept_and_rendered() {
        let q = Edtf::parse("2006-07?").unwrap();
        assert!(q.is_uncertain() && !q.is_approximate());
        assert_eq!(q.precision(), Precision::Month);
        assert_eq!(q.to_string(), "2006-07?");
        let both = Edtf::parse("2006%").unwrap();
        assert!(both.is_uncertain() && both.is_approximate());
        assert_eq!(Edtf::parse("2011~/2012").unwrap().to_string(), "2011~/2012");
    }

    #[test]
    fn invalid_dates_are_refused_with_a_reason() {
        for bad in [
            "",
            "11",
            "2011-13",
            "2011-02-30",
            "2011-1",
            "2011-01-01-01",
            "2011/2010",
            "../..",
            "/",
            "2011?~",
            "0000",
            "abcd",
            "2011-00",
            "２０１１",
        ] {
            assert!(Edtf::parse(bad).is_err(), "{bad:?} should be refused");
        }
        let e = Edtf::parse("2011-13").unwrap_err();
        assert!(e.to_string().contains("month"), "{e}");
    }

    fn unanchored(pattern: &str) -> &str {
        pattern.trim_start_matches('^').trim_end_matches('$')
    }

    /// Every day of four years (one of them a leap year, one a century that
    /// is not), and the months and years around them: the patterns the
    /// document states take exactly what the parser takes.
    #[test]
    fn the_documented_patterns_take_exactly_what_the_parser_takes() {
        let date = regex::Regex::new(DATE_PATTERN).unwrap();
        let edtf = regex::Regex::new(EDTF_PATTERN).unwrap();
        let end = regex::Regex::new(END_PATTERN).unwrap();
        let mut seen = 0;
        for year in [1, 4, 100, 1900, 2000, 2011, 2012, 2024, 9999] {
            for month in 0..=13 {
                for day in 0..=32 {
                    let s = match (month, day) {
                        (0, 0) => format!("{year:04}"),
                        (_, 0) => format!("{year:04}-{month:02}"),
                        (0, _) => continue,
                        _ => format!("{year:04}-{month:02}-{day:02}"),
                    };
                    for q in ["", "?", "~", "%"] {
                        let s = format!("{s}{q}");
                        let ok = Edtf::parse_single(&s).is_ok();
                        assert_eq!(date.is_match(&s), ok, "{s}");
                        assert_eq!(edtf.is_match(&s), ok, "{s}");
                        assert_eq!(end.is_match(&s), ok, "{s}");
                        seen += usize::from(ok);
                    }
                }
            }
        }
        assert!(seen > 4 * 366 * 4);
        for s in [
            "0000",
            "0000-02-29",
            "1900-02-29",
            "2011/2012",
            "../2012",
            "2008-01/",
            "2008-01/..",
            "..",
            "/",
            "../..",
            "/..",
        ] {
            assert_eq!(date.is_match(s), Edtf::parse_single(s).is_ok(), "{s}");
            assert_eq!(edtf.is_match(s), Edtf::parse(s).is_ok(), "{s}");
            assert_eq!(end.is_match(s), End::parse(Some(s)).is_ok(), "{s}");
        }
    }

    proptest! {
        /// Whatever the patterns generate, the parser takes (an interval
        /// may still end before it starts, which no pattern can say).
        #[test]
        fn what_the_patterns_generate_parses(
            d in proptest::string::string_regex(unanchored(DATE_PATTERN)).unwrap(),
            e in proptest::string::string_regex(unanchored(EDTF_PATTERN)).unwrap(),
            n in proptest::string::string_regex(unanchored(END_PATTERN)).unwrap(),
        ) {
            prop_assert!(Edtf::parse_single(&d).is_ok(), "{}", d);
            for (s, r) in [(&e, Edtf::parse(&e).map(|_| ())), (&n, End::parse(Some(&n)).map(|_| ()))] {
                if let Err(err) = r {
                    prop_assert_eq!(err.reason, "interval ends before it starts", "{}", s);
                }
            }
        }

        /// What the parser takes, the patterns take.
        #[test]
        fn what_parses_matches_the_patterns(s in "[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?[?~%]?(/([0-9]{4}(-[0-9]{2})?|\\.\\.)?)?") {
            let edtf = regex::Regex::new(EDTF_PATTERN).unwrap();
            if Edtf::parse(&s).is_ok() {
                prop_assert!(edtf.is_match(&s), "{}", s);
            }
        }

        #[test]
        fn parse_render_parse_is_stable(s in "[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?[?~%]?(/([0-9]{4}(-[0-9]{2})?|\\.\\.)?)?") {
            if let Ok(v) = Edtf::parse(&s) {
                let rendered = v.to_string();
                prop_assert_eq!(&rendered, &s);
                prop_assert_eq!(Edtf::parse(&rendered).unwrap(), v);
                let (a, b) = v.span();
                prop_assert!(a <= b);
            }
        }

        /// Any text at all: refused, or accepted and stable under
        /// parse → render → parse.
        #[test]
        fn any_accepted_text_renders_back_to_the_same_date(
            s in prop_oneof![
                // Near-dates: digits, separators and qualifiers in any order,
                // so some are accepted and many are almost right.
                "[0-9?~%./-]{0,24}",
                "\\PC{0,40}",
            ],
        ) {
            if let Ok(v) = Edtf::parse(&s) {
                let rendered = v.to_string();
                prop_assert_eq!(Edtf::parse(&rendered).unwrap(), v);
            }
        }
    }
}
