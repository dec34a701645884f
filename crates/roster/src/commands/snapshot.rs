//! `roster snapshot save|load|list`: snapshot files, so a suite can ship
//! its starting state. `save FILE` writes the directory as it is (or a kept
//! snapshot, `--from`) as versioned JSON (password hashes and token
//! digests, never secrets in clear); `load FILE` checks the file (a bad
//! one changes nothing), keeps it as the seed (or `--name`) and puts the
//! directory in its state unless `--no-restore`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use roster_core::snapshots::Shelf;
use roster_core::{Actor, Policy};

use crate::app::open_directory;

/// `roster snapshot ...`
#[derive(Debug, Subcommand)]
pub enum SnapshotCommand {
    /// Write the directory (or a kept snapshot) to FILE.
    Save {
        file: PathBuf,
        /// A kept snapshot, by name or number, instead of the directory as it is.
        #[arg(long)]
        from: Option<String>,
    },
    /// Check FILE, keep it as the seed (or --name) and restore it.
    Load {
        file: PathBuf,
        /// Keep it under this name instead of `seed`.
        #[arg(long)]
        name: Option<String>,
        /// Only keep it; leave the directory as it is.
        #[arg(long)]
        no_restore: bool,
    },
    /// List the kept snapshots, oldest first.
    List,
}

/// Runs a snapshot command.
pub async fn run(db: &str, c: SnapshotCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let dir = open_directory(db, Policy::default()).await?;
    let shelf = Shelf::default();
    match c {
        SnapshotCommand::Save { file, from } => {
            let bytes = shelf.save_file(&dir, &Actor::System, from.as_deref()).await?;
            std::fs::write(&file, &bytes).with_context(|| format!("writing {}", file.display()))?;
            writeln!(out, "wrote {} ({} bytes)", file.display(), bytes.len())?;
        }
        SnapshotCommand::Load { file, name, no_restore } => {
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let (info, changes) = shelf
                .load_file(&dir, &Actor::System, &bytes, name.as_deref(), !no_restore)
                .await
                .with_context(|| format!("loading {}", file.display()))?;
            let name = info.name.clone().unwrap_or_default();
            writeln!(
                out,
                "kept {} as snapshot {name} (id {}): {} users, {} groups, {} memberships",
                file.display(),
                info.id,
                info.users,
                info.groups,
                info.memberships
            )?;
            if let Some(c) = changes {
                writeln!(out, "restored: {}", c.audit_detail(info.created_ms))?;
            }
        }
        SnapshotCommand::List => {
            for i in shelf.list(&dir, &Actor::System).await? {
                writeln!(
                    out,
                    "{}\t{}\t{} users\t{} groups\t{} memberships\t{}",
                    i.id,
                    i.name.as_deref().unwrap_or("-"),
                    i.users,
                    i.groups,
                    i.memberships,
                    i.created_ms
                )?;
            }
        }
    }
    Ok(())
}
