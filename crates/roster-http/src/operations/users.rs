//! roster's own user administration under `/rest/roster/1.0`, for the web
//! console (site admins only): finding users by name, username or e-mail,
//! one user's figures, issuing an API token (shown once) and revoking a
//! user's tokens, and a group's members filtered the same way. Creating,
//! deactivating, reactivating and deleting users are the DC dialect's
//! `/rest/api/admin/user` routes; these add what no dialect offers. The
//! rules are roster-core's (`directory/finder.rs`, `Admin::issue_token`);
//! this module parses, opens the admin door and renders.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_core::directory::{Found, Reader};
use roster_core::model::UserEntry;
use roster_core::page::Page;
use roster_core::{Actor, Error, Result, UserId};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::operations::openapi::users::{AdminUser, AdminUserDetail, AdminUserPage, IssuedToken, RevokedTokens};
use crate::state::AppState;
use crate::wire::auth::Caller;
use crate::wire::body::{parse, RawBody};
use crate::wire::error::ApiError;
use crate::wire::json::{json_response, serialized};
use crate::wire::params::Params;
use crate::wire::path::PathParam;

type Reply = std::result::Result<Response, ApiError>;

/// Default page of users.
const DEFAULT_LIMIT: usize = 25;
/// Largest page of users (as the Cloud user pages).
const MAX_LIMIT: usize = 200;
/// Longest token label.
const MAX_LABEL: usize = 255;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(find_users))
        .routes(routes!(user))
        .routes(routes!(issue_token, revoke_tokens))
        .routes(routes!(find_members))
}

fn admin_user(u: &UserEntry) -> AdminUser {
    let u = &u.user;
    AdminUser {
        account_id: u.account_id.to_string(),
        username: u.username.as_deref().unwrap_or("").to_string(),
        display_name: u.display_name.to_string(),
        email: u.email.to_string(),
        active: u.active,
    }
}

fn page_body(found: Found<'_>, page: Page) -> Result<Vec<u8>> {
    let results: Vec<AdminUser> = found.users.iter().map(|u| admin_user(u)).collect();
    let body = AdminUserPage {
        size: results.len() as u64,
        results,
        start: page.start as u64,
        limit: page.limit as u64,
        total_size: found.total as u64,
    };
    serialized(&body, 256 + 200 * body.size as usize)
}

/// The admin door's reader and the user with this account id.
fn target<'d>(s: &'d AppState, actor: &Actor, account_id: &str) -> Result<(roster_core::directory::Admin<'d>, UserId)> {
    let admin = s.dir.admin(actor)?;
    let id = admin.reader().user_by_account(account_id)?.user.id;
    Ok((admin, id))
}

/// `GET /rest/roster/1.0/users?query=&start=&limit=`.
#[utoipa::path(
    get,
    path = "/rest/roster/1.0/users",
    tag = "roster",
    operation_id = "findUsers",
    params(crate::operations::openapi::users::UserFind),
    responses(
        (status = 200, description = "Matching users, the exact username or e-mail match first (site admins)", body = AdminUserPage),
        (status = 400, description = "A query over 1,000 characters or 10 words, or a bad start or limit", body = crate::operations::openapi::common::ErrorBody),
        (status = 403, description = "Not a site admin", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn find_users(State(s): State<AppState>, Caller(actor): Caller, p: Params) -> Reply {
    let admin = s.dir.admin(&actor)?;
    let page = p.page(DEFAULT_LIMIT, MAX_LIMIT)?;
    let reader: Reader<'_> = admin.reader();
    let found = reader.find_users(p.get("query").unwrap_or(""), page.start, page.limit)?;
    Ok(json_response(page_body(found, page)?))
}

/// `GET /rest/roster/1.0/users/{accountId}`.
#[utoipa::path(
    get,
    path = "/rest/roster/1.0/users/{accountId}",
    tag = "roster",
    operation_id = "getAdminUser",
    params(("accountId" = String, Path, description = "The user's account id", example = "5b10ac8d82e05b22cc7d4ef5")),
    responses(
        (status = 200, description = "The user, with their username, status and token count (site admins)", body = AdminUserDetail),
        (status = 403, description = "Not a site admin", body = crate::operations::openapi::common::ErrorBody),
        (status = 404, description = "No such user", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn user(State(s): State<AppState>, Caller(actor): Caller, PathParam(account_id): PathParam) -> Reply {
    let admin = s.dir.admin(&actor)?;
    let reader = admin.reader();
    let entry = reader.user_by_account(&account_id)?;
    let u = admin_user(entry);
    let detail = AdminUserDetail {
        tokens: reader.token_count(entry.user.id) as u64,
        account_id: u.account_id,
        username: u.username,
        display_name: u.display_name,
        email: u.email,
        active: u.active,
    };
    Ok(json_response(serialized(&detail, 256)?))
}

#[derive(Deserialize)]
struct TokenLabel {
    label: Option<String>,
}

/// `POST /rest/roster/1.0/users/{accountId}/tokens` `{"label"}`: 201 with
/// the token, which no later answer shows again.
#[utoipa::path(
    post,
    path = "/rest/roster/1.0/users/{accountId}/tokens",
    tag = "roster",
    operation_id = "issueUserToken",
    params(("accountId" = String, Path, description = "The user's account id", example = "5b10ac8d82e05b22cc7d4ef5")),
    request_body(content = crate::operations::openapi::users::TokenRequest, description = "Optional: a label for the token"),
    responses(
        (status = 201, description = "The new token, shown this once (site admins); the audit log records `token.issue`", body = IssuedToken),
        (status = 400, description = "A label over 255 characters", body = crate::operations::openapi::common::ErrorBody),
        (status = 403, description = "Not a site admin", body = crate::operations::openapi::common::ErrorBody),
        (status = 404, description = "No such user", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn issue_token(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathParam(account_id): PathParam,
    RawBody(raw): RawBody,
) -> Reply {
    let (admin, id) = target(&s, &actor, &account_id)?;
    let label = if raw.iter().all(u8::is_ascii_whitespace) { None } else { parse::<TokenLabel>(&raw)?.label };
    let label = label.map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).unwrap_or_else(|| "console".into());
    if label.chars().count() > MAX_LABEL || label.chars().any(char::is_control) {
        return Err(Error::invalid(
            "label",
            format!("must be at most {MAX_LABEL} characters, none of them control characters"),
        )
        .into());
    }
    let token = admin.issue_token(id, &label).await?;
    let body = serialized(&IssuedToken { account_id, label, token }, 256)?;
    Ok((StatusCode::CREATED, json_response(body)).into_response())
}

/// `DELETE /rest/roster/1.0/users/{accountId}/tokens`: every token of the
/// user stops working at once.
#[utoipa::path(
    delete,
    path = "/rest/roster/1.0/users/{accountId}/tokens",
    tag = "roster",
    operation_id = "revokeUserTokens",
    params(("accountId" = String, Path, description = "The user's account id", example = "5b10ac8d82e05b22cc7d4ef5")),
    responses(
        (status = 200, description = "Revoked (site admins): how many tokens the user held; the audit log records `token.revoke` when there were any", body = RevokedTokens),
        (status = 403, description = "Not a site admin", body = crate::operations::openapi::common::ErrorBody),
        (status = 404, description = "No such user", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn revoke_tokens(State(s): State<AppState>, Caller(actor): Caller, PathParam(account_id): PathParam) -> Reply {
    let (admin, id) = target(&s, &actor, &account_id)?;
    let revoked = admin.revoke_tokens(id).await? as u64;
    Ok(json_response(serialized(&RevokedTokens { revoked }, 32)?))
}

/// `GET /rest/roster/1.0/group-members?name=&filter=&start=&limit=`.
#[utoipa::path(
    get,
    path = "/rest/roster/1.0/group-members",
    tag = "roster",
    operation_id = "findGroupMembers",
    params(crate::operations::openapi::users::MemberFind),
    responses(
        (status = 200, description = "The group's members that match the filter, in member order, paged (site admins)", body = AdminUserPage),
        (status = 400, description = "No name, a filter over 1,000 characters or 10 words, or a bad start or limit", body = crate::operations::openapi::common::ErrorBody),
        (status = 403, description = "Not a site admin", body = crate::operations::openapi::common::ErrorBody),
        (status = 404, description = "No such group", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn find_members(State(s): State<AppState>, Caller(actor): Caller, p: Params) -> Reply {
    let admin = s.dir.admin(&actor)?;
    let name = p.required("name")?;
    let page = p.page(DEFAULT_LIMIT, MAX_LIMIT)?;
    let reader = admin.reader();
    let group = reader.group_by_name(name)?;
    let found = reader.find_members(group, p.get("filter").unwrap_or(""), page.start, page.limit)?;
    Ok(json_response(page_body(found, page)?))
}
