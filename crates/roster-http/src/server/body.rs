//! A request body with read deadlines: it must arrive within a total bound
//! of the handler's first read, and at no less than a rate floor after a
//! short allowance (mod_reqtimeout's `MinRate` model: each byte received
//! moves the deadline on by `1 / min_rate` seconds). A body that misses
//! either ends in [`BodyTimedOut`], which `body.rs` answers with 408; the
//! connection is then closed, since the rest of the body was never read.
//! The clock starts when the handler first reads the body, not when the
//! head arrived: time a request spends waiting for a sign-in is the
//! server's, not the client's.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Bytes;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use tokio::time::{Instant, Sleep};

/// How long a body may pause at its start before the rate floor applies.
pub const BODY_GRACE: Duration = Duration::from_secs(5);

/// A body's deadlines (see the module comment).
#[derive(Clone, Copy, Debug)]
pub struct BodyLimits {
    /// The whole body must arrive within this time of the first read.
    pub total: Duration,
    /// Bytes per second after [`BODY_GRACE`]; 0: no floor.
    pub min_rate: u32,
}

impl BodyLimits {
    /// When a body whose first read was at `start` and of which `received`
    /// bytes have arrived must have arrived in full (or made progress).
    pub fn deadline(&self, start: Instant, received: u64) -> Instant {
        let allowed = match self.min_rate {
            0 => self.total,
            rate => self.total.min(BODY_GRACE + Duration::from_secs_f64(received as f64 / f64::from(rate))),
        };
        start + allowed
    }
}

/// A request body did not arrive in time.
#[derive(Debug)]
pub struct BodyTimedOut;

impl fmt::Display for BodyTimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the request body did not arrive in time")
    }
}

impl StdError for BodyTimedOut {}

/// Whether `e` (or an error it wraps) is a [`BodyTimedOut`].
pub fn is_body_timeout(e: &(dyn StdError + 'static)) -> bool {
    let mut at = Some(e);
    while let Some(e) = at {
        if e.is::<BodyTimedOut>() {
            return true;
        }
        at = e.source();
    }
    false
}

pin_project_lite::pin_project! {
    /// hyper's body of one request, with deadlines.
    pub(super) struct TimedBody {
        #[pin]
        inner: Incoming,
        limits: BodyLimits,
        started: Option<Instant>,
        received: u64,
        // Made only when a read has to wait.
        timer: Option<Pin<Box<Sleep>>>,
    }
}

impl TimedBody {
    pub(super) fn new(inner: Incoming, limits: BodyLimits) -> Self {
        TimedBody { inner, limits, started: None, received: 0, timer: None }
    }
}

impl Body for TimedBody {
    type Data = Bytes;
    type Error = Box<dyn StdError + Send + Sync>;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.project();
        let start = *this.started.get_or_insert_with(Instant::now);
        match this.inner.poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    *this.received += data.len() as u64;
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                let by = this.limits.deadline(start, *this.received);
                let timer = this.timer.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(by)));
                if timer.deadline() != by {
                    timer.as_mut().reset(by);
                }
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimedOut)))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_moves_on_with_the_bytes_received_up_to_the_total() {
        let limits = BodyLimits { total: Duration::from_secs(30), min_rate: 1000 };
        let start = Instant::now();
        assert_eq!(limits.deadline(start, 0), start + BODY_GRACE);
        assert_eq!(limits.deadline(start, 2000), start + BODY_GRACE + Duration::from_secs(2));
        assert_eq!(limits.deadline(start, 1 << 30), start + Duration::from_secs(30));
        let no_floor = BodyLimits { min_rate: 0, ..limits };
        assert_eq!(no_floor.deadline(start, 0), start + Duration::from_secs(30));
    }

    #[test]
    fn a_wrapped_timeout_is_recognised() {
        let e = axum::Error::new(axum::Error::new(Box::new(BodyTimedOut) as Box<dyn StdError + Send + Sync>));
        assert!(is_body_timeout(&e));
        assert!(!is_body_timeout(&axum::Error::new(std::io::Error::other("reset"))));
    }
}
