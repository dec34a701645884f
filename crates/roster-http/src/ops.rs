//! Operational endpoints, outside every dialect: `/healthz` (the process
//! answers), `/readyz` (the directory is loaded and can be served) and
//! `/metrics` (Prometheus text format). None needs credentials: they expose
//! counts, never names.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::state::AppState;

/// The operational routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz)).route("/metrics", get(metrics))
}

async fn healthz() -> Response {
    crate::json::json_response(br#"{"status":"ok"}"#.to_vec())
}

async fn readyz(State(s): State<AppState>) -> Response {
    let (users, groups) = {
        let m = s.dir.read();
        (m.user_count(), m.group_count())
    };
    let body = format!(r#"{{"status":"ready","store":{},"users":{users},"groups":{groups}}}"#, {
        let mut v = Vec::new();
        crate::json::string(&mut v, &s.dir.store().describe());
        String::from_utf8(v).unwrap_or_default()
    });
    crate::json::json_response(body.into_bytes())
}

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
        Err(_) => crate::error::error_body(StatusCode::INTERNAL_SERVER_ERROR, "Could not encode metrics"),
    }
}
