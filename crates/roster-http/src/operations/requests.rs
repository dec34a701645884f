//! The request journal's routes, under `/rest/roster/1.0/requests`
//! (site admins only): search the recorded requests, count those a matcher
//! accepts (WireMock's `verify`), forget them, and switch the journal on,
//! off or to another size at run time. See `journal.rs`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_core::Error;
use serde::Deserialize;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::journal::{self, Matcher, Settings};
use crate::state::AppState;
use crate::wire::auth::Caller;
use crate::wire::body::{parse, RawBody};
use crate::wire::error::ApiError;
use crate::wire::json::json_response;
use crate::wire::params::Params;

type Reply = Result<Response, ApiError>;

/// Entries a search answers unless told (and at most).
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 10_000;

/// The journal routes (paths in each handler's `#[utoipa::path]`).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, clear)).routes(routes!(count)).routes(routes!(settings, configure))
}

fn settings_json(s: Settings) -> serde_json::Value {
    json!({"enabled": s.enabled, "size": s.size, "held": s.held})
}

#[utoipa::path(
    get,
    path = "/rest/roster/1.0/requests",
    tag = "roster",
    operation_id = "listRequests",
    params(crate::operations::openapi::testkit::RequestFilters),
    responses(
        (status = 200, description = "The recorded requests that match, newest first (site admins)", body = crate::operations::openapi::testkit::JournalPage),
        (status = 400, description = "A filter that does not parse", body = crate::operations::openapi::common::ErrorBody),
        (status = 403, description = "Not a site admin", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn list(State(s): State<AppState>, Caller(actor): Caller, params: Params) -> Reply {
    let reader = s.dir.admin_reader(&actor)?;
    let limit = params.count("limit", DEFAULT_LIMIT)?.min(MAX_LIMIT);
    let matcher = Matcher::from_params(&params)?.compile(&reader)?;
    let (found, total) = s.journal.find(|e| matcher.matches(e), limit);
    let results: Vec<_> = found.iter().map(|e| e.to_json(&reader)).collect();
    let body = json!({"results": results, "size": results.len(), "total": total,
                      "journal": settings_json(s.journal.settings())});
    Ok(json_response(body.to_string().into_bytes()))
}

#[utoipa::path(
    post,
    path = "/rest/roster/1.0/requests/count",
    tag = "roster",
    operation_id = "countRequests",
    request_body = crate::journal::Matcher,
    responses(
        (status = 200, description = "How many recorded requests the matcher accepts (site admins)", body = crate::operations::openapi::testkit::RequestCount),
        (status = 400, description = "A matcher that does not parse", body = crate::operations::openapi::common::ErrorBody),
        (status = 403, description = "Not a site admin", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn count(State(s): State<AppState>, Caller(actor): Caller, RawBody(body): RawBody) -> Reply {
    let reader = s.dir.admin_reader(&actor)?;
    let matcher: Matcher = if body.iter().all(u8::is_ascii_whitespace) { Matcher::default() } else { parse(&body)? };
    let matcher = matcher.compile(&reader)?;
    let (_, n) = s.journal.find(|e| matcher.matches(e), 0);
    Ok(json_response(json!({"count": n}).to_string().into_bytes()))
}

#[utoipa::path(
    delete,
    path = "/rest/roster/1.0/requests",
    tag = "roster",
    operation_id = "clearRequests",
    responses(
        (status = 204, description = "Every recorded request forgotten (site admins)"),
        (status = 403, description = "Not a site admin", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn clear(State(s): State<AppState>, Caller(actor): Caller) -> Reply {
    s.dir.admin_reader(&actor)?;
    s.journal.clear();
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(
    get,
    path = "/rest/roster/1.0/requests/settings",
    tag = "roster",
    operation_id = "getJournalSettings",
    responses(
        (status = 200, description = "Whether the journal records, its size and how full it is (site admins)", body = crate::operations::openapi::testkit::JournalSettings),
        (status = 403, description = "Not a site admin", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn settings(State(s): State<AppState>, Caller(actor): Caller) -> Reply {
    s.dir.admin_reader(&actor)?;
    Ok(json_response(settings_json(s.journal.settings()).to_string().into_bytes()))
}

/// The body of `PUT .../requests/settings`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSettings {
    enabled: bool,
    size: Option<usize>,
}

#[utoipa::path(
    put,
    path = "/rest/roster/1.0/requests/settings",
    tag = "roster",
    operation_id = "setJournalSettings",
    request_body = crate::operations::openapi::testkit::JournalSettingsInput,
    responses(
        (status = 200, description = "The journal switched on (with room for `size` entries; the oldest go when it shrinks) or off (which forgets every entry) (site admins)", body = crate::operations::openapi::testkit::JournalSettings),
        (status = 400, description = "A size of 0 or above 1,000,000", body = crate::operations::openapi::common::ErrorBody),
        (status = 403, description = "Not a site admin", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn configure(State(s): State<AppState>, Caller(actor): Caller, RawBody(body): RawBody) -> Reply {
    s.dir.admin_reader(&actor)?;
    let new: NewSettings = parse(&body)?;
    let size = match (new.enabled, new.size) {
        (false, _) => 0,
        (true, None) => match s.journal.settings().size {
            0 => journal::DEFAULT_SIZE,
            n => n,
        },
        (true, Some(n)) if n == 0 || n > journal::MAX_SIZE => {
            return Err(ApiError(Error::invalid("size", format!("must be from 1 to {}", journal::MAX_SIZE))));
        }
        (true, Some(n)) => n,
    };
    s.journal.configure(size);
    Ok(json_response(settings_json(s.journal.settings()).to_string().into_bytes()))
}
