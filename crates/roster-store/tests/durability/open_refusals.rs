//! What `open` finds at the store's path: roster's own store (or nothing,
//! and then a whole new store), or something it refuses without changing a
//! byte of it.

use std::path::Path;

use roster_records::Store;
use roster_store::sqlite::{OpenOptions, SqliteStore, APPLICATION_ID};

use super::{closed_store, refusal};

/// The file's bytes and the names in its folder, to compare after a refusal.
fn state(path: &Path) -> (Vec<u8>, Vec<String>) {
    let mut names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    (std::fs::read(path).unwrap(), names)
}

fn application_id(path: &Path) -> i32 {
    let bytes = std::fs::read(path).unwrap();
    i32::from_be_bytes(bytes[68..72].try_into().unwrap())
}

fn assert_refused_untouched(path: &Path, expected: &str) {
    let before = state(path);
    let message = refusal(path, OpenOptions::default());
    assert!(message.contains(expected), "expected '{expected}' in: {message}");
    assert!(message.contains(&path.display().to_string()), "the message should name the file: {message}");
    let after = state(path);
    assert!(before.0 == after.0, "{} was modified by the refused open", path.display());
    assert_eq!(before.1, after.1, "files appeared or vanished beside {}", path.display());
}

#[test]
fn a_zero_length_file_is_refused_and_left_empty() {
    let dir = tempfile::TempDir::new().unwrap();
    let db = dir.path().join("roster.db");
    std::fs::write(&db, b"").unwrap();
    assert_refused_untouched(&db, "empty file");
    assert_eq!(std::fs::metadata(&db).unwrap().len(), 0);
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_unchanged() {
    let dir = tempfile::TempDir::new().unwrap();
    let db = dir.path().join("roster.db");
    std::fs::write(&db, "id,name\n1,alice\n".repeat(100)).unwrap();
    assert_refused_untouched(&db, "not a SQLite database");
}

#[test]
fn another_applications_sqlite_database_is_refused_unchanged() {
    let dir = tempfile::TempDir::new().unwrap();
    // Rollback journal, no application id, a table of its own.
    let plain = dir.path().join("notes.db");
    let c = rusqlite::Connection::open(&plain).unwrap();
    c.execute_batch("create table notes (id integer primary key, body text); insert into notes (body) values ('x');")
        .unwrap();
    c.close().unwrap();
    assert_refused_untouched(&plain, "without roster's tables");

    // WAL mode, a migration number, and one table named like roster's.
    let wal = dir.path().join("wal.db");
    let c = rusqlite::Connection::open(&wal).unwrap();
    c.execute_batch("pragma journal_mode = wal; pragma user_version = 3; create table users (id integer primary key);")
        .unwrap();
    c.close().unwrap();
    assert_refused_untouched(&wal, "without roster's tables");

    // Another application's own id in the header.
    let marked = dir.path().join("fossil.db");
    let c = rusqlite::Connection::open(&marked).unwrap();
    c.execute_batch("pragma application_id = 252006673; create table blob (rid integer primary key);").unwrap();
    c.close().unwrap();
    assert_refused_untouched(&marked, "another application's SQLite database");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_store_is_created_whole_and_marked_as_roster() {
    let dir = tempfile::TempDir::new().unwrap();
    let db = closed_store(dir.path()).await;
    assert_eq!(application_id(&db), APPLICATION_ID);
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, vec!["roster.db".to_string()], "leftovers of the creation");
    let store = SqliteStore::open(&db).unwrap();
    assert_eq!(store.snapshot().await.unwrap().memberships.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_made_before_the_marker_is_accepted_and_marked() {
    let dir = tempfile::TempDir::new().unwrap();
    let db = closed_store(dir.path()).await;
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute_batch("pragma application_id = 0").unwrap();
    c.close().unwrap();
    assert_eq!(application_id(&db), 0);
    let store = SqliteStore::open(&db).unwrap();
    assert_eq!(store.snapshot().await.unwrap().memberships.len(), 1);
    store.close();
    assert_eq!(application_id(&db), APPLICATION_ID);
}

#[test]
fn a_journal_whose_store_is_missing_is_not_applied_to_a_new_store() {
    let dir = tempfile::TempDir::new().unwrap();
    let db = dir.path().join("roster.db");
    std::fs::write(dir.path().join("roster.db-wal"), b"stale").unwrap();
    let message = refusal(&db, OpenOptions::default());
    assert!(message.contains("roster.db-wal"), "{message}");
    assert!(!db.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_made_before_the_marker_whose_tables_are_only_in_its_wal_is_accepted() {
    // An older roster's store, killed before any checkpoint: the main file
    // holds no table yet, the WAL holds the first migration.
    let dir = tempfile::TempDir::new().unwrap();
    let db = dir.path().join("roster.db");
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute_batch("pragma journal_mode = wal; pragma wal_autocheckpoint = 0").unwrap();
    c.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true).unwrap();
    c.execute_batch(include_str!("../../migrations/sqlite/0001_init.sql")).unwrap();
    c.execute_batch("pragma user_version = 1").unwrap();
    c.close().unwrap();
    assert!(std::fs::metadata(format!("{}-wal", db.display())).unwrap().len() > 0);
    assert_eq!(application_id(&db), 0);

    let store = SqliteStore::open(&db).unwrap();
    super::user(&store, "Alice").await;
    store.close();
    assert_eq!(application_id(&db), APPLICATION_ID);
}
