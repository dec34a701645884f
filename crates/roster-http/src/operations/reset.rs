//! `POST /rest/roster/1.0/reset` (the whole directory back to the seed
//! state, or to a named snapshot, in one call) and `GET
//! /rest/roster/1.0/diff` (what changed since a snapshot, by name). Both
//! are site-admin only and switched off with the snapshots.

use axum::extract::State;
use axum::response::Response;
use roster_core::snapshots::diff::{Diff, MemberRef, TokenRef, UserRef};
use roster_core::snapshots::SnapshotInfo;
use serde_json::{json, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::snapshots::{info_json, restored_json};
use crate::state::AppState;
use crate::wire::auth::Caller;
use crate::wire::body::{self, RawBody};
use crate::wire::error::ApiError;
use crate::wire::json::json_response;
use crate::wire::params::Params;

type Reply = Result<Response, ApiError>;

/// The reset and diff routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(reset)).routes(routes!(diff))
}

/// `POST /reset`'s optional body.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetTo {
    snapshot: Option<String>,
}

#[utoipa::path(
    post,
    path = "/rest/roster/1.0/reset",
    tag = "roster",
    operation_id = "reset",
    request_body(content = crate::operations::openapi::common::ResetRequest, description = "Optional: the snapshot to go back to (number or name; default `seed`, the state after start-up seeding)"),
    responses(
        (status = 200, description = "The directory is the snapshot's again, durably (site admins); the answer is a restore's: what it changed, and the reset is in the audit log (`snapshot.restore`)", body = crate::operations::openapi::common::SnapshotRestore),
        (status = 403, description = "Not a site admin, or snapshots are switched off (`snapshots = false`)", body = crate::operations::openapi::common::ErrorBody),
        (status = 404, description = "No snapshot has that number or name", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn reset(State(s): State<AppState>, Caller(actor): Caller, RawBody(raw): RawBody) -> Reply {
    let to = match raw.iter().all(u8::is_ascii_whitespace) {
        true => None,
        false => body::parse::<ResetTo>(&raw)?.snapshot,
    };
    let (info, changes) = s.shelf.reset(&s.dir, &actor, to.as_deref()).await?;
    Ok(json_response(restored_json(&info, &changes).to_string().into_bytes()))
}

fn user(u: &UserRef) -> Value {
    json!({"accountId": u.account_id, "username": u.username, "displayName": u.display_name})
}

fn member(m: &MemberRef) -> Value {
    json!({"group": m.group, "accountId": m.account_id, "username": m.username})
}

fn token(t: &TokenRef) -> Value {
    json!({"accountId": t.account_id, "fingerprint": t.fingerprint})
}

/// A diff as JSON (also what `roster diff --json` prints).
pub fn diff_json(since: &SnapshotInfo, d: &Diff) -> Value {
    let users = |v: &[UserRef]| v.iter().map(user).collect::<Vec<_>>();
    let changed: Vec<Value> = d
        .users_changed
        .iter()
        .map(|(u, fields)| {
            let mut v = user(u);
            v["fields"] = json!(fields);
            v
        })
        .collect();
    json!({
        "since": info_json(since),
        "empty": d.is_empty(),
        "users": {
            "added": users(&d.users_added),
            "changed": changed,
            "deactivated": users(&d.users_deactivated),
            "reactivated": users(&d.users_reactivated),
            "removed": users(&d.users_removed),
        },
        "groups": {"created": d.groups_created, "deleted": d.groups_deleted},
        "memberships": {
            "added": d.memberships_added.iter().map(member).collect::<Vec<_>>(),
            "removed": d.memberships_removed.iter().map(member).collect::<Vec<_>>(),
        },
        "tokens": {
            "issued": d.tokens_issued.iter().map(token).collect::<Vec<_>>(),
            "revoked": d.tokens_revoked.iter().map(token).collect::<Vec<_>>(),
        },
    })
}

#[utoipa::path(
    get,
    path = "/rest/roster/1.0/diff",
    tag = "roster",
    operation_id = "diff",
    params(("since" = Option<String>, Query, description = "The snapshot to compare with (number or name; default `seed`)", example = "seed")),
    responses(
        (status = 200, description = "What changed since the snapshot, by name and in a stable order (site admins): users by account id, groups by name, memberships by group name then account id", body = crate::operations::openapi::common::DirectoryDiff),
        (status = 403, description = "Not a site admin, or snapshots are switched off (`snapshots = false`)", body = crate::operations::openapi::common::ErrorBody),
        (status = 404, description = "No snapshot has that number or name", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn diff(State(s): State<AppState>, Caller(actor): Caller, p: Params) -> Reply {
    let since = p.get("since").filter(|v| !v.is_empty());
    let (info, d) = s.shelf.diff(&s.dir, &actor, since).await?;
    Ok(json_response(diff_json(&info, &d).to_string().into_bytes()))
}
