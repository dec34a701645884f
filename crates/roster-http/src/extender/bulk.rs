//! Extender bulk writes: `addGroups`, `removeGroups`, `addUsers/{GROUP}`,
//! `removeUsers/{GROUP}`. Each call is one store transaction
//! (`Directory::apply_as`): every listed change applies or none does.
//!
//! What is skipped (reported in `...Skipped`, not an error): a group that
//! already exists (addGroups) or does not exist (removeGroups); a user who
//! does not exist or already is a member (addUsers); a user who does not
//! exist or is not a member (removeUsers); and any name listed twice (its
//! later occurrences). Names are echoed as the caller sent them.
//!
//! What fails the whole call (nothing applied): a missing, non-list or empty
//! list, or an entry that is not a string (400); an invalid group name in
//! addGroups (400 naming it); an unknown `{GROUP}` in addUsers/removeUsers
//! (404); removing every admin group (400); and any store failure.

use std::collections::HashSet;

use axum::extract::State;
use axum::response::Response;
use roster_core::types::{fold, now_ms, NewGroup};
use roster_core::{names, Actor, Command, Error, Result};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{reply, Name};
use crate::auth::Caller;
use crate::body::{parse, RawBody};
use crate::error::ApiError;
use crate::state::AppState;

type Reply = std::result::Result<Response, ApiError>;

#[derive(Deserialize)]
struct GroupsBody {
    groups: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct UsersBody {
    users: Option<Vec<String>>,
}

fn listed(list: Option<Vec<String>>, field: &'static str) -> Result<Vec<String>> {
    match list {
        None => Err(Error::invalid(field, "is required: a list of names")),
        Some(l) if l.is_empty() => Err(Error::invalid(field, "must name at least one entry")),
        Some(l) => Ok(l),
    }
}

/// The three messages of one bulk call: everything done, some skipped,
/// everything skipped.
struct Messages {
    all: &'static str,
    some: &'static str,
    none: &'static str,
}

fn outcome(done_key: &str, done: Vec<String>, skipped: Vec<String>, msg: &Messages) -> Value {
    let message = match (done.is_empty(), skipped.is_empty()) {
        (_, true) => msg.all,
        (false, false) => msg.some,
        (true, false) => msg.none,
    };
    let skipped_key = if done_key.starts_with("groups") { "groupsSkipped" } else { "usersSkipped" };
    json!({done_key: done, skipped_key: skipped, "message": message, "status": "success"})
}

/// Splits `names` into the ones `keep` accepts (first occurrence, compared
/// case-insensitively) and the skipped rest.
fn split(names: Vec<String>, mut keep: impl FnMut(&str) -> bool) -> (Vec<String>, Vec<String>) {
    let mut seen = HashSet::new();
    let (mut done, mut skipped) = (Vec::new(), Vec::new());
    for n in names {
        if seen.insert(fold(&n)) && keep(&n) {
            done.push(n);
        } else {
            skipped.push(n);
        }
    }
    (done, skipped)
}

fn require_admin(s: &AppState, actor: &Actor) -> Result<()> {
    s.dir.read().require_admin(actor)
}

/// `POST group/addGroups` `{"groups":[...]}`.
#[utoipa::path(
    post,
    path = "/group/addGroups",
    tag = "Extender",
    operation_id = "extenderAddGroups",
    request_body = crate::openapi::extender::ExtenderGroupList,
    responses((status = 200, description = "Created and skipped (site admins; one transaction)", body = crate::openapi::extender::ExtenderGroupsAdded))
)]
pub async fn add_groups(State(s): State<AppState>, Caller(actor): Caller, RawBody(body): RawBody) -> Reply {
    require_admin(&s, &actor)?;
    let list = listed(parse::<GroupsBody>(&body)?.groups, "groups")?;
    let policy = s.dir.read().policy().clone();
    for n in &list {
        names::new_group_name(n, &policy).map_err(|e| match e {
            Error::Invalid { reason, .. } => Error::invalid("groups", format!("group name '{n}' {reason}")),
            other => other,
        })?;
    }
    let (added, skipped) = split(list, |n| !s.dir.read().group_name_taken(n));
    let now = now_ms();
    let cmds = added
        .iter()
        .map(|n| {
            Command::CreateGroup(NewGroup { uuid: uuid::Uuid::new_v4().to_string(), name: n.clone(), created_ms: now })
        })
        .collect();
    s.dir.apply_as(&actor, cmds).await?;
    let msg = Messages {
        all: "all groups added",
        some: "groups added, some groups skipped",
        none: "no groups added, all groups skipped",
    };
    Ok(reply(outcome("groupsAdded", added, skipped, &msg)))
}

/// `POST group/removeGroups` `{"groups":[...]}`.
#[utoipa::path(
    post,
    path = "/group/removeGroups",
    tag = "Extender",
    operation_id = "extenderRemoveGroups",
    request_body = crate::openapi::extender::ExtenderGroupList,
    responses((status = 200, description = "Deleted and skipped (site admins; one transaction)", body = crate::openapi::extender::ExtenderGroupsRemoved))
)]
pub async fn remove_groups(State(s): State<AppState>, Caller(actor): Caller, RawBody(body): RawBody) -> Reply {
    require_admin(&s, &actor)?;
    let list = listed(parse::<GroupsBody>(&body)?.groups, "groups")?;
    let (removed, skipped, cmds) = {
        let m = s.dir.read();
        let (removed, skipped) = split(list, |n| m.group_name_taken(n));
        let ids: Vec<_> = removed.iter().filter_map(|n| m.group_by_name(n).ok()).map(|g| g.group.id).collect();
        m.keeps_an_admin_group(&ids, "groups")?;
        (removed, skipped, ids.into_iter().map(Command::DeleteGroup).collect())
    };
    s.dir.apply_as(&actor, cmds).await?;
    let msg = Messages {
        all: "all groups removed",
        some: "groups removed, some groups skipped",
        none: "no groups removed, all groups skipped",
    };
    Ok(reply(outcome("groupsRemoved", removed, skipped, &msg)))
}

async fn members(s: AppState, actor: Actor, group: String, body: &[u8], add: bool) -> Reply {
    require_admin(&s, &actor)?;
    let list = listed(parse::<UsersBody>(body)?.users, "users")?;
    let (done, skipped, cmds) = {
        let m = s.dir.read();
        let g = m.group_by_name(&group)?;
        let gid = g.group.id;
        let mut cmds = Vec::new();
        let (done, skipped) = split(list, |n| match m.user_by_username(n) {
            Ok(u) if g.members.contains(u.user.id.0 as u32) != add => {
                let user = u.user.id;
                cmds.push(if add {
                    Command::AddMember { group: gid, user }
                } else {
                    Command::RemoveMember { group: gid, user }
                });
                true
            }
            _ => false,
        });
        (done, skipped, cmds)
    };
    s.dir.apply_as(&actor, cmds).await?;
    if add {
        let msg = Messages {
            all: "all users added to group",
            some: "users added to group, but some users skipped",
            none: "no users added to group, all users skipped",
        };
        Ok(reply(outcome("usersAdded", done, skipped, &msg)))
    } else {
        let msg = Messages {
            all: "all users removed from group",
            some: "users removed from group, but some users skipped",
            none: "no users removed from group, all users skipped",
        };
        Ok(reply(outcome("usersRemoved", done, skipped, &msg)))
    }
}

/// `POST group/addUsers/{GROUP}` `{"users":[usernames]}`.
#[utoipa::path(
    post,
    path = "/group/addUsers/{*group}",
    tag = "Extender",
    operation_id = "extenderAddUsers",
    params(("group" = String, Path, description = "The group's name (may contain `/`)", example = "developers")),
    request_body = crate::openapi::extender::ExtenderUserList,
    responses((status = 200, description = "Added and skipped (site admins; one transaction)", body = crate::openapi::extender::ExtenderUsersAdded))
)]
pub async fn add_users(State(s): State<AppState>, Caller(a): Caller, Name(g): Name, RawBody(b): RawBody) -> Reply {
    members(s, a, g, &b, true).await
}

/// `POST group/removeUsers/{GROUP}` `{"users":[usernames]}`.
#[utoipa::path(
    post,
    path = "/group/removeUsers/{*group}",
    tag = "Extender",
    operation_id = "extenderRemoveUsers",
    params(("group" = String, Path, description = "The group's name (may contain `/`)", example = "developers")),
    request_body = crate::openapi::extender::ExtenderUserList,
    responses((status = 200, description = "Removed and skipped (site admins; one transaction)", body = crate::openapi::extender::ExtenderUsersRemoved))
)]
pub async fn remove_users(State(s): State<AppState>, Caller(a): Caller, Name(g): Name, RawBody(b): RawBody) -> Reply {
    members(s, a, g, &b, false).await
}
