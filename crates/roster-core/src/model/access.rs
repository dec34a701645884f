//! Permission checks against the model: who may read, who may administer,
//! who may see an e-mail address.

use super::{Model, UserEntry};
use crate::actor::{Actor, Policy};
use crate::error::{Error, Result};
use crate::store::{last_admin_group, Command};
use crate::types::{GroupId, UserId};

/// What membership of a group grants, by the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    /// Product access ('Can use'): the access groups.
    Use,
    /// Site administration: the admin groups.
    Admin,
}

impl Model {
    /// Whether membership of `group` grants `grant`.
    pub fn grants(&self, group: GroupId, grant: Grant) -> bool {
        match grant {
            Grant::Use => self.access_groups.contains(&group),
            Grant::Admin => self.admin_groups.contains(&group),
        }
    }

    /// The policy the model was built with.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Whether `user` is an active site admin.
    pub fn is_admin(&self, user: &UserEntry) -> bool {
        user.user.active && user.groups.iter().any(|g| self.admin_groups.contains(&g))
    }

    /// Whether `user` is active and has product access ('Can use').
    pub fn can_use(&self, user: &UserEntry) -> bool {
        user.user.active
            && user.groups.iter().any(|g| self.access_groups.contains(&g) || self.admin_groups.contains(&g))
    }

    fn caller(&self, id: UserId) -> Result<&UserEntry> {
        let u = self.user(id).ok_or(Error::Unauthenticated)?;
        if !u.user.active {
            return Err(Error::forbidden("The user account is deactivated"));
        }
        Ok(u)
    }

    /// Succeeds when `actor` may read the directory.
    pub fn require_read(&self, actor: &Actor) -> Result<()> {
        match actor {
            Actor::System => Ok(()),
            Actor::Anonymous if self.policy.anonymous_access => Ok(()),
            Actor::Anonymous => Err(Error::Unauthenticated),
            Actor::User(id) => {
                let u = self.caller(*id)?;
                if self.can_use(u) {
                    Ok(())
                } else {
                    Err(Error::forbidden("The calling user does not have permission to use Confluence"))
                }
            }
        }
    }

    /// Succeeds when `actor` is a site admin (or the command line).
    pub fn require_admin(&self, actor: &Actor) -> Result<()> {
        match actor {
            Actor::System => Ok(()),
            Actor::Anonymous => Err(Error::Unauthenticated),
            Actor::User(id) => {
                let u = self.caller(*id)?;
                if self.is_admin(u) {
                    Ok(())
                } else {
                    Err(Error::forbidden("The calling user is not a site admin"))
                }
            }
        }
    }

    /// Whether `actor` may see `target`'s e-mail address: site admins and
    /// the user themself.
    pub fn may_see_email(&self, actor: &Actor, target: &UserEntry) -> bool {
        self.email_sight(actor).shows(target)
    }

    /// Whose e-mail addresses `actor` may see, worked out once (a page of
    /// users asks for each of them).
    pub fn email_sight(&self, actor: &Actor) -> EmailSight<'_> {
        match actor {
            Actor::System => EmailSight { all: true, own: None },
            Actor::Anonymous => EmailSight { all: false, own: None },
            Actor::User(id) => {
                let own = self.user(*id);
                EmailSight { all: own.is_some_and(|u| self.is_admin(u)), own }
            }
        }
    }

    /// Refuses a change that would remove every site-admin group (and so
    /// lock every admin out); `field` names the request field in the 400.
    /// This reads the model, so it is only the quick, friendly refusal: the
    /// rule holds because of [`Model::admin_group_guard`]'s precondition.
    pub fn keeps_an_admin_group(&self, removed: &[GroupId], field: &'static str) -> Result<()> {
        let admin: Vec<GroupId> =
            self.policy.admin_groups.iter().filter_map(|n| self.group_by_name(n).ok()).map(|g| g.group.id).collect();
        if !admin.is_empty() && admin.iter().all(|g| removed.contains(g)) {
            return Err(last_admin_group(field));
        }
        Ok(())
    }

    /// For a call that deletes the groups `removed`: refuses it now when it
    /// would remove every admin group (as [`Model::keeps_an_admin_group`]),
    /// and otherwise, when it deletes any admin group, returns the
    /// precondition to append to the same call, so the store checks the
    /// rule again in the committing transaction, after the deletions and
    /// after every write that committed before (two concurrent calls that
    /// each delete one of two admin groups both pass the check here).
    /// Group ids are never reused and groups are never renamed, so a group
    /// that is not an admin group now never becomes one under this id.
    pub fn admin_group_guard(&self, removed: &[GroupId], field: &'static str) -> Result<Option<Command>> {
        self.keeps_an_admin_group(removed, field)?;
        let touches_admin = removed.iter().any(|g| self.admin_groups.contains(g));
        Ok(touches_admin.then(|| Command::KeepAnAdminGroup { names: self.policy.admin_groups.clone(), field }))
    }
}

/// Whose e-mail addresses a viewer may see (see [`Model::email_sight`]).
#[derive(Debug, Clone, Copy)]
pub struct EmailSight<'m> {
    /// Everyone's: site admins and the system.
    pub all: bool,
    /// The viewer's own entry, when the viewer is a user.
    pub own: Option<&'m UserEntry>,
}

impl EmailSight<'_> {
    /// Whether the address of `target` is shown.
    pub fn shows(&self, target: &UserEntry) -> bool {
        // Compared as entries, not ids: on a page of users the viewer's
        // entry is in cache and the target's id field may not be.
        self.all || self.own.is_some_and(|v| std::ptr::eq(v, target))
    }
}
