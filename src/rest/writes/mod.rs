//! Write routes: `POST /v1/{collection}`, `PATCH|DELETE /v1/{collection}/{slug}`,
//! `POST /v1/import`, and the public `GET /v1/{collection}/{slug}/history`.
//!
//! Order of checks: key (401) and role (403) from the headers alone, before
//! a byte of the body is read ([`gate`]), then `If-Match` (428 when missing,
//! 412 when it is not the record's current ETag), then the body (415 not
//! JSON, 400 not parseable, 422 invalid, naming every field).

mod handlers;
mod support;

pub use handlers::docs;
pub use handlers::{
    ImportReportView, RevisionView, create, delete, history, import, routes, update,
};
pub use support::{REASON_PATTERN, WriteError, gate};
