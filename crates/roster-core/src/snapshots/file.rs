//! The snapshot file: a whole directory as versioned JSON, for suites that
//! ship their starting state (`roster snapshot save|load`, the snapshot
//! file routes) and as the body of the snapshots kept in the store. It
//! holds what the store holds: password hashes (argon2 PHC strings) and
//! token digests (SHA-256, hex), never a password or a token in clear.
//!
//! Loading checks everything a store's constraints and roster's name rules
//! would, and reports the first problem with where it is
//! (`users[3].email: ...`), so a bad file is refused before anything is
//! written.

use std::collections::HashSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::names;
use crate::store::Snapshot;
use crate::types::{Group, GroupId, User, UserDetails, UserId};

/// What the `format` field says.
pub const FORMAT: &str = "roster-snapshot";

/// The file version this roster writes and the newest it reads.
pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FileV1 {
    format: String,
    version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    created_date: i64,
    users: Vec<FileUser>,
    groups: Vec<FileGroup>,
    /// `[group id, user id]` pairs.
    memberships: Vec<(i64, i64)>,
    tokens: Vec<FileToken>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FileUser {
    id: i64,
    account_id: String,
    account_type: String,
    #[serde(default)]
    username: Option<String>,
    user_key: String,
    display_name: String,
    #[serde(default)]
    email: String,
    active: bool,
    /// argon2 PHC string.
    #[serde(default)]
    password_hash: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    position: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    department: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    location: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    phone: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    im: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    website: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    time_zone: String,
    created_date: i64,
    updated_date: i64,
    #[serde(default)]
    last_login_date: Option<i64>,
    #[serde(default)]
    last_failed_login_date: Option<i64>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FileGroup {
    id: i64,
    uuid: String,
    name: String,
    created_date: i64,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FileToken {
    user: i64,
    /// The token's SHA-256 digest, 64 hex digits.
    sha256: String,
}

/// `s` as a snapshot file (compact JSON), named `name` if given.
pub fn encode(s: &Snapshot, name: Option<&str>, created_ms: i64) -> Vec<u8> {
    let file = FileV1 {
        format: FORMAT.into(),
        version: VERSION,
        name: name.map(str::to_string),
        created_date: created_ms,
        users: s
            .users
            .iter()
            .map(|u| FileUser {
                id: u.id.0,
                account_id: u.account_id.to_string(),
                account_type: u.account_type.to_string(),
                username: u.username.as_deref().map(str::to_string),
                user_key: u.user_key.to_string(),
                display_name: u.display_name.to_string(),
                email: u.email.to_string(),
                active: u.active,
                password_hash: u.password_hash.as_deref().map(str::to_string),
                position: u.details.position.clone(),
                department: u.details.department.clone(),
                location: u.details.location.clone(),
                phone: u.details.phone.clone(),
                im: u.details.im.clone(),
                website: u.details.website.clone(),
                time_zone: u.details.time_zone.clone(),
                created_date: u.created_ms,
                updated_date: u.updated_ms,
                last_login_date: u.last_login_ms,
                last_failed_login_date: u.last_failed_login_ms,
            })
            .collect(),
        groups: s
            .groups
            .iter()
            .map(|g| FileGroup {
                id: g.id.0,
                uuid: g.uuid.to_string(),
                name: g.name.to_string(),
                created_date: g.created_ms,
            })
            .collect(),
        memberships: s.memberships.iter().map(|(g, u)| (g.0, u.0)).collect(),
        tokens: s.tokens.iter().map(|(h, u)| FileToken { user: u.0, sha256: hex(h) }).collect(),
    };
    // Serializing plain structs of strings and numbers cannot fail.
    serde_json::to_vec(&file).unwrap_or_default()
}

fn hex(h: &[u8; 32]) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

fn bad(reason: impl Into<String>) -> Error {
    Error::invalid("snapshot file", reason)
}

/// Prefixes a name rule's complaint with where it applies.
fn at(path: String, r: Result<()>) -> Result<()> {
    r.map_err(|e| match e {
        Error::Invalid { reason, .. } => bad(format!("{path}: {reason}")),
        other => other,
    })
}

/// A decoded, checked snapshot file: the directory, its name and when it
/// was taken.
#[derive(Debug)]
pub struct Decoded {
    pub snapshot: Snapshot,
    pub name: Option<String>,
    pub created_ms: i64,
}

/// Reads and checks a snapshot file; nothing is written anywhere.
pub fn decode(bytes: &[u8]) -> Result<Decoded> {
    // The header first, so a file of another kind or a newer version is
    // named as such rather than as a missing field.
    let head: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| bad(format!("not JSON ({e}); expected a roster snapshot file")))?;
    if head.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(bad(format!("not a roster snapshot file: \"format\" must be \"{FORMAT}\"")));
    }
    match head.get("version").and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(VERSION) => {}
        Some(v) => {
            return Err(bad(format!("version {v} is not supported: this roster reads version {VERSION}")));
        }
        None => return Err(bad("\"version\" must be a number")),
    }
    let file: FileV1 = serde_json::from_value(head).map_err(|e| bad(e.to_string()))?;
    let snapshot = check(file.users, file.groups, file.memberships, file.tokens)?;
    Ok(Decoded { snapshot, name: file.name, created_ms: file.created_date })
}

fn check(
    users: Vec<FileUser>,
    groups: Vec<FileGroup>,
    ms: Vec<(i64, i64)>,
    tokens: Vec<FileToken>,
) -> Result<Snapshot> {
    let mut out = Snapshot::default();
    let (mut ids, mut accounts, mut logins, mut keys, mut emails) =
        (HashSet::new(), HashSet::new(), HashSet::new(), HashSet::new(), HashSet::new());
    for (i, u) in users.into_iter().enumerate() {
        let p = |f: &str| format!("users[{i}].{f}");
        let dup = |f: &str, v: &str| bad(format!("{}: '{v}' appears twice", p(f)));
        if u.id < 1 || !ids.insert(u.id) {
            return Err(bad(format!("{}: must be a positive number not used twice", p("id"))));
        }
        at(p("accountId"), names::account_id(&u.account_id))?;
        at(p("accountType"), names::account_type(&u.account_type))?;
        at(p("displayName"), names::display_name(&u.display_name))?;
        at(p("email"), names::email(&u.email, true))?;
        if !accounts.insert(u.account_id.clone()) {
            return Err(dup("accountId", &u.account_id));
        }
        if let Some(name) = &u.username {
            at(p("username"), names::username(name))?;
            if !logins.insert(name.to_lowercase()) {
                return Err(dup("username", name));
            }
        }
        if u.user_key.is_empty() || !keys.insert(u.user_key.clone()) {
            return Err(bad(format!("{}: must be set and not used twice", p("userKey"))));
        }
        if !u.email.is_empty() && !emails.insert(u.email.to_lowercase()) {
            return Err(dup("email", &u.email));
        }
        if let Some(h) = &u.password_hash {
            if !h.starts_with("$argon2") {
                return Err(bad(format!(
                    "{}: must be an argon2 hash ($argon2...), never a password",
                    p("passwordHash")
                )));
            }
        }
        out.users.push(User {
            id: UserId(u.id),
            account_id: u.account_id.into(),
            account_type: u.account_type.into(),
            username: u.username.map(Arc::from),
            user_key: u.user_key.into(),
            display_name: u.display_name.into(),
            email: u.email.into(),
            active: u.active,
            password_hash: u.password_hash.map(Arc::from),
            details: UserDetails {
                position: u.position,
                department: u.department,
                location: u.location,
                phone: u.phone,
                im: u.im,
                website: u.website,
                time_zone: u.time_zone,
            },
            created_ms: u.created_date,
            updated_ms: u.updated_date,
            last_login_ms: u.last_login_date,
            last_failed_login_ms: u.last_failed_login_date,
        });
    }
    let (mut gids, mut uuids, mut gnames) = (HashSet::new(), HashSet::new(), HashSet::new());
    for (i, g) in groups.into_iter().enumerate() {
        let p = |f: &str| format!("groups[{i}].{f}");
        if g.id < 1 || !gids.insert(g.id) {
            return Err(bad(format!("{}: must be a positive number not used twice", p("id"))));
        }
        at(p("name"), names::group_name(&g.name))?;
        if !gnames.insert(g.name.to_lowercase()) {
            return Err(bad(format!(
                "{}: '{}' appears twice (names are unique whatever their case)",
                p("name"),
                g.name
            )));
        }
        if g.uuid.is_empty() || !uuids.insert(g.uuid.clone()) {
            return Err(bad(format!("{}: must be set and not used twice", p("uuid"))));
        }
        out.groups.push(Group {
            id: GroupId(g.id),
            uuid: g.uuid.into(),
            name: g.name.into(),
            created_ms: g.created_date,
        });
    }
    let mut pairs = HashSet::new();
    for (i, (g, u)) in ms.into_iter().enumerate() {
        if !gids.contains(&g) {
            return Err(bad(format!("memberships[{i}]: no group has id {g}")));
        }
        if !ids.contains(&u) {
            return Err(bad(format!("memberships[{i}]: no user has id {u}")));
        }
        if !pairs.insert((g, u)) {
            return Err(bad(format!("memberships[{i}]: [{g}, {u}] appears twice")));
        }
        out.memberships.push((GroupId(g), UserId(u)));
    }
    out.memberships.sort_unstable();
    let mut digests = HashSet::new();
    for (i, t) in tokens.into_iter().enumerate() {
        let Some(h) = unhex(&t.sha256) else {
            return Err(bad(format!("tokens[{i}].sha256: must be a SHA-256 digest (64 hex digits), never a token")));
        };
        if !ids.contains(&t.user) {
            return Err(bad(format!("tokens[{i}].user: no user has id {}", t.user)));
        }
        if !digests.insert(h) {
            return Err(bad(format!("tokens[{i}].sha256: appears twice")));
        }
        out.tokens.push((h, UserId(t.user)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, name: &str) -> User {
        User {
            id: UserId(id),
            account_id: format!("acc-{name}").into(),
            account_type: "atlassian".into(),
            username: Some(name.into()),
            user_key: format!("key{id}").into(),
            display_name: format!("{name} N").into(),
            email: format!("{name}@example.com").into(),
            active: true,
            password_hash: Some("$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA".into()),
            details: UserDetails { department: "QA".into(), ..Default::default() },
            created_ms: 1,
            updated_ms: 2,
            last_login_ms: Some(3),
            last_failed_login_ms: None,
        }
    }

    fn sample() -> Snapshot {
        Snapshot {
            users: vec![user(1, "ann"), user(2, "bob")],
            groups: vec![Group { id: GroupId(7), uuid: "u-7".into(), name: "Team".into(), created_ms: 5 }],
            memberships: vec![(GroupId(7), UserId(1)), (GroupId(7), UserId(2))],
            tokens: vec![([0xab; 32], UserId(2))],
        }
    }

    #[test]
    fn a_snapshot_survives_a_round_trip_through_the_file() {
        let s = sample();
        let d = decode(&encode(&s, Some("seed"), 42)).unwrap();
        assert_eq!(d.name.as_deref(), Some("seed"));
        assert_eq!(d.created_ms, 42);
        assert_eq!(d.snapshot.users, s.users);
        assert_eq!(d.snapshot.groups, s.groups);
        assert_eq!(d.snapshot.memberships, s.memberships);
        assert_eq!(d.snapshot.tokens, s.tokens);
    }

    fn refused(edit: impl FnOnce(&mut serde_json::Value)) -> String {
        let mut v: serde_json::Value = serde_json::from_slice(&encode(&sample(), None, 0)).unwrap();
        edit(&mut v);
        match decode(&serde_json::to_vec(&v).unwrap()) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn bad_files_are_refused_saying_where() {
        assert!(decode(b"{}").unwrap_err().to_string().contains("not a roster snapshot file"));
        assert!(decode(b"nope").unwrap_err().to_string().contains("not JSON"));
        assert!(refused(|v| v["version"] = 9.into()).contains("version 9 is not supported"));
        assert!(refused(|v| v["users"][1]["email"] = "ANN@example.com".into()).contains("users[1].email"));
        assert!(refused(|v| v["users"][0]["passwordHash"] = "hunter2".into()).contains("never a password"));
        assert!(refused(|v| v["tokens"][0]["sha256"] = "secret-token".into()).contains("tokens[0].sha256"));
        assert!(refused(|v| v["memberships"][0][1] = 99.into()).contains("memberships[0]: no user has id 99"));
        assert!(refused(|v| v["groups"][0]["name"] = "".into()).contains("groups[0].name"));
        assert!(refused(|v| v["users"][0]["surprise"] = 1.into()).contains("unknown field"));
    }
}
