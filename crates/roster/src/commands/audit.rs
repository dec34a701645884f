//! `roster audit`: prints the audit log, newest first, one tab-separated
//! line per record (time, actor, source, action, outcome, target, member,
//! detail), or JSON lines in Cloud's audit shape with `--json`.

use std::io::Write;

use clap::Args;
use roster_core::audit::AuditQuery;
use roster_core::{Actor, Policy};

use crate::app::open_directory;

/// Options of `roster audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only records at or after this time (epoch milliseconds).
    #[arg(long)]
    pub since: Option<i64>,
    /// Only records at or before this time (epoch milliseconds).
    #[arg(long)]
    pub until: Option<i64>,
    /// Only records mentioning this text (actor, target, action, source, detail).
    #[arg(long)]
    pub search: Option<String>,
    /// Show at most this many.
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
    /// Print JSON lines (Cloud's audit record shape) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `roster audit`.
pub async fn run(db: &str, a: AuditArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let dir = open_directory(db, Policy::default()).await?;
    let query = AuditQuery { start_ms: a.since, end_ms: a.until, search: a.search, start: 0, limit: a.limit };
    let page = dir.admin(&Actor::System)?.audit_log(query).await?;
    for r in &page.records {
        if a.json {
            writeln!(out, "{}", roster_http::operations::audit::render(r))?;
        } else {
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}\t{} {}\t{}\t{}",
                r.at_ms, r.actor, r.source, r.action, r.outcome, r.target_kind, r.target, r.object, r.detail
            )?;
        }
    }
    Ok(())
}
