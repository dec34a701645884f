//! Extender bulk writes: `addGroups`, `removeGroups`, `addUsers/{GROUP}`,
//! `removeUsers/{GROUP}`: the directory's bulk verbs (`Admin::create_groups`
//! and the rest), each one transaction: every listed change applies or none
//! does.
//!
//! What is skipped (reported in `...Skipped`, not an error): a group that
//! already exists (addGroups) or does not exist (removeGroups); a user who
//! does not exist or already is a member (addUsers); a user who does not
//! exist or is not a member (removeUsers); and any name listed twice (its
//! later occurrences). Names are echoed as the caller sent them. What is
//! reported done is what the call's own transaction changed (its
//! `Change`s), not what the model predicted: of two concurrent calls adding
//! the same user, one reports it added and the other skipped.
//!
//! What fails the whole call (nothing applied): a missing, non-list or empty
//! list, or an entry that is not a string (400); an invalid group name in
//! addGroups (400 naming it); an unknown `{GROUP}` in addUsers/removeUsers
//! (404); removing every admin group (400); and any store failure.

use crate::operations::openapi::extender::{
    ExtenderGroupsAdded, ExtenderGroupsRemoved, ExtenderUsersAdded, ExtenderUsersRemoved,
};
use axum::extract::State;
use axum::response::Response;
use roster_core::directory::{Outcome, UserKey};
use roster_core::{Actor, Error, Result};
use serde::Deserialize;

use super::reply;
use crate::state::AppState;
use crate::wire::auth::Caller;
use crate::wire::body::{parse, RawBody};
use crate::wire::error::ApiError;
use crate::wire::path::PathParam;

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

/// The answer `new` builds from what a bulk call did, with its message.
fn outcome<T>(new: fn(Vec<String>, Vec<String>, String) -> T, o: Outcome, msg: &Messages) -> T {
    let message = match (o.done.is_empty(), o.skipped.is_empty()) {
        (_, true) => msg.all,
        (false, false) => msg.some,
        (true, false) => msg.none,
    };
    new(o.done, o.skipped, message.into())
}

/// `POST group/addGroups` `{"groups":[...]}`.
#[utoipa::path(
    post,
    path = "/group/addGroups",
    tag = "Extender",
    operation_id = "extenderAddGroups",
    request_body = crate::operations::openapi::extender::ExtenderGroupList,
    responses((status = 200, description = "Created and skipped (site admins; one transaction)", body = crate::operations::openapi::extender::ExtenderGroupsAdded))
)]
pub async fn add_groups(State(s): State<AppState>, Caller(actor): Caller, RawBody(body): RawBody) -> Reply {
    let admin = s.dir.admin(&actor)?;
    let list = listed(parse::<GroupsBody>(&body)?.groups, "groups")?;
    let done = admin.create_groups(list, "groups").await?;
    let msg = Messages {
        all: "all groups added",
        some: "groups added, some groups skipped",
        none: "no groups added, all groups skipped",
    };
    Ok(reply(&outcome(ExtenderGroupsAdded::new, done, &msg))?)
}

/// `POST group/removeGroups` `{"groups":[...]}`.
#[utoipa::path(
    post,
    path = "/group/removeGroups",
    tag = "Extender",
    operation_id = "extenderRemoveGroups",
    request_body = crate::operations::openapi::extender::ExtenderGroupList,
    responses((status = 200, description = "Deleted and skipped (site admins; one transaction)", body = crate::operations::openapi::extender::ExtenderGroupsRemoved))
)]
pub async fn remove_groups(State(s): State<AppState>, Caller(actor): Caller, RawBody(body): RawBody) -> Reply {
    let admin = s.dir.admin(&actor)?;
    let list = listed(parse::<GroupsBody>(&body)?.groups, "groups")?;
    let done = admin.delete_groups(list, "groups").await?;
    let msg = Messages {
        all: "all groups removed",
        some: "groups removed, some groups skipped",
        none: "no groups removed, all groups skipped",
    };
    Ok(reply(&outcome(ExtenderGroupsRemoved::new, done, &msg))?)
}

async fn members(s: AppState, actor: Actor, group: String, body: &[u8], add: bool) -> Reply {
    let admin = s.dir.admin(&actor)?;
    let list = listed(parse::<UsersBody>(body)?.users, "users")?;
    let done = admin.change_members(&group, list, UserKey::Username, add).await?;
    if add {
        let msg = Messages {
            all: "all users added to group",
            some: "users added to group, but some users skipped",
            none: "no users added to group, all users skipped",
        };
        Ok(reply(&outcome(ExtenderUsersAdded::new, done, &msg))?)
    } else {
        let msg = Messages {
            all: "all users removed from group",
            some: "users removed from group, but some users skipped",
            none: "no users removed from group, all users skipped",
        };
        Ok(reply(&outcome(ExtenderUsersRemoved::new, done, &msg))?)
    }
}

/// `POST group/addUsers/{GROUP}` `{"users":[usernames]}`.
#[utoipa::path(
    post,
    path = "/group/addUsers/{*group}",
    tag = "Extender",
    operation_id = "extenderAddUsers",
    params(("group" = String, Path, description = "The group's name (may contain `/`)", example = "developers")),
    request_body = crate::operations::openapi::extender::ExtenderUserList,
    responses((status = 200, description = "Added and skipped (site admins; one transaction)", body = crate::operations::openapi::extender::ExtenderUsersAdded))
)]
pub async fn add_users(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathParam(g): PathParam,
    RawBody(b): RawBody,
) -> Reply {
    members(s, a, g, &b, true).await
}

/// `POST group/removeUsers/{GROUP}` `{"users":[usernames]}`.
#[utoipa::path(
    post,
    path = "/group/removeUsers/{*group}",
    tag = "Extender",
    operation_id = "extenderRemoveUsers",
    params(("group" = String, Path, description = "The group's name (may contain `/`)", example = "developers")),
    request_body = crate::operations::openapi::extender::ExtenderUserList,
    responses((status = 200, description = "Removed and skipped (site admins; one transaction)", body = crate::operations::openapi::extender::ExtenderUsersRemoved))
)]
pub async fn remove_users(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathParam(g): PathParam,
    RawBody(b): RawBody,
) -> Reply {
    members(s, a, g, &b, false).await
}
