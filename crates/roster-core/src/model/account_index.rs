//! The account-id index: which user holds a Cloud account id.
//!
//! A bulk lookup resolves 200 ids whose users are scattered over a model
//! of a hundred megabytes. With a map from id strings, each lookup waited
//! on a chain of cache misses (table, key string, user entry, rendered
//! bytes), one lookup after the other. This table stores only each key's
//! full 64-bit hash and the user's id (16 bytes a slot, open addressing
//! with linear probing, at most half full), so a probe touches one slot
//! and no string; the caller confirms the key on the user entry it needs
//! anyway (see `Model::users_by_account`), which lets a batch of lookups
//! run as a few passes of independent loads whose misses overlap.
//!
//! The hash is foldhash with a random seed per index, so colliding ids
//! cannot be chosen from outside; a full-hash collision only costs a second
//! probe.

use std::hash::BuildHasher;

use foldhash::fast::RandomState;

/// No user: marks an empty slot.
const EMPTY: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Slot {
    hash: u64,
    id: u32,
}

const FREE: Slot = Slot { hash: 0, id: EMPTY };

/// Account-id hash → user ids (see the module header).
#[derive(Debug)]
pub struct AccountIndex {
    slots: Vec<Slot>,
    /// 64 − log2(slots): the top bits of a hash pick its home slot.
    shift: u32,
    len: usize,
    state: RandomState,
}

impl Default for AccountIndex {
    fn default() -> Self {
        AccountIndex { slots: vec![FREE; 16], shift: 60, len: 0, state: RandomState::default() }
    }
}

impl AccountIndex {
    /// The hash `key` is filed under.
    pub fn hash(&self, key: &str) -> u64 {
        self.state.hash_one(key)
    }

    fn home(&self, hash: u64) -> usize {
        (hash >> self.shift) as usize
    }

    fn next(&self, i: usize) -> usize {
        (i + 1) & (self.slots.len() - 1)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.len
    }

    /// Files user `id` under `key`. The caller keeps account ids unique.
    pub fn insert(&mut self, key: &str, id: u32) {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let hash = self.hash(key);
        self.place(Slot { hash, id });
        self.len += 1;
    }

    fn place(&mut self, slot: Slot) {
        let mut i = self.home(slot.hash);
        while self.slots[i].id != EMPTY {
            i = self.next(i);
        }
        self.slots[i] = slot;
    }

    fn grow(&mut self) {
        let bigger = vec![FREE; self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, bigger);
        self.shift -= 1;
        for s in old.into_iter().filter(|s| s.id != EMPTY) {
            self.place(s);
        }
    }

    /// Removes user `id`, filed under `key`.
    pub fn remove(&mut self, key: &str, id: u32) {
        let hash = self.hash(key);
        let mut i = self.home(hash);
        loop {
            let s = self.slots[i];
            if s.id == EMPTY {
                return;
            }
            if s.hash == hash && s.id == id {
                break;
            }
            i = self.next(i);
        }
        // Backward-shift deletion: pull later entries of the run into the
        // hole when that does not move them before their home slot.
        let mut hole = i;
        let mut j = self.next(i);
        while self.slots[j].id != EMPTY {
            let home = self.home(self.slots[j].hash);
            let mask = self.slots.len() - 1;
            if (j.wrapping_sub(home) & mask) >= (j.wrapping_sub(hole) & mask) {
                self.slots[hole] = self.slots[j];
                hole = j;
            }
            j = self.next(j);
        }
        self.slots[hole] = FREE;
        self.len -= 1;
    }

    /// Reads the home slot of each hash without looking at what it holds.
    /// Probing branches on each slot, and a branch on a load still in
    /// flight, mispredicted, throws away the loads started after it; this
    /// pass has no such branch, so the misses of a batch overlap, and the
    /// probes that follow find their slots in cache. It is a pass of its
    /// own, after all the keys are hashed: folded into the hashing loop
    /// (some forty instructions an iteration) far fewer loads fit in the
    /// processor's window at once, and user_bulk ran 13 % slower.
    pub fn warm(&self, hashes: &[u64]) {
        let seen = hashes.iter().fold(0u32, |a, h| a ^ self.slots[self.home(*h)].id);
        std::hint::black_box(seen);
    }

    /// Starts loading the slot `hash` is filed at into the cache, without
    /// waiting for it: a caller that knows the key early (a request's
    /// query) hides the miss behind the work it does before the lookup.
    pub fn prefetch(&self, hash: u64) {
        let slot = &self.slots[self.home(hash)];
        #[cfg(all(any(target_arch = "x86", target_arch = "x86_64"), target_feature = "sse"))]
        safe_arch::prefetch_t0(slot);
        #[cfg(not(all(any(target_arch = "x86", target_arch = "x86_64"), target_feature = "sse")))]
        let _ = slot;
    }

    /// Every user id filed under `hash`, in probe order. Usually one;
    /// more only when two account ids share all 64 bits of their hash.
    pub fn candidates(&self, hash: u64) -> impl Iterator<Item = u32> + '_ {
        let mut i = self.home(hash);
        std::iter::from_fn(move || loop {
            let s = self.slots[i];
            if s.id == EMPTY {
                return None;
            }
            i = self.next(i);
            if s.hash == hash {
                return Some(s.id);
            }
        })
    }

    /// The first user id filed under `hash`, if any: the answer unless
    /// hashes collide (callers confirm it and fall back to [`Self::candidates`]).
    pub fn first(&self, hash: u64) -> Option<u32> {
        self.candidates(hash).next()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn ids_of(ix: &AccountIndex, key: &str) -> Vec<u32> {
        ix.candidates(ix.hash(key)).collect()
    }

    #[test]
    fn inserted_keys_are_found_and_removed_ones_are_not() {
        let mut ix = AccountIndex::default();
        let mut truth = HashMap::new();
        for n in 0..5_000u32 {
            let key = format!("712020:{n:08x}-account");
            ix.insert(&key, n);
            truth.insert(key, n);
        }
        assert_eq!(ix.len(), 5_000);
        // Remove every third key, in an order unrelated to insertion, so
        // backward shifts happen inside long and wrapped runs.
        let mut gone: Vec<_> = truth.keys().filter(|k| k.len() % 3 == 0 || k.contains('3')).cloned().collect();
        gone.sort();
        for k in &gone {
            let id = truth.remove(k).unwrap();
            ix.remove(k, id);
        }
        assert_eq!(ix.len(), truth.len());
        for (k, id) in &truth {
            assert_eq!(ids_of(&ix, k), vec![*id], "{k}");
        }
        for k in &gone {
            assert!(ids_of(&ix, k).is_empty(), "{k} still found");
        }
        assert_eq!(ix.first(ix.hash("never-inserted")), None);
    }

    #[test]
    fn removing_an_absent_key_or_a_different_id_changes_nothing() {
        let mut ix = AccountIndex::default();
        ix.insert("a", 1);
        ix.remove("b", 1);
        ix.remove("a", 2);
        assert_eq!(ids_of(&ix, "a"), vec![1]);
        ix.remove("a", 1);
        assert_eq!(ix.len(), 0);
        assert!(ids_of(&ix, "a").is_empty());
    }

    #[test]
    fn a_full_hash_collision_keeps_both_users() {
        let mut ix = AccountIndex::default();
        // The same key twice stands in for two keys with one hash.
        ix.insert("same", 7);
        ix.insert("same", 9);
        assert_eq!(ids_of(&ix, "same"), vec![7, 9]);
        ix.remove("same", 7);
        assert_eq!(ids_of(&ix, "same"), vec![9]);
    }
}
