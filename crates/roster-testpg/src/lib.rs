//! A throwaway PostgreSQL cluster for tests: `initdb` into a temp directory,
//! `pg_ctl` on a free loopback port, one cluster per test process, and a
//! fresh database per caller. A watchdog shell, fed by a pipe from this
//! process, stops the cluster and removes its directory when the process
//! exits for any reason (even a panic or a kill), since Rust never drops
//! statics.
//!
//! Without PostgreSQL's binaries the suites skip loudly; with `CI` set they
//! fail instead, so a CI machine cannot pass by skipping.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// A running cluster; the superuser `postgres` connects without a password.
pub struct Cluster {
    pub port: u16,
    pub dir: PathBuf,
    _watchdog: Mutex<(Child, ChildStdin)>,
}

static CLUSTER: OnceLock<Option<Cluster>> = OnceLock::new();
static NEXT_DB: AtomicUsize = AtomicUsize::new(0);

/// The process's cluster, started on first use. `None` (after a loud
/// message on stderr) when PostgreSQL is not installed and `CI` is unset;
/// panics when it cannot start, or is missing under CI.
pub fn cluster(suite: &str) -> Option<&'static Cluster> {
    let c = CLUSTER.get_or_init(|| match bin_dir() {
        Some(bin) => Some(Cluster::start(&bin, false).unwrap_or_else(|e| panic!("cannot start PostgreSQL: {e}"))),
        None if std::env::var_os("CI").is_some() => {
            panic!("CI is set but PostgreSQL's initdb is not on the PATH (nor in /usr/lib/postgresql/*/bin)")
        }
        None => None,
    });
    if c.is_none() {
        eprintln!(
            "\n!!!!!!!! SKIPPED {suite}: PostgreSQL (initdb, pg_ctl) not found; install postgresql to run it !!!!!!!!\n"
        );
    }
    c.as_ref()
}

/// Whether the tests were asked to run against PostgreSQL
/// (`ROSTER_TEST_POSTGRES` set to anything but `0` or empty).
pub fn requested() -> bool {
    std::env::var("ROSTER_TEST_POSTGRES").map(|v| !v.is_empty() && v != "0").unwrap_or(false)
}

/// Where `initdb` lives: on the PATH, or Debian's versioned directory.
pub fn bin_dir() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file());
    on_path.or_else(|| {
        let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|b| b.join("initdb").is_file())
            .collect();
        found.sort();
        found.pop()
    })
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| o.stdout.trim_ascii() == b"0").unwrap_or(false)
}

/// `program` run as the `postgres` user when we are root (initdb refuses
/// to run as root), else as ourselves.
fn as_owner(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn run(mut cmd: Command, what: &str) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

impl Cluster {
    /// Creates and starts a cluster with the binaries in `bin`. `durable`
    /// keeps fsync on (for measurements); tests turn it off for speed.
    pub fn start(bin: &Path, durable: bool) -> Result<Cluster, String> {
        let dir = tempfile::Builder::new().prefix("roster-pg-").tempdir().map_err(|e| e.to_string())?.keep();
        if is_root() {
            run(
                {
                    let mut c = Command::new("chown");
                    c.arg("postgres:").arg(&dir);
                    c
                },
                "chown",
            )?;
        }
        let data = dir.join("data");
        let mut initdb = as_owner(&bin.join("initdb"));
        initdb.arg("-D").arg(&data).args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "-N"]);
        run(initdb, "initdb")?;
        let port = free_port()?;
        let mut opts = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c max_connections=300 -c shared_buffers=128MB",
            dir.display()
        );
        if !durable {
            opts.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        let mut start = as_owner(&bin.join("pg_ctl"));
        start.arg("-D").arg(&data).arg("-l").arg(dir.join("log")).args(["-w", "-t", "60", "-o", &opts, "start"]);
        start.stdin(Stdio::null());
        if let Err(e) = run(start, "pg_ctl start") {
            let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
            let _ = std::fs::remove_dir_all(&dir);
            return Err(format!("{e}\n{log}"));
        }
        // The watchdog waits for end-of-file on its stdin (our exit), then
        // stops the cluster and removes its directory.
        let pg_ctl = format!("{:?} -D {:?} -m immediate stop", bin.join("pg_ctl"), data);
        let stop_cmd = if is_root() { format!("runuser -u postgres -- {pg_ctl}") } else { pg_ctl };
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("read _ ; {stop_cmd} >/dev/null 2>&1; rm -rf {:?}", dir))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("watchdog: {e}"))?;
        let stdin = child.stdin.take().ok_or("watchdog stdin")?;
        Ok(Cluster { port, dir, _watchdog: Mutex::new((child, stdin)) })
    }

    /// The connection URL of database `db`.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// Creates a fresh, empty database and returns its URL.
    pub async fn create_database(&self) -> String {
        let name = format!("roster_{}_{}", std::process::id(), NEXT_DB.fetch_add(1, Ordering::Relaxed));
        let (client, conn) =
            tokio_postgres::connect(&self.url("postgres"), tokio_postgres::NoTls).await.expect("connect to cluster");
        let task = tokio::spawn(conn);
        client.batch_execute(&format!("create database {name}")).await.expect("create database");
        drop(client);
        let _ = task.await;
        self.url(&name)
    }

    /// Stops the cluster now (it is otherwise stopped when the process exits).
    pub fn stop(&self) {
        if let Ok(mut w) = self._watchdog.lock() {
            let _ = w.1.write_all(b"\n");
            let _ = w.1.flush();
            let _ = w.0.wait();
        }
    }
}
