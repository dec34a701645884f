//! `roster user create|list`.

use std::io::Write;

use clap::{Args, Subcommand};
use roster_core::directory::{Joins, UserInput};
use roster_core::{Actor, Policy};

use crate::app::open_directory;

/// `roster user ...`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user.
    Create(CreateUser),
    /// List users.
    List {
        /// Show at most this many.
        #[arg(long, default_value_t = 1000)]
        limit: usize,
    },
}

/// Options of `roster user create`.
#[derive(Debug, Args)]
pub struct CreateUser {
    /// Display name ("full name").
    #[arg(long)]
    pub display_name: String,
    /// E-mail address (the Basic-auth login for API tokens).
    #[arg(long)]
    pub email: String,
    /// Data Center username (lower case).
    #[arg(long)]
    pub username: Option<String>,
    /// Cloud account id (generated when absent).
    #[arg(long)]
    pub account_id: Option<String>,
    /// Password (for Basic username:password); read from ROSTER_PASSWORD.
    #[arg(long, env = "ROSTER_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// Groups to join, comma-separated (default: confluence-users).
    #[arg(long, value_delimiter = ',', default_value = "confluence-users")]
    pub groups: Vec<String>,
}

/// Runs a user command.
pub async fn run(db: &str, c: UserCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let dir = open_directory(db, Policy::default()).await?;
    match c {
        UserCommand::Create(a) => {
            let input = UserInput {
                account_id: a.account_id,
                username: a.username,
                display_name: a.display_name,
                email: a.email,
                password: a.password,
                active: true,
                ..UserInput::default()
            };
            let groups: Vec<String> = a.groups.into_iter().filter(|g| !g.is_empty()).collect();
            let u = dir.admin(&Actor::System)?.create_user(&input, Joins::Groups(groups)).await?;
            writeln!(out, "created user {} ({})", u.account_id, u.display_name)?;
        }
        UserCommand::List { limit } => {
            let m = dir.reader(&Actor::System)?;
            writeln!(out, "{:<44} {:<16} {:<32} EMAIL", "ACCOUNT ID", "USERNAME", "DISPLAY NAME")?;
            for e in m.users().take(limit) {
                let u = &e.user;
                writeln!(
                    out,
                    "{:<44} {:<16} {:<32} {}{}",
                    u.account_id,
                    u.username.as_deref().unwrap_or("-"),
                    u.display_name,
                    u.email,
                    if u.active { "" } else { " (deactivated)" }
                )?;
            }
            writeln!(out, "{} users", m.user_count())?;
        }
    }
    Ok(())
}
