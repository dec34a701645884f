//! `PUT /admin/user/{username}` (DC 9.x, after the 9.0.0 description):
//! a site admin changes a user's full name and/or e-mail address. DC's
//! rules for the name (as for a new user), a valid address that no other
//! user has (roster signs in by e-mail), 204.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_core::directory::ProfileChange;
use roster_core::Error;
use serde::Deserialize;

use super::admin::{full_name_rules, target};
use crate::state::AppState;
use crate::wire::auth::Caller;
use crate::wire::body::{parse, RawBody};
use crate::wire::error::ApiError;
use crate::wire::path::PathParams;

#[derive(Deserialize)]
struct Update {
    #[serde(rename = "fullName")]
    full_name: Option<String>,
    email: Option<String>,
}

/// `PUT /admin/user/{username}` `{"fullName","email"}`: 204.
#[utoipa::path(
    put,
    path = "/admin/user/{username}",
    tag = "Data Center",
    operation_id = "dcUpdateUser",
    params(("username" = String, Path, description = "The username", example = "ada")),
    request_body = crate::operations::openapi::dc::DcUserUpdate,
    responses((status = 204, description = "Changed (site admins); 409 when another user has the e-mail address"))
)]
pub async fn update_user(
    State(s): State<AppState>,
    Caller(actor): Caller,
    seg: PathParams,
    RawBody(b): RawBody,
) -> Result<Response, ApiError> {
    let (admin, id) = target(&s, &actor, seg.at(0))?;
    let req: Update = parse(&b)?;
    if req.full_name.is_none() && req.email.is_none() {
        return Err(Error::invalid("fullName", "nothing to change: give fullName or email").into());
    }
    if let Some(name) = &req.full_name {
        full_name_rules(name)?;
    }
    if req.email.as_deref().is_some_and(|e| e.trim().is_empty()) {
        return Err(Error::invalid("email", "must not be blank").into());
    }
    let change = ProfileChange { display_name: req.full_name, email: req.email };
    admin.change_profile(id, change).await.map_err(|e| match e {
        // DC calls the display name fullName.
        Error::Invalid { field: "displayName", reason } => Error::invalid("fullName", reason),
        other => other,
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
