//! `roster token create USER`: issues an API token and prints it once.

use std::io::Write;

use clap::Subcommand;
use roster_core::{Actor, Policy};

use super::find_user;
use crate::app::open_directory;

/// `roster token ...`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Issue a new API token for USER (account id, username or e-mail).
    Create {
        user: String,
        #[arg(long, default_value = "cli")]
        label: String,
    },
}

/// Runs a token command.
pub async fn run(db: &str, c: TokenCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let dir = open_directory(db, Policy::default()).await?;
    let TokenCommand::Create { user, label } = c;
    let admin = dir.admin(&Actor::System)?;
    let uid = find_user(&admin.reader(), &user)?.user.id;
    let token = admin.issue_token(uid, &label).await?;
    writeln!(out, "{token}")?;
    Ok(())
}
