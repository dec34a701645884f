//! Bulk writes: several groups created or deleted, several members added
//! or removed, each call one transaction (every listed change applies or
//! none does). Names are echoed as the caller sent them, split into what
//! the call's own transaction changed and what it skipped: an entry that
//! changes nothing (a group that already exists or does not, a user who
//! does not exist, already is or is not a member) and any name listed twice
//! (its later occurrences, compared case-insensitively). What counts as
//! done is what the commit reports, not what the model predicted: of two
//! concurrent calls adding the same user, one reports it done, the other
//! skipped.

use std::collections::HashSet;

use super::admin::{new_group, Admin};
use super::UserInput;
use crate::error::{Error, Result};
use crate::names;
use crate::store::{Change, Command};
use crate::types::{fold, now_ms, User};

/// What a bulk call did with the names it was given, in the order sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub done: Vec<String>,
    pub skipped: Vec<String>,
}

/// How a bulk membership call names its users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserKey {
    Username,
    AccountId,
}

/// Marks the names `attempt` takes on: first occurrences only, compared
/// case-insensitively (`attempt` pushes one command for each it takes).
fn attempts(names: Vec<String>, mut attempt: impl FnMut(&str) -> bool) -> Vec<(String, bool)> {
    let mut seen = HashSet::new();
    names
        .into_iter()
        .map(|n| {
            let tried = seen.insert(fold(&n)) && attempt(&n);
            (n, tried)
        })
        .collect()
}

/// Splits the names by what the transaction changed (`changes`: one per
/// attempted name, in order).
fn settle(names: Vec<(String, bool)>, changes: Vec<Change>) -> Outcome {
    let mut changed = changes.into_iter().map(|c| !matches!(c, Change::Unchanged));
    let mut out = Outcome::default();
    for (n, tried) in names {
        if tried && changed.next().unwrap_or(false) {
            out.done.push(n);
        } else {
            out.skipped.push(n);
        }
    }
    out
}

impl Admin<'_> {
    /// Creates the groups named in `names` that do not exist yet. An
    /// invalid name fails the whole call with a 400 naming `field`.
    pub async fn create_groups(&self, names: Vec<String>, field: &'static str) -> Result<Outcome> {
        let (names, cmds) = {
            let m = self.dir.read();
            for n in &names {
                names::new_group_name(n, m.policy()).map_err(|e| match e {
                    Error::Invalid { reason, .. } => Error::invalid(field, format!("group name '{n}' {reason}")),
                    other => other,
                })?;
            }
            let now = now_ms();
            let mut cmds = Vec::new();
            let names = attempts(names, |n| {
                let free = !m.group_name_taken(n);
                if free {
                    cmds.push(Command::CreateGroup(new_group(n, now)));
                }
                free
            });
            (names, cmds)
        };
        Ok(settle(names, self.apply(cmds, field).await?))
    }

    /// Deletes the groups named in `names` that exist. Deleting every
    /// admin group fails the whole call with a 400 naming `field`.
    pub async fn delete_groups(&self, names: Vec<String>, field: &'static str) -> Result<Outcome> {
        let (names, cmds) = {
            let m = self.dir.read();
            let mut cmds = Vec::new();
            let names =
                attempts(names, |n| m.group_by_name(n).map(|g| cmds.push(Command::DeleteGroup(g.group.id))).is_ok());
            (names, cmds)
        };
        Ok(settle(names, self.apply(cmds, field).await?))
    }

    /// Adds (`add`) or removes the users named in `users` (by `key`) to or
    /// from the group named `group` (404 when there is none).
    pub async fn change_members(&self, group: &str, users: Vec<String>, key: UserKey, add: bool) -> Result<Outcome> {
        let (names, cmds) = {
            let m = self.dir.read();
            let g = m.group_by_name(group)?;
            let gid = g.group.id;
            let mut cmds = Vec::new();
            let names = attempts(users, |n| {
                let found = match key {
                    UserKey::Username => m.user_by_username(n),
                    UserKey::AccountId => m.user_by_account(n),
                };
                match found {
                    Ok(u) if g.members.contains(u.user.id.0 as u32) != add => {
                        let user = u.user.id;
                        cmds.push(if add {
                            Command::AddMember { group: gid, user }
                        } else {
                            Command::RemoveMember { group: gid, user }
                        });
                        true
                    }
                    _ => false,
                }
            });
            (names, cmds)
        };
        Ok(settle(names, self.apply(cmds, "users").await?))
    }

    /// Creates several users in one transaction, in order, in no group
    /// (fixtures and tests). Any invalid or taken user fails the call.
    pub async fn create_users(&self, inputs: &[UserInput]) -> Result<Vec<User>> {
        let mut cmds = Vec::with_capacity(inputs.len());
        for input in inputs {
            cmds.push(Command::CreateUser(self.prepare_user(input).await?));
        }
        let mut users = Vec::with_capacity(cmds.len());
        for change in self.apply(cmds, "users").await? {
            match change {
                Change::UserSaved(u) => users.push(u),
                other => return Err(Error::Internal(anyhow::anyhow!("create users reported {other:?}"))),
            }
        }
        Ok(users)
    }
}
