//! The answers a `status` rule gives: the one error body every dialect
//! shares (`wire/error.rs`), and for 429 the rate-limit headers of the
//! API asked: Confluence Cloud's `X-RateLimit-Limit`, `-Remaining`,
//! `-Reset` (RFC 3339), `X-RateLimit-NearLimit` and `RateLimit-Reason`; Data
//! Center's `X-RateLimit-Limit`, `-Remaining`, `-Interval-Seconds` and
//! `-FillRate`. 429 and 503 carry `Retry-After`.

use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

use crate::wire::error::error_body;

/// A response that tells the connection (`server/service.rs`) to close
/// without sending anything.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

/// The stand-in answer of a dropped request: never sent.
pub fn dropped() -> Response {
    let mut r = error_body(StatusCode::INTERNAL_SERVER_ERROR, "The connection was dropped (injected fault)");
    r.extensions_mut().insert(DropConnection);
    r
}

fn set(r: &mut Response, name: &'static str, value: impl Into<HeaderValue>) {
    r.headers_mut().insert(name, value.into());
}

/// The answer `status` for a request of `dialect`.
pub fn status(status: u16, retry_after: u64, dialect: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let message = match status {
        429 => format!("Rate limit exceeded; retry after {retry_after} s (injected fault)"),
        503 => format!("Service unavailable; retry after {retry_after} s (injected fault)"),
        _ => format!("{} (injected fault)", code.canonical_reason().unwrap_or("Error")),
    };
    let mut r = error_body(code, &message);
    if matches!(status, 429 | 503) {
        set(&mut r, "retry-after", retry_after);
    }
    if status == 429 {
        if dialect == "cloud" {
            let reset = chrono::Utc::now() + chrono::Duration::seconds(retry_after as i64);
            let reset = reset.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
            set(&mut r, "x-ratelimit-limit", 100u64);
            set(&mut r, "x-ratelimit-remaining", 0u64);
            if let Ok(v) = HeaderValue::from_str(&reset) {
                set(&mut r, "x-ratelimit-reset", v);
            }
            set(&mut r, "x-ratelimit-nearlimit", HeaderValue::from_static("true"));
            set(&mut r, "ratelimit-reason", HeaderValue::from_static("confluence-quota-tenant-based"));
        } else {
            set(&mut r, "x-ratelimit-limit", 100u64);
            set(&mut r, "x-ratelimit-remaining", 0u64);
            set(&mut r, "x-ratelimit-interval-seconds", retry_after.max(1));
            set(&mut r, "x-ratelimit-fillrate", 100u64);
        }
    }
    r
}
