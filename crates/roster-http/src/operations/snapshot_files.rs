//! Snapshot files over HTTP: `GET /rest/roster/1.0/snapshots/{id}/file`
//! downloads a kept snapshot as the versioned JSON file `roster snapshot
//! save` writes, and `POST /rest/roster/1.0/snapshots/file` loads one (a
//! suite shipping its starting state): checked first (a bad file is a 400
//! naming where it is wrong, and nothing changes), kept under a name
//! (default `seed`), and the directory put in its state unless
//! `restore=false`.

use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::snapshots::{info_json, restored_json};
use crate::state::AppState;
use crate::wire::auth::Caller;
use crate::wire::body::BodyRejection;
use crate::wire::error::ApiError;
use crate::wire::params::Params;

type Reply = Result<Response, ApiError>;

/// Largest snapshot file accepted (a 100,000-user directory's is about a
/// tenth of this).
pub const MAX_FILE: usize = 256 << 20;

/// The snapshot file routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(download)).routes(routes!(upload))
}

#[utoipa::path(
    get,
    path = "/rest/roster/1.0/snapshots/{id}/file",
    tag = "roster",
    operation_id = "downloadSnapshot",
    params(("id" = String, Path, description = "The snapshot's number or name", example = "seed")),
    responses(
        (status = 200, description = "The snapshot as a file (site admins): versioned JSON with password hashes and token digests, never secrets in clear", body = crate::operations::openapi::common::SnapshotFile),
        (status = 403, description = "Not a site admin, or snapshots are switched off (`snapshots = false`)", body = crate::operations::openapi::common::ErrorBody),
        (status = 404, description = "No snapshot has that number or name", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn download(State(s): State<AppState>, Caller(actor): Caller, Path(id): Path<String>) -> Reply {
    let bytes = s.shelf.save_file(&s.dir, &actor, Some(&id)).await?;
    let disposition = format!(
        "attachment; filename=\"roster-snapshot-{}.json\"",
        id.chars().filter(|c| c.is_ascii_alphanumeric() || "._-".contains(*c)).collect::<String>()
    );
    Ok(([(header::CONTENT_TYPE, "application/json".to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response())
}

/// A snapshot file body, read up to [`MAX_FILE`].
struct FileBody(axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for FileBody {
    type Rejection = BodyRejection;

    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        axum::body::to_bytes(req.into_body(), MAX_FILE).await.map(FileBody).map_err(|e| {
            match crate::server::is_body_timeout(&e) {
                true => BodyRejection::TimedOut,
                false => BodyRejection::Invalid(format!("a snapshot file is at most {MAX_FILE} bytes")),
            }
        })
    }
}

#[utoipa::path(
    post,
    path = "/rest/roster/1.0/snapshots/file",
    tag = "roster",
    operation_id = "loadSnapshot",
    params(
        ("name" = Option<String>, Query, description = "Keep the file as the snapshot of this name (default `seed`, so a reset goes back to it)", example = "seed"),
        ("restore" = Option<bool>, Query, description = "Put the directory in the file's state (default true)")
    ),
    request_body(content = crate::operations::openapi::common::SnapshotFile, description = "A snapshot file (`roster snapshot save`, or `GET .../snapshots/{id}/file`)"),
    responses(
        (status = 201, description = "Kept, and unless `restore=false` restored, with what the restore changed (site admins)", body = crate::operations::openapi::common::SnapshotRestore),
        (status = 400, description = "Not a valid snapshot file: the error says where; nothing changed", body = crate::operations::openapi::common::ErrorBody),
        (status = 403, description = "Not a site admin, or snapshots are switched off (`snapshots = false`)", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn upload(State(s): State<AppState>, Caller(actor): Caller, p: Params, FileBody(bytes): FileBody) -> Reply {
    let restore = match p.get("restore") {
        None => true,
        Some(_) => p.flag("restore")?,
    };
    let name = p.get("name").filter(|n| !n.is_empty());
    let (info, changes) = s.shelf.load_file(&s.dir, &actor, &bytes, name, restore).await?;
    let body = match changes {
        Some(c) => restored_json(&info, &c),
        None => info_json(&info),
    };
    Ok((StatusCode::CREATED, crate::wire::json::json_response(body.to_string().into_bytes())).into_response())
}
