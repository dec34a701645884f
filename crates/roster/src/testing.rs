//! `roster serve`'s test-double options: the request journal's size
//! (`--journal-size`; 10,000 entries by default with `--ephemeral`, off
//! otherwise) and fault rules loaded at start (`--faults FILE`, JSON or
//! YAML), or no fault injection at all (`--no-faults`, `faults = false` in
//! roster.toml) for shared deployments.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use roster_http::faults::{parse_rules, RuleSpec};
use roster_http::journal::DEFAULT_SIZE;
use roster_http::AppState;

/// The flags.
#[derive(Debug, Clone, Args)]
pub struct TestingArgs {
    /// Requests the journal keeps (`GET /rest/roster/1.0/requests`); 0
    /// switches it off. Default: 10,000 with --ephemeral, off otherwise.
    #[arg(long, env = "ROSTER_JOURNAL_SIZE", value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    pub journal_size: Option<u64>,
    /// Fault rules to load at start: a JSON or YAML file (`.yaml`/`.yml`)
    /// holding a list of rules or `rules:` with one (docs/testing-with-roster.md).
    #[arg(long, env = "ROSTER_FAULTS")]
    pub faults: Option<PathBuf>,
    /// Switch fault injection off (the fault routes refuse new rules with
    /// 403): for shared deployments. `faults = false` in roster.toml.
    #[arg(long, env = "ROSTER_NO_FAULTS", conflicts_with = "faults")]
    pub no_faults: bool,
}

/// What the flags decided.
#[derive(Debug, Clone, Default)]
pub struct TestingOptions {
    /// Journal entries kept (0: off).
    pub journal_size: usize,
    /// Rules in force from the start.
    pub faults: Vec<RuleSpec>,
    pub no_faults: bool,
}

impl TestingArgs {
    /// The options, reading the rules file if one is named.
    pub fn options(&self, ephemeral: bool) -> anyhow::Result<TestingOptions> {
        let journal_size = match self.journal_size {
            Some(n) => n as usize,
            None if ephemeral => DEFAULT_SIZE,
            None => 0,
        };
        let faults = match &self.faults {
            None => Vec::new(),
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
                let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
                parse_rules(&text, yaml).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
            }
        };
        Ok(TestingOptions { journal_size, faults, no_faults: self.no_faults })
    }
}

impl TestingOptions {
    /// Puts the options in force on `state`.
    pub fn apply(&self, state: &AppState) -> anyhow::Result<()> {
        state.journal.configure(self.journal_size);
        if self.no_faults {
            state.faults.forbid();
        } else if !self.faults.is_empty() {
            state.faults.add(self.faults.clone()).map_err(|e| anyhow::anyhow!("fault rules: {e}"))?;
        }
        Ok(())
    }
}
