//! Extender group reads: `getUsers/{GROUP}` (members with and without
//! product access, at the requested detail level) and `getGroups`.
//! Both are "available for all confluence users".

use axum::extract::State;
use axum::response::Response;

use super::render::{self, options};
use super::{reply, Paging};
use crate::operations::openapi::extender::ExtenderGroupNames;
use crate::state::AppState;
use crate::wire::auth::Caller;
use crate::wire::error::ApiError;
use crate::wire::params::Params;
use crate::wire::path::PathParam;

/// Default `maxResults` of `getUsers/{GROUP}` (the vendor's).
const GROUP_USERS_DEFAULT: usize = 100;
/// Default `maxResults` of `getGroups` (a live server's).
const GROUPS_DEFAULT: usize = 50;

/// `GET group/getUsers/{GROUP}`.
#[utoipa::path(
    get,
    path = "/group/getUsers/{*group}",
    tag = "Extender",
    operation_id = "extenderGetGroupUsers",
    params(("group" = String, Path, description = "The group's name (may contain `/`)", example = "developers"), crate::operations::openapi::extender::ExtenderPaging, crate::operations::openapi::extender::ExtenderDetail),
    responses((status = 200, description = "Members (default 100 a page)", body = crate::operations::openapi::extender::ExtenderUserPage))
)]
pub async fn get_users(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathParam(group): PathParam,
    p: Params,
) -> Result<Response, ApiError> {
    let m = s.dir.reader(&actor)?;
    let (detail, fmt) = options(&p)?;
    let paging = Paging::from(&p, GROUP_USERS_DEFAULT)?;
    let g = m.group_by_name(&group)?;
    let users = g
        .members
        .iter_from(paging.start)
        .take(paging.max)
        .filter_map(|id| m.member(id))
        .map(|e| render::user(&m, e, detail, &fmt))
        .collect();
    Ok(reply(&render::user_page(g.members.len(), paging.max, paging.start, users))?)
}

/// `GET group/getGroups`: group names, ordered case-insensitively.
#[utoipa::path(
    get,
    path = "/group/getGroups",
    tag = "Extender",
    operation_id = "extenderGetGroups",
    params(crate::operations::openapi::extender::ExtenderPaging),
    responses((status = 200, description = "Group names (default 50 a page)", body = crate::operations::openapi::extender::ExtenderGroupNames))
)]
pub async fn get_groups(State(s): State<AppState>, Caller(actor): Caller, p: Params) -> Result<Response, ApiError> {
    let m = s.dir.reader(&actor)?;
    let paging = Paging::from(&p, GROUPS_DEFAULT)?;
    let names = m.groups_by_name().skip(paging.start).take(paging.max).map(|g| g.group.name.to_string()).collect();
    Ok(reply(&ExtenderGroupNames {
        total: m.group_count() as u64,
        max_results: paging.max as u64,
        start_at: paging.start as u64,
        groups: names,
        message: String::new(),
        status: "success".into(),
    })?)
}
