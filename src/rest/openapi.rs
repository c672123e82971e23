//! The OpenAPI document, generated from the handlers' annotations and built
//! once, and `/docs`, a Swagger UI whose assets are compiled into the binary.

use std::sync::LazyLock;

use axum::Router;
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as Document;
use utoipa_swagger_ui::SwaggerUi;

use super::csv::{CsvRecord, describe};
use super::views::{GroupView, LegalOutcomeView, OperationView, SourceView, TargetView};
use super::{export, landing, problem, v1, views, writes};
use crate::startup::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "factline",
        description = "Sourced facts about hacktivism: groups, operations, targets, legal outcomes and the sources behind every one of them. Dates are EDTF strings that keep their precision; money is an exact decimal string; every error is an RFC 9457 problem.",
        license(name = "MIT OR Apache-2.0"),
    ),
    paths(
        v1::list_groups, v1::get_group,
        v1::list_operations, v1::get_operation,
        v1::list_targets, v1::get_target,
        v1::list_legal_outcomes, v1::get_legal_outcome,
        v1::list_sources, v1::get_source,
        v1::search, v1::timeline, v1::stats,
        landing::timeline_svg,
        export::export,
        writes::docs::create_group, writes::docs::update_group, writes::docs::delete_group, writes::docs::group_history,
        writes::docs::create_operation, writes::docs::update_operation, writes::docs::delete_operation, writes::docs::operation_history,
        writes::docs::create_target, writes::docs::update_target, writes::docs::delete_target, writes::docs::target_history,
        writes::docs::create_legal_outcome, writes::docs::update_legal_outcome, writes::docs::delete_legal_outcome, writes::docs::legal_outcome_history,
        writes::docs::create_source, writes::docs::update_source, writes::docs::delete_source, writes::docs::source_history,
        writes::docs::import,
    ),
    modifiers(&BearerAuth),
    components(schemas(problem::Problem, crate::error::FieldError, views::DateView)),
    tags(
        (name = "groups", description = "Hacktivist groups, with names per language, parents and children"),
        (name = "operations", description = "Operations with their groups (and roles), targets, tactics and dates"),
        (name = "targets", description = "Who or what an operation targeted"),
        (name = "legal outcomes", description = "Arrests, charges, pleas, sentences, restitution, damages claims"),
        (name = "sources", description = "The sources every fact cites"),
        (name = "search", description = "Ranked search across every kind of record"),
        (name = "timeline", description = "Operations and legal outcomes in date order"),
        (name = "stats", description = "Counts for charts"),
        (name = "export", description = "The whole database as NDJSON, dataset JSON or a STIX 2.1 bundle, streamed"),
        (name = "import", description = "Whole dataset files, for admins"),
    )
)]
struct ApiDoc;

/// Writes take `Authorization: Bearer <key>` (`factline apikey create`).
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, doc: &mut Document) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API key from `factline apikey create`"))
                    .build(),
            ),
        );
    }
}

/// The document, with each list's CSV columns added to its 200 response.
pub fn document() -> Document {
    let mut doc = ApiDoc::openapi();
    let csv_docs = [
        ("/v1/groups", describe(GroupView::COLUMNS)),
        ("/v1/operations", describe(OperationView::COLUMNS)),
        ("/v1/targets", describe(TargetView::COLUMNS)),
        ("/v1/legal-outcomes", describe(LegalOutcomeView::COLUMNS)),
        ("/v1/sources", describe(SourceView::COLUMNS)),
    ];
    for (path, text) in csv_docs {
        if let Some(op) = doc.paths.paths.get_mut(path).and_then(|p| p.get.as_mut())
            && let Some(utoipa::openapi::RefOr::T(res)) = op.responses.responses.get_mut("200")
        {
            res.description = format!(
                "{}\n\n{text}\nThe same CSV is at `{path}.csv`; its data dictionary (a Frictionless \
                 Tabular Data Resource: each column's type and meaning, and the flattening rules) \
                 is at `{path}/schema`.",
                res.description
            );
        }
    }
    doc
}

static DOCUMENT: LazyLock<Document> = LazyLock::new(document);

/// `/openapi.json` and `/docs`.
pub fn routes() -> Router<AppState> {
    Router::new().merge(SwaggerUi::new("/docs").url("/openapi.json", DOCUMENT.clone()))
}
