//! The one middleware every request passes through. In order, it:
//! gives the request an id (a caller's sane `X-Request-Id` is kept, so
//! traces join up across services) and a [`RequestContext`] with its source
//! address, read by the audit log and the login throttle; takes a token
//! from the caller's rate-limit budget (see `ratelimit.rs`); checks input
//! hygiene (see `hygiene.rs`) and the XSRF rule (see `xsrf.rs`); runs the
//! handler inside a tracing span; turns a panic anywhere below into a
//! logged 500 in the JSON error shape instead of a dropped connection;
//! counts the answer in the metrics (see `telemetry.rs`) and echoes the id.
//!
//! It is one layer, not five: each `from_fn` layer clones the boxed inner
//! route and boxes a future per request, and on the `memberof` benchmark
//! five of them cost more than the handler itself.

use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::FutureExt;
use roster_core::context::{self, RequestContext};
use tracing::Instrument;

use crate::error::{error_body, ApiError};
use crate::state::AppState;
use crate::{hygiene, xsrf};

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

const REQUEST_ID: &str = "x-request-id";

/// The caller's own id when it is sane (visible ASCII, at most 128 bytes).
fn incoming_id(req: &Request) -> Option<HeaderValue> {
    let v = req.headers().get(REQUEST_ID)?;
    let b = v.as_bytes();
    (!b.is_empty() && b.len() <= 128 && b.iter().all(u8::is_ascii_graphic)).then(|| v.clone())
}

/// `r` and `n` in hex: the id of a request that came without one.
fn serial_id(n: u64) -> HeaderValue {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = [b'r'; 17];
    let digits = (16 - n.leading_zeros() as usize / 4).max(1);
    for (i, at) in (1..=digits).rev().enumerate() {
        text[at] = HEX[(n >> (4 * i) & 15) as usize];
    }
    HeaderValue::from_bytes(&text[..=digits]).unwrap_or(HeaderValue::from_static("r0"))
}

/// The middleware (see the module header).
pub async fn layer(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let source = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let id = incoming_id(&req).unwrap_or_else(|| serial_id(NEXT_ID.fetch_add(1, Ordering::Relaxed)));
    let id_text = id.to_str().unwrap_or_default();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let method = req.method().clone();
    let span = tracing::debug_span!(
        "request",
        request_id = %id_text,
        %method,
        route = route.as_ref().map_or("unmatched", MatchedPath::as_str)
    );
    let ctx = RequestContext::new(source, id_text.to_string());
    let guarded = AssertUnwindSafe(checked(&s, req, next, source).instrument(span)).catch_unwind();
    let mut resp = match context::scope(ctx, guarded).await {
        Ok(resp) => resp,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(request = %id_text, panic = %what, "request handler panicked");
            error_body(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
        }
    };
    let status = resp.status().as_u16();
    s.telemetry.record(route, method, status, started.elapsed());
    tracing::debug!(request_id = %id_text, status, micros = started.elapsed().as_micros() as u64, "request done");
    resp.headers_mut().insert(REQUEST_ID, id);
    resp
}

/// The rate limit, then hygiene and the XSRF rule, then the handler.
async fn checked(s: &AppState, req: Request, next: Next, source: Option<std::net::IpAddr>) -> Response {
    let Some(limiter) = s.limiter.as_deref() else { return refuse_or_run(s, req, next).await };
    let decision = limiter.take(limiter.key(req.headers(), source));
    let mut resp = match decision.allowed {
        true => refuse_or_run(s, req, next).await,
        false => limiter.refusal(&decision),
    };
    limiter.annotate(resp.headers_mut(), &decision);
    resp
}

async fn refuse_or_run(s: &AppState, req: Request, next: Next) -> Response {
    let uri = req.uri();
    if let Err(e) = hygiene::check_path(uri.path()).and_then(|_| hygiene::check_query(uri.query().unwrap_or(""))) {
        return ApiError(e).into_response();
    }
    if xsrf::refuses(req.method(), req.headers(), &s.public_url) {
        return error_body(StatusCode::FORBIDDEN, xsrf::MESSAGE);
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn serial_ids_are_r_and_hex() {
        for n in [0u64, 1, 15, 16, 0xabc, u64::MAX] {
            assert_eq!(super::serial_id(n).to_str().unwrap(), format!("r{n:x}"));
        }
    }
}
