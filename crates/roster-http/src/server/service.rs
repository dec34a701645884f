//! The service hyper calls for each request of one connection: the
//! connection's guard, with the request body given its deadlines and the
//! request's start and end reported to the socket (`deadline.rs`). What it
//! adds per request: an `Arc` clone (as axum's `TowerToHyperService` did
//! with the guard) and two relaxed stores. An answer marked
//! [`DropConnection`] (an injected fault, `faults/answer.rs`) is turned
//! into an error, on which hyper closes the connection without a word.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::http::Request;
use axum::response::Response;
use http_body::Body as _;
use hyper::body::Incoming;
use tower::Service as _;

use super::body::{BodyLimits, TimedBody};
use super::deadline::Signals;
use crate::faults::answer::DropConnection;
use crate::middleware::guard::{Guard, GuardFuture};

/// Why a connection was closed without an answer.
#[derive(Debug)]
pub(super) struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for Dropped {}

/// One connection's service.
pub(super) struct ConnService {
    guard: Guard,
    signals: Arc<Signals>,
    body: BodyLimits,
}

impl ConnService {
    pub(super) fn new(guard: Guard, signals: Arc<Signals>, body: BodyLimits) -> Self {
        ConnService { guard, signals, body }
    }
}

impl hyper::service::Service<Request<Incoming>> for ConnService {
    type Response = Response;
    type Error = Dropped;
    type Future = Tracked;

    fn call(&self, req: Request<Incoming>) -> Tracked {
        self.signals.begin();
        let limits = self.body;
        // A request without a body (every GET) keeps hyper's body as is.
        let req = req.map(|b| if b.is_end_stream() { Body::new(b) } else { Body::new(TimedBody::new(b, limits)) });
        Tracked { inner: self.guard.clone().call(req), signals: self.signals.clone() }
    }
}

pin_project_lite::pin_project! {
    /// The guard's future; tells the socket when the answer is ready.
    pub(super) struct Tracked {
        #[pin]
        inner: GuardFuture,
        signals: Arc<Signals>,
    }
}

impl Future for Tracked {
    type Output = Result<Response, Dropped>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Poll::Ready(out) = this.inner.poll(cx) else { return Poll::Pending };
        this.signals.end();
        let Ok(resp) = out;
        Poll::Ready(match resp.extensions().get::<DropConnection>() {
            Some(_) => Err(Dropped),
            None => Ok(resp),
        })
    }
}
