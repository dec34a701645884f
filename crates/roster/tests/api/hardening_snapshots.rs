//! Snapshots (issue 17, item 7): a restore is audited (who, which snapshot,
//! what it changed) and its answer names the users, tokens and memberships
//! it brings back, so a deleted user's access never returns silently; with
//! snapshots switched off every snapshot route answers 403 and the OpenAPI
//! description still lists them.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use roster_core::snapshots::changes::fingerprint;
use roster_core::Policy;
use serde_json::{json, Value};

use crate::helpers::{assert_error, basic, TestApp};

const SNAP: &str = "/rest/roster/1.0/snapshots";

/// `name` with a freshly issued token in `groups`: (account id, token).
async fn user_with_token(app: &TestApp, name: &str, groups: &[&str]) -> (String, String) {
    let (account, _) = app.user(name, groups).await;
    let id = app.view().user_by_account(&account).unwrap().user.id;
    let token = app.system().issue_token(id, "ci robot").await.unwrap();
    (account, token)
}

fn find<'a>(list: &'a Value, key: &str, value: &str) -> Option<&'a Value> {
    list.as_array().unwrap().iter().find(|x| x[key] == value)
}

#[tokio::test]
async fn a_restore_names_the_deleted_user_and_token_it_brings_back_and_is_audited_with_actor_and_snapshot() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    let (bob, token) = user_with_token(&app, "bob", &["confluence-users", "site-admins"]).await;
    let bob_api = app.with_auth(&basic("bob@example.com", &token));
    assert_eq!(bob_api.get("/wiki/rest/api/group").await.status, 200);
    let r = admin.post(SNAP, json!({})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_u64().unwrap();

    // After the snapshot: bob is deleted (with his token and memberships),
    // carol is created.
    let r = admin.delete("/rest/api/admin/user/bob").await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_error(&bob_api.get("/wiki/rest/api/group").await, 401);
    let (carol, carol_api) = app.plain_user("carol").await;
    assert_eq!(carol_api.get("/wiki/rest/api/group").await.status, 200);

    let r = admin.post(&format!("{SNAP}/{id}/restore"), json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let b = &r.body;
    assert_eq!(b["id"], id);
    assert_eq!(b["changes"]["users"], json!({"added": 1, "removed": 1, "updated": 0}), "{b}");
    assert_eq!(b["changes"]["tokens"]["added"], 2, "the helper's token and ours: {b}");
    assert_eq!(b["changes"]["memberships"]["added"], 2, "{b}");
    let back = find(&b["restoredUsers"], "accountId", &bob).expect("bob is listed");
    assert_eq!(back["change"], "added");
    assert_eq!(back["username"], "bob");
    let fp = fingerprint(&roster_core::credentials::token_hash(&token));
    let t = find(&b["restoredTokens"], "fingerprint", &fp).expect("bob's token is listed");
    assert_eq!(t["accountId"], bob.as_str());
    assert!(!r.text.contains(&token), "never the token itself");
    let m = find(&b["restoredMemberships"], "group", "site-admins").expect("the admin membership is listed");
    assert_eq!(m["accountId"], bob.as_str());
    assert_eq!(b["removedUsers"][0]["accountId"], carol.as_str());
    assert_eq!(b["truncated"], false);
    // The access it names is really back; what it removes is gone, even
    // for a header the sign-in cache had seen.
    assert_eq!(bob_api.get("/wiki/rest/api/group").await.status, 200);
    assert_error(&carol_api.get("/wiki/rest/api/group").await, 401);

    let r = admin.get("/wiki/rest/api/audit?searchString=snapshot.restore").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["size"], 1, "{}", r.text);
    let rec = &r.body["results"][0];
    let admin_id = app.view().user_by_username("admin").unwrap().user.account_id.to_string();
    assert_eq!(rec["author"]["accountId"], admin_id.as_str());
    assert_eq!(rec["summary"], "Snapshot restored");
    assert_eq!(rec["affectedObject"], json!({"name": format!("snapshot {id}"), "objectType": "Snapshot"}));
    let d = rec["description"].as_str().unwrap();
    assert!(d.starts_with(&format!("snapshot.restore success ({id})")), "{d}");
    assert!(d.contains("users +1 -1 ~0") && d.contains("tokens +2 -1"), "{d}");
    assert!(d.contains(&format!("users back: {bob} (bob Tester)")), "{d}");
    assert!(d.contains(&format!("{bob} {fp}")), "{d}");
    assert!(d.contains(&format!("{bob} in site-admins")), "{d}");
    assert!(!d.contains(&token), "{d}");

    // The record was committed with the restore: it survives a restart.
    let (tmp, db) = app.stop().await;
    let app = TestApp::spawn_on(tmp, db, Default::default()).await;
    let r = app.admin().get("/wiki/rest/api/audit?searchString=snapshot.restore").await;
    assert_eq!(r.body["size"], 1, "{}", r.text);
}

#[tokio::test]
async fn a_restore_names_users_whose_deactivation_or_password_it_reverts() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    let (dan, _) = app.plain_user("dan").await;
    let id = admin.post(SNAP, json!({})).await.body["id"].as_u64().unwrap();
    assert_eq!(admin.put("/rest/api/admin/user/dan/disable", None).await.status, 204);
    let r = admin.post(&format!("{SNAP}/{id}/restore"), json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let u = find(&r.body["restoredUsers"], "accountId", &dan).expect("dan is listed");
    assert_eq!(u["change"], "updated");
    assert_eq!(u["fields"], json!(["active"]));
    assert_eq!(r.body["changes"]["users"]["updated"], 1);
    assert!(app.view().user_by_username("dan").unwrap().user.active);
}

#[tokio::test]
async fn a_restore_that_changes_nothing_says_so_and_is_still_audited() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    let id = admin.post(SNAP, json!({})).await.body["id"].as_u64().unwrap();
    let r = admin.post(&format!("{SNAP}/{id}/restore"), json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    for kind in ["users", "groups", "memberships", "tokens"] {
        assert_eq!(r.body["changes"][kind]["added"], 0, "{kind}");
        assert_eq!(r.body["changes"][kind]["removed"], 0, "{kind}");
    }
    assert_eq!(r.body["restoredUsers"], json!([]));
    let r = admin.get("/wiki/rest/api/audit?searchString=snapshot.restore").await;
    assert_eq!(r.body["size"], 1, "{}", r.text);
}

#[tokio::test]
async fn with_snapshots_switched_off_every_snapshot_route_answers_403_and_is_still_described() {
    let app = TestApp::spawn_with(Policy { snapshots: false, ..Default::default() }).await;
    let admin = app.admin();
    for r in [
        admin.post(SNAP, json!({})).await,
        admin.get(SNAP).await,
        admin.post(&format!("{SNAP}/1/restore"), json!({})).await,
        admin.delete(&format!("{SNAP}/1")).await,
        app.anon().post(&format!("{SNAP}/1/restore"), json!({})).await,
    ] {
        assert_error(&r, 403);
        assert!(r.body["message"].as_str().unwrap().contains("switched off"), "{}", r.text);
    }
    let doc = app.anon().get("/rest/roster/1.0/openapi.json").await.body;
    for path in [SNAP.to_string(), format!("{SNAP}/{{id}}/restore"), format!("{SNAP}/{{id}}")] {
        assert!(doc["paths"][&path].is_object(), "{path} is described");
    }
    assert!(doc["paths"][&format!("{SNAP}/{{id}}/restore")]["post"]["responses"]["403"].is_object());
}

#[tokio::test]
async fn snapshots_false_in_roster_toml_switches_the_routes_off_for_roster_serve() {
    let tmp = tempfile::TempDir::new().unwrap();
    let config = tmp.path().join("roster.toml");
    let mut f = std::fs::File::create(&config).unwrap();
    writeln!(f, "snapshots = false").unwrap();
    drop(f);
    let token = "rst_snapshots-off-test-token-00000000000000";
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["serve", "--ephemeral", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .env("ROSTER_ADMIN_TOKEN", token)
        .env_remove("ROSTER_DB")
        .env_remove("ROSTER_NO_SNAPSHOTS")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("server exited early").unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    let r = reqwest::Client::new()
        .get(format!("http://{addr}{SNAP}"))
        .header("Authorization", basic("admin@example.com", token))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, 403);
}
