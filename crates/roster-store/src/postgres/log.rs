//! The change log's payload: the changes of one commit as JSON text, so
//! every instance can replay exactly what the writing instance applied.
//! `reload` stands for "too much changed, read a snapshot" (imports).

use roster_records::types::UserDetails;
use roster_records::{Change, Error, Group, GroupId, Result, User, UserId};
use serde_json::{json, Value};

/// One log entry, decoded.
#[derive(Debug)]
pub enum Entry {
    Changes(Vec<Change>),
    Reload,
}

fn user_json(u: &User) -> Value {
    json!({
        "id": u.id.0, "account_id": &*u.account_id, "account_type": &*u.account_type,
        "username": u.username.as_deref(), "user_key": &*u.user_key, "display_name": &*u.display_name,
        "email": &*u.email, "active": u.active, "password_hash": u.password_hash.as_deref(),
        "details": [u.details.position, u.details.department, u.details.location,
                    u.details.phone, u.details.im, u.details.website, u.details.time_zone],
        "created_ms": u.created_ms, "updated_ms": u.updated_ms,
        "last_login_ms": u.last_login_ms, "last_failed_login_ms": u.last_failed_login_ms,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Encodes one log entry.
pub fn encode(entry: &Entry) -> String {
    match entry {
        Entry::Reload => json!([{ "reload": true }]).to_string(),
        Entry::Changes(c) => encode_changes(c),
    }
}

/// Encodes the changes of one commit (`Unchanged` entries are left out).
pub fn encode_changes(changes: &[Change]) -> String {
    let items: Vec<Value> = changes
        .iter()
        .filter_map(|c| {
            Some(match c {
                Change::UserSaved(u) => json!({ "user": user_json(u) }),
                Change::UserDeleted(u) => json!({ "user_deleted": u.0 }),
                Change::GroupCreated(g) => {
                    json!({ "group": { "id": g.id.0, "uuid": &*g.uuid, "name": &*g.name, "created_ms": g.created_ms } })
                }
                Change::GroupDeleted(g) => json!({ "group_deleted": g.0 }),
                Change::MemberAdded { group, user } => json!({ "member_added": [group.0, user.0] }),
                Change::MemberRemoved { group, user } => json!({ "member_removed": [group.0, user.0] }),
                Change::TokenAdded { user, hash } => json!({ "token_added": [user.0, hex(hash)] }),
                Change::TokensRevoked { user } => json!({ "tokens_revoked": user.0 }),
                Change::Reloaded(_) => json!({ "reload": true }),
                Change::Unchanged => return None,
            })
        })
        .collect();
    Value::Array(items).to_string()
}

fn bad(what: &str) -> Error {
    Error::Internal(anyhow::anyhow!("malformed change-log entry: {what}"))
}

fn int(v: &Value) -> Result<i64> {
    v.as_i64().ok_or_else(|| bad("expected a number"))
}

fn text(v: &Value) -> Result<std::sync::Arc<str>> {
    v.as_str().map(Into::into).ok_or_else(|| bad("expected a string"))
}

fn opt_text(v: &Value) -> Result<Option<std::sync::Arc<str>>> {
    if v.is_null() {
        Ok(None)
    } else {
        text(v).map(Some)
    }
}

fn pair(v: &Value) -> Result<(i64, i64)> {
    Ok((int(&v[0])?, int(&v[1])?))
}

fn decode_user(v: &Value) -> Result<User> {
    let d = |i: usize| v["details"][i].as_str().map(str::to_string).ok_or_else(|| bad("details"));
    Ok(User {
        id: UserId(int(&v["id"])?),
        account_id: text(&v["account_id"])?,
        account_type: text(&v["account_type"])?,
        username: opt_text(&v["username"])?,
        user_key: text(&v["user_key"])?,
        display_name: text(&v["display_name"])?,
        email: text(&v["email"])?,
        active: v["active"].as_bool().ok_or_else(|| bad("active"))?,
        password_hash: opt_text(&v["password_hash"])?,
        details: UserDetails {
            position: d(0)?,
            department: d(1)?,
            location: d(2)?,
            phone: d(3)?,
            im: d(4)?,
            website: d(5)?,
            // Entries written before the time zone existed have six details.
            time_zone: v["details"][6].as_str().unwrap_or_default().to_string(),
        },
        created_ms: int(&v["created_ms"])?,
        updated_ms: int(&v["updated_ms"])?,
        last_login_ms: v["last_login_ms"].as_i64(),
        last_failed_login_ms: v["last_failed_login_ms"].as_i64(),
    })
}

fn decode_hash(v: &Value) -> Result<[u8; 32]> {
    let s = v.as_str().ok_or_else(|| bad("token hash"))?;
    let mut out = [0u8; 32];
    if s.len() != 64 {
        return Err(bad("token hash length"));
    }
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|_| bad("token hash"))?;
    }
    Ok(out)
}

/// Decodes a payload written by [`encode`].
pub fn decode(payload: &str) -> Result<Entry> {
    let items: Vec<Value> = serde_json::from_str(payload).map_err(|e| bad(&e.to_string()))?;
    let mut changes = Vec::with_capacity(items.len());
    for item in &items {
        let (key, v) = item.as_object().and_then(|o| o.iter().next()).ok_or_else(|| bad("empty item"))?;
        changes.push(match key.as_str() {
            "reload" => return Ok(Entry::Reload),
            "user" => Change::UserSaved(decode_user(v)?),
            "user_deleted" => Change::UserDeleted(UserId(int(v)?)),
            "group" => Change::GroupCreated(Group {
                id: GroupId(int(&v["id"])?),
                uuid: text(&v["uuid"])?,
                name: text(&v["name"])?,
                created_ms: int(&v["created_ms"])?,
            }),
            "group_deleted" => Change::GroupDeleted(GroupId(int(v)?)),
            "member_added" => {
                let (g, u) = pair(v)?;
                Change::MemberAdded { group: GroupId(g), user: UserId(u) }
            }
            "member_removed" => {
                let (g, u) = pair(v)?;
                Change::MemberRemoved { group: GroupId(g), user: UserId(u) }
            }
            "token_added" => Change::TokenAdded { user: UserId(int(&v[0])?), hash: decode_hash(&v[1])? },
            "tokens_revoked" => Change::TokensRevoked { user: UserId(int(v)?) },
            other => return Err(bad(&format!("unknown change {other}"))),
        });
    }
    Ok(Entry::Changes(changes))
}
