//! The one place SQLite errors become domain errors: unique violations are
//! conflicts, foreign-key violations mean a referenced record is gone,
//! everything else is internal (and never shown to callers). A full disk
//! is named as such, whatever code SQLite reported it with.

use std::path::Path;

use roster_records::Error;
use rusqlite::ffi::ErrorCode;

/// Maps a SQLite error raised while writing `what` (`user`, `group`, ...).
pub fn map(e: rusqlite::Error, what: &'static str, key: &str) -> Error {
    if let rusqlite::Error::SqliteFailure(f, msg) = &e {
        if f.code == ErrorCode::ConstraintViolation {
            let msg = msg.as_deref().unwrap_or("");
            if msg.contains("FOREIGN KEY") {
                return Error::not_found("user or group", key.to_string());
            }
            if msg.contains("UNIQUE") {
                let field = msg.rsplit('.').next().unwrap_or("").replace("_lower", "");
                return Error::exists(what, format!("{field} {key}").trim().to_string());
            }
        }
    }
    Error::Internal(anyhow::anyhow!("sqlite: {e}"))
}

/// Below this many free bytes an I/O error on the store's volume is taken
/// for a full disk: SQLite reports a failed `-shm` extension or a short
/// write as "disk I/O error", not as SQLITE_FULL.
const NEARLY_FULL: u64 = 1 << 20;

/// A clear "disk full" error when `e` is SQLITE_FULL, or an I/O error on a
/// volume with (almost) no free space left; None otherwise.
pub fn disk_full(e: &rusqlite::Error, path: &Path) -> Option<Error> {
    let rusqlite::Error::SqliteFailure(f, _) = e else { return None };
    let free = super::checkpoint::free_bytes(path);
    let full = match f.code {
        ErrorCode::DiskFull => true,
        ErrorCode::SystemIoFailure | ErrorCode::CannotOpen => free.is_some_and(|b| b < NEARLY_FULL),
        _ => false,
    };
    full.then(|| disk_full_error(path, free))
}

/// The same for a plain file-system error (creating the store's file).
pub fn io_disk_full(e: &std::io::Error, path: &Path) -> Option<Error> {
    (e.kind() == std::io::ErrorKind::StorageFull).then(|| disk_full_error(path, super::checkpoint::free_bytes(path)))
}

fn disk_full_error(path: &Path, free: Option<u64>) -> Error {
    let free = free.map_or(String::new(), |b| format!(" ({b} bytes free)"));
    Error::Internal(anyhow::anyhow!(
        "disk full: the volume holding {} has no room left{free}; free some space (or grow the volume) and start \
         roster again",
        path.display()
    ))
}

/// Any SQLite error met while opening `path`, with "disk full" said plainly.
pub fn opening(e: rusqlite::Error, path: &Path) -> Error {
    disk_full(&e, path).unwrap_or_else(|| Error::Internal(anyhow::anyhow!("cannot open {}: {e}", path.display())))
}

/// `e`, or "disk full" when the store's volume has (almost) no space left:
/// for failures whose SQLite code was lost on the way (migrations).
pub fn or_disk_full(e: Error, path: &Path) -> Error {
    match super::checkpoint::free_bytes(path) {
        Some(free) if free < NEARLY_FULL => disk_full_error(path, Some(free)),
        _ => e,
    }
}
