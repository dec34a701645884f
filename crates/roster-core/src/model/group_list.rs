//! A user's groups: their ids in name order, the first fourteen inside the
//! user's entry, on a cache line of their own. `memberof` then reads them
//! in the same round of cache misses as the entry's pieces, instead of
//! following a pointer to them afterwards (with fourteen inline, 85 % of the
//! default dataset's users need no pointer at all).
//!
//! Ids are kept as `u32`: group ids index the model's vectors, so they are
//! small (an id past `u32::MAX` reads as no group).

use smallvec::SmallVec;

use crate::types::GroupId;

/// Group ids kept inside the list (with its length word, 64 bytes).
pub const GROUPS_INLINE: usize = 14;

/// A user's groups, in the order the model keeps them (by name).
#[derive(Debug, Default, Clone)]
pub struct GroupList(SmallVec<[u32; GROUPS_INLINE]>);

fn raw(g: GroupId) -> u32 {
    u32::try_from(g.0).unwrap_or(u32::MAX)
}

impl GroupList {
    /// The ids, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = GroupId> + '_ {
        self.0.iter().map(|&g| GroupId(i64::from(g)))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, g: GroupId) -> bool {
        self.0.contains(&raw(g))
    }

    /// Appends `g` (the model sorts once a whole snapshot is in).
    pub(crate) fn push(&mut self, g: GroupId) {
        self.0.push(raw(g));
    }

    /// Sorts by `rank` (a group's position in name order).
    pub(crate) fn sort_by_rank(&mut self, rank: impl Fn(GroupId) -> u32) {
        self.0.sort_unstable_by_key(|g| rank(GroupId(i64::from(*g))));
    }

    /// Where `g`, of rank `at`, is (`Ok`) or would go (`Err`).
    pub(crate) fn find(&self, at: u32, rank: impl Fn(GroupId) -> u32) -> Result<usize, usize> {
        self.0.binary_search_by_key(&at, |g| rank(GroupId(i64::from(*g))))
    }

    pub(crate) fn insert(&mut self, pos: usize, g: GroupId) {
        self.0.insert(pos, raw(g));
    }

    pub(crate) fn remove(&mut self, pos: usize) {
        self.0.remove(pos);
    }

    /// Drops `g` wherever it is.
    pub(crate) fn forget(&mut self, g: GroupId) {
        let g = raw(g);
        self.0.retain(|x| *x != g);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fourteen_groups_fit_one_cache_line_and_more_spill() {
        assert_eq!(std::mem::size_of::<GroupList>(), 64);
        let mut l = GroupList::default();
        for g in 1..=GROUPS_INLINE as i64 + 3 {
            l.push(GroupId(g));
            assert_eq!(l.0.spilled(), g > GROUPS_INLINE as i64, "{g} groups");
        }
        assert!(l.contains(GroupId(15)) && !l.contains(GroupId(99)));
        l.forget(GroupId(15));
        assert_eq!(l.iter().map(|g| g.0).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17]);
    }
}
