//! DC memberships: the member page of a group, and adding or removing a
//! member by the documented `PUT`/`DELETE /user/{username}/group/{groupName}`
//! (atlassian-python-api 4.x) or by `POST /group/{groupName}/member`
//! `{"name"}` and `DELETE /group/{groupName}/member/{username}`
//! (atlassian-python-api 5.x). All four answer 204 and are idempotent:
//! adding a member again or removing a non-member changes nothing.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_core::{Actor, Error};
use serde::Deserialize;

use super::render::{self, DcExpand};
use super::{DcRequest, LIMIT};
use crate::state::AppState;
use crate::wire::auth::Caller;
use crate::wire::body::{parse, RawBody};
use crate::wire::error::ApiError;
use crate::wire::json::{json_response, serialized};
use crate::wire::path::PathParams;

type Reply = Result<Response, ApiError>;

/// `GET /group/{groupName}/member`.
#[utoipa::path(
    get,
    path = "/group/{group}/member",
    tag = "Data Center",
    operation_id = "dcGetGroupMembers",
    params(("group" = String, Path, description = "The group's name", example = "developers"), crate::operations::openapi::common::DcPaging, crate::operations::openapi::common::ExpandParam),
    responses((status = 200, description = "Members, in account-creation order", body = crate::operations::openapi::dc::DcPersonCollection))
)]
pub async fn list(State(s): State<AppState>, Caller(actor): Caller, seg: PathParams, here: DcRequest) -> Reply {
    let m = s.dir.reader(&actor)?;
    let g = m.group_by_name(seg.at(0))?;
    let page = here.params.page(LIMIT, LIMIT)?;
    let x = DcExpand::of(&here);
    let total = g.members.len();
    let people = g
        .members
        .iter_from(page.start)
        .take(page.limit)
        .filter_map(|id| m.member(id))
        .map(|e| render::person(&m, e, &here, x))
        .collect();
    let c = render::person_collection(&here, people, page.start, page.limit, total);
    Ok(json_response(serialized(&c, 400 * page.limit.min(total))?))
}

async fn change(s: &AppState, actor: &Actor, group: &str, username: &str, add: bool) -> Reply {
    let admin = s.dir.admin(actor)?;
    let (group, user) = {
        let m = admin.reader();
        (m.group_by_name(group)?.group.id, m.user_by_username(username)?.user.id)
    };
    admin.set_member(group, user, add).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `PUT /user/{username}/group/{groupName}`: 204.
#[utoipa::path(
    put,
    path = "/user/{username}/group/{group}",
    tag = "Data Center",
    operation_id = "dcAddMembership",
    params(("username" = String, Path, description = "The username", example = "ada"), ("group" = String, Path, description = "The group's name", example = "developers")),
    responses((status = 204, description = "A member (site admins; idempotent)"))
)]
pub async fn put_membership(State(s): State<AppState>, Caller(actor): Caller, seg: PathParams) -> Reply {
    change(&s, &actor, seg.at(1), seg.at(0), true).await
}

/// `DELETE /user/{username}/group/{groupName}`: 204.
#[utoipa::path(
    delete,
    path = "/user/{username}/group/{group}",
    tag = "Data Center",
    operation_id = "dcRemoveMembership",
    params(("username" = String, Path, description = "The username", example = "ada"), ("group" = String, Path, description = "The group's name", example = "developers")),
    responses((status = 204, description = "Not a member (site admins; idempotent)"))
)]
pub async fn delete_membership(State(s): State<AppState>, Caller(actor): Caller, seg: PathParams) -> Reply {
    change(&s, &actor, seg.at(1), seg.at(0), false).await
}

#[derive(Deserialize)]
struct MemberRef {
    name: Option<String>,
}

/// `POST /group/{groupName}/member` `{"name": username}`: 204.
#[utoipa::path(
    post,
    path = "/group/{group}/member",
    tag = "Data Center",
    operation_id = "dcAddMember",
    params(("group" = String, Path, description = "The group's name", example = "developers")),
    request_body = crate::operations::openapi::dc::DcMemberName,
    responses((status = 204, description = "A member (site admins; idempotent)"))
)]
pub async fn post_member(
    State(s): State<AppState>,
    Caller(actor): Caller,
    seg: PathParams,
    RawBody(b): RawBody,
) -> Reply {
    s.dir.admin(&actor)?;
    let r: MemberRef = parse(&b)?;
    let name = r.name.filter(|n| !n.is_empty()).ok_or_else(|| Error::invalid("name", "is required"))?;
    change(&s, &actor, seg.at(0), &name, true).await
}

/// `DELETE /group/{groupName}/member/{username}`: 204.
#[utoipa::path(
    delete,
    path = "/group/{group}/member/{username}",
    tag = "Data Center",
    operation_id = "dcRemoveMember",
    params(("group" = String, Path, description = "The group's name", example = "developers"), ("username" = String, Path, description = "The username", example = "ada")),
    responses((status = 204, description = "Not a member (site admins; idempotent)"))
)]
pub async fn delete_member(State(s): State<AppState>, Caller(actor): Caller, seg: PathParams) -> Reply {
    change(&s, &actor, seg.at(0), seg.at(1), false).await
}
