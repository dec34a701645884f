//! `roster reset [--to NAME]`: puts the whole directory back to the seed
//! state (or to a named snapshot) on the store directly, as the `System`
//! actor. A server running over the same SQLite file notices the commit
//! (`pragma data_version`) and reloads; over PostgreSQL, through the
//! change log.

use std::io::Write;

use clap::Args;
use roster_core::snapshots::Shelf;
use roster_core::{Actor, Policy};

use crate::app::open_directory;

/// Options of `roster reset`.
#[derive(Debug, Args)]
pub struct ResetArgs {
    /// The snapshot to go back to, by name or number (default: the seed state).
    #[arg(long)]
    pub to: Option<String>,
}

/// Runs `roster reset`.
pub async fn run(db: &str, a: ResetArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let dir = open_directory(db, Policy::default()).await?;
    let (info, changes) = Shelf::default().reset(&dir, &Actor::System, a.to.as_deref()).await?;
    let name = info.name.clone().unwrap_or_else(|| info.id.to_string());
    writeln!(out, "reset to snapshot {name}: {}", changes.audit_detail(info.created_ms))?;
    Ok(())
}
