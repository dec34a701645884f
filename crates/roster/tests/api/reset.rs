//! Reset to the seed state, snapshot files and diffs (issue 19, items 2
//! and 5): over HTTP, from the CLI beside a running server, and across a
//! restart of a persistent store.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::{assert_error, TestApp};

const RESET: &str = "/rest/roster/1.0/reset";
const DIFF: &str = "/rest/roster/1.0/diff";
const SNAP: &str = "/rest/roster/1.0/snapshots";

async fn cli(db: &str, args: &[&str]) -> Result<String, String> {
    let mut argv = vec!["roster".to_string(), "--db".into(), db.to_string()];
    argv.extend(args.iter().map(|s| s.to_string()));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    match roster::cli::run(argv, &mut out, &mut err).await {
        Ok(()) => Ok(String::from_utf8_lossy(&out).into_owned()),
        Err(e) => Err(format!("{e:#}")),
    }
}

/// A team with two members and a user with a token, kept as the seed.
async fn seeded(app: &TestApp) -> (Vec<String>, String) {
    app.group("team").await;
    let ids = app.users("Seed", 3).await;
    app.add_members("team", &ids[..2]).await;
    let (_, sam) = app.plain_user("sam").await;
    let token = sam.auth_header().unwrap().to_string();
    let r = app.admin().post(SNAP, json!({"name": "seed"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    (ids, token)
}

/// Users, groups with members, and whether each user is active.
fn state(app: &TestApp) -> String {
    let m = app.view();
    let users: String = m.users().map(|e| format!("{}:{};", e.user.account_id, e.user.active)).collect();
    let groups: String = m.groups_by_name().map(|g| format!("{}={};", g.group.name, g.members.len())).collect();
    format!("{users}\n{groups}")
}

#[tokio::test]
async fn a_reset_puts_users_groups_memberships_and_tokens_back_to_the_seed() {
    let app = TestApp::spawn().await;
    let (ids, sam_token) = seeded(&app).await;
    let before = state(&app);
    let admin = app.admin();
    // What each seed user's groups look like from outside (the read model
    // is updated in place by a small reset, not rebuilt).
    let memberof = |admin: &crate::helpers::Api, accounts: Vec<String>| {
        let admin = admin.clone();
        async move {
            let mut out = Vec::new();
            for a in accounts {
                out.push(admin.get(&format!("/wiki/rest/api/user/memberof?accountId={a}")).await.body);
            }
            out
        }
    };
    let groups_before = memberof(&admin, ids.clone()).await;
    // A test's worth of changes: a deleted group, a new group, new users
    // (one with a token), a deactivated user, a changed password, and a
    // deleted user whose token went with it.
    admin.delete("/wiki/rest/api/group?name=team").await;
    admin.post("/wiki/rest/api/group", json!({"name": "later"})).await;
    app.users("Later", 2).await;
    let (_, newbie) = app.plain_user("newbie").await;
    let sam = app.view().user_by_username("sam").unwrap().user.id;
    app.system().delete_user(sam).await.unwrap();
    let uid = app.view().user_by_account(&ids[2]).unwrap().user.id;
    app.system().set_active(uid, false, "active").await.unwrap();
    let uid = app.view().user_by_account(&ids[1]).unwrap().user.id;
    app.system().set_password(uid, "a new password for this user").await.unwrap();
    assert_error(&app.with_auth(&sam_token).get("/wiki/rest/api/user/current").await, 401);
    assert_ne!(state(&app), before);

    let r = admin.post(RESET, json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["name"], "seed");
    assert_eq!(r.body["changes"]["users"], json!({"added": 1, "removed": 3, "updated": 2}));
    assert_eq!(r.body["changes"]["tokens"], json!({"added": 1, "removed": 1}));
    assert_eq!(state(&app), before);
    assert_eq!(app.member_count("team"), 2);
    assert_eq!(memberof(&admin, ids.clone()).await, groups_before);
    let me = app.with_auth(&sam_token).get("/wiki/rest/api/user/current").await;
    assert_eq!(me.status, 200, "the seed's token works again: {}", me.text);
    assert_error(&newbie.get("/wiki/rest/api/user/current").await, 401);
    // A reset with no body at all, and one that changes nothing.
    let r = admin.send(reqwest::Method::POST, RESET, None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["changes"]["users"], json!({"added": 0, "removed": 0, "updated": 0}));
}

#[tokio::test]
async fn a_reset_goes_to_a_named_snapshot_and_an_unknown_name_is_404() {
    let app = TestApp::spawn().await;
    seeded(&app).await;
    let admin = app.admin();
    app.group("extra").await;
    assert_eq!(admin.post(SNAP, json!({"name": "with-extra"})).await.status, 201);
    app.group("more").await;
    let r = admin.post(RESET, json!({"snapshot": "with-extra"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(app.view().group_name_taken("extra"));
    assert!(!app.view().group_name_taken("more"));
    assert_error(&admin.post(RESET, json!({"snapshot": "nope"})).await, 404);
    assert_error(&admin.post(RESET, json!({"snapshot": 3})).await, 400);
    assert_error(&admin.post(SNAP, json!({"name": "12"})).await, 400);
    let (_, plain) = app.plain_user("pat").await;
    assert_error(&plain.post(RESET, json!({})).await, 403);
    assert_error(&app.anon().get(DIFF).await, 401);
}

#[tokio::test]
async fn the_seed_is_kept_in_the_store_and_a_reset_works_after_a_restart() {
    let app = TestApp::spawn().await;
    let (_, _) = seeded(&app).await;
    let before = state(&app);
    app.group("after-seed").await;
    app.users("Gone", 3).await;
    let (tmp, db) = app.stop().await;
    let app = TestApp::spawn_on(tmp, db, Default::default()).await;
    assert!(app.view().group_name_taken("after-seed"));
    let r = app.admin().post(RESET, json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(state(&app), before);
    // Committed before the answer: a second restart still sees the seed.
    let (tmp, db) = app.stop().await;
    let app = TestApp::spawn_on(tmp, db, Default::default()).await;
    assert_eq!(state(&app), before);
}

#[tokio::test]
async fn a_cli_reset_beside_a_running_server_is_seen_by_the_server() {
    if roster_testpg::requested() {
        return; // PostgreSQL instances follow the change log; multi_instance.rs covers that path.
    }
    let app = TestApp::spawn().await;
    seeded(&app).await;
    let before = state(&app);
    app.group("cli-gone").await;
    let out = cli(&app.db, &["reset"]).await.unwrap();
    assert!(out.starts_with("reset to snapshot seed:"), "{out}");
    assert!(out.contains("groups +0 -1"), "{out}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while state(&app) != before {
        assert!(Instant::now() < deadline, "the server never noticed the CLI reset");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_error(&app.admin().get("/wiki/rest/api/group/cli-gone").await, 404);
}

#[tokio::test]
async fn a_snapshot_file_round_trips_through_the_cli_and_http() {
    let app = TestApp::spawn().await;
    seeded(&app).await;
    let before = state(&app);
    let file = app.tmp.path().join("start.json");
    let path = file.to_str().unwrap();
    assert!(cli(&app.db, &["snapshot", "save", path]).await.unwrap().starts_with("wrote"));
    let text = std::fs::read_to_string(&file).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["format"], "roster-snapshot");
    assert_eq!(v["version"], 1);
    assert!(!text.contains("rst_"), "no token in clear");
    assert!(v["tokens"][0]["sha256"].as_str().unwrap().len() == 64);

    // Over HTTP: load it as the seed into a changed directory.
    app.group("changed").await;
    let r = app.admin().raw(reqwest::Method::POST, &format!("{SNAP}/file"), &[], text.clone().into_bytes()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["name"], "seed");
    assert_eq!(r.body["changes"]["groups"]["removed"], 1);
    let deadline = Instant::now() + Duration::from_secs(10);
    while state(&app) != before {
        assert!(Instant::now() < deadline, "not restored: {}", state(&app));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // And the download is the same directory.
    let down = app.admin().get(&format!("{SNAP}/seed/file")).await;
    assert_eq!(down.status, 200);
    assert_eq!(down.body["users"], v["users"]);
    assert_eq!(down.body["memberships"], v["memberships"]);

    // Through the CLI, kept under another name without restoring.
    let out = cli(&app.db, &["snapshot", "load", path, "--name", "shipped", "--no-restore"]).await.unwrap();
    assert!(out.contains("as snapshot shipped"), "{out}");
    assert!(cli(&app.db, &["snapshot", "list"]).await.unwrap().contains("shipped"));
}

#[tokio::test]
async fn a_bad_snapshot_file_is_refused_with_a_clear_error_and_nothing_changes() {
    let app = TestApp::spawn().await;
    seeded(&app).await;
    let good: Value = app.admin().get(&format!("{SNAP}/seed/file")).await.body;
    app.group("kept-after").await;
    let before = state(&app);
    let list_before = app.admin().get(SNAP).await.body;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"format": "something-else"}), "not a roster snapshot file"),
        (json!({"format": "roster-snapshot", "version": 2}), "version 2 is not supported"),
        (
            {
                let mut v = good.clone();
                v["users"][1]["email"] = v["users"][0]["email"].clone();
                v
            },
            "users[1].email",
        ),
        (
            {
                let mut v = good.clone();
                v["users"][0]["passwordHash"] = json!("hunter2");
                v
            },
            "never a password",
        ),
        (
            {
                let mut v = good.clone();
                v["memberships"][0][0] = json!(9999);
                v
            },
            "memberships[0]: no group has id 9999",
        ),
    ];
    for (file, says) in cases {
        let r =
            app.admin().raw(reqwest::Method::POST, &format!("{SNAP}/file"), &[], file.to_string().into_bytes()).await;
        assert_error(&r, 400);
        assert!(r.text.contains(says), "{says}: {}", r.text);
    }
    let bad = app.tmp.path().join("bad.json");
    std::fs::write(&bad, b"{\"format\": \"roster-snapshot\", \"version\": 1}").unwrap();
    let err = cli(&app.db, &["snapshot", "load", bad.to_str().unwrap()]).await.unwrap_err();
    assert!(err.contains("loading") && err.contains("snapshot file"), "{err}");
    assert_eq!(state(&app), before);
    assert_eq!(app.admin().get(SNAP).await.body, list_before);
}

#[tokio::test]
async fn a_diff_lists_exactly_what_changed_by_name_in_a_stable_order() {
    let app = TestApp::spawn().await;
    let (ids, _) = seeded(&app).await;
    let admin = app.admin();
    let empty = admin.get(DIFF).await;
    assert_eq!(empty.status, 200, "{}", empty.text);
    assert_eq!(empty.body["empty"], true);

    admin.post("/wiki/rest/api/group", json!({"name": "zeta"})).await;
    admin.post("/wiki/rest/api/group", json!({"name": "alpha"})).await;
    admin.delete("/wiki/rest/api/group?name=team").await;
    app.add_members("alpha", &ids[1..]).await;
    let uid = app.view().user_by_account(&ids[0]).unwrap().user.id;
    app.system().set_active(uid, false, "active").await.unwrap();
    let (sam, sam_account) = {
        let v = app.view();
        let e = v.user_by_username("sam").unwrap();
        (e.user.id, e.user.account_id.to_string())
    };
    app.system().delete_user(sam).await.unwrap();
    let d = admin.get(DIFF).await.body;
    assert_eq!(d["since"]["name"], "seed");
    assert_eq!(d["empty"], false);
    assert_eq!(d["groups"], json!({"created": ["alpha", "zeta"], "deleted": ["team"]}));
    let accounts = |v: &Value| v.as_array().unwrap().iter().map(|x| x["accountId"].clone()).collect::<Vec<_>>();
    assert_eq!(accounts(&d["users"]["deactivated"]), [json!(ids[0])]);
    assert_eq!(d["users"]["removed"][0]["username"], "sam");
    assert!(d["users"]["added"].as_array().unwrap().is_empty());
    let mut added = ids[1..].to_vec();
    added.sort();
    let pairs = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|m| format!("{}:{}", m["group"].as_str().unwrap(), m["accountId"].as_str().unwrap()))
            .collect::<Vec<_>>()
    };
    assert_eq!(pairs(&d["memberships"]["added"]), added.iter().map(|a| format!("alpha:{a}")).collect::<Vec<_>>());
    let mut removed = vec![format!("team:{}", ids[0]), format!("team:{}", ids[1])];
    removed.sort();
    removed.insert(0, format!("confluence-users:{sam_account}"));
    assert_eq!(pairs(&d["memberships"]["removed"]), removed);
    assert_eq!(d["tokens"]["revoked"].as_array().unwrap().len(), 1, "sam's token went with sam");
    // The CLI tells the same story, and says so when nothing changed.
    let out = cli(&app.db, &["diff"]).await.unwrap();
    assert!(out.contains("+group alpha\n+group zeta\n-group team"), "{out}");
    assert!(out.contains(&format!("({}) deactivated", ids[0])), "{out}");
    let json_out: Value = serde_json::from_str(&cli(&app.db, &["diff", "--json"]).await.unwrap()).unwrap();
    assert_eq!(json_out, d);
    admin.post(RESET, json!({})).await;
    assert_eq!(admin.get(DIFF).await.body["empty"], true);
    assert!(cli(&app.db, &["diff"]).await.unwrap().starts_with("no changes since snapshot seed"));
}

#[tokio::test]
async fn with_snapshots_switched_off_reset_diff_and_files_are_refused_for_everyone() {
    let app = TestApp::spawn_with(roster_core::Policy { snapshots: false, ..Default::default() }).await;
    let admin = app.admin();
    assert_error(&admin.post(RESET, json!({})).await, 403);
    assert_error(&admin.get(DIFF).await, 403);
    assert_error(&admin.get(&format!("{SNAP}/seed/file")).await, 403);
    assert_error(&admin.raw(reqwest::Method::POST, &format!("{SNAP}/file"), &[], b"{}".to_vec()).await, 403);
}
