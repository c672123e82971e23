//! RFC 9457 problem details: every REST error leaves as `application/problem+json`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::{Error, FieldError};

#[derive(Debug, Serialize)]
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

impl Problem {
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
            Error::Database(e) => {
                tracing::error!(error = %e, "database error");
                (StatusCode::INTERNAL_SERVER_ERROR, None, vec![])
            }
            Error::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, None, vec![])
            }
        };
        let mut p = Problem::new(status, detail);
        p.errors = errors;
        let mut res = p.into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        res
    }
}
