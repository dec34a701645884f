//! The SQLite store. One writer thread owns the write connection and
//! commits batches of jobs; reads for snapshots open their own connection.
//! Nothing here is visible outside the `Store` trait.

mod audit;
mod commands;
mod errors;
mod import;
mod replace;
mod rows;
mod schema;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use roster_core::audit::{AuditPage, AuditQuery, AuditRecord};
use roster_core::import::ImportSet;
use roster_core::store::{CommitListener, ImportReport};
use roster_core::{Change, Command, Error, Result, Snapshot, Store, UserId};
use rusqlite::Connection;
use tokio::sync::oneshot;

use writer::{Job, Writer};

/// An embedded SQLite store.
pub struct SqliteStore {
    path: PathBuf,
    writer: Writer,
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(anyhow::anyhow!("{e}"))
}

/// Opens a connection with roster's settings: WAL, full sync, foreign keys.
/// The WAL is checkpointed every 10,000 pages rather than 1,000: random
/// membership writes keep touching the same index pages, and a checkpoint
/// copies each page once however many times it changed.
pub(crate) fn connect(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path).map_err(|e| internal(format!("cannot open {}: {e}", path.display())))?;
    conn.execute_batch(
        "pragma journal_mode = wal;
         pragma synchronous = full;
         pragma foreign_keys = on;
         pragma busy_timeout = 10000;
         pragma cache_size = -65536;
         pragma wal_autocheckpoint = 10000;
         pragma temp_store = memory;",
    )
    .map_err(internal)?;
    Ok(conn)
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and migrates it.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let mut conn = connect(&path)?;
        schema::migrate(&mut conn)?;
        Ok(SqliteStore { writer: Writer::start(conn)?, path })
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

    async fn audit(&self, query: AuditQuery) -> Result<AuditPage> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || audit::search(&connect(&path)?, &query).map_err(internal))
            .await
            .map_err(internal)?
    }
}
