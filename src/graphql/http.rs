//! `/graphql` over HTTP, as the GraphQL over HTTP spec describes it: POST
//! with a JSON body, GET for queries only (and the playground for a
//! browser), one operation per request, every limit checked before anything
//! runs, every error with an `extensions.code`, and the answer in the media
//! type the client accepts (see [`media`]). A document may be named by its
//! hash instead of sent (see [`crate::graphql::persisted`]).

mod batched;
mod media;
mod params;
pub(crate) mod prepare;

use std::net::SocketAddr;

use async_graphql::{ErrorExtensions, Response, ServerError};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response as HttpResponse};
use serde::Serialize;

pub use batched::{execute_batched, execute_guarded};
pub use media::GRAPHQL_RESPONSE_JSON;
use media::Media;
use params::Params;
use prepare::Refusal;

use super::error::code;
use super::persisted::Miss;
use super::playground;
use crate::db::Reader;
use crate::http::problem::Problem;
use crate::state::AppState;

/// What a request came to, before it is written in the client's media type.
enum Answer {
    /// Not a GraphQL request at all (a parameter of the wrong type, the
    /// wrong method): an RFC 9457 problem in either media type.
    Problem(HttpResponse),
    /// A GraphQL request that did not run: errors and no `data`, with this
    /// status under graphql-response+json (200 under json).
    Refused(StatusCode, Vec<ServerError>),
    Executed(Response),
}

fn problem(status: StatusCode, detail: impl Into<String>) -> Answer {
    Answer::Problem(Problem::new(status, detail.into()).into_response())
}

fn refused(status: StatusCode, message: impl Into<String>, c: &str) -> Answer {
    Answer::Refused(status, vec![super::error::coded(message, c)])
}

/// A request error's body: `errors` only, as the spec asks when nothing ran.
#[derive(Serialize)]
struct Errors<'a> {
    errors: &'a [ServerError],
}

/// Whether an executed response is a request error: nothing ran because
/// the document did not validate, named no operation, or needed a variable
/// it was not given. async-graphql reports those inside execution, the same
/// way as field errors, except that field errors always have a path and
/// leave `data` to the fields that did resolve, and that they carry no code
/// of their own (`execute_guarded` gives them BAD_USER_INPUT; a panic or an
/// unavailable database has another). Telling them apart with an
/// async-graphql extension would cost every field resolution a hook.
fn is_request_error(r: &Response) -> bool {
    let bad_input = async_graphql::Value::from(code::BAD_USER_INPUT);
    r.data == async_graphql::Value::Null
        && !r.errors.is_empty()
        && r.errors.iter().all(|e| {
            e.path.is_empty()
                && e.extensions.as_ref().and_then(|x| x.get("code")) == Some(&bad_input)
        })
}

fn respond(media: Media, answer: Answer) -> HttpResponse {
    let mut res = match answer {
        Answer::Problem(res) => res,
        Answer::Refused(status, errors) => media.reply(status, &Errors { errors: &errors }),
        Answer::Executed(r) if is_request_error(&r) => {
            media.reply(StatusCode::BAD_REQUEST, &Errors { errors: &r.errors })
        }
        Answer::Executed(r) => media.reply(StatusCode::OK, &r),
    };
    res.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    res
}

fn not_acceptable() -> HttpResponse {
    Problem::new(
        StatusCode::NOT_ACCEPTABLE,
        format!("/graphql answers application/json or {GRAPHQL_RESPONSE_JSON}"),
    )
    .into_response()
}

pub async fn post(
    State(s): State<AppState>,
    peer: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResponse {
    let Some(media) = Media::negotiate(&headers) else {
        return not_acceptable();
    };
    let answer = match post_params(&headers, &body) {
        Err(problem) => Answer::Problem(problem.into_response()),
        Ok(params) => {
            let mut auth = HeaderMap::new();
            if let Some(v) = headers.get(header::AUTHORIZATION) {
                auth.insert(header::AUTHORIZATION, v.clone());
            }
            let credentials = super::mutation::Credentials {
                headers: auth,
                ip: s.limiter.client_ip(&headers, peer.map(|p| (p.0).0)),
                limiter: s.limiter.clone(),
            };
            run(&s, &headers, params, Some(credentials)).await
        }
    };
    respond(media, answer)
}

/// A POST's parameters, or the problem that makes it no GraphQL request.
fn post_params(headers: &HeaderMap, body: &[u8]) -> Result<Params, Problem> {
    let problem = |status, detail: String| Problem::new(status, detail);
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        // The spec's request type; the response type too, as some clients
        // send it and the endpoint always took it.
        .is_some_and(|m| {
            m.essence_str() == "application/json" || m.essence_str() == GRAPHQL_RESPONSE_JSON
        });
    if !json {
        return Err(problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "POST /graphql takes a JSON body: Content-Type: application/json".to_owned(),
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        problem(
            StatusCode::BAD_REQUEST,
            format!("the body is not JSON: {e}"),
        )
    })?;
    if value.is_array() {
        return Err(problem(
            StatusCode::BAD_REQUEST,
            "batched requests are not supported; send one operation per request".to_owned(),
        ));
    }
    Params::from_body(value).map_err(|m| problem(StatusCode::BAD_REQUEST, m))
}

pub async fn get(State(s): State<AppState>, headers: HeaderMap, uri: Uri) -> HttpResponse {
    let params = Params::from_query_string(uri.query().unwrap_or(""));
    if let Ok(p) = &params
        && p.query.is_none()
        && p.extensions.is_none()
    {
        let wants_html = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
        if wants_html {
            return playground::page();
        }
    }
    let Some(media) = Media::negotiate(&headers) else {
        return not_acceptable();
    };
    let answer = match params {
        Ok(params) => run(&s, &headers, params, None).await,
        Err(m) => problem(StatusCode::BAD_REQUEST, m),
    };
    respond(media, answer)
}

/// One request through the pipeline: its text (sent, or named by a hash),
/// the document checks, the `asOf` choice of database, execution.
/// `credentials` are a POST's; without them (GET) only queries run.
async fn run(
    s: &AppState,
    headers: &HeaderMap,
    mut params: Params,
    credentials: Option<super::mutation::Credentials>,
) -> Answer {
    let resolved = match s
        .graphql_persisted
        .resolve(params.query.take(), params.extensions.as_ref())
    {
        Ok(r) => r,
        Err(Miss::Malformed(m)) => return problem(StatusCode::BAD_REQUEST, m),
        Err(miss) => {
            let (message, c) = miss.message_and_code();
            return refused(miss.status(), message, c);
        }
    };
    let parsed = match prepare::document(s, &resolved.text, credentials.is_none()) {
        Ok(p) => p,
        Err(Refusal::Document(m)) => {
            return refused(StatusCode::BAD_REQUEST, m, code::BAD_USER_INPUT);
        }
        Err(Refusal::NotAQuery) => {
            let mut res = Problem::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "GET /graphql runs queries only; send mutations with POST".to_owned(),
            )
            .into_response();
            res.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return Answer::Problem(res);
        }
    };
    if prepare::subscribes(&parsed.doc) {
        return refused(
            StatusCode::BAD_REQUEST,
            "subscriptions run over WebSocket: graphql-transport-ws at ws://<host>/graphql",
            code::BAD_USER_INPUT,
        );
    }
    let mutation = parsed.mutation;
    let register = resolved.register.map(|hash| (hash, resolved.text.clone()));
    let mut request = params.into_request(resolved.text);
    let as_of = match super::asof::requested(
        &parsed.doc,
        request.operation_name.as_deref(),
        &request.variables,
    ) {
        Ok(t) => t,
        Err(m) => return refused(StatusCode::BAD_REQUEST, m, code::BAD_USER_INPUT),
    };
    // Mutations, and whatever an editor reads, go to the primary.
    let db = if mutation {
        // Each mutation of a document runs a transaction on a connection of
        // its own; a reader holding another one meanwhile (to read the
        // previous mutation back) could exhaust a small pool.
        Reader::per_statement(&s.db).counted(s.metrics.read_statements())
    } else if let Some(t) = as_of {
        let snap = match crate::domain::asof::parse(&t, "asOf") {
            Ok(t) => s.snapshots.at(s.reader(headers), t).await,
            Err(e) => Err(e),
        };
        match snap {
            Ok(snap) => Reader::new(&snap.db).counted(s.metrics.read_statements()),
            Err(crate::error::Error::Invalid(fields)) => {
                let said: Vec<String> = fields
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect();
                return refused(
                    StatusCode::BAD_REQUEST,
                    said.join("; "),
                    code::BAD_USER_INPUT,
                );
            }
            Err(e) => {
                let err = e.extend().into_server_error(async_graphql::Pos::default());
                return Answer::Executed(Response::from_errors(vec![err]));
            }
        }
    } else {
        s.read_conn(headers)
    };
    if let Some(credentials) = credentials {
        request = request.data(credentials);
    }
    // The document checked above is the one executed: parsed once, and
    // copied only when the cache keeps it too.
    request.set_parsed_query(
        std::sync::Arc::try_unwrap(parsed).map_or_else(|kept| kept.doc.clone(), |p| p.doc),
    );
    let response = execute_batched(&s.graphql, &db, request).await;
    // Kept only once it proved a valid document: garbage cannot fill the
    // cache, and a hash found always names something that runs.
    if let Some((hash, text)) = register
        && !is_request_error(&response)
    {
        s.graphql_persisted.register(hash, &text);
    }
    s.metrics
        .graphql_operation(mutation, response.errors.is_empty());
    Answer::Executed(response)
}

#[cfg(test)]
mod tests;
