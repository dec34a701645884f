//! `roster migrate-store --from SRC --to DST`: copies every user, group,
//! membership and API token from one store to another (typically a SQLite
//! file to PostgreSQL), keeping internal ids, password hashes, token
//! digests and sign-in times, in one transaction on the target. The
//! target must be empty (a fresh database), so nothing is ever merged or
//! overwritten by accident. The source is only read. The audit log is not
//! copied: it stays with the source as history.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context};
use clap::Args;

use crate::app::open_store;

/// Options of `roster migrate-store`.
#[derive(Debug, Args)]
pub struct MigrateStoreArgs {
    /// The store to copy from: a SQLite file or a postgres:// URL.
    #[arg(long)]
    pub from: String,
    /// The empty store to copy into: a SQLite file or a postgres:// URL.
    #[arg(long)]
    pub to: String,
}

/// Runs the migration.
pub async fn run(a: MigrateStoreArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let is_file = !roster_store::postgres::is_postgres_url(&a.from);
    if is_file && !Path::new(a.from.strip_prefix("sqlite://").unwrap_or(&a.from)).exists() {
        bail!("the source store {} does not exist", a.from);
    }
    let from = open_store(&a.from)?;
    let to = open_store(&a.to)?;
    let existing = to.snapshot().await.with_context(|| format!("reading the target store {}", to.describe()))?;
    if !existing.users.is_empty() || !existing.groups.is_empty() {
        bail!(
            "the target store {} is not empty ({} users, {} groups); migrate into a fresh database",
            to.describe(),
            existing.users.len(),
            existing.groups.len()
        );
    }
    writeln!(err, "roster: reading {}...", from.describe())?;
    let snapshot = from.snapshot().await.with_context(|| format!("reading the source store {}", from.describe()))?;
    let counts = |s: &roster_records::Snapshot| (s.users.len(), s.groups.len(), s.memberships.len(), s.tokens.len());
    let want = counts(&snapshot);
    writeln!(err, "roster: writing {} (one transaction)...", to.describe())?;
    to.replace_all(snapshot).await.with_context(|| format!("writing the target store {}", to.describe()))?;
    let got = counts(&to.snapshot().await?);
    if got != want {
        bail!("the target store holds {got:?} (users, groups, memberships, tokens) after copying {want:?}");
    }
    writeln!(
        out,
        "migrated {} users, {} groups, {} memberships and {} tokens from {} to {}",
        want.0,
        want.1,
        want.2,
        want.3,
        from.describe(),
        to.describe()
    )?;
    Ok(())
}
