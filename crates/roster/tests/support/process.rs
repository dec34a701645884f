//! The real `roster` binary as a child process: started on 127.0.0.1:0
//! over a given store file, its address read from the `roster: listening on
//! http://ADDR` line on stderr, every stderr line kept in a log file (the
//! secrets test scans it). Shared by the crash test and the API suite.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use std::io::Write;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A running `roster serve`.
pub struct Server {
    pub child: Child,
    pub url: String,
    pub log: PathBuf,
}

/// The binary cargo built for this test run.
pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_roster")
}

/// Runs `roster --db DB ARGS...` to completion and returns its stdout.
pub async fn run_cli(db: &Path, args: &[&str], envs: &[(&str, &str)]) -> String {
    let out = Command::new(binary())
        .arg("--db")
        .arg(db)
        .args(args)
        .envs(envs.iter().copied())
        .env_remove("ROSTER_DB")
        .output()
        .await
        .expect("run roster");
    assert!(out.status.success(), "roster {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Starts `roster serve` over `db` with `envs`, appending stderr to `log`.
pub async fn spawn(db: &Path, envs: &[(&str, &str)], log: &Path) -> Server {
    let mut child = Command::new(binary())
        .arg("--db")
        .arg(db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .envs(envs.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start roster serve");
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(log).unwrap();
    let url = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let line = lines.next_line().await.unwrap().expect("roster exited before listening");
            writeln!(file, "{line}").unwrap();
            if let Some(rest) = line.strip_prefix("roster: listening on ") {
                return rest.split_whitespace().next().unwrap().to_string();
            }
        }
    })
    .await
    .expect("roster did not report its address in 30 s");
    // Keep draining stderr into the log so the pipe never fills.
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            // Small appends from a test: blocking I/O is fine here.
            if writeln!(file, "{line}").is_err() {
                break;
            }
        }
    });
    Server { child, url, log: log.to_path_buf() }
}

impl Server {
    /// SIGKILL, and wait until the process is gone.
    pub async fn kill(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }

    /// SIGTERM (graceful), and wait until the process is gone.
    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill").arg("-TERM").arg(pid.to_string()).status();
        }
        let _ = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
        let _ = self.child.start_kill();
    }
}
