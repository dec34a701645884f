//! The SQLite store. One writer thread owns the write connection and
//! commits batches of jobs; reads for snapshots open their own connection.
//! Nothing here is visible outside the `Store` trait, except how a store is
//! opened ([`OpenOptions`], [`StartCheck`]) and what its writer's settings
//! are ([`SqliteStore::writer_settings`]).

mod audit;
mod checkpoint;
mod commands;
mod create;
mod errors;
mod import;
mod open_checks;
mod replace;
mod rows;
mod schema;
mod shelf;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use roster_records::audit::{AuditPage, AuditQuery, AuditRecord};
use roster_records::import::ImportSet;
use roster_records::store::{CommitListener, ImportReport, KeptSnapshot};
use roster_records::{Change, Command, Error, Result, Snapshot, Store, UserId};
use rusqlite::Connection;
use tokio::sync::oneshot;

pub use open_checks::{default_start_check, with_start_check, StartCheck, APPLICATION_ID};
pub use writer::WriterSettings;
use writer::{Job, Writer};

/// An embedded SQLite store.
pub struct SqliteStore {
    path: PathBuf,
    writer: Writer,
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(anyhow::anyhow!("{e}"))
}

/// How long a connection waits for another one's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens a connection with roster's settings: WAL, full sync, foreign keys.
/// The WAL is checkpointed every 10,000 pages rather than 1,000: random
/// membership writes keep touching the same index pages, and a checkpoint
/// copies each page once however many times it changed. On a volume with
/// less room than that, the writer checkpoints earlier (see `checkpoint`).
pub(crate) fn connect(path: &Path) -> Result<Connection> {
    connect_with(path, BUSY_TIMEOUT)
}

fn connect_with(path: &Path, busy_timeout: Duration) -> Result<Connection> {
    let conn = Connection::open(path).map_err(|e| errors::opening(e, path))?;
    conn.execute_batch(
        "pragma journal_mode = wal;
         pragma synchronous = full;
         pragma foreign_keys = on;
         pragma cache_size = -65536;
         pragma wal_autocheckpoint = 10000;
         pragma temp_store = memory;",
    )
    .map_err(|e| errors::opening(e, path))?;
    conn.busy_timeout(busy_timeout).map_err(|e| errors::opening(e, path))?;
    Ok(conn)
}

/// How [`SqliteStore::open_with`] opens a store.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// The check run before the store is used (default: `quick`, or what
    /// `--integrity-check` set for the command, see [`with_start_check`]).
    pub start_check: StartCheck,
    /// How long the writer waits for another process's lock (default 10 s).
    pub busy_timeout: Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions { start_check: default_start_check(), busy_timeout: BUSY_TIMEOUT }
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and migrates it.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(path, OpenOptions::default())
    }

    /// Opens the store at `path`, or creates it when nothing is there. Before
    /// writing anything it refuses what is not roster's store (a zero-length
    /// file, another application's database: left byte for byte as found)
    /// and a store that fails the start check; then it folds any WAL left
    /// from the last run into the database, and migrates.
    pub fn open_with(path: impl AsRef<Path>, options: OpenOptions) -> Result<Self> {
        use open_checks::Found;
        let path = path.as_ref().to_path_buf();
        let mut found = open_checks::inspect(&path)?;
        if found == Found::Nothing {
            create::new_store(&path)?;
            found = open_checks::inspect(&path)?;
        }
        if options.start_check != open_checks::StartCheck::Off {
            // On a connection of its own with SQLite's default cache, closed
            // after: the check reads every page, which would otherwise stay in
            // the writer's 64 MiB cache for the life of the process.
            let checker = connect_with(&path, options.busy_timeout)?;
            checker.execute_batch("pragma cache_size = -2000").map_err(|e| errors::opening(e, &path))?;
            open_checks::check(&checker, &path, options.start_check)?;
        }
        let mut conn = connect_with(&path, options.busy_timeout)?;
        checkpoint::at_start(&conn, &path, options.busy_timeout);
        schema::migrate(&mut conn).map_err(|e| errors::or_disk_full(e, &path))?;
        if found == (Found::Roster { stamped: false }) {
            conn.pragma_update(None, "application_id", APPLICATION_ID).map_err(|e| errors::opening(e, &path))?;
        }
        Ok(SqliteStore { writer: Writer::start(conn, checkpoint::WalGuard::new(&path))?, path })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs SQLite's integrity check; returns its report ("ok" when sound).
    pub fn integrity_check(&self) -> Result<String> {
        let conn = connect(&self.path)?;
        let rows: Vec<String> = conn
            .prepare("pragma integrity_check")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(internal)?;
        Ok(rows.join("\n"))
    }

    /// Finishes the queued writes and closes the store's file, blocking
    /// (for synchronous callers; [`Store::close`] waits without blocking).
    /// Dropping the store does the same without waiting.
    pub fn close(self) {
        self.writer.close();
    }

    /// The writer connection's durability settings, read on the writer
    /// thread between transactions (for checks and tests).
    pub async fn writer_settings(&self) -> Result<WriterSettings> {
        self.send(|reply| Job::Settings { reply }).await
    }

    async fn send<T>(&self, make: impl FnOnce(oneshot::Sender<Result<T>>) -> Job) -> Result<T> {
        let (tx, rx) = oneshot::channel();
        self.writer.send(make(tx))?;
        rx.await.map_err(|_| internal("the store's writer thread stopped"))?
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn snapshot(&self) -> Result<Snapshot> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || rows::snapshot(&connect(&path)?)).await.map_err(internal)?
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
        self.writer.set_listener(listener);
    }

    fn describe(&self) -> String {
        format!("sqlite:{}", self.path.display())
    }

    fn metrics_text(&self) -> Option<String> {
        let size: u64 = ["", "-wal", "-shm"]
            .iter()
            .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", self.path.display())).ok())
            .map(|m| m.len())
            .sum();
        let stats = self.writer.stats();
        stats.size_bytes.store(size, std::sync::atomic::Ordering::Relaxed);
        Some(stats.render())
    }

    async fn replace_all(&self, snapshot: Snapshot) -> Result<()> {
        self.send(|reply| Job::Replace { snapshot: Box::new(snapshot), audit: Vec::new(), reply }).await
    }

    async fn restore_all(&self, snapshot: Snapshot, audit: Vec<AuditRecord>) -> Result<()> {
        self.send(|reply| Job::Replace { snapshot: Box::new(snapshot), audit, reply }).await
    }

    async fn keep_snapshot(&self, info: KeptSnapshot, body: Vec<u8>, keep_unnamed: usize) -> Result<u64> {
        self.send(|reply| {
            Job::Exec(Box::new(move |conn| drop(reply.send(shelf::keep(conn, &info, &body, keep_unnamed)))))
        })
        .await
    }

    async fn kept_snapshots(&self) -> Result<Vec<KeptSnapshot>> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || shelf::list(&connect(&path)?)).await.map_err(internal)?
    }

    async fn kept_snapshot_body(&self, id: u64) -> Result<Option<Vec<u8>>> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || shelf::body(&connect(&path)?, id)).await.map_err(internal)?
    }

    async fn forget_snapshot(&self, id: u64) -> Result<bool> {
        self.send(|reply| Job::Exec(Box::new(move |conn| drop(reply.send(shelf::forget(conn, id)))))).await
    }

    async fn audit(&self, query: AuditQuery) -> Result<AuditPage> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || audit::search(&connect(&path)?, &query).map_err(internal))
            .await
            .map_err(internal)?
    }

    async fn close(&self) {
        self.writer.stop().await;
    }
}
