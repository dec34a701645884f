//! The dataset generator's JSON lines (`{"kind":"user"|"group"|"membership",...}`),
//! read line by line into an import set; a bad line stops the reading with
//! its `file:line`.

use std::io::{BufRead, BufReader};

use anyhow::Context;
use indicatif::ProgressBar;
use roster_core::credentials::new_user_key;
use roster_core::import::{ImportMembership, ImportSet};
use roster_core::types::{now_ms, NewGroup, NewUser, UserDetails};
use roster_core::{names, Error, Policy, Result};
use serde::Deserialize;

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
        /// An IANA time zone name; unknown when absent.
        #[serde(rename = "timeZone", default)]
        time_zone: Option<String>,
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
        Record::User { account_id, account_type, display_name, email, username, user_key, active, time_zone } => {
            let account_type = account_type.unwrap_or_else(|| "atlassian".into());
            names::account_id(&account_id)?;
            names::account_type(&account_type)?;
            names::display_name(&display_name)?;
            names::email(&email, account_type == "app")?;
            if let Some(u) = &username {
                names::username(u)?;
            }
            if let Some(z) = &time_zone {
                names::time_zone(z)?;
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
                details: UserDetails { time_zone: time_zone.unwrap_or_default(), ..UserDetails::default() },
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

pub fn read_all(files: &[String], bar: &ProgressBar, policy: &Policy) -> anyhow::Result<ImportSet> {
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
