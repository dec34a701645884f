//! `GET /admin/users/list/active` (DC 9.4+): the users who count toward
//! the licence, which in roster are the users who may use the product
//! (active, in an access group), in creation order, paged like every DC
//! collection. `expand=lastLogin` adds each one's last successful sign-in.

use axum::extract::State;
use axum::response::Response;

use super::render::{self, DcExpand};
use super::{DcRequest, LIMIT};
use crate::state::AppState;
use crate::wire::auth::Caller;
use crate::wire::error::ApiError;
use crate::wire::json::{json_response, serialized};

/// `GET /admin/users/list/active`: 200 collection of Persons (site admins).
#[utoipa::path(
    get,
    path = "/admin/users/list/active",
    tag = "Data Center",
    operation_id = "dcGetActiveUsers",
    params(crate::operations::openapi::common::DcPaging, crate::operations::openapi::common::ExpandParam),
    responses((status = 200, description = "The users with product access, in creation order (site admins); expand=lastLogin,status", body = crate::operations::openapi::dc::DcPersonCollection))
)]
pub async fn list(State(s): State<AppState>, Caller(actor): Caller, here: DcRequest) -> Result<Response, ApiError> {
    let m = s.dir.admin_reader(&actor)?;
    let page = here.params.page(LIMIT, LIMIT)?;
    let mut x = DcExpand::of(&here);
    x.last_login = here.params.all("expand").contains(&"lastLogin");
    // Counting needs the whole walk anyway; the directory is in memory.
    let active: Vec<_> = m.users().filter(|e| m.can_use(e)).collect();
    let people = active.iter().skip(page.start).take(page.limit).map(|e| render::person(&m, e, &here, x)).collect();
    let c = render::person_collection(&here, people, page.start, page.limit, active.len());
    Ok(json_response(serialized(&c, 440 * page.limit.min(active.len()))?))
}
