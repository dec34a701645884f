//! `GET /rest/roster/1.0/fixture-schema.json`: the JSON Schema of the
//! fixture format (docs/fixtures.md), for editors that validate fixture
//! files. It is documentation, so it needs no credentials; it is built from
//! the format's types once and is the same text as the shipped
//! `schemas/roster-fixture.schema.json`.

use std::sync::OnceLock;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

/// The schema, built once.
fn text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(roster_core::fixtures::schema_text)
}

/// `GET /rest/roster/1.0/fixture-schema.json`.
#[utoipa::path(
    get,
    path = "/rest/roster/1.0/fixture-schema.json",
    tag = "roster",
    operation_id = "fixtureSchema",
    security(()),
    responses((status = 200, description = "The JSON Schema (2020-12) of roster's fixture files", body = Object,
               content_type = "application/schema+json"))
)]
pub async fn serve() -> Response {
    let mut r = text().into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/schema+json"));
    r
}
