//! The write door: [`Admin`], a capability that only [`Directory::admin`]
//! hands out, to a caller who has passed the site-admin check. Every write
//! a dialect or the command line makes is one of its verbs, and each verb
//! applies the domain's rules itself: names are validated, group ids minted
//! and times stamped here, and a call that deletes an admin group carries
//! the store-side precondition that keeps one. Bulk verbs are in `bulk.rs`,
//! user administration in `users.rs`.

use super::{Directory, Reader};
use crate::actor::Actor;
use crate::audit::{AuditPage, AuditQuery};
use crate::error::{Error, Result};
use crate::names;
use crate::store::{Change, Command};
use crate::types::{now_ms, Group, GroupId, NewGroup, UserId};

/// Leave to write, for one site admin (or the system).
pub struct Admin<'d> {
    pub(super) dir: &'d Directory,
    pub(super) actor: Actor,
}

impl Directory {
    /// The write capability for `actor`: an error (401/403) unless `actor`
    /// is an active site admin or the system.
    pub fn admin(&self, actor: &Actor) -> Result<Admin<'_>> {
        self.read().require_admin(actor)?;
        Ok(Admin { dir: self, actor: *actor })
    }
}

impl<'d> Admin<'d> {
    /// Who is writing.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// A read view (an admin may read everything). Do not hold it across an
    /// `.await`.
    pub fn reader(&self) -> Reader<'d> {
        Reader::checked(self.dir.read(), self.actor)
    }

    /// Applies `commands` in one transaction. A call that deletes an admin
    /// group is refused now when it would delete them all, and otherwise
    /// carries the precondition of [`crate::model::Model::admin_group_guard`]
    /// (its 400 names `field`). Returns one change per command passed.
    pub(super) async fn apply(&self, mut commands: Vec<Command>, field: &'static str) -> Result<Vec<Change>> {
        let passed = commands.len();
        if passed == 0 {
            return Ok(Vec::new());
        }
        let removed: Vec<GroupId> =
            commands.iter().filter_map(|c| if let Command::DeleteGroup(g) = c { Some(*g) } else { None }).collect();
        if !removed.is_empty() {
            commands.extend(self.dir.read().admin_group_guard(&removed, field)?);
        }
        let mut changes = self.dir.store.apply(commands).await?;
        changes.truncate(passed);
        Ok(changes)
    }

    /// Creates a group named `name` (validated; 409 when taken).
    pub async fn create_group(&self, name: &str) -> Result<Group> {
        {
            let m = self.dir.read();
            names::new_group_name(name, m.policy())?;
            if m.group_name_taken(name) {
                return Err(Error::exists("group", name.to_string()));
            }
        }
        match self.dir.store.apply(vec![Command::CreateGroup(new_group(name, now_ms()))]).await?.pop() {
            Some(Change::GroupCreated(g)) => Ok(g),
            other => Err(Error::Internal(anyhow::anyhow!("unexpected change {other:?}"))),
        }
    }

    /// Deletes a group and its memberships. Refuses (400 naming `field`) to
    /// delete the last site-admin group: that would lock every admin out.
    pub async fn delete_group(&self, group: GroupId, field: &'static str) -> Result<()> {
        self.apply(vec![Command::DeleteGroup(group)], field).await?;
        Ok(())
    }

    /// Adds `user` to `group`; false when it already was a member (nothing
    /// changes).
    pub async fn add_member(&self, group: GroupId, user: UserId) -> Result<bool> {
        self.set_member(group, user, true).await
    }

    /// Removes `user` from `group`; 404 when it was not a member.
    pub async fn remove_member(&self, group: GroupId, user: UserId) -> Result<()> {
        if self.set_member(group, user, false).await? {
            Ok(())
        } else {
            Err(Error::not_found("membership", "the user is not a member of the group"))
        }
    }

    /// Makes `user` a member of `group` (`member`) or not; answers whether
    /// this call changed anything.
    pub async fn set_member(&self, group: GroupId, user: UserId, member: bool) -> Result<bool> {
        let cmd = if member { Command::AddMember { group, user } } else { Command::RemoveMember { group, user } };
        let changes = self.dir.store.apply(vec![cmd]).await?;
        Ok(changes.first().is_some_and(|c| !matches!(c, Change::Unchanged)))
    }

    /// A page of the audit log, newest first.
    pub async fn audit_log(&self, query: AuditQuery) -> Result<AuditPage> {
        self.dir.store.audit(query).await
    }

    /// Issues a new API token for `user` and returns it; only its digest is
    /// stored.
    pub async fn issue_token(&self, user: UserId, label: &str) -> Result<String> {
        self.dir.read().user(user).ok_or_else(|| Error::not_found("user", format!("{user:?}")))?;
        let token = crate::credentials::new_token();
        self.register_token(user, &token, label).await?;
        Ok(token)
    }

    /// Stores the digest of a caller-chosen token (e.g. `ROSTER_ADMIN_TOKEN`)
    /// unless it is already registered for that user.
    pub async fn register_token(&self, user: UserId, token: &str, label: &str) -> Result<()> {
        let hash = crate::credentials::token_hash(token);
        match self.dir.read().token_owner(&hash) {
            Some(owner) if owner == user => return Ok(()),
            Some(_) => return Err(Error::exists("token", "that token belongs to another user")),
            None => {}
        }
        let cmd = Command::AddToken { user, hash, label: label.to_string(), created_ms: now_ms() };
        self.dir.store.apply(vec![cmd]).await?;
        Ok(())
    }
}

/// A new group record: a fresh id for the wire, stamped `now`.
pub(super) fn new_group(name: &str, now: i64) -> NewGroup {
    NewGroup { uuid: uuid::Uuid::new_v4().to_string(), name: name.to_string(), created_ms: now }
}
