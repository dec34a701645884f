//! What `SqliteStore::open` checks before it writes a byte: that the path
//! names roster's own store (or nothing yet), and that the store is sound.
//! A zero-length file, a file that is not SQLite and another application's
//! SQLite database are refused untouched: the header is read with plain file
//! I/O, and a store without roster's marker is inspected through an
//! immutable read-only connection, which neither locks nor creates files.

use std::io::Read;
use std::path::Path;

use roster_records::{Error, Result};
use rusqlite::{Connection, OpenFlags};

/// Written into the header's application id (offset 68) of every store
/// roster creates: "RSTR".
pub const APPLICATION_ID: i32 = 0x5253_5452;

/// The tables of roster's first migration: a store created before the
/// application id was stamped is recognised by them.
const ROSTER_TABLES: [&str; 4] = ["users", "groups", "memberships", "tokens"];

/// How much of the store `open` checks before serving it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartCheck {
    /// No check (to salvage what is readable from a damaged store).
    Off,
    /// `pragma quick_check`: every page's structure, not index contents.
    Quick,
    /// `pragma integrity_check`: also that every index matches its table.
    Full,
}

impl std::str::FromStr for StartCheck {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "off" => Ok(StartCheck::Off),
            "quick" => Ok(StartCheck::Quick),
            "full" => Ok(StartCheck::Full),
            other => Err(format!("unknown integrity check '{other}' (expected off, quick or full)")),
        }
    }
}

tokio::task_local! {
    /// The level `SqliteStore::open` uses within a command's task.
    static START_CHECK: StartCheck;
}

/// Runs `f` (a command of the command line) with `check` as the level of
/// every `SqliteStore::open` it makes. Task-local rather than process-wide,
/// so commands run side by side in one process (tests) do not mix levels.
pub async fn with_start_check<F: std::future::Future>(check: StartCheck, f: F) -> F::Output {
    START_CHECK.scope(check, f).await
}

/// The check `SqliteStore::open` runs: the one `with_start_check` set for
/// this task, else `quick`.
pub fn default_start_check() -> StartCheck {
    START_CHECK.try_with(|c| *c).unwrap_or(StartCheck::Quick)
}

/// What lies at the store's path.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    /// Nothing: roster creates its store there.
    Nothing,
    /// Roster's store; `stamped` is false for stores created before roster
    /// wrote its application id (it is added on open).
    Roster { stamped: bool },
}

fn refuse(path: &Path, why: &str) -> Error {
    Error::Internal(anyhow::anyhow!(
        "{} {why}; roster refuses it and has not changed it. Give --db the path of a roster store, or a path where \
         nothing exists yet (roster creates its store there)",
        path.display()
    ))
}

/// Classifies the file at `path` without writing to it.
pub fn inspect(path: &Path) -> Result<Found> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Nothing),
        Err(e) => return Err(Error::Internal(anyhow::anyhow!("cannot read {}: {e}", path.display()))),
    };
    let meta = file.metadata().map_err(|e| Error::Internal(anyhow::anyhow!("cannot read {}: {e}", path.display())))?;
    if meta.is_dir() {
        return Err(refuse(path, "is a directory"));
    }
    if meta.len() == 0 {
        return Err(refuse(path, "is an empty file (zero bytes), not a roster store"));
    }
    let mut header = [0u8; 100];
    let n = read_up_to(&mut file, &mut header)
        .map_err(|e| Error::Internal(anyhow::anyhow!("cannot read {}: {e}", path.display())))?;
    if n < 100 || &header[..16] != b"SQLite format 3\0" {
        return Err(refuse(path, "is not a SQLite database"));
    }
    let app_id = i32::from_be_bytes([header[68], header[69], header[70], header[71]]);
    if app_id == APPLICATION_ID {
        return Ok(Found::Roster { stamped: true });
    }
    if app_id != 0 {
        return Err(refuse(path, &format!("is another application's SQLite database (application id {app_id:#x})")));
    }
    if has_roster_schema(path) {
        Ok(Found::Roster { stamped: false })
    } else {
        Err(refuse(path, "is a SQLite database without roster's tables (another application's database?)"))
    }
}

fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// True when the database holds roster's tables and a migration number.
/// First through `immutable=1` (no locks, no -wal or -shm touched); a store
/// whose newest pages are still only in its WAL is then read through an
/// ordinary read-only connection, which never writes the database file.
fn has_roster_schema(path: &Path) -> bool {
    let immutable = format!("file:{}?immutable=1", uri_path(path));
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if Connection::open_with_flags(&immutable, flags).is_ok_and(|c| looks_like_roster(&c)) {
        return true;
    }
    let wal = format!("{}-wal", path.display());
    if std::fs::metadata(wal).map_or(true, |m| m.len() == 0) {
        return false;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(path, flags).is_ok_and(|c| looks_like_roster(&c))
}

fn looks_like_roster(conn: &Connection) -> bool {
    let version: i64 = conn.query_row("pragma user_version", [], |r| r.get(0)).unwrap_or(0);
    let tables: usize = ROSTER_TABLES
        .iter()
        .filter(|t| {
            conn.query_row("select count(*) from sqlite_master where type = 'table' and name = ?1", [t], |r| {
                r.get::<_, i64>(0)
            })
            .is_ok_and(|n| n == 1)
        })
        .count();
    version >= 1 && tables == ROSTER_TABLES.len()
}

/// A path in a `file:` URI: `%`, `?` and `#` are escaped.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out
}

/// Runs the start check on `conn`; a damaged store is refused with what
/// SQLite found and what to do.
pub fn check(conn: &Connection, path: &Path, level: StartCheck) -> Result<()> {
    let pragma = match level {
        StartCheck::Off => return Ok(()),
        StartCheck::Quick => "quick_check",
        StartCheck::Full => "integrity_check",
    };
    let started = std::time::Instant::now();
    let found: std::result::Result<Vec<String>, rusqlite::Error> = conn
        .prepare(&format!("pragma {pragma}(20)"))
        .and_then(|mut s| s.query_map([], |r| r.get::<_, String>(0))?.collect());
    let report = match found {
        Ok(rows) if rows.len() == 1 && rows[0] == "ok" => {
            tracing::info!(check = pragma, ms = started.elapsed().as_millis() as u64, "store check passed");
            return Ok(());
        }
        Ok(rows) => rows.join("; "),
        Err(e) => {
            if let Some(full) = super::errors::disk_full(&e, path) {
                return Err(full);
            }
            e.to_string()
        }
    };
    Err(Error::Internal(anyhow::anyhow!(
        "the store {} is damaged ({pragma} found: {report}); roster will not serve it. Restore the file from a backup, \
         or `roster import` your latest `roster export` into a new store. `--integrity-check off` skips this check, \
         to `roster export` what is still readable (`sqlite3 FILE .recover` salvages more)",
        path.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_level_parses_its_three_names_only() {
        assert_eq!("off".parse::<StartCheck>(), Ok(StartCheck::Off));
        assert_eq!("quick".parse::<StartCheck>(), Ok(StartCheck::Quick));
        assert_eq!("full".parse::<StartCheck>(), Ok(StartCheck::Full));
        assert!("fast".parse::<StartCheck>().unwrap_err().contains("fast"));
    }

    #[test]
    fn uri_paths_escape_query_and_fragment_characters() {
        assert_eq!(uri_path(Path::new("/a b/x?y#z%.db")), "/a b/x%3fy%23z%25.db");
    }
}
