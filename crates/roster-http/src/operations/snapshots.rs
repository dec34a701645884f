//! roster's own admin endpoints for test suites, under
//! `/rest/roster/1.0/snapshots`: take a snapshot of the whole directory
//! (named or not), list them, restore one, forget one. A restore answers
//! with what it changed: the users, tokens (by fingerprint) and memberships
//! it brings back. Reset and diff (`reset.rs`) and snapshot files
//! (`snapshot_files.rs`) are registered here too. With snapshots switched
//! off (`snapshots = false`) every route answers 403; they stay in the
//! OpenAPI description, which says so.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_core::snapshots::changes::Tally;
use roster_core::snapshots::{RestoreChanges, SnapshotInfo};
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;
use crate::wire::auth::Caller;
use crate::wire::body::{self, RawBody};
use crate::wire::error::ApiError;
use crate::wire::json::json_response;

type Reply = Result<Response, ApiError>;

/// The snapshot routes (paths in each handler's `#[utoipa::path]`).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, take))
        .routes(routes!(forget))
        .routes(routes!(restore))
        .merge(super::reset::routes())
        .merge(super::snapshot_files::routes())
}

pub(crate) fn info_json(i: &SnapshotInfo) -> serde_json::Value {
    json!({"id": i.id, "name": i.name, "users": i.users, "groups": i.groups, "memberships": i.memberships,
           "createdDate": i.created_ms})
}

fn tally(t: Tally, updated: bool) -> serde_json::Value {
    if updated {
        json!({"added": t.added, "removed": t.removed, "updated": t.updated})
    } else {
        json!({"added": t.added, "removed": t.removed})
    }
}

/// The snapshot's figures plus what the restore changed.
pub(crate) fn restored_json(i: &SnapshotInfo, c: &RestoreChanges) -> serde_json::Value {
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

/// `POST /snapshots`'s optional body.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Take {
    name: Option<String>,
}

#[utoipa::path(
    post,
    path = "/rest/roster/1.0/snapshots",
    tag = "roster",
    operation_id = "takeSnapshot",
    request_body(content = crate::operations::openapi::common::SnapshotTake, description = "Optional: a name for the snapshot (a name in use moves to this one)"),
    responses(
        (status = 201, description = "The snapshot taken (site admins)", body = crate::operations::openapi::common::SnapshotInfo),
        (status = 403, description = "Not a site admin, or snapshots are switched off (`snapshots = false`)", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn take(State(s): State<AppState>, Caller(actor): Caller, RawBody(raw): RawBody) -> Reply {
    let name = match raw.iter().all(u8::is_ascii_whitespace) {
        true => None,
        false => body::parse::<Take>(&raw)?.name,
    };
    let info = s.shelf.take(&s.dir, &actor, name.as_deref()).await?;
    Ok((StatusCode::CREATED, json_response(info_json(&info).to_string().into_bytes())).into_response())
}

#[utoipa::path(
    get,
    path = "/rest/roster/1.0/snapshots",
    tag = "roster",
    operation_id = "listSnapshots",
    responses(
        (status = 200, description = "Every snapshot kept, oldest first (site admins); the seed state is the one named `seed`", body = crate::operations::openapi::common::SnapshotList),
        (status = 403, description = "Not a site admin, or snapshots are switched off (`snapshots = false`)", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn list(State(s): State<AppState>, Caller(actor): Caller) -> Reply {
    let all: Vec<_> = s.shelf.list(&s.dir, &actor).await?.iter().map(info_json).collect();
    Ok(json_response(json!({"results": all, "size": all.len()}).to_string().into_bytes()))
}

#[utoipa::path(
    post,
    path = "/rest/roster/1.0/snapshots/{id}/restore",
    tag = "roster",
    operation_id = "restoreSnapshot",
    params(("id" = String, Path, description = "The snapshot's number or name", example = "seed")),
    responses(
        (status = 200, description = "Restored: the directory is the snapshot's again (site admins); the answer names the users, tokens and memberships brought back, and the restore is in the audit log (`snapshot.restore`)", body = crate::operations::openapi::common::SnapshotRestore),
        (status = 403, description = "Not a site admin, or snapshots are switched off (`snapshots = false`)", body = crate::operations::openapi::common::ErrorBody),
        (status = 404, description = "No snapshot has that number or name", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn restore(State(s): State<AppState>, Caller(actor): Caller, Path(id): Path<String>) -> Reply {
    let (info, changes) = s.shelf.restore(&s.dir, &actor, &id).await?;
    Ok(json_response(restored_json(&info, &changes).to_string().into_bytes()))
}

#[utoipa::path(
    delete,
    path = "/rest/roster/1.0/snapshots/{id}",
    tag = "roster",
    operation_id = "deleteSnapshot",
    params(("id" = String, Path, description = "The snapshot's number or name", example = "seed")),
    responses(
        (status = 204, description = "Forgotten (site admins)"),
        (status = 403, description = "Not a site admin, or snapshots are switched off (`snapshots = false`)", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn forget(State(s): State<AppState>, Caller(actor): Caller, Path(id): Path<String>) -> Reply {
    s.shelf.delete(&s.dir, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
