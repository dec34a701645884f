//! Creating a new store atomically: it is built under a temporary name in
//! the same folder (application id, WAL mode, every migration), closed, and
//! only then linked to its path. So the path either does not exist or holds
//! a complete, marked roster store: a crash while creating never leaves an
//! empty or unmarked file that a later start would have to guess about.

use std::path::{Path, PathBuf};

use roster_records::{Error, Result};
use rusqlite::Connection;

use super::errors::{io_disk_full, opening, or_disk_full};
use super::open_checks::APPLICATION_ID;

fn io_error(e: std::io::Error, what: &str, path: &Path) -> Error {
    io_disk_full(&e, path).unwrap_or_else(|| Error::Internal(anyhow::anyhow!("cannot {what} {}: {e}", path.display())))
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

/// Removes the temporary store and whatever SQLite left beside it.
fn remove(tmp: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(sibling(tmp, suffix));
    }
}

/// Creates roster's store at `path`, which does not exist. When another
/// process creates it first, theirs is kept and this returns Ok.
pub fn new_store(path: &Path) -> Result<()> {
    if sibling(path, "-wal").exists() {
        return Err(Error::Internal(anyhow::anyhow!(
            "{} does not exist but {}-wal does: that journal belongs to a store that was moved or deleted. Move the \
             journal away (or restore its store) before starting roster",
            path.display(),
            path.display()
        )));
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "roster.db".into());
    let nonce = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let tmp = path.with_file_name(format!(".{name}.creating-{}-{nonce}", std::process::id()));
    let built = build(&tmp, path).and_then(|()| publish(&tmp, path));
    remove(&tmp);
    built
}

/// Builds the store in `tmp`; errors name `path`, the store asked for.
fn build(tmp: &Path, path: &Path) -> Result<()> {
    let mut conn = Connection::open(tmp).map_err(|e| opening(e, path))?;
    conn.execute_batch(&format!(
        "pragma application_id = {APPLICATION_ID};
         pragma journal_mode = wal;
         pragma synchronous = full;"
    ))
    .map_err(|e| opening(e, path))?;
    super::schema::migrate(&mut conn).map_err(|e| or_disk_full(e, path))?;
    // Closing the last connection checkpoints the WAL into the file and
    // removes it, so the file alone is the whole store.
    conn.close().map_err(|(_, e)| opening(e, path))
}

fn publish(tmp: &Path, path: &Path) -> Result<()> {
    // A hard link never replaces an existing file, unlike rename.
    match std::fs::hard_link(tmp, path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(()),
        Err(_) => std::fs::rename(tmp, path).map_err(|e| io_error(e, "create", path))?,
    }
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io_error(e, "sync the folder of", path))
}
