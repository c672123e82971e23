//! The two media types a `/graphql` answer can take, as the GraphQL over
//! HTTP spec names them, and how each carries an answer: under
//! `application/graphql-response+json` the status says whether the request
//! ran, under `application/json` (what older clients understand) it is
//! always 200 once the request was a GraphQL request at all.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response as HttpResponse};
use serde::Serialize;

pub use crate::http::problem::GRAPHQL_RESPONSE_JSON;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    Json,
    GraphqlResponse,
}

impl Media {
    /// The type `Accept` prefers, or none when it takes neither (a 406).
    /// Without `Accept`, or with only wildcards, the answer is
    /// `application/json`, as the spec asks for clients that predate the
    /// newer type; listing both at the same weight (urql, Apollo) picks the
    /// newer one.
    ///
    /// Each range is parsed by the `mime` crate; the weighing (the most
    /// specific range that names a type sets its q) is ours, as no
    /// maintained crate does it for axum's plain header map.
    pub fn negotiate(headers: &HeaderMap) -> Option<Media> {
        let Some(accept) = headers.get(header::ACCEPT) else {
            return Some(Media::Json);
        };
        let accept = accept.to_str().ok()?;
        // (specificity, q) of the most specific range naming each type.
        let (mut json, mut gr): ((u8, f32), (u8, f32)) = ((0, 0.0), (0, 0.0));
        for range in accept.split(',').map(str::trim).filter(|r| !r.is_empty()) {
            let Ok(m) = range.parse::<mime::Mime>() else {
                continue;
            };
            let q = m
                .get_param("q")
                .and_then(|q| q.as_str().parse::<f32>().ok())
                .unwrap_or(1.0);
            let weigh = |slot: &mut (u8, f32), specificity: u8| {
                if specificity > slot.0 || (specificity == slot.0 && q > slot.1) {
                    *slot = (specificity, q);
                }
            };
            match (m.type_().as_str(), m.subtype().as_str(), m.suffix()) {
                ("*", "*", _) => {
                    weigh(&mut json, 1);
                    weigh(&mut gr, 1);
                }
                ("application", "*", _) => {
                    weigh(&mut json, 2);
                    weigh(&mut gr, 2);
                }
                ("application", "json", None) => weigh(&mut json, 3),
                ("application", "graphql-response", Some(s)) if s == "json" => weigh(&mut gr, 3),
                _ => {}
            }
        }
        let named = gr.0 == 3;
        match (json.1 > 0.0, gr.1 > 0.0) {
            (_, true) if gr.1 > json.1 || (gr.1 == json.1 && named) => Some(Media::GraphqlResponse),
            (true, _) => Some(Media::Json),
            (false, true) => Some(Media::GraphqlResponse),
            (false, false) => None,
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Media::Json => "application/json",
            Media::GraphqlResponse => GRAPHQL_RESPONSE_JSON,
        }
    }

    /// A GraphQL response body in this type; `status` is what
    /// graphql-response+json says (application/json always says 200).
    pub fn reply(self, status: StatusCode, body: &impl Serialize) -> HttpResponse {
        let status = match self {
            Media::Json => StatusCode::OK,
            Media::GraphqlResponse => status,
        };
        match serde_json::to_vec(body) {
            Ok(bytes) => (
                status,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(self.content_type()),
                )],
                bytes,
            )
                .into_response(),
            Err(e) => crate::http::problem::Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the response could not be written: {e}"),
            )
            .into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(accept: Option<&str>) -> Option<Media> {
        let mut h = HeaderMap::new();
        if let Some(a) = accept {
            h.insert(header::ACCEPT, HeaderValue::from_str(a).unwrap());
        }
        Media::negotiate(&h)
    }

    #[test]
    fn picks_the_type_the_client_prefers() {
        use Media::*;
        assert_eq!(pick(None), Some(Json));
        assert_eq!(pick(Some("*/*")), Some(Json));
        assert_eq!(pick(Some("application/*")), Some(Json));
        assert_eq!(pick(Some("application/json")), Some(Json));
        assert_eq!(pick(Some(GRAPHQL_RESPONSE_JSON)), Some(GraphqlResponse));
        // Apollo Client 3
        assert_eq!(
            pick(Some(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            Some(GraphqlResponse)
        );
        // urql: both at q=1
        assert_eq!(
            pick(Some(
                "application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed"
            )),
            Some(GraphqlResponse)
        );
        // GraphiQL
        assert_eq!(pick(Some("application/json, multipart/mixed")), Some(Json));
        assert_eq!(
            pick(Some(
                "application/graphql-response+json;q=0.5, application/json"
            )),
            Some(Json)
        );
        assert_eq!(
            pick(Some("application/json;q=0, */*")),
            Some(GraphqlResponse),
            "json refused outright, the wildcard still takes the other"
        );
    }

    #[test]
    fn takes_neither_when_neither_is_accepted() {
        assert_eq!(pick(Some("text/html")), None);
        assert_eq!(pick(Some("application/xml, text/plain")), None);
        assert_eq!(pick(Some("application/json;q=0")), None);
        assert_eq!(pick(Some("not a type")), None);
    }
}
