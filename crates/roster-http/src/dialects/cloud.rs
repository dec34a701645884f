//! Confluence Cloud REST v1 (`/wiki/rest/api`): users, groups, memberships
//! and user search. Handlers are thin: resolve references in the model,
//! ask the directory, render.

mod cql;
mod groups;
mod members;
mod prefetch;
pub mod render;
mod request;
pub(crate) mod search;
mod users;

use roster_core::directory::Reader;
use roster_core::model::{GroupEntry, UserEntry};
use roster_core::{Error, Result};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::middleware::direct::{direct, Direct};
use crate::state::AppState;
use crate::wire::params::Params;
pub use request::CloudRequest;

/// The Cloud GET routes without path parameters, with their handlers,
/// for the guard to call without the router (see `direct.rs`): every read a
/// sync job makes in bulk. Each is also in [`routes`], which serves its HEAD
/// and other methods, and the API description lists it as a GET (checked
/// when the app is built).
pub fn direct_gets() -> Vec<(&'static str, Direct)> {
    vec![
        ("/wiki/rest/api/user", direct(users::get_user)),
        ("/wiki/rest/api/user/anonymous", direct(users::anonymous)),
        ("/wiki/rest/api/user/current", direct(users::current)),
        ("/wiki/rest/api/user/memberof", direct(users::memberof)),
        ("/wiki/rest/api/user/bulk", direct(users::bulk)),
        ("/wiki/rest/api/user/email", direct(users::email)),
        ("/wiki/rest/api/user/email/bulk", direct(users::email_bulk)),
        ("/wiki/rest/api/user/bulk/migration", direct(users::migration)),
        ("/wiki/rest/api/group", direct(groups::list)),
        ("/wiki/rest/api/group/picker", direct(groups::picker)),
        ("/wiki/rest/api/group/by-name", direct(groups::by_name)),
        ("/wiki/rest/api/group/by-id", direct(groups::by_id)),
        ("/wiki/rest/api/group/member", direct(members::list_by_query)),
        ("/wiki/rest/api/search/user", direct(search::users)),
    ]
}

/// The Cloud v1 routes; each handler's path and method come from its
/// `#[utoipa::path]` (see crate::operations::openapi). The paths are written out in
/// full rather than nested under `/wiki/rest/api`: a nested router costs a
/// second routing step and a rewritten URI (a copy of the 11 KB query of a
/// bulk lookup) on every request.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(users::get_user))
        .routes(routes!(users::anonymous))
        .routes(routes!(users::current))
        .routes(routes!(users::memberof))
        .routes(routes!(users::bulk))
        .routes(routes!(users::email))
        .routes(routes!(users::email_bulk))
        .routes(routes!(users::migration))
        .routes(routes!(groups::list, groups::create, groups::delete_by_name))
        .routes(routes!(groups::by_name))
        .routes(routes!(groups::by_id, groups::delete_by_id))
        .routes(routes!(groups::picker))
        .routes(routes!(members::list_by_query))
        .routes(routes!(members::add_by_name, members::remove_by_name))
        .routes(routes!(members::add_by_id, members::remove_by_id))
        .routes(routes!(groups::by_path))
        .routes(routes!(members::list_by_path_name))
        .routes(routes!(members::list_by_path_id))
        .routes(routes!(search::users))
}

/// The user a request names: `accountId`, else `username`, else `key`.
pub(crate) fn user_by_account_username_or_key<'m>(m: &'m Reader<'_>, p: &Params) -> Result<&'m UserEntry> {
    if let Some(id) = p.get("accountId").filter(|v| !v.is_empty()) {
        render::user_by_account(m, id)
    } else if let Some(name) = p.get("username").filter(|v| !v.is_empty()) {
        m.user_by_username(name)
    } else if let Some(key) = p.get("key").filter(|v| !v.is_empty()) {
        m.user_by_key(key)
    } else {
        Err(Error::invalid("accountId", "is required"))
    }
}

/// The group named by the `name` query parameter.
pub(crate) fn group_by_name_param<'m>(m: &'m Reader<'_>, p: &Params) -> Result<&'m GroupEntry> {
    m.group_by_name(p.required("name")?)
}
