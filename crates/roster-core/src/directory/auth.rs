//! Authentication: Basic `email-or-username:token-or-password` and Bearer
//! tokens. Unknown accounts and wrong secrets fail identically: the same
//! error, after the same wait (see `hashing.rs`: a login with no password
//! to check waits as long as a verification would, without running one).
//! Verified passwords are remembered (by digest) so that scripts using Basic
//! username:password do not pay for argon2 on every request.
//!
//! Tokens (256 random bits, checked by a SHA-256 lookup) are accepted even
//! while the throttle holds their login or source: guessing one is hopeless
//! and checking one costs nothing, so a throttled address keeps its scripts
//! working. Passwords are throttled per (login, source) and per source (see
//! `throttle.rs`); a login longer than any account can have fails at once.
//! Each refused sign-in is written to the audit log, naming the login only
//! when it belongs to an account (otherwise a short keyed digest: a
//! password typed into the login field must not be stored).
//!
//! Scripts send the same Authorization header with every request, so a
//! header that verified is remembered (by its SHA-256 digest, never in
//! clear) with the credentials epoch it verified under; a repeat skips
//! decoding and lookups until a user or token changes. While nothing is
//! throttled the repeat costs one more atomic load; while something is, a
//! remembered password header is checked against the throttle first.

mod logins;

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use base64::Engine;
use parking_lot::Mutex;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::hashing::Hasher;
use super::throttle::{self, Key, LoginKey, Source, Throttle};
use super::Directory;
use crate::context;
use crate::credentials;
use crate::error::{Error, Result};
use crate::model::FastMap;
use crate::names::MAX_NAME;
use crate::store::{Change, Store};
use crate::types::{fold, now_ms, UserId};
use logins::Logins;

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

/// A header that verified.
#[derive(Clone, Copy)]
struct Remembered {
    user: UserId,
    /// The credentials epoch it verified under.
    epoch: u64,
    /// The login it throttles under; None for a token (never throttled).
    login: Option<LoginKey>,
}

pub(super) struct AuthState {
    verified: Mutex<HashSet<[u8; 32]>>,
    /// Digests of Authorization headers that verified.
    recent: Mutex<FastMap<[u8; 32], Remembered>>,
    epoch: Arc<AtomicU64>,
    logins: Mutex<Logins>,
    pub(super) throttle: Throttle,
    pub(super) hasher: Hasher,
    /// Sign-ins that took the full path (not the remembered-header one).
    full_sign_ins: AtomicU64,
    /// Random per process: keys the login digests, so a digest in the
    /// audit log cannot be looked up in a dictionary.
    login_secret: [u8; 32],
    _store: Arc<dyn Store>,
}

impl AuthState {
    pub(super) fn new(store: Arc<dyn Store>) -> Self {
        let mut login_secret = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut login_secret);
        AuthState {
            verified: Mutex::new(HashSet::new()),
            recent: Mutex::new(FastMap::default()),
            epoch: Arc::new(AtomicU64::new(0)),
            logins: Mutex::new(Logins::default()),
            throttle: Throttle::default(),
            hasher: Hasher::new(),
            full_sign_ins: AtomicU64::new(0),
            login_secret,
            _store: store,
        }
    }

    /// The credentials epoch, moved on by the model's commit listener.
    pub(super) fn epoch(&self) -> Arc<AtomicU64> {
        self.epoch.clone()
    }

    /// The keyed digest of a case-folded login.
    pub(super) fn login_key(&self, login: &str) -> LoginKey {
        let mut h = Sha256::new();
        h.update(self.login_secret);
        h.update(fold(login).as_bytes());
        let d: [u8; 32] = h.finalize().into();
        d[..16].try_into().expect("16 of 32 bytes")
    }
}

/// The source of the request being served, as the throttle counts it.
pub(super) fn current_source() -> Source {
    throttle::source_of(context::with_current(|c| c.source).flatten())
}

fn password_key(user: UserId, phc: &str, password: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(user.0.to_le_bytes());
    h.update(phc.as_bytes());
    h.update([0]);
    h.update(password.as_bytes());
    h.finalize().into()
}

/// How a refused login appears in the audit log.
enum Shown<'a> {
    Login(&'a str),
    Digest(LoginKey),
    TooLong(LoginKey),
    Bearer,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
        if let Some(r) = known {
            let allowed = match r.login {
                None => true,
                Some(_) if self.auth.throttle.quiet() => true,
                Some(login) => self.auth.throttle.check(&Key { login, source: current_source() }).is_ok(),
            };
            if r.epoch == epoch && allowed {
                self.signed_in(r.user);
                return Ok(r.user);
            }
        }
        // Boxed: the full check (argon2, throttle, audit) is a large future
        // that would otherwise sit inside every request's handler future,
        // which the fast path above answers without it.
        let (user, login) = Box::pin(self.sign_in(&Credentials::from_header(value)?)).await?;
        let mut recent = self.auth.recent.lock();
        if recent.len() >= VERIFIED_CAP {
            recent.clear();
        }
        recent.insert(digest, Remembered { user, epoch, login });
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
    /// a throttled (login, source) pair or source gets `Throttled` before
    /// any password is looked at, and `Busy` when the password workers are
    /// full. On success the request context learns the user; on failure an
    /// `auth.refused` audit record is written.
    pub async fn authenticate(&self, creds: &Credentials) -> Result<UserId> {
        self.sign_in(creds).await.map(|(user, _)| user)
    }

    /// argon2 verifications run so far (sign-ins, password changes, and the
    /// one calibration of the wait for unknown logins).
    pub fn password_checks(&self) -> u64 {
        self.auth.hasher.verifications()
    }

    /// Sign-ins that took the full path rather than the remembered-header
    /// one (for tests and diagnostics).
    pub fn full_sign_ins(&self) -> u64 {
        self.auth.full_sign_ins.load(Ordering::Relaxed)
    }

    /// Throttle entries held: (pairs, sources).
    pub fn throttle_entries(&self) -> (usize, usize) {
        self.auth.throttle.len()
    }

    /// The user, and for a password sign-in the login it throttles under.
    async fn sign_in(&self, creds: &Credentials) -> Result<(UserId, Option<LoginKey>)> {
        self.auth.full_sign_ins.fetch_add(1, Ordering::Relaxed);
        let source = current_source();
        let (login, secret) = match creds {
            Credentials::Bearer(token) => {
                if let Some(u) = self.read().token_owner(&credentials::token_hash(token)) {
                    self.signed_in(u);
                    return Ok((u, None));
                }
                let key = Key { login: self.auth.login_key("\0bearer"), source };
                self.auth.throttle.check(&key).map_err(|retry_after| Error::Throttled { retry_after })?;
                return Err(self.refuse(&key, Shown::Bearer).await);
            }
            Credentials::Basic { login, secret } => (login.as_str(), secret.as_str()),
        };
        if login.len() > 4 * MAX_NAME || login.chars().count() > MAX_NAME {
            // No account has such a login: refuse without looking further,
            // counting the source only.
            self.auth.throttle.check_source(source).map_err(|retry_after| Error::Throttled { retry_after })?;
            let wait = self.auth.throttle.failed_source(source);
            self.record_refusal(Shown::TooLong(self.auth.login_key(login)), wait).await;
            return Err(Error::Unauthenticated);
        }
        let key = Key { login: self.auth.login_key(login), source };
        let found: Option<(UserId, Option<Arc<str>>)> = {
            let m = self.read();
            let entry = m.user_by_email(login).or_else(|| m.user_by_username(login).ok());
            let token = credentials::token_hash(secret);
            match entry {
                None => None,
                Some(e) if m.token_owner(&token) == Some(e.user.id) => {
                    let u = e.user.id;
                    drop(m);
                    self.auth.throttle.succeeded(&key);
                    self.signed_in(u);
                    return Ok((u, None));
                }
                Some(e) => Some((e.user.id, e.user.password_hash.clone())),
            }
        };
        self.auth.throttle.check(&key).map_err(|retry_after| Error::Throttled { retry_after })?;
        let ok = match &found {
            Some((uid, Some(phc))) => self.check_password(*uid, phc, secret).await?,
            _ => {
                self.auth.hasher.pretend().await?;
                false
            }
        };
        match found {
            Some((uid, _)) if ok => {
                self.auth.throttle.succeeded(&key);
                self.signed_in(uid);
                Ok((uid, Some(key.login)))
            }
            Some((uid, _)) => {
                self.auth.logins.lock().note(uid, false, now_ms());
                Err(self.refuse(&key, Shown::Login(login)).await)
            }
            None => Err(self.refuse(&key, Shown::Digest(key.login)).await),
        }
    }

    /// Whether `secret` is `uid`'s password, remembering a match.
    async fn check_password(&self, uid: UserId, phc: &Arc<str>, secret: &str) -> Result<bool> {
        let key = password_key(uid, phc, secret);
        if self.auth.verified.lock().contains(&key) {
            return Ok(true);
        }
        let ok = self.auth.hasher.verify(secret, phc.clone()).await?;
        if ok {
            let mut v = self.auth.verified.lock();
            if v.len() >= VERIFIED_CAP {
                v.clear();
            }
            v.insert(key);
        }
        Ok(ok)
    }

    /// Counts a failure of `key`, records it, and returns the answer.
    async fn refuse(&self, key: &Key, shown: Shown<'_>) -> Error {
        let wait = self.auth.throttle.failed(key);
        self.record_refusal(shown, wait).await;
        Error::Unauthenticated
    }

    async fn record_refusal(&self, shown: Shown<'_>, wait: Option<u64>) {
        let mut r = super::audited::who(&self.read());
        r.action = "auth.refused".into();
        r.outcome = "denied".into();
        r.target_kind = "login".into();
        // Never the secret; the login only when it names an account.
        r.target = match shown {
            Shown::Login(login) => login.to_string(),
            Shown::Digest(d) => format!("unknown login #{}", hex(&d[..6])),
            Shown::TooLong(d) => format!("overlong login #{}", hex(&d[..6])),
            Shown::Bearer => "(bearer token)".into(),
        };
        r.detail = match wait {
            Some(s) => format!("throttled for {s} s"),
            None => String::new(),
        };
        self.record(r).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
