//! User administration: creating, changing and deleting accounts,
//! passwords, generated usernames for accounts stored without one, and the
//! first site admin of a fresh store. Passwords are hashed and checked on
//! the directory's bounded password workers (`hashing.rs`), never on a
//! runtime worker; a wrong current password in a password change counts
//! against the sign-in throttle like a failed sign-in.

use super::auth::current_source;
use super::throttle::Key;
use super::{Admin, Directory};
use crate::actor::Actor;
use crate::credentials;
use crate::error::{Error, Result};
use crate::names;
use crate::store::{Change, Command};
use crate::types::{fold, now_ms, NewUser, User, UserDetails, UserId};
use crate::usernames;

/// What a caller supplies to create a user.
#[derive(Debug, Clone, Default)]
pub struct UserInput {
    /// Generated (`712020:<uuid>`) when absent.
    pub account_id: Option<String>,
    pub account_type: Option<String>,
    pub username: Option<String>,
    pub display_name: String,
    pub email: String,
    pub password: Option<String>,
    pub active: bool,
    pub details: UserDetails,
}

/// Builds a validated [`NewUser`] (password hashed, ids generated). Hashes
/// on the calling thread: for the command line and imports; the server
/// goes through [`Admin::create_user`].
pub fn new_user(input: &UserInput) -> Result<NewUser> {
    let account_type = input.account_type.clone().unwrap_or_else(|| "atlassian".into());
    names::account_type(&account_type)?;
    let account_id = match &input.account_id {
        Some(a) => a.clone(),
        None => format!("712020:{}", uuid::Uuid::new_v4()),
    };
    names::account_id(&account_id)?;
    if let Some(u) = &input.username {
        names::username(u)?;
    }
    names::display_name(&input.display_name)?;
    names::email(&input.email, account_type == "app")?;
    let password_hash = input.password.as_deref().map(credentials::hash_password).transpose()?;
    Ok(NewUser {
        account_id,
        account_type,
        username: input.username.clone(),
        user_key: credentials::new_user_key(),
        display_name: input.display_name.clone(),
        email: input.email.clone(),
        active: input.active,
        password_hash,
        details: input.details.clone(),
        created_ms: now_ms(),
    })
}

/// Which groups a new user joins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Joins {
    /// The default access group (the first access group that exists), as
    /// users created in Confluence's admin screens do; none when no access
    /// group exists.
    DefaultAccessGroup,
    /// Exactly these, by name; all must exist, or nothing is created.
    Groups(Vec<String>),
}

/// The group a new user joins for product access: the first access group
/// (in `--access-groups` order) that exists; none when none does.
pub(super) fn default_access_group(m: &crate::model::Model) -> Option<crate::types::GroupId> {
    m.policy().access_groups.iter().find_map(|g| m.group_by_name(g).ok()).map(|g| g.group.id)
}

impl Admin<'_> {
    /// A validated, not yet stored user: ids generated, the password
    /// hashed on the password workers; 409 when its account id, username or
    /// e-mail address is taken.
    pub(super) async fn prepare_user(&self, input: &UserInput) -> Result<NewUser> {
        let mut new = new_user(&UserInput { password: None, ..input.clone() })?;
        if let Some(p) = &input.password {
            credentials::validate_password(p)?;
        }
        {
            let m = self.dir.read();
            if m.account_taken(&new.account_id) {
                return Err(Error::exists("user", format!("accountId {}", new.account_id)));
            }
            if let Some(u) = &new.username {
                if m.username_taken(u) {
                    return Err(Error::exists("user", format!("username {u}")));
                }
            }
            if m.email_taken(&new.email) {
                return Err(Error::exists("user", format!("email {}", new.email)));
            }
        }
        if let Some(p) = &input.password {
            new.password_hash = Some(self.dir.auth.hasher.hash(p).await?);
        }
        Ok(new)
    }

    /// Creates a user who joins the groups `joins` says. The store assigns
    /// the new user's id, so the memberships are a second transaction; when
    /// it fails (a group deleted meanwhile) the account is deleted again, so
    /// the call leaves nothing behind.
    pub async fn create_user(&self, input: &UserInput, joins: Joins) -> Result<User> {
        let new = self.prepare_user(input).await?;
        let group_ids = {
            let m = self.dir.read();
            match &joins {
                Joins::DefaultAccessGroup => default_access_group(&m).into_iter().collect(),
                Joins::Groups(names) => {
                    names.iter().map(|g| m.group_by_name(g).map(|e| e.group.id)).collect::<Result<Vec<_>>>()?
                }
            }
        };
        let changes = self.dir.store.apply(vec![Command::CreateUser(new)]).await?;
        let Some(Change::UserSaved(user)) = changes.into_iter().next() else {
            return Err(Error::Internal(anyhow::anyhow!("create user reported no user")));
        };
        if !group_ids.is_empty() {
            let cmds = group_ids.into_iter().map(|group| Command::AddMember { group, user: user.id }).collect();
            if let Err(e) = self.dir.store.apply(cmds).await {
                let _ = self.dir.store.apply(vec![Command::DeleteUser(user.id)]).await;
                return Err(e);
            }
        }
        Ok(user)
    }

    /// Deletes a user with its memberships and tokens (nobody may delete
    /// their own account).
    pub async fn delete_user(&self, id: UserId) -> Result<()> {
        self.dir.read().user(id).ok_or_else(|| Error::not_found("user", format!("{id:?}")))?;
        if self.actor == Actor::User(id) {
            return Err(Error::invalid("username", "you cannot delete your own account"));
        }
        self.dir.store.apply(vec![Command::DeleteUser(id)]).await?;
        Ok(())
    }

    /// Sets a user's password.
    pub async fn set_password(&self, id: UserId, password: &str) -> Result<()> {
        let phc = self.dir.auth.hasher.hash(password).await?;
        self.update_user(id, |u| {
            u.password_hash = Some(phc.into());
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// Turns an account on or off; nobody may turn off their own (a 400
    /// naming `field`). Answers whether anything changed (nothing does when
    /// the account already is as asked).
    pub async fn set_active(&self, id: UserId, active: bool, field: &'static str) -> Result<bool> {
        if !active && self.actor == Actor::User(id) {
            return Err(Error::invalid(field, "you cannot deactivate your own account"));
        }
        let already = self.dir.read().user(id).is_some_and(|e| e.user.active == active);
        if !already {
            self.update_user(id, |u| {
                u.active = active;
                Ok(())
            })
            .await?;
        }
        Ok(!already)
    }

    /// Changes a user with `edit` and saves it.
    pub async fn update_user(&self, id: UserId, edit: impl FnOnce(&mut User) -> Result<()>) -> Result<User> {
        let mut user =
            self.dir.read().user(id).ok_or_else(|| Error::not_found("user", format!("{id:?}")))?.user.clone();
        edit(&mut user)?;
        user.updated_ms = now_ms();
        let changes = self.dir.store.apply(vec![Command::UpdateUser(user)]).await?;
        match changes.into_iter().next() {
            Some(Change::UserSaved(u)) => Ok(u),
            _ => Err(Error::Internal(anyhow::anyhow!("update user reported no user"))),
        }
    }
}

impl Directory {
    /// Changes the caller's own password after checking the current one.
    /// Forbidden when the current password is wrong or the account has none.
    /// Wrong current passwords are throttled per (account, source) and per
    /// source, as sign-ins are: a token holder cannot guess the password.
    pub async fn change_own_password(&self, actor: &Actor, old: &str, new: &str) -> Result<()> {
        let Actor::User(id) = *actor else { return Err(Error::Unauthenticated) };
        credentials::validate_password(new)?;
        let key = Key { login: self.auth.login_key(&format!("\0password-change:{}", id.0)), source: current_source() };
        self.auth.throttle.check(&key).map_err(|retry_after| Error::Throttled { retry_after })?;
        let current = {
            let m = self.read();
            let e = m.user(id).ok_or(Error::Unauthenticated)?;
            if !e.user.active {
                return Err(Error::forbidden("The user account is deactivated"));
            }
            e.user.password_hash.clone()
        };
        let matches = match current {
            Some(phc) => self.auth.hasher.verify(old, phc).await?,
            None => false,
        };
        if !matches {
            self.auth.throttle.failed(&key);
            return Err(Error::forbidden("The current password is not correct"));
        }
        self.auth.throttle.succeeded(&key);
        let phc = self.auth.hasher.hash(new).await?;
        let mut user = self.read().user(id).ok_or(Error::Unauthenticated)?.user.clone();
        user.password_hash = Some(phc.into());
        user.updated_ms = now_ms();
        self.store.apply(vec![Command::UpdateUser(user)]).await?;
        Ok(())
    }

    /// Gives every stored user without a username a generated one (see
    /// [`crate::usernames`]), in one transaction. Stores assign usernames
    /// when they save a user; this catches rows written before they did.
    pub(crate) async fn backfill_usernames(&self) -> Result<usize> {
        let cmds: Vec<Command> = {
            let m = self.read();
            let mut fresh: std::collections::HashSet<String> = std::collections::HashSet::new();
            m.users()
                .filter(|e| e.user.username.is_none())
                .map(|e| {
                    let base = usernames::derive(&e.user.email, &e.user.display_name);
                    let name = usernames::unique(&base, |c| m.username_taken(c) || fresh.contains(&fold(c)));
                    fresh.insert(fold(&name));
                    let mut user = e.user.clone();
                    user.username = Some(name.into());
                    Command::UpdateUser(user)
                })
                .collect()
        };
        let n = cmds.len();
        if n > 0 {
            self.store.apply(cmds).await?;
            tracing::info!(users = n, "generated usernames for users stored without one");
        }
        Ok(n)
    }

    /// Makes sure the site admin `admin` (admin@example.com) exists, with
    /// the access and admin groups. Returns a newly issued token when it had
    /// to create the account and no `token` was given; registers `token`
    /// for the admin when one is given.
    pub async fn ensure_admin(&self, token: Option<&str>) -> Result<Option<String>> {
        let system = self.admin(&Actor::System)?;
        let existing = self.read().user_by_username("admin").ok().map(|u| u.user.id);
        let (admin, created) = match existing {
            Some(id) => (id, false),
            None => {
                let policy = self.read().policy().clone();
                for g in policy.access_groups.iter().take(1).chain(policy.admin_groups.iter().take(1)) {
                    if !self.read().group_name_taken(g) {
                        system.create_group(g).await?;
                    }
                }
                let input = UserInput {
                    username: Some("admin".into()),
                    display_name: "Administrator".into(),
                    email: "admin@example.com".into(),
                    active: true,
                    ..UserInput::default()
                };
                let groups: Vec<String> =
                    policy.access_groups.iter().take(1).chain(policy.admin_groups.iter().take(1)).cloned().collect();
                (system.create_user(&input, Joins::Groups(groups)).await?.id, true)
            }
        };
        match token {
            Some(t) => {
                system.register_token(admin, t, "ROSTER_ADMIN_TOKEN").await?;
                Ok(None)
            }
            None if created => Ok(Some(system.issue_token(admin, "first start").await?)),
            None => Ok(None),
        }
    }
}
