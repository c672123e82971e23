//! `GET /v1/export`: the whole database as one streamed download.

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;

use super::params::Params;
use crate::domain::export::{self, Format, Message};
use crate::error::{Error, Result};
use crate::rest::reader::ReadDb;
use crate::state::AppState;
use axum::extract::State;

/// The time an export is of (RFC 3339): the `as_of` asked for, else the
/// latest write it holds.
pub const AS_OF_HEADER: &str = "x-factline-as-of";
/// The SHA-256 of the export's records (`domain::export::Identity`).
pub const SHA256_HEADER: &str = "x-factline-sha256";

/// What `format` takes on an export.
pub const EXPORT_FORMATS: &[&str] = &["ndjson", "json", "stix", "misp-galaxy"];

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ExportParams {
    /// `ndjson` (default): a header line, then one record per line with its
    /// relations and citations, in a stable order; `json`: the dataset file
    /// format; `stix`: a STIX 2.1 bundle; `misp-galaxy`: the groups alone as
    /// a MISP galaxy cluster (a value per group: its other names as
    /// `meta.synonyms`, the URLs of the sources it cites as `meta.refs`, its
    /// MISP galaxy uuid where known, else its id). `ndjson` and `json` are
    /// what `factline import` and `POST /v1/import` read back.
    format: Option<String>,
    /// An RFC 3339 time: every record as it stood then, rebuilt from the
    /// revisions. Without it, the export is of the latest write. Either way
    /// `X-Factline-As-Of` and the header line say which.
    as_of: Option<String>,
}

/// What an `application/json` export is: the dataset file, or with
/// `format=misp-galaxy` a MISP galaxy cluster. Documentation only: the
/// encoders write the bytes. Each shape refuses the other's keys, so a
/// document matches exactly one.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum JsonExport {
    Dataset(crate::domain::dataset::Dataset),
    MispGalaxy(MispGalaxyCluster),
}

/// A MISP galaxy cluster as MISP's `schema_clusters.json` describes it: a
/// value per group (`value`, `uuid`, `description`, `meta.synonyms`,
/// `meta.refs`, `related`).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct MispGalaxyCluster {
    authors: Vec<String>,
    category: String,
    description: String,
    name: String,
    source: String,
    r#type: String,
    uuid: String,
    /// The Unix time of the latest change to any record.
    version: i64,
    #[schema(value_type = Vec<Object>)]
    values: Vec<serde_json::Value>,
}

#[utoipa::path(get, path = "/v1/export", tag = "export",
    params(ExportParams),
    responses(
        (status = 200, description = "Every record, streamed: sources, groups, targets, operations, legal outcomes, each in slug order (`misp-galaxy`: a cluster of the groups, also `application/json`). The header line (NDJSON) or the document's first keys (JSON) repeat `as_of` and `sha256`",
            headers(
                ("X-Factline-As-Of" = String, description = "What the export is of (RFC 3339): the `as_of` asked for, else the time of the latest write it holds. `?as_of=` with it gives the same records again"),
                ("X-Factline-Sha256" = String, description = "The SHA-256 (hex) of the records as the NDJSON export writes them after its header line, the same for every format: `tail -n +2 factline.ndjson | sha256sum`"),
            ),
            content((String = "application/x-ndjson"), (JsonExport = "application/json"), (Object = "application/stix+json;version=2.1"))),
        (status = 400, description = "A bad parameter, named in `errors`", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many exports are running; retry after `Retry-After` seconds", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn export(State(state): State<AppState>, s: ReadDb, p: Params) -> Result<Response> {
    p.only(&[&["format", crate::rest::params::AS_OF]])?;
    let format = match p.choice("format", EXPORT_FORMATS)? {
        None => Format::Ndjson,
        Some(f) => Format::parse(&f).ok_or_else(|| Error::invalid("format", "unknown format"))?,
    };
    let permit = state.exports.clone().try_acquire_owned().map_err(|_| {
        Error::Busy(format!(
            "{} exports are already running; retry shortly",
            crate::state::MAX_CONCURRENT_EXPORTS
        ))
    })?;
    let mut rx = export::spawn(
        s.db.pool().clone(),
        format,
        s.as_of.map(|a| a.at),
        Some(permit),
        state.export_stall,
    );
    // The first message says whether the export could start at all, and
    // what it is of; after it, a failure can only cut the stream short (it
    // is logged).
    let id = match rx.recv().await {
        Some(Message::Failed(e)) => return Err(e),
        Some(Message::Start(_, id)) => id,
        None | Some(Message::Chunk(..) | Message::Done) => {
            return Err(Error::Internal(
                "the export task ended before starting".into(),
            ));
        }
    };
    // An error ends the body without its final chunk, so the client sees a
    // truncated transfer rather than a short file that looks complete.
    let rest = futures::stream::unfold(Some(rx), |rx| async move {
        let mut rx = rx?;
        loop {
            match rx.recv().await {
                Some(Message::Chunk(b, _)) => {
                    return Some((Ok::<_, std::io::Error>(b), Some(rx)));
                }
                Some(Message::Start(..)) => {}
                Some(Message::Done) => return None,
                Some(Message::Failed(e)) => {
                    tracing::error!(error = %e, "export failed mid-stream");
                    return Some((Err(std::io::Error::other("export failed")), None));
                }
                None => {
                    // A stalled reader (logged by the export) or a fault.
                    tracing::warn!("export task ended without finishing");
                    return Some((Err(std::io::Error::other("export cut short")), None));
                }
            }
        }
    });
    // Fused: the compression layer polls the body once more after its end,
    // and `unfold` panics when polled past its end.
    let body = rest.fuse();
    let mut res = Body::from_stream(body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.media_type()),
    );
    if let Some(t) = id
        .as_of
        .as_deref()
        .and_then(|t| HeaderValue::from_str(t).ok())
    {
        h.insert(AS_OF_HEADER, t);
    }
    if let Ok(v) = HeaderValue::from_str(&id.sha256) {
        h.insert(SHA256_HEADER, v);
    }
    let disposition = format!("attachment; filename=\"factline.{}\"", format.extension());
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}
