//! DC groups: listing, one group, and the 8.2+ admin endpoints to create
//! and delete a group. Deleting the last site-admin group is refused (400),
//! as DC refuses it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_core::Error;
use serde::Deserialize;

use super::render;
use super::{DcRequest, LIMIT};
use crate::state::AppState;
use crate::wire::auth::Caller;
use crate::wire::body::{parse, RawBody};
use crate::wire::error::ApiError;
use crate::wire::json::{json_response, serialized};
use crate::wire::path::PathParams;

type Reply = Result<Response, ApiError>;

/// `GET /group`: all groups by name.
#[utoipa::path(
    get,
    path = "/group",
    tag = "Data Center",
    operation_id = "dcGetGroups",
    params(crate::operations::openapi::common::DcPaging),
    responses((status = 200, description = "Groups by name", body = crate::operations::openapi::dc::DcGroupCollection))
)]
pub async fn list(State(s): State<AppState>, Caller(actor): Caller, here: DcRequest) -> Reply {
    let m = s.dir.reader(&actor)?;
    let page = here.params.page(LIMIT, LIMIT)?;
    let total = m.group_count();
    let groups = m.groups_by_name().skip(page.start).take(page.limit).map(|g| render::group(g, &here)).collect();
    let c = render::group_collection(&here, groups, page.start, page.limit, total);
    Ok(json_response(serialized(&c, 160 * page.limit.min(total))?))
}

/// `GET /group/{groupName}`.
#[utoipa::path(
    get,
    path = "/group/{group}",
    tag = "Data Center",
    operation_id = "dcGetGroup",
    params(("group" = String, Path, description = "The group's name", example = "developers")),
    responses((status = 200, description = "The group", body = crate::operations::openapi::dc::Group))
)]
pub async fn one(State(s): State<AppState>, Caller(actor): Caller, seg: PathParams, here: DcRequest) -> Reply {
    let m = s.dir.reader(&actor)?;
    let g = m.group_by_name(seg.at(0))?;
    Ok(json_response(serialized(&render::group(g, &here), 200)?))
}

#[derive(Deserialize)]
struct NewGroup {
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// `POST /admin/group` `{"name","type":"group"}`: 200 with the group.
#[utoipa::path(
    post,
    path = "/admin/group",
    tag = "Data Center",
    operation_id = "dcCreateGroup",
    request_body = crate::operations::openapi::dc::DcNewGroup,
    responses((status = 200, description = "The new group (site admins)", body = crate::operations::openapi::dc::Group))
)]
pub async fn create(
    State(s): State<AppState>,
    Caller(actor): Caller,
    here: DcRequest,
    RawBody(body): RawBody,
) -> Reply {
    let admin = s.dir.admin(&actor)?;
    let req: NewGroup = parse(&body)?;
    if req.kind.as_deref().is_some_and(|k| k != "group") {
        return Err(Error::invalid("type", "must be \"group\"").into());
    }
    let name = req.name.filter(|n| !n.is_empty()).ok_or_else(|| Error::invalid("name", "is required"))?;
    let g = admin.create_group(&name).await?;
    let m = admin.reader();
    let entry = m.group(g.id).ok_or_else(|| Error::not_found("group", name))?;
    Ok(json_response(serialized(&render::group(entry, &here), 200)?))
}

/// `DELETE /admin/group/{groupName}`: 204.
#[utoipa::path(
    delete,
    path = "/admin/group/{group}",
    tag = "Data Center",
    operation_id = "dcDeleteGroup",
    params(("group" = String, Path, description = "The group's name", example = "developers")),
    responses((status = 204, description = "Deleted (site admins; never the last admin group)"))
)]
pub async fn delete(State(s): State<AppState>, Caller(actor): Caller, seg: PathParams) -> Reply {
    let admin = s.dir.admin(&actor)?;
    let gid = admin.reader().group_by_name(seg.at(0))?.group.id;
    admin.delete_group(gid, "groupName").await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
