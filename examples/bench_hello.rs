//! The HTTP ceiling for `bench/run`: the same axum and tokio as factline,
//! no database and no middleware, answering `GET /bytes/{n}` with a JSON body
//! of exactly `n` bytes. What factline reaches on a scenario, divided by what
//! this reaches with a body of the same size, is how close factline comes to
//! what the HTTP stack allows on this machine.
//!
//!     cargo build --release --example bench_hello
//!     target/release/examples/bench_hello 127.0.0.1:18080

use axum::{
    Router,
    extract::Path,
    http::{StatusCode, header},
    response::IntoResponse,
    routing::get,
};

/// Largest body served: the ceiling is for API responses, not downloads.
const MAX_BYTES: usize = 64 << 20;

async fn bytes(Path(n): Path<usize>) -> impl IntoResponse {
    if !(2..=MAX_BYTES).contains(&n) {
        return (StatusCode::BAD_REQUEST, "n must be between 2 and 67108864").into_response();
    }
    // A JSON string of the requested length, built per request as an API
    // response would be.
    let mut body = String::with_capacity(n);
    body.push('"');
    body.extend(std::iter::repeat_n('x', n - 2));
    body.push('"');
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18080".to_owned());
    let app = Router::new()
        .route("/bytes/{n}", get(bytes))
        .route("/healthz", get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind(&bind).await?;
    axum::serve(listener, app).await
}
