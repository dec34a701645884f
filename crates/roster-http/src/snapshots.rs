//! roster's own admin endpoints for test suites, under
//! `/rest/roster/1.0/snapshots`: take a snapshot of the whole directory,
//! list them, restore one (a reset between test cases), forget one.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_core::snapshots::SnapshotInfo;
use roster_core::Error;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::json_response;
use crate::state::AppState;

type Reply = Result<Response, ApiError>;

/// The snapshot routes (paths in each handler's `#[utoipa::path]`).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, take)).routes(routes!(forget)).routes(routes!(restore))
}

fn info_json(i: &SnapshotInfo) -> serde_json::Value {
    json!({"id": i.id, "users": i.users, "groups": i.groups, "memberships": i.memberships, "createdDate": i.created_ms})
}

fn id_of(raw: &str) -> Result<u64, ApiError> {
    raw.parse().map_err(|_| ApiError(Error::invalid("id", "must be a snapshot number")))
}

#[utoipa::path(
    post,
    path = "/rest/roster/1.0/snapshots",
    tag = "roster",
    operation_id = "takeSnapshot",
    responses((status = 201, description = "The snapshot taken (site admins)", body = crate::openapi::common::SnapshotInfo))
)]
async fn take(State(s): State<AppState>, Caller(actor): Caller) -> Reply {
    let info = s.shelf.take(&s.dir, &actor).await?;
    Ok((StatusCode::CREATED, json_response(info_json(&info).to_string().into_bytes())).into_response())
}

#[utoipa::path(
    get,
    path = "/rest/roster/1.0/snapshots",
    tag = "roster",
    operation_id = "listSnapshots",
    responses((status = 200, description = "Every snapshot (site admins)", body = crate::openapi::common::SnapshotList))
)]
async fn list(State(s): State<AppState>, Caller(actor): Caller) -> Reply {
    let all: Vec<_> = s.shelf.list(&s.dir, &actor)?.iter().map(info_json).collect();
    Ok(json_response(json!({"results": all, "size": all.len()}).to_string().into_bytes()))
}

#[utoipa::path(
    post,
    path = "/rest/roster/1.0/snapshots/{id}/restore",
    tag = "roster",
    operation_id = "restoreSnapshot",
    params(("id" = u64, Path, description = "The snapshot's number", example = 1)),
    responses((status = 200, description = "Restored: the directory is the snapshot's again (site admins)", body = crate::openapi::common::SnapshotInfo))
)]
async fn restore(State(s): State<AppState>, Caller(actor): Caller, Path(id): Path<String>) -> Reply {
    let info = s.shelf.restore(&s.dir, &actor, id_of(&id)?).await?;
    Ok(json_response(info_json(&info).to_string().into_bytes()))
}

#[utoipa::path(
    delete,
    path = "/rest/roster/1.0/snapshots/{id}",
    tag = "roster",
    operation_id = "deleteSnapshot",
    params(("id" = u64, Path, description = "The snapshot's number", example = 1)),
    responses((status = 204, description = "Forgotten (site admins)"))
)]
async fn forget(State(s): State<AppState>, Caller(actor): Caller, Path(id): Path<String>) -> Reply {
    s.shelf.delete(&s.dir, &actor, id_of(&id)?)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
