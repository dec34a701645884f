//! Users by the words of their display names, for `user.fullname ~` search.
//!
//! Each case-folded word of a name maps to the ascending ids of the users
//! whose name holds it. A search word matches every index word it starts
//! (a range of the ordered map), and a user matches when every search word
//! matches one of the words of their name: a union of posting lists per
//! search word, intersected, never a scan of every user.
//!
//! The cost is bounded whatever the query: search words are deduplicated and
//! a word that starts another search word is dropped (the longer one implies
//! it), so no two remaining words share an index word and one search visits
//! each posting at most once, plus one pass over a bitmap of `users / 64`
//! words per search word. With the default dataset (100,000 users, about
//! 200,000 postings) the worst query costs well under a millisecond.

use std::collections::BTreeMap;
use std::ops::Bound;

use smallvec::SmallVec;

use crate::types::fold;

/// The ids of the users whose name holds one word, ascending. Four ids fit
/// in the space the heap pointer takes anyway: most words of a directory
/// of real names (surnames) belong to a handful of users.
type Postings = SmallVec<[u32; 4]>;

/// Whether `c` separates words: white space, ASCII punctuation (so
/// `Smith-Jones`, `O'Brien` and `J.R.R.` split, and a `*` wildcard is no
/// part of a word), Unicode hyphens and dashes (U+2010–2015) and quotation
/// marks (U+2018–201F, as in `O’Brien`). Letters, digits and marks of every
/// script stay inside words.
pub fn is_separator(c: char) -> bool {
    c.is_whitespace() || c.is_ascii_punctuation() || matches!(c, '\u{2010}'..='\u{2015}' | '\u{2018}'..='\u{201F}')
}

/// The words of already case-folded text, in order.
pub fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded.split(is_separator).filter(|w| !w.is_empty())
}

/// Whether every search word (case-folded) starts some word of `name`: the
/// rule the index answers, checked directly on one name.
pub fn name_matches<S: AsRef<str>>(name: &str, search: &[S]) -> bool {
    let folded = fold(name);
    search.iter().all(|s| words(&fold(s.as_ref())).all(|w| words(&folded).any(|n| n.starts_with(w))))
}

/// The search words that decide a query: folded, split, deduplicated, and
/// without those that start another one (if a name has a word starting with
/// `jon`, it has one starting with `jo`). In order, each word's successor
/// is the only one it can start, so one pass finds them.
fn plan<S: AsRef<str>>(search: &[S]) -> Vec<String> {
    let mut all: Vec<String> =
        search.iter().flat_map(|s| words(&fold(s.as_ref())).map(str::to_string).collect::<Vec<_>>()).collect();
    all.sort_unstable();
    all.dedup();
    let mut keep = Vec::with_capacity(all.len());
    for (i, w) in all.iter().enumerate() {
        if !all.get(i + 1).is_some_and(|next| next.starts_with(w.as_str())) {
            keep.push(w.clone());
        }
    }
    keep
}

/// The index: the words known at the last rebuild in one sorted array, and
/// the words first seen since in an ordered map. A prefix's range in the
/// array is two binary searches and then consecutive memory: with 100,000
/// distinct words under one letter, walking them in a map alone took 1 to
/// 4 ms, its nodes scattered over the heap; in the array, a fraction of
/// that. The map takes new words cheaply and is merged into the array when
/// it grows past an eighth of it (so at most that much of a walk is in the
/// map), which costs about eight moves per new word over time.
/// A word whose last user leaves stays in the array, empty, until then.
/// Words are bytes, so a prefix's range has an upper bound ([`after_prefix`]).
#[derive(Debug, Default)]
pub struct NameIndex {
    settled: Vec<(Box<[u8]>, Postings)>,
    fresh: BTreeMap<Box<[u8]>, Postings>,
}

/// The fresh words that force a rebuild, at least (a small index is rebuilt
/// rarely however it grows); a handful in unit tests, so that they rebuild.
const FRESH_MIN: usize = if cfg!(test) { 8 } else { 1024 };

/// The least byte string greater than every string that starts with
/// `prefix` (UTF-8 never holds 0xFF, so the last byte can be raised).
fn after_prefix(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            break;
        }
    }
    end
}

impl NameIndex {
    fn postings_mut(&mut self, w: &[u8]) -> Option<&mut Postings> {
        match self.settled.binary_search_by(|(k, _)| (**k).cmp(w)) {
            Ok(at) => Some(&mut self.settled[at].1),
            Err(_) => self.fresh.get_mut(w),
        }
    }

    /// Merges the fresh words into the array, leaving out emptied words.
    fn settle(&mut self) {
        let settled = std::mem::take(&mut self.settled);
        let fresh = std::mem::take(&mut self.fresh);
        let mut merged = Vec::with_capacity(settled.len() + fresh.len());
        let (mut a, mut b) = (settled.into_iter().peekable(), fresh.into_iter().peekable());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some((ka, _)), Some((kb, _))) if ka < kb => a.next(),
                (Some(_), Some(_)) | (None, Some(_)) => b.next(),
                (Some(_), None) => a.next(),
                (None, None) => break,
            };
            merged.extend(next.filter(|(_, ids)| !ids.is_empty()));
        }
        self.settled = merged;
    }

    /// Files user `id` under each word of `name`.
    pub fn insert(&mut self, name: &str, id: u32) {
        for w in words(&fold(name)) {
            // Looking up before inserting spares a key allocation for every
            // word already known (nearly all of them at load).
            let ids = match self.postings_mut(w.as_bytes()) {
                Some(ids) => ids,
                None => self.fresh.entry(w.as_bytes().into()).or_default(),
            };
            // Ids mostly arrive ascending (load, new users): a push.
            if ids.last().is_none_or(|&last| last < id) {
                ids.push(id);
            } else if let Err(at) = ids.binary_search(&id) {
                ids.insert(at, id);
            }
        }
        if self.fresh.len() > FRESH_MIN.max(self.settled.len() / 8) {
            self.settle();
        }
    }

    /// Takes user `id` out from under each word of `name` (the name it was
    /// filed with).
    pub fn remove(&mut self, name: &str, id: u32) {
        for w in words(&fold(name)) {
            let Some(ids) = self.postings_mut(w.as_bytes()) else { continue };
            if let Ok(at) = ids.binary_search(&id) {
                ids.remove(at);
            }
            if ids.is_empty() {
                self.fresh.remove(w.as_bytes());
            }
        }
    }

    /// The users whose names match every word of `search` (each a prefix of
    /// some word of the name), among ids below `universe`. No search word
    /// at all matches nobody here: listing everyone is the caller's walk.
    pub fn search<S: AsRef<str>>(&self, search: &[S], universe: usize) -> NameMatches {
        let plan = plan(search);
        let len = universe.div_ceil(64);
        let mut acc: Vec<u64> = Vec::new();
        let mut cur = vec![0u64; len];
        for (i, w) in plan.iter().enumerate() {
            if i > 0 {
                cur.fill(0);
            }
            let end = after_prefix(w.as_bytes());
            let lo = self.settled.partition_point(|(k, _)| **k < *w.as_bytes());
            let hi = lo + self.settled[lo..].partition_point(|(k, _)| **k < *end);
            let range = (Bound::Included(w.as_bytes()), Bound::Excluded(&end[..]));
            let fresh = self.fresh.range::<[u8], _>(range).map(|(_, ids)| ids);
            for ids in self.settled[lo..hi].iter().map(|(_, ids)| ids).chain(fresh) {
                for &id in ids.iter().filter(|&&id| (id as usize) < universe) {
                    cur[id as usize / 64] |= 1 << (id % 64);
                }
            }
            if i == 0 {
                std::mem::swap(&mut acc, &mut cur);
                cur = vec![0u64; len];
            } else {
                acc.iter_mut().zip(&cur).for_each(|(a, c)| *a &= c);
            }
            if acc.iter().all(|&b| b == 0) {
                break;
            }
        }
        let count = acc.iter().map(|b| b.count_ones() as usize).sum();
        NameMatches { bits: acc, count }
    }

    /// Number of distinct words and of postings (for sizing).
    pub fn size(&self) -> (usize, usize) {
        let all = || self.settled.iter().map(|(_, ids)| ids).chain(self.fresh.values()).filter(|ids| !ids.is_empty());
        (all().count(), all().map(|ids| ids.len()).sum())
    }
}

/// The ids a search matched, as a bitmap over user ids.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct NameMatches {
    bits: Vec<u64>,
    count: usize,
}

impl NameMatches {
    /// The ids whose bits are set (bit `i % 64` of word `i / 64`).
    pub(crate) fn from_bits(bits: Vec<u64>) -> Self {
        let count = bits.iter().map(|b| b.count_ones() as usize).sum();
        NameMatches { bits, count }
    }

    /// The bitmap, one bit per id, `words` words long.
    pub(crate) fn into_bits(mut self, words: usize) -> Vec<u64> {
        self.bits.resize(words, 0);
        self.bits
    }

    /// Number of matching users.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether nobody matched.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Whether user `id` matched: one bit test, so filtering a large group's
    /// members by name touches no user entry.
    pub fn contains(&self, id: u32) -> bool {
        self.bits.get(id as usize / 64).is_some_and(|w| w & (1 << (id % 64)) != 0)
    }

    /// The matching ids ascending, from the `skip`-th on; the words before
    /// it are skipped by their bit counts, not bit by bit.
    pub fn iter_from(&self, skip: usize) -> impl Iterator<Item = u32> + '_ {
        let mut left = skip;
        let mut first = self.bits.len();
        let mut bits = 0;
        for (i, &b) in self.bits.iter().enumerate() {
            let n = b.count_ones() as usize;
            if n > left {
                first = i;
                // Clear the `left` lowest set bits of this word.
                bits = b;
                for _ in 0..left {
                    bits &= bits - 1;
                }
                break;
            }
            left -= n;
        }
        let rest = self.bits.get(first + 1..).unwrap_or(&[]);
        let words =
            std::iter::once((first, bits)).chain(rest.iter().enumerate().map(move |(i, &b)| (first + 1 + i, b)));
        words.flat_map(|(i, mut b)| {
            std::iter::from_fn(move || {
                if b == 0 {
                    return None;
                }
                let bit = b.trailing_zeros();
                b &= b - 1;
                Some((i * 64) as u32 + bit)
            })
        })
    }
}

#[cfg(test)]
mod tests;
