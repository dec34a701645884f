//! `roster export [FILE]`: writes the directory as the JSON lines `roster
//! import` reads (users, then groups, then memberships, each in creation
//! order), so export → import into an empty store → export gives the same
//! bytes. Secrets (passwords, tokens), sign-in times and profile details
//! are not exported.

use std::io::{BufWriter, Write};

use anyhow::Context;
use clap::Args;
use roster_core::directory::Reader;
use roster_core::{Actor, Policy};
use serde_json::{json, Map, Value};

use crate::app::open_directory;

/// Options of `roster export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output file (standard output when absent or `-`).
    pub file: Option<String>,
}

/// Writes every record of the directory to `out`.
pub fn write_all(m: &Reader<'_>, out: &mut dyn Write) -> std::io::Result<(usize, usize, usize)> {
    let mut users = 0;
    for e in m.users() {
        let u = &e.user;
        let mut rec = Map::new();
        rec.insert("kind".into(), json!("user"));
        rec.insert("accountId".into(), json!(&*u.account_id));
        rec.insert("accountType".into(), json!(&*u.account_type));
        rec.insert("displayName".into(), json!(&*u.display_name));
        rec.insert("email".into(), json!(&*u.email));
        if let Some(name) = &u.username {
            rec.insert("username".into(), json!(&**name));
        }
        rec.insert("userKey".into(), json!(&*u.user_key));
        if !u.active {
            rec.insert("active".into(), json!(false));
        }
        if !u.details.time_zone.is_empty() {
            rec.insert("timeZone".into(), json!(u.details.time_zone));
        }
        writeln!(out, "{}", Value::Object(rec))?;
        users += 1;
    }
    let mut groups: Vec<&roster_core::model::GroupEntry> = m.groups_by_name().collect();
    groups.sort_by_key(|g| g.group.id);
    for g in &groups {
        let rec = json!({"kind": "group", "id": &*g.group.uuid, "name": &*g.group.name, "type": "group"});
        writeln!(out, "{rec}")?;
    }
    let mut memberships = 0;
    for g in &groups {
        for id in g.members.iter_from(0) {
            if let Some(e) = m.member(id) {
                let rec = json!({"kind": "membership", "groupId": &*g.group.uuid, "accountId": &*e.user.account_id});
                writeln!(out, "{rec}")?;
                memberships += 1;
            }
        }
    }
    Ok((users, groups.len(), memberships))
}

/// Runs the export.
pub async fn run(db: &str, a: ExportArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let dir = open_directory(db, Policy::default()).await?;
    let m = dir.reader(&Actor::System)?;
    let counts = match a.file.as_deref() {
        None | Some("-") => write_all(&m, out)?,
        Some(path) => {
            let f = std::fs::File::create(path).with_context(|| format!("cannot create {path}"))?;
            let mut w = BufWriter::new(f);
            let c = write_all(&m, &mut w)?;
            w.flush()?;
            c
        }
    };
    writeln!(err, "roster: exported {} users, {} groups, {} memberships", counts.0, counts.1, counts.2)?;
    Ok(())
}
