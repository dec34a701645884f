//! `roster group create|list`.

use std::io::Write;

use clap::Subcommand;
use roster_core::{Actor, Policy};

use crate::app::open_directory;

/// `roster group ...`
#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Create a group.
    Create { name: String },
    /// List groups with their member counts.
    List {
        #[arg(long, default_value_t = 1000)]
        limit: usize,
    },
}

/// Runs a group command.
pub async fn run(db: &str, c: GroupCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let dir = open_directory(db, Policy::default()).await?;
    match c {
        GroupCommand::Create { name } => {
            let g = dir.admin(&Actor::System)?.create_group(&name).await?;
            writeln!(out, "created group {} (id {})", g.name, g.uuid)?;
        }
        GroupCommand::List { limit } => {
            let m = dir.reader(&Actor::System)?;
            for g in m.groups_by_name().take(limit) {
                writeln!(out, "{}\t{}\t{} members", g.group.name, g.group.uuid, g.members.len())?;
            }
            writeln!(out, "{} groups", m.group_count())?;
        }
    }
    Ok(())
}
