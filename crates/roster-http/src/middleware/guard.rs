//! The one middleware every request passes through. In order, it:
//! gives the request roster's own id (a serial number; a caller's sane
//! `X-Request-Id` is kept apart as the client's id, logged and echoed in
//! `X-Client-Request-Id`, never stored as the request's) and a
//! [`RequestContext`] with its source address, read by the audit log and the
//! login throttle; charges a request without credentials to its source's
//! rate-limit budget (one with credentials pays once its sign-in is decided,
//! see `auth.rs` and `ratelimit.rs`); checks input hygiene (see `hygiene.rs`)
//! and the XSRF rule (see `xsrf.rs`); runs the handler inside a tracing span;
//! turns a panic anywhere below into a logged 500 in the JSON error shape
//! instead of a dropped connection; counts the answer in the metrics (see
//! `telemetry.rs`), records it in the request journal when that is on (see
//! `journal.rs`) and echoes the ids. While the journal wants a request's
//! body or a fault rule is in force, a request other than roster's own
//! control routes goes through `observe.rs` on its way to the handler.
//!
//! It wraps the whole router, once per connection (roster's accept loop,
//! `server.rs`, makes one per connection), rather than each route: a layer on a
//! router boxes every route again, a clone of a boxed service and a boxed
//! future per request. The route a request is for comes from the route
//! table (`routes.rs`), the peer address from the connection, so nothing is
//! added to a request's extensions except, for the nested DC and Extender
//! routers, the URI as it was sent ([`SentUri`]). The checks run before the
//! router's future exists, and that future is wrapped in place. A GET of a
//! route without path parameters skips the router: the guard calls its
//! handler itself (see `direct.rs`).

use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::future::RouteFuture;
use axum::Router;
use futures::future::CatchUnwind;
use futures::FutureExt;
use roster_core::context::{self, RequestContext, RequestId};
use tokio::task::futures::TaskLocalFuture;
use tower::Service;
use tracing::instrument::Instrumented;
use tracing::Instrument;

use crate::journal::Entry;
use crate::middleware::direct::{Answer, Direct};
use crate::middleware::observe::{self, Seen, SeenSlot};
use crate::middleware::ratelimit::{self, Charge, Payer};
use crate::middleware::routes::Routes;
use crate::middleware::{hygiene, xsrf};
use crate::state::AppState;
use crate::wire::error::{error_body, ApiError};
use crate::wire::params::Params;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// roster's own control routes: never recorded in the journal, never faulted.
const CONTROL: &str = "/rest/roster/";

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("x-client-request-id");

/// The caller's own id when it is sane (visible ASCII, at most 128 bytes);
/// anything else is dropped, not cut or escaped.
fn client_id(req: &Request) -> Option<HeaderValue> {
    let v = req.headers().get(&REQUEST_ID)?;
    let b = v.as_bytes();
    let sane = !b.is_empty() && b.len() <= 128 && b.iter().all(u8::is_ascii_graphic);
    sane.then(|| v.clone())
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

/// The answer to a request that hygiene, its query or the XSRF rule
/// refuses. The query is parsed here, once: the parameters go into the
/// request's extensions for the handler's extractors (`Params::of`).
fn refusal(s: &AppState, req: &mut Request) -> Option<Response> {
    if let Err(e) = hygiene::check_path(req.uri().path()) {
        return Some(ApiError(e).into_response());
    }
    if let Some(query) = req.uri().query() {
        match Params::parse(query) {
            Ok(params) => {
                req.extensions_mut().insert(params);
            }
            Err(e) => return Some(ApiError(e).into_response()),
        }
    }
    if xsrf::refuses(req.method(), req.headers(), &s.public_url) {
        return Some(error_body(StatusCode::FORBIDDEN, xsrf::MESSAGE));
    }
    None
}

/// The URI of a request as the client sent it. Nested routers (DC,
/// Extender) see the path below their prefix; their handlers read this.
#[derive(Clone, Debug)]
pub struct SentUri(pub Uri);

/// What every connection's guard shares.
struct Shared {
    router: Router,
    state: AppState,
    routes: Routes,
}

/// The router with the guard around it, from which the accept loop
/// (`server.rs`) makes a [`Guard`] per connection.
#[derive(Clone)]
pub struct Guarded(Arc<Shared>);

impl Guarded {
    /// Guards `router`; `templates` are its route templates, as the router
    /// was given them (see `routes.rs`).
    pub fn new<'a>(router: Router, state: AppState, templates: impl IntoIterator<Item = &'a str>) -> Self {
        let routes = Routes::new(templates, &state.telemetry);
        Guarded(Arc::new(Shared { router, state, routes }))
    }

    /// Answers GETs of these templates (routes without path parameters)
    /// by calling their handlers without the router (see `direct.rs`).
    ///
    /// # Panics
    /// On a template that is not one of the router's or has parameters: a
    /// wiring mistake, which every test that starts a server would show.
    pub fn with_direct_gets<'a>(mut self, handlers: impl IntoIterator<Item = (&'a str, Direct)>) -> Self {
        let shared = Arc::get_mut(&mut self.0).expect("direct handlers are set before the guard is shared");
        for (template, handler) in handlers {
            if let Err(why) = shared.routes.set_direct_get(template, handler) {
                panic!("direct GET handler: {why}");
            }
        }
        self
    }

    /// The guard of one connection from `peer` (for a serving loop of its
    /// own, `server.rs`).
    pub fn connection(&self, peer: SocketAddr) -> Guard {
        Guard { shared: self.0.clone(), peer: Some(peer.ip()) }
    }

    /// The state the router was built with.
    pub fn state(&self) -> &AppState {
        &self.0.state
    }
}

/// The guard of one connection.
#[derive(Clone)]
pub struct Guard {
    shared: Arc<Shared>,
    peer: Option<IpAddr>,
}

type Handled = TaskLocalFuture<RequestContext, CatchUnwind<AssertUnwindSafe<Instrumented<Dispatched>>>>;

pin_project_lite::pin_project! {
    /// The answer from the router, or from a handler called directly.
    #[project = DispatchedProj]
    enum Dispatched {
        Routed { #[pin] answer: RouteFuture<Infallible> },
        Direct { #[pin] answer: Answer },
        Observed { #[pin] answer: Answer },
    }
}

impl Future for Dispatched {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            DispatchedProj::Routed { answer } => answer.poll(cx),
            DispatchedProj::Direct { answer } => answer.poll(cx).map(Ok),
            DispatchedProj::Observed { answer } => answer.poll(cx).map(Ok),
        }
    }
}

impl Service<Request> for Guard {
    type Response = Response;
    type Error = Infallible;
    type Future = GuardFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        let started = Instant::now();
        let shared = self.shared.clone();
        let s = &shared.state;
        let source = self.peer;
        let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let (id, client_id) = (serial_id(n), client_id(&req));
        let id_text = id.to_str().unwrap_or_default();
        let method = req.method().clone();
        let route = shared.routes.find(req.uri().path());
        let route_name = shared.routes.get(route).name();
        // A request with credentials is charged once its sign-in is decided
        // (auth.rs), so a claimed login never pays; the others pay here.
        let limiter = s.limiter.as_deref();
        let deferred = limiter.is_some()
            && req.headers().contains_key(header::AUTHORIZATION)
            && !ratelimit::never_signs_in(route_name);
        let mut charge = limiter.filter(|_| !deferred).map(|l| l.charge(Payer::Source(source)));
        let mut refused = match (&charge, limiter) {
            (Some(c), Some(l)) if !c.allowed => Some(l.refusal(c)),
            _ => refusal(s, &mut req),
        };
        if let (Some(l), None, true) = (limiter, charge, refused.is_some()) {
            // Refused before any sign-in: the source pays.
            let c = l.charge(Payer::Source(source));
            if !c.allowed {
                refused = Some(l.refusal(&c));
            }
            charge = Some(c);
        }
        // The journal and the fault rules cost one relaxed load each when
        // off; roster's own control routes are neither recorded nor faulted.
        let (journal_on, faulting) = (s.journal.on(), s.faults.active());
        let watched = (journal_on || faulting) && !req.uri().path().starts_with(CONTROL);
        let entry = (watched && journal_on).then(|| {
            let mut e = Entry::new(method.clone(), req.uri(), shared.routes.get(route).template());
            e.request_id = n;
            Box::new(e)
        });
        let mut seen: Option<SeenSlot> = None;
        let handled = match refused {
            Some(_) => None,
            None => {
                let client_text = client_id.as_ref().and_then(|v| v.to_str().ok());
                let span = tracing::debug_span!(
                    "request",
                    request_id = %id_text,
                    client_request_id = client_text,
                    %method,
                    route = route_name
                );
                let mut ctx =
                    RequestContext::new(source, RequestId(n)).with_client_request_id(client_text.map(Box::from));
                if entry.is_some() {
                    ctx = ctx.keeping_changes();
                }
                if let Some(c) = charge {
                    ctx.charge_once(|| c);
                }
                if !req.uri().path().starts_with("/wiki/") {
                    let sent = SentUri(req.uri().clone());
                    req.extensions_mut().insert(sent);
                }
                let direct = shared.routes.direct_get(route).filter(|_| method == Method::GET);
                let observed = watched && (faulting || (journal_on && !http_body::Body::is_end_stream(req.body())));
                let dispatched = match direct {
                    _ if observed => {
                        seen = entry.as_ref().map(|_| SeenSlot::default());
                        let inner = shared.clone();
                        let is_get = method == Method::GET;
                        let dispatch = move |req: Request| async move {
                            match inner.routes.direct_get(route).filter(|_| is_get) {
                                Some(handler) => handler(req, inner.state.clone()).await,
                                None => match inner.router.clone().call(req).await {
                                    Ok(resp) => resp,
                                    Err(never) => match never {},
                                },
                            }
                        };
                        let template = shared.routes.get(route).template();
                        Dispatched::Observed {
                            answer: Box::pin(observe::observed(
                                s.clone(),
                                template,
                                req,
                                seen.clone(),
                                faulting,
                                dispatch,
                            )),
                        }
                    }
                    Some(handler) => Dispatched::Direct { answer: handler(req, s.clone()) },
                    None => Dispatched::Routed { answer: shared.router.clone().call(req) },
                };
                let handler = AssertUnwindSafe(dispatched.instrument(span)).catch_unwind();
                Some(context::scoped(ctx, handler))
            }
        };
        GuardFuture {
            handled,
            refused,
            done: Some(Done {
                started,
                id,
                client_id,
                method,
                route,
                charge,
                source,
                entry,
                seen,
                shared: shared.clone(),
            }),
        }
    }
}

/// What the guard does once the answer is known.
struct Done {
    started: Instant,
    id: HeaderValue,
    client_id: Option<HeaderValue>,
    method: Method,
    /// Position in the route table.
    route: usize,
    /// The rate-limit charge, once made (a request with credentials: after
    /// its handler, from its context).
    charge: Option<Charge>,
    source: Option<IpAddr>,
    /// The journal entry in the making, while the journal is on.
    entry: Option<Box<Entry>>,
    /// What `observe.rs` saw of the request, if it went that way.
    seen: Option<SeenSlot>,
    shared: Arc<Shared>,
}

impl Done {
    fn finish(mut self, mut resp: Response) -> Response {
        let s = &self.shared;
        if let Some(l) = &s.state.limiter {
            if self.charge.is_none() {
                // Credentials no handler looked at (a route `never_signs_in`
                // does not list, a 405, an extractor that refused first): the
                // source pays, after the fact.
                let c = l.charge(Payer::Source(self.source));
                if !c.allowed {
                    resp = l.refusal(&c);
                }
                self.charge = Some(c);
            }
            if let Some(c) = &self.charge {
                l.annotate(resp.headers_mut(), c);
            }
        }
        let status = resp.status().as_u16();
        let took = self.started.elapsed();
        let id_text = self.id.to_str().unwrap_or_default();
        let client_text = self.client_id.as_ref().and_then(|v| v.to_str().ok());
        tracing::debug!(
            request_id = %id_text,
            client_request_id = client_text,
            status,
            micros = took.as_micros() as u64,
            "request done"
        );
        // A dropped connection sent no status: `faults_injected` counts it.
        let dropped = resp.extensions().get::<crate::faults::answer::DropConnection>().is_some();
        if !dropped {
            s.state.telemetry.record(s.routes.get(self.route), &self.method, status, took);
        }
        if let Some(mut entry) = self.entry.take() {
            entry.status = (!dropped).then_some(status);
            entry.micros = took.as_micros() as u64;
            if let Some(seen) = self.seen.take() {
                let Seen { body, body_len, fault, handler_status } = std::mem::take(&mut *seen.lock());
                (entry.body, entry.body_len, entry.fault, entry.handler_status) =
                    (body, body_len, fault, handler_status);
            }
            s.state.journal.record(*entry);
        }
        resp.headers_mut().insert(REQUEST_ID, self.id);
        if let Some(theirs) = self.client_id {
            resp.headers_mut().insert(CLIENT_REQUEST_ID, theirs);
        }
        resp
    }
}

pin_project_lite::pin_project! {
    /// The guarded handler's future.
    pub struct GuardFuture {
        #[pin]
        handled: Option<Handled>,
        refused: Option<Response>,
        done: Option<Done>,
    }
}

impl Future for GuardFuture {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let resp = match this.handled.as_pin_mut() {
            None => this.refused.take().unwrap_or_else(|| error_body(StatusCode::INTERNAL_SERVER_ERROR, "")),
            Some(mut handled) => {
                let outcome = match handled.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(outcome) => outcome,
                };
                if let Some(done) = this
                    .done
                    .as_mut()
                    .filter(|d| d.entry.is_some() || (d.charge.is_none() && d.shared.state.limiter.is_some()))
                {
                    if let Some(ctx) = handled.take_value() {
                        if done.charge.is_none() {
                            // The charge the sign-in made, if it made one.
                            done.charge = ctx.charge();
                        }
                        if let Some(entry) = done.entry.as_mut() {
                            entry.user = ctx.user();
                            entry.changes = ctx.take_changes();
                        }
                    }
                }
                match outcome {
                    Ok(Ok(resp)) => resp,
                    Ok(Err(never)) => match never {},
                    Err(panic) => {
                        let what = panic
                            .downcast_ref::<&str>()
                            .map(|s| s.to_string())
                            .or_else(|| panic.downcast_ref::<String>().cloned())
                            .unwrap_or_default();
                        let id = this.done.as_ref().map(|d| d.id.to_str().unwrap_or_default().to_string());
                        tracing::error!(request = %id.unwrap_or_default(), panic = %what, "request handler panicked");
                        error_body(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
                    }
                }
            }
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
