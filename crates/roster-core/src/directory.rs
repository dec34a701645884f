//! The directory service: the one place that checks permissions, validates
//! input and turns intentions into store commands. HTTP handlers and CLI
//! commands both go through it, so they cannot enforce different rules.
//! There are two doors: [`Directory::reader`] (a [`Reader`] for a caller
//! who may read) and [`Directory::admin`] (an [`Admin`] for a site admin,
//! the only way to write). Reads come from the in-memory model, writes go
//! to the store and reach the model through the commit listener, in commit
//! order.

mod admin;
mod audited;
mod auth;
mod bulk;
mod finder;
mod hashing;
mod import;
mod invite;
mod profile;
mod reader;
mod records;
mod tasks;
pub mod throttle;
mod users;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::{RwLock, RwLockReadGuard};

use crate::actor::{Actor, Policy};
use crate::error::Result;
use crate::model::{Model, PieceWriter};
use crate::store::{Change, CommitListener, Store};

pub use admin::Admin;
pub use auth::Credentials;
pub use bulk::{Outcome, UserKey};
pub use finder::{Found, MAX_FIND_CHARS, MAX_FIND_WORDS};
pub use hashing::{set_default_limits as set_hash_limits, HashLimits};
pub use import::FixtureReport;
pub use invite::{AccessCheck, Invitation};
pub use profile::ProfileChange;
pub use reader::Reader;
pub use tasks::LongTask;
pub use throttle::{MAX_WAIT_SECS, SOURCE_MAX_WAIT_SECS, SOURCE_THROTTLE_AFTER, THROTTLE_AFTER};
pub use users::{new_user, Joins, UserInput};

/// The directory: a store plus its read model.
pub struct Directory {
    store: Arc<dyn Store>,
    model: Arc<RwLock<Model>>,
    auth: auth::AuthState,
    tasks: tasks::Tasks,
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
    /// Loads the model from `store` and starts mirroring its commits. Each
    /// user's pieces are made by `pieces` (roster-http's writer for a
    /// directory it serves; [`crate::model::no_pieces`] otherwise).
    pub async fn open(store: Arc<dyn Store>, policy: Policy, pieces: PieceWriter) -> Result<Arc<Self>> {
        let snapshot = store.snapshot().await?;
        let model = Arc::new(RwLock::new(Model::build(snapshot, policy, pieces)));
        // Every write from here on carries its audit record (see audited.rs).
        let store: Arc<dyn Store> = Arc::new(audited::Audited::new(store, model.clone()));
        let auth = auth::AuthState::new(store.clone());
        store.set_listener(Arc::new(ModelSync { model: model.clone(), credentials_epoch: auth.epoch() }));
        let dir = Arc::new(Directory { store, model, auth, tasks: tasks::Tasks::default() });
        dir.backfill_usernames().await?;
        Ok(dir)
    }

    /// The read view for `actor`: an error (401/403) unless `actor` may
    /// read the directory. Do not hold it across an `.await`.
    pub fn reader(&self, actor: &Actor) -> Result<Reader<'_>> {
        let m = self.read();
        m.require_read(actor)?;
        Ok(Reader::checked(m, *actor))
    }

    /// The read view for the admin-only reads: an error (401/403) unless
    /// `actor` is a site admin or the system.
    pub fn admin_reader(&self, actor: &Actor) -> Result<Reader<'_>> {
        let m = self.read();
        m.require_admin(actor)?;
        Ok(Reader::checked(m, *actor))
    }

    /// How many users and groups there are (health and metrics; no
    /// permission needed to count).
    pub fn counts(&self) -> (usize, usize) {
        let m = self.read();
        (m.user_count(), m.group_count())
    }

    /// Starts loading the index slot of `account_id` into the cache, for a
    /// lookup the request is about to make (it reveals nothing).
    pub fn prefetch_account(&self, account_id: &str) {
        self.read().prefetch_account(account_id);
    }

    /// What the store is, in a few words (`/readyz`).
    pub fn store_description(&self) -> String {
        self.store.describe()
    }

    /// The store's own metrics, as Prometheus text, when it keeps any.
    pub fn store_metrics_text(&self) -> Option<String> {
        self.store.metrics_text()
    }

    /// The model, for this crate's own checks and verbs.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Model> {
        self.model.read()
    }

    /// The store behind this directory.
    pub(crate) fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }
}
