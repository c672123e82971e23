//! What every write route shares: its error answer, the key and role checked
//! from the headers before the body is read (`gate`), the change reason, the
//! JSON body, preconditions and the rendered record.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use crate::domain::auth::{self};
use crate::domain::write::{self, Collection};
use crate::domain::{Conn, read};
use crate::error::Error;
use crate::http::cache::etag_of;
use crate::http::problem::Problem;
use crate::rest::views;
use crate::state::AppState;

/// A write's error: an invalid record is 422; a malformed request (a body
/// that is not JSON, a bad header) is 400; the rest as everywhere.
pub enum WriteError {
    Record(Error),
    Request(Error),
}

impl From<Error> for WriteError {
    fn from(e: Error) -> Self {
        WriteError::Record(e)
    }
}

impl IntoResponse for WriteError {
    fn into_response(self) -> Response {
        match self {
            WriteError::Record(Error::Invalid(errors)) => {
                let p = Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "the record is not valid; nothing was written".to_owned(),
                );
                let p = p.with_errors(errors);
                p.into_response()
            }
            WriteError::Record(e) | WriteError::Request(e) => e.into_response(),
        }
    }
}

pub(crate) type WriteResult = Result<Response, WriteError>;

pub(crate) fn not_json(e: Error) -> WriteError {
    WriteError::Request(e)
}

/// Authenticates and authorizes a write from its headers alone, before its
/// body is read: an anonymous or under-privileged client never gets the
/// server to buffer anything. The actor goes into the request's extensions
/// for the handler. An import also takes one of the import slots here.
pub async fn gate(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    if matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    ) {
        return next.run(req).await;
    }
    let import = req.uri().path() == "/v1/import";
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let ip = s.limiter.client_ip(req.headers(), peer);
    let actor = match s.limiter.authenticate(&s.db, req.headers(), ip).await {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let checked = if import {
        actor.require(auth::Role::Admin, "importing files")
    } else {
        actor.require(auth::Role::Editor, "writing records")
    };
    if let Err(e) = checked {
        return e.into_response();
    }
    req.extensions_mut().insert(actor);
    if !import {
        return next.run(req).await;
    }
    let Ok(_slot) = s.imports.clone().try_acquire_owned() else {
        return Error::Busy("an import is already running; retry when it has finished".into())
            .into_response();
    };
    next.run(req).await
}

/// What `X-Change-Reason` takes, as the document states it: printable
/// ASCII with something other than spaces. A header has no agreed encoding
/// beyond ASCII (a client may send Latin-1 or UTF-8 bytes alike), so a
/// reason in other scripts goes through GraphQL's `reason` instead.
pub const REASON_PATTERN: &str = "^[ -~]*[!-~][ -~]*$";

/// `X-Change-Reason`, recorded in the revision; refused (400, as a bad
/// header) when it is not printable ASCII or the domain would refuse it,
/// before anything else is looked at.
pub(crate) fn reason(headers: &HeaderMap) -> Result<Option<String>, WriteError> {
    let Some(value) = headers.get("x-change-reason") else {
        return Ok(None);
    };
    let printable = value.as_bytes().iter().all(|b| (b' '..=b'~').contains(b));
    if !printable {
        return Err(WriteError::Request(Error::invalid(
            "reason",
            "X-Change-Reason must be printable ASCII (use GraphQL's `reason` for other scripts)",
        )));
    }
    let r = String::from_utf8_lossy(value.as_bytes()).into_owned();
    write::check_reason(Some(&r)).map_err(WriteError::Request)?;
    Ok(Some(r))
}

pub(crate) fn require_json(headers: &HeaderMap) -> Result<(), Error> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
        });
    if is_json {
        Ok(())
    } else {
        Err(Error::UnsupportedMediaType(
            "writes take a JSON body: Content-Type: application/json",
        ))
    }
}

/// The body as JSON; a body that is not JSON at all is a 400, not a 422.
pub(crate) fn json_body(headers: &HeaderMap, body: &[u8]) -> Result<Value, Error> {
    require_json(headers)?;
    crate::rest::json::parse(body).map_err(|e| Error::invalid("body", format!("not JSON: {e}")))
}

/// The record as GET renders it, with its ETag and the version of the same
/// read, so a tag always stands for exactly one version.
pub(crate) async fn rendered<C: Conn>(
    db: &C,
    c: Collection,
    slug: &str,
) -> Result<(Vec<u8>, String, i32), Error> {
    fn json<T: Serialize>(v: &T) -> Result<Vec<u8>, Error> {
        serde_json::to_vec(v).map_err(|e| Error::Internal(format!("json: {e}")))
    }
    let (bytes, version) = match c {
        Collection::Groups => {
            let m = read::group_by_slug(db, slug).await?;
            let v = m.version;
            (json(&views::groups(db, vec![m]).await?[0])?, v)
        }
        Collection::Operations => {
            let m = read::operation_by_slug(db, slug).await?;
            let v = m.version;
            (json(&views::operations(db, vec![m]).await?[0])?, v)
        }
        Collection::Targets => {
            let m = read::target_by_slug(db, slug).await?;
            let v = m.version;
            (json(&views::targets(db, vec![m]).await?[0])?, v)
        }
        Collection::LegalOutcomes => {
            let m = read::legal_outcome_by_slug(db, slug).await?;
            let v = m.version;
            (json(&views::legal_outcomes(db, vec![m]).await?[0])?, v)
        }
        Collection::Sources => {
            let m = read::source_by_slug(db, slug).await?;
            let v = m.version;
            (json(&views::sources(vec![m])[0])?, v)
        }
    };
    let tag = etag_of(&bytes);
    Ok((bytes, tag, version))
}

pub(crate) fn record_response(
    status: StatusCode,
    c: Collection,
    slug: &str,
    bytes: Vec<u8>,
    tag: &str,
) -> Response {
    let mut res = (status, bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(tag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("/v1/{}/{slug}", c.path())) {
        h.insert(header::LOCATION, v);
    }
    res
}

/// The version the client's `If-Match` names: it must be the record's current ETag.
pub(crate) async fn precondition(
    s: &AppState,
    headers: &HeaderMap,
    c: Collection,
    slug: &str,
) -> Result<i32, Response> {
    let Some(if_match) = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) else {
        return Err(Error::PreconditionRequired.into_response());
    };
    let (_, tag, version) = rendered(&s.db, c, slug)
        .await
        .map_err(IntoResponse::into_response)?;
    // Strong comparison (RFC 9110): a weak tag never matches.
    if !if_match
        .split(',')
        .any(|t| t.trim() == tag || t.trim() == "*")
    {
        return Err(Error::Stale { current: version }.into_response());
    }
    Ok(version)
}
