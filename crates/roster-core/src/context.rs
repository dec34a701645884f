//! What the directory knows about the request it is serving without
//! being told through its signatures: the caller's source address, a
//! request id, the authenticated account and the request's rate-limit
//! charge. The HTTP layer sets it for each request with [`scoped`] (a tokio
//! task-local); the command line never does, so its writes are recorded as
//! the `system` actor from `local`. The audit log, the login throttle and
//! the rate limiter read it. While the request journal is on, the audit
//! log also leaves here the records of the changes the request caused, so
//! the journal can name them.

use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::sync::OnceLock;

use parking_lot::Mutex;

use crate::audit::AuditRecord;
use crate::types::UserId;

/// A request's id: the serial number roster gave it, shown as `r` and hex.
/// Always roster's own, never the caller's (that one is
/// [`RequestContext::client_request_id`]), so an audit row's id cannot be
/// chosen by the caller. A number until something shows it (a response
/// header, an audit row), so a request allocates no text for its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestId(pub u64);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "r{:x}", self.0)
    }
}

/// What the rate limiter decided for one request (see roster-http's
/// `ratelimit.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Charge {
    /// Whether the request was let through.
    pub allowed: bool,
    /// Requests left in the budget it was charged to.
    pub remaining: u32,
    /// Whole seconds until the budget allows a request again (refusals only).
    pub retry_after: u64,
}

/// Facts about the request being served.
#[derive(Debug)]
pub struct RequestContext {
    /// The peer address of the connection, when known.
    pub source: Option<IpAddr>,
    /// Roster's id for the request, echoed as `X-Request-Id` and stored in audit rows.
    pub request_id: RequestId,
    /// The caller's own `X-Request-Id`, when it sent a sane one: logged and
    /// echoed apart from roster's, never stored as the request's id.
    pub client_request_id: Option<Box<str>>,
    /// The account the request authenticated as, once it has.
    user: Mutex<Option<UserId>>,
    /// The request's rate-limit charge, once it is made: by the HTTP guard
    /// for requests without credentials, by the sign-in for the others.
    charge: OnceLock<Charge>,
    /// The audit records of the changes the request made, kept only when
    /// the journal asked for them (`None` otherwise: nothing is cloned).
    changes: Option<Mutex<Vec<AuditRecord>>>,
}

impl RequestContext {
    /// A context for a request from `source`.
    pub fn new(source: Option<IpAddr>, request_id: RequestId) -> Self {
        RequestContext {
            source,
            request_id,
            client_request_id: None,
            user: Mutex::new(None),
            charge: OnceLock::new(),
            changes: None,
        }
    }

    /// The same context, keeping the audit records of the changes the
    /// request makes (for the request journal).
    pub fn keeping_changes(mut self) -> Self {
        self.changes = Some(Mutex::new(Vec::new()));
        self
    }

    /// Whether the audit records of this request's changes are kept.
    pub fn keeps_changes(&self) -> bool {
        self.changes.is_some()
    }

    /// Keeps `record` as one of the request's changes (when they are kept).
    pub fn note_change(&self, record: &AuditRecord) {
        if let Some(c) = &self.changes {
            c.lock().push(record.clone());
        }
    }

    /// The audit records of the changes the request made.
    pub fn take_changes(&self) -> Vec<AuditRecord> {
        self.changes.as_ref().map(|c| std::mem::take(&mut *c.lock())).unwrap_or_default()
    }

    /// The same context, carrying the caller's own request id.
    pub fn with_client_request_id(mut self, id: Option<Box<str>>) -> Self {
        self.client_request_id = id;
        self
    }

    /// Records the account the request authenticated as.
    pub fn set_user(&self, user: UserId) {
        *self.user.lock() = Some(user);
    }

    /// The account the request authenticated as, if any.
    pub fn user(&self) -> Option<UserId> {
        *self.user.lock()
    }

    /// The source address as text (`""` when unknown).
    pub fn source_text(&self) -> String {
        self.source.map(|a| a.to_string()).unwrap_or_default()
    }

    /// The request's rate-limit charge, if it has been made.
    pub fn charge(&self) -> Option<Charge> {
        self.charge.get().copied()
    }

    /// Makes the request's rate-limit charge with `make`, unless it was
    /// already made: a request is charged once. The charge in force.
    pub fn charge_once(&self, make: impl FnOnce() -> Charge) -> Charge {
        *self.charge.get_or_init(make)
    }
}

tokio::task_local! {
    static CONTEXT: RequestContext;
}

/// Runs `f` with `ctx` as the current request context, as a future that
/// can be named (the HTTP guard keeps it in a struct).
pub fn scoped<F: Future>(ctx: RequestContext, f: F) -> tokio::task::futures::TaskLocalFuture<RequestContext, F> {
    CONTEXT.scope(ctx, f)
}

/// `f` of the context of the request being served, if any.
pub fn with_current<R>(f: impl FnOnce(&RequestContext) -> R) -> Option<R> {
    CONTEXT.try_with(f).ok()
}
