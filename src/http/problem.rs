//! RFC 9457 problem details: every REST error leaves as `application/problem+json`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::{Error, FieldError};

/// An RFC 9457 problem: `status`, a `title`, a `detail`, and for bad input
/// every field at fault in `errors`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Most field errors one problem lists; past that, the last entry says how
/// many more there were, so a request with a thousand bad parameters gets a
/// short answer.
pub const MAX_LISTED_ERRORS: usize = 50;

impl Problem {
    /// Sets the field errors, listing at most [`MAX_LISTED_ERRORS`].
    pub fn with_errors(mut self, mut errors: Vec<FieldError>) -> Self {
        if errors.len() > MAX_LISTED_ERRORS {
            let more = errors.len() - (MAX_LISTED_ERRORS - 1);
            errors.truncate(MAX_LISTED_ERRORS - 1);
            errors.push(FieldError::new(
                "…",
                format!("{more} more errors not listed; fix the ones above first"),
            ));
        }
        self.errors = errors;
        self
    }

    pub fn new(status: StatusCode, detail: impl Into<Option<String>>) -> Self {
        Problem {
            kind: "about:blank".to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = (status, Json(self)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        res
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, detail, errors) = match &self {
            Error::NotFound { .. } => (StatusCode::NOT_FOUND, Some(self.to_string()), vec![]),
            Error::Invalid(errors) => (
                StatusCode::BAD_REQUEST,
                Some("the request has invalid fields".to_owned()),
                errors.clone(),
            ),
            Error::Conflict(m) => (StatusCode::CONFLICT, Some(m.clone()), vec![]),
            Error::Unreadable(_) => (StatusCode::BAD_REQUEST, Some(self.to_string()), vec![]),
            Error::TooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, Some(m.clone()), vec![]),
            Error::Stale { .. } => (
                StatusCode::PRECONDITION_FAILED,
                Some(self.to_string()),
                vec![],
            ),
            Error::UnsupportedMediaType(m) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Some((*m).to_owned()),
                vec![],
            ),
            Error::PreconditionRequired => (
                StatusCode::PRECONDITION_REQUIRED,
                Some(self.to_string()),
                vec![],
            ),
            Error::Unauthenticated => (StatusCode::UNAUTHORIZED, Some(self.to_string()), vec![]),
            Error::Forbidden(_) => (StatusCode::FORBIDDEN, Some(self.to_string()), vec![]),
            Error::Unavailable(e) => {
                tracing::warn!(error = %e, "database unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    Some("the database is unavailable; retry shortly".to_owned()),
                    vec![],
                )
            }
            Error::Busy(m) => (StatusCode::SERVICE_UNAVAILABLE, Some(m.clone()), vec![]),
            Error::Contended(e) => {
                tracing::warn!(error = %e, "write contention outlasted the retries");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    Some(format!("{self}; retry shortly")),
                    vec![],
                )
            }
            Error::TooManyRequests { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                Some(self.to_string()),
                vec![],
            ),
            Error::TooSlow(e) => {
                tracing::warn!(error = %e, "statement timeout");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    Some(format!("{self}; narrow the request or retry shortly")),
                    vec![],
                )
            }
            Error::Database(e) => {
                tracing::error!(error = %e, "database error");
                (StatusCode::INTERNAL_SERVER_ERROR, None, vec![])
            }
            Error::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, None, vec![])
            }
        };
        let p = Problem::new(status, detail);
        let p = p.with_errors(errors);
        let mut res = p.into_response();
        if let Error::TooManyRequests { retry_after } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        } else if status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        res
    }
}

/// The GraphQL over HTTP spec's media type: GraphQL request errors are
/// answered in it with a 4xx, and left so.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// Turns any error response that is not already a problem (axum's plain-text
/// rejections, tower-http's timeout and body-limit answers) into one, so
/// clients meet a single error format.
pub async fn ensure_problem(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    // TAXII answers its errors in its own format (TAXII error messages),
    // and GraphQL request errors are GraphQL responses (the GraphQL over
    // HTTP spec); their clients expect those.
    let is_problem = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes().starts_with(b"application/problem+json")
            || v.as_bytes().starts_with(b"application/taxii+json")
            || v.as_bytes().starts_with(GRAPHQL_RESPONSE_JSON.as_bytes())
    });
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return res;
    }
    let retry_after = res.headers().get(header::RETRY_AFTER).cloned();
    let allow = res.headers().get(header::ALLOW).cloned();
    let body = axum::body::to_bytes(res.into_body(), 4096)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&body);
    let detail = if status.is_server_error() || text.trim().is_empty() {
        None
    } else {
        Some(text.chars().take(300).collect::<String>())
    };
    let mut out = Problem::new(status, detail).into_response();
    if let Some(v) = retry_after {
        out.headers_mut().insert(header::RETRY_AFTER, v);
    }
    if let Some(v) = allow {
        out.headers_mut().insert(header::ALLOW, v);
    }
    out
}
