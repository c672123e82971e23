//! factline: sourced facts about hacktivism over REST and GraphQL.
//!
//! Layout (docs/ARCHITECTURE.md): `config` (every setting), `db`
//! (connections, migrations, entities), `domain` (every query, validation and
//! permission check), `http` (the layers both doors share), `state` (what
//! every handler reaches), `rest` and `graphql` (the two doors), `startup`
//! (composing and running the app), `cli` (the `factline` command).

pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod http;
pub mod rest;
pub mod startup;
pub mod state;
pub mod telemetry;

pub use error::{Error, Result};
