//! Brute-force throttling of sign-ins, in two tables:
//!
//! * per **(login, source)**: after [`THROTTLE_AFTER`] failures the pair is
//!   refused without any password work for 1 s, and each further failure
//!   doubles the wait up to [`MAX_WAIT_SECS`]. A success clears the pair; a
//!   pair idle for a day is forgotten. Keying on the source as well as the
//!   account means an attacker cannot lock the owner out from elsewhere.
//! * per **source**: after [`SOURCE_THROTTLE_AFTER`] failures with any
//!   logins, the source waits the same way, up to [`SOURCE_MAX_WAIT_SECS`];
//!   one failure is forgiven per minute, and a success clears nothing (an
//!   attacker's own account must not reset the count). This is what stops
//!   rotating logins, which the pair table never sees twice.
//!
//! The login is kept only as a 16-byte keyed digest of its case-folded form
//! (see `auth.rs`), and an IPv6 source as its /64, so an entry has a fixed
//! size whatever a caller sends, and both tables are capped (about 11 MiB
//! together when full). Entries leave on a periodic [`Throttle::sweep`].
//! Time comes from an injected [`Clock`].

pub mod clock;
mod table;

use std::net::{IpAddr, Ipv6Addr};
use std::sync::Arc;

pub use clock::{Clock, Manual, Monotonic};
use table::{Rules, Table};

/// Failures from one source for one login before it is throttled.
pub const THROTTLE_AFTER: u32 = 10;
/// Longest wait imposed on a (login, source) pair (one hour).
pub const MAX_WAIT_SECS: u64 = 3600;
/// Failures from one source, any logins, before the source is throttled.
pub const SOURCE_THROTTLE_AFTER: u32 = 50;
/// Longest wait imposed on a source (15 minutes).
pub const SOURCE_MAX_WAIT_SECS: u64 = 900;

const PAIR_RULES: Rules = Rules {
    after: THROTTLE_AFTER,
    max_wait_secs: MAX_WAIT_SECS,
    forget_ms: 24 * 3600 * 1000,
    forgive_ms: 0,
    cap: 100_000,
};
const SOURCE_RULES: Rules = Rules {
    after: SOURCE_THROTTLE_AFTER,
    max_wait_secs: SOURCE_MAX_WAIT_SECS,
    forget_ms: 24 * 3600 * 1000,
    forgive_ms: 60 * 1000,
    cap: 50_000,
};

/// A login, as a keyed digest of its case-folded form.
pub type LoginKey = [u8; 16];

/// Where failures come from: an IPv4 address or an IPv6 /64 (one host
/// usually holds a whole /64), `None` when unknown (in-process callers).
pub type Source = Option<IpAddr>;

/// What the pair table is keyed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub login: LoginKey,
    pub source: Source,
}

/// The source a peer address counts as.
pub fn source_of(addr: Option<IpAddr>) -> Source {
    addr.map(|a| match a {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        },
        v4 => v4,
    })
}

/// The wait after the `failures`-th failure of a pair (0 below the threshold).
pub fn wait_after(failures: u32) -> u64 {
    PAIR_RULES.wait_after(failures)
}

/// Both tables and their clock.
pub struct Throttle {
    pairs: Table<Key>,
    sources: Table<Source>,
    clock: Arc<dyn Clock>,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::new(Arc::new(Monotonic::default()))
    }
}

impl Throttle {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Throttle { pairs: Table::new(PAIR_RULES), sources: Table::new(SOURCE_RULES), clock }
    }

    /// Whether nothing is throttled right now: the sign-in fast path may
    /// skip the tables. Two atomic loads, no lock; it turns true again at
    /// the first look after the last wait ends.
    pub fn quiet(&self) -> bool {
        self.pairs.quiet() && self.sources.quiet()
    }

    /// `Err(seconds)` while the source or the pair must wait.
    pub fn check(&self, key: &Key) -> Result<(), u64> {
        if self.quiet() {
            return Ok(());
        }
        let now = self.clock.now_ms();
        self.sources.check(&key.source, now)?;
        self.pairs.check(key, now)
    }

    /// `Err(seconds)` while the source must wait.
    pub fn check_source(&self, source: Source) -> Result<(), u64> {
        if self.sources.quiet() {
            return Ok(());
        }
        self.sources.check(&source, self.clock.now_ms())
    }

    /// Counts a failure of the pair and of its source; returns the longer
    /// wait it starts, if any.
    pub fn failed(&self, key: &Key) -> Option<u64> {
        let now = self.clock.now_ms();
        let pair = self.pairs.failed(key, now);
        let source = self.sources.failed(&key.source, now);
        pair.max(source)
    }

    /// Counts a failure of the source alone (a login no account can have).
    pub fn failed_source(&self, source: Source) -> Option<u64> {
        self.sources.failed(&source, self.clock.now_ms())
    }

    /// Clears the pair after a successful sign-in (the source keeps its count).
    pub fn succeeded(&self, key: &Key) {
        self.pairs.clear(key);
    }

    /// Forgets what has lapsed; run periodically (see `auth.rs`).
    pub fn sweep(&self) {
        let now = self.clock.now_ms();
        self.pairs.sweep(now);
        self.sources.sweep(now);
    }

    /// Entries held: (pairs, sources).
    pub fn len(&self) -> (usize, usize) {
        (self.pairs.len(), self.sources.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(login: u8, source: &str) -> Key {
        Key { login: [login; 16], source: Some(source.parse().unwrap()) }
    }

    #[test]
    fn waits_start_at_the_threshold_double_and_are_capped() {
        assert_eq!(wait_after(THROTTLE_AFTER - 1), 0);
        assert_eq!(wait_after(THROTTLE_AFTER), 1);
        assert_eq!(wait_after(THROTTLE_AFTER + 3), 8);
        assert_eq!(wait_after(THROTTLE_AFTER + 40), MAX_WAIT_SECS);
    }

    #[test]
    fn a_pair_is_refused_after_the_threshold_and_others_are_not() {
        let clock = Arc::new(Manual::default());
        let t = Throttle::new(clock.clone());
        let a = key(1, "10.0.0.1");
        let b = key(1, "10.0.0.2");
        for _ in 0..THROTTLE_AFTER - 1 {
            assert_eq!(t.failed(&a), None);
            assert!(t.check(&a).is_ok());
        }
        assert!(t.quiet(), "failures below the threshold throttle nothing");
        assert_eq!(t.failed(&a), Some(1));
        assert_eq!(t.check(&a), Err(1));
        assert!(t.check(&b).is_ok());
        assert!(!t.quiet());
        clock.advance(1_000);
        assert!(t.check(&a).is_ok(), "the wait lapsed");
        assert!(t.quiet(), "nothing is throttled any more");
        t.succeeded(&a);
        assert_eq!(t.failed(&a), None, "a success starts the pair over");
    }

    #[test]
    fn rotating_logins_from_one_source_throttle_the_source_only() {
        let t = Throttle::new(Arc::new(Manual::default()));
        for i in 0..SOURCE_THROTTLE_AFTER - 1 {
            assert_eq!(t.failed(&key(i as u8, "10.0.0.1")), None, "failure {i}");
        }
        assert_eq!(t.failed(&key(200, "10.0.0.1")), Some(1));
        assert_eq!(t.check(&key(201, "10.0.0.1")), Err(1), "a fresh login from the source waits");
        assert_eq!(t.check_source(Some("10.0.0.1".parse().unwrap())), Err(1));
        assert!(t.check(&key(201, "10.0.0.2")).is_ok(), "another source does not");
        // A success does not reset the source.
        t.succeeded(&key(201, "10.0.0.1"));
        assert!(t.check(&key(202, "10.0.0.1")).is_err());
    }

    #[test]
    fn an_ipv6_host_counts_as_its_slash_64() {
        let a = source_of(Some("2001:db8:1:2:aaaa::1".parse().unwrap()));
        let b = source_of(Some("2001:db8:1:2:bbbb::9".parse().unwrap()));
        let c = source_of(Some("2001:db8:1:3::1".parse().unwrap()));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(source_of(Some("::ffff:10.0.0.1".parse().unwrap())), Some("10.0.0.1".parse().unwrap()));
    }

    #[test]
    fn lapsed_entries_leave_on_the_sweep() {
        let clock = Arc::new(Manual::default());
        let t = Throttle::new(clock.clone());
        t.failed(&key(1, "10.0.0.1"));
        assert_eq!(t.len(), (1, 1));
        t.sweep();
        assert_eq!(t.len(), (1, 1));
        clock.advance(60_001); // the source's one failure is forgiven
        t.sweep();
        assert_eq!(t.len(), (1, 0));
        clock.advance(24 * 3600 * 1000);
        t.sweep();
        assert_eq!(t.len(), (0, 0));
    }
}
