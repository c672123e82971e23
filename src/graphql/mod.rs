//! The GraphQL adapter: types and resolvers over the domain, DataLoaders over
//! its batch functions, and the HTTP endpoint with its limits.

pub mod documents;
pub mod error;
pub mod http;
pub mod loaders;
pub mod mutation;
pub mod playground;
pub mod query;
pub mod types;

use async_graphql::{EmptySubscription, Schema, SchemaBuilder};
use clap::Args;
use sea_orm::DatabaseConnection;

use mutation::Mutation;
use query::Query;

pub type FactlineSchema = Schema<Query, Mutation, EmptySubscription>;

/// Limits on every GraphQL request, on by default.
#[derive(Debug, Clone, Args)]
pub struct Limits {
    /// Deepest selection nesting (the playground's introspection query needs about 13).
    #[arg(long, env = "FACTLINE_GRAPHQL_MAX_DEPTH", default_value_t = 15)]
    pub max_depth: usize,
    /// Highest query complexity; list fields multiply their children by `first`.
    #[arg(
        long,
        env = "FACTLINE_GRAPHQL_MAX_COMPLEXITY",
        default_value_t = 100_000
    )]
    pub max_complexity: usize,
    /// Most directives on one field.
    #[arg(long, env = "FACTLINE_GRAPHQL_MAX_DIRECTIVES", default_value_t = 5)]
    pub max_directives: usize,
    /// Deepest recursion while parsing and validating (nested lists, values, fragments).
    #[arg(long, env = "FACTLINE_GRAPHQL_MAX_RECURSION", default_value_t = 32)]
    pub max_recursion: usize,
    /// Most aliases in one document.
    #[arg(long, env = "FACTLINE_GRAPHQL_MAX_ALIASES", default_value_t = 30)]
    pub max_aliases: usize,
    /// Most field selections in one document, fragments included.
    #[arg(long, env = "FACTLINE_GRAPHQL_MAX_FIELDS", default_value_t = 400)]
    pub max_fields: usize,
    /// Largest request body on /graphql, in bytes.
    #[arg(long, env = "FACTLINE_GRAPHQL_MAX_BODY", default_value_t = 64 * 1024)]
    pub max_body: usize,
    /// Parsed documents kept by their text, so a document sent again is not
    /// parsed again (documents up to 8 KiB); 0 keeps none.
    #[arg(long, env = "FACTLINE_GRAPHQL_DOCUMENT_CACHE", default_value_t = 128)]
    pub document_cache: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 15,
            max_complexity: 100_000,
            max_directives: 5,
            max_recursion: 32,
            max_aliases: 30,
            max_fields: 400,
            max_body: 64 * 1024,
            document_cache: 128,
        }
    }
}

/// The schema with its limits and no data: enough for `factline schema`
/// and the SDL test, which need no database.
pub fn schema_builder(limits: &Limits) -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query, Mutation, EmptySubscription)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_directives(limits.max_directives)
        .limit_recursive_depth(limits.max_recursion)
        .disable_suggestions()
}

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    schema_builder(&Limits::default()).finish().sdl()
}

/// The executable schema, built once at start-up. Loaders are per request
/// (see `http::execute_batched`), so nothing is cached between requests.
pub fn schema(db: DatabaseConnection, limits: &Limits) -> FactlineSchema {
    schema_builder(limits).data(db).finish()
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Limits;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        limits: Limits,
    }

    /// The limits a server starts with (clap's defaults) are the ones the
    /// README documents and the tests use (`Limits::default`).
    #[test]
    fn command_line_defaults_match_the_default_limits() {
        let parsed = Cli::parse_from(["factline"]).limits;
        let default = Limits::default();
        assert_eq!(format!("{parsed:?}"), format!("{default:?}"));
    }
}
