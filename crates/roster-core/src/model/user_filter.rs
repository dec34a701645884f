//! Boolean filters over users (what a CQL user search asks for: account
//! ids, full names, name words, combined with and, or and not), answered as
//! a bitmap over user ids.
//!
//! Every leaf is an index lookup (account ids, the name index), never a
//! scan of every user's fields, and every combination is one pass over a
//! bitmap of `users / 64` words: a filter of `n` leaves costs `n` lookups
//! plus `n` bitmap passes, whatever the directory holds.

use super::name_index::{words, NameMatches};
use super::Model;
use crate::types::fold;

/// Which users a search wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserFilter {
    /// Every user (`type = user`).
    Everyone,
    /// Users whose name has a word starting with each of these words
    /// (`user.fullname ~ "jo smi"`); no word at all matches everyone.
    NameWords(Vec<String>),
    /// Users whose full name is one of these, ignoring case
    /// (`user.fullname = "Jo Smith"`, `IN (...)`).
    NameIs(Vec<String>),
    /// Users with one of these account ids (`user = "id"`, `IN (...)`).
    Accounts(Vec<String>),
    /// Users the inner filter does not match.
    Not(Box<UserFilter>),
    /// Users every inner filter matches.
    All(Vec<UserFilter>),
    /// Users some inner filter matches.
    Any(Vec<UserFilter>),
}

impl UserFilter {
    /// Whether answering needs the name index (the costlier searches, which
    /// the HTTP layer takes off the runtime's workers).
    pub fn searches_names(&self) -> bool {
        match self {
            UserFilter::NameWords(w) => !w.is_empty(),
            UserFilter::NameIs(_) => true,
            UserFilter::Everyone | UserFilter::Accounts(_) => false,
            UserFilter::Not(f) => f.searches_names(),
            UserFilter::All(fs) | UserFilter::Any(fs) => fs.iter().any(UserFilter::searches_names),
        }
    }
}

impl Model {
    /// The users `filter` matches.
    pub fn users_matching(&self, filter: &UserFilter) -> NameMatches {
        NameMatches::from_bits(self.filter_bits(filter))
    }

    fn filter_bits(&self, filter: &UserFilter) -> Vec<u64> {
        let len = self.users.len().div_ceil(64);
        match filter {
            UserFilter::Everyone => self.everyone_bits(),
            UserFilter::NameWords(w) if w.is_empty() => self.everyone_bits(),
            UserFilter::NameWords(w) => self.users_named(w).into_bits(len),
            UserFilter::NameIs(names) => {
                let mut bits = vec![0u64; len];
                for name in names {
                    let want = fold(name);
                    let search: Vec<&str> = words(&want).collect();
                    if search.is_empty() {
                        continue;
                    }
                    for id in self.users_named(&search).iter_from(0) {
                        if self.member(id).is_some_and(|e| fold(&e.user.display_name) == want) {
                            set(&mut bits, id);
                        }
                    }
                }
                bits
            }
            UserFilter::Accounts(ids) => {
                let mut bits = vec![0u64; len];
                for e in ids.iter().filter_map(|a| self.user_by_account(a).ok()) {
                    set(&mut bits, super::mid(e.user.id));
                }
                bits
            }
            UserFilter::Not(inner) => {
                let mut bits = self.everyone_bits();
                for (b, i) in bits.iter_mut().zip(self.filter_bits(inner)) {
                    *b &= !i;
                }
                bits
            }
            UserFilter::All(fs) => {
                let mut bits = self.everyone_bits();
                for f in fs {
                    for (b, i) in bits.iter_mut().zip(self.filter_bits(f)) {
                        *b &= i;
                    }
                }
                bits
            }
            UserFilter::Any(fs) => {
                let mut bits = vec![0u64; len];
                for f in fs {
                    for (b, i) in bits.iter_mut().zip(self.filter_bits(f)) {
                        *b |= i;
                    }
                }
                bits
            }
        }
    }

    /// One bit for every user present.
    fn everyone_bits(&self) -> Vec<u64> {
        let mut bits = vec![0u64; self.users.len().div_ceil(64)];
        for (i, _) in self.users.iter().enumerate().filter(|(_, u)| u.is_some()) {
            set(&mut bits, i as u32);
        }
        bits
    }
}

fn set(bits: &mut [u64], id: u32) {
    if let Some(b) = bits.get_mut(id as usize / 64) {
        *b |= 1 << (id % 64);
    }
}
