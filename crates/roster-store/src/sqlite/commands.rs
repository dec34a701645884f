//! Executes one domain command inside the writer's open transaction and
//! reports what it changed.

use roster_records::store::last_admin_group;
use roster_records::types::fold;
use roster_records::usernames;
use roster_records::{Change, Command, Error, Result, User, UserId};
use rusqlite::{params, Connection, OptionalExtension};

use super::errors::map;
use super::rows::{self, USER_COLUMNS};

fn load_user(conn: &Connection, id: i64) -> Result<User> {
    conn.prepare_cached(&format!("select {USER_COLUMNS} from users where id = ?1"))
        .and_then(|mut s| s.query_row([id], rows::user).optional())
        .map_err(|e| map(e, "user", ""))?
        .ok_or_else(|| Error::not_found("user", id.to_string()))
}

/// A free username for a new account that came without one (see
/// [`roster_records::usernames`]), checked against the rows inside the open
/// transaction, so concurrent creations cannot pick the same name.
fn generated_username(conn: &Connection, email: &str, display_name: &str) -> Result<String> {
    let mut failure = None;
    let mut stmt = conn
        .prepare_cached("select exists(select 1 from users where username_lower = ?1)")
        .map_err(|e| map(e, "user", ""))?;
    let name = usernames::unique(&usernames::derive(email, display_name), |c| {
        stmt.query_row([fold(c)], |r| r.get::<_, bool>(0)).unwrap_or_else(|e| {
            failure = Some(e);
            false
        })
    });
    match failure {
        Some(e) => Err(map(e, "user", "")),
        None => Ok(name),
    }
}

/// Runs `cmd` on `conn`.
pub fn execute(conn: &Connection, cmd: &Command) -> Result<Change> {
    match cmd {
        Command::CreateUser(u) => {
            let username = match &u.username {
                Some(n) => n.clone(),
                None => generated_username(conn, &u.email, &u.display_name)?,
            };
            let id: i64 = conn
                .prepare_cached(
                    "insert into users (account_id, account_type, username, username_lower, user_key, display_name, \
                     email, email_lower, active, password_hash, position, department, location, phone, im, website, \
                     time_zone, created_ms, updated_ms) values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?18) \
                     returning id",
                )
                .and_then(|mut s| {
                    s.query_row(
                        params![
                            u.account_id,
                            u.account_type,
                            username,
                            fold(&username),
                            u.user_key,
                            u.display_name,
                            u.email,
                            (!u.email.is_empty()).then(|| fold(&u.email)),
                            u.active,
                            u.password_hash,
                            u.details.position,
                            u.details.department,
                            u.details.location,
                            u.details.phone,
                            u.details.im,
                            u.details.website,
                            u.details.time_zone,
                            u.created_ms
                        ],
                        |r| r.get(0),
                    )
                })
                .map_err(|e| map(e, "user", &u.account_id))?;
            Ok(Change::UserSaved(load_user(conn, id)?))
        }
        Command::UpdateUser(u) => {
            let n = conn
                .prepare_cached(
                    "update users set account_type = ?2, username = ?3, username_lower = ?4, display_name = ?5, \
                     email = ?6, email_lower = ?7, active = ?8, password_hash = ?9, position = ?10, department = ?11, \
                     location = ?12, phone = ?13, im = ?14, website = ?15, updated_ms = ?16, time_zone = ?17 where id = ?1",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        u.id.0,
                        &*u.account_type,
                        u.username.as_deref(),
                        u.username.as_deref().map(fold),
                        &*u.display_name,
                        &*u.email,
                        (!u.email.is_empty()).then(|| fold(&u.email)),
                        u.active,
                        u.password_hash.as_deref(),
                        u.details.position,
                        u.details.department,
                        u.details.location,
                        u.details.phone,
                        u.details.im,
                        u.details.website,
                        u.updated_ms,
                        u.details.time_zone
                    ])
                })
                .map_err(|e| map(e, "user", &u.account_id))?;
            if n == 0 {
                return Err(Error::not_found("user", u.account_id.to_string()));
            }
            Ok(Change::UserSaved(load_user(conn, u.id.0)?))
        }
        Command::DeleteUser(id) => {
            let n = conn
                .prepare_cached("delete from users where id = ?1")
                .and_then(|mut s| s.execute([id.0]))
                .map_err(|e| map(e, "user", ""))?;
            if n == 0 {
                return Err(Error::not_found("user", id.0.to_string()));
            }
            Ok(Change::UserDeleted(*id))
        }
        Command::CreateGroup(g) => {
            let group = conn
                .prepare_cached(
                    "insert into groups (uuid, name, name_lower, created_ms) values (?1, ?2, ?3, ?4) \
                     returning id, uuid, name, created_ms",
                )
                .and_then(|mut s| s.query_row(params![g.uuid, g.name, fold(&g.name), g.created_ms], rows::group))
                .map_err(|e| map(e, "group", &g.name))?;
            Ok(Change::GroupCreated(group))
        }
        Command::DeleteGroup(id) => {
            let n = conn
                .prepare_cached("delete from groups where id = ?1")
                .and_then(|mut s| s.execute([id.0]))
                .map_err(|e| map(e, "group", ""))?;
            if n == 0 {
                return Err(Error::not_found("group", id.0.to_string()));
            }
            Ok(Change::GroupDeleted(*id))
        }
        Command::AddMember { group, user } => {
            let n = conn
                .prepare_cached("insert or ignore into memberships (group_id, user_id) values (?1, ?2)")
                .and_then(|mut s| s.execute([group.0, user.0]))
                .map_err(|e| map(e, "membership", ""))?;
            Ok(if n == 1 { Change::MemberAdded { group: *group, user: *user } } else { Change::Unchanged })
        }
        Command::RemoveMember { group, user } => {
            let n = conn
                .prepare_cached("delete from memberships where group_id = ?1 and user_id = ?2")
                .and_then(|mut s| s.execute([group.0, user.0]))
                .map_err(|e| map(e, "membership", ""))?;
            Ok(if n == 1 { Change::MemberRemoved { group: *group, user: *user } } else { Change::Unchanged })
        }
        Command::AddToken { user, hash, label, created_ms } => {
            conn.prepare_cached("insert into tokens (user_id, hash, label, created_ms) values (?1, ?2, ?3, ?4)")
                .and_then(|mut s| s.execute(params![user.0, &hash[..], label, created_ms]))
                .map_err(|e| map(e, "token", ""))?;
            Ok(Change::TokenAdded { user: *user, hash: *hash })
        }
        Command::RevokeTokens { user } => {
            conn.prepare_cached("delete from tokens where user_id = ?1")
                .and_then(|mut s| s.execute([user.0]))
                .map_err(|e| map(e, "token", ""))?;
            Ok(Change::TokensRevoked { user: *user })
        }
        Command::Audit(r) => {
            super::audit::insert(conn, r).map_err(|e| map(e, "audit record", ""))?;
            Ok(Change::Unchanged)
        }
        Command::KeepAnAdminGroup { names, field } => {
            // One writer (and `begin immediate` against other processes):
            // nothing can commit between this read and the job's commit.
            let mut stmt = conn
                .prepare_cached("select exists(select 1 from groups where name_lower = ?1)")
                .map_err(|e| map(e, "group", ""))?;
            for name in names {
                if stmt.query_row([fold(name)], |r| r.get::<_, bool>(0)).map_err(|e| map(e, "group", ""))? {
                    return Ok(Change::Unchanged);
                }
            }
            Err(last_admin_group(field))
        }
        Command::WithAudit { command, record } => {
            let change = execute(conn, command)?;
            if !matches!(change, Change::Unchanged) {
                super::audit::insert(conn, record).map_err(|e| map(e, "audit record", ""))?;
            }
            Ok(change)
        }
    }
}

/// Stores sign-in outcomes.
pub fn record_logins(conn: &Connection, logins: &[(UserId, bool, i64)]) -> rusqlite::Result<()> {
    let mut ok = conn.prepare_cached("update users set last_login_ms = ?2 where id = ?1")?;
    let mut failed = conn.prepare_cached("update users set last_failed_login_ms = ?2 where id = ?1")?;
    for &(id, success, at) in logins {
        if success {
            ok.execute([id.0, at])?;
        } else {
            failed.execute([id.0, at])?;
        }
    }
    Ok(())
}
