//! Crash durability: the real `roster` binary is SIGKILLed at random
//! moments while concurrent clients add and remove members and create and
//! delete groups, logging every acknowledged (2xx) answer. After each kill
//! the store file is opened directly and compared with the log:
//! 0 acknowledged writes lost, 0 half-applied operations (no membership of
//! a missing group, no acknowledged delete undone), and SQLite's
//! `integrity_check` says `ok`. An operation in flight at the kill may land
//! either way. The next cycle restarts the server on the same file.
//!
//! CI runs `ROSTER_CRASH_CYCLES` cycles (default 10); the full run is
//! `ROSTER_CRASH_CYCLES=50 cargo test -p roster --test crash -- --nocapture`
//! (see docs/reliability.md). `ROSTER_CRASH_SEED` replays a run.

#[path = "support/process.rs"]
mod process;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use roster_core::directory::UserInput;
use roster_core::{Actor, Policy};
use roster_records::Store;
use roster_store::SqliteStore;
use serde_json::{json, Value};

const ADMIN: &str = "rst_crash-admin-token-0123456789abcdefghijklmn";
const WRITERS: usize = 6;
const USERS_PER_WRITER: usize = 8;
const GROUPS: usize = 4;

/// A small xorshift generator: deterministic from the printed seed.
/// What the clients know about one (group, user) pair.
#[derive(Clone, Copy, Default)]
struct Pair {
    acked: bool,
    /// The state an unanswered request asked for.
    pending: Option<bool>,
}

/// What the clients know about one created group.
#[derive(Clone, Default)]
struct Made {
    id: String,
    deleted: bool,
    delete_pending: bool,
    members: Vec<String>,
}

#[derive(Default)]
struct Log {
    pairs: HashMap<(usize, String), Pair>,
    made: HashMap<String, Made>,
    create_pending: Option<String>,
    acked_ops: u64,
}

struct Fixture {
    groups: Vec<(String, String)>,
    users: Vec<Vec<String>>,
    spare: Vec<String>,
}

async fn setup(db: &Path) -> Fixture {
    let dir = roster::app::open_or_create_directory(db.to_str().unwrap(), Policy::default()).await.unwrap();
    dir.ensure_admin(Some(ADMIN)).await.unwrap();
    let mut groups = Vec::new();
    for g in 0..GROUPS {
        let grp = dir.admin(&Actor::System).unwrap().create_group(&format!("crash-m{g}")).await.unwrap();
        groups.push((grp.name.to_string(), grp.uuid.to_string()));
    }
    let make = |i: usize| {
        let dir = dir.clone();
        async move {
            let input = UserInput {
                display_name: format!("Crash {i}"),
                email: format!("crash{i}@example.com"),
                active: true,
                ..UserInput::default()
            };
            dir.admin(&Actor::System)
                .unwrap()
                .create_user(&input, roster_core::directory::Joins::Groups(vec![]))
                .await
                .unwrap()
                .account_id
                .to_string()
        }
    };
    let mut users = Vec::new();
    for w in 0..WRITERS {
        let mut mine = Vec::new();
        for u in 0..USERS_PER_WRITER {
            mine.push(make(w * USERS_PER_WRITER + u).await);
        }
        users.push(mine);
    }
    let mut spare = Vec::new();
    for i in 0..4 {
        spare.push(make(1000 + i).await);
    }
    Fixture { groups, users, spare }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap()
}

fn auth(req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    req.bearer_auth(ADMIN)
}

/// One membership writer: flips its own pairs until the server dies.
async fn member_writer(url: String, fx: Arc<Fixture>, w: usize, log: Arc<Mutex<Log>>, seed: u64) {
    let http = client();
    let mut rng = fastrand::Rng::with_seed(seed);
    loop {
        let g = rng.usize(..GROUPS);
        let user = fx.users[w][rng.usize(..USERS_PER_WRITER)].clone();
        let key = (g, user.clone());
        let want = !log.lock().pairs.get(&key).copied().unwrap_or_default().acked;
        log.lock().pairs.entry(key.clone()).or_default().pending = Some(want);
        let gid = &fx.groups[g].1;
        let base = format!("{url}/wiki/rest/api/group/userByGroupId?groupId={gid}");
        let req = if want {
            auth(http.post(&base)).json(&json!({ "accountId": user }))
        } else {
            auth(http.delete(format!("{base}&accountId={user}")))
        };
        let Ok(resp) = req.send().await else { return };
        let status = resp.status().as_u16();
        assert!(status < 500, "writer {w}: {status} from the server");
        let mut l = log.lock();
        let p = l.pairs.get_mut(&key).unwrap();
        match status {
            201 | 204 => p.acked = want,
            404 if !want => p.acked = false,
            other => panic!("writer {w}: unexpected status {other}"),
        }
        p.pending = None;
        l.acked_ops += 1;
    }
}

/// Creates a group, fills it, deletes it; again, until the server dies.
async fn group_writer(url: String, fx: Arc<Fixture>, log: Arc<Mutex<Log>>, cycle: usize) {
    let http = client();
    for n in 0.. {
        let name = format!("crash-c{cycle}-{n}");
        log.lock().create_pending = Some(name.clone());
        let Ok(r) = auth(http.post(format!("{url}/wiki/rest/api/group"))).json(&json!({ "name": name })).send().await
        else {
            return;
        };
        assert_eq!(r.status().as_u16(), 201, "group create");
        let Ok(body) = r.json::<Value>().await else { return };
        let id = body["id"].as_str().unwrap().to_string();
        {
            let mut l = log.lock();
            l.create_pending = None;
            l.made.insert(name.clone(), Made { id: id.clone(), ..Made::default() });
            l.acked_ops += 1;
        }
        for user in &fx.spare {
            let url = format!("{url}/wiki/rest/api/group/userByGroupId?groupId={id}");
            let Ok(r) = auth(http.post(url)).json(&json!({ "accountId": user })).send().await else { return };
            assert_eq!(r.status().as_u16(), 201, "member add");
            let mut l = log.lock();
            l.made.get_mut(&name).unwrap().members.push(user.clone());
            l.acked_ops += 1;
        }
        log.lock().made.get_mut(&name).unwrap().delete_pending = true;
        let Ok(r) = auth(http.delete(format!("{url}/wiki/rest/api/group/by-id?id={id}"))).send().await else { return };
        assert_eq!(r.status().as_u16(), 204, "group delete");
        let mut l = log.lock();
        let m = l.made.get_mut(&name).unwrap();
        m.deleted = true;
        m.delete_pending = false;
        l.acked_ops += 1;
    }
}

/// Compares the store file with the log; resolves in-flight operations to
/// what the store holds. Returns the number of violations found.
fn check(db: &Path, log: &mut Log, fx: &Fixture) -> usize {
    let store = SqliteStore::open(db).unwrap();
    let report = store.integrity_check().unwrap();
    let mut bad = 0;
    if report != "ok" {
        eprintln!("integrity_check: {report}");
        bad += 1;
    }
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let snap = rt.block_on(store.snapshot()).unwrap();
    drop(store);
    let account: HashMap<i64, String> = snap.users.iter().map(|u| (u.id.0, u.account_id.to_string())).collect();
    let groups: HashMap<i64, (String, String)> =
        snap.groups.iter().map(|g| (g.id.0, (g.name.to_string(), g.uuid.to_string()))).collect();
    let by_uuid: HashMap<&str, i64> = groups.iter().map(|(id, (_, u))| (u.as_str(), *id)).collect();
    let mut members: HashSet<(String, String)> = HashSet::new();
    for (g, u) in &snap.memberships {
        match (groups.get(&g.0), account.get(&u.0)) {
            (Some((_, uuid)), Some(acc)) => {
                members.insert((uuid.clone(), acc.clone()));
            }
            _ => {
                eprintln!("half-applied: membership ({}, {}) points at a missing group or user", g.0, u.0);
                bad += 1;
            }
        }
    }
    for ((g, user), p) in log.pairs.iter_mut() {
        let actual = members.contains(&(fx.groups[*g].1.clone(), user.clone()));
        let ok = actual == p.acked || p.pending == Some(actual);
        if !ok {
            eprintln!("lost: {user} in {} is {actual}, acknowledged {}", fx.groups[*g].0, p.acked);
            bad += 1;
        }
        p.acked = actual;
        p.pending = None;
    }
    let pending_name = log.create_pending.take();
    for (name, m) in log.made.iter_mut() {
        let exists = by_uuid.contains_key(m.id.as_str());
        if m.deleted && exists {
            eprintln!("lost: deleted group {name} is back");
            bad += 1;
        }
        if !m.deleted && !exists && !m.delete_pending {
            eprintln!("lost: created group {name} is gone");
            bad += 1;
        }
        if exists {
            for u in &m.members {
                if !members.contains(&(m.id.clone(), u.clone())) {
                    eprintln!("lost: {u} acknowledged in {name} is missing");
                    bad += 1;
                }
            }
        }
        m.deleted = !exists;
        m.delete_pending = false;
    }
    if let Some(name) = pending_name {
        // A create in flight may have landed; later cycles must not mistake it.
        if let Some((_, (_, uuid))) = groups.iter().find(|(_, (n, _))| *n == name) {
            log.made.insert(name, Made { id: uuid.clone(), ..Made::default() });
        }
    }
    bad
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_servers_lose_no_acknowledged_write_and_leave_nothing_half_applied() {
    let cycles: usize = std::env::var("ROSTER_CRASH_CYCLES").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let seed: u64 = std::env::var("ROSTER_CRASH_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    eprintln!("crash test: {cycles} cycles, ROSTER_CRASH_SEED={seed}");
    let tmp = tempfile::TempDir::new().unwrap();
    let db = tmp.path().join("roster.db");
    let log_file = tmp.path().join("roster.log");
    let fx = Arc::new(setup(&db).await);
    let log = Arc::new(Mutex::new(Log::default()));
    let mut rng = fastrand::Rng::with_seed(seed);
    let started = Instant::now();
    let mut violations = 0;
    for cycle in 0..cycles {
        let server = process::spawn(&db, &[("ROSTER_ADMIN_TOKEN", ADMIN), ("ROSTER_LOG", "warn")], &log_file).await;
        let mut tasks = Vec::new();
        for w in 0..WRITERS {
            tasks.push(tokio::spawn(member_writer(server.url.clone(), fx.clone(), w, log.clone(), rng.u64(..))));
        }
        tasks.push(tokio::spawn(group_writer(server.url.clone(), fx.clone(), log.clone(), cycle)));
        tokio::time::sleep(Duration::from_millis(50 + rng.u64(..950))).await;
        server.kill().await;
        for t in tasks {
            t.await.expect("a writer saw a server error");
        }
        let db2 = db.clone();
        let (l2, fx2) = (log.clone(), fx.clone());
        let bad = tokio::task::spawn_blocking(move || check(&db2, &mut l2.lock(), &fx2)).await.unwrap();
        violations += bad;
        eprintln!("cycle {cycle}: {} acknowledged operations so far, {bad} violations", log.lock().acked_ops);
    }
    let acked = log.lock().acked_ops;
    eprintln!(
        "crash test: {cycles} kill cycles, {acked} acknowledged operations, {violations} violations, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(acked > cycles as u64, "the writers made too little progress to mean anything");
    assert_eq!(violations, 0, "see the lines above (seed {seed})");
}
