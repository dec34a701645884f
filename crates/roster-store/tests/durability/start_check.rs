//! The check at start: a store with a damaged page is refused, with a
//! message naming the file, what SQLite found and what to do.

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use roster_records::Command;
use roster_store::sqlite::{OpenOptions, SqliteStore, StartCheck};

use super::{new_user, refusal};

/// A closed store with enough users to span many pages; returns the root
/// page of the users table and the page size.
async fn store_with_users(db: &Path) -> (u64, u64) {
    let store = SqliteStore::open(db).unwrap();
    let users: Vec<Command> = (0..300).map(|i| Command::CreateUser(new_user(&format!("user{i:04}")))).collect();
    roster_records::Store::apply(&store, users).await.unwrap();
    store.close();
    let c = rusqlite::Connection::open(db).unwrap();
    let root: u64 = c.query_row("select rootpage from sqlite_master where name = 'users'", [], |r| r.get(0)).unwrap();
    let page_size: u64 = c.query_row("pragma page_size", [], |r| r.get(0)).unwrap();
    c.close().unwrap();
    (root, page_size)
}

fn scribble(db: &Path, page: u64, page_size: u64) {
    let mut f = std::fs::OpenOptions::new().write(true).open(db).unwrap();
    f.seek(SeekFrom::Start((page - 1) * page_size)).unwrap();
    f.write_all(&vec![0xa5; page_size as usize]).unwrap();
    f.sync_all().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_with_a_damaged_page_is_refused_with_what_to_do() {
    let dir = tempfile::TempDir::new().unwrap();
    let db = dir.path().join("roster.db");
    let (root, page_size) = store_with_users(&db).await;
    // Sound: every level opens it.
    for level in [StartCheck::Quick, StartCheck::Full] {
        SqliteStore::open_with(&db, OpenOptions { start_check: level, ..OpenOptions::default() }).unwrap().close();
    }
    scribble(&db, root, page_size);
    let before = std::fs::read(&db).unwrap();

    let quick = refusal(&db, OpenOptions { start_check: StartCheck::Quick, ..OpenOptions::default() });
    for expected in ["damaged", "quick_check", &db.display().to_string(), "backup", "roster export"] {
        assert!(quick.contains(expected), "expected '{expected}' in: {quick}");
    }
    let full = refusal(&db, OpenOptions { start_check: StartCheck::Full, ..OpenOptions::default() });
    assert!(full.contains("damaged") && full.contains("integrity_check"), "{full}");
    assert!(std::fs::read(&db).unwrap() == before, "a refused store was modified");

    // `off` opens it anyway, to export what is still readable.
    SqliteStore::open_with(&db, OpenOptions { start_check: StartCheck::Off, ..OpenOptions::default() }).unwrap();
}
