//! Bulk import in one transaction: users upserted by account id, groups by
//! public id, memberships added when missing. Re-importing the same records
//! changes nothing; any bad record rolls the whole import back and names
//! its origin (`file:line`).

use std::collections::{HashMap, HashSet};

use roster_records::import::ImportSet;
use roster_records::store::ImportReport;
use roster_records::types::fold;
use roster_records::usernames;
use roster_records::{Error, Result};
use rusqlite::{params, Connection};

use super::errors::map;
use super::internal;

fn at(origin: &str, e: Error) -> Error {
    match e {
        Error::Internal(_) => e,
        other => Error::invalid("import", format!("{origin}: {other}")),
    }
}

/// Imports `set` on the writer connection.
pub fn run(conn: &Connection, set: ImportSet) -> Result<ImportReport> {
    conn.execute_batch("begin immediate").map_err(internal)?;
    match load(conn, &set) {
        Ok(report) => {
            conn.execute_batch("commit").map_err(internal)?;
            Ok(report)
        }
        Err(e) => {
            let _ = conn.execute_batch("rollback");
            Err(e)
        }
    }
}

fn ids(conn: &Connection, sql: &str) -> Result<HashMap<String, i64>> {
    let mut stmt = conn.prepare(sql).map_err(internal)?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).map_err(internal)?;
    rows.collect::<rusqlite::Result<HashMap<_, _>>>().map_err(internal)
}

fn load(conn: &Connection, set: &ImportSet) -> Result<ImportReport> {
    let mut report = ImportReport::default();
    let mut accounts = ids(conn, "select account_id, id from users")?;
    // New users without a username get one generated (see
    // roster_records::usernames); existing users keep theirs, so a re-import
    // never renames anyone.
    let mut taken: HashSet<String> =
        ids(conn, "select username_lower, id from users where username_lower is not null")?.into_keys().collect();
    let mut insert_user = conn
        .prepare(
            "insert into users (account_id, account_type, username, username_lower, user_key, display_name, email, \
             email_lower, active, time_zone, created_ms, updated_ms) values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, \
             ?11, ?11) returning id",
        )
        .map_err(internal)?;
    let mut update_user = conn
        .prepare(
            // A line without a time zone leaves the stored one alone.
            "update users set account_type = ?2, display_name = ?3, email = ?4, email_lower = ?5, updated_ms = ?6, \
             time_zone = case when ?7 = '' then time_zone else ?7 end \
             where id = ?1 and (account_type is not ?2 or display_name is not ?3 or email is not ?4 \
             or (?7 <> '' and time_zone is not ?7))",
        )
        .map_err(internal)?;
    for (u, origin) in &set.users {
        let email_lower = (!u.email.is_empty()).then(|| fold(&u.email));
        match accounts.get(&u.account_id) {
            Some(&id) => {
                let n = update_user
                    .execute(params![
                        id,
                        u.account_type,
                        u.display_name,
                        u.email,
                        email_lower,
                        u.created_ms,
                        u.details.time_zone
                    ])
                    .map_err(|e| at(origin, map(e, "user", &u.email)))?;
                if n == 1 {
                    report.users_updated += 1;
                } else {
                    report.unchanged += 1;
                }
            }
            None => {
                let username = match &u.username {
                    Some(n) => n.clone(),
                    None => {
                        usernames::unique(&usernames::derive(&u.email, &u.display_name), |c| taken.contains(&fold(c)))
                    }
                };
                taken.insert(fold(&username));
                let id: i64 = insert_user
                    .query_row(
                        params![
                            u.account_id,
                            u.account_type,
                            username,
                            fold(&username),
                            u.user_key,
                            u.display_name,
                            u.email,
                            email_lower,
                            u.active,
                            u.details.time_zone,
                            u.created_ms
                        ],
                        |r| r.get(0),
                    )
                    .map_err(|e| at(origin, map(e, "user", &u.account_id)))?;
                accounts.insert(u.account_id.clone(), id);
                report.users_added += 1;
            }
        }
    }

    let mut groups = ids(conn, "select uuid, id from groups")?;
    let names = ids(conn, "select name_lower, id from groups")?;
    let mut insert_group = conn
        .prepare("insert into groups (uuid, name, name_lower, created_ms) values (?1, ?2, ?3, ?4) returning id")
        .map_err(internal)?;
    for (g, origin) in &set.groups {
        let lower = fold(&g.name);
        match (groups.get(&g.uuid), names.get(&lower)) {
            (Some(id), Some(named)) if id == named => report.unchanged += 1,
            (Some(_), _) => {
                return Err(at(origin, Error::exists("group", format!("id {} with a different name", g.uuid))));
            }
            (None, _) => {
                let id: i64 = insert_group
                    .query_row(params![g.uuid, g.name, lower, g.created_ms], |r| r.get(0))
                    .map_err(|e| at(origin, map(e, "group", &g.name)))?;
                groups.insert(g.uuid.clone(), id);
                report.groups_added += 1;
            }
        }
    }

    let mut insert_member =
        conn.prepare("insert or ignore into memberships (group_id, user_id) values (?1, ?2)").map_err(internal)?;
    for m in &set.memberships {
        let g = groups
            .get(&m.group_uuid)
            .ok_or_else(|| at(&m.origin, Error::not_found("group", format!("id {}", m.group_uuid))))?;
        let u = accounts
            .get(&m.account_id)
            .ok_or_else(|| at(&m.origin, Error::not_found("user", format!("accountId {}", m.account_id))))?;
        let n = insert_member.execute([g, u]).map_err(|e| at(&m.origin, map(e, "membership", "")))?;
        if n == 1 {
            report.memberships_added += 1;
        } else {
            report.unchanged += 1;
        }
    }
    Ok(report)
}
