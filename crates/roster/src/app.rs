//! Wiring: open a store, load the directory, bind, serve. Used by
//! `roster serve` and by the tests (which bind `127.0.0.1:0`).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use roster_core::{Directory, Policy};
use roster_http::server::Limits;
use roster_records::Store;
use roster_store::{PostgresStore, SqliteStore};
use tokio::net::TcpListener;

/// Opens the store named by `db`: a `postgres://` or `postgresql://` URL
/// names a PostgreSQL database (connected on first use), anything else a
/// SQLite file path (optionally prefixed `sqlite://`). Must be called
/// within a tokio runtime.
pub fn open_store(db: &str) -> anyhow::Result<Arc<dyn Store>> {
    if roster_store::postgres::is_postgres_url(db) {
        return Ok(Arc::new(PostgresStore::new(db).with_context(|| "opening the PostgreSQL store")?));
    }
    let path = db.strip_prefix("sqlite://").unwrap_or(db);
    let store = SqliteStore::open(Path::new(path)).with_context(|| format!("opening store {db}"))?;
    Ok(Arc::new(store))
}

/// Opens the directory over the store named by `db`.
pub async fn open_directory(db: &str, policy: Policy) -> anyhow::Result<Arc<Directory>> {
    let store = open_store(db)?;
    let describe = store.describe();
    Directory::open(store, policy).await.with_context(|| format!("opening store {describe}"))
}

/// What to serve and how.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub db: String,
    pub listen: String,
    pub public_url: Option<String>,
    pub policy: Policy,
    pub admin_token: Option<String>,
    /// Per-caller request budget (`roster serve --rate-limit`); None: unlimited.
    pub rate_limit: Option<roster_http::middleware::ratelimit::RateLimit>,
    /// The request journal and fault rules (`crate::testing`).
    pub testing: crate::testing::TestingOptions,
}

/// A server that is bound and running.
pub struct Running {
    pub addr: SocketAddr,
    pub url: String,
    pub dir: Arc<Directory>,
    /// A token printed for the admin created on first start, if any.
    pub new_admin_token: Option<String>,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Binds, loads and starts serving until `shutdown` resolves, with the
/// default connection limits.
pub async fn start(
    opts: &ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<Running> {
    start_with(opts, Limits::default(), shutdown).await
}

/// Binds, loads and starts serving under `limits` (timeouts, connection
/// cap, shutdown grace) until `shutdown` resolves; the task ends once the
/// connections are drained.
pub async fn start_with(
    opts: &ServeOptions,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<Running> {
    let dir = open_directory(&opts.db, opts.policy.clone()).await?;
    let new_admin_token = dir.ensure_admin(opts.admin_token.as_deref()).await?;
    dir.start_login_flusher(Duration::from_secs(1));
    let listener = TcpListener::bind(&opts.listen).await.with_context(|| format!("binding {}", opts.listen))?;
    let addr = listener.local_addr()?;
    let url = opts.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    let state = roster_http::AppState::new(dir.clone(), &url, opts.rate_limit);
    opts.testing.apply(&state)?;
    let app = roster_http::app(state);
    let task = tokio::spawn(roster_http::server::serve(listener, app, limits, shutdown));
    Ok(Running { addr, url, dir, new_admin_token, task })
}
