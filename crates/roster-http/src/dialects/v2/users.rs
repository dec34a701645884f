//! The v2 user operations: `POST /users-bulk` (users by account id),
//! `POST /user/access/check-access-by-email` and
//! `POST /user/access/invite-by-email`.

use std::collections::HashSet;

use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::errors::V2Error;
use super::render;
use super::request::{within, V2Body, V2Caller};
use crate::operations::openapi::v2::{self as wire, MAX_ACCOUNT_IDS, MAX_EMAILS};
use crate::state::AppState;

type Reply = Result<Response, V2Error>;

/// `POST /users-bulk {"accountIds": [...]}`: anyone who may use the site.
#[utoipa::path(
    post,
    path = "/wiki/api/v2/users-bulk",
    tag = "Cloud v2",
    operation_id = "v2CreateBulkUserLookup",
    request_body = crate::operations::openapi::v2::AccountIds,
    responses(
        (status = 200, description = "The users found, in the order asked, each once; unknown ids are left out",
         body = crate::operations::openapi::v2::UserLookup,
         headers(("Link" = String, description = "The site's base URL: `<…/wiki>; rel=\"base\"`"))),
        (status = 400, description = "No body, no `accountIds`, none, or more than 250", body = crate::operations::openapi::v2::ErrorBody),
        (status = 404, description = "The caller may not use the site", body = crate::operations::openapi::v2::ErrorBody)
    )
)]
pub async fn bulk(State(s): State<AppState>, V2Caller(actor): V2Caller, body: V2Body) -> Reply {
    let m = s.dir.reader(&actor)?;
    let wanted: wire::AccountIds = body.parse()?;
    within("accountIds", &wanted.account_ids, MAX_ACCOUNT_IDS)?;
    let mut seen = HashSet::new();
    let users = wanted
        .account_ids
        .iter()
        .filter(|id| seen.insert(id.as_str()))
        .filter_map(|id| m.user_by_account(id).ok())
        .map(|e| render::user(&m, e))
        .collect();
    Ok(render::lookup(users, &s.cloud_base)?)
}

/// `POST /user/access/check-access-by-email {"emails": [...]}`: anyone who
/// may use the site.
#[utoipa::path(
    post,
    path = "/wiki/api/v2/user/access/check-access-by-email",
    tag = "Cloud v2",
    operation_id = "v2CheckAccessByEmail",
    request_body = crate::operations::openapi::v2::Emails,
    responses(
        (status = 200, description = "The addresses without site access, and the malformed ones", body = crate::operations::openapi::v2::AccessCheck),
        (status = 400, description = "No body, no `emails`, none, or more than 100", body = crate::operations::openapi::v2::ErrorBody),
        (status = 404, description = "The caller may not use the site", body = crate::operations::openapi::v2::ErrorBody)
    )
)]
pub async fn check_access(State(s): State<AppState>, V2Caller(actor): V2Caller, body: V2Body) -> Reply {
    let m = s.dir.reader(&actor)?;
    let asked: wire::Emails = body.parse()?;
    within("emails", &asked.emails, MAX_EMAILS)?;
    let check = m.site_access(&asked.emails);
    let answer = wire::AccessCheck { emails_without_access: check.without_access, invalid_emails: check.invalid };
    Ok(render::json(&answer)?)
}

/// `POST /user/access/invite-by-email {"emails": [...]}`: site admins.
#[utoipa::path(
    post,
    path = "/wiki/api/v2/user/access/invite-by-email",
    tag = "Cloud v2",
    operation_id = "v2InviteByEmail",
    request_body = crate::operations::openapi::v2::Emails,
    responses(
        (status = 200, description = "Done (no body): accounts created for unknown addresses, product access granted to accounts without it; malformed addresses and accounts with access left alone"),
        (status = 400, description = "No body, no `emails`, none, or more than 100", body = crate::operations::openapi::v2::ErrorBody),
        (status = 404, description = "The caller is not a site admin", body = crate::operations::openapi::v2::ErrorBody)
    )
)]
pub async fn invite(State(s): State<AppState>, V2Caller(actor): V2Caller, body: V2Body) -> Reply {
    let admin = s.dir.admin(&actor)?;
    let asked: wire::Emails = body.parse()?;
    within("emails", &asked.emails, MAX_EMAILS)?;
    admin.invite_by_email(&asked.emails).await?;
    Ok(axum::http::StatusCode::OK.into_response())
}
