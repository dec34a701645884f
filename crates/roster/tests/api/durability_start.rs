//! The store checks at start through the command line (SQLite only): a
//! damaged store is refused with what to do, `--integrity-check` chooses
//! the check, and a zero-length file is never set up as a store.

use std::io::{Seek, SeekFrom, Write};

async fn run(db: &str, args: &[&str]) -> Result<String, String> {
    let mut argv = vec!["roster".to_string(), "--db".into(), db.to_string()];
    argv.extend(args.iter().map(|s| s.to_string()));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    match roster::cli::run(argv, &mut out, &mut err).await {
        Ok(()) => Ok(String::from_utf8_lossy(&out).into_owned()),
        Err(e) => Err(format!("{e:#}")),
    }
}

/// Overwrites the root page of `table` with garbage.
fn damage(db: &str, table: &str) {
    let c = rusqlite::Connection::open(db).unwrap();
    let root: u64 = c.query_row("select rootpage from sqlite_master where name = ?1", [table], |r| r.get(0)).unwrap();
    let size: u64 = c.query_row("pragma page_size", [], |r| r.get(0)).unwrap();
    c.close().unwrap();
    let mut f = std::fs::OpenOptions::new().write(true).open(db).unwrap();
    f.seek(SeekFrom::Start((root - 1) * size)).unwrap();
    f.write_all(&vec![0xa5; size as usize]).unwrap();
}

#[tokio::test]
async fn a_damaged_store_is_refused_at_start_unless_the_check_is_switched_off() {
    let tmp = tempfile::TempDir::new().unwrap();
    let db = tmp.path().join("damaged.db").to_string_lossy().into_owned();
    crate::helpers::new_store(&db).await;
    run(&db, &["group", "create", "confluence-users"]).await.unwrap();
    run(&db, &["group", "create", "Ops Team"]).await.unwrap();
    for i in 0..40 {
        let email = format!("u{i}@example.com");
        run(&db, &["user", "create", "--display-name", "U", "--email", &email]).await.unwrap();
    }
    // The audit log: damage there leaves users, groups and members readable.
    damage(&db, "audit");

    let quick = run(&db, &["group", "list"]).await.unwrap_err();
    for expected in ["damaged", "quick_check", db.as_str(), "backup", "roster export"] {
        assert!(quick.contains(expected), "expected '{expected}' in: {quick}");
    }
    let full = run(&db, &["--integrity-check", "full", "group", "list"]).await.unwrap_err();
    assert!(full.contains("integrity_check"), "{full}");
    assert!(run(&db, &["--integrity-check", "fast", "group", "list"]).await.unwrap_err().contains("fast"));
    // Off: the store opens, and what is intact can be read (and exported).
    let groups = run(&db, &["--integrity-check", "off", "group", "list"]).await.unwrap();
    assert!(groups.contains("Ops Team"), "{groups}");
    assert!(run(&db, &["--integrity-check", "off", "export"]).await.unwrap().contains("u39@example.com"));
}

#[tokio::test]
async fn a_zero_length_file_is_refused_and_stays_empty() {
    let tmp = tempfile::TempDir::new().unwrap();
    let db = tmp.path().join("empty.db");
    std::fs::write(&db, b"").unwrap();
    let err = run(&db.to_string_lossy(), &["group", "list"]).await.unwrap_err();
    assert!(err.contains("empty file") && err.contains("empty.db"), "{err}");
    assert_eq!(std::fs::metadata(&db).unwrap().len(), 0);
}
