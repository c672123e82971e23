//! `GET /`: what factline is, what it holds, where to go next, and the
//! timeline chart; `GET /v1/timeline.svg`: the chart alone.

use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

use super::chart;
use super::params::{Errors, Params};
use crate::domain::export;
use crate::domain::filters::Declared;
use crate::domain::timeline::{self, TimelineFilter};
use crate::error::Result;
use crate::rest::reader::ReadDb;

/// Records fetched for a chart at most (keyset pages of the timeline).
const CHART_CAP: u64 = 5_000;

#[utoipa::path(get, path = "/v1/timeline.svg", tag = "timeline",
    params(TimelineFilter, super::v1::AsOfParams),
    responses(
        (status = 200, description = "The timeline as an SVG chart: records per year stacked by date precision, and every record across its date span (day: dot, month: bar, year or wider: hatched bar)", content_type = "image/svg+xml", body = String),
        (status = 400, description = "A bad parameter, named in `errors`", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn timeline_svg(s: ReadDb, p: Params) -> Result<Response> {
    let mut e = Errors::default();
    e.take(p.only(&[&TimelineFilter::names(), &[crate::rest::params::AS_OF]]))?;
    let filter = e.take(TimelineFilter::read(&p))?;
    e.take(filter.check())?;
    e.finish()?;
    let (spans, total) = timeline::spans(&s.db, &filter, CHART_CAP).await?;
    let mut res = chart::timeline_svg(&spans, total).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml; charset=utf-8"),
    );
    Ok(res)
}

pub async fn landing(s: ReadDb, p: Params) -> Result<Html<String>> {
    p.only(&[&[crate::rest::params::AS_OF]])?;
    let c = export::counts(&s.db).await?;
    let (spans, total) = timeline::spans(&s.db, &TimelineFilter::default(), CHART_CAP).await?;
    let svg = chart::timeline_svg(&spans, total);
    Ok(Html(page(&c, &svg)))
}

fn page(c: &crate::domain::encode::Counts, svg: &str) -> String {
    let version = env!("CARGO_PKG_VERSION");
    format!(
        r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>factline: sourced facts about hacktivism</title>
<style>
  body {{ font: 16px/1.5 system-ui, sans-serif; color: #222; max-width: 1040px; margin: 0 auto; padding: 24px; }}
  h1 {{ margin: 0; font-size: 2rem; }} h2 {{ margin-top: 2rem; font-size: 1.2rem; }}
  .lede {{ color: #444; max-width: 760px; }}
  .counts {{ display: flex; gap: 12px; flex-wrap: wrap; margin: 20px 0; padding: 0; list-style: none; }}
  .counts li {{ border: 1px solid #ddd; border-radius: 6px; padding: 8px 14px; }}
  .counts b {{ display: block; font-size: 1.5rem; }}
  .chart {{ overflow-x: auto; border: 1px solid #eee; border-radius: 6px; }}
  .cols {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 8px 32px; }}
  code {{ background: #f4f4f4; padding: 1px 4px; border-radius: 3px; }}
  a {{ color: #1a56a0; }} footer {{ margin-top: 40px; color: #777; font-size: 14px; }}
</style>
</head>
<body>
<header>
<h1>factline</h1>
<p class="lede">A fact API for research on hacktivism: hacktivist groups (Anonymous first), their
operations, targets and dates, legal outcomes (arrests, charges, pleas, sentences, restitution,
damages claims), and the sources behind every one of them. Dates keep their precision; every fact
cites its sources; Arabic and English are both first class.</p>
</header>
<ul class="counts" aria-label="What the database holds">
<li><b>{groups}</b> groups</li>
<li><b>{operations}</b> operations</li>
<li><b>{targets}</b> targets</li>
<li><b>{outcomes}</b> legal outcomes</li>
<li><b>{sources}</b> sources</li>
</ul>
<h2>Timeline</h2>
<div class="chart">{svg}</div>
<p>Dots are dates known to the day, solid bars dates known to the month, hatched bars dates known only
to the year (or a wider span): an unknown month is never drawn as January. A mark that fades out
is an operation whose end no source gives, or that ran on. Hover for the record,
click to open it. The chart alone, with the timeline's filters:
<a href="/v1/timeline.svg">/v1/timeline.svg</a> (e.g. <a href="/v1/timeline.svg?group=anonymous&amp;from=2010&amp;to=2012"><code>?group=anonymous&amp;from=2010&amp;to=2012</code></a>).</p>
<div class="cols">
<section>
<h2>Explore</h2>
<ul>
<li><a href="/graphql">GraphQL playground</a>: the facts as a typed graph</li>
<li><a href="/docs/">REST API documentation</a> (<a href="/openapi.json">OpenAPI document</a>)</li>
<li><a href="/v1/search?q=anonymous">Search</a>, <a href="/v1/timeline">timeline</a>, <a href="/v1/stats">statistics</a></li>
<li>Lists: <a href="/v1/groups">groups</a>, <a href="/v1/operations">operations</a>, <a href="/v1/targets">targets</a>, <a href="/v1/legal-outcomes">legal outcomes</a>, <a href="/v1/sources">sources</a></li>
</ul>
</section>
<section>
<h2>Take the data with you</h2>
<ul>
<li>Everything: <a href="/v1/export?format=ndjson">NDJSON</a>, <a href="/v1/export?format=json">dataset JSON</a> (both import back), <a href="/v1/export?format=stix">STIX 2.1 bundle</a></li>
<li>CSV for pandas or R: <a href="/v1/operations.csv">operations.csv</a>, with its data dictionary <a href="/v1/operations/schema">/v1/operations/schema</a> (the same for every collection)</li>
<li>Cite the sources: <a href="/v1/sources?format=csl-json">CSL-JSON</a>, <a href="/v1/sources?format=bibtex">BibTeX</a></li>
</ul>
</section>
</div>
<footer>factline {version} · every fact here cites its sources; where sources disagree, the record says so.</footer>
</body>
</html>
"##,
        groups = c.groups,
        operations = c.operations,
        targets = c.targets,
        outcomes = c.legal_outcomes,
        sources = c.sources,
    )
}
