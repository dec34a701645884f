//! What the directory knows about the request it is serving without
//! being told through its signatures: the caller's source address, a
//! request id and the authenticated account. The HTTP layer sets it for
//! each request with [`scoped`] (a tokio task-local); the command line never
//! does, so its writes are recorded as the `system` actor from `local`.
//! The audit log and the login throttle read it.

use std::fmt;
use std::future::Future;
use std::net::IpAddr;

use parking_lot::Mutex;

use crate::types::UserId;

/// A request's id: the serial number roster gave it (shown as `r` and hex)
/// or the caller's own. Serial ones are numbers until something shows
/// them (a response header, an audit row), so a request allocates no text
/// for its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestId {
    Serial(u64),
    Given(Box<str>),
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestId::Serial(n) => write!(f, "r{n:x}"),
            RequestId::Given(s) => f.write_str(s),
        }
    }
}

/// Facts about the request being served.
#[derive(Debug)]
pub struct RequestContext {
    /// The peer address of the connection, when known.
    pub source: Option<IpAddr>,
    /// An id for the request, echoed as `X-Request-Id` and stored in audit rows.
    pub request_id: RequestId,
    /// The account the request authenticated as, once it has.
    user: Mutex<Option<UserId>>,
}

impl RequestContext {
    /// A context for a request from `source`.
    pub fn new(source: Option<IpAddr>, request_id: RequestId) -> Self {
        RequestContext { source, request_id, user: Mutex::new(None) }
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
