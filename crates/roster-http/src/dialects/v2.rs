//! Confluence Cloud REST v2 (`/wiki/api/v2`), the user operations only:
//! bulk lookup by account id and site access by e-mail address (checking
//! and inviting). The dialect has its own error envelope
//! (`{"errors":[{status,code,title,detail}]}`, `errors.rs`) and refuses a
//! caller who may not use an operation with 404, as Atlassian's
//! description lists. Handlers parse, open a door, and render wire types.

pub mod errors;
mod render;
mod request;
mod users;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// Where the dialect is served.
pub const PREFIX: &str = "/wiki/api/v2/";

/// Whether `path` is under the dialect's prefix (its errors, unknown
/// routes and wrong methods included, answer in its own shape).
pub fn serves(path: &str) -> bool {
    path.starts_with(PREFIX)
}

/// The v2 routes; each handler's path and method come from its `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(users::bulk))
        .routes(routes!(users::check_access))
        .routes(routes!(users::invite))
}
