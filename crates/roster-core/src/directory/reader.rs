//! The read door: a view of the directory for one caller who has passed
//! the read check (or the admin check, for the admin-only reads). Handlers
//! get nothing else to read from, so none can forget the check; the view
//! holds the model's read lock, so it must not be kept across an `.await`.

use parking_lot::RwLockReadGuard;
use smallvec::SmallVec;

use crate::actor::{Actor, Policy};
use crate::error::Result;
use crate::model::name_index::NameMatches;
use crate::model::{EmailSight, Grant, GroupEntry, Model, UserEntry, UserFilter, GROUPS_INLINE};
use crate::types::{GroupId, UserId};

/// What one checked caller may look up.
pub struct Reader<'d> {
    pub(super) model: RwLockReadGuard<'d, Model>,
    actor: Actor,
}

impl<'d> Reader<'d> {
    /// The caller has passed a check against this very model.
    pub(super) fn checked(model: RwLockReadGuard<'d, Model>, actor: Actor) -> Self {
        Reader { model, actor }
    }

    /// Who is reading.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn policy(&self) -> &Policy {
        self.model.policy()
    }

    // ---- users ----------------------------------------------------------------

    pub fn user(&self, id: UserId) -> Option<&UserEntry> {
        self.model.user(id)
    }

    /// The user with the dense id `id` (as a group's member set holds it).
    pub fn member(&self, id: u32) -> Option<&UserEntry> {
        self.model.member(id)
    }

    /// The users with these dense ids, those that exist, in order.
    pub fn members(&self, ids: &[u32]) -> Vec<&UserEntry> {
        self.model.members(ids)
    }

    pub fn user_by_account(&self, account_id: &str) -> Result<&UserEntry> {
        self.model.user_by_account(account_id)
    }

    /// The entry in `account_id`'s slot, which the caller confirms (see
    /// [`Model::account_candidate`]).
    pub fn account_candidate(&self, account_id: &str) -> Option<&UserEntry> {
        self.model.account_candidate(account_id)
    }

    /// [`Self::account_candidate`] for many ids at once.
    pub fn account_candidates(&self, account_ids: &[&str]) -> Vec<Option<&UserEntry>> {
        self.model.account_candidates(account_ids)
    }

    pub fn user_by_username(&self, username: &str) -> Result<&UserEntry> {
        self.model.user_by_username(username)
    }

    pub fn user_by_key(&self, key: &str) -> Result<&UserEntry> {
        self.model.user_by_key(key)
    }

    pub fn user_by_email(&self, email: &str) -> Option<&UserEntry> {
        self.model.user_by_email(email)
    }

    /// Every user, in id (creation) order.
    pub fn users(&self) -> impl Iterator<Item = &UserEntry> {
        self.model.users()
    }

    /// Users whose display names hold every word of `search`.
    pub fn users_named<S: AsRef<str>>(&self, search: &[S]) -> NameMatches {
        self.model.users_named(search)
    }

    /// The users a boolean filter matches.
    pub fn users_matching(&self, filter: &UserFilter) -> NameMatches {
        self.model.users_matching(filter)
    }

    pub fn user_count(&self) -> usize {
        self.model.user_count()
    }

    /// Whether `user` is an active site admin.
    pub fn is_admin(&self, user: &UserEntry) -> bool {
        self.model.is_admin(user)
    }

    /// Whether `user` is active and has product access.
    pub fn can_use(&self, user: &UserEntry) -> bool {
        self.model.can_use(user)
    }

    /// Whether the reader may see `target`'s e-mail address.
    pub fn may_see_email(&self, target: &UserEntry) -> bool {
        self.model.may_see_email(&self.actor, target)
    }

    /// Whose e-mail addresses the reader may see, worked out once.
    pub fn email_sight(&self) -> EmailSight<'_> {
        self.model.email_sight(&self.actor)
    }

    // ---- groups ---------------------------------------------------------------

    pub fn group(&self, id: GroupId) -> Option<&GroupEntry> {
        self.model.group(id)
    }

    pub fn group_by_name(&self, name: &str) -> Result<&GroupEntry> {
        self.model.group_by_name(name)
    }

    pub fn group_by_uuid(&self, uuid: &str) -> Result<&GroupEntry> {
        self.model.group_by_uuid(uuid)
    }

    /// Every group, in name order.
    pub fn groups_by_name(&self) -> impl Iterator<Item = &GroupEntry> {
        self.model.groups_by_name()
    }

    /// The groups whose membership grants `grant`, in name order.
    pub fn groups_granting(&self, grant: Grant) -> impl Iterator<Item = &GroupEntry> {
        self.model.groups_by_name().filter(move |g| self.model.grants(g.group.id, grant))
    }

    pub fn group_count(&self) -> usize {
        self.model.group_count()
    }

    pub fn group_name_taken(&self, name: &str) -> bool {
        self.model.group_name_taken(name)
    }

    /// `user`'s groups, in name order.
    pub fn groups_of(&self, user: &UserEntry) -> SmallVec<[&GroupEntry; GROUPS_INLINE]> {
        self.model.groups_of(user)
    }
}
