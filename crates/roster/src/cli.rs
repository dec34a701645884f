//! The command line. Every option also reads a `ROSTER_*` environment
//! variable; flags win over the environment.

use std::io::Write;

use clap::{Args, Parser, Subcommand};
use roster_core::Policy;

use crate::commands;

/// roster: Confluence's user and group REST APIs, with real state.
#[derive(Debug, Parser)]
#[command(name = "roster", version, about)]
pub struct Cli {
    /// Config file (default: ./roster.toml when it exists; also ROSTER_CONFIG).
    #[arg(long, global = true)]
    pub config: Option<String>,
    /// The store: a SQLite file path, or a postgres:// URL (several instances may share one).
    #[arg(long, global = true, env = "ROSTER_DB", default_value = "roster.db")]
    pub db: String,
    /// Log format: `text` or `json` (JSON lines on stderr).
    #[arg(long, global = true, env = "ROSTER_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,
    /// Check of a SQLite store before it is used: `quick` (quick_check, every page's structure), `full`
    /// (integrity_check, also every index against its table; slower) or `off` (to export what a damaged
    /// store still holds).
    #[arg(long, global = true, env = "ROSTER_INTEGRITY_CHECK", default_value = "quick", value_parser = ["off", "quick", "full"])]
    pub integrity_check: String,
    #[command(subcommand)]
    pub command: Command,
}

/// Access policy options shared by every command that opens a directory.
#[derive(Debug, Clone, Args)]
pub struct PolicyArgs {
    /// Let callers without credentials read (users, groups, members).
    #[arg(long, env = "ROSTER_ANONYMOUS_ACCESS")]
    pub anonymous_access: bool,
    /// Groups whose members may use the site ('Can use'), comma-separated.
    #[arg(long, env = "ROSTER_ACCESS_GROUPS", value_delimiter = ',', default_value = "confluence-users")]
    pub access_groups: Vec<String>,
    /// Groups whose members are site admins, comma-separated.
    #[arg(
        long,
        env = "ROSTER_ADMIN_GROUPS",
        value_delimiter = ',',
        default_value = "site-admins,confluence-administrators"
    )]
    pub admin_groups: Vec<String>,
    /// Switch the snapshot routes off (answered 403): for shared
    /// deployments, where a restore would undo everyone's changes.
    /// `snapshots = false` in roster.toml.
    #[arg(long, env = "ROSTER_NO_SNAPSHOTS")]
    pub no_snapshots: bool,
}

impl PolicyArgs {
    /// The policy these options describe.
    pub fn policy(&self) -> Policy {
        Policy {
            anonymous_access: self.anonymous_access,
            access_groups: self.access_groups.clone(),
            admin_groups: self.admin_groups.clone(),
            snapshots: !self.no_snapshots,
        }
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP APIs.
    Serve(Box<commands::serve::ServeArgs>),
    /// Write users, groups and memberships as JSON lines (the import format).
    Export(commands::export::ExportArgs),
    /// Load users, groups and memberships from JSON lines files.
    Import(commands::import::ImportArgs),
    /// Read users, groups and memberships of a live Confluence site (Cloud
    /// or Data Center) into a fixture file (--out) or the store (--import).
    Clone(Box<commands::clone::CloneArgs>),
    /// Print the default configuration file (`roster config print-default`).
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Create or list users.
    #[command(subcommand)]
    User(commands::user::UserCommand),
    /// Create or list groups.
    #[command(subcommand)]
    Group(commands::group::GroupCommand),
    /// Add or remove group members.
    #[command(subcommand)]
    Member(commands::member::MemberCommand),
    /// Issue API tokens.
    #[command(subcommand)]
    Token(commands::token::TokenCommand),
    /// Print the audit log, newest first.
    Audit(commands::audit::AuditArgs),
    /// Copy everything from one store to another, empty one (SQLite to PostgreSQL).
    MigrateStore(commands::migrate_store::MigrateStoreArgs),
    /// Put the directory back to the seed state (or a named snapshot).
    Reset(commands::reset::ResetArgs),
    /// List what changed since the seed state (or a named snapshot).
    Diff(commands::diff::DiffArgs),
    /// Save, load and list snapshots (files a suite can ship).
    #[command(subcommand)]
    Snapshot(commands::snapshot::SnapshotCommand),
}

/// `roster config ...`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a commented roster.toml with every setting and its default.
    PrintDefault,
}

/// Runs the command line `args` (program name first), writing results to
/// `out` and diagnostics to `err`.
pub async fn run(mut args: Vec<String>, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    crate::config::apply(&mut args)?;
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) if !e.use_stderr() => {
            write!(out, "{e}")?;
            return Ok(());
        }
        Err(e) => return Err(anyhow::anyhow!("{e}")),
    };
    let check = cli.integrity_check.parse().map_err(|e: String| anyhow::anyhow!(e))?;
    roster_store::sqlite::with_start_check(check, dispatch(cli, out, err)).await
}

/// Runs the parsed command.
async fn dispatch(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    match cli.command {
        Command::Config(ConfigCommand::PrintDefault) => {
            write!(out, "{}", crate::config::EXAMPLE)?;
            Ok(())
        }
        Command::Serve(a) => commands::serve::run(&cli.db, *a, err).await,
        Command::Export(a) => commands::export::run(&cli.db, a, out, err).await,
        Command::Import(a) => commands::import::run(&cli.db, a, out, err).await,
        Command::Clone(a) => commands::clone::run(&cli.db, *a, out, err).await,
        Command::User(c) => commands::user::run(&cli.db, c, out).await,
        Command::Group(c) => commands::group::run(&cli.db, c, out).await,
        Command::Member(c) => commands::member::run(&cli.db, c, out).await,
        Command::Token(c) => commands::token::run(&cli.db, c, out).await,
        Command::Audit(a) => commands::audit::run(&cli.db, a, out).await,
        Command::MigrateStore(a) => commands::migrate_store::run(a, out, err).await,
        Command::Reset(a) => commands::reset::run(&cli.db, a, out).await,
        Command::Diff(a) => commands::diff::run(&cli.db, a, out).await,
        Command::Snapshot(c) => commands::snapshot::run(&cli.db, c, out).await,
    }
}
