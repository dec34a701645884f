//! Extender user endpoints ("available for Confluence administrators"):
//! user lists with and without product access, one user's details, adding
//! a user, activating and deactivating. Activate and deactivate are
//! idempotent; nobody may deactivate their own account.

use axum::extract::State;
use axum::response::Response;
use roster_core::directory::{Joins, Reader, UserInput};
use roster_core::model::UserEntry;
use roster_core::{names, Actor, Error, Result};
use serde::Deserialize;

use super::render::{self, options, Detail};
use super::{reply, Paging};
use crate::operations::openapi::extender::{ExtenderMessage, ExtenderUserAdded};
use crate::state::AppState;
use crate::wire::auth::Caller;
use crate::wire::body::{parse, RawBody};
use crate::wire::error::ApiError;
use crate::wire::params::Params;
use crate::wire::path::PathParam;

type Reply = std::result::Result<Response, ApiError>;

/// Default `maxResults` of the user lists (the vendor's).
const USERS_DEFAULT: usize = 50;

fn list(s: &AppState, actor: &Actor, p: &Params, keep: impl Fn(&Reader<'_>, &UserEntry) -> bool) -> Reply {
    let m = s.dir.admin_reader(actor)?;
    let (detail, fmt) = options(p)?;
    let paging = Paging::from(p, USERS_DEFAULT)?;
    let mut total = 0;
    let mut users = Vec::with_capacity(paging.max.min(1024));
    for e in m.users().filter(|e| keep(&m, e)) {
        if total >= paging.start && users.len() < paging.max {
            users.push(render::user(&m, e, detail, &fmt));
        }
        total += 1;
    }
    Ok(reply(&render::user_page(total, paging.max, paging.start, users))?)
}

/// `GET user/getUsers`: every user, active or not, in creation order.
#[utoipa::path(
    get,
    path = "/user/getUsers",
    tag = "Extender",
    operation_id = "extenderGetUsers",
    params(crate::operations::openapi::extender::ExtenderPaging, crate::operations::openapi::extender::ExtenderDetail),
    responses((status = 200, description = "Every user, active or not (site admins)", body = crate::operations::openapi::extender::ExtenderUserPage))
)]
pub async fn get_users(State(s): State<AppState>, Caller(actor): Caller, p: Params) -> Reply {
    list(&s, &actor, &p, |_, _| true)
}

/// `GET user/getUsersWithConfluenceAccess`: active users with product access.
#[utoipa::path(
    get,
    path = "/user/getUsersWithConfluenceAccess",
    tag = "Extender",
    operation_id = "extenderGetUsersWithAccess",
    params(crate::operations::openapi::extender::ExtenderPaging, crate::operations::openapi::extender::ExtenderDetail),
    responses((status = 200, description = "Active users with product access (site admins)", body = crate::operations::openapi::extender::ExtenderUserPage))
)]
pub async fn get_users_with_access(State(s): State<AppState>, Caller(actor): Caller, p: Params) -> Reply {
    list(&s, &actor, &p, |m, e| m.can_use(e))
}

/// `GET user/getUserDetails/{userName}`: the extended user object.
#[utoipa::path(
    get,
    path = "/user/getUserDetails/{user}",
    tag = "Extender",
    operation_id = "extenderGetUserDetails",
    params(("user" = String, Path, description = "The username", example = "ada"), ("dateFormat" = Option<String>, Query, description = "A Java SimpleDateFormat pattern", example = "yyyy-MM-dd")),
    responses((status = 200, description = "The extended user object (site admins)", body = crate::operations::openapi::extender::ExtenderUser))
)]
pub async fn get_user_details(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathParam(name): PathParam,
    p: Params,
) -> Reply {
    let m = s.dir.admin_reader(&actor)?;
    let (_, fmt) = options(&p)?;
    let e = m.user_by_username(&name)?;
    Ok(reply(&render::user(&m, e, Detail::Extended, &fmt))?)
}

#[derive(Deserialize)]
struct AddUser {
    name: Option<String>,
    #[serde(rename = "fullName")]
    full_name: Option<String>,
    email: Option<String>,
    password: Option<String>,
    groups: Option<Vec<String>>,
}

fn required(v: Option<String>, field: &'static str) -> Result<String> {
    v.filter(|s| !s.trim().is_empty()).ok_or_else(|| Error::invalid(field, "is required"))
}

/// `POST` (or `PUT`) `user/add` `{"name","fullName","email","password"?,
/// "sendMail"?,"groups"?}`. Without `groups` the user joins the default
/// access group (`confluence-users`); with `groups`, exactly those (all must
/// exist, or nothing is created). `sendMail` is accepted and ignored.
#[utoipa::path(
    method(post, put),
    path = "/user/add",
    tag = "Extender",
    operation_id = "extenderAddUser",
    request_body = crate::operations::openapi::extender::ExtenderNewUser,
    responses((status = 200, description = "The new user (site admins)", body = crate::operations::openapi::extender::ExtenderUserAdded))
)]
pub async fn add(State(s): State<AppState>, Caller(actor): Caller, RawBody(body): RawBody) -> Reply {
    let admin = s.dir.admin(&actor)?;
    let req: AddUser = parse(&body)?;
    let name = required(req.name, "name")?;
    names::username(&name).map_err(|e| match e {
        Error::Invalid { reason, .. } => Error::invalid("name", reason),
        other => other,
    })?;
    let input = UserInput {
        username: Some(name.clone()),
        display_name: required(req.full_name, "fullName")?,
        email: required(req.email, "email")?,
        password: req.password.filter(|p| !p.is_empty()),
        active: true,
        ..UserInput::default()
    };
    let joins = match req.groups {
        Some(g) => Joins::Groups(g),
        None => Joins::DefaultAccessGroup,
    };
    let user = admin.create_user(&input, joins).await?;
    let message = format!("user {name} added");
    Ok(reply(&ExtenderUserAdded { name, key: user.user_key.to_string(), message, status: "success".into() })?)
}

async fn set_active(s: AppState, actor: Actor, name: String, active: bool) -> Reply {
    let admin = s.dir.admin(&actor)?;
    let id = admin.reader().user_by_username(&name)?.user.id;
    let changed = admin.set_active(id, active, "userName").await?;
    let verb = if active { "activated" } else { "deactivated" };
    let message = if changed { format!("user {name} {verb}") } else { format!("user {name} was already {verb}") };
    Ok(reply(&ExtenderMessage { message, status: "success".into() })?)
}

/// `POST user/activate/{userName}`.
#[utoipa::path(
    post,
    path = "/user/activate/{user}",
    tag = "Extender",
    operation_id = "extenderActivateUser",
    params(("user" = String, Path, description = "The username", example = "ada")),
    responses((status = 200, description = "Activated, or already (site admins)", body = crate::operations::openapi::extender::ExtenderMessage))
)]
pub async fn activate(State(s): State<AppState>, Caller(actor): Caller, PathParam(name): PathParam) -> Reply {
    set_active(s, actor, name, true).await
}

/// `POST user/deactivate/{userName}`.
#[utoipa::path(
    post,
    path = "/user/deactivate/{user}",
    tag = "Extender",
    operation_id = "extenderDeactivateUser",
    params(("user" = String, Path, description = "The username", example = "ada")),
    responses((status = 200, description = "Deactivated, or already (site admins; never oneself)", body = crate::operations::openapi::extender::ExtenderMessage))
)]
pub async fn deactivate(State(s): State<AppState>, Caller(actor): Caller, PathParam(name): PathParam) -> Reply {
    set_active(s, actor, name, false).await
}
