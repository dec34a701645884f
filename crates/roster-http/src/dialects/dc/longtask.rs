//! `GET /longtask/{id}`: the status of a task a 202 named (today only
//! `DELETE /admin/user/{username}`), as DC's LongTaskStatus. roster does
//! the work before answering the 202, so a task is always finished and
//! successful; unknown ids (and ids from another instance or before a
//! restart) are a 404, as DC answers for a task one may not see.

use axum::extract::State;
use axum::response::Response;

use crate::operations::openapi::dc::{LongTaskStatus, TaskMessage};
use crate::state::AppState;
use crate::wire::auth::Caller;
use crate::wire::error::ApiError;
use crate::wire::json::{json_response, serialized};
use crate::wire::path::PathParams;

/// `GET /longtask/{id}`: 200 LongTaskStatus (site admins).
#[utoipa::path(
    get,
    path = "/longtask/{id}",
    tag = "Data Center",
    operation_id = "dcGetLongTask",
    params(("id" = String, Path, description = "The task id a 202 answered with", example = "3f0c1d2e-4b5a-4c6d-8e7f-0a1b2c3d4e5f")),
    responses((status = 200, description = "The finished task (site admins)", body = crate::operations::openapi::dc::LongTaskStatus))
)]
pub async fn status(State(s): State<AppState>, Caller(actor): Caller, seg: PathParams) -> Result<Response, ApiError> {
    let task = s.dir.long_task(&actor, seg.at(0))?;
    let (key, translation) = match task.kind {
        "delete-user" => ("delete.user", format!("Delete user {}", task.subject)),
        other => (other, other.to_string()),
    };
    // The subject goes into the translation only: DC's description types
    // message args as objects (tests/contract caught a string there).
    let name = TaskMessage { key: key.into(), args: Vec::new(), translation };
    let done = TaskMessage { key: "task.complete".into(), args: Vec::new(), translation: "Completed".into() };
    let body = LongTaskStatus {
        id: task.id,
        name,
        elapsed_time: task.elapsed_ms,
        percentage_complete: 100,
        successful: true,
        finished: true,
        messages: vec![done],
    };
    Ok(json_response(serialized(&body, 320)?))
}
