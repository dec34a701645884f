//! Versioned, embedded migrations. `pragma user_version` records how many
//! have been applied; each runs in its own transaction. Never edit an
//! applied file: add the next one.

use roster_core::Result;
use rusqlite::Connection;

use super::internal;

const MIGRATIONS: &[&str] =
    &[include_str!("../../migrations/sqlite/0001_init.sql"), include_str!("../../migrations/sqlite/0002_audit.sql")];

/// Brings the schema up to the newest version.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let current: usize = conn.query_row("pragma user_version", [], |r| r.get(0)).map_err(internal)?;
    if current > MIGRATIONS.len() {
        return Err(internal(format!(
            "database schema version {current} is newer than this roster ({}); upgrade roster",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction().map_err(internal)?;
        tx.execute_batch(sql).map_err(internal)?;
        tx.execute_batch(&format!("pragma user_version = {}", i + 1)).map_err(internal)?;
        tx.commit().map_err(internal)?;
    }
    Ok(())
}
