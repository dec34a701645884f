//! Per-caller rate limits: a token bucket per caller holding up to `limit`
//! requests and refilled with `limit` tokens every `interval` seconds
//! (configured with `roster serve --rate-limit LIMIT/SECONDS`; off by
//! default). The caller is the Basic login (case-folded) or the Bearer
//! token, so one account shares one budget whatever its source; requests
//! without credentials are keyed by source address. While enabled, every
//! response carries Confluence Data Center's headers `X-RateLimit-Limit`,
//! `X-RateLimit-Remaining`, `X-RateLimit-Interval-Seconds` and
//! `X-RateLimit-FillRate`; a refused request gets 429 in the JSON error
//! shape with an integer `Retry-After`.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::time::Instant;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use parking_lot::Mutex;
use roster_core::directory::Credentials;

use crate::error::error_body;

/// Buckets kept at most; beyond it, full (idle) buckets are forgotten.
const MAX_BUCKETS: usize = 100_000;

/// A budget: `limit` requests per `interval_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: u32,
    pub interval_secs: u32,
}

impl std::str::FromStr for RateLimit {
    type Err = String;

    /// `LIMIT/SECONDS` (e.g. `600/60`) or `LIMIT` (per 60 s).
    fn from_str(s: &str) -> Result<Self, String> {
        let (l, i) = s.trim().split_once('/').unwrap_or((s.trim(), "60"));
        let limit: u32 = l.trim().parse().map_err(|_| format!("rate limit {s:?}: LIMIT must be a positive integer"))?;
        let interval_secs: u32 =
            i.trim().parse().map_err(|_| format!("rate limit {s:?}: SECONDS must be a positive integer"))?;
        if limit == 0 || interval_secs == 0 {
            return Err(format!("rate limit {s:?}: LIMIT and SECONDS must be positive"));
        }
        Ok(RateLimit { limit, interval_secs })
    }
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The buckets of all callers.
pub struct Limiter {
    cfg: RateLimit,
    per_sec: f64,
    hasher: RandomState,
    buckets: Mutex<HashMap<u64, Bucket>>,
}

/// What one request is allowed.
pub struct Decision {
    pub allowed: bool,
    pub remaining: u32,
    /// Whole seconds until one token is back (only when refused).
    pub retry_after: u64,
}

impl Limiter {
    /// A limiter with budget `cfg`.
    pub fn new(cfg: RateLimit) -> Self {
        Limiter {
            cfg,
            per_sec: f64::from(cfg.limit) / f64::from(cfg.interval_secs),
            hasher: RandomState::new(),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The configured budget.
    pub fn config(&self) -> RateLimit {
        self.cfg
    }

    /// Takes one token for `key`.
    pub fn take(&self, key: u64) -> Decision {
        let now = Instant::now();
        let cap = f64::from(self.cfg.limit);
        let mut map = self.buckets.lock();
        if map.len() >= MAX_BUCKETS && !map.contains_key(&key) {
            let per_sec = self.per_sec;
            map.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * per_sec < cap);
        }
        let b = map.entry(key).or_insert(Bucket { tokens: cap, at: now });
        b.tokens = (b.tokens + now.duration_since(b.at).as_secs_f64() * self.per_sec).min(cap);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Decision { allowed: true, remaining: b.tokens.floor() as u32, retry_after: 0 }
        } else {
            let wait = ((1.0 - b.tokens) / self.per_sec).ceil().max(1.0) as u64;
            Decision { allowed: false, remaining: 0, retry_after: wait }
        }
    }

    /// The bucket key of a request: its credentials' identity, else its source.
    pub fn key(&self, headers: &HeaderMap, source: Option<IpAddr>) -> u64 {
        let creds = headers.get(header::AUTHORIZATION).and_then(|v| crate::auth::parse(v.as_bytes()).ok());
        match creds {
            Some(Credentials::Basic { login, .. }) => self.hasher.hash_one(("login", login.to_lowercase())),
            Some(Credentials::Bearer(token)) => self.hasher.hash_one(("bearer", token)),
            None => self.hasher.hash_one(("source", source)),
        }
    }
}

fn set(headers: &mut HeaderMap, name: &'static str, value: u64) {
    headers.insert(name, HeaderValue::from(value));
}

impl Limiter {
    /// The 429 answer for a refused request.
    pub fn refusal(&self, d: &Decision) -> Response {
        let cfg = self.cfg;
        let mut r = error_body(
            StatusCode::TOO_MANY_REQUESTS,
            &format!(
                "Rate limit exceeded: {} requests per {} s; retry after {} s",
                cfg.limit, cfg.interval_secs, d.retry_after
            ),
        );
        set(r.headers_mut(), "retry-after", d.retry_after);
        r
    }

    /// The `X-RateLimit-*` headers every response carries while a limit is set.
    pub fn annotate(&self, h: &mut HeaderMap, d: &Decision) {
        let cfg = self.cfg;
        set(h, "x-ratelimit-limit", cfg.limit.into());
        set(h, "x-ratelimit-remaining", d.remaining.into());
        set(h, "x-ratelimit-interval-seconds", cfg.interval_secs.into());
        set(h, "x-ratelimit-fillrate", cfg.limit.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_parse_and_nonsense_is_refused() {
        assert_eq!("600/60".parse::<RateLimit>().unwrap(), RateLimit { limit: 600, interval_secs: 60 });
        assert_eq!("100".parse::<RateLimit>().unwrap(), RateLimit { limit: 100, interval_secs: 60 });
        for bad in ["", "0/1", "1/0", "x/60", "-5"] {
            assert!(bad.parse::<RateLimit>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_bucket_empties_then_refuses_with_a_retry_time() {
        let l = Limiter::new(RateLimit { limit: 3, interval_secs: 30 });
        let remaining: Vec<u32> = (0..3).map(|_| l.take(7).remaining).collect();
        assert_eq!(remaining, vec![2, 1, 0]);
        let d = l.take(7);
        assert!(!d.allowed);
        assert_eq!(d.retry_after, 10);
        assert!(l.take(8).allowed);
    }
}
