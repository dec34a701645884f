//! Authentication: Basic `email-or-username:token-or-password` and Bearer
//! tokens. Unknown accounts and wrong secrets fail identically. Verified
//! passwords are remembered (by digest) so that scripts using Basic
//! username:password do not pay for argon2 on every request. Sign-in times
//! are recorded off the durable path.

use std::collections::HashSet;
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::Mutex;
use sha2::{Digest, Sha256};

use super::Directory;
use crate::credentials;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::types::{now_ms, UserId};

/// Credentials as presented by a caller.
#[derive(Debug, Clone)]
pub enum Credentials {
    Basic { login: String, secret: String },
    Bearer(String),
}

const VERIFIED_CAP: usize = 10_000;

pub(super) struct AuthState {
    verified: Mutex<HashSet<[u8; 32]>>,
    logins: Mutex<Vec<(UserId, bool, i64)>>,
    _store: Arc<dyn Store>,
}

impl AuthState {
    pub(super) fn new(store: Arc<dyn Store>) -> Self {
        AuthState { verified: Mutex::new(HashSet::new()), logins: Mutex::new(Vec::new()), _store: store }
    }
}

fn password_key(user: UserId, phc: &str, password: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(user.0.to_le_bytes());
    h.update(phc.as_bytes());
    h.update([0]);
    h.update(password.as_bytes());
    h.finalize().into()
}

impl Directory {
    /// Resolves credentials to a user. Every failure is the same
    /// `Unauthenticated`, whether the account is unknown or the secret wrong.
    pub async fn authenticate(&self, creds: &Credentials) -> Result<UserId> {
        let (user, ok) = self.check(creds).await;
        if let Some(u) = user {
            self.auth.logins.lock().push((u, ok, now_ms()));
        }
        match (user, ok) {
            (Some(u), true) => Ok(u),
            _ => Err(Error::Unauthenticated),
        }
    }

    async fn check(&self, creds: &Credentials) -> (Option<UserId>, bool) {
        let (login, secret) = match creds {
            Credentials::Bearer(token) => {
                let owner = self.read().token_owner(&credentials::token_hash(token));
                return (owner, owner.is_some());
            }
            Credentials::Basic { login, secret } => (login, secret),
        };
        let (uid, phc) = {
            let m = self.read();
            let entry = m.user_by_email(login).or_else(|| m.user_by_username(login).ok());
            let Some(entry) = entry else { return (None, false) };
            let uid = entry.user.id;
            if m.token_owner(&credentials::token_hash(secret)) == Some(uid) {
                return (Some(uid), true);
            }
            match &entry.user.password_hash {
                Some(phc) => (uid, phc.clone()),
                None => return (Some(uid), false),
            }
        };
        let key = password_key(uid, &phc, secret);
        if self.auth.verified.lock().contains(&key) {
            return (Some(uid), true);
        }
        let secret = secret.clone();
        let ok =
            tokio::task::spawn_blocking(move || credentials::verify_password(&secret, &phc)).await.unwrap_or(false);
        if ok {
            let mut v = self.auth.verified.lock();
            if v.len() >= VERIFIED_CAP {
                v.clear();
            }
            v.insert(key);
        }
        (Some(uid), ok)
    }

    /// Writes buffered sign-in times to the model and the store. Called
    /// periodically by [`Directory::start_login_flusher`].
    pub async fn flush_logins(&self) -> Result<()> {
        let batch = std::mem::take(&mut *self.auth.logins.lock());
        if batch.is_empty() {
            return Ok(());
        }
        self.model.write().note_logins(&batch);
        self.store.record_logins(batch).await
    }

    /// Spawns the task that flushes sign-in times every `period`; it ends
    /// when the directory is dropped.
    pub fn start_login_flusher(self: &Arc<Self>, period: Duration) {
        let weak: Weak<Directory> = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(period).await;
                let Some(dir) = weak.upgrade() else { break };
                if let Err(e) = dir.flush_logins().await {
                    tracing::warn!(error = %e, "could not record sign-in times");
                }
            }
        });
    }
}
