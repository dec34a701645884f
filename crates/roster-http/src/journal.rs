//! The request journal: the last N requests roster answered, in memory,
//! for tests that ask "what did my client send?" (WireMock's request
//! journal and `verify`). Off unless configured (`--journal-size`; on by
//! default with `--ephemeral`) or switched on at run time
//! (`PUT /rest/roster/1.0/requests/settings`).
//!
//! Off, a request pays one relaxed atomic load ([`Journal::on`]). On, the
//! guard (`middleware/guard.rs`) hands over an [`Entry`] once the answer is
//! known: the path and query (one small copy), the route template (an
//! `Arc`), the caller's internal id and, only for requests with a body, the
//! first [`BODY_CAP`] bytes with their secrets redacted. Everything a reader
//! wants decoded (the query, the caller's names, the dialect) is worked out
//! when the journal is read, not when a request is recorded. roster's own
//! control routes (`/rest/roster/1.0/...`) are not recorded: reading the
//! journal would otherwise fill it.

pub mod entry;
pub mod matcher;
pub mod redact;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};

use parking_lot::Mutex;

pub use entry::{Entry, Fault};
pub use matcher::Matcher;

/// Bytes of a request body the journal keeps.
pub const BODY_CAP: usize = 8 * 1024;

/// Entries kept when the journal is switched on without a size.
pub const DEFAULT_SIZE: usize = 10_000;

/// Most entries the journal may be asked to keep.
pub const MAX_SIZE: usize = 1_000_000;

/// The journal: a bounded ring of the newest entries.
pub struct Journal {
    on: AtomicBool,
    ring: Mutex<Ring>,
}

struct Ring {
    size: usize,
    entries: VecDeque<Entry>,
    /// The number the next entry gets (counts from 1, never reused).
    next: u64,
}

impl Default for Journal {
    fn default() -> Self {
        Journal { on: AtomicBool::new(false), ring: Mutex::new(Ring { size: 0, entries: VecDeque::new(), next: 1 }) }
    }
}

/// The journal's settings as the API shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub enabled: bool,
    pub size: usize,
    /// Entries held now.
    pub held: usize,
}

impl Journal {
    /// Whether requests are being recorded (the whole cost when off).
    #[inline]
    pub fn on(&self) -> bool {
        self.on.load(Ordering::Relaxed)
    }

    /// Switches recording on with room for `size` entries (`0`: off),
    /// dropping the oldest entries that no longer fit.
    pub fn configure(&self, size: usize) {
        let size = size.min(MAX_SIZE);
        let mut ring = self.ring.lock();
        ring.size = size;
        while ring.entries.len() > size {
            ring.entries.pop_front();
        }
        if size == 0 {
            ring.entries = VecDeque::new();
        }
        self.on.store(size > 0, Ordering::Relaxed);
    }

    /// The settings in force.
    pub fn settings(&self) -> Settings {
        let ring = self.ring.lock();
        Settings { enabled: self.on(), size: ring.size, held: ring.entries.len() }
    }

    /// Records `entry`, numbering it; the oldest entry goes when full.
    pub fn record(&self, mut entry: Entry) {
        let mut ring = self.ring.lock();
        if ring.size == 0 {
            return;
        }
        entry.seq = ring.next;
        ring.next += 1;
        if ring.entries.len() >= ring.size {
            ring.entries.pop_front();
        }
        ring.entries.push_back(entry);
    }

    /// Forgets every entry; answers how many there were.
    pub fn clear(&self) -> usize {
        let mut ring = self.ring.lock();
        let n = ring.entries.len();
        ring.entries.clear();
        n
    }

    /// The entries `keep` accepts, newest first, at most `limit`; and how
    /// many it accepts in all.
    pub fn find(&self, keep: impl Fn(&Entry) -> bool, limit: usize) -> (Vec<Entry>, usize) {
        let ring = self.ring.lock();
        let mut found = Vec::new();
        let mut total = 0;
        for e in ring.entries.iter().rev() {
            if keep(e) {
                total += 1;
                if found.len() < limit {
                    found.push(e.clone());
                }
            }
        }
        (found, total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> Entry {
        Entry::new(axum::http::Method::GET, &path.parse().unwrap(), "/x".into())
    }

    #[test]
    fn a_full_ring_drops_its_oldest_entry_and_numbers_never_repeat() {
        let j = Journal::default();
        j.configure(2);
        for p in ["/a", "/b", "/c"] {
            j.record(entry(p));
        }
        let (found, total) = j.find(|_| true, 10);
        assert_eq!(total, 2);
        let seen: Vec<_> = found.iter().map(|e| (e.seq, e.path().to_string())).collect();
        assert_eq!(seen, vec![(3, "/c".to_string()), (2, "/b".to_string())]);
    }

    #[test]
    fn switched_off_the_journal_records_nothing_and_holds_nothing() {
        let j = Journal::default();
        j.record(entry("/a"));
        assert!(!j.on());
        assert_eq!(j.find(|_| true, 10).1, 0);
        j.configure(5);
        j.record(entry("/a"));
        j.configure(0);
        assert_eq!(j.settings(), Settings { enabled: false, size: 0, held: 0 });
    }

    #[test]
    fn shrinking_keeps_the_newest_entries() {
        let j = Journal::default();
        j.configure(10);
        for p in ["/a", "/b", "/c", "/d"] {
            j.record(entry(p));
        }
        j.configure(2);
        let (found, _) = j.find(|_| true, 10);
        assert_eq!(found.iter().map(|e| e.path()).collect::<Vec<_>>(), vec!["/d", "/c"]);
    }
}
