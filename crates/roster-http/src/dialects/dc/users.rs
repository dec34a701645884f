//! DC user reads: one user (by `username` or `key`), the current and the
//! anonymous user, a user's groups, and the list of every user (disabled
//! ones included, as DC 8.4+ documents).

use axum::extract::State;
use axum::response::Response;
use roster_core::{Actor, Error};

use super::render::{self, DcExpand};
use super::{user_by_key_or_username, DcRequest, LIMIT};
use crate::operations::openapi::dc::CurrentPerson;
use crate::state::AppState;
use crate::wire::auth::Caller;
use crate::wire::error::ApiError;
use crate::wire::json::{json_response, serialized};

type Reply = Result<Response, ApiError>;

/// `GET /user?username=` (or `key=`).
#[utoipa::path(
    get,
    path = "/user",
    tag = "Data Center",
    operation_id = "dcGetUser",
    params(("username" = Option<String>, Query, description = "The username", example = "ada"), ("key" = Option<String>, Query, description = "Or the user key", example = "8a7f808a7c1a2b3c017c1a2b3c4d0001"), crate::operations::openapi::common::ExpandParam),
    responses((status = 200, description = "The user", body = crate::operations::openapi::dc::Person))
)]
pub async fn get_user(State(s): State<AppState>, Caller(actor): Caller, here: DcRequest) -> Reply {
    let m = s.dir.reader(&actor)?;
    let e = user_by_key_or_username(&m, &here.params)?;
    Ok(json_response(serialized(&render::person(&m, e, &here, DcExpand::of(&here)), 512)?))
}

/// `GET /user/current`: the caller, or the anonymous user when anonymous
/// access is allowed.
#[utoipa::path(
    get,
    path = "/user/current",
    tag = "Data Center",
    operation_id = "dcGetCurrentUser",
    params(crate::operations::openapi::common::ExpandParam),
    responses((status = 200, description = "The caller (the anonymous user when anonymous)", body = crate::operations::openapi::dc::CurrentPerson))
)]
pub async fn current(State(s): State<AppState>, Caller(actor): Caller, here: DcRequest) -> Reply {
    let m = s.dir.reader(&actor)?;
    match actor {
        Actor::User(id) => {
            let e = m.user(id).ok_or(Error::Unauthenticated)?;
            let known = CurrentPerson::Known(render::person(&m, e, &here, DcExpand::of(&here)));
            Ok(json_response(serialized(&known, 512)?))
        }
        _ => Ok(json_response(serialized(&CurrentPerson::Anonymous(render::anonymous(&here)), 256)?)),
    }
}

/// `GET /user/anonymous`.
#[utoipa::path(
    get,
    path = "/user/anonymous",
    tag = "Data Center",
    operation_id = "dcGetAnonymousUser",
    responses((status = 200, description = "The anonymous user", body = crate::operations::openapi::dc::AnonymousPerson))
)]
pub async fn anonymous(State(s): State<AppState>, Caller(actor): Caller, here: DcRequest) -> Reply {
    s.dir.reader(&actor)?;
    Ok(json_response(serialized(&render::anonymous(&here), 256)?))
}

/// `GET /user/memberof?username=`: the user's groups, by name.
#[utoipa::path(
    get,
    path = "/user/memberof",
    tag = "Data Center",
    operation_id = "dcGetUserGroups",
    params(("username" = Option<String>, Query, description = "The username", example = "ada"), ("key" = Option<String>, Query, description = "Or the user key", example = "8a7f808a7c1a2b3c017c1a2b3c4d0001"), crate::operations::openapi::common::DcPaging),
    responses((status = 200, description = "The user's groups, by name", body = crate::operations::openapi::dc::DcGroupCollection))
)]
pub async fn memberof(State(s): State<AppState>, Caller(actor): Caller, here: DcRequest) -> Reply {
    let m = s.dir.reader(&actor)?;
    let e = user_by_key_or_username(&m, &here.params)?;
    let page = here.params.page(LIMIT, LIMIT)?;
    let groups = m.groups_of(e);
    let page_of = groups.iter().skip(page.start).take(page.limit).map(|g| render::group(g, &here)).collect();
    let c = render::group_collection(&here, page_of, page.start, page.limit, groups.len());
    Ok(json_response(serialized(&c, 160 * page.limit.min(groups.len()))?))
}

/// `GET /user/list`: every user, active or not, in creation order.
#[utoipa::path(
    get,
    path = "/user/list",
    tag = "Data Center",
    operation_id = "dcGetUsers",
    params(crate::operations::openapi::common::DcPaging, crate::operations::openapi::common::ExpandParam),
    responses((status = 200, description = "Every user, active or not, in creation order", body = crate::operations::openapi::dc::DcPersonCollection))
)]
pub async fn list(State(s): State<AppState>, Caller(actor): Caller, here: DcRequest) -> Reply {
    let m = s.dir.reader(&actor)?;
    let page = here.params.page(LIMIT, LIMIT)?;
    let x = DcExpand::of(&here);
    let total = m.user_count();
    let people = m.users().skip(page.start).take(page.limit).map(|e| render::person(&m, e, &here, x)).collect();
    let c = render::person_collection(&here, people, page.start, page.limit, total);
    Ok(json_response(serialized(&c, 400 * page.limit.min(total))?))
}
