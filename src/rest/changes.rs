//! `GET /v1/changes`: the change feed, for apps that mirror factline and
//! want only what changed since they last asked.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;

use super::params::Params;
use crate::domain::changes::{self, Changes, DEFAULT_LIMIT, MAX_LIMIT};
use crate::error::{Error, Result};
use crate::state::AppState;

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ChangesParams {
    /// The `next` (or a change's `cursor`) of an earlier answer; from the
    /// first write without it. A cursor from another factline is refused.
    since: Option<String>,
    /// At most this many changes (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/v1/changes", tag = "changes",
    params(ChangesParams),
    responses(
        (status = 200, description = "Every create, update and delete after `since`, in commit order: kind, slug, version, action, time, key id and the record's new state (null for a delete). A write committed while a reader pages is never skipped: it comes after the cursor the reader holds.", body = Changes),
        (status = 400, description = "A bad parameter, named in `errors` (a malformed cursor, or one from another database)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn changes(
    State(state): State<AppState>,
    headers: HeaderMap,
    p: Params,
) -> Result<Json<Changes>> {
    p.only(&[&["since", "limit"]])?;
    let limit = match p.int("limit")? {
        None => DEFAULT_LIMIT,
        Some(n) if (1..=MAX_LIMIT as i64).contains(&n) => n as u64,
        Some(_) => return Err(Error::invalid("limit", "between 1 and 1000")),
    };
    // Not `ReadDb`, which would read an `as_of` state's own history. A
    // read replica shows a prefix of the same history (it applies commits
    // in order), so its cursors and the primary's agree.
    let since = p.text("since")?;
    Ok(Json(
        changes::page(&state.read_conn(&headers), since.as_deref(), "since", limit).await?,
    ))
}
