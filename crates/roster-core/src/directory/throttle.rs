//! Brute-force throttling of sign-ins, per (login, source address): after
//! [`THROTTLE_AFTER`] failures the pair is refused without any password
//! work for 1 s, and each further failure doubles the wait up to
//! [`MAX_WAIT_SECS`]. A success clears the pair; a pair idle for a day is
//! forgotten. Keying on the source as well as the account means an attacker
//! cannot lock the owner out from elsewhere (no lockout denial of service),
//! while one source gets about 40 guesses per account per day.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// Failures from one source for one login before it is throttled.
pub const THROTTLE_AFTER: u32 = 10;
/// Longest wait imposed (one hour).
pub const MAX_WAIT_SECS: u64 = 3600;
/// A pair with no attempt for this long starts over.
const FORGET_AFTER: Duration = Duration::from_secs(24 * 3600);
/// Pairs remembered at most; beyond it idle, unthrottled pairs are dropped first.
const CAP: usize = 100_000;

/// What is throttled: a case-folded login (or `bearer`) and a source.
pub type Key = (String, Option<IpAddr>);

struct Entry {
    failures: u32,
    until: Option<Instant>,
    last: Instant,
}

/// The failure counts.
#[derive(Default)]
pub struct Throttle {
    map: Mutex<HashMap<Key, Entry>>,
    /// Pairs in `map`, readable without the lock.
    pairs: AtomicUsize,
}

/// The wait after the `failures`-th failure (0 below the threshold).
pub fn wait_after(failures: u32) -> u64 {
    if failures < THROTTLE_AFTER {
        return 0;
    }
    let exp = (failures - THROTTLE_AFTER).min(31);
    (1u64 << exp).min(MAX_WAIT_SECS)
}

impl Throttle {
    /// Whether no pair has a failure on record: nothing can be refused, and
    /// a success has nothing to clear.
    pub fn is_idle(&self) -> bool {
        self.pairs.load(Ordering::Acquire) == 0
    }

    /// `Err(seconds)` while `key` must wait.
    pub fn check(&self, key: &Key) -> Result<(), u64> {
        let now = Instant::now();
        match self.map.lock().get(key).and_then(|e| e.until) {
            Some(until) if until > now => Err((until - now).as_secs_f64().ceil().max(1.0) as u64),
            _ => Ok(()),
        }
    }

    /// Counts a failure; returns the wait it starts, if any.
    pub fn failed(&self, key: &Key) -> Option<u64> {
        let now = Instant::now();
        let mut map = self.map.lock();
        if map.len() >= CAP && !map.contains_key(key) {
            map.retain(|_, e| e.until.is_some_and(|u| u > now));
            if map.len() >= CAP {
                map.clear();
            }
        }
        let e = map.entry(key.clone()).or_insert(Entry { failures: 0, until: None, last: now });
        if now.duration_since(e.last) > FORGET_AFTER {
            e.failures = 0;
        }
        e.failures = e.failures.saturating_add(1);
        e.last = now;
        let wait = wait_after(e.failures);
        if wait != 0 {
            e.until = Some(now + Duration::from_secs(wait));
        }
        self.pairs.store(map.len(), Ordering::Release);
        (wait != 0).then_some(wait)
    }

    /// Clears `key` after a successful sign-in.
    pub fn succeeded(&self, key: &Key) {
        let mut map = self.map.lock();
        if !map.is_empty() {
            map.remove(key);
            self.pairs.store(map.len(), Ordering::Release);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_start_at_the_threshold_double_and_are_capped() {
        assert_eq!(wait_after(THROTTLE_AFTER - 1), 0);
        assert_eq!(wait_after(THROTTLE_AFTER), 1);
        assert_eq!(wait_after(THROTTLE_AFTER + 3), 8);
        assert_eq!(wait_after(THROTTLE_AFTER + 40), MAX_WAIT_SECS);
    }

    #[test]
    fn a_pair_is_refused_after_the_threshold_and_others_are_not() {
        let t = Throttle::default();
        let a: Key = ("alice".into(), Some("10.0.0.1".parse().unwrap()));
        let b: Key = ("alice".into(), Some("10.0.0.2".parse().unwrap()));
        for _ in 0..THROTTLE_AFTER - 1 {
            assert_eq!(t.failed(&a), None);
            assert!(t.check(&a).is_ok());
        }
        assert_eq!(t.failed(&a), Some(1));
        assert_eq!(t.check(&a), Err(1));
        assert!(t.check(&b).is_ok());
        assert!(!t.is_idle());
        t.succeeded(&a);
        assert!(t.check(&a).is_ok());
        assert!(t.is_idle());
    }
}
