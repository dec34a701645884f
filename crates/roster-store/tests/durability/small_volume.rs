//! A store on a small volume (an 8 MiB tmpfs, mounted here; needs root):
//! the WAL never fills it, a full volume refuses writes and recovers once
//! space is freed, a WAL left behind by an earlier run is folded in at
//! start, and a full volume at start says "disk full".

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use roster_records::import::ImportSet;
use roster_records::{Command, GroupId, Store, UserId};
use roster_store::sqlite::SqliteStore;

use super::{group, new_user, user};

/// A tmpfs mounted on a temporary folder, unmounted on drop.
struct Volume {
    dir: tempfile::TempDir,
}

impl Volume {
    /// Mounts a tmpfs of `mib` MiB, or says loudly why not (and fails
    /// when `CI` is set: CI runs as root).
    fn mount(mib: u32, test: &str) -> Option<Volume> {
        let dir = tempfile::TempDir::new().unwrap();
        let out = Process::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m,mode=0700"), "tmpfs"])
            .arg(dir.path())
            .output();
        let why = match out {
            Ok(o) if o.status.success() => return Some(Volume { dir }),
            Ok(o) => String::from_utf8_lossy(&o.stderr).trim().to_string(),
            Err(e) => e.to_string(),
        };
        let message = format!("SKIPPED {test}: cannot mount a {mib} MiB tmpfs (run as root to test it): {why}");
        // Like the PostgreSQL suites: loud when skipped, fatal under CI (which runs as root).
        assert!(std::env::var_os("CI").is_none(), "{message}");
        eprintln!("\n!!!!!!!! {message} !!!!!!!!\n");
        None
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes 64 KiB ballast files until the volume is full; returns them.
    fn fill(&self, tag: &str) -> Vec<PathBuf> {
        let chunk = vec![0x5a_u8; 64 * 1024];
        let mut files = Vec::new();
        for i in 0.. {
            let path = self.path().join(format!("ballast-{tag}-{i}"));
            let mut f = std::fs::File::create(&path).unwrap_or_else(|e| panic!("ballast: {e}"));
            let written = f.write_all(&chunk).and_then(|()| f.sync_all());
            files.push(path);
            if written.is_err() {
                break;
            }
        }
        files
    }
}

impl Drop for Volume {
    fn drop(&mut self) {
        let ok = Process::new("umount").arg(self.dir.path()).status().is_ok_and(|s| s.success());
        if !ok {
            let _ = Process::new("umount").arg("-l").arg(self.dir.path()).status();
        }
    }
}

fn wal_len(db: &Path) -> u64 {
    std::fs::metadata(format!("{}-wal", db.display())).map_or(0, |m| m.len())
}

fn free(path: &Path) -> u64 {
    let out = Process::new("df").args(["--output=avail", "-B1"]).arg(path).output().unwrap();
    String::from_utf8_lossy(&out.stdout).lines().nth(1).unwrap().trim().parse().unwrap()
}

/// Adds `u` to `g`, or removes it again.
async fn toggle(s: &dyn Store, g: GroupId, u: UserId, add: bool) -> roster_records::Result<()> {
    let cmd = if add { Command::AddMember { group: g, user: u } } else { Command::RemoveMember { group: g, user: u } };
    s.apply(vec![cmd]).await.map(drop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_small_volume_the_wal_is_checkpointed_before_it_fills_the_disk() {
    let Some(vol) = Volume::mount(8, "on_a_small_volume_the_wal_is_checkpointed_before_it_fills_the_disk") else {
        return;
    };
    // 4 MiB of room: a tenth of SQLite's own checkpoint interval (~40 MB).
    std::fs::write(vol.path().join("ballast"), vec![0u8; 4 << 20]).unwrap();
    let db = vol.path().join("roster.db");
    let store = SqliteStore::open(&db).unwrap();
    let (u, g) = (user(&store, "Alice").await, group(&store, "Devs").await);
    let room = free(vol.path()) + wal_len(&db);
    let mut largest = 0;
    // Each commit appends a few pages: without an early checkpoint, about
    // 300 of them fill the room.
    for i in 0..1500_u32 {
        toggle(&store, g, u, i.is_multiple_of(2))
            .await
            .unwrap_or_else(|e| panic!("write {i} failed ({} bytes free): {e}", free(&db)));
        largest = largest.max(wal_len(&db));
    }
    assert!(largest <= room / 2, "the WAL reached {largest} bytes of {room} bytes of room");
    assert!(store.snapshot().await.unwrap().memberships.is_empty());
    store.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_volume_refuses_writes_and_recovers_once_space_is_freed_and_after_a_restart() {
    let test = "a_full_volume_refuses_writes_and_recovers_once_space_is_freed_and_after_a_restart";
    let Some(vol) = Volume::mount(8, test) else { return };
    let db = vol.path().join("roster.db");
    let store = SqliteStore::open(&db).unwrap();
    let (u, g) = (user(&store, "Alice").await, group(&store, "Devs").await);
    let mut member = false;
    for _ in 0..2 {
        toggle(&store, g, u, !member).await.unwrap();
        member = !member;
    }

    // A full volume: a write that needs new pages (a 256 KB record; an early
    // checkpoint frees only the little the WAL held) is refused.
    let ballast = vol.fill("first");
    let big = || {
        let mut u = new_user("Big");
        u.display_name = "b".repeat(256 * 1024);
        vec![Command::CreateUser(u)]
    };
    let refused = store.apply(big()).await.expect_err("a write that needs room succeeded on a full volume");
    assert!(refused.to_string().contains("full"), "{refused}");
    assert_eq!(store.snapshot().await.unwrap().users.len(), 1, "a refused write was applied");
    // So is an import, and it leaves no transaction open behind it.
    let mut set = ImportSet::default();
    for i in 0..200 {
        let mut u = new_user(&format!("imported{i}"));
        u.display_name = "i".repeat(4096);
        set.users.push((u, format!("line {i}")));
    }
    assert!(store.import(set).await.is_err(), "an import that needs room succeeded on a full volume");
    let settings = store.writer_settings().await.unwrap();
    assert!(!settings.in_transaction, "a failed import left its transaction open: {settings:?}");
    assert_eq!(store.snapshot().await.unwrap().users.len(), 1, "a refused import was applied");

    for f in &ballast {
        std::fs::remove_file(f).unwrap();
    }
    store.apply(big()).await.expect("the write refused on a full volume, once space is freed");
    for i in 0..50 {
        toggle(&store, g, u, !member).await.unwrap_or_else(|e| panic!("write {i} after freeing: {e}"));
        member = !member;
    }
    store.close();

    // A restart on a full volume: refused with "disk full", not "disk I/O error".
    let ballast = vol.fill("restart");
    let message = match SqliteStore::open(&db) {
        Ok(_) => panic!("opened a store on a full volume"),
        Err(e) => format!("{e:#}"),
    };
    assert!(message.contains("disk full") && message.contains(&db.display().to_string()), "{message}");
    let new_store = vol.path().join("new.db");
    let message = match SqliteStore::open(&new_store) {
        Ok(_) => panic!("created a store on a full volume"),
        Err(e) => format!("{e:#}"),
    };
    assert!(message.contains("disk full"), "{message}");
    assert!(!new_store.exists());
    for f in &ballast {
        std::fs::remove_file(f).unwrap();
    }
    let store = SqliteStore::open(&db).unwrap();
    assert_eq!(store.snapshot().await.unwrap().memberships.len(), usize::from(member));
    toggle(&store, g, u, !member).await.unwrap();
    store.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wal_left_by_an_earlier_run_is_folded_in_at_start_even_on_a_full_volume() {
    let test = "a_wal_left_by_an_earlier_run_is_folded_in_at_start_even_on_a_full_volume";
    let Some(vol) = Volume::mount(8, test) else { return };
    let db = vol.path().join("roster.db");
    let store = SqliteStore::open(&db).unwrap();
    let (u, g) = (user(&store, "Alice").await, group(&store, "Devs").await);
    store.close();

    // An earlier run (an older roster, or one killed on a fuller volume)
    // left 2 MB of WAL behind, never checkpointed.
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute_batch("pragma wal_autocheckpoint = 0").unwrap();
    c.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true).unwrap();
    for i in 0..600 {
        c.execute("update users set display_name = ?1", [format!("Alice {i:06}")]).unwrap();
    }
    c.close().unwrap();
    let left = wal_len(&db);
    assert!(left > 1 << 20, "the earlier run left only {left} bytes of WAL");

    // The volume is full but for 128 KiB: room for SQLite's shared-memory
    // file and a few WAL frames, not for a WAL that keeps growing.
    let mut ballast = vol.fill("full");
    std::fs::remove_file(ballast.pop().unwrap()).unwrap();
    std::fs::remove_file(ballast.pop().unwrap()).unwrap();

    let store = SqliteStore::open(&db).unwrap();
    assert!(wal_len(&db) < left, "the WAL was not checkpointed at start");
    let mut member = false;
    for i in 0..100 {
        toggle(&store, g, u, !member).await.unwrap_or_else(|e| panic!("write {i} after a restart: {e}"));
        member = !member;
    }
    let snap = store.snapshot().await.unwrap();
    assert_eq!(&*snap.users[0].display_name, "Alice 000599");
    store.close();
}
