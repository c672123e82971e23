//! A read request's connection: the live records on the replica or the
//! primary ([`AppState::reader`]), or, with `as_of`, the records as they
//! stood then (`domain::asof`).

use crate::state::AppState;

/// Extracts the connection a read request should use (see
/// [`AppState::reader`]): one pooled connection for all its statements.
/// With `as_of` in the query, the connection is to the records as they
/// stood then (`domain::asof`), so every read route answers as of then.
pub struct ReadDb {
    pub db: crate::db::Reader,
    /// The state read, when `as_of` asked for a past one.
    pub as_of: Option<AsOf>,
}

/// A past state a request reads: the time asked for, and the last write
/// at or before it.
#[derive(Debug, Clone, Copy)]
pub struct AsOf {
    pub at: chrono::DateTime<chrono::Utc>,
    pub seq: i64,
}

impl axum::extract::FromRequestParts<AppState> for ReadDb {
    type Rejection = crate::error::Error;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let p = super::params::Params::parse(parts.uri.query().unwrap_or(""))?;
        let Some(at) = p.text(super::params::AS_OF)? else {
            return Ok(ReadDb {
                db: state.read_conn(&parts.headers),
                as_of: None,
            });
        };
        let at = crate::domain::asof::parse(&at, super::params::AS_OF)?;
        let snap = state.snapshots.at(state.reader(&parts.headers), at).await?;
        Ok(ReadDb {
            db: crate::db::Reader::new(&snap.db).counted(state.metrics.read_statements()),
            as_of: Some(AsOf { at, seq: snap.seq }),
        })
    }
}
