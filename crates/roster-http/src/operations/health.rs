//! Operational endpoints, outside every dialect: `/healthz` (the process
//! answers), `/readyz` (the directory is loaded and can be served) and
//! `/metrics` (Prometheus text format). None needs credentials: they expose
//! counts, never names.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The operational routes (paths in each handler's `#[utoipa::path]`).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(healthz)).routes(routes!(readyz)).routes(routes!(metrics))
}

#[utoipa::path(
    get,
    path = "/healthz",
    tag = "Operations",
    operation_id = "healthz",
    security(()),
    responses((status = 200, description = "The process answers", body = crate::operations::openapi::common::Health))
)]
async fn healthz() -> Response {
    crate::wire::json::json_response(br#"{"status":"ok"}"#.to_vec())
}

#[utoipa::path(
    get,
    path = "/readyz",
    tag = "Operations",
    operation_id = "readyz",
    security(()),
    responses((status = 200, description = "The directory is loaded and served", body = crate::operations::openapi::common::Ready))
)]
async fn readyz(State(s): State<AppState>) -> Response {
    let (users, groups) = s.dir.counts();
    let body = format!(r#"{{"status":"ready","store":{},"users":{users},"groups":{groups}}}"#, {
        let mut v = Vec::new();
        crate::wire::json::string(&mut v, &s.dir.store_description());
        String::from_utf8(v).unwrap_or_default()
    });
    crate::wire::json::json_response(body.into_bytes())
}

#[utoipa::path(
    get,
    path = "/metrics",
    tag = "Operations",
    operation_id = "metrics",
    security(()),
    responses((
        status = 200,
        description = "Prometheus metrics (OpenMetrics text)",
        content_type = "application/openmetrics-text",
        body = String
    ))
)]
async fn metrics(State(s): State<AppState>) -> Response {
    match s.telemetry.encode(&s.dir) {
        Ok(text) => {
            let mut r = text.into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
            );
            r
        }
        Err(_) => crate::wire::error::error_body(StatusCode::INTERNAL_SERVER_ERROR, "Could not encode metrics"),
    }
}
