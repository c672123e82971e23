//! Protection against overload and abuse: a rate limit per client IP for
//! reads and per API key for writes (429 with `Retry-After`),
//! and a cap on requests in flight above which new ones are shed (503 with
//! `Retry-After`) instead of queueing until everything times out.
//!
//! The rate limits use `governor` (GCRA, keyed); the cap is a semaphore.
//!
//! A key counts as a key only once it has been verified: until then its
//! writes count against the client's IP, so a made-up `Authorization` header
//! buys no bucket of its own. Failed key checks are themselves limited per
//! IP, and a key that just failed is refused again without a database
//! lookup for [`REJECTED_FOR`].

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use lru::LruCache;
use sha2::{Digest, Sha256};

pub use crate::config::LimitConfig;
use crate::domain::auth::{self, Actor};
use crate::error::{Error, Result};
use crate::http::problem::Problem;

/// How long a key that failed its check is refused without a lookup.
pub const REJECTED_FOR: Duration = Duration::from_secs(60);
/// Checks of not yet verified keys a client IP may make per minute (bursts
/// of that many): an editor's key needs one, a made-up key one each.
const FAILED_CHECKS_PER_MINUTE: u32 = 10;
/// Key fingerprints remembered, verified and rejected each.
const REMEMBERED_KEYS: usize = 4096;

pub struct Limiter {
    by_ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
    by_key: Option<DefaultKeyedRateLimiter<[u8; 16]>>,
    in_flight: Option<Arc<tokio::sync::Semaphore>>,
    trust_forwarded_for: bool,
    checks: AtomicU64,
    /// Keys that passed a check: their writes count per key.
    verified: Mutex<LruCache<[u8; 16], ()>>,
    /// Keys that failed a check, and when.
    rejected: Mutex<LruCache<[u8; 16], Instant>>,
    /// Checks of keys not yet verified, per client IP.
    failures: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

/// What identifies a key in the limiter's maps (a hash: the key is never kept).
fn fingerprint(authorization: &HeaderValue) -> [u8; 16] {
    let mut key = [0u8; 16];
    key.copy_from_slice(&Sha256::digest(authorization.as_bytes())[..16]);
    key
}

fn remembered<V>() -> Mutex<LruCache<[u8; 16], V>> {
    let cap = std::num::NonZeroUsize::new(REMEMBERED_KEYS).unwrap_or(std::num::NonZeroUsize::MIN);
    Mutex::new(LruCache::new(cap))
}

fn quota(per_second: u32) -> Option<Quota> {
    let rate = NonZeroU32::new(per_second)?;
    let burst = NonZeroU32::new(per_second.saturating_mul(2)).unwrap_or(rate);
    Some(Quota::per_second(rate).allow_burst(burst))
}

impl Limiter {
    pub fn new(cfg: &LimitConfig) -> Self {
        let on = !cfg.no_rate_limit;
        Limiter {
            by_ip: on
                .then(|| quota(cfg.rate_limit_ip).map(RateLimiter::keyed))
                .flatten(),
            by_key: on
                .then(|| quota(cfg.rate_limit_key_writes).map(RateLimiter::keyed))
                .flatten(),
            in_flight: (cfg.max_in_flight > 0)
                .then(|| Arc::new(tokio::sync::Semaphore::new(cfg.max_in_flight))),
            trust_forwarded_for: cfg.trust_forwarded_for,
            checks: AtomicU64::new(0),
            verified: remembered(),
            rejected: remembered(),
            failures: on
                .then(|| {
                    NonZeroU32::new(FAILED_CHECKS_PER_MINUTE)
                        .map(|n| RateLimiter::keyed(Quota::per_minute(n)))
                })
                .flatten(),
        }
    }

    /// The client's IP: the peer address, or the first `X-Forwarded-For`
    /// address when configured to trust it.
    pub fn client_ip(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> Option<IpAddr> {
        if self.trust_forwarded_for
            && let Some(ip) = headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .and_then(|v| v.trim().parse().ok())
        {
            return Some(ip);
        }
        peer.map(|p| p.ip())
    }

    fn request_ip(&self, req: &Request) -> Option<IpAddr> {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        self.client_ip(req.headers(), peer)
    }

    /// Checks an `Authorization` header's key. A key that failed within
    /// [`REJECTED_FOR`] is refused without a database lookup; a key not yet
    /// verified costs its client IP one of its unverified checks (429 past
    /// them, also without a lookup). Only `Unauthenticated` marks a key as
    /// failed: an unavailable database says nothing about the key.
    pub async fn authenticate<C: crate::domain::Conn>(
        &self,
        db: &C,
        headers: &HeaderMap,
        ip: Option<IpAddr>,
    ) -> Result<Actor> {
        let header = headers.get(header::AUTHORIZATION);
        let print = header.map(fingerprint);
        if let Some(p) = &print {
            if self
                .rejected
                .lock()
                .ok()
                .and_then(|mut r| r.get(p).map(Instant::elapsed))
                .is_some_and(|age| age < REJECTED_FOR)
            {
                return Err(Error::Unauthenticated);
            }
            let known = self.verified.lock().is_ok_and(|mut v| v.get(p).is_some());
            if !known
                && let (Some(limiter), Some(ip)) = (&self.failures, ip)
                && let Err(n) = limiter.check_key(&ip)
            {
                let wait = n.wait_time_from(limiter.clock().now()).as_secs() + 1;
                return Err(Error::TooManyRequests { retry_after: wait });
            }
        }
        let result = auth::authenticate(db, header.and_then(|v| v.to_str().ok())).await;
        if let Some(p) = print {
            match &result {
                Ok(_) => {
                    if let Ok(mut v) = self.verified.lock() {
                        v.put(p, ());
                    }
                }
                Err(Error::Unauthenticated) => {
                    if let Ok(mut v) = self.verified.lock() {
                        v.pop(&p);
                    }
                    if let Ok(mut r) = self.rejected.lock() {
                        r.put(p, Instant::now());
                    }
                }
                Err(_) => {}
            }
        }
        result
    }

    fn is_verified(&self, authorization: &HeaderValue) -> Option<[u8; 16]> {
        let print = fingerprint(authorization);
        let mut verified = self.verified.lock().ok()?;
        verified.get(&print).map(|()| print)
    }

    /// `Some(seconds)` to wait when the request is over its limit.
    fn over_limit(&self, req: &Request) -> Option<u64> {
        // Forget idle clients now and then, so the maps stay small.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 10_000 == 9_999 {
            if let Some(l) = &self.by_ip {
                l.retain_recent();
            }
            if let Some(l) = &self.by_key {
                l.retain_recent();
            }
            if let Some(l) = &self.failures {
                l.retain_recent();
            }
        }
        // The limiter's own clock, read only for a refusal: building a
        // clock per request costs a CPUID instruction each, slow under a
        // hypervisor (bench/README.md, "Measurements behind the code").
        let wait = |d: std::time::Duration| d.as_secs() + 1;
        let auth = req.headers().get(header::AUTHORIZATION);
        let write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        let verified = match auth {
            Some(a) if write => self.is_verified(a),
            _ => None,
        };
        match verified {
            // Editors' writes count against their key once it has been
            // verified (the key is hashed, never kept).
            Some(key) => {
                let limiter = self.by_key.as_ref()?;
                limiter
                    .check_key(&key)
                    .err()
                    .map(|n| wait(n.wait_time_from(limiter.clock().now())))
            }
            // Everything else counts against the client IP, whatever header
            // it carries: a made-up key must not be a way around the limit.
            None => {
                let limiter = self.by_ip.as_ref()?;
                let ip = self.request_ip(req)?;
                limiter
                    .check_key(&ip)
                    .err()
                    .map(|n| wait(n.wait_time_from(limiter.clock().now())))
            }
        }
    }
}

fn refuse(status: StatusCode, detail: String, retry_after: u64) -> Response {
    let mut res = Problem::new(status, Some(detail)).into_response();
    if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

/// The middleware: shed when too much is in flight, then rate-limit.
pub async fn enforce(State(limiter): State<Arc<Limiter>>, req: Request, next: Next) -> Response {
    // Health checks are never limited: a busy replica must not look dead.
    let path = req.uri().path();
    if path == "/healthz" || path == "/readyz" || path == "/metrics" {
        return next.run(req).await;
    }
    let _permit = match &limiter.in_flight {
        Some(s) => match s.clone().try_acquire_owned() {
            Ok(p) => Some(p),
            Err(_) => {
                return refuse(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the server is at its limit of requests in flight; retry shortly".into(),
                    1,
                );
            }
        },
        None => None,
    };
    if let Some(secs) = limiter.over_limit(&req) {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            format!("rate limit exceeded; retry in {secs} s"),
            secs,
        );
    }
    next.run(req).await
}
