//! Confluence Cloud REST v1 (`/wiki/rest/api`): users, groups, memberships
//! and user search. Handlers are thin: resolve references in the model,
//! ask the directory, render.

mod cql;
mod groups;
mod members;
pub mod render;
mod request;
mod search;
mod users;

use axum::routing::{get, post};
use axum::Router;
use roster_core::model::{GroupEntry, Model, UserEntry};
use roster_core::{Error, Result};

use crate::params::Params;
use crate::state::AppState;
pub use request::Here;

/// The Cloud v1 routes, relative to `/wiki/rest/api`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/user", get(users::get_user))
        .route("/user/anonymous", get(users::anonymous))
        .route("/user/current", get(users::current))
        .route("/user/memberof", get(users::memberof))
        .route("/user/bulk", get(users::bulk))
        .route("/user/email", get(users::email))
        .route("/user/email/bulk", get(users::email_bulk))
        .route("/user/bulk/migration", get(users::migration))
        .route("/group", get(groups::list).post(groups::create).delete(groups::delete_by_name))
        .route("/group/by-name", get(groups::by_name))
        .route("/group/by-id", get(groups::by_id).delete(groups::delete_by_id))
        .route("/group/picker", get(groups::picker))
        .route("/group/member", get(members::list_by_query))
        .route("/group/user", post(members::add_by_name).delete(members::remove_by_name))
        .route("/group/userByGroupId", post(members::add_by_id).delete(members::remove_by_id))
        .route("/group/{group}", get(groups::by_path))
        .route("/group/{group}/member", get(members::list_by_path_name))
        .route("/group/{group}/membersByGroupId", get(members::list_by_path_id))
        .route("/search/user", get(search::users))
}

/// The user a request names: `accountId`, else `username`, else `key`.
pub(crate) fn user_from<'m>(m: &'m Model, p: &Params) -> Result<&'m UserEntry> {
    if let Some(id) = p.get("accountId").filter(|v| !v.is_empty()) {
        m.user_by_account(id)
    } else if let Some(name) = p.get("username").filter(|v| !v.is_empty()) {
        m.user_by_username(name)
    } else if let Some(key) = p.get("key").filter(|v| !v.is_empty()) {
        m.user_by_key(key)
    } else {
        Err(Error::invalid("accountId", "is required"))
    }
}

/// The group named by the `name` query parameter.
pub(crate) fn group_by_name_param<'m>(m: &'m Model, p: &Params) -> Result<&'m GroupEntry> {
    m.group_by_name(p.required("name")?)
}
