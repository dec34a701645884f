//! Replaces the whole directory with a snapshot in one transaction (the
//! restore behind test-suite resets). A reset usually undoes a handful of
//! changes, so the current state is compared with the snapshot and only
//! the differences are written; if that trips a constraint (say, two users
//! swapped e-mail addresses), everything is deleted and re-inserted
//! instead. The differences are also answered as `Change`s, so the read
//! model is updated in place rather than rebuilt. The audit log is history
//! and is kept; a restore's own records are inserted in the same
//! transaction.

use std::collections::{HashMap, HashSet};

use roster_records::audit::AuditRecord;
use roster_records::{Change, GroupId, Result, Snapshot, UserId};
use rusqlite::{params, Connection};

use super::internal;
use super::rows;

/// Beyond this many row changes the read model is rebuilt from the
/// snapshot rather than updated change by change.
const MAX_CHANGES: usize = 20_000;

/// Makes the stored directory equal to `s`, keeping the snapshot's ids,
/// and appends `audit` to the audit log, in one transaction. Answers the
/// changes written, for the read model to apply in place, or None when it
/// should be rebuilt from `s` (many changes, or everything re-inserted).
pub fn run(conn: &Connection, s: &Snapshot, audit: &[AuditRecord]) -> Result<Option<Vec<Change>>> {
    conn.execute_batch("begin immediate").map_err(internal)?;
    let result = conn
        .execute_batch("savepoint diff")
        .and_then(|()| diff(conn, s))
        .and_then(|changes| conn.execute_batch("release diff").map(|()| changes))
        .or_else(|_| {
            conn.execute_batch("rollback to diff; release diff")?;
            load(conn, s).map(|()| None)
        })
        .and_then(|changes| audit.iter().try_for_each(|r| super::audit::insert(conn, r)).map(|()| changes));
    match result {
        Ok(changes) => conn.execute_batch("commit").map(|()| changes).map_err(internal),
        Err(e) => {
            let _ = conn.execute_batch("rollback");
            Err(internal(e))
        }
    }
}

/// Writes only what differs between the stored state and `s`. Users and
/// groups are matched by id; memberships by a merge of the two sorted
/// lists (a hash set of 50,000 pairs on each side cost more than the
/// writes of a typical reset).
fn diff(conn: &Connection, s: &Snapshot) -> rusqlite::Result<Option<Vec<Change>>> {
    let now = rows::snapshot(conn).map_err(|_| rusqlite::Error::InvalidQuery)?;
    let want_u: HashMap<UserId, &roster_records::User> = s.users.iter().map(|u| (u.id, u)).collect();
    let want_g: HashMap<GroupId, &roster_records::Group> = s.groups.iter().map(|g| (g.id, g)).collect();
    let have_u: HashMap<UserId, &roster_records::User> = now.users.iter().map(|u| (u.id, u)).collect();
    let have_g: HashMap<GroupId, &roster_records::Group> = now.groups.iter().map(|g| (g.id, g)).collect();
    let (want_m, have_m) = (sorted(&s.memberships), sorted(&now.memberships));
    let mut changes = Vec::new();
    let mut del = conn.prepare_cached("delete from memberships where group_id = ?1 and user_id = ?2")?;
    for (g, u) in only_in(&have_m, &want_m) {
        del.execute([g.0, u.0])?;
        changes.push(Change::MemberRemoved { group: g, user: u });
    }
    for u in &now.users {
        if want_u.get(&u.id) != Some(&u) {
            conn.execute("delete from users where id = ?1", [u.id.0])?;
            changes.push(Change::UserDeleted(u.id));
        }
    }
    for g in &now.groups {
        if want_g.get(&g.id) != Some(&g) {
            conn.execute("delete from groups where id = ?1", [g.id.0])?;
            changes.push(Change::GroupDeleted(g.id));
        }
    }
    let users: Vec<&roster_records::User> = s.users.iter().filter(|u| have_u.get(&u.id) != Some(u)).collect();
    let groups: Vec<&roster_records::Group> = s.groups.iter().filter(|g| have_g.get(&g.id) != Some(g)).collect();
    insert_users(conn, &users)?;
    insert_groups(conn, &groups)?;
    changes.extend(users.iter().map(|u| Change::UserSaved((*u).clone())));
    changes.extend(groups.iter().map(|g| Change::GroupCreated((*g).clone())));
    // Re-inserted users and groups lost their memberships by cascade.
    let back: HashSet<i64> = users.iter().map(|u| u.id.0).collect();
    let back_g: HashSet<i64> = groups.iter().map(|g| g.id.0).collect();
    let mut add = conn.prepare_cached("insert or ignore into memberships (group_id, user_id) values (?1, ?2)")?;
    for (g, u) in only_in(&want_m, &have_m) {
        add.execute([g.0, u.0])?;
        changes.push(Change::MemberAdded { group: g, user: u });
    }
    if !back.is_empty() || !back_g.is_empty() {
        for (g, u) in want_m.iter() {
            if back.contains(&u.0) || back_g.contains(&g.0) {
                add.execute([g.0, u.0])?;
                changes.push(Change::MemberAdded { group: *g, user: *u });
            }
        }
    }
    replace_tokens(conn, s)?;
    // Tokens: every owner whose set differs, or who was re-inserted (the
    // model dropped its tokens with it), gets its set again.
    let set = |t: &[([u8; 32], UserId)]| -> HashMap<UserId, Vec<[u8; 32]>> {
        let mut m: HashMap<UserId, Vec<[u8; 32]>> = HashMap::new();
        for (h, u) in t {
            m.entry(*u).or_default().push(*h);
        }
        m.values_mut().for_each(|v| v.sort_unstable());
        m
    };
    let (want_t, have_t) = (set(&s.tokens), set(&now.tokens));
    let owners: HashSet<UserId> = want_t.keys().chain(have_t.keys()).copied().collect();
    for u in owners {
        if want_t.get(&u) != have_t.get(&u) || back.contains(&u.0) {
            changes.push(Change::TokensRevoked { user: u });
            for h in want_t.get(&u).into_iter().flatten() {
                changes.push(Change::TokenAdded { user: u, hash: *h });
            }
        }
    }
    Ok((changes.len() <= MAX_CHANGES).then_some(changes))
}

type Pairs = [(GroupId, UserId)];

/// `v`, sorted (borrowed when it already is, as the stores read it).
fn sorted(v: &Pairs) -> std::borrow::Cow<'_, Pairs> {
    if v.windows(2).all(|w| w[0] <= w[1]) {
        std::borrow::Cow::Borrowed(v)
    } else {
        let mut o = v.to_vec();
        o.sort_unstable();
        std::borrow::Cow::Owned(o)
    }
}

/// The pairs of sorted `a` that are not in sorted `b`.
fn only_in<'a>(a: &'a Pairs, b: &'a Pairs) -> impl Iterator<Item = (GroupId, UserId)> + 'a {
    let mut j = 0;
    a.iter().copied().filter(move |p| {
        while j < b.len() && b[j] < *p {
            j += 1;
        }
        j == b.len() || b[j] != *p
    })
}

fn load(conn: &Connection, s: &Snapshot) -> rusqlite::Result<()> {
    conn.execute_batch("delete from memberships; delete from tokens; delete from groups; delete from users;")?;
    insert_users(conn, &s.users.iter().collect::<Vec<_>>())?;
    insert_groups(conn, &s.groups.iter().collect::<Vec<_>>())?;
    let mut member = conn.prepare("insert into memberships (group_id, user_id) values (?1, ?2)")?;
    for (g, u) in &s.memberships {
        member.execute([g.0, u.0])?;
    }
    replace_tokens(conn, s)
}

fn replace_tokens(conn: &Connection, s: &Snapshot) -> rusqlite::Result<()> {
    conn.execute_batch("delete from tokens")?;
    let mut token =
        conn.prepare("insert into tokens (user_id, hash, label, created_ms) values (?1, ?2, 'restored', 0)")?;
    for (hash, u) in &s.tokens {
        token.execute(params![u.0, &hash[..]])?;
    }
    Ok(())
}

fn insert_users(conn: &Connection, users: &[&roster_records::User]) -> rusqlite::Result<()> {
    let mut user = conn.prepare(
        "insert into users (id, account_id, account_type, username, username_lower, user_key, display_name, email, \
         email_lower, active, password_hash, position, department, location, phone, im, website, created_ms, \
         updated_ms, last_login_ms, last_failed_login_ms, time_zone) \
         values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
    )?;
    for u in users {
        let fold = |v: &str| v.to_lowercase();
        user.execute(params![
            u.id.0,
            &*u.account_id,
            &*u.account_type,
            u.username.as_deref(),
            u.username.as_deref().map(fold),
            &*u.user_key,
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
            u.created_ms,
            u.updated_ms,
            u.last_login_ms,
            u.last_failed_login_ms,
            u.details.time_zone
        ])?;
    }
    Ok(())
}

fn insert_groups(conn: &Connection, groups: &[&roster_records::Group]) -> rusqlite::Result<()> {
    let mut group =
        conn.prepare("insert into groups (id, uuid, name, name_lower, created_ms) values (?1, ?2, ?3, ?4, ?5)")?;
    for g in groups {
        group.execute(params![g.id.0, &*g.uuid, &*g.name, g.name.to_lowercase(), g.created_ms])?;
    }
    Ok(())
}
