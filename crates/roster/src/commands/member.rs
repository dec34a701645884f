//! `roster member add|remove GROUP USER` (USER: account id, username or
//! e-mail address).

use std::io::Write;

use clap::Subcommand;
use roster_core::{Actor, Policy};

use super::find_user;
use crate::app::open_directory;

/// `roster member ...`
#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Add a user to a group.
    Add { group: String, user: String },
    /// Remove a user from a group.
    Remove { group: String, user: String },
}

/// Runs a member command.
pub async fn run(db: &str, c: MemberCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let dir = open_directory(db, Policy::default()).await?;
    let (group, user, add) = match &c {
        MemberCommand::Add { group, user } => (group, user, true),
        MemberCommand::Remove { group, user } => (group, user, false),
    };
    let admin = dir.admin(&Actor::System)?;
    let (g, u) = {
        let m = admin.reader();
        (m.group_by_name(group)?.group.id, find_user(&m, user)?.user.id)
    };
    if add {
        let added = admin.add_member(g, u).await?;
        writeln!(out, "{}", if added { "added" } else { "already a member: nothing changed" })?;
    } else {
        admin.remove_member(g, u).await?;
        writeln!(out, "removed")?;
    }
    Ok(())
}
