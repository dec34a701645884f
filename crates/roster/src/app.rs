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
    let path = sqlite_path(db);
    let store = SqliteStore::open(Path::new(path)).with_context(|| format!("opening store {db}"))?;
    Ok(Arc::new(store))
}

fn sqlite_path(db: &str) -> &str {
    db.strip_prefix("sqlite://").unwrap_or(db)
}

/// Opens the store named by `db` for a command that works on a store that
/// exists: a SQLite path with nothing there is refused, and nothing is
/// created (a mistyped `--db`, or a command run in another directory than
/// the default `roster.db`, would otherwise work on a new empty store and
/// leave it behind). Only `serve` and `import` create stores.
pub fn open_existing_store(db: &str) -> anyhow::Result<Arc<dyn Store>> {
    let path = sqlite_path(db);
    if !roster_store::postgres::is_postgres_url(db) && !Path::new(path).exists() {
        anyhow::bail!(
            "no store at {path}: `roster serve` or `roster import` creates one; name another with --db (or ROSTER_DB)"
        );
    }
    open_store(db)
}

/// Opens the directory over the existing store named by `db` (see
/// [`open_existing_store`]), for a command that does not serve it.
pub async fn open_directory(db: &str, policy: Policy) -> anyhow::Result<Arc<Directory>> {
    let store = open_existing_store(db)?;
    let describe = store.describe();
    Directory::open(store, policy, roster_core::model::no_pieces)
        .await
        .with_context(|| format!("opening store {describe}"))
}

/// Opens the directory over the store named by `db`, creating the store
/// when nothing is there yet (`roster import`), for a command that does not
/// serve it.
pub async fn open_or_create_directory(db: &str, policy: Policy) -> anyhow::Result<Arc<Directory>> {
    let store = open_store(db)?;
    let describe = store.describe();
    Directory::open(store, policy, roster_core::model::no_pieces)
        .await
        .with_context(|| format!("opening store {describe}"))
}

/// Opens (creating if needed) the directory over the store named by `db`,
/// keeping in each user's entry the pieces roster-http writes pages from.
pub async fn open_served_directory(db: &str, policy: Policy) -> anyhow::Result<Arc<Directory>> {
    let store = open_store(db)?;
    let describe = store.describe();
    Directory::open(store, policy, roster_http::user_pieces).await.with_context(|| format!("opening store {describe}"))
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
    /// The store was seeded just now (`serve --seed`): its state becomes
    /// the seed snapshot a reset goes back to. Otherwise the seed snapshot
    /// is kept only when the store has none yet.
    pub seeded: bool,
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
    // Bound before anything is written: a first start that cannot bind
    // must not create the admin and lose the token it prints once.
    let listener = TcpListener::bind(&opts.listen).await.with_context(|| format!("binding {}", opts.listen))?;
    let dir = open_served_directory(&opts.db, opts.policy.clone()).await?;
    let new_admin_token = dir.ensure_admin(opts.admin_token.as_deref()).await?;
    dir.start_login_flusher(Duration::from_secs(1));
    let addr = listener.local_addr()?;
    let url = opts.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    let state = roster_http::AppState::new(dir.clone(), &url, opts.rate_limit);
    state.shelf.keep_seed(&dir, opts.seeded).await.context("keeping the seed snapshot")?;
    opts.testing.apply(&state)?;
    let app = roster_http::app(state);
    let task = tokio::spawn(roster_http::server::serve(listener, app, limits, shutdown));
    Ok(Running { addr, url, dir, new_admin_token, task })
}
