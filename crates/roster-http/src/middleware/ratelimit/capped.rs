//! A keyed state store for governor's rate limiters that holds at most
//! `cap` keys. governor's own stores grow with every key they are asked
//! about and are only ever shrunk by a sweep; here, once the map is full, a
//! key it does not hold shares one overflow state with every other such
//! key until a sweep (`retain_recent`, from a background task) frees room.
//! So memory is bounded whatever the callers send, nothing is swept on the
//! request path, and a flood of new keys cannot take a budget from a key
//! the map already holds (nor reset one: nothing live is evicted).
//!
//! Each state is governor's: the GCRA's theoretical arrival time in
//! nanoseconds since the limiter started, 0 for "never seen", replaced with
//! a compare-and-swap (as governor's `InMemoryState` does, whose update is
//! not public).

use std::hash::{BuildHasher, Hash, RandomState};
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use dashmap::DashMap;
use governor::nanos::Nanos;
use governor::state::keyed::ShrinkableKeyedStateStore;
use governor::state::StateStore;

/// A state store of at most `cap` keys plus one shared overflow state.
pub struct Capped<K: Hash + Eq, S: BuildHasher + Clone = RandomState> {
    map: DashMap<K, AtomicU64, S>,
    cap: usize,
    /// Keys in `map`, kept exactly (an entry is counted when made and when
    /// swept), so the request path needs no walk over the shards.
    len: AtomicUsize,
    overflow: AtomicU64,
}

impl<K: Hash + Eq + Clone> Capped<K> {
    /// An empty store of at most `cap` keys (a random hash key per store, so
    /// callers cannot aim their keys at one shard).
    pub fn new(cap: usize) -> Self {
        Capped {
            map: DashMap::with_hasher(RandomState::new()),
            cap,
            len: AtomicUsize::new(0),
            overflow: AtomicU64::new(0),
        }
    }
}

/// governor's update: `f` decides from the previous state, which is
/// replaced only if no one else replaced it meanwhile.
fn measure<T, E>(cell: &AtomicU64, f: impl Fn(Option<Nanos>) -> Result<(T, Nanos), E>) -> Result<T, E> {
    let mut prev = cell.load(Ordering::Acquire);
    let mut decision = f(NonZeroU64::new(prev).map(|n| n.get().into()));
    while let Ok((result, next)) = decision {
        match cell.compare_exchange_weak(prev, next.into(), Ordering::Release, Ordering::Relaxed) {
            Ok(_) => return Ok(result),
            Err(now) => prev = now,
        }
        decision = f(NonZeroU64::new(prev).map(|n| n.get().into()));
    }
    decision.map(|(result, _)| result)
}

impl<K: Hash + Eq + Clone, S: BuildHasher + Clone> StateStore for Capped<K, S> {
    type Key = K;

    fn measure_and_replace<T, F, E>(&self, key: &K, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        if let Some(cell) = self.map.get(key) {
            return measure(&cell, f);
        }
        // A slot is taken before the entry is made, so concurrent new keys
        // cannot together pass the cap; it is given back if another request
        // made the same key's entry meanwhile.
        let cap = self.cap;
        if self.len.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| (n < cap).then_some(n + 1)).is_err() {
            return measure(&self.overflow, f);
        }
        let mut made = false;
        let cell = self.map.entry(key.clone()).or_insert_with(|| {
            made = true;
            AtomicU64::new(0)
        });
        if !made {
            self.len.fetch_sub(1, Ordering::Relaxed);
        }
        measure(&cell, f)
    }
}

impl<K: Hash + Eq + Clone, S: BuildHasher + Clone> ShrinkableKeyedStateStore<K> for Capped<K, S> {
    fn retain_recent(&self, drop_below: Nanos) {
        let below = drop_below.as_u64();
        self.map.retain(|_, cell| {
            let keep = cell.load(Ordering::Relaxed) > below;
            if !keep {
                self.len.fetch_sub(1, Ordering::Relaxed);
            }
            keep
        });
        // The overflow state ages like any other; resetting it once it is
        // indistinguishable from a fresh one changes nothing.
        let _ = self.overflow.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| (v <= below).then_some(0));
    }

    fn shrink_to_fit(&self) {
        self.map.shrink_to_fit();
    }

    fn len(&self) -> usize {
        self.len.load(Ordering::Relaxed)
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
