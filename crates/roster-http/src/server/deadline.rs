//! A connection's deadlines: the header-read timeout, the keep-alive idle
//! timeout and the write-stall timeout. hyper's own `header_read_timeout`
//! was not used: it restarts when hyper starts waiting for the next
//! request, so it would also be the idle timeout, and it allocates a new
//! timer for every request.
//!
//! Which deadline applies depends on where the connection is between
//! requests, which neither the socket nor the service sees alone. Both
//! report to [`Signals`]: the service (`service.rs`) when a request's head
//! has been parsed and when its answer is ready, the socket ([`Socket`])
//! when bytes arrive and when a write blocks or gets going again. The
//! [`Keeper`] is polled beside hyper's connection on the connection's task,
//! after it on every turn, so it sees each change in the turn it happens,
//! and keeps one timer for the earliest deadline:
//!
//! * `Head`: waiting for the rest of a request's head (on a new connection,
//!   for its first byte too): the header-read timeout, from the first byte
//!   (from the accept, on a new connection);
//! * `Idle`: the last answer is out, no byte of the next request yet: the
//!   idle timeout; the first byte starts `Head`;
//! * `Busy`: a request is being handled; its body has deadlines of its own
//!   (`body.rs`), and the handler may take as long as it takes;
//! * a write that cannot make progress (the client does not read its
//!   answers) may wait the idle timeout; meanwhile the idle timeout does
//!   not run, and it starts again from the last write that made progress.
//!
//! Hyper does not read its socket again after an answer when the last read
//! found nothing (the socket will wake it), so no read-side check could
//! start the idle clock; hence a keeper beside the connection. Its timer is
//! not touched per request: a deadline is a plain field, and when the timer
//! fires early (the deadline has moved on since it was set) it is set again,
//! once per timeout period at most.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

/// A counter with one writer on the connection's own task: a load and a
/// store, no read-modify-write.
#[derive(Default)]
struct Count(AtomicU32);

impl Count {
    fn get(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }

    fn set(&self, n: u32) {
        self.0.store(n, Ordering::Relaxed)
    }
}

/// What the service and the socket report about one connection.
#[derive(Default)]
pub(super) struct Signals {
    /// Odd while a request is in flight, even between requests.
    requests: Count,
    /// Moves on whenever a read brings bytes.
    reads: Count,
    /// Odd while the last write had to wait, even otherwise.
    writes: Count,
}

impl Signals {
    /// A request's head has been parsed.
    pub(super) fn begin(&self) {
        self.requests.set(self.requests.get() | 1);
    }

    /// That request's answer is ready to be written.
    pub(super) fn end(&self) {
        self.requests.set((self.requests.get() | 1).wrapping_add(1));
    }
}

/// A deadline that passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Expired {
    Header,
    Idle,
    Write,
}

impl Expired {
    pub(super) fn label(self) -> &'static str {
        match self {
            Expired::Header => "header",
            Expired::Idle => "idle",
            Expired::Write => "write",
        }
    }
}

/// The socket of one connection, reporting reads and blocked writes.
pub(super) struct Socket {
    io: TcpStream,
    signals: Arc<Signals>,
    /// Whether the last write had to wait (mirrors `signals.writes`).
    blocked: bool,
}

impl Socket {
    pub(super) fn new(io: TcpStream, signals: Arc<Signals>) -> Self {
        Socket { io, signals, blocked: false }
    }

    fn wrote<T>(&mut self, result: &Poll<io::Result<T>>) {
        let blocked = result.is_pending();
        if blocked != self.blocked {
            self.blocked = blocked;
            self.signals.writes.set(self.signals.writes.get().wrapping_add(1));
        }
    }
}

impl AsyncRead for Socket {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = Pin::new(&mut this.io).poll_read(cx, buf);
        if buf.filled().len() > before {
            this.signals.reads.set(this.signals.reads.get().wrapping_add(1));
        }
        result
    }
}

impl AsyncWrite for Socket {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.io).poll_write(cx, buf);
        this.wrote(&result);
        result
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        this.wrote(&result);
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

/// Which read deadline applies (see the module comment).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Head,
    Idle,
    Busy,
}

/// The deadlines of one connection.
pub(super) struct Keeper {
    signals: Arc<Signals>,
    header: Duration,
    idle: Duration,
    /// The signals as last seen.
    requests: u32,
    reads: u32,
    writes: u32,
    phase: Phase,
    read_by: Option<Instant>,
    write_by: Option<Instant>,
    /// Armed for the earliest deadline or an earlier one; made on first use.
    timer: Option<Pin<Box<Sleep>>>,
}

impl Keeper {
    pub(super) fn new(signals: Arc<Signals>, header: Duration, idle: Duration) -> Self {
        Keeper {
            signals,
            header,
            idle,
            requests: 0,
            reads: 0,
            writes: 0,
            phase: Phase::Head,
            read_by: None,
            write_by: None,
            timer: None,
        }
    }

    /// Follows the signals. A deadline is set, from now, in the turn that
    /// starts its phase.
    fn follow(&mut self) {
        let s = &self.signals;
        let (requests, reads, writes) = (s.requests.get(), s.reads.get(), s.writes.get());
        if requests != self.requests {
            self.requests = requests;
            self.phase = if requests & 1 == 1 { Phase::Busy } else { Phase::Idle };
            self.read_by = None;
        } else if reads != self.reads && self.phase == Phase::Idle {
            self.phase = Phase::Head;
            self.read_by = None;
        }
        self.reads = reads;
        if writes != self.writes {
            self.writes = writes;
            // A write that waited and then went on restarts the idle clock.
            self.read_by = None;
            self.write_by = None;
        }
        let write_blocked = writes & 1 == 1;
        if write_blocked {
            self.write_by.get_or_insert_with(|| Instant::now() + self.idle);
        }
        let read_timeout = match self.phase {
            _ if write_blocked => None,
            Phase::Busy => None,
            Phase::Idle => Some(self.idle),
            Phase::Head => Some(self.header),
        };
        match read_timeout {
            Some(t) => {
                self.read_by.get_or_insert_with(|| Instant::now() + t);
            }
            None => self.read_by = None,
        }
    }

    /// The earliest deadline set, and what it is for.
    fn earliest(&self) -> Option<(Instant, Expired)> {
        let kind = if self.phase == Phase::Head { Expired::Header } else { Expired::Idle };
        let read = self.read_by.map(|at| (at, kind));
        let write = self.write_by.map(|at| (at, Expired::Write));
        match (read, write) {
            (Some(r), Some(w)) => Some(if w.0 < r.0 { w } else { r }),
            (r, w) => r.or(w),
        }
    }
}

impl Future for Keeper {
    type Output = Expired;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Expired> {
        let this = self.get_mut();
        this.follow();
        let Some((by, what)) = this.earliest() else { return Poll::Pending };
        let timer = this.timer.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(by)));
        if timer.deadline() > by {
            timer.as_mut().reset(by);
        }
        loop {
            if timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            if timer.deadline() >= by {
                return Poll::Ready(what);
            }
            // Fired for a deadline that has since moved on.
            timer.as_mut().reset(by);
        }
    }
}
