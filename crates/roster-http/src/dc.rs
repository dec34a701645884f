//! Confluence Data Center core REST (`/rest/api`, also under the
//! `/confluence` context path): users, groups, memberships and user
//! administration, as DC 8.x/9.x serve them and as atlassian-python-api's
//! `Server` class (4.x and 5.x) calls them. Persons carry `username` and
//! `userKey`; collections link `next` relative to `_links.base`. Choices
//! the vendor documentation leaves open are listed in docs/dialects/dc.md.

mod admin;
mod groups;
mod members;
pub mod render;
mod request;
mod users;

use axum::routing::{get, post, put};
use axum::Router;
use roster_core::model::{Model, UserEntry};
use roster_core::{Error, Result};

use crate::params::Params;
use crate::state::AppState;
pub use request::{Here, Segments};

/// Default and largest page of every DC collection (DC's own).
pub const LIMIT: usize = 200;

fn api() -> Router<AppState> {
    Router::new()
        .route("/user", get(users::get_user))
        .route("/user/current", get(users::current))
        .route("/user/anonymous", get(users::anonymous))
        .route("/user/memberof", get(users::memberof))
        .route("/user/list", get(users::list))
        .route("/user/current/password", post(admin::change_own_password))
        .route("/user/{username}/group/{group}", put(members::put_membership).delete(members::delete_membership))
        .route("/group", get(groups::list))
        .route("/group/{group}", get(groups::one))
        .route("/group/{group}/member", get(members::list).post(members::post_member))
        .route("/group/{group}/member/{username}", axum::routing::delete(members::delete_member))
        .route("/admin/group", post(groups::create))
        .route("/admin/group/{group}", axum::routing::delete(groups::delete))
        .route("/admin/user", post(admin::create_user))
        .route("/admin/user/{username}", axum::routing::delete(admin::delete_user))
        .route("/admin/user/{username}/disable", put(admin::disable))
        .route("/admin/user/{username}/enable", put(admin::enable))
        .route("/admin/user/{username}/password", post(admin::set_password))
}

/// The DC routes, at the server root and under the `/confluence` context.
pub fn routes() -> Router<AppState> {
    Router::new().nest("/rest/api", api()).nest(&format!("{}/rest/api", request::CONTEXT), api())
}

/// The user a request names by `username`, else `key`.
pub(crate) fn user_from<'m>(m: &'m Model, p: &Params) -> Result<&'m UserEntry> {
    if let Some(name) = p.get("username").filter(|v| !v.is_empty()) {
        m.user_by_username(name)
    } else if let Some(key) = p.get("key").filter(|v| !v.is_empty()) {
        m.user_by_key(key)
    } else {
        Err(Error::invalid("username", "username or key is required"))
    }
}
