//! roster's accept loop, in place of `axum::serve`, which has no read
//! timeouts, no connection cap and a graceful shutdown that waits forever
//! for a half-sent request. Here:
//!
//! * at most [`Limits::max_connections`] connections are served; one more is
//!   answered a 503 in the JSON error shape and closed at once (counted in
//!   `roster_connections_refused_total`), never left waiting in the backlog;
//! * each connection's reads and writes run under deadlines
//!   (`server/deadline.rs`): the head of a request within the header-read
//!   timeout, the next request of a kept-alive connection within the idle
//!   timeout, a stalled write within the idle timeout; a request body under
//!   a total bound and a rate floor (`server/body.rs`);
//! * on shutdown the listener is closed, idle connections are closed,
//!   requests in flight get [`Limits::shutdown_grace`] to finish, and then
//!   every connection still open is dropped, half-sent requests included.
//!
//! HTTP/1.1 keep-alive and pipelining are hyper's, as before; each
//! connection gets its own guard (`guard.rs`), which knows the peer address.
//! Nothing here takes a lock or allocates per request: the deadlines live in
//! the connection's I/O object, and a request only bumps a counter of its
//! connection (see `server/service.rs`).

mod body;
mod deadline;
mod metrics;
mod refuse;
mod service;

use std::future::Future;
use std::io;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};
use tokio::task::AbortHandle;
use tokio::time::Instant;

pub use body::{is_body_timeout, BodyLimits, BodyTimedOut, BODY_GRACE};
pub use metrics::ConnectionMetrics;

use crate::middleware::guard::{Guard, Guarded};

/// The connection settings (`roster serve --header-read-timeout` and
/// friends; docs/reliability.md, "Connections and timeouts").
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// A request's head (request line and headers) must arrive within this
    /// time of its first byte; a new connection must send its first request
    /// within it too.
    pub header_read_timeout: Duration,
    /// A kept-alive connection is closed when the next request has not
    /// started this long after the last answer; a write that makes no
    /// progress for this long (a client that does not read) ends it too.
    pub idle_timeout: Duration,
    /// A request body must arrive within this time of the first read.
    pub body_read_timeout: Duration,
    /// ...and at no less than this many bytes per second on average after
    /// the first [`BODY_GRACE`] (0: no floor).
    pub body_min_rate: u32,
    /// Connections served at once; more are refused at once.
    pub max_connections: usize,
    /// How long requests in flight may take to finish after a shutdown
    /// signal before every connection is closed.
    pub shutdown_grace: Duration,
}

impl Limits {
    /// Default header-read timeout.
    pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
    /// Default keep-alive idle timeout.
    pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
    /// Default body-read timeout.
    pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
    /// Default body rate floor, bytes per second.
    pub const BODY_MIN_RATE: u32 = 1024;
    /// Default connection cap when nothing better is known (the binary
    /// derives its default from the open-file limit).
    pub const MAX_CONNECTIONS: usize = 1024;
    /// Default shutdown grace.
    pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

    fn body(&self) -> BodyLimits {
        BodyLimits { total: self.body_read_timeout, min_rate: self.body_min_rate }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: Self::HEADER_READ_TIMEOUT,
            idle_timeout: Self::IDLE_TIMEOUT,
            body_read_timeout: Self::BODY_READ_TIMEOUT,
            body_min_rate: Self::BODY_MIN_RATE,
            max_connections: Self::MAX_CONNECTIONS,
            shutdown_grace: Self::SHUTDOWN_GRACE,
        }
    }
}

/// What every connection of one server shares (one `Arc` clone per
/// connection).
struct Shared {
    limits: Limits,
    metrics: ConnectionMetrics,
}

/// One open connection, as the accept loop keeps it: how to ask it to
/// finish (graceful) and how to end it (after the grace).
struct Open {
    drain: oneshot::Sender<()>,
    task: AbortHandle,
}

/// Serves `app` on `listener` under `limits` until `shutdown` resolves,
/// then drains (see the module comment) and returns.
pub async fn serve(
    listener: TcpListener,
    app: Guarded,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    // A semaphore's permits are counted in u32 when taken all at once.
    let cap = limits.max_connections.clamp(1, u32::MAX as usize);
    let metrics = app.state().telemetry.connections.clone();
    let shared = Arc::new(Shared { limits, metrics });
    let refusal = refuse::Refusal::new().await;
    let slots = Arc::new(Semaphore::new(cap));
    let mut open: Vec<Open> = Vec::new();
    let mut prune_at = 64;
    let mut warned = Warned::default();
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            biased;
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    accept_failed(e, &mut warned).await;
                    continue;
                }
            },
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            shared.metrics.refused.inc();
            if due(&mut warned.refused) {
                tracing::warn!(max_connections = cap, "connection cap reached: refusing new connections with 503");
            }
            refusal.send(stream);
            continue;
        };
        let (drain, drained) = oneshot::channel();
        let task = tokio::spawn(connection(stream, app.connection(peer), shared.clone(), drained, permit));
        open.push(Open { drain, task: task.abort_handle() });
        if open.len() >= prune_at {
            // Connections that ended dropped their receiver.
            open.retain(|o| !o.drain.is_closed());
            prune_at = (open.len() * 2).max(64);
        }
    }
    drop(listener);
    drain(open, &slots, cap as u32, limits.shutdown_grace).await;
    Ok(())
}

/// Asks every connection to finish, waits up to `grace` for all of them to
/// end (each holds one of `slots`' permits), then ends those still open.
async fn drain(open: Vec<Open>, slots: &Semaphore, cap: u32, grace: Duration) {
    let mut tasks = Vec::with_capacity(open.len());
    for o in open {
        let _ = o.drain.send(());
        tasks.push(o.task);
    }
    if tokio::time::timeout(grace, slots.acquire_many(cap)).await.is_ok() {
        return;
    }
    let left = cap as usize - slots.available_permits();
    tracing::warn!(
        connections = left,
        grace_ms = grace.as_millis() as u64,
        "connections still open after the shutdown grace period: closing them"
    );
    for t in &tasks {
        t.abort();
    }
    // Aborted tasks end at their next turn on the runtime; this is a
    // safety net, not a wait anyone should see.
    let _ = tokio::time::timeout(Duration::from_secs(5), slots.acquire_many(cap)).await;
}

/// One connection, from accept to close.
async fn connection(
    stream: TcpStream,
    guard: Guard,
    shared: Arc<Shared>,
    mut drain: oneshot::Receiver<()>,
    _slot: OwnedSemaphorePermit,
) {
    let metrics = &shared.metrics;
    let limits = &shared.limits;
    metrics.open.inc();
    let signals = Arc::new(deadline::Signals::default());
    let mut keeper = deadline::Keeper::new(signals.clone(), limits.header_read_timeout, limits.idle_timeout);
    let io = TokioIo::new(deadline::Socket::new(stream, signals.clone()));
    let service = service::ConnService::new(guard, signals, limits.body());
    let mut conn = pin!(hyper::server::conn::http1::Builder::new().serve_connection(io, service));
    let mut draining = false;
    loop {
        tokio::select! {
            biased;
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                break;
            }
            expired = &mut keeper => {
                metrics.timed_out(expired.label());
                tracing::debug!(deadline = expired.label(), "closing a connection: its deadline passed");
                break;
            }
            _ = &mut drain, if !draining => {
                // Closes the connection if it is between requests, or once
                // the request in flight is answered.
                draining = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
    metrics.open.dec();
}

/// When each kind of warning was last logged: a flood would otherwise
/// write a line per connection.
#[derive(Default)]
struct Warned {
    refused: Option<Instant>,
    accept: Option<Instant>,
}

/// Whether a warning last logged at `last` may be logged again (and marks
/// it logged now if so).
fn due(last: &mut Option<Instant>) -> bool {
    let now = Instant::now();
    let due = last.is_none_or(|t| now.duration_since(t) >= Duration::from_secs(10));
    if due {
        *last = Some(now);
    }
    due
}

/// An accept that failed. A connection reset before it was accepted is
/// nothing; running out of file descriptors or memory is logged, and the
/// loop pauses briefly instead of spinning on the same error.
async fn accept_failed(e: io::Error, warned: &mut Warned) {
    use io::ErrorKind::*;
    if matches!(e.kind(), ConnectionAborted | ConnectionReset | ConnectionRefused | Interrupted | WouldBlock) {
        return;
    }
    if due(&mut warned.accept) {
        tracing::warn!(error = %e, "accepting a connection failed (out of file descriptors?); retrying");
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
}
