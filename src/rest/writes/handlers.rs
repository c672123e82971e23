//! The write routes and the public history.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::support::{
    WriteError, WriteResult, json_body, not_json, precondition, reason, record_response, rendered,
    require_json,
};
use crate::domain::auth::Actor;
use crate::domain::write::{self, Collection};
use crate::error::Error;
use crate::rest::v1::Slug;
use crate::state::AppState;

pub async fn create(
    c: Collection,
    s: AppState,
    actor: Actor,
    headers: HeaderMap,
    body: Bytes,
) -> WriteResult {
    let value = json_body(&headers, &body).map_err(not_json)?;
    let slug = write::create(&s.db, &actor, c, value, reason(&headers)?.as_deref()).await?;
    let (bytes, tag, _) = rendered(&s.db, c, &slug).await?;
    Ok(record_response(StatusCode::CREATED, c, &slug, bytes, &tag))
}

pub async fn update(
    c: Collection,
    s: AppState,
    actor: Actor,
    headers: HeaderMap,
    slug: String,
    body: Bytes,
) -> WriteResult {
    // A body that is not JSON is refused before the version is looked at:
    // it could never apply, whatever the version.
    let patch = json_body(&headers, &body).map_err(not_json)?;
    if !patch.is_object() {
        return Err(WriteError::Request(Error::invalid(
            "body",
            "a merge patch of a record is a JSON object",
        )));
    }
    let version = match precondition(&s, &headers, c, &slug).await {
        Ok(v) => v,
        Err(res) => return Ok(res),
    };
    write::update(
        &s.db,
        &actor,
        c,
        &slug,
        version,
        patch,
        reason(&headers)?.as_deref(),
    )
    .await?;
    let (bytes, tag, _) = rendered(&s.db, c, &slug).await?;
    Ok(record_response(StatusCode::OK, c, &slug, bytes, &tag))
}

pub async fn delete(
    c: Collection,
    s: AppState,
    actor: Actor,
    headers: HeaderMap,
    slug: String,
) -> WriteResult {
    let version = match precondition(&s, &headers, c, &slug).await {
        Ok(v) => v,
        Err(res) => return Ok(res),
    };
    write::delete(
        &s.db,
        &actor,
        c,
        &slug,
        version,
        reason(&headers)?.as_deref(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReportView {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

pub async fn import(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> WriteResult {
    use futures::TryStreamExt;
    use std::sync::atomic::{AtomicBool, Ordering};
    require_json(&headers)?;
    let reason = reason(&headers)?;
    // The body streams into the parser; the body limit's error (a chunked
    // body past `MAX_IMPORT_BODY`) is told apart so it stays a 413.
    let too_large = std::sync::Arc::new(AtomicBool::new(false));
    let flag = too_large.clone();
    let stream = body.into_data_stream().map_err(move |e| {
        let inner = e.into_inner();
        if inner.is::<http_body_util::LengthLimitError>() {
            flag.store(true, Ordering::Relaxed);
        }
        std::io::Error::other(inner)
    });
    let reader = tokio_util::io::SyncIoBridge::new(tokio_util::io::StreamReader::new(stream));
    let r = match write::import_file(&s.db, &actor, reader, reason.as_deref()).await {
        Err(Error::Unreadable(_)) if too_large.load(Ordering::Relaxed) => {
            return Err(WriteError::Request(Error::TooLarge(format!(
                "the file is larger than {} MiB",
                crate::rest::MAX_IMPORT_BODY / (1024 * 1024)
            ))));
        }
        r => r?,
    };
    Ok(Json(ImportReportView {
        created: r.created,
        updated: r.updated,
        unchanged: r.unchanged,
    })
    .into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionView {
    pub version: i32,
    /// create, update or delete.
    pub action: String,
    /// The id of the API key that wrote it (null for the bundled dataset and CLI imports).
    pub actor: Option<Uuid>,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
    /// The record before the write, in the dataset format (null on create).
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    /// The record after the write (null on delete).
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
}

pub async fn history(
    c: Collection,
    s: AppState,
    slug: String,
) -> Result<Json<Vec<RevisionView>>, Error> {
    let revs = write::history(&s.db, c, &slug).await?;
    Ok(Json(
        revs.into_iter()
            .map(|r| RevisionView {
                version: r.version,
                action: r.action,
                actor: r.actor_key_id,
                at: r.at,
                reason: r.reason,
                before: r.before,
                after: r.after,
            })
            .collect(),
    ))
}

/// The write and history routes of one collection.
pub fn routes(c: Collection) -> axum::Router<AppState> {
    use axum::routing::{get, patch, post};
    let list = format!("/v1/{}", c.path());
    let detail = format!("/v1/{}/{{slug}}", c.path());
    let hist = format!("/v1/{}/{{slug}}/history", c.path());
    axum::Router::new()
        .route(
            &list,
            post(
                move |State(s): State<AppState>,
                      Extension(a): Extension<Actor>,
                      h: HeaderMap,
                      b: Bytes| create(c, s, a, h, b),
            ),
        )
        .route(
            &detail,
            patch(
                move |State(s): State<AppState>,
                      Extension(a): Extension<Actor>,
                      h: HeaderMap,
                      Slug(slug): Slug,
                      b: Bytes| update(c, s, a, h, slug, b),
            )
            .delete(
                move |State(s): State<AppState>,
                      Extension(a): Extension<Actor>,
                      h: HeaderMap,
                      Slug(slug): Slug| delete(c, s, a, h, slug),
            ),
        )
        .route(
            &hist,
            get(move |State(s): State<AppState>, Slug(slug): Slug| history(c, s, slug)),
        )
}

/// OpenAPI descriptions of the write routes. The routes themselves are
/// built per collection by `routes`; these functions only carry the docs.
pub mod docs {
    use crate::domain::dataset::{
        Dataset, GroupRecord, LegalOutcomeRecord, OperationRecord, SourceRecord, TargetRecord,
    };
    use crate::http::problem::Problem;
    use crate::rest::writes::handlers::{ImportReportView, RevisionView};

    macro_rules! collection_docs {
        ($tag:literal, $list:literal, $detail:literal, $history:literal, $what:literal, $body:ty,
         $create:ident, $update:ident, $delete:ident, $hist:ident) => {
            #[utoipa::path(post, path = $list, tag = $tag,
                security(("bearer" = [])),
                params(("X-Change-Reason" = Option<String>, Header, description = "Why, recorded in the revision (at most 1,000 characters)")),
                request_body(content = $body, content_type = "application/json",
                    description = concat!("The new ", $what, " in the dataset format (data/README.md): `slug`, its fields, and `citations: [{source, quote?, locator?, field?}]` naming sources by slug. Every record and link needs a citation. At most 256 KiB.")),
                responses(
                    (status = 201, description = "Created; the body is the record as GET shows it, with its ETag and Location"),
                    (status = 400, description = "The body is not JSON, or `X-Change-Reason` is too long or holds control characters", body = Problem, content_type = "application/problem+json"),
                    (status = 401, description = "No key, or an unknown or revoked key", body = Problem, content_type = "application/problem+json"),
                    (status = 403, description = "The key's role may not write", body = Problem, content_type = "application/problem+json"),
                    (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
                    (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
                    (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
                    (status = 422, description = "The record is invalid; `errors` names every field; nothing was written", body = Problem, content_type = "application/problem+json"),
                ))]
            #[allow(dead_code)]
            pub fn $create() {}

            #[utoipa::path(patch, path = $detail, tag = $tag,
                security(("bearer" = [])),
                params(
                    ("slug" = String, Path, description = "The record's slug"),
                    ("If-Match" = String, Header, description = "The record's current ETag, from GET"),
                    ("X-Change-Reason" = Option<String>, Header, description = "Why, recorded in the revision"),
                ),
                request_body(content = Object, content_type = "application/json",
                    description = "A JSON merge patch (RFC 7386) of the record in the dataset format: fields given replace, `null` removes; lists (names, citations, links) are replaced whole. The slug cannot change."),
                responses(
                    (status = 200, description = "Updated; the body is the record as GET shows it, with its new ETag"),
                    (status = 400, description = "The body is not a JSON object, or the slug is too long", body = Problem, content_type = "application/problem+json"),
                    (status = 401, description = "No key, or an unknown or revoked key", body = Problem, content_type = "application/problem+json"),
                    (status = 403, description = "The key's role may not write", body = Problem, content_type = "application/problem+json"),
                    (status = 404, description = "No such record", body = Problem, content_type = "application/problem+json"),
                    (status = 412, description = "If-Match is not the current ETag: someone else wrote first", body = Problem, content_type = "application/problem+json"),
                    (status = 413, description = "The body is larger than 256 KiB", body = Problem, content_type = "application/problem+json"),
                    (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
                    (status = 422, description = "The result would be invalid; nothing was written", body = Problem, content_type = "application/problem+json"),
                    (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
                ))]
            #[allow(dead_code)]
            pub fn $update() {}

            #[utoipa::path(delete, path = $detail, tag = $tag,
                security(("bearer" = [])),
                params(
                    ("slug" = String, Path, description = "The record's slug"),
                    ("If-Match" = String, Header, description = "The record's current ETag, from GET"),
                    ("X-Change-Reason" = Option<String>, Header, description = "Why, recorded in the revision"),
                ),
                responses(
                    (status = 204, description = "Deleted; its history stays"),
                    (status = 400, description = "The slug is too long, or `X-Change-Reason` is too long or holds control characters", body = Problem, content_type = "application/problem+json"),
                    (status = 401, description = "No key, or an unknown or revoked key", body = Problem, content_type = "application/problem+json"),
                    (status = 403, description = "The key's role may not write", body = Problem, content_type = "application/problem+json"),
                    (status = 404, description = "No such record", body = Problem, content_type = "application/problem+json"),
                    (status = 409, description = "Other records still depend on it", body = Problem, content_type = "application/problem+json"),
                    (status = 412, description = "If-Match is not the current ETag", body = Problem, content_type = "application/problem+json"),
                    (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
                ))]
            #[allow(dead_code)]
            pub fn $delete() {}

            #[utoipa::path(get, path = $history, tag = $tag,
                params(("slug" = String, Path, description = "The record's slug, also of a deleted record")),
                responses(
                    (status = 200, description = "Every write to the record, oldest first: who (key id), when, before and after, why", body = Vec<RevisionView>),
                    (status = 400, description = "The slug is too long", body = Problem, content_type = "application/problem+json"),
                    (status = 404, description = "No record ever had this slug", body = Problem, content_type = "application/problem+json"),
                ))]
            #[allow(dead_code)]
            pub fn $hist() {}
        };
    }

    collection_docs!(
        "groups",
        "/v1/groups",
        "/v1/groups/{slug}",
        "/v1/groups/{slug}/history",
        "group",
        GroupRecord,
        create_group,
        update_group,
        delete_group,
        group_history
    );
    collection_docs!(
        "operations",
        "/v1/operations",
        "/v1/operations/{slug}",
        "/v1/operations/{slug}/history",
        "operation (with `groups: [{group, role, citations}]` and `targets: [{target, citations}]` links)",
        OperationRecord,
        create_operation,
        update_operation,
        delete_operation,
        operation_history
    );
    collection_docs!(
        "targets",
        "/v1/targets",
        "/v1/targets/{slug}",
        "/v1/targets/{slug}/history",
        "target",
        TargetRecord,
        create_target,
        update_target,
        delete_target,
        target_history
    );
    collection_docs!(
        "legal outcomes",
        "/v1/legal-outcomes",
        "/v1/legal-outcomes/{slug}",
        "/v1/legal-outcomes/{slug}/history",
        "legal outcome",
        LegalOutcomeRecord,
        create_legal_outcome,
        update_legal_outcome,
        delete_legal_outcome,
        legal_outcome_history
    );
    collection_docs!(
        "sources",
        "/v1/sources",
        "/v1/sources/{slug}",
        "/v1/sources/{slug}/history",
        "source",
        SourceRecord,
        create_source,
        update_source,
        delete_source,
        source_history
    );

    #[utoipa::path(post, path = "/v1/import", tag = "import",
        security(("bearer" = [])),
        params(("X-Change-Reason" = Option<String>, Header, description = "Why, recorded in each revision (default `import`)")),
        request_body(content = Dataset, content_type = "application/json",
            description = "A dataset file in the format of `factline import` (data/README.md), at most 64 MiB. Validated whole; written in one transaction or not at all."),
        responses(
            (status = 200, description = "Imported", body = ImportReportView),
            (status = 400, description = "`X-Change-Reason` is too long or holds control characters", body = Problem, content_type = "application/problem+json"),
            (status = 401, description = "No key, or an unknown or revoked key", body = Problem, content_type = "application/problem+json"),
            (status = 403, description = "Only admin keys may import", body = Problem, content_type = "application/problem+json"),
            (status = 413, description = "The file is too large", body = Problem, content_type = "application/problem+json"),
            (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
            (status = 422, description = "The file has problems, each named by its record; nothing was written", body = Problem, content_type = "application/problem+json"),
        ))]
    #[allow(dead_code)]
    pub fn import() {}
}
