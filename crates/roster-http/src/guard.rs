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
//! It is one layer, not five, and a hand-written tower service rather than
//! `from_fn`: the checks run before the handler's future exists, and that
//! future is wrapped in place instead of boxed again (on the `memberof`
//! benchmark, five `from_fn` layers cost more than the handler itself).

use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::future::CatchUnwind;
use futures::FutureExt;
use roster_core::context::{self, RequestContext};
use tokio::task::futures::TaskLocalFuture;
use tower::{Layer, Service};
use tracing::instrument::Instrumented;
use tracing::Instrument;

use crate::error::{error_body, ApiError};
use crate::ratelimit::{Decision, Limiter};
use crate::state::AppState;
use crate::telemetry::Telemetry;
use crate::{hygiene, xsrf};

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The caller's own id when it is sane (visible ASCII, at most 128 bytes).
fn incoming_id(req: &Request) -> Option<HeaderValue> {
    let v = req.headers().get(&REQUEST_ID)?;
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

/// The answer to a request that hygiene or the XSRF rule refuses.
fn refusal(s: &AppState, req: &Request) -> Option<Response> {
    let uri = req.uri();
    if let Err(e) = hygiene::check_path(uri.path()).and_then(|_| hygiene::check_query(uri.query().unwrap_or(""))) {
        return Some(ApiError(e).into_response());
    }
    if xsrf::refuses(req.method(), req.headers(), &s.public_url) {
        return Some(error_body(StatusCode::FORBIDDEN, xsrf::MESSAGE));
    }
    None
}

/// Puts [`Guard`] around every route (see the module header).
#[derive(Clone)]
pub struct GuardLayer(pub AppState);

impl<S> Layer<S> for GuardLayer {
    type Service = Guard<S>;

    fn layer(&self, inner: S) -> Guard<S> {
        Guard { inner, state: self.0.clone() }
    }
}

/// A route with the guard around it.
#[derive(Clone)]
pub struct Guard<S> {
    inner: S,
    state: AppState,
}

type Handled<F> = TaskLocalFuture<Arc<RequestContext>, CatchUnwind<AssertUnwindSafe<Instrumented<F>>>>;

impl<S> Service<Request> for Guard<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Guarded<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let started = Instant::now();
        let s = &self.state;
        let source: Option<IpAddr> = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let id = incoming_id(&req).unwrap_or_else(|| serial_id(NEXT_ID.fetch_add(1, Ordering::Relaxed)));
        let id_text = id.to_str().unwrap_or_default();
        let route = req.extensions().get::<MatchedPath>().cloned();
        let method = req.method().clone();
        let decision = s.limiter.as_deref().map(|l| l.take(l.key(req.headers(), source)));
        let refused = match (&decision, s.limiter.as_deref()) {
            (Some(d), Some(l)) if !d.allowed => Some(l.refusal(d)),
            _ => refusal(s, &req),
        };
        let handled = match refused {
            Some(_) => None,
            None => {
                let span = tracing::debug_span!(
                    "request",
                    request_id = %id_text,
                    %method,
                    route = route.as_ref().map_or("unmatched", MatchedPath::as_str)
                );
                let ctx = RequestContext::new(source, id_text.to_string());
                let handler = AssertUnwindSafe(self.inner.call(req).instrument(span)).catch_unwind();
                Some(context::scoped(ctx, handler))
            }
        };
        Guarded {
            handled,
            refused,
            done: Some(Done {
                started,
                id,
                route,
                method,
                decision,
                limiter: s.limiter.clone(),
                telemetry: s.telemetry.clone(),
            }),
        }
    }
}

/// What the guard does once the answer is known.
struct Done {
    started: Instant,
    id: HeaderValue,
    route: Option<MatchedPath>,
    method: Method,
    decision: Option<Decision>,
    limiter: Option<Arc<Limiter>>,
    telemetry: Arc<Telemetry>,
}

impl Done {
    fn finish(self, mut resp: Response) -> Response {
        if let (Some(l), Some(d)) = (&self.limiter, &self.decision) {
            l.annotate(resp.headers_mut(), d);
        }
        let status = resp.status().as_u16();
        let took = self.started.elapsed();
        let id_text = self.id.to_str().unwrap_or_default();
        tracing::debug!(request_id = %id_text, status, micros = took.as_micros() as u64, "request done");
        self.telemetry.record(self.route, self.method, status, took);
        resp.headers_mut().insert(REQUEST_ID, self.id);
        resp
    }
}

pin_project_lite::pin_project! {
    /// The guarded handler's future.
    pub struct Guarded<F> {
        #[pin]
        handled: Option<Handled<F>>,
        refused: Option<Response>,
        done: Option<Done>,
    }
}

impl<F: Future<Output = Result<Response, Infallible>>> Future for Guarded<F> {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let resp = match this.handled.as_pin_mut() {
            None => this.refused.take().unwrap_or_else(|| error_body(StatusCode::INTERNAL_SERVER_ERROR, "")),
            Some(handled) => match handled.poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(Ok(resp))) => resp,
                Poll::Ready(Ok(Err(never))) => match never {},
                Poll::Ready(Err(panic)) => {
                    let what = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    let id = this.done.as_ref().map(|d| d.id.to_str().unwrap_or_default().to_string());
                    tracing::error!(request = %id.unwrap_or_default(), panic = %what, "request handler panicked");
                    error_body(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
                }
            },
        };
        Poll::Ready(Ok(match this.done.take() {
            Some(done) => done.finish(resp),
            None => resp,
        }))
    }
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
