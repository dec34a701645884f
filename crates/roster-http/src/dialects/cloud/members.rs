//! Cloud membership endpoints: member pages (by name, path or id) and
//! adding or removing a member. Adding an existing member answers 201 and
//! removing a non-member 204, both changing nothing (Atlassian's notes on
//! these operations say so).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_core::directory::Reader;
use roster_core::model::GroupEntry;
use roster_core::page::MAX_LIMIT;
use roster_core::{Error, GroupId, Result, UserId};
use serde::Deserialize;

use super::render::{self, CloudExpand, Links, PageWriter, UserWriter};
use super::{group_by_name_param, CloudRequest};
use crate::state::AppState;
use crate::wire::auth::Caller;
use crate::wire::body::{parse, RawBody};
use crate::wire::error::ApiError;
use crate::wire::json::json_response;
use crate::wire::path::PathParam;

type Reply = Result<Response, ApiError>;

/// How a member list treats a `limit` above 200: `/group/member` caps it,
/// the path forms answer 400 (as each operation's description says).
#[derive(Clone, Copy)]
enum Over {
    Capped,
    Refused,
}

fn members_page(s: &AppState, m: &Reader<'_>, here: &CloudRequest, g: &GroupEntry, over: Over) -> Reply {
    let p = &here.params;
    let page = match over {
        Over::Capped => p.page(MAX_LIMIT, MAX_LIMIT)?,
        Over::Refused => p.page_within(MAX_LIMIT, MAX_LIMIT)?,
    };
    let total = g.members.len();
    let expand = CloudExpand::parse(&p.all("expand"));
    // Resolve the page first: independent lookups overlap their cache misses.
    let ids: Vec<u32> = g.members.iter_from(page.start).take(page.limit).collect();
    let found = m.members(&ids);
    let mut w = PageWriter::new(render::users_capacity(&found, &s.cloud_base_json) + 2 * p.link_len());
    let users = UserWriter::new(m, &s.cloud_base, &s.cloud_base_json, expand);
    for e in found {
        w.item(|o| users.write(o, e));
    }
    let more = page.limit > 0 && page.start + w.size() < total;
    let links = Links { base_json: &s.cloud_base_json, path: here.path(), params: p };
    let shown = p.flag("shouldReturnTotalSize")?.then_some(total);
    Ok(json_response(w.finish(&links, page, shown, more, b"")))
}

/// `GET /group/member?name=`.
#[utoipa::path(
    get,
    path = "/wiki/rest/api/group/member",
    tag = "Cloud",
    operation_id = "cloudGetGroupMembers",
    params(("name" = String, Query, description = "The group's name", example = "developers"), crate::operations::openapi::common::CloudPaging, crate::operations::openapi::common::ExpandParam),
    responses((status = 200, description = "Members, in account-creation order", body = crate::operations::openapi::cloud::UserPage))
)]
pub async fn list_by_query(State(s): State<AppState>, Caller(actor): Caller, here: CloudRequest) -> Reply {
    let m = s.dir.reader(&actor)?;
    let g = group_by_name_param(&m, &here.params)?;
    members_page(&s, &m, &here, g, Over::Capped)
}

/// `GET /group/{groupName}/member`.
#[utoipa::path(
    get,
    path = "/wiki/rest/api/group/{group}/member",
    tag = "Cloud",
    operation_id = "cloudGetGroupMembersByPath",
    params(("group" = String, Path, description = "The group's name", example = "developers"), crate::operations::openapi::common::CloudPaging, crate::operations::openapi::common::ExpandParam),
    responses(
        (status = 200, description = "Members, in account-creation order", body = crate::operations::openapi::cloud::UserPage),
        (status = 400, description = "A limit greater than 200", body = crate::operations::openapi::common::ErrorBody)
    )
)]
pub async fn list_by_path_name(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathParam(name): PathParam,
    here: CloudRequest,
) -> Reply {
    let m = s.dir.reader(&actor)?;
    let g = m.group_by_name(&name)?;
    members_page(&s, &m, &here, g, Over::Refused)
}

/// `GET /group/{groupId}/membersByGroupId`.
#[utoipa::path(
    get,
    path = "/wiki/rest/api/group/{group}/membersByGroupId",
    tag = "Cloud",
    operation_id = "cloudGetGroupMembersById",
    params(("group" = String, Path, description = "The group's id", example = "8b5d2f7e-3c1a-4e9b-9f0d-2a6c1e4b7d30"), crate::operations::openapi::common::CloudPaging, crate::operations::openapi::common::ExpandParam),
    responses(
        (status = 200, description = "Members, in account-creation order", body = crate::operations::openapi::cloud::UserPage),
        (status = 400, description = "A limit greater than 200", body = crate::operations::openapi::common::ErrorBody)
    )
)]
pub async fn list_by_path_id(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathParam(id): PathParam,
    here: CloudRequest,
) -> Reply {
    let m = s.dir.reader(&actor)?;
    let g = m.group_by_uuid(&id)?;
    members_page(&s, &m, &here, g, Over::Refused)
}

#[derive(Deserialize)]
struct AccountRef {
    #[serde(rename = "accountId")]
    account_id: Option<String>,
}

fn account_from_body(body: &[u8]) -> Result<String> {
    let r: AccountRef = parse(body)?;
    r.account_id.filter(|a| !a.is_empty()).ok_or_else(|| Error::invalid("accountId", "is required"))
}

/// Resolves the group (by `name` or `groupId`) and the user of a write.
fn target(m: &Reader<'_>, here: &CloudRequest, by_id: bool, account: &str) -> Result<(GroupId, UserId)> {
    let g =
        if by_id { m.group_by_uuid(here.params.required("groupId")?)? } else { group_by_name_param(m, &here.params)? };
    let u = m.user_by_account(account)?;
    Ok((g.group.id, u.user.id))
}

async fn add(s: AppState, actor: roster_core::Actor, here: CloudRequest, body: &[u8], by_id: bool) -> Reply {
    let admin = s.dir.admin(&actor)?;
    let account = account_from_body(body)?;
    let (g, u) = target(&admin.reader(), &here, by_id, &account)?;
    admin.add_member(g, u).await?;
    Ok(StatusCode::CREATED.into_response())
}

async fn remove(s: AppState, actor: roster_core::Actor, here: CloudRequest, by_id: bool) -> Reply {
    let admin = s.dir.admin(&actor)?;
    let (g, u) = target(&admin.reader(), &here, by_id, here.params.required("accountId")?)?;
    admin.set_member(g, u, false).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /group/user?name=` `{"accountId"}`: 201.
#[utoipa::path(
    post,
    path = "/wiki/rest/api/group/user",
    tag = "Cloud",
    operation_id = "cloudAddMember",
    params(("name" = String, Query, description = "The group's name", example = "developers")),
    request_body = crate::operations::openapi::cloud::AccountRef,
    responses((status = 201, description = "A member (also when already one: nothing changes)"))
)]
pub async fn add_by_name(
    State(s): State<AppState>,
    Caller(a): Caller,
    here: CloudRequest,
    RawBody(b): RawBody,
) -> Reply {
    add(s, a, here, &b, false).await
}

/// `POST /group/userByGroupId?groupId=` `{"accountId"}`: 201.
#[utoipa::path(
    post,
    path = "/wiki/rest/api/group/userByGroupId",
    tag = "Cloud",
    operation_id = "cloudAddMemberById",
    params(("groupId" = String, Query, description = "The group's id", example = "8b5d2f7e-3c1a-4e9b-9f0d-2a6c1e4b7d30")),
    request_body = crate::operations::openapi::cloud::AccountRef,
    responses((status = 201, description = "A member (also when already one: nothing changes)"))
)]
pub async fn add_by_id(State(s): State<AppState>, Caller(a): Caller, here: CloudRequest, RawBody(b): RawBody) -> Reply {
    add(s, a, here, &b, true).await
}

/// `DELETE /group/user?name=&accountId=`: 204.
#[utoipa::path(
    delete,
    path = "/wiki/rest/api/group/user",
    tag = "Cloud",
    operation_id = "cloudRemoveMember",
    params(("name" = String, Query, description = "The group's name", example = "developers"), ("accountId" = String, Query, description = "The member's account id", example = "5b10ac8d82e05b22cc7d4ef5")),
    responses((status = 204, description = "Not a member any more (also when not one before: nothing changes)"))
)]
pub async fn remove_by_name(State(s): State<AppState>, Caller(a): Caller, here: CloudRequest) -> Reply {
    remove(s, a, here, false).await
}

/// `DELETE /group/userByGroupId?groupId=&accountId=`: 204.
#[utoipa::path(
    delete,
    path = "/wiki/rest/api/group/userByGroupId",
    tag = "Cloud",
    operation_id = "cloudRemoveMemberById",
    params(("groupId" = String, Query, description = "The group's id", example = "8b5d2f7e-3c1a-4e9b-9f0d-2a6c1e4b7d30"), ("accountId" = String, Query, description = "The member's account id", example = "5b10ac8d82e05b22cc7d4ef5")),
    responses((status = 204, description = "Not a member any more (also when not one before: nothing changes)"))
)]
pub async fn remove_by_id(State(s): State<AppState>, Caller(a): Caller, here: CloudRequest) -> Reply {
    remove(s, a, here, true).await
}
