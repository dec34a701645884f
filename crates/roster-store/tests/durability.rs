//! Durability of the SQLite store when things go wrong: a failed sign-in
//! flush, a small or full volume, a damaged file, a path that holds
//! something other than roster's store. Real files, a real SQLite; the
//! volume cases mount a small tmpfs and need root (skipped loudly without
//! it, failing when CI is set: CI runs as root).

use std::path::{Path, PathBuf};

use roster_records::types::{NewGroup, NewUser, UserDetails};
use roster_records::{Change, Command, GroupId, Store, UserId};
use roster_store::sqlite::{OpenOptions, SqliteStore};

#[path = "durability/open_refusals.rs"]
mod open_refusals;
#[path = "durability/small_volume.rs"]
mod small_volume;
#[path = "durability/start_check.rs"]
mod start_check;
#[path = "durability/sync_mode.rs"]
mod sync_mode;

pub fn new_user(name: &str) -> NewUser {
    NewUser {
        account_id: format!("acc-{name}"),
        account_type: "atlassian".into(),
        username: Some(name.to_lowercase()),
        user_key: format!("key-{name}"),
        display_name: format!("{name} Tester"),
        email: format!("{name}@example.com"),
        active: true,
        password_hash: None,
        details: UserDetails::default(),
        created_ms: 1,
    }
}

pub async fn user(s: &dyn Store, name: &str) -> UserId {
    match s.apply(vec![Command::CreateUser(new_user(name))]).await.unwrap().pop() {
        Some(Change::UserSaved(u)) => u.id,
        other => panic!("unexpected {other:?}"),
    }
}

pub async fn group(s: &dyn Store, name: &str) -> GroupId {
    let g = NewGroup { uuid: format!("uuid-{name}"), name: name.into(), created_ms: 1 };
    match s.apply(vec![Command::CreateGroup(g)]).await.unwrap().pop() {
        Some(Change::GroupCreated(g)) => g.id,
        other => panic!("unexpected {other:?}"),
    }
}

/// A store with one user in one group, closed again; returns its path.
pub async fn closed_store(dir: &Path) -> PathBuf {
    let db = dir.join("roster.db");
    let store = SqliteStore::open(&db).unwrap();
    let (u, g) = (user(&store, "Alice").await, group(&store, "Devs").await);
    store.apply(vec![Command::AddMember { group: g, user: u }]).await.unwrap();
    store.close();
    db
}

/// The error text of a refused open.
pub fn refusal(db: &Path, options: OpenOptions) -> String {
    match SqliteStore::open_with(db, options) {
        Ok(_) => panic!("{} was opened", db.display()),
        Err(e) => format!("{e:#}"),
    }
}
