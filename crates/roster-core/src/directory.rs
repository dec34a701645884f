//! The directory service: the one place that checks permissions, validates
//! input and turns intentions into store commands. HTTP handlers and CLI
//! commands both go through it, so they cannot enforce different rules.
//! Reads come from the in-memory [`Model`], writes go to the [`Store`] and
//! reach the model through the commit listener, in commit order.

mod audited;
mod auth;
mod hashing;
pub mod throttle;
mod users;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::{RwLock, RwLockReadGuard};

use crate::actor::{Actor, Policy};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::names;
use crate::store::{Change, Command, CommitListener, Store};
use crate::types::{now_ms, Group, GroupId, NewGroup, UserId};

pub use auth::Credentials;
pub use hashing::{set_default_limits as set_hash_limits, HashLimits};
pub use throttle::{MAX_WAIT_SECS, SOURCE_MAX_WAIT_SECS, SOURCE_THROTTLE_AFTER, THROTTLE_AFTER};
pub use users::{new_user, UserInput};

/// The directory: a store plus its read model.
pub struct Directory {
    store: Arc<dyn Store>,
    model: Arc<RwLock<Model>>,
    auth: auth::AuthState,
}

struct ModelSync {
    model: Arc<RwLock<Model>>,
    /// Moves on after every change that can alter who a credential signs in
    /// as (see `auth.rs`).
    credentials_epoch: Arc<AtomicU64>,
}

impl CommitListener for ModelSync {
    fn committed(&self, changes: &[Change]) {
        if changes.iter().any(|c| !matches!(c, Change::Unchanged)) {
            self.model.write().apply(changes);
        }
        if changes.iter().any(auth::touches_credentials) {
            self.credentials_epoch.fetch_add(1, Ordering::Release);
        }
    }
}

impl Directory {
    /// Loads the model from `store` and starts mirroring its commits.
    pub async fn open(store: Arc<dyn Store>, policy: Policy) -> Result<Arc<Self>> {
        let snapshot = store.snapshot().await?;
        let model = Arc::new(RwLock::new(Model::build(snapshot, policy)));
        // Every write from here on carries its audit record (see audited.rs).
        let store: Arc<dyn Store> = Arc::new(audited::Audited::new(store, model.clone()));
        let auth = auth::AuthState::new(store.clone());
        store.set_listener(Arc::new(ModelSync { model: model.clone(), credentials_epoch: auth.epoch() }));
        let dir = Arc::new(Directory { store, model, auth });
        dir.backfill_usernames().await?;
        Ok(dir)
    }

    /// A read view of the model. Do not hold it across an `.await`.
    pub fn read(&self) -> RwLockReadGuard<'_, Model> {
        self.model.read()
    }

    /// The store behind this directory.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Applies raw commands atomically for an admin (bulk endpoints).
    pub async fn apply_as(&self, actor: &Actor, commands: Vec<Command>) -> Result<Vec<Change>> {
        self.read().require_admin(actor)?;
        if commands.is_empty() {
            return Ok(Vec::new());
        }
        self.store.apply(commands).await
    }

    /// Creates a group named `name` (site admins only).
    pub async fn create_group(&self, actor: &Actor, name: &str) -> Result<Group> {
        {
            let m = self.read();
            m.require_admin(actor)?;
            names::new_group_name(name, m.policy())?;
            if m.group_name_taken(name) {
                return Err(Error::exists("group", name.to_string()));
            }
        }
        let new = NewGroup { uuid: uuid::Uuid::new_v4().to_string(), name: name.to_string(), created_ms: now_ms() };
        match self.store.apply(vec![Command::CreateGroup(new)]).await?.pop() {
            Some(Change::GroupCreated(g)) => Ok(g),
            other => Err(Error::Internal(anyhow::anyhow!("unexpected change {other:?}"))),
        }
    }

    /// Deletes a group and all its memberships (site admins only).
    /// Refuses to delete the last site-admin group: that would lock every
    /// admin out.
    pub async fn delete_group(&self, actor: &Actor, group: GroupId) -> Result<()> {
        {
            let m = self.read();
            m.require_admin(actor)?;
            m.keeps_an_admin_group(&[group], "name")?;
        }
        self.store.apply(vec![Command::DeleteGroup(group)]).await?;
        Ok(())
    }

    /// Adds `user` to `group`. Returns false when it already was a member
    /// (nothing changes).
    pub async fn add_member(&self, actor: &Actor, group: GroupId, user: UserId) -> Result<bool> {
        self.read().require_admin(actor)?;
        let changes = self.store.apply(vec![Command::AddMember { group, user }]).await?;
        Ok(matches!(changes.first(), Some(Change::MemberAdded { .. })))
    }

    /// Removes `user` from `group`; NotFound when it was not a member.
    pub async fn remove_member(&self, actor: &Actor, group: GroupId, user: UserId) -> Result<()> {
        self.read().require_admin(actor)?;
        let changes = self.store.apply(vec![Command::RemoveMember { group, user }]).await?;
        match changes.first() {
            Some(Change::MemberRemoved { .. }) => Ok(()),
            _ => Err(Error::not_found("membership", "the user is not a member of the group")),
        }
    }

    /// Issues a new API token for `user` (site admins, or the user themself)
    /// and returns it; only its digest is stored.
    pub async fn issue_token(&self, actor: &Actor, user: UserId, label: &str) -> Result<String> {
        {
            let m = self.read();
            if *actor != Actor::User(user) {
                m.require_admin(actor)?;
            }
            m.user(user).ok_or_else(|| Error::not_found("user", format!("{user:?}")))?;
        }
        let token = crate::credentials::new_token();
        self.register_token(user, &token, label).await?;
        Ok(token)
    }

    /// Stores the digest of a caller-chosen token (e.g. `ROSTER_ADMIN_TOKEN`)
    /// unless it is already registered for that user.
    pub async fn register_token(&self, user: UserId, token: &str, label: &str) -> Result<()> {
        let hash = crate::credentials::token_hash(token);
        match self.read().token_owner(&hash) {
            Some(owner) if owner == user => return Ok(()),
            Some(_) => return Err(Error::exists("token", "that token belongs to another user")),
            None => {}
        }
        let cmd = Command::AddToken { user, hash, label: label.to_string(), created_ms: now_ms() };
        self.store.apply(vec![cmd]).await?;
        Ok(())
    }
}
