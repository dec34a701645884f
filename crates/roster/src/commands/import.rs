//! `roster import FILE...`: JSON lines as written by the dataset generator
//! (`{"kind":"user"|"group"|"membership",...}`). Every line is parsed and
//! validated before anything is written; the whole import is then one
//! transaction. A bad line is reported as `file:line` and nothing is kept.

use std::io::{BufRead, BufReader, Write};
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use roster_core::credentials::new_user_key;
use roster_core::import::{ImportMembership, ImportSet};
use roster_core::types::{now_ms, NewGroup, NewUser, UserDetails};
use roster_core::{names, Error, Policy, Result};
use serde::Deserialize;

use crate::app::open_store;
use crate::cli::PolicyArgs;

/// Options of `roster import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// JSON lines files (users, groups and memberships, in any order).
    #[arg(required = true)]
    pub files: Vec<String>,
    /// The admin and access groups, whose lookalikes a group record may not be named.
    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
enum Record {
    User {
        #[serde(rename = "accountId")]
        account_id: String,
        #[serde(rename = "accountType", default)]
        account_type: Option<String>,
        #[serde(rename = "displayName")]
        display_name: String,
        #[serde(default)]
        email: String,
        #[serde(default)]
        username: Option<String>,
        /// Data Center user key; generated when absent.
        #[serde(rename = "userKey", default)]
        user_key: Option<String>,
        #[serde(default = "active_by_default")]
        active: bool,
    },
    Group {
        id: String,
        name: String,
        #[serde(rename = "type", default)]
        _type: Option<String>,
    },
    Membership {
        #[serde(rename = "groupId")]
        group_id: String,
        #[serde(rename = "accountId")]
        account_id: String,
    },
}

fn active_by_default() -> bool {
    true
}

fn add_line(set: &mut ImportSet, line: &str, origin: String, now: i64, policy: &Policy) -> Result<()> {
    let rec: Record = serde_json::from_str(line).map_err(|e| Error::invalid("record", e.to_string()))?;
    match rec {
        Record::User { account_id, account_type, display_name, email, username, user_key, active } => {
            let account_type = account_type.unwrap_or_else(|| "atlassian".into());
            names::account_id(&account_id)?;
            names::account_type(&account_type)?;
            names::display_name(&display_name)?;
            names::email(&email, account_type == "app")?;
            if let Some(u) = &username {
                names::username(u)?;
            }
            if let Some(k) = &user_key {
                if k.is_empty()
                    || k.len() > 128
                    || !k.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_:.".contains(&b))
                {
                    return Err(Error::invalid("userKey", "must be 1 to 128 letters, digits, '-', '_', ':' or '.'"));
                }
            }
            let user = NewUser {
                account_id,
                account_type,
                username,
                user_key: user_key.unwrap_or_else(new_user_key),
                display_name,
                email,
                active,
                password_hash: None,
                details: UserDetails::default(),
                created_ms: now,
            };
            set.users.push((user, origin));
        }
        Record::Group { id, name, .. } => {
            names::new_group_name(&name, policy)?;
            if id.is_empty() || id.len() > 128 {
                return Err(Error::invalid("id", "must be 1 to 128 characters"));
            }
            set.groups.push((NewGroup { uuid: id, name, created_ms: now }, origin));
        }
        Record::Membership { group_id, account_id } => {
            set.memberships.push(ImportMembership { group_uuid: group_id, account_id, origin });
        }
    }
    Ok(())
}

fn read_all(files: &[String], bar: &ProgressBar, policy: &Policy) -> anyhow::Result<ImportSet> {
    let mut set = ImportSet::default();
    let now = now_ms();
    for file in files {
        let f = std::fs::File::open(file).with_context(|| format!("cannot open {file}"))?;
        let mut reader = BufReader::new(f);
        let mut line = String::new();
        let mut n = 0usize;
        loop {
            line.clear();
            let read = reader.read_line(&mut line).with_context(|| format!("{file}:{}: cannot read", n + 1))?;
            if read == 0 {
                break;
            }
            n += 1;
            bar.inc(read as u64);
            let text = line.trim();
            if text.is_empty() {
                continue;
            }
            add_line(&mut set, text, format!("{file}:{n}"), now, policy)
                .map_err(|e| anyhow::anyhow!("{file}:{n}: {e}"))?;
        }
    }
    Ok(set)
}

/// Runs the import.
pub async fn run(db: &str, a: ImportArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let started = Instant::now();
    let total: u64 = a.files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg:10} [{bar:40}] {bytes}/{total_bytes} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("reading");
    let set = read_all(&a.files, &bar, &a.policy.policy())?;
    bar.finish_and_clear();
    let (users, groups, memberships) = (set.users.len(), set.groups.len(), set.memberships.len());
    writeln!(err, "roster: read {users} users, {groups} groups, {memberships} memberships; writing...")?;
    let store = open_store(db)?;
    let spinner = ProgressBar::new_spinner();
    spinner.set_message("writing (one transaction)");
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let report = store.import(set).await;
    spinner.finish_and_clear();
    let report = report.map_err(|e| anyhow::anyhow!("{e}; nothing was imported"))?;
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
    Ok(())
}
