//! TAXII 2.1, read-only, at `/taxii2/`: discovery, one API root
//! (`/taxii2/factline/`) and one collection holding factline's STIX objects
//! with every version (`domain::stix::collection`). Readers need no key, as
//! elsewhere. Every answer is `application/taxii+json;version=2.1`, errors
//! TAXII error messages; TAXII is not in the OpenAPI document (it has its
//! own specification), and the README lists the routes.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::params::Params;
use crate::domain::stix::collection::{self, Collection, Entry};
use crate::error::Error;
use crate::state::AppState;

/// The media type of every TAXII answer.
pub const TAXII: &str = "application/taxii+json;version=2.1";
const STIX: &str = "application/stix+json;version=2.1";
const ROOT: &str = "/taxii2/factline/";
/// Objects per page unless `limit` asks for fewer; a larger `limit` is
/// capped (the spec lets a server give less than asked).
const PAGE: usize = 1000;
const DEFAULT_PAGE: usize = 100;

/// A TAXII error message.
pub struct TaxiiError(StatusCode, String);

impl IntoResponse for TaxiiError {
    fn into_response(self) -> Response {
        let title = self.0.canonical_reason().unwrap_or("Error");
        let body = json!({"title": title, "description": self.1,
            "http_status": self.0.as_u16().to_string()});
        taxii(self.0, body.to_string(), &[])
    }
}

impl From<Error> for TaxiiError {
    fn from(e: Error) -> Self {
        match e {
            Error::Invalid(fields) => TaxiiError(
                StatusCode::BAD_REQUEST,
                fields
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Error::Busy(m) => TaxiiError(StatusCode::SERVICE_UNAVAILABLE, m),
            other => {
                let res = other.into_response();
                TaxiiError(res.status(), "the collection could not be read".into())
            }
        }
    }
}

type Answer = Result<Response, TaxiiError>;

fn taxii(status: StatusCode, body: String, headers: &[(&'static str, String)]) -> Response {
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(TAXII));
    for (k, v) in headers {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(*k, v);
        }
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    res
}

fn bad(message: impl Into<String>) -> TaxiiError {
    TaxiiError(StatusCode::BAD_REQUEST, message.into())
}

fn not_found(what: &str) -> TaxiiError {
    TaxiiError(StatusCode::NOT_FOUND, format!("no such {what}"))
}

/// Refuses (406) an `Accept` that takes no TAXII 2.1 answer.
fn accepts(headers: &HeaderMap) -> Result<(), TaxiiError> {
    let Some(accept) = headers.get(header::ACCEPT) else {
        return Ok(());
    };
    let ok = accept.to_str().unwrap_or("").split(',').any(|range| {
        let mut parts = range.split(';').map(str::trim);
        let kind = parts.next().unwrap_or("").to_ascii_lowercase();
        let version_ok = parts
            .filter_map(|p| p.split_once('='))
            .filter(|(k, _)| k.trim().eq_ignore_ascii_case("version"))
            .all(|(_, v)| v.trim() == "2.1");
        match kind.as_str() {
            "*/*" | "application/*" => true,
            "application/taxii+json" => version_ok,
            _ => false,
        }
    });
    if ok {
        Ok(())
    } else {
        Err(TaxiiError(
            StatusCode::NOT_ACCEPTABLE,
            format!("this server answers {TAXII}"),
        ))
    }
}

fn root_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = match headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
    {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}{ROOT}")
}

async fn discovery(headers: HeaderMap) -> Answer {
    accepts(&headers)?;
    let root = root_url(&headers);
    let body = json!({"title": "factline",
        "description": "Sourced facts about hacktivism as STIX 2.1: groups, operations, targets, legal outcomes",
        "default": root, "api_roots": [root]});
    Ok(taxii(StatusCode::OK, body.to_string(), &[]))
}

async fn api_root(headers: HeaderMap) -> Answer {
    accepts(&headers)?;
    let body = json!({"title": "factline",
        "description": "factline's one API root: one collection, read-only",
        "versions": [TAXII], "max_content_length": 0});
    Ok(taxii(StatusCode::OK, body.to_string(), &[]))
}

fn collection_resource() -> Value {
    json!({"id": collection::collection_id(), "title": "factline",
        "description": "Every STIX object of factline's export, with every version since its record was created",
        "can_read": true, "can_write": false, "media_types": [STIX]})
}

async fn collections(headers: HeaderMap) -> Answer {
    accepts(&headers)?;
    let body = json!({"collections": [collection_resource()]});
    Ok(taxii(StatusCode::OK, body.to_string(), &[]))
}

fn known(id: &str) -> Result<(), TaxiiError> {
    if id == collection::collection_id() {
        Ok(())
    } else {
        Err(not_found("collection"))
    }
}

async fn one_collection(headers: HeaderMap, Path(id): Path<String>) -> Answer {
    accepts(&headers)?;
    known(&id)?;
    Ok(taxii(
        StatusCode::OK,
        collection_resource().to_string(),
        &[],
    ))
}

/// The collection of the database's latest state, built again after a
/// write. Always from the primary: a lagging replica and the primary taking
/// turns would rebuild it on every request.
async fn current(s: &AppState) -> Result<Arc<Collection>, TaxiiError> {
    let latest = crate::domain::asof::latest(&s.db).await?;
    let mut kept = s.taxii.lock().await;
    if let Some(c) = kept.as_ref()
        && c.seq >= latest
    {
        return Ok(c.clone());
    }
    let built = Arc::new(crate::domain::stix::collection::build_consistent(&s.db).await?);
    *kept = Some(built.clone());
    Ok(built)
}

/// Which versions of each object a request asks for.
enum Version {
    First,
    Last,
    All,
    At(DateTime<Utc>),
}

/// The filters and page of a request.
struct Query {
    added_after: Option<DateTime<Utc>>,
    ids: Option<Vec<String>>,
    kinds: Option<Vec<String>>,
    versions: Vec<Version>,
    /// `match[spec_version]` leaves 2.1 out: nothing matches.
    other_spec: bool,
    limit: usize,
    /// After this (added, id, version).
    next: Option<(DateTime<Utc>, String, String)>,
}

fn time(v: &str, field: &str) -> Result<DateTime<Utc>, TaxiiError> {
    DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            bad(format!(
                "{field}: {v:?} is not a timestamp (e.g. 2024-01-01T00:00:00.000Z)"
            ))
        })
}

fn list(p: &Params, name: &str) -> Result<Option<Vec<String>>, TaxiiError> {
    Ok(p.text(name)?
        .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect()))
}

fn encode_next(e: &Entry) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}\n{}", e.version, e.id))
}

fn decode_next(s: &str) -> Result<(DateTime<Utc>, String, String), TaxiiError> {
    let refuse = || bad("next: not a value this server gave");
    let text = URL_SAFE_NO_PAD.decode(s).map_err(|_| refuse())?;
    let text = String::from_utf8(text).map_err(|_| refuse())?;
    let (version, id) = text.split_once('\n').ok_or_else(refuse)?;
    let added = time(version, "next").map_err(|_| refuse())?;
    Ok((added, id.to_owned(), version.to_owned()))
}

impl Query {
    fn read(p: &Params, allowed: &[&str]) -> Result<Self, TaxiiError> {
        p.only(&[allowed])?;
        let versions = match list(p, "match[version]")? {
            None => vec![Version::Last],
            Some(v) => v
                .iter()
                .map(|v| match v.as_str() {
                    "first" => Ok(Version::First),
                    "last" => Ok(Version::Last),
                    "all" => Ok(Version::All),
                    t => time(t, "match[version]").map(Version::At),
                })
                .collect::<Result<_, _>>()?,
        };
        let limit = match p.int("limit")? {
            None => DEFAULT_PAGE,
            Some(n) if n >= 1 => usize::try_from(n).unwrap_or(PAGE).min(PAGE),
            Some(_) => return Err(bad("limit: a positive integer")),
        };
        Ok(Query {
            added_after: p
                .text("added_after")?
                .map(|v| time(&v, "added_after"))
                .transpose()?,
            ids: list(p, "match[id]")?,
            kinds: list(p, "match[type]")?,
            versions,
            other_spec: list(p, "match[spec_version]")?
                .is_some_and(|v| !v.iter().any(|s| s == "2.1")),
            limit,
            next: p.text("next")?.map(|v| decode_next(&v)).transpose()?,
        })
    }

    /// The entries this request selects, up to its limit, and whether more
    /// follow.
    fn select<'c>(&self, c: &'c Collection) -> (Vec<&'c Entry>, bool) {
        let mut out = Vec::new();
        if self.other_spec {
            return (out, false);
        }
        for e in &c.entries {
            if self.ids.as_ref().is_some_and(|ids| !ids.contains(&e.id))
                || self.kinds.as_ref().is_some_and(|k| !k.contains(&e.kind))
                || self.added_after.is_some_and(|t| e.added <= t)
                || self
                    .next
                    .as_ref()
                    .is_some_and(|(t, id, v)| (e.added, &e.id, &e.version) <= (*t, id, v))
            {
                continue;
            }
            let span = c.span.get(&e.id);
            let wanted = self.versions.iter().any(|v| match v {
                Version::All => true,
                Version::First => span.is_some_and(|(first, _)| *first == e.version),
                Version::Last => span.is_some_and(|(_, last)| *last == e.version),
                Version::At(t) => e.added == *t,
            });
            if !wanted {
                continue;
            }
            if out.len() == self.limit {
                return (out, true);
            }
            out.push(e);
        }
        (out, false)
    }
}

/// The date headers and, with more to come, `next`, of a page.
fn page_parts(page: &[&Entry], more: bool) -> (Vec<(&'static str, String)>, Option<String>) {
    let mut headers = Vec::new();
    if let (Some(first), Some(last)) = (page.first(), page.last()) {
        headers.push(("x-taxii-date-added-first", first.version.clone()));
        headers.push(("x-taxii-date-added-last", last.version.clone()));
    }
    let next = more.then(|| page.last().map(|e| encode_next(e))).flatten();
    (headers, next)
}

fn envelope(page: &[&Entry], more: bool) -> Response {
    let (headers, next) = page_parts(page, more);
    let mut body = format!("{{\"more\":{more}");
    if let Some(n) = next {
        body.push_str(&format!(",\"next\":\"{n}\""));
    }
    if !page.is_empty() {
        body.push_str(",\"objects\":[");
        for (i, e) in page.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(&e.json);
        }
        body.push(']');
    }
    body.push('}');
    taxii(StatusCode::OK, body, &headers)
}

const OBJECT_PARAMS: &[&str] = &[
    "added_after",
    "limit",
    "next",
    "match[id]",
    "match[type]",
    "match[version]",
    "match[spec_version]",
];

/// An object's own route takes no id or type to match.
const ONE_OBJECT_PARAMS: &[&str] = &[
    "added_after",
    "limit",
    "next",
    "match[version]",
    "match[spec_version]",
];

async fn objects(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    p: Params,
) -> Answer {
    accepts(&headers)?;
    known(&id)?;
    let q = Query::read(&p, OBJECT_PARAMS)?;
    let c = current(&s).await?;
    let (page, more) = q.select(&c);
    Ok(envelope(&page, more))
}

/// A request about one object: its query (the object's id to match), and
/// the collection, which must hold the object.
async fn about_object(
    s: &AppState,
    headers: &HeaderMap,
    (id, object): (String, String),
    p: &Params,
    allowed: &[&str],
) -> Result<(Query, Arc<Collection>), TaxiiError> {
    accepts(headers)?;
    known(&id)?;
    let mut q = Query::read(p, allowed)?;
    let c = current(s).await?;
    if !c.span.contains_key(&object) {
        return Err(not_found("object"));
    }
    q.ids = Some(vec![object]);
    Ok((q, c))
}

async fn object(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(ids): Path<(String, String)>,
    p: Params,
) -> Answer {
    let (q, c) = about_object(&s, &headers, ids, &p, ONE_OBJECT_PARAMS).await?;
    let (page, more) = q.select(&c);
    Ok(envelope(&page, more))
}

async fn versions(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(ids): Path<(String, String)>,
    p: Params,
) -> Answer {
    let allowed = &["added_after", "limit", "next", "match[spec_version]"];
    let (mut q, c) = about_object(&s, &headers, ids, &p, allowed).await?;
    q.versions = vec![Version::All];
    let (page, more) = q.select(&c);
    let (headers, next) = page_parts(&page, more);
    let mut body = json!({"more": more,
        "versions": page.iter().map(|e| e.version.clone()).collect::<Vec<_>>()});
    if let Some(n) = next {
        body["next"] = n.into();
    }
    Ok(taxii(StatusCode::OK, body.to_string(), &headers))
}

async fn manifest(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    p: Params,
) -> Answer {
    accepts(&headers)?;
    known(&id)?;
    let q = Query::read(&p, OBJECT_PARAMS)?;
    let c = current(&s).await?;
    let (page, more) = q.select(&c);
    let (headers, next) = page_parts(&page, more);
    let mut body = json!({"more": more});
    if let Some(n) = next {
        body["next"] = n.into();
    }
    if !page.is_empty() {
        body["objects"] = page
            .iter()
            .map(|e| {
                json!({"id": e.id, "date_added": e.version, "version": e.version,
                    "media_type": STIX})
            })
            .collect();
    }
    Ok(taxii(StatusCode::OK, body.to_string(), &headers))
}

/// The TAXII routes.
pub fn routes() -> Router<AppState> {
    const C: &str = "/taxii2/factline/collections/{id}";
    Router::new()
        .route("/taxii2/", get(discovery))
        .route(ROOT, get(api_root))
        .route("/taxii2/factline/collections/", get(collections))
        .route(&format!("{C}/"), get(one_collection))
        .route(&format!("{C}/objects/"), get(objects))
        .route(&format!("{C}/objects/{{object}}/"), get(object))
        .route(&format!("{C}/objects/{{object}}/versions/"), get(versions))
        .route(&format!("{C}/manifest/"), get(manifest))
}
