//! Graceful shutdown: SIGTERM while writers are busy. Requests already
//! accepted finish with their answer, every acknowledged write is in the
//! store afterwards, and the process exits 0.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::helpers::basic;

const TOKEN: &str = "rst_shutdown-test-token-00000000000000000";

fn start(db: &str) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["--db", db, "serve", "--listen", "127.0.0.1:0"])
        .env("ROSTER_ADMIN_TOKEN", TOKEN)
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
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, format!("http://{addr}"))
}

#[tokio::test]
async fn sigterm_lets_accepted_writes_finish_and_loses_none_of_them() {
    let tmp = tempfile::TempDir::new().unwrap();
    let db = tmp.path().join("roster.db").to_string_lossy().into_owned();
    let seed = tmp.path().join("seed.jsonl");
    let mut lines = vec![r#"{"kind":"group","id":"g-busy","name":"busy","type":"group"}"#.to_string()];
    for i in 0..400 {
        lines.push(format!(
            r#"{{"kind":"user","accountId":"busy-{i}","accountType":"atlassian","displayName":"Busy {i}","email":"busy{i}@example.com"}}"#
        ));
    }
    std::fs::write(&seed, lines.join("\n")).unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_roster")).args(["--db", &db, "import"]).arg(&seed).output().unwrap();
    assert!(status.status.success());

    let (mut child, url) = start(&db);
    let auth = basic("admin@example.com", TOKEN);
    let acked = Arc::new(Mutex::new(Vec::new()));
    let bad = Arc::new(Mutex::new(Vec::new()));
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for w in 0..16 {
        let (client, url, auth, acked, bad) = (client.clone(), url.clone(), auth.clone(), acked.clone(), bad.clone());
        tasks.push(tokio::spawn(async move {
            for i in (w..400).step_by(16) {
                let r = client
                    .post(format!("{url}/wiki/rest/api/group/user?name=busy"))
                    .header("Authorization", &auth)
                    .header("Content-Type", "application/json")
                    .body(format!(r#"{{"accountId":"busy-{i}"}}"#))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == 201 => acked.lock().push(i),
                    Ok(r) => bad.lock().push(format!("busy-{i}: {}", r.status())),
                    Err(_) => break, // refused or closed after shutdown began: never acknowledged
                }
            }
        }));
    }
    // SIGTERM once writes are under way (polled: a fixed sleep was flaky on
    // a busy machine, where none might be acknowledged yet).
    let deadline = Instant::now() + Duration::from_secs(10);
    while acked.lock().len() < 16 {
        assert!(Instant::now() < deadline, "no write acknowledged in 10 s: {:?}", bad.lock());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    for t in tasks {
        t.await.unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "no exit after SIGTERM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(exit.success(), "{exit:?}");
    assert!(bad.lock().is_empty(), "answers other than 201: {:?}", bad.lock());
    let acked = acked.lock().clone();
    assert!(!acked.is_empty(), "some writes were acknowledged before the signal");

    let (mut child, url) = start(&db);
    let mut stored = std::collections::HashSet::new();
    for start in [0, 200] {
        let r: serde_json::Value = client
            .get(format!("{url}/wiki/rest/api/group/member?name=busy&limit=200&start={start}"))
            .header("Authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        stored.extend(r["results"].as_array().unwrap().iter().map(|u| u["accountId"].as_str().unwrap().to_string()));
    }
    let lost: Vec<_> = acked.iter().filter(|i| !stored.contains(&format!("busy-{i}"))).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    child.kill().unwrap();
    child.wait().unwrap();
}
