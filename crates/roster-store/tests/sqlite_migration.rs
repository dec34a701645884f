//! Upgrading a SQLite store made by an older roster: version 3 rebuilds
//! users, groups and tokens with AUTOINCREMENT (ids never reused). A store
//! written under version 2 must come through with every row, id,
//! membership and token, keep its constraints, and then never hand out a
//! deleted id again.

use roster_records::{Change, Command, Error, GroupId, Store, UserId};
use roster_store::SqliteStore;
use rusqlite::{params, Connection};

/// A store as roster wrote it before version 3: the first two migrations,
/// and a few rows, with the newest user deleted (its id is the one the old
/// schema would hand out again).
fn old_store(path: &std::path::Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch("pragma journal_mode = wal; pragma foreign_keys = on;").unwrap();
    conn.execute_batch(include_str!("../migrations/sqlite/0001_init.sql")).unwrap();
    conn.execute_batch(include_str!("../migrations/sqlite/0002_audit.sql")).unwrap();
    conn.execute_batch("pragma user_version = 2").unwrap();
    for i in 1..=4i64 {
        conn.execute(
            "insert into users (id, account_id, account_type, username, username_lower, user_key, display_name, \
             email, email_lower, active, position, created_ms, updated_ms) \
             values (?1, ?2, 'atlassian', ?3, ?3, ?4, ?5, ?6, ?6, 1, 'pos', 10, 20)",
            params![
                i,
                format!("acc-{i}"),
                format!("user{i}"),
                format!("key-{i}"),
                format!("User {i}"),
                format!("u{i}@example.com")
            ],
        )
        .unwrap();
    }
    for (id, name) in [(1i64, "site-admins"), (2, "devs"), (3, "ops")] {
        conn.execute(
            "insert into groups (id, uuid, name, name_lower, created_ms) values (?1, ?2, ?3, ?3, 5)",
            params![id, format!("uuid-{name}"), name],
        )
        .unwrap();
    }
    for (g, u) in [(1i64, 1i64), (2, 1), (2, 2), (3, 3), (2, 4)] {
        conn.execute("insert into memberships (group_id, user_id) values (?1, ?2)", [g, u]).unwrap();
    }
    conn.execute("insert into tokens (user_id, hash, label, created_ms) values (2, ?1, 'ci', 7)", [&[9u8; 32][..]])
        .unwrap();
    conn.execute("delete from users where id = 4", []).unwrap();
    conn.execute("delete from groups where id = 3", []).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_two_store_upgrades_without_loss_and_stops_reusing_ids() {
    let tmp = tempfile::TempDir::new().unwrap();
    let path = tmp.path().join("roster.db");
    old_store(&path);
    let s = SqliteStore::open(&path).unwrap();

    let snap = s.snapshot().await.unwrap();
    let ids: Vec<i64> = snap.users.iter().map(|u| u.id.0).collect();
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(&*snap.users[1].account_id, "acc-2");
    assert_eq!((snap.users[2].details.position.as_str(), snap.users[2].updated_ms), ("pos", 20));
    let groups: Vec<(i64, &str)> = snap.groups.iter().map(|g| (g.id.0, &*g.name)).collect();
    assert_eq!(groups, [(1, "site-admins"), (2, "devs")]);
    let members: Vec<(i64, i64)> = snap.memberships.iter().map(|(g, u)| (g.0, u.0)).collect();
    assert_eq!(members, [(1, 1), (2, 1), (2, 2)], "the rebuild must not cascade to memberships");
    assert_eq!(snap.tokens, vec![([9u8; 32], UserId(2))]);

    // Constraints and cascades still hold on the rebuilt tables.
    let e = s.apply(vec![Command::AddMember { group: GroupId(2), user: UserId(99) }]).await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
    s.apply(vec![Command::DeleteUser(UserId(2))]).await.unwrap();
    let snap = s.snapshot().await.unwrap();
    assert!(snap.tokens.is_empty() && !snap.memberships.contains(&(GroupId(2), UserId(2))), "{snap:?}");

    // From now on a deleted id stays retired: user 3 is the newest.
    s.apply(vec![Command::DeleteUser(UserId(3))]).await.unwrap();
    let mut fresh = roster_records::types::NewUser {
        account_id: "acc-new".into(),
        account_type: "atlassian".into(),
        username: Some("new".into()),
        user_key: "key-new".into(),
        display_name: "New".into(),
        email: "new@example.com".into(),
        active: true,
        password_hash: None,
        details: Default::default(),
        created_ms: 1,
    };
    let id = match s.apply(vec![Command::CreateUser(fresh.clone())]).await.unwrap().pop() {
        Some(Change::UserSaved(u)) => u.id.0,
        other => panic!("{other:?}"),
    };
    assert!(id > 3, "user id {id} handed out again");
    drop(s);

    // The upgrade happened once: the newest version (4 keeps snapshots, 5
    // adds the time zone, empty for the users the old store held),
    // AUTOINCREMENT in the schema, and reopening changes nothing.
    let conn = Connection::open(&path).unwrap();
    let version: i64 = conn.query_row("pragma user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 5);
    let zones: Vec<String> = conn
        .prepare("select time_zone from users")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!zones.is_empty() && zones.iter().all(String::is_empty), "{zones:?}");
    let kept: i64 = conn.query_row("select count(*) from snapshots", [], |r| r.get(0)).unwrap();
    assert_eq!(kept, 0, "the snapshots table exists, empty");
    for table in ["users", "groups", "tokens"] {
        let sql: String =
            conn.query_row("select sql from sqlite_master where name = ?1", [table], |r| r.get(0)).unwrap();
        assert!(sql.to_lowercase().contains("autoincrement"), "{table}: {sql}");
    }
    drop(conn);
    let s = SqliteStore::open(&path).unwrap();
    fresh.account_id = "acc-newer".into();
    fresh.username = Some("newer".into());
    fresh.user_key = "key-newer".into();
    fresh.email = "newer@example.com".into();
    s.apply(vec![Command::DeleteUser(UserId(id))]).await.unwrap();
    match s.apply(vec![Command::CreateUser(fresh)]).await.unwrap().pop() {
        Some(Change::UserSaved(u)) => assert!(u.id.0 > id, "user id {} handed out again", u.id.0),
        other => panic!("{other:?}"),
    }
    assert_eq!(s.snapshot().await.unwrap().users.len(), 2);
}
