//! `roster diff [--since NAME] [--json]`: what changed since a snapshot
//! (default: the seed state), by name, in the order the HTTP diff uses.
//! Text is one line per change (`+user`, `-member`, ...); `--json` prints
//! what `GET /rest/roster/1.0/diff` answers.

use std::io::Write;

use clap::Args;
use roster_core::snapshots::diff::UserRef;
use roster_core::snapshots::Shelf;
use roster_core::{Actor, Policy};

use crate::app::open_directory;

/// Options of `roster diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The snapshot to compare with, by name or number (default: the seed state).
    #[arg(long)]
    pub since: Option<String>,
    /// Print the JSON the HTTP diff answers.
    #[arg(long)]
    pub json: bool,
}

fn who(u: &UserRef) -> String {
    match &u.username {
        Some(name) => format!("{name} ({})", u.account_id),
        None => u.account_id.clone(),
    }
}

/// Runs `roster diff`.
pub async fn run(db: &str, a: DiffArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let dir = open_directory(db, Policy::default()).await?;
    let (info, d) = Shelf::default().diff(&dir, &Actor::System, a.since.as_deref()).await?;
    if a.json {
        writeln!(out, "{}", roster_http::operations::reset::diff_json(&info, &d))?;
        return Ok(());
    }
    let since = info.name.clone().unwrap_or_else(|| info.id.to_string());
    if d.is_empty() {
        writeln!(out, "no changes since snapshot {since}")?;
        return Ok(());
    }
    writeln!(out, "changes since snapshot {since}:")?;
    for u in &d.users_added {
        writeln!(out, "+user {}", who(u))?;
    }
    for (u, fields) in &d.users_changed {
        writeln!(out, "~user {} {}", who(u), fields.join(","))?;
    }
    for u in &d.users_deactivated {
        writeln!(out, "~user {} deactivated", who(u))?;
    }
    for u in &d.users_reactivated {
        writeln!(out, "~user {} reactivated", who(u))?;
    }
    for u in &d.users_removed {
        writeln!(out, "-user {}", who(u))?;
    }
    for g in &d.groups_created {
        writeln!(out, "+group {g}")?;
    }
    for g in &d.groups_deleted {
        writeln!(out, "-group {g}")?;
    }
    let member = |m: &roster_core::snapshots::diff::MemberRef| match &m.username {
        Some(name) => format!("{} {name} ({})", m.group, m.account_id),
        None => format!("{} {}", m.group, m.account_id),
    };
    for m in &d.memberships_added {
        writeln!(out, "+member {}", member(m))?;
    }
    for m in &d.memberships_removed {
        writeln!(out, "-member {}", member(m))?;
    }
    for t in &d.tokens_issued {
        writeln!(out, "+token {} {}", t.account_id, t.fingerprint)?;
    }
    for t in &d.tokens_revoked {
        writeln!(out, "-token {} {}", t.account_id, t.fingerprint)?;
    }
    Ok(())
}
