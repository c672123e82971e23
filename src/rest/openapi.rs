//! The OpenAPI document, generated from the handlers' annotations and built
//! once, and `/docs`, a Swagger UI whose assets are compiled into the binary.

use std::sync::LazyLock;

use axum::Router;
use axum::body::Bytes;
use axum::http::header;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as Document;
use utoipa_swagger_ui::{Config, SwaggerUi};

use super::csv::{CsvRecord, describe};
use super::views::{GroupView, LegalOutcomeView, OperationView, SourceView, TargetView};
use super::{
    changes, dictionary, export, groups, health, landing, legal_outcomes, operations, search,
    sources, stats, targets, timeline, views, writes,
};
use crate::http::problem;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "factline",
        description = "Sourced facts about hacktivism: groups, operations, targets, legal outcomes and the sources behind every one of them. Dates are EDTF strings that keep their precision; money is an exact decimal string; every error is an RFC 9457 problem.",
        license(name = "MIT OR Apache-2.0"),
    ),
    paths(
        groups::list_groups, groups::get_group,
        operations::list_operations, operations::get_operation,
        targets::list_targets, targets::get_target,
        legal_outcomes::list_legal_outcomes, legal_outcomes::get_legal_outcome,
        sources::list_sources, sources::get_source,
        search::search, timeline::timeline, stats::stats,
        landing::timeline_svg,
        export::export,
        changes::changes,
        writes::docs::create_group, writes::docs::update_group, writes::docs::delete_group, writes::docs::group_history,
        writes::docs::create_operation, writes::docs::update_operation, writes::docs::delete_operation, writes::docs::operation_history,
        writes::docs::create_target, writes::docs::update_target, writes::docs::delete_target, writes::docs::target_history,
        writes::docs::create_legal_outcome, writes::docs::update_legal_outcome, writes::docs::delete_legal_outcome, writes::docs::legal_outcome_history,
        writes::docs::create_source, writes::docs::update_source, writes::docs::delete_source, writes::docs::source_history,
        writes::docs::import,
        dictionary::docs::collection_schema, dictionary::docs::collection_csv,
        health::healthz, health::readyz,
    ),
    modifiers(&BearerAuth),
    components(schemas(problem::Problem, crate::error::FieldError, views::DateView,
        crate::domain::dataset::Dataset, dictionary::docs::CollectionName)),
    tags(
        (name = "groups", description = "Hacktivist groups, with names per language, parents and children"),
        (name = "operations", description = "Operations with their groups (and roles), targets, tactics and dates"),
        (name = "targets", description = "Who or what an operation targeted"),
        (name = "legal outcomes", description = "Arrests, charges, pleas, sentences, restitution, damages claims"),
        (name = "sources", description = "The sources every fact cites"),
        (name = "search", description = "Ranked search across every kind of record"),
        (name = "timeline", description = "Operations and legal outcomes in date order"),
        (name = "stats", description = "Counts for charts"),
        (name = "export", description = "The whole database as NDJSON, dataset JSON, a STIX 2.1 bundle or a MISP galaxy cluster of the groups, streamed; as of any past time, with the SHA-256 to cite it by"),
        (name = "changes", description = "Every write in commit order, for apps that mirror factline"),
        (name = "import", description = "Whole dataset files, for admins"),
        (name = "data dictionary", description = "Each collection as CSV, with a Frictionless description of its columns"),
        (name = "health", description = "Liveness and readiness, for load balancers and container health checks"),
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
    shape_parameters(&mut doc);
    busy_responses(&mut doc);
    let missed = state_bounds(&mut doc);
    debug_assert!(
        missed.is_empty(),
        "bounds for missing properties: {missed:?}"
    );
    doc
}

/// Every route can answer 429 (the client's rate limit) and 503 (the
/// database unreachable, the server busy or shutting down), both with
/// `Retry-After`; a route that documents its own 503 keeps its wording.
fn busy_responses(doc: &mut Document) {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let response = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .header(
                "Retry-After",
                HeaderBuilder::new()
                    .schema(
                        ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .minimum(Some(0)),
                    )
                    .description(Some("Seconds to wait before trying again"))
                    .build(),
            )
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build()
    };
    for item in doc.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
        ];
        for op in ops.into_iter().flatten() {
            let r = &mut op.responses.responses;
            r.entry("429".to_owned()).or_insert_with(|| {
                RefOr::T(response(
                    "Too many requests from this client; retry after `Retry-After` seconds",
                ))
            });
            r.entry("503".to_owned()).or_insert_with(|| {
                RefOr::T(response(
                    "The database does not answer or the server is busy; retry after `Retry-After` seconds",
                ))
            });
        }
    }
}

/// States what each parameter takes that its own declaration does not say
/// (the filters' own parameters come shaped from `filter!`): a slug's
/// pattern, a cursor's alphabet, the `format` and `sort` values each route
/// takes, the change reason's characters, and the length bounds `Params`
/// enforces; all from the constants the checks use, so the document and the
/// checks cannot drift apart.
fn shape_parameters(doc: &mut Document) {
    use super::params::{MAX_CURSOR, MAX_TEXT};
    use crate::domain::filters::declare::{QUERY_PATTERN, or_empty};
    use crate::domain::{bounds, page, read, vocab};
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::schema::{Schema, SchemaType};
    use utoipa::openapi::{RefOr, Required, Type};

    let sorts = |path: &str| match path {
        "/v1/groups" => Some(page::sort_values(&read::GROUP_SORTS)),
        "/v1/targets" => Some(page::sort_values(&read::TARGET_SORTS)),
        "/v1/operations" => Some(page::sort_values(&read::OPERATION_SORTS)),
        "/v1/legal-outcomes" => Some(page::sort_values(&read::LEGAL_OUTCOME_SORTS)),
        "/v1/sources" => Some(page::sort_values(&read::SOURCE_SORTS)),
        _ => None,
    };
    let formats = |path: &str| -> &[&str] {
        if path == "/v1/export" {
            super::export::EXPORT_FORMATS
        } else if path.ends_with("/{slug}") {
            super::cite::RECORD_FORMATS
        } else if path == "/v1/sources" {
            super::v1::SOURCE_LIST_FORMATS
        } else {
            super::v1::LIST_FORMATS
        }
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.patch,
            &mut item.delete,
            &mut item.put,
        ];
        for op in operations.into_iter().flatten() {
            // The HTTP layer (hyper) refuses a request line over 64 KiB with
            // an empty 414 before any handler runs; a query near its bounds
            // can get there once percent-encoded.
            let has_query = op
                .parameters
                .iter()
                .flatten()
                .any(|p| p.parameter_in == ParameterIn::Query);
            if has_query {
                op.responses.responses.insert(
                    "414".to_owned(),
                    utoipa::openapi::RefOr::T(
                        utoipa::openapi::ResponseBuilder::new()
                            .description("The request line is longer than 64 KiB (no body)")
                            .build(),
                    ),
                );
            }
            let is_search = path == "/v1/search";
            for param in op.parameters.iter_mut().flatten() {
                let Some(RefOr::T(Schema::Object(o))) = param.schema.as_mut() else {
                    continue;
                };
                let text = match &o.schema_type {
                    SchemaType::Type(t) => *t == Type::String,
                    SchemaType::Array(ts) => ts.contains(&Type::String),
                    SchemaType::AnyValue => false,
                };
                if !text {
                    continue;
                }
                // Values are listed with "" where an empty value counts as
                // absent (every query text does).
                let listed = |values: Vec<String>| {
                    Some(
                        std::iter::once(String::new())
                            .chain(values)
                            .map(Into::into)
                            .collect(),
                    )
                };
                match (&param.parameter_in, param.name.as_str()) {
                    (ParameterIn::Path, "slug") => {
                        o.pattern = Some(vocab::SLUG_PATTERN.to_owned());
                        o.max_length = Some(bounds::SLUG);
                    }
                    (ParameterIn::Query, "cursor") => {
                        o.pattern = Some(or_empty(page::CURSOR_PATTERN));
                        o.max_length = Some(MAX_CURSOR);
                    }
                    (ParameterIn::Query, "since") => {
                        o.pattern = Some(or_empty(page::CURSOR_PATTERN));
                        o.max_length = Some(crate::domain::changes::MAX_CURSOR);
                    }
                    (ParameterIn::Query, "as_of") => {
                        o.pattern = Some(or_empty(crate::domain::asof::PATTERN));
                        o.max_length = Some(crate::domain::asof::MAX_LEN);
                    }
                    (ParameterIn::Query, "format") => {
                        o.enum_values =
                            listed(formats(path).iter().map(|f| (*f).to_owned()).collect());
                    }
                    (ParameterIn::Query, "sort") => {
                        if let Some(values) = sorts(path) {
                            o.enum_values = listed(values);
                        }
                    }
                    (ParameterIn::Query, "q") if is_search => {
                        param.required = Required::True;
                        o.pattern = Some(QUERY_PATTERN.to_owned());
                        o.max_length = Some(crate::domain::filters::MAX_QUERY_CHARS);
                    }
                    (ParameterIn::Header, "X-Change-Reason") => {
                        o.pattern = Some(super::writes::REASON_PATTERN.to_owned());
                        o.max_length = Some(crate::domain::write::MAX_REASON);
                    }
                    (ParameterIn::Query, _) if o.max_length.is_none() => {
                        o.max_length = Some(MAX_TEXT);
                    }
                    _ => {}
                }
            }
        }
    }
}

/// What the domain enforces on one property of a record schema.
enum Rule {
    MaxLength(usize),
    MinItems(usize),
    MaxItems(usize),
    Range(i64, i64),
    OneOf(&'static [&'static str]),
    ItemsOneOf(&'static [&'static str]),
    /// A code from a list computed once (currencies, countries).
    Listed(fn() -> Vec<String>),
    Pattern(&'static str),
}

/// States the domain's bounds and vocabularies on the record schemas, from
/// the same constants the validator uses (utoipa's attributes take only
/// literals, so they are applied here rather than written twice). Returns
/// the rules whose property was not found, for the test that keeps this
/// table in step with the records.
fn state_bounds(doc: &mut Document) -> Vec<String> {
    use crate::domain::{bounds as b, edtf, vocab as v};
    use Rule::*;
    use utoipa::openapi::schema::{AdditionalProperties, ArrayItems, Schema, SchemaType};
    use utoipa::openapi::{RefOr, Type};

    let rules: &[(&str, &str, Rule)] = &[
        ("Dataset", "description", MaxLength(b::NOTE)),
        (
            "Dataset",
            "format",
            OneOf(&[crate::domain::dataset::FORMAT]),
        ),
        (
            "Dataset",
            "version",
            Range(
                crate::domain::dataset::FORMAT_VERSION as i64,
                crate::domain::dataset::FORMAT_VERSION as i64,
            ),
        ),
        ("NameRecord", "text", MaxLength(b::NAME)),
        ("NameRecord", "lang", MaxLength(b::LANGUAGE_TAG)),
        ("NameRecord", "kind", OneOf(v::NAME_KINDS)),
        ("TextRecord", "text", MaxLength(b::TEXT)),
        ("TextRecord", "lang", MaxLength(b::LANGUAGE_TAG)),
        ("CitationRecord", "source", MaxLength(b::SLUG)),
        ("CitationRecord", "quote", MaxLength(b::QUOTE)),
        ("CitationRecord", "locator", MaxLength(b::LOCATOR)),
        ("CitationRecord", "field", MaxLength(b::CITATION_FIELD)),
        ("SourceRecord", "slug", MaxLength(b::SLUG)),
        ("SourceRecord", "title", MaxLength(b::TITLE)),
        ("SourceRecord", "url", MaxLength(b::URL)),
        ("SourceRecord", "archived_url", MaxLength(b::URL)),
        ("SourceRecord", "publisher", MaxLength(b::LABEL)),
        ("SourceRecord", "published", MaxLength(b::DATE)),
        ("GroupRecord", "founded", MaxLength(b::DATE)),
        ("GroupRecord", "dissolved", MaxLength(b::DATE)),
        ("OperationRecord", "start", MaxLength(b::DATE)),
        ("OperationRecord", "end", MaxLength(b::DATE)),
        ("LegalOutcomeRecord", "date", MaxLength(b::DATE)),
        ("SourceRecord", "language", MaxLength(b::LANGUAGE_TAG)),
        ("SourceRecord", "kind", OneOf(v::SOURCE_KINDS)),
        ("GroupRecord", "slug", MaxLength(b::SLUG)),
        ("GroupRecord", "kind", OneOf(v::GROUP_KINDS)),
        ("GroupRecord", "names", MinItems(1)),
        ("GroupRecord", "names", MaxItems(b::NAMES)),
        ("GroupRecord", "parent", MaxLength(b::SLUG)),
        ("GroupRecord", "texts", MaxItems(b::TEXTS)),
        ("GroupRecord", "citations", MinItems(1)),
        ("GroupRecord", "citations", MaxItems(b::CITATIONS)),
        ("TargetRecord", "slug", MaxLength(b::SLUG)),
        ("TargetRecord", "kind", OneOf(v::TARGET_KINDS)),
        ("TargetRecord", "names", MinItems(1)),
        ("TargetRecord", "names", MaxItems(b::NAMES)),
        ("TargetRecord", "sector", MaxLength(b::LABEL)),
        ("TargetRecord", "citations", MinItems(1)),
        ("TargetRecord", "citations", MaxItems(b::CITATIONS)),
        ("GroupLinkRecord", "group", MaxLength(b::SLUG)),
        ("GroupLinkRecord", "role", OneOf(v::GROUP_ROLES)),
        ("GroupLinkRecord", "citations", MinItems(1)),
        ("GroupLinkRecord", "citations", MaxItems(b::CITATIONS)),
        ("TargetLinkRecord", "target", MaxLength(b::SLUG)),
        ("TargetLinkRecord", "citations", MinItems(1)),
        ("TargetLinkRecord", "citations", MaxItems(b::CITATIONS)),
        ("OperationRecord", "slug", MaxLength(b::SLUG)),
        ("OperationRecord", "names", MinItems(1)),
        ("OperationRecord", "names", MaxItems(b::NAMES)),
        ("OperationRecord", "part_of", MaxLength(b::SLUG)),
        ("OperationRecord", "tactics", MaxItems(b::TACTICS)),
        ("OperationRecord", "tactics", ItemsOneOf(v::TACTICS)),
        ("OperationRecord", "texts", MaxItems(b::TEXTS)),
        ("OperationRecord", "dispute_note", MaxLength(b::NOTE)),
        ("OperationRecord", "groups", MaxItems(b::LINKS)),
        ("OperationRecord", "targets", MaxItems(b::LINKS)),
        ("OperationRecord", "citations", MinItems(1)),
        ("OperationRecord", "citations", MaxItems(b::CITATIONS)),
        ("MoneyRecord", "amount", MaxLength(32)),
        ("MoneyRecord", "currency", MaxLength(3)),
        ("MoneyRecord", "kind", OneOf(v::AMOUNT_KINDS)),
        ("MoneyRecord", "scope", OneOf(v::AMOUNT_SCOPES)),
        ("LegalOutcomeRecord", "slug", MaxLength(b::SLUG)),
        ("LegalOutcomeRecord", "kind", OneOf(v::LEGAL_OUTCOME_KINDS)),
        ("LegalOutcomeRecord", "court", MaxLength(b::LABEL)),
        ("LegalOutcomeRecord", "operation", MaxLength(b::SLUG)),
        ("LegalOutcomeRecord", "group", MaxLength(b::SLUG)),
        (
            "LegalOutcomeRecord",
            "people_count",
            Range(0, b::PEOPLE as i64),
        ),
        ("LegalOutcomeRecord", "person", MaxLength(b::LABEL)),
        ("LegalOutcomeRecord", "texts", MaxItems(b::TEXTS)),
        ("LegalOutcomeRecord", "dispute_note", MaxLength(b::NOTE)),
        ("LegalOutcomeRecord", "citations", MinItems(1)),
        ("LegalOutcomeRecord", "citations", MaxItems(b::CITATIONS)),
        // Shapes, from the patterns and lists the checks use.
        ("SourceRecord", "slug", Pattern(v::SLUG_PATTERN)),
        ("GroupRecord", "slug", Pattern(v::SLUG_PATTERN)),
        ("GroupRecord", "parent", Pattern(v::SLUG_PATTERN)),
        ("TargetRecord", "slug", Pattern(v::SLUG_PATTERN)),
        ("OperationRecord", "slug", Pattern(v::SLUG_PATTERN)),
        ("OperationRecord", "part_of", Pattern(v::SLUG_PATTERN)),
        ("LegalOutcomeRecord", "slug", Pattern(v::SLUG_PATTERN)),
        ("LegalOutcomeRecord", "operation", Pattern(v::SLUG_PATTERN)),
        ("LegalOutcomeRecord", "group", Pattern(v::SLUG_PATTERN)),
        ("GroupLinkRecord", "group", Pattern(v::SLUG_PATTERN)),
        ("TargetLinkRecord", "target", Pattern(v::SLUG_PATTERN)),
        ("CitationRecord", "source", Pattern(v::SLUG_PATTERN)),
        ("SourceRecord", "published", Pattern(edtf::EDTF_PATTERN)),
        ("GroupRecord", "founded", Pattern(edtf::EDTF_PATTERN)),
        ("GroupRecord", "dissolved", Pattern(edtf::EDTF_PATTERN)),
        ("OperationRecord", "start", Pattern(edtf::EDTF_PATTERN)),
        ("OperationRecord", "end", Pattern(edtf::END_PATTERN)),
        ("LegalOutcomeRecord", "date", Pattern(edtf::EDTF_PATTERN)),
        ("NameRecord", "lang", Pattern(v::LANGUAGE_TAG_PATTERN)),
        ("TextRecord", "lang", Pattern(v::LANGUAGE_TAG_PATTERN)),
        ("SourceRecord", "language", Pattern(v::LANGUAGE_TAG_PATTERN)),
        (
            "TargetRecord",
            "country",
            Listed(|| v::countries().into_iter().map(str::to_owned).collect()),
        ),
        (
            "LegalOutcomeRecord",
            "jurisdiction",
            Listed(|| v::jurisdictions().into_iter().map(str::to_owned).collect()),
        ),
        ("MoneyRecord", "currency", Listed(v::currencies)),
    ];

    let mut missed = Vec::new();
    let Some(components) = doc.components.as_mut() else {
        return vec!["components".to_owned()];
    };
    // Records refuse fields they do not know (serde's deny_unknown_fields).
    for (name, schema) in components.schemas.iter_mut() {
        if (name.ends_with("Record") || name == "Dataset")
            && let RefOr::T(Schema::Object(o)) = schema
        {
            o.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
        }
    }
    for (schema, property, rule) in rules {
        let target = match components.schemas.get_mut(*schema) {
            Some(RefOr::T(Schema::Object(o))) => o.properties.get_mut(*property),
            _ => None,
        };
        let applied = match (target, rule) {
            (Some(RefOr::T(Schema::Object(o))), MaxLength(n)) => {
                o.max_length = Some(*n);
                true
            }
            (Some(RefOr::T(Schema::Object(o))), Range(lo, hi)) => {
                o.minimum = Some((*lo as f64).into());
                o.maximum = Some((*hi as f64).into());
                true
            }
            (Some(RefOr::T(Schema::Object(o))), OneOf(values)) => {
                o.enum_values = Some(values.iter().map(|v| (*v).into()).collect());
                true
            }
            (Some(RefOr::T(Schema::Object(o))), Listed(values)) => {
                let mut listed: Vec<serde_json::Value> =
                    values().into_iter().map(Into::into).collect();
                // A nullable field's enum must list null too.
                if matches!(&o.schema_type, SchemaType::Array(ts) if ts.contains(&Type::Null)) {
                    listed.push(serde_json::Value::Null);
                }
                o.enum_values = Some(listed);
                true
            }
            (Some(RefOr::T(Schema::Object(o))), Pattern(p)) => {
                o.pattern = Some((*p).to_owned());
                true
            }
            (Some(RefOr::T(Schema::Array(a))), MinItems(n)) => {
                a.min_items = Some(*n);
                true
            }
            (Some(RefOr::T(Schema::Array(a))), MaxItems(n)) => {
                a.max_items = Some(*n);
                true
            }
            (Some(RefOr::T(Schema::Array(a))), ItemsOneOf(values)) => match &mut a.items {
                ArrayItems::RefOrSchema(item) => match item.as_mut() {
                    RefOr::T(Schema::Object(o)) if o.schema_type == Type::String.into() => {
                        o.enum_values = Some(values.iter().map(|v| (*v).into()).collect());
                        true
                    }
                    _ => false,
                },
                ArrayItems::False => false,
            },
            _ => false,
        };
        if !applied {
            missed.push(format!("{schema}.{property}"));
        }
    }
    missed
}

/// The document as JSON, written once, when it is first asked for. Handing
/// the document itself to Swagger UI kept two copies of its tree in memory for
/// good (this static's and the UI's) and serialized it again for every
/// request. Writing it at start-up left the heap its tree took in the
/// process for good (the allocator keeps freed memory below the live bytes):
/// a large share of an idle server's memory, for a page few requests ask for
/// (bench/README.md, "Measurements behind the code").
static DOCUMENT_JSON: LazyLock<Bytes> = LazyLock::new(|| {
    Bytes::from(serde_json::to_vec(&document()).expect("the OpenAPI document serializes"))
});

/// `/openapi.json` and `/docs`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/openapi.json",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    DOCUMENT_JSON.clone(),
                )
            })
            .layer(axum::middleware::from_fn(crate::http::cache::etag)),
        )
        .merge(SwaggerUi::new("/docs").config(Config::from("/openapi.json")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bound_names_a_real_property() {
        let mut doc = ApiDoc::openapi();
        assert_eq!(state_bounds(&mut doc), Vec::<String>::new());
    }

    /// Every parameter says what it takes: an enum, a pattern, a number's
    /// bounds or a flag; never a bare string a client must guess about.
    /// (`If-Match` is an entity tag from a response, any string.)
    #[test]
    fn every_parameter_states_what_it_takes() {
        let doc = serde_json::to_value(document()).unwrap();
        let mut bare = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for p in op["parameters"].as_array().into_iter().flatten() {
                    let name = p["name"].as_str().unwrap();
                    let schema = &p["schema"];
                    let stated = schema.get("enum").is_some()
                        || schema.get("pattern").is_some()
                        || schema.get("$ref").is_some()
                        || schema["type"] == "integer"
                        || schema["type"] == "boolean"
                        || name == "If-Match";
                    if !stated {
                        bare.push(format!("{method} {path} {name}"));
                    }
                    if schema["type"] == "string" || schema.get("pattern").is_some() {
                        assert!(
                            schema.get("maxLength").is_some()
                                || schema.get("enum").is_some()
                                || name == "If-Match",
                            "{method} {path} {name}: no maxLength"
                        );
                    }
                }
            }
        }
        assert_eq!(bare, Vec::<String>::new());
    }

    /// An alternative's value has its field's shape (a string, a money
    /// object, a count), so its schema must not pin one JSON type.
    #[test]
    fn an_alternative_value_may_be_any_json() {
        let doc = serde_json::to_value(document()).unwrap();
        for schema in ["AlternativeView", "AlternativeRecord"] {
            let value = &doc["components"]["schemas"][schema]["properties"]["value"];
            assert!(value.is_object(), "{schema}");
            assert!(value.get("type").is_none(), "{schema}: {value}");
        }
    }

    /// Every `$ref` points at a component the document holds (a type used
    /// only in a path parameter must still be registered).
    #[test]
    fn every_reference_resolves() {
        fn walk(v: &serde_json::Value, schemas: &serde_json::Value, bad: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(m) => {
                    if let Some(r) = m.get("$ref").and_then(|r| r.as_str()) {
                        let name = r.trim_start_matches("#/components/schemas/");
                        if schemas.get(name).is_none() {
                            bad.push(r.to_owned());
                        }
                    }
                    m.values().for_each(|x| walk(x, schemas, bad));
                }
                serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, schemas, bad)),
                _ => {}
            }
        }
        let doc = serde_json::to_value(document()).unwrap();
        let mut bad = Vec::new();
        walk(&doc, &doc["components"]["schemas"], &mut bad);
        assert_eq!(bad, Vec::<String>::new());
    }
}
