//! Snapshots kept in the store (`snapshots` table): the seed state and the
//! snapshots a test suite named, so a reset works after a restart and from
//! another process. Writes run on the writer thread, so they do not look
//! like another process's commit (which would reload the model); reads
//! open their own connection.

use roster_records::store::KeptSnapshot;
use roster_records::Result;
use rusqlite::{params, Connection, OptionalExtension};

use super::internal;

fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

/// Keeps `body` under `info`, replacing one of the same name and dropping
/// unnamed ones beyond `keep_unnamed`, in one transaction.
pub fn keep(conn: &Connection, info: &KeptSnapshot, body: &[u8], keep_unnamed: usize) -> Result<u64> {
    conn.execute_batch("begin immediate").map_err(internal)?;
    let run = || -> rusqlite::Result<i64> {
        if let Some(name) = &info.name {
            conn.execute("delete from snapshots where name = ?1", [name])?;
        }
        conn.execute(
            "insert into snapshots (name, created_ms, users, groups, memberships, body) values (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                info.name,
                info.created_ms,
                info.users as i64,
                info.groups as i64,
                info.memberships as i64,
                body
            ],
        )?;
        let id = conn.last_insert_rowid();
        conn.execute(
            "delete from snapshots where name is null and id not in \
             (select id from snapshots where name is null order by id desc limit ?1)",
            [keep_unnamed as i64],
        )?;
        Ok(id)
    };
    match run().and_then(|id| conn.execute_batch("commit").map(|()| id)) {
        Ok(id) => Ok(u64::try_from(id).unwrap_or(0)),
        Err(e) => {
            let _ = conn.execute_batch("rollback");
            Err(internal(e))
        }
    }
}

/// Every kept snapshot, oldest first.
pub fn list(conn: &Connection) -> Result<Vec<KeptSnapshot>> {
    let mut q = conn
        .prepare("select id, name, created_ms, users, groups, memberships from snapshots order by id")
        .map_err(internal)?;
    let rows = q
        .query_map([], |r| {
            Ok(KeptSnapshot {
                id: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                name: r.get(1)?,
                created_ms: r.get(2)?,
                users: count(r.get(3)?),
                groups: count(r.get(4)?),
                memberships: count(r.get(5)?),
            })
        })
        .map_err(internal)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(internal)
}

/// The body of kept snapshot `id`.
pub fn body(conn: &Connection, id: u64) -> Result<Option<Vec<u8>>> {
    conn.query_row("select body from snapshots where id = ?1", [id as i64], |r| r.get(0)).optional().map_err(internal)
}

/// Forgets kept snapshot `id`.
pub fn forget(conn: &Connection, id: u64) -> Result<bool> {
    conn.execute("delete from snapshots where id = ?1", [id as i64]).map(|n| n > 0).map_err(internal)
}
