//! Authentication: Basic `email-or-username:token-or-password` and Bearer
//! tokens. Unknown accounts and wrong secrets fail identically (same error,
//! and an argon2 run against a dummy hash when there is no password to
//! check). Verified passwords are remembered (by digest) so that scripts
//! using Basic username:password do not pay for argon2 on every request.
//! Failures are throttled per (login, source) (see `throttle.rs`) and each
//! refused sign-in is written to the audit log. Sign-in times are recorded
//! off the durable path.
//!
//! Scripts send the same Authorization header with every request, so a
//! header that verified is remembered (by its SHA-256 digest, never in
//! clear) with the credentials epoch it verified under; a repeat skips
//! decoding and lookups until a user or token changes. The throttle still
//! applies: while any sign-in is throttled, repeats take the full path.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use parking_lot::Mutex;
use sha2::{Digest, Sha256};

use super::throttle::{Key, Throttle};
use super::Directory;
use crate::context;
use crate::credentials;
use crate::error::{Error, Result};
use crate::model::FastMap;
use crate::store::{Change, Store};
use crate::types::{now_ms, UserId};

/// Credentials as presented by a caller.
#[derive(Debug, Clone)]
pub enum Credentials {
    Basic { login: String, secret: String },
    Bearer(String),
}

impl Credentials {
    /// Parses an Authorization header value: Basic `login:secret` or
    /// Bearer `token`. Anything else is `Unauthenticated`.
    pub fn from_header(value: &[u8]) -> Result<Credentials> {
        let value = std::str::from_utf8(value).map_err(|_| Error::Unauthenticated)?;
        let (scheme, rest) = value.trim().split_once(' ').ok_or(Error::Unauthenticated)?;
        let rest = rest.trim();
        if scheme.eq_ignore_ascii_case("basic") {
            let decoded = base64::engine::general_purpose::STANDARD.decode(rest).map_err(|_| Error::Unauthenticated)?;
            let text = String::from_utf8(decoded).map_err(|_| Error::Unauthenticated)?;
            let (login, secret) = text.split_once(':').ok_or(Error::Unauthenticated)?;
            if login.is_empty() || secret.is_empty() {
                return Err(Error::Unauthenticated);
            }
            Ok(Credentials::Basic { login: login.to_string(), secret: secret.to_string() })
        } else if scheme.eq_ignore_ascii_case("bearer") && !rest.is_empty() {
            Ok(Credentials::Bearer(rest.to_string()))
        } else {
            Err(Error::Unauthenticated)
        }
    }
}

const VERIFIED_CAP: usize = 10_000;

/// Whether a change can alter who a credential signs in as.
pub(super) fn touches_credentials(change: &Change) -> bool {
    matches!(
        change,
        Change::UserSaved(_)
            | Change::UserDeleted(_)
            | Change::TokenAdded { .. }
            | Change::TokensRevoked { .. }
            | Change::Reloaded(_)
    )
}

pub(super) struct AuthState {
    verified: Mutex<HashSet<[u8; 32]>>,
    /// Digests of Authorization headers that verified, with the user and
    /// the epoch they verified under.
    recent: Mutex<FastMap<[u8; 32], (UserId, u64)>>,
    epoch: Arc<AtomicU64>,
    logins: Mutex<Logins>,
    throttle: Throttle,
    /// argon2 verifications run (real and dummy), for tests and metrics.
    password_checks: AtomicU64,
    _store: Arc<dyn Store>,
}

impl AuthState {
    pub(super) fn new(store: Arc<dyn Store>) -> Self {
        AuthState {
            verified: Mutex::new(HashSet::new()),
            recent: Mutex::new(FastMap::default()),
            epoch: Arc::new(AtomicU64::new(0)),
            logins: Mutex::new(Logins::default()),
            throttle: Throttle::default(),
            password_checks: AtomicU64::new(0),
            _store: store,
        }
    }

    /// The credentials epoch, moved on by the model's commit listener.
    pub(super) fn epoch(&self) -> Arc<AtomicU64> {
        self.epoch.clone()
    }
}

/// A hash to verify against when there is no real one, so an unknown
/// account costs what a wrong password costs.
fn dummy_hash() -> String {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| credentials::hash_password("roster-dummy-password").unwrap_or_default()).clone()
}

fn throttle_key(creds: &Credentials) -> Key {
    let login = match creds {
        Credentials::Basic { login, .. } => crate::types::fold(login),
        Credentials::Bearer(_) => "bearer".to_string(),
    };
    (login, context::with_current(|c| c.source).flatten())
}

fn password_key(user: UserId, phc: &str, password: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(user.0.to_le_bytes());
    h.update(phc.as_bytes());
    h.update([0]);
    h.update(password.as_bytes());
    h.finalize().into()
}

/// Sign-ins waiting for the next flush. Only the latest success and the
/// latest failure of each user are kept: a client making 50,000 requests a
/// second would otherwise queue 50,000 row updates a second on the store's
/// writer (and a sort of them per flush).
#[derive(Default)]
struct Logins(FastMap<(UserId, bool), i64>);

impl Logins {
    fn note(&mut self, user: UserId, ok: bool, at: i64) {
        let latest = self.0.entry((user, ok)).or_insert(at);
        *latest = (*latest).max(at);
    }

    fn take(&mut self) -> Vec<(UserId, bool, i64)> {
        std::mem::take(&mut self.0).into_iter().map(|((user, ok), at)| (user, ok, at)).collect()
    }
}

impl Directory {
    /// Resolves an Authorization header value to a user, as
    /// [`Directory::authenticate`] does; a header that verified under the
    /// current credentials epoch is not decoded and checked again.
    pub async fn authenticate_header(&self, value: &[u8]) -> Result<UserId> {
        let digest: [u8; 32] = Sha256::digest(value).into();
        // Read before verifying: a change committed meanwhile moves the
        // epoch past what this sign-in is remembered under.
        let epoch = self.auth.epoch.load(Ordering::Acquire);
        let known = self.auth.recent.lock().get(&digest).copied();
        if let Some((user, at)) = known {
            if at == epoch && self.auth.throttle.is_idle() {
                self.signed_in(user);
                return Ok(user);
            }
        }
        // Boxed: the full check (argon2, throttle, audit) is a large future
        // that would otherwise sit inside every request's handler future,
        // which the fast path above answers without it.
        let user = Box::pin(self.authenticate(&Credentials::from_header(value)?)).await?;
        let mut recent = self.auth.recent.lock();
        if recent.len() >= VERIFIED_CAP {
            recent.clear();
        }
        recent.insert(digest, (user, epoch));
        Ok(user)
    }

    /// Notes a successful sign-in: its time, and the user in the request
    /// context.
    fn signed_in(&self, user: UserId) {
        self.auth.logins.lock().note(user, true, now_ms());
        context::with_current(|c| c.set_user(user));
    }

    /// Resolves credentials to a user. Every failure is the same
    /// `Unauthenticated`, whether the account is unknown or the secret wrong;
    /// a (login, source) pair over the failure threshold gets `Throttled`
    /// before any secret is looked at. On success the request context learns
    /// the user; on failure an `auth.refused` audit record is written.
    pub async fn authenticate(&self, creds: &Credentials) -> Result<UserId> {
        let key = throttle_key(creds);
        if let Err(retry_after) = self.auth.throttle.check(&key) {
            return Err(Error::Throttled { retry_after });
        }
        let (user, ok) = self.check(creds).await;
        if let (Some(u), true) = (user, ok) {
            self.auth.throttle.succeeded(&key);
            self.signed_in(u);
            return Ok(u);
        }
        if let Some(u) = user {
            self.auth.logins.lock().note(u, false, now_ms());
        }
        let wait = self.auth.throttle.failed(&key);
        self.record_refusal(creds, wait).await;
        Err(Error::Unauthenticated)
    }

    /// argon2 verifications run so far (real and dummy).
    pub fn password_checks(&self) -> u64 {
        self.auth.password_checks.load(Ordering::Relaxed)
    }

    async fn record_refusal(&self, creds: &Credentials, wait: Option<u64>) {
        let mut r = super::audited::who(&self.read());
        r.action = "auth.refused".into();
        r.outcome = "denied".into();
        r.target_kind = "login".into();
        // The login as presented (never the secret), cut to a sane length.
        r.target = match creds {
            Credentials::Basic { login, .. } => login.chars().take(255).collect(),
            Credentials::Bearer(_) => "(bearer token)".into(),
        };
        r.detail = match wait {
            Some(s) => format!("throttled for {s} s"),
            None => String::new(),
        };
        self.record(r).await;
    }

    async fn check(&self, creds: &Credentials) -> (Option<UserId>, bool) {
        let (login, secret) = match creds {
            Credentials::Bearer(token) => {
                let owner = self.read().token_owner(&credentials::token_hash(token));
                return (owner, owner.is_some());
            }
            Credentials::Basic { login, secret } => (login, secret),
        };
        let found: Option<(UserId, Option<Arc<str>>)> = {
            let m = self.read();
            let entry = m.user_by_email(login).or_else(|| m.user_by_username(login).ok());
            match entry {
                None => None,
                Some(e) if m.token_owner(&credentials::token_hash(secret)) == Some(e.user.id) => {
                    return (Some(e.user.id), true);
                }
                Some(e) => Some((e.user.id, e.user.password_hash.clone())),
            }
        };
        // No password to check (unknown account, or one without a password):
        // run argon2 against a dummy so the refusal takes as long.
        let (uid, phc) = match found {
            Some((uid, Some(phc))) => (uid, phc),
            other => {
                self.verify(secret, dummy_hash()).await;
                return (other.map(|(u, _)| u), false);
            }
        };
        let key = password_key(uid, &phc, secret);
        if self.auth.verified.lock().contains(&key) {
            return (Some(uid), true);
        }
        let ok = self.verify(secret, phc.to_string()).await;
        if ok {
            let mut v = self.auth.verified.lock();
            if v.len() >= VERIFIED_CAP {
                v.clear();
            }
            v.insert(key);
        }
        (Some(uid), ok)
    }

    async fn verify(&self, secret: &str, phc: String) -> bool {
        self.auth.password_checks.fetch_add(1, Ordering::Relaxed);
        let secret = secret.to_string();
        tokio::task::spawn_blocking(move || credentials::verify_password(&secret, &phc)).await.unwrap_or(false)
    }

    /// Writes buffered sign-in times to the model and the store. Called
    /// periodically by [`Directory::start_login_flusher`].
    pub async fn flush_logins(&self) -> Result<()> {
        let batch = self.auth.logins.lock().take();
        if batch.is_empty() {
            return Ok(());
        }
        // Store first, then model: a user record saved by a concurrent write
        // is re-read from the store, so writing the model last keeps it from
        // being overwritten with the older sign-in times.
        let result = self.store.record_logins(batch.clone()).await;
        self.model.write().note_logins(&batch);
        result
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flush_keeps_the_latest_success_and_failure_of_each_user() {
        let (a, b) = (UserId(1), UserId(2));
        let mut logins = Logins::default();
        for (u, ok, at) in [(a, true, 5), (b, false, 3), (a, true, 9), (a, false, 4), (a, true, 7), (b, false, 8)] {
            logins.note(u, ok, at);
        }
        let mut got = logins.take();
        got.sort();
        assert_eq!(got, vec![(a, false, 4), (a, true, 9), (b, false, 8)]);
    }

    #[test]
    fn basic_and_bearer_headers_parse_and_junk_is_refused() {
        let b = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("a@b.c:tok:en"));
        match Credentials::from_header(b.as_bytes()).unwrap() {
            Credentials::Basic { login, secret } => assert_eq!((login.as_str(), secret.as_str()), ("a@b.c", "tok:en")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(Credentials::from_header(b"Bearer abc").unwrap(), Credentials::Bearer(t) if t == "abc"));
        for junk in [&b"Basic"[..], b"Basic !!!", b"Digest x", b"Bearer ", b"\xff\xfe"] {
            assert!(Credentials::from_header(junk).is_err());
        }
    }
}
