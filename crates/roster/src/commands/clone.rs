//! `roster clone --from URL`: reads the users, groups and memberships of a
//! live Confluence site through its public REST API (Cloud v1; Data Center's
//! `/rest/api`, with the Extender app when it is there) and writes them as a
//! fixture (`--out FILE`, docs/fixtures.md) or merges them into the store
//! (`--import`) through the path `roster import` takes. Nothing is written
//! until the whole site has been read and the fixture it makes checked, and
//! the file is replaced in one rename.

mod args;
mod cloud;
mod dc;
mod fixture;
mod http;
mod paging;
mod progress;
mod site;

use std::io::Write;

use anyhow::{bail, Context};
use roster_core::fixtures;

pub use args::{CloneArgs, Flavor};

use crate::app::open_or_create_directory;
use crate::commands::import::{self, Loaded};
use http::Client;
use progress::{thousands, Progress};

/// Runs the clone.
pub async fn run(db: &str, a: CloneArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    if a.out.is_none() && !a.import {
        bail!("say where the clone goes: --out FILE (a fixture file) or --import (into the store, --db)");
    }
    if let Some(dir) = a.out.as_deref().and_then(|p| std::path::Path::new(p).parent()) {
        // Found out now, not after reading the whole site.
        if !dir.as_os_str().is_empty() && !dir.is_dir() {
            bail!("--out: no directory {} to write into", dir.display());
        }
    }
    let secret = a.secret()?;
    let flavor = a.flavor.unwrap_or_else(|| Flavor::guess(&a.from));
    let root = args::site_root(&a.from, flavor)?;
    let (site, text) = {
        let progress = Progress::new(err, a.progress_every);
        let client = Client::new(&root, a.user.as_deref(), &secret, a.max_attempts, &progress)?;
        progress.line(format_args!("reading {root} as Confluence {}", flavor.name()));
        let site = match flavor {
            Flavor::Cloud => cloud::read(&client, &progress, a.concurrency as usize).await?,
            Flavor::Dc => dc::read(&client, &progress, a.concurrency as usize).await?,
        };
        progress.finished(&site);
        let text = fixture::render(&site, &root);
        (site, text)
    };
    let policy = a.policy.policy();
    let standing: Vec<String> = policy.access_groups.iter().chain(&policy.admin_groups).cloned().collect();
    let name = a.out.clone().unwrap_or_else(|| "clone.yaml".into());
    // Checked as `roster import` would check the file, before anything is written.
    let plan = fixtures::parse([(name.as_str(), text.as_str())], &standing)
        .map_err(|p| anyhow::anyhow!("what the site holds does not make a valid fixture; nothing was written:\n{p}"))?;
    if let Some(path) = &a.out {
        fixture::save(path, &text).with_context(|| format!("writing {path}"))?;
        writeln!(
            err,
            "roster: clone: wrote {path}: {} users, {} groups, {} memberships",
            thousands(site.users.len() as u64),
            thousands(site.groups.len() as u64),
            thousands(site.membership_count() as u64)
        )?;
    }
    if a.import {
        let dir = open_or_create_directory(db, policy).await?;
        import::apply(&dir, Loaded { records: None, fixtures: Some(plan) }, out, err).await?;
    }
    Ok(())
}
