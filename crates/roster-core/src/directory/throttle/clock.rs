//! The throttle's time source, injectable so tests move time instead of
//! sleeping. Times are milliseconds on a monotonic scale that starts at 1
//! (0 means "never" in the tables).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Milliseconds on a monotonic scale.
pub trait Clock: Send + Sync {
    fn now_ms(&self) -> u64;
}

/// The process's monotonic clock.
pub struct Monotonic(Instant);

impl Default for Monotonic {
    fn default() -> Self {
        Monotonic(Instant::now())
    }
}

impl Clock for Monotonic {
    fn now_ms(&self) -> u64 {
        1 + self.0.elapsed().as_millis() as u64
    }
}

/// A clock that moves only when told to (tests).
pub struct Manual(AtomicU64);

impl Default for Manual {
    fn default() -> Self {
        Manual(AtomicU64::new(1))
    }
}

impl Manual {
    /// Moves the clock on by `ms`.
    pub fn advance(&self, ms: u64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for Manual {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}
