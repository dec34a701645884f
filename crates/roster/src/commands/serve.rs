//! `roster serve`: raise the open-file limit, bind, load, create the first
//! admin if needed, serve until SIGINT or SIGTERM, then drain the
//! connections within the shutdown grace.

mod admin_token;

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::app::{self, ServeOptions};
use crate::cli::PolicyArgs;
use crate::connections::ConnectionArgs;
use crate::fdlimit;

/// Options of `roster serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "ROSTER_LISTEN", default_value = "127.0.0.1:8090")]
    pub listen: String,
    /// Public URL used in response links (default: http://LISTEN-ADDRESS).
    #[arg(long, env = "ROSTER_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// File whose first line is the token to register for the site admin
    /// `admin` (keep it readable by roster only). The token may instead be
    /// set in ROSTER_ADMIN_TOKEN; with neither, one is generated and printed
    /// on the first start.
    #[arg(long, env = "ROSTER_ADMIN_TOKEN_FILE")]
    pub admin_token_file: Option<PathBuf>,
    /// Refused: a token on the command line is visible to every local user.
    #[arg(long, hide = true)]
    pub admin_token: Option<String>,
    /// Per-caller request budget, LIMIT/SECONDS (e.g. 600/60): each caller
    /// (the account it signed in as, or its source address when it sent no
    /// valid credentials) may make LIMIT requests per SECONDS, refilled
    /// continuously. Off when unset.
    #[arg(long, env = "ROSTER_RATE_LIMIT")]
    pub rate_limit: Option<roster_http::middleware::ratelimit::RateLimit>,
    /// Accounts, and as many source addresses, whose budgets the rate limit
    /// keeps at most; beyond it, new callers share one budget until idle
    /// ones are forgotten.
    #[arg(long, env = "ROSTER_RATE_LIMIT_KEYS", default_value_t = roster_http::middleware::ratelimit::RateLimit::DEFAULT_MAX_KEYS,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit_keys: u32,
    /// Keep the store in a temporary directory, removed on exit (for
    /// test suites); `--db` is ignored.
    #[arg(long, env = "ROSTER_EPHEMERAL")]
    pub ephemeral: bool,
    /// Fixture files (YAML or JSON, docs/fixtures.md) or JSON lines, as
    /// `roster import` reads them, loaded before serving.
    #[arg(long, env = "ROSTER_SEED", value_delimiter = ',')]
    pub seed: Vec<String>,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Password hashes and checks (argon2) run at once; 0: one per core.
    #[arg(long, env = "ROSTER_PASSWORD_WORKERS", default_value_t = 0)]
    pub password_workers: usize,
    /// Password hashes and checks that may wait for a worker; beyond it
    /// sign-ins with a password get 503 with Retry-After at once.
    #[arg(long, env = "ROSTER_PASSWORD_QUEUE", default_value_t = 64)]
    pub password_queue: usize,
    #[command(flatten)]
    pub connections: ConnectionArgs,
    #[command(flatten)]
    pub testing: crate::testing::TestingArgs,
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// Runs the server until a shutdown signal.
pub async fn run(db: &str, a: ServeArgs, err: &mut dyn Write) -> anyhow::Result<()> {
    let admin_token = admin_token::resolve(
        a.admin_token.as_deref(),
        a.admin_token_file.as_deref(),
        std::env::var("ROSTER_ADMIN_TOKEN").ok(),
    )?;
    let soft = match fdlimit::raise() {
        Ok(limit) => limit.now,
        Err(e) => {
            tracing::warn!(error = %e, "cannot raise the open-file limit");
            fdlimit::current().map_or(1024, |(soft, _)| soft)
        }
    };
    let limits = a.connections.limits(soft);
    // Held until the server stops; dropping it removes an ephemeral store.
    let ephemeral = if a.ephemeral { Some(tempfile::TempDir::new()?) } else { None };
    let db = match &ephemeral {
        Some(dir) => dir.path().join("roster.db").to_string_lossy().into_owned(),
        None => db.to_string(),
    };
    let db = db.as_str();
    if !a.seed.is_empty() {
        let mut out = Vec::new();
        super::import::run(
            db,
            super::import::ImportArgs { files: a.seed.clone(), policy: a.policy.clone() },
            &mut out,
            err,
        )
        .await?;
        err.write_all(&out)?;
    }
    roster_core::directory::set_hash_limits(roster_core::directory::HashLimits {
        workers: a.password_workers,
        queue: a.password_queue,
    });
    let opts = ServeOptions {
        db: db.to_string(),
        listen: a.listen,
        public_url: a.public_url,
        policy: a.policy.policy(),
        admin_token,
        rate_limit: a
            .rate_limit
            .map(|r| roster_http::middleware::ratelimit::RateLimit { max_keys: a.rate_limit_keys, ..r }),
        seeded: !a.seed.is_empty(),
        testing: a.testing.options(a.ephemeral)?,
    };
    let running = app::start_with(&opts, limits, shutdown_signal()).await?;
    if let Some(token) = &running.new_admin_token {
        writeln!(err, "roster: created site admin admin@example.com (username admin)")?;
        writeln!(err, "roster: its API token, shown only this once: {token}")?;
        writeln!(err, "roster: try  curl -u admin@example.com:{token} {}/wiki/rest/api/group", running.url)?;
    }
    writeln!(err, "roster: listening on http://{} (store {})", running.addr, running.dir.store_description())?;
    err.flush()?;
    tracing::info!(
        max_connections = limits.max_connections,
        header_read_timeout_s = limits.header_read_timeout.as_secs_f64(),
        idle_timeout_s = limits.idle_timeout.as_secs_f64(),
        body_read_timeout_s = limits.body_read_timeout.as_secs_f64(),
        shutdown_grace_s = limits.shutdown_grace.as_secs_f64(),
        "connection limits"
    );
    running.task.await??;
    drop(ephemeral);
    Ok(())
}
