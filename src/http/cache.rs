//! HTTP caching for reads: an `ETag` over every successful GET body (the
//! bodies carry each record's `version`, so the tag changes whenever a
//! record or anything embedded in it changes), `304 Not Modified` on a
//! matching `If-None-Match`, and `Cache-Control: no-cache` so caches always
//! revalidate and never serve a fact that has since been corrected.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::Error;

/// Largest body the middleware buffers to tag it.
const MAX_TAGGED_BODY: usize = 64 * 1024 * 1024;

/// A strong ETag over a body: writes compare `If-Match` against it, which
/// RFC 9110 requires to be strong. The tag only has to change whenever the
/// bytes do; it guards no secret, so a fast 128-bit hash serves where SHA-256
/// cost a visible share of the server's CPU on large records (bench/README.md,
/// "Measurements behind the code").
pub fn etag_of(bytes: &[u8]) -> String {
    format!("\"{:032x}\"", xxhash_rust::xxh3::xxh3_128(bytes))
}

/// Does an `If-None-Match` value match the tag (weak comparison)?
fn matches(if_none_match: &str, tag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    if_none_match.trim() == "*"
        || if_none_match
            .split(',')
            .any(|candidate| bare(candidate) == bare(tag))
}

pub async fn etag(req: Request, next: Next) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return next.run(req).await;
    }
    let inm = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let res = next.run(req).await;
    if res.status() != StatusCode::OK {
        return res;
    }
    // A streamed body (an export, a whole CSV list) is never buffered to be
    // hashed: that would hold it all in memory. It goes out untagged.
    if axum::body::HttpBody::size_hint(res.body())
        .exact()
        .is_none()
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match to_bytes(body, MAX_TAGGED_BODY).await {
        Ok(b) => b,
        Err(e) => return Error::Internal(format!("buffering a response: {e}")).into_response(),
    };
    let tag = etag_of(&bytes);
    if let Ok(v) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, v);
    }
    parts
        .headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-cache"));
    parts.headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept, Accept-Encoding"),
    );
    if inm.as_deref().is_some_and(|v| matches(v, &tag)) {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_TYPE);
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_comparison_accepts_lists_and_star() {
        let tag = etag_of(b"body");
        assert!(matches(&tag, &tag));
        assert!(matches(&format!("\"x\", {tag}"), &tag));
        assert!(matches(tag.trim_start_matches("W/"), &tag));
        assert!(matches("*", &tag));
        assert!(!matches("W/\"other\"", &tag));
        assert_ne!(etag_of(b"a"), etag_of(b"b"));
    }

    #[test]
    fn a_tag_is_32_hex_digits_quoted_and_follows_every_byte() {
        let body = vec![b'x'; 30_000];
        let tag = etag_of(&body);
        assert_eq!(tag.len(), 34);
        assert!(tag.starts_with('"') && tag.ends_with('"'));
        assert!(tag[1..33].bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(etag_of(&body), tag, "the same bytes, the same tag");
        for at in [0, 15_000, 29_999] {
            let mut changed = body.clone();
            changed[at] = b'y';
            assert_ne!(etag_of(&changed), tag, "byte {at}");
        }
    }
}
