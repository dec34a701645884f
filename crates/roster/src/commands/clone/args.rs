//! `roster clone`'s options, where the secret comes from, and the site's
//! root URL as the readers use it.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};

use crate::cli::PolicyArgs;

/// Which API family the site speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Flavor {
    /// Confluence Cloud: REST v1 under /wiki/rest/api.
    Cloud,
    /// Confluence Data Center: /rest/api, and the Extender app's /rest/extender/1.0 when present.
    Dc,
}

impl Flavor {
    /// Cloud for `*.atlassian.net` and addresses ending in `/wiki` (where
    /// Cloud serves Confluence); Data Center otherwise.
    pub fn guess(url: &str) -> Flavor {
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let host = rest.split(['/', ':']).next().unwrap_or("");
        if host.ends_with(".atlassian.net") || url.trim_end_matches('/').ends_with("/wiki") {
            Flavor::Cloud
        } else {
            Flavor::Dc
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Flavor::Cloud => "Cloud",
            Flavor::Dc => "Data Center",
        }
    }
}

/// Options of `roster clone`.
#[derive(Debug, Args)]
pub struct CloneArgs {
    /// The site: https://SITE.atlassian.net (Cloud), or a Data Center base
    /// URL with its context path (https://wiki.example.com/confluence).
    #[arg(long, value_name = "URL")]
    pub from: String,
    /// The login: on Cloud your account's e-mail address, on Data Center a
    /// username. Without it the token is sent as a Bearer token (a Data
    /// Center personal access token).
    #[arg(long, env = "ROSTER_CLONE_USER", value_name = "LOGIN")]
    pub user: Option<String>,
    /// The API token (Cloud) or password or personal access token (Data
    /// Center). A command line can be read by other local users: prefer
    /// ROSTER_CLONE_TOKEN or --token-file.
    #[arg(long, env = "ROSTER_CLONE_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Read the token from this file (its first line).
    #[arg(long, conflicts_with = "token", value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// The API family: `cloud` or `dc`. Default: cloud for *.atlassian.net
    /// and URLs ending in /wiki, dc otherwise.
    #[arg(long, value_enum)]
    pub flavor: Option<Flavor>,
    /// Write the site as a fixture file (YAML, docs/fixtures.md); the file
    /// is replaced only once the whole site has been read.
    #[arg(long, value_name = "FILE")]
    pub out: Option<String>,
    /// Import the site straight into the store (--db), merged as `roster
    /// import` merges: groups by name, users by account id, username or e-mail.
    #[arg(long)]
    pub import: bool,
    /// Requests in flight at once (the member lists of several groups).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=16))]
    pub concurrency: u64,
    /// Attempts per request: 429, 502, 503, 504 and dropped connections are
    /// retried (after the Retry-After the site asks for, else a growing pause).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=30))]
    pub max_attempts: u32,
    /// A progress line on stderr every N pages read.
    #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u64).range(1..))]
    pub progress_every: u64,
    /// The access and admin groups of the store imported into (--import).
    #[command(flatten)]
    pub policy: PolicyArgs,
}

impl CloneArgs {
    /// The token, from --token (or ROSTER_CLONE_TOKEN) or --token-file.
    pub fn secret(&self) -> anyhow::Result<String> {
        if let Some(t) = &self.token {
            return Ok(t.clone());
        }
        let Some(path) = &self.token_file else {
            bail!("give the site's API token: ROSTER_CLONE_TOKEN, --token-file FILE or --token TOKEN");
        };
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let token = text.lines().next().unwrap_or("").trim().to_string();
        if token.is_empty() {
            bail!("{} holds no token", path.display());
        }
        Ok(token)
    }
}

/// The URL the API paths are appended to: `--from` without a trailing `/`
/// and, for Cloud, without the `/wiki` the API paths start with.
pub fn site_root(from: &str, flavor: Flavor) -> anyhow::Result<String> {
    let lower = from.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        bail!("--from must be the site's address, starting with https:// (or http://): {from}");
    }
    if from.contains(['?', '#']) {
        bail!("--from must be the site's base address, without a query: {from}");
    }
    let authority = from.split_once("://").map_or("", |(_, rest)| rest.split('/').next().unwrap_or(""));
    if authority.contains('@') {
        // The address is written into the fixture's first line: no secrets in it.
        bail!("--from must not carry credentials: give them with --user and ROSTER_CLONE_TOKEN (or --token-file)");
    }
    let mut root = from.trim_end_matches('/');
    if flavor == Flavor::Cloud {
        root = root.strip_suffix("/wiki").unwrap_or(root);
    }
    Ok(root.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flavour_is_guessed_from_the_address_and_the_root_loses_wiki() {
        assert_eq!(Flavor::guess("https://acme.atlassian.net"), Flavor::Cloud);
        assert_eq!(Flavor::guess("http://127.0.0.1:8090/wiki/"), Flavor::Cloud);
        assert_eq!(Flavor::guess("https://wiki.example.com/confluence"), Flavor::Dc);
        assert_eq!(site_root("https://acme.atlassian.net/wiki/", Flavor::Cloud).unwrap(), "https://acme.atlassian.net");
        assert_eq!(site_root("https://h/confluence/", Flavor::Dc).unwrap(), "https://h/confluence");
        assert!(site_root("acme.atlassian.net", Flavor::Cloud).is_err());
        assert!(site_root("https://me:secret@acme.atlassian.net", Flavor::Cloud).is_err());
    }
}
