//! DC user administration (8.2+/8.4+): creating a user with DC's username
//! rules, disabling and enabling (idempotent, 204), deleting (202 with a
//! LongTaskSubmission; the deletion is complete when answered, and its task
//! is kept for `GET /longtask/{id}`), setting a user's password, and
//! changing one's own. Changing a user's name and e-mail is profile.rs.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use roster_core::directory::{Admin, Joins, UserInput};
use roster_core::{names, Actor, Error, Result, UserId};
use serde::Deserialize;
use serde_json::Value;

use super::DcRequest;
use crate::operations::openapi::dc::{DcUserKey, LongTaskSubmission, TaskLinks};
use crate::state::AppState;
use crate::wire::auth::Caller;
use crate::wire::body::{parse, RawBody};
use crate::wire::error::ApiError;
use crate::wire::json::{json_response, serialized};
use crate::wire::path::PathParams;

type Reply = std::result::Result<Response, ApiError>;

#[derive(Deserialize)]
struct NewUser {
    #[serde(rename = "userName")]
    user_name: Option<String>,
    #[serde(rename = "fullName")]
    full_name: Option<String>,
    email: Option<String>,
    password: Option<String>,
    /// DC's examples send it as a string (`"false"`); a boolean works too.
    #[serde(rename = "notifyViaEmail")]
    notify: Option<Value>,
}

fn field(v: Option<String>, name: &'static str) -> Result<String> {
    v.filter(|s| !s.trim().is_empty()).ok_or_else(|| Error::invalid(name, "must not be blank"))
}

fn renamed(e: Error, name: &'static str) -> Error {
    match e {
        Error::Invalid { reason, .. } => Error::invalid(name, reason),
        other => other,
    }
}

/// DC's rules for a full name beyond roster's display-name rules.
pub(super) fn full_name_rules(full_name: &str) -> Result<()> {
    names::display_name(full_name).map_err(|e| renamed(e, "fullName"))?;
    if full_name.trim().eq_ignore_ascii_case("anonymous") {
        return Err(Error::invalid("fullName", "'anonymous' is reserved"));
    }
    Ok(())
}

fn notify_flag(v: Option<Value>) -> Result<bool> {
    match v {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(false),
        Some(_) => Err(Error::invalid("notifyViaEmail", "must be true or false")),
    }
}

/// `POST /admin/user`: 201 `{"userKey"}`. The new user joins the default
/// access group (`confluence-users`), as users created in DC's admin UI do.
#[utoipa::path(
    post,
    path = "/admin/user",
    tag = "Data Center",
    operation_id = "dcCreateUser",
    request_body = crate::operations::openapi::dc::DcNewUser,
    responses((status = 201, description = "The new user's key (site admins)", body = crate::operations::openapi::dc::DcUserKey))
)]
pub async fn create_user(State(s): State<AppState>, Caller(actor): Caller, RawBody(body): RawBody) -> Reply {
    let admin = s.dir.admin(&actor)?;
    let req: NewUser = parse(&body)?;
    let user_name = field(req.user_name, "userName")?;
    names::username(&user_name).map_err(|e| renamed(e, "userName"))?;
    let full_name = field(req.full_name, "fullName")?;
    full_name_rules(&full_name)?;
    let email = field(req.email, "email")?;
    let password = match (notify_flag(req.notify)?, req.password) {
        (true, Some(_)) => {
            return Err(Error::invalid("password", "must be absent when notifyViaEmail is true").into());
        }
        (true, None) => None,
        (false, p) => Some(field(p, "password")?),
    };
    let input = UserInput {
        username: Some(user_name),
        display_name: full_name,
        email,
        password,
        active: true,
        ..UserInput::default()
    };
    let user = admin.create_user(&input, Joins::DefaultAccessGroup).await?;
    let body = serialized(&DcUserKey { user_key: user.user_key.to_string() }, 64)?;
    Ok((StatusCode::CREATED, json_response(body)).into_response())
}

/// The admin capability and the user named `username`.
pub(super) fn target<'d>(s: &'d AppState, actor: &Actor, username: &str) -> Result<(Admin<'d>, UserId)> {
    let admin = s.dir.admin(actor)?;
    let id = admin.reader().user_by_username(username)?.user.id;
    Ok((admin, id))
}

async fn set_active(s: AppState, actor: Actor, username: &str, active: bool) -> Reply {
    let (admin, id) = target(&s, &actor, username)?;
    admin.set_active(id, active, "username").await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `PUT /admin/user/{username}/disable`: 204.
#[utoipa::path(
    put,
    path = "/admin/user/{username}/disable",
    tag = "Data Center",
    operation_id = "dcDisableUser",
    params(("username" = String, Path, description = "The username", example = "ada")),
    responses((status = 204, description = "Disabled, or already (site admins)"))
)]
pub async fn disable(State(s): State<AppState>, Caller(actor): Caller, seg: PathParams) -> Reply {
    set_active(s, actor, seg.at(0), false).await
}

/// `PUT /admin/user/{username}/enable`: 204.
#[utoipa::path(
    put,
    path = "/admin/user/{username}/enable",
    tag = "Data Center",
    operation_id = "dcEnableUser",
    params(("username" = String, Path, description = "The username", example = "ada")),
    responses((status = 204, description = "Enabled, or already (site admins)"))
)]
pub async fn enable(State(s): State<AppState>, Caller(actor): Caller, seg: PathParams) -> Reply {
    set_active(s, actor, seg.at(0), true).await
}

/// `DELETE /admin/user/{username}`: 202 with a LongTaskSubmission.
#[utoipa::path(
    delete,
    path = "/admin/user/{username}",
    tag = "Data Center",
    operation_id = "dcDeleteUser",
    params(("username" = String, Path, description = "The username", example = "ada")),
    responses((status = 202, description = "Deleted (site admins)", body = crate::operations::openapi::dc::LongTaskSubmission))
)]
pub async fn delete_user(State(s): State<AppState>, Caller(actor): Caller, seg: PathParams, here: DcRequest) -> Reply {
    let (admin, id) = target(&s, &actor, seg.at(0))?;
    let task = admin.delete_user_task(id, seg.at(0)).await?;
    // GET /longtask/{id} (longtask.rs) answers for it.
    let links = TaskLinks { status: format!("{}/rest/api/longtask/{}", here.base, task.id) };
    let body = serialized(&LongTaskSubmission { id: task.id, links }, 160)?;
    Ok((StatusCode::ACCEPTED, json_response(body)).into_response())
}

#[derive(Deserialize)]
struct Password {
    password: Option<String>,
}

/// `POST /admin/user/{username}/password` `{"password"}`: 204.
#[utoipa::path(
    post,
    path = "/admin/user/{username}/password",
    tag = "Data Center",
    operation_id = "dcSetPassword",
    params(("username" = String, Path, description = "The username", example = "ada")),
    request_body = crate::operations::openapi::dc::DcPassword,
    responses((status = 204, description = "Set (site admins)"))
)]
pub async fn set_password(
    State(s): State<AppState>,
    Caller(actor): Caller,
    seg: PathParams,
    RawBody(b): RawBody,
) -> Reply {
    let (admin, id) = target(&s, &actor, seg.at(0))?;
    let req: Password = parse(&b)?;
    let password = field(req.password, "password")?;
    admin.set_password(id, &password).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
struct PasswordChange {
    #[serde(rename = "oldPassword")]
    old: Option<String>,
    #[serde(rename = "newPassword")]
    new: Option<String>,
}

/// `POST /user/current/password` `{"oldPassword","newPassword"}`: 204; 403
/// when the current password is wrong, and (with `Retry-After`) while too
/// many wrong ones are throttled.
#[utoipa::path(
    post,
    path = "/user/current/password",
    tag = "Data Center",
    operation_id = "dcChangeOwnPassword",
    request_body = crate::operations::openapi::dc::DcPasswordChange,
    responses((status = 204, description = "Changed (403 when the current password is wrong)"))
)]
pub async fn change_own_password(State(s): State<AppState>, Caller(actor): Caller, RawBody(b): RawBody) -> Reply {
    if !matches!(actor, Actor::User(_)) {
        return Err(Error::Unauthenticated.into());
    }
    let req: PasswordChange = parse(&b)?;
    let old = field(req.old, "oldPassword")?;
    let new = field(req.new, "newPassword")?;
    match s.dir.change_own_password(&actor, &old, &new).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        // DC answers 403 for "too many failed logins" here and lists no 429
        // (tests/contract); the wait still goes along as Retry-After.
        Err(Error::Throttled { retry_after }) => {
            let refused = Error::forbidden(format!("Too many wrong current passwords; retry after {retry_after} s"));
            let mut resp = ApiError(refused).into_response();
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}
