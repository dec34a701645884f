//! Reading rows into domain records, and the full snapshot.

use roster_records::types::UserDetails;
use roster_records::{Group, GroupId, Result, Snapshot, User, UserId};
use rusqlite::{Connection, Row};

use super::internal;

/// Columns of `users`, in the order [`user`] reads them.
pub const USER_COLUMNS: &str = "id, account_id, account_type, username, user_key, display_name, email, active, \
     password_hash, position, department, location, phone, im, website, created_ms, updated_ms, \
     last_login_ms, last_failed_login_ms, time_zone";

/// A `users` row selected with [`USER_COLUMNS`].
pub fn user(r: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: UserId(r.get(0)?),
        account_id: r.get::<_, String>(1)?.into(),
        account_type: r.get::<_, String>(2)?.into(),
        username: r.get::<_, Option<String>>(3)?.map(Into::into),
        user_key: r.get::<_, String>(4)?.into(),
        display_name: r.get::<_, String>(5)?.into(),
        email: r.get::<_, String>(6)?.into(),
        active: r.get(7)?,
        password_hash: r.get::<_, Option<String>>(8)?.map(Into::into),
        details: UserDetails {
            position: r.get(9)?,
            department: r.get(10)?,
            location: r.get(11)?,
            phone: r.get(12)?,
            im: r.get(13)?,
            website: r.get(14)?,
            time_zone: r.get(19)?,
        },
        created_ms: r.get(15)?,
        updated_ms: r.get(16)?,
        last_login_ms: r.get(17)?,
        last_failed_login_ms: r.get(18)?,
    })
}

/// A `groups` row selected as `id, uuid, name, created_ms`.
pub fn group(r: &Row<'_>) -> rusqlite::Result<Group> {
    Ok(Group {
        id: GroupId(r.get(0)?),
        uuid: r.get::<_, String>(1)?.into(),
        name: r.get::<_, String>(2)?.into(),
        created_ms: r.get(3)?,
    })
}

/// Reads everything, in one read transaction so the parts agree.
pub fn snapshot(conn: &Connection) -> Result<Snapshot> {
    // Inside a caller's transaction (a restore) the reads already agree.
    let own = conn.is_autocommit();
    let read = || -> rusqlite::Result<Snapshot> {
        if own {
            conn.execute_batch("begin")?;
        }
        let users = conn
            .prepare(&format!("select {USER_COLUMNS} from users order by id"))?
            .query_map([], user)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let groups = conn
            .prepare("select id, uuid, name, created_ms from groups order by id")?
            .query_map([], group)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut memberships = Vec::new();
        let mut stmt = conn.prepare("select group_id, user_id from memberships order by group_id, user_id")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            memberships.push((GroupId(r.get(0)?), UserId(r.get(1)?)));
        }
        let tokens = conn
            .prepare("select hash, user_id from tokens")?
            .query_map([], |r| {
                let h: Vec<u8> = r.get(0)?;
                let mut hash = [0u8; 32];
                if h.len() == 32 {
                    hash.copy_from_slice(&h);
                }
                Ok((hash, UserId(r.get(1)?)))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if own {
            conn.execute_batch("commit")?;
        }
        Ok(Snapshot { users, groups, memberships, tokens })
    };
    read().map_err(internal)
}
