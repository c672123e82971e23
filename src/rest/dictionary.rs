//! The CSV data dictionary: `GET /v1/{collection}/schema` describes
//! `/v1/{collection}.csv` (the same as `/v1/{collection}?format=csv`) as a
//! Frictionless Tabular Data Resource: each column with its type, meaning,
//! and how multi-valued fields are flattened. `frictionless validate` and
//! R's and pandas' readers can use it as is.

use axum::Json;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::csv::{Column, CsvRecord, JOIN};
use super::params::Params;
use super::views::{GroupView, LegalOutcomeView, OperationView, SourceView, TargetView};
use super::{groups, legal_outcomes, operations, sources, targets};
use crate::error::Result;
use crate::rest::reader::ReadDb;
use crate::state::AppState;

/// One column as a Table Schema field. Types follow the column's naming
/// rules, which the CSV writer keeps: dates' `_earliest`/`_latest` are ISO
/// days, `_precision` is one of three words, lists are joined with ` | `.
fn field(name: &str, description: &str) -> Value {
    let mut f = json!({ "name": name, "description": description });
    let multi = description.contains("joined with");
    if name.ends_with("_earliest") || name.ends_with("_latest") {
        f["type"] = "date".into();
    } else if name.ends_with("_precision") {
        f["type"] = "string".into();
        f["constraints"] = json!({ "enum": ["year", "month", "day"] });
    } else if name.ends_with("_edtf") {
        f["type"] = "string".into();
        f["format"] = "default".into();
        f["rdfType"] = "https://www.loc.gov/standards/datetime/".into();
    } else if multi {
        f["type"] = "list".into();
        f["delimiter"] = JOIN.into();
        f["itemType"] = "string".into();
    } else {
        match name {
            "version" | "people_count" => f["type"] = "integer".into(),
            "disputed" => {
                f["type"] = "boolean".into();
                f["trueValues"] = json!(["true"]);
                f["falseValues"] = json!(["false"]);
            }
            "amount" => {
                // Exact decimals as written; never read them as floats.
                f["type"] = "number".into();
                f["decimalChar"] = ".".into();
                f["groupChar"] = "".into();
            }
            "url" | "archived_url" => {
                f["type"] = "string".into();
                f["format"] = "uri".into();
            }
            _ => f["type"] = "string".into(),
        }
    }
    if name == "slug" {
        f["constraints"] = json!({ "required": true, "unique": true });
    }
    f
}

/// Where this server is, as the request reached it: the Data Resource spec
/// forbids an absolute path such as `/v1/groups.csv` (frictionless refuses it
/// as unsafe), so `path` is a full URL. The scheme is `X-Forwarded-Proto`'s
/// behind a proxy, else `http`; a Host that is not a URI authority falls back
/// to the loopback address rather than being echoed.
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.parse::<axum::http::uri::Authority>().is_ok())
        .unwrap_or("127.0.0.1");
    let scheme = match headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
    {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}")
}

pub fn resource(base: &str, collection: &str, title: &str, columns: &[Column]) -> Value {
    json!({
        "profile": "tabular-data-resource",
        "name": collection,
        "title": title,
        "path": format!("{base}/v1/{collection}.csv"),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": { "delimiter": ",", "quoteChar": "\"", "header": true, "lineTerminator": "\n" },
        "description": format!(
            "One row per record of /v1/{collection}, with the list's filters (`?format=csv` or \
             `Accept: text/csv` on the list does the same). Multi-valued cells are joined with \
             '{JOIN}'; a date becomes four columns: `_edtf` (the EDTF text as recorded), \
             `_precision`, and the first and last day it can denote (`_earliest`, `_latest`). \
             Empty cells are missing values."
        ),
        "schema": {
            "fields": columns.iter().map(|(n, d)| field(n, d)).collect::<Vec<_>>(),
            "primaryKey": ["slug"],
            "missingValues": [""],
        },
    })
}

macro_rules! collection {
    ($router:ident, $path:literal, $title:literal, $view:ty, $list:path) => {
        $router = $router
            .route(
                concat!("/v1/", $path, "/schema"),
                get(|headers: HeaderMap| async move {
                    Json(resource(
                        &base_url(&headers),
                        $path,
                        $title,
                        <$view>::COLUMNS,
                    ))
                }),
            )
            .route(
                concat!("/v1/", $path, ".csv"),
                get(
                    |s: ReadDb, uri: Uri, mut headers: HeaderMap, p: Params| async move {
                        headers.insert(header::ACCEPT, HeaderValue::from_static("text/csv"));
                        let r: Result<Response> = $list(s, uri, headers, p).await;
                        r
                    },
                ),
            );
    };
}

pub fn routes() -> Router<AppState> {
    let mut r = Router::new();
    collection!(
        r,
        "groups",
        "Hacktivist groups",
        GroupView,
        groups::list_groups
    );
    collection!(
        r,
        "operations",
        "Operations",
        OperationView,
        operations::list_operations
    );
    collection!(r, "targets", "Targets", TargetView, targets::list_targets);
    collection!(
        r,
        "legal-outcomes",
        "Legal outcomes",
        LegalOutcomeView,
        legal_outcomes::list_legal_outcomes
    );
    collection!(r, "sources", "Sources", SourceView, sources::list_sources);
    r
}

/// OpenAPI descriptions of the dictionary and CSV routes, which `routes`
/// builds per collection; these functions only carry the docs.
pub mod docs {
    use crate::http::problem::Problem;

    /// A collection's path segment.
    #[derive(utoipa::ToSchema)]
    #[schema(rename_all = "kebab-case")]
    #[allow(dead_code)]
    pub enum CollectionName {
        Groups,
        Operations,
        Targets,
        LegalOutcomes,
        Sources,
    }

    #[utoipa::path(get, path = "/v1/{collection}/schema", tag = "data dictionary",
        params(("collection" = CollectionName, Path, description = "Which collection's CSV")),
        responses(
            (status = 200, description = "A Frictionless Tabular Data Resource describing `/v1/{collection}.csv`: each column's name, type and meaning, and how lists and dates are flattened", body = Object),
            (status = 404, description = "No such collection", body = Problem, content_type = "application/problem+json"),
        ))]
    #[allow(dead_code)]
    pub fn collection_schema() {}

    #[utoipa::path(get, path = "/v1/{collection}.csv", tag = "data dictionary",
        params(
            ("collection" = CollectionName, Path, description = "Which collection"),
            ("limit" = Option<i64>, Query, description = "Page size; without it, every matching record", minimum = 1, maximum = 100),
            ("cursor" = Option<String>, Query, description = "Opaque cursor from a previous page's `Link: rel=\"next\"` header"),
        ),
        responses(
            (status = 200, description = "The collection as CSV, exactly as `/v1/{collection}?format=csv`; the list's filters apply", content_type = "text/csv", body = String),
            (status = 400, description = "A bad parameter, named in `errors`", body = Problem, content_type = "application/problem+json"),
            (status = 404, description = "No such collection", body = Problem, content_type = "application/problem+json"),
        ))]
    #[allow(dead_code)]
    pub fn collection_csv() {}
}
