//! The PostgreSQL store, for several roster instances over one database.
//! One writer task per instance owns a connection and commits batches of
//! jobs (group commit); every commit also appends a numbered entry to the
//! change log, so each instance's in-memory model applies every instance's
//! commits in commit order (`follow`). Snapshots open their own connection.
//! Nothing here is visible outside the `Store` trait.

mod audit;
mod commands;
mod errors;
mod follow;
mod import;
mod log;
mod replace;
mod rows;
mod schema;
mod shelf;
mod writer;

use std::sync::Arc;

use async_trait::async_trait;
use roster_records::audit::{AuditPage, AuditQuery, AuditRecord};
use roster_records::import::ImportSet;
use roster_records::store::{CommitListener, ImportReport, KeptSnapshot};
use roster_records::{Change, Command, Result, Snapshot, Store, UserId};
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::config::Host;
use tokio_postgres::{Client, Config, NoTls};

use errors::internal;
use follow::Follow;
use writer::{Conn, Job};

/// A store in a PostgreSQL database.
pub struct PostgresStore {
    config: Config,
    /// Set once the schema is migrated (on first use, see [`Self::ready`]).
    migrated: tokio::sync::OnceCell<()>,
    jobs: mpsc::UnboundedSender<Job>,
    follow: Arc<Follow>,
    stats: Arc<crate::stats::WriterStats>,
    /// Dropped with the store, which stops the change-log listener.
    _stop: oneshot::Sender<()>,
}

/// Opens a connection and spawns the task that drives it.
pub(crate) async fn connect(config: &Config) -> Result<Client> {
    let (client, conn) = config.connect(NoTls).await.map_err(internal)?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::warn!(error = %e, "postgres connection closed");
        }
    });
    Ok(client)
}

impl PostgresStore {
    /// Connects to the database named by `url` (`postgres://user@host/db`,
    /// or libpq's `key=value` form) and migrates it.
    pub async fn open(url: &str) -> Result<Self> {
        let store = Self::new(url)?;
        store.ready().await?;
        Ok(store)
    }

    /// The store for `url` without touching the database yet: the first
    /// operation connects and migrates (so this can be called from
    /// synchronous code). Starts the writer and the change-log listener on
    /// a thread of their own.
    pub fn new(url: &str) -> Result<Self> {
        let mut config: Config = url.parse().map_err(|e| internal(format!("bad database URL: {e}")))?;
        if config.get_application_name().is_none() {
            config.application_name("roster");
        }
        let follow = Arc::new(Follow::default());
        let stats = Arc::new(crate::stats::WriterStats::default());
        let (jobs, rx) = mpsc::unbounded_channel();
        let (stop, stopped) = oneshot::channel();
        // The writer and the change-log listener (and their connections)
        // get a thread and runtime of their own, as the SQLite writer has a
        // thread: their round trips and the model updates they make never
        // queue behind request handlers, nor hold up a handler's thread.
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(internal)?;
        let (c, f, st) = (config.clone(), follow.clone(), stats.clone());
        std::thread::Builder::new()
            .name("roster-postgres".into())
            .spawn(move || {
                let closer = runtime.block_on(async move {
                    tokio::spawn(follow::run(c.clone(), f.clone(), st.clone(), stopped));
                    writer::run(Conn::new(c), rx, f, st).await
                });
                // Dropping the runtime ends the change-log listener and the
                // tasks driving both connections, which closes them.
                drop(runtime);
                if let Some(closer) = closer {
                    let _ = closer.send(());
                }
            })
            .map_err(internal)?;
        Ok(PostgresStore { config, migrated: tokio::sync::OnceCell::new(), jobs, follow, stats, _stop: stop })
    }

    /// Connects and brings the schema up to date, once.
    pub async fn ready(&self) -> Result<()> {
        self.migrated
            .get_or_try_init(|| async {
                let mut client = connect(&self.config).await?;
                schema::migrate(&mut client).await
            })
            .await
            .map(|_| ())
    }

    async fn send<T>(&self, make: impl FnOnce(oneshot::Sender<Result<T>>) -> Job) -> Result<T> {
        self.ready().await?;
        let (tx, rx) = oneshot::channel();
        self.jobs.send(make(tx)).map_err(|_| internal("the store's writer task stopped"))?;
        rx.await.map_err(|_| internal("the store's writer task stopped"))?
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn snapshot(&self) -> Result<Snapshot> {
        self.ready().await?;
        let client = connect(&self.config).await?;
        let (snapshot, seq) = rows::snapshot(&client).await?;
        self.follow.snapshot_taken(seq).await;
        Ok(snapshot)
    }

    async fn apply(&self, commands: Vec<Command>) -> Result<Vec<Change>> {
        self.send(|reply| Job::Apply { commands, reply }).await
    }

    async fn import(&self, set: ImportSet) -> Result<ImportReport> {
        self.send(|reply| Job::Import { set, reply }).await
    }

    async fn record_logins(&self, logins: Vec<(UserId, bool, i64)>) -> Result<()> {
        self.send(|reply| Job::Logins { logins, reply }).await
    }

    fn set_listener(&self, listener: Arc<dyn CommitListener>) {
        self.follow.set_listener(listener);
    }

    fn describe(&self) -> String {
        describe(&self.config)
    }

    async fn replace_all(&self, snapshot: Snapshot) -> Result<()> {
        self.send(|reply| Job::Replace { snapshot: Box::new(snapshot), audit: Vec::new(), reply }).await
    }

    async fn restore_all(&self, snapshot: Snapshot, audit: Vec<AuditRecord>) -> Result<()> {
        self.send(|reply| Job::Replace { snapshot: Box::new(snapshot), audit, reply }).await
    }

    fn metrics_text(&self) -> Option<String> {
        Some(self.stats.render())
    }

    async fn keep_snapshot(&self, info: KeptSnapshot, body: Vec<u8>, keep_unnamed: usize) -> Result<u64> {
        self.ready().await?;
        let mut client = connect(&self.config).await?;
        shelf::keep(&mut client, &info, &body, keep_unnamed).await
    }

    async fn kept_snapshots(&self) -> Result<Vec<KeptSnapshot>> {
        self.ready().await?;
        shelf::list(&connect(&self.config).await?).await
    }

    async fn kept_snapshot_body(&self, id: u64) -> Result<Option<Vec<u8>>> {
        self.ready().await?;
        shelf::body(&connect(&self.config).await?, id).await
    }

    async fn forget_snapshot(&self, id: u64) -> Result<bool> {
        self.ready().await?;
        shelf::forget(&connect(&self.config).await?, id).await
    }

    async fn audit(&self, query: AuditQuery) -> Result<AuditPage> {
        self.ready().await?;
        let client = connect(&self.config).await?;
        audit::search(&client, &query).await
    }

    async fn close(&self) {
        let (reply, closed) = oneshot::channel();
        if self.jobs.send(Job::Close { reply }).is_ok() {
            let _ = closed.await;
        }
    }
}

/// `postgres://user@host:port/db`, without the password.
fn describe(c: &Config) -> String {
    let host = match c.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = c.get_ports().first().copied().unwrap_or(5432);
    format!("postgres://{}@{host}:{port}/{}", c.get_user().unwrap_or(""), c.get_dbname().unwrap_or(""))
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&describe(&self.config))
    }
}

/// Whether `db` names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}
