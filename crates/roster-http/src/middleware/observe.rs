//! What the guard does, besides dispatching, to a request the journal
//! wants the body of or a fault rule may fire on (see `guard.rs`): read the
//! body once (it is handed on to the handler unchanged, a body over the cap
//! or a failed read included, so the handler answers them as always), keep
//! its redacted start for the journal, ask the fault rules, and act.
//! Requests neither needs never come here.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use bytes::BytesMut;
use futures::StreamExt;
use http_body::Body as _;
use parking_lot::Mutex;
use roster_core::directory::Credentials;

use crate::faults::answer;
use crate::faults::{Action, Lose, Probe};
use crate::journal::{entry::dialect_of, redact, Fault, BODY_CAP};
use crate::state::AppState;
use crate::wire::body::MAX_BODY;
use crate::wire::error::error_body;

/// What the observed request leaves for its journal entry.
#[derive(Default)]
pub struct Seen {
    pub body: Option<Bytes>,
    pub body_len: usize,
    pub fault: Option<Fault>,
    pub handler_status: Option<u16>,
}

/// The shared slot the observed future fills and the guard reads.
pub type SeenSlot = Arc<Mutex<Seen>>;

/// The login the request's Basic credentials name.
fn basic_login(headers: &HeaderMap) -> Option<String> {
    match Credentials::from_header(headers.get(header::AUTHORIZATION)?.as_bytes()).ok()? {
        Credentials::Basic { login, .. } => Some(login),
        Credentials::Bearer(_) => None,
    }
}

/// Reads `body` up to just over the cap; answers what was read and a body
/// that replays it followed by whatever was not read (the rest, or the
/// read error).
async fn take_body(body: Body) -> (Bytes, Body) {
    if body.is_end_stream() {
        return (Bytes::new(), body);
    }
    let mut stream = body.into_data_stream();
    let mut read = BytesMut::new();
    let mut failure = None;
    while read.len() <= MAX_BODY {
        match stream.next().await {
            Some(Ok(chunk)) => read.extend_from_slice(&chunk),
            Some(Err(e)) => {
                failure = Some(e);
                break;
            }
            None => {
                let read = read.freeze();
                return (read.clone(), Body::from(read));
            }
        }
    }
    let read = read.freeze();
    let head = futures::stream::once(futures::future::ready(Ok::<Bytes, axum::Error>(read.clone())));
    let replay = match failure {
        Some(e) => Body::from_stream(head.chain(futures::stream::once(futures::future::ready(Err(e))))),
        None => Body::from_stream(head.chain(stream)),
    };
    (read, replay)
}

/// Observes `req` for the route `route` (its template), then has
/// `dispatch` answer it unless a fault answers instead.
pub async fn observed<F, Fut>(
    s: AppState,
    route: Arc<str>,
    req: Request,
    seen: Option<SeenSlot>,
    faulting: bool,
    dispatch: F,
) -> Response
where
    F: FnOnce(Request) -> Fut,
    Fut: std::future::Future<Output = Response>,
{
    let (parts, body) = req.into_parts();
    let (read, body) = take_body(body).await;
    if let Some(seen) = &seen {
        if !read.is_empty() {
            let mut seen = seen.lock();
            seen.body_len = read.len();
            seen.body = Some(redact::redacted(&read, BODY_CAP));
        }
    }
    let decision = match faulting {
        false => None,
        true => {
            let login = basic_login(&parts.headers);
            let dialect = dialect_of(if &*route == "unmatched" { parts.uri.path() } else { &route });
            let probe = Probe {
                method: &parts.method,
                route: &route,
                path: parts.uri.path(),
                dialect,
                login: login.as_deref(),
                body: (!read.is_empty()).then_some(&read[..]),
            };
            s.faults.decide(&probe).map(|(rule, action)| (rule, action, dialect))
        }
    };
    let req = Request::from_parts(parts, body);
    let Some((rule, action, dialect)) = decision else { return dispatch(req).await };
    s.telemetry.fault(action.kind());
    if let Some(seen) = &seen {
        seen.lock().fault = Some(Fault { rule, kind: action.kind() });
    }
    tracing::debug!(rule, kind = action.kind(), "injecting a fault");
    match action {
        Action::Status { status, retry_after } => answer::status(status, retry_after, dialect),
        Action::Delay(wait) => {
            tokio::time::sleep(wait).await;
            dispatch(req).await
        }
        Action::Drop => answer::dropped(),
        Action::ApplyThenLose(lose) => {
            let done = dispatch(req).await;
            if let Some(seen) = &seen {
                seen.lock().handler_status = Some(done.status().as_u16());
            }
            drop(done);
            match lose {
                Lose::Drop => answer::dropped(),
                Lose::GatewayTimeout => error_body(StatusCode::GATEWAY_TIMEOUT, "Gateway timeout (injected fault)"),
            }
        }
    }
}
