//! Keeps the WAL from filling the store's volume. SQLite's own checkpoint
//! runs every 10,000 pages (~40 MB), which keeps writes fast on a roomy
//! disk; on a volume with less room than that the WAL would fill it before
//! the checkpoint came, and every write would fail from then on. So after
//! every write transaction (committed or failed) the writer compares the
//! WAL file with the room it has (its own size plus the volume's free
//! space) and, past a quarter of it, checkpoints and truncates the WAL.
//! Opening a store does the same unconditionally, so a WAL left by a crash
//! on a full volume is folded into the database before anything is written.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

/// The WAL may take at most 1/`ROOM_SHARE` of the room it has.
const ROOM_SHARE: u64 = 4;

/// How long the checkpoint at start waits for other connections (another
/// roster process's readers) before leaving the WAL as it is.
const START_WAIT: Duration = Duration::from_millis(500);

/// Bytes available to roster on the volume holding `path` (the file, or its
/// folder when the file does not exist yet); None when unknown (and off
/// Unix, where the rule is then SQLite's own checkpoint alone).
#[cfg(not(unix))]
pub fn free_bytes(_path: &Path) -> Option<u64> {
    None
}

/// Bytes available to roster on the volume holding `path` (the file, or its
/// folder when the file does not exist yet); None when unknown.
#[cfg(unix)]
pub fn free_bytes(path: &Path) -> Option<u64> {
    let stat = rustix::fs::statvfs(path).or_else(|_| {
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        rustix::fs::statvfs(parent)
    });
    stat.ok().map(|s| s.f_bavail.saturating_mul(s.f_frsize))
}

/// Truncating checkpoint: copies the WAL into the database and cuts the WAL
/// file to zero bytes. Returns whether the whole WAL was copied.
pub fn truncate(conn: &Connection) -> rusqlite::Result<bool> {
    let busy: i64 = conn.query_row("pragma wal_checkpoint(truncate)", [], |r| r.get(0))?;
    Ok(busy == 0)
}

/// The writer's watch over its WAL (used on the writer thread only).
pub struct WalGuard {
    wal: PathBuf,
    db: PathBuf,
    /// The WAL's length when the free space was last compared with it.
    checked_len: Cell<u64>,
}

impl WalGuard {
    /// Watches the WAL of the database at `db`.
    pub fn new(db: &Path) -> Self {
        WalGuard {
            wal: PathBuf::from(format!("{}-wal", db.display())),
            db: db.to_path_buf(),
            checked_len: Cell::new(0),
        }
    }

    /// True when the WAL holds more than its share of the room it has. One
    /// `stat`, and a `statvfs` only when the WAL file has grown since the
    /// last look: SQLite reuses the file from its start after each of its
    /// own checkpoints, so on a roomy disk the length soon stops changing.
    pub fn over_share(&self) -> bool {
        let Ok(wal) = std::fs::metadata(&self.wal).map(|m| m.len()) else { return false };
        if wal == 0 || wal == self.checked_len.get() {
            return false;
        }
        self.checked_len.set(wal);
        match free_bytes(&self.db) {
            Some(free) => wal.saturating_mul(ROOM_SHARE) > wal.saturating_add(free),
            None => false,
        }
    }

    /// Called after every write transaction, whether it committed or not.
    pub fn after_write(&self, conn: &Connection) {
        if self.over_share() {
            self.checkpoint(conn);
        }
    }

    /// Called when a commit found the disk full: whatever the WAL holds is
    /// folded in and its file cut, to give the room back for a retry.
    pub fn after_disk_full(&self, conn: &Connection) {
        self.checkpoint(conn);
    }

    fn checkpoint(&self, conn: &Connection) {
        self.checked_len.set(0);
        match truncate(conn) {
            Ok(true) => {
                tracing::info!(store = %self.db.display(), "WAL checkpointed early: the volume is short of space")
            }
            Ok(false) => tracing::warn!(store = %self.db.display(), "early WAL checkpoint incomplete: readers busy"),
            Err(e) => tracing::warn!(store = %self.db.display(), error = %e, "early WAL checkpoint failed"),
        }
    }
}

/// The checkpoint at start: whatever WAL the last run left is folded into
/// the database and truncated. Waits at most `START_WAIT` for other
/// processes' connections, then restores `busy_timeout`.
pub fn at_start(conn: &Connection, db: &Path, busy_timeout: Duration) {
    let waited = conn.busy_timeout(START_WAIT);
    let result = waited.and_then(|()| truncate(conn));
    if let Err(e) = conn.busy_timeout(busy_timeout) {
        tracing::warn!(error = %e, "could not restore the busy timeout");
    }
    match result {
        Ok(true) => {}
        Ok(false) => tracing::info!(store = %db.display(), "WAL checkpoint at start incomplete: another process reads"),
        Err(e) => tracing::warn!(store = %db.display(), error = %e, "WAL checkpoint at start failed"),
    }
}
