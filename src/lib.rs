//! factline: sourced facts about hacktivism over REST and GraphQL.
//!
//! Layout: `db` (connections, migrations, entities), `domain` (every query,
//! validation and permission check), `rest` and `graphql` (the two doors), `startup`
//! (building and running the app), `cli` (the `factline` command).

pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod limits;
pub mod metrics;
pub mod rest;
pub mod startup;
pub mod telemetry;

pub use error::{Error, Result};
