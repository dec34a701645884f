//! `--log-format json`: structured logs on stderr, one JSON object a line,
//! carrying the request id that the response echoes.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

#[tokio::test]
async fn json_logs_are_one_object_a_line_and_carry_the_request_id() {
    let tmp = tempfile::TempDir::new().unwrap();
    let db = tmp.path().join("logs.db").to_string_lossy().into_owned();
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["--db", &db, "--log-format", "json", "serve", "--listen", "127.0.0.1:0"])
        .env("ROSTER_ADMIN_TOKEN", "rst_json-logs-test-token-0000000000000000")
        .env("ROSTER_LOG", "roster=debug,roster_http=debug,warn")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let addr = loop {
        let line = rx.recv_timeout(Duration::from_secs(10)).expect("no listening line");
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    let r = reqwest::Client::new()
        .get(format!("http://{addr}/healthz"))
        .header("X-Request-Id", "trace-json-42")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-client-request-id"], "trace-json-42");
    let mut found = None;
    let mut objects = 0;
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(3)) {
        if !line.starts_with('{') {
            continue; // the plain banner lines printed before logging starts
        }
        let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON: {line}: {e}"));
        objects += 1;
        if line.contains("trace-json-42") {
            found = Some(v);
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let v = found.unwrap_or_else(|| panic!("no log line with the request id among {objects} JSON lines"));
    assert!(v["timestamp"].is_string() && v["level"].is_string(), "{v}");
}

#[tokio::test]
async fn text_logs_written_to_a_pipe_carry_no_colour_codes() {
    let tmp = tempfile::TempDir::new().unwrap();
    let db = tmp.path().join("plain.db").to_string_lossy().into_owned();
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["--db", &db, "serve", "--listen", "127.0.0.1:0"])
        .env("ROSTER_ADMIN_TOKEN", "rst_plain-logs-test-token-000000000000000")
        .env("ROSTER_LOG", "roster=debug,roster_http=debug,warn")
        .env_remove("NO_COLOR")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines().map_while(Result::ok);
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let listening = line.contains("listening on http://");
        seen.push(line);
        if listening {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    seen.extend(lines);
    assert!(seen.iter().any(|l| l.contains("INFO")), "log lines were written: {seen:?}");
    assert!(!seen.iter().any(|l| l.contains('\x1b')), "no escape codes: {seen:?}");
}
