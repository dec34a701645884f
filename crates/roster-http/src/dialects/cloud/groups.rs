//! Cloud group endpoints: listing, lookup by name or id, the picker,
//! creation and deletion.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_core::model::{Grant, GroupEntry};
use roster_core::page::MAX_LIMIT;
use roster_core::types::fold;
use roster_core::{Error, Result};
use serde::Deserialize;

use super::render::{self, Links, PageWriter};
use super::{group_by_name_param, CloudRequest};
use crate::state::AppState;
use crate::wire::auth::Caller;
use crate::wire::body::{parse, RawBody};
use crate::wire::error::ApiError;
use crate::wire::json::json_response;
use crate::wire::path::PathParam;

type Reply = Result<Response, ApiError>;

fn one(s: &AppState, g: &GroupEntry) -> Response {
    let mut out = Vec::with_capacity(200);
    render::group(&mut out, g, &s.cloud_base_json);
    json_response(out)
}

/// A Cloud page of `groups` (of `total`), paged by the request's `start`/`limit`.
pub(super) fn page_of<'m>(
    s: &AppState,
    here: &CloudRequest,
    groups: impl Iterator<Item = &'m GroupEntry>,
    total: usize,
) -> Reply {
    let p = &here.params;
    let page = p.page(MAX_LIMIT, MAX_LIMIT)?;
    let mut w = PageWriter::new(256 * page.limit.min(total) + 2 * p.link_len());
    for g in groups.skip(page.start).take(page.limit) {
        w.item(|o| render::group(o, g, &s.cloud_base_json));
    }
    let more = page.limit > 0 && page.start + w.size() < total;
    let links = Links { base_json: &s.cloud_base_json, path: here.path(), params: p };
    let shown = p.flag("shouldReturnTotalSize")?.then_some(total);
    Ok(json_response(w.finish(&links, page, shown, more, b"")))
}

/// `GET /group`: all groups by name.
#[utoipa::path(
    get,
    path = "/wiki/rest/api/group",
    tag = "Cloud",
    operation_id = "cloudGetGroups",
    params(
        ("accessType" = Option<String>, Query, description = "Only the groups that grant this permission: `user` (the access groups), `admin` or `site-admin` (the admin groups)", example = "user"),
        crate::operations::openapi::common::CloudPaging
    ),
    responses(
        (status = 200, description = "Groups by name", body = crate::operations::openapi::cloud::GroupPage),
        (status = 400, description = "An unknown accessType", body = crate::operations::openapi::common::ErrorBody)
    )
)]
pub async fn list(State(s): State<AppState>, Caller(actor): Caller, here: CloudRequest) -> Reply {
    let grant = match here.params.get("accessType") {
        None => None,
        Some("user") => Some(Grant::Use),
        Some("admin" | "site-admin") => Some(Grant::Admin),
        Some(other) => {
            return Err(Error::invalid("accessType", format!("'{other}' is not one of user, admin, site-admin")).into())
        }
    };
    let m = s.dir.reader(&actor)?;
    match grant {
        None => page_of(&s, &here, m.groups_by_name(), m.group_count()),
        Some(grant) => page_of(&s, &here, m.groups_granting(grant), m.groups_granting(grant).count()),
    }
}

/// `GET /group/picker?query=`: groups whose name contains the text.
#[utoipa::path(
    get,
    path = "/wiki/rest/api/group/picker",
    tag = "Cloud",
    operation_id = "cloudPickGroups",
    params(("query" = String, Query, description = "Text the name contains (case-insensitive)", example = "dev"), crate::operations::openapi::common::CloudPaging),
    responses((status = 200, description = "Groups whose name contains the text", body = crate::operations::openapi::cloud::GroupPage))
)]
pub async fn picker(State(s): State<AppState>, Caller(actor): Caller, here: CloudRequest) -> Reply {
    let m = s.dir.reader(&actor)?;
    let q = fold(here.params.required("query")?);
    let hits: Vec<&GroupEntry> = m.groups_by_name().filter(|g| fold(&g.group.name).contains(&q)).collect();
    let total = hits.len();
    page_of(&s, &here, hits.into_iter(), total)
}

/// `GET /group/by-name?name=`.
#[utoipa::path(
    get,
    path = "/wiki/rest/api/group/by-name",
    tag = "Cloud",
    operation_id = "cloudGetGroupByName",
    params(("name" = String, Query, description = "The group's name", example = "developers")),
    responses((status = 200, description = "The group", body = crate::operations::openapi::cloud::Group))
)]
pub async fn by_name(State(s): State<AppState>, Caller(actor): Caller, here: CloudRequest) -> Reply {
    let m = s.dir.reader(&actor)?;
    Ok(one(&s, group_by_name_param(&m, &here.params)?))
}

/// `GET /group/by-id?id=`.
#[utoipa::path(
    get,
    path = "/wiki/rest/api/group/by-id",
    tag = "Cloud",
    operation_id = "cloudGetGroupById",
    params(("id" = String, Query, description = "The group's id", example = "8b5d2f7e-3c1a-4e9b-9f0d-2a6c1e4b7d30")),
    responses((status = 200, description = "The group", body = crate::operations::openapi::cloud::Group))
)]
pub async fn by_id(State(s): State<AppState>, Caller(actor): Caller, here: CloudRequest) -> Reply {
    let m = s.dir.reader(&actor)?;
    Ok(one(&s, m.group_by_uuid(here.params.required("id")?)?))
}

/// `GET /group/{groupName}`.
#[utoipa::path(
    get,
    path = "/wiki/rest/api/group/{group}",
    tag = "Cloud",
    operation_id = "cloudGetGroup",
    params(("group" = String, Path, description = "The group's name", example = "developers")),
    responses((status = 200, description = "The group", body = crate::operations::openapi::cloud::Group))
)]
pub async fn by_path(State(s): State<AppState>, Caller(actor): Caller, PathParam(name): PathParam) -> Reply {
    let m = s.dir.reader(&actor)?;
    Ok(one(&s, m.group_by_name(&name)?))
}

#[derive(Deserialize)]
struct CreateGroup {
    name: Option<String>,
}

/// `POST /group` `{"name"}`: 201 with the new group (site admins).
#[utoipa::path(
    post,
    path = "/wiki/rest/api/group",
    tag = "Cloud",
    operation_id = "cloudCreateGroup",
    request_body = crate::operations::openapi::cloud::NewGroup,
    responses((status = 201, description = "The new group (site admins)", body = crate::operations::openapi::cloud::Group))
)]
pub async fn create(State(s): State<AppState>, Caller(actor): Caller, RawBody(body): RawBody) -> Reply {
    let admin = s.dir.admin(&actor)?;
    let req: CreateGroup = parse(&body)?;
    let name = req.name.ok_or_else(|| Error::invalid("name", "is required"))?;
    // Atlassian's description answers 400 "if the name is missing or
    // invalid" and lists no 409 (tests/contract): a taken name is an
    // invalid name for a new group.
    let g = admin.create_group(&name).await.map_err(|e| match e {
        Error::AlreadyExists { key, .. } => Error::invalid("name", format!("a group named {key} already exists")),
        other => other,
    })?;
    let m = admin.reader();
    let entry = m.group(g.id).ok_or_else(|| Error::not_found("group", name))?;
    Ok((StatusCode::CREATED, one(&s, entry)).into_response())
}

/// `DELETE /group?name=`: 204 (site admins).
#[utoipa::path(
    delete,
    path = "/wiki/rest/api/group",
    tag = "Cloud",
    operation_id = "cloudDeleteGroup",
    params(("name" = String, Query, description = "The group's name", example = "developers")),
    responses((status = 204, description = "Deleted (site admins)"))
)]
pub async fn delete_by_name(State(s): State<AppState>, Caller(actor): Caller, here: CloudRequest) -> Reply {
    let admin = s.dir.admin(&actor)?;
    let gid = group_by_name_param(&admin.reader(), &here.params)?.group.id;
    admin.delete_group(gid, "name").await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE /group/by-id?id=`: 204 (site admins).
#[utoipa::path(
    delete,
    path = "/wiki/rest/api/group/by-id",
    tag = "Cloud",
    operation_id = "cloudDeleteGroupById",
    params(("id" = String, Query, description = "The group's id", example = "8b5d2f7e-3c1a-4e9b-9f0d-2a6c1e4b7d30")),
    responses((status = 204, description = "Deleted (site admins)"))
)]
pub async fn delete_by_id(State(s): State<AppState>, Caller(actor): Caller, here: CloudRequest) -> Reply {
    let admin = s.dir.admin(&actor)?;
    let gid = admin.reader().group_by_uuid(here.params.required("id")?)?.group.id;
    admin.delete_group(gid, "name").await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
