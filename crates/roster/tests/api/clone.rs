//! `roster clone`: the real binary reads a second roster (seeded with
//! 10,000 users, groups and memberships) through its Cloud API and through
//! its Data Center APIs, with and without the Extender, while that roster's
//! own fault rules answer 429s, 502s, 503s and drop connections; the clone
//! must hold the same users, groups, memberships and deactivated flags. And
//! what a person gets wrong: an unreachable site, a refused token, a site
//! that is not Confluence, each a clear error, a non-zero exit and no file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

use roster_core::directory::{Reader, UserInput, UserKey};
use roster_core::{Actor, Policy};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{TestApp, ADMIN_TOKEN};

const USERS: usize = 10_000;
const TEAMS: usize = 8;

/// Fills the source: `USERS` users (every 97th deactivated, the last 20 in
/// no group), all others in confluence-users, each in one of `TEAMS` teams,
/// 50 in a group whose name needs escaping, and an empty group.
async fn seed(app: &TestApp) {
    let inputs: Vec<UserInput> = (0..USERS)
        .map(|i| UserInput {
            display_name: format!("Clone User {i:05}"),
            email: format!("clone.user{i}@example.com"),
            active: i % 97 != 5,
            ..UserInput::default()
        })
        .collect();
    let ids: Vec<String> =
        app.system().create_users(&inputs).await.unwrap().into_iter().map(|u| u.account_id.to_string()).collect();
    let grouped = &ids[..USERS - 20];
    let admin = app.system();
    admin.change_members("confluence-users", grouped.to_vec(), UserKey::AccountId, true).await.unwrap();
    for t in 0..TEAMS {
        let name = format!("team-{t}");
        app.group(&name).await;
        let members: Vec<String> = grouped.iter().skip(t).step_by(TEAMS).cloned().collect();
        admin.change_members(&name, members, UserKey::AccountId, true).await.unwrap();
    }
    app.group("R&D / Ops+").await;
    admin.change_members("R&D / Ops+", grouped[..50].to_vec(), UserKey::AccountId, true).await.unwrap();
    app.group("empty-group").await;
}

/// A directory as compared: users by key (account id on Cloud, username
/// on Data Center) with display name, address and active flag; group
/// names; memberships as (group, user key).
#[derive(Debug, PartialEq, Eq)]
struct Picture {
    users: BTreeMap<String, (String, String, bool)>,
    groups: BTreeSet<String>,
    memberships: BTreeSet<(String, String)>,
}

fn picture(m: &Reader<'_>, by_username: bool) -> Picture {
    let key = |u: &roster_core::User| {
        if by_username {
            u.username.as_deref().unwrap_or_default().to_string()
        } else {
            u.account_id.to_string()
        }
    };
    let users = m
        .users()
        .map(|e| (key(&e.user), (e.user.display_name.to_string(), e.user.email.to_string(), e.user.active)))
        .collect();
    let mut groups = BTreeSet::new();
    let mut memberships = BTreeSet::new();
    for g in m.groups_by_name() {
        groups.insert(g.group.name.to_string());
        for id in g.members.iter_from(0) {
            memberships.insert((g.group.name.to_string(), key(&m.member(id).unwrap().user)));
        }
    }
    Picture { users, groups, memberships }
}

async fn cloned_picture(db: &str, by_username: bool) -> Picture {
    let dir = roster::app::open_directory(db, Policy::default()).await.unwrap();
    let m = dir.reader(&Actor::System).unwrap();
    picture(&m, by_username)
}

async fn add_faults(app: &TestApp, rules: Value) {
    let r = app.admin().post("/rest/roster/1.0/faults", rules).await;
    assert_eq!(r.status, 201, "{}", r.text);
}

/// Every rule fired as often as it was told to.
async fn assert_faults_spent(app: &TestApp) {
    let r = app.admin().get("/rest/roster/1.0/faults").await;
    for rule in r.body["results"].as_array().unwrap() {
        if rule["times"].is_u64() {
            assert_eq!(rule["remaining"], 0, "a fault rule did not fire: {rule}");
        }
    }
}

/// Runs the roster binary; (exit success, stdout, stderr).
async fn roster(args: &[&str]) -> (bool, String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(args)
        .env_remove("ROSTER_CLONE_TOKEN")
        .env_remove("ROSTER_CLONE_USER")
        .env("NO_COLOR", "1")
        .output()
        .await
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

fn clone_args<'a>(db: &'a str, url: &'a str, flavor: &'a str) -> Vec<&'a str> {
    vec!["--db", db, "clone", "--from", url, "--user", "admin@example.com", "--token", ADMIN_TOKEN, "--flavor", flavor]
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cloud_clone_through_429s_503s_502s_and_drops_writes_a_fixture_that_imports_as_the_same_directory() {
    let source = TestApp::spawn_testing(Default::default()).await;
    let started = Instant::now();
    seed(&source).await;
    eprintln!("seeded in {:?}", started.elapsed());
    add_faults(
        &source,
        json!([
            {"route": "/wiki/rest/api/search/user", "action": "status", "status": 429, "retryAfter": 1, "times": 1},
            {"route": "/wiki/rest/api/group", "action": "status", "status": 429, "retryAfter": 0, "times": 2},
            {"path": "/wiki/rest/api/group/*/membersByGroupId", "action": "status", "status": 503, "retryAfter": 0, "times": 3},
            {"path": "/wiki/rest/api/group/*/membersByGroupId", "action": "status", "status": 502, "times": 2},
            {"path": "/wiki/rest/api/search/user", "action": "drop", "times": 2}
        ]),
    )
    .await;
    let tmp = tempfile::TempDir::new().unwrap();
    let out = path_str(&tmp.path().join("site.yaml"));
    let unused = path_str(&tmp.path().join("unused.db"));
    let mut args = clone_args(&unused, &source.url, "cloud");
    args.extend(["--out", &out, "--progress-every", "20"]);
    let started = Instant::now();
    let (ok, _, err) = roster(&args).await;
    eprintln!("cloned in {:?}\n{err}", started.elapsed());
    assert!(ok, "{err}");
    assert!(err.contains("answered 429; trying again in 1.0s"), "{err}");
    assert!(err.contains("answered 503") && err.contains("answered 502"), "{err}");
    assert!(err.contains("pages: "), "a progress line every 20 pages: {err}");
    assert!(err.lines().count() < 60, "progress is not a line per request: {err}");
    assert!(!Path::new(&unused).exists(), "--out alone touches no store");
    assert_faults_spent(&source).await;

    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("# roster clone of http://127.0.0.1:"), "{}", &text[..200]);
    assert!(!text.contains("username:"), "Cloud shows no usernames");
    let db = path_str(&tmp.path().join("clone.db"));
    crate::cli::run(&db, &["import", &out]).await.unwrap();
    let want = picture(&source.view(), false);
    let got = cloned_picture(&db, false).await;
    assert_eq!(want.users.len(), USERS + 1, "the source's admin is a user too");
    assert_eq!(got.groups, want.groups);
    assert_eq!(got.users, want.users);
    assert_eq!(got.memberships.len(), want.memberships.len());
    assert_eq!(got.memberships, want.memberships);
    assert!(got.users.values().any(|(_, _, active)| !active));
}

/// Clones the seeded `source` through the Data Center APIs into a fresh
/// store and compares by username.
async fn dc_clone_matches(source: &TestApp, expect_extender: bool) {
    let tmp = tempfile::TempDir::new().unwrap();
    let db = path_str(&tmp.path().join("clone.db"));
    let mut args = clone_args(&db, &source.url, "dc");
    args.push("--import");
    let started = Instant::now();
    let (ok, out, err) = roster(&args).await;
    eprintln!("cloned in {:?}\n{err}", started.elapsed());
    assert!(ok, "{err}");
    assert_eq!(err.contains("the Extender app answers"), expect_extender, "{err}");
    let want = picture(&source.view(), true);
    assert!(out.contains(&format!("fixtures: {} groups created", want.groups.len())), "{out}");
    assert_faults_spent(source).await;
    let got = cloned_picture(&db, true).await;
    assert_eq!(got.groups, want.groups);
    assert_eq!(got.users, want.users);
    assert_eq!(got.memberships, want.memberships);
    // User keys come along too (account ids are Cloud's: Data Center shows none).
    let dir = roster::app::open_directory(&db, Policy::default()).await.unwrap();
    let m = dir.reader(&Actor::System).unwrap();
    for e in source.view().users().step_by(997) {
        let name = e.user.username.as_deref().unwrap();
        assert_eq!(m.user_by_username(name).unwrap().user.user_key, e.user.user_key);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_center_clone_through_the_extender_imports_straight_into_a_store() {
    let source = TestApp::spawn_testing(Default::default()).await;
    seed(&source).await;
    add_faults(
        &source,
        json!([
            {"path": "/rest/extender/1.0/group/getUsers/*", "action": "status", "status": 429, "retryAfter": 1, "times": 1},
            {"path": "/rest/extender/1.0/group/getUsers/*", "action": "drop", "times": 2},
            {"route": "/rest/api/user/list", "action": "status", "status": 503, "retryAfter": 0, "times": 2},
            {"route": "/rest/api/user/list", "action": "status", "status": 504, "times": 1}
        ]),
    )
    .await;
    dc_clone_matches(&source, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_center_clone_without_the_extender_reads_rest_api_alone() {
    let source = TestApp::spawn_testing(Default::default()).await;
    seed(&source).await;
    add_faults(
        &source,
        json!([
            // A site without the app: every Extender path is unknown.
            {"path": "/rest/extender/*", "action": "status", "status": 404},
            {"path": "/rest/api/group/*/member", "action": "status", "status": 502, "times": 2},
            {"path": "/rest/api/group/*/member", "action": "drop", "times": 1},
            {"route": "/rest/api/group", "action": "status", "status": 429, "retryAfter": 0, "times": 1}
        ]),
    )
    .await;
    dc_clone_matches(&source, false).await;
}

/// A loopback server that answers every request with `response` (raw HTTP).
async fn answering(response: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).await;
            let _ = s.write_all(response.as_bytes()).await;
            let _ = s.shutdown().await;
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_sites_and_bad_credentials_are_clear_errors_that_write_nothing() {
    let tmp = tempfile::TempDir::new().unwrap();
    let out = path_str(&tmp.path().join("site.yaml"));
    std::fs::write(&out, "kept\n").unwrap();
    let db = path_str(&tmp.path().join("never.db"));
    let check = |ok: bool, err: &str, needle: &str| {
        assert!(!ok, "must fail: {err}");
        assert!(err.contains(needle), "expected {needle:?} in: {err}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "kept\n", "the old file stays whole");
        assert!(!Path::new(&db).exists(), "no store was created");
    };

    // Nothing listens: a closed port.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let mut args = clone_args(&db, &closed, "cloud");
    args.extend(["--out", &out, "--import"]);
    let (ok, _, err) = roster(&args).await;
    check(ok, &err, "cannot read");

    // A web server that is not Confluence.
    let html = answering(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\nConnection: close\r\n\r\n<html></html>",
    )
    .await;
    let mut args = clone_args(&db, &html, "dc");
    args.extend(["--out", &out]);
    let (ok, _, err) = roster(&args).await;
    check(ok, &err, "not JSON: is --from the address of a Confluence site?");

    // A roster that refuses the token, in both flavours.
    let site = TestApp::spawn().await;
    for flavor in ["cloud", "dc"] {
        let args = [
            "--db",
            &db,
            "clone",
            "--from",
            &site.url,
            "--user",
            "admin@example.com",
            "--token",
            "rst_wrong-token-000000000000",
            "--flavor",
            flavor,
            "--out",
            &out,
        ];
        let (ok, _, err) = roster(&args).await;
        check(ok, &err, "did not accept the credentials");
    }
    // The right token at the wrong address: a 404 names the likely mistake.
    let wrong = format!("{}/confluence-nowhere", site.url);
    let mut args = clone_args(&db, &wrong, "dc");
    args.extend(["--out", &out]);
    let (ok, _, err) = roster(&args).await;
    check(ok, &err, "answered 404");
    // Nowhere to write is refused before a request is sent.
    let args = clone_args(&db, &site.url, "cloud");
    let (ok, _, err) = roster(&args).await;
    check(ok, &err, "--out FILE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_budget_that_runs_out_is_an_error_naming_the_status() {
    let source = TestApp::spawn_testing(Default::default()).await;
    add_faults(&source, json!({"route": "/wiki/rest/api/group", "action": "status", "status": 503, "retryAfter": 0}))
        .await;
    let tmp = tempfile::TempDir::new().unwrap();
    let out = path_str(&tmp.path().join("site.yaml"));
    let db = path_str(&tmp.path().join("never.db"));
    let mut args = clone_args(&db, &source.url, "cloud");
    args.extend(["--out", &out, "--max-attempts", "3"]);
    let (ok, _, err) = roster(&args).await;
    assert!(!ok);
    assert!(err.contains("still answered 503 after 3 attempts"), "{err}");
    assert!(!Path::new(&out).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_who_may_not_see_addresses_clones_users_by_account_id_alone() {
    let source = TestApp::spawn().await;
    let ids = source.users("Hidden Person", 30).await;
    source.group("crew").await;
    source.add_members("crew", &ids[..10]).await;
    source.add_members("confluence-users", &ids).await;
    let gone = source.view().user_by_account(&ids[3]).unwrap().user.id;
    source.system().set_active(gone, false, "active").await.unwrap();
    let (reader, _) = source.plain_user("reader").await;
    let uid = source.view().user_by_account(&reader).unwrap().user.id;
    let token = source.system().issue_token(uid, "clone").await.unwrap();

    let tmp = tempfile::TempDir::new().unwrap();
    let out = path_str(&tmp.path().join("site.yaml"));
    let db = path_str(&tmp.path().join("clone.db"));
    let args = [
        "--db",
        &db,
        "clone",
        "--from",
        &source.url,
        "--user",
        "reader@example.com",
        "--token",
        &token,
        "--out",
        &out,
        "--import",
        "--flavor",
        "cloud",
    ];
    let (ok, _, err) = roster(&args).await;
    assert!(ok, "{err}");
    assert!(err.contains("0 of 31 hidden addresses were given"), "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.matches("email:").count(), 1, "only the reader's own address: {text}");

    let want = picture(&source.view(), false);
    let got = cloned_picture(&db, false).await;
    assert_eq!(got.groups, want.groups);
    assert_eq!(got.memberships, want.memberships);
    assert_eq!(got.users.keys().collect::<Vec<_>>(), want.users.keys().collect::<Vec<_>>(), "the same account ids");
    for (id, (name, email, active)) in &got.users {
        let (want_name, want_email, want_active) = &want.users[id];
        assert_eq!((name, active), (want_name, want_active), "{id}");
        assert_eq!(email.is_empty(), *id != reader, "{id}: {email} (source {want_email})");
    }
    // Imported again, the same file changes nothing.
    let again = crate::cli::run(&db, &["import", &out]).await.unwrap();
    assert!(again.contains("0 users created, 0 updated, 32 unchanged"), "{again}");

    // Through Data Center the Extender's user list is for admins: the rest still clones.
    let dc = path_str(&tmp.path().join("dc.yaml"));
    let args = [
        "--db",
        &db,
        "clone",
        "--from",
        &source.url,
        "--user",
        "reader",
        "--token",
        &token,
        "--out",
        &dc,
        "--flavor",
        "dc",
    ];
    let (ok, _, err) = roster(&args).await;
    assert!(ok, "{err}");
    assert!(err.contains("no addresses from the Extender app") && err.contains("answered 403"), "{err}");
    assert!(err.contains("read 32 users, 3 groups, 43 memberships"), "{err}");
}
