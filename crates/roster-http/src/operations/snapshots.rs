//! roster's own admin endpoints for test suites, under
//! `/rest/roster/1.0/snapshots`: take a snapshot of the whole directory,
//! list them, restore one (a reset between test cases), forget one. A
//! restore answers with what it changed: the users, tokens (by fingerprint)
//! and memberships it brings back. With snapshots switched off
//! (`snapshots = false`) every route answers 403; they stay in the OpenAPI
//! description, which says so.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_core::snapshots::changes::Tally;
use roster_core::snapshots::{RestoreChanges, SnapshotInfo};
use roster_core::Error;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;
use crate::wire::auth::Caller;
use crate::wire::error::ApiError;
use crate::wire::json::json_response;

type Reply = Result<Response, ApiError>;

/// The snapshot routes (paths in each handler's `#[utoipa::path]`).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, take)).routes(routes!(forget)).routes(routes!(restore))
}

fn info_json(i: &SnapshotInfo) -> serde_json::Value {
    json!({"id": i.id, "users": i.users, "groups": i.groups, "memberships": i.memberships, "createdDate": i.created_ms})
}

fn tally(t: Tally, updated: bool) -> serde_json::Value {
    if updated {
        json!({"added": t.added, "removed": t.removed, "updated": t.updated})
    } else {
        json!({"added": t.added, "removed": t.removed})
    }
}

/// The snapshot's figures plus what the restore changed.
fn restored_json(i: &SnapshotInfo, c: &RestoreChanges) -> serde_json::Value {
    let mut v = info_json(i);
    v["changes"] = json!({
        "users": tally(c.users, true),
        "groups": tally(c.groups, false),
        "memberships": tally(c.memberships, false),
        "tokens": tally(c.tokens, false),
    });
    v["restoredUsers"] = c
        .users_back
        .iter()
        .map(|u| {
            json!({"accountId": u.account_id, "username": u.username, "displayName": u.display_name,
                   "change": u.change, "fields": u.fields})
        })
        .collect();
    v["restoredTokens"] = c
        .tokens_back
        .iter()
        .map(|t| json!({"accountId": t.account_id, "username": t.username, "fingerprint": t.fingerprint}))
        .collect();
    v["restoredMemberships"] =
        c.memberships_back.iter().map(|m| json!({"group": m.group, "accountId": m.account_id})).collect();
    v["removedUsers"] =
        c.users_removed.iter().map(|(id, name)| json!({"accountId": id, "displayName": name})).collect();
    v["restoredGroups"] = json!(c.groups_back);
    v["removedGroups"] = json!(c.groups_removed);
    v["truncated"] = json!(c.truncated);
    v
}

fn id_of(raw: &str) -> Result<u64, ApiError> {
    raw.parse().map_err(|_| ApiError(Error::invalid("id", "must be a snapshot number")))
}

#[utoipa::path(
    post,
    path = "/rest/roster/1.0/snapshots",
    tag = "roster",
    operation_id = "takeSnapshot",
    responses(
        (status = 201, description = "The snapshot taken (site admins)", body = crate::operations::openapi::common::SnapshotInfo),
        (status = 403, description = "Not a site admin, or snapshots are switched off (`snapshots = false`)", body = crate::operations::openapi::common::ErrorBody)
    )
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
    responses(
        (status = 200, description = "Every snapshot (site admins)", body = crate::operations::openapi::common::SnapshotList),
        (status = 403, description = "Not a site admin, or snapshots are switched off (`snapshots = false`)", body = crate::operations::openapi::common::ErrorBody)
    )
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
    responses(
        (status = 200, description = "Restored: the directory is the snapshot's again (site admins); the answer names the users, tokens and memberships brought back, and the restore is in the audit log (`snapshot.restore`)", body = crate::operations::openapi::common::SnapshotRestore),
        (status = 403, description = "Not a site admin, or snapshots are switched off (`snapshots = false`)", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn restore(State(s): State<AppState>, Caller(actor): Caller, Path(id): Path<String>) -> Reply {
    let (info, changes) = s.shelf.restore(&s.dir, &actor, id_of(&id)?).await?;
    Ok(json_response(restored_json(&info, &changes).to_string().into_bytes()))
}

#[utoipa::path(
    delete,
    path = "/rest/roster/1.0/snapshots/{id}",
    tag = "roster",
    operation_id = "deleteSnapshot",
    params(("id" = u64, Path, description = "The snapshot's number", example = 1)),
    responses(
        (status = 204, description = "Forgotten (site admins)"),
        (status = 403, description = "Not a site admin, or snapshots are switched off (`snapshots = false`)", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn forget(State(s): State<AppState>, Caller(actor): Caller, Path(id): Path<String>) -> Reply {
    s.shelf.delete(&s.dir, &actor, id_of(&id)?)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
