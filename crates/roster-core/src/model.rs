//! The in-memory read model: every user, group and membership, indexed for
//! the lookups the APIs make, kept in step with the store by applying each
//! committed [`Change`]. Reads never touch the store.

mod access;
mod account_index;
mod fragment;
mod group_list;
pub mod member_set;
pub mod name_index;
mod user_filter;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use smallvec::SmallVec;

use crate::actor::Policy;
use crate::error::{Error, Result};
use crate::store::{Change, Snapshot};
use crate::types::{fold, Group, GroupId, User, UserId};
pub use access::{EmailSight, Grant};
use account_index::AccountIndex;
pub use fragment::{no_pieces, Fragment, PieceWriter, GROUP_INLINE, PIECES};
pub use group_list::{GroupList, GROUPS_INLINE};
pub use member_set::MemberSet;
use name_index::{NameIndex, NameMatches};
pub use user_filter::UserFilter;

/// The model's lookup tables. A bulk lookup resolves 200 account ids per
/// request, so hashing is on the hot path, and std's SipHash costs more than
/// the probe itself; foldhash is seeded per table, so colliding keys cannot
/// be chosen offline.
pub type FastMap<K, V> = foldhash::HashMap<K, V>;

/// A user with its memberships.
///
/// Laid out for the hot reads: an entry starts on a cache line; the first
/// holds the user's groups (what `memberof` reads), the next two its pieces
/// (what a page of users reads, with the account id a lookup confirms and
/// the tag that tells a slot is occupied). A lookup reads lines that do not
/// depend on each other, so it costs one round of cache misses.
#[derive(Debug)]
#[repr(C, align(64))]
pub struct UserEntry {
    /// Groups the user belongs to, in name order.
    pub groups: GroupList,
    /// The pieces pages are written from, made by the directory's
    /// [`PieceWriter`] (see `fragment.rs`).
    pub pieces: Fragment,
    pub user: User,
}

/// A group with its members; its cached rendering first and inside the
/// entry, as `memberof` reads ten or so groups and only that: the slot's
/// tag, the rendering's state and its bytes are adjacent lines that do not
/// wait on each other.
#[derive(Debug)]
#[repr(C, align(64))]
pub struct GroupEntry {
    present: Present,
    /// A rendering the HTTP layer makes on first use and keeps here, beside
    /// the group it renders (roster-http's Cloud group object, without the
    /// base URL); emptied whenever the group changes.
    pub rendered: OnceLock<Fragment<GROUP_INLINE>>,
    pub group: Group,
    pub members: MemberSet,
}

/// A one-value field whose other values are the largest niche in a group
/// entry: `Option<GroupEntry>` keeps its tag here, on the entry's first
/// line (otherwise a field further on would hold it, a miss on another line).
#[derive(Debug, Clone, Copy)]
#[repr(u64)]
enum Present {
    Yes,
}

/// The whole directory, indexed.
#[derive(Debug, Default)]
pub(crate) struct Model {
    users: Vec<Option<UserEntry>>,
    user_count: usize,
    by_account: AccountIndex,
    by_username: FastMap<String, UserId>,
    by_email: FastMap<String, UserId>,
    by_key: FastMap<Arc<str>, UserId>,
    groups: Vec<Option<GroupEntry>>,
    by_group_name: BTreeMap<String, GroupId>,
    by_group_uuid: FastMap<Arc<str>, GroupId>,
    tokens: FastMap<[u8; 32], UserId>,
    /// Users by the words of their display names (`name_index.rs`).
    by_name: NameIndex,
    /// Each group's position in name order (indexed by group id), so a
    /// user's groups sort by comparing integers, not names.
    name_rank: Vec<u32>,
    policy: Policy,
    admin_groups: Vec<GroupId>,
    access_groups: Vec<GroupId>,
    pieces: Pieces,
}

/// The directory's [`PieceWriter`]; none until one is given.
#[derive(Debug, Clone, Copy)]
struct Pieces(PieceWriter);

impl Default for Pieces {
    fn default() -> Self {
        Pieces(no_pieces)
    }
}

fn slot<T>(v: &mut Vec<Option<T>>, id: i64) -> &mut Option<T> {
    let i = usize::try_from(id).unwrap_or(0);
    if v.len() <= i {
        v.resize_with(i + 1, || None);
    }
    &mut v[i]
}

/// A group's position in name order (`u32::MAX` when unknown).
fn rank_of(rank: &[u32], g: GroupId) -> u32 {
    usize::try_from(g.0).ok().and_then(|i| rank.get(i)).copied().unwrap_or(u32::MAX)
}

fn mid(id: UserId) -> u32 {
    u32::try_from(id.0).unwrap_or(u32::MAX)
}

impl Model {
    /// The whole directory as a snapshot, memberships sorted by group then
    /// user: what a reset or a diff compares with, without reading the
    /// store again.
    pub(crate) fn to_snapshot(&self) -> Snapshot {
        let mut memberships = Vec::new();
        for g in self.groups.iter().flatten() {
            memberships.extend(g.members.iter_from(0).map(|u| (g.group.id, UserId(i64::from(u)))));
        }
        Snapshot {
            users: self.users.iter().flatten().map(|e| e.user.clone()).collect(),
            groups: self.groups.iter().flatten().map(|g| g.group.clone()).collect(),
            memberships,
            tokens: self.tokens.iter().map(|(h, u)| (*h, *u)).collect(),
        }
    }

    /// Builds the model from a snapshot under `policy`, making each user's
    /// pieces with `pieces`.
    pub fn build(snapshot: Snapshot, policy: Policy, pieces: PieceWriter) -> Self {
        let mut m = Model { policy, pieces: Pieces(pieces), ..Model::default() };
        m.load(snapshot);
        m
    }

    fn load(&mut self, s: Snapshot) {
        let policy = std::mem::take(&mut self.policy);
        *self = Model { policy, pieces: self.pieces, ..Model::default() };
        for u in s.users {
            self.put_user(u);
        }
        let mut per_group: FastMap<GroupId, Vec<u32>> = FastMap::default();
        for &(g, u) in &s.memberships {
            per_group.entry(g).or_default().push(mid(u));
        }
        for g in s.groups {
            let mut ids = per_group.remove(&g.id).unwrap_or_default();
            ids.sort_unstable();
            for &u in &ids {
                if let Some(Some(e)) = self.users.get_mut(u as usize) {
                    e.groups.push(g.id);
                }
            }
            self.put_group(g, MemberSet::from_sorted(ids));
        }
        self.tokens = s.tokens.into_iter().collect();
        self.resolve_policy();
        let rank = &self.name_rank;
        for e in self.users.iter_mut().flatten() {
            e.groups.sort_by_rank(|g| rank_of(rank, g));
        }
    }

    fn resolve_policy(&mut self) {
        let resolve = |names: &[String], m: &Model| {
            names.iter().filter_map(|n| m.by_group_name.get(&fold(n)).copied()).collect::<Vec<_>>()
        };
        self.admin_groups = resolve(&self.policy.admin_groups, self);
        self.access_groups = resolve(&self.policy.access_groups, self);
        // The set of groups changed: their order by name may have too.
        let mut rank = vec![u32::MAX; self.groups.len()];
        for (i, id) in self.by_group_name.values().enumerate() {
            if let Some(r) = usize::try_from(id.0).ok().and_then(|g| rank.get_mut(g)) {
                *r = i as u32;
            }
        }
        self.name_rank = rank;
    }

    fn put_user(&mut self, user: User) {
        let id = user.id;
        let groups = match slot(&mut self.users, id.0).take() {
            Some(old) => {
                self.unindex_user(&old.user);
                old.groups
            }
            None => {
                self.user_count += 1;
                GroupList::default()
            }
        };
        self.by_account.insert(&user.account_id, mid(id));
        self.by_key.insert(user.user_key.clone(), id);
        if let Some(n) = &user.username {
            self.by_username.insert(fold(n), id);
        }
        if !user.email.is_empty() {
            self.by_email.insert(fold(&user.email), id);
        }
        self.by_name.insert(&user.display_name, mid(id));
        let pieces = (self.pieces.0)(&user);
        *slot(&mut self.users, id.0) = Some(UserEntry { pieces, user, groups });
    }

    fn unindex_user(&mut self, u: &User) {
        self.by_account.remove(&u.account_id, mid(u.id));
        self.by_key.remove(&u.user_key);
        self.by_name.remove(&u.display_name, mid(u.id));
        if let Some(n) = &u.username {
            self.by_username.remove(&fold(n));
        }
        if !u.email.is_empty() {
            self.by_email.remove(&fold(&u.email));
        }
    }

    fn put_group(&mut self, group: Group, members: MemberSet) {
        self.by_group_name.insert(fold(&group.name), group.id);
        self.by_group_uuid.insert(group.uuid.clone(), group.id);
        let id = group.id.0;
        *slot(&mut self.groups, id) =
            Some(GroupEntry { present: Present::Yes, rendered: OnceLock::new(), group, members });
    }

    /// Applies committed changes, in order.
    pub fn apply(&mut self, changes: &[Change]) {
        for c in changes {
            match c {
                Change::UserSaved(u) => self.put_user(u.clone()),
                Change::UserDeleted(id) => self.drop_user(*id),
                Change::GroupCreated(g) => {
                    self.put_group(g.clone(), MemberSet::default());
                    self.resolve_policy();
                }
                Change::GroupDeleted(gid) => self.drop_group(*gid),
                Change::MemberAdded { group, user } => self.link(*group, *user, true),
                Change::MemberRemoved { group, user } => self.link(*group, *user, false),
                Change::TokenAdded { user, hash } => {
                    self.tokens.insert(*hash, *user);
                }
                Change::TokensRevoked { user } => self.tokens.retain(|_, u| u != user),
                Change::Unchanged => {}
                Change::Reloaded(s) => self.load((**s).clone()),
            }
        }
    }

    fn drop_user(&mut self, uid: UserId) {
        let Some(entry) = usize::try_from(uid.0).ok().and_then(|i| self.users.get_mut(i)).and_then(Option::take) else {
            return;
        };
        self.user_count -= 1;
        self.unindex_user(&entry.user);
        for g in entry.groups.iter() {
            if let Some(Some(ge)) = self.groups.get_mut(g.0 as usize) {
                ge.members.remove(mid(uid));
            }
        }
        self.tokens.retain(|_, u| *u != uid);
    }

    fn drop_group(&mut self, gid: GroupId) {
        let Some(entry) = self.groups.get_mut(gid.0 as usize).and_then(Option::take) else { return };
        self.by_group_name.remove(&fold(&entry.group.name));
        self.by_group_uuid.remove(&entry.group.uuid);
        for u in entry.members.iter_from(0) {
            if let Some(Some(ue)) = self.users.get_mut(u as usize) {
                ue.groups.forget(gid);
            }
        }
        self.resolve_policy();
    }

    fn link(&mut self, gid: GroupId, uid: UserId, add: bool) {
        let Some(Some(ge)) = self.groups.get_mut(gid.0 as usize) else { return };
        let Some(Some(ue)) = self.users.get_mut(uid.0 as usize) else { return };
        // A user's groups stay in name order: rank order among existing
        // groups never changes as other groups come and go.
        let rank = &self.name_rank;
        let found = ue.groups.find(rank_of(rank, gid), |g| rank_of(rank, g));
        if add {
            ge.members.insert(mid(uid));
            if let Err(pos) = found {
                ue.groups.insert(pos, gid);
            }
        } else {
            ge.members.remove(mid(uid));
            if let Ok(pos) = found {
                ue.groups.remove(pos);
            }
        }
    }

    /// Records sign-in outcomes (`(user, succeeded, when)`).
    pub fn note_logins(&mut self, logins: &[(UserId, bool, i64)]) {
        for &(id, ok, at) in logins {
            if let Some(Some(e)) = self.users.get_mut(id.0 as usize) {
                if ok {
                    e.user.last_login_ms = Some(at);
                } else {
                    e.user.last_failed_login_ms = Some(at);
                }
            }
        }
    }

    // ---- lookups -------------------------------------------------------

    /// The user with internal id `id`.
    pub fn user(&self, id: UserId) -> Option<&UserEntry> {
        self.users.get(usize::try_from(id.0).ok()?)?.as_ref()
    }

    /// The user with internal id `id` as a u32 member id.
    pub fn member(&self, id: u32) -> Option<&UserEntry> {
        self.users.get(id as usize)?.as_ref()
    }

    /// The users with these ids (as [`Model::member`]), in order, absent
    /// ones left out. A page's users are scattered over the whole model:
    /// a first pass, small enough for the processor to run many iterations
    /// ahead, touches both cache lines of every entry's pieces so that all
    /// their misses are in flight at once; the pass that follows, and the
    /// page writer, then find them in cache.
    pub fn members(&self, ids: &[u32]) -> Vec<&UserEntry> {
        let touched = ids.iter().fold(0u8, |a, &id| a ^ self.member(id).map_or(0, |e| e.pieces.touch()));
        std::hint::black_box(touched);
        ids.iter().filter_map(|&id| self.member(id)).collect()
    }

    /// The user with this Cloud account id.
    pub fn user_by_account(&self, account_id: &str) -> Result<&UserEntry> {
        self.find_account(self.by_account.hash(account_id), account_id)
            .ok_or_else(|| Error::not_found("user", format!("accountId {account_id}")))
    }

    fn find_account(&self, hash: u64, account_id: &str) -> Option<&UserEntry> {
        self.by_account.candidates(hash).filter_map(|id| self.member(id)).find(|e| &*e.user.account_id == account_id)
    }

    /// The user filed first under this account id's hash, *not yet
    /// confirmed* to hold it: [`Model::account_candidates`] for one id.
    pub fn account_candidate(&self, account_id: &str) -> Option<&UserEntry> {
        self.by_account.first(self.by_account.hash(account_id)).and_then(|id| self.member(id))
    }

    /// Starts loading the index slot of `account_id` into the cache (see
    /// `AccountIndex::prefetch`); the lookup that follows finds it there.
    pub fn prefetch_account(&self, account_id: &str) {
        self.by_account.prefetch(self.by_account.hash(account_id));
    }

    /// For each account id, the user filed first under its hash, *not yet
    /// confirmed* to hold it (`None`: no user holds it). This is the first
    /// pass of a batch lookup: the caller confirms each candidate against
    /// data it reads anyway, and asks [`Model::user_by_account`] when it
    /// cannot. Probing all ids before touching any entry lets the cache
    /// misses of the batch overlap (see `account_index.rs`).
    pub fn account_candidates(&self, account_ids: &[&str]) -> Vec<Option<&UserEntry>> {
        let hashes: Vec<u64> = account_ids.iter().map(|k| self.by_account.hash(k)).collect();
        self.by_account.warm(&hashes);
        let first: Vec<Option<u32>> = hashes.into_iter().map(|h| self.by_account.first(h)).collect();
        // Start every entry's misses in one small pass (see `members`).
        let touched = first.iter().flatten().fold(0u8, |a, &id| a ^ self.member(id).map_or(0, |e| e.pieces.touch()));
        std::hint::black_box(touched);
        first.into_iter().map(|id| id.and_then(|id| self.member(id))).collect()
    }

    /// The user with this username (case-insensitive).
    pub fn user_by_username(&self, username: &str) -> Result<&UserEntry> {
        self.by_username
            .get(&fold(username))
            .and_then(|id| self.user(*id))
            .ok_or_else(|| Error::not_found("user", format!("username {username}")))
    }

    /// The user with this DC user key.
    pub fn user_by_key(&self, key: &str) -> Result<&UserEntry> {
        self.by_key.get(key).and_then(|id| self.user(*id)).ok_or_else(|| Error::not_found("user", format!("key {key}")))
    }

    /// The user with this e-mail address (case-insensitive).
    pub fn user_by_email(&self, email: &str) -> Option<&UserEntry> {
        self.by_email.get(&fold(email)).and_then(|id| self.user(*id))
    }

    /// How many API tokens `user` holds (a scan of the digests: for one
    /// user's page in the console, not for lists).
    pub fn token_count(&self, user: UserId) -> usize {
        self.tokens.values().filter(|u| **u == user).count()
    }

    /// The owner of the token with this digest.
    pub fn token_owner(&self, hash: &[u8; 32]) -> Option<UserId> {
        self.tokens.get(hash).copied()
    }

    /// All users, ascending by id.
    pub fn users(&self) -> impl Iterator<Item = &UserEntry> {
        self.users.iter().flatten()
    }

    /// The users whose display names match every search word (each the
    /// start of some word of the name; see `name_index.rs`). No search word
    /// matches nobody: listing every user is [`Model::users`].
    pub fn users_named<S: AsRef<str>>(&self, search: &[S]) -> NameMatches {
        self.by_name.search(search, self.users.len())
    }

    /// Number of users.
    pub fn user_count(&self) -> usize {
        self.user_count
    }

    /// The group with internal id `id`.
    pub fn group(&self, id: GroupId) -> Option<&GroupEntry> {
        self.groups.get(usize::try_from(id.0).ok()?)?.as_ref()
    }

    /// The group with this name (case-insensitive).
    pub fn group_by_name(&self, name: &str) -> Result<&GroupEntry> {
        self.by_group_name
            .get(&fold(name))
            .and_then(|id| self.group(*id))
            .ok_or_else(|| Error::not_found("group", name.to_string()))
    }

    /// The group with this public id.
    pub fn group_by_uuid(&self, uuid: &str) -> Result<&GroupEntry> {
        self.by_group_uuid
            .get(uuid)
            .and_then(|id| self.group(*id))
            .ok_or_else(|| Error::not_found("group", format!("id {uuid}")))
    }

    /// All groups, ordered by name (case-insensitive).
    pub fn groups_by_name(&self) -> impl Iterator<Item = &GroupEntry> {
        self.by_group_name.values().filter_map(|id| self.group(*id))
    }

    /// Number of groups.
    pub fn group_count(&self) -> usize {
        self.by_group_name.len()
    }

    /// Whether a group with this name exists (case-insensitive).
    pub fn group_name_taken(&self, name: &str) -> bool {
        self.by_group_name.contains_key(&fold(name))
    }

    /// Whether any user already uses this e-mail address.
    pub fn email_taken(&self, email: &str) -> bool {
        !email.is_empty() && self.by_email.contains_key(&fold(email))
    }

    /// Whether any user already uses this username.
    pub fn username_taken(&self, username: &str) -> bool {
        self.by_username.contains_key(&fold(username))
    }

    /// Whether this account id is taken.
    pub fn account_taken(&self, account_id: &str) -> bool {
        self.find_account(self.by_account.hash(account_id), account_id).is_some()
    }

    /// The groups of `user`, ordered by name (kept in that order, so this
    /// is a walk, not a sort); as many as a user entry holds inline need no
    /// allocation.
    pub fn groups_of(&self, user: &UserEntry) -> SmallVec<[&GroupEntry; GROUPS_INLINE]> {
        user.groups.iter().filter_map(|g| self.group(g)).collect()
    }
}

#[cfg(test)]
mod tests;
