//! Memberships compared by sorted merge rather than through hash sets: a
//! directory of 50,000 memberships is compared on every reset and diff,
//! and hashing every pair (or the names behind it) cost more than the
//! restore's writes. A snapshot's memberships are sorted by group then
//! user (the stores read them so, a file is sorted on load).

use crate::model::FastMap;
use crate::types::{GroupId, UserId};

/// Which ids of one snapshot stand for which of another (a user or group
/// without a counterpart is absent).
#[derive(Default)]
pub(crate) struct IdMap {
    pub groups: FastMap<GroupId, GroupId>,
    pub users: FastMap<UserId, UserId>,
}

fn sorted<T: Ord>(v: &[T]) -> bool {
    v.windows(2).all(|w| w[0] <= w[1])
}

/// The indexes (ascending) of the pairs of `from` that have no counterpart
/// in `to` once their ids are carried over by `map`.
pub(crate) fn unmatched(from: &[(GroupId, UserId)], to: &[(GroupId, UserId)], map: &IdMap) -> Vec<usize> {
    let mut out = Vec::new();
    let mut moved: Vec<((GroupId, UserId), usize)> = Vec::with_capacity(from.len());
    for (i, (g, u)) in from.iter().enumerate() {
        match (map.groups.get(g), map.users.get(u)) {
            (Some(g2), Some(u2)) => moved.push(((*g2, *u2), i)),
            _ => out.push(i),
        }
    }
    if !moved.windows(2).all(|w| w[0].0 <= w[1].0) {
        moved.sort_unstable_by_key(|m| m.0);
    }
    let owned;
    let to = if sorted(to) {
        to
    } else {
        let mut v = to.to_vec();
        v.sort_unstable();
        owned = v;
        &owned[..]
    };
    let mut j = 0;
    for (key, i) in moved {
        while j < to.len() && to[j] < key {
            j += 1;
        }
        if j == to.len() || to[j] != key {
            out.push(i);
        }
    }
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(i64, i64)]) -> Vec<(GroupId, UserId)> {
        v.iter().map(|&(g, u)| (GroupId(g), UserId(u))).collect()
    }

    #[test]
    fn pairs_are_matched_through_the_id_map_and_unsorted_input_is_handled() {
        let mut map = IdMap::default();
        map.groups.extend([(GroupId(1), GroupId(10)), (GroupId(2), GroupId(20))]);
        map.users.extend([(UserId(1), UserId(1)), (UserId(2), UserId(2))]);
        let from = pairs(&[(2, 1), (1, 1), (1, 2), (3, 1), (1, 9)]);
        let to = pairs(&[(20, 1), (10, 1)]);
        // (1,2) is missing in `to`; group 3 and user 9 have no counterpart.
        assert_eq!(unmatched(&from, &to, &map), vec![2, 3, 4]);
    }
}
