//! Versioned, embedded migrations. `pragma user_version` records how many
//! have been applied; each runs in its own transaction. Never edit an
//! applied file: add the next one.

use roster_records::Result;
use rusqlite::Connection;

use super::internal;

const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/sqlite/0001_init.sql"),
    include_str!("../../migrations/sqlite/0002_audit.sql"),
    include_str!("../../migrations/sqlite/0003_ids_never_reused.sql"),
    include_str!("../../migrations/sqlite/0004_kept_snapshots.sql"),
    include_str!("../../migrations/sqlite/0005_time_zone.sql"),
];

/// Brings the schema up to the newest version.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let current: usize = conn.query_row("pragma user_version", [], |r| r.get(0)).map_err(internal)?;
    if current > MIGRATIONS.len() {
        return Err(internal(format!(
            "database schema version {current} is newer than this roster ({}); upgrade roster",
            MIGRATIONS.len()
        )));
    }
    if current == MIGRATIONS.len() {
        return Ok(());
    }
    // A migration that rebuilds a table (SQLite's "generalized ALTER TABLE
    // procedure") must not cascade when it drops the old one, and the
    // pragma is ignored inside a transaction: off around them all, checked
    // before each commit, and on again whatever happened.
    let was_on: bool = conn.query_row("pragma foreign_keys", [], |r| r.get(0)).map_err(internal)?;
    conn.execute_batch("pragma foreign_keys = off").map_err(internal)?;
    let result = run(conn, current);
    if was_on {
        conn.execute_batch("pragma foreign_keys = on").map_err(internal)?;
    }
    result
}

fn run(conn: &mut Connection, current: usize) -> Result<()> {
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction().map_err(internal)?;
        tx.execute_batch(sql).map_err(internal)?;
        let dangling: i64 =
            tx.query_row("select count(*) from pragma_foreign_key_check", [], |r| r.get(0)).map_err(internal)?;
        if dangling > 0 {
            return Err(internal(format!("migration {} would leave {dangling} dangling references", i + 1)));
        }
        tx.execute_batch(&format!("pragma user_version = {}", i + 1)).map_err(internal)?;
        tx.commit().map_err(internal)?;
    }
    Ok(())
}
