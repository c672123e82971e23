//! The integration suite: one binary, a module per area, each test run on
//! Postgres and on SQLite unless it is about one of them.

#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first unexpected value"
)]
#![allow(
    clippy::disallowed_methods,
    reason = "tests look into the database directly, past db::rows, to check what was stored"
)]

mod helpers;

mod alternatives;
mod architecture;
mod asof;
mod changes;
mod pg;

mod cli;
mod connections;
mod counts;
mod dates;
mod decoders;
mod exports;
mod faults;
mod graphql;
mod graphql_http;
mod hostile;
mod http;
mod import;
mod migrations;
mod misp;
mod ops;
mod paging;
mod parity;
mod reads;
mod rest;
mod search;
mod served;
mod soak;
mod statements;
mod subscriptions;
mod taxii;
mod writes;
