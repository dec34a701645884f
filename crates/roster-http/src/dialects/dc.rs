//! Confluence Data Center core REST (`/rest/api`, also under the
//! `/confluence` context path): users, groups, memberships and user
//! administration, as DC 8.x/9.x serve them and as atlassian-python-api's
//! `Server` class (4.x and 5.x) calls them. Persons carry `username` and
//! `userKey`; collections link `next` relative to `_links.base`. Choices
//! the vendor documentation leaves open are listed in docs/dialects/dc.md.

mod active;
mod admin;
mod groups;
mod longtask;
mod members;
mod profile;
pub mod render;
mod request;
mod users;

use roster_core::directory::Reader;
use roster_core::model::UserEntry;
use roster_core::{Error, Result};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;
use crate::wire::params::Params;
pub use request::DcRequest;

/// Default and largest page of every DC collection (DC's own).
pub const LIMIT: usize = 200;

/// Relative to `/rest/api`; each handler's path and method come from its
/// `#[utoipa::path]` (see crate::operations::openapi).
fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(users::get_user))
        .routes(routes!(users::current))
        .routes(routes!(users::anonymous))
        .routes(routes!(users::memberof))
        .routes(routes!(users::list))
        .routes(routes!(admin::change_own_password))
        .routes(routes!(members::put_membership, members::delete_membership))
        .routes(routes!(groups::list))
        .routes(routes!(groups::one))
        .routes(routes!(members::list, members::post_member))
        .routes(routes!(members::delete_member))
        .routes(routes!(groups::create))
        .routes(routes!(groups::delete))
        .routes(routes!(admin::create_user))
        .routes(routes!(admin::delete_user, profile::update_user))
        .routes(routes!(admin::disable))
        .routes(routes!(admin::enable))
        .routes(routes!(admin::set_password))
        .routes(routes!(active::list))
        .routes(routes!(longtask::status))
}

/// The DC routes, at the server root and under the `/confluence` context.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().nest("/rest/api", api()).nest(&format!("{}/rest/api", request::CONTEXT), api())
}

/// The user a request names by `username`, else `key`.
pub(crate) fn user_by_key_or_username<'m>(m: &'m Reader<'_>, p: &Params) -> Result<&'m UserEntry> {
    if let Some(name) = p.get("username").filter(|v| !v.is_empty()) {
        m.user_by_username(name)
    } else if let Some(key) = p.get("key").filter(|v| !v.is_empty()) {
        m.user_by_key(key)
    } else {
        Err(Error::invalid("username", "username or key is required"))
    }
}
