//! The GraphQL error adapter: every domain error becomes an error with
//! `extensions.code`, and internal faults never show their text.

use async_graphql::ErrorExtensions;

use crate::error::Error;

/// Codes clients can branch on.
pub mod code {
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const CONFLICT: &str = "CONFLICT";
    pub const UNAVAILABLE: &str = "UNAVAILABLE";
    pub const TOO_MANY_REQUESTS: &str = "TOO_MANY_REQUESTS";
    pub const INTERNAL: &str = "INTERNAL";
}

impl ErrorExtensions for Error {
    fn extend(&self) -> async_graphql::Error {
        let (message, c) = match self {
            Error::NotFound { .. } => (self.to_string(), code::NOT_FOUND),
            Error::Invalid(_) => ("invalid input".to_owned(), code::BAD_USER_INPUT),
            Error::Conflict(m) => (m.clone(), code::CONFLICT),
            Error::Unreadable(_) | Error::TooLarge(_) => (self.to_string(), code::BAD_USER_INPUT),
            Error::Stale { .. } => (self.to_string(), code::CONFLICT),
            Error::UnsupportedMediaType(_) | Error::PreconditionRequired => {
                (self.to_string(), code::BAD_USER_INPUT)
            }
            Error::Unauthenticated => (self.to_string(), code::UNAUTHENTICATED),
            Error::Forbidden(_) => (self.to_string(), code::FORBIDDEN),
            Error::Unavailable(e) => {
                tracing::warn!(error = %e, "database unavailable");
                (
                    "the database is unavailable; retry shortly".to_owned(),
                    code::UNAVAILABLE,
                )
            }
            Error::Busy(m) => (m.clone(), code::UNAVAILABLE),
            Error::Contended(e) => {
                tracing::warn!(error = %e, "write contention outlasted the retries");
                (format!("{self}; retry shortly"), code::UNAVAILABLE)
            }
            Error::TooManyRequests { .. } => (self.to_string(), code::TOO_MANY_REQUESTS),
            Error::TooSlow(e) => {
                tracing::warn!(error = %e, "statement timeout");
                (
                    format!("{self}; narrow the query or retry shortly"),
                    code::UNAVAILABLE,
                )
            }
            Error::Database(e) => {
                tracing::error!(error = %e, "database error");
                ("internal error".to_owned(), code::INTERNAL)
            }
            Error::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                ("internal error".to_owned(), code::INTERNAL)
            }
        };
        async_graphql::Error::new(message).extend_with(|_, ext| {
            ext.set("code", c);
            if let Error::Invalid(fields) = self {
                let list: Vec<async_graphql::Value> = fields
                    .iter()
                    .map(|f| {
                        let mut m = async_graphql::indexmap::IndexMap::new();
                        m.insert(
                            async_graphql::Name::new("field"),
                            async_graphql::Value::from(f.field.clone()),
                        );
                        m.insert(
                            async_graphql::Name::new("message"),
                            async_graphql::Value::from(f.message.clone()),
                        );
                        async_graphql::Value::Object(m)
                    })
                    .collect();
                ext.set("fields", async_graphql::Value::List(list));
            }
        })
    }
}

/// An error raised before anything ran (a refused request), with its code.
pub fn coded(message: impl Into<String>, c: &str) -> async_graphql::ServerError {
    let mut err = async_graphql::ServerError::new(message, None);
    err.extensions
        .get_or_insert_with(Default::default)
        .set("code", c);
    err
}

/// `?` for domain results inside resolvers.
pub trait GqlResult<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> GqlResult<T> for Result<T, Error> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| <Error as ErrorExtensions>::extend(&e))
    }
}

impl<T> GqlResult<T> for Result<T, std::sync::Arc<Error>> {
    fn gql(self) -> async_graphql::Result<T> {
        // Named explicitly: `Arc<Error>: Display` would otherwise pick
        // async-graphql's blanket impl, which sets no code.
        self.map_err(|e| <Error as ErrorExtensions>::extend(&e))
    }
}
