//! The domain layer: the only place that builds queries, validates input and
//! checks permissions. REST handlers and GraphQL resolvers call these plain
//! async functions over a connection and only translate the results.

pub mod aggregate;
pub mod asof;
pub mod auth;
pub mod bounds;
pub mod bundled;
pub mod changes;
pub mod dataset;
pub mod edtf;
pub mod encode;
pub mod export;
pub mod file;
pub mod filters;
pub mod import;
pub mod misp;
pub mod model;
pub mod page;
pub mod read;
pub mod relations;
pub mod search;
pub mod snapshot;
pub mod stats;
pub mod stix;
pub mod text;
pub mod timeline;
pub mod vocab;
pub mod write;

/// The connection every domain function takes: a pool or a transaction.
pub use sea_orm::ConnectionTrait as Conn;
