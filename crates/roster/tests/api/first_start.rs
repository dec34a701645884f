//! The first start of the real binary on an empty store: the site admin
//! is created and its token printed once; the token works at once.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::helpers::basic;

fn start(db: &str) -> (Child, String, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["--db", db, "serve", "--listen", "127.0.0.1:0"])
        .env_remove("ROSTER_ADMIN_TOKEN")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    let addr = loop {
        let line = lines.next().expect("server exited early").unwrap();
        seen.push(line.clone());
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (child, format!("http://{addr}"), seen)
}

async fn get(url: &str, path: &str, auth: &str) -> reqwest::Response {
    reqwest::Client::new().get(format!("{url}{path}")).header("Authorization", auth).send().await.unwrap()
}

#[tokio::test]
async fn the_first_start_prints_an_admin_token_once_and_it_works_at_once() {
    let tmp = tempfile::TempDir::new().unwrap();
    let db = tmp.path().join("fresh.db").to_string_lossy().into_owned();
    let (mut child, url, lines) = start(&db);
    let token = lines
        .iter()
        .find_map(|l| l.split("shown only this once: ").nth(1))
        .expect("a token line on first start")
        .trim()
        .to_string();
    assert!(token.starts_with("rst_") && token.len() > 40, "{token}");
    let r = get(&url, "/wiki/rest/api/user/current", &basic("admin@example.com", &token)).await;
    assert_eq!(r.status(), 200);
    let me: serde_json::Value = r.json().await.unwrap();
    assert_eq!(me["email"], "admin@example.com");
    child.kill().unwrap();
    child.wait().unwrap();

    let (mut child, url, lines) = start(&db);
    assert!(!lines.iter().any(|l| l.contains("shown only this once")), "no second token: {lines:?}");
    let r = get(&url, "/wiki/rest/api/group", &basic("admin", &token)).await;
    assert_eq!(r.status(), 200, "the token still works, with the username as login too");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn a_first_start_that_cannot_bind_creates_no_admin_and_the_next_start_prints_the_token() {
    let tmp = tempfile::TempDir::new().unwrap();
    let db = tmp.path().join("fresh.db").to_string_lossy().into_owned();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let failed = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["--db", &db, "serve", "--listen", &format!("127.0.0.1:{port}")])
        .env_remove("ROSTER_ADMIN_TOKEN")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&failed.stderr);
    assert!(!failed.status.success(), "{said}");
    assert!(said.contains("binding 127.0.0.1:") && !said.contains("shown only this once"), "{said}");
    assert!(!std::path::Path::new(&db).exists(), "nothing is written before the bind: {said}");
    drop(taken);

    let (mut child, _url, lines) = start(&db);
    assert!(
        lines.iter().any(|l| l.contains("shown only this once")),
        "the token is shown on the start that serves: {lines:?}"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}
