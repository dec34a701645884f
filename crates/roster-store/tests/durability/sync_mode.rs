//! The writer's `synchronous` mode after a sign-in flush fails: it must
//! still be FULL, so the next acknowledged write is fsynced.

use std::time::Duration;

use roster_records::{Command, Store};
use roster_store::sqlite::{OpenOptions, SqliteStore};

use super::{group, user};

const FULL: i64 = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_sign_in_flush_leaves_the_writer_at_synchronous_full() {
    let dir = tempfile::TempDir::new().unwrap();
    let db = dir.path().join("roster.db");
    let options = OpenOptions { busy_timeout: Duration::from_millis(200), ..OpenOptions::default() };
    let store = SqliteStore::open_with(&db, options).unwrap();
    let (u, g) = (user(&store, "Alice").await, group(&store, "Devs").await);
    assert_eq!(store.writer_settings().await.unwrap().synchronous, FULL);
    store.record_logins(vec![(u, true, 1_000)]).await.unwrap();
    assert_eq!(store.writer_settings().await.unwrap().synchronous, FULL, "a successful flush");

    // Another connection holds the write lock: the flush cannot begin.
    let blocker = rusqlite::Connection::open(&db).unwrap();
    blocker.execute_batch("begin immediate").unwrap();
    let failed = store.record_logins(vec![(u, true, 2_000)]).await;
    assert!(failed.is_err(), "the flush should have found the database busy");
    let after = store.writer_settings().await.unwrap();
    assert_eq!(after.synchronous, FULL, "a failed flush lowered the writer's durability: {after:?}");
    assert!(!after.in_transaction, "a failed flush left a transaction open");
    blocker.execute_batch("rollback").unwrap();

    // The next acknowledged write commits at FULL, and the flush works again.
    store.apply(vec![Command::AddMember { group: g, user: u }]).await.unwrap();
    assert_eq!(store.writer_settings().await.unwrap().synchronous, FULL);
    store.record_logins(vec![(u, false, 3_000)]).await.unwrap();
    let settings = store.writer_settings().await.unwrap();
    assert_eq!((settings.synchronous, settings.in_transaction), (FULL, false));
    assert_eq!(store.snapshot().await.unwrap().memberships, vec![(g, u)]);
}
