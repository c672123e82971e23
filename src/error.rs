//! The crate-wide error type. Each variant says which HTTP status the REST
//! adapter gives it; the GraphQL adapter maps the same variants to
//! `extensions.code`.

use std::fmt;

/// One problem with one field of the input, named by a path such as
/// `operations[op-payback].start` or `limit`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The parameter or field at fault, e.g. `limit`, `from`, `operations[op-x].start`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 404: no record of this kind with this slug.
    #[error("no {kind} with slug {slug:?}")]
    NotFound { kind: &'static str, slug: String },
    /// 400 for query parameters, 422 for bodies: every field at fault.
    #[error("invalid input: {}", list(.0))]
    Invalid(Vec<FieldError>),
    /// 400 (413 when over the size limit, see the REST adapter): a request
    /// body that could not be read to its end.
    #[error("the body could not be read: {0}")]
    Unreadable(#[source] std::io::Error),
    /// 413: a request body over its size limit.
    #[error("{0}")]
    TooLarge(String),
    /// 409: the write conflicts with the current state (duplicate slug, record in use).
    #[error("conflict: {0}")]
    Conflict(String),
    /// 412 (REST) / CONFLICT (GraphQL): the client's version is not the current one.
    #[error("the record changed since you read it: it is at version {current}")]
    Stale { current: i32 },
    /// 415: the body is not in a media type the route takes.
    #[error("{0}")]
    UnsupportedMediaType(&'static str),
    /// 428: a write without `If-Match`.
    #[error(
        "send If-Match with the record's current ETag (from GET) so no concurrent edit is lost"
    )]
    PreconditionRequired,
    /// 401: no key, or a key that is unknown or revoked.
    #[error("a valid API key is required")]
    Unauthenticated,
    /// 403: the key's role does not allow this.
    #[error("this API key's role does not allow {0}")]
    Forbidden(&'static str),
    /// 503: the database cannot be reached right now.
    #[error("the database is unavailable")]
    Unavailable(#[source] sea_orm::DbErr),
    /// 503 with `Retry-After`: the write kept meeting concurrent writes
    /// (deadlock, serialization failure) after the service's own retries.
    #[error("the write met concurrent writes and could not finish")]
    Contended(#[source] sea_orm::DbErr),
    /// 503: a statement ran past `FACTLINE_DB_STATEMENT_TIMEOUT_MS` and was cancelled.
    #[error("the query ran longer than the database's statement timeout")]
    TooSlow(#[source] sea_orm::DbErr),
    /// 429 with `Retry-After`: the client is over a rate limit (failed key checks).
    #[error("too many requests; retry in {retry_after} s")]
    TooManyRequests { retry_after: u64 },
    /// 503: the service is at a limit it sets itself (e.g. concurrent exports).
    #[error("{0}")]
    Busy(String),
    /// 500: a fault of ours; logged, never shown to clients.
    #[error("database error: {0}")]
    Database(#[source] sea_orm::DbErr),
    /// 500: anything else unexpected.
    #[error("internal error: {0}")]
    Internal(String),
}

fn list(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn not_found(kind: &'static str, slug: impl Into<String>) -> Self {
        Error::NotFound {
            kind,
            slug: slug.into(),
        }
    }
}

/// A database that cannot be reached (no connection to be had, a broken
/// connection, a server shutting down or starting up) is a 503 the client may
/// retry, as is a statement cancelled by the statement timeout; any other
/// database error is ours.
impl From<sea_orm::DbErr> for Error {
    fn from(e: sea_orm::DbErr) -> Self {
        match classify(&e) {
            DbFault::Unreachable => Error::Unavailable(e),
            DbFault::TimedOut => Error::TooSlow(e),
            DbFault::Contended => Error::Contended(e),
            // Validation checked every link inside the write's transaction,
            // so a foreign key that fails at commit was removed by a
            // concurrent write: a conflict the client can resolve by reading
            // again, not a fault of ours.
            DbFault::ForeignKey => Error::Conflict(
                "a record this write links to was deleted or changed by a concurrent write; \
                 read it again and retry"
                    .to_owned(),
            ),
            DbFault::Other => Error::Database(e),
        }
    }
}

enum DbFault {
    Unreachable,
    TimedOut,
    /// Deadlock or serialization failure: the same write may succeed if run again.
    Contended,
    ForeignKey,
    Other,
}

fn classify(e: &sea_orm::DbErr) -> DbFault {
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::{DbErr, RuntimeErr};
    let runtime = match e {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return DbFault::Unreachable,
        DbErr::Query(r) | DbErr::Exec(r) => r,
        _ => return DbFault::Other,
    };
    let RuntimeErr::SqlxError(sqlx) = runtime else {
        return DbFault::Other;
    };
    match sqlx.as_ref() {
        Sqlx::Io(_)
        | Sqlx::Tls(_)
        | Sqlx::PoolTimedOut
        | Sqlx::PoolClosed
        | Sqlx::WorkerCrashed
        | Sqlx::Protocol(_) => DbFault::Unreachable,
        Sqlx::Database(db) => match db.code().as_deref() {
            // query_canceled: the statement timeout fired.
            Some("57014") => DbFault::TimedOut,
            // admin/crash shutdown, cannot connect now, too many connections,
            // and class 08 (connection exception).
            Some("57P01" | "57P02" | "57P03" | "53300") => DbFault::Unreachable,
            // Serialization failure (also a hot standby cancelling a long
            // snapshot on a recovery conflict) and deadlock: retryable.
            Some("40001" | "40P01") => DbFault::Contended,
            // Postgres's foreign_key_violation; SQLite's SQLITE_CONSTRAINT_FOREIGNKEY.
            Some("23503" | "787") => DbFault::ForeignKey,
            Some(c) if c.starts_with("08") => DbFault::Unreachable,
            _ => DbFault::Other,
        },
        _ => DbFault::Other,
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
