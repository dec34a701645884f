//! One table of failure counts with exponential waits, bounded in size.
//! Keys are fixed-size (a login digest and/or an address), so an entry
//! costs the same whatever a caller sends. Entries leave on the periodic
//! [`Table::sweep`], never on the request path; when the table is full a
//! new key makes room by dropping entries that are not throttled, the
//! longest idle first, and when every entry is throttled nothing is
//! dropped: the new key is refused until the first wait ends (an attacker
//! cannot lift a throttle by filling the table).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, Ordering};

use parking_lot::Mutex;

/// How a table counts and forgives.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rules {
    /// Failures before the first wait.
    pub after: u32,
    /// Longest wait, in seconds.
    pub max_wait_secs: u64,
    /// An entry with no failure for this long starts over.
    pub forget_ms: u64,
    /// One failure is forgiven per this many milliseconds (0: none).
    pub forgive_ms: u64,
    /// Entries kept at most.
    pub cap: usize,
}

impl Rules {
    /// The wait after the `failures`-th failure, in seconds (0 below the
    /// threshold): 1 s, doubling, capped.
    pub fn wait_after(&self, failures: u32) -> u64 {
        if failures < self.after {
            return 0;
        }
        let exp = (failures - self.after).min(31);
        (1u64 << exp).min(self.max_wait_secs)
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    /// End of the current wait (0: none).
    until: u64,
    last: u64,
}

impl Entry {
    /// The failure count at `now`, after forgetting and forgiving.
    fn failures_at(&self, rules: &Rules, now: u64) -> u32 {
        let idle = now.saturating_sub(self.last);
        if idle > rules.forget_ms {
            return 0;
        }
        match idle.checked_div(rules.forgive_ms) {
            Some(forgiven) => self.failures.saturating_sub(forgiven.min(u32::MAX as u64) as u32),
            None => self.failures,
        }
    }

    fn throttled(&self, now: u64) -> bool {
        self.until > now
    }
}

struct Inner<K> {
    map: HashMap<K, Entry>,
    /// The latest end of any wait set so far.
    latest_until: u64,
    /// While the table is full of throttled entries: when the first of
    /// their waits ends (new keys are refused until then).
    saturated_until: u64,
}

/// Failure counts for keys of type `K`.
pub(super) struct Table<K> {
    rules: Rules,
    inner: Mutex<Inner<K>>,
    /// Whether some entry may be throttled now. Read without the lock by
    /// the sign-in fast path; cleared once the latest wait has ended.
    active: AtomicBool,
}

fn secs_until(until: u64, now: u64) -> u64 {
    until.saturating_sub(now).div_ceil(1000).max(1)
}

impl<K: Hash + Eq + Clone> Table<K> {
    pub fn new(rules: Rules) -> Self {
        Table {
            rules,
            inner: Mutex::new(Inner { map: HashMap::new(), latest_until: 0, saturated_until: 0 }),
            active: AtomicBool::new(false),
        }
    }

    /// Whether nothing in the table can be throttled right now (no lock).
    pub fn quiet(&self) -> bool {
        !self.active.load(Ordering::Acquire)
    }

    /// `Err(seconds)` while `key` must wait.
    pub fn check(&self, key: &K, now: u64) -> Result<(), u64> {
        if self.quiet() {
            return Ok(());
        }
        let mut inner = self.inner.lock();
        self.settle(&mut inner, now);
        match inner.map.get(key) {
            Some(e) if e.throttled(now) => Err(secs_until(e.until, now)),
            None if inner.saturated_until > now => Err(secs_until(inner.saturated_until, now)),
            _ => Ok(()),
        }
    }

    /// Counts a failure of `key`; returns the wait it starts, if any. When
    /// the table is full of throttled entries the failure cannot be
    /// recorded and the key is told to wait for the first of them.
    pub fn failed(&self, key: &K, now: u64) -> Option<u64> {
        let mut inner = self.inner.lock();
        let full = !inner.map.contains_key(key) && inner.map.len() >= self.rules.cap;
        if full && (inner.saturated_until > now || !self.make_room(&mut inner, now)) {
            return Some(secs_until(inner.saturated_until, now));
        }
        let rules = self.rules;
        let e = inner.map.entry(key.clone()).or_insert(Entry { failures: 0, until: 0, last: now });
        e.failures = e.failures_at(&rules, now).saturating_add(1);
        e.last = now;
        let wait = rules.wait_after(e.failures);
        if wait == 0 {
            return None;
        }
        let until = now + wait * 1000;
        e.until = until;
        inner.latest_until = inner.latest_until.max(until);
        self.active.store(true, Ordering::Release);
        Some(wait)
    }

    /// Clears `key` (a successful sign-in).
    pub fn clear(&self, key: &K) {
        let mut inner = self.inner.lock();
        if !inner.map.is_empty() {
            inner.map.remove(key);
        }
    }

    /// Drops entries that are neither throttled nor counting any more, and
    /// notes when nothing is throttled. Run periodically, off the request
    /// path.
    pub fn sweep(&self, now: u64) {
        let mut inner = self.inner.lock();
        let rules = self.rules;
        inner.map.retain(|_, e| e.throttled(now) || e.failures_at(&rules, now) > 0);
        self.settle(&mut inner, now);
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.inner.lock().map.len()
    }

    fn settle(&self, inner: &mut Inner<K>, now: u64) {
        if inner.saturated_until <= now {
            inner.saturated_until = 0;
        }
        if inner.latest_until <= now {
            self.active.store(false, Ordering::Release);
        }
    }

    /// Frees a quarter of the table (at least one entry) among entries
    /// that are not throttled, the longest idle first. False when every
    /// entry is throttled; the table is then saturated until the first
    /// wait ends.
    fn make_room(&self, inner: &mut Inner<K>, now: u64) -> bool {
        let rules = self.rules;
        inner.map.retain(|_, e| e.throttled(now) || e.failures_at(&rules, now) > 0);
        if inner.map.len() < rules.cap {
            return true;
        }
        let mut idle: Vec<(u64, K)> =
            inner.map.iter().filter(|(_, e)| !e.throttled(now)).map(|(k, e)| (e.last, k.clone())).collect();
        if idle.is_empty() {
            inner.saturated_until = inner.map.values().map(|e| e.until).min().unwrap_or(now);
            return false;
        }
        let n = (rules.cap / 4).clamp(1, idle.len());
        if n < idle.len() {
            idle.select_nth_unstable_by_key(n - 1, |(last, _)| *last);
        }
        for (_, k) in idle.into_iter().take(n) {
            inner.map.remove(&k);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: Rules = Rules { after: 3, max_wait_secs: 60, forget_ms: 10_000, forgive_ms: 0, cap: 4 };

    #[test]
    fn waits_start_at_the_threshold_and_lapse_without_sleeping() {
        let t: Table<u32> = Table::new(RULES);
        let now = 1_000;
        assert_eq!(t.failed(&1, now), None);
        assert_eq!(t.failed(&1, now), None);
        assert!(t.quiet());
        assert_eq!(t.failed(&1, now), Some(1));
        assert!(!t.quiet());
        assert_eq!(t.check(&1, now + 200), Err(1));
        assert!(t.check(&2, now + 200).is_ok());
        assert_eq!(t.failed(&1, now + 1_000), Some(2));
        assert_eq!(t.check(&1, now + 2_999), Err(1));
        assert!(t.check(&1, now + 3_000).is_ok());
        // Looking after the wait ended turns the fast-path flag off again.
        assert!(t.quiet());
    }

    #[test]
    fn a_sweep_forgets_idle_entries_but_keeps_throttled_ones() {
        let t: Table<u32> = Table::new(Rules { after: 2, max_wait_secs: 3_600, ..RULES });
        t.failed(&1, 1_000);
        t.failed(&2, 1_000);
        t.failed(&2, 1_000); // throttled for 1 s
        t.failed(&2, 1_500); // 2 s more, until 3,500
        t.sweep(3_000);
        assert_eq!(t.len(), 2);
        assert!(!t.quiet());
        t.sweep(12_000);
        assert_eq!(t.len(), 0, "idle past forget_ms");
        assert!(t.quiet());
    }

    #[test]
    fn forgiving_tables_let_one_failure_go_per_period() {
        let t: Table<u32> = Table::new(Rules { forgive_ms: 1_000, ..RULES });
        t.failed(&1, 1_000);
        t.failed(&1, 1_000);
        // Two periods later both are forgiven: the next is the first again.
        assert_eq!(t.failed(&1, 3_000), None);
        assert_eq!(t.failed(&1, 3_000), None);
        assert_eq!(t.failed(&1, 3_000), Some(1));
    }

    #[test]
    fn a_full_table_drops_idle_unthrottled_entries_first() {
        let t: Table<u32> = Table::new(RULES);
        for k in 0..3 {
            t.failed(&k, 1_000 + k as u64); // one failure each: not throttled
        }
        for _ in 0..3 {
            t.failed(&9, 2_000); // throttled
        }
        assert_eq!(t.len(), 4);
        t.failed(&5, 2_100);
        assert_eq!(t.len(), 4);
        assert_eq!(t.check(&9, 2_100), Err(1), "the throttled entry survived");
        // Entry 0 was the longest idle: it is the one that left.
        let inner = t.inner.lock();
        assert!(!inner.map.contains_key(&0));
        assert!(inner.map.contains_key(&1) && inner.map.contains_key(&5));
    }

    #[test]
    fn a_table_full_of_throttled_entries_refuses_new_keys_instead_of_clearing() {
        let t: Table<u32> = Table::new(RULES);
        for k in 0..4 {
            for _ in 0..3 {
                t.failed(&k, 1_000);
            }
        }
        assert_eq!(t.failed(&7, 1_100), Some(1), "the new key is told to wait");
        assert_eq!(t.check(&7, 1_100), Err(1));
        for k in 0..4 {
            assert!(t.check(&k, 1_100).is_err(), "key {k} is still throttled");
        }
        assert_eq!(t.len(), 4);
        // Once the waits end, room is made and the new key is counted.
        assert!(t.check(&7, 2_000).is_ok());
        assert_eq!(t.failed(&7, 2_000), None);
        assert!(t.len() <= 4);
    }
}
