//! The timeline chart, drawn by the server as SVG (no script, no fonts or
//! assets from elsewhere): records per year, stacked by date precision, and
//! below it every record across the span its date allows. A record known to
//! the day is a dot, to the month a short bar, and only to the year (or a
//! coarser interval) a hatched bar over the whole span, so a reader sees at
//! once how precise each date is.
//!
//! Written out by hand: the chart is a few dozen rects and text elements,
//! which no charting crate would make shorter, and plotters' SVG backend
//! draws text without a way to add links or titles.

use std::fmt::Write;

use chrono::{Datelike, NaiveDate};

use crate::domain::timeline::Span;

const WIDTH: f64 = 1000.0;
const LEFT: f64 = 120.0;
const RIGHT: f64 = 20.0;
const OPERATION: &str = "#2b6cb0";
const OUTCOME: &str = "#c05621";
/// The dashed outline of a record whose sources disagree.
const DISPUTED: &str = "#c53030";
/// Individual marks are drawn up to this many records; beyond, the yearly
/// counts alone stay readable.
pub const MAX_MARKS: usize = 1500;
const MAX_ROWS: usize = 24;
/// How far the mark of an operation whose end is not known (it ended on an
/// unknown day, or ran on) reaches past its start, fading out: drawing it to
/// the axis's edge would claim it lasted until the latest record.
const STUB: f64 = 26.0;
const ROW: f64 = 11.0;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Fine {
    Day,
    Month,
    Coarse,
}

fn fineness(precision: &str) -> Fine {
    match precision {
        "day" => Fine::Day,
        "month" => Fine::Month,
        _ => Fine::Coarse,
    }
}

struct Scale {
    years: i32,
    start: NaiveDate,
    end: NaiveDate,
    days: f64,
}

impl Scale {
    fn x(&self, d: NaiveDate) -> f64 {
        let off = (d.clamp(self.start, self.end) - self.start).num_days() as f64;
        LEFT + off / self.days * (WIDTH - LEFT - RIGHT)
    }

    fn year_x(&self, y: i32) -> f64 {
        self.x(NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(self.start))
    }
}

/// The chart for `spans`; `total` is how many records matched (more than
/// `spans.len()` when the caller capped them).
pub fn timeline_svg(spans: &[Span], total: u64) -> String {
    let mut s = String::new();
    if spans.is_empty() {
        let _ = write!(
            s,
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} 60" width="{WIDTH}" height="60" role="img" aria-label="Timeline: no records"><text x="{LEFT}" y="35" font-family="sans-serif" font-size="14" fill="#555">No operations or legal outcomes match.</text></svg>"##
        );
        return s;
    }
    // The axis covers the dates actually known: an open end (`2013/..`) is
    // stored as the first or last representable day and is drawn to the edge.
    let known = |d: &NaiveDate| {
        *d != crate::domain::edtf::min_day() && *d != crate::domain::edtf::max_day()
    };
    let years: Vec<i32> = spans
        .iter()
        .flat_map(|r| [r.earliest, r.latest])
        .filter(known)
        .map(|d| d.year())
        .collect();
    let first = years.iter().copied().min().unwrap_or(2000);
    let last = years.iter().copied().max().unwrap_or(first).max(first);
    let start = NaiveDate::from_ymd_opt(first, 1, 1).unwrap_or_default();
    let end = NaiveDate::from_ymd_opt(last + 1, 1, 1).unwrap_or(start);
    let scale = Scale {
        years: last - first + 1,
        start,
        end,
        days: ((end - start).num_days() as f64).max(1.0),
    };

    // Counts per year (by the year a record's date begins), per precision.
    let mut counts = vec![[[0u32; 3]; 2]; scale.years as usize];
    for r in spans {
        let y = (r.earliest.year() - first).clamp(0, scale.years - 1) as usize;
        let k = usize::from(!r.operation);
        let f = match fineness(&r.precision) {
            Fine::Day => 0,
            Fine::Month => 1,
            Fine::Coarse => 2,
        };
        counts[y][k][f] += 1;
    }
    let max = counts
        .iter()
        .flat_map(|y| y.iter().map(|k| k.iter().sum::<u32>()))
        .max()
        .unwrap_or(1)
        .max(1);

    // Marks, packed into rows per lane so that none overlap.
    let draw_marks = spans.len() <= MAX_MARKS;
    let mut lanes: [Vec<Vec<(f64, &Span)>>; 2] = [Vec::new(), Vec::new()];
    if draw_marks {
        for r in spans {
            let lane = &mut lanes[usize::from(!r.operation)];
            let x0 = scale.x(r.earliest);
            let x1 = if r.end_unknown() {
                x0 + STUB
            } else {
                scale
                    .x(r.latest.succ_opt().unwrap_or(r.latest))
                    .max(x0 + 5.0)
            };
            let row = lane
                .iter()
                .position(|row| row.last().is_none_or(|(end, _)| *end + 3.0 < x0));
            match row {
                Some(i) => lane[i].push((x1, r)),
                None if lane.len() < MAX_ROWS => lane.push(vec![(x1, r)]),
                // Too crowded: the last row takes the rest (they may overlap).
                None => {
                    if let Some(last_row) = lane.last_mut() {
                        last_row.push((x1, r));
                    }
                }
            }
        }
    }
    // The title, then the legend on its own line, then the bars.
    let hist_top = 56.0;
    let hist_h = 110.0;
    let axis_y = hist_top + hist_h;
    let marks_top = axis_y + 40.0;
    let lane_h: Vec<f64> = lanes
        .iter()
        .map(|l| (l.len().max(1) as f64) * ROW + 16.0)
        .collect();
    let marks_h = if draw_marks {
        lane_h.iter().sum::<f64>() + 10.0
    } else {
        30.0
    };
    let height = marks_top + marks_h + 40.0;

    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-labelledby="tl-title" font-family="system-ui, sans-serif" font-size="11">
<title id="tl-title">Timeline of operations and legal outcomes, {first}–{last}</title>
<defs>
<pattern id="hatch-op" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="{OPERATION}" fill-opacity="0.18"/><line x1="0" y1="0" x2="0" y2="6" stroke="{OPERATION}" stroke-width="2.5"/></pattern>
<pattern id="hatch-lo" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="{OUTCOME}" fill-opacity="0.18"/><line x1="0" y1="0" x2="0" y2="6" stroke="{OUTCOME}" stroke-width="2.5"/></pattern>
<linearGradient id="fade-op"><stop offset="0" stop-color="{OPERATION}" stop-opacity="0.85"/><stop offset="1" stop-color="{OPERATION}" stop-opacity="0"/></linearGradient>
<linearGradient id="fade-lo"><stop offset="0" stop-color="{OUTCOME}" stop-opacity="0.85"/><stop offset="1" stop-color="{OUTCOME}" stop-opacity="0"/></linearGradient>
</defs>
<rect width="100%" height="100%" fill="#fff"/>
<text x="{LEFT}" y="18" font-size="14" font-weight="600" fill="#222">Operations and legal outcomes per year ({total} records)</text>
"##
    );
    legend(&mut s, LEFT, 36.0);

    // Year grid and labels.
    let step = ((scale.years as f64) / 20.0).ceil().max(1.0) as i32;
    for i in 0..=scale.years {
        let y = first + i;
        let x = scale.year_x(y);
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{hist_top}" x2="{x:.1}" y2="{}" stroke="#eee"/>"##,
            marks_top + marks_h
        );
        if i < scale.years && i % step == 0 {
            let mid = (x + scale.year_x(y + 1)) / 2.0;
            let _ = writeln!(
                s,
                r##"<text x="{mid:.1}" y="{}" text-anchor="middle" fill="#444">{y}</text>"##,
                axis_y + 16.0
            );
        }
    }
    let _ = writeln!(
        s,
        r##"<line x1="{LEFT}" y1="{axis_y}" x2="{}" y2="{axis_y}" stroke="#888"/>"##,
        WIDTH - RIGHT
    );
    let _ = writeln!(
        s,
        r##"<text x="{}" y="{}" text-anchor="end" fill="#444">{max}</text><text x="{}" y="{axis_y}" text-anchor="end" fill="#444">0</text><text x="10" y="{}" fill="#222">Records per year</text>"##,
        LEFT - 6.0,
        hist_top + 4.0,
        LEFT - 6.0,
        hist_top + hist_h / 2.0
    );

    // Stacked bars: day (solid), month (lighter), year or coarser (hatched).
    for (i, year) in counts.iter().enumerate() {
        let y = first + i as i32;
        let x0 = scale.year_x(y);
        let w = scale.year_x(y + 1) - x0;
        for (k, per) in year.iter().enumerate() {
            let (color, hatch) = if k == 0 {
                (OPERATION, "url(#hatch-op)")
            } else {
                (OUTCOME, "url(#hatch-lo)")
            };
            let bar_w = (w * 0.38).max(1.0);
            let bx = x0 + w * 0.1 + k as f64 * (w * 0.42);
            let mut top = axis_y;
            for (f, n) in per.iter().enumerate() {
                if *n == 0 {
                    continue;
                }
                let h = f64::from(*n) / f64::from(max) * hist_h;
                top -= h;
                let fill = match f {
                    0 => format!(r#"fill="{color}""#),
                    1 => format!(r#"fill="{color}" fill-opacity="0.55""#),
                    _ => format!(r#"fill="{hatch}" stroke="{color}" stroke-width="0.8""#),
                };
                let what = match f {
                    0 => "known to the day",
                    1 => "known to the month",
                    _ => "known only to the year or a wider span",
                };
                let kind = if k == 0 {
                    "operations"
                } else {
                    "legal outcomes"
                };
                let _ = writeln!(
                    s,
                    r#"<rect x="{bx:.1}" y="{top:.1}" width="{bar_w:.1}" height="{h:.1}" {fill}><title>{y}: {n} {kind} {what}</title></rect>"#
                );
            }
        }
    }

    // The marks.
    if draw_marks {
        let mut top = marks_top;
        for (k, lane) in lanes.iter().enumerate() {
            let (label, color, hatch, fade, path) = if k == 0 {
                (
                    "Operations",
                    OPERATION,
                    "url(#hatch-op)",
                    "url(#fade-op)",
                    "operations",
                )
            } else {
                (
                    "Legal outcomes",
                    OUTCOME,
                    "url(#hatch-lo)",
                    "url(#fade-lo)",
                    "legal-outcomes",
                )
            };
            let _ = writeln!(
                s,
                r##"<text x="10" y="{:.1}" fill="#222">{label}</text>"##,
                top + 10.0
            );
            for (row_i, row) in lane.iter().enumerate() {
                let cy = top + 6.0 + row_i as f64 * ROW;
                for (x1, r) in row {
                    let x0 = scale.x(r.earliest);
                    let mut title = format!("{} — {} ({})", r.title, r.edtf, r.precision);
                    let cx = (x0 + scale.x(r.latest.succ_opt().unwrap_or(r.latest))) / 2.0;
                    let point =
                        matches!(fineness(&r.precision), Fine::Day) && r.earliest == r.latest;
                    let mut shape = match fineness(&r.precision) {
                        _ if r.end_unknown() => format!(
                            r#"<rect x="{x0:.1}" y="{:.1}" width="{STUB}" height="7" rx="2" fill="{fade}"/>"#,
                            cy - 3.5
                        ),
                        Fine::Day if point => {
                            format!(r#"<circle cx="{cx:.1}" cy="{cy:.1}" r="3.6" fill="{color}"/>"#)
                        }
                        Fine::Day | Fine::Month => format!(
                            r#"<rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="7" rx="2" fill="{color}" fill-opacity="0.8"/>"#,
                            cy - 3.5,
                            x1 - x0
                        ),
                        Fine::Coarse => format!(
                            r#"<rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="7" fill="{hatch}" stroke="{color}" stroke-width="0.8"/>"#,
                            cy - 3.5,
                            x1 - x0
                        ),
                    };
                    if r.disputed {
                        let (a, b) = if point {
                            (cx - 5.5, cx + 5.5)
                        } else {
                            (x0 - 1.5, x1 + 1.5)
                        };
                        title.push_str(" — disputed");
                        let _ = write!(
                            shape,
                            r#"<rect x="{a:.1}" y="{:.1}" width="{:.1}" height="11" fill="none" stroke="{DISPUTED}" stroke-dasharray="2 1.5"/>"#,
                            cy - 5.5,
                            b - a
                        );
                    }
                    let _ = writeln!(
                        s,
                        r#"<a href="/v1/{path}/{}"><title>{}</title>{shape}</a>"#,
                        esc(&r.slug),
                        esc(&title)
                    );
                }
            }
            top += lane_h[k];
        }
    } else {
        let _ = writeln!(
            s,
            r##"<text x="{LEFT}" y="{:.1}" fill="#555">{} records: too many to draw one by one; narrow the timeline with group, target, from or to.</text>"##,
            marks_top + 14.0,
            spans.len()
        );
    }
    if (spans.len() as u64) < total {
        let _ = writeln!(
            s,
            r##"<text x="{LEFT}" y="{:.1}" fill="#a00">Showing the first {} of {total} records in date order.</text>"##,
            height - 12.0,
            spans.len()
        );
    }
    s.push_str("</svg>\n");
    s
}

fn legend(s: &mut String, x: f64, y: f64) {
    let _ = write!(
        s,
        r##"<g transform="translate({x},{y})" fill="#333">
<rect x="0" y="-8" width="10" height="10" fill="{OPERATION}"/><text x="14" y="1">operation</text>
<rect x="80" y="-8" width="10" height="10" fill="{OUTCOME}"/><text x="94" y="1">legal outcome</text>
<circle cx="190" cy="-3" r="3.6" fill="#555"/><text x="198" y="1">day</text>
<rect x="230" y="-7" width="20" height="7" rx="2" fill="#555" fill-opacity="0.8"/><text x="254" y="1">month</text>
<rect x="300" y="-7" width="34" height="7" fill="url(#hatch-op)" stroke="{OPERATION}" stroke-width="0.8"/><text x="338" y="1">year or span</text>
<rect x="420" y="-9" width="22" height="11" fill="none" stroke="{DISPUTED}" stroke-dasharray="2 1.5"/><text x="446" y="1">disputed: sources disagree</text>
<rect x="610" y="-7" width="{STUB}" height="7" rx="2" fill="url(#fade-op)"/><text x="{}" y="1">end not known</text>
</g>
"##,
        610.0 + STUB + 4.0
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(operation: bool, edtf: &str, precision: &str, from: &str, to: &str) -> Span {
        Span {
            operation,
            slug: format!("s-{edtf}"),
            title: "A <b> & \"c\"".into(),
            edtf: edtf.into(),
            precision: precision.into(),
            earliest: NaiveDate::parse_from_str(from, "%Y-%m-%d").unwrap(),
            latest: NaiveDate::parse_from_str(to, "%Y-%m-%d").unwrap(),
            disputed: edtf.starts_with("2011"),
        }
    }

    #[test]
    fn precision_decides_the_shape_and_text_is_escaped() {
        let svg = timeline_svg(
            &[
                span(true, "2010-12-08", "day", "2010-12-08", "2010-12-08"),
                span(true, "2010-12", "month", "2010-12-01", "2010-12-31"),
                span(false, "2011", "year", "2011-01-01", "2011-12-31"),
            ],
            3,
        );
        assert_eq!(
            svg.matches("<circle").count(),
            2,
            "one day mark + the legend's"
        );
        assert!(svg.contains(r##"fill="url(#hatch-lo)" stroke="#c05621""##));
        // The year-only record spans the whole year: 2010 and 2011 on the axis.
        assert!(svg.contains(">2010</text>") && svg.contains(">2011</text>"));
        assert!(svg.contains("A &lt;b&gt; &amp; &quot;c&quot;"));
        assert!(!svg.contains("<b>"));
        assert!(svg.contains("(3 records)"));
        // The 2011 record is disputed: outlined, said so in its title, and
        // the legend explains the outline.
        assert_eq!(
            svg.matches(r##"stroke="#c53030" stroke-dasharray"##)
                .count(),
            2,
            "one disputed mark + the legend's"
        );
        assert!(svg.contains("(year) — disputed</title>"));
        assert!(svg.contains("disputed: sources disagree"));
    }

    #[test]
    fn open_ends_do_not_stretch_the_axis() {
        let svg = timeline_svg(
            &[
                span(true, "2013/..", "year", "2013-01-01", "9999-12-31"),
                span(false, "../2011", "year", "0001-01-01", "2011-12-31"),
                span(false, "2012-05", "month", "2012-05-01", "2012-05-31"),
            ],
            3,
        );
        assert!(svg.contains(">2011</text>") && svg.contains(">2013</text>"));
        assert!(
            !svg.contains(">9999</text>")
                && !svg.contains(">2010</text>")
                && !svg.contains(">2014</text>")
        );
        assert!(
            svg.matches("<line").count() < 20,
            "a grid line per year, 2011-2013"
        );
    }

    #[test]
    fn an_end_not_known_fades_out_near_its_start_instead_of_reaching_the_edge() {
        let svg = timeline_svg(
            &[
                span(true, "1995-12-21", "day", "1995-12-21", "1995-12-21"),
                span(
                    true,
                    "2006-07-06 – ran on",
                    "day",
                    "2006-07-06",
                    "9999-12-31",
                ),
                span(false, "2025-06", "month", "2025-06-01", "2025-06-30"),
            ],
            3,
        );
        let x0 = {
            let scale_start = NaiveDate::from_ymd_opt(1995, 1, 1).unwrap();
            let end = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
            let day = NaiveDate::from_ymd_opt(2006, 7, 6).unwrap();
            LEFT + (day - scale_start).num_days() as f64 / (end - scale_start).num_days() as f64
                * (WIDTH - LEFT - RIGHT)
        };
        let mark = svg
            .lines()
            .find(|l| l.starts_with("<a href=\"/v1/operations/s-2006"))
            .unwrap();
        let stub = format!(r#"width="{STUB}" height="7" rx="2" fill="url(#fade-op)""#);
        assert!(
            mark.contains(&format!(r#"<rect x="{x0:.1}" y="#)) && mark.contains(&stub),
            "{mark}"
        );
        // The legend says what the fading stub means.
        assert!(svg.contains("end not known"));
        // Only the record whose end is not known fades.
        assert_eq!(
            svg.matches(r#"fill="url(#fade-op)""#).count(),
            2,
            "the stub and the legend's"
        );
    }

    #[test]
    fn no_records_is_a_message_not_an_empty_chart() {
        assert!(timeline_svg(&[], 0).contains("No operations or legal outcomes match"));
    }
}
