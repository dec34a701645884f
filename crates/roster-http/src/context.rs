//! The outermost middleware: gives each request an id and its source
//! address (from axum's `ConnectInfo`, when the server was started with
//! it), runs the rest of the stack inside that [`RequestContext`] (read by
//! the audit log and the login throttle), echoes the id as `X-Request-Id`,
//! and turns a panic anywhere below into a logged 500 in the JSON error
//! shape instead of a dropped connection.

use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use futures::FutureExt;
use roster_core::context::{self, RequestContext};

use crate::error::error_body;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The middleware (see the module header).
pub async fn layer(mut req: Request, next: Next) -> Response {
    let source = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    // A caller's own sane X-Request-Id is kept, so traces join up across services.
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|s| !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| format!("r{:x}", NEXT_ID.fetch_add(1, Ordering::Relaxed)));
    // Put the id on the request, so the layers below (telemetry) use the same.
    if let Ok(v) = HeaderValue::from_str(&id) {
        req.headers_mut().insert("x-request-id", v);
    }
    let ctx = RequestContext::new(source, id.clone());
    let run = context::scope(ctx, AssertUnwindSafe(next.run(req)).catch_unwind());
    let mut resp = match run.await {
        Ok(resp) => resp,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(request = %id, panic = %what, "request handler panicked");
            error_body(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
        }
    };
    // The telemetry layer may already have set its own id; keep it.
    if !resp.headers().contains_key("x-request-id") {
        if let Ok(v) = HeaderValue::from_str(&id) {
            resp.headers_mut().insert("x-request-id", v);
        }
    }
    resp
}
