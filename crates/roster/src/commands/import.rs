//! `roster import FILE...`: fixture files (YAML or JSON, docs/fixtures.md)
//! and the dataset generator's JSON lines. Every file is read and validated
//! before anything is written, and a bad fixture reports every problem
//! with its `file:line: field`. The merge into what the store holds
//! (groups by name, users by account id, username or e-mail) is the
//! directory's `Admin::import` and `Admin::import_records`, run as the
//! system. [`read`] and [`apply`] are the two halves, for callers that
//! hold a directory already (seeding a running server).

mod jsonl;

use std::io::Write;
use std::time::Instant;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use roster_core::directory::FixtureReport;
use roster_core::fixtures::{self, Plan};
use roster_core::import::ImportSet;
use roster_core::{Actor, Directory, Policy};

use crate::app::open_or_create_directory;
use crate::cli::PolicyArgs;

/// Options of `roster import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Fixture files (.yaml, .yml, .json; docs/fixtures.md) or JSON lines
    /// files (.jsonl; users, groups and memberships, in any order). Other
    /// names are told apart by their content.
    #[arg(required = true)]
    pub files: Vec<String>,
    /// The admin and access groups, whose lookalikes a group record may not be named.
    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// Whether `file` holds JSON lines rather than a fixture: by its name, or
/// else by its first line being a whole JSON object with a `kind`.
fn is_json_lines(file: &str) -> bool {
    let lower = file.to_ascii_lowercase();
    if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
        return true;
    }
    if [".yaml", ".yml", ".json"].iter().any(|e| lower.ends_with(e)) {
        return false;
    }
    let Ok(text) = std::fs::read_to_string(file) else { return false };
    let first = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    serde_json::from_str::<serde_json::Value>(first).is_ok_and(|v| v.get("kind").is_some())
}

/// Files read and checked, nothing written yet.
pub struct Loaded {
    /// The JSON lines files' records.
    pub records: Option<ImportSet>,
    /// The fixture files' plan.
    pub fixtures: Option<Plan>,
}

/// Reads and checks `files` (fixtures and JSON lines, told apart by
/// [`is_json_lines`]); an error lists what is wrong, and then nothing may
/// be written. `policy` is the one the records' group names are checked
/// against (lookalikes of its groups are refused).
pub fn read(files: &[String], policy: &Policy) -> anyhow::Result<Loaded> {
    for f in files {
        if std::fs::metadata(f).is_err() {
            anyhow::bail!("cannot open {f}");
        }
    }
    let (lines, fixture_files): (Vec<String>, Vec<String>) = files.iter().cloned().partition(|f| is_json_lines(f));
    let fixtures = if fixture_files.is_empty() {
        None
    } else {
        let standing: Vec<String> = policy.access_groups.iter().chain(&policy.admin_groups).cloned().collect();
        Some(fixtures::load(&fixture_files, &standing).map_err(|p| anyhow::anyhow!("{p}"))?)
    };
    let records = if lines.is_empty() {
        None
    } else {
        let total: u64 = lines.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template("{msg:10} [{bar:40}] {bytes}/{total_bytes} ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message("reading");
        let set = jsonl::read_all(&lines, &bar, policy)?;
        bar.finish_and_clear();
        Some(set)
    };
    Ok(Loaded { records, fixtures })
}

/// Merges what [`read`] loaded into `dir` as the system: the JSON lines
/// first, then the fixtures, each all or nothing. Says what it did on `out`.
pub async fn apply(dir: &Directory, loaded: Loaded, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let started = Instant::now();
    let admin = dir.admin(&Actor::System)?;
    if let Some(set) = loaded.records {
        let (users, groups, memberships) = (set.users.len(), set.groups.len(), set.memberships.len());
        writeln!(err, "roster: read {users} users, {groups} groups, {memberships} memberships; writing...")?;
        let spinner = ProgressBar::new_spinner();
        spinner.set_message("writing (one transaction)");
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
        let result = admin.import_records(set).await;
        spinner.finish_and_clear();
        let (report, merged) = result.map_err(|e| anyhow::anyhow!("{e}; nothing was imported"))?;
        for g in merged {
            writeln!(out, "group {g}: already present (merged by name)")?;
        }
        writeln!(
            out,
            "imported in {:.1}s: {} users added, {} users updated, {} groups added, {} memberships added, {} records unchanged",
            started.elapsed().as_secs_f64(),
            report.users_added,
            report.users_updated,
            report.groups_added,
            report.memberships_added,
            report.unchanged
        )?;
    }
    if let Some(plan) = loaded.fixtures {
        let report = admin.import(&plan).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        print_report(out, &report)?;
    }
    Ok(())
}

/// Runs the import: everything is read and checked before the store is
/// opened.
pub async fn run(db: &str, a: ImportArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let policy = a.policy.policy();
    let loaded = read(&a.files, &policy)?;
    let dir = open_or_create_directory(db, policy).await?;
    apply(&dir, loaded, out, err).await
}

/// Lines naming groups and users, per kind, before the rest are counted.
const NAMED: usize = 100;

/// Writes `line(name)` for the first [`NAMED`] of `names`, then how many more.
fn named<T>(out: &mut dyn Write, names: &[T], line: impl Fn(&T) -> String) -> std::io::Result<()> {
    for n in names.iter().take(NAMED) {
        writeln!(out, "{}", line(n))?;
    }
    if names.len() > NAMED {
        writeln!(out, "... and {} more like it", names.len() - NAMED)?;
    }
    Ok(())
}

/// What a fixture import did, one line per group and user, then counts.
fn print_report(out: &mut dyn Write, r: &FixtureReport) -> std::io::Result<()> {
    named(out, &r.groups_created, |g| format!("group {g}: created"))?;
    named(out, &r.groups_present, |g| format!("group {g}: already present"))?;
    named(out, &r.users_created, |u| format!("user {u}: created"))?;
    named(out, &r.users_updated, |(u, fields)| format!("user {u}: updated ({})", fields.join(", ")))?;
    named(out, &r.users_unchanged, |u| format!("user {u}: already present, unchanged"))?;
    writeln!(
        out,
        "fixtures: {} groups created, {} present; {} users created, {} updated, {} unchanged; \
         {} memberships added, {} present; {} tokens added, {} present",
        r.groups_created.len(),
        r.groups_present.len(),
        r.users_created.len(),
        r.users_updated.len(),
        r.users_unchanged.len(),
        r.memberships_added,
        r.memberships_present,
        r.tokens_added,
        r.tokens_present
    )
}
