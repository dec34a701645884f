//! Password hashing off the runtime, with bounded concurrency. Every argon2
//! run (checking a sign-in or a password change, hashing a new password)
//! goes through the directory's [`Hasher`]: at most `workers` run at once,
//! each on the blocking pool, and at most `queue` more wait their turn in
//! arrival order. A call beyond that is answered at once with
//! [`Error::Busy`] (503 with `Retry-After`), so a flood never piles up
//! threads or argon2's 19 MiB per run.
//!
//! A sign-in with no password to check (an unknown login, or an account
//! without a password) runs no argon2 but must not answer sooner than a
//! wrong password would: [`Hasher::pretend`] is admitted and queued like a
//! verification, so it waits behind the same verifications, then sleeps for
//! the duration of a recent real verification picked at random, holding no
//! worker. The first one in a process measures a real verification of a
//! dummy hash to have a duration to replay.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rand::Rng;
use tokio::sync::Semaphore;

use crate::credentials;
use crate::error::{Error, Result};

/// How much password work may run and wait at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashLimits {
    /// argon2 runs at once (0: one per core).
    pub workers: usize,
    /// Calls waiting for a worker beyond those running.
    pub queue: usize,
}

impl Default for HashLimits {
    fn default() -> Self {
        HashLimits { workers: 0, queue: 64 }
    }
}

impl HashLimits {
    fn workers(&self) -> usize {
        match self.workers {
            0 => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
            n => n,
        }
    }
}

static DEFAULT_LIMITS: Mutex<Option<HashLimits>> = parking_lot::const_mutex(None);

/// Sets the limits directories opened from now on use (`roster serve`
/// calls it with its configuration before opening the store).
pub fn set_default_limits(limits: HashLimits) {
    *DEFAULT_LIMITS.lock() = Some(limits);
}

/// Durations of recent real verifications, replayed by `pretend`.
const SAMPLES: usize = 32;

/// A hash to verify against when there is no real one (calibration).
fn dummy_hash() -> Arc<str> {
    static DUMMY: OnceLock<Arc<str>> = OnceLock::new();
    DUMMY.get_or_init(|| credentials::hash_password("roster-dummy-password").unwrap_or_default().into()).clone()
}

/// The directory's password worker limits and timing samples.
pub(super) struct Hasher {
    permits: Semaphore,
    /// Calls admitted and not yet answered (running, waiting or pretending).
    admitted: AtomicUsize,
    capacity: usize,
    samples: Mutex<Vec<Duration>>,
    /// Whether the first `pretend` has measured a verification.
    calibrated: tokio::sync::Mutex<bool>,
    /// argon2 verifications run.
    verifications: AtomicU64,
}

/// An admitted call; dropping it (also on cancellation) frees its place.
struct Ticket<'a>(&'a AtomicUsize);

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Hasher {
    pub fn new() -> Self {
        let limits = DEFAULT_LIMITS.lock().unwrap_or_default();
        Hasher::with_limits(limits)
    }

    pub fn with_limits(limits: HashLimits) -> Self {
        let workers = limits.workers().max(1);
        Hasher {
            permits: Semaphore::new(workers),
            admitted: AtomicUsize::new(0),
            capacity: workers + limits.queue,
            samples: Mutex::new(Vec::with_capacity(SAMPLES)),
            calibrated: tokio::sync::Mutex::new(false),
            verifications: AtomicU64::new(0),
        }
    }

    /// argon2 verifications run so far.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    fn admit(&self) -> Result<Ticket<'_>> {
        let before = self.admitted.fetch_add(1, Ordering::AcqRel);
        let ticket = Ticket(&self.admitted);
        if before >= self.capacity {
            return Err(Error::Busy { retry_after: 1 });
        }
        Ok(ticket)
    }

    /// Whether `password` matches `phc`.
    pub async fn verify(&self, password: &str, phc: Arc<str>) -> Result<bool> {
        let _ticket = self.admit()?;
        let _permit = self.permits.acquire().await.map_err(internal)?;
        Ok(self.timed_verify(password, phc).await)
    }

    async fn timed_verify(&self, password: &str, phc: Arc<str>) -> bool {
        self.verifications.fetch_add(1, Ordering::Relaxed);
        let password = password.to_string();
        let start = Instant::now();
        let ok =
            tokio::task::spawn_blocking(move || credentials::verify_password(&password, &phc)).await.unwrap_or(false);
        let took = start.elapsed();
        let mut samples = self.samples.lock();
        if samples.len() == SAMPLES {
            samples.remove(0);
        }
        samples.push(took);
        ok
    }

    /// Takes as long as a failed verification without running one (see the
    /// module header).
    pub async fn pretend(&self) -> Result<()> {
        let _ticket = self.admit()?;
        let permit = self.permits.acquire().await.map_err(internal)?;
        if self.samples.lock().is_empty() {
            // One caller calibrates; any others arriving meanwhile wait for
            // its sample rather than running argon2 too.
            let mut calibrated = self.calibrated.lock().await;
            if !*calibrated {
                let phc = tokio::task::spawn_blocking(dummy_hash).await.map_err(internal)?;
                self.timed_verify("not the dummy password", phc).await;
                *calibrated = true;
                return Ok(());
            }
        }
        drop(permit);
        let sample = {
            let samples = self.samples.lock();
            samples[rand::thread_rng().gen_range(0..samples.len())]
        };
        tokio::time::sleep(sample).await;
        Ok(())
    }

    /// An argon2 hash of `password` (validated first, so a bad one is
    /// refused without queueing).
    pub async fn hash(&self, password: &str) -> Result<String> {
        credentials::validate_password(password)?;
        let _ticket = self.admit()?;
        let _permit = self.permits.acquire().await.map_err(internal)?;
        let password = password.to_string();
        tokio::task::spawn_blocking(move || credentials::hash_password(&password)).await.map_err(internal)?
    }
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(anyhow::anyhow!("password worker failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn calls_beyond_the_workers_and_the_queue_are_busy_at_once() {
        let h = Arc::new(Hasher::with_limits(HashLimits { workers: 1, queue: 2 }));
        let phc: Arc<str> = credentials::hash_password("pw").unwrap().into();
        let mut running = Vec::new();
        for _ in 0..3 {
            let (h, phc) = (h.clone(), phc.clone());
            running.push(tokio::spawn(async move { h.verify("nope", phc).await }));
        }
        // Wait until all three are admitted (one running, two queued).
        let deadline = Instant::now() + Duration::from_secs(10);
        while h.admitted.load(Ordering::Acquire) < 3 {
            assert!(Instant::now() < deadline, "the calls were never admitted");
            tokio::task::yield_now().await;
        }
        let start = Instant::now();
        assert!(matches!(h.verify("nope", phc.clone()).await, Err(Error::Busy { retry_after: 1 })));
        assert!(matches!(h.pretend().await, Err(Error::Busy { .. })));
        assert!(start.elapsed() < Duration::from_millis(50), "refused without waiting");
        for r in running {
            assert!(!r.await.unwrap().unwrap());
        }
        assert_eq!(h.admitted.load(Ordering::Acquire), 0, "every place was given back");
        assert!(h.verify("pw", phc).await.unwrap());
        assert_eq!(h.verifications(), 4);
    }

    #[tokio::test]
    async fn pretending_replays_a_real_duration_without_running_argon2_after_the_first() {
        let h = Hasher::with_limits(HashLimits { workers: 1, queue: 4 });
        h.pretend().await.unwrap();
        assert_eq!(h.verifications(), 1, "the first one calibrates");
        let real = h.samples.lock()[0];
        let start = Instant::now();
        for _ in 0..3 {
            h.pretend().await.unwrap();
        }
        let each = start.elapsed() / 3;
        assert_eq!(h.verifications(), 1, "no argon2 after calibrating");
        assert!(each >= real.mul_f64(0.9), "pretending took {each:?}, a verification {real:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_first_pretenders_calibrate_once() {
        let h = Arc::new(Hasher::with_limits(HashLimits { workers: 4, queue: 16 }));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let h = h.clone();
                tokio::spawn(async move { h.pretend().await })
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(h.verifications(), 1);
    }

    #[tokio::test]
    async fn a_bad_password_is_refused_before_queueing() {
        let h = Hasher::with_limits(HashLimits { workers: 1, queue: 0 });
        assert!(matches!(h.hash("").await, Err(Error::Invalid { field: "password", .. })));
        assert!(h.hash("ok").await.unwrap().starts_with("$argon2id$"));
    }
}
