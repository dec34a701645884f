//! Connections (issue 17): idle connections and slowloris heads cannot hold
//! the server, the cap refuses at once, SIGTERM ends within the grace even
//! with a half-sent request, the fd limit is raised, and the admin token
//! comes from a file or the environment, never the command line. Each test
//! runs the real binary (support/process.rs) with short limits set through
//! `ROSTER_*` variables.

// Also loaded by hardening_secrets.rs; a second copy keeps this file free
// of a dependency on another test module.
#[allow(clippy::duplicate_mod)]
#[path = "../support/process.rs"]
mod process;

use std::path::Path;
use std::time::{Duration, Instant};

use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::basic;

const TOKEN: &str = "rst_connections-admin-token-0123456789abcd";

/// A server over a fresh store with `envs` (limits as `ROSTER_*`).
async fn server(envs: &[(&str, &str)]) -> (process::Server, TempDir) {
    let tmp = TempDir::new().unwrap();
    let mut all = vec![("ROSTER_ADMIN_TOKEN", TOKEN), ("ROSTER_LOG", "warn")];
    all.extend_from_slice(envs);
    let server = process::spawn(&tmp.path().join("roster.db"), &all, &tmp.path().join("server.log")).await;
    (server, tmp)
}

fn addr(server: &process::Server) -> String {
    server.url.trim_start_matches("http://").to_string()
}

/// Reads until the peer closes (or resets) the connection, or `limit`
/// passes; returns how long that took, or None when still open.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buf = [0u8; 4096];
    tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return start.elapsed(),
                Ok(_) => {}
            }
        }
    })
    .await
    .ok()
}

/// Sends a GET of `path` and reads one answer (head and Content-Length body).
async fn get(stream: &mut TcpStream, path: &str) -> String {
    stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: roster\r\n\r\n").as_bytes()).await.unwrap();
    let mut text = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await.unwrap().unwrap();
        assert!(n > 0, "closed before the answer: {}", String::from_utf8_lossy(&text));
        text.extend_from_slice(&buf[..n]);
        let s = String::from_utf8_lossy(&text).to_string();
        if let Some(end) = s.find("\r\n\r\n") {
            let len = s[..end]
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap()))
                .unwrap_or(0usize);
            if text.len() >= end + 4 + len {
                return s;
            }
        }
    }
}

/// The value of the metric line starting with `series` (0 when absent).
async fn metric(url: &str, series: &str) -> f64 {
    let text = reqwest::get(format!("{url}/metrics")).await.unwrap().text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

#[tokio::test]
async fn idle_connections_beyond_the_cap_are_refused_at_once_and_closed_at_the_header_timeout() {
    let (server, _tmp) =
        server(&[("ROSTER_MAX_CONNECTIONS", "8"), ("ROSTER_HEADER_READ_TIMEOUT", "3"), ("ROSTER_IDLE_TIMEOUT", "3")])
            .await;
    let addr = addr(&server);
    let mut idle = Vec::new();
    for _ in 0..20 {
        idle.push(TcpStream::connect(&addr).await.unwrap());
    }

    // A new caller is refused at once, not queued behind the idle ones.
    let started = Instant::now();
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    match client.get(format!("{}/healthz", server.url)).send().await {
        Ok(r) => {
            assert_eq!(r.status(), 503);
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(body["statusCode"], 503, "{body}");
            assert!(body["message"].as_str().unwrap().contains("connections"), "{body}");
        }
        // A reset after the refusal is as prompt an answer.
        Err(e) => assert!(!e.is_timeout(), "{e}"),
    }
    assert!(started.elapsed() < Duration::from_secs(2), "refusal took {:?}", started.elapsed());

    // The idle ones: twelve refused at once, eight closed at the header timeout.
    let watchers: Vec<_> = idle
        .into_iter()
        .map(|mut s| tokio::spawn(async move { closed_within(&mut s, Duration::from_secs(8)).await }))
        .collect();
    let mut waits = Vec::new();
    for w in watchers {
        waits.push(w.await.unwrap().expect("an idle connection stayed open"));
    }
    let cut = waits.iter().filter(|w| **w >= Duration::from_millis(2000)).count();
    assert_eq!(cut, 8, "connections held until the timeout: {waits:?}");

    // With the slots free again, callers are served.
    let r = client.get(format!("{}/healthz", server.url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(metric(&server.url, "roster_connections_refused_total").await >= 13.0);
    assert!(metric(&server.url, "roster_connections_timed_out_total{deadline=\"header\"}").await >= 8.0);
    server.kill().await;
}

#[tokio::test]
async fn a_kept_alive_connection_is_closed_after_the_idle_timeout_which_each_request_restarts() {
    let (server, _tmp) = server(&[("ROSTER_IDLE_TIMEOUT", "1.5"), ("ROSTER_HEADER_READ_TIMEOUT", "20")]).await;
    let mut s = TcpStream::connect(addr(&server)).await.unwrap();
    assert!(get(&mut s, "/healthz").await.starts_with("HTTP/1.1 200"));
    tokio::time::sleep(Duration::from_millis(900)).await;
    // Still open before the timeout; this request restarts the idle clock.
    assert!(get(&mut s, "/healthz").await.starts_with("HTTP/1.1 200"));
    let took = closed_within(&mut s, Duration::from_secs(6)).await.expect("the idle connection stayed open");
    assert!(took >= Duration::from_millis(1000), "closed after {took:?}, before the idle timeout");
    assert!(metric(&server.url, "roster_connections_timed_out_total{deadline=\"idle\"}").await >= 1.0);
    server.kill().await;
}

#[tokio::test]
async fn a_slowloris_head_is_cut_at_the_header_read_timeout() {
    let (server, _tmp) = server(&[("ROSTER_HEADER_READ_TIMEOUT", "1"), ("ROSTER_IDLE_TIMEOUT", "30")]).await;
    let s = TcpStream::connect(addr(&server)).await.unwrap();
    let (mut rd, mut wr) = s.into_split();
    let started = Instant::now();
    let trickle = tokio::spawn(async move {
        if wr.write_all(b"GET /healthz HTTP/1.1\r\nHost: roster\r\nX-Slow: ").await.is_err() {
            return;
        }
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if wr.write_all(b"a").await.is_err() {
                return;
            }
        }
    });
    let mut buf = [0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(6), rd.read(&mut buf)).await.expect("the slow head was not cut");
    let took = started.elapsed();
    assert!(matches!(n, Ok(0) | Err(_)), "answered instead of closed: {n:?}");
    assert!(took >= Duration::from_millis(500), "cut after {took:?}, before the timeout");
    trickle.abort();
    assert!(metric(&server.url, "roster_connections_timed_out_total{deadline=\"header\"}").await >= 1.0);
    server.kill().await;
}

#[tokio::test]
async fn a_client_that_stops_reading_its_answers_is_dropped_at_the_idle_timeout() {
    let (server, _tmp) = server(&[("ROSTER_IDLE_TIMEOUT", "1"), ("ROSTER_HEADER_READ_TIMEOUT", "20")]).await;
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut s = socket.connect(addr(&server).parse().unwrap()).await.unwrap();
    // 200 pipelined requests for a 90 KB answer, never read: the server's
    // writes block long before the last answer.
    let one = b"GET /rest/roster/1.0/openapi.json HTTP/1.1\r\nHost: roster\r\n\r\n";
    let _ = tokio::time::timeout(Duration::from_secs(2), s.write_all(&one.repeat(200))).await;
    let deadline = Instant::now() + Duration::from_secs(8);
    while metric(&server.url, "roster_connections_timed_out_total{deadline=\"write\"}").await < 1.0 {
        assert!(Instant::now() < deadline, "a blocked write was never given up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.kill().await;
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_answered_408_at_the_body_read_timeout() {
    let (server, _tmp) = server(&[("ROSTER_BODY_READ_TIMEOUT", "1")]).await;
    let mut s = TcpStream::connect(addr(&server)).await.unwrap();
    let head = format!(
        "POST /wiki/rest/api/group HTTP/1.1\r\nHost: roster\r\nAuthorization: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\":",
        basic("admin@example.com", TOKEN)
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut text = Vec::new();
    let mut buf = [0u8; 4096];
    // The answer, then the close (the rest of the body was never read).
    let closed = tokio::time::timeout(Duration::from_secs(6), async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => text.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the connection stayed open");
    let text = String::from_utf8_lossy(&text);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("\"statusCode\":408") && text.contains("did not arrive in time"), "{text}");
    assert!(started.elapsed() >= Duration::from_millis(500), "answered after {:?}", started.elapsed());
    server.kill().await;
}

#[tokio::test]
async fn sigterm_with_a_half_sent_request_exits_within_the_grace_period() {
    let (mut server, _tmp) =
        server(&[("ROSTER_SHUTDOWN_GRACE", "3"), ("ROSTER_HEADER_READ_TIMEOUT", "60"), ("ROSTER_IDLE_TIMEOUT", "60")])
            .await;
    let mut half = TcpStream::connect(addr(&server)).await.unwrap();
    half.write_all(b"POST /wiki/rest/api/group HTTP/1.1\r\nHost: roster\r\nContent-Le").await.unwrap();
    let mut kept = TcpStream::connect(addr(&server)).await.unwrap();
    assert!(get(&mut kept, "/healthz").await.starts_with("HTTP/1.1 200"));

    let started = Instant::now();
    let pid = server.child.id().unwrap();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap().success());
    // The idle keep-alive connection is closed at once, the half-sent one at
    // the end of the grace, and the process is gone soon after.
    let idle_closed = closed_within(&mut kept, Duration::from_secs(5)).await.expect("keep-alive connection left open");
    assert!(idle_closed < Duration::from_secs(2), "idle connection closed after {idle_closed:?}");
    let half_closed = closed_within(&mut half, Duration::from_secs(8)).await.expect("half-sent request left open");
    assert!(half_closed + idle_closed >= Duration::from_millis(2500), "half-sent request closed before the grace");
    let status = tokio::time::timeout(Duration::from_secs(8), server.child.wait())
        .await
        .expect("no exit within the grace period after SIGTERM")
        .unwrap();
    assert!(status.success(), "{status:?}");
    assert!(started.elapsed() < Duration::from_secs(9), "exit took {:?}", started.elapsed());
}

/// The soft and hard open-file limits of process `pid`.
fn open_file_limits(pid: &str) -> (u64, u64) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = text.lines().find(|l| l.starts_with("Max open files")).unwrap();
    let mut n = line["Max open files".len()..].split_whitespace().map(|v| v.parse::<u64>().unwrap_or(u64::MAX));
    (n.next().unwrap(), n.next().unwrap())
}

/// Starts `sh -c SCRIPT` (which execs roster) and waits for its address.
async fn spawn_shell(script: &str, envs: &[(&str, &str)], log: &Path) -> process::Server {
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(process::binary())
        .envs(envs.iter().copied())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stderr));
    let mut seen = String::new();
    let url = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let line = lines.next_line().await.unwrap().unwrap_or_else(|| panic!("roster exited: {seen}"));
            seen.push_str(&line);
            seen.push('\n');
            if let Some(rest) = line.strip_prefix("roster: listening on ") {
                return rest.split_whitespace().next().unwrap().to_string();
            }
        }
    })
    .await
    .expect("no address in 30 s");
    std::fs::write(log, seen).unwrap();
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    process::Server { child, url, log: log.to_path_buf() }
}

#[tokio::test]
async fn the_soft_fd_limit_is_raised_to_the_hard_limit_at_start() {
    let (_, hard) = open_file_limits("self");
    if hard <= 512 {
        eprintln!("SKIPPED: the hard open-file limit ({hard}) leaves nothing to raise");
        return;
    }
    let tmp = TempDir::new().unwrap();
    let db = tmp.path().join("roster.db");
    let script = format!(
        "ulimit -Sn 512 && exec \"$0\" --db '{}' serve --listen 127.0.0.1:0",
        db.display().to_string().replace('\'', "")
    );
    let log = tmp.path().join("server.log");
    let server = spawn_shell(&script, &[("ROSTER_ADMIN_TOKEN", TOKEN)], &log).await;
    let pid = server.child.id().unwrap().to_string();
    assert_eq!(open_file_limits(&pid), (hard, hard), "the server's soft limit was not raised");
    assert!(std::fs::read_to_string(&log).unwrap().contains("raised the open-file limit"));
    server.kill().await;
}

#[tokio::test]
async fn the_admin_token_comes_from_a_file_and_the_command_line_flag_is_refused() {
    let tmp = TempDir::new().unwrap();
    let file = tmp.path().join("admin-token");
    let token = "rst_from-a-file-0123456789abcdefghijklmnop";
    std::fs::write(&file, format!("{token}\n")).unwrap();
    let db = tmp.path().join("roster.db");
    let script = format!(
        "exec \"$0\" --db '{}' serve --listen 127.0.0.1:0 --admin-token-file '{}'",
        db.display(),
        file.display()
    );
    let server = spawn_shell(&script, &[], &tmp.path().join("server.log")).await;
    let r = reqwest::Client::new()
        .get(format!("{}/wiki/rest/api/group", server.url))
        .header("Authorization", basic("admin@example.com", token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the token from the file does not sign in");
    let pid = server.child.id().unwrap();
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    assert!(!String::from_utf8_lossy(&cmdline).contains(token));
    server.kill().await;

    // Through ROSTER_ADMIN_TOKEN_FILE too, over the same store.
    let envs = [("ROSTER_ADMIN_TOKEN_FILE", file.to_str().unwrap())];
    let server = process::spawn(&db, &envs, &tmp.path().join("server2.log")).await;
    let r = reqwest::Client::new()
        .get(format!("{}/wiki/rest/api/group", server.url))
        .header("Authorization", basic("admin@example.com", token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    server.kill().await;

    let out = tokio::process::Command::new(process::binary())
        .arg("--db")
        .arg(&db)
        .args(["serve", "--listen", "127.0.0.1:0", "--admin-token", token])
        .env_remove("ROSTER_ADMIN_TOKEN")
        .output()
        .await
        .unwrap();
    assert!(!out.status.success(), "--admin-token was accepted");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ROSTER_ADMIN_TOKEN") && err.contains("--admin-token-file"), "{err}");
}
