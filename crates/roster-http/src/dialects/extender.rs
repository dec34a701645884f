//! Extender for Confluence (`/rest/extender/1.0`, also under the
//! `/confluence` context path): the group and user endpoints of the IT-Lab
//! app that Data Center installations script against. Handlers resolve names
//! in the model and write through the directory; every bulk call is one
//! store transaction. Choices the vendor documentation leaves open are
//! listed in docs/dialects/extender.md.

mod bulk;
pub mod dates;
mod groups;
mod render;
mod users;

use roster_core::Result;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;
use crate::wire::json::{json_response, serialized};
use crate::wire::params::Params;

/// Largest `maxResults` honoured (larger values are clamped and echoed).
pub const MAX_RESULTS: usize = 1000;

/// Relative to `/rest/extender/1.0`; each handler's path and method come
/// from its `#[utoipa::path]` (see crate::operations::openapi).
fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(groups::get_users))
        .routes(routes!(groups::get_groups))
        .routes(routes!(bulk::add_groups))
        .routes(routes!(bulk::remove_groups))
        .routes(routes!(bulk::add_users))
        .routes(routes!(bulk::remove_users))
        .routes(routes!(users::get_users))
        .routes(routes!(users::get_users_with_access))
        .routes(routes!(users::get_user_details))
        .routes(routes!(users::add))
        .routes(routes!(users::activate))
        .routes(routes!(users::deactivate))
}

/// The Extender routes, at the server root and under `/confluence`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().nest("/rest/extender/1.0", api()).nest("/confluence/rest/extender/1.0", api())
}

/// `startAt`/`maxResults`, the latter clamped to [`MAX_RESULTS`].
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub start: usize,
    pub max: usize,
}

impl Paging {
    fn from(p: &Params, default: usize) -> Result<Self> {
        Ok(Paging { start: p.count("startAt", 0)?, max: p.count("maxResults", default)?.min(MAX_RESULTS) })
    }
}

/// Answers `value` as a 200 JSON body, its keys sorted at every level:
/// Extender answers have always gone out that way (they were built as
/// `serde_json::Value`s, whose maps sort), and scripts may compare them as
/// text. A `Value` in between still does the sorting.
fn reply(value: &impl serde::Serialize) -> Result<axum::response::Response> {
    let sorted = serde_json::to_value(value).map_err(|e| roster_core::Error::Internal(e.into()))?;
    Ok(json_response(serialized(&sorted, 1024)?))
}
