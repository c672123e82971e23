//! The GraphQL adapter: types and resolvers over the domain, DataLoaders over
//! its batch functions, and the HTTP endpoint with its limits.

mod asof;
pub mod documents;
pub mod error;
pub mod http;
pub mod loaders;
pub mod mutation;
pub mod persisted;
pub mod playground;
pub mod query;
pub mod subscription;
pub mod types;
pub mod ws;

use async_graphql::{Schema, SchemaBuilder};

use crate::config::GraphqlLimits as Limits;
use mutation::Mutation;
use query::Query;
use subscription::Subscription;

pub type FactlineSchema = Schema<Query, Mutation, Subscription>;

/// The schema with its limits and no data: enough for `factline schema`
/// and the SDL test, which need no database.
pub fn schema_builder(limits: &Limits) -> SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(Query, Mutation, Subscription)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_directives(limits.max_directives)
        .limit_recursive_depth(limits.max_recursion)
        .disable_suggestions()
}

/// The SDL of the schema, as committed in `schema.graphql`: with the
/// `@specifiedBy` URLs that introspection announces, so that the file and a
/// schema printed from introspection (graphql-core's `print_schema`) agree.
pub fn sdl() -> String {
    let schema = schema_builder(&Limits::default()).finish();
    let options = async_graphql::SDLExportOptions::new().include_specified_by();
    let mut sdl = schema.sdl_with_options(options);
    // The export leaves out a directive nothing uses (`@oneOf`), which
    // introspection still announces: printed here too, as introspection
    // describes it, so that no client sees a directive the file lacks.
    let query = "{ __schema { directives { name description locations isRepeatable } } }";
    let answer = futures::executor::block_on(schema.execute(query))
        .data
        .into_json();
    let directives = answer
        .ok()
        .and_then(|v| v["__schema"]["directives"].as_array().cloned())
        .unwrap_or_default();
    for d in directives {
        let (Some(name), Some(locations)) = (d["name"].as_str(), d["locations"].as_array()) else {
            continue;
        };
        if BUILT_IN_DIRECTIVES.contains(&name) || sdl.contains(&format!("directive @{name}")) {
            continue;
        }
        let locations: Vec<&str> = locations.iter().filter_map(|l| l.as_str()).collect();
        if let Some(doc) = d["description"].as_str() {
            sdl.push_str(&format!("\"\"\"\n{doc}\n\"\"\"\n"));
        }
        let repeatable = if d["isRepeatable"] == true {
            " repeatable"
        } else {
            ""
        };
        sdl.push_str(&format!(
            "directive @{name}{repeatable} on {}\n",
            locations.join(" | ")
        ));
    }
    sdl
}

/// Directives every GraphQL schema has, which no SDL prints.
const BUILT_IN_DIRECTIVES: &[&str] = &["skip", "include", "deprecated", "specifiedBy"];

/// A lock that outlives a panic while it was held: the caches and
/// connection state behind these locks stay usable (at worst a stale entry),
/// and a poisoned lock must not turn every later request into a panic.
pub(crate) fn unpoisoned<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The executable schema, built once at start-up. It holds no database:
/// each request brings its one handle, a `Reader`, and its loaders (see
/// `http::execute_batched`), so nothing is cached between requests.
pub fn schema(limits: &Limits) -> FactlineSchema {
    schema_builder(limits).finish()
}
