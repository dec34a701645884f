//! Test-suite helpers: snapshots and restores under /rest/roster/1.0, and
//! `roster serve --ephemeral --seed`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{assert_error, basic, TestApp};

const SNAP: &str = "/rest/roster/1.0/snapshots";

#[tokio::test]
async fn restoring_a_snapshot_undoes_every_change_made_since() {
    let app = TestApp::spawn().await;
    app.group("kept").await;
    let ids = app.users("Snap", 3).await;
    app.add_members("kept", &ids[..2]).await;
    let admin = app.admin();
    let r = admin.post(SNAP, json!({})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["groups"], 3);
    let id = r.body["id"].as_u64().unwrap();

    admin.delete("/wiki/rest/api/group?name=kept").await;
    admin.post("/wiki/rest/api/group", json!({"name": "added-later"})).await;
    app.users("Later", 2).await;

    let r = admin.post(&format!("{SNAP}/{id}/restore"), json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(app.member_count("kept"), 2);
    assert_error(&admin.get("/wiki/rest/api/group/added-later").await, 404);
    assert_eq!(app.view().user_count(), 4, "admin and the three Snap users");
    assert_eq!(admin.get("/wiki/rest/api/group/kept/member").await.body["size"], 2);
    // And the store agrees after a restart.
    let (tmp, db) = app.stop().await;
    let app = TestApp::spawn_on(tmp, db, Default::default()).await;
    assert_eq!(app.member_count("kept"), 2);
    assert!(app.view().group_by_name("added-later").is_err());
}

#[tokio::test]
async fn snapshots_are_for_site_admins_and_unknown_ones_are_404() {
    let app = TestApp::spawn().await;
    let (_, plain) = app.plain_user("sam").await;
    assert_error(&plain.post(SNAP, json!({})).await, 403);
    assert_error(&app.anon().get(SNAP).await, 401);
    assert_error(&app.admin().post(&format!("{SNAP}/99/restore"), json!({})).await, 404);
    assert_error(&app.admin().post(&format!("{SNAP}/x/restore"), json!({})).await, 404);
    let r = app.admin().post(SNAP, json!({})).await;
    let id = r.body["id"].as_u64().unwrap();
    // The seed state, kept at start, and this one.
    assert_eq!(app.admin().get(SNAP).await.body["size"], 2);
    assert_eq!(app.admin().delete(&format!("{SNAP}/{id}")).await.status, 204);
    assert_eq!(app.admin().get(SNAP).await.body["results"][0]["name"], "seed");
    assert_eq!(app.admin().get(SNAP).await.body["size"], 1);
}

#[tokio::test]
async fn a_5000_user_dataset_is_reset_quickly() {
    let app = TestApp::spawn().await;
    let ids = app.users("Bulk", 5000).await;
    let mut total = 2; // the admin's two groups
    let mut team3 = 0;
    for g in 0..20 {
        let name = format!("team-{g}");
        app.group(&name).await;
        let members: Vec<String> = ids.iter().skip(g).step_by(2).cloned().collect();
        total += members.len() as u64;
        if g == 3 {
            team3 = members.len();
        }
        app.add_members(&name, &members).await;
    }
    let admin = app.admin();
    let id = admin.post(SNAP, json!({})).await.body["id"].as_u64().unwrap();
    admin.delete("/wiki/rest/api/group?name=team-3").await;
    let started = Instant::now();
    let r = admin.post(&format!("{SNAP}/{id}/restore"), json!({})).await;
    let took = started.elapsed();
    assert_eq!(r.status, 200);
    assert_eq!(r.body["memberships"].as_u64().unwrap(), total);
    assert_eq!(app.member_count("team-3"), team3);
    eprintln!("restore of 5,000 users / 50,000 memberships took {took:?}");
}

#[tokio::test]
async fn an_ephemeral_seeded_server_serves_the_seed_and_removes_its_store_on_sigterm() {
    let tmp = tempfile::TempDir::new().unwrap();
    let seed = tmp.path().join("seed.jsonl");
    std::fs::write(
        &seed,
        concat!(
            r#"{"kind":"group","id":"seed-g","name":"seeded","type":"group"}"#,
            "\n",
            r#"{"kind":"user","accountId":"seed-u","accountType":"atlassian","displayName":"Seed User","email":"seed@example.com"}"#,
            "\n",
            r#"{"kind":"membership","groupId":"seed-g","accountId":"seed-u"}"#,
            "\n"
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["serve", "--ephemeral", "--listen", "127.0.0.1:0", "--seed"])
        .arg(&seed)
        .env("ROSTER_ADMIN_TOKEN", "rst_ephemeral-test-token-000000000000000")
        .env_remove("ROSTER_DB")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let (addr, store) = loop {
        let line = lines.next().expect("server exited early").unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            let addr = rest.split_whitespace().next().unwrap().to_string();
            let store = rest.split("(store sqlite:").nth(1).unwrap().trim_end_matches(')').to_string();
            break (addr, store);
        }
    };
    let client = reqwest::Client::new();
    let r = client
        .get(format!("http://{addr}/wiki/rest/api/group/member?name=seeded"))
        .header("Authorization", basic("admin@example.com", "rst_ephemeral-test-token-000000000000000"))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["results"][0]["accountId"], "seed-u");
    assert!(std::path::Path::new(&store).exists());
    // The seeded state is the seed snapshot: a reset goes back to it.
    let auth = basic("admin@example.com", "rst_ephemeral-test-token-000000000000000");
    let send = |method: reqwest::Method, path: &str| {
        client.request(method, format!("http://{addr}{path}")).header("Authorization", auth.clone())
    };
    let r = send(reqwest::Method::DELETE, "/wiki/rest/api/group?name=seeded").send().await.unwrap();
    assert_eq!(r.status(), 204);
    let r = send(reqwest::Method::POST, "/rest/roster/1.0/reset").send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r: serde_json::Value = send(reqwest::Method::GET, "/wiki/rest/api/group/member?name=seeded")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["results"][0]["accountId"], "seed-u", "{r}");

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "graceful shutdown exits 0: {exit:?}");
    assert!(!std::path::Path::new(&store).exists(), "the ephemeral store is gone");
}
