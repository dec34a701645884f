//! A sorted set of user ids that supports offset paging. Members are kept
//! in chunks of bounded size, so an insert or remove moves at most one
//! chunk (constant work whatever the group's size) and finding the n-th
//! member walks chunk lengths only.

const CHUNK: usize = 512;

/// Sorted, de-duplicated set of `u32` ids, pageable by offset.
#[derive(Debug, Default, Clone)]
pub struct MemberSet {
    chunks: Vec<Vec<u32>>,
    len: usize,
}

impl MemberSet {
    /// Builds a set from ids already in ascending order.
    pub fn from_sorted(ids: impl IntoIterator<Item = u32>) -> Self {
        let mut set = MemberSet::default();
        let mut cur: Vec<u32> = Vec::with_capacity(CHUNK);
        for id in ids {
            if cur.last().is_some_and(|&l| l >= id) {
                continue;
            }
            cur.push(id);
            set.len += 1;
            if cur.len() == CHUNK {
                set.chunks.push(std::mem::replace(&mut cur, Vec::with_capacity(CHUNK)));
            }
        }
        if !cur.is_empty() {
            set.chunks.push(cur);
        }
        set
    }

    /// Number of ids.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn chunk_for(&self, id: u32) -> usize {
        let i = self.chunks.partition_point(|c| c.last().is_some_and(|&l| l < id));
        i.min(self.chunks.len().saturating_sub(1))
    }

    /// Whether `id` is in the set.
    pub fn contains(&self, id: u32) -> bool {
        if self.chunks.is_empty() {
            return false;
        }
        self.chunks[self.chunk_for(id)].binary_search(&id).is_ok()
    }

    /// Inserts `id`; false if it was already there.
    pub fn insert(&mut self, id: u32) -> bool {
        if self.chunks.is_empty() {
            self.chunks.push(vec![id]);
            self.len = 1;
            return true;
        }
        let ci = self.chunk_for(id);
        let chunk = &mut self.chunks[ci];
        match chunk.binary_search(&id) {
            Ok(_) => false,
            Err(pos) => {
                chunk.insert(pos, id);
                self.len += 1;
                if chunk.len() >= 2 * CHUNK {
                    let tail = chunk.split_off(CHUNK);
                    self.chunks.insert(ci + 1, tail);
                }
                true
            }
        }
    }

    /// Removes `id`; false if it was not there.
    pub fn remove(&mut self, id: u32) -> bool {
        if self.chunks.is_empty() {
            return false;
        }
        let ci = self.chunk_for(id);
        let chunk = &mut self.chunks[ci];
        match chunk.binary_search(&id) {
            Ok(pos) => {
                chunk.remove(pos);
                self.len -= 1;
                if chunk.is_empty() {
                    self.chunks.remove(ci);
                }
                true
            }
            Err(_) => false,
        }
    }

    /// Ids in ascending order, starting at offset `start`.
    pub fn iter_from(&self, start: usize) -> impl Iterator<Item = u32> + '_ {
        let mut skip = start;
        let mut first = self.chunks.len();
        for (i, c) in self.chunks.iter().enumerate() {
            if skip < c.len() {
                first = i;
                break;
            }
            skip -= c.len();
        }
        self.chunks[first.min(self.chunks.len())..]
            .iter()
            .enumerate()
            .flat_map(move |(k, c)| c[if k == 0 { skip } else { 0 }..].iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_walks_the_ids_in_order_across_chunk_boundaries() {
        let mut set = MemberSet::from_sorted((0..3000).map(|i| i * 2));
        assert_eq!(set.len(), 3000);
        let page: Vec<u32> = set.iter_from(510).take(5).collect();
        assert_eq!(page, vec![1020, 1022, 1024, 1026, 1028]);
        assert!(set.insert(1021));
        assert!(!set.insert(1021));
        let page: Vec<u32> = set.iter_from(510).take(3).collect();
        assert_eq!(page, vec![1020, 1021, 1022]);
        assert!(set.remove(1021));
        assert!(!set.remove(1021));
        assert_eq!(set.iter_from(2999).collect::<Vec<_>>(), vec![5998]);
        assert_eq!(set.iter_from(3000).count(), 0);
    }

    #[test]
    fn random_inserts_and_removes_match_a_btreeset() {
        use std::collections::BTreeSet;
        let mut set = MemberSet::default();
        let mut reference = BTreeSet::new();
        let mut x: u32 = 12345;
        for _ in 0..20000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let id = x % 5000;
            if x.is_multiple_of(3) {
                assert_eq!(set.remove(id), reference.remove(&id));
            } else {
                assert_eq!(set.insert(id), reference.insert(id));
            }
        }
        assert_eq!(set.len(), reference.len());
        assert!(set.iter_from(0).eq(reference.iter().copied()));
        assert!(set.iter_from(777).eq(reference.iter().copied().skip(777)));
    }
}
