//! The single writer thread and its group commit. Jobs queue on a channel;
//! the thread takes every job waiting, runs each inside its own savepoint of
//! one transaction (so one job's failure leaves the others intact), commits
//! once (one fsync for the whole batch), hands the changes to the commit
//! listener in order, and only then answers the callers.
//!
//! Every transaction commits at `synchronous=FULL`: nothing here switches a
//! connection-wide mode, so no failure can leave one behind. After every
//! write transaction, committed or not, the WAL guard checks the WAL
//! against the volume's free space; a batch whose commit found the disk
//! full is retried once after truncating the WAL.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use roster_records::audit::AuditRecord;
use roster_records::import::ImportSet;
use roster_records::store::{CommitListener, ImportReport};
use roster_records::{Change, Command, Error, Result, Snapshot, UserId};
use rusqlite::Connection;
use tokio::sync::oneshot;

use super::checkpoint::WalGuard;
use super::{commands, import, internal};
use crate::stats::WriterStats;

/// Most jobs committed together.
const MAX_BATCH: usize = 4096;

/// Work for the writer thread (a `Replace`'s `audit` records commit in its
/// transaction; `Close` commits what is pending, stops, and is answered once
/// the connection is closed).
pub enum Job {
    Apply {
        commands: Vec<Command>,
        reply: oneshot::Sender<Result<Vec<Change>>>,
    },
    Import {
        set: ImportSet,
        reply: oneshot::Sender<Result<ImportReport>>,
    },
    Logins {
        logins: Vec<(UserId, bool, i64)>,
        reply: oneshot::Sender<Result<()>>,
    },
    Replace {
        snapshot: Box<Snapshot>,
        audit: Vec<AuditRecord>,
        reply: oneshot::Sender<Result<()>>,
    },
    Settings {
        reply: oneshot::Sender<Result<WriterSettings>>,
    },
    /// A write outside the directory (the kept snapshots): the closure
    /// answers its caller itself.
    Exec(Box<dyn FnOnce(&Connection) + Send>),
    Close {
        reply: oneshot::Sender<()>,
    },
}

/// The writer connection's durability settings, as SQLite reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriterSettings {
    /// `pragma synchronous`: 2 is FULL (every commit fsynced), 1 NORMAL.
    pub synchronous: i64,
    /// Whether a transaction is open between jobs (it never should be).
    pub in_transaction: bool,
    /// `pragma wal_autocheckpoint`, in pages.
    pub wal_autocheckpoint: i64,
}

fn settings(conn: &Connection) -> Result<WriterSettings> {
    let pragma = |name: &str| conn.query_row(&format!("pragma {name}"), [], |r| r.get::<_, i64>(0)).map_err(internal);
    Ok(WriterSettings {
        synchronous: pragma("synchronous")?,
        in_transaction: !conn.is_autocommit(),
        wal_autocheckpoint: pragma("wal_autocheckpoint")?,
    })
}

/// The listener slot shared by the store and its writer thread.
#[derive(Default)]
pub struct Listener(RwLock<Option<Arc<dyn CommitListener>>>);

impl Listener {
    fn get(&self) -> Option<Arc<dyn CommitListener>> {
        self.0.read().ok().and_then(|g| g.clone())
    }
}

/// Handle to the writer thread.
pub struct Writer {
    tx: Sender<Job>,
    listener: Arc<Listener>,
    stats: Arc<WriterStats>,
    thread: std::thread::JoinHandle<()>,
}

impl Writer {
    /// Starts the thread that owns `conn`; `wal` watches its WAL.
    pub fn start(conn: Connection, wal: WalGuard) -> Result<Self> {
        // Every command, the audit insert and the batch statements stay
        // prepared (rusqlite keeps 16 by default, fewer than we use).
        conn.set_prepared_statement_cache_capacity(64);
        let (tx, rx) = mpsc::channel();
        let listener = Arc::new(Listener::default());
        let stats = Arc::new(WriterStats::default());
        let (l, st) = (listener.clone(), stats.clone());
        let thread = std::thread::Builder::new()
            .name("roster-sqlite-writer".into())
            .spawn(move || {
                // `run` owns the connection: it is closed when `run` returns.
                if let Some(closer) = run(conn, rx, &l, &st, &wal) {
                    let _ = closer.send(());
                }
            })
            .map_err(internal)?;
        Ok(Writer { tx, listener, stats, thread })
    }

    /// Stops the thread once the queued jobs are done and waits until its
    /// connection is closed (which checkpoints and removes the WAL).
    pub fn close(self) {
        let Writer { tx, thread, .. } = self;
        drop(tx);
        let _ = thread.join();
    }

    /// Stops the thread once the jobs queued before this call are done and
    /// waits, without blocking, until its connection is closed. The thread
    /// may be gone already (closed before): then there is nothing to wait for.
    pub async fn stop(&self) {
        let (reply, closed) = oneshot::channel();
        if self.tx.send(Job::Close { reply }).is_ok() {
            let _ = closed.await;
        }
    }

    /// Queues a job.
    pub fn send(&self, job: Job) -> Result<()> {
        self.tx.send(job).map_err(|_| internal("the store's writer thread stopped"))
    }

    /// The writer's commit figures.
    pub fn stats(&self) -> &WriterStats {
        &self.stats
    }

    /// Sets the commit listener.
    pub fn set_listener(&self, l: Arc<dyn CommitListener>) {
        if let Ok(mut g) = self.listener.0.write() {
            *g = Some(l);
        }
    }
}

/// How often an idle writer looks for commits made by other processes.
const EXTERNAL_CHECK: Duration = Duration::from_millis(500);

/// `pragma data_version` changes when another connection (another process:
/// `roster member add` beside a running server, say) commits. The writer's
/// own commits do not change it, so a change means the model is stale.
fn data_version(conn: &Connection) -> i64 {
    conn.query_row("pragma data_version", [], |r| r.get(0)).unwrap_or(0)
}

fn reload_if_changed_elsewhere(conn: &Connection, seen: &mut i64, listener: &Listener) {
    let now = data_version(conn);
    if now == *seen {
        return;
    }
    *seen = now;
    if let Some(l) = listener.get() {
        match super::rows::snapshot(conn) {
            Ok(s) => {
                tracing::info!("the store was changed by another process; reloaded");
                l.committed(&[Change::Reloaded(Box::new(s))]);
            }
            Err(e) => tracing::error!(error = %e, "could not reload after an external change"),
        }
    }
}

/// Runs jobs until every sender is gone (returns None) or a `Close` job
/// comes (returns its reply, to be answered once `conn` is closed).
fn run(
    conn: Connection,
    rx: Receiver<Job>,
    listener: &Listener,
    stats: &WriterStats,
    wal: &WalGuard,
) -> Option<oneshot::Sender<()>> {
    let mut pending: Pending = Vec::new();
    let mut seen = data_version(&conn);
    loop {
        let first = match rx.recv_timeout(EXTERNAL_CHECK) {
            Ok(job) => job,
            Err(RecvTimeoutError::Timeout) => {
                reload_if_changed_elsewhere(&conn, &mut seen, listener);
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return None,
        };
        reload_if_changed_elsewhere(&conn, &mut seen, listener);
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Apply { commands, reply } => pending.push((commands, reply)),
                Job::Import { set, reply } => {
                    commit_batch(&conn, &mut pending, listener, stats, wal);
                    let result = import::run(&conn, set);
                    end_open_transaction(&conn, "import");
                    wal.after_write(&conn);
                    if let (Ok(_), Some(l)) = (&result, listener.get()) {
                        match super::rows::snapshot(&conn) {
                            Ok(s) => l.committed(&[Change::Reloaded(Box::new(s))]),
                            Err(e) => tracing::error!(error = %e, "could not reload after import"),
                        }
                    }
                    let _ = reply.send(result);
                }
                Job::Logins { logins, reply } => {
                    let result = record_logins(&conn, &logins);
                    wal.after_write(&conn);
                    let _ = reply.send(result);
                }
                Job::Replace { snapshot, audit, reply } => {
                    commit_batch(&conn, &mut pending, listener, stats, wal);
                    let result = super::replace::run(&conn, &snapshot, &audit);
                    end_open_transaction(&conn, "snapshot restore");
                    wal.after_write(&conn);
                    let result = result.map(|changes| {
                        if let Some(l) = listener.get() {
                            match changes {
                                Some(changes) => l.committed(&changes),
                                None => l.committed(&[Change::Reloaded(snapshot)]),
                            }
                        }
                    });
                    let _ = reply.send(result);
                }
                Job::Settings { reply } => {
                    commit_batch(&conn, &mut pending, listener, stats, wal);
                    let _ = reply.send(settings(&conn));
                }
                Job::Exec(run) => {
                    commit_batch(&conn, &mut pending, listener, stats, wal);
                    run(&conn);
                    end_open_transaction(&conn, "kept snapshots");
                    wal.after_write(&conn);
                }
                Job::Close { reply } => {
                    commit_batch(&conn, &mut pending, listener, stats, wal);
                    return Some(reply);
                }
            }
            if pending.len() < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
        commit_batch(&conn, &mut pending, listener, stats, wal);
    }
}

/// A failed COMMIT (a full disk, say) may leave its transaction open, and
/// then every later `begin` would fail: whatever a job left open is rolled
/// back before the next one.
fn end_open_transaction(conn: &Connection, job: &str) {
    if !conn.is_autocommit() {
        tracing::error!(job, "a failed job left its transaction open; rolled back");
        let _ = conn.execute_batch("rollback");
    }
}

/// Sign-in times commit like everything else, at `synchronous=FULL`: the
/// flusher runs at most once a second, so this costs at most one fsync a
/// second, and a failed flush (busy database, full disk) changes nothing
/// about how the next commit is made durable.
fn record_logins(conn: &Connection, logins: &[(UserId, bool, i64)]) -> Result<()> {
    exec(conn, "begin immediate").map_err(internal)?;
    let result = commands::record_logins(conn, logins).and_then(|()| exec(conn, "commit").map(drop));
    if result.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("rollback");
    }
    result.map_err(internal)
}

type Pending = Vec<(Vec<Command>, oneshot::Sender<Result<Vec<Change>>>)>;

fn commit_batch(conn: &Connection, pending: &mut Pending, listener: &Listener, stats: &WriterStats, wal: &WalGuard) {
    if pending.is_empty() {
        return;
    }
    let jobs = std::mem::take(pending);
    let started = std::time::Instant::now();
    let mut outcome = try_batch(conn, &jobs);
    if matches!(&outcome, Err(e) if is_disk_full(e)) {
        // Truncating the WAL may give back enough room: the callers have
        // not been answered yet, so try once more.
        wal.after_disk_full(conn);
        outcome = try_batch(conn, &jobs);
    }
    wal.after_write(conn);
    let results = match outcome {
        Ok(results) => results,
        Err(e) => {
            tracing::error!(error = %e, "commit failed");
            for (_, reply) in jobs {
                let _ = reply.send(Err(internal(format!("commit: {e}"))));
            }
            return;
        }
    };
    stats.commit(jobs.len(), started.elapsed().as_micros() as u64);
    if let Some(l) = listener.get() {
        let all: Vec<Change> = results.iter().filter_map(|r| r.as_ref().ok()).flatten().cloned().collect();
        l.committed(&all);
    }
    for ((_, reply), result) in jobs.into_iter().zip(results) {
        let _ = reply.send(result);
    }
}

fn is_disk_full(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull)
}

/// One attempt at the batch: every job in its savepoint, one commit. On
/// failure nothing is left open.
fn try_batch(conn: &Connection, jobs: &Pending) -> rusqlite::Result<Vec<Result<Vec<Change>>>> {
    exec(conn, "begin immediate")?;
    let results: Vec<Result<Vec<Change>>> = jobs.iter().map(|(cmds, _)| run_job(conn, cmds)).collect();
    if let Err(e) = exec(conn, "commit") {
        if !conn.is_autocommit() {
            let _ = conn.execute_batch("rollback");
        }
        return Err(e);
    }
    Ok(results)
}

/// Runs one statement without parameters from the statement cache: the
/// batch and savepoint statements run several times per commit, and
/// `execute_batch` would parse them again each time.
fn exec(conn: &Connection, sql: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute([])
}

/// One job inside its own savepoint: all of its commands or none.
fn run_job(conn: &Connection, cmds: &[Command]) -> Result<Vec<Change>> {
    exec(conn, "savepoint job").map_err(internal)?;
    let mut changes = Vec::with_capacity(cmds.len());
    for cmd in cmds {
        match commands::execute(conn, cmd) {
            Ok(c) => changes.push(c),
            Err(e) => {
                let _ = conn.execute_batch("rollback to job; release job");
                return Err(e);
            }
        }
    }
    exec(conn, "release job").map_err(|e| Error::Internal(anyhow::anyhow!("release: {e}")))?;
    Ok(changes)
}
