//! The fault rules' routes, under `/rest/roster/1.0/faults` (site admins
//! only): add rules, list them with how often each fired, remove one or
//! all. With `--no-faults` (`faults = false`) adding answers 403. See
//! `faults.rs`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_core::Error;
use serde_json::{json, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::faults::{Listed, RuleSpec};
use crate::state::AppState;
use crate::wire::auth::Caller;
use crate::wire::body::{parse, RawBody};
use crate::wire::error::ApiError;
use crate::wire::json::json_response;

type Reply = Result<Response, ApiError>;

/// The fault routes (paths in each handler's `#[utoipa::path]`).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, add, clear)).routes(routes!(remove))
}

/// A rule as listed.
pub fn rule_json(l: &Listed) -> Value {
    let mut v = serde_json::to_value(&l.spec).unwrap_or_else(|_| json!({}));
    v["id"] = json!(l.id);
    v["remaining"] = json!(l.remaining);
    v["fired"] = json!(l.fired);
    v
}

fn list_json(s: &AppState, rules: &[Listed]) -> Value {
    let results: Vec<Value> = rules.iter().map(rule_json).collect();
    json!({"results": results, "size": results.len(), "enabled": s.faults.allowed()})
}

#[utoipa::path(
    get,
    path = "/rest/roster/1.0/faults",
    tag = "roster",
    operation_id = "listFaults",
    responses(
        (status = 200, description = "The rules in force, in the order they are tried, with their seeds and how often each fired (site admins)", body = crate::operations::openapi::testkit::FaultList),
        (status = 403, description = "Not a site admin", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn list(State(s): State<AppState>, Caller(actor): Caller) -> Reply {
    s.dir.admin_reader(&actor)?;
    Ok(json_response(list_json(&s, &s.faults.list()).to_string().into_bytes()))
}

#[utoipa::path(
    post,
    path = "/rest/roster/1.0/faults",
    tag = "roster",
    operation_id = "addFaults",
    request_body(content = Vec<crate::faults::RuleSpec>, description = "One rule, or a list of rules (added all or none)"),
    responses(
        (status = 201, description = "The rules added, numbered, with the seed each uses (site admins)", body = crate::operations::openapi::testkit::FaultList),
        (status = 400, description = "A rule that does not parse or makes no sense; the message names the field", body = crate::operations::openapi::common::ErrorBody),
        (status = 403, description = "Not a site admin, or fault injection is switched off (`--no-faults`, `faults = false`)", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn add(State(s): State<AppState>, Caller(actor): Caller, RawBody(body): RawBody) -> Reply {
    s.dir.admin_reader(&actor)?;
    let value: Value = parse(&body)?;
    let specs: Vec<RuleSpec> = match value {
        Value::Array(_) => serde_json::from_value(value),
        one => serde_json::from_value(one).map(|r| vec![r]),
    }
    .map_err(|e| ApiError(Error::invalid("body", e.to_string())))?;
    let added = s.faults.add(specs)?;
    Ok((StatusCode::CREATED, json_response(list_json(&s, &added).to_string().into_bytes())).into_response())
}

#[utoipa::path(
    delete,
    path = "/rest/roster/1.0/faults",
    tag = "roster",
    operation_id = "clearFaults",
    responses(
        (status = 204, description = "Every rule removed (site admins)"),
        (status = 403, description = "Not a site admin", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn clear(State(s): State<AppState>, Caller(actor): Caller) -> Reply {
    s.dir.admin_reader(&actor)?;
    s.faults.clear();
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(
    delete,
    path = "/rest/roster/1.0/faults/{id}",
    tag = "roster",
    operation_id = "deleteFault",
    params(("id" = u64, Path, description = "The rule's number", example = 1)),
    responses(
        (status = 204, description = "The rule removed (site admins)"),
        (status = 403, description = "Not a site admin", body = crate::operations::openapi::common::ErrorBody),
        (status = 404, description = "No rule with this number", body = crate::operations::openapi::common::ErrorBody)
    )
)]
async fn remove(State(s): State<AppState>, Caller(actor): Caller, Path(id): Path<String>) -> Reply {
    s.dir.admin_reader(&actor)?;
    let id: u64 = id.parse().map_err(|_| ApiError(Error::invalid("id", "must be a rule number")))?;
    match s.faults.remove(id) {
        true => Ok(StatusCode::NO_CONTENT.into_response()),
        false => Err(ApiError(Error::NotFound { what: "fault rule", key: id.to_string() })),
    }
}
