//! User administration: creating accounts, changing them, and the first
//! site admin of a fresh store.

use super::Directory;
use crate::actor::Actor;
use crate::credentials;
use crate::error::{Error, Result};
use crate::names;
use crate::store::{Change, Command};
use crate::types::{now_ms, NewUser, User, UserDetails, UserId};

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

/// Builds a validated [`NewUser`] (password hashed, ids generated).
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

impl Directory {
    /// Creates a user (site admins only), optionally adding it to groups in
    /// the same transaction.
    pub async fn create_user(&self, actor: &Actor, input: &UserInput, groups: &[String]) -> Result<User> {
        let new = new_user(input)?;
        let group_ids = {
            let m = self.read();
            m.require_admin(actor)?;
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
            groups.iter().map(|g| m.group_by_name(g).map(|e| e.group.id)).collect::<Result<Vec<_>>>()?
        };
        let changes = self.store.apply(vec![Command::CreateUser(new)]).await?;
        let Some(Change::UserSaved(user)) = changes.into_iter().next() else {
            return Err(Error::Internal(anyhow::anyhow!("create user reported no user")));
        };
        if !group_ids.is_empty() {
            let cmds = group_ids.into_iter().map(|group| Command::AddMember { group, user: user.id }).collect();
            self.store.apply(cmds).await?;
        }
        Ok(user)
    }

    /// Changes a user with `edit` (site admins only) and saves it.
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: UserId,
        edit: impl FnOnce(&mut User) -> Result<()>,
    ) -> Result<User> {
        let mut user = {
            let m = self.read();
            m.require_admin(actor)?;
            m.user(id).ok_or_else(|| Error::not_found("user", format!("{id:?}")))?.user.clone()
        };
        edit(&mut user)?;
        user.updated_ms = now_ms();
        let changes = self.store.apply(vec![Command::UpdateUser(user)]).await?;
        match changes.into_iter().next() {
            Some(Change::UserSaved(u)) => Ok(u),
            _ => Err(Error::Internal(anyhow::anyhow!("update user reported no user"))),
        }
    }

    /// Makes sure the site admin `admin` (admin@example.com) exists, with
    /// the access and admin groups. Returns a newly issued token when it had
    /// to create the account and no `token` was given; registers `token`
    /// for the admin when one is given.
    pub async fn ensure_admin(&self, token: Option<&str>) -> Result<Option<String>> {
        let existing = self.read().user_by_username("admin").ok().map(|u| u.user.id);
        let (admin, created) = match existing {
            Some(id) => (id, false),
            None => {
                let policy = self.read().policy().clone();
                for g in policy.access_groups.iter().take(1).chain(policy.admin_groups.iter().take(1)) {
                    if !self.read().group_name_taken(g) {
                        self.create_group(&Actor::System, g).await?;
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
                (self.create_user(&Actor::System, &input, &groups).await?.id, true)
            }
        };
        match token {
            Some(t) => {
                self.register_token(admin, t, "ROSTER_ADMIN_TOKEN").await?;
                Ok(None)
            }
            None if created => Ok(Some(self.issue_token(&Actor::System, admin, "first start").await?)),
            None => Ok(None),
        }
    }
}
