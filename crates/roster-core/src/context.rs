//! What the directory knows about the request it is serving without
//! being told through its signatures: the caller's source address, a
//! request id and the authenticated account. The HTTP layer sets it for
//! each request with [`scope`] (a tokio task-local); the command line never
//! does, so its writes are recorded as the `system` actor from `local`.
//! The audit log and the login throttle read it.

use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::types::UserId;

/// Facts about the request being served.
#[derive(Debug)]
pub struct RequestContext {
    /// The peer address of the connection, when known.
    pub source: Option<IpAddr>,
    /// An id for the request, echoed as `X-Request-Id` and stored in audit rows.
    pub request_id: String,
    /// The account the request authenticated as, once it has.
    user: Mutex<Option<UserId>>,
}

impl RequestContext {
    /// A context for a request from `source`.
    pub fn new(source: Option<IpAddr>, request_id: String) -> Arc<Self> {
        Arc::new(RequestContext { source, request_id, user: Mutex::new(None) })
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
    static CONTEXT: Arc<RequestContext>;
}

/// Runs `f` with `ctx` as the current request context.
pub async fn scope<F: Future>(ctx: Arc<RequestContext>, f: F) -> F::Output {
    CONTEXT.scope(ctx, f).await
}

/// [`scope`] as a future that can be named, for code that keeps it in a
/// struct (the HTTP guard does).
pub fn scoped<F: Future>(
    ctx: Arc<RequestContext>,
    f: F,
) -> tokio::task::futures::TaskLocalFuture<Arc<RequestContext>, F> {
    CONTEXT.scope(ctx, f)
}

/// The context of the request being served, if any.
pub fn current() -> Option<Arc<RequestContext>> {
    CONTEXT.try_with(Arc::clone).ok()
}
